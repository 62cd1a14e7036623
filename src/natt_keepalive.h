/*
 * natt_keepalive.h - NAT keepalives (RFC 3948 2.3, RFC 7296 2.23): a
 * one-octet 0xFF UDP payload to the peer's NAT-T port every N seconds,
 * sent only by the end that found a NAT in front of itself, so the NAT
 * keeps the mapping for IKE and ESP-in-UDP open. N is the connection's
 * `nat_keepalive` (default: [daemon]'s, 20 s; 0: off).
 */
#ifndef DUALIKE_SRC_NATT_KEEPALIVE_H
#define DUALIKE_SRC_NATT_KEEPALIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct config;
struct daemon;
struct v1_engine;
struct v2_engine;

/* Send one keepalive from local (a NAT-T port address) to peer; 0 or a negative ERR_*. */
typedef int (*natt_keepalive_send_fn)(void *arg, const struct sockaddr_storage *local,
				      const struct sockaddr_storage *peer);

/*
 * Second `tick` of the daemon's clock: one keepalive for each IKE SA of
 * either engine (may be NULL) behind a NAT of ours whose connection's
 * period divides tick. How many were sent.
 */
size_t natt_keepalive_due(const struct config *cfg, struct v2_engine *v2, struct v1_engine *v1,
			  uint64_t tick, natt_keepalive_send_fn send, void *arg);

/* The period of a connection in seconds (0: off). */
uint32_t natt_keepalive_period(const struct config *cfg, const char *conn);
/* Whether any connection's period (or [daemon]'s) ends at this tick. */
bool natt_keepalive_tick_due(const struct config *cfg, uint64_t tick);

/* The daemon's one-second timer (libevent); counts into d->keepalives_sent. */
int natt_keepalive_start(struct daemon *d);
void natt_keepalive_stop(struct daemon *d);

#endif
