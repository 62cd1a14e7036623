/*
 * v1_nat_state.c - which ISAKMP SAs have a NAT in front of us (RFC 3947
 * 3, the NAT-D payloads): that end sends the NAT keepalives (RFC 3948
 * 2.3) that keep the mapping for ESP-in-UDP and IKE on 4500 open. The
 * daemon's keepalive timer (src/natt_keepalive.c) asks here.
 */
#include "common/sad.h"
#include "v1/v1_events.h"
#include "v1/v1_sa.h"

size_t v1_engine_foreach_natted(struct v1_engine *e, v1_natted_fn fn, void *arg)
{
	size_t n = 0;

	for (struct sad_entry *s = sad_first(e->env.sad); s; s = sad_next(s)) {
		struct v1_isakmp_sa *sa;

		if (s->version != 1 || s->kind != SAD_KIND_IKE)
			continue;
		sa = SAD_CONTAINER(s, struct v1_isakmp_sa, sad);
		if (sa->state != V1S_ESTABLISHED || !sa->floated || !sa->nat_local)
			continue;
		n++;
		if (fn)
			fn(sa->conn->name, &sa->local, &sa->peer, arg);
	}
	return n;
}
