/* prfplus_test.c - prf+ (RFC 7296 2.13) against its definition and CAVS data. */
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/prfplus.h"
#include "testsuite/lib/tap.h"
#include "testsuite/lib/vec.h"

static const uint8_t key[] = "a key for prf+ that is long enough";
static const uint8_t seed[] = "Ni | Nr | SPIi | SPIr stand-in";

/*
 * T1..T7 built by hand from prf_once (a fresh key set-up per block), exactly
 * as RFC 7296 2.13 writes them; prfplus() keys the prf once and copies the
 * keyed state per block. Seven blocks: the seven SK_* of 2.14 with an
 * HMAC-SHA-256 prf and 32-octet integrity keys take six.
 */
static void test_definition(enum prf_alg alg)
{
	size_t b = prf_out_len(alg);
	uint8_t want[7 * PRF_MAX_OUT], got[7 * PRF_MAX_OUT], in[PRF_MAX_OUT + sizeof(seed) + 1];
	struct prf_input s = { seed, sizeof(seed) };

	memcpy(in, seed, sizeof(seed));
	in[sizeof(seed)] = 0x01;
	prf_once(alg, key, sizeof(key), in, sizeof(seed) + 1, want);
	for (unsigned n = 2; n <= 7; n++) {
		memcpy(in, want + (n - 2) * b, b);
		memcpy(in + b, seed, sizeof(seed));
		in[b + sizeof(seed)] = (uint8_t)n;
		prf_once(alg, key, sizeof(key), in, b + sizeof(seed) + 1, want + (n - 1) * b);
	}
	tap_eq_int(prfplus(alg, key, sizeof(key), &s, 1, got, 7 * b), 0,
		   "%s: prf+ of 7 blocks succeeds", prf_name(alg));
	tap_eq_bytes(got, 7 * b, want, 7 * b, "%s: T1|..|T7 match the RFC formula", prf_name(alg));
	memset(got, 0, sizeof(got));
	prfplus(alg, key, sizeof(key), &s, 1, got, 2 * b + 3);
	tap_eq_bytes(got, 2 * b + 3, want, 2 * b + 3, "%s: a partial last block is a prefix", prf_name(alg));
	tap_ok(got[2 * b + 3] == 0, "%s: nothing written past out_len", prf_name(alg));
}

static void test_chunks(void)
{
	struct prf_input one = { seed, sizeof(seed) };
	struct prf_input three[] = { { seed, 5 }, { NULL, 0 }, { seed + 5, sizeof(seed) - 5 } };
	uint8_t a[100], b[100], c[PRF_MAX_OUT], d[PRF_MAX_OUT];

	prfplus(PRF_HMAC_SHA2_256, key, sizeof(key), &one, 1, a, sizeof(a));
	prfplus(PRF_HMAC_SHA2_256, key, sizeof(key), three, 3, b, sizeof(b));
	tap_eq_bytes(b, sizeof(b), a, sizeof(a), "a seed split in chunks (one empty) equals the whole");
	prf_chunks(PRF_HMAC_SHA1, key, sizeof(key), three, 3, c);
	prf_once(PRF_HMAC_SHA1, key, sizeof(key), seed, sizeof(seed), d);
	tap_eq_bytes(c, 20, d, 20, "prf_chunks equals prf_once of the concatenation");
	{
		uint8_t k2[sizeof(key)];

		/* Not a shorter key: HMAC pads keys with zeros, so K and K|0x00 are equal. */
		memcpy(k2, key, sizeof(key));
		k2[0] ^= 1;
		prfplus(PRF_HMAC_SHA2_256, k2, sizeof(k2), &one, 1, b, sizeof(b));
		tap_ok(memcmp(a, b, sizeof(a)) != 0, "a different key gives different output");
	}
	three[2].len--;
	prfplus(PRF_HMAC_SHA2_256, key, sizeof(key), three, 3, b, sizeof(b));
	tap_ok(memcmp(a, b, sizeof(a)) != 0, "a different seed gives different output");
}

static void test_limits(void)
{
	struct prf_input s = { seed, sizeof(seed) };
	size_t max = 255 * 20;
	uint8_t *buf = malloc(max + 1), *t;

	tap_eq_int((long long)prfplus_max_len(PRF_HMAC_SHA1), (long long)max, "255 SHA-1 blocks is the limit");
	tap_eq_int(prfplus(PRF_HMAC_SHA1, key, sizeof(key), &s, 1, buf, max), 0,
		   "exactly 255 blocks are allowed");
	/* Block 255 is T255 = prf(K, T254 | S | 0xff): check the counter byte. */
	t = malloc(20 + sizeof(seed) + 1);
	memcpy(t, buf + 253 * 20, 20);
	memcpy(t + 20, seed, sizeof(seed));
	t[20 + sizeof(seed)] = 0xff;
	{
		uint8_t want[20];

		prf_once(PRF_HMAC_SHA1, key, sizeof(key), t, 20 + sizeof(seed) + 1, want);
		tap_eq_bytes(buf + 254 * 20, 20, want, 20, "T255 uses counter 0xff");
	}
	tap_eq_int(prfplus(PRF_HMAC_SHA1, key, sizeof(key), &s, 1, buf, max + 1), ERR_OVERFLOW,
		   "one byte more than 255 blocks is ERR_OVERFLOW");
	tap_ok(buf[0] == 0 && buf[max] == 0, "a refused request leaves zeroed output");
	tap_eq_int(prfplus((enum prf_alg)99, key, sizeof(key), &s, 1, buf, 10), ERR_UNSUPPORTED,
		   "an unknown PRF is ERR_UNSUPPORTED");
	tap_eq_int(prfplus(PRF_HMAC_SHA1, key, sizeof(key), &s, 1, buf, 0), 0, "zero bytes is fine");
	free(t);
	free(buf);
}

/* CAVS IKEv2: DKM = prf+(SKEYSEED, Ni | Nr | SPIi | SPIr), first record of each hash. */
static void test_cavs(void)
{
	static const struct { const char *sec; enum prf_alg alg; } hashes[] = {
		{ "SHA-1", PRF_HMAC_SHA1 }, { "SHA-256", PRF_HMAC_SHA2_256 },
		{ "SHA-384", PRF_HMAC_SHA2_384 }, { "SHA-512", PRF_HMAC_SHA2_512 },
	};
	bool seen[4] = { false };
	struct vec_file f;
	struct vec_rec r;

	if (!vec_open(&f, "cavp-ikev2/ikev2.fax")) {
		tap_ok(false, "cavp-ikev2/ikev2.fax opens");
		return;
	}
	memset(&r, 0, sizeof(r));
	while (vec_next(&f, &r)) {
		uint8_t *ni, *nr, *spii, *spir, *sk, *dkm, *got;
		size_t ni_l, nr_l, spii_l, spir_l, sk_l, dkm_l;
		size_t h;

		for (h = 0; h < 4; h++)
			if (vec_section(&r, hashes[h].sec))
				break;
		if (h == 4 || seen[h])
			continue;
		seen[h] = true;
		if (!vec_get_hex(&r, "Ni", &ni, &ni_l) || !vec_get_hex(&r, "Nr", &nr, &nr_l) ||
		    !vec_get_hex(&r, "SPIi", &spii, &spii_l) || !vec_get_hex(&r, "SPIr", &spir, &spir_l) ||
		    !vec_get_hex(&r, "SKEYSEED", &sk, &sk_l) || !vec_get_hex(&r, "DKM", &dkm, &dkm_l)) {
			tap_ok(false, "CAVS record line %u readable", r.first_line);
			continue;
		}
		{
			struct prf_input s[] = { { ni, ni_l }, { nr, nr_l }, { spii, spii_l }, { spir, spir_l } };

			got = malloc(dkm_l);
			tap_eq_int(prfplus(hashes[h].alg, sk, sk_l, s, 4, got, dkm_l), 0, "CAVS %s prf+ runs", hashes[h].sec);
			tap_eq_bytes(got, dkm_l, dkm, dkm_l, "CAVS %s line %u: DKM = prf+(SKEYSEED, Ni|Nr|SPIi|SPIr)",
				     hashes[h].sec, r.first_line);
		}
		free(got);
		free(ni); free(nr); free(spii); free(spir); free(sk); free(dkm);
	}
	vec_rec_free(&r);
	vec_close(&f);
	for (size_t h = 0; h < 4; h++)
		tap_ok(seen[h], "a CAVS record for %s was found", hashes[h].sec);
}

int main(void)
{
	static const enum prf_alg hmacs[] = { PRF_HMAC_MD5, PRF_HMAC_SHA1, PRF_HMAC_SHA2_256,
					      PRF_HMAC_SHA2_384, PRF_HMAC_SHA2_512 };

	for (size_t i = 0; i < sizeof(hmacs) / sizeof(hmacs[0]); i++)
		test_definition(hmacs[i]);
	{
		uint8_t k[16] = { 0 }, o[16];

		if (prf_once(PRF_AES128_XCBC, k, 16, "x", 1, o) == 0)
			test_definition(PRF_AES128_XCBC);
		else
			tap_skip("AES-XCBC-PRF-128 still returns ERR_UNSUPPORTED in prf.c");
		if (prf_once(PRF_AES128_CMAC, k, 16, "x", 1, o) == 0)
			test_definition(PRF_AES128_CMAC);
		else
			tap_skip("AES-CMAC-PRF-128 still returns ERR_UNSUPPORTED in prf.c");
	}
	test_chunks();
	test_limits();
	if (vec_dir())
		test_cavs();
	else
		tap_skip("vectors folder not found: CAVS prf+ check not run");
	return tap_done();
}
