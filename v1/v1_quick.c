/*
 * v1_quick.c - Quick Mode, RFC 2409 5.5 (PFS optional), RFC 2407 4.6.2
 * identities, RFC 3947 5.1 UDP encapsulation and 5.2 NAT-OA (v1_natoa.c):
 *
 *      Initiator                                 Responder
 *   QM1  HDR*, HASH(1), SA, Ni [, KE] [, IDci, IDcr] [, NAT-OAi, NAT-OAr]  -->
 *                                 <--  HDR*, HASH(2), SA, Nr [, KE] [, IDci, IDcr]
 *                                      [, NAT-OAi, NAT-OAr] [, N(RESPONDER-LIFETIME)]  QM2
 *   QM3  HDR*, HASH(3)                                -->
 *
 *   HASH(1) = prf(SKEYID_a, M-ID | SA | Ni [| KE] [| IDci | IDcr])
 *   HASH(2) = prf(SKEYID_a, M-ID | Ni_b | SA | Nr [| KE] [| IDci | IDcr])
 *   HASH(3) = prf(SKEYID_a, 0 | M-ID | Ni_b | Nr_b)
 *
 * Each Quick Mode is a struct v1_ipsec_sa with its own message ID and IV
 * chain, so several run at once on one ISAKMP SA. The responder installs
 * its SAs when QM3 proves the initiator has the keys.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "common/err.h"
#include "common/log.h"
#include "v1/v1_sa.h"

#define NONCE_LEN 32

static void ke_done(void *owner, struct job_ke_result *r)
{
	struct v1_ipsec_sa *qm = owner;

	v1_resume_ke(qm->isakmp, qm, r);
}

/* RFC 2407 4.5, RFC 3947 5.1 (or the drafts' values): the encapsulation mode we offer. */
static uint16_t encap_mode(const struct v1_isakmp_sa *sa)
{
	if (sa->nat_local || sa->nat_peer)
		return v1_natt_udp_mode(sa, sa->conn->transport);
	return sa->conn->transport ? V1_ENCAP_TRANSPORT : V1_ENCAP_TUNNEL;
}

static size_t qm_policies(const struct v1_isakmp_sa *sa, struct v1_qm_policy *out,
			  const struct xform **pfs)
{
	const struct v1_conn *c = sa->conn;

	*pfs = c->pfs;
	for (size_t p = 0; p < c->n_esp; p++)
		out[p] = (struct v1_qm_policy){
			.encr = c->esp[p].encr.x, .n_encr = c->esp[p].encr.n,
			.integ = c->esp[p].integ.x, .n_integ = c->esp[p].integ.n,
			.group = pfs, .n_group = *pfs ? 1 : 0,
			.encap = c->transport ? V1_ENCAP_TRANSPORT : V1_ENCAP_TUNNEL,
			.udp_encap = sa->nat_local || sa->nat_peer,
			.life_seconds = c->child_life_s,
		};
	return c->n_esp;
}

/* The hash payload is first: its body starts right after header + generic header. */
#define HASH_AT (V1_HDR_LEN + V1_GENERIC_HDR_LEN)

static int patch_hash(struct v1_step *st, bool two)
{
	struct v1_isakmp_sa *sa = st->sa;
	struct v1_ipsec_sa *qm = st->qm;
	size_t hl = prf_out_len(sa->ks.prf);
	const uint8_t *after = st->reply + HASH_AT + hl;
	size_t after_len = st->reply_len - HASH_AT - hl;

	if (two)
		return v1_hash_2(sa->ks.prf, sa->ks.skeyid_a->bytes, sa->ks.skeyid_a->len, qm->msg_id,
				 qm->ni, qm->ni_len, after, after_len, st->reply + HASH_AT);
	return v1_hash_1(sa->ks.prf, sa->ks.skeyid_a->bytes, sa->ks.skeyid_a->len, qm->msg_id,
			 after, after_len, st->reply + HASH_AT);
}

static bool check_hash(struct v1_step *st, int which)
{
	struct v1_isakmp_sa *sa = st->sa;
	struct v1_ipsec_sa *qm = st->qm;
	const struct v1_payload *h = &st->m->pl[0];
	uint8_t want[PRF_MAX_OUT];
	size_t hl = prf_out_len(sa->ks.prf);
	const uint8_t *after;
	size_t after_len;
	int rc;

	if (h->type != V1_P_HASH || h->body_len != hl)
		return false;
	if (which == 3)
		rc = v1_hash_3(sa->ks.prf, sa->ks.skeyid_a->bytes, sa->ks.skeyid_a->len, qm->msg_id,
			       qm->ni, qm->ni_len, qm->nr, qm->nr_len, want);
	else if ((rc = v1_msg_after_hash(st->m, &after, &after_len)) == 0)
		rc = which == 2 ? v1_hash_2(sa->ks.prf, sa->ks.skeyid_a->bytes, sa->ks.skeyid_a->len,
					    qm->msg_id, qm->ni, qm->ni_len, after, after_len, want)
				: v1_hash_1(sa->ks.prf, sa->ks.skeyid_a->bytes, sa->ks.skeyid_a->len,
					    qm->msg_id, after, after_len, want);
	if (rc < 0 || !secret_equal(want, h->body, hl)) {
		log_warn(&sa->sad.logger, "Quick Mode %08x: HASH(%d) does not verify; dropped",
			 qm->msg_id, which);
		return false;
	}
	return true;
}

static void build_ids(struct v1_ipsec_sa *qm, struct v1_builder *b)
{
	const struct ts *ci = qm->initiator ? &qm->ts_local : &qm->ts_remote;
	const struct ts *cr = qm->initiator ? &qm->ts_remote : &qm->ts_local;

	v1_build_begin(b, V1_P_ID);
	id_v1_encode_ts(b->w, ci);
	v1_build_end(b);
	v1_build_begin(b, V1_P_ID);
	id_v1_encode_ts(b->w, cr);
	v1_build_end(b);
}

static void put_esp_transform(struct v1_builder *b, uint8_t n, const struct xform *encr,
			      const struct xform *integ, const struct xform *pfs, uint16_t encap,
			      uint32_t life)
{
	struct v1_ipsec_attrs a;

	memset(&a, 0, sizeof(a));
	a.life_seconds = life;
	a.group = pfs ? pfs->ike_value : 0;
	a.encap = encap;
	a.auth = integ ? integ->ipsec_value : 0;
	a.key_len = encr->key_attr ? encr->key_bits : 0;
	v1_build_transform_begin(b, n, (uint8_t)encr->ipsec_value);
	v1_attr_encode_ipsec(b->w, &a);
	v1_build_transform_end(b);
}

static void build_sa(struct v1_step *st, struct v1_builder *b)
{
	struct v1_isakmp_sa *sa = st->sa;
	struct v1_ipsec_sa *qm = st->qm;
	uint8_t spi[4] = { (uint8_t)(qm->spi_in >> 24), (uint8_t)(qm->spi_in >> 16),
			   (uint8_t)(qm->spi_in >> 8), (uint8_t)qm->spi_in };
	const struct v1_conn *c = sa->conn;
	uint8_t n = 0;

	v1_build_sa_begin(b, V1_DOI_IPSEC, V1_SIT_IDENTITY_ONLY);
	if (!qm->initiator) {
		v1_build_proposal_begin(b, qm->choice.proposal_number, V1_PROTO_IPSEC_ESP, spi, 4);
		v1_build_transform_begin(b, qm->choice.transform_number, qm->choice.attrs.transform_id);
		v1_attr_encode_ipsec(b->w, &qm->choice.attrs);
		v1_build_transform_end(b);
	} else {
		v1_build_proposal_begin(b, 1, V1_PROTO_IPSEC_ESP, spi, 4);
		for (size_t p = 0; p < c->n_esp; p++)
			for (size_t i = 0; i < c->esp[p].encr.n; i++) {
				const struct xform *e = c->esp[p].encr.x[i];

				if (e->aead) {
					put_esp_transform(b, ++n, e, NULL, c->pfs, encap_mode(sa), c->child_life_s);
					continue;
				}
				for (size_t j = 0; j < c->esp[p].integ.n && n < 250; j++)
					put_esp_transform(b, ++n, e, c->esp[p].integ.x[j], c->pfs,
							  encap_mode(sa), c->child_life_s);
			}
	}
	v1_build_proposal_end(b);
	v1_build_sa_end(b);
}

static int alloc_spi(struct v1_ipsec_sa *qm)
{
	struct v1_isakmp_sa *sa = qm->isakmp;

	return kernel_alloc_spi(sa->eng->env.kernel, &sa->peer, &sa->local, KERNEL_PROTO_ESP,
				&qm->spi_in);
}

static int copy_ke(const struct v1_msg *m, uint8_t **dst, size_t *len)
{
	return v1_p1_copy_blob(m, V1_P_KE, dst, len) ? 0 : ERR_PARSE;
}

/* ---- initiator ---- */

static enum v1_verdict qm_i1_build(struct v1_step *st)
{
	struct v1_ipsec_sa *qm = st->qm;
	struct v1_builder b;
	struct wr w;
	uint8_t zero[PRF_MAX_OUT] = { 0 };

	if (!qm->spi_in && alloc_spi(qm) < 0)
		return V1V_FAIL_DELETE;
	qm->ni_len = NONCE_LEN;
	randombytes_buf(qm->ni, qm->ni_len);
	v1_reply_start(st, &b, &w, V1_EXCH_QUICK, qm->msg_id);
	v1_build_blob(&b, V1_P_HASH, zero, prf_out_len(st->sa->ks.prf));
	build_sa(st, &b);
	v1_build_blob(&b, V1_P_NONCE, qm->ni, qm->ni_len);
	if (qm->ke_ours)
		v1_build_blob(&b, V1_P_KE, qm->ke_ours, qm->ke_ours_len);
	build_ids(qm, &b);
	qm->ids_sent = true;
	v1_natoa_build(qm, encap_mode(st->sa), &b);
	if (v1_reply_finish(st, &b, true) < 0 || patch_hash(st, false) < 0)
		return V1V_FAIL_DELETE;
	return V1V_OK;
}

static enum v1_verdict qm_i1_start(struct v1_step *st)
{
	struct v1_ipsec_sa *qm = st->qm;
	const struct xform *pfs = st->sa->conn->pfs;

	if (!pfs)
		return qm_i1_build(st);
	if (job_ke_keypair(st->eng->env.jobs, pfs->v2_id, ke_done, qm, &qm->job) < 0)
		return V1V_FAIL_DELETE;
	return V1V_SUSPEND;
}

static enum v1_verdict qm_i1_resume(struct v1_step *st)
{
	struct v1_ipsec_sa *qm = st->qm;
	const uint8_t *pub;
	size_t len;

	if (st->ke->err < 0 || !st->ke->keypair)
		return V1V_FAIL_DELETE;
	qm->kp = st->ke->keypair;
	st->ke->keypair = NULL;
	pub = ke_public(qm->kp, &len);
	qm->ke_ours = malloc(len);
	if (!qm->ke_ours)
		return V1V_FAIL_DELETE;
	memcpy(qm->ke_ours, pub, len);
	qm->ke_ours_len = len;
	return qm_i1_build(st);
}

static void responder_lifetime(struct v1_ipsec_sa *qm, const struct v1_msg *m)
{
	for (unsigned i = 0; i < m->n; i++) {
		const struct v1_payload *pl = &m->pl[i];
		struct v1_notify n;
		struct v1_attr a;
		struct rd r;
		uint16_t type = 0;

		if (pl->type != V1_P_N || v1_notify_parse(pl, &n, NULL) < 0 ||
		    n.type != V1_N_RESPONDER_LIFETIME)
			continue;
		rd_init(&r, n.data, n.data_len);
		while (v1_attr_read(&r, &a)) {
			uint64_t v;

			if (a.type == V1_IPSEC_SA_LIFE_TYPE)
				type = a.value;
			else if (a.type == V1_IPSEC_SA_LIFE_DURATION && type == V1_LIFE_SECONDS &&
				 v1_attr_uint(&a, &v) && v && v < qm->choice.life_seconds) {
				qm->choice.life_seconds = v;
				log_info(&qm->isakmp->sad.logger, "RESPONDER-LIFETIME: %llu seconds",
					 (unsigned long long)v);
			}
		}
	}
}

static enum v1_verdict qm_i3_finish(struct v1_step *st)
{
	struct v1_isakmp_sa *sa = st->sa;
	struct v1_ipsec_sa *qm = st->qm;
	struct v1_builder b;
	struct wr w;
	uint8_t h[PRF_MAX_OUT];

	if (v1_hash_3(sa->ks.prf, sa->ks.skeyid_a->bytes, sa->ks.skeyid_a->len, qm->msg_id,
		      qm->ni, qm->ni_len, qm->nr, qm->nr_len, h) < 0)
		return V1V_FAIL_DELETE;
	if (v1_ipsec_sa_install(qm) < 0)
		return V1V_FAIL_DELETE;
	v1_reply_start(st, &b, &w, V1_EXCH_QUICK, qm->msg_id);
	v1_build_blob(&b, V1_P_HASH, h, prf_out_len(sa->ks.prf));
	return v1_reply_finish(st, &b, true) < 0 ? V1V_FAIL_DELETE : V1V_OK;
}

static enum v1_verdict qm_i2(struct v1_step *st)
{
	struct v1_isakmp_sa *sa = st->sa;
	struct v1_ipsec_sa *qm = st->qm;
	const struct v1_msg *m = st->m;
	struct v1_qm_policy pol[V1_CONN_MAX_PROPOSALS];
	const struct xform *pfs;
	struct v1_sa peer;
	struct v1_err err = { 0 };
	char why[2048];
	size_t n = qm_policies(sa, pol, &pfs);

	if (!check_hash(st, 2))
		return V1V_IGNORE;
	if (v1_sa_parse(v1_msg_find(m, V1_P_SA, 0), &peer, &err) < 0 ||
	    v1_select_qm(&peer, pol, n, &qm->choice, why, sizeof(why), &err) < 0 ||
	    peer.n_xf != 1) {
		log_warn(&sa->sad.logger, "Quick Mode %08x: the responder's SA is not one we offered:\n%s",
			 qm->msg_id, why);
		return V1V_FAIL_DELETE;
	}
	qm->spi_out = (uint32_t)qm->choice.spi[0] << 24 | (uint32_t)qm->choice.spi[1] << 16 |
		      (uint32_t)qm->choice.spi[2] << 8 | qm->choice.spi[3];
	if (!v1_p1_copy_nonce(m, qm->nr, &qm->nr_len) || v1_natoa_take(qm, m, &st->notify) < 0)
		return V1V_FAIL_DELETE;
	responder_lifetime(qm, m);
	if (!pfs)
		return qm_i3_finish(st);
	if (copy_ke(m, &qm->ke_peer, &qm->ke_peer_len) < 0)
		return V1V_FAIL_DELETE;
	struct ke_keypair *kp = qm->kp;

	qm->kp = NULL;
	if (job_ke_derive(st->eng->env.jobs, kp, qm->ke_peer, qm->ke_peer_len, ke_done, qm,
			  &qm->job) < 0) {
		qm->kp = kp;
		return V1V_FAIL_DELETE;
	}
	return V1V_SUSPEND;
}

static enum v1_verdict qm_i2_resume(struct v1_step *st)
{
	struct v1_ipsec_sa *qm = st->qm;

	qm->kp = st->ke->keypair;
	st->ke->keypair = NULL;
	if (st->ke->err < 0 || !st->ke->shared)
		return V1V_FAIL_DELETE;
	qm->gqm = st->ke->shared;
	st->ke->shared = NULL;
	return qm_i3_finish(st);
}

/* ---- responder ---- */

static bool read_ids(struct v1_step *st)
{
	struct v1_isakmp_sa *sa = st->sa;
	struct v1_ipsec_sa *qm = st->qm;
	const struct v1_conn *c = sa->conn;
	const struct v1_payload *ci = v1_msg_find(st->m, V1_P_ID, 0);
	const struct v1_payload *cr = v1_msg_find(st->m, V1_P_ID, 1);
	struct ts own, other;
	char a[TS_STR_MAX], b[TS_STR_MAX];

	if (ci && cr) {
		struct rd r1, r2;

		rd_init(&r1, ci->body, ci->body_len);
		rd_init(&r2, cr->body, cr->body_len);
		if (id_v1_decode_ts(&r1, &qm->ts_remote) < 0 || id_v1_decode_ts(&r2, &qm->ts_local) < 0)
			return false;
		qm->ids_sent = true;
	} else {
		/* RFC 2409 5.5: no IDs means the ISAKMP SA's addresses */
		enum ts_type t = sa->peer.ss_family == AF_INET ? TS_IPV4_ADDR_RANGE : TS_IPV6_ADDR_RANGE;

		ts_from_prefix(&qm->ts_remote, t, kernel_addr_bytes(&sa->peer),
			       (unsigned)kernel_addr_len(&sa->peer) * 8);
		ts_from_prefix(&qm->ts_local, t, kernel_addr_bytes(&sa->local),
			       (unsigned)kernel_addr_len(&sa->local) * 8);
	}
	if (c->n_local_ts)
		own = c->local_ts[0];
	else
		ts_from_prefix(&own, sa->local.ss_family == AF_INET ? TS_IPV4_ADDR_RANGE : TS_IPV6_ADDR_RANGE,
			       kernel_addr_bytes(&sa->local), (unsigned)kernel_addr_len(&sa->local) * 8);
	if (c->n_remote_ts)
		other = c->remote_ts[0];
	else
		ts_from_prefix(&other, sa->peer.ss_family == AF_INET ? TS_IPV4_ADDR_RANGE : TS_IPV6_ADDR_RANGE,
			       kernel_addr_bytes(&sa->peer), (unsigned)kernel_addr_len(&sa->peer) * 8);
	if (!ts_list_within(&qm->ts_local, 1, c->n_local_ts ? c->local_ts : &own,
			    c->n_local_ts ? c->n_local_ts : 1) ||
	    !ts_list_within(&qm->ts_remote, 1, c->n_remote_ts ? c->remote_ts : &other,
			    c->n_remote_ts ? c->n_remote_ts : 1)) {
		log_warn(&sa->sad.logger, "Quick Mode %08x: IDci %s / IDcr %s are not inside the "
			 "connection's remote_ts / local_ts", qm->msg_id,
			 ts_str(&qm->ts_remote, a, sizeof(a)), ts_str(&qm->ts_local, b, sizeof(b)));
		return false;
	}
	return true;
}

static enum v1_verdict qm_r2_build(struct v1_step *st)
{
	struct v1_isakmp_sa *sa = st->sa;
	struct v1_ipsec_sa *qm = st->qm;
	struct v1_builder b;
	struct wr w;
	uint8_t zero[PRF_MAX_OUT] = { 0 };

	if (alloc_spi(qm) < 0)
		return V1V_FAIL_DELETE;
	qm->nr_len = NONCE_LEN;
	randombytes_buf(qm->nr, qm->nr_len);
	v1_reply_start(st, &b, &w, V1_EXCH_QUICK, qm->msg_id);
	v1_build_blob(&b, V1_P_HASH, zero, prf_out_len(sa->ks.prf));
	build_sa(st, &b);
	v1_build_blob(&b, V1_P_NONCE, qm->nr, qm->nr_len);
	if (qm->ke_ours)
		v1_build_blob(&b, V1_P_KE, qm->ke_ours, qm->ke_ours_len);
	if (qm->ids_sent)
		build_ids(qm, &b);
	v1_natoa_build(qm, qm->choice.attrs.encap, &b);
	if (qm->choice.life_reduced) {
		/* RFC 2407 4.6.3.1: our lifetime is shorter than the offer */
		uint8_t data[16], spi[4] = { (uint8_t)(qm->spi_in >> 24), (uint8_t)(qm->spi_in >> 16),
					    (uint8_t)(qm->spi_in >> 8), (uint8_t)qm->spi_in };
		struct wr dw;
		struct v1_notify n = { .doi = V1_DOI_IPSEC, .protocol = V1_PROTO_IPSEC_ESP,
				       .spi_size = 4, .type = V1_N_RESPONDER_LIFETIME, .spi = spi };

		wr_init(&dw, data, sizeof(data));
		v1_attr_put_basic(&dw, V1_IPSEC_SA_LIFE_TYPE, V1_LIFE_SECONDS);
		v1_attr_put_uint(&dw, V1_IPSEC_SA_LIFE_DURATION, qm->choice.life_seconds);
		n.data = data;
		n.data_len = wr_len(&dw);
		v1_build_notify(&b, &n);
	}
	if (v1_reply_finish(st, &b, true) < 0 || patch_hash(st, true) < 0)
		return V1V_FAIL_DELETE;
	return V1V_OK;
}

static enum v1_verdict qm_r1(struct v1_step *st)
{
	struct v1_isakmp_sa *sa = st->sa;
	struct v1_ipsec_sa *qm = st->qm;
	const struct v1_msg *m = st->m;
	struct v1_qm_policy pol[V1_CONN_MAX_PROPOSALS];
	const struct xform *pfs;
	struct v1_sa peer;
	struct v1_err err = { 0 };
	char why[2048] = "";
	size_t n = qm_policies(sa, pol, &pfs);

	if (!check_hash(st, 1))
		return V1V_IGNORE;
	if (!v1_p1_copy_nonce(m, qm->ni, &qm->ni_len))
		return V1V_IGNORE;
	if (v1_sa_parse(v1_msg_find(m, V1_P_SA, 0), &peer, &err) < 0 ||
	    v1_select_qm(&peer, pol, n, &qm->choice, why, sizeof(why), &err) < 0) {
		log_warn(&sa->sad.logger, "Quick Mode %08x: NO_PROPOSAL_CHOSEN for connection %s: %s\n%s",
			 qm->msg_id, sa->conn->name, err.text, why);
		st->notify = V1_N_NO_PROPOSAL_CHOSEN;
		return V1V_REPLY_NOTIFY;
	}
	qm->spi_out = (uint32_t)qm->choice.spi[0] << 24 | (uint32_t)qm->choice.spi[1] << 16 |
		      (uint32_t)qm->choice.spi[2] << 8 | qm->choice.spi[3];
	if (!read_ids(st)) {
		st->notify = V1_N_INVALID_ID_INFORMATION;
		return V1V_REPLY_NOTIFY;
	}
	if (v1_natoa_take(qm, m, &st->notify) < 0)
		return V1V_REPLY_NOTIFY;
	if (!qm->choice.attrs.group)
		return qm_r2_build(st);
	if (copy_ke(m, &qm->ke_peer, &qm->ke_peer_len) < 0) {
		st->notify = V1_N_INVALID_KEY_INFORMATION;
		return V1V_REPLY_NOTIFY;
	}
	if (job_ke_respond(st->eng->env.jobs, qm->choice.attrs.group, qm->ke_peer, qm->ke_peer_len,
			   ke_done, qm, &qm->job) < 0)
		return V1V_FAIL_DELETE;
	return V1V_SUSPEND;
}

static enum v1_verdict qm_r1_resume(struct v1_step *st)
{
	struct v1_ipsec_sa *qm = st->qm;

	if (st->ke->err < 0 || !st->ke->shared) {
		log_warn(&st->sa->sad.logger, "Quick Mode %08x: PFS public value refused: %s",
			 qm->msg_id, err_str(st->ke->err));
		return V1V_FAIL_DELETE;
	}
	qm->gqm = st->ke->shared;
	st->ke->shared = NULL;
	qm->ke_ours = malloc(st->ke->response_len);
	if (!qm->ke_ours)
		return V1V_FAIL_DELETE;
	memcpy(qm->ke_ours, st->ke->response, st->ke->response_len);
	qm->ke_ours_len = st->ke->response_len;
	return qm_r2_build(st);
}

static enum v1_verdict qm_r3(struct v1_step *st)
{
	if (!check_hash(st, 3))
		return V1V_IGNORE;
	if (v1_ipsec_sa_install(st->qm) < 0)
		return V1V_FAIL_DELETE;
	return V1V_OK;
}

static int start(struct v1_isakmp_sa *sa, const struct ts *local, const struct ts *remote,
		 const struct v1_ipsec_sa *old)
{
	struct v1_ipsec_sa *qm;
	uint32_t msg_id;
	const struct v1_row *row = v1_row_find(V1S_NONE, true, V1_EXCH_QUICK, -1);

	do
		randombytes_buf(&msg_id, sizeof(msg_id));
	while (msg_id == 0 || v1_ipsec_sa_find(sa, msg_id));
	qm = v1_ipsec_sa_new(sa, true, msg_id);
	if (!qm || !row)
		return ERR_NOMEM;
	qm->ts_local = *local;
	qm->ts_remote = *remote;
	if (old) {
		/* same selectors, same reqid: the kernel's policies stay and pick the newer SA */
		qm->rekey_of = old->spi_in;
		qm->reqid = old->reqid;
	}
	struct v1_step st = { .eng = sa->eng, .sa = sa, .qm = qm };

	v1_run(&st, row, false);
	return 0;
}

int v1_quick_start(struct v1_isakmp_sa *sa, const struct ts *local, const struct ts *remote)
{
	return start(sa, local, remote, NULL);
}

int v1_quick_rekey(struct v1_ipsec_sa *old)
{
	return start(old->isakmp, &old->ts_local, &old->ts_remote, old);
}

void v1_quick_start_all(struct v1_isakmp_sa *sa)
{
	const struct v1_conn *c = sa->conn;
	struct ts l, r;
	enum ts_type t = sa->local.ss_family == AF_INET ? TS_IPV4_ADDR_RANGE : TS_IPV6_ADDR_RANGE;

	ts_from_prefix(&l, t, kernel_addr_bytes(&sa->local), (unsigned)kernel_addr_len(&sa->local) * 8);
	ts_from_prefix(&r, t, kernel_addr_bytes(&sa->peer), (unsigned)kernel_addr_len(&sa->peer) * 8);
	/* one Quick Mode per pair of configured subnets */
	for (size_t i = 0; i < (c->n_local_ts ? c->n_local_ts : 1); i++)
		for (size_t j = 0; j < (c->n_remote_ts ? c->n_remote_ts : 1); j++)
			v1_quick_start(sa, c->n_local_ts ? &c->local_ts[i] : &l,
				       c->n_remote_ts ? &c->remote_ts[j] : &r);
}

/* Quick Mode transitions. */
const struct v1_row v1_quick_rows[] = {
	{ V1S_NONE, true, V1_EXCH_QUICK, -1, qm_i1_start, qm_i1_resume, V1S_QM_I1, true, "QM1 out" },
	{ V1S_QM_I1, true, V1_EXCH_QUICK, V1_MSG_QM2, qm_i2, qm_i2_resume, V1S_QM_DONE, false, "QM2" },
	{ V1S_NONE, false, V1_EXCH_QUICK, V1_MSG_QM1, qm_r1, qm_r1_resume, V1S_QM_R1, true, "QM1" },
	{ V1S_QM_R1, false, V1_EXCH_QUICK, V1_MSG_QM3, qm_r3, NULL, V1S_QM_DONE, false, "QM3" },
	{ .what = NULL },
};
