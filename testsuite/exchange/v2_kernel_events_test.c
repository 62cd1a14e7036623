/*
 * v2_kernel_events_test.c - kernel events for IKEv2 child SAs between two
 * in-process engines (testsuite/regress/v2_pair, `none` kernel): a
 * synthetic soft EXPIRE rekeys the child (CREATE_CHILD_SA, REKEY_SA), a
 * hard one deletes it and the peer hears the Delete; which connections
 * have an IKE SA (ACQUIRE starts no second one); and which IKE SAs the
 * engine reports behind a NAT of ours (keepalives).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/job.h"
#include "common/kernel.h"
#include "common/log.h"
#include "common/sad.h"
#include "testsuite/lib/tap.h"
#include "testsuite/regress/v2_pair.h"
#include "v2/v2_ike_sa.h"

#define IKE "aes128-sha256-prfsha256-x25519"
#define ESP "aes128-sha256"

static struct job_pool *pool;

static void take(const struct v2_sa_info *info, void *arg)
{
	*(struct v2_sa_info *)arg = *info;
}

static struct v2_sa_info info_of(struct v2_pair *p, int i)
{
	struct v2_sa_info in;

	memset(&in, 0, sizeof(in));
	v2_engine_foreach_sa(p->s[i].eng, take, &in);
	return in;
}

static void count_natted(const char *conn, const struct sockaddr_storage *l,
			 const struct sockaddr_storage *r, void *arg)
{
	tap_eq_str(conn, "lab", "the NAT-ed SA's connection is named");
	(void)l;
	(void)r;
	(*(int *)arg)++;
}

static void test_expire(void)
{
	struct v2_pair p;
	struct v2_sa_info a, b;
	struct sockaddr_storage any = { .ss_family = AF_UNSPEC };
	uint64_t deletes;

	if (!tap_ok(v2p_up(&p, pool, IKE, ESP) == 0, "v2 pair established"))
		return;
	tap_ok(v2_engine_conn_active(p.s[0].eng, "lab"), "the connection has an IKE SA");
	tap_ok(!v2_engine_conn_active(p.s[0].eng, "other"), "another one has none");
	a = info_of(&p, 0);
	tap_eq_int(v2_engine_child_expired(p.s[0].eng, 0x12345678, &any, false), ERR_NOTFOUND,
		   "soft EXPIRE of an unknown SPI: not ours");
	tap_eq_int(v2_engine_child_expired(p.s[0].eng, a.child_spi_in, &p.addr[0], false), 0,
		   "soft EXPIRE of our inbound SA taken");
	tap_eq_int(v2_engine_child_expired(p.s[0].eng, a.child_spi_in, &p.addr[0], false), 0,
		   "a second soft EXPIRE while the rekey is out is taken too");
	v2p_run(&p);
	b = info_of(&p, 0);
	tap_eq_int((long long)b.n_children, 1, "soft EXPIRE: one child on A after the rekey");
	tap_ok(b.child_spi_in != a.child_spi_in, "soft EXPIRE: it is a new child");
	tap_eq_int(info_of(&p, 1).child_spi_out, b.child_spi_in, "soft EXPIRE: the same on B");
	tap_eq_int((long long)info_of(&p, 1).n_children, 1, "soft EXPIRE: B deleted the old one");
	tap_eq_int((long long)v2_engine_stats(p.s[0].eng)->children_rekeyed, 1,
		   "soft EXPIRE: A counted a child rekey");
	tap_eq_int((long long)v2_engine_stats(p.s[1].eng)->children_rekeyed, 1,
		   "soft EXPIRE: so did B");
	tap_eq_int(kernel_count_sas(p.s[0].kernel), 2, "soft EXPIRE: two kernel SAs on A");
	tap_eq_int(kernel_count_sas(p.s[1].kernel), 2, "soft EXPIRE: two kernel SAs on B");
	/* the outbound SPI names the child too */
	deletes = v2_engine_stats(p.s[1].eng)->deletes_received;
	tap_eq_int(v2_engine_child_expired(p.s[0].eng, b.child_spi_out, &p.addr[1], true), 0,
		   "hard EXPIRE of our outbound SA taken");
	tap_eq_int((long long)info_of(&p, 0).n_children, 0, "hard EXPIRE: no child on A");
	tap_eq_int(kernel_count_sas(p.s[0].kernel), 0, "hard EXPIRE: no kernel SA on A");
	tap_eq_int((long long)p.q_len, 1, "hard EXPIRE: a Delete is on its way");
	v2p_run(&p);
	tap_eq_int((long long)info_of(&p, 1).n_children, 0, "hard EXPIRE: B deleted it too");
	tap_eq_int(kernel_count_sas(p.s[1].kernel), 0, "hard EXPIRE: no kernel SA on B");
	tap_eq_int((long long)(v2_engine_stats(p.s[1].eng)->deletes_received - deletes), 1,
		   "B got the Delete");
	tap_eq_str(info_of(&p, 0).state, "ESTABLISHED", "the IKE SA stays");
	/* the IKE SA is free again: a new child (what an ACQUIRE then asks for) */
	tap_eq_int(v2_engine_create_child(p.s[0].eng, "lab"), 0, "a new child on the IKE SA");
	v2p_run(&p);
	tap_eq_int((long long)info_of(&p, 0).n_children, 1, "one child again");
	tap_eq_int((long long)v2_engine_down(p.s[0].eng, "lab"), 1, "down");
	v2p_run(&p);
	tap_ok(!v2_engine_conn_active(p.s[0].eng, "lab"), "no IKE SA after down");
	v2p_close(&p);
}

static void test_hard_while_busy(void)
{
	struct v2_pair p;
	struct v2_sa_info a;

	if (!tap_ok(v2p_up(&p, pool, IKE, ESP) == 0, "v2 pair established"))
		return;
	a = info_of(&p, 0);
	tap_eq_int(v2_engine_liveness(p.s[0].eng, "lab", v2_now_ms()), 0, "an exchange is out");
	tap_eq_int(v2_engine_child_expired(p.s[0].eng, a.child_spi_in, &p.addr[0], true), 0,
		   "hard EXPIRE while busy taken");
	tap_eq_int((long long)info_of(&p, 0).n_children, 0, "the child is gone on A anyway");
	tap_eq_int((long long)p.q_len, 1, "only the liveness check is on the wire");
	v2p_run(&p);
	tap_eq_str(info_of(&p, 0).state, "ESTABLISHED", "the IKE SA stays up");
	v2p_close(&p);
}

static void test_natted(void)
{
	struct v2_pair p;
	struct v2_ike_sa *sa;
	int n = 0;

	if (!tap_ok(v2p_up(&p, pool, IKE, ESP) == 0, "v2 pair established"))
		return;
	tap_eq_int((long long)v2_engine_foreach_natted(p.s[0].eng, NULL, NULL), 0,
		   "no NAT: no keepalives from A");
	tap_eq_int((long long)v2_engine_foreach_natted(p.s[1].eng, NULL, NULL), 0,
		   "no NAT: nor from B");
	/* what v2_natd_check leaves when our NAT_DETECTION_SOURCE_IP did not match (2.23) */
	sa = p.s[0].eng->first;
	v2_nat_state_set(sa, true);
	tap_eq_int((long long)v2_engine_foreach_natted(p.s[0].eng, NULL, NULL), 0,
		   "NAT found but still on port 500: none yet");
	sa->natt = true;
	v2_engine_foreach_natted(p.s[0].eng, count_natted, &n);
	tap_eq_int(n, 1, "behind a NAT on 4500: one IKE SA to keep open");
	tap_ok(info_of(&p, 0).nat_local, "the listing says so");
	p.s[1].eng->first->nat_peer = true;
	p.s[1].eng->first->natt = true;
	tap_eq_int((long long)v2_engine_foreach_natted(p.s[1].eng, NULL, NULL), 0,
		   "the end in front of the NAT sends none");
	tap_ok(p.s[0].eng->natted == sa && !p.s[1].eng->natted,
	       "only the NATed SA is on its engine's natted list");
	v2_nat_state_set(sa, true);
	tap_ok(p.s[0].eng->natted == sa && !sa->nat_next && !sa->nat_prev, "set twice: listed once");
	v2_nat_state_set(sa, false);
	tap_eq_int((long long)v2_engine_foreach_natted(p.s[0].eng, NULL, NULL), 0,
		   "the NAT gone: no keepalives");
	v2_nat_state_set(sa, true);
	v2_ike_sa_free(sa);
	tap_ok(p.s[0].eng->natted == NULL, "a freed SA leaves the natted list");
	tap_eq_int((long long)v2_engine_foreach_natted(p.s[0].eng, NULL, NULL), 0,
		   "and is not visited");
	v2p_close(&p);
}

static int holds;
static char held_conn[64];

static void on_hold(void *arg, const char *conn)
{
	(void)arg;
	holds++;
	snprintf(held_conn, sizeof(held_conn), "%s", conn);
}

/* dpd_action = hold: the engine asks its user for the trap before the SAs go */
static void test_hold(void)
{
	struct v2_pair p;
	uint64_t now;

	if (!tap_ok(v2p_up(&p, pool, IKE, ESP) == 0, "v2 pair established"))
		return;
	p.s[0].eng->conns[0].dpd_delay_s = 30;
	p.s[0].eng->conns[0].dpd_timeout_s = 120;
	p.s[0].eng->conns[0].dpd_action = V2_DPD_HOLD;
	p.s[0].eng->p.hooks.hold = on_hold; /* test reach: the pair sets no hold hook */
	now = v2_now_ms();
	v2_engine_housekeep(p.s[0].eng, now + 31000);
	tap_eq_int((long long)p.q_len, 1, "hold: a liveness check goes out");
	p.q_len = 0; /* the peer vanished */
	v2_engine_housekeep(p.s[0].eng, now + 31000 + 121000);
	tap_eq_int(holds, 1, "hold: the trap is asked for once");
	tap_eq_str(held_conn, "lab", "hold: for the connection");
	tap_eq_int((long long)v2_engine_count_sas(p.s[0].eng), 0, "hold: the IKE SA is gone");
	tap_eq_int(kernel_count_sas(p.s[0].kernel), 0, "hold: its child's kernel SAs are gone");
	v2p_close(&p);
}

int main(void)
{
	log_set_level(getenv("V2_TEST_DEBUG") ? LOG_LEVEL_DEBUG : LOG_LEVEL_ERROR);
	if (job_pool_new(NULL, 2, &pool))
		return tap_skip_all("no job pool");
	test_expire();
	test_hard_while_busy();
	test_natted();
	test_hold();
	job_pool_free(pool);
	return tap_done();
}
