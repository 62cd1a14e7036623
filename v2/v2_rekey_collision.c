/*
 * v2_rekey_collision.c - simultaneous IKE SA rekeys (RFC 7296 2.8.2) and
 * the lowest-nonce rule both kinds of collision share (2.8.1).
 *
 *   A                                    B
 *   CREATE_CHILD_SA {SA, Ni_a, KEi} -->  <-- CREATE_CHILD_SA {SA, Ni_b, KEi}
 *   (each answers the other's: four nonces, two new IKE SAs, one old)
 *
 * Each end learns all four nonces: those of the exchange it started
 * (sa->ci) and of the one it answered (kept on the old SA when it
 * answered while its own was out). "The new IKE SA containing the lowest
 * nonce SHOULD be deleted by the node that created it, and the other
 * surviving new IKE SA MUST inherit all the Child SAs" (2.8.2). So:
 *
 *   our exchange holds the lowest nonce -> ours is redundant: Delete it
 *     (sent on it), the children stay on the peer's SA, and the old SA
 *     waits for the Delete the peer (the winner's initiator) sends;
 *   otherwise -> ours survives: the children move to it from the peer's
 *     SA (which the peer deletes), and we delete the old SA.
 *
 * When only one end noticed (it answered the peer's request before its
 * own answer came), the other end finished first and answers the late
 * request with TEMPORARY_FAILURE (its old SA is going: v2_info.c); the
 * end that noticed then gets the Delete of the old SA and forgets its
 * own attempt with it. An SA left waiting for a Delete that does not come
 * (reordering can leave the peer without the SA) is deleted by us after
 * V2_DOOMED_WAIT_MS (v2_maint.c).
 */
#include <string.h>

#include "common/log.h"
#include "v2/v2_ike_sa.h"

int v2_nonce_cmp(const uint8_t *a, size_t a_len, const uint8_t *b, size_t b_len)
{
	size_t n = a_len < b_len ? a_len : b_len;
	int r = memcmp(a, b, n);

	return r ? r : (a_len > b_len) - (a_len < b_len);
}

void v2_ccsa_low_nonce(const struct v2_ccsa *x, const uint8_t **p, size_t *len)
{
	bool i_low = v2_nonce_cmp(x->ni, x->ni_len, x->nr, x->nr_len) <= 0;

	*p = i_low ? x->ni : x->nr;
	*len = i_low ? x->ni_len : x->nr_len;
}

void v2_rekey_collision_note(struct v2_ike_sa *old, const struct v2_ccsa *x, struct v2_ike_sa *made)
{
	const uint8_t *low;
	size_t len;

	if (!old->ci || old->ci->kind != V2X_REKEY_IKE)
		return; /* no rekey of ours in flight: nothing collides */
	v2_ccsa_low_nonce(x, &low, &len);
	if (v2_nonce_keep(&old->peer_rekey_low, &old->peer_rekey_low_len, low, len))
		return; /* no memory: treated as no collision, ours replaces the old SA */
	old->peer_rekey_serial = made->sad.serial;
	log_info(&old->sad.logger, "simultaneous IKE SA rekey: the peer's made #%llu while ours "
		 "is out", (unsigned long long)made->sad.serial);
}

/* The peer's new IKE SA, if it still stands. */
static struct v2_ike_sa *peer_made(struct v2_ike_sa *old)
{
	for (struct v2_ike_sa *s = old->eng->first; s; s = s->next)
		if (s->sad.serial == old->peer_rekey_serial)
			return s->state == V2S_ESTABLISHED ? s : NULL;
	return NULL;
}

bool v2_rekey_collision_resolve(struct v2_ike_sa *old, const struct v2_ccsa *x,
				struct v2_ike_sa *ours)
{
	struct v2_ike_sa *theirs;
	const uint8_t *mine;
	size_t mine_len;
	struct v2_child_sa **tail;

	if (!old->peer_rekey_serial)
		return false;
	theirs = peer_made(old);
	old->peer_rekey_serial = 0;
	if (!theirs)
		return false; /* the peer's SA is gone already: ours simply replaces the old */
	old->eng->stats.ike_rekey_collisions++;
	v2_ccsa_low_nonce(x, &mine, &mine_len);
	if (v2_nonce_cmp(mine, mine_len, old->peer_rekey_low, old->peer_rekey_low_len) < 0) {
		log_info(&old->sad.logger, "simultaneous IKE SA rekey: ours (#%llu) holds the lowest "
			 "nonce and is redundant; deleting it, #%llu keeps the child SAs",
			 (unsigned long long)ours->sad.serial, (unsigned long long)theirs->sad.serial);
		ours->redundant = true;
		old->doomed_at_ms = v2_now_ms() + V2_DOOMED_WAIT_MS;
		v2_maint_arm(old); /* its timer may sleep longer than the wait */
		if (!v2_info_delete_ike(ours))
			v2_ike_sa_free(ours);
		return true;
	}
	log_info(&old->sad.logger, "simultaneous IKE SA rekey: ours (#%llu) survives; the peer "
		 "deletes #%llu", (unsigned long long)ours->sad.serial,
		 (unsigned long long)theirs->sad.serial);
	theirs->redundant = true;
	theirs->doomed_at_ms = v2_now_ms() + V2_DOOMED_WAIT_MS;
	v2_maint_arm(theirs); /* its timer may sleep longer than the wait */
	tail = &ours->children;
	while (*tail)
		tail = &(*tail)->next;
	*tail = theirs->children;
	theirs->children = NULL;
	for (struct v2_child_sa *c = ours->children; c; c = c->next)
		c->sad.ike_serial = ours->sad.serial;
	return false;
}

void v2_rekey_collision_orphans(struct v2_ike_sa *dying)
{
	struct v2_ike_sa *old = NULL;
	struct v2_child_sa **tail;

	if (!dying->rekey_of || !dying->children)
		return;
	for (struct v2_ike_sa *s = dying->eng->first; s; s = s->next)
		if (s->sad.serial == dying->rekey_of)
			old = s;
	if (!old || !old->ci || old->ci->kind != V2X_REKEY_IKE || old->peer_rekey_serial != dying->sad.serial)
		return;
	log_info(&old->sad.logger, "simultaneous IKE SA rekey: the peer deleted #%llu before our "
		 "rekey finished; its child SAs wait here for ours",
		 (unsigned long long)dying->sad.serial);
	old->peer_rekey_serial = 0;
	tail = &old->children;
	while (*tail)
		tail = &(*tail)->next;
	*tail = dying->children;
	dying->children = NULL;
	for (struct v2_child_sa *c = old->children; c; c = c->next)
		c->sad.ike_serial = old->sad.serial;
}
