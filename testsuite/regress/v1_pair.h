/*
 * v1_pair.h - two in-process IKEv1 engines (side 0 initiates Main or
 * Aggressive Mode, side 1 responds) joined by a datagram queue, with the
 * `none` kernel, a shared PSK, deterministic cookies (sad_set_random) and
 * a job pool drained by hand. For the regression tests and the soak driver.
 */
#ifndef DUALIKE_V1_PAIR_H
#define DUALIKE_V1_PAIR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "v1/v1_engine.h"

#define V1P_QMAX 16
#define V1P_PKT_MAX 8192

struct v1p_pkt {
	uint8_t data[V1P_PKT_MAX];
	size_t len;
	int from;
};

struct v1_pair {
	struct v1_engine *eng[2];
	struct sad *sad[2];
	struct kernel *kernel[2];
	struct secret *psk;
	struct job_pool *pool;
	struct sockaddr_storage addr[2];
	uint64_t made[2], failed[2];
	size_t sent[2];
	struct v1p_pkt q[V1P_QMAX];
	size_t q_len;
	struct v1p_pkt last[2]; /* last datagram each side sent */
};

int v1p_open(struct v1_pair *p, struct job_pool *pool, bool aggressive);
void v1p_close(struct v1_pair *p);
bool v1p_deliver(struct v1_pair *p);
void v1p_run(struct v1_pair *p);
/* Initiate and run: 0 when both sides hold an ISAKMP SA and an IPsec SA pair. */
int v1p_establish(struct v1_pair *p);
int v1p_inject(struct v1_pair *p, int to, const uint8_t *data, size_t len);
/* ISAKMP SAs on side i, and how many of them are established. */
unsigned v1p_count(struct v1_pair *p, int i, unsigned *established);
unsigned v1p_ipsec(struct v1_pair *p, int i);

#endif
