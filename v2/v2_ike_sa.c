/*
 * v2_ike_sa.c - life of an IKE SA: made, found by its SPIs in the SAD,
 * described for listings, freed with its children (RFC 7296 2.6: the SPI
 * pair names the SA; during the half-open moment the initiator's SPI).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netinet/in.h>

#include <event2/event.h>

#include <sodium.h>

#include "common/err.h"
#include "common/id.h"
#include "common/ke.h"
#include "common/prf.h"
#include "v2/v2_cert.h"
#include "v2/v2_frag.h"
#include "v2/v2_ike_sa.h"
#include "v2/v2_names.h"

static const uint8_t zero_spi[8];

struct v2_ike_sa *v2_ike_sa_new(struct v2_engine *e, const struct v2_conn *c, bool initiator,
				const struct sockaddr_storage *local,
				const struct sockaddr_storage *peer)
{
	struct v2_ike_sa *sa = calloc(1, sizeof(*sa));

	if (!sa)
		return NULL;
	sa->eng = e;
	sa->conn = c;
	sa->initiator = initiator;
	sa->local = *local;
	sa->peer = *peer;
	sad_entry_init(e->p.sad, &sa->sad, 2, SAD_KIND_IKE, c->name, peer);
	sa->sad.initiator = initiator;
	sa->state = initiator ? V2S_I_KEYGEN : V2S_R_NEW;
	sa->prev = e->last;
	if (e->last)
		e->last->next = sa;
	else
		e->first = sa;
	e->last = sa;
	e->n_sas++;
	return sa;
}

void v2_ike_sa_free(struct v2_ike_sa *sa)
{
	struct v2_engine *e = sa->eng;

	while (sa->children)
		v2_child_free(sa, sa->children);
	if (sa->child_pending)
		v2_child_free(sa, sa->child_pending);
	v2_timer_cancel(sa);
	if (sa->timer)
		event_free(sa->timer);
	if (sa->maint)
		event_free(sa->maint);
	v2_ccsa_clear(sa, &sa->ci);
	v2_ccsa_clear(sa, &sa->cr);
	job_cancel(&sa->job);
	v2_auth_sig_free(sa);
	sad_remove(e->p.sad, &sa->sad);
	ke_keypair_free(sa->keypair);
	secret_free(sa->gir);
	if (sa->have_keys)
		v2_ike_keys_free(&sa->keys);
	v2_nat_state_set(sa, false);
	free(sa->peer_id);
	v2_ike_sa_drop_init(sa);
	v2_nonce_drop(&sa->peer_rekey_low, &sa->peer_rekey_low_len);
	free(sa->req_msg);
	free(sa->resp_msg);
	v2_frag_rx_free(sa);
	if (sa->prev)
		sa->prev->next = sa->next;
	else
		e->first = sa->next;
	if (sa->next)
		sa->next->prev = sa->prev;
	else
		e->last = sa->prev;
	e->n_sas--;
	if (sa->half_open)
		e->n_half_open--;
	free(sa);
}

void v2_nonce_drop(uint8_t **slot, size_t *len)
{
	if (*slot)
		secret_wipe(*slot, *len);
	free(*slot);
	*slot = NULL;
	*len = 0;
}

/*
 * Both IKE_SA_INIT messages are signed octets of AUTH (2.15) and nothing
 * else: once both AUTHs are checked they are ~450 bytes per SA for nothing.
 * So are Ni and Nr, once the first child's KEYMAT is made (2.17), and the
 * initiator's copy of a COOKIE.
 */
void v2_ike_sa_drop_init(struct v2_ike_sa *sa)
{
	free(sa->init_i);
	free(sa->init_r);
	sa->init_i = sa->init_r = NULL;
	sa->init_i_len = sa->init_r_len = 0;
	v2_nonce_drop(&sa->ni, &sa->ni_len);
	v2_nonce_drop(&sa->nr, &sa->nr_len);
	v2_nonce_drop(&sa->cookie, &sa->cookie_len); /* only IKE_SA_INIT carries it (2.6) */
}

int v2_ike_sa_set_peer_id(struct v2_ike_sa *sa, uint8_t type, const uint8_t *data, size_t len)
{
	struct v2_peer_id *id;

	if (len > V2_CONN_ID_MAX)
		len = V2_CONN_ID_MAX;
	id = malloc(sizeof(*id) + len);
	if (!id)
		return ERR_NOMEM;
	id->type = type;
	id->len = (uint8_t)len;
	if (len)
		memcpy(id->data, data, len);
	free(sa->peer_id);
	sa->peer_id = id;
	return 0;
}

void v2_ike_sa_peer_id(const struct v2_ike_sa *sa, struct v2_conn_id *out)
{
	memset(out, 0, sizeof(*out));
	if (!sa->peer_id)
		return;
	out->type = sa->peer_id->type;
	out->len = sa->peer_id->len;
	memcpy(out->data, sa->peer_id->data, sa->peer_id->len);
}

int v2_nonce_keep(uint8_t **slot, size_t *slot_len, const uint8_t *p, size_t len)
{
	uint8_t *n;

	if (!p)
		len = V2_NONCE_LEN;
	if (len == 0 || len > V2_NONCE_MAX)
		return ERR_INVAL;
	n = malloc(len);
	if (!n)
		return ERR_NOMEM;
	if (p)
		memcpy(n, p, len);
	else
		randombytes_buf(n, len);
	v2_nonce_drop(slot, slot_len);
	*slot = n;
	*slot_len = len;
	return 0;
}

struct v2_ike_sa *v2_ike_sa_find(struct v2_engine *e, const struct v2_header *h,
				 const struct sockaddr_storage *peer)
{
	struct sad_entry *ent;
	/* Our SPI is SPIr in messages from the original initiator, else SPIi. */
	bool from_initiator = (h->flags & V2_FLAG_INITIATOR) != 0;

	if (from_initiator) {
		if (memcmp(h->spi_r, zero_spi, 8) == 0) {
			/* an IKE_SA_INIT request again: half-open lookup (2.6) */
			ent = sad_find_ike_by_spi_i(e->p.sad, 2, h->spi_i, peer);
			if (ent && ent->initiator)
				ent = NULL;
		} else {
			ent = sad_find_ike(e->p.sad, 2, h->spi_i, h->spi_r);
		}
	} else {
		ent = sad_find_ike_by_local_spi(e->p.sad, 2, h->spi_i);
		if (ent && !ent->initiator)
			ent = NULL;
		/* a known SPIr must match the one in the message */
		if (ent && memcmp(ent->spi_r, zero_spi, 8) != 0 && memcmp(ent->spi_r, h->spi_r, 8) != 0)
			ent = NULL;
	}
	return ent ? SAD_CONTAINER(ent, struct v2_ike_sa, sad) : NULL;
}

void v2_ike_sa_sk_keys(const struct v2_ike_sa *sa, bool out, struct v2_sk_keys *k)
{
	/* the initiator sends with SK_ei/SK_ai, the responder with SK_er/SK_ar (2.14) */
	bool ours_i = out == sa->initiator;
	const struct secret *e = ours_i ? sa->keys.sk_ei : sa->keys.sk_er;
	const struct secret *a = ours_i ? sa->keys.sk_ai : sa->keys.sk_ar;

	memset(k, 0, sizeof(*k));
	k->encr = sa->ike.encr;
	k->integ = sa->ike.integ;
	k->sk_e = e->bytes;
	k->sk_e_len = e->len;
	if (sa->ike.integ) {
		k->sk_a = a->bytes;
		k->sk_a_len = a->len;
	}
}

const char *v2_state_name(enum v2_state s)
{
	switch (s) {
	case V2S_I_KEYGEN: return "I_KEYGEN";
	case V2S_I_INIT_SENT: return "I_INIT_SENT";
	case V2S_I_AUTH_SENT: return "I_AUTH_SENT";
	case V2S_R_NEW: return "R_NEW";
	case V2S_R_INIT_DONE: return "R_INIT_DONE";
	case V2S_ESTABLISHED: return "ESTABLISHED";
	case V2S_DELETING: return "DELETING";
	case V2S_GONE: return "GONE";
	}
	return "?";
}

static const char *xf_name(const struct xform *x, const char *none)
{
	return x ? x->iana_v2 : none;
}

void v2_ike_sa_info(const struct v2_ike_sa *sa, struct v2_sa_info *info)
{
	memset(info, 0, sizeof(*info));
	snprintf(info->conn, sizeof(info->conn), "%s", sa->conn->name);
	info->serial = sa->sad.serial;
	info->state = sa->state == V2S_ESTABLISHED ? "ESTABLISHED"
		      : sa->state == V2S_DELETING ? "DELETING" : "CONNECTING";
	info->initiator = sa->initiator;
	memcpy(info->spi_i, sa->sad.spi_i, 8);
	memcpy(info->spi_r, sa->sad.spi_r, 8);
	info->local = sa->local;
	info->peer = sa->peer;
	info->natt = sa->natt;
	info->encr = xf_name(sa->ike.encr, "");
	info->integ = xf_name(sa->ike.integ, sa->ike.encr ? "NONE" : "");
	info->prf = xf_name(sa->ike.prf, "");
	info->ke = xf_name(sa->ike.ke, "");
	for (const struct v2_child_sa *c = sa->children; c; c = c->next) {
		if (info->n_children++ == 0) {
			info->child_spi_in = c->sad.spi_in;
			info->child_spi_out = c->sad.spi_out;
		}
	}
	info->rekey_of = sa->rekey_of;
	info->nat_local = sa->nat_local;
	if (sa->peer_id && sa->peer_id->type) {
		struct id *id = NULL;

		if (id_new(sa->peer_id->type, sa->peer_id->data, sa->peer_id->len, &id) == 0)
			id_str(id, info->peer_id, sizeof(info->peer_id));
		id_free(id);
	}
}

bool v2_has_notify(const struct v2_msg *m, uint16_t type)
{
	struct v2_notify n;

	return v2_msg_find_notify(m, type, &n) != NULL;
}
