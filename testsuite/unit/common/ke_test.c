/*
 * ke_test.c - the KE interface (ke.h) across every method: the method table,
 * round trips initiator <-> responder, the responder's KEM-shaped call,
 * length and argument checks. Known answers are in ke_{modp,ecp,x}_test.c.
 */
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/ke.h"
#include "testsuite/lib/tap.h"

struct expect {
	uint16_t group;
	const char *name;
	size_t public_len, shared_len;
};

/* RFC 2409 6, RFC 3526, RFC 5903 7, RFC 8031 2. */
static const struct expect expected[] = {
	{ 1, "MODP_768", 96, 96 },      { 2, "MODP_1024", 128, 128 },
	{ 5, "MODP_1536", 192, 192 },   { 14, "MODP_2048", 256, 256 },
	{ 15, "MODP_3072", 384, 384 },  { 16, "MODP_4096", 512, 512 },
	{ 17, "MODP_6144", 768, 768 },  { 18, "MODP_8192", 1024, 1024 },
	{ 19, "ECP_256", 64, 32 },      { 20, "ECP_384", 96, 48 },
	{ 21, "ECP_521", 132, 66 },     { 31, "Curve25519", 32, 32 },
	{ 32, "Curve448", 56, 56 },
};
#define N_EXPECTED (sizeof(expected) / sizeof(expected[0]))

static void test_table(void)
{
	static const uint16_t unsupported[] = { 0, 3, 4, 22, 23, 24, 25, 26, 30, 33, 35, 0xffff };
	struct ke_keypair *kp = (struct ke_keypair *)&kp;
	size_t i;

	for (i = 0; i < N_EXPECTED; i++) {
		const struct expect *e = &expected[i];
		const struct ke_method *m = ke_method_find(e->group);

		if (!tap_ok(m != NULL, "group %u is supported", e->group))
			continue;
		tap_ok(m->group == e->group && strcmp(m->name, e->name) == 0 &&
		       m->kind == KE_KIND_DH && m->public_len == e->public_len &&
		       m->response_len == e->public_len && m->shared_len == e->shared_len &&
		       m->public_len <= KE_MAX_PUBLIC && m->shared_len <= KE_MAX_SHARED &&
		       m->strength > 0,
		       "group %u is %s, %zu-octet public value, %zu-octet secret",
		       e->group, e->name, e->public_len, e->shared_len);
		tap_ok(ke_method_at(i) == m, "ke_method_at(%zu) is group %u (ascending)",
		       i, e->group);
	}
	tap_ok(ke_method_at(N_EXPECTED) == NULL, "ke_method_at ends after %zu methods",
	       (size_t)N_EXPECTED);
	for (i = 0; i < sizeof(unsupported) / sizeof(unsupported[0]); i++)
		tap_ok(ke_method_find(unsupported[i]) == NULL, "group %u is not supported",
		       unsupported[i]);
	tap_eq_int(ke_keypair_new(22, &kp), ERR_UNSUPPORTED, "keypair for group 22 is ERR_UNSUPPORTED");
	tap_ok(kp == NULL, "and *out is NULL");
	ke_keypair_free(NULL);
}

/* Initiator keypair, responder ke_respond(), initiator ke_derive(). */
static void test_round_trip(const struct ke_method *m)
{
	struct ke_keypair *a = NULL, *b = NULL;
	struct secret *sa = NULL, *sb = NULL, *sr = NULL, *si = NULL;
	uint8_t resp[KE_MAX_PUBLIC];
	const uint8_t *pa, *pb;
	size_t la = 0, lb = 0, lr = 0;

	if (!tap_ok(ke_keypair_new(m->group, &a) == 0 && ke_keypair_new(m->group, &b) == 0,
		    "%s: two fresh keypairs", m->name))
		goto out;
	tap_ok(ke_keypair_method(a) == m, "%s: the keypair knows its method", m->name);
	pa = ke_public(a, &la);
	pb = ke_public(b, &lb);
	tap_ok(la == m->public_len && lb == m->public_len, "%s: public values are %zu octets",
	       m->name, m->public_len);
	tap_ok(memcmp(pa, pb, la) != 0, "%s: two keypairs differ", m->name);
	tap_ok(ke_derive(a, pb, lb, &sa) == 0 && ke_derive(b, pa, la, &sb) == 0,
	       "%s: both sides derive", m->name);
	if (sa && sb)
		tap_ok(sa->len == m->shared_len && sb->len == m->shared_len &&
		       secret_equal(sa->bytes, sb->bytes, sa->len),
		       "%s: both sides have the same %zu-octet secret", m->name, m->shared_len);

	tap_eq_int(ke_respond(m->group, pa, la, resp, sizeof(resp), &lr, &sr), 0,
		   "%s: ke_respond to a's public value", m->name);
	tap_ok(lr == m->response_len, "%s: the response is %zu octets", m->name, m->response_len);
	tap_eq_int(ke_derive(a, resp, lr, &si), 0, "%s: the initiator derives from the response",
		   m->name);
	if (sr && si)
		tap_ok(secret_equal(sr->bytes, si->bytes, m->shared_len),
		       "%s: responder and initiator agree", m->name);
out:
	secret_free(sa);
	secret_free(sb);
	secret_free(sr);
	secret_free(si);
	ke_keypair_free(a);
	ke_keypair_free(b);
}

static void test_bad_arguments(const struct ke_method *m)
{
	struct ke_keypair *kp = NULL, *bad = (struct ke_keypair *)&bad;
	struct secret *s = (struct secret *)&s;
	uint8_t peer[KE_MAX_PUBLIC + 1], resp[KE_MAX_PUBLIC];
	const uint8_t *pub;
	size_t len, out_len = 12345;

	if (ke_keypair_new(m->group, &kp) != 0)
		return;
	pub = ke_public(kp, &len);
	memcpy(peer, pub, len);
	peer[len] = 0;
	tap_eq_int(ke_derive(kp, peer, len - 1, &s), ERR_BAD_PUBLIC, "%s: one octet short", m->name);
	tap_ok(s == NULL, "%s: *shared is NULL on failure", m->name);
	tap_eq_int(ke_derive(kp, peer, len + 1, &s), ERR_BAD_PUBLIC, "%s: one octet long", m->name);
	tap_eq_int(ke_derive(kp, peer, 0, &s), ERR_BAD_PUBLIC, "%s: empty", m->name);
	tap_eq_int(ke_derive(kp, NULL, len, &s), ERR_BAD_PUBLIC, "%s: NULL", m->name);
	memset(peer, 0, sizeof(peer));
	tap_eq_int(ke_derive(kp, peer, len, &s), ERR_BAD_PUBLIC, "%s: all zero", m->name);
	tap_ok(s == NULL, "%s: still no secret", m->name);

	tap_eq_int(ke_respond(m->group, pub, len, resp, m->response_len - 1, &out_len, &s),
		   ERR_OVERFLOW, "%s: ke_respond with a short buffer", m->name);
	tap_eq_int(ke_respond(m->group, pub, len - 1, resp, sizeof(resp), &out_len, &s),
		   ERR_BAD_PUBLIC, "%s: ke_respond to a short value", m->name);
	tap_eq_int(ke_respond(m->group, peer, len, resp, sizeof(resp), &out_len, &s),
		   ERR_BAD_PUBLIC, "%s: ke_respond to an all-zero value", m->name);
	tap_ok(s == NULL && out_len == 12345, "%s: a refused ke_respond leaves outputs alone",
	       m->name);

	tap_eq_int(ke_keypair_from_private(m->group, peer, 0, &bad), ERR_INVAL,
		   "%s: empty private value", m->name);
	tap_ok(bad == NULL, "%s: *out is NULL on failure", m->name);
	tap_eq_int(ke_keypair_from_private(m->group, peer, KE_MAX_PUBLIC + 1, &bad), ERR_INVAL,
		   "%s: overlong private value", m->name);
	ke_keypair_free(kp);
}

int main(void)
{
	const struct ke_method *m;

	test_table();
	for (size_t i = 0; (m = ke_method_at(i)) != NULL; i++) {
		test_round_trip(m);
		test_bad_arguments(m);
	}
	tap_eq_int(ke_respond(22, NULL, 0, NULL, 0, NULL, &(struct secret *){ NULL }),
		   ERR_UNSUPPORTED, "ke_respond for group 22 is ERR_UNSUPPORTED");
	return tap_done();
}
