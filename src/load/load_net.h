/*
 * load_net.h - dualike-load's UDP sockets: port 500 and 4500 (or N
 * distinct ports, to look like N peers), with the source address chosen
 * per datagram (IP_PKTINFO / IPV6_PKTINFO) so one socket serves a whole
 * range of local addresses.
 */
#ifndef DUALIKE_LOAD_NET_H
#define DUALIKE_LOAD_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define LOAD_IKE_PORT 500
#define LOAD_NATT_PORT 4500

struct load_sock {
	int fd;
	uint16_t port;
};

/* One received datagram: the IKE bytes (non-ESP marker removed), both ends. */
struct load_rx {
	uint8_t *data;
	size_t len;
	struct sockaddr_storage local, peer;
	bool natt;
};

/* Bound to the wildcard address of family at port, non-blocking, pktinfo on. */
int load_sock_open(int family, uint16_t port, struct load_sock *out);
void load_sock_close(struct load_sock *s);
/*
 * Send data from local (its address; the socket's port) to peer, with the
 * RFC 3948 2.2 non-ESP marker first when natt.
 */
int load_sock_send(const struct load_sock *s, const struct sockaddr_storage *local,
		   const struct sockaddr_storage *peer, const uint8_t *data, size_t len, bool natt);
/*
 * Receive one datagram into buf: 0, 1 when nothing is
 * waiting, or a negative ERR_*. Datagrams from the NAT-T port lose their
 * marker; NAT keepalives and ESP come back with len 0.
 */
int load_sock_recv(const struct load_sock *s, uint8_t *buf, size_t cap, struct load_rx *rx);

/* The source address the kernel would use towards target. */
int load_route_source(const struct sockaddr_storage *target, struct sockaddr_storage *out);
void load_set_port(struct sockaddr_storage *ss, uint16_t port);
uint16_t load_get_port(const struct sockaddr_storage *ss);
bool load_same_addr(const struct sockaddr_storage *a, const struct sockaddr_storage *b);

#endif
