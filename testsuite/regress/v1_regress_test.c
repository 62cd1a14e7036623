/*
 * v1_regress_test.c - the IKEv1 side of issue 7's regression list, through
 * two real engines (v1_pair.h): Informational for an SA that does not
 * exist, Delete followed by more messages, Aggressive Mode with a non-zero
 * responder cookie and that cookie reused, phase-1 transforms that are
 * unknown or have a zero Key Length, KE values and lengths, IKEv2 payloads
 * in IKEv1 messages, huge lengths, short chains and 64 KiB datagrams.
 * Each asserts a silent drop or the RFC's answer, a counter that moved
 * and no state change.
 */
#include <stdlib.h>
#include <string.h>

#include "common/job.h"
#include "common/kernel.h"
#include "common/log.h"
#include "testsuite/lib/tap.h"
#include "testsuite/regress/v1_pair.h"

static struct job_pool *pool;
static struct v1_pair P;
static uint8_t buf[70000];

static uint64_t dropped(int i) { return v1_engine_counters(P.eng[i])->dropped; }

static void set32(uint8_t *b, uint32_t v)
{
	b[0] = (uint8_t)(v >> 24), b[1] = (uint8_t)(v >> 16), b[2] = (uint8_t)(v >> 8), b[3] = (uint8_t)v;
}

/* The first message of side 0 (Main or Aggressive Mode), taken off the queue. */
static size_t first_msg(bool aggressive)
{
	char why[64];
	size_t n;

	if (v1p_open(&P, pool, aggressive) < 0)
		abort();
	v1_engine_initiate(P.eng[0], "lab", why, sizeof(why));
	job_pool_drain(pool);
	n = P.q_len ? P.q[0].len : 0;
	memcpy(buf, P.q[0].data, n);
	P.q_len = 0;
	return n;
}

/* Offset of the first payload of a type in an IKEv1 message, 0 if none. */
static size_t find_payload(const uint8_t *m, size_t len, uint8_t type)
{
	uint8_t next = m[16];
	size_t off = 28;

	while (next && off + 4 <= len) {
		size_t pl = (size_t)m[off + 2] << 8 | m[off + 3];

		if (next == type)
			return off;
		if (pl < 4)
			return 0;
		next = m[off];
		off += pl;
	}
	return 0;
}

static bool find_bytes(uint8_t *m, size_t len, const uint8_t *pat, size_t pl, size_t *at)
{
	for (size_t i = 28; i + pl <= len; i++)
		if (!memcmp(m + i, pat, pl)) {
			*at = i;
			return true;
		}
	return false;
}

/* Bytes to the responder: dropped (or refused), no SA, nothing established. */
static void refused(const char *what, size_t len, bool must_drop)
{
	uint64_t d = dropped(1), f = v1_engine_counters(P.eng[1])->p1_failed;
	unsigned est;

	v1p_inject(&P, 1, buf, len);
	if (must_drop)
		tap_ok(dropped(1) > d, "%s: dropped", what);
	else
		tap_ok(dropped(1) > d || v1_engine_counters(P.eng[1])->p1_failed > f ||
		       v1_engine_counters(P.eng[1])->notifies_sent > 0, "%s: refused (a counter moved)", what);
	tap_eq_int(v1p_count(&P, 1, &est), 0, "%s: no ISAKMP SA kept", what);
	tap_eq_int((long long)kernel_count_sas(P.kernel[1]), 0, "%s: no kernel SA", what);
	v1p_close(&P);
}

static void test_framing(void)
{
	size_t n, at;
	static const uint8_t keylen128[4] = { 0x80, 0x0e, 0x00, 0x80 };
	static const uint8_t encr_aes[4] = { 0x80, 0x01, 0x00, 0x07 };

	n = first_msg(false);
	set32(buf + 24, 0xffffffffu);
	refused("header length 0xFFFFFFFF", n, true);
	n = first_msg(false);
	buf[28 + 2] = 0, buf[28 + 3] = 0;
	refused("first payload length 0 (a chain that would loop)", n, true);
	n = first_msg(false);
	buf[28 + 2] = 0xff, buf[28 + 3] = 0xff;
	refused("first payload length 0xFFFF", n, true);
	n = first_msg(false);
	buf[16] = 33; /* IKEv2 SA payload number */
	refused("IKEv2 SA payload (33) in Main Mode", n, true);
	n = first_msg(false);
	buf[16] = 46; /* IKEv2 SK */
	refused("IKEv2 SK payload (46) in Main Mode", n, true);
	n = first_msg(false);
	memset(buf + n, 0, 65536 - n);
	set32(buf + 24, 65536);
	refused("64 KiB datagram", 65536, true);
	n = first_msg(false);
	for (at = 28; at + 4 <= n && buf[at];)
		at += (size_t)buf[at + 2] << 8 | buf[at + 3];
	buf[at] = 13; /* the last payload says a VID follows; the message ends */
	refused("chain ends early", n, true);
	n = first_msg(false);
	if (find_bytes(buf, n, keylen128, 4, &at)) {
		buf[at + 2] = buf[at + 3] = 0;
		refused("phase-1 AES with Key Length 0", n, false);
	} else {
		tap_ok(false, "Key Length attribute found in Main Mode 1");
		v1p_close(&P);
	}
	n = first_msg(false);
	if (find_bytes(buf, n, encr_aes, 4, &at)) {
		buf[at + 3] = 0xfe;
		refused("phase-1 unknown encryption algorithm 0xfe", n, false);
	} else {
		tap_ok(false, "encryption attribute found in Main Mode 1");
		v1p_close(&P);
	}
}

static void test_info_no_sa(void)
{
	uint8_t m[28 + 64];

	if (v1p_open(&P, pool, false) < 0)
		abort();
	memset(m, 0x77, sizeof(m));
	m[16] = 8;    /* HASH */
	m[17] = 0x10;
	m[18] = 5;    /* Informational */
	m[19] = 1;    /* encrypted */
	set32(m + 24, sizeof(m));
	v1p_inject(&P, 1, m, sizeof(m));
	tap_eq_int((long long)dropped(1), 1, "Informational for an SA that does not exist: dropped");
	tap_eq_int((long long)P.sent[1], 0, "... and not answered");
	m[19] = 0;    /* in clear, a Notify */
	m[16] = 11;
	m[28] = 0, m[30] = 0, m[31] = 12;
	set32(m + 24, 28 + 12);
	v1p_inject(&P, 1, m, 28 + 12);
	tap_eq_int((long long)dropped(1), 2, "clear Informational for no SA: dropped");
	tap_eq_int(v1p_count(&P, 1, NULL), 0, "no SA made by either");
	v1p_close(&P);
}

static void test_delete_then_more(void)
{
	struct v1p_pkt qm3, dels[V1P_QMAX];
	size_t n_dels;
	uint64_t d;

	if (v1p_open(&P, pool, false) < 0)
		abort();
	tap_eq_int(v1p_establish(&P), 0, "delete then more: established");
	qm3 = P.last[0]; /* the initiator's last Quick Mode message */
	v1_engine_delete_conn(P.eng[0], "lab");
	n_dels = P.q_len;
	memcpy(dels, P.q, n_dels * sizeof(P.q[0]));
	tap_ok(n_dels >= 1, "delete then more: Deletes sent");
	v1p_run(&P);
	tap_eq_int(v1p_count(&P, 1, NULL), 0, "delete then more: responder removed the ISAKMP SA");
	tap_eq_int((long long)kernel_count_sas(P.kernel[1]), 0, "delete then more: and the IPsec SAs");
	d = dropped(1);
	for (size_t i = 0; i < n_dels; i++)
		v1p_inject(&P, 1, dels[i].data, dels[i].len);
	v1p_inject(&P, 1, qm3.data, qm3.len);
	tap_eq_int((long long)(dropped(1) - d), (long long)n_dels + 1,
		   "delete then more: replayed Deletes and Quick Mode dropped");
	tap_eq_int(v1p_count(&P, 1, NULL), 0, "delete then more: no SA reborn");
	tap_eq_int((long long)kernel_count_sas(P.kernel[1]), 0, "delete then more: nothing installed");
	v1p_close(&P);
}

static void test_aggressive_cookie(void)
{
	size_t n = first_msg(true);
	uint8_t am1[V1P_PKT_MAX], cky_r[8];
	uint64_t d;

	memcpy(am1, buf, n);
	memset(buf + 8, 0x42, 8);
	v1p_inject(&P, 1, buf, n);
	tap_eq_int((long long)dropped(1), 1, "Aggressive Mode 1 with a non-zero responder cookie: dropped");
	tap_eq_int(v1p_count(&P, 1, NULL), 0, "... and no SA made");
	v1p_inject(&P, 1, am1, n);
	tap_eq_int(v1p_count(&P, 1, NULL), 1, "the real Aggressive Mode 1 makes one SA");
	tap_ok(P.q_len == 1, "and is answered");
	memcpy(cky_r, P.q[0].data + 8, 8);
	P.q_len = 0;
	/* another initiator cookie that reuses the responder's cookie */
	memcpy(buf, am1, n);
	buf[0] ^= 0xff;
	memcpy(buf + 8, cky_r, 8);
	d = dropped(1);
	v1p_inject(&P, 1, buf, n);
	tap_eq_int((long long)(dropped(1) - d), 1, "a reused responder cookie with another CKY-I: dropped");
	tap_eq_int(v1p_count(&P, 1, NULL), 1, "still one SA");
	/* the real one again: a duplicate, answered from the cache */
	v1p_inject(&P, 1, am1, n);
	tap_eq_int(v1p_count(&P, 1, NULL), 1, "a replayed Aggressive Mode 1 makes no second SA");
	v1p_close(&P);
}

/* Main Mode 3 with its KE data replaced. */
static void ke_case(const char *what, const uint8_t *ke, size_t ke_len)
{
	char why[64];
	uint8_t mm3[V1P_PKT_MAX];
	size_t n, at, pl, out;
	size_t sent;
	unsigned est;

	if (v1p_open(&P, pool, false) < 0)
		abort();
	v1_engine_initiate(P.eng[0], "lab", why, sizeof(why));
	v1p_deliver(&P); /* MM1 */
	v1p_deliver(&P); /* MM2: the initiator's MM3 is queued */
	job_pool_drain(pool);
	n = P.q_len ? P.q[P.q_len - 1].len : 0;
	memcpy(mm3, P.q[P.q_len - 1].data, n);
	P.q_len = 0;
	at = find_payload(mm3, n, 4);
	if (!at) {
		tap_ok(false, "%s: KE payload found in Main Mode 3", what);
		v1p_close(&P);
		return;
	}
	pl = (size_t)mm3[at + 2] << 8 | mm3[at + 3];
	memcpy(buf, mm3, at + 4);
	memcpy(buf + at + 4, ke, ke_len);
	memcpy(buf + at + 4 + ke_len, mm3 + at + pl, n - at - pl);
	out = n - pl + 4 + ke_len;
	buf[at + 2] = (uint8_t)((4 + ke_len) >> 8);
	buf[at + 3] = (uint8_t)(4 + ke_len);
	set32(buf + 24, (uint32_t)out);
	sent = P.sent[1];
	v1p_inject(&P, 1, buf, out);
	tap_ok(P.sent[1] == sent || (P.q_len && P.q[P.q_len - 1].data[18] == 5),
	       "%s: no Main Mode 4 (silence or an Informational)", what);
	v1p_count(&P, 1, &est);
	tap_eq_int(est, 0, "%s: nothing established", what);
	tap_ok(dropped(1) + v1_engine_counters(P.eng[1])->p1_failed > 0, "%s: a counter moved", what);
	v1p_close(&P);
}

static void test_ke(void)
{
	static uint8_t v[300];

	memset(v, 0, sizeof(v));
	ke_case("modp2048 KE all zero", v, 256);
	ke_case("modp2048 KE of 255 octets", v + 1, 255);
	memset(v, 0x11, sizeof(v));
	ke_case("modp2048 KE of 257 octets", v, 257);
	ke_case("modp2048 KE of 0 octets", v, 0);
	memset(v, 0xff, 256);
	v[255] = 0xfe;
	ke_case("modp2048 KE p-1", v, 256);
	v[255] = 0xff;
	ke_case("modp2048 KE p", v, 256);
	memset(v, 0, 256);
	v[255] = 1;
	ke_case("modp2048 KE 1", v, 256);
}

int main(void)
{
	log_set_level(getenv("V1_TEST_DEBUG") ? LOG_LEVEL_DEBUG : LOG_LEVEL_ERROR);
	if (job_pool_new(NULL, 1, &pool))
		return tap_skip_all("no job pool");
	test_framing();
	test_info_no_sa();
	test_delete_then_more();
	test_aggressive_cookie();
	test_ke();
	job_pool_free(pool);
	return tap_done();
}
