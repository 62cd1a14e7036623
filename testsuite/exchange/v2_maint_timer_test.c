/*
 * v2_maint_timer_test.c - an established IKE SA's housekeeping timer
 * (v2_maint.c) sleeps until its next deadline, not one second whatever
 * is due: at 85,000 SAs a one-second tick for each was 13% of the
 * responder's time. Deadlines set later bring the timer forward; what is
 * due already waits one tick (the retry floor); a far deadline: the one-hour
 * cap; nothing to watch: no timer at all.
 */
#include <sys/time.h>

#include <event2/event.h>

#include "common/job.h"
#include "testsuite/lib/tap.h"
#include "testsuite/regress/v2_pair.h"
#include "v2/v2_ike_sa.h"

/* Seconds until the SA's housekeeping timer fires, -1 when not armed. */
static double timer_in(struct event_base *base, struct v2_ike_sa *sa)
{
	struct timeval at, now;

	if (!sa->maint || !evtimer_pending(sa->maint, &at))
		return -1;
	event_base_gettimeofday_cached(base, &now);
	return (double)(at.tv_sec - now.tv_sec) + (double)(at.tv_usec - now.tv_usec) / 1e6;
}

static bool near(double got, double want)
{
	return got > want - 0.5 && got < want + 0.5;
}

int main(void)
{
	struct job_pool *pool = NULL;
	struct event_base *base;
	struct v2_pair P;
	struct v2_ike_sa *sa;
	struct v2_conn *c;
	double t;

	if (job_pool_new(NULL, 1, &pool))
		return tap_skip_all("no job pool");
	base = event_base_new();
	if (!tap_ok(base && v2p_open(&P, pool, "aes128-sha256-prfsha256-x25519", "aes128-sha256") == 0,
		    "pair opened"))
		return tap_done();
	if (!tap_ok(v2p_establish(&P) == 0 && P.s[1].eng->first, "IKE SA established")) {
		v2p_close(&P);
		return tap_done();
	}
	sa = P.s[1].eng->first;
	c = (struct v2_conn *)sa->conn; /* the test changes what the SA watches */
	c->dpd_delay_s = 0;
	c->dpd_timeout_s = 0;
	sa->rekey_at_ms = 0;
	for (struct v2_child_sa *ch = sa->children; ch; ch = ch->next)
		ch->rekey_at_ms = 0;
	P.s[1].eng->p.base = base; /* from here its timers are libevent's */

	v2_maint_arm(sa);
	tap_ok(sa->maint == NULL, "nothing to watch: no timer kept at all");

	sa->rekey_at_ms = v2_now_ms() + 2 * 3600 * 1000;
	v2_maint_arm(sa);
	t = timer_in(base, sa);
	tap_ok(near(t, 3600.0), "a rekey in 2 h: the timer sleeps the 1 h cap, not 1 s (%.2f s)", t);

	sa->rekey_at_ms = v2_now_ms() + 5000;
	v2_maint_arm(sa);
	t = timer_in(base, sa);
	tap_ok(near(t, 5.0), "an IKE rekey in 5 s brings it forward to 5 s (%.2f s)", t);

	c->dpd_delay_s = 10;
	sa->last_heard_ms = v2_now_ms();
	v2_maint_arm(sa);
	t = timer_in(base, sa);
	tap_ok(near(t, 5.0), "a later DPD deadline does not push it back (%.2f s)", t);

	sa->rekey_at_ms = 0;
	event_del(sa->maint);
	v2_maint_arm(sa);
	t = timer_in(base, sa);
	tap_ok(near(t, 10.0), "DPD alone: dpd_delay after the last message (%.2f s)", t);

	if (sa->children) {
		sa->children->rekey_at_ms = 1; /* a kernel soft EXPIRE: due now */
		v2_maint_arm(sa);
		t = timer_in(base, sa);
		tap_ok(near(t, 1.0), "a child rekey due now: the 1 s retry floor (%.2f s)", t);
	} else {
		tap_ok(false, "the SA has its child");
	}

	sa->rekey_at_ms = 0;
	sa->req_outstanding = true;
	event_del(sa->maint);
	if (sa->children)
		sa->children->rekey_at_ms = 0;
	v2_maint_arm(sa);
	t = timer_in(base, sa);
	tap_ok(near(t, 1.0), "DPD on and a request outstanding: checked each second (%.2f s)", t);
	sa->req_outstanding = false;

	v2p_close(&P);
	event_base_free(base);
	job_pool_free(pool);
	return tap_done();
}
