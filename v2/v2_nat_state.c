/*
 * v2_nat_state.c - which IKE SAs have a NAT in front of us (RFC 7296
 * 2.23): "the end behind the NAT" sends NAT keepalives (RFC 3948 2.3) so
 * the NAT's mapping for the UDP-encapsulated ESP and IKE on the NAT-T
 * port stays open. The daemon's keepalive timer (src/natt_keepalive.c)
 * asks here; the engine sends nothing itself.
 */
#include "v2/v2_ike_sa.h"

size_t v2_engine_foreach_natted(const struct v2_engine *e, v2_natted_fn fn, void *arg)
{
	size_t n = 0;

	for (const struct v2_ike_sa *sa = e->first; sa; sa = sa->next) {
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
