/*
 * v1_ipsec_sa.c - an IPsec SA pair made by Quick Mode: its life on the
 * ISAKMP SA's list, its KEYMAT per direction (RFC 2409 5.5), and the
 * kernel SAs and policies (common/kernel.h), the SAD child entry and the
 * key log when it is installed.
 *
 *   KEYMAT = prf(SKEYID_d, [g(qm)^xy |] protocol | SPI | Ni_b | Nr_b), K1|K2|...
 * Each SPI's KEYMAT protects the traffic toward the side that chose it:
 * our inbound SA uses our SPI, the outbound one the peer's.
 */
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/kernel.h"
#include "common/keylog.h"
#include "common/log.h"
#include "v1/v1_sa.h"

struct v1_ipsec_sa *v1_ipsec_sa_new(struct v1_isakmp_sa *sa, bool initiator, uint32_t msg_id)
{
	struct v1_ipsec_sa *qm = calloc(1, sizeof(*qm));

	if (!qm)
		return NULL;
	qm->isakmp = sa;
	qm->initiator = initiator;
	qm->msg_id = msg_id;
	if (v1_crypt_iv_msgid(&sa->crypt, (enum hash_alg)sa->choice.attrs.x_hash->hash, &sa->p1_last,
			      msg_id, &qm->iv) < 0) {
		free(qm);
		return NULL;
	}
	qm->next = sa->qms;
	sa->qms = qm;
	return qm;
}

struct v1_ipsec_sa *v1_ipsec_sa_find(struct v1_isakmp_sa *sa, uint32_t msg_id)
{
	for (struct v1_ipsec_sa *qm = sa->qms; qm; qm = qm->next)
		if (qm->msg_id == msg_id)
			return qm;
	return NULL;
}

/*
 * Another installed pair for the same traffic (a rekey, or the pair a
 * rekey replaces): by selectors when sel is given, else by reqid. The
 * pairs share a reqid, so the policies stay while one of them lives.
 */
static const struct v1_ipsec_sa *sibling(const struct v1_ipsec_sa *qm, const struct kernel_selector *sel)
{
	struct v1_engine *e = qm->isakmp->eng;

	for (struct sad_entry *s = sad_first(e->env.sad); s; s = sad_next(s)) {
		if (s->version != 1 || s->kind != SAD_KIND_IKE)
			continue;
		const struct v1_isakmp_sa *sa = SAD_CONTAINER(s, struct v1_isakmp_sa, sad);

		for (const struct v1_ipsec_sa *o = sa->qms; o; o = o->next)
			if (o != qm && o->installed &&
			    (sel ? kernel_selector_equal(&o->sel_out, sel) : o->reqid == qm->reqid))
				return o;
	}
	return NULL;
}

static void uninstall(struct v1_ipsec_sa *qm)
{
	struct v1_isakmp_sa *sa = qm->isakmp;
	struct kernel *k = sa->eng->env.kernel;

	kernel_del_sa(k, &sa->local, qm->spi_in, KERNEL_PROTO_ESP);
	kernel_del_sa(k, &sa->peer, qm->spi_out, KERNEL_PROTO_ESP);
	if (sibling(qm, NULL)) {
		log_info(&sa->sad.logger, "IPsec SA pair %08x/%08x removed (policies kept for its successor)",
			 qm->spi_in, qm->spi_out);
		return;
	}
	kernel_del_policy(k, &qm->sel_out, KERNEL_DIR_OUT);
	kernel_del_policy(k, &qm->sel_in, KERNEL_DIR_IN);
	kernel_del_policy(k, &qm->sel_in, KERNEL_DIR_FWD);
	log_info(&sa->sad.logger, "IPsec SA pair %08x/%08x removed", qm->spi_in, qm->spi_out);
}

void v1_ipsec_sa_free(struct v1_ipsec_sa *qm)
{
	struct v1_isakmp_sa *sa = qm->isakmp;

	for (struct v1_ipsec_sa **p = &sa->qms; *p; p = &(*p)->next)
		if (*p == qm) {
			*p = qm->next;
			break;
		}
	job_cancel(&qm->job);
	v1_timer_free(&qm->life);
	if (qm->installed)
		uninstall(qm);
	else if (qm->spi_in)
		kernel_del_sa(sa->eng->env.kernel, &sa->local, qm->spi_in, KERNEL_PROTO_ESP);
	if (qm->in_sad)
		sad_remove(sa->eng->env.sad, &qm->sad);
	v1_xmit_free(&qm->x);
	free(qm->sa_b);
	free(qm->ke_peer);
	free(qm->ke_ours);
	ke_keypair_free(qm->kp);
	secret_free(qm->gqm);
	secret_free(qm->key_in);
	secret_free(qm->key_out);
	secret_wipe(qm, sizeof(*qm));
	free(qm);
}

static int keymat(struct v1_ipsec_sa *qm, uint32_t spi, size_t len, struct secret **out)
{
	struct v1_isakmp_sa *sa = qm->isakmp;
	uint8_t s[4] = { (uint8_t)(spi >> 24), (uint8_t)(spi >> 16), (uint8_t)(spi >> 8), (uint8_t)spi };
	struct v1_keymat_inputs in = {
		.g_qm = qm->gqm ? qm->gqm->bytes : NULL, .g_qm_len = qm->gqm ? qm->gqm->len : 0,
		.protocol = V1_PROTO_IPSEC_ESP, .spi = s, .spi_len = 4,
		.ni = qm->ni, .ni_len = qm->ni_len, .nr = qm->nr, .nr_len = qm->nr_len,
	};

	return v1_keymat(&sa->ks, &in, len, out);
}

static bool transport(const struct v1_ipsec_sa *qm)
{
	uint16_t m = qm->choice.attrs.encap;

	return m == V1_ENCAP_TRANSPORT || m == V1_ENCAP_UDP_TRANSPORT ||
	       m == V1_ENCAP_UDP_TRANSPORT_DRAFT;
}

static void fill_sa(struct v1_ipsec_sa *qm, struct kernel_sa *k, bool inbound, const struct secret *key)
{
	struct v1_isakmp_sa *sa = qm->isakmp;
	const struct xform *e = qm->choice.attrs.x_encr, *i = qm->choice.attrs.x_integ;
	size_t elen = e->key_bits / 8 + e->salt_size;

	memset(k, 0, sizeof(*k));
	k->proto = KERNEL_PROTO_ESP;
	k->spi = inbound ? qm->spi_in : qm->spi_out;
	k->src = inbound ? sa->peer : sa->local;
	k->dst = inbound ? sa->local : sa->peer;
	k->mode = transport(qm) ? KERNEL_MODE_TRANSPORT : KERNEL_MODE_TUNNEL;
	k->reqid = qm->reqid;
	k->encr_id = e->v2_id;
	k->encr_key = key->bytes;
	k->encr_key_len = elen;
	k->integ_id = i ? i->v2_id : KERNEL_INTEG_NONE;
	k->integ_key = i ? key->bytes + elen : NULL;
	k->integ_key_len = i ? i->key_bits / 8 : 0;
	k->encap = qm->udp_encap;
	k->encap_sport = kernel_addr_port(&k->src);
	k->encap_dport = kernel_addr_port(&k->dst);
	/* the inbound SA decapsulates the peer's packets, whose addresses its NAT
	 * changed: it fixes their checksums from the peer's NAT-OA (RFC 3948 3.1.2) */
	if (inbound && k->encap && k->mode == KERNEL_MODE_TRANSPORT)
		v1_natoa_peer_original(qm, &k->encap_oa);
	k->replay_window = 32;
	k->lifetime.hard_seconds = qm->choice.life_seconds;
	k->lifetime.soft_seconds = qm->choice.life_seconds - qm->choice.life_seconds / 10;
}

int v1_ipsec_sa_install(struct v1_ipsec_sa *qm)
{
	struct v1_isakmp_sa *sa = qm->isakmp;
	struct v1_engine *eng = sa->eng;
	struct kernel *k = eng->env.kernel;
	const struct xform *e = qm->choice.attrs.x_encr, *i = qm->choice.attrs.x_integ;
	size_t len = e->key_bits / 8 + e->salt_size + (i ? i->key_bits / 8 : 0);
	struct kernel_sa in, out;
	struct kernel_policy pol;
	int rc;

	qm->udp_encap = sa->nat_local || sa->nat_peer;
	qm->pfs = qm->gqm != NULL;
	rc = keymat(qm, qm->spi_in, len, &qm->key_in);
	if (rc == 0)
		rc = keymat(qm, qm->spi_out, len, &qm->key_out);
	if (rc == 0)
		rc = ts_to_kernel_selector(&qm->ts_local, &qm->ts_remote, &qm->sel_out);
	if (rc == 0)
		rc = ts_to_kernel_selector(&qm->ts_remote, &qm->ts_local, &qm->sel_in);
	if (rc < 0) {
		log_error(&sa->sad.logger, "Quick Mode %08x: keys or selectors: %s", qm->msg_id,
			  err_str(rc));
		return rc;
	}
	if (!qm->reqid) {
		/* a rekey the peer started looks like any Quick Mode: same traffic, same reqid */
		const struct v1_ipsec_sa *o = sibling(qm, &qm->sel_out);

		qm->reqid = o ? o->reqid : ++eng->next_reqid;
	}
	fill_sa(qm, &in, true, qm->key_in);
	fill_sa(qm, &out, false, qm->key_out);
	rc = kernel_update_sa(k, &in);
	if (rc == 0) {
		rc = kernel_add_sa(k, &out);
		if (rc < 0)
			kernel_del_sa(k, &sa->local, qm->spi_in, KERNEL_PROTO_ESP);
	}
	if (rc < 0) {
		log_error(&sa->sad.logger, "Quick Mode %08x: the kernel refused the SAs: %s",
			  qm->msg_id, err_str(rc));
		return rc;
	}
	memset(&pol, 0, sizeof(pol));
	pol.proto = KERNEL_PROTO_ESP;
	pol.mode = transport(qm) ? KERNEL_MODE_TRANSPORT : KERNEL_MODE_TUNNEL;
	pol.reqid = qm->reqid;
	pol.sel = qm->sel_out;
	pol.dir = KERNEL_DIR_OUT;
	pol.tmpl_src = sa->local;
	pol.tmpl_dst = sa->peer;
	kernel_add_policy(k, &pol);
	pol.sel = qm->sel_in;
	pol.dir = KERNEL_DIR_IN;
	pol.tmpl_src = sa->peer;
	pol.tmpl_dst = sa->local;
	kernel_add_policy(k, &pol);
	pol.dir = KERNEL_DIR_FWD;
	kernel_add_policy(k, &pol);
	keylog_esp(eng->env.keylog, &in);
	keylog_esp(eng->env.keylog, &out);
	if (eng->env.ipsec_installed)
		eng->env.ipsec_installed(eng->env.arg, &in, &out);
	qm->installed = true;
	sad_entry_init(eng->env.sad, &qm->sad, 1, SAD_KIND_CHILD, sa->conn->name, &sa->peer);
	if (sad_add_child(eng->env.sad, &qm->sad, KERNEL_PROTO_ESP, qm->spi_in, qm->spi_out,
			  sa->sad.serial) == 0)
		qm->in_sad = true;
	else
		log_warn(&sa->sad.logger, "IPsec SA pair %08x/%08x not indexed (SPI in use): a "
			 "kernel EXPIRE will not find it", qm->spi_in, qm->spi_out);
	log_info(&sa->sad.logger, "IPsec SA pair installed: in %08x out %08x, %s%s%s, %s%s, %llus",
		 qm->spi_in, qm->spi_out, e->name, i ? "-" : "", i ? i->name : "",
		 qm->pfs ? "PFS" : "no PFS", qm->udp_encap ? ", UDP-encapsulated" : "",
		 (unsigned long long)qm->choice.life_seconds);
	return 0;
}
