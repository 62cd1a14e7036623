/*
 * hash.h - plain hash functions (Nettle).
 *
 * IKEv1 uses the negotiated hash directly for the phase-1 IV (RFC 2409
 * appendix B) and as the base of its HMAC prf. Values are the IKEv1 phase-1
 * hash attribute values (RFC 2409 appendix A, RFC 4868 for SHA-2).
 */
#ifndef DUALIKE_COMMON_HASH_H
#define DUALIKE_COMMON_HASH_H

#include <stddef.h>
#include <stdint.h>

#include <nettle/md5.h>
#include <nettle/sha1.h>
#include <nettle/sha2.h>

enum hash_alg {
	HASH_MD5 = 1,
	HASH_SHA1 = 2,
	HASH_SHA2_256 = 4,
	HASH_SHA2_384 = 5,
	HASH_SHA2_512 = 6,
};

#define HASH_MAX_DIGEST 64

struct hash_ctx {
	enum hash_alg alg;
	union {
		struct md5_ctx md5;
		struct sha1_ctx sha1;
		struct sha256_ctx sha256;
		struct sha512_ctx sha512; /* also SHA-384 */
	} u;
};

/* Digest length in bytes, 0 for an unknown algorithm. */
size_t hash_digest_len(enum hash_alg alg);
/* Block length in bytes (what HMAC pads keys to), 0 when unknown. */
size_t hash_block_len(enum hash_alg alg);
const char *hash_name(enum hash_alg alg);

int hash_init(struct hash_ctx *c, enum hash_alg alg);
void hash_update(struct hash_ctx *c, const void *data, size_t len);
/* Write hash_digest_len() bytes and wipe the context. */
void hash_final(struct hash_ctx *c, uint8_t *out);
/* One-shot convenience. */
int hash_once(enum hash_alg alg, const void *data, size_t len, uint8_t *out);

#endif
