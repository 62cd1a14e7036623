/*
 * job-bench.c - throughput of X25519 respond jobs (ke_respond on a worker,
 * completion on a libevent loop) with 1 and 2 workers, beside the same work
 * done inline on one thread. Prints figures, asserts nothing.
 *
 *   testsuite/bench/job-bench [jobs]     (default 20000)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "common/job.h"
#include "common/ke.h"

struct bench {
	struct event_base *base;
	size_t want, done, failed;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void on_respond(void *owner, struct job_ke_result *r)
{
	struct bench *b = owner;

	b->failed += r->err != 0;
	if (++b->done == b->want)
		event_base_loopbreak(b->base);
}

static double run_pool(unsigned workers, size_t n, const uint8_t *kei, size_t kei_len)
{
	struct bench b = { event_base_new(), n, 0, 0 };
	struct job_pool *pool;
	double t0;

	if (job_pool_new(b.base, workers, &pool) < 0) {
		fprintf(stderr, "job_pool_new failed\n");
		exit(1);
	}
	t0 = now();
	for (size_t i = 0; i < n; i++)
		job_ke_respond(pool, KE_CURVE25519, kei, kei_len, on_respond, &b, NULL);
	event_base_dispatch(b.base);
	t0 = now() - t0;
	if (b.failed)
		fprintf(stderr, "%zu jobs failed\n", b.failed);
	job_pool_free(pool);
	event_base_free(b.base);
	return (double)n / t0;
}

int main(int argc, char **argv)
{
	size_t n = argc > 1 ? (size_t)strtoull(argv[1], NULL, 10) : 20000;
	struct ke_keypair *kp;
	const uint8_t *kei;
	size_t kei_len;
	double t0, inline_rate;

	if (ke_keypair_new(KE_CURVE25519, &kp) < 0)
		return 1;
	kei = ke_public(kp, &kei_len);

	t0 = now();
	for (size_t i = 0; i < n; i++) {
		uint8_t out[KE_MAX_PUBLIC];
		size_t out_len;
		struct secret *s;

		if (ke_respond(KE_CURVE25519, kei, kei_len, out, sizeof(out), &out_len, &s) == 0)
			secret_free(s);
	}
	inline_rate = (double)n / (now() - t0);
	printf("X25519 respond, %zu each:\n", n);
	printf("  inline, loop thread:  %8.0f /s\n", inline_rate);
	for (unsigned w = 1; w <= 2; w++) {
		double r = run_pool(w, n, kei, kei_len);

		printf("  job pool, %u worker%s: %8.0f /s (%.0f%% of inline x%u)\n", w,
		       w > 1 ? "s" : " ", r, 100.0 * r / (inline_rate * w), w);
	}
	ke_keypair_free(kp);
	return 0;
}
