/*
 * keylog.h - the opt-in SA key log, in Wireshark's key table formats.
 *
 * For labs only: it writes the keys the daemon makes, so a capture can be
 * decrypted. The log is a directory holding the three tables Wireshark
 * reads (its "UAT" files, same names as in a Wireshark profile):
 *   ikev1_decryption_table   CKY-I,encryption key                (hex)
 *   ikev2_decryption_table   SPIi,SPIr,SK_ei,SK_er,"encr",SK_ai,SK_ar,"integ"
 *   esp_sa                   "IPv4","src","dst","0xSPI","encr","0xkey","auth","0xkey"
 * Files are created with mode 0600; an existing file that group or others
 * may access is refused (ERR_PERM), as is anything but a regular file.
 * Lines are appended, one write() each.
 *
 * The keylog_fmt_* functions are pure (no I/O) so tests can compare them
 * with Wireshark's own tables. They return the line length (no newline),
 * ERR_UNSUPPORTED when Wireshark has no name for the algorithm, or
 * ERR_OVERFLOW when cap is too small. Buffers they fill hold key material:
 * callers wipe them (the keylog_* writers do).
 */
#ifndef DUALIKE_COMMON_KEYLOG_H
#define DUALIKE_COMMON_KEYLOG_H

#include <stddef.h>
#include <stdint.h>

#include "common/kernel.h"

/* Longest line any formatter writes (SHA-512 keys, IPv6 addresses). */
#define KEYLOG_LINE_MAX 1024

struct keylog;

/* Open (creating if needed, mode 0700 for the directory) the key log dir. */
int keylog_open(const char *dir, struct keylog **out);
void keylog_close(struct keylog *kl);

/* IKEv1 (RFC 2409): initiator cookie and the phase-1 encryption key. */
int keylog_fmt_ikev1(char *out, size_t cap, const uint8_t cky_i[8], const uint8_t *enc_key,
		     size_t enc_key_len);

/*
 * IKEv2 (RFC 7296 2.14). encr_id/integ_id are IKEv2 transform IDs; for
 * AES-CTR/GCM/CCM the SK_e values include the salt/nonce at the end (as
 * prf+ makes them and Wireshark wants them). integ_id 0 = none (AEAD).
 */
struct keylog_ikev2 {
	uint8_t spi_i[8];
	uint8_t spi_r[8];
	uint16_t encr_id;
	const uint8_t *sk_ei;
	const uint8_t *sk_er;
	size_t sk_e_len;
	uint16_t integ_id;
	const uint8_t *sk_ai;
	const uint8_t *sk_ar;
	size_t sk_a_len;
};
int keylog_fmt_ikev2(char *out, size_t cap, const struct keylog_ikev2 *e);

/* One ESP SA (the same description the kernel gets). */
int keylog_fmt_esp(char *out, size_t cap, const struct kernel_sa *sa);

/* Wireshark's names; NULL when it has none. */
const char *keylog_esp_encr_name(uint16_t encr_id);
const char *keylog_esp_auth_name(uint16_t integ_id);
/* Writes e.g. "AES-CBC-256 [RFC3602]" into buf; NULL when unknown. */
const char *keylog_ikev2_encr_name(uint16_t encr_id, size_t key_len, char *buf, size_t len);
const char *keylog_ikev2_integ_name(uint16_t integ_id);

/* Format and append; kl == NULL (key log off) does nothing and returns 0. */
int keylog_ikev1(struct keylog *kl, const uint8_t cky_i[8], const uint8_t *enc_key,
		 size_t enc_key_len);
int keylog_ikev2(struct keylog *kl, const struct keylog_ikev2 *e);
int keylog_esp(struct keylog *kl, const struct kernel_sa *sa);

#endif
