/*
 * v1_auth_sig_aggr.c - Aggressive Mode with signatures (RFC 2409 5.1,
 * 5.4), the steps v1_aggr.c hands over when the SA signs:
 *
 *      Initiator                              Responder
 *   AM1  HDR, SA, KE, Ni, IDii [, CR*]   -->
 *                                        <--  HDR, SA, KE, Nr, IDir,
 *                                             [CERT*,] SIG_R [, CR*]  AM2
 *   AM3  HDR*, [CERT*,] SIG_I            -->
 *
 * Unlike Aggressive Mode with a PSK nothing here helps an offline guess:
 * SIG_R proves the responder's key, and HASH_R depends on g^xy.
 * The initiator checks the responder's certificate when AM2 arrives, and
 * SIG_R once the DH job gave g^xy (SKEYID); then it signs HASH_I.
 */
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/log.h"
#include "v1/v1_auth_sig.h"

static void ke_done(void *owner, struct job_ke_result *r)
{
	v1_resume_ke(owner, NULL, r);
}

int v1_sig_am_r1_take_id(struct v1_isakmp_sa *sa, const struct v1_msg *m)
{
	const struct v1_payload *idp = v1_msg_find(m, V1_P_ID, 0);
	int rc;

	if (!v1_auth_is_sig(sa))
		return v1_p1_take_id(sa, idp);
	/* the ID is checked against the certificate AM3 brings (v1_cert_peer) */
	rc = v1_sig_take_id(sa, idp);
	if (rc == 0)
		v1_sig_read_cr(sa, m);
	return rc;
}

enum v1_verdict v1_sig_am_i2(struct v1_step *st)
{
	struct v1_isakmp_sa *sa = st->sa;
	const struct v1_msg *m = st->m;
	struct ke_keypair *kp = sa->kp;
	const struct ke_method *km;
	enum v1_verdict v;

	if (v1_p1_select(st, v1_msg_find(m, V1_P_SA, 0)) < 0)
		return V1V_FAIL_DELETE;
	km = ke_method_find(sa->choice.attrs.x_group->v2_id);
	if (!v1_p1_copy_blob(m, V1_P_KE, &sa->gxr, &sa->gxr_len) || !km ||
	    km->public_len != sa->gxr_len || !v1_p1_copy_nonce(m, sa->nr, &sa->nr_len)) {
		log_warn(&sa->sad.logger, "AM2: KE or nonce of the wrong size");
		return V1V_IGNORE;
	}
	if (sad_change_ike_spis(st->eng->env.sad, &sa->sad, sa->sad.spi_i, m->hdr.cky_r) < 0)
		return V1V_IGNORE;
	v = v1_sig_take_peer(st);
	if (v != V1V_OK)
		return v;
	v1_p1_read_vids(sa, m);
	v1_natt_check(sa, m, st->dg);
	sa->kp = NULL;
	if (job_ke_derive(st->eng->env.jobs, kp, sa->gxr, sa->gxr_len, ke_done, sa, &sa->job) < 0) {
		sa->kp = kp;
		return V1V_FAIL_DELETE;
	}
	return V1V_SUSPEND;
}

enum v1_verdict v1_sig_am_i2_resume(struct v1_step *st)
{
	struct v1_isakmp_sa *sa = st->sa;

	if (!st->ke)
		return v1_sig_resume(st);      /* a signature job finished */
	sa->kp = st->ke->keypair;
	st->ke->keypair = NULL;
	if (st->ke->err < 0 || !st->ke->shared) {
		log_error(&sa->sad.logger, "AM2: the peer's public value is refused: %s",
			  err_str(st->ke->err));
		return V1V_FAIL_DELETE;
	}
	sa->gxy = st->ke->shared;
	st->ke->shared = NULL;
	if (v1_p1_keys(sa) < 0)
		return V1V_FAIL_DELETE;
	v1_natt_float(sa);
	return v1_sig_verify_start(st);
}

enum v1_verdict v1_sig_am_r3(struct v1_step *st)
{
	v1_natt_check(st->sa, st->m, st->dg);
	return v1_sig_check_start(st);
}

enum v1_verdict v1_sig_send_am2(struct v1_step *st)
{
	struct v1_isakmp_sa *sa = st->sa;
	struct v1_builder b;
	struct wr w;
	uint8_t id_b[512];
	size_t id_len;

	v1_reply_start(st, &b, &w, V1_EXCH_AGGRESSIVE, 0);
	v1_p1_build_sa(sa, &b);
	v1_build_blob(&b, V1_P_KE, sa->gxr, sa->gxr_len);
	v1_build_blob(&b, V1_P_NONCE, sa->nr, sa->nr_len);
	v1_p1_build_id(sa, &b, id_b, &id_len);
	v1_sig_put_cert_sig(sa, &b);
	v1_sig_build_cr(sa, &b);
	v1_p1_vids(sa, &b);
	v1_natt_build(sa, &b);
	return v1_reply_finish(st, &b, false) < 0 ? V1V_FAIL_DELETE : V1V_OK;
}

enum v1_verdict v1_sig_send_am3(struct v1_step *st)
{
	struct v1_isakmp_sa *sa = st->sa;
	struct v1_builder b;
	struct wr w;

	v1_reply_start(st, &b, &w, V1_EXCH_AGGRESSIVE, 0);
	v1_sig_put_cert_sig(sa, &b);
	v1_natt_build(sa, &b);
	/* AM3 encrypted, as RFC 2409 5.4 draws it (HDR*) and the PSK variant does */
	return v1_reply_finish(st, &b, true) < 0 ? V1V_FAIL_DELETE : V1V_OK;
}
