/*
 * v2_rekey_collision_test.c - simultaneous rekeys between two in-process
 * IKEv2 engines (testsuite/regress/v2_pair): both ends rekey the IKE SA
 * at once (RFC 7296 2.8.2) in the orders the network can deliver the four
 * messages, and both rekey one child SA at once (2.8.1). The test sets
 * the initiator nonces of the two exchanges to choose the loser (the
 * exchange holding the lowest nonce), then checks: one IKE SA left on
 * each side with the same SPIs, the child SA moved to it, the loser's SA
 * deleted by its creator, nothing left in the SAD or the kernel. Also the
 * rekeyed IKE SA reaches the established hook and the key log (item 2 of
 * issue 4).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/job.h"
#include "common/kernel.h"
#include "common/keylog.h"
#include "common/log.h"
#include "common/sad.h"
#include "common/xform.h"
#include "testsuite/lib/tap.h"
#include "testsuite/regress/v2_pair.h"
#include "v2/v2_ike_sa.h"

#define IKE "aes128-sha256-prfsha256-x25519"
#define ESP "aes128-sha256"

static struct job_pool *pool;

struct first {
	struct v2_sa_info info;
	bool ok;
};

static void take_first(const struct v2_sa_info *info, void *arg)
{
	struct first *f = arg;

	if (!f->ok) {
		f->info = *info;
		f->ok = true;
	}
}

static struct first sa_of(struct v2_pair *p, int i)
{
	struct first f;

	memset(&f, 0, sizeof(f));
	v2_engine_foreach_sa(p->s[i].eng, take_first, &f);
	return f;
}

/* The established IKE SA of side i that is not being replaced. */
static struct v2_ike_sa *live_sa(struct v2_pair *p, int i)
{
	for (struct v2_ike_sa *sa = p->s[i].eng->first; sa; sa = sa->next)
		if (sa->state == V2S_ESTABLISHED && !sa->rekeyed && !sa->redundant)
			return sa;
	return NULL;
}

/* Set the Ni of the exchange side i has just started: low (all 0x00) or high (all 0xff). */
static void force_ni(struct v2_pair *p, int i, bool low)
{
	struct v2_ike_sa *sa = live_sa(p, i);

	if (sa && sa->ci)
		memset(sa->ci->ni, low ? 0x00 : 0xff, sa->ci->ni_len);
}

/* Wait for both KE jobs: each side's request is queued (order by job completion). */
static void start_both_ike(struct v2_pair *p, int loser)
{
	tap_eq_int(v2_engine_rekey_ike(p->s[0].eng, "lab"), 0, "A starts an IKE SA rekey");
	tap_eq_int(v2_engine_rekey_ike(p->s[1].eng, "lab"), 0, "B starts an IKE SA rekey at once");
	force_ni(p, loser, true);
	force_ni(p, !loser, false);
	job_pool_drain(p->pool);
	job_pool_drain(p->pool);
	tap_eq_int((long long)p->q_len, 2, "both requests on the wire");
}

/* Deliver the queued datagram at position k first (the network reorders). */
static void deliver_at(struct v2_pair *p, size_t k)
{
	if (k && k < p->q_len) {
		struct v2p_pkt *t = malloc(sizeof(*t));

		*t = p->q[k];
		memmove(p->q + 1, p->q, k * sizeof(p->q[0]));
		p->q[0] = *t;
		free(t);
	}
	v2p_deliver(p);
}

/* Both sides queued a request of side `from`: the index of the first one sent by `from`. */
static size_t first_from(struct v2_pair *p, int from)
{
	for (size_t k = 0; k < p->q_len; k++)
		if (p->q[k].from == from)
			return k;
	return 0;
}

static void finish(struct v2_pair *p)
{
	v2p_run(p);
	/* what waits for a Delete that never comes is deleted by its holder (2.8.2) */
	for (int i = 0; i < 2; i++)
		v2_engine_housekeep(p->s[i].eng, v2_now_ms() + 2 * V2_DOOMED_WAIT_MS);
	v2p_run(p);
	for (int t = 0; t < 4; t++) {
		v2_engine_fire_timers(p->s[0].eng);
		v2_engine_fire_timers(p->s[1].eng);
		v2p_run(p);
	}
}

/* One IKE SA and one child left on each side, the same on both, nothing leaked. */
static void check_end(struct v2_pair *p, const char *what, const uint8_t old_spi_i[8])
{
	struct first a = sa_of(p, 0), b = sa_of(p, 1);

	tap_eq_int((long long)v2_engine_count_sas(p->s[0].eng), 1, "%s: one IKE SA left on A", what);
	tap_eq_int((long long)v2_engine_count_sas(p->s[1].eng), 1, "%s: one IKE SA left on B", what);
	tap_eq_str(a.info.state, "ESTABLISHED", "%s: A's is established", what);
	tap_eq_str(b.info.state, "ESTABLISHED", "%s: B's is established", what);
	tap_eq_bytes(a.info.spi_i, 8, b.info.spi_i, 8, "%s: same SPIi on both sides", what);
	tap_eq_bytes(a.info.spi_r, 8, b.info.spi_r, 8, "%s: same SPIr on both sides", what);
	tap_ok(memcmp(a.info.spi_i, old_spi_i, 8) != 0, "%s: it is a new IKE SA", what);
	tap_ok(a.info.initiator != b.info.initiator, "%s: one end is its initiator", what);
	tap_eq_int((long long)a.info.n_children, 1, "%s: the child moved to it on A", what);
	tap_eq_int((long long)b.info.n_children, 1, "%s: the child moved to it on B", what);
	tap_eq_int(a.info.child_spi_in, b.info.child_spi_out, "%s: the same child A<-B", what);
	tap_eq_int(a.info.child_spi_out, b.info.child_spi_in, "%s: the same child A->B", what);
	for (int i = 0; i < 2; i++) {
		tap_eq_int(kernel_count_sas(p->s[i].kernel), 2, "%s: two kernel SAs on %c", what,
			   'A' + i);
		tap_eq_int((long long)sad_count(p->s[i].sad, SAD_KIND_IKE), 1,
			   "%s: one IKE SA in %c's SAD", what, 'A' + i);
		tap_eq_int((long long)sad_count(p->s[i].sad, SAD_KIND_CHILD), 1,
			   "%s: one child in %c's SAD", what, 'A' + i);
	}
}

/* The surviving IKE SA carries on: a child rekey over it works. */
static void check_usable(struct v2_pair *p, const char *what)
{
	uint32_t before = sa_of(p, 0).info.child_spi_in;

	tap_eq_int(v2_engine_rekey_child(p->s[1].eng, "lab"), 0, "%s: child rekey over it", what);
	v2p_run(p);
	tap_ok(sa_of(p, 0).info.child_spi_in != before, "%s: the child was rekeyed", what);
	tap_eq_int(kernel_count_sas(p->s[0].kernel), 2, "%s: still two kernel SAs", what);
}

static bool open_pair(struct v2_pair *p, uint8_t old_spi_i[8])
{
	uint8_t r[8];

	if (!tap_ok(v2p_up(p, pool, IKE, ESP) == 0, "pair established"))
		return false;
	v2p_spis(p, 0, old_spi_i, r);
	return true;
}

/* Both notice: each answers the other's request before its own answer comes. */
static void test_both_notice(int loser)
{
	struct v2_pair p;
	uint8_t old[8];
	char what[64];

	snprintf(what, sizeof(what), "IKE collision, %c loses", 'A' + loser);
	if (!open_pair(&p, old))
		return;
	start_both_ike(&p, loser);
	deliver_at(&p, first_from(&p, 0)); /* A's request to B */
	deliver_at(&p, first_from(&p, 1)); /* B's request to A */
	finish(&p);
	check_end(&p, what, old);
	for (int i = 0; i < 2; i++) {
		const struct v2_engine_stats *st = v2_engine_stats(p.s[i].eng);

		tap_eq_int((long long)st->ike_rekey_collisions, 1, "%s: %c saw the collision", what,
			   'A' + i);
		/* the winner gets the loser's Delete of its redundant SA, the loser the old SA's */
		tap_eq_int((long long)st->deletes_received, 1, "%s: %c got one Delete", what, 'A' + i);
	}
	tap_eq_int(sa_of(&p, loser).info.initiator, false,
		   "%s: the survivor is the winner's (the loser responded to it)", what);
	check_usable(&p, what);
	v2p_close(&p);
}

/* Only B notices: A gets B's answer before B's request and finishes first. */
static void test_one_notices(void)
{
	const char *what = "IKE collision seen by B only";
	struct v2_pair p;
	uint8_t old[8];

	if (!open_pair(&p, old))
		return;
	start_both_ike(&p, 1);
	deliver_at(&p, first_from(&p, 0)); /* A's request to B: B notices */
	deliver_at(&p, first_from(&p, 1) == 0 ? 1 : 0); /* B's answer overtakes B's request */
	tap_eq_int((long long)v2_engine_stats(p.s[0].eng)->ike_rekey_collisions, 0,
		   "%s: A finished without seeing it", what);
	finish(&p);
	check_end(&p, what, old);
	tap_ok(v2_engine_stats(p.s[0].eng)->notifies_sent >= 1,
	       "%s: A answered B's late request with a notify (TEMPORARY_FAILURE)", what);
	tap_eq_int(sa_of(&p, 0).info.initiator, true, "%s: A's rekey stands", what);
	check_usable(&p, what);
	v2p_close(&p);
}

/*
 * B loses and its Delete of the redundant SA overtakes B's answer to A's
 * request: A's copy of B's SA holds the child; it must not die with it.
 */
static void test_delete_overtakes(void)
{
	const char *what = "IKE collision, loser's Delete first";
	struct v2_pair p;
	uint8_t old[8];
	size_t k;

	if (!open_pair(&p, old))
		return;
	start_both_ike(&p, 1);
	deliver_at(&p, first_from(&p, 0));
	deliver_at(&p, first_from(&p, 1));
	/* queue: B's answer to A, A's answer to B; B gets its answer first and loses */
	deliver_at(&p, first_from(&p, 0));
	k = 0;
	for (size_t i = 0; i < p.q_len; i++)
		if (p.q[i].from == 1)
			k = i; /* B's last: the Delete of its redundant SA */
	deliver_at(&p, k);
	tap_eq_int(kernel_count_sas(p.s[0].kernel), 2, "%s: A kept the child's kernel SAs", what);
	finish(&p);
	check_end(&p, what, old);
	check_usable(&p, what);
	v2p_close(&p);
}

/*
 * A loses, and B's Delete of the old SA overtakes B's answer to A: A
 * forgets its rekey with the old SA; B deletes A's SA it was left holding.
 */
static void test_old_delete_overtakes(void)
{
	const char *what = "IKE collision, winner's Delete first";
	struct v2_pair p;
	uint8_t old[8];
	size_t k;

	if (!open_pair(&p, old))
		return;
	start_both_ike(&p, 0);
	deliver_at(&p, first_from(&p, 0));
	deliver_at(&p, first_from(&p, 1));
	deliver_at(&p, first_from(&p, 0)); /* A's answer to B: B wins, deletes the old SA */
	k = 0;
	for (size_t i = 0; i < p.q_len; i++)
		if (p.q[i].from == 1)
			k = i;
	deliver_at(&p, k);
	finish(&p);
	check_end(&p, what, old);
	check_usable(&p, what);
	v2p_close(&p);
}

/* 2.8.1: both rekey the same child; the exchange with the lowest nonce made the redundant one. */
static void test_child_collision(int loser)
{
	struct v2_pair p;
	uint8_t old[8];
	uint32_t spi_before;
	char what[64];

	snprintf(what, sizeof(what), "child collision, %c loses", 'A' + loser);
	if (!open_pair(&p, old))
		return;
	spi_before = sa_of(&p, 0).info.child_spi_in;
	/* with PFS the request waits for a KE job: its Ni can be chosen before it is sent */
	for (int i = 0; i < 2; i++)
		p.s[i].eng->conns[0].pfs = xform_by_name("x25519");
	tap_eq_int(v2_engine_rekey_child(p.s[0].eng, "lab"), 0, "%s: A rekeys the child", what);
	tap_eq_int(v2_engine_rekey_child(p.s[1].eng, "lab"), 0, "%s: B rekeys it at once", what);
	force_ni(&p, loser, true);
	force_ni(&p, !loser, false);
	finish(&p);
	tap_eq_int((long long)sa_of(&p, 0).info.n_children, 1, "%s: one child on A", what);
	tap_eq_int((long long)sa_of(&p, 1).info.n_children, 1, "%s: one child on B", what);
	tap_ok(sa_of(&p, 0).info.child_spi_in != spi_before, "%s: it is a new child", what);
	tap_eq_int(sa_of(&p, 0).info.child_spi_in, sa_of(&p, 1).info.child_spi_out,
		   "%s: the same child A<-B", what);
	tap_eq_int(sa_of(&p, 0).info.child_spi_out, sa_of(&p, 1).info.child_spi_in,
		   "%s: the same child A->B", what);
	for (int i = 0; i < 2; i++) {
		tap_eq_int(kernel_count_sas(p.s[i].kernel), 2, "%s: two kernel SAs on %c", what,
			   'A' + i);
		tap_eq_int((long long)sad_count(p.s[i].sad, SAD_KIND_CHILD), 1,
			   "%s: one child in %c's SAD", what, 'A' + i);
	}
	v2p_close(&p);
}

/* Item 2: a rekeyed IKE SA is reported like an initial one and its keys are logged. */
static void test_rekey_reported(void)
{
	const char *what = "plain IKE rekey";
	char dir[200], path[256], line[1024], hex[17];
	struct keylog *kl = NULL;
	struct v2_pair p;
	struct first a;
	uint64_t old_serial;
	uint8_t old[8];
	FILE *f;
	bool found = false;
	int lines = 0;

	if (!tap_mkdtemp(dir, sizeof(dir), "v2-rekey-keylog") || !open_pair(&p, old)) {
		tap_ok(false, "%s: set up", what);
		return;
	}
	snprintf(path, sizeof(path), "%s/kl", dir);
	tap_eq_int(keylog_open(path, &kl), 0, "%s: key log opened", what);
	p.s[0].eng->p.keylog = kl; /* test reach: the pair has none */
	old_serial = sa_of(&p, 0).info.serial;
	tap_eq_int(v2_engine_rekey_ike(p.s[0].eng, "lab"), 0, "%s: started", what);
	v2p_run(&p);
	a = sa_of(&p, 0);
	tap_eq_int(p.s[0].established, 2, "%s: the initiator's established hook ran again", what);
	tap_eq_int(p.s[1].established, 2, "%s: the responder's established hook ran again", what);
	tap_eq_int((long long)a.info.rekey_of, (long long)old_serial,
		   "%s: the new SA names the one it replaced", what);
	tap_eq_int((long long)v2_engine_stats(p.s[0].eng)->ike_rekeyed, 1, "%s: counted", what);
	tap_eq_int((long long)v2_engine_stats(p.s[0].eng)->ike_established, 1,
		   "%s: not counted as a new setup", what);
	keylog_close(kl);
	p.s[0].eng->p.keylog = NULL;
	for (int i = 0; i < 8; i++)
		snprintf(hex + 2 * i, 3, "%02x", a.info.spi_i[i]);
	snprintf(path, sizeof(path), "%s/kl/ikev2_decryption_table", dir);
	f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f)) {
		lines++;
		if (strncmp(line, hex, 16) == 0)
			found = true;
	}
	if (f)
		fclose(f);
	tap_eq_int(lines, 1, "%s: one IKEv2 key log line (the rekeyed SA's)", what);
	tap_ok(found, "%s: the key log has the new SA's SPIi %s", what, hex);
	unlink(path);
	snprintf(path, sizeof(path), "%s/kl/esp_sa", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/kl/ikev1_decryption_table", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/kl", dir);
	rmdir(path);
	rmdir(dir);
	v2p_close(&p);
}

int main(void)
{
	log_set_level(getenv("V2_TEST_DEBUG") ? LOG_LEVEL_DEBUG : LOG_LEVEL_ERROR);
	if (job_pool_new(NULL, 2, &pool))
		return tap_skip_all("no job pool");
	test_both_notice(0);
	test_both_notice(1);
	test_one_notices();
	test_delete_overtakes();
	test_old_delete_overtakes();
	test_child_collision(0);
	test_child_collision(1);
	test_rekey_reported();
	job_pool_free(pool);
	return tap_done();
}
