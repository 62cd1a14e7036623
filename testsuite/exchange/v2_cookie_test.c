/*
 * v2_cookie_test.c - the COOKIE of IKE_SA_INIT (RFC 7296 2.6) between two
 * in-process engines stepped message by message (mock transport, `none`
 * kernel, job pool drained by hand): a responder under load keeps no
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
#include "common/kernel.h"
#include "common/log.h"
#include "common/sad.h"
#include "common/xform.h"
#include "testsuite/lib/tap.h"
#include "v2/v2_engine.h"
#include "v2/v2_names.h"
#include "v2/v2_proposal.h"

#define QMAX 16
#define HDR_LEN 28
#define COOKIE_DATA 36 /* header, Notify generic header, protocol, SPI size, type */

struct packet {
	uint8_t data[8192];
	size_t len;
	int from; /* 0: A (initiator), 1: B (responder) */
	struct v2_datagram dg;
};

struct side {
	struct v2_engine *eng;
	struct sad *sad;
	struct kernel *kernel;
	struct secret *psk;
	int index;
	int established, failed;
};

static struct packet queue[QMAX];
static size_t q_len;
static struct side sides[2];
static struct job_pool *pool;
static struct sockaddr_storage addr[3]; /* A, B, and a third host */

static int mock_send(void *arg, const struct v2_datagram *dg)
{
	struct side *s = arg;
	struct packet *p;

	if (q_len == QMAX || dg->len > sizeof(queue[0].data))
		return -1;
	p = &queue[q_len++];
	memcpy(p->data, dg->data, dg->len);
	p->len = dg->len;
	p->from = s->index;
	p->dg = *dg;
	return 0;
}

static const struct secret *mock_psk(void *arg, const struct v2_conn *c,
				     const struct v2_conn_id *l, const struct v2_conn_id *r,
				     const struct sockaddr_storage *la,
				     const struct sockaddr_storage *ra)
{
	(void)c, (void)l, (void)r, (void)la, (void)ra;
	return ((struct side *)arg)->psk;
}

static void mock_established(void *arg, const struct v2_sa_info *info)
{
	(void)info;
	((struct side *)arg)->established++;
}

static void mock_failed(void *arg, const char *conn, const char *why, bool never_answered)
{
	(void)conn, (void)why, (void)never_answered;
	((struct side *)arg)->failed++;
}

static void prop(struct v2_local_prop *p, uint8_t protocol, const char *tokens)
{
	char buf[256], *save = NULL;

	memset(p, 0, sizeof(*p));
	p->protocol = protocol;
	p->ke_none = protocol != V2_PROTO_IKE;
	snprintf(buf, sizeof(buf), "%s", tokens);
	for (char *t = strtok_r(buf, "-", &save); t; t = strtok_r(NULL, "-", &save))
		p->xforms[p->n_xforms++] = xform_by_name(t);
}

static void side_setup(int i, unsigned threshold)
{
	struct side *s = &sides[i];
	struct v2_engine_params p;
	struct v2_conn c;
	const char *id = i ? "gw.example.org" : "peer.example.org";

	memset(s, 0, sizeof(*s));
	s->index = i;
	sad_new(&s->sad);
	kernel_open("none", &s->kernel);
	s->psk = secret_dup("cookie-psk", 10);
	memset(&p, 0, sizeof(p));
	p.jobs = pool;
	p.sad = s->sad;
	p.kernel = s->kernel;
	p.retransmit_tries = 3;
	p.retransmit_timeout_ms = 100;
	p.cookie_threshold = threshold;
	p.hooks = (struct v2_hooks){ .arg = s, .send = mock_send, .psk = mock_psk,
				     .established = mock_established, .failed = mock_failed };
	v2_engine_new(&p, &s->eng);
	memset(&c, 0, sizeof(c));
	snprintf(c.name, sizeof(c.name), "lab");
	c.local = addr[i];
	c.remote = i == 1 ? (struct sockaddr_storage){ .ss_family = AF_UNSPEC } : addr[1];
	c.local_id.type = V2_ID_FQDN;
	c.local_id.len = strlen(id);
	memcpy(c.local_id.data, id, c.local_id.len);
	prop(&c.ike[0], V2_PROTO_IKE, "aes128-sha256-prfsha256-x25519");
	c.n_ike = 1;
	prop(&c.esp[0], V2_PROTO_ESP, "aes128-sha256");
	c.n_esp = 1;
	c.child_lifetime_s = 3600;
	v2_engine_set_conns(s->eng, &c, 1);
}

/* The initiator A, and a responder B asking cookies from `threshold` half-open SAs on. */
static void pair(unsigned threshold)
{
	q_len = 0;
	side_setup(0, 0);
	side_setup(1, threshold);
}

static void unpair(void)
{
	for (int i = 0; i < 2; i++) {
		v2_engine_free(sides[i].eng);
		sad_free(sides[i].sad);
		kernel_close(sides[i].kernel);
		secret_free(sides[i].psk);
	}
	q_len = 0;
}

/* Take the first queued datagram off the queue (after the jobs ran). */
static bool take(struct packet *p)
{
	job_pool_drain(pool);
	if (!q_len)
		return false;
	*p = queue[0];
	memmove(queue, queue + 1, (q_len - 1) * sizeof(queue[0]));
	q_len--;
	return true;
}

/* Hand p to the other side, as if from `from` (NULL: its sender). */
static void inject(const struct packet *p, const struct sockaddr_storage *from)
{
	struct v2_datagram dg = p->dg;

	dg.data = p->data;
	dg.len = p->len;
	dg.local = p->dg.peer;
	dg.peer = from ? *from : p->dg.local;
	v2_engine_input(sides[!p->from].eng, &dg);
	job_pool_drain(pool);
}

static void deliver(struct packet *keep)
{
	struct packet p;

	if (!take(&p))
		return;
	inject(&p, NULL);
	if (keep)
		*keep = p;
}

static void run(void)
{
	for (int i = 0; i < 20 && (q_len || job_pool_pending(pool)); i++)
		deliver(NULL);
}

/* Is the first payload of the message a Notify COOKIE? */
static bool cookie_first(const struct packet *p)
{
	return p->len > COOKIE_DATA && p->data[16] == V2_PT_N && p->data[HDR_LEN + 6] == 0x40 &&
	       p->data[HDR_LEN + 7] == 0x06;
}

static bool is_zero_spi_r(const struct packet *p)
{
	static const uint8_t zero[8];

	return memcmp(p->data + 8, zero, 8) == 0;
}

static uint64_t sent(int i)
{
	return v2_engine_stats(sides[i].eng)->cookies_sent;
}

static uint64_t bad(int i)
{
	return v2_engine_stats(sides[i].eng)->cookies_bad;
}

/* Up on A, B answers with a cookie, A's retry with it is taken into *req2 (not delivered). */
static void to_cookie_request(struct packet *req2)
{
	struct packet req1, answer;

	v2_engine_up(sides[0].eng, "lab");
	deliver(&req1);
	deliver(&answer);
	take(req2);
}

static void test_threshold_zero(void)
{
	struct packet req1, answer, req2;

	pair(0);
	tap_eq_int(v2_engine_up(sides[0].eng, "lab"), 0, "threshold 0: up starts");
	deliver(&req1);
	tap_eq_int(v2_engine_count_sas(sides[1].eng), 0, "threshold 0: no responder SA after the first request");
	tap_eq_int((long long)sent(1), 1, "threshold 0: one COOKIE sent");
	tap_ok(take(&answer) && answer.from == 1, "threshold 0: the responder answered");
	tap_ok(cookie_first(&answer), "threshold 0: the answer is N(COOKIE)");
	tap_ok(is_zero_spi_r(&answer), "threshold 0: the answer's SPIr is zero");
	inject(&answer, NULL);
	tap_ok(take(&req2) && req2.from == 0, "threshold 0: the initiator sent IKE_SA_INIT again");
	tap_ok(cookie_first(&req2), "threshold 0: the retry carries N(COOKIE) first");
	tap_eq_bytes(req2.data + COOKIE_DATA, 33, answer.data + COOKIE_DATA, 33,
		     "threshold 0: the retry's cookie is the responder's");
	tap_eq_bytes(req2.data, 8, req1.data, 8, "threshold 0: the retry keeps SPIi");
	/* 2.6: the rest of the request (SA, KE, Ni, NAT_D) is the same */
	tap_eq_bytes(req2.data + req2.len - (req1.len - HDR_LEN), req1.len - HDR_LEN,
		     req1.data + HDR_LEN, req1.len - HDR_LEN, "threshold 0: same SA, KE and Ni after the cookie");
	inject(&req2, NULL);
	tap_eq_int(v2_engine_count_sas(sides[1].eng), 1, "threshold 0: the valid cookie makes the SA");
	run();
	tap_eq_int(sides[0].established, 1, "threshold 0: the initiator established");
	tap_eq_int(sides[1].established, 1, "threshold 0: the responder established");
	tap_eq_int((long long)bad(1), 0, "threshold 0: no bad cookie counted");
	tap_eq_int((long long)sent(1), 1, "threshold 0: still one COOKIE sent");
	unpair();
}

static void test_forged(void)
{
	struct packet req2, forged, answer;

	pair(0);
	to_cookie_request(&req2);
	forged = req2;
	forged.data[COOKIE_DATA + 5] ^= 0x01;
	inject(&forged, NULL);
	tap_eq_int(v2_engine_count_sas(sides[1].eng), 0, "forged cookie: no SA");
	tap_eq_int((long long)bad(1), 1, "forged cookie: counted bad");
	tap_ok(take(&answer) && cookie_first(&answer), "forged cookie: answered with a fresh COOKIE");
	forged = req2;
	forged.data[COOKIE_DATA] ^= 0x80; /* a secret version we never had */
	inject(&forged, NULL);
	tap_eq_int(v2_engine_count_sas(sides[1].eng), 0, "unknown cookie version: no SA");
	tap_eq_int((long long)bad(1), 2, "unknown cookie version: counted bad");
	q_len = 0;
	inject(&req2, NULL);
	tap_eq_int(v2_engine_count_sas(sides[1].eng), 1, "the genuine cookie after them: SA made");
	unpair();
}

static void test_rotation(void)
{
	struct packet req2;

	pair(0);
	to_cookie_request(&req2);
	v2_engine_rotate_cookie_secret(sides[1].eng);
	inject(&req2, NULL);
	tap_eq_int(v2_engine_count_sas(sides[1].eng), 1, "rotation: the previous secret's cookie still valid");
	tap_eq_int((long long)bad(1), 0, "rotation: not counted bad");
	run();
	tap_eq_int(sides[0].established, 1, "rotation: established");
	unpair();

	pair(0);
	to_cookie_request(&req2);
	v2_engine_rotate_cookie_secret(sides[1].eng);
	v2_engine_rotate_cookie_secret(sides[1].eng);
	inject(&req2, NULL);
	tap_eq_int(v2_engine_count_sas(sides[1].eng), 0, "two rotations: the old cookie refused");
	tap_eq_int((long long)bad(1), 1, "two rotations: counted bad");
	unpair();
}

static void test_other_address(void)
{
	struct packet req2;

	pair(0);
	to_cookie_request(&req2);
	inject(&req2, &addr[2]);
	tap_eq_int(v2_engine_count_sas(sides[1].eng), 0, "cookie from another IP: no SA");
	tap_eq_int((long long)bad(1), 1, "cookie from another IP: counted bad");
	q_len = 0;
	inject(&req2, NULL);
	tap_eq_int(v2_engine_count_sas(sides[1].eng), 1, "the same cookie from its own IP: SA made");
	unpair();
}

static void test_threshold_one(void)
{
	pair(1);
	v2_engine_up(sides[0].eng, "lab");
	deliver(NULL);
	tap_eq_int(v2_engine_count_sas(sides[1].eng), 1, "threshold 1: the first request makes an SA");
	tap_eq_int((long long)sent(1), 0, "threshold 1: no cookie below the threshold");
	q_len = 0; /* the answer never arrives: B keeps one half-open SA */
	v2_engine_up(sides[0].eng, "lab");
	deliver(NULL);
	tap_eq_int(v2_engine_count_sas(sides[1].eng), 1, "threshold 1: the second request makes none");
	tap_eq_int((long long)sent(1), 1, "threshold 1: it is asked for a cookie");
	run();
	tap_eq_int(sides[0].established, 1, "threshold 1: the cookie'd SA establishes");
	tap_eq_int(v2_engine_count_sas(sides[1].eng), 2, "threshold 1: B has the half-open and the new SA");
	unpair();
}

/* An established SA is no longer half-open: no cookie for the next one. */
static void test_established_not_counted(void)
{
	pair(1);
	v2_engine_up(sides[0].eng, "lab");
	run();
	v2_engine_up(sides[0].eng, "lab");
	run();
	tap_eq_int(sides[1].established, 2, "threshold 1: two SAs one after the other");
	tap_eq_int((long long)sent(1), 0, "threshold 1: established SAs do not count as half-open");
	unpair();
}

static void test_bounded(void)
{
	struct packet p;
	int retries = 0;

	pair(0);
	v2_engine_up(sides[0].eng, "lab");
	/* B's secrets turn over twice before every retry arrives: never valid */
	for (int i = 0; i < 8 && take(&p); i++) {
		if (p.from == 0 && cookie_first(&p)) {
			retries++;
			v2_engine_rotate_cookie_secret(sides[1].eng);
			v2_engine_rotate_cookie_secret(sides[1].eng);
		}
		inject(&p, NULL);
	}
	tap_eq_int(retries, 2, "bounded: the initiator retried twice with a cookie");
	tap_eq_int(sides[0].failed, 1, "bounded: then gave up");
	tap_eq_int(v2_engine_count_sas(sides[0].eng), 0, "bounded: its SA is gone");
	tap_eq_int(v2_engine_count_sas(sides[1].eng), 0, "bounded: the responder kept nothing");
	tap_eq_int((long long)bad(1), 2, "bounded: two bad cookies counted");
	unpair();
}

int main(void)
{
	struct sockaddr_in *a = (struct sockaddr_in *)&addr[0], *b = (struct sockaddr_in *)&addr[1];
	struct sockaddr_in *c = (struct sockaddr_in *)&addr[2];

	log_set_level(getenv("V2_TEST_DEBUG") ? LOG_LEVEL_DEBUG : LOG_LEVEL_ERROR);
	a->sin_family = b->sin_family = c->sin_family = AF_INET;
	a->sin_port = b->sin_port = c->sin_port = htons(500);
	inet_pton(AF_INET, "192.0.2.1", &a->sin_addr);
	inet_pton(AF_INET, "192.0.2.2", &b->sin_addr);
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
