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
struct kernel_sa;
struct v2_pair;

struct v2p_side {
	struct v2_pair *pair;
	struct v2_engine *eng;
	struct sad *sad;
	struct kernel *kernel;
	struct secret *psk;
	int index;
	int established, failed;
	int never_answered; /* failures reported as "IKE_SA_INIT never answered" */
};

/*
 * One side's configuration: v2p_cfg_init() gives what v2p_open() uses,
 * a test changes what it is about before v2p_open_cfg().
 */
struct v2p_cfg {
	const char *ike, *esp;            /* proposal tokens */
	const char *local_ts, *remote_ts; /* "10.1.0.0/16"; NULL: none */
	const char *psk;
	const char *pfs;                  /* CREATE_CHILD_SA KE token; NULL: no PFS */
	unsigned retransmit_tries;
	unsigned cookie_threshold;        /* V2_COOKIE_NEVER: never ask a cookie */
	bool fragmentation;               /* RFC 7383 (v2_conn.fragmentation) */
	uint16_t fragment_size;           /* 0: the address family's */
	/* the engine's child_installed hook; its arg is this side's struct v2p_side */
	void (*child_installed)(void *side, const struct kernel_sa *in,
				const struct kernel_sa *out);
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
	bool drop_next[2];   /* lose the next datagram this side sends */
	struct sockaddr_storage addr[2];
};

/* ike/esp: proposal tokens ("aes128-sha256-prfsha256-x25519"). */
int v2p_open(struct v2_pair *p, struct job_pool *pool, const char *ike, const char *esp);
/* Side i's defaults: peer.example.org (0) or gw.example.org (1), 10.1/16 <-> 10.2/16. */
void v2p_cfg_init(struct v2p_cfg *c, int i, const char *ike, const char *esp);
int v2p_open_cfg(struct v2_pair *p, struct job_pool *pool, const struct v2p_cfg cfg[2]);
/* Side i's connection "lab" as cfg describes it (for v2_engine_set_conns); 0 or ERR_*. */
int v2p_conn(const struct v2_pair *p, int i, const struct v2p_cfg *c, struct v2_conn *out);
void v2p_close(struct v2_pair *p);
/* Take the first queued datagram off the queue (after the jobs ran); false when empty. */
bool v2p_take(struct v2_pair *p, struct v2p_pkt *k);
/*
 * k's bytes to side `to`, from where k came and to where it went, as if
 * from the wire; then the jobs run. v2_engine_input()'s result.
 */
int v2p_put(struct v2_pair *p, int to, const struct v2p_pkt *k);
/* v2p_put() leaving the jobs under way (a job still running when k arrives). */
int v2p_put_busy(struct v2_pair *p, int to, const struct v2p_pkt *k);
/* Hand the first queued datagram to the other side, a copy in *keep (NULL: none). */
bool v2p_step(struct v2_pair *p, struct v2p_pkt *keep);
/* v2p_step(p, NULL): false when the queue was empty. */
bool v2p_deliver(struct v2_pair *p);
void v2p_run(struct v2_pair *p);
/* up + run: 0 when both sides hold one established IKE SA. */
int v2p_establish(struct v2_pair *p);
/* v2p_open() and v2p_establish(); when either fails the pair is closed again. */
int v2p_up(struct v2_pair *p, struct job_pool *pool, const char *ike, const char *esp);
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
/* v2p_seal() as one SKF fragment (RFC 7383 2.5): number of total, chunk[0..chunk_len). */
int v2p_seal_fragment(struct v2_pair *p, int to, uint8_t exchange, bool response, uint32_t msgid,
		      uint8_t first_inner, uint16_t number, uint16_t total, const uint8_t *chunk,
		      size_t chunk_len, uint8_t *out, size_t cap, size_t *out_len);
/* The message ID side `to` expects next for a request (or a response if response). */
uint32_t v2p_msgid(struct v2_pair *p, int to, bool response);
/* SPIs of side i's first IKE SA; false when it has none. */
bool v2p_spis(struct v2_pair *p, int i, uint8_t spi_i[8], uint8_t spi_r[8]);
const char *v2p_state(struct v2_pair *p, int i);

#endif
