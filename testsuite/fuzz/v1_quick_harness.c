/*
 * v1_quick_harness.c - see v1_quick_harness.h.
 */
#include <string.h>

#include "common/job.h"
#include "testsuite/fuzz/v1_quick_harness.h"
#include "testsuite/regress/v1_seal.h"
#include "v1/v1_names.h"
#include "testsuite/fuzz/fuzz_common.h"

static uint8_t msg[V1P_PKT_MAX + 256];
static uint8_t inner[V1P_PKT_MAX + 256];

/* Deliver until side i has a Quick Mode waiting for a message; then drop what is queued. */
static bool run_until_waiting(struct v1_pair *p, int i)
{
	for (int n = 0; n < 16 && !v1s_waiting_qm(p, i); n++)
		if (!v1p_deliver(p))
			break;
	job_pool_drain(p->pool);
	p->q_len = 0;
	return v1s_waiting_qm(p, i) != 0;
}

bool v1q_start(struct v1_pair *p, struct job_pool *pool, enum v1q_mode mode)
{
	char why[64];

	if (v1p_open(p, pool, mode == V1Q_AGGRESSIVE) < 0 || v1s_set_group(p, "ecp256") < 0)
		return false;
	if (mode == V1Q_MAIN_PFS && v1s_set_pfs_dpd(p, "ecp256", 10) < 0)
		return false;
	if (mode == V1Q_MAIN || mode == V1Q_AGGRESSIVE || mode == V1Q_MAIN_PFS)
		return v1p_establish(p) == 0;
	if (v1_engine_initiate(p->eng[0], "lab", why, sizeof(why)) < 0 || !run_until_waiting(p, 0))
		return false;
	if (mode == V1Q_WAIT_QM2)
		return true;
	/* Quick Mode 1 again (the initiator retransmits it), this time to the responder */
	v1_engine_timeout_all(p->eng[0]);
	if (!p->q_len)
		return false;
	v1p_deliver(p);
	return run_until_waiting(p, 1);
}

struct names {
	uint8_t cookies[16];
	bool have_cookies;
	uint8_t spi[4];
	bool have_spi;
};

static void sa_names(const struct v1_sa_info *in, void *arg)
{
	struct names *n = arg;

	if (!n->have_cookies && in->established) {
		memcpy(n->cookies, in->cky_i, 8);
		memcpy(n->cookies + 8, in->cky_r, 8);
		n->have_cookies = true;
	}
}

static void ipsec_names(const struct v1_ipsec_info *in, void *arg)
{
	struct names *n = arg;

	if (!n->have_spi) {
		n->spi[0] = (uint8_t)(in->spi_in >> 24), n->spi[1] = (uint8_t)(in->spi_in >> 16);
		n->spi[2] = (uint8_t)(in->spi_in >> 8), n->spi[3] = (uint8_t)in->spi_in;
		n->have_spi = true;
	}
}

/* The placeholders of v1_quick_harness.h, replaced in place. */
static void fill_names(struct v1_pair *p, int to, uint8_t *b, size_t len)
{
	static const uint8_t spi_mark[4] = { 0xe5, 0x5e, 0x5e, 0xe5 };
	static const uint8_t ck_mark[16] = { 0xcc, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc,
					     0xcc, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc };
	struct names n = { .have_cookies = false };

	v1_engine_foreach_sa(p->eng[to], sa_names, &n);
	v1_engine_foreach_ipsec(p->eng[to], ipsec_names, &n);
	for (size_t i = 0; i + 4 <= len; i++) {
		if (n.have_cookies && i + 16 <= len && !memcmp(b + i, ck_mark, 16)) {
			memcpy(b + i, n.cookies, 16);
			i += 15;
		} else if (n.have_spi && !memcmp(b + i, spi_mark, 4)) {
			memcpy(b + i, n.spi, 4);
			i += 3;
		}
	}
}

void v1q_chunk(struct v1_pair *p, enum v1q_mode mode, const uint8_t *c, size_t len)
{
	int to = (mode == V1Q_WAIT_QM2 ? 0 : 1) ^ (len && (c[0] >> 7));
	enum v1s_hash hash;
	uint8_t exch;
	uint32_t msg_id;
	size_t out_len = 0;

	if (len < 3 || (c[0] & 3) == 3) {
		if (len)
			v1p_inject(p, to, c + 1, len - 1);
		return;
	}
	exch = (c[0] & 3) == 1 ? V1_EXCH_INFORMATIONAL : V1_EXCH_QUICK;
	hash = (c[0] >> 2 & 7) <= V1S_HASH_NONE ? (enum v1s_hash)(c[0] >> 2 & 7) : V1S_HASH_1;
	if (c[1] == 0) {
		msg_id = v1s_waiting_qm(p, to);
		if (!msg_id)
			msg_id = 0x00c0ffee;
	} else {
		msg_id = c[1] == 0xff ? 0 : 0x01000000u | c[1];
	}
	memcpy(inner, c + 3, len - 3);
	fill_names(p, to, inner, len - 3);
	if (v1s_seal(p, to, exch, msg_id, hash, c[2], inner, len - 3, msg, sizeof(msg), &out_len) == 0)
		v1p_inject(p, to, msg, out_len);
}

bool v1q_input(struct v1_pair *p, struct job_pool *pool, const uint8_t *data, size_t size)
{
	enum v1q_mode mode;
	const uint8_t *chunk;
	size_t len;

	if (size < 1)
		return false;
	mode = (enum v1q_mode)(data[0] % V1Q_MODES);
	data++;
	size--;
	if (!v1q_start(p, pool, mode))
		return false;
	while (fuzz_next_chunk(&data, &size, V1P_PKT_MAX, &chunk, &len)) {
		v1q_chunk(p, mode, chunk, len);
		v1p_run(p);
	}
	return true;
}

void v1q_finish(struct v1_pair *p)
{
	for (int i = 0; i < 2; i++) {
		v1_engine_timeout_all(p->eng[i]);
		v1_engine_fire_timers(p->eng[i], V1_TIMER_DPD);
		v1_engine_fire_timers(p->eng[i], V1_TIMER_IPSEC_LIFE);
		v1_engine_fire_timers(p->eng[i], V1_TIMER_ISAKMP_LIFE);
	}
	v1p_run(p);
	v1p_close(p);
}
