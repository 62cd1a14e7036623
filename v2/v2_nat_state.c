/*
 * v2_nat_state.c - which IKE SAs have a NAT in front of us (RFC 7296
 * 2.23): "the end behind the NAT" sends NAT keepalives (RFC 3948 2.3) so
 * the NAT's mapping for the UDP-encapsulated ESP and IKE on the NAT-T
 * port stays open. The daemon's keepalive timer (src/natt_keepalive.c)
 * asks here; the engine sends nothing itself.
 *
 * The SAs with a NAT in front of us are kept on their own list, so the
 * walk costs the number of NATed SAs, not the number held (at 100,000
 * SAs a walk over all of them was 5% of a busy responder's samples).
 */
#include "v2/v2_ike_sa.h"

void v2_nat_state_set(struct v2_ike_sa *sa, bool nat_local)
{
	struct v2_engine *e = sa->eng;
	bool listed = sa->nat_prev || e->natted == sa;

	sa->nat_local = nat_local;
	if (nat_local && !listed) {
		sa->nat_prev = NULL;
		sa->nat_next = e->natted;
		if (e->natted)
			e->natted->nat_prev = sa;
		e->natted = sa;
	} else if (!nat_local && listed) {
		if (sa->nat_prev)
			sa->nat_prev->nat_next = sa->nat_next;
		else
			e->natted = sa->nat_next;
		if (sa->nat_next)
			sa->nat_next->nat_prev = sa->nat_prev;
		sa->nat_prev = sa->nat_next = NULL;
	}
}

size_t v2_engine_foreach_natted(const struct v2_engine *e, v2_natted_fn fn, void *arg)
{
	size_t n = 0;

	for (const struct v2_ike_sa *sa = e->natted; sa; sa = sa->nat_next) {
		/* our NAT detection hash did not match: the NAT is ours (2.23) */
		if (sa->state != V2S_ESTABLISHED || !sa->natt || !sa->nat_local || sa->rekeyed ||
		    sa->redundant)
			continue;
		n++;
		if (fn)
			fn(sa->conn->name, &sa->local, &sa->peer, arg);
	}
	return n;
}
