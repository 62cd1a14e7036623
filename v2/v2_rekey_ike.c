/*
 * v2_rekey_ike.c - the new IKE SA of an IKE SA rekey (RFC 7296 1.3.2, 2.18).
 *
 *   SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr)
 *   {SK_d | SK_ai | ...} = prf+(SKEYSEED, Ni | Nr | SPIi | SPIr)
 *
 * The initiator of the rekey is the new SA's original initiator; both
 * message IDs start at 0 again. The children move to the new SA; the old
 * one takes no new exchange and is deleted by the rekey's initiator.
 * Simultaneous IKE SA rekeys (2.8.2): v2_rekey_collision.c.
 */
#include <string.h>

#include "common/err.h"
#include "common/integ.h"
#include "common/keylog.h"
#include "common/log.h"
#include "v2/v2_ike_sa.h"
#include "v2/v2_names.h"

static int make_keys(struct v2_ike_sa *old, struct v2_ike_sa *n, const struct v2_ccsa *x)
{
	const struct xform *encr = n->ike.encr, *integ = n->ike.integ;
	size_t integ_len = integ ? integ_key_len((enum integ_alg)integ->v2_id) : 0;
	size_t encr_len = encr->key_bits / 8u + encr->salt_size;
	struct secret *skeyseed = NULL;
	int rc;

	rc = v2_skeyseed_rekey((enum prf_alg)old->ike.prf->v2_id, old->keys.sk_d, x->gir->bytes,
			       x->gir->len, x->ni, x->ni_len, x->nr, x->nr_len, &skeyseed);
	if (rc == 0)
		rc = v2_ike_keys_derive(&n->keys, (enum prf_alg)n->ike.prf->v2_id, skeyseed, x->ni,
					x->ni_len, x->nr, x->nr_len, x->new_spi_i, x->new_spi_r,
					integ_len, encr_len);
	secret_free(skeyseed);
	if (rc)
		return rc;
	n->have_keys = true;
	if (n->eng->p.keylog) {
		struct keylog_ikev2 kl = {
			.encr_id = encr->v2_id, .sk_ei = n->keys.sk_ei->bytes,
			.sk_er = n->keys.sk_er->bytes, .sk_e_len = encr_len,
			.integ_id = integ ? integ->v2_id : 0, .sk_ai = n->keys.sk_ai->bytes,
			.sk_ar = n->keys.sk_ar->bytes, .sk_a_len = integ_len,
		};

		memcpy(kl.spi_i, x->new_spi_i, 8);
		memcpy(kl.spi_r, x->new_spi_r, 8);
		keylog_ikev2(n->eng->p.keylog, &kl);
	}
	return 0;
}

int v2_rekey_ike_finish(struct v2_ike_sa *sa, struct v2_ccsa *x, bool we_initiated)
{
	struct v2_engine *e = sa->eng;
	struct v2_ike_sa *n;
	int rc;

	n = v2_ike_sa_new(e, sa->conn, we_initiated, &sa->local, &sa->peer);
	if (!n)
		return ERR_NOMEM;
	rc = sad_add_ike(e->p.sad, &n->sad, x->new_spi_i, x->new_spi_r, we_initiated);
	n->ike = x->ike;
	n->ke_group = x->group;
	if (rc == 0)
		rc = make_keys(sa, n, x);
	if (rc) {
		log_warn(&sa->sad.logger, "IKE SA rekey: the new IKE SA could not be made: %s",
			 err_str(rc));
		v2_ike_sa_free(n);
		if (we_initiated)
			v2_ccsa_clear(sa, &sa->ci);
		return rc;
	}
	n->natt = sa->natt;
	/*
	 * RFC 7383 2.3: fragmentation is negotiated in IKE_SA_INIT only; the
	 * rekeyed IKE SA has none of its own and keeps what was agreed.
	 */
	n->frag_ok = sa->frag_ok;
	v2_nat_state_set(n, sa->nat_local);
	n->nat_peer = sa->nat_peer;
	if (sa->peer_id)
		v2_ike_sa_set_peer_id(n, sa->peer_id->type, sa->peer_id->data, sa->peer_id->len);
	v2_initial_contact_index(n);
	v2_initial_contact_index(n);
	n->state = V2S_ESTABLISHED;
	n->last_heard_ms = v2_now_ms();
	n->rekey_of = sa->sad.serial;
	sa->rekeyed = true;
	if (we_initiated && v2_rekey_collision_resolve(sa, x, n)) {
		v2_ccsa_clear(sa, &sa->ci); /* the old SA waits for the winner's Delete (2.8.2) */
		return 0;
	}
	/* the children are the new SA's now (2.18), after any it took in a collision */
	{
		struct v2_child_sa **tail = &n->children;

		while (*tail)
			tail = &(*tail)->next;
		*tail = sa->children;
		sa->children = NULL;
	}
	for (struct v2_child_sa *c = n->children; c; c = c->next)
		c->sad.ike_serial = n->sad.serial;
	e->stats.ike_rekeyed++;
	v2_ike_schedule_rekey(n);
	v2_maint_arm(n);
	log_info(&n->sad.logger, "IKE SA rekeyed (%s, %s, %s), replacing #%llu", n->ike.encr->iana_v2,
		 n->ike.prf->iana_v2, n->ike.ke ? n->ike.ke->iana_v2 : "-",
		 (unsigned long long)sa->sad.serial);
	if (!we_initiated)
		v2_rekey_collision_note(sa, x, n);
	/* the daemon sees it as it sees an initial one: SAD listing, counters, pins */
	v2_states_established(n);
	if (we_initiated) {
		v2_ccsa_clear(sa, &sa->ci);
		if (!v2_info_delete_ike(sa))
			v2_ike_sa_free(sa);
	}
	return 0;
}
