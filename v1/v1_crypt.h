/*
 * v1_crypt.h - IKEv1 message encryption (RFC 2408 3.1 E flag, RFC 2409
 * appendix B) and the HASH payloads of Quick Mode and Informational
 * exchanges (RFC 2409 5.5, 5.7).
 *
 * Everything after the 28-byte header is encrypted with the phase-1 cipher
 * in CBC mode. IVs:
 *   - phase 1: hash(g^xi | g^xr) for the first encrypted message, then the
 *     last ciphertext block of the previous message of the exchange;
 *   - each Quick Mode / Informational exchange (per message ID): first
 *     hash(last phase-1 CBC block | M-ID), then the same chaining.
 * The open/seal functions return the next IV separately (*next) and never
 * change the one they were given: the caller commits the chain only once a
 * message was accepted (HASH verified) or sent, so a forged or garbled
 * message cannot desynchronise it.
 *
 * Padding. RFC 2408 3.1 / RFC 2409 appendix B: the body is padded to the
 * cipher block; the padding is not a payload. RFC 2409 appendix B also
 * describes a convention where the last pad byte counts the pad bytes; we
 * neither send nor require it. We send zero bytes up to the next block
 * boundary and nothing when the body is aligned (as Libreswan does;
 * strongSwan also pads with zeros to the block). On input we accept any
 * pad content and, in v1_msg, up to 255 bytes after the last payload:
 * both conventions, and the peers seen padding past one block.
 */
#ifndef DUALIKE_V1_CRYPT_H
#define DUALIKE_V1_CRYPT_H

#include <stddef.h>
#include <stdint.h>

#include "common/cipher.h"
#include "common/hash.h"
#include "common/prf.h"
#include "common/secret.h"

struct v1_iv {
	uint8_t b[CIPHER_MAX_IV];
	size_t len;
};

/* The phase-1 cipher with its key (key wiped by v1_crypt_free). */
struct v1_crypt {
	enum cipher_alg alg;
	size_t block;
	struct secret *key;
};

/* alg: CIPHER_3DES or CIPHER_AES_CBC; key of the cipher's length (v1_enc_key()). */
int v1_crypt_init(struct v1_crypt *c, enum cipher_alg alg, const uint8_t *key, size_t key_len);
void v1_crypt_free(struct v1_crypt *c);

/* Phase-1 IV: hash(g^xi | g^xr) truncated to the block (v1_iv_phase1()). */
int v1_crypt_iv_phase1(const struct v1_crypt *c, enum hash_alg hash, const uint8_t *gxi,
		       size_t gxi_len, const uint8_t *gxr, size_t gxr_len, struct v1_iv *iv);
/* First IV of the exchange msg_id: hash(phase-1 last block | M-ID). */
int v1_crypt_iv_msgid(const struct v1_crypt *c, enum hash_alg hash,
		      const struct v1_iv *phase1_last, uint32_t msg_id, struct v1_iv *iv);

/*
 * Encrypt a built cleartext message in place: msg[0..len) is header +
 * payloads, cap the buffer size. Pads the body with zeros to the block,
 * sets the E flag and the header length, encrypts with iv, and stores the
 * last ciphertext block in *next. *out_len is the new message length.
 */
int v1_crypt_seal(const struct v1_crypt *c, const struct v1_iv *iv, uint8_t *msg, size_t len,
		  size_t cap, size_t *out_len, struct v1_iv *next);
/*
 * Decrypt an encrypted message (E flag set, body a whole number of blocks,
 * not empty) into out (cap >= len): header copied, body decrypted. *next
 * gets the last ciphertext block. ERR_PARSE when the body is not a whole
 * number of blocks.
 */
int v1_crypt_open(const struct v1_crypt *c, const struct v1_iv *iv, const uint8_t *msg,
		  size_t len, uint8_t *out, size_t cap, struct v1_iv *next);

/*
 * HASH payloads, pure functions over payload bytes (RFC 2409 5.5, 5.7).
 * `after_hash` is every byte of the payloads that follow the HASH payload
 * (generic headers included, padding excluded: v1_msg_after_hash()).
 * out receives prf_out_len(prf) bytes.
 *   HASH(1) = prf(SKEYID_a, M-ID | after_hash)            also Informational
 *   HASH(2) = prf(SKEYID_a, M-ID | Ni_b | after_hash)
 *   HASH(3) = prf(SKEYID_a, 0 | M-ID | Ni_b | Nr_b)
 */
int v1_hash_1(enum prf_alg prf, const uint8_t *skeyid_a, size_t a_len, uint32_t msg_id,
	      const uint8_t *after_hash, size_t after_len, uint8_t *out);
int v1_hash_2(enum prf_alg prf, const uint8_t *skeyid_a, size_t a_len, uint32_t msg_id,
	      const uint8_t *ni_b, size_t ni_len, const uint8_t *after_hash, size_t after_len,
	      uint8_t *out);
int v1_hash_3(enum prf_alg prf, const uint8_t *skeyid_a, size_t a_len, uint32_t msg_id,
	      const uint8_t *ni_b, size_t ni_len, const uint8_t *nr_b, size_t nr_len,
	      uint8_t *out);
#define v1_hash_info v1_hash_1

#endif
