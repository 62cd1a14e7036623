/*
 * job_ke.c - key exchange as jobs (DESIGN.md step 4): keypair, derive and
 * respond run on a worker; the result reaches the owner on the loop thread.
 *
 * What the owner does not take out of struct job_ke_result (and all of it
 * when the job is cancelled) is freed here: the keypair's private value and
 * the shared secret are wiped by ke_keypair_free() / secret_free().
 */
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/job.h"

struct ke_job {
	struct job_ke_result result;
	job_ke_done_fn done;
	void *owner;
	size_t peer_len;
	uint8_t peer[KE_MAX_PUBLIC];
};

/*
 * job_pool_set_ke_reuse: per group, the keypair being handed out and how
 * many more copies it may give. Loop thread only. When it is used up the
 * next one is drawn right there, on the loop thread: one keypair per
 * `uses` SAs, so that a whole window of SAs started at once shares it
 * (a worker job would leave every SA started meanwhile to draw its own).
 */
#define KE_CACHE_GROUPS 4

struct job_ke_cache {
	unsigned uses;
	struct {
		uint16_t group;
		unsigned left;
		struct ke_keypair *kp;
	} v[KE_CACHE_GROUPS];
};

void job_ke_cache_free(struct job_ke_cache *cache)
{
	if (!cache)
		return;
	for (size_t i = 0; i < KE_CACHE_GROUPS; i++)
		ke_keypair_free(cache->v[i].kp); /* wiped */
	free(cache);
}

void job_pool_set_ke_reuse(struct job_pool *pool, unsigned uses)
{
	struct job_ke_cache **c = job_pool_ke_cache(pool);

	job_ke_cache_free(*c);
	*c = NULL;
	if (uses > 1 && (*c = calloc(1, sizeof(**c))))
		(*c)->uses = uses;
}

/* A copy of group's current keypair (a new one when it is used up); NULL: draw one as usual. */
static struct ke_keypair *cache_take(struct job_ke_cache *c, uint16_t group)
{
	size_t at = KE_CACHE_GROUPS;
	struct ke_keypair *kp;

	for (size_t i = 0; i < KE_CACHE_GROUPS; i++) {
		if (c->v[i].kp && c->v[i].group == group) {
			at = i;
			break;
		}
		if (!c->v[i].kp && at == KE_CACHE_GROUPS)
			at = i;
	}
	if (at == KE_CACHE_GROUPS)
		return NULL; /* more groups than slots: those are always fresh */
	if (!c->v[at].kp || c->v[at].left == 0) {
		ke_keypair_free(c->v[at].kp); /* retired: wiped */
		c->v[at].kp = NULL;
		if (ke_keypair_new(group, &c->v[at].kp) < 0)
			return NULL;
		c->v[at].group = group;
		c->v[at].left = c->uses;
	}
	if (ke_keypair_dup(c->v[at].kp, &kp) < 0)
		return NULL;
	c->v[at].left--;
	return kp;
}

static void ke_job_work(void *arg)
{
	struct ke_job *kj = arg;
	struct job_ke_result *r = &kj->result;

	switch (r->op) {
	case JOB_KE_KEYPAIR: /* a reused one arrives made (cache_take) */
		r->err = r->keypair ? 0 : ke_keypair_new(r->group, &r->keypair);
		break;
	case JOB_KE_DERIVE:
		r->err = ke_derive(r->keypair, kj->peer, kj->peer_len, &r->shared);
		break;
	case JOB_KE_RESPOND:
		r->err = ke_respond(r->group, kj->peer, kj->peer_len, r->response,
				    sizeof(r->response), &r->response_len, &r->shared);
		break;
	}
}

static void ke_job_free(struct ke_job *kj)
{
	ke_keypair_free(kj->result.keypair);
	secret_free(kj->result.shared);
	free(kj);
}

static void ke_job_done(void *arg)
{
	struct ke_job *kj = arg;

	kj->done(kj->owner, &kj->result);
	ke_job_free(kj);
}

static void ke_job_discard(void *arg)
{
	ke_job_free(arg);
}

static const struct job_ops ke_job_ops = {
	.work = ke_job_work,
	.done = ke_job_done,
	.discard = ke_job_discard,
};

static struct ke_job *ke_job_new(enum job_ke_op op, uint16_t group,
				 job_ke_done_fn done, void *owner)
{
	struct ke_job *kj = calloc(1, sizeof(*kj));

	if (!kj)
		return NULL;
	kj->result.op = op;
	kj->result.group = group;
	kj->result.err = ERR_STATE; /* replaced by the work function */
	kj->done = done;
	kj->owner = owner;
	return kj;
}

static int ke_job_submit(struct job_pool *pool, struct ke_job *kj, struct job **slot)
{
	int rc = job_submit(pool, &ke_job_ops, kj, slot);

	if (rc < 0) {
		if (kj->result.op == JOB_KE_DERIVE)
			kj->result.keypair = NULL; /* stays the caller's */
		ke_job_free(kj);
	}
	return rc;
}

int job_ke_keypair(struct job_pool *pool, uint16_t group, job_ke_done_fn done,
		   void *owner, struct job **slot)
{
	struct ke_job *kj = ke_job_new(JOB_KE_KEYPAIR, group, done, owner);

	if (!kj)
		return ERR_NOMEM;
	if (*job_pool_ke_cache(pool))
		kj->result.keypair = cache_take(*job_pool_ke_cache(pool), group);
	return ke_job_submit(pool, kj, slot);
}

int job_ke_derive(struct job_pool *pool, struct ke_keypair *keypair,
		  const uint8_t *peer, size_t peer_len, job_ke_done_fn done,
		  void *owner, struct job **slot)
{
	struct ke_job *kj;

	if (!keypair || peer_len > KE_MAX_PUBLIC)
		return ERR_INVAL;
	kj = ke_job_new(JOB_KE_DERIVE, ke_keypair_method(keypair)->group, done, owner);
	if (!kj)
		return ERR_NOMEM;
	kj->result.keypair = keypair;
	if (peer_len)
		memcpy(kj->peer, peer, peer_len);
	kj->peer_len = peer_len;
	return ke_job_submit(pool, kj, slot);
}

int job_ke_respond(struct job_pool *pool, uint16_t group, const uint8_t *peer,
		   size_t peer_len, job_ke_done_fn done, void *owner,
		   struct job **slot)
{
	struct ke_job *kj;

	if (peer_len > KE_MAX_PUBLIC)
		return ERR_INVAL;
	kj = ke_job_new(JOB_KE_RESPOND, group, done, owner);
	if (!kj)
		return ERR_NOMEM;
	if (peer_len)
		memcpy(kj->peer, peer, peer_len);
	kj->peer_len = peer_len;
	return ke_job_submit(pool, kj, slot);
}
