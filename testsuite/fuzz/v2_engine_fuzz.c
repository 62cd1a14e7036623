/*
 * v2_engine_fuzz.c - libFuzzer target for the IKEv2 engine past the
 * parser: two in-process engines (testsuite/regress/v2_pair.h) so that
 * fuzzed bytes can be sealed with a live SA's keys and reach the state
 * machines behind the ICV check (issue 7).
 *
 * Input: one mode byte, then chunks, each a 2-byte big-endian length and
 * its bytes.
 *   mode 0  every chunk is a raw datagram to a fresh responder;
 *   mode 1  an IKE SA is established, then every chunk is a protected
 *           request: chunk[0] picks the exchange (IKE_AUTH, CREATE_CHILD_SA,
 *           INFORMATIONAL, or raw bytes) and the receiving side (bit 7),
 *           chunk[1] the first inner payload, chunk[2] the message ID
 *           (0: the expected one), the rest is the inner chain;
 *   mode 2  the initiator sent IKE_AUTH and waits: chunks (same layout)
 *           are sealed as responses to it;
 *   mode 3  the initiator sent an INFORMATIONAL Delete and waits: likewise;
 *   mode 4  the initiator sent IKE_SA_INIT and waits: raw responses;
 *   mode 5  an IKE SA with fragmentation (RFC 7383) is established, then
 *           every chunk is one SKF fragment of a request: chunk[0] picks
 *           the exchange and side as in mode 1, chunk[1] the Fragment
 *           Number, chunk[2] Total Fragments (both below 40), chunk[3] the
 *           message ID offset, chunk[4] the first inner payload (fragment 1),
 *           the rest its piece of the inner chain: reassembly (2.6) with
 *           any order, duplicate, gap and total.
 * Whatever comes: no crash, no leak, no sanitizer report; everything the
 * engines answer is handed to the other side, then timers fire.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/job.h"
#include "common/log.h"
#include "testsuite/regress/v2_pair.h"
#include "v2/v2_names.h"
#include "testsuite/fuzz/fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct job_pool *pool;
static struct v2_pair pair;
static uint8_t msg[V2P_PKT_MAX + 256];

static const uint8_t exchanges[4] = { V2_EXCH_IKE_AUTH, V2_EXCH_CREATE_CHILD_SA,
				      V2_EXCH_INFORMATIONAL, 0 };

/* One chunk of modes 1-3: sealed (or raw) to one side. */
static void sealed_chunk(int mode, const uint8_t *c, size_t len)
{
	uint8_t exch;
	int to = mode == 1 && len && !(c[0] >> 7) ? 1 : 0;
	bool response = mode != 1;
	uint32_t msgid;
	size_t out_len = 0;

	if (len < 3) {
		v2p_inject(&pair, to, c, len);
		return;
	}
	exch = exchanges[c[0] & 3];
	if (!exch) {
		v2p_inject(&pair, to, c + 1, len - 1);
		return;
	}
	msgid = v2p_msgid(&pair, to, response);
	if (c[2])
		msgid += (uint32_t)(int8_t)c[2];
	if (v2p_seal(&pair, to, exch, response, msgid, c[1], c + 3, len - 3, msg, sizeof(msg),
		     &out_len) == 0)
		v2p_inject(&pair, to, msg, out_len);
}

/* One chunk of mode 5: an SKF fragment to one side. */
static void fragment_chunk(const uint8_t *c, size_t len)
{
	int to = len && !(c[0] >> 7) ? 1 : 0;
	uint16_t number, total;
	uint8_t exch;
	size_t out_len = 0;

	if (len < 5) {
		v2p_inject(&pair, to, c, len);
		return;
	}
	exch = exchanges[c[0] & 3] ? exchanges[c[0] & 3] : V2_EXCH_INFORMATIONAL;
	number = (uint16_t)(c[1] % 40);
	total = (uint16_t)(c[2] % 40);
	if (v2p_seal_fragment(&pair, to, exch, false,
			      v2p_msgid(&pair, to, false) + (uint32_t)(int8_t)c[3],
			      number == 1 ? c[4] : 0, number, total, c + 5, len - 5, msg,
			      sizeof(msg), &out_len) == 0)
		v2p_inject(&pair, to, msg, out_len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct v2p_cfg cfg[2];
	const uint8_t *chunk;
	size_t len;
	int mode;

	fuzz_setup_once(&pool);
	if (size < 1)
		return 0;
	mode = data[0] % 6;
	data++;
	size--;
	for (int i = 0; i < 2; i++) {
		v2p_cfg_init(&cfg[i], i, "aes128-sha256-prfsha256-x25519", "aes128-sha256");
		cfg[i].fragmentation = mode == 5;
	}
	if (v2p_open_cfg(&pair, pool, cfg) < 0)
		abort();
	switch (mode) {
	case 1:
	case 5:
		if (v2p_establish(&pair) < 0)
			abort();
		break;
	case 2:
		v2_engine_up(pair.s[0].eng, "lab");
		v2p_deliver(&pair); /* IKE_SA_INIT request */
		v2p_deliver(&pair); /* its response: the initiator sends IKE_AUTH */
		job_pool_drain(pool);
		pair.q_len = 0;     /* lost: the fuzzer answers */
		break;
	case 3:
		if (v2p_establish(&pair) < 0)
			abort();
		v2_engine_down(pair.s[0].eng, "lab");
		pair.q_len = 0;
		break;
	case 4:
		v2_engine_up(pair.s[0].eng, "lab");
		job_pool_drain(pool);
		pair.q_len = 0;
		break;
	default:
		break;
	}
	while (fuzz_next_chunk(&data, &size, SIZE_MAX, &chunk, &len)) {
		if (mode == 0)
			v2p_inject(&pair, 1, chunk, len);
		else if (mode == 4)
			v2p_inject(&pair, 0, chunk, len);
		else if (mode == 5)
			fragment_chunk(chunk, len);
		else
			sealed_chunk(mode, chunk, len);
		v2p_run(&pair);
	}
	v2_engine_fire_timers(pair.s[0].eng);
	v2_engine_fire_timers(pair.s[1].eng);
	v2p_run(&pair);
	v2p_close(&pair);
	return 0;
}
