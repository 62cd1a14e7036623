/*
 * v1_retransmit.c - retransmission and duplicates (RFC 2408 5, RFC 2409 5).
 *
 * IKEv1 has no message counter in phase 1: the last sender of a step
 * retransmits it, with the wait doubling each time ([daemon]
 * retransmit_tries / retransmit_timeout, at most retransmit_limit), until the answer comes or the
 * tries run out (the half-made SA is then deleted). A message equal to the
 * last one accepted is the peer retransmitting because our answer was
 * lost: it gets the cached answer again, and changes no state.
 */
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "common/err.h"
#include "common/hash.h"
#include "common/log.h"
#include "v1/v1_sa.h"

uint64_t v1_xmit_next_ms(const struct v1_engine *e, unsigned tries)
{
	uint64_t ms = e->env.retransmit_timeout_ms ? e->env.retransmit_timeout_ms : 500;

	for (unsigned i = 0; i < tries && ms < 60000; i++)
		ms *= 2;
	if (e->env.retransmit_limit_ms && ms > e->env.retransmit_limit_ms)
		ms = e->env.retransmit_limit_ms;
	return ms;
}

static void arm(struct v1_engine *e, struct v1_xmit *x)
{
	uint64_t ms = v1_xmit_next_ms(e, x->tries);
	struct timeval tv = { .tv_sec = (time_t)(ms / 1000), .tv_usec = (suseconds_t)(ms % 1000) * 1000 };

	if (x->timer)
		evtimer_add(x->timer, &tv);
}

int v1_xmit_sent(struct v1_engine *e, struct v1_xmit *x, const uint8_t *msg, size_t len,
		 bool natt, bool expect_reply, void (*fire)(int, short, void *), void *arg)
{
	uint8_t *copy = malloc(len);

	if (!copy)
		return ERR_NOMEM;
	memcpy(copy, msg, len);
	free(x->out);
	x->out = copy;
	x->out_len = len;
	x->out_natt = natt;
	x->tries = 0;
	x->armed = expect_reply;
	if (x->timer)
		evtimer_del(x->timer);
	if (expect_reply && e->env.base && !x->timer)
		x->timer = evtimer_new(e->env.base, fire, arg);
	if (expect_reply)
		arm(e, x);
	return 0;
}

void v1_xmit_stop(struct v1_xmit *x)
{
	x->armed = false;
	if (x->timer)
		evtimer_del(x->timer);
}

void v1_xmit_free(struct v1_xmit *x)
{
	if (x->timer)
		event_free(x->timer);
	free(x->out);
	memset(x, 0, sizeof(*x));
}

void v1_xmit_note_in(struct v1_xmit *x, const uint8_t *msg, size_t len)
{
	hash_once(HASH_SHA2_256, msg, len, x->last_in);
	x->have_last_in = true;
}

bool v1_xmit_is_dup(const struct v1_xmit *x, const uint8_t *msg, size_t len)
{
	uint8_t h[32];

	if (!x->have_last_in)
		return false;
	hash_once(HASH_SHA2_256, msg, len, h);
	return memcmp(h, x->last_in, sizeof(h)) == 0;
}

static bool resend(struct v1_engine *e, struct v1_isakmp_sa *sa, struct v1_xmit *x)
{
	unsigned max = e->env.retransmit_tries ? e->env.retransmit_tries : 5;

	if (!x->armed || !x->out)
		return true;
	if (x->tries >= max) {
		log_warn(&sa->sad.logger, "no answer after %u retransmissions; giving up", max);
		return false;
	}
	x->tries++;
	e->counters.retransmits++;
	log_debug(&sa->sad.logger, "retransmitting (%u of %u)", x->tries, max);
	v1_sa_send(sa, x->out, x->out_len);
	arm(e, x);
	return true;
}

void v1_xmit_fire_isakmp(int fd, short what, void *arg)
{
	struct v1_isakmp_sa *sa = arg;
	struct v1_engine *e = sa->eng;

	(void)fd;
	(void)what;
	if (!resend(e, sa, &sa->x)) {
		v1_outcome_failed(sa, "no answer in %s after %u retransmissions", v1_state_name(sa->state),
				  sa->x.tries);
		e->counters.p1_failed++;
		if (e->env.sas_failed)
			(*e->env.sas_failed)++;
		v1_isakmp_sa_free(sa);
	}
}

void v1_xmit_fire_ipsec(int fd, short what, void *arg)
{
	struct v1_ipsec_sa *qm = arg;
	struct v1_engine *e = qm->isakmp->eng;

	(void)fd;
	(void)what;
	if (!resend(e, qm->isakmp, &qm->x)) {
		if (qm->initiator)
			v1_outcome_failed(qm->isakmp, "no answer to Quick Mode after %u retransmissions",
					  qm->x.tries);
		e->counters.qm_failed++;
		v1_ipsec_sa_free(qm);
	}
}

unsigned v1_engine_timeout_all(struct v1_engine *e)
{
	unsigned n = 0;
	struct v1_isakmp_sa *list[256];
	size_t k = 0;

	for (struct sad_entry *s = sad_first(e->env.sad); s && k < 256; s = sad_next(s))
		if (s->version == 1 && s->kind == SAD_KIND_IKE)
			list[k++] = SAD_CONTAINER(s, struct v1_isakmp_sa, sad);
	for (size_t i = 0; i < k; i++) {
		struct v1_isakmp_sa *sa = list[i];
		struct v1_ipsec_sa *qm = sa->qms, *next;

		for (; qm; qm = next) {
			next = qm->next;
			if (qm->x.armed) {
				n++;
				v1_xmit_fire_ipsec(-1, 0, qm);
			}
		}
		if (sa->x.armed) {
			n++;
			v1_xmit_fire_isakmp(-1, 0, sa);
		}
	}
	return n;
}
