/*
 * v2_regress_test.c - the IKEv2 side of issue 7's regression list: the bug
 * classes behind the anchors' CVEs, each driven through two real engines
 * (v2_pair.h) with crafted or sealed messages. Each case asserts the RFC's
 * answer or a silent drop, a counter that moved, no state change, and (with
 * --enable-asan) no sanitizer report.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "common/job.h"
#include "common/kernel.h"
#include "common/log.h"
#include "testsuite/lib/tap.h"
#include "testsuite/regress/v2_pair.h"
#include "v2/v2_msg.h"
#include "v2/v2_names.h"

#define IKE_X25519 "aes128-sha256-prfsha256-x25519-modp2048-ecp256"

static struct job_pool *pool;
static struct v2_pair P;
static uint8_t buf[70000], sealed[V2P_PKT_MAX + 256];

/* ---- a tiny builder for crafted messages (network order by hand) ---- */
struct bld {
	uint8_t *b;
	size_t n;
};

static void put8(struct bld *w, unsigned v) { w->b[w->n++] = (uint8_t)v; }
static void put16(struct bld *w, unsigned v) { put8(w, v >> 8); put8(w, v & 0xff); }
static void put32(struct bld *w, uint32_t v) { put16(w, v >> 16); put16(w, v & 0xffff); }
static void putn(struct bld *w, const void *d, size_t n) { memcpy(w->b + w->n, d, n); w->n += n; }
static void fill(struct bld *w, uint8_t v, size_t n) { memset(w->b + w->n, v, n); w->n += n; }
static void patch16(struct bld *w, size_t at, size_t v)
{
	w->b[at] = (uint8_t)(v >> 8);
	w->b[at + 1] = (uint8_t)v;
}

/* Generic payload header; returns its offset for patch_len(). */
static size_t pl_start(struct bld *w, uint8_t next)
{
	size_t at = w->n;

	put8(w, next);
	put8(w, 0);
	put16(w, 0);
	return at;
}

static void pl_end(struct bld *w, size_t at) { patch16(w, at + 2, w->n - at); }

struct xf {
	uint8_t type;
	uint16_t id;
	uint16_t keylen; /* 0: no attribute */
};

/* SA payload with one proposal. */
static void put_sa(struct bld *w, uint8_t next, uint8_t proto, uint32_t spi,
		   const struct xf *x, size_t n)
{
	size_t sa = pl_start(w, next), prop = w->n;

	put8(w, 0);
	put8(w, 0);
	put16(w, 0);
	put8(w, 1);
	put8(w, proto);
	put8(w, spi ? 4 : 0);
	put8(w, (unsigned)n);
	if (spi)
		put32(w, spi);
	for (size_t i = 0; i < n; i++) {
		size_t t = w->n;

		put8(w, i + 1 < n ? 3 : 0);
		put8(w, 0);
		put16(w, 0);
		put8(w, x[i].type);
		put8(w, 0);
		put16(w, x[i].id);
		if (x[i].keylen) {
			put16(w, 0x800e);
			put16(w, x[i].keylen);
		}
		patch16(w, t + 2, w->n - t);
	}
	patch16(w, prop + 2, w->n - prop);
	pl_end(w, sa);
}

static void put_ts(struct bld *w, uint8_t next, unsigned count, const char *net)
{
	size_t at = pl_start(w, next);
	struct in_addr a;

	put8(w, count);
	fill(w, 0, 3);
	if (count) {
		inet_pton(AF_INET, net, &a);
		put8(w, 7);
		put8(w, 0);
		put16(w, 16);
		put16(w, 0);
		put16(w, 65535);
		putn(w, &a, 4);
		a.s_addr = htonl(ntohl(a.s_addr) | 0xffff);
		putn(w, &a, 4);
	}
	pl_end(w, at);
}

static const struct xf ike_ok[] = { { 1, 12, 128 }, { 2, 5, 0 }, { 3, 12, 0 }, { 4, 31, 0 } };

/* An IKE_SA_INIT request: SA(x) KE(group, ke) Ni. */
static size_t init_req(const struct xf *x, size_t nx, uint16_t group, const uint8_t *ke,
		       size_t ke_len, uint8_t spi_byte)
{
	struct bld w = { buf, 0 };
	size_t at;

	fill(&w, spi_byte, 8);
	fill(&w, 0, 8);
	put8(&w, V2_PT_SA);
	put8(&w, 0x20);
	put8(&w, V2_EXCH_IKE_SA_INIT);
	put8(&w, V2_FLAG_INITIATOR);
	put32(&w, 0);
	put32(&w, 0);
	put_sa(&w, V2_PT_KE, V2_PROTO_IKE, 0, x, nx);
	at = pl_start(&w, V2_PT_NONCE);
	put16(&w, group);
	put16(&w, 0);
	putn(&w, ke, ke_len);
	pl_end(&w, at);
	at = pl_start(&w, 0);
	fill(&w, 0x33, 32);
	pl_end(&w, at);
	buf[24] = (uint8_t)(w.n >> 24);
	buf[25] = (uint8_t)(w.n >> 16);
	buf[26] = (uint8_t)(w.n >> 8);
	buf[27] = (uint8_t)w.n;
	return w.n;
}

/* ---- looking at what the responder did ---- */
static uint64_t drops(int i)
{
	const struct v2_engine_stats *s = v2_engine_stats(P.s[i].eng);

	return s->dropped_malformed + s->dropped_integrity + s->dropped_no_sa + s->dropped_msgid +
	       s->dropped_unexpected + s->dropped_busy;
}

/* The notify type of the last datagram side `from` queued; 0: none, -1: nothing queued. */
static int last_notify(int from, bool *has_sa)
{
	static struct v2_msg m;

	*has_sa = false;
	for (size_t k = P.q_len; k-- > 0;) {
		if (P.q[k].from != from)
			continue;
		if (v2_msg_parse(&m, P.q[k].data, P.q[k].len) < 0)
			return 0;
		*has_sa = v2_msg_find(&m, V2_PT_SA) != NULL;
		for (size_t j = 0; j < m.n; j++)
			if (m.pl[j].type == V2_PT_N && m.pl[j].body.len >= 4)
				return m.pl[j].body.p[2] << 8 | m.pl[j].body.p[3];
		return 0;
	}
	return -1;
}

static void open_pair(void)
{
	if (v2p_open(&P, pool, IKE_X25519, "aes128-sha256") < 0)
		abort();
}

/* ---- proposals (strongSwan CVE-2009-1957-like NULL KE; RFC 7296 3.3) ---- */
static void proposal_case(const char *what, const struct xf *x, size_t nx, uint16_t group)
{
	uint8_t ke[32];
	int n;
	bool has_sa;

	memset(ke, 9, sizeof(ke));
	open_pair();
	v2p_inject(&P, 1, buf, init_req(x, nx, group, ke, sizeof(ke), 0x11));
	n = last_notify(1, &has_sa);
	tap_eq_int(n, V2_N_NO_PROPOSAL_CHOSEN, "%s: answered NO_PROPOSAL_CHOSEN (RFC 7296 2.7)", what);
	tap_ok(!has_sa, "%s: no SA payload chosen", what);
	tap_eq_int((long long)v2_engine_count_sas(P.s[1].eng), 0, "%s: no state kept", what);
	v2p_close(&P);
}

static void test_proposals(void)
{
	static const struct xf no_ke[] = { { 1, 12, 128 }, { 2, 5, 0 }, { 3, 12, 0 } };
	static const struct xf ke1025[] = { { 1, 12, 128 }, { 2, 5, 0 }, { 3, 12, 0 }, { 4, 1025, 0 } };
	static const struct xf aead_integ[] = { { 1, 20, 128 }, { 2, 5, 0 }, { 3, 12, 0 }, { 4, 31, 0 } };
	static const struct xf no_prf[] = { { 1, 12, 128 }, { 3, 12, 0 }, { 4, 31, 0 } };
	static const struct xf zero_keylen[] = { { 1, 12, 0 }, { 2, 5, 0 }, { 3, 12, 0 }, { 4, 31, 0 } };

	proposal_case("IKE proposal without a KE transform", no_ke, 3, 31);
	proposal_case("IKE proposal with KE 1025 only", ke1025, 4, 1025);
	proposal_case("AEAD with an integrity transform", aead_integ, 4, 31);
	proposal_case("IKE proposal without a PRF", no_prf, 3, 31);
	/* RFC 7296 3.3.5: AES-CBC without a Key Length attribute MUST be rejected */
	proposal_case("AES-CBC without a Key Length attribute", zero_keylen, 4, 31);
}

/* ---- KE payload values (RFC 7296 3.4, RFC 8031 2, RFC 5903 / SP 800-56A checks) ---- */
static void ke_case(const char *what, uint16_t group, const uint8_t *ke, size_t len)
{
	static const struct xf x[] = { { 1, 12, 128 }, { 2, 5, 0 }, { 3, 12, 0 }, { 4, 0, 0 } };
	struct xf xs[4];
	bool has_sa;
	int n;

	memcpy(xs, x, sizeof(xs));
	xs[3].id = group;
	open_pair();
	v2p_inject(&P, 1, buf, init_req(xs, 4, group, ke, len, 0x22));
	v2p_inject(&P, 1, buf, buf[27] | (size_t)buf[26] << 8); /* and once again */
	n = last_notify(1, &has_sa);
	tap_ok(n == -1 || (n > 0 && n < 16384 && !has_sa),
	       "%s: silent drop or an error notify (got %d%s)", what, n, has_sa ? ", with SA" : "");
	tap_eq_int((long long)v2_engine_count_sas(P.s[1].eng), 0, "%s: no IKE SA kept", what);
	tap_ok(drops(1) + v2_engine_stats(P.s[1].eng)->notifies_sent + v2_engine_stats(P.s[1].eng)->ike_failed > 0,
	       "%s: a counter moved", what);
	v2p_close(&P);
}

static void test_ke_values(void)
{
	static uint8_t v[1024];
	/* the 2048-bit MODP prime (RFC 3526 3) minus 1 ends in ...FE; leading FFs */
	static const uint8_t p2048_head[8] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

	memset(v, 0, sizeof(v));
	ke_case("x25519 KE of 31 octets", 31, v + 1, 31);
	memset(v, 7, 64);
	ke_case("x25519 KE of 33 octets", 31, v, 33);
	memset(v, 0, sizeof(v));
	ke_case("x25519 all-zero KE (low order, RFC 8031 2.3)", 31, v, 32);
	ke_case("modp2048 KE of 0 octets", 14, v, 0);
	ke_case("modp2048 all-zero KE", 14, v, 256);
	memset(v, 0xff, 256);
	memcpy(v, p2048_head, 8);
	v[255] = 0xfe;
	ke_case("modp2048 KE p-1", 14, v, 256); /* the prime ends in FF..FF, so p-1 ends FE */
	v[255] = 0xff;
	ke_case("modp2048 KE p", 14, v, 256);
	ke_case("modp2048 KE of 257 octets", 14, v, 257);
	v[0] = 0;
	memset(v, 0, 64);
	ke_case("ecp256 point at infinity (all zero)", 19, v, 64);
	ke_case("ecp256 KE of 63 octets", 19, v, 63);
	memset(v, 0xff, 64);
	ke_case("ecp256 point off the curve", 19, v, 64);
}

/* ---- framing: huge lengths, chains that loop or end early, 64 KiB, IKEv1 payloads ---- */
static void framing_case(const char *what, size_t len)
{
	uint64_t before;

	open_pair();
	before = v2_engine_stats(P.s[1].eng)->dropped_malformed;
	v2p_inject(&P, 1, buf, len);
	tap_ok(v2_engine_stats(P.s[1].eng)->dropped_malformed > before, "%s: dropped as malformed", what);
	tap_eq_int((long long)v2_engine_count_sas(P.s[1].eng), 0, "%s: no SA", what);
	tap_eq_int((long long)P.sent[1], 0, "%s: nothing answered", what);
	v2p_close(&P);
}

static void set_len32(size_t at, uint32_t v)
{
	buf[at] = (uint8_t)(v >> 24);
	buf[at + 1] = (uint8_t)(v >> 16);
	buf[at + 2] = (uint8_t)(v >> 8);
	buf[at + 3] = (uint8_t)v;
}

static void test_framing(void)
{
	uint8_t ke[32];
	size_t n;

	memset(ke, 9, sizeof(ke));
	n = init_req(ike_ok, 4, 31, ke, 32, 0x33);
	set_len32(24, 0xffffffffu);
	framing_case("header length 0xFFFFFFFF", n);
	n = init_req(ike_ok, 4, 31, ke, 32, 0x33);
	buf[28 + 2] = 0xff, buf[28 + 3] = 0xff;
	framing_case("SA payload length 0xFFFF", n);
	n = init_req(ike_ok, 4, 31, ke, 32, 0x33);
	buf[28 + 2] = 0, buf[28 + 3] = 0;
	framing_case("SA payload length 0 (a chain that would loop)", n);
	n = init_req(ike_ok, 4, 31, ke, 32, 0x33);
	buf[28 + 2] = 0, buf[28 + 3] = 3;
	framing_case("payload length 3, under the generic header", n);
	n = init_req(ike_ok, 4, 31, ke, 32, 0x33) - 36; /* drop the Nonce: KE still names it */
	set_len32(24, (uint32_t)n);
	framing_case("chain ends early (next payload names a missing one)", n);
	n = init_req(ike_ok, 4, 31, ke, 32, 0x33);
	buf[16] = 1; /* first payload: IKEv1 SA */
	framing_case("IKEv1 SA payload (type 1) in IKE_SA_INIT", n);
	n = init_req(ike_ok, 4, 31, ke, 32, 0x33);
	buf[16] = 130; /* IKEv1 NAT-D draft number */
	framing_case("IKEv1 private payload 130 in IKE_SA_INIT", n);
	memset(buf, 0, 65536);
	n = init_req(ike_ok, 4, 31, ke, 32, 0x33);
	memset(buf + n, 0, 65536 - n);
	set_len32(24, 65536);
	framing_case("64 KiB datagram, zeros after the chain", 65536);
	n = init_req(ike_ok, 4, 31, ke, 32, 0x33);
	set_len32(24, 65535);
	framing_case("header length larger than the datagram", n);
}

/* ---- protected messages to a live SA ---- */
static int seal_to(int to, uint8_t exch, uint32_t msgid, uint8_t first, const uint8_t *in,
		   size_t in_len, size_t *len)
{
	return v2p_seal(&P, to, exch, false, msgid, first, in, in_len, sealed, sizeof(sealed), len);
}

static void test_info_before_auth(void)
{
	uint8_t del[4] = { 0, 0, 0, 0 };
	struct bld w = { del, 0 };
	size_t len = 0;
	uint64_t before;

	put8(&w, V2_PROTO_IKE), put8(&w, 0), put16(&w, 0);
	open_pair();
	v2_engine_up(P.s[0].eng, "lab");
	v2p_deliver(&P);
	v2p_deliver(&P); /* the responder has keys, the IKE_AUTH request is queued */
	tap_eq_str(v2p_state(&P, 1), "R_INIT_DONE", "info before auth: responder waits for IKE_AUTH");
	before = drops(1);
	{
		/* a Delete of the IKE SA inside */
		uint8_t inner[8];
		struct bld b = { inner, 0 };
		size_t at = pl_start(&b, 0);

		putn(&b, del, 4);
		pl_end(&b, at);
		tap_eq_int(seal_to(1, V2_EXCH_INFORMATIONAL, 1, V2_PT_D, inner, b.n, &len), 0,
			   "info before auth: sealed with the half-open SA's keys");
	}
	v2p_inject(&P, 1, sealed, len);
	tap_ok(drops(1) > before, "info before auth: encrypted INFORMATIONAL dropped (RFC 7296 1.4 needs IKE_AUTH first)");
	tap_eq_str(v2p_state(&P, 1), "R_INIT_DONE", "info before auth: state unchanged");
	tap_eq_int((long long)v2_engine_stats(P.s[1].eng)->deletes_received, 0,
		   "info before auth: the Delete inside was not acted on");
	v2p_run(&P);
	tap_eq_int(P.s[1].established, 1, "info before auth: the real IKE_AUTH still establishes");
	v2p_close(&P);
}

static void test_after_delete(void)
{
	uint8_t inner[16], later[V2P_PKT_MAX];
	struct bld b = { inner, 0 };
	size_t at, len = 0, later_len = 0;
	uint64_t before;

	open_pair();
	tap_eq_int(v2p_establish(&P), 0, "delete then more: established");
	/* sealed before the Delete, injected after it */
	seal_to(1, V2_EXCH_INFORMATIONAL, v2p_msgid(&P, 1, false) + 1, V2_PT_NONE, NULL, 0, &later_len);
	memcpy(later, sealed, later_len);
	at = pl_start(&b, 0);
	put8(&b, V2_PROTO_IKE), put8(&b, 0), put16(&b, 0);
	pl_end(&b, at);
	seal_to(1, V2_EXCH_INFORMATIONAL, v2p_msgid(&P, 1, false), V2_PT_D, inner, b.n, &len);
	v2p_inject(&P, 1, sealed, len);
	tap_eq_int((long long)v2_engine_count_sas(P.s[1].eng), 0, "delete then more: IKE SA deleted");
	tap_eq_int((long long)kernel_count_sas(P.s[1].kernel), 0, "delete then more: child SAs gone");
	before = v2_engine_stats(P.s[1].eng)->dropped_no_sa;
	v2p_inject(&P, 1, later, later_len);
	tap_eq_int((long long)(v2_engine_stats(P.s[1].eng)->dropped_no_sa - before), 1,
		   "delete then more: the next message finds no SA, dropped");
	v2p_inject(&P, 1, sealed, len);
	tap_eq_int((long long)(v2_engine_stats(P.s[1].eng)->dropped_no_sa - before), 2,
		   "delete then more: the Delete replayed, dropped");
	tap_eq_int((long long)v2_engine_count_sas(P.s[1].eng), 0, "delete then more: no SA reborn");
	v2p_close(&P);
}

/* Established pair; an inner chain sealed to the responder; state must stay. */
static void sealed_case(const char *what, uint8_t exch, uint8_t first, const uint8_t *in,
			size_t in_len, bool expect_answer)
{
	size_t len = 0, sent;
	uint64_t d, n;

	open_pair();
	v2p_establish(&P);
	P.q_len = 0;
	sent = P.sent[1];
	d = drops(1);
	n = v2_engine_stats(P.s[1].eng)->notifies_sent;
	seal_to(1, exch, v2p_msgid(&P, 1, false), first, in, in_len, &len);
	v2p_inject(&P, 1, sealed, len);
	if (expect_answer)
		tap_ok(P.sent[1] > sent, "%s: answered", what);
	else
		tap_ok(drops(1) > d || v2_engine_stats(P.s[1].eng)->notifies_sent > n,
		       "%s: dropped or refused (a counter moved)", what);
	tap_eq_str(v2p_state(&P, 1), "ESTABLISHED", "%s: IKE SA still established", what);
	tap_eq_int((long long)kernel_count_sas(P.s[1].kernel), 2, "%s: child SAs unchanged", what);
	tap_eq_int((long long)v2_engine_count_sas(P.s[1].eng), 1, "%s: one IKE SA", what);
	/* still answers a liveness check with the next message ID */
	P.q_len = 0;
	seal_to(1, V2_EXCH_INFORMATIONAL, v2p_msgid(&P, 1, false), V2_PT_NONE, NULL, 0, &len);
	sent = P.sent[1];
	v2p_inject(&P, 1, sealed, len);
	tap_ok(P.sent[1] == sent + 1, "%s: then answers a liveness check", what);
	v2p_close(&P);
}

static size_t ccsa_rekey(uint8_t *out, uint8_t proto, uint8_t spi_size)
{
	static const struct xf esp[] = { { 1, 12, 128 }, { 3, 12, 0 }, { 5, 0, 0 } };
	struct bld w = { out, 0 };
	size_t at = pl_start(&w, V2_PT_SA);

	put8(&w, proto);
	put8(&w, spi_size);
	put16(&w, V2_N_REKEY_SA);
	fill(&w, 0x42, spi_size);
	pl_end(&w, at);
	put_sa(&w, V2_PT_NONCE, V2_PROTO_ESP, 0x01020304, esp, 3);
	at = pl_start(&w, V2_PT_TSI);
	fill(&w, 0x44, 32);
	pl_end(&w, at);
	put_ts(&w, V2_PT_TSR, 1, "10.1.0.0");
	put_ts(&w, 0, 1, "10.2.0.0");
	return w.n;
}

static void test_sealed_bodies(void)
{
	uint8_t in[512];
	struct bld w = { in, 0 };
	size_t at, n;

	n = ccsa_rekey(in, 0, 0);
	sealed_case("REKEY_SA with protocol ID 0", V2_EXCH_CREATE_CHILD_SA, V2_PT_N, in, n, true);
	n = ccsa_rekey(in, V2_PROTO_IKE, 0);
	sealed_case("REKEY_SA with protocol ID 1", V2_EXCH_CREATE_CHILD_SA, V2_PT_N, in, n, true);
	n = ccsa_rekey(in, V2_PROTO_IKE, 8);
	sealed_case("REKEY_SA with protocol ID 1 and an 8-octet SPI", V2_EXCH_CREATE_CHILD_SA, V2_PT_N, in, n, true);
	n = ccsa_rekey(in, V2_PROTO_ESP, 4);
	sealed_case("REKEY_SA of an ESP SPI that does not exist", V2_EXCH_CREATE_CHILD_SA, V2_PT_N, in, n, true);

	w.n = 0;
	at = pl_start(&w, 0);
	put8(&w, 1), put8(&w, 0), put16(&w, 0);
	pl_end(&w, at);
	sealed_case("IKEv1 payload type 1 inside SK", V2_EXCH_INFORMATIONAL, 1, in, w.n, false);
	sealed_case("IKEv1 payload type 8 (HASH) inside SK", V2_EXCH_INFORMATIONAL, 8, in, w.n, false);
	w.n = 0;
	at = pl_start(&w, V2_PT_N);
	pl_end(&w, at);
	in[2] = 0, in[3] = 0;
	sealed_case("inner payload of length 0", V2_EXCH_INFORMATIONAL, V2_PT_N, in, 4, false);
	in[0] = V2_PT_N, in[2] = 0, in[3] = 4;
	sealed_case("inner chain that ends early", V2_EXCH_INFORMATIONAL, V2_PT_N, in, 4, false);
	w.n = 0;
	at = pl_start(&w, 0);
	put8(&w, V2_PROTO_ESP), put8(&w, 4), put16(&w, 0xffff);
	pl_end(&w, at);
	sealed_case("Delete claiming 65535 SPIs", V2_EXCH_INFORMATIONAL, V2_PT_D, in, w.n, false);
	w.n = 0;
	put_ts(&w, V2_PT_TSR, 0, NULL);
	put_ts(&w, 0, 1, "10.2.0.0");
	sealed_case("CREATE_CHILD_SA TS with zero selectors", V2_EXCH_CREATE_CHILD_SA, V2_PT_TSI, in, w.n, false);
	w.n = 0;
	put_ts(&w, V2_PT_TSR, 1, "10.1.0.0");
	in[4 + 4 + 2] = 0, in[4 + 4 + 3] = 17; /* selector length 17 */
	put_ts(&w, 0, 1, "10.2.0.0");
	sealed_case("CREATE_CHILD_SA TS selector with a bad length", V2_EXCH_CREATE_CHILD_SA, V2_PT_TSI, in, w.n, false);
	sealed_case("IKE_AUTH again on an established SA", V2_EXCH_IKE_AUTH, V2_PT_NONE, NULL, 0, false);
	sealed_case("IKE_SA_INIT exchange type sealed", V2_EXCH_IKE_SA_INIT, V2_PT_NONE, NULL, 0, false);
}

/* IKE_AUTH with bad traffic selectors to a responder in R_INIT_DONE. */
static void auth_ts_case(const char *what, unsigned tsi_count, bool bad_len)
{
	static const struct xf esp[] = { { 1, 12, 128 }, { 3, 12, 0 }, { 5, 0, 0 } };
	uint8_t in[512];
	struct bld w = { in, 0 };
	size_t at, len = 0;

	open_pair();
	v2_engine_up(P.s[0].eng, "lab");
	v2p_deliver(&P);
	v2p_deliver(&P);
	P.q_len = 0;
	at = pl_start(&w, V2_PT_AUTH);
	put8(&w, V2_ID_FQDN), fill(&w, 0, 3), putn(&w, "peer.example.org", 16);
	pl_end(&w, at);
	at = pl_start(&w, V2_PT_SA);
	put8(&w, 2), fill(&w, 0, 3), fill(&w, 0x5a, 32);
	pl_end(&w, at);
	put_sa(&w, V2_PT_TSI, V2_PROTO_ESP, 0x0a0b0c0d, esp, 3);
	at = w.n;
	put_ts(&w, V2_PT_TSR, tsi_count, "10.1.0.0");
	if (bad_len)
		in[at + 8 + 2] = 0, in[at + 8 + 3] = 200;
	put_ts(&w, 0, 1, "10.2.0.0");
	seal_to(1, V2_EXCH_IKE_AUTH, 1, V2_PT_IDI, in, w.n, &len);
	v2p_inject(&P, 1, sealed, len);
	tap_eq_int(P.s[1].established, 0, "%s: nothing established", what);
	tap_eq_int((long long)kernel_count_sas(P.s[1].kernel), 0, "%s: no kernel SA", what);
	tap_ok(v2_engine_count_sas(P.s[1].eng) <= 1, "%s: no extra SA", what);
	v2p_close(&P);
}

int main(void)
{
	log_set_level(getenv("V2_TEST_DEBUG") ? LOG_LEVEL_DEBUG : LOG_LEVEL_ERROR);
	if (job_pool_new(NULL, 1, &pool))
		return tap_skip_all("no job pool");
	test_proposals();
	test_ke_values();
	test_framing();
	test_info_before_auth();
	test_after_delete();
	test_sealed_bodies();
	auth_ts_case("IKE_AUTH TSi with zero selectors", 0, false);
	auth_ts_case("IKE_AUTH TSi selector length 200", 1, true);
	job_pool_free(pool);
	return tap_done();
}
