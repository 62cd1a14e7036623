/*
 * aead.c - AES-GCM (Nettle) and ChaCha20-Poly1305 (libsodium); see aead.h.
 *
 * GCM: RFC 4106 / RFC 5282 use the GCM of McGrew-Viega / SP 800-38D with a
 * 96-bit nonce = salt || IV; the 8- and 12-octet ICVs are the leftmost
 * octets of the 16-octet tag (RFC 4106 6). Nettle decrypts and computes the
 * tag in one pass, so on a bad tag the plaintext already written is wiped.
 * ChaCha20-Poly1305: the RFC 8439 AEAD with nonce = salt || IV (RFC 7634
 * 2); libsodium's detached IETF calls verify before decrypting.
 */
#include <string.h>

#include <nettle/gcm.h>
#include <sodium.h>

#include "common/aead.h"
#include "common/err.h"
#include "common/secret.h"

#define AEAD_NONCE_LEN (AEAD_SALT_LEN + AEAD_IV_LEN)

size_t aead_icv_len(enum aead_alg alg)
{
	switch (alg) {
	case AEAD_AES_GCM_8: return 8;
	case AEAD_AES_GCM_12: return 12;
	case AEAD_AES_GCM_16: return 16;
	case AEAD_CHACHA20_POLY1305: return crypto_aead_chacha20poly1305_ietf_ABYTES;
	}
	return 0;
}

size_t aead_iv_len(enum aead_alg alg)
{
	return aead_icv_len(alg) ? AEAD_IV_LEN : 0;
}

bool aead_key_len_valid(enum aead_alg alg, unsigned key_bits)
{
	switch (alg) {
	case AEAD_AES_GCM_8:
	case AEAD_AES_GCM_12:
	case AEAD_AES_GCM_16:
		return key_bits == 128 || key_bits == 192 || key_bits == 256;
	case AEAD_CHACHA20_POLY1305:
		return key_bits == 0 || key_bits == 256;
	}
	return false;
}

size_t aead_keymat_len(enum aead_alg alg, unsigned key_bits)
{
	if (!aead_key_len_valid(alg, key_bits))
		return 0;
	if (alg == AEAD_CHACHA20_POLY1305)
		return crypto_aead_chacha20poly1305_ietf_KEYBYTES + AEAD_SALT_LEN;
	return key_bits / 8 + AEAD_SALT_LEN;
}

const char *aead_name(enum aead_alg alg)
{
	switch (alg) {
	case AEAD_AES_GCM_8: return "aesgcm8";
	case AEAD_AES_GCM_12: return "aesgcm12";
	case AEAD_AES_GCM_16: return "aesgcm16";
	case AEAD_CHACHA20_POLY1305: return "chacha20poly1305";
	}
	return "unknown";
}

/* One GCM context of whichever AES key size. */
struct gcm_any {
	size_t key_len;
	union {
		struct gcm_aes128_ctx a128;
		struct gcm_aes192_ctx a192;
		struct gcm_aes256_ctx a256;
	} u;
};

/* Key, nonce and AAD: everything before the payload. */
static int gcm_start(struct gcm_any *g, const uint8_t *key, size_t key_len,
		     const uint8_t nonce[AEAD_NONCE_LEN], const uint8_t *aad, size_t aad_len)
{
	g->key_len = key_len;
	switch (key_len) {
	case 16:
		gcm_aes128_set_key(&g->u.a128, key);
		gcm_aes128_set_iv(&g->u.a128, AEAD_NONCE_LEN, nonce);
		gcm_aes128_update(&g->u.a128, aad_len, aad);
		return 0;
	case 24:
		gcm_aes192_set_key(&g->u.a192, key);
		gcm_aes192_set_iv(&g->u.a192, AEAD_NONCE_LEN, nonce);
		gcm_aes192_update(&g->u.a192, aad_len, aad);
		return 0;
	case 32:
		gcm_aes256_set_key(&g->u.a256, key);
		gcm_aes256_set_iv(&g->u.a256, AEAD_NONCE_LEN, nonce);
		gcm_aes256_update(&g->u.a256, aad_len, aad);
		return 0;
	}
	return ERR_INVAL;
}

/* Payload then tag (tag_len <= 16 gives the leftmost octets). */
static void gcm_finish(struct gcm_any *g, bool decrypt, const uint8_t *in, size_t len,
		       uint8_t *out, size_t tag_len, uint8_t *tag)
{
	switch (g->key_len) {
	case 16:
		(decrypt ? gcm_aes128_decrypt : gcm_aes128_encrypt)(&g->u.a128, len, out, in);
		gcm_aes128_digest(&g->u.a128, tag_len, tag);
		break;
	case 24:
		(decrypt ? gcm_aes192_decrypt : gcm_aes192_encrypt)(&g->u.a192, len, out, in);
		gcm_aes192_digest(&g->u.a192, tag_len, tag);
		break;
	case 32:
		(decrypt ? gcm_aes256_decrypt : gcm_aes256_encrypt)(&g->u.a256, len, out, in);
		gcm_aes256_digest(&g->u.a256, tag_len, tag);
		break;
	}
}

/* The AES key length or 32 for ChaCha20, after checking keymat_len. */
static int aead_key_len(enum aead_alg alg, size_t keymat_len, size_t *key_len)
{
	if (!aead_icv_len(alg))
		return ERR_UNSUPPORTED;
	if (keymat_len < AEAD_SALT_LEN ||
	    !aead_key_len_valid(alg, (unsigned)((keymat_len - AEAD_SALT_LEN) * 8)))
		return ERR_INVAL;
	*key_len = keymat_len - AEAD_SALT_LEN;
	return 0;
}

/*
 * Shared by both directions: encryption writes tag_out, decryption checks
 * tag_in in constant time and wipes the output when it does not match.
 */
static int aead_crypt(enum aead_alg alg, const uint8_t *keymat, size_t keymat_len,
		      const uint8_t *iv, const uint8_t *aad, size_t aad_len,
		      const uint8_t *in, size_t len, uint8_t *out,
		      uint8_t *tag_out, const uint8_t *tag_in)
{
	uint8_t nonce[AEAD_NONCE_LEN], tag[AEAD_MAX_ICV];
	struct gcm_any g;
	size_t key_len = 0, icv_len = aead_icv_len(alg);
	bool decrypt = tag_in != NULL;
	int rc = aead_key_len(alg, keymat_len, &key_len);

	if (rc)
		return rc;
	if (!keymat || !iv || (!tag_in && !tag_out) || (aad_len && !aad) ||
	    (len && (!in || !out)))
		return ERR_INVAL;
	memcpy(nonce, keymat + key_len, AEAD_SALT_LEN);
	memcpy(nonce + AEAD_SALT_LEN, iv, AEAD_IV_LEN);
	if (alg == AEAD_CHACHA20_POLY1305) {
		if (decrypt) {
			if (crypto_aead_chacha20poly1305_ietf_decrypt_detached(
				    out, NULL, in, len, tag_in, aad, aad_len, nonce, keymat) != 0)
				rc = ERR_INTEGRITY;
		} else {
			crypto_aead_chacha20poly1305_ietf_encrypt_detached(
				out, tag_out, NULL, in, len, aad, aad_len, NULL, nonce, keymat);
		}
	} else {
		rc = gcm_start(&g, keymat, key_len, nonce, aad, aad_len);
		if (rc == 0)
			gcm_finish(&g, decrypt, in, len, out, icv_len, decrypt ? tag : tag_out);
		if (rc == 0 && decrypt && !secret_equal(tag, tag_in, icv_len))
			rc = ERR_INTEGRITY;
		secret_wipe(&g, sizeof(g));
	}
	if (rc == ERR_INTEGRITY && len)
		secret_wipe(out, len);
	secret_wipe(nonce, sizeof(nonce));
	secret_wipe(tag, sizeof(tag));
	return rc;
}

int aead_encrypt(enum aead_alg alg, const uint8_t *keymat, size_t keymat_len,
		 const uint8_t *iv, const uint8_t *aad, size_t aad_len,
		 const uint8_t *plain, size_t len, uint8_t *ct_out, uint8_t *icv_out)
{
	if (!icv_out)
		return ERR_INVAL;
	return aead_crypt(alg, keymat, keymat_len, iv, aad, aad_len, plain, len,
			  ct_out, icv_out, NULL);
}

int aead_decrypt(enum aead_alg alg, const uint8_t *keymat, size_t keymat_len,
		 const uint8_t *iv, const uint8_t *aad, size_t aad_len,
		 const uint8_t *ct, size_t len, const uint8_t *icv, uint8_t *plain_out)
{
	if (!icv)
		return ERR_INVAL;
	return aead_crypt(alg, keymat, keymat_len, iv, aad, aad_len, ct, len,
			  plain_out, NULL, icv);
}
