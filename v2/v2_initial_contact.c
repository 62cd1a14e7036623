/*
 * v2_initial_contact.c - INITIAL_CONTACT (RFC 7296 2.4): "this is the only
 * IKE SA currently active between the authenticated identities"; the
 * receiver deletes the other IKE SAs it holds with that peer.
 *
 * Finding them must not walk every IKE SA: at 100,000 SAs made one after
 * the other, each with INITIAL_CONTACT, that walk is quadratic and stalls
 * the responder. Each IKE SA is therefore indexed in the SAD under its
 * peer's identity as soon as the engine learns it (IDi as responder, IDr
 * as initiator, copied on an IKE SA rekey), and INITIAL_CONTACT visits only
 * the SAs indexed under the same identity: O(1) per SA, plus the SAs it
 * deletes.
 */
#include <string.h>

#include "common/err.h"
#include "common/log.h"
#include "v2/v2_ike_sa.h"

/* The identity key: ID type octet, then the ID data (2.15 RestOfIDPayload less the reserved octets). */
static size_t ident_key(const struct v2_peer_id *id, uint8_t key[1 + V2_CONN_ID_MAX])
{
	key[0] = id->type;
	memcpy(key + 1, id->data, id->len);
	return 1 + (size_t)id->len;
}

int v2_initial_contact_index(struct v2_ike_sa *sa)
{
	uint8_t key[1 + V2_CONN_ID_MAX];
	int rc;

	if (!sa->peer_id || !sa->peer_id->type)
		return 0; /* not known yet: nothing to index */
	rc = sad_set_peer_ident(sa->eng->p.sad, &sa->sad, key, ident_key(sa->peer_id, key));
	if (rc)
		log_warn(&sa->sad.logger, "peer identity not indexed (INITIAL_CONTACT will miss it): %s",
			 err_str(rc));
	return rc;
}

static bool same_peer(const struct v2_ike_sa *a, const struct v2_ike_sa *b)
{
	/* the SAD matched a 64-bit hash: compare the identities themselves */
	return a->eng == b->eng && strcmp(a->conn->name, b->conn->name) == 0 && a->peer_id &&
	       b->peer_id && a->peer_id->type == b->peer_id->type &&
	       a->peer_id->len == b->peer_id->len &&
	       memcmp(a->peer_id->data, b->peer_id->data, a->peer_id->len) == 0;
}

struct contact {
	struct v2_ike_sa *sa;
	unsigned removed;
};

static bool remove_older(struct sad_entry *e, void *arg)
{
	struct contact *ct = arg;
	struct v2_ike_sa *o;

	if (e->kind != SAD_KIND_IKE)
		return true;
	o = SAD_CONTAINER(e, struct v2_ike_sa, sad);
	if (o == ct->sa || !same_peer(o, ct->sa))
		return true;
	log_info(&o->sad.logger, "INITIAL_CONTACT from the peer: old IKE SA removed");
	v2_ike_sa_free(o); /* the SAD's snapshot lets us free while visiting */
	ct->removed++;
	return true;
}

unsigned v2_initial_contact(struct v2_ike_sa *sa)
{
	uint8_t key[1 + V2_CONN_ID_MAX];
	struct contact ct = { .sa = sa, .removed = 0 };
	size_t len;
	int rc;

	if (!sa->peer_id || !sa->peer_id->type)
		return 0;
	if (v2_initial_contact_index(sa))
		return 0;
	len = ident_key(sa->peer_id, key);
	rc = sad_foreach_peer_ident(sa->eng->p.sad, 2, key, len, remove_older, &ct);
	if (rc < 0)
		log_warn(&sa->sad.logger, "INITIAL_CONTACT: older IKE SAs not looked up: %s",
			 err_str(rc));
	return ct.removed;
}
