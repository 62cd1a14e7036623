/*
 * xfrm-shim.c - an LD_PRELOAD library that lets an IKE daemon finish child
 * SAs on a kernel without ESP, for the interop lab (testsuite/interop/).
 *
 * The lab machine's kernel has XFRM but no ESP: adding an ESP SA fails with
 * "Requested type not found", so every child SA fails. Preloaded into
 * Libreswan's pluto, strongSwan's charon (kernel-netlink) or dualiked (xfrm
 * backend), this library watches the process's NETLINK_XFRM sockets and
 * answers, without the kernel, the SA requests for ESP, AH and IPComp:
 *   XFRM_MSG_ALLOCSPI  a random SPI in the asked range, answered as NEWSA
 *   XFRM_MSG_NEWSA,    remembered, logged and ACKed (when asked to)
 *   XFRM_MSG_UPDSA
 *   XFRM_MSG_GETSA     the remembered SA answered as NEWSA, or ENOENT
 *   XFRM_MSG_DELSA     forgotten and ACKed
 * Everything else (policies, dumps, events, other protocols) goes to the
 * kernel. No packet is protected: this is a control-plane stand-in.
 *
 * How answers reach the daemon. A daemon may wait for the answer in
 * select(), poll() or epoll, and read it with recv/recvfrom/recvmsg, with
 * MSG_PEEK and MSG_TRUNC to size its buffer first (charon's kernel-netlink
 * does select() + recv(MSG_TRUNC); libnl peeks). Rather than imitate every
 * one of those calls, the shim puts its answer in the socket's real receive
 * queue: a second NETLINK_XFRM socket of its own sends the answer, as a
 * netlink unicast, to the daemon socket's port id (allowed with CAP_NET_ADMIN,
 * netlink(7)). The kernel queues it before sendto() returns, so the answer
 * is in order and every way of waiting and reading sees it. Only the sender
 * address differs (the shim's port id instead of the kernel's 0); recvfrom
 * and recvmsg rewrite it to 0 because pluto ignores messages not from the
 * kernel. If the unicast fails (no CAP_NET_ADMIN, a connect()ed socket),
 * the request goes to the kernel unchanged and fails as it would have.
 *
 * With DUALIKE_XFRM_SHIM_LOG=FILE every SA is logged (the file is created
 * mode 0600: the lines hold keys) as one line:
 *   sa op=NEWSA proto=esp spi=0x1a2b3c4d src=192.0.2.1 dst=192.0.2.2 dir=out
 *      mode=tunnel reqid=1 enc=cbc(aes):KEYHEX auth=hmac(sha256):KEYHEX:128
 *      aead=none comp=none encap=none esn=0
 * (encap=udp:SPORT:DPORT for ESP in UDP, followed by oa=ADDR when the
 * template carries an original address, RFC 3947 5.2 NAT-OA)
 * Algorithm names are the kernel's canonical ones ("aes" -> "cbc(aes)"),
 * the number after an auth key is the ICV length in bits the kernel uses
 * (XFRMA_ALG_AUTH_TRUNC's, or the kernel's default for plain XFRMA_ALG_AUTH),
 * the number after an AEAD key its ICV length. dir is "out" when src is an
 * address of this network namespace, "in" when dst is, "?" otherwise.
 * keys-match.sh compares two such logs (or one and dualiked's key log).
 *
 * Protocol: linux/netlink.h (nlmsghdr, nlmsgerr, NLM_F_ACK) and
 * linux/xfrm.h (xfrm_usersa_info, xfrm_usersa_id, xfrm_userspi_info,
 * xfrm_algo*, xfrm_encap_tmpl; attributes are rtattr, 4-byte aligned).
 * Every length is checked against the bytes present before it is used.
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
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#define MAX_FDS 4096
#define MAX_SAS 1024
#define MSG_MAX 8192

/* struct xfrm_algo and its kin start with a 64-byte algorithm name */
#define ALG_NAME_LEN 64
_Static_assert(offsetof(struct xfrm_algo, alg_key_len) == ALG_NAME_LEN, "xfrm_algo name");

struct sa_entry {
	bool used;
	struct xfrm_usersa_info info;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static bool tracked[MAX_FDS];		/* NETLINK_XFRM sockets of the daemon */
static struct sa_entry sas[MAX_SAS];
static int inj_fd = -1;			/* the shim's own socket that answers */
static uint32_t inj_portid;

static int (*real_socket)(int, int, int);
static int (*real_close)(int);
static ssize_t (*real_write)(int, const void *, size_t);
static ssize_t (*real_send)(int, const void *, size_t, int);
static ssize_t (*real_sendto)(int, const void *, size_t, int, const struct sockaddr *, socklen_t);
static ssize_t (*real_sendmsg)(int, const struct msghdr *, int);
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
	real_send = next_sym("send");
	real_sendto = next_sym("sendto");
	real_sendmsg = next_sym("sendmsg");
	real_recvfrom = next_sym("recvfrom");
	real_recvmsg = next_sym("recvmsg");
	real_socket = next_sym("socket");
}

static bool is_tracked(int fd)
{
	bool t;

	if (fd < 0 || fd >= MAX_FDS)
		return false;
	pthread_mutex_lock(&lock);
	t = tracked[fd];
	pthread_mutex_unlock(&lock);
	return t;
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

	if (l->n >= sizeof(l->s) - 1)
		return;
	va_start(ap, fmt);
	w = vsnprintf(l->s + l->n, sizeof(l->s) - l->n, fmt, ap);
	va_end(ap);
	if (w > 0)
		l->n += (size_t)w;
	if (l->n >= sizeof(l->s) - 1)
		l->n = sizeof(l->s) - 2;	/* room for the newline */
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
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
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
 * The kernel's canonical name for an algorithm and, for integrity, the ICV
 * bits it uses when plain XFRMA_ALG_AUTH gives none (net/xfrm/xfrm_algo.c:
 * the "compat" names and icv_truncbits; HMAC-SHA-256 defaults to 96 there,
 * which is why daemons send it as AUTH_TRUNC with 128).
 */
static const struct alg_alias {
	const char *compat, *name;
	unsigned icv_bits;
} aliases[] = {
	{ "aes", "cbc(aes)", 0 },
	{ "des3_ede", "cbc(des3_ede)", 0 },
	{ "des", "cbc(des)", 0 },
	{ "cast5", "cbc(cast5)", 0 },
	{ "cast128", "cbc(cast5)", 0 },
	{ "blowfish", "cbc(blowfish)", 0 },
	{ "serpent", "cbc(serpent)", 0 },
	{ "twofish", "cbc(twofish)", 0 },
	{ "camellia", "cbc(camellia)", 0 },
	{ "cipher_null", "ecb(cipher_null)", 0 },
	{ "md5", "hmac(md5)", 96 },
	{ "sha1", "hmac(sha1)", 96 },
	{ "sha256", "hmac(sha256)", 96 },
	{ "sha384", "hmac(sha384)", 192 },
	{ "sha512", "hmac(sha512)", 256 },
	{ "rmd160", "hmac(rmd160)", 96 },
	{ "ripemd160", "hmac(rmd160)", 96 },
	{ "hmac(md5)", "hmac(md5)", 96 },
	{ "hmac(sha1)", "hmac(sha1)", 96 },
	{ "hmac(sha256)", "hmac(sha256)", 96 },
	{ "hmac(sha384)", "hmac(sha384)", 192 },
	{ "hmac(sha512)", "hmac(sha512)", 256 },
	{ "hmac(rmd160)", "hmac(rmd160)", 96 },
	{ "xcbc(aes)", "xcbc(aes)", 96 },
	{ "cmac(aes)", "cmac(aes)", 96 },
	{ "digest_null", "digest_null", 0 },
};

static const struct alg_alias *alias_of(const char *name)
{
	for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
		if (strcmp(aliases[i].compat, name) == 0)
			return &aliases[i];
	return NULL;
}

enum alg_kind { ALG_PLAIN, ALG_AUTH_DEFAULT, ALG_WITH_BITS };

/*
 * An algorithm attribute: a 64-byte name, the key length in bits, for AEAD
 * and truncated integrity a second length in bits, then the key. Checked
 * against the attribute's own length before anything is read; false if it
 * does not fit.
 */
static bool put_algo(struct line *l, const char *label, const unsigned char *p,
		     size_t n, enum alg_kind kind)
{
	size_t head = kind == ALG_WITH_BITS ? sizeof(struct xfrm_algo_aead) : sizeof(struct xfrm_algo);
	char name[ALG_NAME_LEN + 1];
	const struct alg_alias *a;
	uint32_t bits, extra = 0;
	size_t keylen;

	put(l, " %s=", label);
	if (n < head) {
		put(l, "malformed");
		return false;
	}
	memcpy(name, p, ALG_NAME_LEN);
	name[ALG_NAME_LEN] = '\0';	/* the daemon may not terminate it */
	memcpy(&bits, p + ALG_NAME_LEN, sizeof(bits));
	if (kind == ALG_WITH_BITS)
		memcpy(&extra, p + ALG_NAME_LEN + sizeof(bits), sizeof(extra));
	keylen = ((size_t)bits + 7) / 8;
	if (keylen > n - head) {
		put(l, "malformed");
		return false;
	}
	a = alias_of(name);
	if (kind == ALG_AUTH_DEFAULT)
		extra = a ? a->icv_bits : 0;
	put(l, "%s:", a ? a->name : name);
	put_hex(l, p + head, keylen);
	if (kind != ALG_PLAIN)
		put(l, ":%u", (unsigned)extra);
	return true;
}

/* Is ADDR one of this network namespace's addresses? (bind(2) says) */
static bool is_local(uint16_t family, const xfrm_address_t *addr)
{
	struct sockaddr_storage ss;
	socklen_t len;
	bool local;
	int fd;

	memset(&ss, 0, sizeof(ss));
	if (family == AF_INET) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		memcpy(&s4->sin_addr, &addr->a4, sizeof(s4->sin_addr));
		if (s4->sin_addr.s_addr == htonl(INADDR_ANY))
			return false;
		len = sizeof(*s4);
	} else if (family == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		memcpy(&s6->sin6_addr, addr->a6, sizeof(s6->sin6_addr));
		if (IN6_IS_ADDR_UNSPECIFIED(&s6->sin6_addr))
			return false;
		len = sizeof(*s6);
	} else {
		return false;
	}
	fd = real_socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	local = bind(fd, (struct sockaddr *)&ss, len) == 0;
	real_close(fd);
	return local;
}

static const char *dir_of(const struct xfrm_usersa_info *info)
{
	bool out = is_local(info->family, &info->saddr);
	bool in = is_local(info->family, &info->id.daddr);

	return out == in ? "?" : out ? "out" : "in";
}

static void log_sa(const char *op, const struct xfrm_usersa_info *info,
		   const unsigned char *attrs, size_t alen)
{
	struct line l = { .n = 0 };
	bool enc = false, auth = false, aead = false, comp = false, encap = false, ok = true;

	put(&l, "sa op=%s proto=%s spi=0x%08x src=", op, proto_name(info->id.proto),
	    (unsigned)ntohl(info->id.spi));
	put_addr(&l, info->family, &info->saddr);
	put(&l, " dst=");
	put_addr(&l, info->family, &info->id.daddr);
	put(&l, " dir=%s mode=%s reqid=%u", dir_of(info), mode_name(info->mode),
	    (unsigned)info->reqid);

	while (alen >= sizeof(struct rtattr)) {
		struct rtattr ra;
		size_t len, plen, step;
		const unsigned char *pl;

		memcpy(&ra, attrs, sizeof(ra));
		len = ra.rta_len;
		if (len < sizeof(ra) || len > alen) {
			ok = false;
			break;
		}
		pl = attrs + RTA_LENGTH(0);
		plen = len - RTA_LENGTH(0);
		switch (ra.rta_type) {
		case XFRMA_ALG_CRYPT:
			ok &= put_algo(&l, "enc", pl, plen, ALG_PLAIN);
			enc = true;
			break;
		case XFRMA_ALG_AUTH:
			if (!auth)	/* AUTH_TRUNC, when also sent, is what the kernel uses */
				ok &= put_algo(&l, "auth", pl, plen, ALG_AUTH_DEFAULT);
			auth = true;
			break;
		case XFRMA_ALG_AUTH_TRUNC:
			ok &= put_algo(&l, "auth", pl, plen, ALG_WITH_BITS);
			auth = true;
			break;
		case XFRMA_ALG_AEAD:
			ok &= put_algo(&l, "aead", pl, plen, ALG_WITH_BITS);
			aead = true;
			break;
		case XFRMA_ALG_COMP:
			ok &= put_algo(&l, "comp", pl, plen, ALG_PLAIN);
			comp = true;
			break;
		case XFRMA_ENCAP:
			if (plen >= sizeof(struct xfrm_encap_tmpl)) {
				struct xfrm_encap_tmpl et;

				memcpy(&et, pl, sizeof(et));
				static const xfrm_address_t zero;

				put(&l, " encap=udp:%u:%u", (unsigned)ntohs(et.encap_sport),
				    (unsigned)ntohs(et.encap_dport));
				/* the original address (NAT-OA), when the daemon gave one */
				if (memcmp(&et.encap_oa, &zero, sizeof(zero)) != 0) {
					put(&l, " oa=");
					put_addr(&l, info->family, &et.encap_oa);
				}
			} else {
				put(&l, " encap=malformed");
				ok = false;
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
	put(&l, " esn=%d", (info->flags & XFRM_STATE_ESN) ? 1 : 0);
	if (!ok)
		put(&l, " err=malformed-attr");
	log_line(&l);
}

/* --- remembered SAs (under lock) ------------------------------------- */

static struct sa_entry *find_sa(const xfrm_address_t *daddr, uint32_t spi,
				uint8_t proto, uint16_t family)
{
	for (size_t i = 0; i < MAX_SAS; i++) {
		const struct xfrm_usersa_info *a = &sas[i].info;

		if (sas[i].used && a->id.spi == spi && a->id.proto == proto &&
		    a->family == family && memcmp(&a->id.daddr, daddr, sizeof(*daddr)) == 0)
			return &sas[i];
	}
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

/* The port id FD is bound to; binds it first (autobind) if it is not yet. */
static int portid_of(int fd, uint32_t *portid)
{
	struct sockaddr_nl nl;
	socklen_t len = sizeof(nl);

	if (getsockname(fd, (struct sockaddr *)&nl, &len) < 0 || nl.nl_family != AF_NETLINK)
		return -1;
	if (nl.nl_pid == 0) {
		struct sockaddr_nl any = { .nl_family = AF_NETLINK };

		if (bind(fd, (struct sockaddr *)&any, sizeof(any)) < 0)
			return -1;
		len = sizeof(nl);
		if (getsockname(fd, (struct sockaddr *)&nl, &len) < 0)
			return -1;
	}
	*portid = nl.nl_pid;
	return 0;
}

/* The shim's answering socket, made on first use (under lock). */
static int injector(void)
{
	if (inj_fd >= 0)
		return 0;
	inj_fd = real_socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_XFRM);
	if (inj_fd < 0)
		return -1;
	if (portid_of(inj_fd, &inj_portid) < 0) {
		real_close(inj_fd);
		inj_fd = -1;
		return -1;
	}
	return 0;
}

/* Queue MSG (LEN bytes) on the daemon's socket FD, as if the kernel sent it. */
static int deliver(int fd, const void *msg, size_t len)
{
	struct sockaddr_nl to = { .nl_family = AF_NETLINK };

	if (injector() < 0 || portid_of(fd, &to.nl_pid) < 0)
		return -1;
	return real_sendto(inj_fd, msg, len, 0, (struct sockaddr *)&to, sizeof(to)) ==
	       (ssize_t)len ? 0 : -1;
}

/* NLMSG_ERROR carrying ERR (0: an ACK) and the request's header */
static int answer_error(int fd, const struct nlmsghdr *req, int err)
{
	unsigned char buf[NLMSG_LENGTH(sizeof(struct nlmsgerr))];
	struct nlmsghdr h = {
		.nlmsg_len = sizeof(buf),
		.nlmsg_type = NLMSG_ERROR,
		.nlmsg_seq = req->nlmsg_seq,
		.nlmsg_pid = req->nlmsg_pid,
	};
	struct nlmsgerr e = { .error = err, .msg = *req };

	memset(buf, 0, sizeof(buf));
	memcpy(buf, &h, sizeof(h));
	memcpy(buf + NLMSG_HDRLEN, &e, sizeof(e));
	return deliver(fd, buf, sizeof(buf));
}

/* An SA as the kernel sends it (XFRM_MSG_NEWSA), then the ACK if asked. */
static int answer_sa(int fd, const struct nlmsghdr *req, const struct xfrm_usersa_info *info)
{
	unsigned char buf[NLMSG_LENGTH(sizeof(*info))];
	struct nlmsghdr h = {
		.nlmsg_len = sizeof(buf),
		.nlmsg_type = XFRM_MSG_NEWSA,
		.nlmsg_seq = req->nlmsg_seq,
		.nlmsg_pid = req->nlmsg_pid,
	};

	memset(buf, 0, sizeof(buf));
	memcpy(buf, &h, sizeof(h));
	memcpy(buf + NLMSG_HDRLEN, info, sizeof(*info));
	if (deliver(fd, buf, sizeof(buf)) < 0)
		return -1;
	return (req->nlmsg_flags & NLM_F_ACK) ? answer_error(fd, req, 0) : 0;
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

static bool handle_sa(int fd, const struct nlmsghdr *h, const unsigned char *body, size_t blen)
{
	struct xfrm_usersa_info info;
	size_t off = NLMSG_ALIGN(sizeof(info));

	if (blen < sizeof(info))
		return false;
	memcpy(&info, body, sizeof(info));
	if (!ours(info.id.proto))
		return false;
	if ((h->nlmsg_flags & NLM_F_ACK) && answer_error(fd, h, 0) < 0)
		return false;
	keep_sa(&info);
	log_sa(h->nlmsg_type == XFRM_MSG_NEWSA ? "NEWSA" : "UPDSA", &info,
	       body + (off < blen ? off : blen), off < blen ? blen - off : 0);
	return true;
}

static bool handle_allocspi(int fd, const struct nlmsghdr *h, const unsigned char *body,
			    size_t blen)
{
	struct xfrm_userspi_info req;
	struct line l = { .n = 0 };

	if (blen < sizeof(req))
		return false;
	memcpy(&req, body, sizeof(req));
	if (!ours(req.info.id.proto))
		return false;
	req.info.id.spi = htonl(random_spi(req.min, req.max));
	if (answer_sa(fd, h, &req.info) < 0)
		return false;
	put(&l, "allocspi proto=%s spi=0x%08x dst=", proto_name(req.info.id.proto),
	    (unsigned)ntohl(req.info.id.spi));
	put_addr(&l, req.info.family, &req.info.id.daddr);
	log_line(&l);
	return true;
}

static bool handle_id(int fd, const struct nlmsghdr *h, const unsigned char *body, size_t blen)
{
	struct xfrm_usersa_id id;
	struct sa_entry *e;
	struct line l = { .n = 0 };

	if (blen < sizeof(id))
		return false;
	memcpy(&id, body, sizeof(id));
	if (!ours(id.proto))
		return false;
	e = find_sa(&id.daddr, id.spi, id.proto, id.family);
	if (h->nlmsg_type == XFRM_MSG_GETSA)
		return (e ? answer_sa(fd, h, &e->info) : answer_error(fd, h, -ENOENT)) == 0;
	if ((h->nlmsg_flags & NLM_F_ACK) && answer_error(fd, h, 0) < 0)
		return false;
	if (e)
		e->used = false;
	put(&l, "delsa proto=%s spi=0x%08x dst=", proto_name(id.proto), (unsigned)ntohl(id.spi));
	put_addr(&l, id.family, &id.daddr);
	log_line(&l);
	return true;
}

/*
 * One request of LEN bytes sent on FD: true if answered here (the caller
 * reports it as sent), false if it is for the kernel. Only a buffer holding
 * exactly one message is considered; dumps go to the kernel.
 */
static bool handle(int fd, const unsigned char *buf, size_t len)
{
	struct nlmsghdr h;
	bool done = false;

	if (len < NLMSG_HDRLEN)
		return false;
	memcpy(&h, buf, sizeof(h));
	if (h.nlmsg_len < NLMSG_HDRLEN || h.nlmsg_len > len ||
	    NLMSG_ALIGN(h.nlmsg_len) < len || (h.nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP)
		return false;
	pthread_mutex_lock(&lock);
	switch (h.nlmsg_type) {
	case XFRM_MSG_NEWSA:
	case XFRM_MSG_UPDSA:
		done = handle_sa(fd, &h, buf + NLMSG_HDRLEN, h.nlmsg_len - NLMSG_HDRLEN);
		break;
	case XFRM_MSG_ALLOCSPI:
		done = handle_allocspi(fd, &h, buf + NLMSG_HDRLEN, h.nlmsg_len - NLMSG_HDRLEN);
		break;
	case XFRM_MSG_GETSA:
	case XFRM_MSG_DELSA:
		done = handle_id(fd, &h, buf + NLMSG_HDRLEN, h.nlmsg_len - NLMSG_HDRLEN);
		break;
	default:
		break;
	}
	pthread_mutex_unlock(&lock);
	return done;
}

/* An answer from the shim's socket claims to come from the kernel (port 0). */
static void as_kernel(struct sockaddr *addr, socklen_t len)
{
	struct sockaddr_nl nl;

	if (!addr || len < sizeof(nl))
		return;
	memcpy(&nl, addr, sizeof(nl));
	if (nl.nl_family != AF_NETLINK || nl.nl_pid == 0)
		return;
	pthread_mutex_lock(&lock);
	if (inj_fd >= 0 && nl.nl_pid == inj_portid) {
		nl.nl_pid = 0;
		memcpy(addr, &nl, sizeof(nl));
	}
	pthread_mutex_unlock(&lock);
}

/* --- the wrapped calls ----------------------------------------------------- */

int socket(int domain, int type, int protocol)
{
	int fd;

	resolve();
	fd = real_socket(domain, type, protocol);
	if (fd >= 0 && fd < MAX_FDS) {
		pthread_mutex_lock(&lock);
		tracked[fd] = domain == AF_NETLINK && protocol == NETLINK_XFRM;
		pthread_mutex_unlock(&lock);
	}
	return fd;
}

int close(int fd)
{
	resolve();
	if (fd >= 0 && fd < MAX_FDS) {
		pthread_mutex_lock(&lock);
		tracked[fd] = false;
		if (fd == inj_fd)
			inj_fd = -1;	/* a daemon closing every fd: make another */
		pthread_mutex_unlock(&lock);
	}
	return real_close(fd);
}

ssize_t write(int fd, const void *buf, size_t len)
{
	resolve();
	if (is_tracked(fd) && handle(fd, buf, len))
		return (ssize_t)len;
	return real_write(fd, buf, len);
}

ssize_t send(int fd, const void *buf, size_t len, int flags)
{
	resolve();
	if (is_tracked(fd) && handle(fd, buf, len))
		return (ssize_t)len;
	return real_send(fd, buf, len, flags);
}

ssize_t sendto(int fd, const void *buf, size_t len, int flags,
	       const struct sockaddr *addr, socklen_t alen)
{
	resolve();
	if (is_tracked(fd) && handle(fd, buf, len))
		return (ssize_t)len;
	return real_sendto(fd, buf, len, flags, addr, alen);
}

ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)
{
	unsigned char buf[MSG_MAX];
	size_t n = 0;

	resolve();
	if (msg && is_tracked(fd)) {
		for (size_t i = 0; i < msg->msg_iovlen; i++) {
			size_t l = msg->msg_iov[i].iov_len;

			if (l > sizeof(buf) - n)
				return real_sendmsg(fd, msg, flags);	/* too big for an SA request */
			if (l)
				memcpy(buf + n, msg->msg_iov[i].iov_base, l);
			n += l;
		}
		if (handle(fd, buf, n))
			return (ssize_t)n;
	}
	return real_sendmsg(fd, msg, flags);
}

ssize_t recvfrom(int fd, void *buf, size_t len, int flags,
		 struct sockaddr *addr, socklen_t *alen)
{
	ssize_t r;

	resolve();
	r = real_recvfrom(fd, buf, len, flags, addr, alen);
	if (r >= 0 && addr && alen && is_tracked(fd))
		as_kernel(addr, *alen);
	return r;
}

ssize_t recvmsg(int fd, struct msghdr *msg, int flags)
{
	ssize_t r;

	resolve();
	r = real_recvmsg(fd, msg, flags);
	if (r >= 0 && msg && is_tracked(fd))
		as_kernel(msg->msg_name, msg->msg_namelen);
	return r;
}
