/*
 * load_loop.h - inside one generator run: the loop, the slots and the
 * sockets (load_run.c) shared by the two engine drivers, IKEv2
 * (load_v2.c) and IKEv1 Main Mode + Quick Mode (load_v1.c).
 *
 * A slot is one engine connection "l<index>" carrying one negotiation at
 * a time; the engines' outcome callbacks name the connection, so they
 * name the slot (load_slot_of). A driver starts a slot's negotiation in
 * up(), and reports its end with load_slot_up() or load_slot_failed().
 */
#ifndef DUALIKE_LOAD_LOOP_H
#define DUALIKE_LOAD_LOOP_H

#include <stdbool.h>
#include <stdint.h>

#include "src/load/load.h"
#include "src/load/load_net.h"

struct event;
struct event_base;
struct job_pool;
struct kernel;
struct load;
struct sad;
struct secret;

struct load_driver {
	/* the engine, one connection per slot, from source (port 0) */
	int (*open)(struct load *l, const struct sockaddr_storage *source);
	/* start slot's negotiation as SA number n (its --id-template number) */
	int (*up)(struct load *l, unsigned slot, unsigned n);
	/* one datagram from the target (non-ESP marker removed) */
	void (*input)(struct load *l, const struct load_rx *rx);
	/* the setup phase is over: the engine's counters into l->st */
	void (*setup_done)(struct load *l);
	/* --rekey: start one rekey on the SA of the slot named so (0: started;
	 * an error when the slot has no established SA or one is running) */
	int (*rekey_start)(struct load *l, const char *slot);
	/* children (IKEv2) or IPsec SA pairs (IKEv1) the engine has replaced */
	uint64_t (*rekeys_replaced)(const struct load *l);
	void (*delete_phase)(struct load *l);
	void (*close)(struct load *l);
};

extern const struct load_driver load_driver_v2;
extern const struct load_driver load_driver_v1;

/* What a socket's read event needs: the run and which socket. */
struct load_sock_arg {
	struct load *l;
	size_t i;
};

struct load_slot {
	double t0_us;
	bool busy;
};

struct load {
	const struct load_opts *o;
	const struct load_driver *drv;
	void *eng;               /* the driver's engine state */
	struct load_stats *st;
	load_progress_fn progress;
	struct event_base *base;
	struct job_pool *jobs;
	struct sad *sad;
	struct kernel *kernel;
	struct secret *psk;
	struct load_slot *slots;
	unsigned n_slots;
	unsigned *fifo;          /* free slots, ring */
	unsigned fifo_head, fifo_n;
	unsigned in_flight;
	struct load_sock *socks; /* [0] 500, [1] 4500; or the distinct ports */
	struct event **sock_ev;
	struct load_sock_arg *sock_args;
	size_t n_socks;
	struct event *pump_ev, *tick_ev;
	double deadline_us;      /* 0: none */
	double last_progress_us;
	bool stopping;
	uint8_t rx_buf[65536];
};

/* The slot a connection name ("l<index>") stands for, when it is busy. */
bool load_slot_of(const struct load *l, const char *conn, unsigned *idx);
/* The slot's negotiation ended: established (with children child SAs) or failed. */
void load_slot_up(struct load *l, unsigned idx, unsigned children);
void load_slot_failed(struct load *l, unsigned idx, const char *why);
/*
 * Send data to peer from local's address. The socket: the NAT-T one when
 * natt (IKE after the non-ESP marker, added here when add_marker), or
 * with --src-ports the one picked by the initiator's SPI / cookie at spi
 * (8 octets), so an SA keeps its port.
 */
int load_send(struct load *l, const struct sockaddr_storage *local,
	      const struct sockaddr_storage *peer, const uint8_t *data, size_t len,
	      const uint8_t *spi, bool natt, bool add_marker);
/* Run the loop for at most secs, or until cond(l) holds (checked every 10 ms). */
void load_run_for(struct load *l, double secs, bool (*cond)(const struct load *l));
/* load_kernel.c: `none`, with a policy for a selector already held taking its place. */
int load_kernel_open(struct kernel **out);
/* "l<index>" */
void load_slot_name(unsigned idx, char *buf, size_t len);
/*
 * load_opts.c: --ike / --esp in dualike.conf's tokens, checked as for an
 * ikev1 or ikev2 connection; problems printed on stderr. On success the
 * caller frees out with conf_proposals_free().
 */
struct conf_proposals;
int load_proposals_parse(const char *text, bool ike, bool ikev1, struct conf_proposals *out);

#endif
