/*
 * v1_initial_contact_test.c - the scope of an IKEv1 INITIAL-CONTACT
 * (RFC 2407 4.6.3.3). Side 1 already holds, from side 0's address, an
 * established ISAKMP SA of the same identity (stale: side 0 "rebooted"),
 * one of another identity (another connection behind the same address),
 * and a Main Mode still in progress. Side 0 then comes up with no SA of
 * its own and sends INITIAL-CONTACT: only the stale one may go. DN
 * identities compare as DNs (RFC 5280 7.1), as IKEv1 compares them elsewhere.
 */
#include <stdlib.h>
#include <string.h>

#include "common/id.h"
#include "common/job.h"
#include "common/log.h"
#include "common/sad.h"
#include "testsuite/lib/tap.h"
#include "testsuite/regress/v1_pair.h"
#include "v1/v1_sa.h"

static struct job_pool *pool;

/* An ISAKMP SA on side 1 with side 0 as its peer, as if negotiated earlier. */
static uint64_t planted_id(struct v1_pair *p, uint8_t tag, enum v1_state state, struct id *peer_id)
{
	struct v1_conn *c = v1_conn_by_name(p->eng[1], "lab");
	struct v1_isakmp_sa *sa;
	uint8_t cky_i[8], cky_r[8];

	if (!c)
		return 0;
	sa = v1_isakmp_sa_new(p->eng[1], c, false, &p->addr[1], &p->addr[0]);
	if (!sa)
		return 0;
	memset(cky_i, 0xc0 | tag, sizeof(cky_i));
	memset(cky_r, 0xd0 | tag, sizeof(cky_r));
	sa->peer_id = peer_id;
	if (sad_add_ike(p->sad[1], &sa->sad, cky_i, cky_r, false) < 0) {
		v1_isakmp_sa_free(sa);
		return 0;
	}
	sa->state = state;
	return sa->sad.serial;
}

static uint64_t planted(struct v1_pair *p, uint8_t tag, enum v1_state state, const char *peer_id)
{
	struct id *id = NULL;

	if (peer_id && id_parse(peer_id, &id) < 0)
		return 0;
	return planted_id(p, tag, state, id);
}

struct finder {
	uint64_t serial;
	bool found;
};

static void find_serial(const struct v1_sa_info *in, void *arg)
{
	struct finder *f = arg;

	if (in->serial == f->serial)
		f->found = true;
}

static bool holds(struct v1_pair *p, int side, uint64_t serial)
{
	struct finder f = { serial, false };

	v1_engine_foreach_sa(p->eng[side], find_serial, &f);
	return f.found;
}

static void test_scope(void)
{
	struct v1_pair p;
	uint64_t stale, other_id, half_made, half_made_noid;
	unsigned est = 0;
	char why[128];

	if (v1p_open(&p, pool, false) < 0) {
		tap_ok(false, "pair opens");
		return;
	}
	stale = planted(&p, 1, V1S_ESTABLISHED, "a.example.org");
	other_id = planted(&p, 2, V1S_ESTABLISHED, "c.example.org");
	half_made = planted(&p, 3, V1S_MM_R2, "a.example.org");
	half_made_noid = planted(&p, 4, V1S_MM_R1, NULL);
	tap_ok(stale && other_id && half_made && half_made_noid, "four ISAKMP SAs planted on side 1");
	tap_eq_int(v1p_count(&p, 1, &est), 4, "side 1 holds them before side 0 comes up");
	tap_ok(v1_engine_initiate(p.eng[0], "lab", why, sizeof(why)) == 0, "side 0 initiates");
	v1p_run(&p);
	v1p_count(&p, 0, &est);
	tap_eq_int(est, 1, "side 0 comes up (Main Mode, INITIAL-CONTACT sent: its first SA with side 1)");
	tap_eq_int(v1p_ipsec(&p, 0), 1, "side 0: its IPsec SA pair stands");
	tap_ok(!holds(&p, 1, stale),
	       "INITIAL-CONTACT: the established SA of the same identity and address is dropped");
	tap_ok(holds(&p, 1, other_id),
	       "INITIAL-CONTACT: an established SA of another identity from the same address survives");
	tap_ok(holds(&p, 1, half_made),
	       "INITIAL-CONTACT: a Main Mode in progress (MM_R2) survives, left to its timeouts");
	tap_ok(holds(&p, 1, half_made_noid),
	       "INITIAL-CONTACT: a Main Mode in progress with no identity yet (MM_R1) survives");
	tap_eq_int(v1p_count(&p, 1, &est), 4, "side 1: the new SA and the three survivors");
	tap_eq_int(est, 2, "side 1: two established (the new one and the other identity's)");
	tap_eq_int(v1p_ipsec(&p, 1), 1, "side 1: the new IPsec SA pair stands");
	v1p_close(&p);
}

/* CN=gw as a PrintableString, and as the UTF8String "GW " (RFC 5280 7.1: the same DN) */
static const uint8_t dn_gw[] = { 0x30, 0x0d, 0x31, 0x0b, 0x30, 0x09, 0x06, 0x03, 0x55,
				 0x04, 0x03, 0x13, 0x02, 'g',  'w' };
static const uint8_t dn_gw_spelled[] = { 0x30, 0x0e, 0x31, 0x0c, 0x30, 0x0a, 0x06, 0x03, 0x55,
					 0x04, 0x03, 0x0c, 0x03, 'G',  'W',  ' ' };
static const uint8_t dn_other[] = { 0x30, 0x0d, 0x31, 0x0b, 0x30, 0x09, 0x06, 0x03, 0x55,
				    0x04, 0x03, 0x13, 0x02, 'g',  'x' };

static struct id *dn(const uint8_t *der, size_t len)
{
	struct id *id = NULL;

	return id_new(ID_DER_ASN1_DN, der, len, &id) == 0 ? id : NULL;
}

/* Side 0 authenticates as a DN: the stale SA's DN, spelled otherwise, is the same peer. */
static void test_dn(void)
{
	struct v1_pair p;
	struct v1_conn *c0, *c1;
	uint64_t stale, other;
	unsigned est = 0;
	char why[128];

	if (v1p_open(&p, pool, false) < 0) {
		tap_ok(false, "DN: pair opens");
		return;
	}
	c0 = v1_conn_by_name(p.eng[0], "lab");
	c1 = v1_conn_by_name(p.eng[1], "lab");
	if (!c0 || !c1) {
		tap_ok(false, "DN: connections");
		v1p_close(&p);
		return;
	}
	id_free(c0->local_id);
	c0->local_id = dn(dn_gw, sizeof(dn_gw));
	id_free(c1->remote_id);
	c1->remote_id = dn(dn_gw, sizeof(dn_gw));
	stale = planted_id(&p, 5, V1S_ESTABLISHED, dn(dn_gw_spelled, sizeof(dn_gw_spelled)));
	other = planted_id(&p, 6, V1S_ESTABLISHED, dn(dn_other, sizeof(dn_other)));
	tap_ok(c0->local_id && c1->remote_id && stale && other, "DN: identities set, two SAs planted");
	tap_ok(v1_engine_initiate(p.eng[0], "lab", why, sizeof(why)) == 0, "DN: side 0 initiates");
	v1p_run(&p);
	v1p_count(&p, 0, &est);
	tap_eq_int(est, 1, "DN: side 0 comes up as CN=gw");
	tap_ok(!holds(&p, 1, stale),
	       "DN: INITIAL-CONTACT drops the SA of the same DN spelled otherwise (compared as a DN)");
	tap_ok(holds(&p, 1, other), "DN: the SA of another DN from the same address survives");
	v1p_close(&p);
}

int main(void)
{
	log_set_level(getenv("V1_TEST_DEBUG") ? LOG_LEVEL_DEBUG : LOG_LEVEL_ERROR);
	if (job_pool_new(NULL, 1, &pool))
		return tap_skip_all("no job pool");
	test_scope();
	test_dn();
	job_pool_free(pool);
	return tap_done();
}
