/*
 * v2_retransmit_timer_test.c - the waits between an IKEv2 request's tries
 * and the responder's half-open lifetime, read off the libevent timers:
 *  - the wait doubles per try (RFC 7296 2.4) and stops at
 *    retransmit_limit when one is set;
 *  - a half-open responder SA whose initiator retransmits IKE_SA_INIT
 *    (its answer was lost) counts its lifetime from the latest try, so a
 *    lossy path does not see the SA go just as IKE_AUTH arrives.
 */
#include <unistd.h>
#include <sys/time.h>

#include <event2/event.h>

#include "common/job.h"
#include "testsuite/lib/tap.h"
#include "testsuite/regress/v2_pair.h"
#include "v2/v2_ike_sa.h"

/* Absolute time (s) the SA's protocol timer fires at, -1 when not pending. */
static double timer_at(struct v2_ike_sa *sa)
{
	struct timeval at;

	if (!sa->timer || !evtimer_pending(sa->timer, &at))
		return -1;
	return (double)at.tv_sec + (double)at.tv_usec / 1e6;
}

static double now_s(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

static bool near(double got, double want)
{
	return got > want - 0.25 && got < want + 0.25;
}

/* The initiator's IKE_SA_INIT request, never answered: wait per try. */
static void test_backoff(struct job_pool *pool, struct event_base *base, unsigned limit_ms,
			 const double *want, int n)
{
	struct v2_pair P;
	struct v2_ike_sa *sa;
	double t;

	if (!tap_ok(v2p_open(&P, pool, "aes128-sha256-prfsha256-x25519", "aes128-sha256") == 0,
		    "pair opened (limit %u ms)", limit_ms))
		return;
	P.s[0].eng->p.base = base;
	P.s[0].eng->p.retransmit_timeout_ms = 1000;
	P.s[0].eng->p.retransmit_tries = 20;
	P.s[0].eng->p.retransmit_limit_ms = limit_ms;
	v2_engine_up(P.s[0].eng, "lab");
	job_pool_drain(pool);
	sa = P.s[0].eng->first;
	if (!tap_ok(sa != NULL, "the initiator made its SA")) {
		v2p_close(&P);
		return;
	}
	for (int i = 0; i < n; i++) {
		t = timer_at(sa) - now_s();
		tap_ok(near(t, want[i]), "limit %u ms: wait before try %d is %.1f s (%.2f s)", limit_ms,
		       i + 2, want[i], t);
		v2_timer_fire(sa);
	}
	tap_eq_int((long long)v2_engine_stats(P.s[0].eng)->retransmits, n, "%d retransmissions", n);
	v2p_close(&P);
}

static void test_half_open_refresh(struct job_pool *pool, struct event_base *base)
{
	struct v2_pair P;
	struct v2p_pkt init, answer;
	struct v2_ike_sa *sa;
	double first, later;

	if (!tap_ok(v2p_open(&P, pool, "aes128-sha256-prfsha256-x25519", "aes128-sha256") == 0,
		    "pair opened (half-open)"))
		return;
	P.s[1].eng->p.base = base;
	P.s[1].eng->p.half_open_timeout_ms = 2000;
	v2_engine_up(P.s[0].eng, "lab");
	if (!tap_ok(v2p_take(&P, &init), "IKE_SA_INIT request")) {
		v2p_close(&P);
		return;
	}
	v2p_put(&P, 1, &init);
	sa = P.s[1].eng->first;
	tap_ok(v2p_take(&P, &answer), "the responder answered (the answer is lost)");
	if (!tap_ok(sa && sa->half_open && sa->timer_kind == V2T_HALF_OPEN, "its SA is half-open")) {
		v2p_close(&P);
		return;
	}
	first = timer_at(sa);
	tap_ok(near(first - now_s(), 2.0), "half-open lifetime 2 s (%.2f s)", first - now_s());
	usleep(600 * 1000);
	v2p_put(&P, 1, &init); /* the initiator's retransmission */
	tap_eq_int((long long)v2_engine_stats(P.s[1].eng)->responses_resent, 1,
		   "the retransmitted IKE_SA_INIT is answered from the cache");
	later = timer_at(sa);
	tap_ok(later - first > 0.4, "the half-open lifetime counts from the latest try (%.2f s later)",
	       later - first);
	tap_ok(sa->timer_kind == V2T_HALF_OPEN && sa->half_open, "still one half-open SA");
	tap_eq_int(v2_engine_count_sas(P.s[1].eng), 1, "no second SA");
	v2p_run(&P); /* the cached answer reaches the initiator: IKE_AUTH follows */
	tap_eq_int(P.s[0].established + P.s[1].established, 2, "then IKE_AUTH establishes both");
	v2p_close(&P);
}

int main(void)
{
	static const double doubling[] = { 1, 2, 4, 8, 16, 32 };
	static const double limited[] = { 1, 2, 3, 3, 3, 3 };
	struct job_pool *pool = NULL;
	struct event_base *base;

	if (job_pool_new(NULL, 1, &pool))
		return tap_skip_all("no job pool");
	base = event_base_new();
	if (!tap_ok(base != NULL, "event base"))
		return tap_done();
	test_backoff(pool, base, 0, doubling, 6);
	test_backoff(pool, base, 3000, limited, 6);
	test_half_open_refresh(pool, base);
	event_base_free(base);
	job_pool_free(pool);
	return tap_done();
}
