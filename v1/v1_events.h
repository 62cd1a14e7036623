/*
 * v1_events.h - what the daemon asks the IKEv1 engine outside a message:
 * kernel EXPIRE events for IPsec SAs (v1_kernel_events.c) and which ISAKMP
 * SAs sit behind a NAT of ours, to keep its mapping open (v1_nat_state.c).
 * Separate from v1_engine.h so the NAT-T and lifetime code stays as is.
 */
#ifndef DUALIKE_V1_EVENTS_H
#define DUALIKE_V1_EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct v1_engine;

/*
 * The kernel says an IPsec SA of ours (by SPI, either direction; dst of
 * family AF_UNSPEC matches any) reached its soft limit: a new Quick Mode
 * replaces the pair (RFC 2409 5.5, as v1_rekey.c's lifetime does), or its
 * hard limit: the pair is deleted, with a Delete payload when the ISAKMP
 * SA is up (RFC 2408 4.8). 0, or ERR_NOTFOUND when no pair has the SPI.
 */
int v1_engine_child_expired(struct v1_engine *e, uint32_t spi,
			    const struct sockaddr_storage *dst, bool hard);

/*
 * Every established ISAKMP SA floated to the NAT-T port with a NAT in
 * front of us (RFC 3947 3: NAT-D hash of our address did not match): its
 * connection, local and peer addresses, ports included. How many; fn may
 * be NULL.
 */
typedef void (*v1_natted_fn)(const char *conn, const struct sockaddr_storage *local,
			     const struct sockaddr_storage *peer, void *arg);
size_t v1_engine_foreach_natted(struct v1_engine *e, v1_natted_fn fn, void *arg);

#endif
