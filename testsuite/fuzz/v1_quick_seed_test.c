/*
 * v1_quick_seed_test.c - the seeds of v1_quick_fuzz, made from a real
 * exchange between two engines, and the proof that each one reaches the
 * handler it is meant for (so the fuzzer starts past decryption and the
 * HASH checks, RFC 2409 5.5, 5.7).
 *
 *   v1_quick_seed_test        check every seed (TAP)
 *   v1_quick_seed_test DIR    the same, and write the seeds into DIR
 *                             (testsuite/fuzz/v1_quick_seeds/ in the tree)
 *
 * Inner chains are those a real initiator sent (Quick Mode 1, the
 * responder's Quick Mode 2, the Deletes of `down`), decrypted with the
 * live SA's keys; cookies and SPIs become the harness placeholders.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/job.h"
#include "common/log.h"
#include "testsuite/fuzz/v1_quick_harness.h"
#include "testsuite/lib/tap.h"
#include "testsuite/regress/v1_seal.h"
#include "v1/v1_names.h"

struct blob {
	uint8_t first;
	uint8_t b[V1P_PKT_MAX];
	size_t n;
};

struct seed {
	uint8_t b[4 * V1P_PKT_MAX];
	size_t n;
};

static struct job_pool *pool;
static struct v1_pair P;
static struct blob qm1, qm2, del_esp, del_isakmp, qm1_pfs;
static const char *out_dir;

/* ---- capture: one real Main Mode + Quick Mode + delete ---- */

static bool open_inner(int side, const struct v1p_pkt *prev, const struct v1p_pkt *k, struct blob *o)
{
	return v1s_open(&P, side, prev ? prev->data : NULL, prev ? prev->len : 0, k->data, k->len,
			&o->first, o->b, sizeof(o->b), &o->n) == 0;
}

static bool capture(void)
{
	char why[64];
	struct v1p_pkt m1, m2;
	bool ok;

	if (v1p_open(&P, pool, false) < 0 || v1s_set_group(&P, "ecp256") < 0 ||
	    v1_engine_initiate(P.eng[0], "lab", why, sizeof(why)) < 0)
		return false;
	for (int i = 0; i < 16 && !v1s_waiting_qm(&P, 0); i++)
		v1p_deliver(&P);
	job_pool_drain(pool);
	m1 = P.last[0]; /* Quick Mode 1 (an INITIAL-CONTACT may be queued before it) */
	for (int i = 0; i < 4 && !v1s_waiting_qm(&P, 1); i++)
		v1p_deliver(&P);
	m2 = P.last[1]; /* the responder's Quick Mode 2 */
	ok = open_inner(1, NULL, &m1, &qm1) && open_inner(1, &m1, &m2, &qm2);
	v1p_run(&P);
	if (!ok)
		tap_diag("Quick Mode 1 or 2 could not be opened with the SA's keys");
	ok = ok && v1p_ipsec(&P, 1) == 1;
	v1_engine_delete_conn(P.eng[0], "lab");
	for (size_t i = 0; ok && i < P.q_len; i++) {
		struct blob d;

		if (!open_inner(1, NULL, &P.q[i], &d) || d.first != V1_P_D || d.n < 12)
			continue;
		/* Delete body: DOI(4) protocol(1) SPI size(1) count(2) SPIs, after a generic header */
		if (d.b[8] == 3 && d.b[9] == 4 && d.n >= 16) {
			memcpy(d.b + 12, "\xe5\x5e\x5e\xe5", 4);
			del_esp = d;
		} else if (d.b[8] == 1 && d.b[9] == 16 && d.n >= 28) {
			memset(d.b + 12, 0xcc, 16);
			del_isakmp = d;
		}
	}
	v1p_close(&P);
	if (ok && !(del_esp.n && del_isakmp.n))
		tap_diag("the Deletes of `down` could not be opened");
	return ok && del_esp.n && del_isakmp.n;
}

/* Quick Mode 1 of a connection with PFS: it carries a KE payload (RFC 2409 5.5). */
static bool capture_pfs(void)
{
	char why[64];
	bool ok;

	if (v1p_open(&P, pool, false) < 0 || v1s_set_group(&P, "ecp256") < 0 ||
	    v1s_set_pfs_dpd(&P, "ecp256", 10) < 0 ||
	    v1_engine_initiate(P.eng[0], "lab", why, sizeof(why)) < 0)
		return false;
	for (int i = 0; i < 16 && !v1s_waiting_qm(&P, 0); i++)
		v1p_deliver(&P);
	job_pool_drain(pool);
	ok = open_inner(1, NULL, &P.last[0], &qm1_pfs);
	v1p_close(&P);
	return ok;
}

/* ---- seeds ---- */

static void seed_begin(struct seed *s, enum v1q_mode mode)
{
	s->b[0] = (uint8_t)mode;
	s->n = 1;
}

static void seed_chunk(struct seed *s, uint8_t c0, uint8_t c1, uint8_t first, const uint8_t *in,
		       size_t len)
{
	size_t n = 3 + len;

	s->b[s->n++] = (uint8_t)(n >> 8);
	s->b[s->n++] = (uint8_t)n;
	s->b[s->n++] = c0;
	s->b[s->n++] = c1;
	s->b[s->n++] = first;
	memcpy(s->b + s->n, in, len);
	s->n += len;
}

static void write_seed(const char *name, const struct seed *s)
{
	char path[512];
	FILE *f;

	if (!out_dir)
		return;
	snprintf(path, sizeof(path), "%s/%s", out_dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(s->b, 1, s->n, f) != s->n)
		tap_diag("cannot write %s", path);
	if (f)
		fclose(f);
}

/* Run a seed through the harness as the fuzzer would; the pair stays open for checks. */
static bool run(const char *name, const struct seed *s)
{
	write_seed(name, s);
	if (!v1q_input(&P, pool, s->b, s->n)) {
		tap_ok(false, "%s: the harness reached its mode", name);
		return false;
	}
	return true;
}

static const struct v1_counters *cnt(int i) { return v1_engine_counters(P.eng[i]); }

/* Chunk byte 0: exchange | HASH << 2. */
#define QM(h) ((uint8_t)((h) << 2))
#define INFO(h) ((uint8_t)(1 | (h) << 2))

static void quick_seeds(void)
{
	struct seed s;
	static const uint8_t none[1];

	seed_begin(&s, V1Q_MAIN);
	seed_chunk(&s, QM(V1S_HASH_1), 0x01, qm1.first, qm1.b, qm1.n);
	seed_chunk(&s, QM(V1S_HASH_3), 0x01, 0, none, 0);
	if (run("m0_qm1_qm3", &s)) {
		tap_eq_int(v1p_ipsec(&P, 1), 2, "Quick Mode 1 + 3 sealed by the harness: a second IPsec SA");
		tap_eq_int((long long)cnt(1)->qm_done, 2, "... through the responder's Quick Mode handlers");
		v1q_finish(&P);
	}
	seed_begin(&s, V1Q_MAIN);
	seed_chunk(&s, QM(V1S_HASH_BAD), 0x02, qm1.first, qm1.b, qm1.n);
	if (run("m0_qm1_badhash", &s)) {
		tap_eq_int(v1p_ipsec(&P, 1), 1, "Quick Mode 1 with a wrong HASH(1): no new IPsec SA");
		tap_ok(cnt(1)->dropped > 0, "... dropped");
		v1q_finish(&P);
	}
	seed_begin(&s, V1Q_MAIN);
	seed_chunk(&s, QM(V1S_HASH_1), 0x03, qm1.first, qm1.b, qm1.n);
	seed_chunk(&s, QM(V1S_HASH_1), 0x03, qm1.first, qm1.b, qm1.n);
	if (run("m0_qm1_twice", &s)) {
		/* the second one continues the exchange's CBC chain: a Quick Mode 1 in QM_R1 */
		tap_ok(cnt(1)->dropped > 0, "Quick Mode 1 again on its message ID after Quick Mode 2: dropped");
		tap_eq_int(v1p_ipsec(&P, 1), 1, "... and no IPsec SA from either");
		v1q_finish(&P);
	}
	seed_begin(&s, V1Q_AGGRESSIVE);
	seed_chunk(&s, QM(V1S_HASH_1), 0x04, qm1.first, qm1.b, qm1.n);
	seed_chunk(&s, QM(V1S_HASH_3), 0x04, 0, none, 0);
	if (run("m1_qm1_qm3", &s)) {
		tap_eq_int(v1p_ipsec(&P, 1), 2, "after Aggressive Mode: Quick Mode 1 + 3 make a second IPsec SA");
		v1q_finish(&P);
	}
	seed_begin(&s, V1Q_MAIN_PFS);
	seed_chunk(&s, QM(V1S_HASH_1), 0x05, qm1_pfs.first, qm1_pfs.b, qm1_pfs.n);
	seed_chunk(&s, QM(V1S_HASH_3), 0x05, 0, none, 0);
	if (run("m4_qm1_pfs_qm3", &s)) {
		tap_eq_int(v1p_ipsec(&P, 1), 2, "with PFS: Quick Mode 1 (KE) + 3 make a second IPsec SA");
		v1q_finish(&P);
	}
	seed_begin(&s, V1Q_WAIT_QM2);
	seed_chunk(&s, QM(V1S_HASH_2), 0, qm2.first, qm2.b, qm2.n);
	if (run("m2_qm2", &s)) {
		tap_eq_int(v1p_ipsec(&P, 0), 1, "Quick Mode 2 sealed to the waiting initiator: its IPsec SA");
		v1q_finish(&P);
	}
	seed_begin(&s, V1Q_WAIT_QM3);
	seed_chunk(&s, QM(V1S_HASH_3), 0, 0, none, 0);
	if (run("m3_qm3", &s)) {
		tap_eq_int(v1p_ipsec(&P, 1), 1, "Quick Mode 3 sealed to the waiting responder: its IPsec SA");
		v1q_finish(&P);
	}
}

static void info_seeds(void)
{
	struct seed s;
	/* Notify: DOI 1, protocol ISAKMP, SPI size 16, type, cookies, data */
	uint8_t n[4 + 8 + 16 + 4] = { 0, 0, 0, sizeof(n), 0, 0, 0, 1, 1, 16 };

	seed_begin(&s, V1Q_MAIN);
	seed_chunk(&s, INFO(V1S_HASH_1), 0x10, V1_P_D, del_esp.b, del_esp.n);
	if (run("m0_info_delete_esp", &s)) {
		tap_eq_int(v1p_ipsec(&P, 1), 0, "Informational Delete (ESP) sealed by the harness: IPsec SA gone");
		v1q_finish(&P);
	}
	seed_begin(&s, V1Q_MAIN);
	seed_chunk(&s, INFO(V1S_HASH_1), 0x11, V1_P_D, del_isakmp.b, del_isakmp.n);
	if (run("m0_info_delete_isakmp", &s)) {
		tap_eq_int(v1p_count(&P, 1, NULL), 0, "Informational Delete (ISAKMP): the SA is gone");
		v1q_finish(&P);
	}
	n[10] = (uint8_t)(V1_N_R_U_THERE >> 8), n[11] = (uint8_t)V1_N_R_U_THERE;
	memset(n + 12, 0xcc, 16);
	n[31] = 7;
	seed_begin(&s, V1Q_MAIN);
	seed_chunk(&s, INFO(V1S_HASH_1), 0x12, V1_P_N, n, sizeof(n));
	if (run("m0_info_dpd", &s)) {
		/* the responder sent MM2, MM4, MM6 and QM2 on the way to mode 0 */
		tap_ok(P.sent[1] >= 5, "R-U-THERE sealed by the harness: answered (%zu sent)", P.sent[1]);
		v1q_finish(&P);
	}
	n[10] = (uint8_t)(V1_N_INITIAL_CONTACT >> 8), n[11] = (uint8_t)V1_N_INITIAL_CONTACT;
	seed_begin(&s, V1Q_MAIN);
	seed_chunk(&s, INFO(V1S_HASH_1), 0x13, V1_P_N, n, sizeof(n) - 4);
	if (run("m0_info_initial_contact", &s)) {
		tap_eq_int(v1p_count(&P, 1, NULL), 1, "INITIAL-CONTACT on the only SA: it stays");
		v1q_finish(&P);
	}
	seed_begin(&s, V1Q_MAIN);
	seed_chunk(&s, 3, 0, 0, n, sizeof(n));
	if (run("m0_raw", &s)) {
		tap_ok(cnt(1)->dropped > 0, "raw bytes: dropped");
		v1q_finish(&P);
	}
}

int main(int argc, char **argv)
{
	log_set_level(getenv("V1_TEST_DEBUG") ? LOG_LEVEL_DEBUG : LOG_LEVEL_ERROR);
	out_dir = argc > 1 ? argv[1] : NULL;
	if (job_pool_new(NULL, 1, &pool))
		return tap_skip_all("no job pool");
	if (!tap_ok(capture(), "a real exchange captured (Quick Mode 1, 2, Deletes)") ||
	    !tap_ok(capture_pfs(), "a Quick Mode 1 with PFS captured"))
		return tap_done();
	quick_seeds();
	info_seeds();
	job_pool_free(pool);
	return tap_done();
}
