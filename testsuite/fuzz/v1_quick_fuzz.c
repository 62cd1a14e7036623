/*
 * v1_quick_fuzz.c - libFuzzer target for the IKEv1 engine past
 * decryption (issue 7): two in-process engines (testsuite/regress/
 * v1_pair.h) bring an ISAKMP SA up with keys the harness can borrow
 * (v1_seal.h), and fuzzed Quick Mode / Informational payload chains are
 * encrypted correctly - the phase-2 IV of their message ID or the CBC
 * chain the receiver holds, HASH(1)/(2)/(3) right or wrong (RFC 2409 5.5,
 * 5.7, appendix B) - so they reach the Quick Mode and Informational
 * handlers, not only the parser.
 *
 * The harness is v1_quick_harness.c (shared with the seed test
 * v1_quick_seed_test.c, which writes v1_quick_seeds/ and checks that every
 * seed reaches its handler).
 *
 * Input: one mode byte, then chunks, each a 2-byte big-endian length and
 * its bytes.
 *   mode 0  Main Mode and a first Quick Mode done; chunks go to the
 *           responder (side 1) by default;
 *   mode 1  the same through Aggressive Mode;
 *   mode 2  the initiator finished phase 1, sent Quick Mode 1 and waits:
 *           chunks go to it (side 0) by default, as Quick Mode 2;
 *   mode 3  the responder answered Quick Mode 1 and waits for Quick Mode 3;
 *   mode 4  as mode 0 with PFS (a KE payload in Quick Mode) and DPD on.
 * A chunk: c[0] bits 0-1 the exchange (0 and 2 Quick Mode, 1
 * Informational, 3 the rest sent raw), bits 2-4 the HASH (enum v1s_hash;
 * 5-7 as HASH(1)), bit 7 the other side; c[1] the message ID (0: the one
 * of the receiver's waiting Quick Mode, or a fixed new one; 0xff: zero;
 * else 0x01000000 | c[1]); c[2] the first inner payload type; the rest is
 * the inner chain (placeholders for cookies and SPIs: v1_quick_harness.h).
 * Whatever comes: no crash, no leak, no sanitizer report;
 * everything the engines answer is handed to the other side, then every
 * timer fires.
 *
 * Phase 1 uses ecp256 instead of v1_pair's modp2048: the same code past
 * the KE jobs, several times the executions per second.
 */
#include <stdint.h>
#include <stdlib.h>

#include "common/job.h"
#include "common/log.h"
#include "testsuite/fuzz/fuzz_common.h"
#include "testsuite/fuzz/v1_quick_harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct job_pool *pool;
static struct v1_pair pair;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_setup_once(&pool);
	if (size < 1)
		return 0;
	if (!v1q_input(&pair, pool, data, size))
		abort(); /* the harness could not reach its mode: say so loudly */
	v1q_finish(&pair);
	return 0;
}
