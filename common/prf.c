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

/* AES-XCBC and AES-CMAC: filled in by the AES PRF module below. */
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

/* ---- AES-XCBC-MAC-96 core / AES-XCBC-PRF-128 (RFC 3566, RFC 4434) ---- */

static int prf_xcbc_init(struct prf_xcbc_state *x, const uint8_t *key, size_t key_len)
{
	(void)x; (void)key; (void)key_len;
	return ERR_UNSUPPORTED; /* completed by the crypto module work */
}

static void prf_xcbc_update(struct prf_xcbc_state *x, const uint8_t *p, size_t len)
{
	(void)x; (void)p; (void)len;
}

static void prf_xcbc_final(struct prf_xcbc_state *x, uint8_t *out)
{
	(void)x;
	memset(out, 0, 16);
}

/* ---- AES-CMAC-PRF-128 (RFC 4615) ---- */

static int prf_cmac_init(struct cmac_aes128_ctx *c, const uint8_t *key, size_t key_len)
{
	(void)c; (void)key; (void)key_len;
	return ERR_UNSUPPORTED; /* completed by the crypto module work */
}
