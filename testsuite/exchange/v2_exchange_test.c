/*
 * v2_exchange_test.c - two in-process IKEv2 engines (an initiator and a
 * responder, testsuite/regress/v2_pair) stepped message by message
 * through a mock transport (a queue of datagrams), with the `none` kernel backend, a job pool drained
 * by hand and fixed PSKs: setup, retransmission, INVALID_KE retry,
 * NO_PROPOSAL_CHOSEN, wrong PSK, TS narrowing, delete from either side,
 * equal child keys direction by direction, and bad input.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/job.h"
#include "common/kernel.h"
#include "common/log.h"
#include "testsuite/lib/tap.h"
#include "testsuite/regress/v2_pair.h"
#include "v2/v2_engine.h"
#include "v2/v2_names.h"

struct keys_seen {
	int n;
	uint32_t spi_in, spi_out;
	uint8_t in_e[64], in_a[64], out_e[64], out_a[64];
	size_t e_len, a_len;
};

static struct v2_pair P;        /* side 0: A (initiator), side 1: B (responder) */
static struct keys_seen keys[2]; /* the last child each side installed */
static struct job_pool *pool;
static const char *pfs_group; /* CREATE_CHILD_SA PFS group of both sides, NULL: none */
static const char *pfs_b;     /* the responder's, when it differs */

static void mock_child(void *arg, const struct kernel_sa *in, const struct kernel_sa *out)
{
	struct keys_seen *k = &keys[((struct v2p_side *)arg)->index];

	k->n++;
	k->spi_in = in->spi;
	k->spi_out = out->spi;
	k->e_len = in->encr_key_len;
	k->a_len = in->integ_key_len;
	memcpy(k->in_e, in->encr_key, in->encr_key_len);
	memcpy(k->out_e, out->encr_key, out->encr_key_len);
	if (in->integ_key_len) {
		memcpy(k->in_a, in->integ_key, in->integ_key_len);
		memcpy(k->out_a, out->integ_key, out->integ_key_len);
	}
}

static void cfg_init(struct v2p_cfg *c, int me, const char *ike, const char *esp)
{
	v2p_cfg_init(c, me, ike, esp);
	c->psk = "sekrit-psk";
	c->retransmit_tries = 3;
	c->pfs = me == 1 && pfs_b ? pfs_b : pfs_group;
	c->child_installed = mock_child;
}

static void conn(struct v2_conn *c, int me, const char *ike, const char *esp,
		 const char *lts, const char *rts)
{
	struct v2p_cfg cfg;

	cfg_init(&cfg, me, ike, esp);
	cfg.local_ts = lts;
	cfg.remote_ts = rts;
	if (v2p_conn(&P, me, &cfg, c))
		tap_diag("conn %d: %s / %s / %s / %s not understood", me, ike, esp, lts, rts);
}

static void pair(const char *ike_a, const char *esp_a, const char *ike_b, const char *esp_b,
		 const char *psk_b)
{
	struct v2p_cfg cfg[2];

	cfg_init(&cfg[0], 0, ike_a, esp_a);
	cfg_init(&cfg[1], 1, ike_b, esp_b);
	cfg[1].psk = psk_b;
	memset(keys, 0, sizeof(keys));
	if (v2p_open_cfg(&P, pool, cfg))
		tap_diag("pair %s / %s, %s / %s not understood", ike_a, esp_a, ike_b, esp_b);
}

struct first_sa {
	struct v2_sa_info info;
	int n;
};

static void grab(const struct v2_sa_info *info, void *arg)
{
	struct first_sa *f = arg;

	if (f->n++ == 0)
		f->info = *info;
}

static struct first_sa sa_of(int i)
{
	struct first_sa f = { .n = 0 };

	v2_engine_foreach_sa(P.s[i].eng, grab, &f);
	return f;
}

static void keys_equal(const char *what)
{
	struct keys_seen *a = &keys[0], *b = &keys[1];

	tap_ok(a->n == 1 && b->n == 1, "%s: one child installed on each side", what);
	tap_ok(a->spi_out == b->spi_in && a->spi_in == b->spi_out, "%s: SPIs pair up", what);
	tap_eq_bytes(a->out_e, a->e_len, b->in_e, b->e_len, "%s: A->B encryption keys equal", what);
	tap_eq_bytes(b->out_e, b->e_len, a->in_e, a->e_len, "%s: B->A encryption keys equal", what);
	tap_eq_bytes(a->out_a, a->a_len, b->in_a, b->a_len, "%s: A->B integrity keys equal", what);
	tap_eq_bytes(b->out_a, b->a_len, a->in_a, a->a_len, "%s: B->A integrity keys equal", what);
	tap_ok(memcmp(a->out_e, a->in_e, a->e_len) != 0, "%s: the two directions differ", what);
}

static void test_setup(void)
{
	struct first_sa fa, fb;
	struct v2p_pkt auth_req, init_req, init_resp;

	pair("aes256-sha256-prfsha256-modp2048", "aes256-sha256", "aes256-sha256-prfsha256-modp2048",
	     "aes256-sha256", "sekrit-psk");
	tap_eq_int(v2_engine_up(P.s[0].eng, "lab"), 0, "up starts");
	v2p_step(&P, &init_req);
	tap_eq_int(v2_engine_count_sas(P.s[1].eng), 1, "responder made a half-open SA");
	v2p_step(&P, &init_resp);    /* IKE_SA_INIT response */
	v2p_step(&P, &auth_req);     /* IKE_AUTH request */
	v2p_step(&P, NULL);          /* IKE_AUTH response */
	tap_eq_int(P.s[0].established, 1, "initiator established");
	tap_eq_int(P.s[1].established, 1, "responder established");
	fa = sa_of(0);
	fb = sa_of(1);
	tap_eq_str(fa.info.state, "ESTABLISHED", "initiator lists ESTABLISHED");
	tap_eq_str(fb.info.state, "ESTABLISHED", "responder lists ESTABLISHED");
	tap_eq_bytes(fa.info.spi_r, 8, fb.info.spi_r, 8, "SPIr agree");
	tap_eq_str(fb.info.peer_id, "peer.example.org", "responder knows the peer's identity");
	tap_eq_str(fa.info.encr, "ENCR_AES_CBC", "encryption named");
	keys_equal("aes256-sha256");
	tap_eq_int(kernel_count_sas(P.s[1].kernel), 2, "responder kernel holds two SAs");

	/* replayed and stale messages change nothing */
	v2p_put(&P, 1, &init_req);
	tap_eq_int((long long)v2_engine_stats(P.s[1].eng)->dropped_msgid, 1,
		   "replayed IKE_SA_INIT (old message ID) dropped");
	v2p_put(&P, 1, &auth_req);
	tap_eq_int((long long)v2_engine_stats(P.s[1].eng)->responses_resent, 1,
		   "replayed IKE_AUTH answered from the response cache");
	tap_eq_int(P.q_len, 1, "one cached answer queued");
	v2p_step(&P, NULL);
	tap_eq_int((long long)v2_engine_stats(P.s[0].eng)->dropped_msgid, 1,
		   "initiator drops the unexpected duplicate response");
	tap_eq_int(P.s[0].established + P.s[1].established, 2, "still established once each");
	/* the responder's own IKE_SA_INIT answer sent back to it: no SA is its */
	v2p_put(&P, 1, &init_resp);
	tap_eq_int((long long)v2_engine_stats(P.s[1].eng)->dropped_no_sa, 1,
		   "a response to the responder finds no SA: dropped");
	/* an IKE_SA_INIT request whose message ID is not 0 makes no SA */
	{
		struct v2p_pkt odd = init_req;

		odd.data[0] ^= 0x01; /* another SPIi */
		odd.data[23] = 1;    /* message ID 1 */
		v2p_put(&P, 1, &odd);
		tap_eq_int((long long)v2_engine_stats(P.s[1].eng)->dropped_no_sa, 2,
			   "IKE_SA_INIT with message ID 1 dropped");
		tap_eq_int(v2_engine_count_sas(P.s[1].eng), 1, "no SA made for it");
	}
	/* truncated */
	auth_req.len -= 10;
	v2p_put(&P, 1, &auth_req);
	tap_eq_int((long long)v2_engine_stats(P.s[1].eng)->dropped_malformed, 1,
		   "truncated message dropped as malformed");

	/* delete from the initiator */
	tap_eq_int(v2_engine_down(P.s[0].eng, "lab"), 1, "down deletes one IKE SA");
	{
		struct v2p_pkt del;

		tap_ok(P.q_len == 1, "Delete queued");
		del = P.q[0];
		del.data[del.len - 1] ^= 0x55;
		v2p_put(&P, 1, &del);
		tap_eq_int((long long)v2_engine_stats(P.s[1].eng)->dropped_integrity, 1,
			   "Delete with a bad ICV dropped");
		tap_eq_int(v2_engine_count_sas(P.s[1].eng), 1, "and changes nothing");
	}
	v2p_step(&P, NULL);
	tap_eq_int(v2_engine_count_sas(P.s[1].eng), 0, "responder removed the IKE SA");
	tap_eq_int(kernel_count_sas(P.s[1].kernel), 0, "and its kernel SAs");
	v2p_step(&P, NULL);
	tap_eq_int(v2_engine_count_sas(P.s[0].eng), 0, "initiator removed it on the answer");
	tap_eq_int(kernel_count_sas(P.s[0].kernel), 0, "and its kernel SAs");
	v2p_close(&P);
}

static void test_retransmit_and_delete_by_responder(void)
{
	pair("aes256gcm16-prfsha256-x25519", "aes256gcm16", "aes256gcm16-prfsha256-x25519",
	     "aes256gcm16", "sekrit-psk");
	v2_engine_up(P.s[0].eng, "lab");
	v2p_step(&P, NULL); /* INIT request */
	v2p_step(&P, NULL); /* INIT response */
	P.drop_next[1] = true;
	v2p_step(&P, NULL); /* IKE_AUTH request; the answer is lost */
	tap_eq_int(P.s[1].established, 1, "responder established");
	tap_eq_int(P.s[0].established, 0, "initiator still waiting");
	tap_eq_int(v2_engine_fire_timers(P.s[0].eng), 1, "retransmission timer fires");
	tap_eq_int((long long)v2_engine_stats(P.s[0].eng)->retransmits, 1, "IKE_AUTH resent");
	v2p_step(&P, NULL);
	tap_eq_int((long long)v2_engine_stats(P.s[1].eng)->responses_resent, 1,
		   "responder answers from its cache");
	v2p_step(&P, NULL);
	tap_eq_int(P.s[0].established, 1, "initiator established after the retransmission");
	keys_equal("aes256gcm16");
	tap_eq_int(keys[1].a_len, 0, "AEAD: no integrity key");

	tap_eq_int(v2_engine_down(P.s[1].eng, "lab"), 1, "responder deletes");
	v2p_run(&P);
	tap_eq_int(v2_engine_count_sas(P.s[0].eng) + v2_engine_count_sas(P.s[1].eng), 0,
		   "both sides removed the IKE SA");
	v2p_close(&P);
}

static void test_give_up(void)
{
	pair("aes256-sha256-prfsha256-modp2048", "aes256-sha256", "aes256-sha256-prfsha256-modp2048",
	     "aes256-sha256", "sekrit-psk");
	v2_engine_up(P.s[0].eng, "lab");
	job_pool_drain(pool);
	P.q_len = 0; /* lost */
	for (int i = 0; i < 5; i++) {
		v2_engine_fire_timers(P.s[0].eng);
		P.q_len = 0;
	}
	tap_eq_int((long long)v2_engine_stats(P.s[0].eng)->retransmits, 2,
		   "retransmitted tries-1 times");
	tap_eq_int(P.s[0].failed, 1, "then gave up");
	tap_eq_int(P.s[0].never_answered, 1, "... reporting that IKE_SA_INIT was never answered (version = auto falls back on it)");
	tap_eq_int(v2_engine_count_sas(P.s[0].eng), 0, "and removed the SA");
	v2p_close(&P);
}

static void test_invalid_ke(void)
{
	struct first_sa fa;

	pair("aes256-sha256-prfsha256-modp2048-x25519", "aes256-sha256",
	     "aes256-sha256-prfsha256-x25519", "aes256-sha256", "sekrit-psk");
	v2_engine_up(P.s[0].eng, "lab");
	v2p_step(&P, NULL);
	tap_eq_int(v2_engine_count_sas(P.s[1].eng), 0, "INVALID_KE: responder keeps no state");
	v2p_run(&P);
	fa = sa_of(0);
	tap_eq_int(P.s[0].established, 1, "initiator retried with the named group");
	tap_eq_str(fa.info.ke, "Curve25519", "the group the responder asked for");
	keys_equal("after INVALID_KE");
	v2p_close(&P);
}

static void test_no_proposal(void)
{
	pair("aes256-sha256-prfsha256-modp2048", "aes256-sha256", "aes128gcm16-prfsha256-x25519",
	     "aes256-sha256", "sekrit-psk");
	v2_engine_up(P.s[0].eng, "lab");
	v2p_run(&P);
	tap_eq_int(v2_engine_count_sas(P.s[1].eng), 0, "NO_PROPOSAL_CHOSEN: responder keeps no state");
	tap_eq_int(P.s[0].failed, 1, "initiator fails");
	tap_eq_int(v2_engine_count_sas(P.s[0].eng), 0, "and removes its SA");
	tap_eq_int((long long)v2_engine_stats(P.s[1].eng)->notifies_sent, 1, "one notify sent");
	v2p_close(&P);
}

static void test_wrong_psk(void)
{
	pair("aes256-sha256-prfsha256-modp2048", "aes256-sha256", "aes256-sha256-prfsha256-modp2048",
	     "aes256-sha256", "another-psk");
	v2_engine_up(P.s[0].eng, "lab");
	v2p_run(&P);
	tap_eq_int(P.s[1].failed, 1, "responder refuses the AUTH");
	tap_eq_int(P.s[0].failed, 1, "initiator gets AUTHENTICATION_FAILED");
	tap_eq_int(v2_engine_count_sas(P.s[0].eng) + v2_engine_count_sas(P.s[1].eng), 0,
		   "no SA left on either side");
	tap_eq_int(kernel_count_sas(P.s[1].kernel), 0, "no kernel SA on the responder");
	v2p_close(&P);
}

static void find_out_policy(const struct kernel_policy *pol, void *arg)
{
	if (pol->dir == KERNEL_DIR_OUT)
		*(struct kernel_policy *)arg = *pol;
}

static void test_narrowing(void)
{
	struct v2_conn c;
	struct kernel_policy pol = { .sel.src_prefix = 0 };

	pair("aes256-sha256-prfsha256-modp2048", "aes256-sha256", "aes256-sha256-prfsha256-modp2048",
	     "aes256-sha256", "sekrit-psk");
	conn(&c, 1, "aes256-sha256-prfsha256-modp2048", "aes256-sha256", "10.2.0.0/16",
	     "10.1.1.0/24");
	v2_engine_set_conns(P.s[1].eng, &c, 1);
	v2_engine_up(P.s[0].eng, "lab");
	v2p_run(&P);
	tap_eq_int(P.s[0].established, 1, "established with narrowed selectors");
	kernel_list_policies(P.s[0].kernel, find_out_policy, &pol);
	tap_eq_int(pol.sel.src_prefix, 24, "initiator's outbound policy narrowed to /24");
	tap_eq_int(pol.sel.dst_prefix, 16, "remote side unchanged");
	v2p_close(&P);

	pair("aes256-sha256-prfsha256-modp2048", "aes256-sha256", "aes256-sha256-prfsha256-modp2048",
	     "aes256-sha256", "sekrit-psk");
	conn(&c, 1, "aes256-sha256-prfsha256-modp2048", "aes256-sha256", "10.9.0.0/16",
	     "10.1.1.0/24");
	v2_engine_set_conns(P.s[1].eng, &c, 1);
	v2_engine_up(P.s[0].eng, "lab");
	v2p_run(&P);
	tap_eq_int(P.s[0].established, 1, "TS_UNACCEPTABLE: the IKE SA still comes up");
	tap_eq_int(keys[0].n + keys[1].n, 0, "but no child SA");
	tap_eq_int(kernel_count_sas(P.s[0].kernel), 0, "initiator released its SPI");
	v2p_close(&P);
}

static void establish(const char *ike, const char *esp)
{
	pair(ike, esp, ike, esp, "sekrit-psk");
	v2_engine_up(P.s[0].eng, "lab");
	v2p_run(&P);
}

static size_t child_count(int i)
{
	return sa_of(i).info.n_children;
}

static void test_create_child(void)
{
	establish("aes256-sha256-prfsha256-modp2048", "aes256-sha256");
	keys[0].n = keys[1].n = 0;
	tap_eq_int(v2_engine_create_child(P.s[0].eng, "lab"), 0, "CREATE_CHILD_SA: request out");
	v2p_run(&P);
	tap_eq_int(child_count(0), 2, "CREATE_CHILD_SA: initiator holds two children");
	tap_eq_int(child_count(1), 2, "CREATE_CHILD_SA: responder holds two children");
	keys_equal("new child");
	tap_eq_int(kernel_count_sas(P.s[1].kernel), 4, "four kernel SAs on the responder");
	/* the responder asks too (either end may, 1.3) */
	keys[0].n = keys[1].n = 0;
	tap_eq_int(v2_engine_create_child(P.s[1].eng, "lab"), 0, "responder's CREATE_CHILD_SA out");
	v2p_run(&P);
	tap_eq_int(child_count(0), 3, "three children after the responder's request");
	keys_equal("new child from the responder");
	v2p_close(&P);
}

static void test_child_refused(void)
{
	struct v2_conn c;

	/* the responder's selectors do not fit: the IKE SA comes up without a child */
	pair("aes256-sha256-prfsha256-modp2048", "aes256-sha256", "aes256-sha256-prfsha256-modp2048",
	     "aes256-sha256", "sekrit-psk");
	conn(&c, 1, "aes256-sha256-prfsha256-modp2048", "aes256-sha256", "10.9.0.0/16",
	     "10.8.0.0/16");
	v2_engine_set_conns(P.s[1].eng, &c, 1);
	v2_engine_up(P.s[0].eng, "lab");
	v2p_run(&P);
	tap_eq_int(v2_engine_create_child(P.s[0].eng, "lab"), 0, "TS_UNACCEPTABLE: request out");
	v2p_run(&P);
	tap_eq_int(child_count(0), 0, "TS_UNACCEPTABLE: no child on the initiator");
	tap_eq_int((long long)v2_engine_stats(P.s[1].eng)->notifies_sent, 1,
		   "TS_UNACCEPTABLE: the responder answered with a notify");
	tap_eq_int(kernel_count_sas(P.s[0].kernel), 0, "initiator released the offered SPI");
	tap_eq_str(sa_of(0).info.state, "ESTABLISHED", "the IKE SA stays up");
	v2p_close(&P);

	/* PFS asked with a group the responder does not take: INVALID_KE_PAYLOAD */
	pfs_group = "modp2048";
	pfs_b = "ecp256";
	establish("aes256-sha256-prfsha256-modp2048", "aes256-sha256");
	pfs_group = pfs_b = NULL;
	tap_eq_int(v2_engine_create_child(P.s[0].eng, "lab"), 0, "PFS mismatch: request out");
	v2p_run(&P);
	tap_eq_int(child_count(0), 1, "INVALID_KE_PAYLOAD: no new child");
	tap_eq_int((long long)v2_engine_stats(P.s[1].eng)->notifies_sent, 1,
		   "INVALID_KE_PAYLOAD answered");
	tap_eq_int(kernel_count_sas(P.s[0].kernel), 2, "INVALID_KE: offered SPI released");
	v2p_close(&P);
}

static void rekey_child(const char *pfs)
{
	struct keys_seen before[2];
	char what[64];

	snprintf(what, sizeof(what), "child rekey %s", pfs ? pfs : "without PFS");
	pfs_group = pfs;
	establish("aes256-sha256-prfsha256-modp2048", "aes256-sha256");
	pfs_group = NULL;
	before[0] = keys[0];
	before[1] = keys[1];
	keys[0].n = keys[1].n = 0;
	tap_eq_int(v2_engine_rekey_child(P.s[0].eng, "lab"), 0, "%s: request out", what);
	v2p_run(&P);
	keys_equal(what);
	tap_ok(memcmp(before[0].out_e, keys[0].out_e, before[0].e_len) != 0,
	       "%s: new keys differ from the old", what);
	tap_ok(before[0].spi_in != keys[0].spi_in, "%s: new SPIs", what);
	tap_eq_int(child_count(0), 1, "%s: initiator deleted the old child", what);
	tap_eq_int(child_count(1), 1, "%s: responder deleted the old child", what);
	tap_eq_int(kernel_count_sas(P.s[1].kernel), 2, "%s: two kernel SAs left", what);
	tap_eq_int(sa_of(1).info.child_spi_in, keys[1].spi_in, "%s: the new child stays",
		   what);
	v2p_close(&P);
}

static void test_child_rekey(void)
{
	rekey_child(NULL);
	rekey_child("modp2048");
	rekey_child("x25519");
}

static void test_ike_rekey(void)
{
	struct first_sa a0, a1, b1;

	establish("aes256-sha256-prfsha256-modp2048", "aes256-sha256");
	a0 = sa_of(0);
	tap_eq_int(v2_engine_rekey_ike(P.s[0].eng, "lab"), 0, "IKE rekey: request out");
	v2p_run(&P);
	a1 = sa_of(0);
	b1 = sa_of(1);
	tap_eq_int(v2_engine_count_sas(P.s[0].eng), 1, "IKE rekey: initiator holds one IKE SA");
	tap_eq_int(v2_engine_count_sas(P.s[1].eng), 1, "IKE rekey: responder holds one IKE SA");
	tap_ok(memcmp(a0.info.spi_i, a1.info.spi_i, 8) != 0, "IKE rekey: new SPIi");
	tap_eq_bytes(a1.info.spi_r, 8, b1.info.spi_r, 8, "IKE rekey: both sides agree on SPIr");
	tap_eq_bytes(a1.info.spi_i, 8, b1.info.spi_i, 8, "IKE rekey: and on SPIi");
	tap_eq_int(a1.info.n_children, 1, "IKE rekey: the child moved (initiator)");
	tap_eq_int(b1.info.n_children, 1, "IKE rekey: the child moved (responder)");
	tap_eq_int(kernel_count_sas(P.s[1].kernel), 2, "IKE rekey: child kernel SAs survive");
	/* the new IKE SA works: rekey the child over it */
	keys[0].n = keys[1].n = 0;
	tap_eq_int(v2_engine_rekey_child(P.s[1].eng, "lab"), 0, "child rekey over the new IKE SA");
	v2p_run(&P);
	keys_equal("child rekey after IKE rekey");
	tap_eq_int(child_count(0), 1, "one child after it");
	v2p_close(&P);
}

static void test_collision(void)
{
	establish("aes256-sha256-prfsha256-modp2048", "aes256-sha256");
	keys[0].n = keys[1].n = 0;
	tap_eq_int(v2_engine_rekey_child(P.s[0].eng, "lab"), 0, "collision: A rekeys");
	tap_eq_int(v2_engine_rekey_child(P.s[1].eng, "lab"), 0, "collision: B rekeys the same child");
	v2p_run(&P);
	tap_eq_int(child_count(0), 1, "collision: A keeps one child");
	tap_eq_int(child_count(1), 1, "collision: B keeps one child");
	tap_eq_int(sa_of(0).info.child_spi_out, sa_of(1).info.child_spi_in,
		   "collision: the same surviving child on both ends");
	tap_eq_int(sa_of(0).info.child_spi_in, sa_of(1).info.child_spi_out,
		   "collision: ... in both directions");
	tap_eq_int(kernel_count_sas(P.s[0].kernel), 2, "collision: two kernel SAs left on A");
	tap_eq_int(kernel_count_sas(P.s[1].kernel), 2, "collision: two kernel SAs left on B");
	v2p_close(&P);
}

static void test_dpd(void)
{
	struct v2_conn c;
	uint64_t now;

	pair("aes256gcm16-prfsha256-x25519", "aes256gcm16", "aes256gcm16-prfsha256-x25519",
	     "aes256gcm16", "sekrit-psk");
	conn(&c, 0, "aes256gcm16-prfsha256-x25519", "aes256gcm16", "10.1.0.0/16", "10.2.0.0/16");
	c.dpd_delay_s = 30;
	c.dpd_timeout_s = 120;
	c.dpd_action = V2_DPD_CLEAR;
	v2_engine_set_conns(P.s[0].eng, &c, 1);
	v2_engine_up(P.s[0].eng, "lab");
	v2p_run(&P);
	now = v2_now_ms();
	v2_engine_housekeep(P.s[0].eng, now + 1000);
	tap_eq_int(P.q_len, 0, "DPD: no check while the peer was heard lately");
	v2_engine_housekeep(P.s[0].eng, now + 31000);
	tap_eq_int(P.q_len, 1, "DPD: a liveness check after dpd_delay of silence");
	v2p_run(&P);
	tap_eq_int(v2_engine_count_sas(P.s[0].eng), 1, "DPD: the peer answered, the SA stays");
	/* the peer vanishes */
	v2_engine_free(P.s[1].eng);
	v2_engine_new(&(struct v2_engine_params){ .jobs = pool, .sad = P.s[1].sad,
						  .kernel = P.s[1].kernel,
						  .cookie_threshold = V2_COOKIE_NEVER }, &P.s[1].eng);
	now = v2_now_ms();
	v2_engine_housekeep(P.s[0].eng, now + 31000);
	v2p_run(&P);
	tap_eq_int(v2_engine_count_sas(P.s[0].eng), 1, "DPD: check unanswered, not dead yet");
	v2_engine_housekeep(P.s[0].eng, now + 31000 + 121000);
	tap_eq_int(v2_engine_count_sas(P.s[0].eng), 0, "DPD: dead after dpd_timeout, cleared");
	tap_eq_int(kernel_count_sas(P.s[0].kernel), 0, "DPD: its kernel SAs are gone");
	tap_eq_int((long long)v2_engine_stats(P.s[0].eng)->dpd_dead, 1, "DPD: counted");
	v2p_close(&P);
}

int main(void)
{
	log_set_level(getenv("V2_TEST_DEBUG") ? LOG_LEVEL_DEBUG : LOG_LEVEL_ERROR);
	if (job_pool_new(NULL, 2, &pool))
		return tap_skip_all("no job pool");
	test_setup();
	test_retransmit_and_delete_by_responder();
	test_give_up();
	test_invalid_ke();
	test_no_proposal();
	test_wrong_psk();
	test_narrowing();
	test_create_child();
	test_child_refused();
	test_child_rekey();
	test_ike_rekey();
	test_collision();
	test_dpd();
	job_pool_free(pool);
	return tap_done();
}
