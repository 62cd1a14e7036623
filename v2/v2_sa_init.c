/*
 * v2_sa_init.c - IKE_SA_INIT (RFC 7296 1.2, 2.6, 2.10, 2.14, 2.23).
 *
 *   Initiator                         Responder
 *   HDR, SAi1, KEi, Ni, [N(NAT_D)]  -->
 *                                <--  HDR, SAr1, KEr, Nr, [N(NAT_D)]
 *                                <--  HDR, N(INVALID_KE_PAYLOAD, group)  (1.2: retry)
 *                                <--  HDR, N(NO_PROPOSAL_CHOSEN)
 *                                <--  HDR, N(COOKIE)  (2.6: again with it first)
 *
 * The KE computation is a job (DESIGN.md): the handlers return SUSPEND and
 * the job's completion re-enters through v2_complete(). Our nonces are 32
 * random octets from libsodium.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "common/err.h"
#include "common/integ.h"
#include "common/keylog.h"
#include "common/log.h"
#include "v2/v2_cert.h"
#include "v2/v2_frag.h"
#include "v2/v2_ike_sa.h"
#include "v2/v2_names.h"
#include "v2/v2_rules.h"

static bool addr_fits(const struct sockaddr_storage *conf, const struct sockaddr_storage *got)
{
	return conf->ss_family == AF_UNSPEC || kernel_addr_equal(conf, got);
}

struct v2_ike_sa *v2_sa_init_conn_for(struct v2_engine *e, const struct sockaddr_storage *local,
				      const struct sockaddr_storage *peer)
{
	char buf[64];

	for (size_t i = 0; i < e->n_conns; i++) {
		const struct v2_conn *c = &e->conns[i];

		if (c->n_ike && addr_fits(&c->remote, peer) && addr_fits(&c->local, local))
			return v2_ike_sa_new(e, c, false, local, peer);
	}
	log_unauth(&log_global, LOG_LEVEL_INFO, "IKEv2 IKE_SA_INIT from %s: no connection for it; dropped",
		   kernel_addr_str(peer, buf, sizeof(buf)));
	return NULL;
}

static uint8_t *dup_bytes(const uint8_t *p, size_t len)
{
	uint8_t *d = malloc(len ? len : 1);

	if (d)
		memcpy(d, p, len);
	return d;
}

int v2_sa_init_make_keys(struct v2_ike_sa *sa)
{
	const struct xform *encr = sa->ike.encr, *integ = sa->ike.integ;
	enum prf_alg prf = (enum prf_alg)sa->ike.prf->v2_id;
	size_t integ_len = integ ? integ_key_len((enum integ_alg)integ->v2_id) : 0;
	size_t encr_len = encr->key_bits / 8u + encr->salt_size;
	struct secret *skeyseed = NULL;
	struct v2_ike_keys keys;
	int rc;

	rc = v2_skeyseed(prf, sa->ni, sa->ni_len, sa->nr, sa->nr_len, sa->gir->bytes, sa->gir->len,
			 &skeyseed);
	memset(&keys, 0, sizeof(keys));
	if (rc == 0)
		rc = v2_ike_keys_derive(&keys, prf, skeyseed, sa->ni, sa->ni_len, sa->nr, sa->nr_len,
					sa->sad.spi_i, sa->sad.spi_r, integ_len, encr_len);
	secret_free(skeyseed);
	secret_free(sa->gir);
	sa->gir = NULL;
	if (rc) {
		log_error(&sa->sad.logger, "IKE SA keys: %s", err_str(rc));
		return rc;
	}
	sa->keys = keys;
	sa->have_keys = true;
	if (sa->eng->p.keylog) {
		struct keylog_ikev2 kl = {
			.encr_id = encr->v2_id, .sk_ei = keys.sk_ei->bytes, .sk_er = keys.sk_er->bytes,
			.sk_e_len = encr_len, .integ_id = integ ? integ->v2_id : 0,
			.sk_ai = keys.sk_ai->bytes, .sk_ar = keys.sk_ar->bytes, .sk_a_len = integ_len,
		};

		memcpy(kl.spi_i, sa->sad.spi_i, 8);
		memcpy(kl.spi_r, sa->sad.spi_r, 8);
		keylog_ikev2(sa->eng->p.keylog, &kl);
	}
	return 0;
}

/* ---- responder ---- */

static int put_sa_init_reply(struct v2_ike_sa *sa, struct v2_ctx *ctx)
{
	struct v2_header h;
	struct v2_msg_out out;
	struct v2_sa answer;
	int rc;

	v2_send_header(sa, &h, V2_EXCH_IKE_SA_INIT, true, 0);
	rc = v2_msg_out_init(&out, ctx->out, sizeof(ctx->out), &h);
	if (rc == 0)
		rc = v2_proposal_answer(&sa->ike, NULL, 0, &answer);
	if (rc == 0)
		rc = v2_put_sa(&out.chain, &answer);
	if (rc == 0)
		rc = v2_put_ke(&out.chain, sa->ke_group, sa->ke_reply, sa->ke_reply_len);
	if (rc == 0)
		rc = v2_put_nonce(&out.chain, sa->nr, sa->nr_len);
	if (rc == 0)
		rc = v2_cert_put_init(sa, &out.chain, true); /* CERTREQ, RFC 7427 4 */
	if (rc == 0)
		rc = v2_frag_put_init(sa, &out.chain, true); /* RFC 7383 2.3 */
	if (rc == 0)
		rc = v2_natd_put(&out.chain, sa->sad.spi_i, sa->sad.spi_r, &sa->local, &sa->peer);
	if (rc == 0)
		rc = v2_msg_out_finish(&out, &ctx->out_len);
	return rc;
}

static void respond_ke_done(void *owner, struct job_ke_result *r)
{
	struct v2_ike_sa *sa = owner;
	struct v2_ctx *ctx = v2_ctx_new();
	enum v2_verdict v = V2V_FAIL_DELETE;
	bool failed;

	if (!ctx) {
		v2_ike_sa_free(sa);
		return;
	}
	ctx->exchange = V2_EXCH_IKE_SA_INIT;
	if (r->err) {
		ctx->why = "the peer's KE data is not valid for its group";
		goto out;
	}
	sa->gir = r->shared;
	r->shared = NULL;
	sa->ke_reply = r->response; /* the job's, alive during this call */
	sa->ke_reply_len = r->response_len;
	failed = v2_sa_init_make_keys(sa) || put_sa_init_reply(sa, ctx);
	sa->ke_reply = NULL;
	if (failed) {
		ctx->why = "could not make the keys or the answer";
		goto out;
	}
	sa->init_r = dup_bytes(ctx->out, ctx->out_len);
	sa->init_r_len = ctx->out_len;
	if (!sa->init_r)
		goto out;
	ctx->response_to_send = true;
	v = V2V_OK;
out:
	v2_complete(sa, ctx, v, V2S_R_INIT_DONE);
	free(ctx);
}

enum v2_verdict v2_sa_init_respond(struct v2_ike_sa *sa, struct v2_ctx *ctx)
{
	const struct v2_msg *m = ctx->msg;
	const struct v2_conn *c = sa->conn;
	struct v2_sa *peer_sa = malloc(sizeof(*peer_sa));
	struct v2_chosen chosen;
	struct v2_ke ke;
	struct v2_bytes ni;
	enum v2_verdict v = V2V_FAIL_DELETE;
	int rc;

	if (!peer_sa)
		return V2V_FAIL_DELETE;
	if (v2_parse_sa(v2_msg_find(m, V2_PT_SA)->body, peer_sa) ||
	    v2_parse_ke(v2_msg_find(m, V2_PT_KE)->body, &ke) ||
	    v2_parse_nonce(v2_msg_find(m, V2_PT_NONCE)->body, &ni)) {
		ctx->why = "IKE_SA_INIT request malformed";
		goto out;
	}
	rc = v2_proposal_select(peer_sa, V2_PROTO_IKE, c->ike, c->n_ike, ke.group, &chosen);
	if (rc) {
		char *text = malloc(4096);

		if (text) {
			v2_proposal_mismatch_text(peer_sa, c->ike, c->n_ike, text, 4096);
			log_warn(&sa->sad.logger, "no IKE proposal of the peer is acceptable:\n%s", text);
			free(text);
		}
		ctx->notify = V2_N_NO_PROPOSAL_CHOSEN;
		ctx->why = "no acceptable IKE proposal (NO_PROPOSAL_CHOSEN)";
		v = V2V_FAIL_NOTIFY;
		goto out;
	}
	if (v2_chosen_needs_invalid_ke(&chosen, ke.group)) {
		/* 1.2: name the group we want; keep no state */
		ctx->notify = V2_N_INVALID_KE_PAYLOAD;
		ctx->notify_data[0] = (uint8_t)(chosen.ke->v2_id >> 8);
		ctx->notify_data[1] = (uint8_t)chosen.ke->v2_id;
		ctx->notify_data_len = 2;
		log_info(&sa->sad.logger, "peer's KE is group %u, asking for %s (INVALID_KE_PAYLOAD)",
			 ke.group, chosen.ke->iana_v2);
		v = V2V_REPLY_NOTIFY;
		goto out;
	}
	if (ke.data.len > KE_MAX_PUBLIC || ni.len > V2_NONCE_MAX) {
		ctx->why = "KE or nonce too long";
		goto out;
	}
	sa->init_i = dup_bytes(m->raw.p, m->raw.len);
	if (!sa->init_i)
		goto out;
	sa->init_i_len = m->raw.len;
	sa->ike = chosen;
	sa->ke_group = ke.group;
	if (v2_nonce_keep(&sa->ni, &sa->ni_len, ni.p, ni.len) ||
	    v2_nonce_keep(&sa->nr, &sa->nr_len, NULL, 0)) {
		ctx->why = "out of memory for the nonces";
		goto out;
	}
	v2_natd_check(sa, m, &ctx->dg->peer, &ctx->dg->local);
	v2_cert_note_init(sa, m);
	v2_frag_note_init(sa, m);
	if (job_ke_respond(sa->eng->p.jobs, ke.group, ke.data.p, ke.data.len, respond_ke_done, sa,
			   &sa->job)) {
		ctx->why = "could not start the KE job";
		goto out;
	}
	/* 2.6: counted from here (not only once answered), so a burst queued behind KE jobs counts */
	sa->half_open = true;
	sa->eng->n_half_open++;
	v = V2V_SUSPEND;
out:
	free(peer_sa);
	return v;
}

/* ---- initiator ---- */

static uint16_t first_group(const struct v2_conn *c)
{
	for (size_t p = 0; p < c->n_ike; p++)
		for (size_t i = 0; i < c->ike[p].n_xforms; i++)
			if (c->ike[p].xforms[i]->type == XFORM_KE)
				return c->ike[p].xforms[i]->v2_id;
	return 0;
}

static bool group_offered(const struct v2_conn *c, uint16_t group)
{
	for (size_t p = 0; p < c->n_ike; p++)
		for (size_t i = 0; i < c->ike[p].n_xforms; i++)
			if (c->ike[p].xforms[i]->type == XFORM_KE && c->ike[p].xforms[i]->v2_id == group)
				return true;
	return false;
}

static int put_sa_init_request(struct v2_ike_sa *sa, struct v2_ctx *ctx)
{
	struct v2_header h;
	struct v2_msg_out out;
	struct v2_sa *offer = malloc(sizeof(*offer));
	const uint8_t *pub;
	size_t pub_len;
	int rc;

	if (!offer)
		return ERR_NOMEM;
	v2_send_header(sa, &h, V2_EXCH_IKE_SA_INIT, false, 0);
	pub = ke_public(sa->keypair, &pub_len);
	rc = v2_msg_out_init(&out, ctx->out, sizeof(ctx->out), &h);
	/* 2.6: the responder's COOKIE goes first */
	if (rc == 0 && sa->cookie_len)
		rc = v2_put_notify(&out.chain, V2_PROTO_NONE, NULL, 0, V2_N_COOKIE, sa->cookie,
				   sa->cookie_len);
	if (rc == 0)
		rc = v2_proposal_offer(sa->conn->ike, sa->conn->n_ike, NULL, 0, offer);
	if (rc == 0)
		rc = v2_put_sa(&out.chain, offer);
	if (rc == 0)
		rc = v2_put_ke(&out.chain, sa->ke_group, pub, pub_len);
	if (rc == 0)
		rc = v2_put_nonce(&out.chain, sa->ni, sa->ni_len);
	if (rc == 0)
		rc = v2_cert_put_init(sa, &out.chain, false); /* RFC 7427 4 */
	if (rc == 0)
		rc = v2_frag_put_init(sa, &out.chain, false); /* RFC 7383 2.3 */
	if (rc == 0)
		rc = v2_natd_put(&out.chain, sa->sad.spi_i, sa->sad.spi_r, &sa->local, &sa->peer);
	if (rc == 0)
		rc = v2_msg_out_finish(&out, &ctx->out_len);
	free(offer);
	return rc;
}

/* Build our IKE_SA_INIT request and keep its bytes for AUTH (2.15 signs them). */
static enum v2_verdict send_sa_init_request(struct v2_ike_sa *sa, struct v2_ctx *ctx)
{
	if (put_sa_init_request(sa, ctx)) {
		ctx->why = "could not build IKE_SA_INIT";
		return V2V_FAIL_DELETE;
	}
	free(sa->init_i);
	sa->init_i = dup_bytes(ctx->out, ctx->out_len);
	sa->init_i_len = ctx->out_len;
	if (!sa->init_i)
		return V2V_FAIL_DELETE;
	ctx->request_to_send = true;
	return V2V_OK;
}

/*
 * The context a KE job's completion re-enters the engine with; NULL when
 * memory ran out, and then the SA is freed (nothing could be sent for it).
 */
static struct v2_ctx *job_ctx(struct v2_ike_sa *sa)
{
	struct v2_ctx *ctx = v2_ctx_new();

	if (!ctx) {
		v2_ike_sa_free(sa);
		return NULL;
	}
	ctx->exchange = V2_EXCH_IKE_SA_INIT;
	return ctx;
}

static void keypair_done(void *owner, struct job_ke_result *r)
{
	struct v2_ike_sa *sa = owner;
	struct v2_ctx *ctx = job_ctx(sa);
	enum v2_verdict v = V2V_FAIL_DELETE;

	if (!ctx)
		return;
	if (r->err) {
		ctx->why = "could not make a KE keypair";
		goto out;
	}
	ke_keypair_free(sa->keypair);
	sa->keypair = r->keypair;
	r->keypair = NULL;
	v = send_sa_init_request(sa, ctx);
out:
	v2_complete(sa, ctx, v, V2S_I_INIT_SENT);
	free(ctx);
}

enum v2_verdict v2_sa_init_start(struct v2_ike_sa *sa)
{
	if (sa->ke_group == 0)
		sa->ke_group = first_group(sa->conn);
	/* a COOKIE covers Ni (2.6): keep it when an INVALID_KE restart follows one */
	if ((!sa->cookie_len || !sa->ni_len) && v2_nonce_keep(&sa->ni, &sa->ni_len, NULL, 0))
		return V2V_FAIL_DELETE;
	if (sa->ke_group == 0 ||
	    job_ke_keypair(sa->eng->p.jobs, sa->ke_group, keypair_done, sa, &sa->job))
		return V2V_FAIL_DELETE;
	return V2V_SUSPEND;
}

static void derive_done(void *owner, struct job_ke_result *r)
{
	struct v2_ike_sa *sa = owner;
	struct v2_ctx *ctx = job_ctx(sa);
	enum v2_verdict v = V2V_FAIL_DELETE;

	if (!ctx)
		return;
	ke_keypair_free(r->keypair); /* 2.12: the private value is not needed again */
	r->keypair = NULL;
	if (r->err) {
		ctx->why = "the responder's KE data is not valid";
		goto out;
	}
	sa->gir = r->shared;
	r->shared = NULL;
	if (sad_change_ike_spis(sa->eng->p.sad, &sa->sad, sa->sad.spi_i, sa->spi_r_pending)) {
		ctx->why = "the responder's SPI is already in use";
		goto out;
	}
	if (v2_sa_init_make_keys(sa)) {
		ctx->why = "could not make the IKE SA keys";
		goto out;
	}
	if (sa->nat_local || sa->nat_peer) {
		/* 2.23: behind a NAT, IKE_AUTH and everything after go to the NAT-T port */
		sa->natt = true;
		kernel_addr_set_port(&sa->local, sa->eng->p.natt_port);
		kernel_addr_set_port(&sa->peer, sa->eng->p.natt_port);
	}
	v = v2_auth_request(sa, ctx);
out:
	v2_complete(sa, ctx, v, V2S_I_AUTH_SENT);
	free(ctx);
}

/*
 * 2.6: the responder wants a COOKIE: the same request (same Ni and KE)
 * again with N(COOKIE) first, message ID 0. Bounded per IKE SA, so two
 * responders (or a forger) cannot keep us looping.
 */
static enum v2_verdict cookie_retry(struct v2_ike_sa *sa, struct v2_ctx *ctx,
				    const struct v2_notify *n)
{
	if (n->data.len == 0 || n->data.len > V2_COOKIE_MAX ||
	    sa->cookie_retries >= V2_COOKIE_RETRIES || !sa->keypair ||
	    v2_nonce_keep(&sa->cookie, &sa->cookie_len, n->data.p, n->data.len)) {
		ctx->why = sa->cookie_retries >= V2_COOKIE_RETRIES
				   ? "the responder keeps asking for a COOKIE"
				   : "the responder's COOKIE is not usable";
		return V2V_FAIL_DELETE;
	}
	log_info(&sa->sad.logger, "responder asks for a COOKIE (%zu octets); retrying with it",
		 n->data.len);
	sa->cookie_retries++;
	sa->send_msgid = 0;
	ctx->stay = true;
	/* AUTH signs the request that was answered (2.15): this one */
	return send_sa_init_request(sa, ctx);
}

static enum v2_verdict init_error_response(struct v2_ike_sa *sa, struct v2_ctx *ctx)
{
	const struct v2_msg *m = ctx->msg;
	struct v2_notify n;

	if (v2_msg_find_notify(m, V2_N_INVALID_KE_PAYLOAD, &n)) {
		uint16_t group = n.data.len == 2 ? (uint16_t)(n.data.p[0] << 8 | n.data.p[1]) : 0;

		if (!group_offered(sa->conn, group) || group == sa->ke_group ||
		    sa->invalid_ke_retries >= 2) {
			ctx->why = "INVALID_KE_PAYLOAD names a group we did not offer";
			return V2V_FAIL_DELETE;
		}
		/* 1.2: start over with the group the responder wants, message ID 0 */
		log_info(&sa->sad.logger, "responder wants KE group %u; retrying", group);
		sa->invalid_ke_retries++;
		sa->ke_group = group;
		sa->send_msgid = 0;
		ke_keypair_free(sa->keypair);
		sa->keypair = NULL;
		return v2_sa_init_start(sa);
	}
	for (const struct v2_payload *p = v2_msg_find(m, V2_PT_N); p; p = v2_msg_next(m, p, V2_PT_N)) {
		if (v2_parse_notify(p->body, &n) == 0 && v2_notify_is_error(n.type)) {
			log_warn(&sa->sad.logger, "IKE_SA_INIT refused by the peer: %s",
				 v2_notify_name(n.type));
			ctx->why = v2_notify_name(n.type);
			return V2V_FAIL_DELETE;
		}
	}
	if (v2_msg_find_notify(m, V2_N_COOKIE, &n))
		return cookie_retry(sa, ctx, &n);
	ctx->why = "IKE_SA_INIT answer without SA, KE or Nr";
	return V2V_FAIL_DELETE;
}

enum v2_verdict v2_sa_init_process_response(struct v2_ike_sa *sa, struct v2_ctx *ctx)
{
	const struct v2_msg *m = ctx->msg;
	struct v2_sa *ans;
	struct v2_chosen chosen;
	struct v2_ke ke;
	struct v2_bytes nr;
	enum v2_verdict v = V2V_FAIL_DELETE;

	if (!v2_msg_find(m, V2_PT_SA) || !v2_msg_find(m, V2_PT_KE) || !v2_msg_find(m, V2_PT_NONCE))
		return init_error_response(sa, ctx);
	ans = malloc(sizeof(*ans));
	if (!ans)
		return V2V_FAIL_DELETE;
	if (v2_parse_sa(v2_msg_find(m, V2_PT_SA)->body, ans) ||
	    v2_parse_ke(v2_msg_find(m, V2_PT_KE)->body, &ke) ||
	    v2_parse_nonce(v2_msg_find(m, V2_PT_NONCE)->body, &nr)) {
		ctx->why = "IKE_SA_INIT response malformed";
		goto out;
	}
	if (v2_proposal_accept_answer(ans, V2_PROTO_IKE, sa->conn->ike, sa->conn->n_ike, &chosen)) {
		ctx->why = "the responder chose something we did not offer";
		goto out;
	}
	if (!chosen.ke || chosen.ke->v2_id != sa->ke_group || ke.group != sa->ke_group ||
	    nr.len > V2_NONCE_MAX) {
		ctx->why = "the responder's KE group differs from ours";
		goto out;
	}
	free(sa->init_r);
	sa->init_r = dup_bytes(m->raw.p, m->raw.len);
	if (!sa->init_r)
		goto out;
	sa->init_r_len = m->raw.len;
	sa->ike = chosen;
	if (v2_nonce_keep(&sa->nr, &sa->nr_len, nr.p, nr.len))
		goto out;
	memcpy(sa->spi_r_pending, m->hdr.spi_r, 8);
	v2_natd_check(sa, m, &ctx->dg->peer, &ctx->dg->local);
	v2_cert_note_init(sa, m);
	v2_frag_note_init(sa, m);
	if (job_ke_derive(sa->eng->p.jobs, sa->keypair, ke.data.p, ke.data.len, derive_done, sa,
			  &sa->job)) {
		ctx->why = "could not start the KE job";
		goto out;
	}
	sa->keypair = NULL; /* the job has it */
	v = V2V_SUSPEND;
out:
	free(ans);
	return v;
}
