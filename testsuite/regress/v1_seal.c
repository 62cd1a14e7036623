/*
 * v1_seal.c - see v1_seal.h.
 */
#include <string.h>

#include "common/err.h"
#include "common/sad.h"
#include "testsuite/regress/v1_seal.h"
#include "v1/v1_names.h"
#include "v1/v1_sa.h"

/* The hash body starts after the header and the HASH payload's generic header. */
#define HASH_AT (V1_HDR_LEN + V1_GENERIC_HDR_LEN)

static struct v1_isakmp_sa *first_established(struct v1_pair *p, int i)
{
	for (struct sad_entry *s = p->sad[i] ? sad_first(p->sad[i]) : NULL; s; s = sad_next(s)) {
		struct v1_isakmp_sa *sa;

		if (s->version != 1 || s->kind != SAD_KIND_IKE)
			continue;
		sa = SAD_CONTAINER(s, struct v1_isakmp_sa, sad);
		if (sa->state == V1S_ESTABLISHED && sa->have_keys)
			return sa;
	}
	return NULL;
}

int v1s_set_group(struct v1_pair *p, const char *group)
{
	const struct xform *x = xform_by_name(group);

	if (!x)
		return ERR_INVAL;
	for (int i = 0; i < 2; i++)
		for (size_t c = 0; c < p->eng[i]->n_conns; c++)
			p->eng[i]->conns[c]->p1[0].group.x[0] = x;
	return 0;
}

int v1s_set_pfs_dpd(struct v1_pair *p, const char *pfs, uint32_t dpd_delay_s)
{
	const struct xform *x = pfs ? xform_by_name(pfs) : NULL;

	if (pfs && !x)
		return ERR_INVAL;
	for (int i = 0; i < 2; i++)
		for (size_t c = 0; c < p->eng[i]->n_conns; c++) {
			p->eng[i]->conns[c]->pfs = x;
			p->eng[i]->conns[c]->dpd_delay_s = dpd_delay_s;
			p->eng[i]->conns[c]->dpd_timeout_s = dpd_delay_s ? 4 * dpd_delay_s : 0;
		}
	return 0;
}

bool v1s_established(struct v1_pair *p, int i)
{
	return first_established(p, i) != NULL;
}

uint32_t v1s_waiting_qm(struct v1_pair *p, int i)
{
	struct v1_isakmp_sa *sa = first_established(p, i);

	for (struct v1_ipsec_sa *qm = sa ? sa->qms : NULL; qm; qm = qm->next)
		if (qm->state == V1S_QM_I1 || qm->state == V1S_QM_R1)
			return qm->msg_id;
	return 0;
}

static void put32(uint8_t *b, uint32_t v)
{
	b[0] = (uint8_t)(v >> 24), b[1] = (uint8_t)(v >> 16), b[2] = (uint8_t)(v >> 8), b[3] = (uint8_t)v;
}

/* Bytes the receiver's HASH covers: what its parser takes as payloads. */
static size_t covered(const uint8_t *msg, size_t len, size_t after_at)
{
	struct v1_hdr h;
	struct v1_msg m;
	struct v1_err err = { 0 };

	memset(&h, 0, sizeof(h));
	h.next = msg[16];
	h.major = 1;
	h.exch = msg[18];
	h.len = (uint32_t)len;
	if (v1_msg_parse_chain(msg, len, &h, V1_MSG_MAX_PAD, &m, &err) < 0 || m.chain_end < after_at)
		return len - after_at;
	return m.chain_end - after_at;
}

static int hash_of(struct v1_isakmp_sa *sa, struct v1_ipsec_sa *qm, enum v1s_hash kind,
		   uint32_t msg_id, const uint8_t *after, size_t after_len, uint8_t *out)
{
	const struct v1_keyset *ks = &sa->ks;
	static const uint8_t none[1];

	switch (kind) {
	case V1S_HASH_2:
		return v1_hash_2(ks->prf, ks->skeyid_a->bytes, ks->skeyid_a->len, msg_id,
				 qm ? qm->ni : none, qm ? qm->ni_len : 0, after, after_len, out);
	case V1S_HASH_3:
		return v1_hash_3(ks->prf, ks->skeyid_a->bytes, ks->skeyid_a->len, msg_id,
				 qm ? qm->ni : none, qm ? qm->ni_len : 0, qm ? qm->nr : none,
				 qm ? qm->nr_len : 0, out);
	case V1S_HASH_BAD:
		memset(out, 0x5b, prf_out_len(ks->prf));
		return 0;
	default:
		return v1_hash_1(ks->prf, ks->skeyid_a->bytes, ks->skeyid_a->len, msg_id, after,
				 after_len, out);
	}
}

int v1s_seal(struct v1_pair *p, int to, uint8_t exch, uint32_t msg_id, enum v1s_hash hash,
	     uint8_t first_inner, const uint8_t *inner, size_t inner_len, uint8_t *out,
	     size_t cap, size_t *out_len)
{
	struct v1_isakmp_sa *sa = first_established(p, to);
	struct v1_ipsec_sa *qm;
	struct v1_iv iv, next;
	size_t hl, at, len;
	int err;

	if (!sa)
		return ERR_STATE;
	hl = hash == V1S_HASH_NONE ? 0 : prf_out_len(sa->ks.prf);
	at = hash == V1S_HASH_NONE ? V1_HDR_LEN : HASH_AT + hl;
	if (at + inner_len + CIPHER_MAX_IV > cap)
		return ERR_OVERFLOW;
	memcpy(out, sa->sad.spi_i, 8);
	memcpy(out + 8, sa->sad.spi_r, 8);
	out[16] = hash == V1S_HASH_NONE ? first_inner : V1_P_HASH;
	out[17] = 0x10;
	out[18] = exch;
	out[19] = 0;
	put32(out + 20, msg_id);
	put32(out + 24, 0);
	if (hl) {
		out[V1_HDR_LEN] = first_inner;
		out[V1_HDR_LEN + 1] = 0;
		out[V1_HDR_LEN + 2] = (uint8_t)((V1_GENERIC_HDR_LEN + hl) >> 8);
		out[V1_HDR_LEN + 3] = (uint8_t)(V1_GENERIC_HDR_LEN + hl);
	}
	if (inner_len)
		memcpy(out + at, inner, inner_len);
	len = at + inner_len;
	qm = exch == V1_EXCH_QUICK ? v1_ipsec_sa_find(sa, msg_id) : NULL;
	if (hl && (err = hash_of(sa, qm, hash, msg_id, out + at, covered(out, len, at),
				 out + HASH_AT)) < 0)
		return err;
	if (qm)
		iv = qm->iv;
	else if ((err = v1_crypt_iv_msgid(&sa->crypt, (enum hash_alg)sa->choice.attrs.x_hash->hash,
					  &sa->p1_last, msg_id, &iv)) < 0)
		return err;
	return v1_crypt_seal(&sa->crypt, &iv, out, len, cap, out_len, &next);
}

int v1s_open(struct v1_pair *p, int side, const uint8_t *prev, size_t prev_len,
	     const uint8_t *msg, size_t len, uint8_t *first, uint8_t *inner, size_t cap,
	     size_t *inner_len)
{
	struct v1_isakmp_sa *sa = first_established(p, side);
	static uint8_t plain[V1_MSG_CAP];
	struct v1_iv iv, next;
	struct v1_msg m;
	struct v1_err e = { 0 };
	const uint8_t *after;
	size_t after_len;
	uint32_t msg_id;
	int err;

	if (!sa || len < V1_HDR_LEN || len > sizeof(plain))
		return ERR_STATE;
	msg_id = (uint32_t)msg[20] << 24 | (uint32_t)msg[21] << 16 | (uint32_t)msg[22] << 8 | msg[23];
	if (prev) {
		/* a later message of the exchange: the previous one's last CBC block */
		if (prev_len < V1_HDR_LEN + sa->crypt.block)
			return ERR_INVAL;
		memcpy(iv.b, prev + prev_len - sa->crypt.block, sa->crypt.block);
		iv.len = sa->crypt.block;
	} else if ((err = v1_crypt_iv_msgid(&sa->crypt, (enum hash_alg)sa->choice.attrs.x_hash->hash,
					    &sa->p1_last, msg_id, &iv)) < 0) {
		return err;
	}
	if ((err = v1_msg_open(msg, len, &sa->crypt, &iv, plain, sizeof(plain), &next, &m, &e)) < 0 ||
	    (err = v1_msg_after_hash(&m, &after, &after_len)) < 0)
		return err;
	if (after_len > cap)
		return ERR_OVERFLOW;
	*first = plain[V1_HDR_LEN];
	memcpy(inner, after, after_len);
	*inner_len = after_len;
	return 0;
}
