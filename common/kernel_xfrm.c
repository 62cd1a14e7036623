/*
 * kernel_xfrm.c - the "xfrm" backend: Linux XFRM through libnl-3 and
 * libnl-xfrm-3. This file: the two netlink sockets, request/answer with
 * the kernel's errno and extended-ack text, SPI allocation, policies, and
 * the ACQUIRE/EXPIRE events. SAs are in kernel_xfrm_sa.c.
 *
 * RFC 4301 4.4 names the databases: policies here are SPD entries, SAs
 * are SAD entries. libnl-xfrm has objects for SAs and policies but no
 * helper for XFRM_MSG_ALLOCSPI, so that request is built with libnl's
 * nlmsg API around struct xfrm_userspi_info; ACQUIRE has no libnl object
 * either and is read with nlmsg_parse().
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <linux/netlink.h>
#include <linux/xfrm.h>
#include <netlink/attr.h>
#include <netlink/cache.h>
#include <netlink/socket.h>
#include <netlink/xfrm/lifetime.h>
#include <netlink/xfrm/sa.h>
#include <netlink/xfrm/selector.h>
#include <netlink/xfrm/sp.h>
#include <netlink/xfrm/template.h>

#include "common/err.h"
#include "common/kernel_xfrm_priv.h"
#include "common/secret.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

/* Inbound SPIs come from here; 1-255 are reserved (RFC 4303 2.1). */
#define XFRM_SPI_MIN 0x100u
#define XFRM_SPI_MAX 0xffffffffu
#define XFRM_DEFAULT_PRIORITY 1000u
#define XFRM_EVENTS_PER_CALL 256

/* ---- addresses ---------------------------------------------------- */

struct nl_addr *xfrm_nl_addr(const struct sockaddr_storage *ss)
{
	return nl_addr_build(ss->ss_family, kernel_addr_bytes(ss), kernel_addr_len(ss));
}

struct nl_addr *xfrm_nl_any(int family)
{
	static const uint8_t zero[16];

	return nl_addr_build(family, zero, family == AF_INET ? 4 : 16);
}

void xfrm_ss_from_raw(int family, const void *raw, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET) {
		ss->ss_family = AF_INET;
		memcpy(&((struct sockaddr_in *)ss)->sin_addr, raw, 4);
	} else if (family == AF_INET6) {
		ss->ss_family = AF_INET6;
		memcpy(&((struct sockaddr_in6 *)ss)->sin6_addr, raw, 16);
	}
}

void xfrm_ss_from_nl(struct nl_addr *a, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (!a)
		return;
	if ((nl_addr_get_family(a) == AF_INET && nl_addr_get_len(a) >= 4) ||
	    (nl_addr_get_family(a) == AF_INET6 && nl_addr_get_len(a) >= 16))
		xfrm_ss_from_raw(nl_addr_get_family(a), nl_addr_get_binary_addr(a), ss);
}

/* ---- one request, one answer ------------------------------------- */

static int on_error(struct sockaddr_nl *who, struct nlmsgerr *e, void *arg)
{
	struct xfrm_reply *r = arg;
	struct nlmsghdr *hdr = (struct nlmsghdr *)((char *)e - NLMSG_HDRLEN);
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	int tlv_len;

	(void)who;
	r->done = true;
	r->error = -e->error;
	/* With NETLINK_CAP_ACK the TLVs follow the echoed header directly. */
	tlv_len = (int)hdr->nlmsg_len - NLMSG_HDRLEN - (int)sizeof(*e);
	if ((hdr->nlmsg_flags & NLM_F_ACK_TLVS) && tlv_len > 0 &&
	    nla_parse(tb, NLMSGERR_ATTR_MAX, (struct nlattr *)(e + 1), tlv_len, NULL) == 0 &&
	    tb[NLMSGERR_ATTR_MSG])
		nla_strlcpy(r->msg, tb[NLMSGERR_ATTR_MSG], sizeof(r->msg));
	return NL_STOP;
}

static int on_ack(struct nl_msg *msg, void *arg)
{
	struct xfrm_reply *r = arg;

	(void)msg;
	r->done = true;
	r->error = 0;
	return NL_STOP;
}

/* The only data answer we ask for: ALLOCSPI's larval SA (XFRM_MSG_NEWSA). */
static int on_valid(struct nl_msg *msg, void *arg)
{
	struct xfrm_reply *r = arg;
	struct nlmsghdr *hdr = nlmsg_hdr(msg);
	struct xfrmnl_sa *sa = NULL;

	if (hdr->nlmsg_type == XFRM_MSG_NEWSA && xfrmnl_sa_parse(hdr, &sa) == 0) {
		r->have_spi = true;
		r->spi = (uint32_t)xfrmnl_sa_get_spi(sa);
		xfrmnl_sa_put(sa);
	}
	return NL_OK;
}

int xfrm_transact(struct kernel_xfrm *kx, struct nl_msg *msg, struct xfrm_reply *r)
{
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);
	struct nlmsghdr *hdr = nlmsg_hdr(msg);
	int sent, err = 0, rounds;

	memset(r, 0, sizeof(*r));
	sent = cb ? nl_send_auto(kx->cmd, msg) : -NLE_NOMEM;
	secret_wipe(hdr, hdr->nlmsg_len);
	nlmsg_free(msg);
	if (sent < 0) {
		if (cb)
			nl_cb_put(cb);
		log_error(&kx->base.lg, "netlink send failed: %s", nl_geterror(sent));
		return sent == -NLE_NOMEM ? ERR_NOMEM : ERR_IO;
	}
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, r);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_ack, r);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_valid, r);
	/* The answer may span several reads (ALLOCSPI: SA, then the ACK). */
	for (rounds = 0; !r->done && rounds < 16; rounds++) {
		err = nl_recvmsgs(kx->cmd, cb);
		if (err < 0 && !r->done)
			break;
	}
	nl_cb_put(cb);
	if (!r->done) {
		log_error(&kx->base.lg, "no answer from the kernel: %s",
			  err < 0 ? nl_geterror(err) : "no ACK");
		return ERR_IO;
	}
	return 0;
}

int xfrm_errno_err(int error)
{
	switch (error) {
	case 0: return 0;
	case ESRCH:
	case ENOENT: return ERR_NOTFOUND;
	case ENOMEM: return ERR_NOMEM;
	case EEXIST: return ERR_STATE;
	case EPERM:
	case EACCES: return ERR_PERM;
	default: return ERR_KERNEL;
	}
}

void xfrm_reply_reason(const struct xfrm_reply *r, char *buf, size_t len)
{
	if (r->msg[0])
		snprintf(buf, len, "%s (%s, errno %d)", r->msg, strerror(r->error), r->error);
	else
		snprintf(buf, len, "%s (errno %d)", strerror(r->error), r->error);
}

/* ---- open / close ------------------------------------------------- */

static struct nl_sock *xfrm_socket(void)
{
	struct nl_sock *sk = nl_socket_alloc();
	int one = 1;

	if (!sk)
		return NULL;
	if (nl_connect(sk, NETLINK_XFRM) < 0) {
		nl_socket_free(sk);
		return NULL;
	}
	/* Ask for the kernel's error text, without the echoed request. */
	(void)setsockopt(nl_socket_get_fd(sk), SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	(void)setsockopt(nl_socket_get_fd(sk), SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	return sk;
}

static int on_event(struct nl_msg *msg, void *arg);

static void xfrm_close(struct kernel *k)
{
	struct kernel_xfrm *kx = to_xfrm(k);

	if (kx->cmd)
		nl_socket_free(kx->cmd);
	if (kx->ev)
		nl_socket_free(kx->ev);
	free(kx);
}

static int xfrm_open(struct kernel **out)
{
	struct kernel_xfrm *kx = calloc(1, sizeof(*kx));
	int err;

	if (!kx)
		return ERR_NOMEM;
	kx->base.event_fd = -1;
	kx->cmd = xfrm_socket();
	kx->ev = xfrm_socket();
	if (!kx->cmd || !kx->ev) {
		log_error(&log_global, "cannot open the XFRM netlink socket (kernel without "
			  "CONFIG_XFRM_USER, or no CAP_NET_ADMIN?)");
		xfrm_close(&kx->base);
		return ERR_KERNEL;
	}
	nl_socket_disable_seq_check(kx->ev);
	err = nl_socket_add_memberships(kx->ev, XFRMNLGRP_ACQUIRE, XFRMNLGRP_EXPIRE, 0);
	if (err == 0)
		err = nl_socket_set_nonblocking(kx->ev);
	if (err == 0)
		err = nl_socket_modify_cb(kx->ev, NL_CB_VALID, NL_CB_CUSTOM, on_event, kx);
	if (err < 0) {
		log_error(&log_global, "cannot join the XFRM event groups: %s", nl_geterror(err));
		xfrm_close(&kx->base);
		return ERR_KERNEL;
	}
	kx->base.event_fd = nl_socket_get_fd(kx->ev);
	*out = &kx->base;
	return 0;
}

/* ---- SPI allocation ------------------------------------------------ */

static int xfrm_alloc_spi(struct kernel *k, const struct sockaddr_storage *src,
			  const struct sockaddr_storage *dst, uint8_t proto, uint32_t *spi)
{
	struct kernel_xfrm *kx = to_xfrm(k);
	struct xfrm_userspi_info req;
	struct xfrm_reply r;
	struct nl_msg *msg;
	char reason[256];
	int err;

	memset(&req, 0, sizeof(req));
	memcpy(&req.info.id.daddr, kernel_addr_bytes(dst), kernel_addr_len(dst));
	memcpy(&req.info.saddr, kernel_addr_bytes(src), kernel_addr_len(src));
	req.info.id.proto = proto;
	req.info.family = dst->ss_family;
	req.min = XFRM_SPI_MIN;
	req.max = XFRM_SPI_MAX;
	msg = nlmsg_alloc_simple(XFRM_MSG_ALLOCSPI, 0);
	if (!msg)
		return ERR_NOMEM;
	if (nlmsg_append(msg, &req, sizeof(req), NLMSG_ALIGNTO) < 0) {
		nlmsg_free(msg);
		return ERR_NOMEM;
	}
	err = xfrm_transact(kx, msg, &r);
	if (err < 0)
		return err;
	if (r.error || !r.have_spi || r.spi < XFRM_SPI_MIN) {
		xfrm_reply_reason(&r, reason, sizeof(reason));
		log_error(&k->lg, "SPI allocation failed: %s",
			  r.error ? reason : "no SA in the answer");
		return r.error ? xfrm_errno_err(r.error) : ERR_KERNEL;
	}
	*spi = r.spi;
	log_debug(&k->lg, "allocated SPI 0x%08x", r.spi);
	return 0;
}

/* ---- policies ------------------------------------------------------ */

/* A libnl selector for sel; NULL on OOM. */
static struct xfrmnl_sel *make_sel(const struct kernel_selector *sel)
{
	struct xfrmnl_sel *s = xfrmnl_sel_alloc();
	struct nl_addr *src = xfrm_nl_addr(&sel->src);
	struct nl_addr *dst = xfrm_nl_addr(&sel->dst);

	if (s && src && dst) {
		nl_addr_set_prefixlen(src, sel->src_prefix);
		nl_addr_set_prefixlen(dst, sel->dst_prefix);
		xfrmnl_sel_set_saddr(s, src);
		xfrmnl_sel_set_daddr(s, dst);
		xfrmnl_sel_set_prefixlen_s(s, sel->src_prefix);
		xfrmnl_sel_set_prefixlen_d(s, sel->dst_prefix);
		xfrmnl_sel_set_family(s, sel->src.ss_family);
		xfrmnl_sel_set_proto(s, sel->proto);
		xfrmnl_sel_set_sport(s, sel->src_port);
		xfrmnl_sel_set_sportmask(s, sel->src_port ? 0xffff : 0);
		xfrmnl_sel_set_dport(s, sel->dst_port);
		xfrmnl_sel_set_dportmask(s, sel->dst_port ? 0xffff : 0);
	} else if (s) {
		xfrmnl_sel_put(s);
		s = NULL;
	}
	if (src)
		nl_addr_put(src);
	if (dst)
		nl_addr_put(dst);
	return s;
}

static void sel_from_nl(struct xfrmnl_sel *s, struct kernel_selector *out)
{
	memset(out, 0, sizeof(*out));
	if (!s)
		return;
	xfrm_ss_from_nl(xfrmnl_sel_get_saddr(s), &out->src);
	xfrm_ss_from_nl(xfrmnl_sel_get_daddr(s), &out->dst);
	out->src_prefix = (uint8_t)xfrmnl_sel_get_prefixlen_s(s);
	out->dst_prefix = (uint8_t)xfrmnl_sel_get_prefixlen_d(s);
	out->proto = (uint8_t)xfrmnl_sel_get_proto(s);
	out->src_port = (uint16_t)xfrmnl_sel_get_sport(s);
	out->dst_port = (uint16_t)xfrmnl_sel_get_dport(s);
}

static struct xfrmnl_user_tmpl *make_tmpl(const struct kernel_policy *pol)
{
	struct xfrmnl_user_tmpl *t = xfrmnl_user_tmpl_alloc();
	int family = pol->mode == KERNEL_MODE_TUNNEL ? pol->tmpl_dst.ss_family
						     : pol->sel.src.ss_family;
	struct nl_addr *src, *dst;

	if (!t)
		return NULL;
	/* Transport mode: endpoints are the packet's own, so leave them zero. */
	src = pol->mode == KERNEL_MODE_TUNNEL ? xfrm_nl_addr(&pol->tmpl_src) : xfrm_nl_any(family);
	dst = pol->mode == KERNEL_MODE_TUNNEL ? xfrm_nl_addr(&pol->tmpl_dst) : xfrm_nl_any(family);
	if (!src || !dst) {
		xfrmnl_user_tmpl_free(t);
		t = NULL;
	} else {
		xfrmnl_user_tmpl_set_saddr(t, src);
		xfrmnl_user_tmpl_set_daddr(t, dst);
		xfrmnl_user_tmpl_set_family(t, family);
		xfrmnl_user_tmpl_set_proto(t, pol->proto);
		xfrmnl_user_tmpl_set_mode(t, pol->mode == KERNEL_MODE_TUNNEL ? XFRM_MODE_TUNNEL
									 : XFRM_MODE_TRANSPORT);
		xfrmnl_user_tmpl_set_reqid(t, pol->reqid);
		xfrmnl_user_tmpl_set_aalgos(t, ~0u);
		xfrmnl_user_tmpl_set_ealgos(t, ~0u);
		xfrmnl_user_tmpl_set_calgos(t, ~0u);
	}
	if (src)
		nl_addr_put(src);
	if (dst)
		nl_addr_put(dst);
	return t;
}

/* No limits: the kernel reads 0 bytes/packets as "expire at once". */
static struct xfrmnl_ltime_cfg *unlimited_lifetime(void)
{
	struct xfrmnl_ltime_cfg *lt = xfrmnl_ltime_cfg_alloc();

	if (lt) {
		xfrmnl_ltime_cfg_set_soft_bytelimit(lt, XFRM_INF);
		xfrmnl_ltime_cfg_set_hard_bytelimit(lt, XFRM_INF);
		xfrmnl_ltime_cfg_set_soft_packetlimit(lt, XFRM_INF);
		xfrmnl_ltime_cfg_set_hard_packetlimit(lt, XFRM_INF);
	}
	return lt;
}

static int policy_result(struct kernel *k, const char *what, const struct kernel_selector *sel,
			 enum kernel_dir dir, int err, const struct xfrm_reply *r)
{
	char s[64], d[64], reason[256];

	if (err < 0)
		return err;
	kernel_addr_str(&sel->src, s, sizeof(s));
	kernel_addr_str(&sel->dst, d, sizeof(d));
	if (r->error) {
		xfrm_reply_reason(r, reason, sizeof(reason));
		log_error(&k->lg, "%s policy %s/%u -> %s/%u dir %s failed: %s", what, s,
			  sel->src_prefix, d, sel->dst_prefix, kernel_dir_str(dir), reason);
		return xfrm_errno_err(r->error);
	}
	log_info(&k->lg, "%s policy %s/%u -> %s/%u dir %s", what, s, sel->src_prefix, d,
		 sel->dst_prefix, kernel_dir_str(dir));
	return 0;
}

static int xfrm_add_policy(struct kernel *k, const struct kernel_policy *pol, bool replace)
{
	struct xfrmnl_sp *sp = xfrmnl_sp_alloc();
	struct xfrmnl_sel *sel = make_sel(&pol->sel);
	struct xfrmnl_user_tmpl *t = make_tmpl(pol);
	struct xfrmnl_ltime_cfg *lt = unlimited_lifetime();
	struct nl_msg *msg = NULL;
	struct xfrm_reply r;
	int err = ERR_NOMEM;

	if (sp && sel && t && lt) {
		xfrmnl_sp_set_sel(sp, sel);
		xfrmnl_sp_set_lifetime_cfg(sp, lt);
		xfrmnl_sp_set_dir(sp, pol->dir);
		xfrmnl_sp_set_action(sp, XFRM_POLICY_ALLOW);
		xfrmnl_sp_set_priority(sp, pol->priority ? pol->priority : XFRM_DEFAULT_PRIORITY);
		xfrmnl_sp_add_usertemplate(sp, t); /* sp owns t from here */
		t = NULL;
		/* XFRM_MSG_UPDPOLICY takes a trap policy's place; NEWPOLICY refuses a twin */
		if ((replace ? xfrmnl_sp_build_update_request(sp, NLM_F_CREATE, &msg)
			     : xfrmnl_sp_build_add_request(sp, NLM_F_CREATE | NLM_F_EXCL, &msg)) == 0)
			err = xfrm_transact(to_xfrm(k), msg, &r);
	}
	if (t)
		xfrmnl_user_tmpl_free(t);
	if (lt)
		xfrmnl_ltime_cfg_put(lt);
	if (sel)
		xfrmnl_sel_put(sel);
	if (sp)
		xfrmnl_sp_put(sp);
	return policy_result(k, replace ? "replaced" : "added", &pol->sel, pol->dir, err, &r);
}

static int xfrm_del_policy(struct kernel *k, const struct kernel_selector *ksel,
			   enum kernel_dir dir)
{
	struct xfrmnl_sp *sp = xfrmnl_sp_alloc();
	struct xfrmnl_sel *sel = make_sel(ksel);
	struct nl_msg *msg = NULL;
	struct xfrm_reply r;
	int err = ERR_NOMEM;

	if (sp && sel) {
		xfrmnl_sp_set_sel(sp, sel);
		xfrmnl_sp_set_dir(sp, dir);
		if (xfrmnl_sp_build_delete_request(sp, 0, &msg) == 0)
			err = xfrm_transact(to_xfrm(k), msg, &r);
	}
	if (sel)
		xfrmnl_sel_put(sel);
	if (sp)
		xfrmnl_sp_put(sp);
	return policy_result(k, "deleted", ksel, dir, err, &r);
}

struct policy_walk {
	kernel_policy_visit_fn fn;
	void *arg;
};

static void visit_policy(struct nl_object *obj, void *arg)
{
	struct xfrmnl_sp *sp = (struct xfrmnl_sp *)obj;
	struct policy_walk *w = arg;
	struct xfrmnl_user_tmpl *t;
	struct kernel_policy pol;

	memset(&pol, 0, sizeof(pol));
	sel_from_nl(xfrmnl_sp_get_sel(sp), &pol.sel);
	pol.dir = (enum kernel_dir)xfrmnl_sp_get_dir(sp);
	pol.priority = (uint32_t)xfrmnl_sp_get_priority(sp);
	if (xfrmnl_sp_get_nusertemplates(sp) > 0 && (t = xfrmnl_sp_usertemplate_n(sp, 0))) {
		pol.proto = (uint8_t)xfrmnl_user_tmpl_get_proto(t);
		pol.mode = xfrmnl_user_tmpl_get_mode(t) == XFRM_MODE_TUNNEL ? KERNEL_MODE_TUNNEL
									    : KERNEL_MODE_TRANSPORT;
		pol.reqid = (uint32_t)xfrmnl_user_tmpl_get_reqid(t);
		xfrm_ss_from_nl(xfrmnl_user_tmpl_get_saddr(t), &pol.tmpl_src);
		xfrm_ss_from_nl(xfrmnl_user_tmpl_get_daddr(t), &pol.tmpl_dst);
	}
	w->fn(&pol, w->arg);
}

static int xfrm_list_policies(struct kernel *k, kernel_policy_visit_fn fn, void *arg)
{
	struct policy_walk w = { fn, arg };
	struct nl_cache *cache = NULL;
	int err = xfrmnl_sp_alloc_cache(to_xfrm(k)->cmd, &cache);

	if (err < 0) {
		log_error(&k->lg, "policy dump failed: %s", nl_geterror(err));
		return ERR_KERNEL;
	}
	nl_cache_foreach(cache, visit_policy, &w);
	nl_cache_free(cache);
	return 0;
}

/* ---- events -------------------------------------------------------- */

static void handle_acquire(struct kernel_xfrm *kx, struct nlmsghdr *hdr)
{
	struct nlattr *tb[XFRMA_MAX + 1];
	struct xfrm_user_acquire acq;
	const struct xfrm_user_tmpl *t;
	struct kernel_acquire a;

	if (!nlmsg_valid_hdr(hdr, sizeof(acq)) ||
	    nlmsg_parse(hdr, sizeof(acq), tb, XFRMA_MAX, NULL) < 0)
		return;
	memcpy(&acq, nlmsg_data(hdr), sizeof(acq));
	memset(&a, 0, sizeof(a));
	xfrm_ss_from_raw(acq.sel.family, &acq.sel.saddr, &a.sel.src);
	xfrm_ss_from_raw(acq.sel.family, &acq.sel.daddr, &a.sel.dst);
	a.sel.src_prefix = acq.sel.prefixlen_s;
	a.sel.dst_prefix = acq.sel.prefixlen_d;
	a.sel.proto = acq.sel.proto;
	a.sel.src_port = ntohs(acq.sel.sport);
	a.sel.dst_port = ntohs(acq.sel.dport);
	a.proto = acq.id.proto;
	a.policy_index = acq.policy.index;
	a.dir = (enum kernel_dir)acq.policy.dir;
	if (tb[XFRMA_TMPL] && nla_len(tb[XFRMA_TMPL]) >= (int)sizeof(*t)) {
		t = nla_data(tb[XFRMA_TMPL]);
		a.reqid = t->reqid;
		xfrm_ss_from_raw(t->family, &t->saddr, &a.src);
		xfrm_ss_from_raw(t->family, &t->id.daddr, &a.dst);
	}
	log_debug(&kx->base.lg, "ACQUIRE reqid %u policy %u", a.reqid, a.policy_index);
	if (kx->base.events.acquire)
		kx->base.events.acquire(&a, kx->base.events_arg);
}

static void handle_expire(struct kernel_xfrm *kx, struct nlmsghdr *hdr)
{
	struct xfrmnl_sa *sa = NULL;
	struct kernel_expire e;

	if (xfrmnl_sa_parse(hdr, &sa) < 0)
		return;
	memset(&e, 0, sizeof(e));
	e.proto = (uint8_t)xfrmnl_sa_get_proto(sa);
	e.spi = (uint32_t)xfrmnl_sa_get_spi(sa);
	e.reqid = (uint32_t)xfrmnl_sa_get_reqid(sa);
	e.hard = xfrmnl_sa_is_hardexpiry_reached(sa) != 0;
	xfrm_ss_from_nl(xfrmnl_sa_get_saddr(sa), &e.src);
	xfrm_ss_from_nl(xfrmnl_sa_get_daddr(sa), &e.dst);
	xfrmnl_sa_put(sa); /* parsed SAs carry keys; libnl frees them */
	log_debug(&kx->base.lg, "%s EXPIRE SPI 0x%08x", e.hard ? "hard" : "soft", e.spi);
	if (kx->base.events.expire)
		kx->base.events.expire(&e, kx->base.events_arg);
}

static int on_event(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *hdr = nlmsg_hdr(msg);

	if (hdr->nlmsg_type == XFRM_MSG_ACQUIRE)
		handle_acquire(arg, hdr);
	else if (hdr->nlmsg_type == XFRM_MSG_EXPIRE)
		handle_expire(arg, hdr);
	return NL_OK;
}

static int xfrm_process_events(struct kernel *k)
{
	struct kernel_xfrm *kx = to_xfrm(k);
	int i, err;

	for (i = 0; i < XFRM_EVENTS_PER_CALL; i++) {
		err = nl_recvmsgs_default(kx->ev);
		if (err == -NLE_AGAIN)
			return 0;
		if (err == -NLE_NOMEM) {
			/* ENOBUFS: the kernel dropped events; SAs still expire. */
			log_warn(&k->lg, "XFRM event socket overflowed, events lost");
			continue;
		}
		if (err < 0) {
			log_error(&k->lg, "XFRM event read failed: %s", nl_geterror(err));
			return ERR_IO;
		}
	}
	return 0; /* more may be pending; the loop calls again */
}

const struct kernel_ops kernel_xfrm_ops = {
	.name = "xfrm",
	.open = xfrm_open,
	.close = xfrm_close,
	.process_events = xfrm_process_events,
	.alloc_spi = xfrm_alloc_spi,
	.add_sa = xfrm_add_sa,
	.del_sa = xfrm_del_sa,
	.add_policy = xfrm_add_policy,
	.del_policy = xfrm_del_policy,
	.list_sas = xfrm_list_sas,
	.list_policies = xfrm_list_policies,
};
