/* prfplus.c - prf+ of RFC 7296 2.13 over the streaming PRFs of prf.h. */
#include <string.h>

#include "common/err.h"
#include "common/prfplus.h"
#include "common/secret.h"

/* RFC 7296 2.13: the block counter is a single octet, 0x01 .. 0xff. */
#define PRFPLUS_MAX_BLOCKS 255

int prf_chunks(enum prf_alg alg, const uint8_t *key, size_t key_len,
	       const struct prf_input *in, size_t n_in, uint8_t *out)
{
	struct prf_ctx c;
	int rc = prf_init(&c, alg, key, key_len);

	if (rc) {
		secret_wipe(&c, sizeof(c));
		return rc;
	}
	for (size_t i = 0; i < n_in; i++)
		prf_update(&c, in[i].p, in[i].len);
	prf_final(&c, out);
	return 0;
}

size_t prfplus_max_len(enum prf_alg alg)
{
	return PRFPLUS_MAX_BLOCKS * prf_out_len(alg);
}

int prfplus(enum prf_alg alg, const uint8_t *key, size_t key_len,
	    const struct prf_input *seed, size_t n_seed,
	    uint8_t *out, size_t out_len)
{
	size_t block = prf_out_len(alg);
	struct prf_ctx keyed, c;
	uint8_t t[PRF_MAX_OUT];
	size_t t_len = 0, done = 0;
	int rc;

	if (!block)
		return ERR_UNSUPPORTED;
	if (out_len > prfplus_max_len(alg)) {
		memset(out, 0, out_len);
		return ERR_OVERFLOW;
	}
	/* Key the PRF once; each block starts from a copy of the keyed state. */
	rc = prf_init(&keyed, alg, key, key_len);
	if (rc) {
		memset(out, 0, out_len);
		goto out;
	}
	for (unsigned n = 1; done < out_len; n++) {
		uint8_t counter = (uint8_t)n;
		size_t take;

		c = keyed;
		prf_update(&c, t, t_len); /* Tn-1, empty for T1 */
		for (size_t i = 0; i < n_seed; i++)
			prf_update(&c, seed[i].p, seed[i].len);
		prf_update(&c, &counter, 1);
		prf_final(&c, t);
		t_len = block;
		take = out_len - done < block ? out_len - done : block;
		memcpy(out + done, t, take);
		done += take;
	}
out:
	secret_wipe(&keyed, sizeof(keyed));
	secret_wipe(&c, sizeof(c));
	secret_wipe(t, sizeof(t));
	return rc;
}
