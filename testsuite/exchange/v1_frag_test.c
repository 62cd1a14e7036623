/*
 * v1_frag_test.c - IKEv1 fragmentation (v1/v1_frag.h, the Cisco format)
 * between two in-process engines with RSA certificate chains from
 * testsuite/lib/make-pki.sh: side 0 initiates with the "peer" chain, side
 * 1 answers with the "gw" one.
 *
 * Asserted: both sides announce the FRAGMENTATION vendor ID; with a
 * fragment_size of 576 Main Mode 5/6 (Aggressive Mode 2/3) leave as
 * fragments no datagram of which passes 548 octets, and the SAs come up
 * with equal keys; fragments that come reversed or twice; a lost fragment
 * made good by the retransmission of every fragment under the same
 * Fragment ID (of a request, and of an answer resent for a duplicate);
 * the reassembly timer drops a partial message; a Fragment Number past 16,
 * a message past 64 KiB, a fragment for unknown cookies are refused;
 * behind a NAT the fragments go on port 4500 after the non-ESP marker,
 * which the 576-octet packets make room for; fragmentation = no on either
 * side: no fragments at all.
 */
#include <stdlib.h>
#include <string.h>

#include "common/cert.h"
#include "common/err.h"
#include "common/job.h"
#include "testsuite/lib/tap.h"
#include "testsuite/regress/v1_pair.h"
#include "testsuite/unit/common/pki_helper.h"
#include "v1/v1_msg.h"
#include "v1/v1_names.h"
#include "v1/v1_pubkey.h"

static struct job_pool *pool;

struct side {
	const char *cert, *key;
	bool frag;
	uint16_t fragment_size;
};

static const struct side peer_on = { "peer-rsa-chain.pem", "peer-rsa.key", true, 576 };
static const struct side gw_on = { "gw-rsa-chain.pem", "gw-rsa.key", true, 576 };

static struct v1_conn *make_conn(const struct v1_pair *p, int who, const struct side *s,
				 const struct v1p_opts *o)
{
	struct v1_conn *c = v1p_conn(p, who, o);
	struct v1_pubkey *pk = NULL;
	char why[256] = "";

	if (!c)
		return NULL;
	c->fragmentation = s->frag;
	c->fragment_size = s->fragment_size;
	if (v1_pubkey_new(&pk) < 0 || cert_chain_load_file(pki_path(s->cert), &pk->chain) < 0 ||
	    cert_key_load_file(pki_path(s->key), &pk->key, why, sizeof(why)) < 0 ||
	    cert_store_new(&pk->store) < 0 ||
	    cert_store_add_ca_dir(pk->store, pki_path("cacerts"), why, sizeof(why)) < 0 ||
	    v1_pubkey_attach(c, pk, why, sizeof(why)) < 0) {
		tap_diag("loading %s / %s: %s", s->cert, s->key, why);
		v1_pubkey_free(pk);
	}
	return c;
}

static int open_pair_opts(struct v1_pair *p, const struct side *s0, const struct side *s1,
			  const struct v1p_opts *o)
{
	const struct side *s[2] = { s0, s1 };
	int rc = v1p_open_opts(p, pool, o);

	for (int i = 0; rc == 0 && i < 2; i++) {
		struct v1_conn *c = make_conn(p, i, s[i], o);

		if (!c)
			return ERR_NOMEM;
		rc = v1_engine_set_conns(p->eng[i], &c, 1);
		v1_conn_unref(c);
	}
	return rc;
}

static int open_pair(struct v1_pair *p, const struct side *s0, const struct side *s1,
		     bool aggressive)
{
	struct v1p_opts o = { .aggressive = aggressive };

	return open_pair_opts(p, s0, s1, &o);
}

/* Where the ISAKMP header starts: after the non-ESP marker on the NAT-T port (RFC 3948 2.2). */
static size_t at(const struct v1p_pkt *k)
{
	return kernel_addr_port(&k->src) == 4500 && k->len > 4 ? 4 : 0;
}

static bool is_frag(const struct v1p_pkt *k)
{
	return k->len > at(k) + V1_HDR_LEN + 8 && k->data[at(k) + 16] == V1_P_FRAG;
}

/* The Fragment ID of a fragment on the wire. */
static unsigned frag_id(const struct v1p_pkt *k)
{
	return (unsigned)k->data[at(k) + V1_HDR_LEN + 4] << 8 | k->data[at(k) + V1_HDR_LEN + 5];
}

/* What to do, once, to the first run of fragments side `who` sends. */
enum mangle { M_NONE, M_REVERSE, M_DUP, M_DROP_SECOND, M_KEEP_FIRST_ONLY };

struct wire {
	size_t max_len;          /* longest datagram seen after the initiator's first */
	size_t first_len;        /* the initiator's first (AM1 cannot go in fragments) */
	unsigned frags[2];       /* fragments each side sent */
	unsigned first_id[2];    /* Fragment ID of each side's first fragment */
	unsigned frags_e;        /* fragments with the E flag in their header */
	unsigned frags_natt;     /* fragments on the NAT-T port, after the non-ESP marker */
	bool vid_frag[2];        /* each side's first message had the FRAGMENTATION VID */
	bool mangled;
};

/* The number of fragments from `who` at the head of the queue. */
static size_t head_run(const struct v1_pair *p, int who)
{
	size_t n = 0;

	while (n < p->q_len && p->q[n].from == who && is_frag(&p->q[n]))
		n++;
	return n;
}

static void mangle_head(struct v1_pair *p, size_t n, enum mangle m)
{
	struct v1p_pkt *tmp = malloc(sizeof(*tmp));

	if (!tmp)
		return;
	if (m == M_REVERSE) {
		for (size_t i = 0; i < n / 2; i++) {
			*tmp = p->q[i];
			p->q[i] = p->q[n - 1 - i];
			p->q[n - 1 - i] = *tmp;
		}
	} else if (m == M_DUP && p->q_len + n <= V1P_QMAX) {
		/* each fragment right after itself: f1 f1 f2 f2 ... */
		memmove(p->q + 2 * n, p->q + n, (p->q_len - n) * sizeof(p->q[0]));
		for (size_t i = n; i-- > 0;) {
			p->q[2 * i] = p->q[i];
			p->q[2 * i + 1] = p->q[i];
		}
		p->q_len += n;
	} else if (m == M_DROP_SECOND && n >= 2) {
		memmove(p->q + 1, p->q + 2, (p->q_len - 2) * sizeof(p->q[0]));
		p->q_len--;
	} else if (m == M_KEEP_FIRST_ONLY && n >= 2) {
		memmove(p->q + 1, p->q + n, (p->q_len - n) * sizeof(p->q[0]));
		p->q_len -= n - 1;
	}
	free(tmp);
}

static bool has_frag_vid(const struct v1p_pkt *k)
{
	struct v1_msg m;
	struct v1_err e = { 0 };

	if (v1_msg_parse(k->data, k->len, &m, &e) < 0)
		return false;
	for (unsigned i = 0; i < m.n; i++)
		if (m.pl[i].type == V1_P_VID && m.pl[i].body_len == 20 &&
		    v1_vid_classify(m.pl[i].body, m.pl[i].body_len, NULL) == V1_VID_FRAGMENTATION)
			return true;
	return false;
}

/* Deliver everything queued, watching the wire; the first fragment run of `who` is mangled. */
static void run_wire(struct v1_pair *p, struct wire *w, int who, enum mangle m)
{
	static bool seen_first[2];

	for (int i = 0; i < 256 && (p->q_len || job_pool_pending(p->pool)); i++) {
		size_t n;

		job_pool_drain(p->pool);
		if (!p->q_len)
			continue;
		n = head_run(p, who);
		if (!w->mangled && m != M_NONE && n >= 2) {
			mangle_head(p, n, m);
			w->mangled = true;
		}
		if (!seen_first[0] && p->q[0].from == 0)
			w->first_len = p->q[0].len;
		else if (p->q[0].len > w->max_len)
			w->max_len = p->q[0].len;
		if (is_frag(&p->q[0])) {
			if (!w->frags[p->q[0].from])
				w->first_id[p->q[0].from] = frag_id(&p->q[0]);
			w->frags[p->q[0].from]++;
			w->frags_e += (p->q[0].data[at(&p->q[0]) + 19] & V1_FLAG_ENCRYPTION) != 0;
			w->frags_natt += at(&p->q[0]) == 4 &&
					 memcmp(p->q[0].data, "\0\0\0\0", 4) == 0;
		}
		/* the first message of each side: its vendor IDs (cleartext, no responder cookie
		 * in MM1 / the first of side 1) */
		if (!at(&p->q[0]) && !(p->q[0].data[19] & V1_FLAG_ENCRYPTION) && !is_frag(&p->q[0]) &&
		    !seen_first[p->q[0].from]) {
			seen_first[p->q[0].from] = true;
			w->vid_frag[p->q[0].from] = has_frag_vid(&p->q[0]);
		}
		v1p_deliver(p);
	}
	seen_first[0] = seen_first[1] = false;
}

static bool both_up(struct v1_pair *p)
{
	unsigned est[2];

	v1p_count(p, 0, &est[0]);
	v1p_count(p, 1, &est[1]);
	return est[0] == 1 && est[1] == 1 && v1p_ipsec(p, 0) == 1 && v1p_ipsec(p, 1) == 1;
}

static const struct v1_counters *cnt(struct v1_pair *p, int i)
{
	return v1_engine_counters(p->eng[i]);
}

static bool initiate(struct v1_pair *p)
{
	char why[128];

	return v1_engine_initiate(p->eng[0], "lab", why, sizeof(why)) == 0;
}

static void test_fragmented(const char *what, bool aggressive, enum mangle m, int who)
{
	struct v1_pair p;
	struct wire w = { 0 };

	if (open_pair(&p, &peer_on, &gw_on, aggressive) < 0 || !initiate(&p)) {
		tap_ok(false, "%s: set up", what);
		v1p_close(&p);
		return;
	}
	run_wire(&p, &w, who, m);
	/* in Aggressive Mode the responder's first message (AM2) is itself in fragments */
	tap_ok(w.vid_frag[0] && (aggressive || w.vid_frag[1]), "%s: both sides announce "
	       "FRAGMENTATION", what);
	tap_ok(both_up(&p), "%s: ISAKMP SA and IPsec SA pair up on both sides", what);
	tap_ok(w.frags[0] >= 4 && w.frags[1] >= 4, "%s: both phase-1 messages with certificates "
	       "went as fragments (%u and %u)", what, w.frags[0], w.frags[1]);
	/* the first message goes whole: the responder's vendor ID is not known yet */
	tap_ok(w.max_len <= 576 - 28, "%s: no datagram past 548 octets after the first (longest "
	       "%zu, the first %zu)", what, w.max_len, w.first_len);
	tap_ok(cnt(&p, 0)->frag_messages_fragmented == 1 && cnt(&p, 1)->frag_messages_fragmented == 1,
	       "%s: one message fragmented by each side", what);
	tap_ok(w.frags_e == 0, "%s: no fragment header has the E flag (the payload is not "
	       "encrypted itself)", what);
	tap_ok(cnt(&p, 0)->frag_messages_reassembled == 1 && cnt(&p, 1)->frag_messages_reassembled == 1,
	       "%s: one message reassembled by each side", what);
	/* the copy of the last one comes after the message is whole: it starts anew */
	if (m == M_DUP)
		tap_ok(cnt(&p, !who)->frag_fragments_dropped == (uint64_t)w.frags[who] / 2 - 1 &&
		       cnt(&p, !who)->frag_fragments_received == (uint64_t)w.frags[who] / 2 + 1,
		       "%s: the second copies were dropped (%u fragments)", what, w.frags[who] / 2);
	v1p_close(&p);
}

/* A fragment of `who`'s message is lost; the retransmission of all of them completes it. */
static void test_lost(int who)
{
	const char *what = who ? "a fragment of MM6 lost" : "a fragment of MM5 lost";
	struct v1_pair p;
	struct wire w = { 0 };
	unsigned id0, sent0;

	if (open_pair(&p, &peer_on, &gw_on, false) < 0 || !initiate(&p)) {
		tap_ok(false, "%s: set up", what);
		v1p_close(&p);
		return;
	}
	run_wire(&p, &w, who, M_DROP_SECOND);
	tap_ok(!both_up(&p), "%s: not up without it", what);
	tap_ok(cnt(&p, !who)->frag_messages_reassembled == 0 &&
	       cnt(&p, !who)->frag_fragments_received >= 3, "%s: the receiver holds a partial "
	       "message", what);
	id0 = w.first_id[who];
	sent0 = w.frags[who];
	memset(&w, 0, sizeof(w));
	w.mangled = true;
	/* the initiator retransmits MM5 (every fragment); for a lost MM6 fragment the
	 * responder answers that duplicate with MM6 again, every fragment */
	tap_eq_int(v1_engine_timeout_all(p.eng[0]), 1, "%s: MM5 retransmitted", what);
	run_wire(&p, &w, 0, M_NONE);
	tap_ok(both_up(&p), "%s: up after the retransmission", what);
	tap_ok(w.frags[who] == sent0 + 1 && w.first_id[who] == id0,
	       "%s: all %u fragments resent under the same Fragment ID %u", what, sent0 + 1, id0);
	tap_ok(cnt(&p, who)->frag_messages_fragmented == 1, "%s: still one message fragmented", what);
	if (who)
		tap_ok(cnt(&p, 1)->duplicates == 1, "%s: the reassembled MM5 was a duplicate", what);
	v1p_close(&p);
}

/* Only fragment 1 of MM5 arrives; the reassembly timer drops it. */
static void test_timeout(void)
{
	struct v1_pair p;
	struct wire w = { 0 };

	if (open_pair(&p, &peer_on, &gw_on, false) < 0 || !initiate(&p)) {
		tap_ok(false, "timeout: set up");
		v1p_close(&p);
		return;
	}
	run_wire(&p, &w, 0, M_KEEP_FIRST_ONLY);
	tap_eq_int((long long)cnt(&p, 1)->frag_fragments_received, 1, "timeout: one fragment held");
	tap_eq_int(v1_engine_fire_timers(p.eng[1], V1_TIMER_FRAG), 1, "timeout: the reassembly "
		   "timer was armed and fires");
	tap_eq_int((long long)cnt(&p, 1)->frag_fragments_dropped, 1, "timeout: the held fragment "
		   "dropped");
	tap_eq_int(v1_engine_fire_timers(p.eng[1], V1_TIMER_FRAG), 0, "timeout: nothing left armed");
	v1_engine_timeout_all(p.eng[0]);
	memset(&w, 0, sizeof(w));
	run_wire(&p, &w, 0, M_NONE);
	tap_ok(both_up(&p), "timeout: the retransmission completes it");
	v1p_close(&p);
}

/* Refusals: stop before MM5 is delivered, then feed crafted fragments to the responder. */
static void test_refused(void)
{
	struct v1_pair p;
	struct v1p_pkt *k = malloc(sizeof(*k));
	uint8_t *big = malloc(5000 + V1_HDR_LEN + 8);
	uint64_t dropped;
	bool stopped = false;

	if (!k || !big || open_pair(&p, &peer_on, &gw_on, false) < 0 || !initiate(&p)) {
		tap_ok(false, "refused: set up");
		free(k);
		free(big);
		return;
	}
	for (int i = 0; i < 64 && !stopped && (p.q_len || job_pool_pending(p.pool)); i++) {
		job_pool_drain(p.pool);
		if (p.q_len && is_frag(&p.q[0])) {
			stopped = true;
			break;
		}
		v1p_deliver(&p);
	}
	tap_ok(stopped, "refused: MM5 fragments queued");
	if (!stopped) {
		v1p_close(&p);
		free(k);
		free(big);
		return;
	}
	*k = p.q[0];
	p.q_len = 0;

	dropped = cnt(&p, 1)->frag_fragments_dropped;
	k->data[V1_HDR_LEN + 6] = 17;
	tap_ok(v1p_inject(&p, 1, k->data, k->len) < 0 &&
	       cnt(&p, 1)->frag_fragments_dropped == dropped + 1,
	       "refused: Fragment Number 17 (past 16 per message)");
	k->data[V1_HDR_LEN + 6] = 0;
	tap_ok(v1p_inject(&p, 1, k->data, k->len) < 0, "refused: Fragment Number 0");
	k->data[V1_HDR_LEN + 6] = 1;
	k->data[3] ^= 0x5a; /* another initiator cookie */
	tap_ok(v1p_inject(&p, 1, k->data, k->len) < 0 && cnt(&p, 1)->frag_fragments_received == 0,
	       "refused: a fragment for cookies of no SA");
	k->data[3] ^= 0x5a;
	k->data[V1_HDR_LEN + 3] ^= 1; /* payload length one off */
	tap_ok(v1p_inject(&p, 1, k->data, k->len) < 0, "refused: payload length not the datagram's");
	k->data[V1_HDR_LEN + 3] ^= 1;

	/* 13 fragments of 5,000 octets pass, the 14th would make the message past 64 KiB */
	memcpy(big, k->data, V1_HDR_LEN + 8);
	memset(big + V1_HDR_LEN + 8, 0xab, 5000);
	big[24] = 0, big[25] = 0, big[26] = (uint8_t)((5000 + V1_HDR_LEN + 8) >> 8);
	big[27] = (uint8_t)(5000 + V1_HDR_LEN + 8);
	big[V1_HDR_LEN + 2] = (uint8_t)((5000 + 8) >> 8), big[V1_HDR_LEN + 3] = (uint8_t)(5000 + 8);
	big[V1_HDR_LEN + 4] = 0x77; /* a new Fragment ID */
	big[V1_HDR_LEN + 7] = 0;
	for (unsigned n = 1; n <= 13; n++) {
		big[V1_HDR_LEN + 6] = (uint8_t)n;
		v1p_inject(&p, 1, big, 5000 + V1_HDR_LEN + 8);
	}
	tap_eq_int((long long)cnt(&p, 1)->frag_fragments_received, 13, "refused: 13 big fragments held");
	big[V1_HDR_LEN + 6] = 14;
	dropped = cnt(&p, 1)->frag_fragments_dropped;
	tap_ok(v1p_inject(&p, 1, big, 5000 + V1_HDR_LEN + 8) < 0 &&
	       cnt(&p, 1)->frag_fragments_dropped == dropped + 14,
	       "refused: the 14th (past 64 KiB) refused, the 13 held thrown away");
	tap_eq_int(v1_engine_fire_timers(p.eng[1], V1_TIMER_FRAG), 0,
		   "refused: no partial message left to time out");
	/* a last fragment numbered below one held, then a second last one */
	big[V1_HDR_LEN + 4] = 0x78;
	big[V1_HDR_LEN + 6] = 3;
	v1p_inject(&p, 1, big, 5000 + V1_HDR_LEN + 8);
	big[V1_HDR_LEN + 6] = 2, big[V1_HDR_LEN + 7] = 1;
	tap_ok(v1p_inject(&p, 1, big, 5000 + V1_HDR_LEN + 8) < 0,
	       "refused: a last fragment numbered below one held");
	v1p_close(&p);
	free(k);
	free(big);
}

/*
 * Side 0 behind a NAT: MM5/MM6 go on port 4500, each fragment after the
 * non-ESP marker, and the 576-octet packets hold 544 octets of ISAKMP.
 */
static void test_nat(void)
{
	struct v1p_opts o = { .nat = true };
	struct v1_pair p;
	struct wire w = { 0 };

	if (open_pair_opts(&p, &peer_on, &gw_on, &o) < 0 || !initiate(&p)) {
		tap_ok(false, "NAT: set up");
		v1p_close(&p);
		return;
	}
	run_wire(&p, &w, 0, M_NONE);
	tap_ok(both_up(&p), "NAT: up on both sides");
	tap_ok(w.frags[0] >= 4 && w.frags[1] >= 4 && w.frags_natt == w.frags[0] + w.frags[1],
	       "NAT: MM5 and MM6 fragments (%u, %u) all on port 4500 after the non-ESP marker",
	       w.frags[0], w.frags[1]);
	tap_ok(w.max_len == 576 - 28, "NAT: 548-octet datagrams at most: marker + 544 of ISAKMP "
	       "(longest %zu)", w.max_len);
	v1p_close(&p);
}

/* fragmentation = no on one side: no vendor ID from it, no fragments either way. */
static void test_off(int off)
{
	struct side s[2] = { peer_on, gw_on };
	struct v1_pair p;
	struct wire w = { 0 };

	s[off].frag = false;
	if (open_pair(&p, &s[0], &s[1], false) < 0 || !initiate(&p)) {
		tap_ok(false, "off on side %d: set up", off);
		v1p_close(&p);
		return;
	}
	run_wire(&p, &w, 0, M_NONE);
	tap_ok(!w.vid_frag[off] && w.vid_frag[!off], "off on side %d: only the other announces "
	       "FRAGMENTATION", off);
	tap_ok(w.frags[0] == 0 && w.frags[1] == 0 && w.max_len > 1500,
	       "off on side %d: no fragments, MM5/MM6 whole (longest %zu)", off, w.max_len);
	tap_ok(both_up(&p), "off on side %d: up (no path here drops IP fragments)", off);
	tap_ok(cnt(&p, 0)->frag_messages_fragmented == 0 && cnt(&p, 1)->frag_messages_fragmented == 0,
	       "off on side %d: counters stay 0", off);
	v1p_close(&p);
}

int main(void)
{
	int rc = pki_start();

	if (rc >= 0)
		return rc;
	if (job_pool_new(NULL, 2, &pool) < 0) {
		tap_ok(false, "job pool");
		return tap_done();
	}
	test_fragmented("Main Mode", false, M_NONE, 0);
	test_fragmented("Aggressive Mode", true, M_NONE, 0);
	test_fragmented("MM5 fragments reversed", false, M_REVERSE, 0);
	test_fragmented("MM6 fragments reversed", false, M_REVERSE, 1);
	test_fragmented("MM5 fragments twice", false, M_DUP, 0);
	test_lost(0);
	test_lost(1);
	test_timeout();
	test_refused();
	test_nat();
	test_off(0);
	test_off(1);
	(void)pki_read_file;
	job_pool_free(pool);
	pki_remove();
	return tap_done();
}
