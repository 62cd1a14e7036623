/*
 * v2_frag_test.c - IKE message fragmentation (RFC 7383) between two
 * in-process engines: negotiation (2.3), IKE_AUTH request and response
 * sent as SKF fragments (2.5) and put together again (2.6) in order, out
 * of order, with a duplicate, a lost fragment retransmitted, a forged
 * one; a message of too many fragments refused; no SKF when one side
 * has fragmentation off. A small fragment_size makes the PSK IKE_AUTH
 * messages (about 250 octets inside) several fragments each.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/job.h"
#include "common/log.h"
#include "testsuite/lib/tap.h"
#include "testsuite/regress/v2_pair.h"
#include "v2/v2_engine.h"
#include "v2/v2_names.h"

#define IKE "aes128-sha256-prfsha256-x25519"
#define IKE_GCM "aes128gcm16-prfsha256-x25519"
#define ESP "aes128gcm16"
#define MAX_K 40

static struct job_pool *pool;

/* Side i's connection with fragmentation on/off and an IP packet size (0: default). */
static int set_frag(struct v2_pair *p, int i, bool on, uint16_t size)
{
	struct v2_conn c = *v2_engine_find_conn(p->s[i].eng, "lab");

	c.fragmentation = on;
	c.fragment_size = size;
	return v2_engine_set_conns(p->s[i].eng, &c, 1);
}

static int open_pair(struct v2_pair *p, const char *ike, bool on0, uint16_t size0, bool on1,
		     uint16_t size1)
{
	int rc = v2p_open(p, pool, ike, ESP);

	if (rc == 0)
		rc = set_frag(p, 0, on0, size0);
	if (rc == 0)
		rc = set_frag(p, 1, on1, size1);
	return rc;
}

/* The first payload type of a datagram (header octet 16). */
static uint8_t first_type(const struct v2p_pkt *k)
{
	return k->len > 16 ? k->data[16] : 0;
}

static uint8_t exchange_of(const struct v2p_pkt *k)
{
	return k->len > 18 ? k->data[18] : 0;
}

/* SKF numbering: octets 32-33 Fragment Number, 34-35 Total Fragments (2.5). */
static unsigned frag_number(const struct v2p_pkt *k)
{
	return k->len > 35 ? (unsigned)(k->data[32] << 8 | k->data[33]) : 0;
}

static unsigned frag_total(const struct v2p_pkt *k)
{
	return k->len > 35 ? (unsigned)(k->data[34] << 8 | k->data[35]) : 0;
}

/* Run IKE_SA_INIT both ways, then take side 0's IKE_AUTH request off the queue. */
static size_t take_auth_request(struct v2_pair *p, struct v2p_pkt *k, size_t max)
{
	size_t n = 0;

	struct v2p_pkt x;

	if (v2_engine_up(p->s[0].eng, "lab"))
		return 0;
	for (int guard = 0; guard < 64 && v2p_take(p, &x); guard++) {
		if (exchange_of(&x) == V2_EXCH_IKE_AUTH) {
			k[n++] = x;
			break;
		}
		v2p_put(p, !x.from, &x);
	}
	while (n > 0 && n < max && v2p_take(p, &k[n]))
		n++;
	return n;
}

static bool all_skf(const struct v2p_pkt *k, size_t n, size_t limit)
{
	for (size_t i = 0; i < n; i++)
		if (first_type(&k[i]) != V2_PT_SKF || k[i].len > limit)
			return false;
	return n > 0;
}

static bool both_up(struct v2_pair *p)
{
	return p->s[0].established == 1 && p->s[1].established == 1;
}

static void test_in_order(void)
{
	struct v2_pair p;
	struct v2p_pkt k[MAX_K];
	size_t n, skf_responses = 0;
	const struct v2_engine_stats *s0, *s1;

	if (!tap_ok(open_pair(&p, IKE, true, 160, true, 160) == 0, "in order: pair open"))
		return;
	n = take_auth_request(&p, k, MAX_K);
	/* 160-octet IPv4 packets: IKE messages of at most 160 - 20 - 8 = 132 octets (2.5.1) */
	tap_ok(n >= 3 && all_skf(k, n, 132), "in order: IKE_AUTH request went as %zu SKF fragments "
	       "of at most 132 octets", n);
	tap_ok(n >= 3 && frag_number(&k[0]) == 1 && frag_total(&k[0]) == n &&
	       frag_number(&k[n - 1]) == n && k[0].data[28] != 0 && k[1].data[28] == 0,
	       "in order: numbered 1..%zu, only fragment 1 names the first inner payload", n);
	for (size_t i = 0; i < n; i++)
		v2p_put(&p, 1, &k[i]);
	for (size_t i = 0; i < p.q_len; i++)
		skf_responses += first_type(&p.q[i]) == V2_PT_SKF;
	tap_ok(skf_responses >= 2, "in order: the IKE_AUTH response is fragmented too (%zu)",
	       skf_responses);
	v2p_run(&p);
	s0 = v2_engine_stats(p.s[0].eng);
	s1 = v2_engine_stats(p.s[1].eng);
	tap_ok(both_up(&p), "in order: both ends established through fragments");
	tap_ok(s0->messages_fragmented == 1 && s1->messages_fragmented == 1 &&
	       s0->messages_reassembled == 1 && s1->messages_reassembled == 1,
	       "in order: one message fragmented and one reassembled per side");
	tap_ok(s1->fragments_received == n && s0->fragments_sent == n,
	       "in order: counters: %llu sent, %llu received",
	       (unsigned long long)s0->fragments_sent, (unsigned long long)s1->fragments_received);
	v2p_close(&p);
}

static void test_reordered_duplicate_forged(void)
{
	struct v2_pair p;
	struct v2p_pkt k[MAX_K], forged;
	size_t n;
	const struct v2_engine_stats *s1;

	if (!tap_ok(open_pair(&p, IKE, true, 160, true, 160) == 0, "reorder: pair open"))
		return;
	n = take_auth_request(&p, k, MAX_K);
	if (!tap_ok(n >= 3, "reorder: %zu fragments", n)) {
		v2p_close(&p);
		return;
	}
	s1 = v2_engine_stats(p.s[1].eng);
	/* a forged copy of the last fragment: one ciphertext octet flipped */
	forged = k[n - 1];
	forged.data[forged.len - 20] ^= 0x40;
	tap_ok(v2p_put(&p, 1, &forged) != 0 && s1->dropped_integrity == 1 &&
	       s1->fragments_received == 0, "forged fragment: ICV fails, dropped, nothing kept");
	/* last to first, fragment n-1 twice */
	v2p_put(&p, 1, &k[n - 1]);
	v2p_put(&p, 1, &k[n - 2]);
	tap_ok(v2p_put(&p, 1, &k[n - 2]) != 0 && s1->fragments_received == 2,
	       "duplicate fragment: dropped, the first copy kept");
	tap_ok(p.q_len == 0, "reorder: no answer while fragments are missing");
	for (size_t i = n - 2; i-- > 0;)
		v2p_put(&p, 1, &k[i]);
	tap_ok(s1->messages_reassembled == 1 && p.q_len > 0,
	       "reorder: reassembled once all came, in any order, and answered");
	v2p_run(&p);
	tap_ok(both_up(&p), "reorder: both ends established");
	v2p_close(&p);
}

static void test_lost_fragment(void)
{
	struct v2_pair p;
	struct v2p_pkt k[MAX_K];
	size_t n, resent = 0;
	const struct v2_engine_stats *s0, *s1;

	if (!tap_ok(open_pair(&p, IKE, true, 160, true, 160) == 0, "lost: pair open"))
		return;
	n = take_auth_request(&p, k, MAX_K);
	s0 = v2_engine_stats(p.s[0].eng);
	s1 = v2_engine_stats(p.s[1].eng);
	for (size_t i = 0; i < n; i++)
		if (i != 1) /* fragment 2 is lost */
			v2p_put(&p, 1, &k[i]);
	tap_ok(n >= 3 && p.q_len == 0 && s1->messages_reassembled == 0,
	       "lost: fragment 2 missing, nothing reassembled, no answer");
	/* 2.6: the retransmission is every fragment again */
	tap_ok(v2_engine_fire_timers(p.s[0].eng) == 1 && s0->retransmits == 1, "lost: retransmitted");
	for (size_t i = 0; i < p.q_len; i++)
		resent += p.q[i].from == 0 && first_type(&p.q[i]) == V2_PT_SKF;
	tap_eq_int((long long)resent, (long long)n, "lost: all %zu fragments sent again", n);
	v2p_run(&p);
	tap_ok(both_up(&p) && s1->messages_reassembled == 1, "lost: established after the retransmission");
	v2p_close(&p);
}

static void test_retransmitted_request_answered_once(void)
{
	struct v2_pair p;
	struct v2p_pkt k[MAX_K], resp;
	size_t n;
	const struct v2_engine_stats *s1;

	if (!tap_ok(open_pair(&p, IKE, true, 160, true, 160) == 0, "cache: pair open"))
		return;
	n = take_auth_request(&p, k, MAX_K);
	s1 = v2_engine_stats(p.s[1].eng);
	for (size_t i = 0; i < n; i++)
		v2p_put(&p, 1, &k[i]);
	while (v2p_take(&p, &resp)) /* the response is lost */
		;
	/* the same fragments again: only fragment 1 brings the cached answer (2.6.1) */
	for (size_t i = 0; i < n; i++)
		v2p_put(&p, 1, &k[i]);
	tap_ok(n >= 3 && s1->responses_resent == 1 && p.q_len >= 2 &&
	       first_type(&p.q[0]) == V2_PT_SKF,
	       "cache: a retransmitted fragmented request is answered once, with all %zu fragments",
	       p.q_len);
	v2p_run(&p);
	tap_ok(both_up(&p), "cache: established from the cached fragments");
	v2p_close(&p);
}

static void test_too_many(void)
{
	struct v2_pair p;
	struct v2p_pkt k[MAX_K];
	size_t n;
	const struct v2_engine_stats *s1;

	/* AES-GCM (1-octet blocks), 92-octet packets: 3 inner octets per fragment, > 32 of them */
	if (!tap_ok(open_pair(&p, IKE_GCM, true, 92, true, 0) == 0, "too many: pair open"))
		return;
	n = take_auth_request(&p, k, MAX_K);
	s1 = v2_engine_stats(p.s[1].eng);
	tap_ok(n > 0 && frag_total(&k[0]) > 32, "too many: the request claims %u fragments",
	       n ? frag_total(&k[0]) : 0);
	for (size_t i = 0; i < n; i++)
		v2p_put(&p, 1, &k[i]);
	tap_ok(s1->fragments_received == 0 && s1->messages_reassembled == 0 &&
	       s1->dropped_malformed == n && p.q_len == 0,
	       "too many: every fragment refused (more than 32), nothing kept, no answer");
	v2p_close(&p);
}

/*
 * 2.6: Total Fragments of a message changing: fewer than before is a stale
 * fragment (dropped), more means the sender fragmented again (start over).
 * Crafted INFORMATIONAL fragments on an established SA; the inner chain
 * is one Notify of an unknown status type (ignored, answered empty).
 */
static void test_total_changes(void)
{
	static const uint8_t notify[8] = { 0, 0, 0, 8, 0, 0, 0x9c, 0x40 };
	struct v2p_cfg cfg[2];
	struct v2_pair p;
	uint8_t out[512];
	size_t len;
	uint32_t id;
	const struct v2_engine_stats *s1;
	int rc;

	for (int i = 0; i < 2; i++) {
		v2p_cfg_init(&cfg[i], i, IKE, ESP);
		cfg[i].fragmentation = true;
	}
	if (!tap_ok(v2p_open_cfg(&p, pool, cfg) == 0 && v2p_establish(&p) == 0,
		    "total: established with fragmentation"))
		return;
	s1 = v2_engine_stats(p.s[1].eng);
	id = v2p_msgid(&p, 1, false);
	rc = v2p_seal_fragment(&p, 1, V2_EXCH_INFORMATIONAL, false, id, V2_PT_N, 1, 3,
			       notify, 3, out, sizeof(out), &len);
	tap_ok(rc == 0 && v2p_inject(&p, 1, out, len) == 0 && s1->fragments_received == 1,
	       "total: fragment 1 of 3 kept");
	rc = v2p_seal_fragment(&p, 1, V2_EXCH_INFORMATIONAL, false, id, V2_PT_NONE, 2, 2,
			       notify + 3, 5, out, sizeof(out), &len);
	tap_ok(rc == 0 && v2p_inject(&p, 1, out, len) != 0 && s1->fragments_received == 1 &&
	       s1->messages_reassembled == 0, "total: fragment 2 of 2 (fewer) dropped");
	rc = v2p_seal_fragment(&p, 1, V2_EXCH_INFORMATIONAL, false, id, V2_PT_NONE, 2, 4,
			       notify + 2, 2, out, sizeof(out), &len);
	tap_ok(rc == 0 && v2p_inject(&p, 1, out, len) == 0 && s1->fragments_dropped == 1 &&
	       s1->fragments_received == 2, "total: fragment 2 of 4 (more) starts over");
	for (uint16_t n = 1; n <= 4; n++) {
		if (n == 2)
			continue;
		rc |= v2p_seal_fragment(&p, 1, V2_EXCH_INFORMATIONAL, false, id,
					n == 1 ? V2_PT_N : V2_PT_NONE, n, 4,
					notify + 2 * (n - 1), 2, out, sizeof(out), &len);
		rc |= v2p_inject(&p, 1, out, len);
	}
	tap_ok(rc == 0 && s1->messages_reassembled == 1 && p.q_len == 1 &&
	       v2p_msgid(&p, 1, false) == id + 1,
	       "total: the 4 fragments reassembled, the request answered");
	v2p_close(&p);
}

/* The IKE SA made by a rekey keeps fragmenting (negotiated once, RFC 7383 2.3). */
static void test_after_rekey(void)
{
	struct v2p_cfg cfg[2];
	struct v2_pair p;
	const struct v2_engine_stats *s0, *s1;
	uint64_t before;

	for (int i = 0; i < 2; i++) {
		v2p_cfg_init(&cfg[i], i, IKE, ESP);
		cfg[i].fragmentation = true;
		cfg[i].fragment_size = 160;
	}
	if (!tap_ok(v2p_open_cfg(&p, pool, cfg) == 0 && v2p_establish(&p) == 0,
		    "rekey: established with 160-octet fragments"))
		return;
	s0 = v2_engine_stats(p.s[0].eng);
	s1 = v2_engine_stats(p.s[1].eng);
	tap_ok(v2_engine_rekey_ike(p.s[0].eng, "lab") == 0, "rekey: IKE SA rekey started");
	v2p_run(&p);
	tap_ok(s0->ike_rekeyed == 1 && s1->ike_rekeyed == 1 && s1->messages_reassembled >= 2,
	       "rekey: the CREATE_CHILD_SA went in fragments and the IKE SA was replaced");
	before = s0->messages_fragmented;
	tap_ok(v2_engine_create_child(p.s[0].eng, "lab") == 0, "rekey: new child on the new IKE SA");
	v2p_run(&p);
	tap_ok(s0->messages_fragmented > before && s0->children_installed >= 2,
	       "rekey: the new IKE SA fragments too (%llu -> %llu), child installed",
	       (unsigned long long)before, (unsigned long long)s0->messages_fragmented);
	v2p_close(&p);
}

static void no_skf(const char *name, bool on0, bool on1)
{
	struct v2_pair p;
	size_t skf = 0, init_notify = 0;

	if (!tap_ok(open_pair(&p, IKE, on0, 160, on1, 160) == 0, "%s: pair open", name))
		return;
	v2_engine_up(p.s[0].eng, "lab");
	for (int guard = 0; guard < 64 && (p.q_len || job_pool_pending(pool)); guard++) {
		if (p.q_len) {
			skf += first_type(&p.q[0]) == V2_PT_SKF;
			/* responder's IKE_SA_INIT: the notify's type in clear (2.3) */
			if (exchange_of(&p.q[0]) == V2_EXCH_IKE_SA_INIT && p.q[0].from == 1 &&
			    memmem(p.q[0].data, p.q[0].len, "\x40\x2e", 2))
				init_notify++;
		}
		v2p_deliver(&p);
	}
	tap_ok(both_up(&p) && skf == 0 && init_notify == 0,
	       "%s: established without any SKF, the responder did not announce support", name);
	tap_ok(v2_engine_stats(p.s[0].eng)->messages_fragmented == 0 &&
	       v2_engine_stats(p.s[1].eng)->messages_fragmented == 0, "%s: nothing fragmented", name);
	v2p_close(&p);
}

int main(void)
{
	log_set_level(getenv("FRAG_DEBUG") ? LOG_LEVEL_DEBUG : LOG_LEVEL_ERROR);
	if (!tap_ok(job_pool_new(NULL, 1, &pool) == 0, "job pool"))
		return tap_done();
	test_in_order();
	test_reordered_duplicate_forged();
	test_lost_fragment();
	test_retransmitted_request_answered_once();
	test_too_many();
	test_total_changes();
	test_after_rekey();
	no_skf("responder off", true, false);
	no_skf("initiator off", false, true);
	job_pool_free(pool);
	return tap_done();
}
