/*
 * v1_badinput_test.c - issue 5's bad-input list through two real IKEv1
 * engines (v1_pair.h), with messages that get past decryption because
 * they are sealed with the established SA's keys (v1_seal.h):
 *
 *   wrong hash        MM5 with a HASH_I that does not verify (RFC 2409 5:
 *                     INVALID-HASH-INFORMATION), QM1 with a bad HASH(1),
 *                     an Informational Delete with a bad HASH
 *   bad padding       an encrypted body that is not whole blocks; more
 *                     padding than a pad-count byte can say (v1_msg.h)
 *   attributes        a transform whose attribute list ends inside an
 *                     attribute; a variable attribute whose length runs
 *                     past the payload
 *   zero-length SPI   an ESP proposal with SPI size 0 (RFC 2407 4.5: 4);
 *                     a Delete with SPI size 0
 *   exchange types    Base, Authentication Only, Transaction, New Group
 *                     and unassigned numbers, to an SA and to no SA
 *   wrong state       HASH(3) with a new message ID, Main Mode and
 *                     Aggressive Mode to an established Main Mode SA,
 *                     Quick Mode before phase 1 is done
 *   IKEv2 payloads    IKEv2 Nonce / Notify numbers inside IKEv1 messages
 *
 * Each case asserts the protocol's answer (a notify on the wire) or a
 * silent drop, the counter that moved, and that no half-made SA is left:
 * no Quick Mode waiting, no new kernel SA, the ISAKMP SAs as before.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/job.h"
#include "common/kernel.h"
#include "common/log.h"
#include "common/sad.h"
#include "testsuite/lib/tap.h"
#include "testsuite/regress/v1_pair.h"
#include "testsuite/regress/v1_seal.h"
#include "v1/v1_sa.h"

static struct job_pool *pool;
static struct v1_pair P;
static uint8_t qm1[V1P_PKT_MAX], inner[V1P_PKT_MAX], work[V1P_PKT_MAX], out[V1P_PKT_MAX];
static size_t qm1_len, inner_len;
static uint32_t next_msg_id = 0x51000001;

static uint16_t get16(const uint8_t *b) { return (uint16_t)(b[0] << 8 | b[1]); }
static void put16(uint8_t *b, size_t v) { b[0] = (uint8_t)(v >> 8), b[1] = (uint8_t)v; }
static void put32(uint8_t *b, uint32_t v)
{
	b[0] = (uint8_t)(v >> 24), b[1] = (uint8_t)(v >> 16), b[2] = (uint8_t)(v >> 8), b[3] = (uint8_t)v;
}

/* What the responder (side 1) holds and has counted. */
struct snap {
	struct v1_counters c;
	size_t sent;
	unsigned isakmp, established, ipsec;
	long long kernel_sas;
};

static struct snap snap(void)
{
	struct snap s;

	s.c = *v1_engine_counters(P.eng[1]);
	s.sent = P.sent[1];
	s.isakmp = v1p_count(&P, 1, &s.established);
	s.ipsec = v1p_ipsec(&P, 1);
	s.kernel_sas = (long long)kernel_count_sas(P.kernel[1]);
	return s;
}

/* Nothing was made or lost on the responder, and no Quick Mode waits half-way. */
static void nothing_left(const char *what, const struct snap *before)
{
	struct snap now = snap();

	tap_ok(now.isakmp == before->isakmp && now.established == before->established &&
	       now.ipsec == before->ipsec && now.kernel_sas == before->kernel_sas &&
	       v1s_waiting_qm(&P, 1) == 0,
	       "%s: no half-made SA (ISAKMP %u/%u, IPsec %u, kernel %lld, no Quick Mode waiting)",
	       what, now.isakmp, before->isakmp, now.ipsec, now.kernel_sas);
}

/* A silent drop: counted as dropped, nothing sent. */
static void silent_drop(const char *what, const struct snap *before)
{
	struct snap now = snap();

	tap_ok(now.c.dropped > before->c.dropped, "%s: dropped and counted (%llu -> %llu)", what,
	       (unsigned long long)before->c.dropped, (unsigned long long)now.c.dropped);
	tap_eq_int((long long)(now.sent - before->sent), 0, "%s: not answered", what);
	nothing_left(what, before);
}

/* Answered with an encrypted Informational notify; the Quick Mode counted as failed. */
static void notify_answer(const char *what, const struct snap *before)
{
	struct snap now = snap();

	tap_ok(now.c.notifies_sent == before->c.notifies_sent + 1 && now.sent == before->sent + 1 &&
	       P.last[1].len > 28 && P.last[1].data[18] == V1_EXCH_INFORMATIONAL,
	       "%s: answered with one Informational notify", what);
	tap_eq_int((long long)(now.c.qm_failed - before->c.qm_failed), 1, "%s: counted as a failed Quick Mode", what);
	nothing_left(what, before);
}

/* A fresh pair, established; the initiator's QM1 kept and opened with the SA's keys. */
static void establish(void)
{
	char why[64];
	uint8_t first = 0;

	if (v1p_open(&P, pool, false) < 0)
		abort();
	qm1_len = 0;
	v1_engine_initiate(P.eng[0], "lab", why, sizeof(why));
	for (int i = 0; i < 64 && (P.q_len || job_pool_pending(pool)); i++) {
		job_pool_drain(pool);
		if (P.q_len && P.q[0].from == 0 && P.q[0].data[18] == V1_EXCH_QUICK && !qm1_len) {
			qm1_len = P.q[0].len;
			memcpy(qm1, P.q[0].data, qm1_len);
		}
		v1p_deliver(&P);
	}
	inner_len = 0;
	if (v1p_ipsec(&P, 1) != 1 || !qm1_len ||
	    v1s_open(&P, 1, NULL, 0, qm1, qm1_len, &first, inner, sizeof(inner), &inner_len) < 0 ||
	    first != V1_P_SA)
		tap_ok(false, "established, and QM1 opened (SA first)");
}

/* Seal a Quick Mode / Informational body (first payload type `first`) and give it to side 1;
 * the sealed bytes stay in out[] and their length is returned. */
static size_t send_sealed(uint8_t exch, enum v1s_hash hash, uint8_t first, const uint8_t *body,
			  size_t len, uint32_t msg_id)
{
	size_t n = 0;

	if (v1s_seal(&P, 1, exch, msg_id, hash, first, body, len, out, sizeof(out), &n) < 0) {
		tap_ok(false, "sealing a crafted message");
		return 0;
	}
	v1p_inject(&P, 1, out, n);
	return n;
}

/* QM1 layout (one ESP proposal, one transform): offsets into the inner chain. */
#define SA_LEN 2        /* SA payload length */
#define PROP 12         /* proposal payload */
#define PROP_LEN 14
#define SPI_SIZE 18
#define SPI 20
#define XF 24           /* transform payload */
#define XF_LEN 26

static bool layout_ok(void)
{
	return inner_len > XF + 8 && inner[PROP + 5] == V1_PROTO_IPSEC_ESP && inner[SPI_SIZE] == 4 &&
	       inner[PROP] == 0 && inner[XF] == 0 && get16(inner + 2) == PROP + get16(inner + PROP_LEN);
}

/* Remove n bytes at `at` of work[] (length *len), shrinking the SA, proposal and more. */
static void cut(size_t *len, size_t at, size_t n, bool transform_too)
{
	memmove(work + at, work + at + n, *len - at - n);
	*len -= n;
	put16(work + SA_LEN, get16(work + SA_LEN) - n);
	put16(work + PROP_LEN, get16(work + PROP_LEN) - n);
	if (transform_too)
		put16(work + XF_LEN, get16(work + XF_LEN) - n);
}

static void test_wrong_hash_mm5(void)
{
	const char *what = "MM5 with a wrong HASH_I";
	char why[64];
	struct v1_isakmp_sa *sa = NULL;
	static uint8_t plain[V1P_PKT_MAX];
	struct v1_iv next;
	size_t n, at = 28, out_len = 0;
	uint64_t failed;
	struct snap before;

	if (v1p_open(&P, pool, false) < 0)
		abort();
	v1_engine_initiate(P.eng[0], "lab", why, sizeof(why));
	for (int i = 0; i < 4; i++)
		v1p_deliver(&P); /* MM1..MM4 */
	job_pool_drain(pool);
	for (struct sad_entry *s = sad_first(P.sad[1]); s; s = sad_next(s))
		if (s->version == 1 && s->kind == SAD_KIND_IKE)
			sa = SAD_CONTAINER(s, struct v1_isakmp_sa, sad);
	n = P.q_len ? P.q[0].len : 0;
	if (!sa || sa->state != V1S_MM_R2 || n < 28 || !(P.q[0].data[19] & V1_FLAG_ENCRYPTION) ||
	    v1_crypt_open(&sa->crypt, &sa->iv, P.q[0].data, n, plain, sizeof(plain), &next) < 0) {
		tap_ok(false, "%s: MM5 caught and opened", what);
		v1p_close(&P);
		return;
	}
	/* walk IDii to HASH_I; flip its last byte; seal it again on the same IV */
	for (uint8_t type = plain[16]; type && type != V1_P_HASH && at + 4 <= n;) {
		type = plain[at];
		at += get16(plain + at + 2);
	}
	if (at + 4 < n)
		plain[at + get16(plain + at + 2) - 1] ^= 0x01;
	v1_crypt_seal(&sa->crypt, &sa->iv, plain, n, sizeof(plain), &out_len, &next);
	P.q_len = 0;
	before = snap();
	failed = before.c.p1_failed;
	v1p_inject(&P, 1, plain, out_len);
	tap_ok(P.sent[1] == before.sent + 1 && P.last[1].data[18] == V1_EXCH_INFORMATIONAL &&
	       !(P.last[1].data[19] & V1_FLAG_ENCRYPTION) && P.last[1].len >= 28 + 12 &&
	       get16(P.last[1].data + 28 + 10) == V1_N_INVALID_HASH_INFORMATION,
	       "%s: answered in clear with INVALID-HASH-INFORMATION (RFC 2408 5.5)", what);
	tap_eq_int((long long)(v1_engine_counters(P.eng[1])->p1_failed - failed), 1,
		   "%s: counted as a failed phase 1", what);
	tap_eq_int(v1p_count(&P, 1, NULL), 0, "%s: the half-made ISAKMP SA is gone", what);
	tap_eq_int((long long)kernel_count_sas(P.kernel[1]), 0, "%s: nothing in the kernel", what);
	v1p_close(&P);
}

static void test_wrong_hash_phase2(void)
{
	struct snap before;
	uint8_t del[28];

	establish();
	before = snap();
	send_sealed(V1_EXCH_QUICK, V1S_HASH_BAD, V1_P_SA, inner, inner_len, next_msg_id++);
	silent_drop("QM1 with a wrong HASH(1)", &before);
	/* the same QM1 with the right HASH(1): the control that proves the sealing works */
	send_sealed(V1_EXCH_QUICK, V1S_HASH_1, V1_P_SA, inner, inner_len, next_msg_id++);
	tap_ok(v1s_waiting_qm(&P, 1) != 0, "control: the same QM1 with a good HASH(1) is answered (QM_R1)");
	v1p_close(&P);

	/* Delete of the ISAKMP SA itself: refused with a bad HASH, honoured with a good one */
	establish();
	memset(del, 0, sizeof(del));
	put16(del + 2, sizeof(del));
	put32(del + 4, V1_DOI_IPSEC);
	del[8] = V1_PROTO_ISAKMP;
	del[9] = 16;
	put16(del + 10, 1);
	for (struct sad_entry *s = sad_first(P.sad[1]); s; s = sad_next(s))
		if (s->version == 1 && s->kind == SAD_KIND_IKE) {
			memcpy(del + 12, s->spi_i, 8);
			memcpy(del + 20, s->spi_r, 8);
		}
	before = snap();
	send_sealed(V1_EXCH_INFORMATIONAL, V1S_HASH_BAD, V1_P_D, del, sizeof(del), next_msg_id++);
	silent_drop("Informational Delete with a wrong HASH", &before);
	tap_eq_int((long long)(v1_engine_counters(P.eng[1])->deletes_in - before.c.deletes_in), 0,
		   "Informational Delete with a wrong HASH: the Delete is not read");
	send_sealed(V1_EXCH_INFORMATIONAL, V1S_HASH_1, V1_P_D, del, sizeof(del), next_msg_id++);
	tap_eq_int(v1p_count(&P, 1, NULL), 0, "control: the same Delete with a good HASH removes the SA");
	v1p_close(&P);
}

static void test_padding(void)
{
	struct snap before;
	size_t n = 0, len;

	establish();
	before = snap();
	if (v1s_seal(&P, 1, V1_EXCH_QUICK, next_msg_id++, V1S_HASH_1, V1_P_SA, inner, inner_len, out,
		     sizeof(out), &n) == 0 && n > 29) {
		put32(out + 24, (uint32_t)(n - 1)); /* one byte short of whole blocks */
		v1p_inject(&P, 1, out, n - 1);
	}
	silent_drop("encrypted body not whole cipher blocks", &before);
	len = inner_len;
	memcpy(work, inner, len);
	memset(work + len, 0, 300);
	before = snap();
	send_sealed(V1_EXCH_QUICK, V1S_HASH_1, V1_P_SA, work, len + 300, next_msg_id++);
	silent_drop("300 bytes of padding after the chain (at most 255)", &before);
	v1p_close(&P);
}

static void test_attributes(void)
{
	struct snap before;
	size_t len, xf_end;

	establish();
	tap_ok(layout_ok(), "QM1 layout: one ESP proposal with a 4-byte SPI and one transform");
	/* the attribute list ends inside an attribute: the last 2 bytes cut, every length kept true */
	len = inner_len;
	memcpy(work, inner, len);
	xf_end = XF + get16(work + XF_LEN);
	cut(&len, xf_end - 2, 2, true);
	before = snap();
	send_sealed(V1_EXCH_QUICK, V1S_HASH_1, V1_P_SA, work, len, next_msg_id++);
	silent_drop("truncated transform attributes", &before);
	/* the last attribute made variable, its length 256: past the transform and the payload */
	len = inner_len;
	memcpy(work, inner, len);
	work[xf_end - 4] &= 0x7f;
	put16(work + xf_end - 2, 256);
	before = snap();
	send_sealed(V1_EXCH_QUICK, V1S_HASH_1, V1_P_SA, work, len, next_msg_id++);
	silent_drop("attribute length past the payload", &before);
	v1p_close(&P);
}

static void test_zero_spi(void)
{
	struct snap before;
	size_t len;
	uint8_t del[16];

	establish();
	len = inner_len;
	memcpy(work, inner, len);
	work[SPI_SIZE] = 0;
	cut(&len, SPI, 4, false);
	before = snap();
	send_sealed(V1_EXCH_QUICK, V1S_HASH_1, V1_P_SA, work, len, next_msg_id++);
	notify_answer("ESP proposal with a zero-length SPI", &before);
	/* a Delete for ESP with SPI size 0 (RFC 2408 3.15) */
	memset(del, 0, sizeof(del));
	put16(del + 2, 12);
	put32(del + 4, V1_DOI_IPSEC);
	del[8] = V1_PROTO_IPSEC_ESP;
	del[9] = 0;
	put16(del + 10, 1);
	before = snap();
	send_sealed(V1_EXCH_INFORMATIONAL, V1S_HASH_1, V1_P_D, del, 12, next_msg_id++);
	silent_drop("Delete with a zero-length SPI", &before);
	v1p_close(&P);
}

static void test_exchange_types(void)
{
	static const uint8_t types[] = { 1, 3, 6, 33, 34, 200, 255 };
	uint8_t n_body[12];
	char what[80];
	struct snap before;
	size_t n;

	establish();
	memset(n_body, 0, sizeof(n_body));
	put16(n_body + 2, sizeof(n_body));
	put32(n_body + 4, V1_DOI_IPSEC);
	n_body[8] = V1_PROTO_ISAKMP;
	put16(n_body + 10, V1_N_INVALID_PAYLOAD_TYPE);
	for (size_t i = 0; i < sizeof(types); i++) {
		snprintf(what, sizeof(what), "exchange type %u to an established SA", types[i]);
		before = snap();
		n = send_sealed(types[i], V1S_HASH_1, V1_P_N, n_body, sizeof(n_body), next_msg_id++);
		silent_drop(what, &before);
		/* the same with cookies no SA has */
		snprintf(what, sizeof(what), "exchange type %u without an SA", types[i]);
		out[0] ^= 0x5a;
		before = snap();
		v1p_inject(&P, 1, out, n);
		silent_drop(what, &before);
	}
	v1p_close(&P);
}

static void test_wrong_state(void)
{
	struct snap before;
	uint8_t vid[20];
	char why[64];
	uint8_t qm[28 + 32];

	establish();
	before = snap();
	send_sealed(V1_EXCH_QUICK, V1S_HASH_3, 0, NULL, 0, next_msg_id++);
	silent_drop("HASH(3) for a Quick Mode that never started", &before);
	memset(vid, 0x33, sizeof(vid));
	vid[0] = 0, vid[1] = 0;
	put16(vid + 2, sizeof(vid));
	before = snap();
	send_sealed(V1_EXCH_IDPROT, V1S_HASH_NONE, V1_P_VID, vid, sizeof(vid), 0);
	silent_drop("Main Mode message to an established SA", &before);
	before = snap();
	send_sealed(V1_EXCH_AGGRESSIVE, V1S_HASH_NONE, V1_P_VID, vid, sizeof(vid), 0);
	silent_drop("Aggressive Mode message to a Main Mode SA", &before);
	v1p_close(&P);

	/* Quick Mode to a responder still in Main Mode (MM_R1) */
	if (v1p_open(&P, pool, false) < 0)
		abort();
	v1_engine_initiate(P.eng[0], "lab", why, sizeof(why));
	v1p_deliver(&P); /* MM1: side 1 answers MM2 */
	if (P.q_len) {
		memset(qm, 0x77, sizeof(qm));
		memcpy(qm, P.q[0].data, 16);
		qm[16] = V1_P_HASH, qm[17] = 0x10, qm[18] = V1_EXCH_QUICK, qm[19] = V1_FLAG_ENCRYPTION;
		put32(qm + 20, 1);
		put32(qm + 24, sizeof(qm));
	}
	P.q_len = 0;
	before = snap();
	v1p_inject(&P, 1, qm, sizeof(qm));
	silent_drop("Quick Mode before phase 1 is done", &before);
	v1p_close(&P);
}

static void test_ikev2_payloads(void)
{
	struct snap before;
	size_t len = inner_len, at = 0, last = 0;
	static const uint8_t v2_nonce[8] = { 0, 0, 0, 8, 1, 2, 3, 4 };
	uint8_t v2_notify[12];

	establish();
	memcpy(work, inner, len);
	while (at + 4 <= len) {
		last = at;
		if (!work[at])
			break;
		at += get16(work + at + 2);
	}
	work[last] = 40; /* IKEv2 Nonce (RFC 7296 3.9) after IDcr */
	memcpy(work + len, v2_nonce, sizeof(v2_nonce));
	before = snap();
	send_sealed(V1_EXCH_QUICK, V1S_HASH_1, V1_P_SA, work, len + sizeof(v2_nonce), next_msg_id++);
	silent_drop("IKEv2 Nonce payload (40) in a Quick Mode", &before);
	memset(v2_notify, 0, sizeof(v2_notify));
	put16(v2_notify + 2, sizeof(v2_notify));
	before = snap();
	send_sealed(V1_EXCH_INFORMATIONAL, V1S_HASH_1, 41, v2_notify, sizeof(v2_notify), next_msg_id++);
	silent_drop("IKEv2 Notify payload (41) in an Informational", &before);
	v1p_close(&P);
}

int main(void)
{
	log_set_level(getenv("V1_TEST_DEBUG") ? LOG_LEVEL_DEBUG : LOG_LEVEL_ERROR);
	if (job_pool_new(NULL, 1, &pool))
		return tap_skip_all("no job pool");
	test_wrong_hash_mm5();
	test_wrong_hash_phase2();
	test_padding();
	test_attributes();
	test_zero_spi();
	test_exchange_types();
	test_wrong_state();
	test_ikev2_payloads();
	job_pool_free(pool);
	return tap_done();
}
