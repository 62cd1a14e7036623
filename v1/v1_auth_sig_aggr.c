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
	enum v1_verdict v;

	if (v1_p1_select(st, v1_msg_find(m, V1_P_SA, 0)) < 0)
		return V1V_FAIL_DELETE;
	if (!v1_p1_copy_ke_nonce(sa, m, false)) {
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
	return v1_p1_ke_derive(st) < 0 ? V1V_FAIL_DELETE : V1V_SUSPEND;
}

enum v1_verdict v1_sig_am_i2_resume(struct v1_step *st)
{
	struct v1_isakmp_sa *sa = st->sa;

	if (!st->ke)
		return v1_sig_resume(st);      /* a signature job finished */
	if (v1_p1_ke_derived(st, "AM2") < 0)
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
