/*
 * v1_isakmp_sa.c - the ISAKMP SA (RFC 2408 2.4, 3.1): its life in the SAD
 * under the cookie pair, its connection, the header of its messages and
 * the way its messages leave (port 500, or the NAT-T port with the
 * non-ESP marker once floated, RFC 3947 4, RFC 3948 2.2).
 */
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/kernel.h"
#include "common/log.h"
#include "v1/v1_auth_sig.h"
#include "v1/v1_frag.h"
#include "v1/v1_sa.h"

struct v1_isakmp_sa *v1_isakmp_sa_new(struct v1_engine *e, struct v1_conn *c, bool initiator,
				      const struct sockaddr_storage *local,
				      const struct sockaddr_storage *peer)
{
	struct v1_isakmp_sa *sa = calloc(1, sizeof(*sa));

	if (!sa)
		return NULL;
	sad_entry_init(e->env.sad, &sa->sad, 1, SAD_KIND_IKE, c->name, peer);
	sa->eng = e;
	sa->conn = v1_conn_ref(c);
	sa->initiator = initiator;
	sa->local = *local;
	sa->peer = *peer;
	sa->floated = kernel_addr_port(local) == e->env.natt_port && e->env.natt_port;
	return sa;
}

void v1_isakmp_sa_free(struct v1_isakmp_sa *sa)
{
	if (!sa)
		return;
	v1_outcome_failed(sa, "ISAKMP SA removed in state %s", v1_state_name(sa->state));
	while (sa->qms)
		v1_ipsec_sa_free(sa->qms);
	job_cancel(&sa->job);
	v1_timer_free(&sa->dpd);
	v1_timer_free(&sa->life);
	v1_frag_rx_free(sa);
	v1_timer_free(&sa->frag_timer);
	sad_remove(sa->eng->env.sad, &sa->sad);
	v1_xmit_free(&sa->x);
	free(sa->sai_b);
	free(sa->gxi);
	free(sa->gxr);
	free(sa->chosen_attrs);
	free(sa->peer_id_b);
	ke_keypair_free(sa->kp);
	secret_free(sa->gxy);
	v1_keyset_free(&sa->ks);
	v1_crypt_free(&sa->crypt);
	id_free(sa->peer_id);
	v1_sig_free(sa);
	v1_conn_unref(sa->conn);
	secret_wipe(sa, sizeof(*sa));
	free(sa);
}

static bool addr_match(const struct sockaddr_storage *want, const struct sockaddr_storage *got)
{
	return want->ss_family == AF_UNSPEC || kernel_addr_equal(want, got);
}

struct v1_conn *v1_conn_find(struct v1_engine *e, const struct sockaddr_storage *local,
			     const struct sockaddr_storage *peer)
{
	struct v1_conn *any = NULL;

	for (size_t i = 0; i < e->n_conns; i++) {
		struct v1_conn *c = e->conns[i];

		if (!addr_match(&c->local, local) || !addr_match(&c->remote, peer))
			continue;
		if (c->remote.ss_family != AF_UNSPEC)
			return c;
		if (!any)
			any = c;
	}
	return any;
}

struct v1_conn *v1_conn_by_name(struct v1_engine *e, const char *name)
{
	for (size_t i = 0; i < e->n_conns; i++)
		if (strcmp(e->conns[i]->name, name) == 0)
			return e->conns[i];
	return NULL;
}

void v1_sa_hdr(const struct v1_isakmp_sa *sa, struct v1_hdr *h, uint8_t exch, uint32_t msg_id)
{
	memset(h, 0, sizeof(*h));
	memcpy(h->cky_i, sa->sad.spi_i, 8);
	memcpy(h->cky_r, sa->sad.spi_r, 8);
	h->major = V1_MAJOR;
	h->minor = V1_MINOR;
	h->exch = exch;
	h->msg_id = msg_id;
}

/* One datagram as it is, with the non-ESP marker when floated. */
static int send_one(struct v1_isakmp_sa *sa, const uint8_t *msg, size_t len)
{
	struct v1_engine *e = sa->eng;
	struct v1_datagram dg = { .local = sa->local, .peer = sa->peer };
	uint8_t *buf = NULL;
	int rc;

	if (sa->floated) {
		/* RFC 3948 2.2: IKE on the NAT-T port starts with four zero bytes */
		buf = malloc(len + 4);
		if (!buf)
			return ERR_NOMEM;
		memset(buf, 0, 4);
		memcpy(buf + 4, msg, len);
		dg.data = buf;
		dg.len = len + 4;
	} else {
		dg.data = msg;
		dg.len = len;
	}
	rc = e->env.send ? e->env.send(e->env.arg, &dg) : ERR_STATE;
	free(buf);
	if (rc < 0)
		log_warn(&sa->sad.logger, "sending %zu bytes failed: %s", len, err_str(rc));
	return rc;
}

int v1_sa_send(struct v1_isakmp_sa *sa, const uint8_t *msg, size_t len)
{
	/*
	 * Every message leaves here, retransmissions and cached answers too:
	 * a long one to a peer that takes fragments goes as fragments, all of
	 * them each time (v1_frag.h).
	 */
	if (v1_frag_needed(sa, len))
		return v1_frag_send(sa, msg, len, send_one);
	return send_one(sa, msg, len);
}
