/*
 * v2_psk_cache_test.c - v2/v2_psk_cache.c: the PSK AUTH key (RFC 7296 2.15,
 * prf(PSK, "Key Pad for IKEv2")) keyed once and copied gives exactly what a
 * fresh prf gives, for every PRF and several messages; hits and misses are
 * counted as slots are found, filled and overwritten; a flushed cache holds
 * nothing but zeros.
 */
#include <stdbool.h>
#include <string.h>

#include "common/err.h"
#include "common/prf.h"
#include "common/secret.h"
#include "testsuite/lib/tap.h"
#include "v2/v2_psk_cache.h"

static const enum prf_alg algs[] = {
	PRF_HMAC_MD5, PRF_HMAC_SHA1, PRF_HMAC_SHA2_256, PRF_HMAC_SHA2_384,
	PRF_HMAC_SHA2_512, PRF_AES128_XCBC, PRF_AES128_CMAC,
};

/* Messages of 0, 1, 64 (a block) and 300 octets (the size of a real message 1). */
static const size_t msg_lens[] = { 0, 1, 64, 300 };

/* The reference: prf(prf(psk, pad), msg) with two fresh prf computations. */
static int fresh_auth(enum prf_alg alg, const struct secret *psk, const uint8_t *msg,
		      size_t len, uint8_t *out)
{
	static const char pad[] = "Key Pad for IKEv2";
	uint8_t key[PRF_MAX_OUT];
	int rc = prf_once(alg, psk->bytes, psk->len, pad, strlen(pad), key);

	if (rc == 0)
		rc = prf_once(alg, key, prf_out_len(alg), msg, len, out);
	secret_wipe(key, sizeof(key));
	return rc;
}

/* The same through the cache: a copy of the keyed state, fed msg. */
static int cached_auth(struct v2_psk_cache *c, enum prf_alg alg, const struct secret *psk,
		       const uint8_t *msg, size_t len, uint8_t *out)
{
	struct prf_ctx keyed;
	int rc = v2_psk_cache_get(c, alg, psk, &keyed);

	if (rc)
		return rc;
	prf_update(&keyed, msg, len);
	prf_final(&keyed, out); /* wipes keyed */
	return 0;
}

static bool all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i])
			return false;
	return true;
}

/* Cached against fresh for each message: how many differ (or fail). */
static unsigned mismatches(struct v2_psk_cache *c, enum prf_alg alg, const struct secret *psk,
			   const uint8_t *msg)
{
	unsigned bad = 0;

	for (size_t m = 0; m < sizeof(msg_lens) / sizeof(msg_lens[0]); m++) {
		uint8_t want[PRF_MAX_OUT], got[PRF_MAX_OUT];

		memset(got, 0, sizeof(got));
		if (fresh_auth(alg, psk, msg, msg_lens[m], want) ||
		    cached_auth(c, alg, psk, msg, msg_lens[m], got) ||
		    memcmp(want, got, prf_out_len(alg)) != 0)
			bad++;
	}
	return bad;
}

static void test_same_as_fresh(const uint8_t *msg)
{
	struct v2_psk_cache c;
	struct secret *psk = secret_dup("a pre-shared key of some length", 31);

	memset(&c, 0, sizeof(c));
	for (size_t a = 0; a < sizeof(algs) / sizeof(algs[0]); a++) {
		/* four slots: each algorithm fills one, the fifth overwrites the first */
		tap_eq_int(mismatches(&c, algs[a], psk, msg), 0,
			   "%s: AUTH with the cached key = fresh prf, 4 messages", prf_name(algs[a]));
		tap_eq_int(mismatches(NULL, algs[a], psk, msg), 0,
			   "%s: and without a cache", prf_name(algs[a]));
	}
	tap_eq_int((long long)c.misses, (long long)(sizeof(algs) / sizeof(algs[0])),
		   "one miss per algorithm");
	tap_eq_int((long long)c.hits, (long long)(sizeof(algs) / sizeof(algs[0]) * 3),
		   "the other three messages of each were hits");
	v2_psk_cache_flush(&c);
	secret_free(psk);
}

static void test_slots(const uint8_t *msg)
{
	struct v2_psk_cache c;
	struct secret *psk[6];
	uint64_t misses;
	unsigned bad = 0;

	memset(&c, 0, sizeof(c));
	for (unsigned i = 0; i < 6; i++) {
		uint8_t k[32];

		memset(k, 'k', sizeof(k));
		k[31] = (uint8_t)i; /* same length, last octet differs */
		psk[i] = secret_dup(k, i == 5 ? 31 : 32); /* and one shorter */
	}
	for (unsigned i = 0; i < 4; i++)
		bad += mismatches(&c, PRF_HMAC_SHA2_256, psk[i], msg);
	tap_eq_int(bad, 0, "four PSKs differing in one octet: each its own AUTH key");
	tap_eq_int((long long)c.misses, 4, "four misses fill the four slots");
	misses = c.misses;
	for (unsigned i = 0; i < 4; i++)
		bad += mismatches(&c, PRF_HMAC_SHA2_256, psk[i], msg);
	tap_ok(bad == 0 && c.misses == misses, "all four found again, no new miss");
	bad += mismatches(&c, PRF_HMAC_SHA2_256, psk[4], msg);
	bad += mismatches(&c, PRF_HMAC_SHA2_256, psk[5], msg); /* a prefix of psk[0] */
	tap_ok(bad == 0 && c.misses == misses + 2, "a fifth PSK and a shorter one: two misses");
	misses = c.misses;
	bad += mismatches(&c, PRF_HMAC_SHA2_256, psk[0], msg);
	tap_ok(bad == 0 && c.misses == misses + 1, "the first, overwritten, is computed again");
	bad += mismatches(&c, PRF_HMAC_SHA2_384, psk[0], msg);
	tap_ok(bad == 0 && c.misses == misses + 2, "the same PSK with another prf is another slot");

	v2_psk_cache_flush(&c);
	tap_ok(all_zero(c.slot, sizeof(c.slot)), "flushed: every slot (keyed states, PSK pointers) is zeros");
	tap_eq_int((long long)c.next, 0, "and refilling starts at the first slot");
	misses = c.misses;
	bad += mismatches(&c, PRF_HMAC_SHA2_256, psk[1], msg);
	tap_ok(bad == 0 && c.misses == misses + 1, "after a flush a PSK is a miss again");
	v2_psk_cache_flush(&c);
	for (unsigned i = 0; i < 6; i++)
		secret_free(psk[i]);
}

static void test_refusals(void)
{
	struct v2_psk_cache c;
	struct prf_ctx keyed;
	struct secret *psk = secret_dup("k", 1);

	memset(&c, 0, sizeof(c));
	memset(&keyed, 0xaa, sizeof(keyed));
	tap_eq_int(v2_psk_cache_get(&c, PRF_HMAC_SHA2_256, NULL, &keyed), ERR_INVAL, "no PSK: refused");
	tap_ok(all_zero(&keyed, sizeof(keyed)), "and the output state is wiped");
	tap_eq_int(v2_psk_cache_get(&c, (enum prf_alg)3, psk, &keyed), ERR_INVAL,
		   "an unknown prf (3, DES-based, never offered): refused");
	tap_ok(c.misses == 0 && c.hits == 0 && c.slot[0].psk == NULL, "nothing was cached");
	secret_free(psk);
}

int main(void)
{
	uint8_t msg[300];

	for (size_t i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)(i * 7 + 3);
	test_same_as_fresh(msg);
	test_slots(msg);
	test_refusals();
	return tap_done();
}
