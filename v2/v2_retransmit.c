/*
 * v2_retransmit.c - the one timer of an IKE SA: retransmission of our
 * outstanding request with exponential backoff (RFC 7296 2.1, 2.4), or the
 * responder's half-open limit (an IKE_SA_INIT answered and no IKE_AUTH).
 *
 * With an event base the timer is a libevent timer; without one (exchange
 * tests) it is only marked armed and fires in v2_engine_fire_timers().
 */
#include <event2/event.h>

#include "common/log.h"
#include "v2/v2_ike_sa.h"
#include "v2/v2_names.h"

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	v2_timer_fire(arg);
}

void v2_timer_arm(struct v2_ike_sa *sa, int kind, unsigned ms)
{
	struct event_base *base = sa->eng->p.base;

	sa->timer_kind = kind;
	sa->timer_armed = true;
	if (!base)
		return;
	if (!sa->timer)
		sa->timer = evtimer_new(base, on_timer, sa);
	if (sa->timer) {
		struct timeval tv = { .tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000 };

		evtimer_add(sa->timer, &tv);
	}
}

/*
 * The event goes with the wait: an established SA with nothing outstanding
 * keeps no libevent timer (~150 B each) between its exchanges. Freeing it
 * from inside its own callback is what v2_ike_sa_free() does too.
 */
void v2_timer_cancel(struct v2_ike_sa *sa)
{
	sa->timer_armed = false;
	sa->timer_kind = V2T_NONE;
	if (sa->timer) {
		event_free(sa->timer);
		sa->timer = NULL;
	}
}

static void give_up(struct v2_ike_sa *sa, const char *why, bool no_answer)
{
	struct v2_ctx ctx = { 0 };

	ctx.why = why;
	ctx.no_answer = no_answer;
	v2_timer_cancel(sa);
	if (sa->state == V2S_ESTABLISHED && !sa->rekeyed) {
		v2_dpd_dead(sa, why); /* 2.4: the peer is unreachable */
		return;
	}
	if (sa->state == V2S_DELETING || sa->state == V2S_ESTABLISHED) {
		log_info(&sa->sad.logger, "%s; IKE SA removed", why);
		v2_ike_sa_free(sa);
		return;
	}
	v2_complete(sa, &ctx, V2V_FAIL_DELETE, V2S_GONE);
}

void v2_timer_fire(struct v2_ike_sa *sa)
{
	struct v2_engine *e = sa->eng;
	unsigned wait;

	if (!sa->timer_armed)
		return;
	sa->timer_armed = false;
	if (sa->timer_kind == V2T_HALF_OPEN) {
		give_up(sa, "no IKE_AUTH request came for the half-open IKE SA", false);
		return;
	}
	if (sa->timer_kind != V2T_RETRANSMIT || !sa->req_outstanding)
		return;
	if (sa->req_tries >= e->p.retransmit_tries) {
		log_warn(&sa->sad.logger, "no answer to request %u after %u tries; giving up",
			 sa->send_msgid, sa->req_tries);
		give_up(sa, "peer did not answer (retransmissions exhausted)", true);
		return;
	}
	/* exponential backoff: the first wait, doubled per try (2.4), up to
	 * the configured limit */
	wait = e->p.retransmit_timeout_ms << (sa->req_tries < 16 ? sa->req_tries : 16);
	if (e->p.retransmit_limit_ms && wait > e->p.retransmit_limit_ms)
		wait = e->p.retransmit_limit_ms;
	sa->req_tries++;
	e->stats.retransmits++;
	log_debug(&sa->sad.logger, "retransmitting request %u (try %u of %u)", sa->send_msgid,
		  sa->req_tries, e->p.retransmit_tries);
	v2_send_raw(sa, sa->req_msg, sa->req_len);
	v2_timer_arm(sa, V2T_RETRANSMIT, wait);
}
