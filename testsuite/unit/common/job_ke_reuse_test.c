/*
 * job_ke_reuse_test.c - job_pool_set_ke_reuse (the load generator's
 * --ke-reuse, RFC 7296 2.12): a keypair is handed out `uses` times as
 * copies, then a fresh one is drawn; without it every keypair is fresh;
 * each copy is the caller's own (freed apart), and a derive with a copy
 * gives the same secret as with the original.
 */
#include <string.h>

#include "common/job.h"
#include "common/ke.h"
#include "testsuite/lib/tap.h"

struct got {
	struct ke_keypair *kp;
	int err;
};

static void keep(void *owner, struct job_ke_result *r)
{
	struct got *g = owner;

	g->err = r->err;
	g->kp = r->keypair;
	r->keypair = NULL;
}

/* One keypair for group, waited for. */
static struct ke_keypair *one(struct job_pool *pool, uint16_t group)
{
	struct got g = { NULL, -1 };

	if (job_ke_keypair(pool, group, keep, &g, NULL) < 0)
		return NULL;
	job_pool_drain(pool);
	return g.err == 0 ? g.kp : NULL;
}

static bool same_pub(const struct ke_keypair *a, const struct ke_keypair *b)
{
	size_t la, lb;
	const uint8_t *pa = ke_public(a, &la), *pb = ke_public(b, &lb);

	return la == lb && memcmp(pa, pb, la) == 0;
}

int main(void)
{
	struct job_pool *pool;
	struct ke_keypair *kp[7] = { NULL };
	struct ke_keypair *peer = NULL;
	struct secret *s1 = NULL, *s2 = NULL;
	const uint8_t *ppub;
	size_t plen;

	if (job_pool_new(NULL, 1, &pool) < 0)
		return tap_skip_all("no job pool");
	/* the default: fresh every time */
	kp[0] = one(pool, KE_CURVE25519);
	kp[1] = one(pool, KE_CURVE25519);
	tap_ok(kp[0] && kp[1] && !same_pub(kp[0], kp[1]), "without reuse two keypairs differ");
	ke_keypair_free(kp[0]);
	ke_keypair_free(kp[1]);

	job_pool_set_ke_reuse(pool, 3);
	for (int i = 0; i < 7; i++)
		kp[i] = one(pool, KE_CURVE25519);
	tap_ok(kp[0] && kp[1] && kp[2] && same_pub(kp[0], kp[1]) && same_pub(kp[0], kp[2]),
	       "reuse 3: the first keypair serves SAs 1-3");
	tap_ok(kp[3] && !same_pub(kp[0], kp[3]), "reuse 3: SA 4 gets a fresh keypair");
	tap_ok(kp[4] && kp[5] && same_pub(kp[3], kp[4]) && same_pub(kp[3], kp[5]),
	       "reuse 3: which serves SAs 4-6");
	tap_ok(kp[6] && !same_pub(kp[3], kp[6]), "reuse 3: SA 7 gets a fresh one again");
	tap_ok(kp[0] != kp[1] && kp[1] != kp[2], "each SA owns its own copy");

	/* a copy derives what the original derives */
	peer = one(pool, KE_CURVE25519); /* the cache serves it: still a valid peer value */
	ppub = peer ? ke_public(peer, &plen) : NULL;
	tap_ok(ppub && ke_derive(kp[0], ppub, plen, &s1) == 0 && ke_derive(kp[2], ppub, plen, &s2) == 0 &&
	       s1->len == s2->len && memcmp(s1->bytes, s2->bytes, s1->len) == 0,
	       "a copy's shared secret equals the original's");
	/* freeing one copy leaves the others usable (no shared storage) */
	ke_keypair_free(kp[0]);
	kp[0] = NULL;
	secret_free(s2);
	s2 = NULL;
	tap_ok(ppub && ke_derive(kp[1], ppub, plen, &s2) == 0 && s1 &&
	       memcmp(s1->bytes, s2->bytes, s1->len) == 0, "a copy still works after another is freed");

	/* two groups are reused apart */
	{
		struct ke_keypair *a = one(pool, KE_ECP_256), *b = one(pool, KE_ECP_256);

		tap_ok(a && b && same_pub(a, b) && ke_keypair_method(a)->group == KE_ECP_256,
		       "another group has its own reused keypair");
		ke_keypair_free(a);
		ke_keypair_free(b);
	}
	job_pool_set_ke_reuse(pool, 0);
	{
		struct ke_keypair *a = one(pool, KE_CURVE25519), *b = one(pool, KE_CURVE25519);

		tap_ok(a && b && !same_pub(a, b), "reuse turned off: fresh again");
		ke_keypair_free(a);
		ke_keypair_free(b);
	}
	secret_free(s1);
	secret_free(s2);
	ke_keypair_free(peer);
	for (int i = 0; i < 7; i++)
		ke_keypair_free(kp[i]);
	job_pool_free(pool);
	return tap_done();
}
