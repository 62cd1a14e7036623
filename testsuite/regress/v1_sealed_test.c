/*
 * v1_sealed_test.c - issue 7's IKEv1 bug classes past decryption: the
 * messages are encrypted and carry a correct HASH (testsuite/regress/
 * v1_seal.h), so they reach the Quick Mode and Informational handlers
 * instead of stopping at the cookie lookup or the CBC check, which is
 * where v1_regress_test.c's cleartext cases stop.
 *
 *   - Quick Mode 1 offering an unknown ESP transform, an unknown
 *     authentication algorithm, a Key Length of 0 or 65535 (RFC 2407
 *     4.5; a transform the code may index a table with);
 *   - an IPsec SA deleted by an ESP Delete (RFC 2408 3.15), then Quick
 *     Mode 3 of its exchange, the same Delete again, and a new Quick Mode;
 *   - an ISAKMP SA deleted, then messages sealed with its keys before
 *     the Delete (R-U-THERE, Quick Mode 1, Informational);
 *   - payload chains that loop (length 0), end early, overrun the
 *     message, hold too many payloads or IKEv2 payloads, all inside a
 *     correctly encrypted, correctly hashed Quick Mode 1 or Informational;
 *   - a 64 KiB encrypted datagram on a live SA;
 *   - Aggressive Mode 1 replayed after the SA it made is established.
 * Each asserts a drop (or NO-PROPOSAL-CHOSEN), a counter that moved, no
 * IPsec SA or kernel SA made, and that the live SA still works afterwards.
 */
#include <stdlib.h>
#include <string.h>

#include "common/job.h"
#include "common/kernel.h"
#include "common/log.h"
#include "testsuite/lib/tap.h"
#include "testsuite/regress/v1_pair.h"
#include "testsuite/regress/v1_seal.h"
#include "v1/v1_names.h"

static struct job_pool *pool;
static struct v1_pair P;
static uint8_t qm1[V1P_PKT_MAX]; /* the inner chain of a real Quick Mode 1 (SA first) */
static size_t qm1_len;
static uint8_t sealed[V1P_PKT_MAX + 256];
static uint8_t big[65536];
static const uint8_t none[1];

static const struct v1_counters *cnt(int i) { return v1_engine_counters(P.eng[i]); }

/* Main Mode + Quick Mode between the pair; qm1 gets the initiator's Quick Mode 1 chain. */
static bool establish(bool aggressive)
{
	char why[64];
	struct v1p_pkt m1;
	uint8_t first;

	if (v1p_open(&P, pool, aggressive) < 0 || v1s_set_group(&P, "ecp256") < 0 ||
	    v1_engine_initiate(P.eng[0], "lab", why, sizeof(why)) < 0)
		return false;
	for (int i = 0; i < 16 && !v1s_waiting_qm(&P, 0); i++)
		v1p_deliver(&P);
	job_pool_drain(pool);
	m1 = P.last[0];
	if (v1s_open(&P, 1, NULL, 0, m1.data, m1.len, &first, qm1, sizeof(qm1), &qm1_len) < 0 ||
	    first != V1_P_SA)
		return false;
	v1p_run(&P);
	return v1p_ipsec(&P, 0) == 1 && v1p_ipsec(&P, 1) == 1;
}

static bool open_pair(const char *what, bool aggressive)
{
	if (establish(aggressive))
		return true;
	tap_ok(false, "%s: the pair established", what);
	v1p_close(&P);
	return false;
}

/* Seal and hand to side `to`; false when sealing failed (a broken test). */
static bool send_sealed(int to, uint8_t exch, uint32_t msg_id, enum v1s_hash h, uint8_t first,
			const uint8_t *in, size_t len)
{
	size_t n = 0;

	if (v1s_seal(&P, to, exch, msg_id, h, first, in, len, sealed, sizeof(sealed), &n) < 0)
		return tap_ok(false, "sealing a message for side %d", to);
	v1p_inject(&P, to, sealed, n);
	v1p_run(&P);
	return true;
}

/* Offsets in qm1 (RFC 2408 3.4-3.6): SA generic 4, DOI 4, situation 4;
 * proposal generic 4, #, protocol, SPI size, count, SPI 4; transform
 * generic 4, #, transform ID, reserved 2, then attributes. */
#define QM_SPI (12 + 8)
#define QM_XFORM_ID (12 + 12 + 5)
#define QM_ATTRS (12 + 12 + 8)

/* A new Quick Mode 1 + 3 from the harness still makes an IPsec SA: the SA is alive. */
static void still_alive(const char *what, unsigned want_ipsec)
{
	static uint8_t c[V1P_PKT_MAX];

	/* another SPI than the captured one, which the first IPsec SA uses (RFC 2408 3.5) */
	memcpy(c, qm1, qm1_len);
	memcpy(c + QM_SPI, "\x0b\xad\xca\xfe", 4);
	send_sealed(1, V1_EXCH_QUICK, 0x0a0b0c0d, V1S_HASH_1, V1_P_SA, c, qm1_len);
	send_sealed(1, V1_EXCH_QUICK, 0x0a0b0c0d, V1S_HASH_3, 0, none, 0);
	tap_eq_int(v1p_ipsec(&P, 1), want_ipsec, "%s: then a good Quick Mode still makes an IPsec SA", what);
}

/* ---- Quick Mode transforms ---- */


/* Where a 4-byte basic attribute of a class sits among the first transform's attributes. */
static size_t attr_at(uint16_t cls)
{
	size_t xlen, end;

	if (qm1_len < QM_ATTRS)
		return 0;
	xlen = (size_t)qm1[24 + 2] << 8 | qm1[24 + 3];
	end = 24 + xlen < qm1_len ? 24 + xlen : qm1_len;
	for (size_t at = QM_ATTRS; at + 4 <= end;) {
		uint16_t t = (uint16_t)(qm1[at] << 8 | qm1[at + 1]);

		if (t == (0x8000 | cls))
			return at;
		if (t & 0x8000)
			at += 4;
		else
			at += 4 + (size_t)(qm1[at + 2] << 8 | qm1[at + 3]);
	}
	return 0;
}

static void transform_case(const char *what, size_t at, uint8_t hi, uint8_t lo, bool two)
{
	uint8_t chain[V1P_PKT_MAX];
	size_t kernel_before;
	uint64_t f, d, ns;

	if (!open_pair(what, false))
		return;
	if (!at) {
		tap_ok(false, "%s: the field found in a real Quick Mode 1", what);
		v1p_close(&P);
		return;
	}
	memcpy(chain, qm1, qm1_len);
	if (two)
		chain[at] = hi, chain[at + 1] = lo;
	else
		chain[at] = lo;
	kernel_before = kernel_count_sas(P.kernel[1]);
	f = cnt(1)->qm_failed, d = cnt(1)->dropped, ns = cnt(1)->notifies_sent;
	send_sealed(1, V1_EXCH_QUICK, 0x01020304, V1S_HASH_1, V1_P_SA, chain, qm1_len);
	tap_ok(cnt(1)->qm_failed > f || cnt(1)->dropped > d || cnt(1)->notifies_sent > ns,
	       "%s: refused (a counter moved)", what);
	tap_eq_int(v1p_ipsec(&P, 1), 1, "%s: no IPsec SA made", what);
	tap_eq_int((long long)kernel_count_sas(P.kernel[1]), (long long)kernel_before,
		   "%s: no kernel SA added", what);
	send_sealed(1, V1_EXCH_QUICK, 0x01020304, V1S_HASH_3, 0, none, 0);
	tap_eq_int(v1p_ipsec(&P, 1), 1, "%s: Quick Mode 3 after it installs nothing", what);
	still_alive(what, 2);
	v1p_close(&P);
}

static void test_quick_transforms(void)
{
	if (!establish(false)) {
		tap_ok(false, "a real Quick Mode 1 captured");
		v1p_close(&P);
		return;
	}
	tap_eq_int(qm1[QM_XFORM_ID], 12, "the captured Quick Mode 1 offers ESP_AES (12) first");
	tap_ok(attr_at(6) != 0, "... with a Key Length attribute (RFC 2407 4.5 class 6)");
	v1p_close(&P);
	transform_case("Quick Mode ESP transform ID 0xfe (unknown)", QM_XFORM_ID, 0, 0xfe, false);
	transform_case("Quick Mode ESP transform ID 0 (reserved)", QM_XFORM_ID, 0, 0, false);
	transform_case("Quick Mode AES with Key Length 0", attr_at(6) + 2, 0, 0, true);
	transform_case("Quick Mode AES with Key Length 65535", attr_at(6) + 2, 0xff, 0xff, true);
	transform_case("Quick Mode authentication algorithm 0xfefe (unknown)", attr_at(5) + 2, 0xfe,
		       0xfe, true);
	transform_case("Quick Mode encapsulation mode 0xfefe (unknown)", attr_at(4) + 2, 0xfe, 0xfe,
		       true);
}

/* ---- Delete, then more ---- */

struct spi_find {
	uint32_t spi_in;
};

static void first_spi(const struct v1_ipsec_info *in, void *arg)
{
	((struct spi_find *)arg)->spi_in = in->spi_in;
}

/* Delete payload body for one ESP SPI (RFC 2408 3.15), generic header included. */
static size_t esp_delete(uint8_t *b, uint32_t spi)
{
	static const uint8_t head[12] = { 0, 0, 0, 16, 0, 0, 0, 1, 3, 4, 0, 1 };

	memcpy(b, head, 12);
	b[12] = (uint8_t)(spi >> 24), b[13] = (uint8_t)(spi >> 16), b[14] = (uint8_t)(spi >> 8);
	b[15] = (uint8_t)spi;
	return 16;
}

static void test_esp_delete_then_more(void)
{
	const char *what = "ESP Delete then more";
	struct spi_find f = { 0 };
	uint8_t del[16];
	uint64_t d, din;

	if (!open_pair(what, false))
		return;
	v1_engine_foreach_ipsec(P.eng[1], first_spi, &f);
	send_sealed(1, V1_EXCH_INFORMATIONAL, 0x11111111, V1S_HASH_1, V1_P_D, del, esp_delete(del, f.spi_in));
	tap_eq_int(v1p_ipsec(&P, 1), 0, "%s: the IPsec SA is deleted", what);
	tap_eq_int((long long)kernel_count_sas(P.kernel[1]), 0, "%s: and its kernel SAs", what);
	d = cnt(1)->dropped, din = cnt(1)->deletes_in;
	send_sealed(1, V1_EXCH_INFORMATIONAL, 0x11111112, V1S_HASH_1, V1_P_D, del, 16);
	tap_eq_int((long long)(cnt(1)->deletes_in - din), 1, "%s: the same Delete again is read", what);
	tap_eq_int(v1p_ipsec(&P, 1), 0, "%s: ... and changes nothing", what);
	send_sealed(1, V1_EXCH_INFORMATIONAL, 0x11111111, V1S_HASH_1, V1_P_D, del, 16);
	tap_eq_int(v1p_count(&P, 1, NULL), 1, "%s: a Delete on a used message ID: the ISAKMP SA stays", what);
	/* Quick Mode 3 for an exchange whose IPsec SA was deleted: no exchange has that ID now */
	send_sealed(1, V1_EXCH_QUICK, v1s_waiting_qm(&P, 1) ? v1s_waiting_qm(&P, 1) : 0x22222222,
		    V1S_HASH_3, 0, none, 0);
	tap_ok(cnt(1)->dropped > d, "%s: Quick Mode 3 with no exchange: dropped", what);
	tap_eq_int((long long)kernel_count_sas(P.kernel[1]), 0, "%s: nothing installed", what);
	still_alive(what, 1);
	v1p_close(&P);
}

static void test_isakmp_delete_then_more(void)
{
	const char *what = "ISAKMP Delete then sealed messages";
	uint8_t n[4 + 8 + 16 + 4] = { 0, 0, 0, sizeof(n), 0, 0, 0, 1, 1, 16,
				      (uint8_t)(V1_N_R_U_THERE >> 8), (uint8_t)V1_N_R_U_THERE };
	struct v1p_pkt later[3];
	size_t k = 0, n_len = 0;
	uint64_t d;

	if (!open_pair(what, false))
		return;
	/* sealed now, while the SA lives; delivered after it is gone */
	n[31] = 9;
	if (v1s_seal(&P, 1, V1_EXCH_INFORMATIONAL, 0x33333333, V1S_HASH_1, V1_P_N, n, sizeof(n),
		     later[k].data, sizeof(later[k].data), &n_len) == 0)
		later[k++].len = n_len;
	if (v1s_seal(&P, 1, V1_EXCH_QUICK, 0x33333334, V1S_HASH_1, V1_P_SA, qm1, qm1_len,
		     later[k].data, sizeof(later[k].data), &n_len) == 0)
		later[k++].len = n_len;
	if (v1s_seal(&P, 1, V1_EXCH_QUICK, 0x33333334, V1S_HASH_3, 0, none, 0, later[k].data,
		     sizeof(later[k].data), &n_len) == 0)
		later[k++].len = n_len;
	tap_eq_int((long long)k, 3, "%s: three messages sealed beforehand", what);
	v1_engine_delete_conn(P.eng[0], "lab");
	v1p_run(&P);
	tap_eq_int(v1p_count(&P, 1, NULL), 0, "%s: the responder's ISAKMP SA is gone", what);
	d = cnt(1)->dropped;
	for (size_t i = 0; i < k; i++)
		v1p_inject(&P, 1, later[i].data, later[i].len);
	tap_eq_int((long long)(cnt(1)->dropped - d), (long long)k, "%s: each dropped", what);
	tap_eq_int(v1p_count(&P, 1, NULL), 0, "%s: no SA reborn", what);
	tap_eq_int((long long)kernel_count_sas(P.kernel[1]), 0, "%s: no kernel SA", what);
	tap_eq_int((long long)P.q_len, 0, "%s: nothing answered", what);
	v1p_close(&P);
}

/* ---- chains ---- */

static void chain_case(const char *what, uint8_t exch, uint8_t first, const uint8_t *in, size_t len)
{
	uint64_t d, f;
	size_t kernel_before;

	if (!open_pair(what, false))
		return;
	d = cnt(1)->dropped, f = cnt(1)->qm_failed;
	kernel_before = kernel_count_sas(P.kernel[1]);
	send_sealed(1, exch, 0x44444444, V1S_HASH_1, first, in, len);
	tap_ok(cnt(1)->dropped > d || cnt(1)->qm_failed > f, "%s: refused (a counter moved)", what);
	tap_eq_int(v1p_ipsec(&P, 1), 1, "%s: no IPsec SA made", what);
	tap_eq_int((long long)kernel_count_sas(P.kernel[1]), (long long)kernel_before,
		   "%s: no kernel SA added", what);
	tap_eq_int(v1p_count(&P, 1, NULL), 1, "%s: the ISAKMP SA stays", what);
	still_alive(what, 2);
	v1p_close(&P);
}

/* The payloads of qm1, as offsets (at most 16). */
static size_t chain_offsets(size_t *at)
{
	size_t n = 0;

	for (size_t off = 0; off + 4 <= qm1_len && n < 16;) {
		size_t pl = (size_t)qm1[off + 2] << 8 | qm1[off + 3];

		at[n++] = off;
		if (pl < 4)
			break;
		off += pl;
	}
	return n;
}

static void test_chains(void)
{
	static uint8_t c[V1P_PKT_MAX];
	size_t at[16], n;
	uint8_t last_next;

	if (!establish(false)) {
		tap_ok(false, "chains: a real Quick Mode 1 captured");
		v1p_close(&P);
		return;
	}
	v1p_close(&P);
	n = chain_offsets(at);
	tap_ok(n >= 2, "chains: the real Quick Mode 1 has %zu payloads after HASH", n);
	if (n < 2)
		return;
	/* a loop: the second payload says length 0 (a walker that adds 0 never ends) */
	memcpy(c, qm1, qm1_len);
	c[at[1] + 2] = 0, c[at[1] + 3] = 0;
	chain_case("sealed Quick Mode 1, a payload of length 0", V1_EXCH_QUICK, V1_P_SA, c, qm1_len);
	/* length 3: below the generic header */
	memcpy(c, qm1, qm1_len);
	c[at[1] + 2] = 0, c[at[1] + 3] = 3;
	chain_case("sealed Quick Mode 1, a payload of length 3", V1_EXCH_QUICK, V1_P_SA, c, qm1_len);
	/* the last payload names a next one that is not there */
	memcpy(c, qm1, qm1_len);
	last_next = V1_P_NONCE;
	c[at[n - 1]] = last_next;
	chain_case("sealed Quick Mode 1, chain ends early", V1_EXCH_QUICK, V1_P_SA, c, qm1_len);
	/* a length past the end of the message */
	memcpy(c, qm1, qm1_len);
	c[at[n - 1] + 2] = 0x7f, c[at[n - 1] + 3] = 0xff;
	chain_case("sealed Quick Mode 1, a length past the end", V1_EXCH_QUICK, V1_P_SA, c, qm1_len);
	/* the SA payload's proposal claims more than the SA payload holds */
	memcpy(c, qm1, qm1_len);
	c[12 + 2] = 0x0f, c[12 + 3] = 0xff;
	chain_case("sealed Quick Mode 1, a proposal longer than its SA payload", V1_EXCH_QUICK, V1_P_SA, c, qm1_len);
	/* an IKEv2 payload number (SK, 46) inside the encrypted chain */
	memcpy(c, qm1, qm1_len);
	c[at[n - 1]] = 46;
	memcpy(c + qm1_len, "\0\0\0\x08zzzz", 8);
	chain_case("sealed Quick Mode 1, an IKEv2 SK payload (46) inside", V1_EXCH_QUICK, V1_P_SA, c, qm1_len + 8);
	/* 200 vendor ID payloads: more than a message may hold */
	for (size_t i = 0; i < 200; i++) {
		c[4 * i] = i + 1 < 200 ? V1_P_VID : 0;
		c[4 * i + 1] = 0, c[4 * i + 2] = 0, c[4 * i + 3] = 4;
	}
	chain_case("sealed Informational, 200 empty VID payloads", V1_EXCH_INFORMATIONAL, V1_P_VID, c, 800);
	/* an Informational whose Delete claims 65535 SPIs */
	memcpy(c, "\0\0\0\x10\0\0\0\x01\x03\x04\xff\xff\x01\x02\x03\x04", 16);
	chain_case("sealed Informational, a Delete claiming 65535 SPIs", V1_EXCH_INFORMATIONAL, V1_P_D, c, 16);
	/* a Notify whose SPI size runs past the payload */
	memcpy(c, "\0\0\0\x0c\0\0\0\x01\x03\xff\x40\x00", 12);
	chain_case("sealed Informational, a Notify SPI size 255 in 12 bytes", V1_EXCH_INFORMATIONAL, V1_P_N, c, 12);
}

/* ---- 64 KiB, Aggressive Mode replay ---- */

static void test_big_and_aggressive(void)
{
	const char *what = "64 KiB encrypted datagram on a live SA";
	static struct v1p_pkt am1;
	char why[64];
	uint64_t d;
	size_t n = 0;
	unsigned est;

	if (open_pair(what, false)) {
		/* a real sealed header with the SA's cookies, then zeros to 64 KiB */
		if (v1s_seal(&P, 1, V1_EXCH_INFORMATIONAL, 0x55555555, V1S_HASH_1, 0, none, 0, big,
			     sizeof(big), &n) < 0)
			tap_ok(false, "%s: sealed", what);
		memset(big + n, 0, sizeof(big) - n);
		big[24] = 0, big[25] = 1, big[26] = 0, big[27] = 0; /* length 65536 */
		d = cnt(1)->dropped;
		v1p_inject(&P, 1, big, sizeof(big));
		tap_ok(cnt(1)->dropped > d, "%s: dropped", what);
		tap_eq_int(v1p_count(&P, 1, NULL), 1, "%s: the SA stays", what);
		still_alive(what, 2);
		v1p_close(&P);
	}
	what = "Aggressive Mode 1 replayed after establishment";
	if (v1p_open(&P, pool, true) < 0 || v1s_set_group(&P, "ecp256") < 0 ||
	    v1_engine_initiate(P.eng[0], "lab", why, sizeof(why)) < 0 || !job_pool_drain(pool) ||
	    !P.q_len) {
		tap_ok(false, "%s: Aggressive Mode 1 sent", what);
		v1p_close(&P);
		return;
	}
	am1 = P.q[0];
	v1p_run(&P);
	v1p_count(&P, 1, &est);
	tap_eq_int(est, 1, "%s: established", what);
	d = cnt(1)->dropped;
	v1p_inject(&P, 1, am1.data, am1.len);
	v1p_run(&P);
	tap_eq_int(v1p_count(&P, 1, &est), 1, "%s: still one ISAKMP SA", what);
	tap_eq_int(est, 1, "%s: still established", what);
	tap_eq_int(v1p_ipsec(&P, 1), 1, "%s: one IPsec SA", what);
	tap_ok(cnt(1)->dropped > d || cnt(1)->duplicates > 0, "%s: dropped or answered from the cache", what);
	v1p_close(&P);
}

int main(void)
{
	log_set_level(getenv("V1_TEST_DEBUG") ? LOG_LEVEL_DEBUG : LOG_LEVEL_ERROR);
	if (job_pool_new(NULL, 1, &pool))
		return tap_skip_all("no job pool");
	test_quick_transforms();
	test_esp_delete_then_more();
	test_isakmp_delete_then_more();
	test_chains();
	test_big_and_aggressive();
	job_pool_free(pool);
	return tap_done();
}
