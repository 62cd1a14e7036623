/*
 * kernel_cleanup.c - see kernel_cleanup.h.
 *
 * Ours: an IPsec SA (ESP or AH) whose source or destination is one of our
 * IKE addresses - the [daemon] listen addresses and the connections'
 * `local` ones - and a policy with an IPsec template whose tunnel endpoint
 * (tunnel mode) or selector host (transport mode) is one of them.
 * Why that is enough: the SAs of an address are negotiated by the IKE
 * daemon bound to UDP 500 on it, and this dualiked has just bound it; what
 * IPsec state names the address was made by an earlier IKE daemon that is
 * gone. Without an address to go by (listen on all, no `local`) nothing is
 * touched, and the log says so.
 *
 * Removed, not re-adopted: the IKE SAs that negotiated those SAs died with
 * the process (no key material is kept on disk, by design), so they can be
 * neither rekeyed nor deleted, and the peer has to negotiate again anyway
 * (DPD, RFC 7296 2.4 / RFC 3706, or its own new initiation). Left in
 * place they break that renegotiation: XFRM_MSG_NEWPOLICY refuses a twin
 * of a stale policy (EEXIST), so the new child SA is refused by the kernel
 * (found by testsuite/interop/faults/fault-restart.sh).
 */
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/kernel.h"
#include "common/log.h"
#include "src/config.h"
#include "src/kernel_cleanup.h"

#define OURS_MAX 64

struct ours {
	struct sockaddr_storage a[OURS_MAX];
	size_t n;
};

struct stale {
	const struct ours *ours;
	struct kernel_sa_info *sas;
	size_t n_sas, cap_sas;
	struct kernel_policy *pols;
	size_t n_pols, cap_pols;
	bool nomem;
};

static void add_ours(struct ours *o, const struct conf_addr *c)
{
	struct sockaddr_storage ss;

	if (o->n == OURS_MAX || !conf_addr_to_sockaddr(c, &ss))
		return;
	for (size_t i = 0; i < o->n; i++)
		if (kernel_addr_equal(&o->a[i], &ss))
			return;
	o->a[o->n++] = ss;
}

static bool is_ours(const struct ours *o, const struct sockaddr_storage *ss)
{
	for (size_t i = 0; i < o->n; i++)
		if (kernel_addr_equal(&o->a[i], ss))
			return true;
	return false;
}

static bool host_prefix(const struct sockaddr_storage *ss, uint8_t prefix)
{
	return prefix == (ss->ss_family == AF_INET6 ? 128 : 32);
}

static bool grow(void **v, size_t *cap, size_t n, size_t size)
{
	void *p;

	if (n < *cap)
		return true;
	p = realloc(*v, (*cap ? *cap * 2 : 16) * size);
	if (!p)
		return false;
	*v = p;
	*cap = *cap ? *cap * 2 : 16;
	return true;
}

static void visit_sa(const struct kernel_sa_info *sa, void *arg)
{
	struct stale *s = arg;

	if (sa->proto != KERNEL_PROTO_ESP && sa->proto != KERNEL_PROTO_AH)
		return;
	if (!is_ours(s->ours, &sa->src) && !is_ours(s->ours, &sa->dst))
		return;
	if (!grow((void **)&s->sas, &s->cap_sas, s->n_sas, sizeof(*s->sas))) {
		s->nomem = true;
		return;
	}
	s->sas[s->n_sas++] = *sa;
}

static void visit_policy(const struct kernel_policy *pol, void *arg)
{
	struct stale *s = arg;
	bool mine;

	if (pol->proto != KERNEL_PROTO_ESP && pol->proto != KERNEL_PROTO_AH)
		return;
	if (pol->mode == KERNEL_MODE_TUNNEL)
		mine = is_ours(s->ours, &pol->tmpl_src) || is_ours(s->ours, &pol->tmpl_dst);
	else
		mine = (host_prefix(&pol->sel.src, pol->sel.src_prefix) && is_ours(s->ours, &pol->sel.src)) ||
		       (host_prefix(&pol->sel.dst, pol->sel.dst_prefix) && is_ours(s->ours, &pol->sel.dst));
	if (!mine)
		return;
	if (!grow((void **)&s->pols, &s->cap_pols, s->n_pols, sizeof(*s->pols))) {
		s->nomem = true;
		return;
	}
	s->pols[s->n_pols++] = *pol;
}

int kernel_cleanup_stale(struct kernel *k, const struct config *cfg)
{
	struct ours o = { .n = 0 };
	struct stale s = { .ours = &o };
	char a[64], b[64];
	int removed = 0, rc;

	for (size_t i = 0; i < cfg->daemon.n_listen; i++)
		add_ours(&o, &cfg->daemon.listen[i]);
	for (size_t i = 0; i < cfg->n_conns; i++)
		add_ours(&o, &cfg->conns[i].local);
	if (!o.n) {
		log_info(&log_global, "kernel: no listen or local address configured: IPsec state "
			 "left by an earlier run (if any) is not cleaned");
		return 0;
	}
	rc = kernel_list_policies(k, visit_policy, &s);
	if (rc == 0)
		rc = kernel_list_sas(k, visit_sa, &s);
	if (rc == 0 && s.nomem)
		rc = ERR_NOMEM;
	if (rc < 0) {
		log_warn(&log_global, "kernel: cannot list the IPsec state left by an earlier run "
			 "(%s); not cleaned", err_str(rc));
		goto out;
	}
	for (size_t i = 0; i < s.n_pols; i++) {
		const struct kernel_policy *p = &s.pols[i];

		log_info(&log_global, "kernel: removing a stale policy %s/%u -> %s/%u dir %s "
			 "(reqid %u) left by an earlier run",
			 kernel_addr_str(&p->sel.src, a, sizeof(a)), p->sel.src_prefix,
			 kernel_addr_str(&p->sel.dst, b, sizeof(b)), p->sel.dst_prefix,
			 kernel_dir_str(p->dir), p->reqid);
		if (kernel_del_policy(k, &p->sel, p->dir) == 0)
			removed++;
	}
	for (size_t i = 0; i < s.n_sas; i++) {
		const struct kernel_sa_info *sa = &s.sas[i];

		log_info(&log_global, "kernel: removing a stale SA %s spi %08x %s -> %s left by an "
			 "earlier run", sa->proto == KERNEL_PROTO_ESP ? "esp" : "ah", sa->spi,
			 kernel_addr_str(&sa->src, a, sizeof(a)), kernel_addr_str(&sa->dst, b, sizeof(b)));
		if (kernel_del_sa(k, &sa->dst, sa->spi, sa->proto) == 0)
			removed++;
	}
	if (s.n_pols || s.n_sas)
		log_info(&log_global, "kernel: %d stale object(s) of an earlier run removed "
			 "(%zu policies, %zu SAs found)", removed, s.n_pols, s.n_sas);
	rc = removed;
out:
	free(s.sas);
	free(s.pols);
	return rc;
}
