/*
 * mem-bench.c - heap bytes per IKEv2 SA held by a responder, measured
 * in-process, exactly and independent of machine load: two engines
 * (bench_sas.c over testsuite/regress/v2_pair.c, `none` kernel) set up N
 * IKE SAs with one child each, every one with its own initiator identity
 * (the engine sends INITIAL_CONTACT, RFC 7296 2.4, so one identity would
 * leave one SA); the initiator's SAs are then freed without a message,
 * the responder's housekeeping timers are armed on an event base as in
 * the daemon, and the heap still in use (glibc mallinfo2: chunk sizes
 * with their headers) is the responder's N SAs, their SAD entries and
 * index buckets, timers and cached messages. Prints the struct sizes
 * beside it, and where the bytes are (breakdown()).
 *
 *   testsuite/bench/mem-bench [N]        (10000 by default)
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "common/job.h"
#include "common/log.h"
#include "common/sad.h"
#include "testsuite/bench/bench_sas.h"
#include "testsuite/regress/v2_pair.h"
#include "v2/v2_ike_sa.h"

static size_t heap_in_use(void)
{
	struct mallinfo2 mi = mallinfo2();

	return mi.uordblks + mi.hblkhd;
}

/* Print what the heap gave back since *was, per SA; *was moves on. */
static void item(const char *what, size_t *was, double n)
{
	size_t now = heap_in_use();

	printf("  %-58s %6.0f B/SA\n", what, ((double)*was - (double)now) / n);
	*was = now;
}

/*
 * Where the bytes are: free one kind of thing at a time from every
 * responder SA and print what the heap gave back (the SAs stay listed;
 * v2p_close() later frees the rest, NULL-checked).
 */
static void breakdown(struct v2_pair *p, int n_sas, size_t after, size_t before)
{
	struct v2_engine *e = p->s[1].eng;
	size_t was = after;
	double n = n_sas > 0 ? n_sas : 1;
	char what[96];

	for (struct v2_ike_sa *sa = e->first; sa; sa = sa->next)
		v2_ike_sa_drop_init(sa);
	item("IKE_SA_INIT messages and nonces (freed once established)", &was, n);
	for (struct v2_ike_sa *sa = e->first; sa; sa = sa->next) {
		free(sa->resp_msg);
		free(sa->req_msg);
		sa->resp_msg = sa->req_msg = NULL;
		sa->have_resp = false;
	}
	item("cached last response / request (2.1)", &was, n);
	for (struct v2_ike_sa *sa = e->first; sa; sa = sa->next) {
		if (sa->have_keys)
			v2_ike_keys_free(&sa->keys);
		sa->have_keys = false;
	}
	item("IKE SA keys (seven struct secret)", &was, n);
	for (struct v2_ike_sa *sa = e->first; sa; sa = sa->next) {
		if (sa->maint)
			event_free(sa->maint);
		if (sa->timer)
			event_free(sa->timer);
		sa->maint = sa->timer = NULL;
	}
	item("timers (libevent events: housekeeping, retransmission)", &was, n);
	for (struct v2_ike_sa *sa = e->first; sa; sa = sa->next)
		while (sa->children)
			v2_child_free(sa, sa->children);
	snprintf(what, sizeof(what), "child SA (struct %zu B + SAD + kernel none SAs, policies)",
		 sizeof(struct v2_child_sa));
	item(what, &was, n);
	while (e->first)
		v2_ike_sa_free(e->first);
	snprintf(what, sizeof(what), "IKE SA (struct %zu B) and what else it held",
		 sizeof(struct v2_ike_sa));
	item(what, &was, n);
	printf("  %-58s %6.0f B/SA\n", "left (SAD index buckets)", ((double)was - (double)before) / n);
}

int main(int argc, char **argv)
{
	unsigned n = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : 10000;
	struct event_base *base;
	struct job_pool *pool;
	struct v2_pair p;
	size_t before, after;
	int resp_sas;

	log_setup(LOG_TO_STDERR, LOG_LEVEL_ERROR, "mem-bench");
	base = event_base_new();
	if (!base || n == 0 || job_pool_new(NULL, 1, &pool) < 0 ||
	    bench_sas_open(&p, pool, "mem-bench"))
		return 2;
	malloc_trim(0);
	before = heap_in_use();
	if (bench_sas_make(&p, n, "mem-bench"))
		return 2;
	bench_sas_arm(&p, base);
	after = heap_in_use();
	resp_sas = (int)v2_engine_count_sas(p.s[1].eng);
	printf("mem-bench: %u SAs initiated, responder holds %d IKE SAs and %zu children\n", n,
	       resp_sas, sad_count(p.s[1].sad, SAD_KIND_CHILD));
	printf("heap in use by the responder's SAs: %zu bytes, %.0f bytes per IKE SA + child\n",
	       after - before, resp_sas > 0 ? (double)(after - before) / resp_sas : 0.0);
	printf("sizeof: v2_ike_sa %zu (of which sad_entry %zu, logger %zu), "
	       "v2_child_sa %zu, v2_ccsa %zu (only while an exchange runs), "
	       "SAD index buckets now %zu bytes\n",
	       sizeof(struct v2_ike_sa), sizeof(struct sad_entry), sizeof(struct logger),
	       sizeof(struct v2_child_sa), sizeof(struct v2_ccsa),
	       sad_index_bytes(p.s[1].sad));
	breakdown(&p, resp_sas, after, before);
	v2p_close(&p);
	event_base_free(base);
	job_pool_free(pool);
	return resp_sas == (int)n ? 0 : 1;
}
