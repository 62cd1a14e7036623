/*
 * v1_natt_test.c - NAT traversal between two in-process IKEv1 engines
 * (testsuite/regress/v1_pair.h), side 0 behind a mock NAT: RFC 3947 and
 * the drafts old peers speak (draft-ietf-ipsec-nat-t-ike-02, 02\n, 03).
 *
 * Each case watches the cleartext phase-1 messages on the wire (vendor
 * IDs, NAT-D payload numbers), then asserts what both engines agreed: the
 * method, NAT seen, the UDP encapsulation mode (RFC 3947 5.1: 3/4, the
 * drafts': 61443/61444), the NAT-OA addresses kept for transport mode
 * (RFC 3947 5.2: NAT-OAi and NAT-OAr as each side sees them; drafts: the
 * sender's own original address) and that both hold the same keys.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/job.h"
#include "common/kernel.h"
#include "common/log.h"
#include "testsuite/lib/tap.h"
#include "testsuite/regress/v1_pair.h"
#include "testsuite/regress/v1_seal.h"
#include "v1/v1_sa.h"
#include "v1/v1_wire.h"

static struct job_pool *pool;
static struct v1_pair P;

/* What the cleartext phase-1 messages of each side carried. */
struct wire {
	bool type[2][256];         /* payload types seen, by sender */
	unsigned vids[2];          /* V1_NATT_OFFER bits of NAT-T vendor IDs, by sender */
	unsigned natt_vid_count[2];
	uint8_t qm1[V1P_PKT_MAX];  /* the initiator's first Quick Mode message, marker stripped */
	size_t qm1_len;
};

static void scan(struct wire *w, const struct v1p_pkt *k)
{
	size_t off = ntohs(((const struct sockaddr_in *)&k->dst)->sin_port) == 4500 ? 4 : 0;
	const uint8_t *m = k->data + off;
	size_t len = k->len - off, at = 28;
	uint8_t next;

	if (len >= 28 && k->from == 0 && m[18] == V1_EXCH_QUICK && !w->qm1_len) {
		memcpy(w->qm1, m, len);
		w->qm1_len = len;
	}
	if (len < 28 || (m[19] & 1))
		return; /* encrypted: nothing to see */
	next = m[16];
	while (next && at + 4 <= len) {
		size_t pl = (size_t)m[at + 2] << 8 | m[at + 3];

		if (pl < 4 || at + pl > len)
			return;
		w->type[k->from][next] = true;
		if (next == V1_P_VID) {
			enum v1_natt_method meth = v1_natt_method_of_vid(v1_vid_classify(m + at + 4, pl - 4, NULL));

			if (meth != V1_NATT_NONE) {
				w->vids[k->from] |= V1_NATT_OFFER(meth);
				w->natt_vid_count[k->from]++;
			}
		}
		next = m[at];
		at += pl;
	}
}

/* Initiate from side 0 and run to the end, looking at every datagram. */
static void run(struct wire *w)
{
	char why[128];

	memset(w, 0, sizeof(*w));
	v1_engine_initiate(P.eng[0], "lab", why, sizeof(why));
	for (int i = 0; i < 64 && (P.q_len || job_pool_pending(pool)); i++) {
		job_pool_drain(pool);
		if (P.q_len)
			scan(w, &P.q[0]);
		v1p_deliver(&P);
	}
}

struct sa_view {
	unsigned n;
	struct v1_sa_info sa;
};

static void take_sa(const struct v1_sa_info *in, void *arg)
{
	struct sa_view *v = arg;

	v->sa = *in;
	v->n++;
}

static struct sa_view sa_of(int i)
{
	struct sa_view v = { 0 };

	v1_engine_foreach_sa(P.eng[i], take_sa, &v);
	return v;
}

struct ipsec_view {
	unsigned n;
	struct v1_ipsec_info v;
	uint8_t in[128], out[128];
};

static void take_ipsec(const struct v1_ipsec_info *in, void *arg)
{
	struct ipsec_view *x = arg;

	x->v = *in;
	x->n++;
	if (in->key_len <= sizeof(x->in)) {
		memcpy(x->in, in->key_in, in->key_len);
		memcpy(x->out, in->key_out, in->key_len);
	}
}

static struct ipsec_view ipsec_of(int i)
{
	struct ipsec_view x;

	memset(&x, 0, sizeof(x));
	v1_engine_foreach_ipsec(P.eng[i], take_ipsec, &x);
	return x;
}

/* Both established with one IPsec SA pair each, keys crossed and equal. */
static void check_up(const char *what, struct ipsec_view *a, struct ipsec_view *b)
{
	struct sa_view s0 = sa_of(0), s1 = sa_of(1);

	*a = ipsec_of(0);
	*b = ipsec_of(1);
	tap_ok(s0.n == 1 && s0.sa.established && s1.n == 1 && s1.sa.established,
	       "%s: both ISAKMP SAs established", what);
	tap_ok(a->n == 1 && b->n == 1 && a->v.spi_in == b->v.spi_out && a->v.spi_out == b->v.spi_in &&
	       a->v.key_len == b->v.key_len && a->v.key_len > 0 &&
	       memcmp(a->in, b->out, a->v.key_len) == 0 && memcmp(a->out, b->in, a->v.key_len) == 0,
	       "%s: one IPsec SA pair each, keys equal per direction", what);
}

static bool aggressive; /* the next pair runs Aggressive Mode */

static const char *oa_text(const struct sockaddr_storage *ss, char *buf, size_t len)
{
	return ss->ss_family == AF_UNSPEC ? "none" : kernel_addr_str(ss, buf, len);
}

/*
 * What each side handed the kernel (kernel_sa.encap_oa): with NAT-OA in
 * UDP-encapsulated transport, the inbound SA carries the peer's original
 * address (RFC 3947 5.2, RFC 3948 3.1.2), the outbound none; otherwise
 * neither does. oa0 / oa1: side 0's / side 1's expected inbound OA, NULL
 * for none.
 */
static void check_kernel_oa(const char *what, const char *oa0, const char *oa1)
{
	const char *want[2] = { oa0, oa1 };
	char buf[64];

	for (int i = 0; i < 2; i++) {
		const struct v1p_installed *x = &P.installed[i];

		tap_eq_int(x->n, 1, "%s: side %d installed one pair", what, i);
		tap_eq_str(oa_text(&x->oa_in, buf, sizeof(buf)), want[i] ? want[i] : "none",
			   "%s: side %d's inbound kernel SA has encap_oa %s", what, i,
			   want[i] ? want[i] : "none");
		tap_eq_str(oa_text(&x->oa_out, buf, sizeof(buf)), "none",
			   "%s: side %d's outbound kernel SA has none", what, i);
	}
}

static void open_pair(bool nat, bool transport, unsigned offer0, unsigned offer1)
{
	struct v1p_opts o = { .nat = nat, .transport = transport, .aggressive = aggressive,
			      .natt_offer = { offer0, offer1 } };

	if (v1p_open_opts(&P, pool, &o) < 0)
		abort();
}

static void test_no_nat(void)
{
	struct wire w;
	struct ipsec_view a, b;

	open_pair(false, false, 0, 0);
	run(&w);
	check_up("no NAT", &a, &b);
	tap_eq_int(w.natt_vid_count[0], 4, "no NAT: the initiator announces RFC 3947 and drafts 03, 02n, 02");
	tap_ok(w.vids[1] == V1_NATT_OFFER(V1_NATT_RFC3947) && w.natt_vid_count[1] == 1,
	       "no NAT: the responder answers with the RFC 3947 vendor ID only");
	tap_eq_str(sa_of(0).sa.natt, "RFC 3947", "no NAT: the initiator speaks RFC 3947");
	tap_eq_str(sa_of(1).sa.natt, "RFC 3947", "no NAT: the responder speaks RFC 3947");
	tap_ok(w.type[0][V1_P_NAT_D] && w.type[1][V1_P_NAT_D] && !w.type[0][V1_P_NAT_D_DRAFT],
	       "no NAT: NAT-D as payload 20 both ways");
	tap_ok(!sa_of(0).sa.nat && !sa_of(1).sa.nat, "no NAT: none detected");
	tap_eq_int(a.v.encap_mode, V1_ENCAP_TUNNEL, "no NAT: plain tunnel mode");
	tap_ok(!a.v.udp_encap && !b.v.udp_encap, "no NAT: ESP not in UDP");
	check_kernel_oa("no NAT", NULL, NULL);
	v1p_close(&P);
}

/* Transport mode without a NAT: no NAT-OA is sent, and no OA reaches the kernel. */
static void test_no_nat_transport(void)
{
	struct wire w;
	struct ipsec_view a, b;

	open_pair(false, true, 0, 0);
	run(&w);
	check_up("no NAT, transport", &a, &b);
	tap_ok(a.v.transport && !a.v.udp_encap && !a.v.natoa_i[0] && !a.v.natoa_r[0],
	       "no NAT, transport: plain transport, no NAT-OA kept");
	tap_eq_int(P.installed[0].mode, KERNEL_MODE_TRANSPORT, "no NAT, transport: a transport-mode kernel SA");
	check_kernel_oa("no NAT, transport", NULL, NULL);
	v1p_close(&P);
}

static void test_rfc(bool transport)
{
	const char *what = aggressive ? "Aggressive Mode, RFC 3947 NAT, transport" :
			   transport ? "RFC 3947 NAT, transport" : "RFC 3947 NAT, tunnel";
	struct wire w;
	struct ipsec_view a, b;
	struct sa_view r;

	open_pair(true, transport, 0, 0);
	run(&w);
	check_up(what, &a, &b);
	r = sa_of(1);
	tap_ok(sa_of(0).sa.nat && r.sa.nat, "%s: both detect the NAT", what);
	tap_eq_str(r.sa.natt, "RFC 3947", "%s: RFC 3947 spoken", what);
	tap_eq_int(ntohs(((struct sockaddr_in *)&r.sa.peer)->sin_port), 5500,
		   "%s: the responder follows the initiator to its NAT-T port (as mapped)", what);
	tap_eq_int(a.v.encap_mode, transport ? V1_ENCAP_UDP_TRANSPORT : V1_ENCAP_UDP_TUNNEL,
		   "%s: RFC 3947 5.1 mode %u", what,
		   transport ? V1_ENCAP_UDP_TRANSPORT : V1_ENCAP_UDP_TUNNEL);
	tap_ok(a.v.udp_encap && b.v.udp_encap, "%s: ESP in UDP on both sides", what);
	if (!transport) {
		tap_ok(!a.v.natoa_i[0] && !a.v.natoa_r[0] && !b.v.natoa_i[0] && !b.v.natoa_r[0],
		       "%s: no NAT-OA in tunnel mode (RFC 3947 5.2)", what);
		tap_ok(P.installed[0].encap && P.installed[0].mode == KERNEL_MODE_TUNNEL,
		       "%s: a UDP-encapsulated tunnel-mode kernel SA", what);
		check_kernel_oa(what, NULL, NULL);
	} else {
		/* the responder learns the initiator's address behind the NAT */
		tap_eq_str(b.v.natoa_i, "10.0.0.1", "%s: responder got NAT-OAi = the initiator's own address", what);
		tap_eq_str(b.v.natoa_r, "192.0.2.2", "%s: responder got NAT-OAr = its address as the initiator sees it", what);
		tap_eq_str(a.v.natoa_i, "192.0.2.100", "%s: initiator got NAT-OAi = the NAT's address the responder sees", what);
		tap_eq_str(a.v.natoa_r, "192.0.2.2", "%s: initiator got NAT-OAr = the responder's own", what);
		tap_ok(a.v.transport && b.v.transport, "%s: transport mode", what);
		tap_ok(P.installed[0].encap && P.installed[0].mode == KERNEL_MODE_TRANSPORT,
		       "%s: a UDP-encapsulated transport-mode kernel SA", what);
		/* each inbound SA: the peer's address before its NAT (the responder's has none) */
		check_kernel_oa(what, "192.0.2.2", "10.0.0.1");
	}
	v1p_close(&P);
}

/* An old peer (side 0) that announces one draft only; side 1 allows everything. */
static void test_draft(enum v1_natt_method m, bool transport, const char *name)
{
	char what[96];
	struct wire w;
	struct ipsec_view a, b;

	snprintf(what, sizeof(what), "%s%s%s", aggressive ? "Aggressive Mode, " : "", name,
		 transport ? ", transport" : ", tunnel");
	open_pair(true, transport, V1_NATT_OFFER(m), 0);
	run(&w);
	check_up(what, &a, &b);
	tap_ok(w.vids[0] == V1_NATT_OFFER(m), "%s: the old peer sent its draft's vendor ID only", what);
	tap_ok(w.vids[1] == V1_NATT_OFFER(m) && w.natt_vid_count[1] == 1,
	       "%s: the responder answers with that draft's vendor ID, not RFC 3947", what);
	tap_eq_str(sa_of(1).sa.natt, name, "%s: the responder speaks the draft", what);
	tap_eq_str(sa_of(0).sa.natt, name, "%s: the initiator too", what);
	/* Aggressive Mode: AM3 (the initiator's NAT-D) goes out encrypted; AM2 is seen */
	tap_ok((aggressive || w.type[0][V1_P_NAT_D_DRAFT]) && w.type[1][V1_P_NAT_D_DRAFT] &&
	       !w.type[0][V1_P_NAT_D] && !w.type[1][V1_P_NAT_D],
	       "%s: NAT-D as payload 130 %s, never 20", what, aggressive ? "in AM2" : "both ways");
	tap_ok(sa_of(0).sa.nat && sa_of(1).sa.nat, "%s: the NAT is detected", what);
	tap_eq_int(a.v.encap_mode, transport ? V1_ENCAP_UDP_TRANSPORT_DRAFT : V1_ENCAP_UDP_TUNNEL_DRAFT,
		   "%s: the draft's encapsulation mode %u", what,
		   transport ? V1_ENCAP_UDP_TRANSPORT_DRAFT : V1_ENCAP_UDP_TUNNEL_DRAFT);
	tap_eq_int(b.v.encap_mode, a.v.encap_mode, "%s: the same mode on the responder", what);
	tap_ok(a.v.udp_encap && b.v.udp_encap, "%s: ESP in UDP", what);
	if (transport) {
		/* drafts 5.2: one NAT-OA (payload 131), the sender's original source address */
		tap_eq_str(b.v.natoa_i, "10.0.0.1", "%s: responder got the initiator's original address", what);
		tap_eq_str(b.v.natoa_r, "", "%s: and no second NAT-OA", what);
		tap_eq_str(a.v.natoa_r, "192.0.2.2", "%s: initiator got the responder's original address", what);
		tap_eq_str(a.v.natoa_i, "", "%s: and no second NAT-OA", what);
		check_kernel_oa(what, "192.0.2.2", "10.0.0.1");
	} else {
		check_kernel_oa(what, NULL, NULL);
	}
	v1p_close(&P);
}

/* The responder allows only draft 02n; the initiator announces all: 02n is taken. */
static void test_responder_old(void)
{
	struct wire w;
	struct ipsec_view a, b;

	open_pair(true, false, 0, V1_NATT_OFFER(V1_NATT_DRAFT_02N));
	run(&w);
	check_up("old responder", &a, &b);
	tap_ok(w.vids[1] == V1_NATT_OFFER(V1_NATT_DRAFT_02N), "old responder: answers 02n");
	tap_eq_str(sa_of(0).sa.natt, "draft-ietf-ipsec-nat-t-ike-02\\n",
		   "old responder: the initiator takes the draft the responder named");
	tap_eq_int(a.v.encap_mode, V1_ENCAP_UDP_TUNNEL_DRAFT, "old responder: mode 61443");
	v1p_close(&P);
}

/* No method in common: no NAT-T at all (the mock NAT still passes port 500). */
static void test_no_common(void)
{
	struct wire w;
	struct ipsec_view a, b;

	open_pair(true, false, V1_NATT_OFFER(V1_NATT_RFC3947), V1_NATT_OFFER(V1_NATT_DRAFT_02));
	run(&w);
	check_up("no common NAT-T method", &a, &b);
	tap_eq_int(w.natt_vid_count[1], 0, "no common NAT-T method: the responder sends no NAT-T vendor ID");
	tap_eq_str(sa_of(1).sa.natt, "", "no common NAT-T method: none spoken");
	tap_ok(!w.type[0][V1_P_NAT_D] && !w.type[0][V1_P_NAT_D_DRAFT],
	       "no common NAT-T method: no NAT-D sent");
	tap_ok(!a.v.udp_encap && a.v.encap_mode == V1_ENCAP_TUNNEL,
	       "no common NAT-T method: plain tunnel");
	v1p_close(&P);
}

static uint16_t get16(const uint8_t *b)
{
	return (uint16_t)(b[0] << 8 | b[1]);
}

/*
 * NAT-OA checks on the responder (RFC 3947 5.2): the initiator's real QM1
 * (transport mode through the NAT) opened, its NAT-OA payloads changed,
 * sealed again under a new message ID. Refusals leave no Quick Mode behind.
 */
static void natoa_case(const char *what, const uint8_t *body, size_t len, bool notify)
{
	static uint32_t msg_id = 0x61000001;
	static uint8_t out[V1P_PKT_MAX];
	const struct v1_counters *c = v1_engine_counters(P.eng[1]);
	uint64_t dropped = c->dropped, notifies = c->notifies_sent, failed = c->qm_failed;
	size_t n = 0;

	if (v1s_seal(&P, 1, V1_EXCH_QUICK, msg_id++, V1S_HASH_1, V1_P_SA, body, len, out,
		     sizeof(out), &n) < 0) {
		tap_ok(false, "%s: sealed", what);
		return;
	}
	v1p_inject(&P, 1, out, n);
	if (notify)
		tap_ok(c->notifies_sent == notifies + 1 && c->qm_failed == failed + 1,
		       "%s: refused with a notify, the Quick Mode counted as failed", what);
	else
		tap_ok(c->dropped == dropped + 1, "%s: dropped and counted", what);
	tap_eq_int(v1s_waiting_qm(&P, 1), 0, "%s: no Quick Mode left waiting", what);
	tap_eq_int(v1p_ipsec(&P, 1), 1, "%s: no new IPsec SA", what);
}

static void test_natoa_checks(void)
{
	struct wire w;
	static uint8_t inner[V1P_PKT_MAX], work[V1P_PKT_MAX];
	size_t len = 0, at = 0, oa[2] = { 0, 0 }, prev = 0, k = 0;
	uint8_t first = 0;

	open_pair(true, true, 0, 0);
	run(&w);
	if (!w.qm1_len || v1s_open(&P, 1, NULL, 0, w.qm1, w.qm1_len, &first, inner, sizeof(inner),
				   &len) < 0) {
		tap_ok(false, "NAT-OA checks: QM1 opened");
		v1p_close(&P);
		return;
	}
	/* find the two NAT-OA payloads (the last two of the chain) */
	for (uint8_t type = first; at + 4 <= len && k < 2;) {
		if (type == V1_P_NAT_OA)
			oa[k++] = at;
		else
			prev = at;
		type = inner[at];
		if (!type)
			break;
		at += get16(inner + at + 2);
	}
	tap_ok(k == 2 && oa[1] == oa[0] + 12 && inner[oa[0] + 4] == V1_ID_IPV4_ADDR,
	       "NAT-OA checks: QM1 carries NAT-OAi and NAT-OAr (IPv4, 12 bytes each)");
	if (k != 2) {
		v1p_close(&P);
		return;
	}
	memcpy(work, inner, len);
	work[oa[0] + 5] = 1;
	natoa_case("NAT-OA with a non-zero reserved byte", work, len, false);
	memcpy(work, inner, len);
	work[oa[0] + 4] = V1_ID_FQDN;
	natoa_case("NAT-OA of ID type FQDN", work, len, false);
	memcpy(work, inner, len);
	work[oa[0]] = 0; /* NAT-OAi is the last payload: NAT-OAr cut off */
	natoa_case("RFC 3947 with NAT-OAi only", work, len - 12, true);
	memcpy(work, inner, len);
	work[prev] = V1_P_NAT_OA_DRAFT;
	work[oa[0]] = V1_P_NAT_OA_DRAFT;
	natoa_case("draft NAT-OA numbers (131) while speaking RFC 3947", work, len, true);
	memcpy(work, inner, len);
	work[oa[0] + 4] = V1_ID_IPV6_ADDR;
	memmove(work + oa[0] + 8 + 12, work + oa[0] + 8, 4 + 12); /* widen NAT-OAi to 16 bytes */
	memset(work + oa[0] + 8, 0x20, 12);
	work[oa[0] + 3] = 24;
	natoa_case("NAT-OAi of the other address family", work, len + 12, true);
	/* the control: the same QM1 as sent, under a new message ID, is taken (QM_R1) */
	{
		static uint8_t out[V1P_PKT_MAX];
		size_t n = 0;

		if (v1s_seal(&P, 1, V1_EXCH_QUICK, 0x6100ffff, V1S_HASH_1, V1_P_SA, inner, len, out,
			     sizeof(out), &n) == 0)
			v1p_inject(&P, 1, out, n);
		tap_ok(v1s_waiting_qm(&P, 1) != 0, "control: QM1 with its NAT-OAs as sent is answered");
	}
	v1p_close(&P);
}

int main(void)
{
	log_set_level(getenv("V1_TEST_DEBUG") ? LOG_LEVEL_DEBUG : LOG_LEVEL_ERROR);
	if (job_pool_new(NULL, 1, &pool))
		return tap_skip_all("no job pool");
	test_no_nat();
	test_no_nat_transport();
	test_rfc(false);
	test_rfc(true);
	test_draft(V1_NATT_DRAFT_03, false, "draft-ietf-ipsec-nat-t-ike-03");
	test_draft(V1_NATT_DRAFT_02, true, "draft-ietf-ipsec-nat-t-ike-02");
	test_draft(V1_NATT_DRAFT_02N, true, "draft-ietf-ipsec-nat-t-ike-02\\n");
	test_draft(V1_NATT_DRAFT_03, true, "draft-ietf-ipsec-nat-t-ike-03");
	aggressive = true; /* NAT-D in AM2 and AM3 (RFC 3947 3.2, drafts 3.2); the RFC case in transport */
	test_draft(V1_NATT_DRAFT_02, false, "draft-ietf-ipsec-nat-t-ike-02");
	test_rfc(true);
	aggressive = false;
	test_responder_old();
	test_no_common();
	test_natoa_checks();
	job_pool_free(pool);
	return tap_done();
}
