/*
 * mem-bench.c - heap bytes per IKEv2 SA held by a responder, measured
 * in-process, exactly and independent of machine load: two engines
 * (testsuite/regress/v2_pair.c, `none` kernel) set up N IKE SAs with one
 * child each, every one with its own initiator identity (the engine sends
 * INITIAL_CONTACT, RFC 7296 2.4, so one identity would leave one SA); the
 * initiator's SAs are then freed without a message, and the heap still in
 * use (glibc mallinfo2: chunk sizes with their headers) is the
 * responder's N SAs, their SAD entries and index buckets, timers and
 * cached messages. Prints the struct sizes beside it, for the breakdown.
 *
 *   testsuite/bench/mem-bench [N]        (10000 by default)
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/job.h"
#include "common/log.h"
#include "common/sad.h"
#include "common/ts.h"
#include "testsuite/regress/v2_pair.h"
#include "v2/v2_ike_sa.h"

static size_t heap_in_use(void)
{
	struct mallinfo2 mi = mallinfo2();

	return mi.uordblks + mi.hblkhd;
}

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

/*
 * Where the bytes are: free one kind of thing at a time from every
 * responder SA and print what the heap gave back (the SAs stay listed;
 * v2p_close() later frees the rest, NULL-checked).
 */
static void breakdown(struct v2_pair *p, int n_sas, size_t total)
{
	struct v2_engine *e = p->s[1].eng;
	size_t was = total, now;
	double n = n_sas > 0 ? n_sas : 1;

	for (struct v2_ike_sa *sa = e->first; sa; sa = sa->next) {
		free(sa->init_i);
		free(sa->init_r);
		sa->init_i = sa->init_r = NULL;
		sa->init_i_len = sa->init_r_len = 0;
	}
	now = heap_in_use();
	printf("  both IKE_SA_INIT messages (kept for AUTH, 2.15)  %6.0f B/SA\n", ((double)was - (double)now) / n);
	was = now;
	for (struct v2_ike_sa *sa = e->first; sa; sa = sa->next) {
		free(sa->resp_msg);
		free(sa->req_msg);
		sa->resp_msg = sa->req_msg = NULL;
		sa->have_resp = false;
	}
	now = heap_in_use();
	printf("  cached last response / request (2.1)            %6.0f B/SA\n", ((double)was - (double)now) / n);
	was = now;
	for (struct v2_ike_sa *sa = e->first; sa; sa = sa->next) {
		if (sa->have_keys)
			v2_ike_keys_free(&sa->keys);
		sa->have_keys = false;
	}
	now = heap_in_use();
	printf("  IKE SA keys (seven struct secret)               %6.0f B/SA\n", ((double)was - (double)now) / n);
	was = now;
	for (struct v2_ike_sa *sa = e->first; sa; sa = sa->next)
		while (sa->children)
			v2_child_free(sa, sa->children);
	now = heap_in_use();
	printf("  child SA (struct %zu B + keys + kernel none SAs, policies) %6.0f B/SA\n",
	       sizeof(struct v2_child_sa), ((double)was - (double)now) / n);
	was = now;
	while (e->first)
		v2_ike_sa_free(e->first);
	now = heap_in_use();
	printf("  IKE SA struct (%zu B) and what else it held     %6.0f B/SA\n",
	       sizeof(struct v2_ike_sa), ((double)was - (double)now) / n);
	printf("  left (SAD buckets, engine)                      %6.0f B/SA\n", now / n - 0.0 * n);
}

int main(int argc, char **argv)
{
	unsigned n = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : 10000;
	struct job_pool *pool;
	struct v2_pair p;
	size_t before, after;
	int resp_sas;

	log_setup(LOG_TO_STDERR, LOG_LEVEL_ERROR, "mem-bench");
	if (n == 0 || job_pool_new(NULL, 1, &pool) < 0 ||
	    v2p_open(&p, pool, "aes128-sha256-prfsha256-x25519", "aes128gcm16")) {
		fprintf(stderr, "mem-bench: setup failed\n");
		return 2;
	}
	malloc_trim(0);
	before = heap_in_use();
	for (unsigned i = 0; i < n; i++) {
		set_identity(p.s[0].eng, i);
		if (v2_engine_up(p.s[0].eng, "lab")) {
			fprintf(stderr, "mem-bench: up failed at %u\n", i);
			return 2;
		}
		v2p_run(&p);
	}
	/* the initiator's side goes: what stays is the responder's */
	while (p.s[0].eng->first)
		v2_ike_sa_free(p.s[0].eng->first);
	after = heap_in_use();
	resp_sas = (int)v2_engine_count_sas(p.s[1].eng);
	printf("mem-bench: %u SAs initiated, responder holds %d IKE SAs and %zu children\n", n,
	       resp_sas, sad_count(p.s[1].sad, SAD_KIND_CHILD));
	printf("heap in use by the responder's SAs: %zu bytes, %.0f bytes per IKE SA + child\n",
	       after - before, resp_sas > 0 ? (double)(after - before) / resp_sas : 0.0);
	printf("sizeof: v2_ike_sa %zu (of which sad_entry %zu, logger %zu, ccsa x2 %zu, "
	       "peer_id %zu), v2_child_sa %zu, SAD index buckets now %zu bytes\n",
	       sizeof(struct v2_ike_sa), sizeof(struct sad_entry), sizeof(struct logger),
	       2 * sizeof(struct v2_ccsa), sizeof(struct v2_conn_id), sizeof(struct v2_child_sa),
	       sad_index_bytes(p.s[1].sad));
	breakdown(&p, resp_sas, after);
	v2p_close(&p);
	job_pool_free(pool);
	return resp_sas == (int)n ? 0 : 1;
}
