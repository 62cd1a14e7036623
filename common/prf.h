/*
 * prf.h - pseudo-random functions of both IKE versions, streaming.
 *
 * Identifiers are the IKEv2 PRF transform IDs (RFC 7296 3.3.2, RFC 4868,
 * RFC 4434, RFC 4615). IKEv1 uses the HMAC ones, chosen from its hash
 * attribute (RFC 2409 appendix A: "the HMAC version of the negotiated hash").
 * A context is on the caller's stack; prf_final() wipes it. Keys of any
 * length are accepted: HMAC hashes long keys (RFC 2104), AES-XCBC-PRF-128
 * normalises keys per RFC 4434 2, AES-CMAC-PRF-128 per RFC 4615 3.
 */
#ifndef DUALIKE_COMMON_PRF_H
#define DUALIKE_COMMON_PRF_H

#include <stddef.h>
#include <stdint.h>

#include <nettle/aes.h>
#include <nettle/cmac.h>
#include <nettle/hmac.h>

#include "common/hash.h"

enum prf_alg {
	PRF_HMAC_MD5 = 1,
	PRF_HMAC_SHA1 = 2,
	PRF_AES128_XCBC = 4,
	PRF_HMAC_SHA2_256 = 5,
	PRF_HMAC_SHA2_384 = 6,
	PRF_HMAC_SHA2_512 = 7,
	PRF_AES128_CMAC = 8,
};

#define PRF_MAX_OUT 64

/* AES-XCBC-MAC state (RFC 3566 4): K1 schedule, K2, K3, chaining E, partial block. */
struct prf_xcbc_state {
	struct aes128_ctx k1;
	uint8_t k2[16];
	uint8_t k3[16];
	uint8_t e[16];
	uint8_t buf[16];
	size_t buf_len;
};

struct prf_ctx {
	enum prf_alg alg;
	union {
		struct hmac_md5_ctx md5;
		struct hmac_sha1_ctx sha1;
		struct hmac_sha256_ctx sha256;
		struct hmac_sha512_ctx sha512; /* also SHA-384 */
		struct prf_xcbc_state xcbc;
		struct cmac_aes128_ctx cmac;
	} u;
};

/* Output length in bytes, 0 for an unknown algorithm. */
size_t prf_out_len(enum prf_alg alg);
/*
 * The key length the algorithm is "meant" for: the output length for HMAC
 * (RFC 7296 2.13: SK_d/SK_pi/SK_pr are prf-key-sized), 16 for the AES PRFs.
 */
size_t prf_key_len(enum prf_alg alg);
/* True for PRFs that take a fixed-size key (RFC 7296 2.14 nonce rule). */
int prf_fixed_key(enum prf_alg alg);
const char *prf_name(enum prf_alg alg);
/* The PRF IKEv1 uses for a phase-1 hash attribute (its HMAC), or 0. */
enum prf_alg prf_for_hash(enum hash_alg hash);

int prf_init(struct prf_ctx *c, enum prf_alg alg, const uint8_t *key, size_t key_len);
void prf_update(struct prf_ctx *c, const void *data, size_t len);
/* Write prf_out_len() bytes and wipe the context. */
void prf_final(struct prf_ctx *c, uint8_t *out);
/* One-shot: out = prf(key, data). */
int prf_once(enum prf_alg alg, const uint8_t *key, size_t key_len,
	     const void *data, size_t len, uint8_t *out);

#endif
