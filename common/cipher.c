/*
 * cipher.c - 3DES-CBC, AES-CBC and AES-CTR through Nettle (see cipher.h).
 *
 * CBC: RFC 2451 (3DES), RFC 3602 (AES); the IV is the one sent in the
 * message and is not changed by these calls.
 * CTR: RFC 3686 4 counter block = nonce (4, from the keying material) ||
 * IV (8, from the message) || 32-bit block counter starting at 1; RFC 5930
 * uses the same block for IKEv2. Nettle's ctr_crypt() increments the whole
 * 16-octet block, which equals RFC 3686's 32-bit counter as long as it does
 * not wrap, so messages are capped at 2^32 - 1 blocks.
 * 3DES: Nettle's des3_set_key() ignores the parity bits (the low bit of
 * each key octet) and reports whether any of the three DES keys is one of
 * the weak or semi-weak keys; such a key is refused here (RFC 2451 2.5 says
 * weak keys should be checked). With three independent 64-bit keys
 * K1 = K3 or K1 = K2 is not checked (Nettle does not; the key schedule
 * makes it as unlikely as any other collision).
 */
#include <string.h>

#include <nettle/aes.h>
#include <nettle/cbc.h>
#include <nettle/ctr.h>
#include <nettle/des.h>

#include "common/cipher.h"
#include "common/err.h"
#include "common/secret.h"

/* One expanded key of whichever cipher, for encryption or decryption. */
struct cipher_key {
	nettle_cipher_func *fn;
	size_t block;
	union {
		struct aes128_ctx aes128;
		struct aes192_ctx aes192;
		struct aes256_ctx aes256;
		struct des3_ctx des3;
	} u;
};

/* Nettle's per-cipher functions under the generic nettle_cipher_func type. */
static void aes128_enc(const void *c, size_t n, uint8_t *d, const uint8_t *s) { aes128_encrypt(c, n, d, s); }
static void aes128_dec(const void *c, size_t n, uint8_t *d, const uint8_t *s) { aes128_decrypt(c, n, d, s); }
static void aes192_enc(const void *c, size_t n, uint8_t *d, const uint8_t *s) { aes192_encrypt(c, n, d, s); }
static void aes192_dec(const void *c, size_t n, uint8_t *d, const uint8_t *s) { aes192_decrypt(c, n, d, s); }
static void aes256_enc(const void *c, size_t n, uint8_t *d, const uint8_t *s) { aes256_encrypt(c, n, d, s); }
static void aes256_dec(const void *c, size_t n, uint8_t *d, const uint8_t *s) { aes256_decrypt(c, n, d, s); }
static void des3_enc(const void *c, size_t n, uint8_t *d, const uint8_t *s) { des3_encrypt(c, n, d, s); }
static void des3_dec(const void *c, size_t n, uint8_t *d, const uint8_t *s) { des3_decrypt(c, n, d, s); }

size_t cipher_block_len(enum cipher_alg alg)
{
	switch (alg) {
	case CIPHER_3DES: return DES3_BLOCK_SIZE;
	case CIPHER_AES_CBC: return AES_BLOCK_SIZE;
	case CIPHER_AES_CTR: return 1;
	}
	return 0;
}

size_t cipher_iv_len(enum cipher_alg alg)
{
	switch (alg) {
	case CIPHER_3DES: return DES3_BLOCK_SIZE;   /* RFC 2451 3 */
	case CIPHER_AES_CBC: return AES_BLOCK_SIZE; /* RFC 3602 3 */
	case CIPHER_AES_CTR: return 8;              /* RFC 3686 3.1, RFC 5930 2 */
	}
	return 0;
}

bool cipher_key_len_valid(enum cipher_alg alg, unsigned key_bits)
{
	switch (alg) {
	case CIPHER_3DES:
		return key_bits == 0 || key_bits == 192;
	case CIPHER_AES_CBC:
	case CIPHER_AES_CTR:
		return key_bits == 128 || key_bits == 192 || key_bits == 256;
	}
	return false;
}

size_t cipher_keymat_len(enum cipher_alg alg, unsigned key_bits)
{
	if (!cipher_key_len_valid(alg, key_bits))
		return 0;
	switch (alg) {
	case CIPHER_3DES: return DES3_KEY_SIZE;
	case CIPHER_AES_CBC: return key_bits / 8;
	case CIPHER_AES_CTR: return key_bits / 8 + CIPHER_CTR_NONCE_LEN;
	}
	return 0;
}

const char *cipher_name(enum cipher_alg alg)
{
	switch (alg) {
	case CIPHER_3DES: return "3des";
	case CIPHER_AES_CBC: return "aescbc";
	case CIPHER_AES_CTR: return "aesctr";
	}
	return "unknown";
}

/* Expand an AES key of 16, 24 or 32 octets; decrypt selects the inverse schedule. */
static int aes_key_setup(struct cipher_key *k, const uint8_t *key, size_t len, bool decrypt)
{
	k->block = AES_BLOCK_SIZE;
	switch (len) {
	case AES128_KEY_SIZE:
		if (decrypt)
			aes128_set_decrypt_key(&k->u.aes128, key);
		else
			aes128_set_encrypt_key(&k->u.aes128, key);
		k->fn = decrypt ? aes128_dec : aes128_enc;
		return 0;
	case AES192_KEY_SIZE:
		if (decrypt)
			aes192_set_decrypt_key(&k->u.aes192, key);
		else
			aes192_set_encrypt_key(&k->u.aes192, key);
		k->fn = decrypt ? aes192_dec : aes192_enc;
		return 0;
	case AES256_KEY_SIZE:
		if (decrypt)
			aes256_set_decrypt_key(&k->u.aes256, key);
		else
			aes256_set_encrypt_key(&k->u.aes256, key);
		k->fn = decrypt ? aes256_dec : aes256_enc;
		return 0;
	}
	return ERR_INVAL;
}

static int cbc_crypt(enum cipher_alg alg, const uint8_t *keymat, size_t keymat_len,
		     const uint8_t *iv, const uint8_t *in, size_t len, uint8_t *out,
		     bool decrypt)
{
	struct cipher_key k;
	uint8_t chain[CIPHER_MAX_IV];
	int rc = 0;

	if (alg == CIPHER_3DES) {
		if (keymat_len != DES3_KEY_SIZE)
			return ERR_INVAL;
		/* 0 = one of the three keys is weak; the schedule is the same both ways. */
		if (!des3_set_key(&k.u.des3, keymat)) {
			rc = ERR_INVAL;
			goto out;
		}
		k.fn = decrypt ? des3_dec : des3_enc;
		k.block = DES3_BLOCK_SIZE;
	} else if ((rc = aes_key_setup(&k, keymat, keymat_len, decrypt)) != 0) {
		goto out;
	}
	if (len % k.block) {
		rc = ERR_INVAL;
		goto out;
	}
	memcpy(chain, iv, k.block);
	if (len) {
		if (decrypt)
			cbc_decrypt(&k.u, k.fn, k.block, chain, len, out, in);
		else
			cbc_encrypt(&k.u, k.fn, k.block, chain, len, out, in);
	}
out:
	secret_wipe(&k, sizeof(k));
	secret_wipe(chain, sizeof(chain));
	return rc;
}

/* CTR is its own inverse: the key stream is always made with the encrypt schedule. */
static int ctr_crypt_rfc3686(const uint8_t *keymat, size_t keymat_len,
			     const uint8_t *iv, const uint8_t *in, size_t len, uint8_t *out)
{
	struct cipher_key k;
	uint8_t counter[AES_BLOCK_SIZE];
	size_t key_len;
	int rc;

	if (keymat_len < CIPHER_CTR_NONCE_LEN)
		return ERR_INVAL;
	if ((uint64_t)len > (uint64_t)0xffffffffu * AES_BLOCK_SIZE)
		return ERR_INVAL; /* the 32-bit block counter would wrap */
	key_len = keymat_len - CIPHER_CTR_NONCE_LEN;
	rc = aes_key_setup(&k, keymat, key_len, false);
	if (rc == 0 && len) {
		memcpy(counter, keymat + key_len, CIPHER_CTR_NONCE_LEN);
		memcpy(counter + CIPHER_CTR_NONCE_LEN, iv, 8);
		counter[12] = 0;
		counter[13] = 0;
		counter[14] = 0;
		counter[15] = 1;
		ctr_crypt(&k.u, k.fn, AES_BLOCK_SIZE, counter, len, out, in);
	}
	secret_wipe(&k, sizeof(k));
	secret_wipe(counter, sizeof(counter));
	return rc;
}

static int cipher_crypt(enum cipher_alg alg, const uint8_t *keymat, size_t keymat_len,
			const uint8_t *iv, const uint8_t *in, size_t len, uint8_t *out,
			bool decrypt)
{
	if (!keymat || !iv || (len && (!in || !out)))
		return ERR_INVAL;
	switch (alg) {
	case CIPHER_3DES:
	case CIPHER_AES_CBC:
		return cbc_crypt(alg, keymat, keymat_len, iv, in, len, out, decrypt);
	case CIPHER_AES_CTR:
		return ctr_crypt_rfc3686(keymat, keymat_len, iv, in, len, out);
	}
	return ERR_UNSUPPORTED;
}

int cipher_encrypt(enum cipher_alg alg, const uint8_t *keymat, size_t keymat_len,
		   const uint8_t *iv, const uint8_t *in, size_t len, uint8_t *out)
{
	return cipher_crypt(alg, keymat, keymat_len, iv, in, len, out, false);
}

int cipher_decrypt(enum cipher_alg alg, const uint8_t *keymat, size_t keymat_len,
		   const uint8_t *iv, const uint8_t *in, size_t len, uint8_t *out)
{
	return cipher_crypt(alg, keymat, keymat_len, iv, in, len, out, true);
}
