/*
 * v1_quick_harness.h - the IKEv1 engine past decryption, as the fuzz
 * target v1_quick_fuzz and its seed test (v1_quick_seed_test.c) drive it:
 * a pair of engines brought to a mode, then chunks sealed with the live
 * ISAKMP SA's keys. The input format is described in v1_quick_fuzz.c.
 *
 * Placeholders let a seed (or the fuzzer) name things that change from
 * run to run: 16 bytes of 0xCC in an inner chain become the receiver's
 * CKY-I | CKY-R, the 4 bytes E5 5E 5E E5 its first IPsec SA's inbound SPI.
 */
#ifndef DUALIKE_V1_QUICK_HARNESS_H
#define DUALIKE_V1_QUICK_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "testsuite/regress/v1_pair.h"

enum v1q_mode {
	V1Q_MAIN,         /* Main Mode + Quick Mode done; chunks to the responder */
	V1Q_AGGRESSIVE,   /* the same through Aggressive Mode */
	V1Q_WAIT_QM2,     /* the initiator sent Quick Mode 1 and waits; chunks to it */
	V1Q_WAIT_QM3,     /* the responder sent Quick Mode 2 and waits */
	V1Q_MAIN_PFS,     /* as V1Q_MAIN with PFS (KE in Quick Mode) and DPD */
	V1Q_MODES
};

/* Open the pair (ecp256 phase 1) and bring it to the mode; false if it could not. */
bool v1q_start(struct v1_pair *p, struct job_pool *pool, enum v1q_mode mode);
/* One chunk: sealed (or raw) to the side the mode and c[0] pick, then run. */
void v1q_chunk(struct v1_pair *p, enum v1q_mode mode, const uint8_t *c, size_t len);
/* A whole input: mode byte and chunks; timers fire at the end; the pair is left open. */
bool v1q_input(struct v1_pair *p, struct job_pool *pool, const uint8_t *data, size_t size);
/* Every timer fires, answers run, then the pair is closed. */
void v1q_finish(struct v1_pair *p);

#endif
