/* sockets.c - UDP 500/4500 sockets with local-address knowledge (see sockets.h). */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/xfrm.h>

#include <event2/event.h>

#include "common/err.h"
#include "common/kernel.h"
#include "common/log.h"
#include "src/sockets.h"

#define SOCKETS_MAX 16
/* Datagrams read per readiness callback: bounded so one socket cannot starve the rest. */
#define SOCKETS_READ_BURST 64
/* Socket buffers: room for thousands of queued IKE datagrams. */
#define SOCKETS_BUFFER_BYTES (8 * 1024 * 1024)

struct ike_socket {
	int fd;
	int family;
	bool natt;
	bool wildcard;
	uint16_t port;
	struct sockaddr_storage bound;
	struct event *ev;
	struct ike_sockets *owner;
};

struct ike_sockets {
	struct ike_socket sock[SOCKETS_MAX];
	size_t n;
	struct dispatcher *dispatcher;
	uint8_t rx[IKE_MAX_DATAGRAM];
};

static bool sa_is_wildcard(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return ((const struct sockaddr_in *)ss)->sin_addr.s_addr == htonl(INADDR_ANY);
	return IN6_IS_ADDR_UNSPECIFIED(&((const struct sockaddr_in6 *)ss)->sin6_addr);
}

static socklen_t sa_len(const struct sockaddr_storage *ss)
{
	return ss->ss_family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
}

static bool sa_same_addr(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET)
		return ((const struct sockaddr_in *)a)->sin_addr.s_addr ==
		       ((const struct sockaddr_in *)b)->sin_addr.s_addr;
	return IN6_ARE_ADDR_EQUAL(&((const struct sockaddr_in6 *)a)->sin6_addr,
				  &((const struct sockaddr_in6 *)b)->sin6_addr);
}

static void socket_read(evutil_socket_t fd, short what, void *arg);

/*
 * RFC 4301 5.1 and RFC 7296 2.23 (and RFC 2409 for IKEv1): IKE's own
 * datagrams must not be caught by the IPsec policies it negotiates. A
 * host-to-host tunnel, a transport-mode pair or a subnet holding the
 * gateway's address would otherwise send a rekey, a DPD or an answer to a
 * new peer into ESP (or, with no SA yet, drop it while the kernel sends an
 * ACQUIRE). A per-socket policy that allows everything in both directions
 * takes precedence over the SPD (setsockopt IP_XFRM_POLICY /
 * IPV6_XFRM_POLICY; needs CAP_NET_ADMIN).
 */
static int socket_ipsec_bypass(int fd, int family)
{
	int level = family == AF_INET ? IPPROTO_IP : IPPROTO_IPV6;
	int name = family == AF_INET ? IP_XFRM_POLICY : IPV6_XFRM_POLICY;
	static const uint8_t dirs[] = { XFRM_POLICY_IN, XFRM_POLICY_OUT };

	for (size_t i = 0; i < sizeof(dirs); i++) {
		struct xfrm_userpolicy_info pol;

		memset(&pol, 0, sizeof(pol));
		pol.sel.family = (uint16_t)family;
		pol.lft.soft_byte_limit = pol.lft.hard_byte_limit = XFRM_INF;
		pol.lft.soft_packet_limit = pol.lft.hard_packet_limit = XFRM_INF;
		pol.dir = dirs[i];
		pol.action = XFRM_POLICY_ALLOW;
		if (setsockopt(fd, level, name, &pol, sizeof(pol)) < 0)
			return errno == EPERM || errno == EACCES ? ERR_PERM : ERR_IO;
	}
	return 0;
}

static int socket_open_one(struct ike_sockets *s, struct event_base *base,
			   const struct sockaddr_storage *addr, uint16_t port, bool natt)
{
	struct ike_socket *k;
	struct sockaddr_storage bind_addr = *addr;
	socklen_t len;
	char where[80];
	int on = 1, fd;

	if (s->n >= SOCKETS_MAX)
		return ERR_OVERFLOW;
	k = &s->sock[s->n];
	fd = socket(addr->ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return ERR_IO;
	if (addr->ss_family == AF_INET) {
		setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &on, sizeof(on));
	} else {
		/* v4 and v6 get separate sockets, so the v6 one must not take v4 */
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on));
		setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on, sizeof(on));
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	{
		/*
		 * A burst of IKE_SA_INITs (a site coming back, a load test) must
		 * queue, not be dropped by the kernel: the default receive buffer
		 * holds ~100 datagrams of veth/ethernet truesize. Root may go past
		 * rmem_max (SO_RCVBUFFORCE); otherwise the kernel caps it.
		 */
		int size = SOCKETS_BUFFER_BYTES;

		if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0)
			setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
		if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof(size)) < 0)
			setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
	}
	kernel_addr_set_port(&bind_addr, port);
	sockaddr_str((struct sockaddr *)&bind_addr, where, sizeof(where));
	if (bind(fd, (struct sockaddr *)&bind_addr, sa_len(&bind_addr)) < 0) {
		log_error(&log_global, "cannot listen on %s: %s", where, strerror(errno));
		close(fd);
		return ERR_IO;
	}
	switch (socket_ipsec_bypass(fd, addr->ss_family)) {
	case 0:
		break;
	case ERR_PERM: /* an unprivileged run (tests): there is no SPD of ours either */
		log_info(&log_global, "%s: no IPsec bypass for IKE (%s): IPsec policies covering "
			 "this address would catch IKE packets", where, strerror(errno));
		break;
	default:
		log_warn(&log_global, "%s: no IPsec bypass for IKE (%s): IPsec policies covering "
			 "this address would catch IKE packets", where, strerror(errno));
		break;
	}
	if (natt) {
		/* RFC 3948: the kernel decapsulates ESP-in-UDP arriving on this socket. */
		int encap = UDP_ENCAP_ESPINUDP;

		if (setsockopt(fd, IPPROTO_UDP, UDP_ENCAP, &encap, sizeof(encap)) < 0)
			log_warn(&log_global, "%s: UDP_ENCAP not set (%s): ESP-in-UDP will not reach the kernel",
				 where, strerror(errno));
	}
	len = sizeof(bind_addr);
	getsockname(fd, (struct sockaddr *)&bind_addr, &len);
	k->fd = fd;
	k->family = addr->ss_family;
	k->natt = natt;
	k->wildcard = sa_is_wildcard(addr);
	k->port = kernel_addr_port(&bind_addr);
	k->bound = bind_addr;
	k->owner = s;
	k->ev = event_new(base, fd, EV_READ | EV_PERSIST, socket_read, k);
	if (!k->ev || event_add(k->ev, NULL) < 0) {
		if (k->ev)
			event_free(k->ev);
		close(fd);
		return ERR_NOMEM;
	}
	s->n++;
	sockaddr_str((struct sockaddr *)&bind_addr, where, sizeof(where));
	log_info(&log_global, "listening on %s%s", where, natt ? " (NAT-T)" : "");
	return 0;
}

int sockets_open(struct event_base *base, const struct sockaddr_storage *addrs,
		 size_t n_addrs, uint16_t ike_port, uint16_t natt_port,
		 struct dispatcher *dispatcher, struct ike_sockets **out)
{
	struct ike_sockets *s = calloc(1, sizeof(*s));
	int rc = 0;

	*out = NULL;
	if (!s)
		return ERR_NOMEM;
	s->dispatcher = dispatcher;
	for (size_t i = 0; i < n_addrs && rc == 0; i++) {
		rc = socket_open_one(s, base, &addrs[i], ike_port, false);
		if (rc == 0)
			rc = socket_open_one(s, base, &addrs[i], natt_port, true);
	}
	if (rc) {
		sockets_close(s);
		return rc;
	}
	*out = s;
	return 0;
}

void sockets_close(struct ike_sockets *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++) {
		event_free(s->sock[i].ev);
		close(s->sock[i].fd);
	}
	free(s);
}

uint16_t sockets_ike_port(const struct ike_sockets *s)
{
	for (size_t i = 0; i < s->n; i++)
		if (!s->sock[i].natt)
			return s->sock[i].port;
	return 0;
}

uint16_t sockets_natt_port(const struct ike_sockets *s)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->sock[i].natt)
			return s->sock[i].port;
	return 0;
}

/* The local destination address of a datagram, from its PKTINFO control message. */
static void socket_local_addr(const struct ike_socket *k, struct msghdr *mh,
			      struct sockaddr_storage *local)
{
	memset(local, 0, sizeof(*local));
	local->ss_family = (sa_family_t)k->family;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo pi;

			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			((struct sockaddr_in *)local)->sin_addr = pi.ipi_addr;
		} else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
			struct in6_pktinfo pi;

			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			((struct sockaddr_in6 *)local)->sin6_addr = pi.ipi6_addr;
		}
	}
	kernel_addr_set_port(local, k->port);
}

static void socket_read(evutil_socket_t fd, short what, void *arg)
{
	struct ike_socket *k = arg;
	struct ike_sockets *s = k->owner;
	union {
		struct cmsghdr align;
		uint8_t buf[CMSG_SPACE(sizeof(struct in6_pktinfo)) + 64];
	} control;

	(void)what;
	for (int i = 0; i < SOCKETS_READ_BURST; i++) {
		struct datagram dg;
		struct iovec iov = { .iov_base = s->rx, .iov_len = sizeof(s->rx) };
		struct msghdr mh = {
			.msg_name = &dg.peer, .msg_namelen = sizeof(dg.peer),
			.msg_iov = &iov, .msg_iovlen = 1,
			.msg_control = control.buf, .msg_controllen = sizeof(control.buf),
		};
		ssize_t n;

		memset(&dg.peer, 0, sizeof(dg.peer));
		n = recvmsg(fd, &mh, MSG_DONTWAIT);
		if (n < 0)
			return; /* EAGAIN: drained; other errors (ICMP) are transient */
		if (mh.msg_flags & MSG_TRUNC)
			continue; /* larger than any IKE message may be: not ours */
		dg.data = s->rx;
		dg.len = (size_t)n;
		dg.natt_port = k->natt;
		socket_local_addr(k, &mh, &dg.local);
		dispatch_datagram(s->dispatcher, &dg);
	}
}

int sockets_send(struct ike_sockets *s, const struct datagram *dg)
{
	uint16_t port = kernel_addr_port(&dg->local);
	union {
		struct cmsghdr align;
		uint8_t buf[CMSG_SPACE(sizeof(struct in6_pktinfo))];
	} control;
	struct iovec iov = { .iov_base = (void *)dg->data, .iov_len = dg->len };
	struct msghdr mh = {
		.msg_name = (void *)&dg->peer, .msg_namelen = sa_len(&dg->peer),
		.msg_iov = &iov, .msg_iovlen = 1,
	};

	for (size_t i = 0; i < s->n; i++) {
		struct ike_socket *k = &s->sock[i];

		if (k->family != dg->peer.ss_family || k->port != port)
			continue;
		if (!k->wildcard && !sa_same_addr(&k->bound, &dg->local))
			continue;
		if (k->wildcard) {
			/* choose the source address: the one the request arrived on */
			struct cmsghdr *c;

			memset(&control, 0, sizeof(control));
			mh.msg_control = control.buf;
			c = (struct cmsghdr *)control.buf;
			if (k->family == AF_INET) {
				struct in_pktinfo pi = { 0 };

				pi.ipi_spec_dst = ((const struct sockaddr_in *)&dg->local)->sin_addr;
				mh.msg_controllen = CMSG_SPACE(sizeof(pi));
				c->cmsg_level = IPPROTO_IP;
				c->cmsg_type = IP_PKTINFO;
				c->cmsg_len = CMSG_LEN(sizeof(pi));
				memcpy(CMSG_DATA(c), &pi, sizeof(pi));
			} else {
				struct in6_pktinfo pi = { 0 };

				pi.ipi6_addr = ((const struct sockaddr_in6 *)&dg->local)->sin6_addr;
				mh.msg_controllen = CMSG_SPACE(sizeof(pi));
				c->cmsg_level = IPPROTO_IPV6;
				c->cmsg_type = IPV6_PKTINFO;
				c->cmsg_len = CMSG_LEN(sizeof(pi));
				memcpy(CMSG_DATA(c), &pi, sizeof(pi));
			}
		}
		if (sendmsg(k->fd, &mh, MSG_DONTWAIT) < 0)
			return ERR_IO;
		return 0;
	}
	return ERR_NOTFOUND;
}
