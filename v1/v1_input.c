/*
 * v1_input.c - the path of an IKEv1 message inside the engine (DESIGN.md
 * "The path of a packet" step 3): header, the ISAKMP SA by cookie pair
 * (or a new one for a first Main/Aggressive Mode message), duplicates,
 * decryption with the exchange's IV, the payload rules of the row's
 * message, then the row's handler. A message that fits no row is dropped
 * and counted; nothing changes before a handler accepts.
 */
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/kernel.h"
#include "common/log.h"
#include "v1/v1_auth_sig.h"
#include "v1/v1_frag.h"
#include "v1/v1_sa.h"

static int drop(struct v1_engine *e, const struct v1_datagram *dg, const char *why)
{
	char peer[64];

	e->counters.dropped++;
	log_unauth(&log_global, LOG_LEVEL_INFO, "IKEv1 message (%zu bytes) from %s dropped: %s",
		   dg->len, kernel_addr_str(&dg->peer, peer, sizeof(peer)), why);
	return ERR_STATE;
}

static bool zero8(const uint8_t *p)
{
	static const uint8_t z[8];

	return memcmp(p, z, 8) == 0;
}

static struct v1_isakmp_sa *find_sa(struct v1_engine *e, const struct v1_hdr *h,
				    const struct v1_datagram *dg)
{
	struct sad_entry *s;

	if (!zero8(h->cky_r)) {
		s = sad_find_ike(e->env.sad, 1, h->cky_i, h->cky_r);
		if (!s) {
			/* our first reply: we know CKY-I only (RFC 2408 3.1) */
			s = sad_find_ike_by_local_spi(e->env.sad, 1, h->cky_i);
			if (s && !(s->initiator && zero8(s->spi_r)))
				s = NULL;
		}
	} else {
		s = sad_find_ike_by_spi_i(e->env.sad, 1, h->cky_i, &dg->peer);
		if (s && s->initiator)
			s = NULL;
	}
	return s ? SAD_CONTAINER(s, struct v1_isakmp_sa, sad) : NULL;
}

static int new_responder(struct v1_engine *e, const struct v1_hdr *h, const struct v1_datagram *dg)
{
	struct v1_conn *c = v1_conn_find(e, &dg->local, &dg->peer);
	struct v1_isakmp_sa *sa;
	uint8_t cky_r[8];
	char peer[64];

	kernel_addr_str(&dg->peer, peer, sizeof(peer));
	if (!c)
		return drop(e, dg, "no IKEv1 connection for this peer");
	if (sad_new_ike_spi(e->env.sad, 1, cky_r) < 0)
		return drop(e, dg, "no responder cookie");
	sa = v1_isakmp_sa_new(e, c, false, &dg->local, &dg->peer);
	if (!sa)
		return ERR_NOMEM;
	sa->aggressive = h->exch == V1_EXCH_AGGRESSIVE;
	if (sad_add_ike(e->env.sad, &sa->sad, h->cky_i, cky_r, false) < 0) {
		v1_isakmp_sa_free(sa);
		return drop(e, dg, "cookie pair in use");
	}
	log_info(&sa->sad.logger, "IKEv1 %s (%zu bytes) from %s[%u]: responding for connection %s",
		 h->exch == V1_EXCH_AGGRESSIVE ? "Aggressive Mode" : "Main Mode", dg->len, peer, kernel_addr_port(&dg->peer), c->name);
	return 1;
}

/* Decrypt (when E) and parse; *next gets the IV after the message. */
static int open_msg(struct v1_engine *e, struct v1_isakmp_sa *sa, const struct v1_datagram *dg,
		    const struct v1_iv *iv, struct v1_msg *m, struct v1_iv *next, bool *has_next,
		    struct v1_err *err)
{
	if (!(dg->data[19] & V1_FLAG_ENCRYPTION)) {
		*has_next = false;
		return v1_msg_parse(dg->data, dg->len, m, err);
	}
	if (!sa->have_keys)
		return v1_fail(err, ERR_STATE, 0, 0, "encrypted before keys exist");
	if (dg->len > sizeof(e->plain))
		return v1_fail(err, ERR_OVERFLOW, 0, 0, "message too long");
	*has_next = true;
	return v1_msg_open(dg->data, dg->len, &sa->crypt, iv, e->plain, sizeof(e->plain), next,
			   m, err);
}

static int run_row(struct v1_step *st, const struct v1_row *row, const struct v1_msg *m)
{
	struct v1_err err = { 0 };
	const struct v1_rule *rule = v1_rules_find((enum v1_msg_kind)row->kind, v1_auth_class_sa(st->sa));

	if (!rule || v1_rules_check(rule, m, &err) < 0) {
		st->eng->counters.dropped++;
		log_warn(&st->sa->sad.logger, "%s refused: %s", row->what, err.text);
		if (st->qm && st->qm->state == V1S_NONE)
			v1_ipsec_sa_free(st->qm);
		return ERR_PARSE;
	}
	st->m = m;
	v1_run(st, row, false);
	return 0;
}

/* A responder SA made for a first message that was then refused: no trace stays. */
static int forget_fresh(struct v1_isakmp_sa *sa, int rc)
{
	if (!sa->initiator && sa->state == V1S_NONE && !sa->pending && !sa->job)
		v1_isakmp_sa_free(sa);
	return rc;
}

static int phase1_input(struct v1_engine *e, struct v1_isakmp_sa *sa, const struct v1_hdr *h,
			const struct v1_datagram *dg)
{
	struct v1_step st = { .eng = e, .sa = sa, .dg = dg };
	struct v1_msg m;
	struct v1_err err = { 0 };
	const struct v1_row *row;

	if (h->msg_id != 0)
		return drop(e, dg, "phase-1 message with a message ID");
	if (sa->job || sa->pending)
		return drop(e, dg, "busy with the previous message");
	if (v1_xmit_is_dup(&sa->x, dg->data, dg->len)) {
		e->counters.duplicates++;
		log_debug(&sa->sad.logger, "duplicate %s message: answering from the cache",
			  v1_exch_name(h->exch));
		if (sa->x.out)
			v1_sa_send(sa, sa->x.out, sa->x.out_len);
		return 0;
	}
	row = v1_row_find(sa->state, sa->initiator, h->exch, -2);
	if (!row) {
		e->counters.dropped++;
		log_unauth(&sa->sad.logger, LOG_LEVEL_INFO, "%s message in state %s: no transition; dropped",
			   v1_exch_name(h->exch), v1_state_name(sa->state));
		return forget_fresh(sa, ERR_STATE);
	}
	if (open_msg(e, sa, dg, &sa->iv, &m, &st.iv_next, &st.has_iv_next, &err) < 0) {
		e->counters.dropped++;
		log_unauth(&sa->sad.logger, LOG_LEVEL_WARN, "%s: %s; dropped", row->what, err.text);
		return forget_fresh(sa, ERR_PARSE);
	}
	if (run_row(&st, row, &m) < 0)
		return forget_fresh(sa, ERR_PARSE);
	return 0;
}

static int quick_input(struct v1_engine *e, struct v1_isakmp_sa *sa, const struct v1_hdr *h,
		       const struct v1_datagram *dg)
{
	struct v1_step st = { .eng = e, .sa = sa, .dg = dg };
	struct v1_ipsec_sa *qm;
	struct v1_msg m;
	struct v1_err err = { 0 };
	const struct v1_row *row;
	bool fresh = false;

	if (sa->state != V1S_ESTABLISHED)
		return drop(e, dg, "Quick Mode before phase 1 is done");
	if (!(h->flags & V1_FLAG_ENCRYPTION) || h->msg_id == 0)
		return drop(e, dg, "Quick Mode not encrypted or with message ID 0");
	qm = v1_ipsec_sa_find(sa, h->msg_id);
	if (qm) {
		if (qm->job || qm->pending)
			return drop(e, dg, "busy with the previous Quick Mode message");
		if (v1_xmit_is_dup(&qm->x, dg->data, dg->len)) {
			e->counters.duplicates++;
			log_debug(&sa->sad.logger, "duplicate Quick Mode message %08x: answering from the cache",
				  h->msg_id);
			if (qm->x.out)
				v1_sa_send(sa, qm->x.out, qm->x.out_len);
			return 0;
		}
	} else {
		qm = v1_ipsec_sa_new(sa, false, h->msg_id);
		if (!qm)
			return ERR_NOMEM;
		fresh = true;
	}
	st.qm = qm;
	row = v1_row_find(qm->state, qm->initiator, h->exch, -2);
	if (!row || open_msg(e, sa, dg, &qm->iv, &m, &st.iv_next, &st.has_iv_next, &err) < 0) {
		e->counters.dropped++;
		log_unauth(&sa->sad.logger, LOG_LEVEL_WARN, "Quick Mode %08x in state %s: %s; dropped",
			   h->msg_id, v1_state_name(qm->state), row ? err.text : "no transition");
		if (fresh)
			v1_ipsec_sa_free(qm);
		return ERR_STATE;
	}
	return run_row(&st, row, &m);
}

static void follow_peer(struct v1_isakmp_sa *sa, const struct v1_datagram *dg)
{
	struct v1_engine *e = sa->eng;

	/* RFC 3947 4: the peer floated to the NAT-T port; answer there */
	if (e->env.natt_port && kernel_addr_port(&dg->local) == e->env.natt_port &&
	    (!sa->floated || kernel_addr_port(&dg->peer) != kernel_addr_port(&sa->peer))) {
		sa->floated = true;
		sa->local = dg->local;
		sa->peer = dg->peer;
		sad_change_peer(e->env.sad, &sa->sad, &dg->peer);
	}
}

/*
 * An IKE fragment (v1_frag.h): only for an ISAKMP SA we know, from its
 * peer. Once whole, the joined bytes are one datagram of the same SA (its
 * cookies, not a fragment again) for the normal path below.
 */
static int frag_input(struct v1_engine *e, const struct v1_hdr *h, const struct v1_datagram *dg)
{
	struct v1_isakmp_sa *sa = find_sa(e, h, dg);
	struct v1_datagram whole = *dg;
	struct v1_hdr jh;
	struct v1_err err = { 0 };
	uint8_t *joined = NULL;
	size_t joined_len = 0;
	int rc;

	if (!sa || !kernel_addr_equal(&sa->peer, &dg->peer)) {
		e->counters.frag_fragments_dropped++;
		return drop(e, dg, "fragment for no ISAKMP SA of this peer");
	}
	rc = v1_frag_input(sa, dg->data, dg->len, &joined, &joined_len);
	if (rc <= 0) {
		if (rc < 0)
			e->counters.dropped++;
		return rc;
	}
	whole.data = joined;
	whole.len = joined_len;
	if (v1_hdr_parse(joined, joined_len, &jh, &err) < 0)
		rc = drop(e, &whole, err.text);
	else if (memcmp(jh.cky_i, h->cky_i, 8) != 0 || memcmp(jh.cky_r, h->cky_r, 8) != 0)
		rc = drop(e, &whole, "reassembled message with other cookies than its fragments");
	else if (jh.next == V1_P_FRAG)
		rc = drop(e, &whole, "reassembled message is a fragment again");
	else
		rc = v1_engine_input(e, &whole);
	free(joined);
	return rc;
}

int v1_engine_input(struct v1_engine *e, const struct v1_datagram *dg)
{
	struct v1_hdr h;
	struct v1_err err = { 0 };
	struct v1_isakmp_sa *sa;

	if (v1_hdr_parse(dg->data, dg->len, &h, &err) < 0)
		return drop(e, dg, err.text);
	if (h.next == V1_P_FRAG)
		return frag_input(e, &h, dg);
	sa = find_sa(e, &h, dg);
	if (!sa) {
		if (!zero8(h.cky_r) || h.msg_id != 0 || (h.flags & V1_FLAG_ENCRYPTION) ||
		    (h.exch != V1_EXCH_IDPROT && h.exch != V1_EXCH_AGGRESSIVE))
			return drop(e, dg, "no ISAKMP SA for these cookies");
		int rc = new_responder(e, &h, dg);

		if (rc <= 0)
			return rc;
		sa = find_sa(e, &h, dg);
		if (!sa)
			return ERR_STATE;
	}
	if (!kernel_addr_equal(&sa->peer, &dg->peer))
		return drop(e, dg, "cookies of an SA with another peer");
	follow_peer(sa, dg);
	switch (h.exch) {
	case V1_EXCH_IDPROT:
	case V1_EXCH_AGGRESSIVE:
		if ((h.exch == V1_EXCH_AGGRESSIVE) != sa->aggressive)
			return drop(e, dg, "exchange type differs from the SA's");
		return phase1_input(e, sa, &h, dg);
	case V1_EXCH_QUICK:
		return quick_input(e, sa, &h, dg);
	case V1_EXCH_INFORMATIONAL:
		v1_info_input(e, sa, dg, &h);
		return 0;
	default:
		return drop(e, dg, "exchange type not supported");
	}
}
