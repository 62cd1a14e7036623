/* hash.c - MD5, SHA-1, SHA-2 through Nettle (see hash.h). */
#include "common/err.h"
#include "common/hash.h"
#include "common/secret.h"

size_t hash_digest_len(enum hash_alg alg)
{
	switch (alg) {
	case HASH_MD5: return MD5_DIGEST_SIZE;
	case HASH_SHA1: return SHA1_DIGEST_SIZE;
	case HASH_SHA2_256: return SHA256_DIGEST_SIZE;
	case HASH_SHA2_384: return SHA384_DIGEST_SIZE;
	case HASH_SHA2_512: return SHA512_DIGEST_SIZE;
	}
	return 0;
}

size_t hash_block_len(enum hash_alg alg)
{
	switch (alg) {
	case HASH_MD5: return MD5_BLOCK_SIZE;
	case HASH_SHA1: return SHA1_BLOCK_SIZE;
	case HASH_SHA2_256: return SHA256_BLOCK_SIZE;
	case HASH_SHA2_384: return SHA384_BLOCK_SIZE;
	case HASH_SHA2_512: return SHA512_BLOCK_SIZE;
	}
	return 0;
}

const char *hash_name(enum hash_alg alg)
{
	switch (alg) {
	case HASH_MD5: return "md5";
	case HASH_SHA1: return "sha1";
	case HASH_SHA2_256: return "sha256";
	case HASH_SHA2_384: return "sha384";
	case HASH_SHA2_512: return "sha512";
	}
	return "unknown";
}

int hash_init(struct hash_ctx *c, enum hash_alg alg)
{
	c->alg = alg;
	switch (alg) {
	case HASH_MD5: md5_init(&c->u.md5); return 0;
	case HASH_SHA1: sha1_init(&c->u.sha1); return 0;
	case HASH_SHA2_256: sha256_init(&c->u.sha256); return 0;
	case HASH_SHA2_384: sha384_init(&c->u.sha512); return 0;
	case HASH_SHA2_512: sha512_init(&c->u.sha512); return 0;
	}
	return ERR_UNSUPPORTED;
}

void hash_update(struct hash_ctx *c, const void *data, size_t len)
{
	const uint8_t *p = data;

	if (!len)
		return;
	switch (c->alg) {
	case HASH_MD5: md5_update(&c->u.md5, len, p); break;
	case HASH_SHA1: sha1_update(&c->u.sha1, len, p); break;
	case HASH_SHA2_256: sha256_update(&c->u.sha256, len, p); break;
	case HASH_SHA2_384: sha384_update(&c->u.sha512, len, p); break;
	case HASH_SHA2_512: sha512_update(&c->u.sha512, len, p); break;
	}
}

void hash_final(struct hash_ctx *c, uint8_t *out)
{
	size_t n = hash_digest_len(c->alg);

	switch (c->alg) {
	case HASH_MD5: md5_digest(&c->u.md5, n, out); break;
	case HASH_SHA1: sha1_digest(&c->u.sha1, n, out); break;
	case HASH_SHA2_256: sha256_digest(&c->u.sha256, n, out); break;
	case HASH_SHA2_384: sha384_digest(&c->u.sha512, n, out); break;
	case HASH_SHA2_512: sha512_digest(&c->u.sha512, n, out); break;
	}
	secret_wipe(c, sizeof(*c));
}

int hash_once(enum hash_alg alg, const void *data, size_t len, uint8_t *out)
{
	struct hash_ctx c;
	int rc = hash_init(&c, alg);

	if (rc)
		return rc;
	hash_update(&c, data, len);
	hash_final(&c, out);
	return 0;
}
