/*
 * v1_main.c - Main Mode (Identity Protection) with pre-shared keys,
 * RFC 2409 5 and 5.4, with RFC 3947 NAT-D:
 *
 *      Initiator                          Responder
 *   MM1  HDR, SA, VID*             -->
 *                                  <--    HDR, SA, VID*              MM2
 *   MM3  HDR, KE, Ni, NAT-D*       -->
 *                                  <--    HDR, KE, Nr, NAT-D*        MM4
 *   MM5  HDR*, IDii, HASH_I        -->
 *                                  <--    HDR*, IDir, HASH_R         MM6
 *
 * The PSK is chosen before the peer's identity is known (it is encrypted
 * in MM5 with a key that depends on the PSK): by connection and address,
 * the RFC 2409 limitation of Main Mode with pre-shared keys.
 */
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/log.h"
#include "v1/v1_auth_sig.h"
#include "v1/v1_sa.h"

/* ---- initiator ---- */

static enum v1_verdict mm_i1_build(struct v1_step *st)
{
	struct v1_isakmp_sa *sa = st->sa;
	struct v1_builder b;
	struct wr w;
	size_t sa_at;

	v1_reply_start(st, &b, &w, V1_EXCH_IDPROT, 0);
	sa_at = wr_len(&w) + V1_GENERIC_HDR_LEN;
	v1_p1_build_sa(sa, &b);
	if (!wr_ok(&w))
		return V1V_FAIL_DELETE;
	/* SAi_b for HASH_I/HASH_R: the body of the SA payload we offered */
	if (v1_p1_keep_sai(sa, w.p + sa_at, wr_len(&w) - sa_at) < 0)
		return V1V_FAIL_DELETE;
	v1_p1_vids(sa, &b);
	return v1_reply_finish(st, &b, false) < 0 ? V1V_FAIL_DELETE : V1V_OK;
}

static enum v1_verdict mm_i2(struct v1_step *st)
{
	struct v1_isakmp_sa *sa = st->sa;
	const struct v1_msg *m = st->m;

	if (v1_p1_select(st, v1_msg_find(m, V1_P_SA, 0)) < 0)
		return V1V_FAIL_DELETE;
	if (sad_change_ike_spis(st->eng->env.sad, &sa->sad, sa->sad.spi_i, m->hdr.cky_r) < 0)
		return V1V_IGNORE;
	v1_p1_read_vids(sa, m);
	if (v1_p1_ke_keypair(st, sa->choice.attrs.x_group->v2_id) < 0)
		return V1V_FAIL_DELETE;
	return V1V_SUSPEND;
}

static enum v1_verdict mm_i2_resume(struct v1_step *st)
{
	struct v1_isakmp_sa *sa = st->sa;
	struct v1_builder b;
	struct wr w;

	if (v1_p1_ke_made(st) < 0)
		return V1V_FAIL_DELETE;
	v1_reply_start(st, &b, &w, V1_EXCH_IDPROT, 0);
	v1_build_blob(&b, V1_P_KE, sa->gxi, sa->gxi_len);
	v1_build_blob(&b, V1_P_NONCE, sa->ni, sa->ni_len);
	v1_sig_build_cr(sa, &b);
	v1_natt_build(sa, &b);
	return v1_reply_finish(st, &b, false) < 0 ? V1V_FAIL_DELETE : V1V_OK;
}

static enum v1_verdict mm_i4(struct v1_step *st)
{
	struct v1_isakmp_sa *sa = st->sa;
	const struct v1_msg *m = st->m;

	if (!v1_p1_copy_ke_nonce(sa, m, false)) {
		log_warn(&sa->sad.logger, "MM4: KE or nonce of the wrong size");
		return V1V_IGNORE;
	}
	v1_natt_check(sa, m, st->dg);
	v1_sig_read_cr(sa, m);
	return v1_p1_ke_derive(st) < 0 ? V1V_FAIL_DELETE : V1V_SUSPEND;
}

static enum v1_verdict build_id_hash(struct v1_step *st, bool of_initiator)
{
	struct v1_isakmp_sa *sa = st->sa;
	struct v1_builder b;
	struct wr w;
	uint8_t id_b[512], h[PRF_MAX_OUT];
	size_t id_len, h_len;

	v1_reply_start(st, &b, &w, sa->aggressive ? V1_EXCH_AGGRESSIVE : V1_EXCH_IDPROT, 0);
	v1_p1_build_id(sa, &b, id_b, &id_len);
	if (v1_p1_hash(sa, of_initiator, id_b, id_len, h, &h_len) < 0)
		return V1V_FAIL_DELETE;
	v1_build_blob(&b, V1_P_HASH, h, h_len);
	secret_wipe(h, sizeof(h));
	return v1_reply_finish(st, &b, true) < 0 ? V1V_FAIL_DELETE : V1V_OK;
}

static enum v1_verdict mm_i4_resume(struct v1_step *st)
{
	struct v1_isakmp_sa *sa = st->sa;

	if (!st->ke)
		return v1_sig_resume(st); /* our SIG_I is made */
	if (v1_p1_ke_derived(st, "MM4") < 0)
		return V1V_FAIL_DELETE;
	v1_natt_float(sa);
	if (v1_auth_is_sig(sa))
		return v1_sig_sign_start(st);
	return build_id_hash(st, true);
}

static enum v1_verdict mm_i6(struct v1_step *st)
{
	const struct v1_msg *m = st->m;

	if (v1_auth_is_sig(st->sa))
		return v1_sig_check_start(st);
	if (v1_p1_check_hash(st, false, v1_msg_find(m, V1_P_ID, 0), v1_msg_find(m, V1_P_HASH, 0)) < 0)
		return V1V_FAIL_DELETE;
	return V1V_OK;
}

/* ---- responder ---- */

static enum v1_verdict mm_r1(struct v1_step *st)
{
	struct v1_isakmp_sa *sa = st->sa;
	const struct v1_payload *sap = v1_msg_find(st->m, V1_P_SA, 0);
	struct v1_builder b;
	struct wr w;

	if (v1_p1_select(st, sap) < 0)
		return st->notify ? V1V_REPLY_NOTIFY : V1V_FAIL_DELETE;
	if (v1_p1_keep_sai(sa, sap->body, sap->body_len) < 0)
		return V1V_FAIL_DELETE;
	v1_p1_read_vids(sa, st->m);
	v1_reply_start(st, &b, &w, V1_EXCH_IDPROT, 0);
	v1_p1_build_sa(sa, &b);
	v1_p1_vids(sa, &b);
	return v1_reply_finish(st, &b, false) < 0 ? V1V_FAIL_DELETE : V1V_OK;
}

static enum v1_verdict mm_r3(struct v1_step *st)
{
	struct v1_isakmp_sa *sa = st->sa;
	const struct v1_msg *m = st->m;

	if (!v1_p1_copy_ke_nonce(sa, m, true)) {
		log_warn(&sa->sad.logger, "MM3: KE or nonce of the wrong size");
		st->notify = V1_N_INVALID_KEY_INFORMATION;
		return V1V_IGNORE;
	}
	v1_natt_check(sa, m, st->dg);
	v1_sig_read_cr(sa, m);
	return v1_p1_ke_respond(st) < 0 ? V1V_FAIL_DELETE : V1V_SUSPEND;
}

static enum v1_verdict mm_r3_resume(struct v1_step *st)
{
	struct v1_isakmp_sa *sa = st->sa;
	struct v1_builder b;
	struct wr w;

	if (v1_p1_ke_responded(st, "MM3") < 0)
		return V1V_FAIL_DELETE;
	v1_reply_start(st, &b, &w, V1_EXCH_IDPROT, 0);
	v1_build_blob(&b, V1_P_KE, sa->gxr, sa->gxr_len);
	v1_build_blob(&b, V1_P_NONCE, sa->nr, sa->nr_len);
	v1_sig_build_cr(sa, &b);
	v1_natt_build(sa, &b);
	return v1_reply_finish(st, &b, false) < 0 ? V1V_FAIL_DELETE : V1V_OK;
}

static enum v1_verdict mm_r5(struct v1_step *st)
{
	const struct v1_msg *m = st->m;

	if (v1_auth_is_sig(st->sa))
		return v1_sig_check_start(st);
	if (v1_p1_check_hash(st, true, v1_msg_find(m, V1_P_ID, 0), v1_msg_find(m, V1_P_HASH, 0)) < 0)
		return V1V_REPLY_NOTIFY;
	return build_id_hash(st, false);
}

/* Main Mode transitions (from, initiator, exchange, message, handler, resume, to, retransmit). */
const struct v1_row v1_main_rows[] = {
	{ V1S_NONE, true, V1_EXCH_IDPROT, -1, mm_i1_build, NULL, V1S_MM_I1, true, "MM1 out" },
	{ V1S_MM_I1, true, V1_EXCH_IDPROT, V1_MSG_MM2, mm_i2, mm_i2_resume, V1S_MM_I2, true, "MM2" },
	{ V1S_MM_I2, true, V1_EXCH_IDPROT, V1_MSG_MM4, mm_i4, mm_i4_resume, V1S_MM_I3, true, "MM4" },
	{ V1S_MM_I3, true, V1_EXCH_IDPROT, V1_MSG_MM6, mm_i6, v1_sig_resume, V1S_ESTABLISHED, false, "MM6" },
	{ V1S_NONE, false, V1_EXCH_IDPROT, V1_MSG_MM1, mm_r1, NULL, V1S_MM_R1, true, "MM1" },
	{ V1S_MM_R1, false, V1_EXCH_IDPROT, V1_MSG_MM3, mm_r3, mm_r3_resume, V1S_MM_R2, true, "MM3" },
	{ V1S_MM_R2, false, V1_EXCH_IDPROT, V1_MSG_MM5, mm_r5, v1_sig_resume, V1S_ESTABLISHED, false, "MM5" },
	{ .what = NULL },
};
