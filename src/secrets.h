/*
 * secrets.h - the PSK file (/etc/dualike/secrets), man/dualike.conf.5 "SECRETS".
 *
 *   # comment
 *   198.51.100.7 branch1.example.net : PSK "a long passphrase"
 *   office@example.com : PSK 0x6b3a...        (hex bytes)
 *   2001:db8:1::7 : PSK 0sYmFzZTY0...          (base64)
 *   : PSK "fallback for every peer"            (no selector)
 *
 * Selectors before the colon are identities or addresses (conf_id.h
 * forms, or %any); the colon separating them from the secret has spaces
 * around it (so IPv6 addresses and keyid: are unambiguous). The file is
 * refused unless it is a regular file with no permission bits for group
 * and others (st_mode & 077 == 0), as iked's check_file_secrecy does.
 * PSKs live in struct secret (wiped on free); the file's bytes are wiped
 * after parsing; no message ever contains a PSK byte.
 */
#ifndef DUALIKE_SRC_SECRETS_H
#define DUALIKE_SRC_SECRETS_H

#include <stddef.h>

#include "common/secret.h"
#include "src/conf_addr.h"
#include "src/conf_errors.h"
#include "src/conf_id.h"

#define SECRETS_MAX_SELECTORS 8
#define SECRETS_MAX_PSK 1024
#define SECRETS_MAX_FILE (1024 * 1024)

struct secrets;

/*
 * Read path. Returns 0, ERR_PERM (mode or file type: errs says which and
 * how to fix it), ERR_IO, ERR_PARSE (every bad line in errs) or ERR_NOMEM.
 */
int secrets_load(const char *path, struct secrets **out, struct config_errors *errs);
void secrets_free(struct secrets *s);
size_t secrets_count(const struct secrets *s);

/*
 * The PSK for a pair of peers; any argument may be NULL (unknown yet).
 * An entry applies when each of its selectors names one of the four
 * (%any names anything); of those that apply, the one naming the remote
 * side most wins (a remote match counts 2, a local match 1), then the
 * earliest in the file. *line (optional) receives the entry's line, for
 * logs. NULL when no entry applies.
 */
const struct secret *secrets_find_psk(const struct secrets *s,
				      const struct conf_id *local_id,
				      const struct conf_id *remote_id,
				      const struct conf_addr *local_addr,
				      const struct conf_addr *remote_addr, int *line);

#endif
