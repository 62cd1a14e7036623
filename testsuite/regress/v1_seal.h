/*
 * v1_seal.h - test code beside v1_pair.h: crafted Quick Mode and
 * Informational bodies encrypted with an established ISAKMP SA's keys, so
 * that they reach the handlers past decryption and the HASH check
 * (issue 7). Like v2_pair's v2p_seal, it reaches into the engine
 * (v1/v1_sa.h) only to borrow the SA's keys and IV chains.
 *
 * RFC 2409 5.5, 5.7 and appendix B: every phase-2 message is encrypted
 * with the phase-1 cipher; the first message of an exchange (message ID)
 * takes the IV hash(last phase-1 CBC block | M-ID), later ones continue
 * the exchange's CBC chain (the one the receiving engine holds); the
 * first payload is HASH(1), HASH(2) or HASH(3).
 */
#ifndef DUALIKE_V1_SEAL_H
#define DUALIKE_V1_SEAL_H

#include <stddef.h>
#include <stdint.h>

#include "testsuite/regress/v1_pair.h"

enum v1s_hash {
	V1S_HASH_1,    /* prf(SKEYID_a, M-ID | rest): QM1, Informational */
	V1S_HASH_2,    /* prf(SKEYID_a, M-ID | Ni_b | rest): QM2 */
	V1S_HASH_3,    /* prf(SKEYID_a, 0 | M-ID | Ni_b | Nr_b): QM3 */
	V1S_HASH_BAD,  /* a HASH payload of the right size that does not verify */
	V1S_HASH_NONE, /* no HASH payload: the chain as given */
};

/*
 * An encrypted message to side `to` on its first established ISAKMP SA,
 * as the other side would send it: exchange, message ID, the HASH payload
 * asked for, then the inner chain (first_inner: the type of its first
 * payload). The IV is the receiver's chain for that message ID when it
 * runs a Quick Mode with it, else the exchange's first IV. 0 or ERR_*.
 */
int v1s_seal(struct v1_pair *p, int to, uint8_t exch, uint32_t msg_id, enum v1s_hash hash,
	     uint8_t first_inner, const uint8_t *inner, size_t inner_len, uint8_t *out,
	     size_t cap, size_t *out_len);
/*
 * Decrypt a message of an exchange on side `side`'s first established
 * ISAKMP SA (both sides hold the same keys) and give the inner chain after
 * its HASH payload, and that chain's first type: for seeds and checks.
 * prev: NULL for the first message of its exchange (IV from the message
 * ID), else the message before it (its last CBC block). 0 or ERR_*.
 */
int v1s_open(struct v1_pair *p, int side, const uint8_t *prev, size_t prev_len,
	     const uint8_t *msg, size_t len, uint8_t *first, uint8_t *inner, size_t cap,
	     size_t *inner_len);
/* The message ID of a Quick Mode side i runs that waits for a message, or 0. */
uint32_t v1s_waiting_qm(struct v1_pair *p, int i);
/* Phase 1 of both sides' connections with another group (before initiating). */
int v1s_set_group(struct v1_pair *p, const char *group);
/* Quick Mode PFS group (NULL: none) and DPD (RFC 3706; 0: off) on both sides. */
int v1s_set_pfs_dpd(struct v1_pair *p, const char *pfs, uint32_t dpd_delay_s);
/* True when side i has an established ISAKMP SA. */
bool v1s_established(struct v1_pair *p, int i);

#endif
