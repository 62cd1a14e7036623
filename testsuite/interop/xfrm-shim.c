/*
 * xfrm-shim.c - an LD_PRELOAD library that lets an IKE daemon finish child
 * SAs on a kernel without ESP, for the interop lab (testsuite/interop/).
 *
 * The lab machine's kernel has XFRM but no ESP: adding an ESP SA fails with
 * "Requested type not found". Libreswan's pluto then gives up every child
 * SA. Preloaded into pluto, this library watches its NETLINK_XFRM sockets
 * and answers, without the kernel, the SA requests of ESP, AH and IPComp:
 *   XFRM_MSG_ALLOCSPI  a random SPI in the asked range, sent back as NEWSA
 *   XFRM_MSG_NEWSA,    remembered and ACKed
 *   XFRM_MSG_UPDSA
 *   XFRM_MSG_GETSA     the remembered SA sent back as NEWSA, or ENOENT
 *   XFRM_MSG_DELSA     forgotten and ACKed
 * Everything else (policies, events, other protocols) goes to the kernel.
 * No packet is protected: this is a control-plane stand-in.
 *
 * With DUALIKE_XFRM_SHIM_LOG=FILE every SA is logged (file created mode
 * 0600: the lines hold keys) as one line, e.g.
 *   sa op=NEWSA proto=esp spi=0x1a2b3c4d src=192.0.2.1 dst=192.0.2.2
 *      mode=tunnel reqid=1 enc=cbc(aes):KEYHEX auth=hmac(sha256):KEYHEX:128
 *      aead=none comp=none encap=none
 * so that a test can compare what both ends of a negotiation installed.
 *
 * Protocol: linux/netlink.h (nlmsghdr, nlmsgerr, NLM_F_ACK) and
 * linux/xfrm.h (xfrm_usersa_info, xfrm_usersa_id, xfrm_userspi_info,
 * xfrm_algo*, xfrm_encap_tmpl; attributes as rtattr, 4-byte aligned).
 * Only the request/answer pattern of a daemon that writes a request and
 * then reads its answer on the same socket is served; a daemon that waits
 * for the answer with poll/select first is not.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/xfrm.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#define MAX_FDS 1024
#define MAX_SAS 512
#define REPLY_MAX 4096
#define QUEUE_MAX 8

/* struct xfrm_algo and its kin start with a 64-byte algorithm name */
#define ALG_NAME_LEN 64
_Static_assert(offsetof(struct xfrm_algo, alg_key_len) == ALG_NAME_LEN, "xfrm_algo name");

struct reply {
	size_t len;
	unsigned char buf[REPLY_MAX];
};

struct fd_state {
	bool xfrm;
	unsigned head, count;
	struct reply q[QUEUE_MAX];
};

struct sa_entry {
	bool used;
	struct xfrm_usersa_info info;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct fd_state *fds[MAX_FDS];
static struct sa_entry sas[MAX_SAS];

static int (*real_socket)(int, int, int);
static int (*real_close)(int);
static ssize_t (*real_write)(int, const void *, size_t);
static ssize_t (*real_sendto)(int, const void *, size_t, int, const struct sockaddr *, socklen_t);
static ssize_t (*real_sendmsg)(int, const struct msghdr *, int);
static ssize_t (*real_read)(int, void *, size_t);
static ssize_t (*real_recvfrom)(int, void *, size_t, int, struct sockaddr *, socklen_t *);
static ssize_t (*real_recvmsg)(int, struct msghdr *, int);

static void *next_sym(const char *name)
{
	void *p = dlsym(RTLD_NEXT, name);

	if (!p)
		abort();	/* no libc: nothing sensible left to do */
	return p;
}

static void resolve(void)
{
	if (real_socket)
		return;
	real_close = next_sym("close");
	real_write = next_sym("write");
	real_sendto = next_sym("sendto");
	real_sendmsg = next_sym("sendmsg");
	real_read = next_sym("read");
	real_recvfrom = next_sym("recvfrom");
	real_recvmsg = next_sym("recvmsg");
	real_socket = next_sym("socket");
}

/* --- the SA log ------------------------------------------------------- */

struct line {
	char s[2048];
	size_t n;
};

static void put(struct line *l, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void put(struct line *l, const char *fmt, ...)
{
	va_list ap;
	int w;

	if (l->n >= sizeof(l->s))
		return;
	va_start(ap, fmt);
	w = vsnprintf(l->s + l->n, sizeof(l->s) - l->n, fmt, ap);
	va_end(ap);
	if (w > 0)
		l->n += (size_t)w;
	if (l->n >= sizeof(l->s))
		l->n = sizeof(l->s) - 1;
}

static void put_hex(struct line *l, const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		put(l, "%02x", p[i]);
}

static void put_addr(struct line *l, uint16_t family, const xfrm_address_t *a)
{
	char buf[INET6_ADDRSTRLEN];

	if (!inet_ntop(family == AF_INET6 ? AF_INET6 : AF_INET, a, buf, sizeof(buf)))
		snprintf(buf, sizeof(buf), "?");
	put(l, "%s", buf);
}

static void log_line(struct line *l)
{
	const char *path = getenv("DUALIKE_XFRM_SHIM_LOG");
	int fd;

	if (!path || !*path)
		return;
	put(l, "\n");
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return;
	if (real_write(fd, l->s, l->n) < 0) {
		/* a lost log line must not fail the daemon's request */
	}
	real_close(fd);
}

static const char *proto_name(uint8_t proto)
{
	switch (proto) {
	case IPPROTO_ESP: return "esp";
	case IPPROTO_AH: return "ah";
	case IPPROTO_COMP: return "comp";
	default: return "?";
	}
}

static const char *mode_name(uint8_t mode)
{
	switch (mode) {
	case XFRM_MODE_TRANSPORT: return "transport";
	case XFRM_MODE_TUNNEL: return "tunnel";
	case XFRM_MODE_BEET: return "beet";
	default: return "?";
	}
}

/*
 * An algorithm attribute: a 64-byte name, the key length in bits, for AEAD
 * and truncated integrity a second length in bits, then the key. Checked
 * against the attribute's own length before anything is read.
 */
static void put_algo(struct line *l, const char *label, const unsigned char *p,
		     size_t n, size_t head)
{
	char name[ALG_NAME_LEN + 1];
	uint32_t bits, extra = 0;
	size_t keylen;

	put(l, " %s=", label);
	if (n < head) {
		put(l, "malformed");
		return;
	}
	memcpy(name, p, ALG_NAME_LEN);
	name[ALG_NAME_LEN] = '\0';
	memcpy(&bits, p + ALG_NAME_LEN, sizeof(bits));
	if (head > ALG_NAME_LEN + sizeof(bits))
		memcpy(&extra, p + ALG_NAME_LEN + sizeof(bits), sizeof(extra));
	keylen = (bits + 7) / 8;
	if (keylen > n - head) {
		put(l, "malformed");
		return;
	}
	put(l, "%s:", name);
	put_hex(l, p + head, keylen);
	if (head > ALG_NAME_LEN + sizeof(bits))
		put(l, ":%u", (unsigned)extra);
}

static void log_sa(const char *op, const struct xfrm_usersa_info *info,
		   const unsigned char *attrs, size_t alen)
{
	struct line l = { .n = 0 };
	bool enc = false, auth = false, aead = false, comp = false, encap = false;

	put(&l, "sa op=%s proto=%s spi=0x%08x src=", op, proto_name(info->id.proto),
	    (unsigned)ntohl(info->id.spi));
	put_addr(&l, info->family, &info->saddr);
	put(&l, " dst=");
	put_addr(&l, info->family, &info->id.daddr);
	put(&l, " mode=%s reqid=%u", mode_name(info->mode), (unsigned)info->reqid);

	while (alen >= sizeof(struct rtattr)) {
		struct rtattr ra;
		size_t len, step;
		const unsigned char *pl;

		memcpy(&ra, attrs, sizeof(ra));
		len = ra.rta_len;
		if (len < sizeof(ra) || len > alen) {
			put(&l, " attrs=malformed");
			break;
		}
		pl = attrs + RTA_LENGTH(0);
		switch (ra.rta_type) {
		case XFRMA_ALG_CRYPT:
			put_algo(&l, "enc", pl, len - RTA_LENGTH(0), sizeof(struct xfrm_algo));
			enc = true;
			break;
		case XFRMA_ALG_AUTH:
			put_algo(&l, "auth", pl, len - RTA_LENGTH(0), sizeof(struct xfrm_algo));
			auth = true;
			break;
		case XFRMA_ALG_AUTH_TRUNC:
			put_algo(&l, "auth", pl, len - RTA_LENGTH(0), sizeof(struct xfrm_algo_auth));
			auth = true;
			break;
		case XFRMA_ALG_AEAD:
			put_algo(&l, "aead", pl, len - RTA_LENGTH(0), sizeof(struct xfrm_algo_aead));
			aead = true;
			break;
		case XFRMA_ALG_COMP:
			put_algo(&l, "comp", pl, len - RTA_LENGTH(0), sizeof(struct xfrm_algo));
			comp = true;
			break;
		case XFRMA_ENCAP:
			if (len - RTA_LENGTH(0) >= sizeof(struct xfrm_encap_tmpl)) {
				struct xfrm_encap_tmpl et;

				memcpy(&et, pl, sizeof(et));
				put(&l, " encap=udp:%u:%u", (unsigned)ntohs(et.encap_sport),
				    (unsigned)ntohs(et.encap_dport));
			} else {
				put(&l, " encap=malformed");
			}
			encap = true;
			break;
		default:
			break;
		}
		step = RTA_ALIGN(len);
		if (step >= alen)
			break;
		attrs += step;
		alen -= step;
	}
	if (!enc)
		put(&l, " enc=none");
	if (!auth)
		put(&l, " auth=none");
	if (!aead)
		put(&l, " aead=none");
	if (!comp)
		put(&l, " comp=none");
	if (!encap)
		put(&l, " encap=none");
	log_line(&l);
}

/* --- remembered SAs ---------------------------------------------------- */

static bool same_sa(const struct xfrm_usersa_info *a, const xfrm_address_t *daddr,
		    uint32_t spi, uint8_t proto, uint16_t family)
{
	return a->id.spi == spi && a->id.proto == proto && a->family == family &&
	       memcmp(&a->id.daddr, daddr, sizeof(*daddr)) == 0;
}

static struct sa_entry *find_sa(const xfrm_address_t *daddr, uint32_t spi,
				uint8_t proto, uint16_t family)
{
	for (size_t i = 0; i < MAX_SAS; i++)
		if (sas[i].used && same_sa(&sas[i].info, daddr, spi, proto, family))
			return &sas[i];
	return NULL;
}

static void keep_sa(const struct xfrm_usersa_info *info)
{
	struct sa_entry *e = find_sa(&info->id.daddr, info->id.spi, info->id.proto,
				     info->family);

	for (size_t i = 0; !e && i < MAX_SAS; i++)
		if (!sas[i].used)
			e = &sas[i];
	if (!e)
		return;		/* full: GETSA will say ENOENT, nothing worse */
	e->used = true;
	e->info = *info;
	memset(&e->info.curlft, 0, sizeof(e->info.curlft));
	memset(&e->info.stats, 0, sizeof(e->info.stats));
}

/* --- answers ------------------------------------------------------------- */

static struct fd_state *state_of(int fd)
{
	return fd >= 0 && fd < MAX_FDS && fds[fd] && fds[fd]->xfrm ? fds[fd] : NULL;
}

static struct reply *new_reply(struct fd_state *st)
{
	struct reply *r;

	if (st->count == QUEUE_MAX)
		return NULL;
	r = &st->q[(st->head + st->count) % QUEUE_MAX];
	st->count++;
	r->len = 0;
	return r;
}

/* NLMSG_ERROR carrying ERR (0: an ACK) and the request's header */
static void answer_error(struct fd_state *st, const struct nlmsghdr *req, int err)
{
	struct reply *r = new_reply(st);
	struct nlmsghdr h = {
		.nlmsg_len = NLMSG_LENGTH(sizeof(struct nlmsgerr)),
		.nlmsg_type = NLMSG_ERROR,
		.nlmsg_seq = req->nlmsg_seq,
		.nlmsg_pid = 0,
	};
	struct nlmsgerr e = { .error = err, .msg = *req };

	if (!r)
		return;
	memset(r->buf, 0, REPLY_MAX);
	memcpy(r->buf, &h, sizeof(h));
	memcpy(r->buf + NLMSG_HDRLEN, &e, sizeof(e));
	r->len = h.nlmsg_len;
}

static void answer_sa(struct fd_state *st, const struct nlmsghdr *req,
		      const struct xfrm_usersa_info *info)
{
	struct reply *r = new_reply(st);
	struct nlmsghdr h = {
		.nlmsg_len = NLMSG_LENGTH(sizeof(*info)),
		.nlmsg_type = XFRM_MSG_NEWSA,
		.nlmsg_seq = req->nlmsg_seq,
		.nlmsg_pid = 0,
	};

	if (!r)
		return;
	memset(r->buf, 0, REPLY_MAX);
	memcpy(r->buf, &h, sizeof(h));
	memcpy(r->buf + NLMSG_HDRLEN, info, sizeof(*info));
	r->len = h.nlmsg_len;
}

static bool ours(uint8_t proto)
{
	return proto == IPPROTO_ESP || proto == IPPROTO_AH || proto == IPPROTO_COMP;
}

static uint32_t random_spi(uint32_t min, uint32_t max)
{
	uint32_t v = 0;

	if (min < 0x100)
		min = 0x100;	/* SPIs 1..255 are reserved (RFC 4303 2.1) */
	if (max < min)
		max = min;
	if (getrandom(&v, sizeof(v), 0) != sizeof(v))
		v = (uint32_t)rand();
	return min + (max - min == UINT32_MAX ? v : v % (max - min + 1));
}

/*
 * One request: true if answered here (the caller reports it as sent),
 * false if it is for the kernel.
 */
static bool handle(struct fd_state *st, const unsigned char *buf, size_t len)
{
	struct nlmsghdr h;
	const unsigned char *body;
	size_t blen;

	if (len < NLMSG_HDRLEN)
		return false;
	memcpy(&h, buf, sizeof(h));
	if (h.nlmsg_len < NLMSG_HDRLEN || h.nlmsg_len > len)
		return false;
	body = buf + NLMSG_HDRLEN;
	blen = h.nlmsg_len - NLMSG_HDRLEN;

	switch (h.nlmsg_type) {
	case XFRM_MSG_NEWSA:
	case XFRM_MSG_UPDSA: {
		struct xfrm_usersa_info info;
		size_t off = NLMSG_ALIGN(sizeof(info));

		if (blen < sizeof(info))
			return false;
		memcpy(&info, body, sizeof(info));
		if (!ours(info.id.proto))
			return false;
		keep_sa(&info);
		log_sa(h.nlmsg_type == XFRM_MSG_NEWSA ? "NEWSA" : "UPDSA", &info,
		       body + (off < blen ? off : blen), off < blen ? blen - off : 0);
		if (h.nlmsg_flags & NLM_F_ACK)
			answer_error(st, &h, 0);
		return true;
	}
	case XFRM_MSG_ALLOCSPI: {
		struct xfrm_userspi_info req;
		struct line l = { .n = 0 };

		if (blen < sizeof(req))
			return false;
		memcpy(&req, body, sizeof(req));
		if (!ours(req.info.id.proto))
			return false;
		req.info.id.spi = htonl(random_spi(req.min, req.max));
		answer_sa(st, &h, &req.info);
		put(&l, "allocspi proto=%s spi=0x%08x dst=", proto_name(req.info.id.proto),
		    (unsigned)ntohl(req.info.id.spi));
		put_addr(&l, req.info.family, &req.info.id.daddr);
		log_line(&l);
		return true;
	}
	case XFRM_MSG_GETSA:
	case XFRM_MSG_DELSA: {
		struct xfrm_usersa_id id;
		struct sa_entry *e;

		if (blen < sizeof(id))
			return false;
		memcpy(&id, body, sizeof(id));
		if (!ours(id.proto))
			return false;
		e = find_sa(&id.daddr, id.spi, id.proto, id.family);
		if (h.nlmsg_type == XFRM_MSG_GETSA) {
			if (e)
				answer_sa(st, &h, &e->info);
			else
				answer_error(st, &h, -ENOENT);
		} else {
			struct line l = { .n = 0 };

			if (e)
				e->used = false;
			put(&l, "delsa proto=%s spi=0x%08x", proto_name(id.proto),
			    (unsigned)ntohl(id.spi));
			log_line(&l);
			if (h.nlmsg_flags & NLM_F_ACK)
				answer_error(st, &h, 0);
		}
		return true;
	}
	default:
		return false;
	}
}

/* Copy the oldest queued answer out; -1 if none is queued. */
static ssize_t take(struct fd_state *st, void *buf, size_t len, int flags,
		    struct sockaddr *addr, socklen_t *alen)
{
	struct reply *r;
	size_t n;

	if (st->count == 0)
		return -1;
	r = &st->q[st->head];
	n = r->len < len ? r->len : len;
	memcpy(buf, r->buf, n);
	if (addr && alen) {
		struct sockaddr_nl nl = { .nl_family = AF_NETLINK, .nl_pid = 0 };
		socklen_t c = *alen < sizeof(nl) ? *alen : (socklen_t)sizeof(nl);

		memcpy(addr, &nl, c);
		*alen = sizeof(nl);
	}
	if (!(flags & MSG_PEEK)) {
		st->head = (st->head + 1) % QUEUE_MAX;
		st->count--;
	}
	return (ssize_t)((flags & MSG_TRUNC) ? r->len : n);
}

/* --- the wrapped calls ----------------------------------------------------- */

int socket(int domain, int type, int protocol)
{
	int fd;

	resolve();
	fd = real_socket(domain, type, protocol);
	if (fd >= 0 && fd < MAX_FDS && domain == AF_NETLINK && protocol == NETLINK_XFRM) {
		pthread_mutex_lock(&lock);
		if (!fds[fd])
			fds[fd] = calloc(1, sizeof(*fds[fd]));
		if (fds[fd]) {
			fds[fd]->xfrm = true;
			fds[fd]->head = fds[fd]->count = 0;
		}
		pthread_mutex_unlock(&lock);
	}
	return fd;
}

int close(int fd)
{
	resolve();
	if (fd >= 0 && fd < MAX_FDS) {
		pthread_mutex_lock(&lock);
		if (fds[fd])
			fds[fd]->xfrm = false;
		pthread_mutex_unlock(&lock);
	}
	return real_close(fd);
}

static bool intercept_send(int fd, const void *buf, size_t len)
{
	struct fd_state *st;
	bool done = false;

	pthread_mutex_lock(&lock);
	st = state_of(fd);
	if (st)
		done = handle(st, buf, len);
	pthread_mutex_unlock(&lock);
	return done;
}

ssize_t write(int fd, const void *buf, size_t len)
{
	resolve();
	if (intercept_send(fd, buf, len))
		return (ssize_t)len;
	return real_write(fd, buf, len);
}

ssize_t send(int fd, const void *buf, size_t len, int flags)
{
	return sendto(fd, buf, len, flags, NULL, 0);
}

ssize_t sendto(int fd, const void *buf, size_t len, int flags,
	       const struct sockaddr *addr, socklen_t alen)
{
	resolve();
	if (intercept_send(fd, buf, len))
		return (ssize_t)len;
	return real_sendto(fd, buf, len, flags, addr, alen);
}

ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)
{
	unsigned char buf[REPLY_MAX];
	size_t n = 0;

	resolve();
	if (state_of(fd) && msg) {
		for (size_t i = 0; i < msg->msg_iovlen; i++) {
			size_t l = msg->msg_iov[i].iov_len;

			if (l > sizeof(buf) - n)
				return real_sendmsg(fd, msg, flags);	/* too big: not an SA request we know */
			memcpy(buf + n, msg->msg_iov[i].iov_base, l);
			n += l;
		}
		if (intercept_send(fd, buf, n))
			return (ssize_t)n;
	}
	return real_sendmsg(fd, msg, flags);
}

static ssize_t intercept_recv(int fd, void *buf, size_t len, int flags,
			      struct sockaddr *addr, socklen_t *alen)
{
	struct fd_state *st;
	ssize_t r = -1;

	pthread_mutex_lock(&lock);
	st = state_of(fd);
	if (st)
		r = take(st, buf, len, flags, addr, alen);
	pthread_mutex_unlock(&lock);
	return r;
}

ssize_t read(int fd, void *buf, size_t len)
{
	ssize_t r;

	resolve();
	r = intercept_recv(fd, buf, len, 0, NULL, NULL);
	return r >= 0 ? r : real_read(fd, buf, len);
}

ssize_t recv(int fd, void *buf, size_t len, int flags)
{
	return recvfrom(fd, buf, len, flags, NULL, NULL);
}

ssize_t recvfrom(int fd, void *buf, size_t len, int flags,
		 struct sockaddr *addr, socklen_t *alen)
{
	ssize_t r;

	resolve();
	r = intercept_recv(fd, buf, len, flags, addr, alen);
	return r >= 0 ? r : real_recvfrom(fd, buf, len, flags, addr, alen);
}

ssize_t recvmsg(int fd, struct msghdr *msg, int flags)
{
	resolve();
	if (msg && msg->msg_iovlen >= 1 && state_of(fd)) {
		socklen_t alen = msg->msg_namelen;
		ssize_t r = intercept_recv(fd, msg->msg_iov[0].iov_base, msg->msg_iov[0].iov_len,
					   flags, msg->msg_name, msg->msg_name ? &alen : NULL);

		if (r >= 0) {
			if (msg->msg_name)
				msg->msg_namelen = alen;
			msg->msg_controllen = 0;
			msg->msg_flags = (size_t)r > msg->msg_iov[0].iov_len ? MSG_TRUNC : 0;
			return r;
		}
	}
	return real_recvmsg(fd, msg, flags);
}
