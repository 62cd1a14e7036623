/* bench_sas.c - N established IKEv2 SAs in a v2_pair, for the benchmarks (bench_sas.h). */
#include <stdio.h>

#include "common/ts.h"
#include "testsuite/bench/bench_sas.h"
#include "testsuite/regress/v2_pair.h"
#include "v2/v2_ike_sa.h"

/*
 * The initiator's conn takes SA n's identity before it initiates (as
 * dualike-load does), and its own traffic selector inside v2_pair's
 * 10.1.0.0/16 (an address and a UDP port), so that no two children share
 * selectors and every IKE SA keeps its child.
 */
static void set_identity(struct v2_engine *e, unsigned n)
{
	struct v2_conn *c = (struct v2_conn *)v2_engine_find_conn(e, "lab");
	uint8_t a[4] = { 10, 1, (uint8_t)(n >> 8), (uint8_t)n };

	c->local_id.type = 2; /* ID_FQDN */
	c->local_id.len = (size_t)snprintf((char *)c->local_id.data, V2_CONN_ID_MAX,
					   "init%u.bench", n);
	ts_from_prefix(&c->local_ts[0], TS_IPV4_ADDR_RANGE, a, 32);
	c->local_ts[0].proto = 17;
	c->local_ts[0].port_lo = c->local_ts[0].port_hi = (uint16_t)(1024 + (n >> 16));
	c->n_local_ts = 1;
}

int bench_sas_open(struct v2_pair *p, struct job_pool *pool, const char *prog)
{
	if (v2p_open(p, pool, "aes128-sha256-prfsha256-x25519", "aes128gcm16")) {
		fprintf(stderr, "%s: setup failed\n", prog);
		return -1;
	}
	return 0;
}

int bench_sas_make(struct v2_pair *p, unsigned n, const char *prog)
{
	for (unsigned i = 0; i < n; i++) {
		set_identity(p->s[0].eng, i);
		if (v2_engine_up(p->s[0].eng, "lab")) {
			fprintf(stderr, "%s: up failed at %u\n", prog, i);
			return -1;
		}
		v2p_run(p);
	}
	/* the initiator's side goes: what stays is the responder's */
	while (p->s[0].eng->first)
		v2_ike_sa_free(p->s[0].eng->first);
	return 0;
}

void bench_sas_arm(struct v2_pair *p, struct event_base *base)
{
	p->s[1].eng->p.base = base;
	for (struct v2_ike_sa *sa = p->s[1].eng->first; sa; sa = sa->next)
		v2_maint_arm(sa);
}
