/*
 * natt_keepalive_test.c - NAT keepalives (RFC 3948 2.3, RFC 7296 2.23):
 * sent only for IKE SAs with a NAT in front of us, once per period of the
 * connection (nat_keepalive, [daemon]'s by default, 0 = off), as one 0xFF
 * octet to the peer; and the receiving dispatcher drops a keepalive
 * silently: no engine sees it, nothing is answered, it is counted.
 * Engines: two in-process IKEv2 engines (testsuite/regress/v2_pair) and
 * two IKEv1 engines, one behind the pair's mock NAT (v1_pair).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/job.h"
#include "common/log.h"
#include "src/config.h"
#include "src/dispatch.h"
#include "src/natt_keepalive.h"
#include "testsuite/lib/tap.h"
#include "testsuite/regress/v1_pair.h"
#include "testsuite/regress/v2_pair.h"
#include "v2/v2_ike_sa.h"

static struct job_pool *pool;
static int sent;
static struct sockaddr_storage last_peer;

static int capture(void *arg, const struct sockaddr_storage *local,
		   const struct sockaddr_storage *peer)
{
	(void)arg;
	(void)local;
	sent++;
	last_peer = *peer;
	return 0;
}

static void config_with(struct config *cfg, struct conn_config *c, uint32_t daemon_s,
			uint32_t conn_s)
{
	memset(cfg, 0, sizeof(*cfg));
	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "lab");
	c->nat_keepalive_s = conn_s;
	cfg->daemon.nat_keepalive_s = daemon_s;
	cfg->conns = c;
	cfg->n_conns = 1;
}

static size_t run_ticks(const struct config *cfg, struct v2_engine *v2, struct v1_engine *v1,
			uint64_t from, uint64_t to)
{
	size_t n = 0;

	for (uint64_t t = from; t <= to; t++)
		n += natt_keepalive_due(cfg, v2, v1, t, capture, NULL);
	return n;
}

static void test_v2(void)
{
	struct v2_pair p;
	struct config cfg;
	struct conn_config c;
	struct v2_ike_sa *sa;

	if (v2p_open(&p, pool, "aes128-sha256-prfsha256-x25519", "aes128-sha256") ||
	    v2p_establish(&p)) {
		tap_ok(false, "v2 pair established");
		v2p_close(&p);
		return;
	}
	config_with(&cfg, &c, 20, CONF_NAT_KEEPALIVE_DAEMON);
	tap_eq_int(natt_keepalive_period(&cfg, "lab"), 20, "the [daemon] period by default");
	sent = 0;
	tap_eq_int((long long)run_ticks(&cfg, p.s[0].eng, NULL, 1, 100), 0,
		   "IKEv2, no NAT: no keepalive in 100 s");
	/* A found its NAT_DETECTION_SOURCE_IP hash changed and moved to 4500 (2.23) */
	sa = p.s[0].eng->first;
	v2_nat_state_set(sa, true);
	sa->natt = true;
	tap_eq_int((long long)run_ticks(&cfg, p.s[0].eng, NULL, 1, 100), 5,
		   "IKEv2 behind a NAT: one keepalive per 20 s");
	tap_ok(kernel_addr_equal(&last_peer, &p.addr[1]), "to the peer");
	tap_eq_int((long long)run_ticks(&cfg, p.s[1].eng, NULL, 1, 100), 0,
		   "the peer in front of the NAT sends none");
	config_with(&cfg, &c, 20, 5);
	tap_eq_int((long long)run_ticks(&cfg, p.s[0].eng, NULL, 1, 100), 20,
		   "the connection's nat_keepalive = 5s wins");
	config_with(&cfg, &c, 20, 0);
	tap_eq_int((long long)run_ticks(&cfg, p.s[0].eng, NULL, 1, 100), 0,
		   "nat_keepalive = 0 in the connection: off");
	config_with(&cfg, &c, 0, CONF_NAT_KEEPALIVE_DAEMON);
	tap_eq_int((long long)run_ticks(&cfg, p.s[0].eng, NULL, 1, 100), 0,
		   "nat_keepalive = 0 in [daemon]: off");
	v2p_close(&p);
}

static void test_v1(void)
{
	struct v1_pair p;
	struct v1p_opts o;
	struct config cfg;
	struct conn_config c;

	memset(&o, 0, sizeof(o));
	o.nat = true;
	if (!tap_ok(v1p_up(&p, pool, &o) == 0, "v1 pair behind a NAT established"))
		return;
	config_with(&cfg, &c, 20, CONF_NAT_KEEPALIVE_DAEMON);
	sent = 0;
	tap_eq_int((long long)run_ticks(&cfg, NULL, p.eng[0], 1, 60), 3,
		   "IKEv1 behind the NAT (RFC 3947): one keepalive per 20 s");
	tap_eq_int((long long)run_ticks(&cfg, NULL, p.eng[1], 1, 60), 0,
		   "IKEv1 in front of the NAT: none");
	v1p_close(&p);
	if (!tap_ok(v1p_up(&p, pool, NULL) == 0, "v1 pair established"))
		return;
	tap_eq_int((long long)run_ticks(&cfg, NULL, p.eng[0], 1, 60), 0, "IKEv1, no NAT: none");
	v1p_close(&p);
}

/* Which ticks walk the SAs at all: only those where some period ends. */
static void test_tick_due(void)
{
	struct config cfg;
	struct conn_config c;
	int due = 0;

	config_with(&cfg, &c, 20, CONF_NAT_KEEPALIVE_DAEMON);
	for (uint64_t t = 1; t <= 100; t++)
		due += natt_keepalive_tick_due(&cfg, t);
	tap_eq_int(due, 5, "20 s default: 5 of 100 ticks walk the SAs");
	config_with(&cfg, &c, 20, 15);
	tap_ok(natt_keepalive_tick_due(&cfg, 15) && natt_keepalive_tick_due(&cfg, 20) &&
	       !natt_keepalive_tick_due(&cfg, 16), "a conn's period and [daemon]'s both count");
	config_with(&cfg, &c, 0, 0);
	due = 0;
	for (uint64_t t = 1; t <= 100; t++)
		due += natt_keepalive_tick_due(&cfg, t);
	tap_eq_int(due, 0, "keepalives off everywhere: no tick walks");
	config_with(&cfg, &c, 0, 7);
	tap_ok(natt_keepalive_tick_due(&cfg, 14) && !natt_keepalive_tick_due(&cfg, 20),
	       "[daemon] off, the conn's 7 s: its ticks only");
}

/* The keys as dualike.conf(5) has them: [daemon] default 20s, a conn's own, 0 = off. */
static void test_config(void)
{
	char dir[200], path[256];
	struct config_errors errs;
	struct config *cfg = NULL;
	FILE *f;
	static const char *const confs[] = {
		"[conn a]\nremote = 192.0.2.9\nike = aes128-sha256-x25519\nesp = aes128-sha256\n"
		"nat_keepalive = 5s\n[conn b]\nremote = 192.0.2.8\nike = aes128-sha256-x25519\n"
		"esp = aes128-sha256\n",
		"[daemon]\nnat_keepalive = 0\n[conn a]\nremote = 192.0.2.9\n"
		"ike = aes128-sha256-x25519\nesp = aes128-sha256\n",
		"[daemon]\nnat_keepalive = soon\n",
	};

	if (!tap_mkdtemp(dir, sizeof(dir), "dualike-ka")) {
		tap_ok(false, "temporary folder");
		return;
	}
	snprintf(path, sizeof(path), "%s/dualike.conf", dir);
	for (size_t i = 0; i < 3; i++) {
		f = fopen(path, "w");
		if (!f)
			break;
		fputs(confs[i], f);
		fclose(f);
		config_errors_init(&errs);
		cfg = NULL;
		if (i < 2 && config_load(path, &cfg, &errs) != 0) {
			tap_ok(false, "configuration %zu loads", i);
		} else if (i == 0) {
			tap_eq_int(natt_keepalive_period(cfg, "a"), 5, "nat_keepalive = 5s in [conn a]");
			tap_eq_int(natt_keepalive_period(cfg, "b"), 20, "[conn b]: the default 20 s");
		} else if (i == 1) {
			tap_eq_int(natt_keepalive_period(cfg, "a"), 0, "[daemon] nat_keepalive = 0: off");
		} else {
			tap_ok(config_load(path, &cfg, &errs) != 0, "nat_keepalive = soon is refused");
		}
		config_free(cfg);
		config_errors_free(&errs);
	}
	unlink(path);
	rmdir(dir);
}

static int engine_calls, replies;

static int count_engine(void *arg, const struct datagram *dg, const struct ike_header *hdr)
{
	(void)arg, (void)dg, (void)hdr;
	engine_calls++;
	return 0;
}

static int count_reply(void *arg, const struct datagram *dg)
{
	(void)arg, (void)dg;
	replies++;
	return 0;
}

static void test_receive(void)
{
	static const uint8_t ka = 0xff;
	struct dispatch_hooks h = { .v1_input = count_engine, .v2_input = count_engine,
				    .send = count_reply };
	struct dispatcher *d = dispatch_new(&h);
	struct datagram dg;

	if (!d) {
		tap_ok(false, "dispatcher");
		return;
	}
	memset(&dg, 0, sizeof(dg));
	dg.data = &ka;
	dg.len = 1;
	dg.natt_port = true;
	kernel_addr_parse("192.0.2.1", &dg.peer);
	tap_ok(dispatch_datagram(d, &dg) < 0, "a keepalive is not a message");
	tap_eq_int(engine_calls, 0, "no engine sees it");
	tap_eq_int(replies, 0, "nothing is answered");
	tap_eq_int((long long)dispatch_counters(d)->dropped[DROP_KEEPALIVE], 1,
		   "it is counted as a keepalive");
	tap_eq_int((long long)dispatch_counters(d)->dropped[DROP_ESP_ON_NATT], 0,
		   "not as stray ESP");
	dispatch_free(d);
}

int main(void)
{
	log_set_level(LOG_LEVEL_ERROR);
	if (job_pool_new(NULL, 2, &pool))
		return tap_skip_all("no job pool");
	test_v2();
	test_v1();
	test_receive();
	test_config();
	test_tick_due();
	job_pool_free(pool);
	return tap_done();
}
