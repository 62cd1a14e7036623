/*
 * aead.h - combined-mode ciphers for the SK payload (RFC 5282) and ESP.
 *
 * Identifiers are the IKEv2 ENCR transform IDs: AES-GCM with 8-, 12- and
 * 16-octet ICVs (RFC 4106, RFC 5282) and ChaCha20-Poly1305 (RFC 7634).
 * Keying material is key || 4-octet salt (RFC 4106 8.1, RFC 5282 7.1,
 * RFC 7634 2); the 12-octet nonce is salt || the message's 8-octet IV
 * (RFC 4106 4, RFC 7634 2). key_bits is the Key Length attribute:
 * 128/192/256 for GCM; ChaCha20-Poly1305 has no attribute (0) or 256.
 */
#ifndef DUALIKE_COMMON_AEAD_H
#define DUALIKE_COMMON_AEAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum aead_alg {
	AEAD_AES_GCM_8 = 18,
	AEAD_AES_GCM_12 = 19,
	AEAD_AES_GCM_16 = 20,
	AEAD_CHACHA20_POLY1305 = 28,
};

#define AEAD_IV_LEN 8
#define AEAD_SALT_LEN 4
#define AEAD_MAX_ICV 16
#define AEAD_MAX_KEYMAT 36

/* ICV (tag) length in octets, 0 for an unknown algorithm. */
size_t aead_icv_len(enum aead_alg alg);
/* Octets of explicit IV per message (8 for all of them). */
size_t aead_iv_len(enum aead_alg alg);
bool aead_key_len_valid(enum aead_alg alg, unsigned key_bits);
/* Key octets + 4 salt octets, 0 for an invalid algorithm/key length. */
size_t aead_keymat_len(enum aead_alg alg, unsigned key_bits);
const char *aead_name(enum aead_alg alg);

/*
 * Encrypt len octets of plain into ct_out (same length; may be the same
 * buffer) and write aead_icv_len() octets of tag to icv_out, authenticating
 * aad too. The key length comes from keymat_len (ERR_INVAL when invalid).
 */
int aead_encrypt(enum aead_alg alg, const uint8_t *keymat, size_t keymat_len,
		 const uint8_t *iv, const uint8_t *aad, size_t aad_len,
		 const uint8_t *plain, size_t len, uint8_t *ct_out, uint8_t *icv_out);
/*
 * Check icv over aad and ct and decrypt into plain_out. A tag that does not
 * verify gives ERR_INTEGRITY, and plain_out is then all zeros: no
 * unauthenticated plaintext is ever handed out (if plain_out is ct, the
 * ciphertext is zeroed too).
 */
int aead_decrypt(enum aead_alg alg, const uint8_t *keymat, size_t keymat_len,
		 const uint8_t *iv, const uint8_t *aad, size_t aad_len,
		 const uint8_t *ct, size_t len, const uint8_t *icv, uint8_t *plain_out);

#endif
