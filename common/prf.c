/* prf.c - HMAC, AES-XCBC-PRF-128 and AES-CMAC-PRF-128 (see prf.h). */
#include <string.h>

#include "common/err.h"
#include "common/prf.h"
#include "common/secret.h"

size_t prf_out_len(enum prf_alg alg)
{
	switch (alg) {
	case PRF_HMAC_MD5: return MD5_DIGEST_SIZE;
	case PRF_HMAC_SHA1: return SHA1_DIGEST_SIZE;
	case PRF_HMAC_SHA2_256: return SHA256_DIGEST_SIZE;
	case PRF_HMAC_SHA2_384: return SHA384_DIGEST_SIZE;
	case PRF_HMAC_SHA2_512: return SHA512_DIGEST_SIZE;
	case PRF_AES128_XCBC:
	case PRF_AES128_CMAC: return 16;
	}
	return 0;
}

size_t prf_key_len(enum prf_alg alg)
{
	return prf_out_len(alg);
}

int prf_fixed_key(enum prf_alg alg)
{
	return alg == PRF_AES128_XCBC || alg == PRF_AES128_CMAC;
}

const char *prf_name(enum prf_alg alg)
{
	switch (alg) {
	case PRF_HMAC_MD5: return "prfmd5";
	case PRF_HMAC_SHA1: return "prfsha1";
	case PRF_HMAC_SHA2_256: return "prfsha256";
	case PRF_HMAC_SHA2_384: return "prfsha384";
	case PRF_HMAC_SHA2_512: return "prfsha512";
	case PRF_AES128_XCBC: return "prfaesxcbc";
	case PRF_AES128_CMAC: return "prfaescmac";
	}
	return "unknown";
}

enum prf_alg prf_for_hash(enum hash_alg hash)
{
	switch (hash) {
	case HASH_MD5: return PRF_HMAC_MD5;
	case HASH_SHA1: return PRF_HMAC_SHA1;
	case HASH_SHA2_256: return PRF_HMAC_SHA2_256;
	case HASH_SHA2_384: return PRF_HMAC_SHA2_384;
	case HASH_SHA2_512: return PRF_HMAC_SHA2_512;
	}
	return (enum prf_alg)0;
}

/* AES-XCBC and AES-CMAC key set-up and streaming, defined at the end. */
static int prf_xcbc_init(struct prf_xcbc_state *x, const uint8_t *key, size_t key_len);
static void prf_xcbc_update(struct prf_xcbc_state *x, const uint8_t *p, size_t len);
static void prf_xcbc_final(struct prf_xcbc_state *x, uint8_t *out);
static int prf_cmac_init(struct cmac_aes128_ctx *c, const uint8_t *key, size_t key_len);

int prf_init(struct prf_ctx *c, enum prf_alg alg, const uint8_t *key, size_t key_len)
{
	c->alg = alg;
	switch (alg) {
	case PRF_HMAC_MD5: hmac_md5_set_key(&c->u.md5, key_len, key); return 0;
	case PRF_HMAC_SHA1: hmac_sha1_set_key(&c->u.sha1, key_len, key); return 0;
	case PRF_HMAC_SHA2_256: hmac_sha256_set_key(&c->u.sha256, key_len, key); return 0;
	case PRF_HMAC_SHA2_384: hmac_sha384_set_key(&c->u.sha512, key_len, key); return 0;
	case PRF_HMAC_SHA2_512: hmac_sha512_set_key(&c->u.sha512, key_len, key); return 0;
	case PRF_AES128_XCBC: return prf_xcbc_init(&c->u.xcbc, key, key_len);
	case PRF_AES128_CMAC: return prf_cmac_init(&c->u.cmac, key, key_len);
	}
	return ERR_UNSUPPORTED;
}

void prf_update(struct prf_ctx *c, const void *data, size_t len)
{
	const uint8_t *p = data;

	if (!len)
		return;
	switch (c->alg) {
	case PRF_HMAC_MD5: hmac_md5_update(&c->u.md5, len, p); break;
	case PRF_HMAC_SHA1: hmac_sha1_update(&c->u.sha1, len, p); break;
	case PRF_HMAC_SHA2_256: hmac_sha256_update(&c->u.sha256, len, p); break;
	case PRF_HMAC_SHA2_384: hmac_sha384_update(&c->u.sha512, len, p); break;
	case PRF_HMAC_SHA2_512: hmac_sha512_update(&c->u.sha512, len, p); break;
	case PRF_AES128_XCBC: prf_xcbc_update(&c->u.xcbc, p, len); break;
	case PRF_AES128_CMAC: cmac_aes128_update(&c->u.cmac, len, p); break;
	}
}

void prf_final(struct prf_ctx *c, uint8_t *out)
{
	size_t n = prf_out_len(c->alg);

	switch (c->alg) {
	case PRF_HMAC_MD5: hmac_md5_digest(&c->u.md5, n, out); break;
	case PRF_HMAC_SHA1: hmac_sha1_digest(&c->u.sha1, n, out); break;
	case PRF_HMAC_SHA2_256: hmac_sha256_digest(&c->u.sha256, n, out); break;
	case PRF_HMAC_SHA2_384: hmac_sha384_digest(&c->u.sha512, n, out); break;
	case PRF_HMAC_SHA2_512: hmac_sha512_digest(&c->u.sha512, n, out); break;
	case PRF_AES128_XCBC: prf_xcbc_final(&c->u.xcbc, out); break;
	case PRF_AES128_CMAC: cmac_aes128_digest(&c->u.cmac, 16, out); break;
	}
	secret_wipe(c, sizeof(*c));
}

int prf_once(enum prf_alg alg, const uint8_t *key, size_t key_len,
	     const void *data, size_t len, uint8_t *out)
{
	struct prf_ctx c;
	int rc = prf_init(&c, alg, key, key_len);

	if (rc) {
		secret_wipe(&c, sizeof(c));
		return rc;
	}
	prf_update(&c, data, len);
	prf_final(&c, out);
	return 0;
}

/* ---- AES-XCBC-MAC core / AES-XCBC-PRF-128 (RFC 3566 4, RFC 4434 2) ---- */

#define XCBC_BLOCK 16

/* RFC 3566 4 (1): K1 = E(K, 0x01..), K2 = E(K, 0x02..), K3 = E(K, 0x03..). */
static void xcbc_set_key16(struct prf_xcbc_state *x, const uint8_t key[XCBC_BLOCK])
{
	struct aes128_ctx k;
	uint8_t konst[XCBC_BLOCK], k1[XCBC_BLOCK];

	aes128_set_encrypt_key(&k, key);
	memset(konst, 0x01, sizeof(konst));
	aes128_encrypt(&k, XCBC_BLOCK, k1, konst);
	memset(konst, 0x02, sizeof(konst));
	aes128_encrypt(&k, XCBC_BLOCK, x->k2, konst);
	memset(konst, 0x03, sizeof(konst));
	aes128_encrypt(&k, XCBC_BLOCK, x->k3, konst);
	aes128_set_encrypt_key(&x->k1, k1);
	memset(x->e, 0, sizeof(x->e)); /* (2) E[0] = 0 */
	memset(x->buf, 0, sizeof(x->buf));
	x->buf_len = 0;
	secret_wipe(&k, sizeof(k));
	secret_wipe(k1, sizeof(k1));
}

/* RFC 3566 4 (3): E[i] = E(K1, M[i] XOR E[i-1]) for every block but the last. */
static void xcbc_chain(struct prf_xcbc_state *x, const uint8_t *block)
{
	for (size_t i = 0; i < XCBC_BLOCK; i++)
		x->e[i] ^= block[i];
	aes128_encrypt(&x->k1, XCBC_BLOCK, x->e, x->e);
}

/*
 * Streaming: a full block stays buffered until more data arrives, because
 * only the final block is treated differently (K2 or K3) and we cannot know
 * which block is final before prf_final().
 */
static void prf_xcbc_update(struct prf_xcbc_state *x, const uint8_t *p, size_t len)
{
	while (len) {
		size_t n;

		if (x->buf_len == XCBC_BLOCK) {
			xcbc_chain(x, x->buf);
			x->buf_len = 0;
		}
		n = XCBC_BLOCK - x->buf_len;
		if (n > len)
			n = len;
		memcpy(x->buf + x->buf_len, p, n);
		x->buf_len += n;
		p += n;
		len -= n;
	}
}

/*
 * RFC 3566 4 (4)/(5): a full last block is XORed with E[n-1] and K2; a short
 * (or empty) one is padded with 0x80 00.. and XORed with E[n-1] and K3; then
 * encrypted with K1. The 128-bit result is the MAC; callers truncate.
 */
static void prf_xcbc_final(struct prf_xcbc_state *x, uint8_t *out)
{
	const uint8_t *k = x->k2;

	if (x->buf_len < XCBC_BLOCK) {
		x->buf[x->buf_len] = 0x80;
		memset(x->buf + x->buf_len + 1, 0, XCBC_BLOCK - x->buf_len - 1);
		k = x->k3;
	}
	for (size_t i = 0; i < XCBC_BLOCK; i++)
		x->e[i] ^= x->buf[i] ^ k[i];
	aes128_encrypt(&x->k1, XCBC_BLOCK, out, x->e);
	/* prf_final() wipes the whole context after this. */
}

/*
 * RFC 4434 2: a 16-octet key is used as is; a shorter key is padded on the
 * right with zeros; a longer key is replaced by AES-XCBC-MAC-128 with the
 * all-zero key over the key.
 */
static int prf_xcbc_init(struct prf_xcbc_state *x, const uint8_t *key, size_t key_len)
{
	uint8_t k[XCBC_BLOCK];

	if (!key && key_len)
		return ERR_INVAL;
	memset(k, 0, sizeof(k));
	if (key_len <= XCBC_BLOCK) {
		if (key_len)
			memcpy(k, key, key_len);
	} else {
		xcbc_set_key16(x, k); /* k is 0^128 here */
		prf_xcbc_update(x, key, key_len);
		prf_xcbc_final(x, k);
	}
	xcbc_set_key16(x, k);
	secret_wipe(k, sizeof(k));
	return 0;
}

/* ---- AES-CMAC-PRF-128 (RFC 4615 3) ---- */

/*
 * A 16-octet key is used as is; any other length (including 0) is replaced
 * by AES-CMAC(0^128, key). The CMAC itself (RFC 4493) is Nettle's.
 */
static int prf_cmac_init(struct cmac_aes128_ctx *c, const uint8_t *key, size_t key_len)
{
	uint8_t k[16];

	if (!key && key_len)
		return ERR_INVAL;
	if (key_len == sizeof(k)) {
		cmac_aes128_set_key(c, key);
		return 0;
	}
	memset(k, 0, sizeof(k));
	cmac_aes128_set_key(c, k);
	if (key_len)
		cmac_aes128_update(c, key_len, key);
	cmac_aes128_digest(c, sizeof(k), k);
	cmac_aes128_set_key(c, k);
	secret_wipe(k, sizeof(k));
	return 0;
}
