/*
 * v1_info.c - Informational exchanges (RFC 2408 4.8, RFC 2409 5.7).
 *
 * Once phase 1 is done every Informational message is encrypted and
 * starts with HASH(1) = prf(SKEYID_a, M-ID | N/D), its IV made from the
 * last phase-1 block and its own message ID. We send Deletes (ISAKMP: both
 * cookies, RFC 2408 3.15; ESP: our inbound SPI) and error notifies, and
 * answer R-U-THERE (RFC 3706) since a peer may ask. Before keys exist only
 * a cleartext notify is possible; one received is logged and changes
 * nothing (it is not authenticated). A Delete naming an SA we do not have
 * is logged and ignored.
 */
#include <string.h>

#include <sodium.h>

#include "common/err.h"
#include "common/log.h"
#include "v1/v1_auth_sig.h"
#include "v1/v1_sa.h"

#define HASH_AT (V1_HDR_LEN + V1_GENERIC_HDR_LEN)

typedef void (*body_fn)(struct v1_builder *b, const void *arg);

static int send_protected(struct v1_isakmp_sa *sa, body_fn body, const void *arg)
{
	struct v1_engine *e = sa->eng;
	struct v1_builder b;
	struct wr w;
	struct v1_hdr h;
	struct v1_iv iv, next;
	uint8_t zero[PRF_MAX_OUT] = { 0 };
	size_t hl = prf_out_len(sa->ks.prf), len;
	uint32_t msg_id;
	int rc;

	if (!sa->have_keys || sa->state != V1S_ESTABLISHED)
		return ERR_STATE;
	do
		randombytes_buf(&msg_id, sizeof(msg_id));
	while (msg_id == 0);
	v1_sa_hdr(sa, &h, V1_EXCH_INFORMATIONAL, msg_id);
	wr_init(&w, e->scratch, sizeof(e->scratch));
	v1_build_start(&b, &w, &h);
	v1_build_blob(&b, V1_P_HASH, zero, hl);
	body(&b, arg);
	rc = v1_build_finish(&b, &len);
	if (rc == 0)
		rc = v1_hash_info(sa->ks.prf, sa->ks.skeyid_a->bytes, sa->ks.skeyid_a->len, msg_id,
				  e->scratch + HASH_AT + hl, len - HASH_AT - hl, e->scratch + HASH_AT);
	if (rc == 0)
		rc = v1_crypt_iv_msgid(&sa->crypt, (enum hash_alg)sa->choice.attrs.x_hash->hash,
				       &sa->p1_last, msg_id, &iv);
	if (rc == 0)
		rc = v1_crypt_seal(&sa->crypt, &iv, e->scratch, len, sizeof(e->scratch), &len, &next);
	if (rc == 0)
		rc = v1_sa_send(sa, e->scratch, len);
	return rc;
}

static void body_notify(struct v1_builder *b, const void *arg)
{
	v1_build_notify(b, arg);
}

static void body_delete(struct v1_builder *b, const void *arg)
{
	v1_build_delete(b, arg);
}

int v1_info_send_notify(struct v1_isakmp_sa *sa, uint16_t type, uint8_t protocol,
			const uint8_t *spi, size_t spi_len)
{
	struct v1_notify n = { .doi = V1_DOI_IPSEC, .protocol = protocol, .type = type,
			       .spi = spi, .spi_size = (uint8_t)spi_len };
	uint8_t ck[16];

	if (!spi && protocol == V1_PROTO_ISAKMP) {
		memcpy(ck, sa->sad.spi_i, 8);
		memcpy(ck + 8, sa->sad.spi_r, 8);
		n.spi = ck;
		n.spi_size = 16;
	}
	log_info(&sa->sad.logger, "sending %s", v1_notify_name(type));
	sa->eng->counters.notifies_sent++;
	return send_protected(sa, body_notify, &n);
}

int v1_info_send_delete_ipsec(struct v1_ipsec_sa *qm)
{
	uint8_t spi[4] = { (uint8_t)(qm->spi_in >> 24), (uint8_t)(qm->spi_in >> 16),
			   (uint8_t)(qm->spi_in >> 8), (uint8_t)qm->spi_in };
	struct v1_delete d = { .doi = V1_DOI_IPSEC, .protocol = V1_PROTO_IPSEC_ESP, .spi_size = 4,
			       .n_spis = 1, .spis = spi };

	qm->isakmp->eng->counters.deletes_out++;
	log_info(&qm->isakmp->sad.logger, "sending Delete for IPsec SA %08x", qm->spi_in);
	return send_protected(qm->isakmp, body_delete, &d);
}

int v1_info_send_delete_isakmp(struct v1_isakmp_sa *sa)
{
	uint8_t ck[16];
	struct v1_delete d = { .doi = V1_DOI_IPSEC, .protocol = V1_PROTO_ISAKMP, .spi_size = 16,
			       .n_spis = 1, .spis = ck };

	memcpy(ck, sa->sad.spi_i, 8);
	memcpy(ck + 8, sa->sad.spi_r, 8);
	sa->eng->counters.deletes_out++;
	log_info(&sa->sad.logger, "sending Delete for the ISAKMP SA");
	return send_protected(sa, body_delete, &d);
}

int v1_info_send_dpd(struct v1_isakmp_sa *sa, uint16_t type, uint32_t seq)
{
	uint8_t ck[16], data[4] = { (uint8_t)(seq >> 24), (uint8_t)(seq >> 16), (uint8_t)(seq >> 8),
				    (uint8_t)seq };
	struct v1_notify n = { .doi = V1_DOI_IPSEC, .protocol = V1_PROTO_ISAKMP, .type = type,
			       .spi = ck, .spi_size = 16, .data = data, .data_len = 4 };

	memcpy(ck, sa->sad.spi_i, 8);
	memcpy(ck + 8, sa->sad.spi_r, 8);
	return send_protected(sa, body_notify, &n);
}

void v1_info_notify_clear(struct v1_engine *e, const struct v1_datagram *dg,
			  const struct v1_hdr *hin, uint16_t type)
{
	struct v1_builder b;
	struct wr w;
	struct v1_hdr h = *hin;
	struct v1_notify n = { .doi = V1_DOI_IPSEC, .protocol = V1_PROTO_ISAKMP, .type = type };
	uint8_t buf[256];
	size_t len;
	struct v1_datagram out = { .local = dg->local, .peer = dg->peer };
	bool natt = e->env.natt_port && dg->local.ss_family == AF_INET &&
		    ntohs(((const struct sockaddr_in *)&dg->local)->sin_port) == e->env.natt_port;

	h.exch = V1_EXCH_INFORMATIONAL;
	h.flags = 0;
	randombytes_buf(&h.msg_id, sizeof(h.msg_id));
	memset(buf, 0, 4);
	wr_init(&w, buf + 4, sizeof(buf) - 4);
	v1_build_start(&b, &w, &h);
	v1_build_notify(&b, &n);
	if (v1_build_finish(&b, &len) < 0)
		return;
	out.data = natt ? buf : buf + 4;
	out.len = natt ? len + 4 : len;
	e->counters.notifies_sent++;
	if (e->env.send)
		e->env.send(e->env.arg, &out);
}

static void on_delete(struct v1_isakmp_sa *sa, const struct v1_payload *pl, bool *sa_gone)
{
	struct v1_delete d;

	if (v1_delete_parse(pl, &d, NULL) < 0)
		return;
	sa->eng->counters.deletes_in++;
	if (d.protocol == V1_PROTO_ISAKMP) {
		for (unsigned i = 0; i < d.n_spis; i++)
			if (d.spi_size == 16 && memcmp(d.spis + 16 * i, sa->sad.spi_i, 8) == 0 &&
			    memcmp(d.spis + 16 * i + 8, sa->sad.spi_r, 8) == 0) {
				log_info(&sa->sad.logger, "the peer deleted the ISAKMP SA");
				*sa_gone = true;
			}
		return;
	}
	if (d.protocol != V1_PROTO_IPSEC_ESP || d.spi_size != 4)
		return;
	for (unsigned i = 0; i < d.n_spis; i++) {
		const uint8_t *s = d.spis + 4 * i;
		uint32_t spi = (uint32_t)s[0] << 24 | (uint32_t)s[1] << 16 | (uint32_t)s[2] << 8 | s[3];
		struct v1_ipsec_sa *qm = sa->qms;

		while (qm && !(qm->installed && (qm->spi_out == spi || qm->spi_in == spi)))
			qm = qm->next;
		if (!qm) {
			log_info(&sa->sad.logger, "Delete for unknown IPsec SA %08x ignored", spi);
			continue;
		}
		log_info(&sa->sad.logger, "the peer deleted IPsec SA %08x", spi);
		v1_ipsec_sa_free(qm);
	}
}

static void on_notify(struct v1_isakmp_sa *sa, const struct v1_payload *pl, bool *initial_contact)
{
	struct v1_notify n;

	if (v1_notify_parse(pl, &n, NULL) < 0)
		return;
	if (n.type == V1_N_R_U_THERE && n.data_len == 4 && n.spi_size == 16) {
		/* RFC 3706 5: echo the sequence number */
		struct v1_notify ack = n;
		uint32_t seq = (uint32_t)n.data[0] << 24 | (uint32_t)n.data[1] << 16 |
			       (uint32_t)n.data[2] << 8 | n.data[3];

		ack.type = V1_N_R_U_THERE_ACK;
		if (send_protected(sa, body_notify, &ack) == 0) {
			sa->dpd_answered++;
			sa->eng->counters.dpd_answered++;
			log_debug(&sa->sad.logger, "DPD: R-U-THERE %u answered with R-U-THERE-ACK "
				  "(%llu answered on this SA)", seq,
				  (unsigned long long)sa->dpd_answered);
		}
		return;
	}
	if (n.type == V1_N_R_U_THERE_ACK && n.data_len == 4) {
		uint32_t seq = (uint32_t)n.data[0] << 24 | (uint32_t)n.data[1] << 16 |
			       (uint32_t)n.data[2] << 8 | n.data[3];

		sa->dpd_acks_in++;
		sa->eng->counters.dpd_acks_in++;
		log_debug(&sa->sad.logger, "DPD: R-U-THERE-ACK %u received (%llu on this SA)", seq,
			  (unsigned long long)sa->dpd_acks_in);
		v1_dpd_ack(sa, seq);
		return;
	}
	if (n.type == V1_N_CONNECTED) {
		/* RFC 2408 3.1: the peer set the commit bit; we installed at QM2/QM3 already */
		log_info(&sa->sad.logger, "peer says CONNECTED (commit bit): IPsec SA in use");
		return;
	}
	if (n.type == V1_N_INITIAL_CONTACT)
		*initial_contact = true;
	v1_outcome_peer_notify(sa, n.type, true);
	log_info(&sa->sad.logger, "peer says %s", v1_notify_name(n.type));
}

struct stale {
	struct v1_isakmp_sa *keep;
	struct v1_isakmp_sa *v[64];
	size_t n;
};

/*
 * An SA this INITIAL-CONTACT speaks for: established (a negotiation still
 * in progress may be the peer's own new attempt; its timeouts end it), from
 * the same address and authenticated as the same identity, DNs compared as
 * DNs (v1_cert_id_same). Another identity behind the same address (a host
 * running several connections, a load generator) is another peer.
 */
static bool stale_for(const struct v1_isakmp_sa *o, const struct v1_isakmp_sa *sa)
{
	return o != sa && o->eng == sa->eng && o->state == V1S_ESTABLISHED && o->peer_id &&
	       sa->peer_id && kernel_addr_equal(&o->peer, &sa->peer) &&
	       v1_cert_id_same(o->peer_id, sa->peer_id);
}

static bool collect_stale(struct sad_entry *s, void *arg)
{
	struct stale *st = arg;

	if (s->version == 1 && s->kind == SAD_KIND_IKE && st->n < 64) {
		struct v1_isakmp_sa *o = SAD_CONTAINER(s, struct v1_isakmp_sa, sad);

		if (stale_for(o, st->keep))
			st->v[st->n++] = o;
	}
	return true;
}

/*
 * RFC 2407 4.6.3.3: the peer has no other SA with us (it rebooted): drop
 * the established ISAKMP SAs we still hold with that authenticated peer,
 * and their IPsec SAs.
 */
static void initial_contact(struct v1_isakmp_sa *sa)
{
	struct stale st = { .keep = sa, .n = 0 };

	if (!sa->peer_id)
		return; /* phase 1 done always leaves one; nothing to match otherwise */
	sad_foreach_peer(sa->eng->env.sad, &sa->peer, collect_stale, &st);
	for (size_t i = 0; i < st.n; i++) {
		log_info(&st.v[i]->sad.logger, "INITIAL-CONTACT on #%llu: the peer forgot this SA; removed",
			 (unsigned long long)sa->sad.serial);
		v1_isakmp_sa_free(st.v[i]);
	}
}

void v1_info_input(struct v1_engine *e, struct v1_isakmp_sa *sa, const struct v1_datagram *dg,
		   const struct v1_hdr *h)
{
	struct v1_msg m;
	struct v1_err err = { 0 };
	struct v1_iv iv, next;
	const struct v1_rule *rule;
	uint8_t want[PRF_MAX_OUT];
	const uint8_t *after;
	size_t after_len, hl;
	bool gone = false, ic = false;

	if (!(h->flags & V1_FLAG_ENCRYPTION)) {
		if (v1_msg_parse(dg->data, dg->len, &m, &err) == 0) {
			const struct v1_payload *pl = v1_msg_find(&m, V1_P_N, 0);
			struct v1_notify n;

			if (pl && v1_notify_parse(pl, &n, NULL) == 0) {
				v1_outcome_peer_notify(sa, n.type, false);
				log_unauth(&sa->sad.logger, LOG_LEVEL_WARN,
					   "unprotected notify %s from the peer (not authenticated; ignored)",
					   v1_notify_name(n.type));
			}
		}
		e->counters.dropped++;
		return;
	}
	if (sa->state != V1S_ESTABLISHED) {
		e->counters.dropped++;
		return;
	}
	rule = v1_rules_find(V1_MSG_INFO, V1_AUTH_CLASS_ANY);
	hl = prf_out_len(sa->ks.prf);
	if (v1_crypt_iv_msgid(&sa->crypt, (enum hash_alg)sa->choice.attrs.x_hash->hash, &sa->p1_last,
			      h->msg_id, &iv) < 0 || dg->len > sizeof(e->plain) ||
	    v1_msg_open(dg->data, dg->len, &sa->crypt, &iv, e->plain, sizeof(e->plain), &next, &m,
			&err) < 0 ||
	    v1_rules_check(rule, &m, &err) < 0 || m.pl[0].body_len != hl ||
	    v1_msg_after_hash(&m, &after, &after_len) < 0 ||
	    v1_hash_info(sa->ks.prf, sa->ks.skeyid_a->bytes, sa->ks.skeyid_a->len, h->msg_id, after,
			 after_len, want) < 0 ||
	    !secret_equal(want, m.pl[0].body, hl)) {
		e->counters.dropped++;
		log_unauth(&sa->sad.logger, LOG_LEVEL_WARN, "Informational %08x refused: %s", h->msg_id,
			   err.text[0] ? err.text : "HASH(1) does not verify");
		return;
	}
	sa->heard = true;
	for (unsigned i = 0; i < m.n; i++) {
		if (m.pl[i].type == V1_P_D)
			on_delete(sa, &m.pl[i], &gone);
		else if (m.pl[i].type == V1_P_N)
			on_notify(sa, &m.pl[i], &ic);
	}
	if (ic && !gone)
		initial_contact(sa);
	if (gone) {
		/* RFC 2409: IPsec SAs outlive the ISAKMP SA; a re-authenticated one takes them */
		v1_isakmp_sa_adopt(sa);
		v1_isakmp_sa_free(sa);
	}
}
