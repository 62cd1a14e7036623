/*
 * v2_cookie_race_test.c - an IKE_SA_INIT retransmission crossing the
 * responder's COOKIE (RFC 7296 2.6, 2.15), between two in-process
 * engines stepped message by message (mock transport, `none` kernel, job
 * pool drained by hand).
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
#include "v2/v2_ike_sa.h"
#include "v2/v2_names.h"
#include "v2/v2_proposal.h"

#define QMAX 16
#define HDR_LEN 28

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
static struct sockaddr_storage addr[2]; /* A, B */

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

/* Hand p to the other side, as if from its sender. */
static void inject(const struct packet *p)
{
	struct v2_datagram dg = p->dg;

	dg.data = p->data;
	dg.len = p->len;
	dg.local = p->dg.peer;
	dg.peer = p->dg.local;
	v2_engine_input(sides[!p->from].eng, &dg);
	job_pool_drain(pool);
}

/* inject() without running the jobs: B's KE job is still under way. */
static void inject_busy(const struct packet *p)
{
	struct v2_datagram dg = p->dg;

	dg.data = p->data;
	dg.len = p->len;
	dg.local = p->dg.peer;
	dg.peer = p->dg.local;
	v2_engine_input(sides[!p->from].eng, &dg);
}

static void run(void)
{
	struct packet p;

	for (int i = 0; i < 20 && (q_len || job_pool_pending(pool)); i++)
		if (take(&p))
			inject(&p);
}

static bool has_cookie_first(const struct packet *p)
{
	return p->len > HDR_LEN + 8 && p->data[16] == V2_PT_N && p->data[HDR_LEN + 6] == 0x40 &&
	       p->data[HDR_LEN + 7] == 0x06;
}

/* The load is just below the threshold: B answers IKE_SA_INIT without a cookie. */
static void load_drops(void)
{
	sides[1].eng->p.cookie_threshold = V2_COOKIE_NEVER;
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
	struct packet req1, cookie, r1, req2, p;
	uint64_t dropped;
	char name[160];

	side_setup(0, 0);
	side_setup(1, 0); /* B asks a cookie of every request */
	q_len = 0;
	v2_engine_up(sides[0].eng, "lab");
	tap_ok(take(&req1) && req1.from == 0 && !has_cookie_first(&req1),
	       "%s: A sent IKE_SA_INIT without a cookie", what);
	inject(&req1);
	tap_ok(take(&cookie) && cookie.from == 1 && has_cookie_first(&cookie),
	       "%s: B answered copy a with N(COOKIE)", what);
	load_drops();
	if (!busy) {
		inject(&req1); /* A's retransmission, byte for byte */
	} else {
		/* B's KE job for copy b is under way when the retry comes */
		inject_busy(&req1);
		inject_busy(&cookie); /* A's retry needs no job of its own */
		tap_ok(q_len == 1 && queue[0].from == 0 && has_cookie_first(&queue[0]),
		       "%s: A retried with the cookie", what);
		req2 = queue[0];
		q_len = 0;
		dropped = v2_engine_stats(sides[1].eng)->dropped_busy;
		inject_busy(&req2);
		tap_eq_int((long long)(v2_engine_stats(sides[1].eng)->dropped_busy - dropped), 1,
			   "%s: B dropped the retry (KE job running)", what);
	}
	tap_ok(take(&r1) && r1.from == 1 && !has_cookie_first(&r1),
	       "%s: B answered copy b with SA, KE, Nr", what);
	tap_eq_int(v2_engine_count_sas(sides[1].eng), 1, "%s: B holds one half-open SA", what);
	if (!busy) {
		inject(&cookie);
		tap_ok(take(&req2) && req2.from == 0 && has_cookie_first(&req2),
		       "%s: A retried with the cookie", what);
	}
	if (req2_reaches_b) {
		inject(&req2);
		/* B answers the retry from its cache: the same R1 */
		tap_ok(take(&p) && p.len == r1.len && memcmp(p.data, r1.data, r1.len) == 0,
		       "%s: B answered the retry with R1 again", what);
	}
	inject(&r1);
	run();
	snprintf(name, sizeof(name), "%s: the initiator established", what);
	tap_eq_int(sides[0].established, 1, "%s", name);
	tap_eq_int(sides[1].established, 1, "%s: the responder established (no AUTHENTICATION_FAILED)",
		   what);
	tap_eq_int(sides[1].failed, 0, "%s: the responder refused nothing", what);
	tap_eq_int(sides[0].failed, 0, "%s: the initiator refused nothing", what);
	unpair();
}

/* Control: A takes R1 before the COOKIE; the late COOKIE changes nothing. */
static void answer_first(void)
{
	struct packet req1, cookie, r1;

	side_setup(0, 0);
	side_setup(1, 0);
	q_len = 0;
	v2_engine_up(sides[0].eng, "lab");
	take(&req1);
	inject(&req1);
	take(&cookie);
	load_drops();
	inject(&req1);
	take(&r1);
	inject(&r1);
	inject(&cookie);
	run();
	tap_eq_int(sides[0].established, 1, "answer first: the initiator established");
	tap_eq_int(sides[1].established, 1, "answer first: the responder established");
	tap_eq_int(sides[1].failed + sides[0].failed, 0, "answer first: nothing refused");
	unpair();
}

int main(void)
{
	struct sockaddr_in *a = (struct sockaddr_in *)&addr[0], *b = (struct sockaddr_in *)&addr[1];

	log_set_level(getenv("V2_TEST_DEBUG") ? LOG_LEVEL_DEBUG : LOG_LEVEL_ERROR);
	a->sin_family = b->sin_family = AF_INET;
	a->sin_port = b->sin_port = htons(500);
	inet_pton(AF_INET, "192.0.2.1", &a->sin_addr);
	inet_pton(AF_INET, "192.0.2.2", &b->sin_addr);
	if (job_pool_new(NULL, 2, &pool))
		return tap_skip_all("no job pool");
	answer_first();
	crossing(true, false, "retry reaches B");
	crossing(false, true, "retry while B's KE job runs");
	job_pool_free(pool);
	return tap_done();
}
