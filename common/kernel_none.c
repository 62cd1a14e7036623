/*
 * kernel_none.c - the "none" backend: SAs and policies kept in memory.
 *
 * For labs and tests on machines whose kernel cannot (or must not) do
 * IPsec: every install is logged (never its keys) and can be listed and
 * counted. SPIs are allocated here: random, >= 256 (RFC 4303 2.1 reserves
 * 1-255), unique among the SAs this backend holds, larval ones included.
 *
 * SAs and policies live in chained hash tables (SipHash, libsodium's
 * crypto_shorthash, with a key drawn at open, as common/sad.c): SAs keyed by
 * SPI (a peer picks the SPIs of our outbound SAs, so the hash must not be
 * predictable), policies by selector and direction, the fields add/del look
 * up. Each table doubles when it holds more entries than buckets, so add,
 * delete and lookup stay O(1) from a handful to 100,000+ SAs.
 *
 * Entries are stored compactly (an address in 20 bytes, not a 128-byte
 * sockaddr_storage): a child SA is two SAs and two or three policies here,
 * which at 100,000 children was 2.3 KB each in the kernel's own structs.
 * Listings expand them back on the stack.
 */
#include <stdlib.h>
#include <string.h>

#include <netinet/in.h>

#include <sodium.h>

#include "common/err.h"
#include "common/kernel_backend.h"

#define KERNEL_NONE_MIN_BUCKETS 64u
#define SPI_MIN 256u

/* One chain link: both tables hold these, the entry right after it. */
struct none_link {
	struct none_link *next;
	uint64_t hash;
};

/*
 * An address and its port in 20 bytes (an IPv6 scope and flow label are
 * not kept: no lookup or listing here uses them).
 */
union none_addr {
	struct {
		uint16_t family;  /* AF_INET, AF_INET6, else what the caller had */
		uint16_t port;    /* network order, as in the sockaddr */
		uint8_t addr[16];
	} a;
};

struct none_sa {
	struct none_link link; /* first */
	union none_addr src, dst;
	uint32_t spi;
	uint32_t reqid;
	uint16_t encr_id;
	uint16_t encr_key_bits;
	uint16_t integ_id;
	uint8_t proto;
	uint8_t mode;          /* enum kernel_mode */
	bool encap;
	bool larval;
};

struct none_selector {
	union none_addr src, dst;
	uint16_t src_port, dst_port;
	uint8_t src_prefix, dst_prefix, proto;
};

struct none_policy {
	struct none_link link; /* first */
	struct none_selector sel;
	union none_addr tmpl_src, tmpl_dst;
	uint32_t priority;
	uint32_t reqid;
	uint8_t dir;           /* enum kernel_dir */
	uint8_t proto;
	uint8_t mode;          /* enum kernel_mode */
};

struct none_table {
	struct none_link **buckets;
	size_t mask; /* buckets - 1, a power of two minus one */
	size_t count;
};

struct kernel_none {
	struct kernel base; /* first: struct kernel * converts to this */
	uint8_t key[crypto_shorthash_KEYBYTES];
	struct none_table sas;
	struct none_table policies;
};

static struct kernel_none *to_none(struct kernel *k)
{
	return (struct kernel_none *)k;
}

/* ---- compact forms ---- */

static void addr_pack(union none_addr *a, const struct sockaddr_storage *ss)
{
	size_t n = kernel_addr_len(ss);

	memset(a, 0, sizeof(*a));
	a->a.family = ss->ss_family;
	if (n)
		memcpy(a->a.addr, kernel_addr_bytes(ss), n);
	if (ss->ss_family == AF_INET)
		a->a.port = ((const struct sockaddr_in *)ss)->sin_port;
	else if (ss->ss_family == AF_INET6)
		a->a.port = ((const struct sockaddr_in6 *)ss)->sin6_port;
}

static void addr_unpack(const union none_addr *a, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	ss->ss_family = a->a.family;
	if (a->a.family == AF_INET) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

		memcpy(&s4->sin_addr, a->a.addr, 4);
		s4->sin_port = a->a.port;
	} else if (a->a.family == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		memcpy(&s6->sin6_addr, a->a.addr, 16);
		s6->sin6_port = a->a.port;
	}
}

/* Equal family and address, ports ignored (as kernel_addr_equal). */
static bool addr_matches(const union none_addr *a, const struct sockaddr_storage *ss)
{
	size_t n = kernel_addr_len(ss);

	return n && a->a.family == ss->ss_family && memcmp(a->a.addr, kernel_addr_bytes(ss), n) == 0;
}

static void sel_pack(struct none_selector *o, const struct kernel_selector *s)
{
	addr_pack(&o->src, &s->src);
	addr_pack(&o->dst, &s->dst);
	o->src_port = s->src_port;
	o->dst_port = s->dst_port;
	o->src_prefix = s->src_prefix;
	o->dst_prefix = s->dst_prefix;
	o->proto = s->proto;
}

static void sel_unpack(const struct none_selector *o, struct kernel_selector *s)
{
	memset(s, 0, sizeof(*s));
	addr_unpack(&o->src, &s->src);
	addr_unpack(&o->dst, &s->dst);
	s->src_port = o->src_port;
	s->dst_port = o->dst_port;
	s->src_prefix = o->src_prefix;
	s->dst_prefix = o->dst_prefix;
	s->proto = o->proto;
}

static void policy_pack(struct none_policy *p, const struct kernel_policy *pol)
{
	sel_pack(&p->sel, &pol->sel);
	addr_pack(&p->tmpl_src, &pol->tmpl_src);
	addr_pack(&p->tmpl_dst, &pol->tmpl_dst);
	p->priority = pol->priority;
	p->reqid = pol->reqid;
	p->dir = (uint8_t)pol->dir;
	p->proto = pol->proto;
	p->mode = (uint8_t)pol->mode;
}

static void policy_unpack(const struct none_policy *p, struct kernel_policy *pol)
{
	memset(pol, 0, sizeof(*pol));
	sel_unpack(&p->sel, &pol->sel);
	addr_unpack(&p->tmpl_src, &pol->tmpl_src);
	addr_unpack(&p->tmpl_dst, &pol->tmpl_dst);
	pol->priority = p->priority;
	pol->reqid = p->reqid;
	pol->dir = (enum kernel_dir)p->dir;
	pol->proto = p->proto;
	pol->mode = (enum kernel_mode)p->mode;
}

static void sa_unpack(const struct none_sa *s, struct kernel_sa_info *i)
{
	memset(i, 0, sizeof(*i));
	i->proto = s->proto;
	i->spi = s->spi;
	addr_unpack(&s->src, &i->src);
	addr_unpack(&s->dst, &i->dst);
	i->mode = (enum kernel_mode)s->mode;
	i->reqid = s->reqid;
	i->encr_id = s->encr_id;
	i->encr_key_bits = s->encr_key_bits;
	i->integ_id = s->integ_id;
	i->encap = s->encap;
	i->larval = s->larval;
}

/* ---- tables ---- */

static int table_init(struct none_table *t)
{
	t->buckets = calloc(KERNEL_NONE_MIN_BUCKETS, sizeof(*t->buckets));
	if (!t->buckets)
		return ERR_NOMEM;
	t->mask = KERNEL_NONE_MIN_BUCKETS - 1;
	t->count = 0;
	return 0;
}

static void table_free(struct none_table *t)
{
	size_t b;

	if (!t->buckets)
		return;
	for (b = 0; b <= t->mask; b++) {
		struct none_link *l = t->buckets[b], *ln;

		for (; l; l = ln) {
			ln = l->next;
			free(l); /* the link is the first member of its entry */
		}
	}
	free(t->buckets);
	t->buckets = NULL;
}

/* Doubling keeps chains ~1 long; a failed allocation only keeps them longer. */
static void table_grow(struct none_table *t)
{
	size_t n = (t->mask + 1) * 2, b;
	struct none_link **nb;

	nb = calloc(n, sizeof(*nb));
	if (!nb)
		return;
	for (b = 0; b <= t->mask; b++) {
		struct none_link *l = t->buckets[b], *ln;

		for (; l; l = ln) {
			ln = l->next;
			l->next = nb[l->hash & (n - 1)];
			nb[l->hash & (n - 1)] = l;
		}
	}
	free(t->buckets);
	t->buckets = nb;
	t->mask = n - 1;
}

static struct none_link **table_chain(const struct none_table *t, uint64_t hash)
{
	return &t->buckets[hash & t->mask];
}

static void table_insert(struct none_table *t, struct none_link *l, uint64_t hash)
{
	struct none_link **head;

	if (t->count >= t->mask + 1)
		table_grow(t);
	head = table_chain(t, hash);
	l->hash = hash;
	l->next = *head;
	*head = l;
	t->count++;
}

static void table_unlink(struct none_table *t, struct none_link **pp)
{
	*pp = (*pp)->next;
	t->count--;
}

static uint64_t hash_bytes(const struct kernel_none *kn, const uint8_t *in, size_t n)
{
	uint8_t out[crypto_shorthash_BYTES];
	uint64_t h;

	crypto_shorthash(out, in, n, kn->key);
	memcpy(&h, out, sizeof(h));
	return h;
}

/* SAs are looked up by SPI (and told apart by dst and proto in the chain). */
static uint64_t hash_spi(const struct kernel_none *kn, uint32_t spi)
{
	uint8_t in[4] = { (uint8_t)(spi >> 24), (uint8_t)(spi >> 16), (uint8_t)(spi >> 8),
			  (uint8_t)spi };

	return hash_bytes(kn, in, sizeof(in));
}

/* Exactly the fields kernel_selector_equal compares, plus the direction. */
static uint64_t hash_policy(const struct kernel_none *kn, const struct kernel_selector *sel,
			    enum kernel_dir dir)
{
	uint8_t in[2 * (1 + 16) + 8];
	size_t n = 0, alen;

	alen = kernel_addr_len(&sel->src);
	in[n++] = (uint8_t)sel->src.ss_family;
	if (alen)
		memcpy(in + n, kernel_addr_bytes(&sel->src), alen);
	n += alen;
	alen = kernel_addr_len(&sel->dst);
	in[n++] = (uint8_t)sel->dst.ss_family;
	if (alen)
		memcpy(in + n, kernel_addr_bytes(&sel->dst), alen);
	n += alen;
	in[n++] = sel->src_prefix;
	in[n++] = sel->dst_prefix;
	in[n++] = sel->proto;
	in[n++] = (uint8_t)(sel->src_port >> 8);
	in[n++] = (uint8_t)sel->src_port;
	in[n++] = (uint8_t)(sel->dst_port >> 8);
	in[n++] = (uint8_t)sel->dst_port;
	in[n++] = (uint8_t)dir;
	return hash_bytes(kn, in, n);
}

/* ---- SAs ---- */

/* The link that points at the matching SA, or NULL. */
static struct none_link **find_sa(struct kernel_none *kn, const struct sockaddr_storage *dst,
				uint32_t spi, uint8_t proto)
{
	struct none_link **pp;

	for (pp = table_chain(&kn->sas, hash_spi(kn, spi)); *pp; pp = &(*pp)->next) {
		const struct none_sa *i = (const struct none_sa *)*pp;

		if (i->spi == spi && i->proto == proto && addr_matches(&i->dst, dst))
			return pp;
	}
	return NULL;
}

/* Unique per SPI value alone, so a peer never sees one SPI twice from us. */
static bool spi_in_use(struct kernel_none *kn, uint32_t spi)
{
	const struct none_link *l;

	for (l = *table_chain(&kn->sas, hash_spi(kn, spi)); l; l = l->next)
		if (((const struct none_sa *)l)->spi == spi)
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
	crypto_shorthash_keygen(kn->key);
	if (table_init(&kn->sas) < 0 || table_init(&kn->policies) < 0) {
		table_free(&kn->sas);
		free(kn);
		return ERR_NOMEM;
	}
	kn->base.event_fd = -1;
	*out = &kn->base;
	return 0;
}

static void none_close(struct kernel *k)
{
	struct kernel_none *kn = to_none(k);

	table_free(&kn->sas);
	table_free(&kn->policies);
	sodium_memzero(kn->key, sizeof(kn->key));
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
	s->proto = proto;
	s->spi = v;
	addr_pack(&s->src, src);
	addr_pack(&s->dst, dst);
	s->larval = true;
	table_insert(&kn->sas, &s->link, hash_spi(kn, v));
	*spi = v;
	log_debug(&k->lg, "allocated SPI 0x%08x", v);
	return 0;
}

/* What is kept of an SA: never its keys. */
static void sa_pack(struct none_sa *i, const struct kernel_sa *sa)
{
	size_t salt = kernel_encr_salt_len(sa->encr_id);

	i->proto = sa->proto;
	i->spi = sa->spi;
	addr_pack(&i->src, &sa->src);
	addr_pack(&i->dst, &sa->dst);
	i->mode = (uint8_t)sa->mode;
	i->reqid = sa->reqid;
	i->encr_id = sa->encr_id;
	i->encr_key_bits = (uint16_t)((sa->encr_key_len > salt ? sa->encr_key_len - salt : 0) * 8);
	i->integ_id = sa->integ_id;
	i->encap = sa->encap;
	i->larval = false;
}

static int none_add_sa(struct kernel *k, const struct kernel_sa *sa, bool update)
{
	struct kernel_none *kn = to_none(k);
	struct none_link **pp = find_sa(kn, &sa->dst, sa->spi, sa->proto);
	struct none_sa *s;
	char src[64], dst[64];

	if (update && !pp)
		return ERR_NOTFOUND; /* as the kernel's UPDSA: ESRCH */
	/*
	 * As NEWSA on an existing SA: EEXIST. Only the same destination, SPI
	 * and protocol is a twin (RFC 4301 4.1): the peer's SPI for an
	 * outbound SA may equal one of ours or another peer's.
	 */
	if (!update && pp)
		return ERR_STATE;
	if (pp) {
		s = (struct none_sa *)*pp;
	} else {
		s = calloc(1, sizeof(*s));
		if (!s)
			return ERR_NOMEM;
		table_insert(&kn->sas, &s->link, hash_spi(kn, sa->spi));
	}
	sa_pack(s, sa);
	if (log_enabled(LOG_LEVEL_INFO))
		log_info(&k->lg, "%s SA esp spi=0x%08x %s->%s mode=%s reqid=%u encr=%u/%u integ=%u%s",
		 update ? "updated" : "added", sa->spi,
		 kernel_addr_str(&sa->src, src, sizeof(src)),
		 kernel_addr_str(&sa->dst, dst, sizeof(dst)), kernel_mode_str(sa->mode),
		 sa->reqid, sa->encr_id, s->encr_key_bits, sa->integ_id,
		 sa->encap ? " udp-encap" : "");
	return 0;
}

static int none_del_sa(struct kernel *k, const struct sockaddr_storage *dst,
		       uint32_t spi, uint8_t proto)
{
	struct kernel_none *kn = to_none(k);
	struct none_link **pp = find_sa(kn, dst, spi, proto);
	struct none_sa *s;

	if (!pp)
		return ERR_NOTFOUND;
	s = (struct none_sa *)*pp;
	table_unlink(&kn->sas, pp);
	free(s);
	log_info(&k->lg, "deleted SA esp spi=0x%08x", spi);
	return 0;
}

static struct none_link **find_policy(struct kernel_none *kn, const struct kernel_selector *sel,
					enum kernel_dir dir)
{
	uint64_t h = hash_policy(kn, sel, dir);
	struct none_link **pp;

	for (pp = table_chain(&kn->policies, h); *pp; pp = &(*pp)->next) {
		const struct none_policy *p = (const struct none_policy *)*pp;
		struct kernel_selector have;

		if ((*pp)->hash != h || p->dir != (uint8_t)dir)
			continue;
		sel_unpack(&p->sel, &have);
		if (kernel_selector_equal(&have, sel))
			return pp;
	}
	return NULL;
}

static void log_policy(struct kernel *k, const char *what, const struct kernel_selector *sel,
		       enum kernel_dir dir)
{
	char s[64], d[64];

	if (!log_enabled(LOG_LEVEL_INFO))
		return; /* the addresses are not formatted for nothing */
	log_info(&k->lg, "%s policy %s/%u -> %s/%u proto %u dir %s", what,
		 kernel_addr_str(&sel->src, s, sizeof(s)), sel->src_prefix,
		 kernel_addr_str(&sel->dst, d, sizeof(d)), sel->dst_prefix, sel->proto,
		 kernel_dir_str(dir));
}

static int none_add_policy(struct kernel *k, const struct kernel_policy *pol, bool replace)
{
	struct kernel_none *kn = to_none(k);
	struct none_link **old = find_policy(kn, &pol->sel, pol->dir);
	struct none_policy *p;

	if (old && replace) {
		policy_pack((struct none_policy *)*old, pol); /* as XFRM_MSG_UPDPOLICY */
		log_policy(k, "replaced", &pol->sel, pol->dir);
		return 0;
	}
	if (old)
		return ERR_STATE; /* as the kernel: EEXIST */
	p = calloc(1, sizeof(*p));
	if (!p)
		return ERR_NOMEM;
	policy_pack(p, pol);
	table_insert(&kn->policies, &p->link, hash_policy(kn, &pol->sel, pol->dir));
	log_policy(k, "added", &pol->sel, pol->dir);
	return 0;
}

static int none_del_policy(struct kernel *k, const struct kernel_selector *sel,
			   enum kernel_dir dir)
{
	struct kernel_none *kn = to_none(k);
	struct none_link **pp = find_policy(kn, sel, dir);
	struct none_policy *p;

	if (!pp)
		return ERR_NOTFOUND;
	p = (struct none_policy *)*pp;
	table_unlink(&kn->policies, pp);
	free(p);
	log_policy(k, "deleted", sel, dir);
	return 0;
}

static int none_list_sas(struct kernel *k, kernel_sa_visit_fn fn, void *arg)
{
	struct kernel_none *kn = to_none(k);
	const struct none_link *l;
	size_t b;

	for (b = 0; b <= kn->sas.mask; b++) {
		for (l = kn->sas.buckets[b]; l; l = l->next) {
			struct kernel_sa_info i;

			sa_unpack((const struct none_sa *)l, &i);
			fn(&i, arg);
		}
	}
	return 0;
}

static int none_list_policies(struct kernel *k, kernel_policy_visit_fn fn, void *arg)
{
	struct kernel_none *kn = to_none(k);
	const struct none_link *l;
	size_t b;

	for (b = 0; b <= kn->policies.mask; b++) {
		for (l = kn->policies.buckets[b]; l; l = l->next) {
			struct kernel_policy p;

			policy_unpack((const struct none_policy *)l, &p);
			fn(&p, arg);
		}
	}
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
