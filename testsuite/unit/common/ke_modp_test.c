/*
 * ke_modp_test.c - MODP groups: built-in primes and generators against the
 * RFC 2409 / RFC 3526 vector files, the arithmetic against RFC 5114's static
 * key-agreement data, and refusal of bad peer values (RFC 6989 2.1).
 */
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/ke.h"
#include "common/ke_impl.h"
#include "testsuite/lib/tap.h"
#include "testsuite/lib/vec.h"

static const uint16_t modp_groups[] = { 1, 2, 5, 14, 15, 16, 17, 18 };
#define N_MODP (sizeof(modp_groups) / sizeof(modp_groups[0]))

/* The group of an RFC 3526 prime, by its size (pyca's file has no group field). */
static uint16_t group_of_bits(size_t bits)
{
	switch (bits) {
	case 768: return 1;
	case 1024: return 2;
	case 1536: return 5;
	case 2048: return 14;
	case 3072: return 15;
	case 4096: return 16;
	case 6144: return 17;
	case 8192: return 18;
	}
	return 0;
}

/* Left-pad buf (len octets) to want octets in a fresh allocation. */
static uint8_t *pad_left(const uint8_t *buf, size_t len, size_t want)
{
	uint8_t *out = calloc(1, want ? want : 1);

	if (out && len <= want)
		memcpy(out + (want - len), buf, len);
	return out;
}

/* P and G of one record against the built-in group; marks seen[]. */
static void check_group_record(const struct vec_rec *r, uint16_t group, bool *seen)
{
	const struct ke_method *m = ke_method_find(group);
	uint8_t *p = NULL, *builtin = NULL, *g = NULL;
	size_t plen = 0, blen = 0;
	struct ke_keypair *one = NULL;
	static const uint8_t x_one[] = { 1 };
	const char *gs = vec_get(r, "G");

	if (!tap_ok(m != NULL, "group %u from the vector file is supported", group))
		return;
	for (size_t i = 0; i < N_MODP; i++)
		if (modp_groups[i] == group)
			seen[i] = true;
	if (!vec_get_hex(r, "P", &p, &plen) || !vec_hex(ke_modp_prime_hex(group), &builtin, &blen))
		goto out;
	tap_eq_bytes(builtin, blen, p, plen, "group %u: built-in prime equals the vector file's",
		     group);
	tap_eq_int((long long)m->public_len, (long long)plen,
		   "group %u: public values are as long as the prime", group);
	/* G is decimal "2"; g^1 is the generator itself, padded to the prime. */
	tap_ok(gs && strcmp(gs, "2") == 0, "group %u: the file's generator is 2", group);
	if (tap_eq_int(ke_keypair_from_private(group, x_one, 1, &one), 0,
		       "group %u: keypair with x = 1", group)) {
		size_t len;
		const uint8_t *pub = ke_public(one, &len);

		g = pad_left((const uint8_t[]){ (uint8_t)atoi(gs ? gs : "0") }, 1, plen);
		tap_eq_bytes(pub, len, g, plen, "group %u: g^1 is the file's generator", group);
	}
out:
	ke_keypair_free(one);
	free(p);
	free(builtin);
	free(g);
}

static void test_primes(void)
{
	struct vec_file f;
	struct vec_rec r = { 0 };
	bool seen[N_MODP] = { false };

	if (vec_open(&f, "rfc2409/modp-groups-1-2.txt")) {
		while (vec_next(&f, &r))
			check_group_record(&r, (uint16_t)atoi(vec_get(&r, "group") ? vec_get(&r, "group") : "0"), seen);
		vec_close(&f);
	}
	if (vec_open(&f, "pyca-cryptography-vectors/DH/rfc3526.txt")) {
		while (vec_next(&f, &r)) {
			uint8_t *p = NULL;
			size_t plen = 0;

			if (vec_get_hex(&r, "P", &p, &plen))
				check_group_record(&r, group_of_bits(plen * 8), seen);
			free(p);
		}
		vec_close(&f);
	}
	vec_rec_free(&r);
	for (size_t i = 0; i < N_MODP; i++)
		tap_ok(seen[i], "group %u was checked against a vector file", modp_groups[i]);
}

/*
 * RFC 5114 A.1-A.3 static key agreement (pyca DH/RFC5114.txt): the same
 * powm the groups use gives YstatIUT = g^XstatIUT and Z from both sides.
 * Groups 22-24 are not offered as groups (RFC 8247 2.4: MUST NOT / SHOULD
 * NOT, and they need a subgroup check safe primes do not); only the
 * arithmetic is proven here.
 */
/* pyca splits one RFC 5114 case into blank-line separated blocks: gather them. */
static const char *const rfc5114_names[] = { "P", "G", "XstatIUT", "YstatIUT",
					     "XstatCAVS", "YstatCAVS", "Z" };
#define RFC5114_N (sizeof(rfc5114_names) / sizeof(rfc5114_names[0]))

struct rfc5114_case {
	uint8_t *v[RFC5114_N];
	size_t len[RFC5114_N];
};

static void rfc5114_case_free(struct rfc5114_case *c)
{
	for (size_t i = 0; i < RFC5114_N; i++)
		free(c->v[i]);
	memset(c, 0, sizeof(*c));
}

static void rfc5114_check(const struct rfc5114_case *c, unsigned line)
{
	const uint8_t *p = c->v[0], *xi = c->v[2], *xc = c->v[4];
	size_t pl = c->len[0];
	uint8_t *gp = pad_left(c->v[1], c->len[1], pl), *yip = pad_left(c->v[3], c->len[3], pl),
		*ycp = pad_left(c->v[5], c->len[5], pl), *zp = pad_left(c->v[6], c->len[6], pl),
		*out = malloc(pl);

	tap_eq_int(ke_modp_powm(p, pl, gp, xi, c->len[2], out), 0, "RFC 5114 line %u: g^x_IUT", line);
	tap_eq_bytes(out, pl, yip, pl, "RFC 5114 line %u: g^x_IUT = YstatIUT", line);
	tap_eq_int(ke_modp_powm(p, pl, gp, xc, c->len[4], out), 0, "RFC 5114 line %u: g^x_CAVS", line);
	tap_eq_bytes(out, pl, ycp, pl, "RFC 5114 line %u: g^x_CAVS = YstatCAVS", line);
	tap_eq_int(ke_modp_powm(p, pl, ycp, xi, c->len[2], out), 0, "RFC 5114 line %u: Y_CAVS^x_IUT", line);
	tap_eq_bytes(out, pl, zp, pl, "RFC 5114 line %u: Y_CAVS^x_IUT = Z", line);
	tap_eq_int(ke_modp_powm(p, pl, yip, xc, c->len[4], out), 0, "RFC 5114 line %u: Y_IUT^x_CAVS", line);
	tap_eq_bytes(out, pl, zp, pl, "RFC 5114 line %u: Y_IUT^x_CAVS = Z", line);
	free(gp); free(yip); free(ycp); free(zp); free(out);
}

/*
 * RFC 5114 A.1-A.3 static key agreement (pyca DH/RFC5114.txt): the same
 * powm the groups use gives both public values and Z from both sides.
 * Groups 22-24 are not offered as groups (RFC 8247 2.4 says MUST NOT /
 * SHOULD NOT, and their non-safe primes would need the RFC 6989 subgroup
 * check); only the arithmetic is proven with their data.
 */
static void test_rfc5114(void)
{
	struct vec_file f;
	struct vec_rec r = { 0 };
	struct rfc5114_case c = { 0 };
	unsigned n = 0;

	if (!vec_open(&f, "pyca-cryptography-vectors/DH/RFC5114.txt"))
		return;
	while (vec_next(&f, &r)) {
		bool complete = true;

		if (vec_get(&r, "COUNT"))
			rfc5114_case_free(&c);
		for (size_t i = 0; i < RFC5114_N; i++) {
			const char *v = vec_get(&r, rfc5114_names[i]);

			if (v) {
				free(c.v[i]);
				c.v[i] = NULL;
				if (!vec_hex(v, &c.v[i], &c.len[i]))
					tap_diag("RFC 5114 line %u: %s is not hex", r.first_line,
						 rfc5114_names[i]);
			}
			complete = complete && c.v[i];
		}
		if (!vec_get(&r, "Result"))
			continue;
		if (tap_ok(complete && vec_get(&r, "Result")[0] == 'P',
			   "RFC 5114 case ending line %u: every field present, Result = P",
			   r.first_line)) {
			rfc5114_check(&c, r.first_line);
			n++;
		}
		rfc5114_case_free(&c);
	}
	rfc5114_case_free(&c);
	vec_close(&f);
	vec_rec_free(&r);
	tap_eq_int(n, 3, "RFC 5114: all three groups' cases were used");
}

/* Add a small value v to the big-endian number b (len octets). */
static void add_small(uint8_t *b, size_t len, int v)
{
	int carry = v;

	for (size_t i = len; i-- > 0 && carry != 0;) {
		int s = b[i] + carry;

		b[i] = (uint8_t)(s & 0xff);
		carry = s >> 8; /* arithmetic shift: -1 borrows */
	}
}

static void expect_refused(struct ke_keypair *kp, const uint8_t *y, size_t len,
			   const char *what, uint16_t group)
{
	struct secret *s = NULL;

	tap_eq_int(ke_derive(kp, y, len, &s), ERR_BAD_PUBLIC, "group %u: y = %s is refused",
		   group, what);
	secret_free(s);
}

static void test_bad_publics(uint16_t group)
{
	const struct ke_method *m = ke_method_find(group);
	struct ke_keypair *kp = NULL;
	struct secret *s = NULL;
	uint8_t *p = NULL, *y = NULL;
	size_t plen = 0;

	if (!m || ke_keypair_new(group, &kp) != 0 || !vec_hex(ke_modp_prime_hex(group), &p, &plen))
		goto out;
	y = calloc(1, plen + 1);
	expect_refused(kp, y, plen, "0", group);
	y[plen - 1] = 1;
	expect_refused(kp, y, plen, "1", group);
	y[plen - 1] = 2;
	tap_eq_int(ke_derive(kp, y, plen, &s), 0, "group %u: y = 2 (the generator) is accepted",
		   group);
	secret_free(s);
	s = NULL;
	memcpy(y, p, plen);
	expect_refused(kp, y, plen, "p", group);
	add_small(y, plen, -1);
	expect_refused(kp, y, plen, "p-1", group);
	add_small(y, plen, -1);
	tap_eq_int(ke_derive(kp, y, plen, &s), 0, "group %u: y = p-2 is accepted", group);
	secret_free(s);
	s = NULL;
	add_small(y, plen, 3);
	expect_refused(kp, y, plen, "p+1", group);
	memset(y, 0xff, plen);
	expect_refused(kp, y, plen, "2^bits - 1", group);
	/* A valid value with a leading zero octet is still the wrong length. */
	y[0] = 0;
	memcpy(y + 1, p, plen);
	add_small(y + 1, plen, -2);
	expect_refused(kp, y, plen + 1, "p-2 in prime length + 1 octets", group);
	expect_refused(kp, y + 1, plen - 1, "p-2 truncated", group);
out:
	free(p);
	free(y);
	ke_keypair_free(kp);
}

static void test_private_range(void)
{
	static const uint8_t zero[4] = { 0 };
	struct ke_keypair *kp = (struct ke_keypair *)&kp;
	uint8_t two_sq[128] = { 0 };
	static const uint8_t x_two[] = { 0, 2 };
	const uint8_t *pub;
	size_t len;

	tap_eq_int(ke_keypair_from_private(2, zero, sizeof(zero), &kp), ERR_INVAL,
		   "a zero exponent is refused");
	if (tap_eq_int(ke_keypair_from_private(2, x_two, sizeof(x_two), &kp), 0,
		       "exponent 2 (with a leading zero octet)")) {
		pub = ke_public(kp, &len);
		two_sq[127] = 4;
		tap_eq_bytes(pub, len, two_sq, sizeof(two_sq), "group 2: 2^2 = 4, padded");
		ke_keypair_free(kp);
	}
}

int main(void)
{
	if (!vec_dir())
		return tap_skip_all("vectors folder not found (set DUALIKE_VECTORS)");
	test_primes();
	test_rfc5114();
	for (size_t i = 0; i < N_MODP; i++)
		test_bad_publics(modp_groups[i]);
	test_private_range();
	return tap_done();
}
