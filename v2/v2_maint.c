/*
 * v2_maint.c - an established IKE SA's housekeeping: rekey before the
 * lifetime ends (RFC 7296 2.8: lifetime minus the margin, less a random
 * jitter so both ends rarely start at once), and liveness (2.4): an empty
 * INFORMATIONAL once dpd_delay passed without a message from the peer; no
 * answer within dpd_timeout (or retransmissions exhausted) and the peer is
 * dead: the connection's action runs.
 *
 * Actions: clear deletes the SAs; restart deletes them and initiates
 * again; hold asks the user (hooks.hold) for the connection's trap policy,
 * which the child's policy gives way to as it goes, so that traffic
 * renegotiates (the daemon's ACQUIRE handling).
 *
 * With an event base one timer per IKE SA fires when its next deadline is
 * due (maint_due()), none when it has nothing to watch; tests call
 * v2_engine_housekeep() with their clock.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include <event2/event.h>
#include <sodium.h>

#include "common/err.h"
#include "common/log.h"
#include "v2/v2_frag.h"
#include "v2/v2_ike_sa.h"
#include "v2/v2_names.h"

#define MAINT_TICK_MS 1000u
#define MAINT_MAX_SLEEP_MS 3600000u /* a safety net only: every setter re-arms */

uint64_t v2_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* lifetime - margin - jitter (0..margin/3), in ms from now; 0 when no lifetime. */
static uint64_t rekey_time(uint32_t life_s, uint32_t margin_s)
{
	uint64_t life = (uint64_t)life_s * 1000u, margin;

	if (!life_s)
		return 0;
	margin = (uint64_t)margin_s * 1000u;
	if (!margin || margin >= life)
		margin = life / 10u;
	margin += randombytes_uniform((uint32_t)(margin / 3u + 1u));
	return v2_now_ms() + (life > margin ? life - margin : 1u);
}

void v2_child_schedule_rekey(struct v2_ike_sa *sa, struct v2_child_sa *c)
{
	c->rekey_at_ms = rekey_time(sa->conn->child_lifetime_s, sa->conn->rekey_margin_s);
	v2_maint_arm(sa); /* the timer may sleep past the new deadline */
}

void v2_ike_schedule_rekey(struct v2_ike_sa *sa)
{
	sa->rekey_at_ms = rekey_time(sa->conn->ike_lifetime_s, sa->conn->rekey_margin_s);
	v2_maint_arm(sa);
}

static void on_maint(evutil_socket_t fd, short what, void *arg)
{
	struct v2_ike_sa *sa = arg;

	(void)fd;
	(void)what;
	if (v2_maint_run(sa, v2_now_ms()))
		v2_maint_arm(sa);
}

static void earliest(uint64_t *due, uint64_t at)
{
	if (at && at < *due)
		*due = at;
}

/*
 * When v2_maint_run() next has something to do, from the same fields it
 * reads: each IKE SA's timer sleeps until then (libevent's timer heap,
 * O(log n) per arm) instead of every SA waking each second, so a second
 * costs O(SAs due), not O(SAs held). Fields only ever moving a deadline
 * later (last_heard_ms, dpd_sent_ms cleared) need no re-arm: the timer
 * fires early, finds nothing and sleeps again. Ones that move it earlier
 * from elsewhere (a kernel soft EXPIRE, a doomed SA after a collision) call
 * v2_maint_arm(), which then brings the timer forward; MAINT_MAX_SLEEP_MS
 * (an hour: at 100,000 SAs a 30 s cap woke 3,300 SAs a second for
 * nothing) bounds any wait all the same. UINT64_MAX: nothing to watch
 * (no lifetimes, no DPD), no timer at all.
 */
static uint64_t maint_due(const struct v2_ike_sa *sa, uint64_t now)
{
	const struct v2_conn *c = sa->conn;
	uint64_t due = UINT64_MAX;

	earliest(&due, sa->doomed_at_ms);
	if (sa->rekeyed || sa->redundant)
		return due;
	if (sa->dpd_sent_ms && c->dpd_timeout_s)
		earliest(&due, sa->dpd_sent_ms + (uint64_t)c->dpd_timeout_s * 1000u);
	if (c->dpd_delay_s) {
		if (sa->req_outstanding)
			earliest(&due, now + MAINT_TICK_MS); /* checked again once it is answered */
		else
			earliest(&due, sa->last_heard_ms + (uint64_t)c->dpd_delay_s * 1000u);
	}
	earliest(&due, sa->rekey_at_ms);
	for (const struct v2_child_sa *ch = sa->children; ch; ch = ch->next)
		earliest(&due, ch->rekey_at_ms);
	if (due == UINT64_MAX)
		return due;
	if (due > now + MAINT_MAX_SLEEP_MS)
		return now + MAINT_MAX_SLEEP_MS;
	/* not sooner than a tick: what is due but cannot start now is retried each second */
	return due < now + MAINT_TICK_MS ? now + MAINT_TICK_MS : due;
}

void v2_maint_arm(struct v2_ike_sa *sa)
{
	struct event_base *base = sa->eng->p.base;
	struct timeval tv, pending, cur;
	uint64_t now, due, wait;

	if (!base || sa->state != V2S_ESTABLISHED)
		return;
	now = v2_now_ms();
	due = maint_due(sa, now);
	if (due == UINT64_MAX) {
		/* nothing to watch: no event kept (~150 B an SA); a setter arms again */
		if (sa->maint)
			event_free(sa->maint);
		sa->maint = NULL;
		return;
	}
	if (!sa->maint)
		sa->maint = evtimer_new(base, on_maint, sa);
	if (!sa->maint)
		return;
	wait = due - now;
	tv.tv_sec = (time_t)(wait / 1000u);
	tv.tv_usec = (suseconds_t)(wait % 1000u) * 1000;
	if (evtimer_pending(sa->maint, &pending) && event_base_gettimeofday_cached(base, &cur) == 0) {
		struct timeval want;

		timeradd(&cur, &tv, &want);
		if (!timercmp(&want, &pending, <))
			return; /* it fires no later than needed */
	}
	evtimer_add(sa->maint, &tv);
}

/* An empty INFORMATIONAL request: are you there? (1.4, 2.4) */
int v2_dpd_send(struct v2_ike_sa *sa, uint64_t now_ms)
{
	struct v2_ctx *ctx;
	int rc;

	if (sa->state != V2S_ESTABLISHED || sa->req_outstanding || sa->job)
		return ERR_STATE;
	ctx = calloc(1, sizeof(*ctx));
	if (!ctx)
		return ERR_NOMEM;
	rc = v2_send_seal(sa, ctx, V2_EXCH_INFORMATIONAL, false, sa->send_msgid, V2_PT_NONE, NULL, 0);
	if (rc == 0) {
		log_debug(&sa->sad.logger, "liveness check sent");
		sa->dpd_sent_ms = now_ms ? now_ms : 1;
		ctx->request_to_send = true;
		v2_complete(sa, ctx, V2V_OK, V2S_ESTABLISHED);
		v2_maint_arm(sa); /* dpd_timeout runs from now */
	}
	free(ctx);
	return rc;
}

void v2_dpd_dead(struct v2_ike_sa *sa, const char *why)
{
	struct v2_engine *e = sa->eng;
	char name[V2_CONN_NAME_MAX];
	enum v2_dpd_action act = sa->conn->dpd_action;

	snprintf(name, sizeof(name), "%s", sa->conn->name);
	log_warn(&sa->sad.logger, "peer is dead (%s): action %s", why,
		 act == V2_DPD_RESTART ? "restart" : act == V2_DPD_HOLD ? "hold" : "clear");
	if (act == V2_DPD_HOLD && e->p.hooks.hold)
		e->p.hooks.hold(e->p.hooks.arg, name); /* the trap first: no gap in the policy */
	else if (act == V2_DPD_HOLD)
		log_warn(&sa->sad.logger, "dpd_action = hold without a trap keeper: cleared");
	e->stats.dpd_dead++;
	v2_ike_sa_free(sa);
	if (act == V2_DPD_RESTART && v2_engine_up(e, name))
		log_warn(&log_global, "connection %s: restart after DPD failed", name);
}

bool v2_maint_run(struct v2_ike_sa *sa, uint64_t now)
{
	const struct v2_conn *c = sa->conn;

	v2_frag_expire(sa, now); /* RFC 7383 2.6: a message whose fragments never all came */

	if (sa->doomed_at_ms && now >= sa->doomed_at_ms && sa->state == V2S_ESTABLISHED) {
		/* 2.8.2: the peer should have deleted it; a reordering may have hidden it from them */
		log_info(&sa->sad.logger, "replaced IKE SA not deleted by the peer: deleting it");
		sa->doomed_at_ms = v2_info_delete_ike(sa) ? 0 : now + MAINT_TICK_MS;
		return sa->state == V2S_ESTABLISHED;
	}
	if (sa->state != V2S_ESTABLISHED || sa->rekeyed || sa->redundant)
		return sa->state == V2S_ESTABLISHED;
	if (sa->dpd_sent_ms && c->dpd_timeout_s &&
	    now - sa->dpd_sent_ms >= (uint64_t)c->dpd_timeout_s * 1000u) {
		v2_dpd_dead(sa, "no answer within dpd_timeout");
		return false;
	}
	if (c->dpd_delay_s && !sa->req_outstanding &&
	    now - sa->last_heard_ms >= (uint64_t)c->dpd_delay_s * 1000u) {
		v2_dpd_send(sa, now);
		return true;
	}
	if (sa->rekey_at_ms && now >= sa->rekey_at_ms && v2_ccsa_start(sa, V2X_REKEY_IKE, NULL) == 0) {
		sa->rekey_at_ms = 0;
		return true;
	}
	for (struct v2_child_sa *ch = sa->children; ch; ch = ch->next) {
		if (ch->rekey_at_ms && now >= ch->rekey_at_ms && !ch->rekeying) {
			if (v2_ccsa_start(sa, V2X_REKEY_CHILD, ch) == 0)
				ch->rekey_at_ms = 0;
			break; /* one exchange at a time (window 1) */
		}
	}
	return true;
}

size_t v2_engine_housekeep(struct v2_engine *e, uint64_t now_ms)
{
	size_t n = 0;
	struct v2_ike_sa *sa, *next;

	for (sa = e->first; sa; sa = next) {
		next = sa->next;
		n++;
		v2_maint_run(sa, now_ms);
	}
	return n;
}

static struct v2_ike_sa *established_of(struct v2_engine *e, const char *conn)
{
	for (struct v2_ike_sa *sa = e->first; sa; sa = sa->next)
		if (sa->state == V2S_ESTABLISHED && !sa->rekeyed && !sa->redundant &&
		    strcmp(sa->conn->name, conn) == 0)
			return sa;
	return NULL;
}

int v2_engine_create_child(struct v2_engine *e, const char *conn)
{
	struct v2_ike_sa *sa = established_of(e, conn);

	return sa ? v2_ccsa_start(sa, V2X_NEW_CHILD, NULL) : ERR_NOTFOUND;
}

int v2_engine_rekey_child(struct v2_engine *e, const char *conn)
{
	struct v2_ike_sa *sa = established_of(e, conn);
	struct v2_child_sa *c = sa ? sa->children : NULL;

	while (c && c->rekeying)
		c = c->next;
	return c ? v2_ccsa_start(sa, V2X_REKEY_CHILD, c) : ERR_NOTFOUND;
}

int v2_engine_rekey_ike(struct v2_engine *e, const char *conn)
{
	struct v2_ike_sa *sa = established_of(e, conn);

	return sa ? v2_ccsa_start(sa, V2X_REKEY_IKE, NULL) : ERR_NOTFOUND;
}

int v2_engine_liveness(struct v2_engine *e, const char *conn, uint64_t now_ms)
{
	struct v2_ike_sa *sa = established_of(e, conn);

	return sa ? v2_dpd_send(sa, now_ms) : ERR_NOTFOUND;
}
