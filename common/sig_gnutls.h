/*
 * sig_gnutls.h - internal to common/: the GnuTLS objects behind struct
 * sig_privkey / sig_pubkey, for cert*.c. Engines use common/sig.h only.
 */
#ifndef DUALIKE_COMMON_SIG_GNUTLS_H
#define DUALIKE_COMMON_SIG_GNUTLS_H

#include <gnutls/abstract.h>

#include "common/sig.h"

/* Wrap a GnuTLS public key, taking it (freed on every path). ERR_UNSUPPORTED
 * for an algorithm or curve outside enum sig_key_type, ERR_NOMEM. */
int sig_pubkey_from_gnutls(gnutls_pubkey_t gk, struct sig_pubkey **out);
/* The DER SubjectPublicKeyInfo (owned by key). */
const uint8_t *sig_pubkey_spki(const struct sig_pubkey *key, size_t *len);

#endif
