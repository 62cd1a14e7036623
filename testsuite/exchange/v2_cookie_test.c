/*
 * v2_cookie_test.c - the COOKIE of IKE_SA_INIT (RFC 7296 2.6) between two
 * in-process engines (testsuite/regress/v2_pair) stepped message by
 * message (mock transport, `none` kernel, job pool drained by hand): a responder under load keeps no
 * state before a valid cookie, the initiator retries with it first and
 * the same Ni/KE, forged, stale and other-address cookies are refused,
 * the previous secret still counts right after a rotation, the initiator
 * gives up after a bounded number of COOKIE answers.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/job.h"
#include "common/log.h"
#include "testsuite/lib/tap.h"
#include "testsuite/regress/v2_pair.h"
#include "v2/v2_engine.h"
#include "v2/v2_names.h"

#define HDR_LEN 28
#define COOKIE_DATA 36 /* header, Notify generic header, protocol, SPI size, type */

static struct v2_pair P; /* side 0: A (initiator), side 1: B (responder) */
static struct job_pool *pool;
static struct sockaddr_storage third_host;

/* The initiator A, and a responder B asking cookies from `threshold` half-open SAs on. */
static void pair(unsigned threshold)
{
	struct v2p_cfg cfg[2];

	for (int i = 0; i < 2; i++) {
		v2p_cfg_init(&cfg[i], i, "aes128-sha256-prfsha256-x25519", "aes128-sha256");
		cfg[i].local_ts = cfg[i].remote_ts = NULL;
		cfg[i].retransmit_tries = 3;
		cfg[i].cookie_threshold = i ? threshold : 0;
	}
	v2p_open_cfg(&P, pool, cfg);
}

/* Hand k to the other side, as if from `from` (NULL: its sender). */
static void inject(const struct v2p_pkt *k, const struct sockaddr_storage *from)
{
	static struct v2p_pkt moved;

	if (from) {
		moved = *k;
		moved.dg.local = *from; /* the receiver sees the sender's local address as peer */
		k = &moved;
	}
	v2p_put(&P, !k->from, k);
}

/* Is the first payload of the message a Notify COOKIE? */
static bool cookie_first(const struct v2p_pkt *p)
{
	return p->len > COOKIE_DATA && p->data[16] == V2_PT_N && p->data[HDR_LEN + 6] == 0x40 &&
	       p->data[HDR_LEN + 7] == 0x06;
}

static bool is_zero_spi_r(const struct v2p_pkt *p)
{
	static const uint8_t zero[8];

	return memcmp(p->data + 8, zero, 8) == 0;
}

static uint64_t sent(int i)
{
	return v2_engine_stats(P.s[i].eng)->cookies_sent;
}

static uint64_t bad(int i)
{
	return v2_engine_stats(P.s[i].eng)->cookies_bad;
}

/* Up on A, B answers with a cookie, A's retry with it is taken into *req2 (not delivered). */
static void to_cookie_request(struct v2p_pkt *req2)
{
	struct v2p_pkt req1, answer;

	v2_engine_up(P.s[0].eng, "lab");
	v2p_step(&P, &req1);
	v2p_step(&P, &answer);
	v2p_take(&P, req2);
}

static void test_threshold_zero(void)
{
	struct v2p_pkt req1, answer, req2;

	pair(0);
	tap_eq_int(v2_engine_up(P.s[0].eng, "lab"), 0, "threshold 0: up starts");
	v2p_step(&P, &req1);
	tap_eq_int(v2_engine_count_sas(P.s[1].eng), 0, "threshold 0: no responder SA after the first request");
	tap_eq_int((long long)sent(1), 1, "threshold 0: one COOKIE sent");
	tap_ok(v2p_take(&P, &answer) && answer.from == 1, "threshold 0: the responder answered");
	tap_ok(cookie_first(&answer), "threshold 0: the answer is N(COOKIE)");
	tap_ok(is_zero_spi_r(&answer), "threshold 0: the answer's SPIr is zero");
	inject(&answer, NULL);
	tap_ok(v2p_take(&P, &req2) && req2.from == 0, "threshold 0: the initiator sent IKE_SA_INIT again");
	tap_ok(cookie_first(&req2), "threshold 0: the retry carries N(COOKIE) first");
	tap_eq_bytes(req2.data + COOKIE_DATA, 33, answer.data + COOKIE_DATA, 33,
		     "threshold 0: the retry's cookie is the responder's");
	tap_eq_bytes(req2.data, 8, req1.data, 8, "threshold 0: the retry keeps SPIi");
	/* 2.6: the rest of the request (SA, KE, Ni, NAT_D) is the same */
	tap_eq_bytes(req2.data + req2.len - (req1.len - HDR_LEN), req1.len - HDR_LEN,
		     req1.data + HDR_LEN, req1.len - HDR_LEN, "threshold 0: same SA, KE and Ni after the cookie");
	inject(&req2, NULL);
	tap_eq_int(v2_engine_count_sas(P.s[1].eng), 1, "threshold 0: the valid cookie makes the SA");
	v2p_run(&P);
	tap_eq_int(P.s[0].established, 1, "threshold 0: the initiator established");
	tap_eq_int(P.s[1].established, 1, "threshold 0: the responder established");
	tap_eq_int((long long)bad(1), 0, "threshold 0: no bad cookie counted");
	tap_eq_int((long long)sent(1), 1, "threshold 0: still one COOKIE sent");
	v2p_close(&P);
}

static void test_forged(void)
{
	struct v2p_pkt req2, forged, answer;

	pair(0);
	to_cookie_request(&req2);
	forged = req2;
	forged.data[COOKIE_DATA + 5] ^= 0x01;
	inject(&forged, NULL);
	tap_eq_int(v2_engine_count_sas(P.s[1].eng), 0, "forged cookie: no SA");
	tap_eq_int((long long)bad(1), 1, "forged cookie: counted bad");
	tap_ok(v2p_take(&P, &answer) && cookie_first(&answer), "forged cookie: answered with a fresh COOKIE");
	forged = req2;
	forged.data[COOKIE_DATA] ^= 0x80; /* a secret version we never had */
	inject(&forged, NULL);
	tap_eq_int(v2_engine_count_sas(P.s[1].eng), 0, "unknown cookie version: no SA");
	tap_eq_int((long long)bad(1), 2, "unknown cookie version: counted bad");
	P.q_len = 0;
	inject(&req2, NULL);
	tap_eq_int(v2_engine_count_sas(P.s[1].eng), 1, "the genuine cookie after them: SA made");
	v2p_close(&P);
}

static void test_rotation(void)
{
	struct v2p_pkt req2;

	pair(0);
	to_cookie_request(&req2);
	v2_engine_rotate_cookie_secret(P.s[1].eng);
	inject(&req2, NULL);
	tap_eq_int(v2_engine_count_sas(P.s[1].eng), 1, "rotation: the previous secret's cookie still valid");
	tap_eq_int((long long)bad(1), 0, "rotation: not counted bad");
	v2p_run(&P);
	tap_eq_int(P.s[0].established, 1, "rotation: established");
	v2p_close(&P);

	pair(0);
	to_cookie_request(&req2);
	v2_engine_rotate_cookie_secret(P.s[1].eng);
	v2_engine_rotate_cookie_secret(P.s[1].eng);
	inject(&req2, NULL);
	tap_eq_int(v2_engine_count_sas(P.s[1].eng), 0, "two rotations: the old cookie refused");
	tap_eq_int((long long)bad(1), 1, "two rotations: counted bad");
	v2p_close(&P);
}

static void test_other_address(void)
{
	struct v2p_pkt req2;

	pair(0);
	to_cookie_request(&req2);
	inject(&req2, &third_host);
	tap_eq_int(v2_engine_count_sas(P.s[1].eng), 0, "cookie from another IP: no SA");
	tap_eq_int((long long)bad(1), 1, "cookie from another IP: counted bad");
	P.q_len = 0;
	inject(&req2, NULL);
	tap_eq_int(v2_engine_count_sas(P.s[1].eng), 1, "the same cookie from its own IP: SA made");
	v2p_close(&P);
}

static void test_threshold_one(void)
{
	pair(1);
	v2_engine_up(P.s[0].eng, "lab");
	v2p_step(&P, NULL);
	tap_eq_int(v2_engine_count_sas(P.s[1].eng), 1, "threshold 1: the first request makes an SA");
	tap_eq_int((long long)sent(1), 0, "threshold 1: no cookie below the threshold");
	P.q_len = 0; /* the answer never arrives: B keeps one half-open SA */
	v2_engine_up(P.s[0].eng, "lab");
	v2p_step(&P, NULL);
	tap_eq_int(v2_engine_count_sas(P.s[1].eng), 1, "threshold 1: the second request makes none");
	tap_eq_int((long long)sent(1), 1, "threshold 1: it is asked for a cookie");
	v2p_run(&P);
	tap_eq_int(P.s[0].established, 1, "threshold 1: the cookie'd SA establishes");
	tap_eq_int(v2_engine_count_sas(P.s[1].eng), 2, "threshold 1: B has the half-open and the new SA");
	v2p_close(&P);
}

/* An established SA is no longer half-open: no cookie for the next one. */
static void test_established_not_counted(void)
{
	pair(1);
	v2_engine_up(P.s[0].eng, "lab");
	v2p_run(&P);
	v2_engine_up(P.s[0].eng, "lab");
	v2p_run(&P);
	tap_eq_int(P.s[1].established, 2, "threshold 1: two SAs one after the other");
	tap_eq_int((long long)sent(1), 0, "threshold 1: established SAs do not count as half-open");
	v2p_close(&P);
}

static void test_bounded(void)
{
	struct v2p_pkt p;
	int retries = 0;

	pair(0);
	v2_engine_up(P.s[0].eng, "lab");
	/* B's secrets turn over twice before every retry arrives: never valid */
	for (int i = 0; i < 8 && v2p_take(&P, &p); i++) {
		if (p.from == 0 && cookie_first(&p)) {
			retries++;
			v2_engine_rotate_cookie_secret(P.s[1].eng);
			v2_engine_rotate_cookie_secret(P.s[1].eng);
		}
		inject(&p, NULL);
	}
	tap_eq_int(retries, 2, "bounded: the initiator retried twice with a cookie");
	tap_eq_int(P.s[0].failed, 1, "bounded: then gave up");
	tap_eq_int(v2_engine_count_sas(P.s[0].eng), 0, "bounded: its SA is gone");
	tap_eq_int(v2_engine_count_sas(P.s[1].eng), 0, "bounded: the responder kept nothing");
	tap_eq_int((long long)bad(1), 2, "bounded: two bad cookies counted");
	v2p_close(&P);
}

int main(void)
{
	struct sockaddr_in *c = (struct sockaddr_in *)&third_host;

	log_set_level(getenv("V2_TEST_DEBUG") ? LOG_LEVEL_DEBUG : LOG_LEVEL_ERROR);
	c->sin_family = AF_INET;
	c->sin_port = htons(500);
	inet_pton(AF_INET, "192.0.2.3", &c->sin_addr);
	if (job_pool_new(NULL, 2, &pool))
		return tap_skip_all("no job pool");
	test_threshold_zero();
	test_forged();
	test_rotation();
	test_other_address();
	test_threshold_one();
	test_established_not_counted();
	test_bounded();
	job_pool_free(pool);
	return tap_done();
}
