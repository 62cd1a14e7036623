/*
 * v2_pair.h - two in-process IKEv2 engines (side 0 initiates, side 1
 * responds) joined by a queue of datagrams, with the `none` kernel, fixed
 * PSKs, deterministic SPIs (sad_set_random) and a job pool drained by
 * hand. Shared by the regression tests, the v2 engine fuzz target and the
 * soak driver. Test code: it reaches into the engine (v2_ike_sa.h) only
 * to borrow an established SA's keys, so that crafted bytes can be
 * sealed correctly and reach the state machine past the ICV check.
 */
#ifndef DUALIKE_V2_PAIR_H
#define DUALIKE_V2_PAIR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "v2/v2_engine.h"

#define V2P_QMAX 16
#define V2P_PKT_MAX 8192

struct job_pool;
struct v2_pair;

struct v2p_side {
	struct v2_pair *pair;
	struct v2_engine *eng;
	struct sad *sad;
	struct kernel *kernel;
	struct secret *psk;
	int index;
	int established, failed;
};

struct v2p_pkt {
	uint8_t data[V2P_PKT_MAX];
	size_t len;
	int from;
	struct v2_datagram dg;
};

struct v2_pair {
	struct v2p_side s[2];
	struct job_pool *pool;
	struct v2p_pkt q[V2P_QMAX];
	size_t q_len;
	size_t sent[2];      /* datagrams each side sent */
	struct sockaddr_storage addr[2];
};

/* ike/esp: proposal tokens ("aes128-sha256-prfsha256-x25519"). */
int v2p_open(struct v2_pair *p, struct job_pool *pool, const char *ike, const char *esp);
void v2p_close(struct v2_pair *p);
/* Hand the first queued datagram to the other side; false when the queue was empty. */
bool v2p_deliver(struct v2_pair *p);
void v2p_run(struct v2_pair *p);
/* up + run: 0 when both sides hold one established IKE SA. */
int v2p_establish(struct v2_pair *p);
/* bytes to side `to` as if sent by the other side; v2_engine_input()'s result. */
int v2p_inject(struct v2_pair *p, int to, const uint8_t *data, size_t len);
/*
 * A protected message to side `to` on its first IKE SA, sealed with the
 * keys the other side would use: exchange, response flag, message ID and
 * an inner chain (first_inner: its first type). 0 or ERR_*.
 */
int v2p_seal(struct v2_pair *p, int to, uint8_t exchange, bool response, uint32_t msgid,
	     uint8_t first_inner, const uint8_t *inner, size_t inner_len, uint8_t *out,
	     size_t cap, size_t *out_len);
/* The message ID side `to` expects next for a request (or a response if response). */
uint32_t v2p_msgid(struct v2_pair *p, int to, bool response);
/* SPIs of side i's first IKE SA; false when it has none. */
bool v2p_spis(struct v2_pair *p, int i, uint8_t spi_i[8], uint8_t spi_r[8]);
const char *v2p_state(struct v2_pair *p, int i);

#endif
