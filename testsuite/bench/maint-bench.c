/*
 * maint-bench.c - what N idle established IKEv2 SAs cost the responder's
 * event loop each second: their housekeeping timers (v2/v2_maint.c, DPD,
 * rekeys). Two in-process engines (testsuite/regress/v2_pair.c, `none`
 * kernel) set up N IKE SAs as mem-bench does; the initiator's go, the
 * responder's timers are armed on a libevent base and the loop runs for
 * S seconds of wall time; the CPU time it used is printed.
 *
 *   testsuite/bench/maint-bench [N [S]]      (10000 SAs, 5 s by default)
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <event2/event.h>

#include "common/job.h"
#include "common/log.h"
#include "common/ts.h"
#include "testsuite/regress/v2_pair.h"
#include "v2/v2_ike_sa.h"

/* As mem-bench: each SA its own identity and selector, so all stay. */
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

static double cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	unsigned n = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : 10000;
	unsigned secs = argc > 2 ? (unsigned)strtoul(argv[2], NULL, 10) : 5;
	struct timeval run = { .tv_sec = secs, .tv_usec = 0 };
	struct event_base *base = event_base_new();
	struct job_pool *pool;
	struct v2_pair p;
	double t0, used;

	log_setup(LOG_TO_STDERR, LOG_LEVEL_ERROR, "maint-bench");
	if (!base || n == 0 || job_pool_new(NULL, 1, &pool) < 0 ||
	    v2p_open(&p, pool, "aes128-sha256-prfsha256-x25519", "aes128gcm16")) {
		fprintf(stderr, "maint-bench: setup failed\n");
		return 2;
	}
	for (unsigned i = 0; i < n; i++) {
		set_identity(p.s[0].eng, i);
		if (v2_engine_up(p.s[0].eng, "lab")) {
			fprintf(stderr, "maint-bench: up failed at %u\n", i);
			return 2;
		}
		v2p_run(&p);
	}
	while (p.s[0].eng->first)
		v2_ike_sa_free(p.s[0].eng->first);
	p.s[1].eng->p.base = base;
	for (struct v2_ike_sa *sa = p.s[1].eng->first; sa; sa = sa->next)
		v2_maint_arm(sa);
	t0 = cpu_s();
	event_base_loopexit(base, &run);
	event_base_dispatch(base);
	used = cpu_s() - t0;
	printf("maint-bench: %zu idle IKE SAs, %u s of event loop: %.1f ms CPU (%.2f ms/s)\n",
	       v2_engine_count_sas(p.s[1].eng), secs, used * 1e3, used * 1e3 / secs);
	v2p_close(&p);
	event_base_free(base);
	job_pool_free(pool);
	return 0;
}
