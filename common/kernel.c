/*
 * kernel.c - backend selection and the checks every backend shares.
 *
 * The public kernel_* calls validate their arguments once here, so each
 * backend sees only well-formed SA and policy descriptions.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "common/err.h"
#include "common/kernel.h"
#include "common/kernel_backend.h"

static const struct kernel_ops *const backends[] = {
	&kernel_xfrm_ops,
	&kernel_none_ops,
};

int kernel_open(const char *name, struct kernel **out)
{
	size_t i;
	int err;

	if (!name || !out)
		return ERR_INVAL;
	*out = NULL;
	for (i = 0; i < sizeof(backends) / sizeof(backends[0]); i++) {
		if (strcmp(backends[i]->name, name) != 0)
			continue;
		err = backends[i]->open(out);
		if (err < 0)
			return err;
		(*out)->ops = backends[i];
		snprintf((*out)->lg_ctx, sizeof((*out)->lg_ctx), "kernel-%s", name);
		(*out)->lg.ctx = (*out)->lg_ctx;
		return 0;
	}
	log_error(&log_global, "unknown kernel backend \"%s\" (use \"xfrm\" or \"none\")", name);
	return ERR_NOTFOUND;
}

void kernel_close(struct kernel *k)
{
	if (k) {
		kernel_traps_free(k);
		k->ops->close(k);
	}
}

const char *kernel_name(const struct kernel *k)
{
	return k->ops->name;
}

void kernel_set_events(struct kernel *k, const struct kernel_events *ev, void *arg)
{
	if (ev)
		k->events = *ev;
	else
		memset(&k->events, 0, sizeof(k->events));
	k->events_arg = arg;
}

int kernel_event_fd(const struct kernel *k)
{
	return k->event_fd;
}

int kernel_process_events(struct kernel *k)
{
	return k->ops->process_events(k);
}

static bool family_ok(const struct sockaddr_storage *ss)
{
	return ss && (ss->ss_family == AF_INET || ss->ss_family == AF_INET6);
}

int kernel_alloc_spi(struct kernel *k, const struct sockaddr_storage *src,
		     const struct sockaddr_storage *dst, uint8_t proto, uint32_t *spi)
{
	if (!k || !spi || !family_ok(src) || !family_ok(dst) ||
	    src->ss_family != dst->ss_family || proto != KERNEL_PROTO_ESP)
		return ERR_INVAL;
	*spi = 0;
	return k->ops->alloc_spi(k, src, dst, proto, spi);
}

int kernel_add_sa(struct kernel *k, const struct kernel_sa *sa)
{
	int err = kernel_sa_check(sa);

	if (err < 0)
		return err;
	return k->ops->add_sa(k, sa, false);
}

int kernel_update_sa(struct kernel *k, const struct kernel_sa *sa)
{
	int err = kernel_sa_check(sa);

	if (err < 0)
		return err;
	return k->ops->add_sa(k, sa, true);
}

int kernel_del_sa(struct kernel *k, const struct sockaddr_storage *dst,
		  uint32_t spi, uint8_t proto)
{
	if (!family_ok(dst) || spi == 0)
		return ERR_INVAL;
	return k->ops->del_sa(k, dst, spi, proto);
}

int kernel_add_policy(struct kernel *k, const struct kernel_policy *pol)
{
	int err = kernel_policy_check(pol);
	struct kernel_trap *trap;

	if (err < 0)
		return err;
	trap = kernel_trap_find(k, &pol->sel, pol->dir);
	if (!trap || trap->displaced)
		return k->ops->add_policy(k, pol, false);
	/* an SA's policy takes the place of the trap for its traffic (kernel_trap.c) */
	err = k->ops->add_policy(k, pol, true);
	if (err == 0)
		trap->displaced = true;
	return err;
}

static int selector_check(const struct kernel_selector *sel)
{
	size_t bits;

	if (!family_ok(&sel->src) || sel->src.ss_family != sel->dst.ss_family)
		return ERR_INVAL;
	bits = kernel_addr_len(&sel->src) * 8;
	if (sel->src_prefix > bits || sel->dst_prefix > bits)
		return ERR_INVAL;
	return 0;
}

int kernel_del_policy(struct kernel *k, const struct kernel_selector *sel,
		      enum kernel_dir dir)
{
	struct kernel_trap *trap;
	int err;

	if (!sel || selector_check(sel) < 0 || dir > KERNEL_DIR_FWD)
		return ERR_INVAL;
	trap = kernel_trap_find(k, sel, dir);
	if (trap && trap->displaced) {
		err = k->ops->add_policy(k, &trap->pol, true); /* the SA goes, the trap comes back */
		if (err == 0)
			trap->displaced = false;
		return err;
	}
	if (trap)
		return ERR_NOTFOUND; /* only the trap is there: kernel_trap_del() removes it */
	return k->ops->del_policy(k, sel, dir);
}

int kernel_list_sas(struct kernel *k, kernel_sa_visit_fn fn, void *arg)
{
	return k->ops->list_sas(k, fn, arg);
}

int kernel_list_policies(struct kernel *k, kernel_policy_visit_fn fn, void *arg)
{
	return k->ops->list_policies(k, fn, arg);
}

static void count_sa(const struct kernel_sa_info *sa, void *arg)
{
	(void)sa;
	(*(long *)arg)++;
}

static void count_policy(const struct kernel_policy *pol, void *arg)
{
	(void)pol;
	(*(long *)arg)++;
}

long kernel_count_sas(struct kernel *k)
{
	long n = 0;
	int err = kernel_list_sas(k, count_sa, &n);

	return err < 0 ? err : n;
}

long kernel_count_policies(struct kernel *k)
{
	long n = 0;
	int err = kernel_list_policies(k, count_policy, &n);

	return err < 0 ? err : n;
}

const char *kernel_dir_str(enum kernel_dir dir)
{
	switch (dir) {
	case KERNEL_DIR_IN: return "in";
	case KERNEL_DIR_OUT: return "out";
	case KERNEL_DIR_FWD: return "fwd";
	}
	return "?";
}

const char *kernel_mode_str(enum kernel_mode mode)
{
	return mode == KERNEL_MODE_TUNNEL ? "tunnel" : "transport";
}

size_t kernel_addr_len(const struct sockaddr_storage *ss)
{
	if (!ss)
		return 0;
	if (ss->ss_family == AF_INET)
		return 4;
	if (ss->ss_family == AF_INET6)
		return 16;
	return 0;
}

uint16_t kernel_addr_port(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)ss)->sin_port);
	if (ss->ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
	return 0;
}

void kernel_addr_set_port(struct sockaddr_storage *ss, uint16_t port)
{
	if (ss->ss_family == AF_INET)
		((struct sockaddr_in *)ss)->sin_port = htons(port);
	else if (ss->ss_family == AF_INET6)
		((struct sockaddr_in6 *)ss)->sin6_port = htons(port);
}

const uint8_t *kernel_addr_bytes(const struct sockaddr_storage *ss)
{
	if (!ss)
		return NULL;
	if (ss->ss_family == AF_INET)
		return (const uint8_t *)&((const struct sockaddr_in *)ss)->sin_addr;
	if (ss->ss_family == AF_INET6)
		return (const uint8_t *)&((const struct sockaddr_in6 *)ss)->sin6_addr;
	return NULL;
}

const char *kernel_addr_str(const struct sockaddr_storage *ss, char *buf, size_t len)
{
	const uint8_t *b = kernel_addr_bytes(ss);

	if (!b || !inet_ntop(ss->ss_family, b, buf, (socklen_t)len))
		snprintf(buf, len, "?");
	return buf;
}

bool kernel_addr_equal(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	size_t n = kernel_addr_len(a);

	return n && a->ss_family == b->ss_family &&
	       memcmp(kernel_addr_bytes(a), kernel_addr_bytes(b), n) == 0;
}

bool kernel_addr_parse(const char *text, struct sockaddr_storage *ss)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, text, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		return true;
	}
	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET6, text, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		return true;
	}
	memset(ss, 0, sizeof(*ss));
	return false;
}

bool kernel_selector_equal(const struct kernel_selector *a, const struct kernel_selector *b)
{
	return kernel_addr_equal(&a->src, &b->src) && kernel_addr_equal(&a->dst, &b->dst) &&
	       a->src_prefix == b->src_prefix && a->dst_prefix == b->dst_prefix &&
	       a->proto == b->proto && a->src_port == b->src_port &&
	       a->dst_port == b->dst_port;
}

bool kernel_encr_is_aead(uint16_t encr_id)
{
	return encr_id == KERNEL_ENCR_AES_GCM_8 || encr_id == KERNEL_ENCR_AES_GCM_12 ||
	       encr_id == KERNEL_ENCR_AES_GCM_16 ||
	       encr_id == KERNEL_ENCR_CHACHA20_POLY1305;
}

size_t kernel_encr_salt_len(uint16_t encr_id)
{
	/* RFC 3686 5.1 (CTR nonce), RFC 4106 8.1, RFC 7634 2 (salt). */
	if (encr_id == KERNEL_ENCR_AES_CTR || kernel_encr_is_aead(encr_id))
		return 4;
	return 0;
}

int kernel_sa_check(const struct kernel_sa *sa)
{
	if (!sa || sa->proto != KERNEL_PROTO_ESP || sa->spi == 0)
		return ERR_INVAL;
	if (!family_ok(&sa->src) || sa->src.ss_family != sa->dst.ss_family)
		return ERR_INVAL;
	if (sa->mode != KERNEL_MODE_TUNNEL && sa->mode != KERNEL_MODE_TRANSPORT)
		return ERR_INVAL;
	if (sa->encr_key_len && !sa->encr_key)
		return ERR_INVAL;
	if (sa->integ_key_len && !sa->integ_key)
		return ERR_INVAL;
	/* An AEAD carries its own ICV: no separate integrity (RFC 4106 8.4). */
	if (kernel_encr_is_aead(sa->encr_id) && sa->integ_id != KERNEL_INTEG_NONE)
		return ERR_INVAL;
	if (!kernel_encr_is_aead(sa->encr_id) && sa->integ_id == KERNEL_INTEG_NONE &&
	    sa->encr_id == KERNEL_ENCR_NULL)
		return ERR_INVAL; /* ESP with neither (RFC 4303 3.2.2) */
	if (sa->encap && (sa->encap_sport == 0 || sa->encap_dport == 0))
		return ERR_INVAL;
	/* an original address only with UDP-encapsulated transport, of the SA's family */
	if (sa->encap_oa.ss_family != AF_UNSPEC &&
	    (!sa->encap || sa->mode != KERNEL_MODE_TRANSPORT ||
	     sa->encap_oa.ss_family != sa->dst.ss_family))
		return ERR_INVAL;
	if (sa->sel.src.ss_family != AF_UNSPEC && selector_check(&sa->sel) < 0)
		return ERR_INVAL;
	return 0;
}

int kernel_policy_check(const struct kernel_policy *pol)
{
	if (!pol || pol->dir > KERNEL_DIR_FWD || pol->proto != KERNEL_PROTO_ESP)
		return ERR_INVAL;
	if (selector_check(&pol->sel) < 0)
		return ERR_INVAL;
	if (pol->mode == KERNEL_MODE_TUNNEL &&
	    (!family_ok(&pol->tmpl_src) || pol->tmpl_src.ss_family != pol->tmpl_dst.ss_family))
		return ERR_INVAL;
	if (pol->mode != KERNEL_MODE_TUNNEL && pol->mode != KERNEL_MODE_TRANSPORT)
		return ERR_INVAL;
	return 0;
}
