/*
 * v1_aggr.c - Aggressive Mode with pre-shared keys, RFC 2409 5 and 5.4,
 * with RFC 3947 NAT-D (the initiator floats to 4500 for AM3):
 *
 *      Initiator                              Responder
 *   AM1  HDR, SA, KE, Ni, IDii, VID*   -->
 *                                      <--    HDR, SA, KE, Nr, IDir, HASH_R,
 *                                             VID*, NAT-D*                  AM2
 *   AM3  HDR*, HASH_I, NAT-D*          -->
 *
 * HASH_R travels in clear and depends only on the PSK and public values:
 * anyone who sees AM2 can test PSK guesses offline. Every use is logged
 * with that warning; as responder it is refused unless the connection
 * says aggressive_psk_ok.
 */
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/log.h"
#include "v1/v1_auth_sig.h"
#include "v1/v1_sa.h"

static void warn_dictionary(struct v1_isakmp_sa *sa)
{
	if (v1_auth_is_sig(sa))
		return; /* signatures: nothing to guess */
	log_warn(&sa->sad.logger, "Aggressive Mode with a pre-shared key: HASH_R is sent in "
		 "clear and allows an offline dictionary attack on the PSK");
}

/* ---- initiator ---- */

static const struct xform *first_group(const struct v1_conn *c)
{
	return c->n_p1 && c->p1[0].group.n ? c->p1[0].group.x[0] : NULL;
}

static enum v1_verdict am_i1_start(struct v1_step *st)
{
	struct v1_isakmp_sa *sa = st->sa;
	const struct xform *g = first_group(sa->conn);

	/* RFC 2409 5.4: one group only, since KE goes with the SA offer */
	if (!g)
		return V1V_FAIL_DELETE;
	return v1_p1_ke_keypair(st, g->v2_id) < 0 ? V1V_FAIL_DELETE : V1V_SUSPEND;
}

static enum v1_verdict am_i1_build(struct v1_step *st)
{
	struct v1_isakmp_sa *sa = st->sa;
	const struct xform *g = first_group(sa->conn);
	struct v1_builder b;
	struct wr w;
	uint8_t id_b[512];
	size_t id_len, sa_at;
	struct v1_conn_p1 saved[V1_CONN_MAX_PROPOSALS];
	size_t n_saved = sa->conn->n_p1;

	if (v1_p1_ke_made(st) < 0)
		return V1V_FAIL_DELETE;
	v1_reply_start(st, &b, &w, V1_EXCH_AGGRESSIVE, 0);
	sa_at = wr_len(&w) + V1_GENERIC_HDR_LEN;
	/* offer only transforms with the group of our KE */
	memcpy(saved, sa->conn->p1, sizeof(saved));
	for (size_t p = 0; p < n_saved; p++) {
		sa->conn->p1[p].group.x[0] = g;
		sa->conn->p1[p].group.n = 1;
	}
	v1_p1_build_sa(sa, &b);
	memcpy(sa->conn->p1, saved, sizeof(saved));
	if (!wr_ok(&w) || v1_p1_keep_sai(sa, w.p + sa_at, wr_len(&w) - sa_at) < 0)
		return V1V_FAIL_DELETE;
	v1_build_blob(&b, V1_P_KE, sa->gxi, sa->gxi_len);
	v1_build_blob(&b, V1_P_NONCE, sa->ni, sa->ni_len);
	v1_p1_build_id(sa, &b, id_b, &id_len);
	v1_sig_build_cr(sa, &b);
	v1_p1_vids(sa, &b);
	warn_dictionary(sa);
	return v1_reply_finish(st, &b, false) < 0 ? V1V_FAIL_DELETE : V1V_OK;
}

static enum v1_verdict am_i2(struct v1_step *st)
{
	struct v1_isakmp_sa *sa = st->sa;
	const struct v1_msg *m = st->m;
	const struct v1_payload *hash = v1_msg_find(m, V1_P_HASH, 0);

	if (v1_auth_is_sig(sa))
		return v1_sig_am_i2(st);
	if (v1_p1_select(st, v1_msg_find(m, V1_P_SA, 0)) < 0)
		return V1V_FAIL_DELETE;
	if (!v1_p1_copy_ke_nonce(sa, m, false) || hash->body_len > PRF_MAX_OUT)
		return V1V_IGNORE;
	if (v1_p1_take_id(sa, v1_msg_find(m, V1_P_ID, 0)) < 0)
		return V1V_FAIL_DELETE;
	if (sad_change_ike_spis(st->eng->env.sad, &sa->sad, sa->sad.spi_i, m->hdr.cky_r) < 0)
		return V1V_IGNORE;
	memcpy(sa->peer_hash, hash->body, hash->body_len);
	sa->peer_hash_len = hash->body_len;
	v1_p1_read_vids(sa, m);
	v1_natt_check(sa, m, st->dg);
	return v1_p1_ke_derive(st) < 0 ? V1V_FAIL_DELETE : V1V_SUSPEND;
}

static enum v1_verdict am_i2_resume(struct v1_step *st)
{
	struct v1_isakmp_sa *sa = st->sa;
	struct v1_builder b;
	struct wr w;
	uint8_t id_b[512], h[PRF_MAX_OUT];
	size_t id_len, h_len;
	struct wr tmp;
	struct v1_builder tb;
	uint8_t tbuf[600];
	struct v1_hdr th = { 0 };

	if (v1_auth_is_sig(sa))
		return v1_sig_am_i2_resume(st);
	if (v1_p1_ke_derived(st, "AM2") < 0 ||
	    v1_p1_verify(sa, false, sa->peer_hash, sa->peer_hash_len) < 0)
		return V1V_FAIL_DELETE;
	v1_natt_float(sa);
	/* our IDii body, as AM1 carried it */
	wr_init(&tmp, tbuf, sizeof(tbuf));
	v1_build_start(&tb, &tmp, &th);
	v1_p1_build_id(sa, &tb, id_b, &id_len);
	if (v1_p1_hash(sa, true, id_b, id_len, h, &h_len) < 0)
		return V1V_FAIL_DELETE;
	v1_reply_start(st, &b, &w, V1_EXCH_AGGRESSIVE, 0);
	v1_build_blob(&b, V1_P_HASH, h, h_len);
	v1_natt_build(sa, &b);
	secret_wipe(h, sizeof(h));
	/* AM3 encrypted, as RFC 2409 5.4 draws it (HDR*) */
	return v1_reply_finish(st, &b, true) < 0 ? V1V_FAIL_DELETE : V1V_OK;
}

/* ---- responder ---- */

static enum v1_verdict am_r1(struct v1_step *st)
{
	struct v1_isakmp_sa *sa = st->sa;
	const struct v1_msg *m = st->m;
	const struct v1_payload *sap = v1_msg_find(m, V1_P_SA, 0);

	if (!sa->conn->aggressive_ok && !v1_auth_is_sig(sa)) {
		log_warn(&sa->sad.logger, "Aggressive Mode refused for connection %s: it exposes the "
			 "PSK to offline dictionary attacks (set aggressive_psk_ok = yes to allow it)",
			 sa->conn->name);
		st->notify = V1_N_NO_PROPOSAL_CHOSEN;
		return V1V_REPLY_NOTIFY;
	}
	if (v1_p1_select(st, sap) < 0)
		return st->notify ? V1V_REPLY_NOTIFY : V1V_FAIL_DELETE;
	if (v1_p1_keep_sai(sa, sap->body, sap->body_len) < 0)
		return V1V_FAIL_DELETE;
	if (!v1_p1_copy_ke_nonce(sa, m, true)) {
		st->notify = V1_N_INVALID_KEY_INFORMATION;
		return V1V_REPLY_NOTIFY;
	}
	if (v1_sig_am_r1_take_id(sa, m) < 0) {
		st->notify = V1_N_INVALID_ID_INFORMATION;
		return V1V_REPLY_NOTIFY;
	}
	v1_p1_read_vids(sa, m);
	warn_dictionary(sa);
	return v1_p1_ke_respond(st) < 0 ? V1V_FAIL_DELETE : V1V_SUSPEND;
}

static enum v1_verdict am_r1_resume(struct v1_step *st)
{
	struct v1_isakmp_sa *sa = st->sa;
	struct v1_builder b;
	struct wr w;
	uint8_t id_b[512], h[PRF_MAX_OUT];
	size_t id_len, h_len, hash_at;

	if (!st->ke)
		return v1_sig_resume(st); /* our SIG_R is made */
	if (v1_p1_ke_responded(st, "AM1") < 0)
		return V1V_FAIL_DELETE;
	if (v1_auth_is_sig(sa))
		return v1_sig_sign_start(st);
	v1_reply_start(st, &b, &w, V1_EXCH_AGGRESSIVE, 0);
	v1_p1_build_sa(sa, &b);
	v1_build_blob(&b, V1_P_KE, sa->gxr, sa->gxr_len);
	v1_build_blob(&b, V1_P_NONCE, sa->nr, sa->nr_len);
	v1_p1_build_id(sa, &b, id_b, &id_len);
	h_len = prf_out_len(sa->ks.prf);
	hash_at = wr_len(&w) + V1_GENERIC_HDR_LEN;
	memset(h, 0, sizeof(h));
	v1_build_blob(&b, V1_P_HASH, h, h_len);
	if (v1_p1_hash(sa, false, id_b, id_len, h, &h_len) < 0 || !wr_ok(&w))
		return V1V_FAIL_DELETE;
	memcpy(w.p + hash_at, h, h_len);
	secret_wipe(h, sizeof(h));
	v1_p1_vids(sa, &b);
	v1_natt_build(sa, &b);
	return v1_reply_finish(st, &b, false) < 0 ? V1V_FAIL_DELETE : V1V_OK;
}

static enum v1_verdict am_r3(struct v1_step *st)
{
	struct v1_isakmp_sa *sa = st->sa;
	const struct v1_payload *hash = v1_msg_find(st->m, V1_P_HASH, 0);

	if (v1_auth_is_sig(sa))
		return v1_sig_am_r3(st);
	if (v1_p1_verify(sa, true, hash->body, hash->body_len) < 0) {
		st->notify = V1_N_INVALID_HASH_INFORMATION;
		return V1V_REPLY_NOTIFY;
	}
	v1_natt_check(sa, st->m, st->dg);
	return V1V_OK;
}

/* Aggressive Mode transitions. */
const struct v1_row v1_aggr_rows[] = {
	{ V1S_NONE, true, V1_EXCH_AGGRESSIVE, -1, am_i1_start, am_i1_build, V1S_AM_I1, true, "AM1 out" },
	{ V1S_AM_I1, true, V1_EXCH_AGGRESSIVE, V1_MSG_AM2, am_i2, am_i2_resume, V1S_ESTABLISHED, false, "AM2" },
	{ V1S_NONE, false, V1_EXCH_AGGRESSIVE, V1_MSG_AM1, am_r1, am_r1_resume, V1S_AM_R1, true, "AM1" },
	{ V1S_AM_R1, false, V1_EXCH_AGGRESSIVE, V1_MSG_AM3, am_r3, v1_sig_resume, V1S_ESTABLISHED, false, "AM3" },
	{ .what = NULL },
};
