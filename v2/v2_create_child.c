/*
 * v2_create_child.c - CREATE_CHILD_SA (RFC 7296 1.3): a new child SA, a
 * child rekey (1.3.3, REKEY_SA) and the exchange's part of an IKE SA
 * rekey (1.3.2; the new IKE SA itself is v2_rekey_ike.c's), both roles.
 *
 *   HDR, SK {[N(REKEY_SA)], SA, Ni, [KEi], [TSi, TSr]}  -->
 *                         <--  HDR, SK {SA, Nr, [KEr], [TSi, TSr]}
 *                         <--  HDR, SK {N(NO_ADDITIONAL_SAS | TS_UNACCEPTABLE |
 *                                         INVALID_KE_PAYLOAD | CHILD_SA_NOT_FOUND ...)}
 *
 * A KE (PFS with the connection's `pfs` group, always for an IKE rekey) runs
 * as a job; the handlers keep what they need in sa->ci (our request) or
 * sa->cr (the peer's) across it. The initiator of a child rekey deletes the
 * old child once the new one is installed (2.8); when both ends rekeyed the
 * same child at once, the exchange holding the lowest of the four nonces
 * made the redundant child, and its initiator deletes it (2.8.1).
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "common/err.h"
#include "common/ke.h"
#include "common/log.h"
#include "v2/v2_ike_sa.h"
#include "v2/v2_names.h"

/* The connection's ESP proposals for CREATE_CHILD_SA: with the PFS group when set. */
static size_t child_props(const struct v2_ike_sa *sa, struct v2_local_prop *out, bool offer)
{
	const struct v2_conn *c = sa->conn;

	for (size_t i = 0; i < c->n_esp; i++) {
		out[i] = c->esp[i];
		if (c->pfs && out[i].n_xforms < V2_PROP_MAX_XFORMS) {
			out[i].xforms[out[i].n_xforms++] = c->pfs;
			/* offering PFS means asking for it; answering, either is fine */
			out[i].ke_none = !offer;
		}
	}
	return c->n_esp;
}

void v2_ccsa_clear(struct v2_ike_sa *sa, struct v2_ccsa **slot)
{
	struct v2_ccsa *x = *slot;

	if (!x)
		return;
	if (slot == &sa->ci && x->spi_in && x->kind != V2X_REKEY_IKE && !x->sel)
		kernel_del_sa(sa->eng->p.kernel, &sa->local, x->spi_in, KERNEL_PROTO_ESP);
	if (x->kind == V2X_REKEY_CHILD) {
		struct v2_child_sa *old = v2_child_by_spi_in(sa, x->old_spi_in);

		if (old && slot == &sa->ci)
			old->rekeying = false;
	}
	ke_keypair_free(x->keypair);
	secret_free(x->gir);
	free(x->sel);
	secret_wipe(x, sizeof(*x)); /* the nonces feed KEYMAT and SKEYSEED (2.17, 2.18) */
	free(x);
	*slot = NULL;
}

/* ---- initiator ---- */

static int put_request(struct v2_ike_sa *sa, struct v2_ctx *ctx)
{
	struct v2_ccsa *x = sa->ci;
	struct v2_local_prop props[V2_PROP_MAX_LOCAL];
	struct v2_sa *offer = malloc(sizeof(*offer));
	struct v2_ts_list *tsi = malloc(sizeof(*tsi)), *tsr = malloc(sizeof(*tsr));
	uint8_t *inner = malloc(V2_MSG_MAX), be[4];
	struct v2_child_sa *old = x->kind == V2X_REKEY_CHILD ? v2_child_by_spi_in(sa, x->old_spi_in)
							     : NULL;
	struct wr w;
	struct v2_chain c;
	int rc = ERR_NOMEM;

	if (!offer || !tsi || !tsr || !inner)
		goto out;
	wr_init(&w, inner, V2_MSG_MAX);
	v2_chain_init(&c, &w, SIZE_MAX);
	if (x->kind == V2X_REKEY_IKE) {
		rc = sad_new_ike_spi(sa->eng->p.sad, 2, x->new_spi_i);
		if (rc == 0)
			rc = v2_proposal_offer(sa->conn->ike, sa->conn->n_ike, x->new_spi_i, 8, offer);
	} else {
		rc = kernel_alloc_spi(sa->eng->p.kernel, &sa->peer, &sa->local, KERNEL_PROTO_ESP,
				      &x->spi_in);
		v2_child_spi_be(x->spi_in, be);
		if (rc == 0)
			rc = v2_proposal_offer(props, child_props(sa, props, true), be, 4, offer);
		if (rc == 0 && old) {
			v2_child_spi_be(old->sad.spi_in, be);
			rc = v2_put_notify(&c, V2_PROTO_ESP, be, 4, V2_N_REKEY_SA, NULL, 0);
		}
		if (rc == 0 && sa->conn->transport)
			rc = v2_put_notify(&c, V2_PROTO_NONE, NULL, 0, V2_N_USE_TRANSPORT_MODE, NULL, 0);
	}
	if (rc == 0)
		rc = v2_put_sa(&c, offer);
	if (rc == 0)
		rc = v2_put_nonce(&c, x->ni, x->ni_len);
	if (rc == 0 && x->keypair) {
		size_t pub_len;
		const uint8_t *pub = ke_public(x->keypair, &pub_len);

		rc = v2_put_ke(&c, x->group, pub, pub_len);
	}
	if (rc == 0 && x->kind != V2X_REKEY_IKE) {
		v2_child_offer_ts(sa, old, tsi, tsr);
		rc = v2_put_ts(&c, V2_PT_TSI, tsi);
		if (rc == 0)
			rc = v2_put_ts(&c, V2_PT_TSR, tsr);
	}
	if (rc == 0)
		rc = v2_send_seal(sa, ctx, V2_EXCH_CREATE_CHILD_SA, false, sa->send_msgid, c.first,
				  inner, wr_len(&w));
	if (rc == 0)
		ctx->request_to_send = true;
out:
	free(offer);
	free(tsi);
	free(tsr);
	free(inner);
	return rc;
}

static void send_request(struct v2_ike_sa *sa)
{
	struct v2_ctx *ctx = calloc(1, sizeof(*ctx));

	if (!ctx || put_request(sa, ctx)) {
		log_warn(&sa->sad.logger, "could not build the CREATE_CHILD_SA request");
		v2_ccsa_clear(sa, &sa->ci);
	} else {
		v2_complete(sa, ctx, V2V_OK, sa->state);
	}
	free(ctx);
}

static void keypair_done(void *owner, struct job_ke_result *r)
{
	struct v2_ike_sa *sa = owner;

	if (r->err) {
		log_warn(&sa->sad.logger, "CREATE_CHILD_SA: could not make a KE keypair");
		v2_ccsa_clear(sa, &sa->ci);
		return;
	}
	if (!sa->ci) {
		ke_keypair_free(r->keypair);
		r->keypair = NULL;
		return;
	}
	sa->ci->keypair = r->keypair;
	r->keypair = NULL;
	send_request(sa);
}

int v2_ccsa_start(struct v2_ike_sa *sa, enum v2_ccsa_kind kind, struct v2_child_sa *old)
{
	struct v2_ccsa *x;

	if (sa->state != V2S_ESTABLISHED || sa->rekeyed || sa->redundant || sa->req_outstanding ||
	    sa->ci || sa->job)
		return ERR_STATE;
	if (kind != V2X_REKEY_IKE && !sa->conn->n_esp)
		return ERR_INVAL;
	x = sa->ci = calloc(1, sizeof(*x));
	if (!x)
		return ERR_NOMEM;
	x->kind = kind;
	if (old) {
		x->old_spi_in = old->sad.spi_in;
		old->rekeying = true;
	}
	randombytes_buf(x->ni, V2_NONCE_LEN);
	x->ni_len = V2_NONCE_LEN;
	if (kind == V2X_REKEY_IKE)
		x->group = sa->ike.ke ? (uint16_t)sa->ike.ke->v2_id : sa->ke_group;
	else
		x->group = sa->conn->pfs ? (uint16_t)sa->conn->pfs->v2_id : 0;
	log_info(&sa->sad.logger, "CREATE_CHILD_SA: %s%s",
		 kind == V2X_REKEY_IKE ? "rekeying the IKE SA"
		 : kind == V2X_REKEY_CHILD ? "rekeying a child SA" : "a new child SA",
		 x->group && kind != V2X_REKEY_IKE ? " with PFS" : "");
	if (x->group) {
		if (job_ke_keypair(sa->eng->p.jobs, x->group, keypair_done, sa, &sa->job)) {
			v2_ccsa_clear(sa, &sa->ci);
			return ERR_STATE;
		}
		return 0;
	}
	send_request(sa);
	return 0;
}

/* Delete (one INFORMATIONAL request) of our inbound SPIs; the children are freed now. */
static void delete_children(struct v2_ike_sa *sa, struct v2_ctx *ctx, struct v2_child_sa **cs,
			    size_t n)
{
	uint8_t inner[128], be[8];
	struct wr w;
	struct v2_chain c;
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		if (cs[i])
			v2_child_spi_be(cs[i]->sad.spi_in, be + 4 * k++);
	if (!k)
		return;
	wr_init(&w, inner, sizeof(inner));
	v2_chain_init(&c, &w, SIZE_MAX);
	if (v2_put_delete(&c, V2_PROTO_ESP, 4, be, (uint16_t)k) == 0 &&
	    v2_send_seal(sa, ctx, V2_EXCH_INFORMATIONAL, false, sa->send_msgid, c.first, inner,
			 wr_len(&w)) == 0)
		ctx->request_to_send = true;
	for (size_t i = 0; i < n; i++)
		if (cs[i])
			v2_child_free(sa, cs[i]);
}

/* Our child exchange is answered and its keys known: install, then the rekey's Delete. */
static enum v2_verdict child_finish(struct v2_ike_sa *sa, struct v2_ctx *ctx)
{
	struct v2_ccsa *x = sa->ci;
	struct v2_child_sa *old = x->kind == V2X_REKEY_CHILD ? v2_child_by_spi_in(sa, x->old_spi_in)
							     : NULL;
	struct v2_child_sa *made = NULL, *gone[2] = { NULL, NULL };
	struct v2_child_args a = {
		.ch = &x->sel->ch, .spi_in = x->spi_in, .spi_out = v2_child_spi_of(&x->sel->ch),
		.ts_local = &x->sel->ts_local, .ts_remote = &x->sel->ts_remote,
		.transport = x->sel->transport, .gir = x->gir ? x->gir->bytes : NULL,
		.gir_len = x->gir ? x->gir->len : 0, .ni = x->ni, .ni_len = x->ni_len, .nr = x->nr,
		.nr_len = x->nr_len, .we_initiated = true, .replaces = old,
	};

	if (v2_child_install(sa, &a, &made)) {
		log_warn(&sa->sad.logger, "CREATE_CHILD_SA: the new child SA could not be installed");
		x->sel = (free(x->sel), NULL);
		v2_ccsa_clear(sa, &sa->ci);
		return V2V_OK;
	}
	free(x->sel);
	x->sel = NULL; /* installed: its SPI is the child's now */
	x->spi_in = 0;
	if (x->kind == V2X_REKEY_CHILD && old) {
		const uint8_t *mine;
		size_t mine_len;

		sa->eng->stats.children_rekeyed++;
		v2_ccsa_low_nonce(x, &mine, &mine_len);
		if (old->peer_rekeyed &&
		    v2_nonce_cmp(mine, mine_len, old->peer_low_nonce, old->peer_low_nonce_len) < 0) {
			/* 2.8.1: ours holds the lowest nonce: ours is redundant; the peer deletes old */
			log_info(&sa->sad.logger, "simultaneous rekey: ours lost (lowest nonce), "
				 "deleting our new child SA");
			old->owns_policies = made->owns_policies;
			made->owns_policies = false;
			gone[0] = made;
		} else {
			if (old->peer_rekeyed)
				log_info(&sa->sad.logger, "simultaneous rekey: ours won");
			gone[0] = old;
		}
	}
	v2_ccsa_clear(sa, &sa->ci);
	delete_children(sa, ctx, gone, 2);
	return V2V_OK;
}

static void derive_done(void *owner, struct job_ke_result *r)
{
	struct v2_ike_sa *sa = owner;
	struct v2_ctx *ctx = calloc(1, sizeof(*ctx));
	enum v2_verdict v = V2V_OK;

	ke_keypair_free(r->keypair);
	r->keypair = NULL;
	if (!ctx || r->err) {
		log_warn(&sa->sad.logger, "CREATE_CHILD_SA: the peer's KE data is not valid");
		v2_ccsa_clear(sa, &sa->ci);
		if (ctx)
			v2_complete(sa, ctx, V2V_OK, V2S_ESTABLISHED);
		free(ctx);
		return;
	}
	if (!sa->ci) {
		free(ctx);
		return;
	}
	sa->ci->gir = r->shared;
	r->shared = NULL;
	if (sa->ci->kind == V2X_REKEY_IKE) {
		v2_complete(sa, ctx, V2V_OK, V2S_ESTABLISHED);
		v2_rekey_ike_finish(sa, sa->ci, true);
		free(ctx);
		return;
	}
	v = child_finish(sa, ctx);
	v2_complete(sa, ctx, v, V2S_ESTABLISHED);
	free(ctx);
}

static enum v2_verdict response_refused(struct v2_ike_sa *sa, const struct v2_msg *m)
{
	const struct v2_payload *p;
	struct v2_notify n;
	const char *why = "no SA, Nr in the answer";

	for (p = v2_msg_find(m, V2_PT_N); p; p = v2_msg_next(m, p, V2_PT_N))
		if (v2_parse_notify(p->body, &n) == 0 && v2_notify_is_error(n.type)) {
			why = v2_notify_name(n.type);
			break;
		}
	log_warn(&sa->sad.logger, "CREATE_CHILD_SA refused by the peer: %s", why);
	v2_ccsa_clear(sa, &sa->ci);
	return V2V_OK;
}

enum v2_verdict v2_ccsa_process_response(struct v2_ike_sa *sa, struct v2_ctx *ctx)
{
	const struct v2_msg *m = ctx->msg;
	struct v2_ccsa *x = sa->ci;
	struct v2_local_prop props[V2_PROP_MAX_LOCAL];
	struct v2_bytes nr;
	struct v2_ke ke = { .group = 0 };
	const struct v2_payload *kp = v2_msg_find(m, V2_PT_KE);

	if (!x)
		return V2V_OK;
	if (!v2_msg_find(m, V2_PT_SA) || !v2_msg_find(m, V2_PT_NONCE))
		return response_refused(sa, m);
	if (v2_parse_nonce(v2_msg_find(m, V2_PT_NONCE)->body, &nr) || nr.len > sizeof(x->nr) ||
	    (kp && v2_parse_ke(kp->body, &ke)))
		goto bad;
	memcpy(x->nr, nr.p, nr.len);
	x->nr_len = nr.len;
	if (x->kind == V2X_REKEY_IKE) {
		struct v2_sa *ans = malloc(sizeof(*ans));
		int rc = ans ? v2_parse_sa(v2_msg_find(m, V2_PT_SA)->body, ans) : ERR_NOMEM;

		if (rc == 0)
			rc = v2_proposal_accept_answer(ans, V2_PROTO_IKE, sa->conn->ike, sa->conn->n_ike,
						       &x->ike);
		free(ans);
		if (rc || x->ike.spi_size != 8)
			goto bad;
		memcpy(x->new_spi_r, x->ike.spi, 8);
	} else {
		x->sel = malloc(sizeof(*x->sel));
		if (!x->sel || v2_child_check_answer(sa, m, props, child_props(sa, props, true),
						     sa->conn->transport, x->sel))
			goto bad;
		if (!x->sel->ch.ke)
			x->group = 0; /* the peer chose KE NONE, which we offered */
	}
	if (x->group) {
		if (!kp || ke.group != x->group)
			goto bad;
		if (job_ke_derive(sa->eng->p.jobs, x->keypair, ke.data.p, ke.data.len, derive_done, sa,
				  &sa->job))
			goto bad;
		x->keypair = NULL; /* the job has it */
		return V2V_SUSPEND;
	}
	return child_finish(sa, ctx);
bad:
	log_warn(&sa->sad.logger, "CREATE_CHILD_SA answer not acceptable; nothing made");
	v2_ccsa_clear(sa, &sa->ci);
	return V2V_OK;
}

/* ---- responder ---- */

/* Answer the request being handled (now or after its job) with one notify. */
static enum v2_verdict refuse_with(struct v2_ike_sa *sa, struct v2_ctx *ctx, uint16_t notify,
				   const uint8_t *data, size_t len)
{
	uint8_t inner[128];
	struct wr w;
	struct v2_chain c;

	log_info(&sa->sad.logger, "CREATE_CHILD_SA refused: %s", v2_notify_name(notify));
	v2_ccsa_clear(sa, &sa->cr);
	wr_init(&w, inner, sizeof(inner));
	v2_chain_init(&c, &w, SIZE_MAX);
	if (v2_put_notify(&c, V2_PROTO_NONE, NULL, 0, notify, data, len) ||
	    v2_send_seal(sa, ctx, V2_EXCH_CREATE_CHILD_SA, true, sa->recv_msgid, c.first, inner,
			 wr_len(&w)))
		return V2V_IGNORE;
	sa->eng->stats.notifies_sent++;
	ctx->response_to_send = true;
	return V2V_OK;
}

static enum v2_verdict refuse(struct v2_ike_sa *sa, struct v2_ctx *ctx, uint16_t notify)
{
	return refuse_with(sa, ctx, notify, NULL, 0);
}

static int put_answer(struct v2_ike_sa *sa, struct v2_ctx *ctx)
{
	struct v2_ccsa *x = sa->cr;
	uint8_t *inner = malloc(V2_MSG_MAX);
	struct wr w;
	struct v2_chain c;
	int rc = ERR_NOMEM;

	if (!inner)
		return rc;
	wr_init(&w, inner, V2_MSG_MAX);
	v2_chain_init(&c, &w, SIZE_MAX);
	if (x->kind == V2X_REKEY_IKE) {
		struct v2_sa ans;

		rc = v2_proposal_answer(&x->ike, x->new_spi_r, 8, &ans);
		if (rc == 0)
			rc = v2_put_sa(&c, &ans);
		if (rc == 0)
			rc = v2_put_nonce(&c, x->nr, x->nr_len);
		if (rc == 0)
			rc = v2_put_ke(&c, x->group, x->ke_reply, x->ke_reply_len);
	} else {
		/* SA, Nr, [KEr], TSi, TSr (1.3.1) */
		rc = v2_child_answer_sa(x->sel, x->spi_in, &c);
		if (rc == 0)
			rc = v2_put_nonce(&c, x->nr, x->nr_len);
		if (rc == 0 && x->group)
			rc = v2_put_ke(&c, x->group, x->ke_reply, x->ke_reply_len);
		if (rc == 0)
			rc = v2_child_answer_ts(x->sel, &c);
	}
	if (rc == 0)
		rc = v2_send_seal(sa, ctx, V2_EXCH_CREATE_CHILD_SA, true, sa->recv_msgid, c.first,
				  inner, wr_len(&w));
	if (rc == 0)
		ctx->response_to_send = true;
	free(inner);
	return rc;
}

/* The peer's exchange, its keys known: install (or make the new IKE SA) and answer. */
static enum v2_verdict respond_finish(struct v2_ike_sa *sa, struct v2_ctx *ctx)
{
	struct v2_ccsa *x = sa->cr;
	struct v2_child_sa *old = NULL;
	enum v2_verdict v = V2V_OK;

	if (x->kind == V2X_REKEY_IKE) {
		if (put_answer(sa, ctx) || v2_rekey_ike_finish(sa, x, false))
			return refuse(sa, ctx, V2_N_NO_PROPOSAL_CHOSEN);
		v2_ccsa_clear(sa, &sa->cr);
		return V2V_OK;
	}
	if (x->kind == V2X_REKEY_CHILD)
		old = v2_child_by_spi_in(sa, x->old_spi_in);
	if (x->kind == V2X_REKEY_CHILD && !old)
		return refuse(sa, ctx, V2_N_CHILD_SA_NOT_FOUND);
	if (kernel_alloc_spi(sa->eng->p.kernel, &sa->peer, &sa->local, KERNEL_PROTO_ESP, &x->spi_in))
		return refuse(sa, ctx, V2_N_NO_ADDITIONAL_SAS);
	{
		struct v2_child_args a = {
			.ch = &x->sel->ch, .spi_in = x->spi_in, .spi_out = v2_child_spi_of(&x->sel->ch),
			.ts_local = &x->sel->ts_local, .ts_remote = &x->sel->ts_remote,
			.transport = x->sel->transport, .gir = x->gir ? x->gir->bytes : NULL,
			.gir_len = x->gir ? x->gir->len : 0, .ni = x->ni, .ni_len = x->ni_len,
			.nr = x->nr, .nr_len = x->nr_len, .we_initiated = false, .replaces = old,
		};

		if (v2_child_install(sa, &a, NULL)) {
			kernel_del_sa(sa->eng->p.kernel, &sa->local, x->spi_in, KERNEL_PROTO_ESP);
			return refuse(sa, ctx, V2_N_NO_ADDITIONAL_SAS);
		}
	}
	if (old)
		sa->eng->stats.children_rekeyed++;
	if (old && old->rekeying) {
		/* 2.8.1: we rekey it too; remember this exchange's lowest nonce */
		const uint8_t *low;
		size_t low_len;

		v2_ccsa_low_nonce(x, &low, &low_len);
		if (v2_nonce_keep(&old->peer_low_nonce, &old->peer_low_nonce_len, low, low_len) == 0)
			old->peer_rekeyed = true;
		else
			log_warn(&sa->sad.logger, "simultaneous rekey: no memory to compare nonces; "
				 "ours, if it completes, replaces the child too");
	}
	if (put_answer(sa, ctx)) {
		ctx->why = "could not build the CREATE_CHILD_SA answer";
		v = V2V_FAIL_DELETE;
	}
	x->spi_in = 0;
	v2_ccsa_clear(sa, &sa->cr);
	return v;
}

static void respond_ke_done(void *owner, struct job_ke_result *r)
{
	struct v2_ike_sa *sa = owner;
	struct v2_ctx *ctx = calloc(1, sizeof(*ctx));
	enum v2_verdict v;

	if (!ctx) {
		v2_ccsa_clear(sa, &sa->cr);
		return;
	}
	ctx->exchange = V2_EXCH_CREATE_CHILD_SA;
	if (r->err) {
		v = refuse(sa, ctx, V2_N_INVALID_SYNTAX); /* KEi not valid for its group */
	} else if (!sa->cr) {
		v = V2V_IGNORE; /* cannot happen: the job is cancelled with its exchange */
	} else {
		sa->cr->gir = r->shared;
		r->shared = NULL;
		sa->cr->ke_reply = r->response; /* the job's, alive during this call */
		sa->cr->ke_reply_len = r->response_len;
		v = respond_finish(sa, ctx); /* clears sa->cr, and ke_reply with it */
	}
	v2_complete(sa, ctx, v, V2S_ESTABLISHED);
	free(ctx);
}

/* Which CREATE_CHILD_SA the peer asks for (1.3.1-1.3.3). */
static enum v2_ccsa_kind request_kind(const struct v2_msg *m, struct v2_notify *rekey)
{
	struct v2_sa *peer;
	enum v2_ccsa_kind k = V2X_NEW_CHILD;

	if (v2_msg_find_notify(m, V2_N_REKEY_SA, rekey))
		return V2X_REKEY_CHILD;
	peer = malloc(sizeof(*peer));
	if (peer && v2_parse_sa(v2_msg_find(m, V2_PT_SA)->body, peer) == 0 && peer->n_props &&
	    peer->props[0].protocol == V2_PROTO_IKE)
		k = V2X_REKEY_IKE;
	free(peer);
	return k;
}

enum v2_verdict v2_ccsa_respond(struct v2_ike_sa *sa, struct v2_ctx *ctx)
{
	const struct v2_msg *m = ctx->msg;
	struct v2_ccsa *x;
	struct v2_local_prop props[V2_PROP_MAX_LOCAL];
	struct v2_notify rekey;
	struct v2_bytes ni;
	struct v2_ke ke = { .group = 0 };
	const struct v2_payload *kp = v2_msg_find(m, V2_PT_KE);
	uint16_t notify = 0;
	uint8_t want[2];

	v2_ccsa_clear(sa, &sa->cr);
	x = sa->cr = calloc(1, sizeof(*x));
	if (!x)
		return refuse(sa, ctx, V2_N_TEMPORARY_FAILURE);
	x->kind = request_kind(m, &rekey);
	if (sa->rekeyed || sa->redundant)
		return refuse(sa, ctx, V2_N_TEMPORARY_FAILURE); /* being replaced (2.25, 2.8.2) */
	if (v2_parse_nonce(v2_msg_find(m, V2_PT_NONCE)->body, &ni) || ni.len > sizeof(x->ni) ||
	    (kp && v2_parse_ke(kp->body, &ke)))
		return refuse(sa, ctx, V2_N_INVALID_SYNTAX);
	memcpy(x->ni, ni.p, ni.len);
	x->ni_len = ni.len;
	randombytes_buf(x->nr, V2_NONCE_LEN);
	x->nr_len = V2_NONCE_LEN;
	if (x->kind == V2X_REKEY_IKE) {
		struct v2_sa *peer = malloc(sizeof(*peer));
		int rc = peer ? v2_parse_sa(v2_msg_find(m, V2_PT_SA)->body, peer) : ERR_NOMEM;

		if (rc == 0)
			rc = v2_proposal_select(peer, V2_PROTO_IKE, sa->conn->ike, sa->conn->n_ike,
						ke.group, &x->ike);
		free(peer);
		if (rc || x->ike.spi_size != 8)
			return refuse(sa, ctx, V2_N_NO_PROPOSAL_CHOSEN);
		if (!kp || v2_chosen_needs_invalid_ke(&x->ike, ke.group))
			goto invalid_ke;
		memcpy(x->new_spi_i, x->ike.spi, 8);
		if (sad_new_ike_spi(sa->eng->p.sad, 2, x->new_spi_r))
			return refuse(sa, ctx, V2_N_TEMPORARY_FAILURE);
		x->group = (uint16_t)x->ike.ke->v2_id;
	} else {
		if (!v2_msg_find(m, V2_PT_TSI) || !v2_msg_find(m, V2_PT_TSR))
			return refuse(sa, ctx, V2_N_INVALID_SYNTAX);
		if (x->kind == V2X_REKEY_CHILD) {
			struct v2_child_sa *old = NULL;

			const uint8_t *b = rekey.spi.p;

			/* REKEY_SA names the peer's inbound SPI: our outbound (3.10.1) */
			if (rekey.protocol == V2_PROTO_ESP && rekey.spi.len == 4)
				old = v2_child_by_spi_out(sa, (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
							  (uint32_t)b[2] << 8 | b[3]);
			if (!old)
				return refuse(sa, ctx, V2_N_CHILD_SA_NOT_FOUND);
			x->old_spi_in = old->sad.spi_in;
		}
		x->sel = malloc(sizeof(*x->sel));
		if (!x->sel)
			return refuse(sa, ctx, V2_N_NO_ADDITIONAL_SAS);
		if (v2_child_select(sa, m, props, child_props(sa, props, false), ke.group, x->sel,
				    &notify))
			return refuse(sa, ctx, V2_N_NO_ADDITIONAL_SAS);
		if (notify)
			return refuse(sa, ctx, notify);
		if (v2_chosen_needs_invalid_ke(&x->sel->ch, ke.group)) {
			x->ike.ke = x->sel->ch.ke;
			goto invalid_ke;
		}
		x->group = x->sel->ch.ke ? (uint16_t)x->sel->ch.ke->v2_id : 0;
	}
	if (!x->group)
		return respond_finish(sa, ctx);
	if (job_ke_respond(sa->eng->p.jobs, x->group, ke.data.p, ke.data.len, respond_ke_done, sa,
			   &sa->job))
		return refuse(sa, ctx, V2_N_NO_ADDITIONAL_SAS);
	return V2V_SUSPEND;
invalid_ke:
	/* 1.3: name the group we want, keep nothing */
	want[0] = (uint8_t)(x->ike.ke->v2_id >> 8);
	want[1] = (uint8_t)x->ike.ke->v2_id;
	return refuse_with(sa, ctx, V2_N_INVALID_KE_PAYLOAD, want, 2);
}
