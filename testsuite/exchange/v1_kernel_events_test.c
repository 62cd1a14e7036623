/*
 * v1_kernel_events_test.c - kernel events for IKEv1 IPsec SA pairs between
 * two in-process engines (testsuite/regress/v1_pair, `none` kernel): a
 * synthetic soft EXPIRE renews the pair with a new Quick Mode, a hard one
 * deletes it and the peer hears the Delete; with 24 pairs between the same
 * addresses each EXPIRE finds its own pair; and which ISAKMP SAs the
 * engine reports behind a NAT (the side behind the mock NAT only).
 */
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/job.h"
#include "common/kernel.h"
#include "common/log.h"
#include "testsuite/lib/tap.h"
#include "testsuite/regress/v1_pair.h"
#include "v1/v1_events.h"

static struct job_pool *pool;

struct pair_spis {
	uint32_t in, out;
	unsigned n;
};

static void take(const struct v1_ipsec_info *in, void *arg)
{
	struct pair_spis *s = arg;

	s->in = in->spi_in;
	s->out = in->spi_out;
	s->n++;
}

static struct pair_spis spis(struct v1_pair *p, int i)
{
	struct pair_spis s = { 0, 0, 0 };

	v1_engine_foreach_ipsec(p->eng[i], take, &s);
	return s;
}

static void count_natted(const char *conn, const struct sockaddr_storage *l,
			 const struct sockaddr_storage *r, void *arg)
{
	tap_eq_str(conn, "lab", "the NAT-ed SA's connection is named");
	(void)l;
	(void)r;
	(*(int *)arg)++;
}

static void test_soft(void)
{
	struct v1_pair p;
	struct pair_spis a, b;
	struct sockaddr_storage any = { .ss_family = AF_UNSPEC };

	if (!tap_ok(v1p_up(&p, pool, NULL) == 0, "v1 pair established"))
		return;
	a = spis(&p, 0);
	tap_eq_int(v1_engine_child_expired(p.eng[0], 0x12345678, &any, false), ERR_NOTFOUND,
		   "soft EXPIRE of an unknown SPI: not ours");
	tap_eq_int(v1_engine_child_expired(p.eng[0], a.in, &p.addr[0], false), 0,
		   "soft EXPIRE of our inbound SA taken");
	tap_ok(p.q_len >= 1 || job_pool_pending(p.pool), "a Quick Mode is on its way");
	v1p_run(&p);
	b = spis(&p, 0);
	tap_eq_int(b.n, 1, "soft EXPIRE: one pair on A after the rekey");
	tap_ok(b.in != a.in && b.out != a.out, "soft EXPIRE: it is a new pair");
	tap_eq_int(spis(&p, 1).n, 1, "soft EXPIRE: one pair on B (old one deleted)");
	tap_eq_int(spis(&p, 1).in, b.out, "soft EXPIRE: the same pair on both ends");
	tap_eq_int(kernel_count_sas(p.kernel[0]), 2, "soft EXPIRE: two kernel SAs on A");
	tap_eq_int(kernel_count_sas(p.kernel[1]), 2, "soft EXPIRE: two kernel SAs on B");
	/* the outbound SPI names the pair too; and a hard EXPIRE deletes it */
	tap_eq_int(v1_engine_child_expired(p.eng[0], b.out, &p.addr[1], true), 0,
		   "hard EXPIRE of our outbound SA taken");
	tap_eq_int(spis(&p, 0).n, 0, "hard EXPIRE: the pair is gone on A");
	tap_eq_int(kernel_count_sas(p.kernel[0]), 0, "hard EXPIRE: no kernel SA left on A");
	v1p_run(&p);
	tap_eq_int(spis(&p, 1).n, 0, "hard EXPIRE: the peer deleted it on the Delete");
	tap_eq_int(kernel_count_sas(p.kernel[1]), 0, "hard EXPIRE: no kernel SA left on B");
	tap_eq_int((long long)v1_engine_counters(p.eng[0])->expired, 1, "hard EXPIRE counted");
	v1p_close(&p);
}

#define MANY 24

struct pair_list {
	uint32_t in[MANY + 2], out[MANY + 2];
	unsigned n;
};

static void list_one(const struct v1_ipsec_info *in, void *arg)
{
	struct pair_list *l = arg;

	if (l->n < MANY + 2) {
		l->in[l->n] = in->spi_in;
		l->out[l->n] = in->spi_out;
	}
	l->n++;
}

static struct pair_list pairs(struct v1_pair *p, int i)
{
	struct pair_list l;

	memset(&l, 0, sizeof(l));
	v1_engine_foreach_ipsec(p->eng[i], list_one, &l);
	return l;
}

/* Whether side i holds a pair with these SPIs (0: either). */
static bool has_pair(struct v1_pair *p, int i, uint32_t in, uint32_t out)
{
	struct pair_list l = pairs(p, i);

	for (unsigned k = 0; k < l.n && k < MANY + 2; k++)
		if ((!in || l.in[k] == in) && (!out || l.out[k] == out))
			return true;
	return false;
}

/*
 * Many ISAKMP SAs, each with its pair, between the same two addresses: an
 * EXPIRE by either SPI finds that pair and no other (the SAD's two indexes
 * and the destination address decide, RFC 4301 4.1: SPI + destination).
 */
static void test_many(void)
{
	struct v1_pair p;
	struct pair_list l;
	char why[128];
	unsigned made = 1, k, j;
	uint32_t hin, hout, sin, sout;

	if (!tap_ok(v1p_up(&p, pool, NULL) == 0, "many: v1 pair established"))
		return;
	while (made < MANY && v1_engine_initiate(p.eng[0], "lab", why, sizeof(why)) == 0) {
		v1p_run(&p);
		made++;
	}
	l = pairs(&p, 0);
	tap_eq_int(l.n, MANY, "many: %d IPsec SA pairs on A", MANY);
	tap_eq_int(pairs(&p, 1).n, MANY, "many: and on B");
	if (l.n != MANY) {
		v1p_close(&p);
		return;
	}
	k = MANY / 2;
	hin = l.in[k];
	hout = l.out[k];
	/* an outbound SPI sent to our own address is not that pair's (dst decides) */
	tap_eq_int(v1_engine_child_expired(p.eng[0], hout, &p.addr[0], true), ERR_NOTFOUND,
		   "many: the outbound SPI with our own address as dst is not found");
	tap_ok(has_pair(&p, 0, hin, hout), "many: and that pair stays");
	tap_eq_int(v1_engine_child_expired(p.eng[0], hout, &p.addr[1], true), 0,
		   "many: hard EXPIRE by the outbound SPI of pair %u taken", k);
	tap_ok(!has_pair(&p, 0, hin, hout), "many: that pair is gone on A");
	tap_eq_int(pairs(&p, 0).n, MANY - 1, "many: the other %d pairs stay on A", MANY - 1);
	v1p_run(&p);
	tap_ok(!has_pair(&p, 1, hout, hin), "many: the peer deleted its end on the Delete");
	tap_eq_int(pairs(&p, 1).n, MANY - 1, "many: and only that one");
	j = 3;
	sin = l.in[j];
	sout = l.out[j];
	tap_eq_int(v1_engine_child_expired(p.eng[0], sin, &p.addr[0], false), 0,
		   "many: soft EXPIRE by the inbound SPI of pair %u taken", j);
	v1p_run(&p);
	tap_ok(!has_pair(&p, 0, sin, 0) && !has_pair(&p, 0, 0, sout),
	       "many: soft EXPIRE replaced exactly that pair on A");
	tap_eq_int(pairs(&p, 0).n, MANY - 1, "many: still %d pairs on A (one new)", MANY - 1);
	tap_eq_int(pairs(&p, 1).n, MANY - 1, "many: and on B");
	for (k = 0, j = 0; k < MANY; k++)
		j += k != MANY / 2 && k != 3 && has_pair(&p, 0, l.in[k], l.out[k]);
	tap_eq_int(j, MANY - 2, "many: every other pair is untouched");
	tap_eq_int(v1_engine_child_expired(p.eng[0], hin, &p.addr[0], true), ERR_NOTFOUND,
		   "many: the deleted pair's inbound SPI is no longer found");
	v1p_close(&p);
}

static void test_natted(void)
{
	struct v1_pair p;
	struct v1p_opts o;
	int n[2] = { 0, 0 };

	if (!tap_ok(v1p_up(&p, pool, NULL) == 0, "v1 pair established"))
		return;
	tap_eq_int((long long)v1_engine_foreach_natted(p.eng[0], NULL, NULL), 0,
		   "no NAT: A sends no keepalives");
	tap_eq_int((long long)v1_engine_foreach_natted(p.eng[1], NULL, NULL), 0,
		   "no NAT: nor B");
	v1p_close(&p);
	memset(&o, 0, sizeof(o));
	o.nat = true;
	if (!tap_ok(v1p_up(&p, pool, &o) == 0, "v1 pair behind a NAT established"))
		return;
	v1_engine_foreach_natted(p.eng[0], count_natted, &n[0]);
	v1_engine_foreach_natted(p.eng[1], count_natted, &n[1]);
	tap_eq_int(n[0], 1, "NAT: the side behind it keeps the mapping open");
	tap_eq_int(n[1], 0, "NAT: the side in front of it does not");
	v1p_close(&p);
}

int main(void)
{
	log_set_level(getenv("V1_TEST_DEBUG") ? LOG_LEVEL_DEBUG : LOG_LEVEL_ERROR);
	if (job_pool_new(NULL, 2, &pool))
		return tap_skip_all("no job pool");
	test_soft();
	test_many();
	test_natted();
	job_pool_free(pool);
	return tap_done();
}
