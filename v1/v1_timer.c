/*
 * v1_timer.c - the engine's second-scale timers (DPD, lifetimes): one
 * struct v1_timer per use, on the event base when there is one. Without
 * a base (the exchange tests) the armed flag is all there is, and
 * v1_engine_fire_timers() runs what is armed as if its time had come.
 */
#include <stdlib.h>

#include <event2/event.h>

#include "common/log.h"
#include "v1/v1_frag.h"
#include "v1/v1_sa.h"

void v1_timer_arm(struct v1_engine *e, struct v1_timer *t, uint32_t secs,
		  void (*fire)(int, short, void *), void *arg)
{
	struct timeval tv = { .tv_sec = (time_t)secs };

	t->armed = true;
	t->secs = secs;
	if (!e->env.base)
		return;
	if (!t->ev)
		t->ev = evtimer_new(e->env.base, fire, arg);
	if (t->ev)
		evtimer_add(t->ev, &tv);
}

void v1_timer_stop(struct v1_timer *t)
{
	t->armed = false;
	if (t->ev)
		evtimer_del(t->ev);
}

void v1_timer_free(struct v1_timer *t)
{
	if (t->ev)
		event_free(t->ev);
	t->ev = NULL;
	t->armed = false;
}

#define FIRE_MAX 256

struct due {
	uint64_t serial;
	uint32_t msg_id; /* 0: the ISAKMP SA itself */
};

static struct v1_isakmp_sa *by_serial(struct v1_engine *e, uint64_t serial)
{
	struct sad_entry *s = sad_find_serial(e->env.sad, serial);

	if (!s || s->version != 1 || s->kind != SAD_KIND_IKE)
		return NULL;
	return SAD_CONTAINER(s, struct v1_isakmp_sa, sad);
}

unsigned v1_engine_fire_timers(struct v1_engine *e, enum v1_timer_kind kind)
{
	struct due due[FIRE_MAX];
	size_t n = 0;
	unsigned fired = 0;

	/* collect first: a firing timer may free SAs or make new ones */
	for (struct sad_entry *s = sad_first(e->env.sad); s; s = sad_next(s)) {
		if (s->version != 1 || s->kind != SAD_KIND_IKE)
			continue;
		struct v1_isakmp_sa *sa = SAD_CONTAINER(s, struct v1_isakmp_sa, sad);

		if (kind == V1_TIMER_IPSEC_LIFE)
			for (struct v1_ipsec_sa *qm = sa->qms; qm && n < FIRE_MAX; qm = qm->next)
				if (qm->life.armed)
					due[n++] = (struct due){ s->serial, qm->msg_id };
		if (n < FIRE_MAX && kind != V1_TIMER_IPSEC_LIFE &&
		    (kind == V1_TIMER_DPD ? sa->dpd.armed :
		     kind == V1_TIMER_FRAG ? sa->frag_timer.armed : sa->life.armed))
			due[n++] = (struct due){ s->serial, 0 };
	}
	for (size_t i = 0; i < n; i++) {
		struct v1_isakmp_sa *sa = by_serial(e, due[i].serial);
		struct v1_ipsec_sa *qm;

		if (!sa)
			continue;
		if (!due[i].msg_id) {
			struct v1_timer *t = kind == V1_TIMER_DPD ? &sa->dpd :
					     kind == V1_TIMER_FRAG ? &sa->frag_timer : &sa->life;

			if (!t->armed)
				continue;
			t->armed = false;
			fired++;
			if (kind == V1_TIMER_DPD)
				v1_dpd_fire(-1, 0, sa);
			else if (kind == V1_TIMER_FRAG)
				v1_frag_fire(-1, 0, sa);
			else
				v1_life_isakmp_fire(-1, 0, sa);
			continue;
		}
		qm = v1_ipsec_sa_find(sa, due[i].msg_id);
		if (!qm || !qm->life.armed)
			continue;
		qm->life.armed = false;
		fired++;
		v1_life_ipsec_fire(-1, 0, qm);
	}
	return fired;
}
