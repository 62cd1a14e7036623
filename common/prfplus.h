/*
 * prfplus.h - the IKEv2 key expansion function prf+ (RFC 7296 2.13).
 *
 *   prf+ (K,S) = T1 | T2 | T3 | T4 | ...
 *   T1 = prf (K, S | 0x01)
 *   Tn = prf (K, Tn-1 | S | n)
 *
 * The seed S is given as a list of byte spans so callers (Ni | Nr | SPIi |
 * SPIr, g^ir | Ni | Nr ...) never build a concatenated copy of secrets. The
 * counter is one octet, so at most 255 blocks can be produced.
 */
#ifndef DUALIKE_COMMON_PRFPLUS_H
#define DUALIKE_COMMON_PRFPLUS_H

#include <stddef.h>
#include <stdint.h>

#include "common/prf.h"

/* One piece of a PRF input; pieces are fed in order, as if concatenated. */
struct prf_input {
	const void *p;
	size_t len;
};

/* out = prf(key, in[0] | in[1] | ... | in[n_in - 1]); prf_out_len(alg) bytes. */
int prf_chunks(enum prf_alg alg, const uint8_t *key, size_t key_len,
	       const struct prf_input *in, size_t n_in, uint8_t *out);

/* The largest out_len prfplus() accepts for alg (255 blocks), 0 if unknown. */
size_t prfplus_max_len(enum prf_alg alg);

/*
 * Write the first out_len bytes of prf+(key, seed[0] | ... | seed[n_seed-1]).
 * ERR_OVERFLOW when out_len needs more than 255 blocks, ERR_UNSUPPORTED for
 * an unknown algorithm (or one whose key setup fails). On failure out is
 * zeroed.
 */
int prfplus(enum prf_alg alg, const uint8_t *key, size_t key_len,
	    const struct prf_input *seed, size_t n_seed,
	    uint8_t *out, size_t out_len);

#endif
