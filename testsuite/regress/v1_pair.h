/*
 * v1_pair.h - two in-process IKEv1 engines (side 0 initiates Main or
 * Aggressive Mode, side 1 responds) joined by a datagram queue, with the
 * `none` kernel, a shared PSK, deterministic cookies (sad_set_random) and
 * a job pool drained by hand. For the regression tests and the soak driver.
 *
 * With v1p_open_opts() side 0 may sit behind a NAT (RFC 3947 tests): it
 * is 10.0.0.1 inside, 192.0.2.100 outside, its ports mapped to port+1000
 * (500 -> 1500, 4500 -> 5500); side 1 (192.0.2.2) answers any peer and
 * sees side 0 only as the NAT's public address.
 */
#ifndef DUALIKE_V1_PAIR_H
#define DUALIKE_V1_PAIR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/kernel.h"
#include "v1/v1_engine.h"

#define V1P_QMAX 16
#define V1P_PKT_MAX 8192

struct v1p_pkt {
	uint8_t data[V1P_PKT_MAX];
	size_t len;
	int from;
	struct sockaddr_storage src, dst; /* as the sender sent it */
};

struct v1p_opts {
	bool aggressive;
	bool transport;          /* both connections ask for transport mode */
	bool nat;                /* side 0 behind a NAT */
	unsigned natt_offer[2];  /* v1_conn.natt_offer per side (0: all methods) */
	uint32_t dpd_delay[2];   /* v1_conn.dpd_delay_s per side (0: no DPD) */
};

struct v1_pair {
	struct v1_engine *eng[2];
	struct sad *sad[2];
	struct kernel *kernel[2];
	struct secret *psk;
	struct job_pool *pool;
	struct sockaddr_storage addr[2];   /* each side's own address (port 500) */
	struct sockaddr_storage nat_pub;   /* side 0's public address when behind the NAT */
	bool nat;
	uint64_t made[2], failed[2];
	size_t sent[2];
	struct v1p_pkt q[V1P_QMAX];
	size_t q_len;
	struct v1p_pkt last[2]; /* last datagram each side sent */
	/* what each side last handed the kernel for an IPsec SA pair (env.ipsec_installed) */
	struct v1p_installed {
		unsigned n;                           /* pairs installed */
		enum kernel_mode mode;
		bool encap;
		struct sockaddr_storage oa_in, oa_out; /* kernel_sa.encap_oa of in and out */
	} installed[2];
};

int v1p_open(struct v1_pair *p, struct job_pool *pool, bool aggressive);
int v1p_open_opts(struct v1_pair *p, struct job_pool *pool, const struct v1p_opts *o);
void v1p_close(struct v1_pair *p);
/*
 * Side who's connection "lab" as v1p_open_opts() makes it, without the
 * identities: aes128 / prfsha256 / modp2048, ESP aes128-sha256, this
 * side's and the other's address, 10.1.0.0/24 <-> 10.2.0.0/24 (or the
 * hosts in transport mode). NULL when out of memory.
 */
struct v1_conn *v1p_conn(const struct v1_pair *p, int who, const struct v1p_opts *o);
/* The pair's proposals into c: phase 1 encr / prfsha256 / modp2048, ESP aes128-sha256. */
void v1p_conn_proposals(struct v1_conn *c, const char *encr);
bool v1p_deliver(struct v1_pair *p);
void v1p_run(struct v1_pair *p);
/* Initiate and run: 0 when both sides hold an ISAKMP SA and an IPsec SA pair. */
int v1p_establish(struct v1_pair *p);
/* v1p_open_opts() (o NULL: Main Mode, no options) and v1p_establish(); when either
 * fails the pair is closed again. */
int v1p_up(struct v1_pair *p, struct job_pool *pool, const struct v1p_opts *o);
/* Bytes to side `to` on its port 500, from the other side as `to` sees it (through the NAT). */
int v1p_inject(struct v1_pair *p, int to, const uint8_t *data, size_t len);
/* ISAKMP SAs on side i, and how many of them are established. */
unsigned v1p_count(struct v1_pair *p, int i, unsigned *established);
unsigned v1p_ipsec(struct v1_pair *p, int i);

#endif
