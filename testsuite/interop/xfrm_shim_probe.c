/*
 * xfrm_shim_probe.c - drives the lab's XFRM shim (xfrm-shim.c) the ways the
 * lab's daemons do, and prints TAP. Run by xfrm-shim-test.sh, which builds
 * the shim, preloads it and starts this program in a private network
 * namespace where 192.0.2.1 is local and 192.0.2.2 is not.
 *
 * What it proves:
 *   - charon's kernel-netlink way: sendto(), select() until readable, then
 *     recv(MSG_PEEK | MSG_TRUNC) with a short buffer to learn the length
 *     and recv(MSG_TRUNC) to take it; the answer must be seen by all three;
 *   - pluto's way: poll(), recvfrom() with the sender checked to be the
 *     kernel (port id 0);
 *   - sendmsg() with the request split over two iovecs, ACK requested;
 *   - GETSA / DELSA of a remembered SA, GETSA of a forgotten one (ENOENT);
 *   - a malformed attribute is logged as malformed, never read past;
 *   - dualiked's own xfrm backend (libnl): SPI allocation and SA adds.
 * Each SA line in the shim's log is checked (DUALIKE_XFRM_SHIM_LOG).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/netlink.h>
#include <linux/xfrm.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "common/err.h"
#include "common/kernel.h"
#include "testsuite/lib/tap.h"

#define LOCAL "192.0.2.1"
#define REMOTE "192.0.2.2"

struct req {
	struct nlmsghdr h;
	unsigned char body[1024];
};

static const char *log_path;

/* The shim log's last line (without its newline) into out. */
static void last_line(char *out, size_t cap)
{
	char line[2048];
	FILE *f = log_path ? fopen(log_path, "r") : NULL;

	out[0] = '\0';
	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		snprintf(out, cap, "%s", line);
	fclose(f);
	out[strcspn(out, "\n")] = '\0';
}

static bool log_has(const char *needle)
{
	char line[2048];

	last_line(line, sizeof(line));
	if (strstr(line, needle))
		return true;
	tap_diag("last log line: %s", line);
	tap_diag("wanted in it: %s", needle);
	return false;
}

static void put_attr(struct req *r, size_t *off, unsigned short type, const void *p, size_t n)
{
	struct nlattr a = { .nla_len = (unsigned short)(NLA_HDRLEN + n), .nla_type = type };

	memcpy(r->body + *off, &a, sizeof(a));
	memcpy(r->body + *off + NLA_HDRLEN, p, n);
	*off += NLA_ALIGN(NLA_HDRLEN + n);
}

static void sa_info(struct xfrm_usersa_info *info, uint32_t spi, const char *src, const char *dst)
{
	memset(info, 0, sizeof(*info));
	info->family = AF_INET;
	info->id.proto = IPPROTO_ESP;
	info->id.spi = htonl(spi);
	inet_pton(AF_INET, src, &info->saddr.a4);
	inet_pton(AF_INET, dst, &info->id.daddr.a4);
	info->mode = XFRM_MODE_TUNNEL;
	info->reqid = 7;
}

/* NEWSA with AES-GCM-128 (16-byte key + 4-byte salt), ICV 128 bits */
static size_t build_newsa(struct req *r, uint32_t seq, uint32_t spi, const char *src,
			  const char *dst, bool bad_key_len)
{
	struct xfrm_usersa_info info;
	unsigned char alg[sizeof(struct xfrm_algo_aead) + 20];
	struct xfrm_algo_aead *a = (struct xfrm_algo_aead *)alg;
	size_t off = NLMSG_ALIGN(sizeof(info));

	memset(r, 0, sizeof(*r));
	sa_info(&info, spi, src, dst);
	memcpy(r->body, &info, sizeof(info));
	memset(alg, 0, sizeof(alg));
	snprintf(a->alg_name, sizeof(a->alg_name), "rfc4106(gcm(aes))");
	a->alg_key_len = bad_key_len ? 8 * 200 : 160;
	a->alg_icv_len = 128;
	for (int i = 0; i < 20; i++)
		alg[sizeof(struct xfrm_algo_aead) + i] = (unsigned char)(0xa0 + i);
	put_attr(r, &off, XFRMA_ALG_AEAD, alg, sizeof(alg));
	r->h.nlmsg_len = NLMSG_LENGTH(off);
	r->h.nlmsg_type = XFRM_MSG_NEWSA;
	r->h.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	r->h.nlmsg_seq = seq;
	return r->h.nlmsg_len;
}

static size_t build_id(struct req *r, uint16_t type, uint32_t seq, uint32_t spi, const char *dst)
{
	struct xfrm_usersa_id id = { .family = AF_INET, .proto = IPPROTO_ESP, .spi = htonl(spi) };

	memset(r, 0, sizeof(*r));
	inet_pton(AF_INET, dst, &id.daddr.a4);
	memcpy(r->body, &id, sizeof(id));
	r->h.nlmsg_len = NLMSG_LENGTH(sizeof(id));
	r->h.nlmsg_type = type;
	r->h.nlmsg_flags = NLM_F_REQUEST | (type == XFRM_MSG_DELSA ? NLM_F_ACK : 0);
	r->h.nlmsg_seq = seq;
	return r->h.nlmsg_len;
}

/* The error code of an NLMSG_ERROR answer in buf, or 1 if it is none. */
static int nl_error(const unsigned char *buf, ssize_t n)
{
	struct nlmsghdr h;
	struct nlmsgerr e;

	if (n < (ssize_t)NLMSG_LENGTH(sizeof(e)))
		return 1;
	memcpy(&h, buf, sizeof(h));
	if (h.nlmsg_type != NLMSG_ERROR)
		return 1;
	memcpy(&e, buf + NLMSG_HDRLEN, sizeof(e));
	return e.error;
}

static bool readable_select(int fd)
{
	fd_set set;
	struct timeval tv = { .tv_sec = 2 };

	FD_ZERO(&set);
	FD_SET(fd, &set);
	return select(fd + 1, &set, NULL, NULL, &tv) == 1 && FD_ISSET(fd, &set);
}

static bool readable_poll(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, 2000) == 1 && (p.revents & POLLIN);
}

/* charon's kernel-netlink: ALLOCSPI, select(), peek with MSG_TRUNC, read */
static uint32_t charon_way(int fd)
{
	struct xfrm_userspi_info spi;
	struct req r;
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	unsigned char small[16], buf[4096];
	struct nlmsghdr h;
	struct xfrm_usersa_info got;
	ssize_t peek, n;

	memset(&r, 0, sizeof(r));
	memset(&spi, 0, sizeof(spi));
	sa_info(&spi.info, 0, REMOTE, LOCAL);
	spi.min = 0xc0000000;
	spi.max = 0xcfffffff;
	memcpy(r.body, &spi, sizeof(spi));
	r.h.nlmsg_len = NLMSG_LENGTH(sizeof(spi));
	r.h.nlmsg_type = XFRM_MSG_ALLOCSPI;
	r.h.nlmsg_flags = NLM_F_REQUEST;
	r.h.nlmsg_seq = 11;
	tap_eq_int(sendto(fd, &r, r.h.nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof(kernel)),
		   r.h.nlmsg_len, "charon: ALLOCSPI is taken whole");
	tap_ok(readable_select(fd), "charon: select() sees the answer");
	peek = recv(fd, small, sizeof(small), MSG_PEEK | MSG_TRUNC);
	tap_eq_int(peek, NLMSG_LENGTH(sizeof(got)), "charon: recv(MSG_PEEK|MSG_TRUNC) gives its full length");
	tap_ok(readable_select(fd), "charon: a peeked answer is still there");
	n = recv(fd, buf, sizeof(buf), MSG_TRUNC);
	tap_eq_int(n, peek, "charon: recv(MSG_TRUNC) takes it");
	memset(&got, 0, sizeof(got));
	memcpy(&h, buf, sizeof(h));
	if (n >= (ssize_t)NLMSG_LENGTH(sizeof(got)))
		memcpy(&got, buf + NLMSG_HDRLEN, sizeof(got));
	tap_ok(h.nlmsg_type == XFRM_MSG_NEWSA && h.nlmsg_seq == 11,
	       "charon: the answer is a NEWSA with the request's sequence number");
	tap_ok(ntohl(got.id.spi) >= 0xc0000000 && ntohl(got.id.spi) <= 0xcfffffff,
	       "charon: the SPI 0x%08x is in the asked range", ntohl(got.id.spi));
	tap_ok(log_has("allocspi proto=esp spi=") && log_has(" dst=" LOCAL), "charon: ALLOCSPI logged");
	return ntohl(got.id.spi);
}

/* pluto's way, and sendmsg with two iovecs */
static void pluto_way(int fd, uint32_t spi)
{
	struct req r;
	size_t len = build_newsa(&r, 12, spi, LOCAL, REMOTE, false);
	struct iovec iov[2] = { { &r, 10 }, { (unsigned char *)&r + 10, len - 10 } };
	struct msghdr m = { .msg_iov = iov, .msg_iovlen = 2 };
	struct sockaddr_nl from;
	socklen_t flen = sizeof(from);
	unsigned char buf[4096];
	ssize_t n;

	tap_eq_int(sendmsg(fd, &m, 0), (long long)len, "pluto: NEWSA over two iovecs is taken whole");
	tap_ok(readable_poll(fd), "pluto: poll() sees the ACK");
	memset(&from, 0xff, sizeof(from));
	n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &flen);
	tap_eq_int(nl_error(buf, n), 0, "pluto: the answer is an ACK");
	tap_ok(flen == sizeof(from) && from.nl_family == AF_NETLINK && from.nl_pid == 0,
	       "pluto: the ACK comes from the kernel's port id 0 (got %u)", (unsigned)from.nl_pid);
	tap_ok(log_has("sa op=NEWSA proto=esp spi=") && log_has(" src=" LOCAL " dst=" REMOTE " dir=out mode=tunnel reqid=7 ") &&
	       log_has(" aead=rfc4106(gcm(aes)):a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3:128 ") &&
	       log_has(" enc=none auth=none") && log_has(" encap=none esn=0"),
	       "pluto: NEWSA logged with direction, mode, AEAD key and ICV bits");
}

static void get_del(int fd, uint32_t spi)
{
	struct req r;
	unsigned char buf[4096];
	struct nlmsghdr h;
	struct msghdr m;
	struct iovec iov = { buf, sizeof(buf) };
	struct sockaddr_nl from;
	ssize_t n;

	send(fd, &r, build_id(&r, XFRM_MSG_GETSA, 13, spi, REMOTE), 0);
	memset(&m, 0, sizeof(m));
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	m.msg_name = &from;
	m.msg_namelen = sizeof(from);
	n = recvmsg(fd, &m, MSG_DONTWAIT);
	memcpy(&h, buf, sizeof(h));
	tap_ok(n > 0 && h.nlmsg_type == XFRM_MSG_NEWSA && from.nl_pid == 0,
	       "GETSA of an installed SA answers NEWSA (recvmsg, from port id 0)");
	n = write(fd, &r, build_id(&r, XFRM_MSG_DELSA, 14, spi, REMOTE));
	if (n > 0)
		n = read(fd, buf, sizeof(buf));
	tap_eq_int(nl_error(buf, n), 0, "DELSA is ACKed (write/read)");
	tap_ok(log_has("delsa proto=esp spi="), "DELSA logged");
	send(fd, &r, build_id(&r, XFRM_MSG_GETSA, 15, spi, REMOTE), 0);
	n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
	tap_eq_int(nl_error(buf, n), -ENOENT, "GETSA of a deleted SA answers ENOENT");
}

static void malformed(int fd)
{
	struct req r;
	unsigned char buf[4096];
	ssize_t n;

	send(fd, &r, build_newsa(&r, 16, 0x1234, LOCAL, REMOTE, true), 0);
	n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
	tap_eq_int(nl_error(buf, n), 0, "a key longer than its attribute: still ACKed");
	tap_ok(log_has(" aead=malformed") && log_has(" err=malformed-attr"),
	       "a key longer than its attribute is logged as malformed");
	build_newsa(&r, 17, 0x1235, LOCAL, REMOTE, false);
	r.body[NLMSG_ALIGN(sizeof(struct xfrm_usersa_info))] = 0xff;	/* nla_len past the end */
	send(fd, &r, r.h.nlmsg_len, 0);
	n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
	tap_eq_int(nl_error(buf, n), 0, "an attribute past the message's end: still ACKed");
	tap_ok(log_has(" spi=0x00001235 ") && log_has(" err=malformed-attr"),
	       "an attribute past the message's end is logged as malformed");
}

/* dualiked's xfrm backend (libnl) through the shim */
static void dualiked_way(void)
{
	static const uint8_t ek[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
	static const uint8_t ak[32] = { 0x20, 0x21, 0x22 };
	struct kernel *k = NULL;
	struct kernel_sa sa;
	uint32_t spi = 0;
	char line[2048];

	if (kernel_open("xfrm", &k) < 0) {
		tap_ok(false, "dualiked: the xfrm backend opens");
		return;
	}
	memset(&sa, 0, sizeof(sa));
	kernel_addr_parse(REMOTE, &sa.src);
	kernel_addr_parse(LOCAL, &sa.dst);
	tap_eq_int(kernel_alloc_spi(k, &sa.src, &sa.dst, KERNEL_PROTO_ESP, &spi), 0,
		   "dualiked: SPI allocated through the shim");
	sa.proto = KERNEL_PROTO_ESP;
	sa.spi = spi;
	sa.mode = KERNEL_MODE_TUNNEL;
	sa.reqid = 3;
	sa.encr_id = KERNEL_ENCR_AES_CBC;
	sa.encr_key = ek;
	sa.encr_key_len = sizeof(ek);
	sa.integ_id = KERNEL_INTEG_HMAC_SHA2_256_128;
	sa.integ_key = ak;
	sa.integ_key_len = sizeof(ak);
	sa.replay_window = 32;
	tap_eq_int(kernel_update_sa(k, &sa), 0, "dualiked: inbound SA installed through the shim");
	tap_ok(log_has(" dir=in ") && log_has(" enc=cbc(aes):0102030405060708090a0b0c0d0e0f10 ") &&
	       log_has(" auth=hmac(sha256):2021220000000000000000000000000000000000000000000000000000000000:128 ") &&
	       log_has(" aead=none comp=none encap=none esn=0"),
	       "dualiked: inbound AES-CBC + HMAC-SHA-256-128 SA logged");
	tap_eq_int(kernel_del_sa(k, &sa.dst, spi, KERNEL_PROTO_ESP), 0, "dualiked: SA deleted through the shim");
	/* UDP-encapsulated transport with the peer's NAT-OA (RFC 3947 5.2): XFRM's encap_oa */
	sa.spi = spi + 1;
	sa.mode = KERNEL_MODE_TRANSPORT;
	sa.encap = true;
	sa.encap_sport = 5500;
	sa.encap_dport = 4500;
	kernel_addr_parse("10.0.0.1", &sa.encap_oa);
	tap_eq_int(kernel_add_sa(k, &sa), 0, "dualiked: UDP-encapsulated transport SA with NAT-OA installed");
	tap_ok(log_has(" mode=transport ") && log_has(" encap=udp:5500:4500 oa=10.0.0.1"),
	       "dualiked: its encapsulation template carries the original address 10.0.0.1");
	kernel_del_sa(k, &sa.dst, sa.spi, KERNEL_PROTO_ESP);
	memset(&sa.encap_oa, 0, sizeof(sa.encap_oa));
	sa.spi = spi + 2;
	tap_eq_int(kernel_add_sa(k, &sa), 0, "dualiked: the same without NAT-OA installed");
	last_line(line, sizeof(line));
	tap_ok(log_has(" encap=udp:5500:4500") && !strstr(line, " oa="),
	       "dualiked: then the template's original address is zero (no oa= logged)");
	kernel_del_sa(k, &sa.dst, sa.spi, KERNEL_PROTO_ESP);
	/* an original address needs UDP-encapsulated transport (kernel_sa_check) */
	sa.mode = KERNEL_MODE_TUNNEL;
	kernel_addr_parse("10.0.0.1", &sa.encap_oa);
	tap_eq_int(kernel_add_sa(k, &sa), ERR_INVAL, "dualiked: NAT-OA with tunnel mode is refused");
	kernel_close(k);
}

int main(void)
{
	struct sockaddr_nl local = { .nl_family = AF_NETLINK };
	struct stat st;
	uint32_t spi;
	int fd;

	log_path = getenv("DUALIKE_XFRM_SHIM_LOG");
	if (!log_path || !getenv("LD_PRELOAD"))
		return tap_skip_all("run by xfrm-shim-test.sh (the shim preloaded, a log named)");
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_XFRM);
	if (fd < 0 || bind(fd, (struct sockaddr *)&local, sizeof(local)) < 0)
		return tap_skip_all("no NETLINK_XFRM socket here: %s", strerror(errno));
	spi = charon_way(fd);
	pluto_way(fd, spi);
	get_del(fd, spi);
	malformed(fd);
	close(fd);
	dualiked_way();
	tap_ok(stat(log_path, &st) == 0 && (st.st_mode & 0777) == 0600, "the SA log is mode 0600");
	return tap_done();
}
