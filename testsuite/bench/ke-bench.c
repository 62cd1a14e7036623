/*
 * ke-bench.c - what one key exchange costs the responder, per group.
 *
 * A program, not a test: it asserts nothing about time. For each group it
 * times ke_keypair_new() (the responder's own value) and ke_derive() (the
 * shared secret from the initiator's value) separately, many times, and
 * prints the medians (CLOCK_MONOTONIC) and the handshake rate one core
 * could reach if KE were the only work: 1e6 / (keypair + derive) in us.
 * That rate is the ceiling DESIGN.md's responder target is measured against.
 *
 * usage: ke-bench [--quick] [--group N]
 *   --quick    ~0.05 s per group instead of ~0.5 s (at least 5 runs each)
 *   --group N  only group N
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/err.h"
#include "common/ke.h"

#define MIN_RUNS 5
#define MAX_RUNS 100000

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* One responder step: a keypair, then the secret from the peer's value. */
static int one_run(const struct ke_method *m, const uint8_t *peer, double *kp_us,
		   double *derive_us)
{
	struct ke_keypair *kp = NULL;
	struct secret *s = NULL;
	double t0, t1, t2;
	int rc;

	t0 = now_us();
	rc = ke_keypair_new(m->group, &kp);
	t1 = now_us();
	if (rc == 0)
		rc = ke_derive(kp, peer, m->public_len, &s);
	t2 = now_us();
	*kp_us = t1 - t0;
	*derive_us = t2 - t1;
	secret_free(s);
	ke_keypair_free(kp);
	return rc;
}

static int bench_group(const struct ke_method *m, double budget_s)
{
	struct ke_keypair *initiator = NULL;
	double *kp_t = NULL, *dr_t = NULL, *tot_t = NULL, k, d, kp_med, dr_med, tot_med, start;
	const uint8_t *peer;
	size_t len, runs;
	int rc;

	rc = ke_keypair_new(m->group, &initiator);
	if (rc < 0)
		goto fail;
	peer = ke_public(initiator, &len);
	/* One warm-up run (first-use setup, caches), not counted. */
	rc = one_run(m, peer, &k, &d);
	if (rc < 0)
		goto fail;
	kp_t = calloc(MAX_RUNS, sizeof(double));
	dr_t = calloc(MAX_RUNS, sizeof(double));
	tot_t = calloc(MAX_RUNS, sizeof(double));
	if (!kp_t || !dr_t || !tot_t) {
		rc = ERR_NOMEM;
		goto fail;
	}
	/* Run for the time budget (at least MIN_RUNS, at most MAX_RUNS). */
	start = now_us();
	for (runs = 0; runs < MAX_RUNS &&
	     (runs < MIN_RUNS || now_us() - start < budget_s * 1e6); runs++) {
		rc = one_run(m, peer, &kp_t[runs], &dr_t[runs]);
		if (rc < 0)
			goto fail;
		tot_t[runs] = kp_t[runs] + dr_t[runs];
	}
	kp_med = median(kp_t, runs);
	dr_med = median(dr_t, runs);
	tot_med = median(tot_t, runs);
	printf("%5u  %-10s  %6zu  %6zu  %10.1f  %10.1f  %10.1f  %12.0f\n", m->group, m->name,
	       m->public_len, runs, kp_med, dr_med, tot_med, 1e6 / tot_med);
	rc = 0;
	goto out;
fail:
	fprintf(stderr, "ke-bench: group %u: %s\n", m->group, err_str(rc));
out:
	free(kp_t);
	free(dr_t);
	free(tot_t);
	ke_keypair_free(initiator);
	return rc;
}

static void usage(FILE *to)
{
	fprintf(to, "usage: ke-bench [--quick] [--group N]\n");
}

int main(int argc, char **argv)
{
	double budget_s = 0.5;
	long only = -1;
	const struct ke_method *m;
	int status = 0;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--quick") == 0) {
			budget_s = 0.05;
		} else if (strcmp(argv[i], "--group") == 0 && i + 1 < argc) {
			char *end;

			errno = 0;
			only = strtol(argv[++i], &end, 10);
			if (errno || *end || !ke_method_find((uint16_t)only) || only < 0 ||
			    only > 0xffff) {
				fprintf(stderr, "ke-bench: group %s is not supported\n", argv[i]);
				return 2;
			}
		} else if (strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			return 0;
		} else {
			usage(stderr);
			return 2;
		}
	}
	printf("# responder cost per group: median of <runs> (keypair + derive), microseconds\n");
	printf("%5s  %-10s  %6s  %6s  %10s  %10s  %10s  %12s\n", "group", "name", "public",
	       "runs", "keypair_us", "derive_us", "total_us", "hs/s/core<=");
	for (size_t i = 0; (m = ke_method_at(i)) != NULL; i++) {
		if (only >= 0 && m->group != only)
			continue;
		if (bench_group(m, budget_s) < 0)
			status = 1;
	}
	return status;
}
