/*
 * v1_dpd.c - Dead Peer Detection, RFC 3706, as the side that asks.
 * (Answering R-U-THERE is in v1_info.c.)
 *
 * Only when the connection sets dpd_delay and the peer sent the DPD
 * vendor ID (RFC 3706 4). Every dpd_delay the ISAKMP SA is checked: if an
 * authenticated message came from the peer since the last check, it is
 * alive (RFC 3706 5.1: no need to ask a peer that just spoke). Otherwise
 * an encrypted Informational with HASH(1) and N(R-U-THERE) goes out,
 * its data a 32-bit sequence number (RFC 3706 7: starts random, one more
 * for every R-U-THERE, retransmissions included). While no matching
 * R-U-THERE-ACK comes, a new R-U-THERE goes out every dpd_delay (or every
 * dpd_timeout when shorter); once dpd_timeout has gone by the peer is
 * dead and dpd_action runs: clear deletes the SAs; hold first asks the
 * engine's user for the connection's trap policy (env.hold: the daemon's
 * `auto = route` trap, RFC 4301 5.2), so that once the SAs are gone the
 * next packet for the selectors makes the kernel send an ACQUIRE and a new
 * negotiation starts, then deletes the SAs; restart deletes and initiates
 * Main Mode and Quick Mode again.
 *
 * Liveness is judged from IKE messages: the kernel backend has no usage
 * counters to show inbound ESP, so an idle-but-working tunnel is asked
 * every dpd_delay (the periodic mode RFC 3706 5 allows).
 */
#include <stdio.h>

#include <sodium.h>

#include "common/log.h"
#include "v1/v1_sa.h"

static uint32_t interval(const struct v1_conn *c)
{
	uint32_t d = c->dpd_delay_s ? c->dpd_delay_s : 30;

	return c->dpd_timeout_s && c->dpd_timeout_s < d ? c->dpd_timeout_s : d;
}

void v1_dpd_start(struct v1_isakmp_sa *sa)
{
	const struct v1_conn *c = sa->conn;

	if (!c->dpd_delay_s)
		return;
	if (!sa->peer_dpd) {
		log_info(&sa->sad.logger, "DPD configured but the peer did not send the DPD "
			 "vendor ID (RFC 3706 4): not asking it R-U-THERE");
		return;
	}
	sa->dpd_seq = randombytes_uniform(0x7fffffff) + 1;
	sa->dpd_waiting = false;
	sa->heard = false;
	v1_timer_arm(sa->eng, &sa->dpd, c->dpd_delay_s, v1_dpd_fire, sa);
}

static void send_r_u_there(struct v1_isakmp_sa *sa)
{
	sa->dpd_seq++;
	sa->eng->counters.dpd_sent++;
	log_debug(&sa->sad.logger, "DPD: R-U-THERE sequence %u", sa->dpd_seq);
	v1_info_send_dpd(sa, V1_N_R_U_THERE, sa->dpd_seq);
}

static void dead(struct v1_isakmp_sa *sa)
{
	struct v1_engine *e = sa->eng;
	struct v1_conn *c = v1_conn_ref(sa->conn);
	char why[256];

	e->counters.dpd_dead++;
	switch (c->dpd_action) {
	case V1_DPD_CLEAR:
		log_warn(&sa->sad.logger, "DPD: no answer for %us; peer dead, SAs cleared",
			 sa->dpd_waited_s);
		break;
	case V1_DPD_HOLD:
		log_warn(&sa->sad.logger, "DPD: no answer for %us; peer dead, action hold",
			 sa->dpd_waited_s);
		/* the trap first: its policy stands before the SA's goes, no gap */
		if (!e->env.hold)
			log_warn(&sa->sad.logger, "dpd_action = hold without a trap keeper: cleared");
		else if (e->env.hold(e->env.arg, c->name) < 0)
			log_warn(&sa->sad.logger, "dpd_action = hold: no trap policy; SAs cleared");
		else
			e->counters.dpd_held++;
		break;
	case V1_DPD_RESTART:
		log_warn(&sa->sad.logger, "DPD: no answer for %us; peer dead, restarting",
			 sa->dpd_waited_s);
		break;
	}
	/* the peer is gone: no Deletes (nobody would read them) */
	v1_isakmp_sa_free(sa);
	if (c->dpd_action == V1_DPD_RESTART) {
		if (v1_engine_initiate(e, c->name, why, sizeof(why)) < 0)
			log_warn(&log_global, "DPD restart of %s: %s", c->name, why);
		else
			log_info(&log_global, "DPD restart: %s", why);
	}
	v1_conn_unref(c);
}

void v1_dpd_fire(int fd, short what, void *arg)
{
	struct v1_isakmp_sa *sa = arg;
	const struct v1_conn *c = sa->conn;

	(void)fd;
	(void)what;
	sa->dpd.armed = false;
	if (sa->state != V1S_ESTABLISHED)
		return;
	if (!sa->dpd_waiting) {
		if (sa->heard) {
			sa->heard = false;
			v1_timer_arm(sa->eng, &sa->dpd, c->dpd_delay_s, v1_dpd_fire, sa);
			return;
		}
		sa->dpd_waiting = true;
		sa->dpd_waited_s = 0;
		send_r_u_there(sa);
		v1_timer_arm(sa->eng, &sa->dpd, interval(c), v1_dpd_fire, sa);
		return;
	}
	sa->dpd_waited_s += interval(c);
	if (sa->dpd_waited_s >= (c->dpd_timeout_s ? c->dpd_timeout_s : 150)) {
		dead(sa);
		return;
	}
	send_r_u_there(sa);
	v1_timer_arm(sa->eng, &sa->dpd, interval(c), v1_dpd_fire, sa);
}

void v1_dpd_ack(struct v1_isakmp_sa *sa, uint32_t seq)
{
	if (!sa->dpd_waiting || seq != sa->dpd_seq) {
		log_debug(&sa->sad.logger, "DPD: R-U-THERE-ACK %u not the one awaited (%u); ignored",
			  seq, sa->dpd_seq);
		return;
	}
	sa->eng->counters.dpd_acked++;
	sa->dpd_waiting = false;
	sa->heard = false;
	log_debug(&sa->sad.logger, "DPD: R-U-THERE-ACK %u: peer alive", seq);
	v1_timer_arm(sa->eng, &sa->dpd, sa->conn->dpd_delay_s, v1_dpd_fire, sa);
}
