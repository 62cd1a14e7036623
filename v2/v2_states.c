/*
 * v2_states.c - the IKEv2 state table and complete(), the one place that
 * sends, caches responses, switches state and arms timers (STYLE.md
 * "state tables", "handler verdict").
 *
 * Reading the table tells what the engine accepts: a message that matches
 * no row (an exchange unexpected in the state, a response nobody asked
 * for) is dropped, counted and changes nothing.
 *
 *   Initiator                        Responder
 *   HDR, SAi1, KEi, Ni   -->                               (R_NEW -> R_INIT_DONE)
 *   (I_INIT_SENT)        <--  HDR, SAr1, KEr, Nr
 *   HDR, SK {IDi, AUTH, SAi2, TSi, TSr}  -->               (R_INIT_DONE -> ESTABLISHED)
 *   (I_AUTH_SENT)        <--  HDR, SK {IDr, AUTH, SAr2, TSi, TSr}
 *   (ESTABLISHED)             INFORMATIONAL either way (Delete, liveness)
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/log.h"
#include "v2/v2_frag.h"
#include "v2/v2_ike_sa.h"
#include "v2/v2_names.h"

typedef enum v2_verdict (*v2_handler_fn)(struct v2_ike_sa *sa, struct v2_ctx *ctx);

struct v2_row {
	enum v2_state from;
	enum v2_role role;
	uint8_t exchange;
	bool response;
	v2_handler_fn fn;
	enum v2_state to;
	const char *what;
};

struct v2_ctx *v2_ctx_new(void)
{
	struct v2_ctx *ctx = malloc(sizeof(*ctx));

	if (ctx)
		memset(ctx, 0, offsetof(struct v2_ctx, out));
	return ctx;
}

static const struct v2_row v2_rows[] = {
	/* RFC 7296 1.2: the initial exchanges */
	{ V2S_R_NEW, V2_ROLE_R, V2_EXCH_IKE_SA_INIT, false, v2_sa_init_respond, V2S_R_INIT_DONE,
	  "IKE_SA_INIT request" },
	{ V2S_I_INIT_SENT, V2_ROLE_I, V2_EXCH_IKE_SA_INIT, true, v2_sa_init_process_response,
	  V2S_I_AUTH_SENT, "IKE_SA_INIT response" },
	{ V2S_R_INIT_DONE, V2_ROLE_R, V2_EXCH_IKE_AUTH, false, v2_auth_respond, V2S_ESTABLISHED,
	  "IKE_AUTH request" },
	{ V2S_I_AUTH_SENT, V2_ROLE_I, V2_EXCH_IKE_AUTH, true, v2_auth_process_response,
	  V2S_ESTABLISHED, "IKE_AUTH response" },
	/* 1.3: new child, child rekey, IKE SA rekey */
	{ V2S_ESTABLISHED, V2_ROLE_ANY, V2_EXCH_CREATE_CHILD_SA, false, v2_ccsa_respond,
	  V2S_ESTABLISHED, "CREATE_CHILD_SA request" },
	{ V2S_ESTABLISHED, V2_ROLE_ANY, V2_EXCH_CREATE_CHILD_SA, true, v2_ccsa_process_response,
	  V2S_ESTABLISHED, "CREATE_CHILD_SA response" },
	/* 2.25: a CREATE_CHILD_SA crossing our Delete */
	{ V2S_DELETING, V2_ROLE_ANY, V2_EXCH_CREATE_CHILD_SA, false, v2_child_refuse,
	  V2S_DELETING, "CREATE_CHILD_SA request while deleting" },
	/* 1.4: Delete and liveness */
	{ V2S_ESTABLISHED, V2_ROLE_ANY, V2_EXCH_INFORMATIONAL, false, v2_info_respond,
	  V2S_ESTABLISHED, "INFORMATIONAL request" },
	{ V2S_ESTABLISHED, V2_ROLE_ANY, V2_EXCH_INFORMATIONAL, true, v2_info_process_response,
	  V2S_ESTABLISHED, "INFORMATIONAL response" },
	{ V2S_DELETING, V2_ROLE_ANY, V2_EXCH_INFORMATIONAL, false, v2_info_respond,
	  V2S_DELETING, "INFORMATIONAL request while deleting" },
	{ V2S_DELETING, V2_ROLE_ANY, V2_EXCH_INFORMATIONAL, true, v2_info_process_response,
	  V2S_GONE, "INFORMATIONAL response to our Delete" },
};

void v2_states_dispatch(struct v2_ike_sa *sa, struct v2_ctx *ctx)
{
	const struct v2_msg *m = ctx->msg;
	bool response = v2_msg_is_response(m);
	enum v2_verdict v;

	for (size_t i = 0; i < sizeof(v2_rows) / sizeof(v2_rows[0]); i++) {
		const struct v2_row *r = &v2_rows[i];

		if (r->from != sa->state || r->exchange != m->hdr.exchange || r->response != response)
			continue;
		if (r->role != V2_ROLE_ANY && (r->role == V2_ROLE_I) != sa->initiator)
			continue;
		if (response) {
			/* the answer to our request: the window moves on (2.3) */
			sa->req_outstanding = false;
			sa->send_msgid++;
			v2_timer_cancel(sa);
		}
		log_debug(&sa->sad.logger, "%s in %s", r->what, v2_state_name(sa->state));
		v = r->fn(sa, ctx);
		v2_complete(sa, ctx, v, v == V2V_OK && ctx->stay ? sa->state : r->to);
		return;
	}
	sa->eng->stats.dropped_unexpected++;
	log_unauth(&sa->sad.logger, LOG_LEVEL_INFO,
		   "%s %s %u unexpected in state %s (%s); dropped",
		   v2_exchange_name(m->hdr.exchange), response ? "response" : "request",
		   m->hdr.message_id, v2_state_name(sa->state),
		   sa->initiator ? "initiator" : "responder");
	if (sa->state == V2S_R_NEW)
		v2_ike_sa_free(sa);
}

static void send_response(struct v2_ike_sa *sa, struct v2_ctx *ctx)
{
	struct v2_datagram dg;
	uint8_t *copy = malloc(ctx->out_len);

	memset(&dg, 0, sizeof(dg));
	if (ctx->dg) {
		dg.local = ctx->dg->local;
		dg.peer = ctx->dg->peer;
		dg.natt = ctx->dg->natt;
	} else {
		dg.local = sa->local;
		dg.peer = sa->peer;
		dg.natt = sa->natt;
	}
	v2_frag_send_all(sa->eng, &dg, ctx->out, ctx->out_len);
	/* cache it (all its fragments, RFC 7383 2.6.1) for a retransmitted request (2.1) */
	if (copy) {
		memcpy(copy, ctx->out, ctx->out_len);
		free(sa->resp_msg);
		sa->resp_msg = copy;
		sa->resp_len = ctx->out_len;
		sa->have_resp = true;
	}
	sa->recv_msgid++;
}

static void send_request(struct v2_ike_sa *sa, struct v2_ctx *ctx)
{
	uint8_t *copy = malloc(ctx->out_len);

	if (!copy)
		return;
	memcpy(copy, ctx->out, ctx->out_len);
	free(sa->req_msg);
	sa->req_msg = copy;
	sa->req_len = ctx->out_len;
	sa->req_outstanding = true;
	sa->req_tries = 1;
	v2_send_raw(sa, sa->req_msg, sa->req_len);
	v2_timer_arm(sa, V2T_RETRANSMIT, sa->eng->p.retransmit_timeout_ms);
}

static void fail(struct v2_ike_sa *sa, const struct v2_ctx *ctx)
{
	struct v2_engine *e = sa->eng;
	const char *why = ctx->why ? ctx->why : "negotiation failed";

	if (sa->state != V2S_ESTABLISHED && sa->state != V2S_DELETING) {
		e->stats.ike_failed++;
		log_warn(&sa->sad.logger, "IKE SA failed in %s: %s", v2_state_name(sa->state), why);
		if (e->p.hooks.failed)
			e->p.hooks.failed(e->p.hooks.arg, sa->conn->name, why,
					  sa->state == V2S_I_INIT_SENT && ctx->no_answer);
	} else {
		log_info(&sa->sad.logger, "IKE SA deleted: %s", why);
	}
	v2_ike_sa_free(sa);
}

void v2_states_established(struct v2_ike_sa *sa)
{
	struct v2_engine *e = sa->eng;
	struct v2_sa_info info;

	v2_ike_sa_info(sa, &info);
	if (!sa->rekey_of)
		e->stats.ike_established++; /* a rekey counts in ike_rekeyed */
	log_info(&sa->sad.logger, "IKE SA established (%s, %s, %s, %s) with %s, %zu child SA(s)%s%s",
		 info.encr, info.integ, info.prf, info.ke, info.peer_id, info.n_children,
		 sa->natt ? ", NAT-T" : "", sa->rekey_of ? ", by a rekey" : "");
	if (e->p.hooks.established)
		e->p.hooks.established(e->p.hooks.arg, &info);
}

void v2_complete(struct v2_ike_sa *sa, struct v2_ctx *ctx, enum v2_verdict v, enum v2_state to)
{
	bool handling_request = ctx->msg && !v2_msg_is_response(ctx->msg);
	enum v2_state from = sa->state;

	switch (v) {
	case V2V_SUSPEND:
		sa->resume_to = to;
		return;
	case V2V_IGNORE:
		sa->eng->stats.dropped_unexpected++;
		if (sa->state == V2S_R_NEW)
			v2_ike_sa_free(sa);
		return;
	case V2V_REPLY_NOTIFY:
		if (handling_request && v2_send_notify_reply(sa, ctx) == 0) {
			sa->eng->stats.notifies_sent++;
			send_response(sa, ctx);
		}
		if (sa->state == V2S_R_NEW)
			v2_ike_sa_free(sa);
		return;
	case V2V_FAIL_NOTIFY:
		if (handling_request && v2_send_notify_reply(sa, ctx) == 0) {
			sa->eng->stats.notifies_sent++;
			send_response(sa, ctx);
		}
		fail(sa, ctx);
		return;
	case V2V_FAIL_DELETE:
		fail(sa, ctx);
		return;
	case V2V_DONE_DELETE:
		if (ctx->response_to_send)
			send_response(sa, ctx);
		log_info(&sa->sad.logger, "IKE SA deleted%s", ctx->why ? ctx->why : "");
		v2_ike_sa_free(sa);
		return;
	case V2V_OK:
		break;
	}
	if (ctx->response_to_send)
		send_response(sa, ctx);
	if (ctx->request_to_send)
		send_request(sa, ctx);
	if (to == V2S_GONE) {
		log_info(&sa->sad.logger, "IKE SA deleted");
		v2_ike_sa_free(sa);
		return;
	}
	sa->state = to;
	if (sa->half_open && to != V2S_R_NEW && to != V2S_R_INIT_DONE) {
		sa->half_open = false; /* IKE_AUTH done: no longer COOKIE load (2.6) */
		sa->eng->n_half_open--;
	}
	if (to == V2S_R_INIT_DONE && from != to)
		v2_timer_arm(sa, V2T_HALF_OPEN, sa->eng->p.half_open_timeout_ms);
	if (to == V2S_ESTABLISHED && from != V2S_ESTABLISHED) {
		v2_ike_sa_drop_init(sa); /* both AUTHs are checked (2.15) */
		if (!sa->req_outstanding)
			v2_timer_cancel(sa);
		sa->last_heard_ms = v2_now_ms();
		v2_ike_schedule_rekey(sa);
		v2_states_established(sa);
	}
	if (to == V2S_ESTABLISHED)
		v2_maint_arm(sa);
}
