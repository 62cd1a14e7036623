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

#include <sodium.h>

#include "common/err.h"
#include "common/log.h"
#include "v1/v1_auth_sig.h"
#include "v1/v1_sa.h"

#define NONCE_LEN 32

static void ke_done(void *owner, struct job_ke_result *r)
{
	struct v1_isakmp_sa *sa = owner;

	v1_resume_ke(sa, NULL, r);
}

/* The group's public value length, to check a KE payload (RFC 2409 5: exactly). */
static bool ke_len_ok(const struct v1_isakmp_sa *sa, size_t len)
{
	const struct ke_method *m = ke_method_find(sa->choice.attrs.x_group->v2_id);

	return m && m->public_len == len;
}

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
	sa->sai_len = wr_len(&w) - sa_at;
	sa->sai_b = malloc(sa->sai_len);
	if (!sa->sai_b)
		return V1V_FAIL_DELETE;
	memcpy(sa->sai_b, w.p + sa_at, sa->sai_len);
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
	if (job_ke_keypair(st->eng->env.jobs, sa->choice.attrs.x_group->v2_id, ke_done, sa,
			   &sa->job) < 0)
		return V1V_FAIL_DELETE;
	return V1V_SUSPEND;
}

static enum v1_verdict mm_i2_resume(struct v1_step *st)
{
	struct v1_isakmp_sa *sa = st->sa;
	struct v1_builder b;
	struct wr w;
	const uint8_t *pub;
	size_t len;

	if (st->ke->err < 0 || !st->ke->keypair) {
		log_error(&sa->sad.logger, "DH keypair: %s", err_str(st->ke->err));
		return V1V_FAIL_DELETE;
	}
	sa->kp = st->ke->keypair;
	st->ke->keypair = NULL;
	pub = ke_public(sa->kp, &len);
	free(sa->gxi);
	sa->gxi = malloc(len);
	if (!sa->gxi)
		return V1V_FAIL_DELETE;
	memcpy(sa->gxi, pub, len);
	sa->gxi_len = len;
	sa->ni_len = NONCE_LEN;
	randombytes_buf(sa->ni, sa->ni_len);
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
	struct ke_keypair *kp = sa->kp;

	if (!v1_p1_copy_blob(m, V1_P_KE, &sa->gxr, &sa->gxr_len) || !ke_len_ok(sa, sa->gxr_len) ||
	    !v1_p1_copy_nonce(m, sa->nr, &sa->nr_len)) {
		log_warn(&sa->sad.logger, "MM4: KE or nonce of the wrong size");
		return V1V_IGNORE;
	}
	v1_natt_check(sa, m, st->dg);
	v1_sig_read_cr(sa, m);
	sa->kp = NULL;
	if (job_ke_derive(st->eng->env.jobs, kp, sa->gxr, sa->gxr_len, ke_done, sa, &sa->job) < 0) {
		sa->kp = kp;
		return V1V_FAIL_DELETE;
	}
	return V1V_SUSPEND;
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
	sa->kp = st->ke->keypair;
	st->ke->keypair = NULL;
	if (st->ke->err < 0 || !st->ke->shared) {
		log_error(&sa->sad.logger, "MM4: the peer's public value is refused: %s",
			  err_str(st->ke->err));
		return V1V_FAIL_DELETE;
	}
	sa->gxy = st->ke->shared;
	st->ke->shared = NULL;
	if (v1_p1_keys(sa) < 0)
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
	sa->sai_b = malloc(sap->body_len);
	if (!sa->sai_b)
		return V1V_FAIL_DELETE;
	memcpy(sa->sai_b, sap->body, sap->body_len);
	sa->sai_len = sap->body_len;
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

	if (!v1_p1_copy_blob(m, V1_P_KE, &sa->gxi, &sa->gxi_len) || !ke_len_ok(sa, sa->gxi_len) ||
	    !v1_p1_copy_nonce(m, sa->ni, &sa->ni_len)) {
		log_warn(&sa->sad.logger, "MM3: KE or nonce of the wrong size");
		st->notify = V1_N_INVALID_KEY_INFORMATION;
		return V1V_IGNORE;
	}
	v1_natt_check(sa, m, st->dg);
	v1_sig_read_cr(sa, m);
	if (job_ke_respond(st->eng->env.jobs, sa->choice.attrs.x_group->v2_id, sa->gxi,
			   sa->gxi_len, ke_done, sa, &sa->job) < 0)
		return V1V_FAIL_DELETE;
	return V1V_SUSPEND;
}

static enum v1_verdict mm_r3_resume(struct v1_step *st)
{
	struct v1_isakmp_sa *sa = st->sa;
	struct v1_builder b;
	struct wr w;

	if (st->ke->err < 0 || !st->ke->shared) {
		log_warn(&sa->sad.logger, "MM3: the peer's public value is refused: %s",
			 err_str(st->ke->err));
		return V1V_FAIL_DELETE;
	}
	free(sa->gxr);
	sa->gxr = malloc(st->ke->response_len);
	if (!sa->gxr)
		return V1V_FAIL_DELETE;
	memcpy(sa->gxr, st->ke->response, st->ke->response_len);
	sa->gxr_len = st->ke->response_len;
	sa->gxy = st->ke->shared;
	st->ke->shared = NULL;
	sa->nr_len = NONCE_LEN;
	randombytes_buf(sa->nr, sa->nr_len);
	if (v1_p1_keys(sa) < 0)
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
