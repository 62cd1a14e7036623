/*
 * kdf_vec.c - see kdf_vec.h.
 */
#include <string.h>

#include "testsuite/lib/kdf_vec.h"
#include "testsuite/lib/tap.h"

enum prf_alg kdf_vec_section_prf(const struct vec_rec *r, const char **label)
{
	static const struct { const char *sec; enum prf_alg alg; } map[] = {
		{ "SHA-1", PRF_HMAC_SHA1 }, { "SHA-256", PRF_HMAC_SHA2_256 },
		{ "SHA-384", PRF_HMAC_SHA2_384 }, { "SHA-512", PRF_HMAC_SHA2_512 },
	};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (vec_section(r, map[i].sec)) {
			*label = map[i].sec;
			return map[i].alg;
		}
	*label = "?";
	return (enum prf_alg)0;
}

bool kdf_vec_same(const struct secret *got, const uint8_t *want, size_t want_len, const char *what)
{
	if (got && got->len == want_len && memcmp(got->bytes, want, want_len) == 0)
		return true;
	tap_diag("%s differs", what);
	return false;
}
