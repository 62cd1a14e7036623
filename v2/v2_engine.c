/*
 * v2_engine.c - the way in: a message is parsed, its IKE SA found by the
 * SPIs, its message ID checked against the window of one (RFC 7296 2.3),
 * its SK payload verified and opened (3.14), its payloads checked against
 * the exchange's rules (v2_rules), and only then the state table runs.
 * Also the engine's life, connections, up/down and listings.
 */
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/log.h"
#include "v2/v2_cert.h"
#include "v2/v2_frag.h"
#include "v2/v2_ike_sa.h"
#include "v2/v2_names.h"
#include "v2/v2_rules.h"

int v2_engine_new(const struct v2_engine_params *p, struct v2_engine **out)
{
	struct v2_engine *e = calloc(1, sizeof(*e));

	if (!e)
		return ERR_NOMEM;
	e->p = *p;
	if (e->p.retransmit_tries == 0)
		e->p.retransmit_tries = 5;
	if (e->p.retransmit_timeout_ms == 0)
		e->p.retransmit_timeout_ms = 500;
	if (e->p.ike_port == 0)
		e->p.ike_port = 500;
	if (e->p.natt_port == 0)
		e->p.natt_port = 4500;
	if (e->p.half_open_timeout_ms == 0)
		e->p.half_open_timeout_ms = V2_HALF_OPEN_MS;
	*out = e;
	return 0;
}

void v2_engine_free(struct v2_engine *e)
{
	if (!e)
		return;
	while (e->first)
		v2_ike_sa_free(e->first);
	free(e->conns);
	for (size_t i = 0; i < e->n_retired; i++)
		free(e->retired[i]);
	free(e->retired);
	v2_cookie_wipe(e);
	v2_psk_cache_flush(&e->psk_cache);
	free(e);
}

int v2_engine_set_conns(struct v2_engine *e, const struct v2_conn *conns, size_t n)
{
	struct v2_conn *copy = n ? calloc(n, sizeof(*copy)) : NULL;
	struct v2_conn **r;

	if (n && !copy)
		return ERR_NOMEM;
	if (e->conns) {
		r = realloc(e->retired, (e->n_retired + 1) * sizeof(*r));
		if (!r) {
			free(copy);
			return ERR_NOMEM;
		}
		e->retired = r;
		e->retired[e->n_retired++] = e->conns;
	}
	if (n)
		memcpy(copy, conns, n * sizeof(*copy));
	e->conns = copy;
	e->n_conns = n;
	v2_auth_sig_conns_replaced(e); /* borrowed credentials of the old rows */
	v2_psk_cache_flush(&e->psk_cache); /* a reload re-reads the secrets too */
	return 0;
}

const struct v2_conn *v2_engine_find_conn(const struct v2_engine *e, const char *name)
{
	for (size_t i = 0; i < e->n_conns; i++)
		if (strcmp(e->conns[i].name, name) == 0)
			return &e->conns[i];
	return NULL;
}

static bool is_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

/*
 * A request or response that is not the one we wait for changes nothing
 * (2.3). 1: handle it; 0: a retransmitted request, answered from the
 * cache; -1: dropped.
 */
static int msgid_check(struct v2_ike_sa *sa, const struct v2_msg *m,
			     const struct v2_datagram *dg)
{
	struct v2_engine *e = sa->eng;
	uint32_t id = m->hdr.message_id;

	if (v2_msg_is_response(m)) {
		if (sa->req_outstanding && id == sa->send_msgid)
			return 1;
		log_unauth(&sa->sad.logger, LOG_LEVEL_DEBUG,
			   "response with message ID %u, expected %s%u; dropped", id,
			   sa->req_outstanding ? "" : "none, last ", sa->send_msgid);
		e->stats.dropped_msgid++;
		return -1;
	}
	if (id == sa->recv_msgid)
		return 1;
	if (sa->have_resp && id + 1 == sa->recv_msgid) {
		/*
		 * a retransmitted request: answer from the cache (2.1); a
		 * fragmented one only on its fragment 1, not once per
		 * fragment (RFC 7383 2.6.1)
		 */
		if (m->encrypted && m->enc_type == V2_PT_SKF && !v2_frag_is_first(m))
			return 0;
		v2_frag_send_all(e, dg, sa->resp_msg, sa->resp_len);
		e->stats.responses_resent++;
		log_debug(&sa->sad.logger, "retransmitted request %u answered from the cache", id);
		/* The initiator is still retrying IKE_SA_INIT, so our answer was
		 * lost: its IKE_AUTH can only start once an answer arrives. The
		 * half-open lifetime counts from the latest try, or a lossy path
		 * would see the SA go just as IKE_AUTH comes (2.1, 2.4). Load is
		 * still bounded by the half-open count and COOKIEs (2.6). */
		if (sa->half_open && m->hdr.exchange == V2_EXCH_IKE_SA_INIT &&
		    sa->timer_armed && sa->timer_kind == V2T_HALF_OPEN)
			v2_timer_arm(sa, V2T_HALF_OPEN, e->p.half_open_timeout_ms);
		return 0;
	}
	log_unauth(&sa->sad.logger, LOG_LEVEL_DEBUG,
		   "request with message ID %u, expected %u; dropped", id, sa->recv_msgid);
	e->stats.dropped_msgid++;
	return -1;
}

/* A new responder SA for an IKE_SA_INIT request (checked against its rules). */
static struct v2_ike_sa *respond_new(struct v2_engine *e, const struct v2_msg *m,
				     const struct v2_datagram *dg)
{
	struct v2_ike_sa *sa = v2_sa_init_conn_for(e, &dg->local, &dg->peer);
	uint8_t spi_r[8];

	if (!sa)
		return NULL;
	if (sad_new_ike_spi(e->p.sad, 2, spi_r) ||
	    sad_add_ike(e->p.sad, &sa->sad, m->hdr.spi_i, spi_r, false)) {
		v2_ike_sa_free(sa);
		return NULL;
	}
	sa->natt = dg->natt;
	return sa;
}

/* A protected message from the peer on another address or port: the NAT moved it (2.23). */
static void follow_peer(struct v2_ike_sa *sa, const struct v2_datagram *dg)
{
	if (sa->natt == dg->natt && memcmp(&sa->peer, &dg->peer, sizeof(dg->peer)) == 0)
		return;
	if (!dg->natt && sa->natt)
		return; /* never back from 4500 to 500 */
	log_info(&sa->sad.logger, "peer now at %s port %u", dg->natt ? "NAT-T" : "IKE",
		 (unsigned)kernel_addr_port(&dg->peer));
	sa->peer = dg->peer;
	sa->local = dg->local;
	sa->natt = dg->natt;
	sad_change_peer(sa->eng->p.sad, &sa->sad, &dg->peer);
}

/*
 * An SKF fragment (RFC 7383 2.6): verified and kept; once the last one is
 * in, *plain (and *cap) become the joined inner chain, parsed into m.
 * *pending: kept, more to come (rc 0).
 */
static int input_fragment(struct v2_ike_sa *sa, struct v2_msg *m, uint8_t **plain, size_t *cap,
			  bool *pending)
{
	bool complete;
	uint8_t *joined = NULL;
	size_t joined_len = 0;
	int rc = v2_frag_input(sa, m, &complete, &joined, &joined_len);

	*pending = false;
	if (rc == ERR_INTEGRITY)
		return rc;
	if (rc) {
		sa->eng->stats.dropped_malformed++;
		log_unauth(&sa->sad.logger, LOG_LEVEL_INFO, "%s %s %u: fragment refused (%s); dropped",
			   v2_exchange_name(m->hdr.exchange),
			   v2_msg_is_response(m) ? "response" : "request", m->hdr.message_id,
			   err_str(rc));
		return ERR_STATE; /* not malformed inside: no INVALID_SYNTAX answer */
	}
	if (!complete) {
		*pending = true;
		return 0;
	}
	secret_wipe(*plain, *cap);
	free(*plain);
	*plain = joined;
	*cap = joined_len;
	return v2_msg_parse_inner(m, joined, joined_len);
}

static int input_protected(struct v2_ike_sa *sa, struct v2_msg *m, const struct v2_datagram *dg,
			   struct v2_ctx *ctx, uint8_t **plain, size_t *cap, bool *pending)
{
	struct v2_engine *e = sa->eng;
	struct v2_sk_keys k;
	size_t plain_len;
	int rc;

	*pending = false;
	if (!sa->have_keys || !m->encrypted) {
		e->stats.dropped_malformed++;
		log_unauth(&sa->sad.logger, LOG_LEVEL_INFO, "%s without usable SK payload; dropped",
			   v2_exchange_name(m->hdr.exchange));
		return ERR_PARSE;
	}
	if (m->enc_type == V2_PT_SKF) {
		rc = input_fragment(sa, m, plain, cap, pending);
		if (rc == ERR_STATE || *pending)
			return rc;
	} else {
		v2_ike_sa_sk_keys(sa, false, &k);
		rc = v2_sk_unprotect(m, &k, *plain, *cap, &plain_len);
	}
	if (rc == ERR_INTEGRITY) {
		e->stats.dropped_integrity++;
		log_unauth(&sa->sad.logger, LOG_LEVEL_INFO, "%s %s %u: integrity check failed; dropped",
			   v2_exchange_name(m->hdr.exchange),
			   v2_msg_is_response(m) ? "response" : "request", m->hdr.message_id);
		return rc;
	}
	if (rc == ERR_UNSUPPORTED && !v2_msg_is_response(m)) {
		/* authentic, but an unknown critical payload inside (2.5) */
		ctx->notify = V2_N_UNSUPPORTED_CRITICAL_PAYLOAD;
		ctx->notify_data[0] = m->unsupported_critical;
		ctx->notify_data_len = 1;
		v2_complete(sa, ctx, V2V_REPLY_NOTIFY, sa->state);
		return rc;
	}
	if (rc) {
		e->stats.dropped_malformed++;
		log_info(&sa->sad.logger, "%s: inner payloads malformed (%s); dropped",
			 v2_exchange_name(m->hdr.exchange), m->why ? m->why : err_str(rc));
		return rc;
	}
	(void)dg;
	return 0;
}

int v2_engine_input(struct v2_engine *e, const struct v2_datagram *dg)
{
	struct v2_msg *m = malloc(sizeof(*m)); /* v2_msg_parse() sets it up */
	uint8_t *plain = NULL;
	size_t plain_cap = 0;
	struct v2_ctx *ctx = v2_ctx_new();
	struct v2_ike_sa *sa;
	char why[160];
	bool response, new_sa = false, pending = false;
	int rc;

	if (!m || !ctx) {
		rc = ERR_NOMEM;
		goto out;
	}
	rc = v2_msg_parse(m, dg->data, dg->len);
	if (rc) {
		e->stats.dropped_malformed++;
		log_unauth(&log_global, LOG_LEVEL_INFO, "IKEv2 message malformed (%s); dropped",
			   m->why ? m->why : err_str(rc));
		goto out;
	}
	response = v2_msg_is_response(m);
	sa = v2_ike_sa_find(e, &m->hdr, &dg->peer);
	if (!sa) {
		if (m->hdr.exchange != V2_EXCH_IKE_SA_INIT || response || m->hdr.message_id != 0 ||
		    !is_zero(m->hdr.spi_r, 8)) {
			e->stats.dropped_no_sa++;
			log_unauth(&log_global, LOG_LEVEL_INFO, "IKEv2 %s %s: no IKE SA for its SPIs; dropped",
				   v2_exchange_name(m->hdr.exchange), response ? "response" : "request");
			rc = ERR_NOTFOUND;
			goto out;
		}
		if (v2_rules_check(m, why, sizeof(why))) {
			e->stats.dropped_malformed++;
			log_unauth(&log_global, LOG_LEVEL_INFO, "IKEv2 %s; dropped", why);
			rc = ERR_PARSE;
			goto out;
		}
		if (v2_cookie_gate(e, m, dg)) {
			rc = 0; /* answered with N(COOKIE), nothing kept (2.6) */
			goto out;
		}
		sa = respond_new(e, m, dg);
		if (!sa) {
			rc = ERR_NOTFOUND;
			goto out;
		}
		new_sa = true;
	}
	if (!new_sa && !response && m->hdr.exchange == V2_EXCH_IKE_SA_INIT)
		v2_cookie_note_retry(sa, m, dg); /* the latest request 1 is signed (2.15) */
	if (sa->job) {
		e->stats.dropped_busy++;
		log_debug(&sa->sad.logger, "message while a crypto job runs; dropped");
		rc = ERR_STATE;
		goto out;
	}
	if (!new_sa && (rc = msgid_check(sa, m, dg)) != 1) {
		rc = rc == 0 ? 0 : ERR_STATE;
		goto out;
	}
	ctx->dg = dg;
	ctx->msg = m;
	ctx->exchange = m->hdr.exchange;
	if (m->hdr.exchange != V2_EXCH_IKE_SA_INIT) {
		plain_cap = dg->len;
		plain = malloc(plain_cap);
		if (!plain) {
			rc = ERR_NOMEM;
			goto out;
		}
		rc = input_protected(sa, m, dg, ctx, &plain, &plain_cap, &pending);
		if (rc || pending)
			goto out; /* pending: a fragment kept until the others come (RFC 7383 2.6) */
		follow_peer(sa, dg);
		/* authentic: the peer is alive (2.4) */
		sa->last_heard_ms = v2_now_ms();
		sa->dpd_sent_ms = 0;
	}
	if (!new_sa && v2_rules_check(m, why, sizeof(why))) {
		e->stats.dropped_malformed++;
		log_info(&sa->sad.logger, "%s", why);
		if (!response && m->hdr.exchange != V2_EXCH_IKE_SA_INIT) {
			ctx->notify = V2_N_INVALID_SYNTAX;
			v2_complete(sa, ctx, V2V_REPLY_NOTIFY, sa->state);
		}
		rc = ERR_PARSE;
		goto out;
	}
	v2_states_dispatch(sa, ctx); /* sa may be gone afterwards */
	rc = 0;
out:
	if (plain)
		secret_wipe(plain, plain_cap);
	free(plain);
	free(ctx); /* out holds no plaintext (v2_ike_sa.h) */
	free(m);
	return rc;
}

int v2_engine_up(struct v2_engine *e, const char *name)
{
	const struct v2_conn *c = v2_engine_find_conn(e, name);
	struct v2_ike_sa *sa;
	struct sockaddr_storage local, peer;
	uint8_t spi_i[8], zero[8] = { 0 };
	struct v2_ctx ctx;

	if (!c)
		return ERR_NOTFOUND;
	if (c->remote.ss_family == AF_UNSPEC || c->local.ss_family == AF_UNSPEC) {
		log_error(&log_global, "connection %s: initiating needs `local` and `remote` addresses",
			  c->name);
		return ERR_INVAL;
	}
	local = c->local;
	peer = c->remote;
	kernel_addr_set_port(&local, e->p.ike_port);
	kernel_addr_set_port(&peer, e->p.ike_port);
	sa = v2_ike_sa_new(e, c, true, &local, &peer);
	if (!sa)
		return ERR_NOMEM;
	if (sad_new_ike_spi(e->p.sad, 2, spi_i) || sad_add_ike(e->p.sad, &sa->sad, spi_i, zero, true)) {
		v2_ike_sa_free(sa);
		return ERR_STATE;
	}
	sa->ke_group = 0; /* the first group of the first proposal */
	memset(&ctx, 0, sizeof(ctx));
	log_info(&sa->sad.logger, "initiating IKEv2 to connection %s", c->name);
	v2_complete(sa, &ctx, v2_sa_init_start(sa), V2S_I_INIT_SENT);
	return 0;
}

size_t v2_engine_down(struct v2_engine *e, const char *name)
{
	size_t n = 0;
	struct v2_ike_sa *sa = e->first, *next;

	for (; sa; sa = next) {
		next = sa->next;
		if (strcmp(sa->conn->name, name) != 0 || sa->state == V2S_DELETING)
			continue;
		n++;
		if (!v2_info_delete_ike(sa))
			v2_ike_sa_free(sa);
	}
	return n;
}

void v2_engine_shutdown(struct v2_engine *e)
{
	struct v2_ike_sa *sa, *next;

	for (sa = e->first; sa; sa = next) {
		next = sa->next;
		if (sa->state == V2S_ESTABLISHED)
			v2_info_delete_ike(sa); /* sent once; no wait for the answer */
	}
	while (e->first)
		v2_ike_sa_free(e->first);
}

void v2_engine_foreach_sa(const struct v2_engine *e, v2_sa_visit_fn fn, void *arg)
{
	struct v2_sa_info info;

	for (const struct v2_ike_sa *sa = e->first; sa; sa = sa->next) {
		v2_ike_sa_info(sa, &info);
		fn(&info, arg);
	}
}

size_t v2_engine_count_sas(const struct v2_engine *e)
{
	return e->n_sas;
}

const struct v2_engine_stats *v2_engine_stats(const struct v2_engine *e)
{
	return &e->stats;
}

void v2_engine_rotate_cookie_secret(struct v2_engine *e)
{
	v2_cookie_rotate(e);
}

size_t v2_engine_fire_timers(struct v2_engine *e)
{
	size_t n = 0;
	struct v2_ike_sa *sa, *next;

	for (sa = e->first; sa; sa = next) {
		next = sa->next;
		if (sa->timer_armed) {
			n++;
			v2_timer_fire(sa);
		}
	}
	return n;
}
