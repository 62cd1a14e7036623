/*
 * v1_exchange_test.c - two in-process IKEv1 engines talking through a
 * mock transport (a queue), each with its own SAD and `none` kernel, their
 * KE jobs drained by hand (STYLE.md "Exchange tests"). Every scenario runs
 * message by message; the installed IPsec keys are compared per direction.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/job.h"
#include "common/kernel.h"
#include "common/log.h"
#include "common/sad.h"
#include "testsuite/lib/tap.h"
#include "testsuite/regress/v1_pair.h"
#include "v1/v1_engine.h"
#include "v1/v1_sa.h"

#define QMAX 64

struct pkt {
	uint8_t data[8192];
	size_t len;
	struct sockaddr_storage from, to;
	int dst; /* 0: A, 1: B */
};

struct side {
	struct v1_engine *eng;
	struct sad *sad;
	struct kernel *kernel;
	struct job_pool *jobs;
	struct secret *psk;
	struct sockaddr_storage addr;
	uint64_t made, failed;
	int index;
};

static struct side sides[2];
static struct pkt queue[QMAX];
static size_t q_len;
static int drop_next_from = -1; /* lose the next message this side sends */
static bool vanished[2];         /* this side's messages all vanish (a dead peer) */
static struct pkt last_sent[2];

static void addr4(struct sockaddr_storage *ss, const char *a, uint16_t port)
{
	struct sockaddr_in *in = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	in->sin_family = AF_INET;
	in->sin_port = htons(port);
	inet_pton(AF_INET, a, &in->sin_addr);
}

static int mock_send(void *arg, const struct v1_datagram *dg)
{
	struct side *s = arg;
	struct pkt *p;

	if (vanished[s->index])
		return 0;
	if (drop_next_from == s->index) {
		drop_next_from = -1;
		return 0;
	}
	if (q_len == QMAX || dg->len > sizeof(p->data))
		return ERR_OVERFLOW;
	p = &queue[q_len++];
	memcpy(p->data, dg->data, dg->len);
	p->len = dg->len;
	p->from = dg->local;
	p->to = dg->peer;
	p->dst = 1 - s->index;
	last_sent[s->index] = *p;
	return 0;
}

/*
 * dpd_action = hold, as the daemon keeps it (daemon_trap_hold): a trap on
 * the selector of the connection's outbound policy. Called while the SAs
 * still stand (no gap); counts the calls and notes the connection.
 */
static struct {
	unsigned calls;
	char conn[V1_CONN_NAME_MAX];
	long sas_at_call;
	int rc;
} hold;

static void trap_out(const struct kernel_policy *pol, void *arg)
{
	struct side *s = arg;
	struct kernel_policy t = *pol;

	if (pol->dir != KERNEL_DIR_OUT || hold.rc == 0)
		return;
	t.reqid = 0x7f000000u; /* the daemon's trap reqids */
	hold.rc = kernel_trap_add(s->kernel, &t);
}

static int mock_hold(void *arg, const char *conn)
{
	struct side *s = arg;

	hold.calls++;
	snprintf(hold.conn, sizeof(hold.conn), "%s", conn);
	hold.sas_at_call = kernel_count_sas(s->kernel);
	hold.rc = ERR_NOTFOUND;
	kernel_list_policies(s->kernel, trap_out, s);
	return hold.rc;
}

static const struct secret *mock_psk(void *arg, const struct v1_conn *c,
				     const struct sockaddr_storage *l,
				     const struct sockaddr_storage *p, const struct id *id)
{
	(void)c, (void)l, (void)p, (void)id;
	return ((struct side *)arg)->psk;
}

static void deliver(const struct pkt *p)
{
	struct v1_datagram dg = { .local = p->to, .peer = p->from };
	size_t skip = 0;

	if (ntohs(((const struct sockaddr_in *)&p->to)->sin_port) == 4500)
		skip = 4; /* the dispatcher strips the non-ESP marker */
	dg.data = p->data + skip;
	dg.len = p->len - skip;
	v1_engine_input(sides[p->dst].eng, &dg);
}

/* Run until nothing moves: deliver queued messages, complete jobs. */
static unsigned pump(void)
{
	unsigned steps = 0;

	for (int spin = 0; spin < 200; spin++) {
		size_t done = job_pool_drain(sides[0].jobs) + job_pool_drain(sides[1].jobs);

		if (q_len) {
			struct pkt p = queue[0];

			memmove(queue, queue + 1, (q_len - 1) * sizeof(queue[0]));
			q_len--;
			deliver(&p);
			steps++;
		} else if (!done) {
			break;
		}
	}
	return steps;
}

static struct v1_conn *make_conn(const char *encr, bool pfs, bool aggressive, bool aggr_ok,
				 const char *peer_addr, size_t n_local_ts, int who)
{
	struct v1_conn *c = v1_conn_new("lab");

	v1p_conn_proposals(c, encr);
	c->pfs = pfs ? xform_by_name("modp2048") : NULL;
	c->aggressive = aggressive;
	c->aggressive_ok = aggr_ok;
	c->local = sides[who].addr;
	addr4(&c->remote, peer_addr, 500);
	c->local_ts = calloc(2, sizeof(struct ts));
	c->remote_ts = calloc(1, sizeof(struct ts));
	if (who == 0) {
		ts_parse("10.1.0.0/24", &c->local_ts[0]);
		ts_parse("10.3.0.0/24", &c->local_ts[1]);
		c->n_local_ts = n_local_ts;
		ts_parse("10.2.0.0/24", &c->remote_ts[0]);
	} else {
		ts_parse("10.2.0.0/24", &c->local_ts[0]);
		ts_parse("10.0.0.0/8", &c->remote_ts[0]);
		c->n_local_ts = 1;
	}
	c->n_remote_ts = 1;
	id_parse(who == 0 ? "a.example.org" : "b.example.org", &c->local_id);
	id_parse(who == 0 ? "b.example.org" : "a.example.org", &c->remote_id);
	return c;
}

/* What a scenario changes; zero is the plain case (aes128 on both sides, one selector). */
struct setup {
	const char *encr_a, *encr_b;   /* NULL: aes128 */
	bool pfs, aggressive, aggr_ok, wrong_psk;
	size_t n_ts;                   /* 0: 1 */
	uint32_t dpd_delay_a;          /* 0: no DPD on A */
	enum v1_dpd_action dpd_action_a;
	uint32_t child_life_b;         /* 0: the default */
	bool no_rekey_a;               /* rekey_margin 0 on A */
	bool transport;                /* both ask for transport mode */
};

static void up(const struct setup *s)
{
	const char *addr[2] = { "192.0.2.1", "192.0.2.2" };

	q_len = 0;
	vanished[0] = vanished[1] = false;
	memset(&hold, 0, sizeof(hold));
	for (int i = 0; i < 2; i++) {
		struct side *d = &sides[i];
		struct v1_env env = {
			.retransmit_tries = 3, .retransmit_timeout_ms = 500,
			.ike_port = 500, .natt_port = 4500,
			.send = mock_send, .psk = mock_psk, .hold = mock_hold, .arg = d,
			.sas_made = &d->made, .sas_failed = &d->failed,
		};
		struct v1_conn *c;
		const char *encr;

		memset(d, 0, sizeof(*d));
		d->index = i;
		addr4(&d->addr, addr[i], 500);
		sad_new(&d->sad);
		kernel_open("none", &d->kernel);
		job_pool_new(NULL, 1, &d->jobs);
		d->psk = secret_dup(i == 1 && s->wrong_psk ? "not the same PSK" : "a shared secret",
				    i == 1 && s->wrong_psk ? 16 : 15);
		env.sad = d->sad;
		env.kernel = d->kernel;
		env.jobs = d->jobs;
		v1_engine_new(&env, &d->eng);
		encr = i ? s->encr_b : s->encr_a;
		c = make_conn(encr ? encr : "aes128", s->pfs, s->aggressive, s->aggr_ok,
			      addr[1 - i], s->n_ts ? s->n_ts : 1, i);
		c->transport = s->transport;
		if (i == 0) {
			c->dpd_delay_s = s->dpd_delay_a;
			c->dpd_timeout_s = 90;
			c->dpd_action = s->dpd_action_a;
			if (s->no_rekey_a)
				c->rekey_margin_s = 0;
		} else if (s->child_life_b) {
			c->child_life_s = s->child_life_b;
		}
		v1_engine_set_conns(d->eng, &c, 1);
		v1_conn_unref(c);
	}
}

/* up, then A initiates "lab" and everything runs; v1_engine_initiate()'s result. */
static int establish(const struct setup *s)
{
	char why[200];
	int err;

	up(s);
	err = v1_engine_initiate(sides[0].eng, "lab", why, sizeof(why));
	pump();
	return err;
}

static void down(void)
{
	for (int i = 0; i < 2; i++) {
		struct side *d = &sides[i];

		v1_engine_free(d->eng);
		job_pool_free(d->jobs);
		kernel_close(d->kernel);
		sad_free(d->sad);
		secret_free(d->psk);
	}
}

struct state_probe {
	const char *state;
	unsigned n, ipsec;
};

static void probe_sa(const struct v1_sa_info *in, void *arg)
{
	struct state_probe *p = arg;

	p->state = in->state;
	p->n++;
	p->ipsec += in->ipsec_sas;
}

static struct state_probe probe(int i)
{
	struct state_probe p = { "NONE", 0, 0 };

	v1_engine_foreach_sa(sides[i].eng, probe_sa, &p);
	return p;
}

#define MAX_IPSEC 8
struct ipsec_list {
	struct v1_ipsec_info v[MAX_IPSEC];
	uint8_t in[MAX_IPSEC][128], out[MAX_IPSEC][128];
	size_t n;
};

static void collect(const struct v1_ipsec_info *in, void *arg)
{
	struct ipsec_list *l = arg;

	if (l->n == MAX_IPSEC || in->key_len > 128)
		return;
	l->v[l->n] = *in;
	memcpy(l->in[l->n], in->key_in, in->key_len);
	memcpy(l->out[l->n], in->key_out, in->key_len);
	l->n++;
}

/* Every IPsec SA of A has a partner in B: same SPIs crossed, same keys per direction. */
static void check_keys(const char *what, size_t want)
{
	struct ipsec_list a = { .n = 0 }, b = { .n = 0 };
	size_t matched = 0;

	v1_engine_foreach_ipsec(sides[0].eng, collect, &a);
	v1_engine_foreach_ipsec(sides[1].eng, collect, &b);
	tap_eq_int((long long)a.n, (long long)want, "%s: initiator has %zu IPsec SA pairs", what, want);
	tap_eq_int((long long)b.n, (long long)want, "%s: responder has %zu IPsec SA pairs", what, want);
	for (size_t i = 0; i < a.n; i++)
		for (size_t j = 0; j < b.n; j++)
			if (a.v[i].spi_in == b.v[j].spi_out && a.v[i].spi_out == b.v[j].spi_in &&
			    a.v[i].key_len == b.v[j].key_len && a.v[i].key_len > 0 &&
			    memcmp(a.in[i], b.out[j], a.v[i].key_len) == 0 &&
			    memcmp(a.out[i], b.in[j], a.v[i].key_len) == 0 &&
			    memcmp(a.in[i], a.out[i], a.v[i].key_len) != 0)
				matched++;
	tap_eq_int((long long)matched, (long long)want,
		   "%s: keys equal per direction (initiator in = responder out and back)", what);
}

static void test_main_quick(bool pfs)
{
	const char *what = pfs ? "MM+QM with PFS" : "MM+QM without PFS";
	struct setup s = { .pfs = pfs };

	tap_eq_int(establish(&s), 0, "%s: initiate", what);
	tap_eq_str(probe(0).state, "ESTABLISHED", "%s: initiator ISAKMP SA established", what);
	tap_eq_str(probe(1).state, "ESTABLISHED", "%s: responder ISAKMP SA established", what);
	check_keys(what, 1);
	tap_eq_int((long long)sides[0].made, 1, "%s: initiator counted one SA made", what);
	tap_eq_int((long long)kernel_count_sas(sides[1].kernel), 2, "%s: responder kernel has 2 SAs", what);
	tap_eq_int((long long)kernel_count_policies(sides[1].kernel), 3,
		   "%s: responder kernel has out/in/fwd policies", what);
	if (pfs) {
		struct ipsec_list l = { .n = 0 };

		v1_engine_foreach_ipsec(sides[1].eng, collect, &l);
		tap_ok(l.n == 1 && l.v[0].pfs, "%s: responder's SA used PFS", what);
	}
	down();
}

static void test_aggressive(bool allowed)
{
	const char *what = allowed ? "Aggressive Mode allowed" : "Aggressive Mode refused";
	struct setup s = { .encr_a = "aes256", .encr_b = "aes256", .aggressive = true, .aggr_ok = allowed };

	establish(&s);
	if (allowed) {
		tap_eq_str(probe(0).state, "ESTABLISHED", "%s: initiator established", what);
		tap_eq_str(probe(1).state, "ESTABLISHED", "%s: responder established", what);
		check_keys(what, 1);
	} else {
		tap_eq_int(probe(1).n, 0, "%s: the responder keeps no SA", what);
		tap_eq_str(probe(0).state, "AM_I1", "%s: the initiator still waits (the notify is unauthenticated)", what);
		for (int i = 0; i < 4; i++)
			v1_engine_timeout_all(sides[0].eng), pump();
		tap_eq_int(probe(0).n, 0, "%s: the initiator gives up after its retransmissions", what);
		tap_eq_int((long long)sides[0].failed, 1, "%s: counted as failed", what);
	}
	down();
}

static void test_retransmit(void)
{
	struct setup s = { .n_ts = 1 };
	char why[200];
	const struct v1_counters *cb;

	establish(&s); /* MM1 -> B; MM2 -> A; MM3 -> B ... all the way */
	down();

	up(&s);
	{ /* the waits between tries: 500 ms doubled, stopped at the limit */
		struct v1_engine *e = sides[0].eng;

		e->env.retransmit_limit_ms = 1500;
		tap_ok(v1_xmit_next_ms(e, 0) == 500 && v1_xmit_next_ms(e, 1) == 1000 &&
		       v1_xmit_next_ms(e, 2) == 1500 && v1_xmit_next_ms(e, 9) == 1500,
		       "retransmit: waits 500, 1000, then 1500 ms (retransmit_limit)");
		e->env.retransmit_limit_ms = 0;
		tap_ok(v1_xmit_next_ms(e, 2) == 2000 && v1_xmit_next_ms(e, 9) == 64000,
		       "retransmit: without a limit 2000 ms, up to the engine's own 64 s");
	}
	v1_engine_initiate(sides[0].eng, "lab", why, sizeof(why));
	/* MM1 to B, B answers MM2 */
	job_pool_drain(sides[0].jobs);
	struct pkt mm1 = queue[0];

	pump();
	tap_eq_str(probe(1).state, "ESTABLISHED", "retransmit: baseline established");
	/* a replay of MM1 now fits no transition and changes nothing */
	deliver(&mm1);
	tap_eq_str(probe(1).state, "ESTABLISHED", "retransmit: a stale MM1 changes no state");
	tap_eq_int(probe(1).n, 1, "retransmit: a stale MM1 makes no new SA (cookies in use)");
	down();

	/* lose MM4 (B's second message): A retransmits MM3, B answers from its cache */
	up(&s);
	v1_engine_initiate(sides[0].eng, "lab", why, sizeof(why));
	for (int i = 0; i < 3; i++) {
		job_pool_drain(sides[0].jobs);
		job_pool_drain(sides[1].jobs);
		if (q_len) {
			struct pkt p = queue[0];

			memmove(queue, queue + 1, (q_len - 1) * sizeof(queue[0]));
			q_len--;
			if (i == 2)
				drop_next_from = 1; /* B's answer to MM3 is lost */
			deliver(&p);
		}
	}
	job_pool_drain(sides[1].jobs);
	tap_eq_int((long long)q_len, 0, "retransmit: MM4 was lost");
	tap_eq_str(probe(1).state, "MM_R2", "retransmit: responder sent MM4 (state MM_R2)");
	tap_eq_str(probe(0).state, "MM_I2", "retransmit: initiator still waits for MM4");
	tap_ok(v1_engine_timeout_all(sides[0].eng) >= 1, "retransmit: the initiator's timer fires");
	pump();
	cb = v1_engine_counters(sides[1].eng);
	tap_eq_int((long long)cb->duplicates, 1, "retransmit: the responder answered one duplicate from its cache");
	tap_eq_int((long long)v1_engine_counters(sides[0].eng)->retransmits, 1, "retransmit: one retransmission");
	tap_eq_str(probe(0).state, "ESTABLISHED", "retransmit: initiator established after the loss");
	check_keys("retransmit", 1);
	/* a duplicate of the last QM3 changes nothing */
	deliver(&last_sent[0]);
	pump();
	check_keys("after a duplicate QM3", 1);
	down();
}

static void test_wrong_psk(void)
{
	struct setup s = { .wrong_psk = true };

	establish(&s);
	tap_eq_str(probe(1).state, "MM_R2", "wrong PSK: the responder never accepts MM5");
	tap_eq_str(probe(0).state, "MM_I3", "wrong PSK: the initiator never gets MM6");
	tap_eq_int((long long)kernel_count_sas(sides[1].kernel), 0, "wrong PSK: no kernel SA");
	tap_ok(v1_engine_counters(sides[1].eng)->dropped >= 1, "wrong PSK: MM5 counted as dropped");
	down();
}

static void test_no_proposal(void)
{
	struct setup s = { .encr_b = "aes256" };

	establish(&s);
	tap_eq_int(probe(1).n, 0, "NO_PROPOSAL_CHOSEN: the responder keeps no SA");
	tap_eq_int((long long)v1_engine_counters(sides[1].eng)->notifies_sent, 1,
		   "NO_PROPOSAL_CHOSEN: one notify sent");
	tap_eq_str(probe(0).state, "MM_I1", "NO_PROPOSAL_CHOSEN: the initiator is not moved by it");
	down();
}

static void test_two_quick_modes(void)
{
	struct setup s = { .pfs = true, .n_ts = 2 };

	establish(&s);
	check_keys("two parallel Quick Modes", 2);
	/* delete from the initiator: the responder removes everything */
	tap_eq_int(v1_engine_delete_conn(sides[0].eng, "lab"), 1, "delete: one ISAKMP SA deleted");
	pump();
	tap_eq_int(probe(1).n, 0, "delete: the responder's ISAKMP SA is gone");
	tap_eq_int((long long)kernel_count_sas(sides[1].kernel), 0, "delete: the responder's kernel SAs are gone");
	tap_eq_int((long long)kernel_count_policies(sides[1].kernel), 0, "delete: and its policies");
	tap_eq_int((long long)v1_engine_counters(sides[1].eng)->deletes_in, 3,
		   "delete: 2 IPsec + 1 ISAKMP Delete received");
	down();
}

static void test_bad_input(void)
{
	struct setup s = { .n_ts = 1 };
	uint8_t junk[64];

	establish(&s);
	memset(junk, 0x41, sizeof(junk));
	struct v1_datagram dg = { .data = junk, .len = sizeof(junk), .local = sides[1].addr,
				  .peer = sides[0].addr };

	tap_ok(v1_engine_input(sides[1].eng, &dg) < 0, "bad input: junk is refused");
	dg.len = 20;
	tap_ok(v1_engine_input(sides[1].eng, &dg) < 0, "bad input: a truncated header is refused");
	/* a known SA's cookies with an exchange type we do not run (Transaction) */
	struct pkt t = last_sent[0];
	uint64_t dropped = v1_engine_counters(sides[1].eng)->dropped;

	t.data[18] = 6;
	deliver(&t);
	tap_ok(v1_engine_counters(sides[1].eng)->dropped > dropped, "bad input: an unknown exchange type is dropped and counted");
	/* a Main Mode message to an established SA fits no transition */
	t = last_sent[0];
	t.data[18] = 2;
	t.data[20] = t.data[21] = t.data[22] = t.data[23] = 0;
	deliver(&t);
	tap_eq_str(probe(1).state, "ESTABLISHED", "bad input: a message for the wrong state changes nothing");
	/* a first message carrying an IKEv2 payload type (SK, 46) makes no SA */
	{
		static const uint8_t v2pl[] = {
			1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 0, 0, 0, 0, 0,
			46, 0x10, 2, 0, 0, 0, 0, 0, 0, 0, 0, 36,
			0, 0, 0, 8, 0, 0, 0, 0,
		};
		struct v1_datagram d2 = { .data = v2pl, .len = sizeof(v2pl), .local = sides[1].addr,
					  .peer = sides[0].addr };

		tap_ok(v1_engine_input(sides[1].eng, &d2) < 0, "bad input: an IKEv2 payload in IKEv1 is refused");
		tap_eq_int(probe(1).n, 1, "bad input: and leaves no half-made SA");
	}
	/* a QM1 replay with one flipped byte: no new Quick Mode */
	struct pkt p = last_sent[0];

	p.data[p.len - 5] ^= 1;
	deliver(&p);
	tap_eq_int(probe(1).ipsec, 1, "bad input: a corrupted message adds no IPsec SA");
	tap_eq_str(probe(1).state, "ESTABLISHED", "bad input: the ISAKMP SA is untouched");
	check_keys("bad input", 1);
	down();
}

struct dpd_probe {
	uint64_t answered, acks_in;
};

static void probe_dpd(const struct v1_sa_info *in, void *arg)
{
	struct dpd_probe *p = arg;

	p->answered += in->dpd_answered;
	p->acks_in += in->dpd_acks_in;
}

/* The per-ISAKMP-SA DPD counters of side i (v1_sa_info). */
static struct dpd_probe dpd_of(int i)
{
	struct dpd_probe p = { 0, 0 };

	v1_engine_foreach_sa(sides[i].eng, probe_dpd, &p);
	return p;
}

/* RFC 3706: an idle peer is asked R-U-THERE and answers with the same sequence number. */
static void test_dpd_alive(void)
{
	struct setup s = { .dpd_delay_a = 30 };
	const struct v1_counters *ca, *cb;

	establish(&s);
	ca = v1_engine_counters(sides[0].eng);
	cb = v1_engine_counters(sides[1].eng);
	tap_eq_int(v1_engine_fire_timers(sides[1].eng, V1_TIMER_DPD), 0,
		   "DPD: the side without dpd_delay never asks");
	tap_eq_int(v1_engine_fire_timers(sides[0].eng, V1_TIMER_DPD), 1, "DPD: A's timer is armed");
	tap_eq_int((long long)ca->dpd_sent, 0, "DPD: no R-U-THERE while the peer was heard from");
	v1_engine_fire_timers(sides[0].eng, V1_TIMER_DPD);
	tap_eq_int((long long)ca->dpd_sent, 1, "DPD: an idle peer is asked R-U-THERE");
	pump();
	tap_eq_int((long long)ca->dpd_acked, 1, "DPD: the R-U-THERE-ACK matches the sequence number");
	tap_eq_int((long long)cb->dropped, 0, "DPD: the responder drops nothing");
	tap_eq_int((long long)cb->dpd_answered, 1, "DPD: the peer counts one R-U-THERE answered");
	tap_eq_int((long long)ca->dpd_acks_in, 1, "DPD: the asker counts one R-U-THERE-ACK received");
	tap_eq_int((long long)(cb->dpd_acks_in + ca->dpd_answered), 0,
		   "DPD: nothing counted the other way round");
	tap_eq_int((long long)dpd_of(1).answered, 1, "DPD: the peer's ISAKMP SA counts the answer");
	tap_eq_int((long long)dpd_of(0).acks_in, 1, "DPD: the asker's ISAKMP SA counts the ACK");
	for (int i = 0; i < 6; i++) {
		v1_engine_fire_timers(sides[0].eng, V1_TIMER_DPD);
		pump();
	}
	tap_ok(ca->dpd_sent > 1, "DPD: more R-U-THEREs while idle");
	tap_eq_int((long long)cb->dpd_answered, (long long)ca->dpd_sent,
		   "DPD: every R-U-THERE sent was answered and counted by the peer");
	tap_eq_int((long long)ca->dpd_acks_in, (long long)ca->dpd_sent,
		   "DPD: every R-U-THERE-ACK received was counted");
	tap_eq_int((long long)dpd_of(1).answered, (long long)ca->dpd_sent,
		   "DPD: per SA, the same totals on the peer");
	tap_eq_int((long long)dpd_of(0).acks_in, (long long)ca->dpd_sent,
		   "DPD: per SA, the same totals on the asker");
	tap_eq_int((long long)ca->dpd_dead, 0, "DPD: a peer that answers is never declared dead");
	tap_eq_str(probe(0).state, "ESTABLISHED", "DPD: the ISAKMP SA stays");
	down();
}

/* A vanished peer: R-U-THERE until dpd_timeout (90s, delay 30s), then the action. */
static void test_dpd_dead(enum v1_dpd_action action, const char *what)
{
	struct setup s = { .dpd_delay_a = 30, .dpd_action_a = action };
	const struct v1_counters *ca;
	int fires = 0;

	establish(&s);
	ca = v1_engine_counters(sides[0].eng);
	tap_eq_int(probe(0).ipsec, 1, "DPD %s: tunnel up", what);
	vanished[1] = true;
	while (ca->dpd_dead == 0 && fires < 10) {
		v1_engine_fire_timers(sides[0].eng, V1_TIMER_DPD);
		pump();
		fires++;
	}
	tap_eq_int((long long)ca->dpd_dead, 1, "DPD %s: the peer is declared dead", what);
	tap_eq_int((long long)ca->dpd_sent, 3, "DPD %s: three R-U-THERE (at 0, 30, 60s of silence), dead at 90s", what);
	tap_eq_int(fires, 5, "DPD %s: dead at the fifth check (one heard, four unanswered)", what);
	tap_eq_int((long long)kernel_count_sas(sides[0].kernel), 0, "DPD %s: the kernel SAs are gone", what);
	tap_eq_int(hold.calls, action == V1_DPD_HOLD, "DPD %s: the trap is asked for %s", what,
		   action == V1_DPD_HOLD ? "once" : "never");
	tap_eq_int((long long)ca->dpd_held, action == V1_DPD_HOLD, "DPD %s: held peers counted", what);
	if (action == V1_DPD_HOLD) {
		tap_eq_str(hold.conn, "lab", "DPD hold: for the connection");
		tap_eq_int(hold.sas_at_call, 2, "DPD hold: asked while the SA pair still stood (no gap)");
		tap_eq_int(hold.rc, 0, "DPD hold: the trap went in under the SA's outbound policy");
		tap_eq_int((long long)kernel_trap_count(sides[0].kernel), 1, "DPD hold: one trap kept");
		tap_eq_int(kernel_count_policies(sides[0].kernel), 1,
			   "DPD hold: the SA's policies are gone, the trap's outbound policy stands");
	} else {
		tap_eq_int(kernel_count_policies(sides[0].kernel), 0, "DPD %s: no policy left", what);
	}
	if (action != V1_DPD_RESTART) {
		tap_eq_int(probe(0).n, 0, "DPD %s: no ISAKMP SA left", what);
		down();
		return;
	}
	tap_eq_int(probe(0).n, 1, "DPD restart: a new ISAKMP SA is started");
	tap_eq_str(probe(0).state, "MM_I1", "DPD restart: Main Mode again");
	vanished[1] = false;
	q_len = 0;
	v1_engine_timeout_all(sides[0].eng); /* the retransmission reaches the peer now */
	pump();
	tap_eq_str(probe(0).state, "ESTABLISHED", "DPD restart: re-established");
	tap_eq_int(probe(1).n, 1, "DPD restart: INITIAL-CONTACT made the peer drop its stale SA");
	check_keys("DPD restart", 1);
	down();
}

static void ipsec_snapshot(int side, struct ipsec_list *l)
{
	memset(l, 0, sizeof(*l));
	v1_engine_foreach_ipsec(sides[side].eng, collect, l);
}

/* Quick Mode rekey with PFS: new keys, equal on both sides, the old pair deleted. */
static void test_rekey(void)
{
	struct setup s = { .pfs = true };
	struct ipsec_list before, after;

	establish(&s);
	ipsec_snapshot(0, &before);
	tap_eq_int(v1_engine_fire_timers(sides[0].eng, V1_TIMER_IPSEC_LIFE), 1,
		   "rekey: the initiator's soft lifetime fires");
	pump();
	ipsec_snapshot(0, &after);
	check_keys("rekey", 1);
	tap_ok(after.n == 1 && before.n == 1 && after.v[0].spi_in != before.v[0].spi_in &&
	       after.v[0].spi_out != before.v[0].spi_out, "rekey: new SPIs both ways");
	tap_ok(after.n == 1 && memcmp(after.in[0], before.in[0], after.v[0].key_len) != 0 &&
	       memcmp(after.out[0], before.out[0], after.v[0].key_len) != 0, "rekey: new keys both ways");
	tap_ok(after.n == 1 && after.v[0].pfs, "rekey: the new Quick Mode used PFS (fresh KE)");
	tap_eq_int((long long)v1_engine_counters(sides[0].eng)->rekeys, 1, "rekey: counted");
	tap_eq_int((long long)v1_engine_counters(sides[1].eng)->deletes_in, 1,
		   "rekey: the peer got a Delete for the old pair");
	tap_eq_int((long long)kernel_count_sas(sides[1].kernel), 2, "rekey: the peer's kernel holds the new pair only");
	tap_eq_int((long long)kernel_count_policies(sides[1].kernel), 3, "rekey: the peer's policies stay");
	tap_eq_int((long long)kernel_count_policies(sides[0].kernel), 3, "rekey: ours too");
	down();
}

/* Phase-1 re-authentication: a new ISAKMP SA, the IPsec SAs untouched. */
static void test_reauth(void)
{
	struct setup s = { .n_ts = 1 };
	struct ipsec_list before, after;

	establish(&s);
	ipsec_snapshot(0, &before);
	tap_eq_int(v1_engine_fire_timers(sides[0].eng, V1_TIMER_ISAKMP_LIFE), 1,
		   "reauth: the ISAKMP SA's soft lifetime fires");
	pump();
	ipsec_snapshot(0, &after);
	tap_eq_int((long long)v1_engine_counters(sides[0].eng)->reauths, 1, "reauth: counted");
	tap_eq_int(probe(0).n, 1, "reauth: one ISAKMP SA on A (the old one deleted)");
	tap_eq_int(probe(1).n, 1, "reauth: one ISAKMP SA on B");
	tap_eq_int(probe(1).ipsec, 1, "reauth: B's IPsec SA moved to the new ISAKMP SA");
	tap_ok(after.n == 1 && before.n == 1 && after.v[0].spi_in == before.v[0].spi_in,
	       "reauth: the same IPsec SA pair lives on");
	tap_eq_int((long long)kernel_count_sas(sides[1].kernel), 2, "reauth: B's kernel SAs untouched");
	tap_eq_int((long long)v1_engine_counters(sides[0].eng)->qm_done, 1, "reauth: no new Quick Mode");
	v1_engine_fire_timers(sides[0].eng, V1_TIMER_IPSEC_LIFE);
	pump();
	check_keys("rekey after reauth", 1);
	down();
}

/* RESPONDER-LIFETIME: B allows 600s of the 3600s offered; both use 600s. */
static void test_responder_lifetime(void)
{
	struct setup s = { .child_life_b = 600 };
	struct ipsec_list a, b;

	establish(&s);
	ipsec_snapshot(0, &a);
	ipsec_snapshot(1, &b);
	tap_ok(a.n == 1 && a.v[0].life_seconds == 600, "RESPONDER-LIFETIME: the initiator takes 600s");
	tap_ok(b.n == 1 && b.v[0].life_seconds == 600, "RESPONDER-LIFETIME: the responder uses 600s");
	down();
}

/* No rekey_margin: the end of life deletes, with a Delete to the peer. */
static void test_expiry(void)
{
	struct setup s = { .no_rekey_a = true };

	establish(&s);
	tap_eq_int(v1_engine_fire_timers(sides[0].eng, V1_TIMER_IPSEC_LIFE), 1, "expiry: the hard lifetime fires");
	pump();
	tap_eq_int(probe(0).ipsec, 0, "expiry: A's IPsec SA is gone");
	tap_eq_int(probe(1).ipsec, 0, "expiry: B got the Delete");
	tap_eq_int((long long)v1_engine_counters(sides[0].eng)->expired, 1, "expiry: counted");
	tap_eq_int((long long)kernel_count_sas(sides[1].kernel), 0, "expiry: B's kernel SAs are gone");
	down();
}

/* RFC 2407 4.5: transport mode when both connections ask for it. */
static void test_transport(void)
{
	struct setup s = { .transport = true };
	struct ipsec_list a, b;

	establish(&s);
	ipsec_snapshot(0, &a);
	ipsec_snapshot(1, &b);
	tap_ok(a.n == 1 && a.v[0].transport, "transport: the initiator's pair is in transport mode");
	tap_ok(b.n == 1 && b.v[0].transport, "transport: the responder's too");
	check_keys("transport", 1);
	down();
}

int main(void)
{
	log_setup(LOG_TO_STDERR, LOG_LEVEL_ERROR, "v1_exchange_test");
	test_main_quick(false);
	test_main_quick(true);
	test_aggressive(true);
	test_aggressive(false);
	test_retransmit();
	test_wrong_psk();
	test_no_proposal();
	test_two_quick_modes();
	test_bad_input();
	test_dpd_alive();
	test_dpd_dead(V1_DPD_CLEAR, "clear");
	test_dpd_dead(V1_DPD_HOLD, "hold");
	test_dpd_dead(V1_DPD_RESTART, "restart");
	test_rekey();
	test_reauth();
	test_responder_lifetime();
	test_expiry();
	test_transport();
	return tap_done();
}
