/*
 * kernel_none.c - the "none" backend: SAs and policies kept in memory.
 *
 * For labs and tests on machines whose kernel cannot (or must not) do
 * IPsec: every install is logged (never its keys) and can be listed and
 * counted. SPIs are allocated here: random, >= 256 (RFC 4303 2.1 reserves
 * 1-255), unique among the SAs this backend holds, larval ones included.
 *
 * SAs live in a chained hash table keyed by SPI (KERNEL_NONE_BUCKETS
 * buckets, fixed: lookups stay short up to ~100,000 SAs). Policies live in
 * a plain singly linked list: they are few per connection and only
 * searched when added or deleted.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "common/err.h"
#include "common/kernel_backend.h"

#define KERNEL_NONE_BUCKETS 4096u
#define SPI_MIN 256u

struct none_sa {
	struct none_sa *next;
	struct kernel_sa_info info;
};

struct none_policy {
	struct none_policy *next;
	struct kernel_policy pol;
};

struct kernel_none {
	struct kernel base; /* first: struct kernel * converts to this */
	struct none_sa *buckets[KERNEL_NONE_BUCKETS];
	struct none_policy *policies;
};

static struct kernel_none *to_none(struct kernel *k)
{
	return (struct kernel_none *)k;
}

static struct none_sa **bucket_of(struct kernel_none *kn, uint32_t spi)
{
	/* SPIs are random, so their low bits spread well. */
	return &kn->buckets[spi % KERNEL_NONE_BUCKETS];
}

/* The link that points at the matching SA, or NULL. */
static struct none_sa **find_sa(struct kernel_none *kn, const struct sockaddr_storage *dst,
				uint32_t spi, uint8_t proto)
{
	struct none_sa **pp;

	for (pp = bucket_of(kn, spi); *pp; pp = &(*pp)->next) {
		const struct kernel_sa_info *i = &(*pp)->info;

		if (i->spi == spi && i->proto == proto && kernel_addr_equal(&i->dst, dst))
			return pp;
	}
	return NULL;
}

/* Unique per SPI value alone, so a peer never sees one SPI twice from us. */
static bool spi_in_use(struct kernel_none *kn, uint32_t spi)
{
	const struct none_sa *s;

	for (s = *bucket_of(kn, spi); s; s = s->next)
		if (s->info.spi == spi)
			return true;
	return false;
}

static int none_open(struct kernel **out)
{
	struct kernel_none *kn;

	if (sodium_init() < 0)
		return ERR_CRYPTO;
	kn = calloc(1, sizeof(*kn));
	if (!kn)
		return ERR_NOMEM;
	kn->base.event_fd = -1;
	*out = &kn->base;
	return 0;
}

static void none_close(struct kernel *k)
{
	struct kernel_none *kn = to_none(k);
	struct none_policy *p, *pn;
	size_t b;

	for (b = 0; b < KERNEL_NONE_BUCKETS; b++) {
		struct none_sa *s = kn->buckets[b], *sn;

		for (; s; s = sn) {
			sn = s->next;
			free(s);
		}
	}
	for (p = kn->policies; p; p = pn) {
		pn = p->next;
		free(p);
	}
	free(kn);
}

static int none_process_events(struct kernel *k)
{
	(void)k; /* nothing ever happens behind our back */
	return 0;
}

static int none_alloc_spi(struct kernel *k, const struct sockaddr_storage *src,
			  const struct sockaddr_storage *dst, uint8_t proto, uint32_t *spi)
{
	struct kernel_none *kn = to_none(k);
	struct none_sa *s;
	uint32_t v;
	int tries;

	for (tries = 0; tries < 64; tries++) {
		v = SPI_MIN + randombytes_uniform(UINT32_MAX - SPI_MIN + 1);
		if (!spi_in_use(kn, v))
			break;
	}
	if (tries == 64)
		return ERR_STATE;
	s = calloc(1, sizeof(*s));
	if (!s)
		return ERR_NOMEM;
	s->info.proto = proto;
	s->info.spi = v;
	s->info.src = *src;
	s->info.dst = *dst;
	s->info.larval = true;
	s->next = *bucket_of(kn, v);
	*bucket_of(kn, v) = s;
	*spi = v;
	log_debug(&k->lg, "allocated SPI 0x%08x", v);
	return 0;
}

static void fill_info(struct kernel_sa_info *i, const struct kernel_sa *sa)
{
	size_t salt = kernel_encr_salt_len(sa->encr_id);

	memset(i, 0, sizeof(*i));
	i->proto = sa->proto;
	i->spi = sa->spi;
	i->src = sa->src;
	i->dst = sa->dst;
	i->mode = sa->mode;
	i->reqid = sa->reqid;
	i->encr_id = sa->encr_id;
	i->encr_key_bits = (uint16_t)((sa->encr_key_len > salt ? sa->encr_key_len - salt : 0) * 8);
	i->integ_id = sa->integ_id;
	i->encap = sa->encap;
}

static int none_add_sa(struct kernel *k, const struct kernel_sa *sa, bool update)
{
	struct kernel_none *kn = to_none(k);
	struct none_sa **pp = find_sa(kn, &sa->dst, sa->spi, sa->proto);
	struct none_sa *s;
	char src[64], dst[64];

	if (update && !pp)
		return ERR_NOTFOUND; /* as the kernel's UPDSA: ESRCH */
	if (!update && pp)
		return ERR_STATE; /* as NEWSA on an existing SA: EEXIST */
	if (!update && spi_in_use(kn, sa->spi))
		return ERR_STATE;
	if (pp) {
		s = *pp;
	} else {
		s = calloc(1, sizeof(*s));
		if (!s)
			return ERR_NOMEM;
		s->next = *bucket_of(kn, sa->spi);
		*bucket_of(kn, sa->spi) = s;
	}
	fill_info(&s->info, sa);
	log_info(&k->lg, "%s SA esp spi=0x%08x %s->%s mode=%s reqid=%u encr=%u/%u integ=%u%s",
		 update ? "updated" : "added", sa->spi,
		 kernel_addr_str(&sa->src, src, sizeof(src)),
		 kernel_addr_str(&sa->dst, dst, sizeof(dst)), kernel_mode_str(sa->mode),
		 sa->reqid, sa->encr_id, s->info.encr_key_bits, sa->integ_id,
		 sa->encap ? " udp-encap" : "");
	return 0;
}

static int none_del_sa(struct kernel *k, const struct sockaddr_storage *dst,
		       uint32_t spi, uint8_t proto)
{
	struct none_sa **pp = find_sa(to_none(k), dst, spi, proto);
	struct none_sa *s;

	if (!pp)
		return ERR_NOTFOUND;
	s = *pp;
	*pp = s->next;
	free(s);
	log_info(&k->lg, "deleted SA esp spi=0x%08x", spi);
	return 0;
}

static struct none_policy **find_policy(struct kernel_none *kn, const struct kernel_selector *sel,
					enum kernel_dir dir)
{
	struct none_policy **pp;

	for (pp = &kn->policies; *pp; pp = &(*pp)->next)
		if ((*pp)->pol.dir == dir && kernel_selector_equal(&(*pp)->pol.sel, sel))
			return pp;
	return NULL;
}

static void log_policy(struct kernel *k, const char *what, const struct kernel_selector *sel,
		       enum kernel_dir dir)
{
	char s[64], d[64];

	log_info(&k->lg, "%s policy %s/%u -> %s/%u proto %u dir %s", what,
		 kernel_addr_str(&sel->src, s, sizeof(s)), sel->src_prefix,
		 kernel_addr_str(&sel->dst, d, sizeof(d)), sel->dst_prefix, sel->proto,
		 kernel_dir_str(dir));
}

static int none_add_policy(struct kernel *k, const struct kernel_policy *pol, bool replace)
{
	struct kernel_none *kn = to_none(k);
	struct none_policy **old = find_policy(kn, &pol->sel, pol->dir);
	struct none_policy *p;

	if (old && replace) {
		(*old)->pol = *pol; /* as XFRM_MSG_UPDPOLICY */
		log_policy(k, "replaced", &pol->sel, pol->dir);
		return 0;
	}
	if (old)
		return ERR_STATE; /* as the kernel: EEXIST */
	p = calloc(1, sizeof(*p));
	if (!p)
		return ERR_NOMEM;
	p->pol = *pol;
	p->next = kn->policies;
	kn->policies = p;
	log_policy(k, "added", &pol->sel, pol->dir);
	return 0;
}

static int none_del_policy(struct kernel *k, const struct kernel_selector *sel,
			   enum kernel_dir dir)
{
	struct none_policy **pp = find_policy(to_none(k), sel, dir);
	struct none_policy *p;

	if (!pp)
		return ERR_NOTFOUND;
	p = *pp;
	*pp = p->next;
	free(p);
	log_policy(k, "deleted", sel, dir);
	return 0;
}

static int none_list_sas(struct kernel *k, kernel_sa_visit_fn fn, void *arg)
{
	struct kernel_none *kn = to_none(k);
	const struct none_sa *s;
	size_t b;

	for (b = 0; b < KERNEL_NONE_BUCKETS; b++)
		for (s = kn->buckets[b]; s; s = s->next)
			fn(&s->info, arg);
	return 0;
}

static int none_list_policies(struct kernel *k, kernel_policy_visit_fn fn, void *arg)
{
	const struct none_policy *p;

	for (p = to_none(k)->policies; p; p = p->next)
		fn(&p->pol, arg);
	return 0;
}

const struct kernel_ops kernel_none_ops = {
	.name = "none",
	.open = none_open,
	.close = none_close,
	.process_events = none_process_events,
	.alloc_spi = none_alloc_spi,
	.add_sa = none_add_sa,
	.del_sa = none_del_sa,
	.add_policy = none_add_policy,
	.del_policy = none_del_policy,
	.list_sas = none_list_sas,
	.list_policies = none_list_policies,
};
