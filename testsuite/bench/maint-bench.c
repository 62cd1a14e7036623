/*
 * maint-bench.c - what N idle established IKEv2 SAs cost the responder's
 * event loop each second: their housekeeping timers (v2/v2_maint.c, DPD,
 * rekeys). Two in-process engines (bench_sas.c, `none` kernel) set up N
 * IKE SAs as mem-bench does; the initiator's go, the responder's timers
 * are armed on a libevent base and the loop runs for S seconds of wall
 * time; the CPU time it used is printed.
 *
 *   testsuite/bench/maint-bench [N [S]]      (10000 SAs, 5 s by default)
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <event2/event.h>

#include "common/job.h"
#include "common/log.h"
#include "testsuite/bench/bench_sas.h"
#include "testsuite/regress/v2_pair.h"
#include "v2/v2_engine.h"

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
	    bench_sas_open(&p, pool, "maint-bench") || bench_sas_make(&p, n, "maint-bench"))
		return 2;
	bench_sas_arm(&p, base);
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
