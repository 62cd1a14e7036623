/*
 * cipher.h - block ciphers for the SK payload (IKEv2) and IKEv1 encryption.
 *
 * Identifiers are the IKEv2 ENCR transform IDs (RFC 7296 3.3.2): 3DES-CBC
 * (RFC 2451), AES-CBC (RFC 3602) and AES-CTR (RFC 3686 for ESP, RFC 5930
 * for IKEv2). AEAD ciphers are in common/aead.h.
 *
 * Keying material ("keymat") is what the key schedule hands out for the
 * cipher: the key for CBC, key || 4-octet nonce for CTR (RFC 3686 5.1,
 * RFC 5930 2). key_bits is the IKEv2 Key Length attribute (RFC 7296
 * 3.3.5): 128/192/256 for AES, and for 3DES, which carries no attribute,
 * 0 or 192.
 */
#ifndef DUALIKE_COMMON_CIPHER_H
#define DUALIKE_COMMON_CIPHER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum cipher_alg {
	CIPHER_3DES = 3,
	CIPHER_AES_CBC = 12,
	CIPHER_AES_CTR = 13,
};

#define CIPHER_MAX_IV 16
#define CIPHER_MAX_KEYMAT 36 /* AES-256 key + CTR nonce */
#define CIPHER_CTR_NONCE_LEN 4

/*
 * Input lengths must be a multiple of this: the cipher block for CBC
 * (8 for 3DES, 16 for AES), 1 for CTR, a stream mode (RFC 3686 2.1).
 * 0 for an unknown algorithm.
 */
size_t cipher_block_len(enum cipher_alg alg);
/* Octets of explicit IV in each message: 8 (3DES), 16 (AES-CBC), 8 (AES-CTR). */
size_t cipher_iv_len(enum cipher_alg alg);
bool cipher_key_len_valid(enum cipher_alg alg, unsigned key_bits);
/* Octets of keying material for this key length, 0 when invalid. */
size_t cipher_keymat_len(enum cipher_alg alg, unsigned key_bits);
const char *cipher_name(enum cipher_alg alg);

/*
 * Encrypt or decrypt len octets from in to out (which may be the same
 * buffer) with keymat and the message's explicit IV (cipher_iv_len()
 * octets). The key length is taken from keymat_len and must be a valid
 * one. ERR_INVAL for a bad key length, a CBC length that is not a whole
 * number of blocks, or a 3DES key one of whose three DES keys is weak.
 * ERR_UNSUPPORTED for an unknown algorithm.
 */
int cipher_encrypt(enum cipher_alg alg, const uint8_t *keymat, size_t keymat_len,
		   const uint8_t *iv, const uint8_t *in, size_t len, uint8_t *out);
int cipher_decrypt(enum cipher_alg alg, const uint8_t *keymat, size_t keymat_len,
		   const uint8_t *iv, const uint8_t *in, size_t len, uint8_t *out);

#endif
