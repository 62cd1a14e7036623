/*
 * v2_auth.c - IKE_AUTH with pre-shared keys (RFC 7296 1.2, 2.15, 2.16).
 *
 *   Initiator                         Responder
 *   HDR, SK {IDi, [N(INITIAL_CONTACT)], [IDr], AUTH,
 *            SAi2, TSi, TSr}  -->
 *                             <--  HDR, SK {IDr, AUTH, SAr2, TSi, TSr}
 *                             <--  HDR, SK {N(AUTHENTICATION_FAILED)}
 *
 * The child SA part (SA, TSi, TSr) is v2_child.c's. A child that cannot be
 * made is answered with its notify (NO_PROPOSAL_CHOSEN, TS_UNACCEPTABLE)
 * and the IKE SA still comes up (1.2). AUTH compares in constant time.
 */
#include <stdlib.h>
#include <string.h>

#include <netinet/in.h>

#include "common/err.h"
#include "common/id.h"
#include "common/log.h"
#include "v2/v2_cert.h"
#include "v2/v2_ike_sa.h"
#include "v2/v2_names.h"

#define ID_BODY_MAX (4 + V2_CONN_ID_MAX)

static void local_id(const struct v2_ike_sa *sa, struct v2_conn_id *id)
{
	if (sa->conn->local_id.type) {
		*id = sa->conn->local_id;
		return;
	}
	if (sa->conn->auth == V2_AUTH_PUBKEY && v2_auth_sig_local_id(sa, id) == 0)
		return; /* the certificate's subject DN */
	memset(id, 0, sizeof(*id));
	if (sa->local.ss_family == AF_INET) {
		id->type = V2_ID_IPV4_ADDR;
		id->len = 4;
		memcpy(id->data, &((const struct sockaddr_in *)&sa->local)->sin_addr, 4);
	} else {
		id->type = V2_ID_IPV6_ADDR;
		id->len = 16;
		memcpy(id->data, &((const struct sockaddr_in6 *)&sa->local)->sin6_addr, 16);
	}
}

/* RestOf*IDPayload (2.15): type, three reserved octets, data. */
static size_t id_body(const struct v2_conn_id *id, uint8_t *buf)
{
	buf[0] = id->type;
	buf[1] = buf[2] = buf[3] = 0;
	memcpy(buf + 4, id->data, id->len);
	return 4 + id->len;
}

/* Does the peer's ID fit what the connection expects (none: anything)? */
static bool peer_id_fits(const struct v2_conn *c, const struct v2_id *got)
{
	struct id *a = NULL, *b = NULL;
	bool ok;

	if (c->remote_id.type == 0)
		return true;
	if (id_new(c->remote_id.type, c->remote_id.data, c->remote_id.len, &a) ||
	    id_new(got->type, got->data.p, got->data.len, &b))
		ok = c->remote_id.type == got->type && c->remote_id.len == got->data.len &&
		     memcmp(c->remote_id.data, got->data.p, got->data.len) == 0;
	else
		ok = id_equal(a, b);
	id_free(a);
	id_free(b);
	return ok;
}

static const struct secret *find_psk(struct v2_ike_sa *sa, const struct v2_conn_id *mine)
{
	const struct v2_hooks *h = &sa->eng->p.hooks;
	struct v2_conn_id peer;

	if (!h->psk)
		return NULL;
	/* before IDr arrives, the initiator names the peer it expects */
	v2_ike_sa_peer_id(sa, &peer);
	return h->psk(h->arg, sa->conn, mine, peer.type ? &peer : &sa->conn->remote_id,
		      &sa->local, &sa->peer);
}

/* Verify the peer's AUTH payload over its ID body. */
static bool auth_verify(struct v2_ike_sa *sa, const struct v2_msg *m, const struct v2_id *id,
			const struct secret *psk, struct v2_psk_key *pk, struct v2_ctx *ctx)
{
	const struct v2_payload *p = v2_msg_find(m, V2_PT_AUTH);
	struct v2_auth auth;
	uint8_t want[PRF_MAX_OUT];
	size_t want_len = 0;
	bool ok;

	if (!p || v2_parse_auth(p->body, &auth)) {
		ctx->why = "AUTH payload missing or malformed";
		return false;
	}
	if (auth.method != V2_AUTH_SHARED_KEY_MIC) {
		log_warn(&sa->sad.logger, "peer authenticates with %s; this connection uses a PSK",
			 v2_auth_method_name(auth.method));
		ctx->why = "peer's authentication method is not PSK";
		return false;
	}
	if (!psk) {
		ctx->why = "no PSK for this peer in the secrets file";
		return false;
	}
	if ((!pk->ready && v2_auth_psk_key(sa, psk, pk)) ||
	    v2_auth_psk_mac(sa, !sa->initiator, pk, id->body.p, id->body.len, want, &want_len)) {
		ctx->why = "could not compute AUTH";
		return false;
	}
	ok = auth.data.len == want_len && secret_equal(auth.data.p, want, want_len);
	secret_wipe(want, sizeof(want));
	if (!ok)
		ctx->why = "the peer's AUTH does not verify (PSK mismatch?)";
	return ok;
}

static void remember_peer_id(struct v2_ike_sa *sa, const struct v2_id *id)
{
	if (v2_ike_sa_set_peer_id(sa, id->type, id->data.p, id->data.len)) {
		log_warn(&sa->sad.logger, "no memory to keep the peer's identity");
		return;
	}
	v2_initial_contact_index(sa); /* INITIAL_CONTACT finds SAs by identity (2.4) */
}

/* pk: prf(PSK, "Key Pad for IKEv2") keyed, made here unless auth_verify made it. */
static int put_auth(struct v2_ike_sa *sa, struct v2_chain *c, const struct secret *psk,
		    struct v2_psk_key *pk, const struct v2_conn_id *mine)
{
	uint8_t body[ID_BODY_MAX], auth[PRF_MAX_OUT];
	size_t body_len = id_body(mine, body), auth_len;
	int rc = pk->ready ? 0 : v2_auth_psk_key(sa, psk, pk);

	if (rc == 0)
		rc = v2_auth_psk_mac(sa, sa->initiator, pk, body, body_len, auth, &auth_len);
	if (rc == 0)
		rc = v2_put_auth(c, V2_AUTH_SHARED_KEY_MIC, auth, auth_len);
	secret_wipe(auth, sizeof(auth));
	return rc;
}

enum v2_verdict v2_auth_respond(struct v2_ike_sa *sa, struct v2_ctx *ctx)
{
	const struct v2_msg *m = ctx->msg;
	struct v2_id idi;
	struct v2_conn_id mine;
	const struct secret *psk;
	struct v2_psk_key pk = { .ready = false };
	uint8_t inner[V2_MSG_MAX];
	struct wr w;
	struct v2_chain c;
	uint16_t child_notify = 0;
	int rc;

	if (v2_parse_id(v2_msg_find(m, V2_PT_IDI)->body, &idi)) {
		ctx->why = "IDi malformed";
		ctx->notify = V2_N_AUTHENTICATION_FAILED;
		return V2V_FAIL_NOTIFY;
	}
	remember_peer_id(sa, &idi);
	local_id(sa, &mine);
	psk = sa->conn->auth == V2_AUTH_PSK ? find_psk(sa, &mine) : NULL;
	if (sa->conn->auth == V2_AUTH_PUBKEY) {
		/* v2_auth_sig.c: verify, then sign, each a job that brings us back here */
		if (!v2_auth_sig_verified(sa))
			return v2_auth_sig_start_verify(sa, ctx, &idi);
		if (!v2_auth_sig_signed(sa))
			return v2_auth_sig_start_sign(sa, ctx, &mine);
	} else if (!peer_id_fits(sa->conn, &idi)) {
		ctx->why = "the peer's identity is not the one configured (remote_id)";
	} else if (auth_verify(sa, m, &idi, psk, &pk, ctx)) {
		ctx->why = NULL;
	}
	if (ctx->why) {
		v2_auth_psk_key_wipe(&pk);
		log_warn(&sa->sad.logger, "IKE_AUTH from %s refused: %s", sa->peer_id ? "peer" : "?",
			 ctx->why);
		ctx->notify = V2_N_AUTHENTICATION_FAILED;
		return V2V_FAIL_NOTIFY;
	}
	if (v2_has_notify(m, V2_N_INITIAL_CONTACT))
		v2_initial_contact(sa); /* 2.4, v2_initial_contact.c */
	wr_init(&w, inner, sizeof(inner));
	v2_chain_init(&c, &w, SIZE_MAX);
	rc = v2_put_id(&c, V2_PT_IDR, mine.type, mine.data, mine.len);
	if (rc == 0)
		rc = v2_cert_put_auth(sa, &c, m);
	if (rc == 0)
		rc = psk ? put_auth(sa, &c, psk, &pk, &mine) : v2_auth_sig_put(sa, &c);
	v2_auth_psk_key_wipe(&pk);
	if (rc == 0 && v2_msg_find(m, V2_PT_SA)) {
		rc = v2_child_respond(sa, m, &c, &child_notify);
		if (rc == 0 && child_notify)
			rc = v2_put_notify(&c, V2_PROTO_NONE, NULL, 0, child_notify, NULL, 0);
	}
	if (rc == 0)
		rc = v2_send_seal(sa, ctx, V2_EXCH_IKE_AUTH, true, m->hdr.message_id, c.first, inner,
				  wr_len(&w));
	secret_wipe(inner, wr_len(&w)); /* what was written; the rest never held anything */
	if (rc) {
		ctx->why = "could not build the IKE_AUTH answer";
		return V2V_FAIL_DELETE;
	}
	ctx->response_to_send = true;
	return V2V_OK;
}

enum v2_verdict v2_auth_request(struct v2_ike_sa *sa, struct v2_ctx *ctx)
{
	struct v2_conn_id mine;
	const struct secret *psk;
	struct v2_psk_key pk = { .ready = false };
	uint8_t inner[V2_MSG_MAX];
	struct wr w;
	struct v2_chain c;
	struct v2_child_offer *o = NULL;
	int rc;

	local_id(sa, &mine);
	if (sa->conn->auth == V2_AUTH_PUBKEY && !v2_auth_sig_signed(sa))
		return v2_auth_sig_start_sign(sa, ctx, &mine); /* back here when signed */
	psk = sa->conn->auth == V2_AUTH_PSK ? find_psk(sa, &mine) : NULL;
	if (!psk && sa->conn->auth == V2_AUTH_PSK) {
		ctx->why = "no PSK for this peer in the secrets file";
		return V2V_FAIL_DELETE;
	}
	wr_init(&w, inner, sizeof(inner));
	v2_chain_init(&c, &w, SIZE_MAX);
	rc = v2_put_id(&c, V2_PT_IDI, mine.type, mine.data, mine.len);
	if (rc == 0)
		rc = v2_cert_put_auth(sa, &c, NULL);
	/* we hold no other IKE SA with this peer: say so (2.4) */
	if (rc == 0)
		rc = v2_put_notify(&c, V2_PROTO_NONE, NULL, 0, V2_N_INITIAL_CONTACT, NULL, 0);
	if (rc == 0 && sa->conn->remote_id.type)
		rc = v2_put_id(&c, V2_PT_IDR, sa->conn->remote_id.type, sa->conn->remote_id.data,
			       sa->conn->remote_id.len);
	if (rc == 0)
		rc = psk ? put_auth(sa, &c, psk, &pk, &mine) : v2_auth_sig_put(sa, &c);
	v2_auth_psk_key_wipe(&pk);
	if (rc == 0 && !sa->conn->childless && sa->conn->n_esp) {
		o = calloc(1, sizeof(*o));
		rc = o ? v2_child_offer_make(sa, o) : ERR_NOMEM;
		if (rc == 0 && o->transport)
			rc = v2_put_notify(&c, V2_PROTO_NONE, NULL, 0, V2_N_USE_TRANSPORT_MODE, NULL, 0);
		if (rc == 0)
			rc = v2_put_sa(&c, &o->sa);
		if (rc == 0)
			rc = v2_put_ts(&c, V2_PT_TSI, &o->tsi);
		if (rc == 0)
			rc = v2_put_ts(&c, V2_PT_TSR, &o->tsr);
		free(o);
	}
	if (rc == 0)
		rc = v2_send_seal(sa, ctx, V2_EXCH_IKE_AUTH, false, sa->send_msgid, c.first, inner,
				  wr_len(&w));
	secret_wipe(inner, wr_len(&w));
	if (rc) {
		ctx->why = "could not build the IKE_AUTH request";
		return V2V_FAIL_DELETE;
	}
	ctx->request_to_send = true;
	return V2V_OK;
}

enum v2_verdict v2_auth_process_response(struct v2_ike_sa *sa, struct v2_ctx *ctx)
{
	const struct v2_msg *m = ctx->msg;
	const struct v2_payload *p = v2_msg_find(m, V2_PT_IDR);
	struct v2_notify n;
	struct v2_id idr;
	struct v2_conn_id mine;

	if (!p || !v2_msg_find(m, V2_PT_AUTH)) {
		for (p = v2_msg_find(m, V2_PT_N); p; p = v2_msg_next(m, p, V2_PT_N))
			if (v2_parse_notify(p->body, &n) == 0 && v2_notify_is_error(n.type))
				break;
		log_warn(&sa->sad.logger, "IKE_AUTH refused by the peer: %s",
			 p ? v2_notify_name(n.type) : "no IDr/AUTH");
		ctx->why = p ? v2_notify_name(n.type) : "IKE_AUTH answer without IDr or AUTH";
		return V2V_FAIL_DELETE;
	}
	if (v2_parse_id(p->body, &idr)) {
		ctx->why = "IDr malformed";
		return V2V_FAIL_DELETE;
	}
	remember_peer_id(sa, &idr);
	local_id(sa, &mine);
	if (sa->conn->auth == V2_AUTH_PUBKEY) {
		if (!v2_auth_sig_verified(sa))
			return v2_auth_sig_start_verify(sa, ctx, &idr); /* back here when verified */
	} else if (!peer_id_fits(sa->conn, &idr)) {
		ctx->why = "the responder's identity is not the one configured (remote_id)";
		return V2V_FAIL_DELETE;
	} else {
		struct v2_psk_key pk = { .ready = false };
		bool ok = auth_verify(sa, m, &idr, find_psk(sa, &mine), &pk, ctx);

		v2_auth_psk_key_wipe(&pk);
		if (!ok)
			return V2V_FAIL_DELETE;
	}
	if (sa->child_spi_offered) {
		if (v2_msg_find(m, V2_PT_SA)) {
			if (v2_child_accept(sa, m))
				log_warn(&sa->sad.logger, "the child SA in the IKE_AUTH answer was not usable");
		} else {
			for (p = v2_msg_find(m, V2_PT_N); p; p = v2_msg_next(m, p, V2_PT_N))
				if (v2_parse_notify(p->body, &n) == 0 && v2_notify_is_error(n.type))
					log_warn(&sa->sad.logger, "no child SA: the peer answered %s",
						 v2_notify_name(n.type));
			kernel_del_sa(sa->eng->p.kernel, &sa->local, sa->child_spi_offered,
				      KERNEL_PROTO_ESP);
		}
		sa->child_spi_offered = 0;
	}
	return V2V_OK;
}
