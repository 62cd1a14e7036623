/*
 * sockets.h - the daemon's UDP sockets: IKE (500) and NAT-T (4500), IPv4 and
 * IPv6, each datagram delivered with the local address it arrived on
 * (IP_PKTINFO / IPV6_RECVPKTINFO) so replies leave from the same address.
 * The NAT-T sockets are set for UDP encapsulation of ESP (UDP_ENCAP, RFC 3948)
 * so the kernel takes ESP-in-UDP off them and only IKE reaches us.
 */
#ifndef DUALIKE_SRC_SOCKETS_H
#define DUALIKE_SRC_SOCKETS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "src/dispatch.h"

struct event_base;
struct ike_sockets;

/*
 * Open and register with the event loop one socket per (address, port).
 * addrs are the listen addresses (0.0.0.0 / :: for any); a port of 0 picks a
 * free port (tests). Every datagram read goes to dispatch_datagram().
 */
int sockets_open(struct event_base *base, const struct sockaddr_storage *addrs,
		 size_t n_addrs, uint16_t ike_port, uint16_t natt_port,
		 struct dispatcher *dispatcher, struct ike_sockets **out);
void sockets_close(struct ike_sockets *s);
/* Send dg->data to dg->peer from dg->local (a socket with that port and family). */
int sockets_send(struct ike_sockets *s, const struct datagram *dg);
/* The bound port of the first IKE / NAT-T socket (after port 0 was asked). */
uint16_t sockets_ike_port(const struct ike_sockets *s);
uint16_t sockets_natt_port(const struct ike_sockets *s);

#endif
