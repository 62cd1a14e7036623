/*
 * v2_cookie_race_test.c - an IKE_SA_INIT retransmission crossing the
 * responder's COOKIE (RFC 7296 2.6, 2.15), between two in-process
 * engines (testsuite/regress/v2_pair) stepped message by message (mock
 * transport, `none` kernel, job pool drained by hand).
 *
 * Under load the half-open count hovers at the threshold: the first copy
 * of request 1 is answered with N(COOKIE), the retransmitted copy (no
 * cookie) finds the load just below and gets a full answer. The initiator
 * takes the COOKIE first and sends the request again with it, then takes
 * the full answer (of the cookie-less copy). 2.15: "it is the latest
 * version of the message that is signed", so the initiator signs the
 * request with the cookie; the responder must verify against the same
 * bytes, or IKE_AUTH fails with AUTHENTICATION_FAILED.
 *
 * The test reaches into the engine (v2_ike_sa.h) only to move the
 * responder's cookie threshold, standing in for the load going down.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/job.h"
#include "common/log.h"
#include "testsuite/lib/tap.h"
#include "testsuite/regress/v2_pair.h"
#include "v2/v2_engine.h"
#include "v2/v2_ike_sa.h"
#include "v2/v2_names.h"

#define HDR_LEN 28

static struct v2_pair P; /* side 0: A (initiator), side 1: B (responder) */
static struct job_pool *pool;

/* A, and a B that asks a cookie of every request. */
static void pair(void)
{
	struct v2p_cfg cfg[2];

	for (int i = 0; i < 2; i++) {
		v2p_cfg_init(&cfg[i], i, "aes128-sha256-prfsha256-x25519", "aes128-sha256");
		cfg[i].local_ts = cfg[i].remote_ts = NULL;
		cfg[i].retransmit_tries = 3;
		cfg[i].cookie_threshold = 0;
	}
	v2p_open_cfg(&P, pool, cfg);
}

/* Hand k to the other side, as if from its sender. */
static void inject(const struct v2p_pkt *k)
{
	v2p_put(&P, !k->from, k);
}

/* inject() without running the jobs: B's KE job is still under way. */
static void inject_busy(const struct v2p_pkt *k)
{
	v2p_put_busy(&P, !k->from, k);
}

static bool has_cookie_first(const struct v2p_pkt *p)
{
	return p->len > HDR_LEN + 8 && p->data[16] == V2_PT_N && p->data[HDR_LEN + 6] == 0x40 &&
	       p->data[HDR_LEN + 7] == 0x06;
}

/* The load is just below the threshold: B answers IKE_SA_INIT without a cookie. */
static void load_drops(void)
{
	P.s[1].eng->p.cookie_threshold = V2_COOKIE_NEVER;
}

/*
 * A's request 1 (copy a) gets N(COOKIE); its retransmission (copy b)
 * gets a full answer R1 once the load dropped. A takes the COOKIE first,
 * retries with it (req2), then takes R1. req2_reaches_b: B sees the
 * retry once copy b is answered; busy: B sees it while copy b's KE job
 * still runs (dropped, 2.1, yet its bytes are the ones A signs).
 */
static void crossing(bool req2_reaches_b, bool busy, const char *what)
{
	struct v2p_pkt req1, cookie, r1, req2, p;
	uint64_t dropped;
	char name[160];

	pair();
	v2_engine_up(P.s[0].eng, "lab");
	tap_ok(v2p_take(&P, &req1) && req1.from == 0 && !has_cookie_first(&req1),
	       "%s: A sent IKE_SA_INIT without a cookie", what);
	inject(&req1);
	tap_ok(v2p_take(&P, &cookie) && cookie.from == 1 && has_cookie_first(&cookie),
	       "%s: B answered copy a with N(COOKIE)", what);
	load_drops();
	if (!busy) {
		inject(&req1); /* A's retransmission, byte for byte */
	} else {
		/* B's KE job for copy b is under way when the retry comes */
		inject_busy(&req1);
		inject_busy(&cookie); /* A's retry needs no job of its own */
		tap_ok(P.q_len == 1 && P.q[0].from == 0 && has_cookie_first(&P.q[0]),
		       "%s: A retried with the cookie", what);
		req2 = P.q[0];
		P.q_len = 0;
		dropped = v2_engine_stats(P.s[1].eng)->dropped_busy;
		inject_busy(&req2);
		tap_eq_int((long long)(v2_engine_stats(P.s[1].eng)->dropped_busy - dropped), 1,
			   "%s: B dropped the retry (KE job running)", what);
	}
	tap_ok(v2p_take(&P, &r1) && r1.from == 1 && !has_cookie_first(&r1),
	       "%s: B answered copy b with SA, KE, Nr", what);
	tap_eq_int(v2_engine_count_sas(P.s[1].eng), 1, "%s: B holds one half-open SA", what);
	if (!busy) {
		inject(&cookie);
		tap_ok(v2p_take(&P, &req2) && req2.from == 0 && has_cookie_first(&req2),
		       "%s: A retried with the cookie", what);
	}
	if (req2_reaches_b) {
		inject(&req2);
		/* B answers the retry from its cache: the same R1 */
		tap_ok(v2p_take(&P, &p) && p.len == r1.len && memcmp(p.data, r1.data, r1.len) == 0,
		       "%s: B answered the retry with R1 again", what);
	}
	inject(&r1);
	v2p_run(&P);
	snprintf(name, sizeof(name), "%s: the initiator established", what);
	tap_eq_int(P.s[0].established, 1, "%s", name);
	tap_eq_int(P.s[1].established, 1, "%s: the responder established (no AUTHENTICATION_FAILED)",
		   what);
	tap_eq_int(P.s[1].failed, 0, "%s: the responder refused nothing", what);
	tap_eq_int(P.s[0].failed, 0, "%s: the initiator refused nothing", what);
	v2p_close(&P);
}

/* Control: A takes R1 before the COOKIE; the late COOKIE changes nothing. */
static void answer_first(void)
{
	struct v2p_pkt req1, cookie, r1;

	pair();
	v2_engine_up(P.s[0].eng, "lab");
	v2p_take(&P, &req1);
	inject(&req1);
	v2p_take(&P, &cookie);
	load_drops();
	inject(&req1);
	v2p_take(&P, &r1);
	inject(&r1);
	inject(&cookie);
	v2p_run(&P);
	tap_eq_int(P.s[0].established, 1, "answer first: the initiator established");
	tap_eq_int(P.s[1].established, 1, "answer first: the responder established");
	tap_eq_int(P.s[1].failed + P.s[0].failed, 0, "answer first: nothing refused");
	v2p_close(&P);
}

int main(void)
{
	log_set_level(getenv("V2_TEST_DEBUG") ? LOG_LEVEL_DEBUG : LOG_LEVEL_ERROR);
	if (job_pool_new(NULL, 2, &pool))
		return tap_skip_all("no job pool");
	answer_first();
	crossing(true, false, "retry reaches B");
	crossing(false, true, "retry while B's KE job runs");
	job_pool_free(pool);
	return tap_done();
}
