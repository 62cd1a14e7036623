/*
 * load_net.c - the sockets of dualike-load (load_net.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "common/err.h"
#include "src/load/load_net.h"

void load_set_port(struct sockaddr_storage *ss, uint16_t port)
{
	if (ss->ss_family == AF_INET)
		((struct sockaddr_in *)ss)->sin_port = htons(port);
	else if (ss->ss_family == AF_INET6)
		((struct sockaddr_in6 *)ss)->sin6_port = htons(port);
}

uint16_t load_get_port(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)ss)->sin_port);
	if (ss->ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
	return 0;
}

bool load_same_addr(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET)
		return ((const struct sockaddr_in *)a)->sin_addr.s_addr ==
		       ((const struct sockaddr_in *)b)->sin_addr.s_addr;
	if (a->ss_family == AF_INET6)
		return memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
			      &((const struct sockaddr_in6 *)b)->sin6_addr, 16) == 0;
	return false;
}

static socklen_t ss_len(const struct sockaddr_storage *ss)
{
	return ss->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
}

int load_sock_open(int family, uint16_t port, struct load_sock *out)
{
	struct sockaddr_storage ss;
	int on = 1, buf = 4 << 20;
	int fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	out->fd = -1;
	if (fd < 0)
		return ERR_IO;
	memset(&ss, 0, sizeof(ss));
	ss.ss_family = (sa_family_t)family;
	load_set_port(&ss, port);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	/* bursts of a whole window of answers must not overflow the queue */
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof(buf));
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buf, sizeof(buf));
	if (family == AF_INET)
		setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &on, sizeof(on));
	else
		setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on, sizeof(on));
	if (bind(fd, (struct sockaddr *)&ss, ss_len(&ss)) < 0) {
		close(fd);
		return errno == EACCES ? ERR_PERM : ERR_IO;
	}
	out->fd = fd;
	out->port = port;
	return 0;
}

void load_sock_close(struct load_sock *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}

int load_sock_send(const struct load_sock *s, const struct sockaddr_storage *local,
		   const struct sockaddr_storage *peer, const uint8_t *data, size_t len, bool natt)
{
	static const uint8_t marker[4];
	union {
		char buf[CMSG_SPACE(sizeof(struct in6_pktinfo))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov[2];
	struct msghdr msg;
	struct cmsghdr *c;
	size_t n = 0;

	memset(&msg, 0, sizeof(msg));
	memset(&ctl, 0, sizeof(ctl));
	if (natt) /* RFC 3948 2.2: IKE on the NAT-T port after four zero octets */
		iov[n++] = (struct iovec){ .iov_base = (void *)marker, .iov_len = 4 };
	iov[n++] = (struct iovec){ .iov_base = (void *)data, .iov_len = len };
	msg.msg_name = (void *)peer;
	msg.msg_namelen = ss_len(peer);
	msg.msg_iov = iov;
	msg.msg_iovlen = n;
	msg.msg_control = ctl.buf;
	c = (struct cmsghdr *)ctl.buf;
	if (local->ss_family == AF_INET) {
		struct in_pktinfo pi;

		memset(&pi, 0, sizeof(pi));
		pi.ipi_spec_dst = ((const struct sockaddr_in *)local)->sin_addr;
		msg.msg_controllen = CMSG_SPACE(sizeof(pi));
		c->cmsg_level = IPPROTO_IP;
		c->cmsg_type = IP_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(c), &pi, sizeof(pi));
	} else if (local->ss_family == AF_INET6) {
		struct in6_pktinfo pi;

		memset(&pi, 0, sizeof(pi));
		pi.ipi6_addr = ((const struct sockaddr_in6 *)local)->sin6_addr;
		msg.msg_controllen = CMSG_SPACE(sizeof(pi));
		c->cmsg_level = IPPROTO_IPV6;
		c->cmsg_type = IPV6_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(c), &pi, sizeof(pi));
	} else {
		msg.msg_control = NULL;
	}
	if (sendmsg(s->fd, &msg, 0) < 0)
		return ERR_IO;
	return 0;
}

int load_sock_recv(const struct load_sock *s, uint8_t *buf, size_t cap, struct load_rx *rx)
{
	union {
		char buf[CMSG_SPACE(sizeof(struct in6_pktinfo)) + 64];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { .iov_base = buf, .iov_len = cap };
	struct msghdr msg;
	ssize_t n;

	memset(rx, 0, sizeof(*rx));
	memset(&msg, 0, sizeof(msg));
	msg.msg_name = &rx->peer;
	msg.msg_namelen = sizeof(rx->peer);
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = ctl.buf;
	msg.msg_controllen = sizeof(ctl.buf);
	n = recvmsg(s->fd, &msg, 0);
	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ? 1 : ERR_IO;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo pi;
			struct sockaddr_in *l = (struct sockaddr_in *)&rx->local;

			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			l->sin_family = AF_INET;
			l->sin_addr = pi.ipi_addr;
		} else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
			struct in6_pktinfo pi;
			struct sockaddr_in6 *l = (struct sockaddr_in6 *)&rx->local;

			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			l->sin6_family = AF_INET6;
			l->sin6_addr = pi.ipi6_addr;
		}
	}
	load_set_port(&rx->local, s->port);
	rx->data = buf;
	rx->len = (size_t)n;
	if (load_get_port(&rx->peer) == LOAD_NATT_PORT) {
		/* RFC 3948 2.2: IKE after the non-ESP marker; keepalives and ESP are not ours */
		static const uint8_t zero[4];

		if (rx->len < 4 + 28 || memcmp(buf, zero, 4) != 0) {
			rx->len = 0;
			return 0;
		}
		rx->data = buf + 4;
		rx->len -= 4;
		rx->natt = true;
	}
	return 0;
}

int load_route_source(const struct sockaddr_storage *target, struct sockaddr_storage *out)
{
	struct sockaddr_storage t = *target;
	socklen_t len = sizeof(*out);
	int fd = socket(target->ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int rc = 0;

	if (fd < 0)
		return ERR_IO;
	load_set_port(&t, LOAD_IKE_PORT);
	memset(out, 0, sizeof(*out));
	if (connect(fd, (struct sockaddr *)&t, ss_len(&t)) < 0 ||
	    getsockname(fd, (struct sockaddr *)out, &len) < 0)
		rc = ERR_IO;
	close(fd);
	load_set_port(out, 0);
	return rc;
}
