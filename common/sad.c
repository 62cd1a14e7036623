/*
 * sad.c - the SA database: seven intrusive hash indexes over struct sad_entry
 * and one list in insertion order.
 *
 * Each index is an array of doubly linked chains of struct sad_link, which
 * live inside the entries (no allocation per insert, O(1) removal). A link keeps its full 64-bit hash, so
 * growing re-buckets without rehashing keys, and a lookup compares keys only
 * when hashes match. Tables double when they hold more entries than buckets
 * and halve when they fall under an eighth, keeping chains short whatever
 * the count.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "common/err.h"
#include "common/sad.h"

#define TABLE_MIN_BUCKETS 16u

struct sad_table {
	struct sad_link **buckets;
	size_t mask;  /* buckets - 1 (a power of two) */
	size_t count;
};

/* One distinct connection name (sad_entry.conn points at its text). */
struct sad_name {
	struct sad_name *next;
	uint64_t hash;
	char text[];
};

#define SAD_NAME_BUCKETS 256u

struct sad {
	struct sad_table pair, spi_i, local, serial, peer, conn, ident;
	struct sad_table out; /* children by outbound SPI (their by_spi_i link) */
	struct sad_name *names[SAD_NAME_BUCKETS];
	struct sad_entry *all_head, *all_tail;
	size_t n_ike, n_child;
	uint64_t next_serial;
	uint8_t key[crypto_shorthash_KEYBYTES];
	void (*fill)(void *buf, size_t len);
};

/* ---- one hash table ---- */

static int table_init(struct sad_table *t)
{
	t->buckets = calloc(TABLE_MIN_BUCKETS, sizeof(*t->buckets));
	t->mask = TABLE_MIN_BUCKETS - 1;
	t->count = 0;
	return t->buckets ? 0 : ERR_NOMEM;
}

/* Move every link to a table of n buckets; keeps the old one if out of memory. */
static void table_resize(struct sad_table *t, size_t n)
{
	struct sad_link **nb = calloc(n, sizeof(*nb));

	if (!nb)
		return; /* longer chains, still correct */
	for (size_t i = 0; i <= t->mask; i++) {
		struct sad_link *l = t->buckets[i];

		while (l) {
			struct sad_link *next = l->next;
			size_t b = l->hash & (n - 1);

			l->next = nb[b];
			if (nb[b])
				nb[b]->pprev = &l->next;
			l->pprev = &nb[b];
			nb[b] = l;
			l = next;
		}
	}
	free(t->buckets);
	t->buckets = nb;
	t->mask = n - 1;
}

static void table_insert(struct sad_table *t, struct sad_link *l, uint64_t hash)
{
	size_t b = hash & t->mask;

	l->hash = hash;
	l->next = t->buckets[b];
	if (l->next)
		l->next->pprev = &l->next;
	l->pprev = &t->buckets[b];
	t->buckets[b] = l;
	if (++t->count > t->mask + 1)
		table_resize(t, (t->mask + 1) * 2);
}

static void table_remove(struct sad_table *t, struct sad_link *l)
{
	*l->pprev = l->next;
	if (l->next)
		l->next->pprev = l->pprev;
	l->next = NULL;
	l->pprev = NULL;
	t->count--;
	if (t->mask + 1 > TABLE_MIN_BUCKETS && t->count < (t->mask + 1) / 8)
		table_resize(t, (t->mask + 1) / 2);
}

static struct sad_link *table_chain(const struct sad_table *t, uint64_t hash)
{
	return t->buckets[hash & t->mask];
}

/* ---- keys ---- */

enum key_tag {
	KEY_PAIR = 1, KEY_SPI_I, KEY_LOCAL_IKE, KEY_LOCAL_CHILD, KEY_PEER, KEY_CONN, KEY_IDENT,
	KEY_CHILD_OUT
};

static uint64_t hash_bytes(const struct sad *sad, uint8_t tag, const void *p, size_t n)
{
	uint8_t in[1 + SAD_CONN_MAX + 2 * SAD_IKE_SPI_LEN];
	uint8_t out[crypto_shorthash_BYTES];
	uint64_t h;

	in[0] = tag;
	memcpy(in + 1, p, n);
	crypto_shorthash(out, in, n + 1, sad->key);
	memcpy(&h, out, sizeof(h));
	return h;
}

static uint64_t hash_pair(const struct sad *sad, uint8_t version, const uint8_t *spi_i,
			  const uint8_t *spi_r)
{
	uint8_t k[1 + 2 * SAD_IKE_SPI_LEN];

	k[0] = version;
	memcpy(k + 1, spi_i, SAD_IKE_SPI_LEN);
	memcpy(k + 1 + SAD_IKE_SPI_LEN, spi_r, SAD_IKE_SPI_LEN);
	return hash_bytes(sad, KEY_PAIR, k, sizeof(k));
}

static uint64_t hash_spi(const struct sad *sad, uint8_t tag, uint8_t version, const uint8_t *spi)
{
	uint8_t k[1 + SAD_IKE_SPI_LEN];

	k[0] = version;
	memcpy(k + 1, spi, SAD_IKE_SPI_LEN);
	return hash_bytes(sad, tag, k, sizeof(k));
}

static uint64_t hash_child_tag(const struct sad *sad, uint8_t tag, uint8_t proto, uint32_t spi)
{
	uint8_t k[5] = { proto, (uint8_t)(spi >> 24), (uint8_t)(spi >> 16),
			 (uint8_t)(spi >> 8), (uint8_t)spi };

	return hash_bytes(sad, tag, k, sizeof(k));
}

static uint64_t hash_child(const struct sad *sad, uint8_t proto, uint32_t spi)
{
	return hash_child_tag(sad, KEY_LOCAL_CHILD, proto, spi);
}

/* Serials are ours, not the peer's: a multiplicative hash is enough. */
static uint64_t hash_serial(uint64_t serial)
{
	return (serial * 0x9e3779b97f4a7c15ull) >> 7 ^ serial;
}

/* Family and address bytes; the port is not part of "a peer". */
static size_t addr_key(const union sad_addr *a, uint8_t k[17])
{
	k[0] = (uint8_t)a->sa.sa_family;
	if (a->sa.sa_family == AF_INET) {
		memcpy(k + 1, &a->v4.sin_addr, 4);
		return 5;
	}
	if (a->sa.sa_family == AF_INET6) {
		memcpy(k + 1, &a->v6.sin6_addr, 16);
		return 17;
	}
	return 1;
}

static uint64_t hash_peer(const struct sad *sad, const union sad_addr *a)
{
	uint8_t k[17];

	return hash_bytes(sad, KEY_PEER, k, addr_key(a, k));
}

static bool addr_equal(const union sad_addr *a, const union sad_addr *b)
{
	uint8_t ka[17], kb[17];
	size_t na = addr_key(a, ka), nb = addr_key(b, kb);

	return na == nb && memcmp(ka, kb, na) == 0;
}

static uint64_t hash_conn(const struct sad *sad, const char *conn)
{
	return hash_bytes(sad, KEY_CONN, conn, strlen(conn));
}

/* Version and identity bytes; the caller checked len <= SAD_IDENT_MAX. */
static uint64_t hash_ident(const struct sad *sad, uint8_t version, const void *ident, size_t len)
{
	uint8_t in[2 + SAD_IDENT_MAX];
	uint8_t out[crypto_shorthash_BYTES];
	uint64_t h;

	in[0] = KEY_IDENT;
	in[1] = version;
	if (len)
		memcpy(in + 2, ident, len);
	crypto_shorthash(out, in, len + 2, sad->key);
	memcpy(&h, out, sizeof(h));
	return h;
}

static void addr_from_storage(union sad_addr *a, const struct sockaddr_storage *ss)
{
	memset(a, 0, sizeof(*a));
	if (!ss)
		return;
	if (ss->ss_family == AF_INET)
		memcpy(&a->v4, ss, sizeof(a->v4));
	else if (ss->ss_family == AF_INET6)
		memcpy(&a->v6, ss, sizeof(a->v6));
}

static const uint8_t *local_spi(const struct sad_entry *e)
{
	return e->initiator ? e->spi_i : e->spi_r;
}

static bool spi_zero(const uint8_t *spi)
{
	static const uint8_t zero[SAD_IKE_SPI_LEN];

	return memcmp(spi, zero, SAD_IKE_SPI_LEN) == 0;
}

/* ---- database ---- */

static void default_fill(void *buf, size_t len)
{
	randombytes_buf(buf, len);
}

int sad_new(struct sad **out)
{
	struct sad *sad;

	*out = NULL;
	if (sodium_init() < 0)
		return ERR_CRYPTO;
	sad = calloc(1, sizeof(*sad));
	if (!sad)
		return ERR_NOMEM;
	if (table_init(&sad->pair) < 0 || table_init(&sad->spi_i) < 0 ||
	    table_init(&sad->local) < 0 || table_init(&sad->serial) < 0 ||
	    table_init(&sad->peer) < 0 || table_init(&sad->conn) < 0 ||
	    table_init(&sad->ident) < 0 || table_init(&sad->out) < 0) {
		sad_free(sad);
		return ERR_NOMEM;
	}
	crypto_shorthash_keygen(sad->key);
	sad->next_serial = 1;
	sad->fill = default_fill;
	*out = sad;
	return 0;
}

void sad_free(struct sad *sad)
{
	if (!sad)
		return;
	free(sad->pair.buckets);
	free(sad->spi_i.buckets);
	free(sad->local.buckets);
	free(sad->serial.buckets);
	free(sad->peer.buckets);
	free(sad->conn.buckets);
	free(sad->ident.buckets);
	free(sad->out.buckets);
	for (size_t i = 0; i < SAD_NAME_BUCKETS; i++) {
		struct sad_name *n = sad->names[i], *next;

		for (; n; n = next) {
			next = n->next;
			free(n);
		}
	}
	sodium_memzero(sad->key, sizeof(sad->key));
	free(sad);
}

void sad_set_random(struct sad *sad, void (*fill)(void *buf, size_t len))
{
	sad->fill = fill ? fill : default_fill;
}

static void spi_hex(const uint8_t *spi, char out[2 * SAD_IKE_SPI_LEN + 1])
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < SAD_IKE_SPI_LEN; i++) {
		out[2 * i] = digits[spi[i] >> 4];
		out[2 * i + 1] = digits[spi[i] & 0x0f];
	}
	out[2 * SAD_IKE_SPI_LEN] = '\0';
}

/*
 * "conn #serial SPIi:SPIr" or "conn #serial esp in:out" (hex), made from
 * the entry when a line is written (struct logger): always current, and
 * no per-entry copy to keep up to date.
 */
static void entry_prefix(const struct logger *lg, char *buf, size_t len)
{
	const struct sad_entry *e = SAD_CONTAINER(lg, struct sad_entry, logger);

	if (e->kind == SAD_KIND_IKE) {
		char si[2 * SAD_IKE_SPI_LEN + 1], sr[2 * SAD_IKE_SPI_LEN + 1];

		spi_hex(e->spi_i, si);
		spi_hex(e->spi_r, sr);
		snprintf(buf, len, "%s #%" PRIu64 " %s:%s", e->conn ? e->conn : "", e->serial, si, sr);
	} else {
		snprintf(buf, len, "%s #%" PRIu64 " %s %08" PRIx32 ":%08" PRIx32, e->conn ? e->conn : "",
			 e->serial, e->proto == 51 ? "ah" : "esp", e->spi_in, e->spi_out);
	}
}

/*
 * The database's copy of a connection name (cut to SAD_CONN_MAX - 1): the
 * names are few (the configured connections; the load generator's slots)
 * and kept until sad_free(), so entries only point at them.
 */
static const char *intern_name(struct sad *sad, const char *conn)
{
	char cut[SAD_CONN_MAX];
	size_t len;
	uint64_t h;
	struct sad_name **head, *n;

	len = (size_t)snprintf(cut, sizeof(cut), "%s", conn ? conn : "");
	if (len >= sizeof(cut))
		len = sizeof(cut) - 1;
	h = hash_conn(sad, cut);
	head = &sad->names[h % SAD_NAME_BUCKETS];
	for (n = *head; n; n = n->next)
		if (n->hash == h && strcmp(n->text, cut) == 0)
			return n->text;
	n = malloc(sizeof(*n) + len + 1);
	if (!n)
		return "";
	n->hash = h;
	memcpy(n->text, cut, len + 1);
	n->next = *head;
	*head = n;
	return n->text;
}

void sad_entry_init(struct sad *sad, struct sad_entry *e, uint8_t version,
		    enum sad_kind kind, const char *conn,
		    const struct sockaddr_storage *peer)
{
	memset(e, 0, sizeof(*e));
	e->serial = sad->next_serial++;
	e->version = version;
	e->kind = kind;
	e->created = time(NULL);
	e->conn = intern_name(sad, conn);
	addr_from_storage(&e->peer, peer);
	e->logger.prefix = entry_prefix;
}

void sad_entry_peer(const struct sad_entry *e, struct sockaddr_storage *out)
{
	memset(out, 0, sizeof(*out));
	if (e->peer.sa.sa_family == AF_INET)
		memcpy(out, &e->peer.v4, sizeof(e->peer.v4));
	else if (e->peer.sa.sa_family == AF_INET6)
		memcpy(out, &e->peer.v6, sizeof(e->peer.v6));
}

/* Indexes every kind has: serial, peer, conn and the insertion list. */
static void link_common(struct sad *sad, struct sad_entry *e)
{
	table_insert(&sad->serial, &e->by_serial, hash_serial(e->serial));
	table_insert(&sad->peer, &e->by_peer, hash_peer(sad, &e->peer));
	if (!e->conn)
		e->conn = ""; /* an entry made without sad_entry_init() */
	table_insert(&sad->conn, &e->by_conn, hash_conn(sad, e->conn));
	e->all_next = NULL;
	e->all_prev = sad->all_tail;
	if (sad->all_tail)
		sad->all_tail->all_next = e;
	else
		sad->all_head = e;
	sad->all_tail = e;
	e->in = sad;
}

static void link_ike_spis(struct sad *sad, struct sad_entry *e)
{
	table_insert(&sad->pair, &e->by_pair, hash_pair(sad, e->version, e->spi_i, e->spi_r));
	table_insert(&sad->spi_i, &e->by_spi_i, hash_spi(sad, KEY_SPI_I, e->version, e->spi_i));
	table_insert(&sad->local, &e->by_local,
		     hash_spi(sad, KEY_LOCAL_IKE, e->version, local_spi(e)));
}

static void unlink_ike_spis(struct sad *sad, struct sad_entry *e)
{
	table_remove(&sad->pair, &e->by_pair);
	table_remove(&sad->spi_i, &e->by_spi_i);
	table_remove(&sad->local, &e->by_local);
}

/* Would these SPIs clash with an entry other than `self`? */
static bool ike_spis_taken(const struct sad *sad, const struct sad_entry *self, uint8_t version,
			   const uint8_t *spi_i, const uint8_t *spi_r, bool initiator)
{
	const struct sad_entry *o;

	o = sad_find_ike(sad, version, spi_i, spi_r);
	if (o && o != self)
		return true;
	o = sad_find_ike_by_local_spi(sad, version, initiator ? spi_i : spi_r);
	return o && o != self;
}

int sad_add_ike(struct sad *sad, struct sad_entry *e, const uint8_t spi_i[SAD_IKE_SPI_LEN],
		const uint8_t spi_r[SAD_IKE_SPI_LEN], bool initiator)
{
	if (e->in || e->kind != SAD_KIND_IKE)
		return ERR_STATE;
	if (spi_zero(initiator ? spi_i : spi_r))
		return ERR_INVAL;
	if (ike_spis_taken(sad, NULL, e->version, spi_i, spi_r, initiator))
		return ERR_STATE;
	memcpy(e->spi_i, spi_i, SAD_IKE_SPI_LEN);
	memcpy(e->spi_r, spi_r, SAD_IKE_SPI_LEN);
	e->initiator = initiator;
	link_ike_spis(sad, e);
	link_common(sad, e);
	sad->n_ike++;
	return 0;
}

int sad_add_child(struct sad *sad, struct sad_entry *e, uint8_t proto, uint32_t spi_in,
		  uint32_t spi_out, uint64_t ike_serial)
{
	if (e->in || e->kind != SAD_KIND_CHILD)
		return ERR_STATE;
	if (spi_in == 0)
		return ERR_INVAL;
	if (sad_find_child(sad, proto, spi_in))
		return ERR_STATE;
	e->proto = proto;
	e->spi_in = spi_in;
	e->spi_out = spi_out;
	e->ike_serial = ike_serial;
	table_insert(&sad->local, &e->by_local, hash_child(sad, proto, spi_in));
	table_insert(&sad->out, &e->by_spi_i, hash_child_tag(sad, KEY_CHILD_OUT, proto, spi_out));
	link_common(sad, e);
	sad->n_child++;
	return 0;
}

void sad_remove(struct sad *sad, struct sad_entry *e)
{
	if (e->in != sad || !sad)
		return;
	if (e->kind == SAD_KIND_IKE) {
		unlink_ike_spis(sad, e);
		sad->n_ike--;
	} else {
		table_remove(&sad->local, &e->by_local);
		table_remove(&sad->out, &e->by_spi_i);
		sad->n_child--;
	}
	table_remove(&sad->serial, &e->by_serial);
	table_remove(&sad->peer, &e->by_peer);
	table_remove(&sad->conn, &e->by_conn);
	if (e->by_ident.pprev)
		table_remove(&sad->ident, &e->by_ident);
	if (e->all_prev)
		e->all_prev->all_next = e->all_next;
	else
		sad->all_head = e->all_next;
	if (e->all_next)
		e->all_next->all_prev = e->all_prev;
	else
		sad->all_tail = e->all_prev;
	e->all_prev = e->all_next = NULL;
	e->in = NULL;
}

int sad_change_ike_spis(struct sad *sad, struct sad_entry *e,
			const uint8_t spi_i[SAD_IKE_SPI_LEN],
			const uint8_t spi_r[SAD_IKE_SPI_LEN])
{
	if (e->in != sad || e->kind != SAD_KIND_IKE)
		return ERR_STATE;
	if (spi_zero(e->initiator ? spi_i : spi_r))
		return ERR_INVAL;
	if (ike_spis_taken(sad, e, e->version, spi_i, spi_r, e->initiator))
		return ERR_STATE;
	unlink_ike_spis(sad, e);
	memcpy(e->spi_i, spi_i, SAD_IKE_SPI_LEN);
	memcpy(e->spi_r, spi_r, SAD_IKE_SPI_LEN);
	link_ike_spis(sad, e);
	return 0;
}

int sad_change_child_spis(struct sad *sad, struct sad_entry *e, uint32_t spi_in,
			  uint32_t spi_out)
{
	const struct sad_entry *o;

	if (e->in != sad || e->kind != SAD_KIND_CHILD)
		return ERR_STATE;
	if (spi_in == 0)
		return ERR_INVAL;
	o = sad_find_child(sad, e->proto, spi_in);
	if (o && o != e)
		return ERR_STATE;
	table_remove(&sad->local, &e->by_local);
	table_remove(&sad->out, &e->by_spi_i);
	e->spi_in = spi_in;
	e->spi_out = spi_out;
	table_insert(&sad->local, &e->by_local, hash_child(sad, e->proto, spi_in));
	table_insert(&sad->out, &e->by_spi_i, hash_child_tag(sad, KEY_CHILD_OUT, e->proto, spi_out));
	return 0;
}

void sad_change_peer(struct sad *sad, struct sad_entry *e, const struct sockaddr_storage *peer)
{
	if (e->in == sad)
		table_remove(&sad->peer, &e->by_peer);
	addr_from_storage(&e->peer, peer);
	if (e->in == sad)
		table_insert(&sad->peer, &e->by_peer, hash_peer(sad, &e->peer));
}

/* ---- lookups ---- */

#define ENTRY_OF(link, member) SAD_CONTAINER(link, struct sad_entry, member)

struct sad_entry *sad_find_ike(const struct sad *sad, uint8_t version,
			       const uint8_t spi_i[SAD_IKE_SPI_LEN],
			       const uint8_t spi_r[SAD_IKE_SPI_LEN])
{
	uint64_t h = hash_pair(sad, version, spi_i, spi_r);

	for (struct sad_link *l = table_chain(&sad->pair, h); l; l = l->next) {
		struct sad_entry *e = ENTRY_OF(l, by_pair);

		if (l->hash == h && e->version == version &&
		    memcmp(e->spi_i, spi_i, SAD_IKE_SPI_LEN) == 0 &&
		    memcmp(e->spi_r, spi_r, SAD_IKE_SPI_LEN) == 0)
			return e;
	}
	return NULL;
}

struct sad_entry *sad_find_ike_by_spi_i(const struct sad *sad, uint8_t version,
					const uint8_t spi_i[SAD_IKE_SPI_LEN],
					const struct sockaddr_storage *peer)
{
	uint64_t h = hash_spi(sad, KEY_SPI_I, version, spi_i);
	union sad_addr want;

	addr_from_storage(&want, peer);
	/* Chains are newest first, so the first match is the most recent. */
	for (struct sad_link *l = table_chain(&sad->spi_i, h); l; l = l->next) {
		struct sad_entry *e = ENTRY_OF(l, by_spi_i);

		if (l->hash == h && e->version == version &&
		    memcmp(e->spi_i, spi_i, SAD_IKE_SPI_LEN) == 0 &&
		    (!peer || addr_equal(&e->peer, &want)))
			return e;
	}
	return NULL;
}

struct sad_entry *sad_find_ike_by_local_spi(const struct sad *sad, uint8_t version,
					    const uint8_t spi[SAD_IKE_SPI_LEN])
{
	uint64_t h = hash_spi(sad, KEY_LOCAL_IKE, version, spi);

	for (struct sad_link *l = table_chain(&sad->local, h); l; l = l->next) {
		struct sad_entry *e = ENTRY_OF(l, by_local);

		if (l->hash == h && e->kind == SAD_KIND_IKE && e->version == version &&
		    memcmp(local_spi(e), spi, SAD_IKE_SPI_LEN) == 0)
			return e;
	}
	return NULL;
}

struct sad_entry *sad_find_child(const struct sad *sad, uint8_t proto, uint32_t spi_in)
{
	uint64_t h = hash_child(sad, proto, spi_in);

	for (struct sad_link *l = table_chain(&sad->local, h); l; l = l->next) {
		struct sad_entry *e = ENTRY_OF(l, by_local);

		if (l->hash == h && e->kind == SAD_KIND_CHILD && e->proto == proto &&
		    e->spi_in == spi_in)
			return e;
	}
	return NULL;
}

struct sad_entry *sad_find_child_out(const struct sad *sad, uint8_t proto, uint32_t spi_out,
				     const struct sockaddr_storage *peer)
{
	uint64_t h = hash_child_tag(sad, KEY_CHILD_OUT, proto, spi_out);
	union sad_addr want;
	bool any = !peer || peer->ss_family == AF_UNSPEC;

	if (!any)
		addr_from_storage(&want, peer);
	for (struct sad_link *l = table_chain(&sad->out, h); l; l = l->next) {
		struct sad_entry *e = ENTRY_OF(l, by_spi_i);

		if (l->hash == h && e->kind == SAD_KIND_CHILD && e->proto == proto &&
		    e->spi_out == spi_out && (any || addr_equal(&e->peer, &want)))
			return e;
	}
	return NULL;
}

struct sad_entry *sad_find_serial(const struct sad *sad, uint64_t serial)
{
	uint64_t h = hash_serial(serial);

	for (struct sad_link *l = table_chain(&sad->serial, h); l; l = l->next) {
		struct sad_entry *e = ENTRY_OF(l, by_serial);

		if (e->serial == serial)
			return e;
	}
	return NULL;
}

/* ---- iteration ---- */

static int serial_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Visit a snapshot of serials in creation order (an IKE SA before its
 * children), skipping those removed by an earlier visit.
 */
static int visit_snapshot(struct sad *sad, uint64_t *serials, size_t n, sad_visit_fn fn,
			  void *arg)
{
	int visited = 0;

	qsort(serials, n, sizeof(*serials), serial_cmp);
	for (size_t i = 0; i < n; i++) {
		struct sad_entry *e = sad_find_serial(sad, serials[i]);

		if (!e)
			continue; /* removed by an earlier visit */
		visited++;
		if (!fn(e, arg))
			break;
	}
	free(serials);
	return visited;
}

int sad_foreach_peer(struct sad *sad, const struct sockaddr_storage *peer,
		     sad_visit_fn fn, void *arg)
{
	union sad_addr want;
	uint64_t h, *serials;
	size_t n = 0, cap = 0;

	addr_from_storage(&want, peer);
	h = hash_peer(sad, &want);
	for (struct sad_link *l = table_chain(&sad->peer, h); l; l = l->next)
		cap++;
	serials = calloc(cap ? cap : 1, sizeof(*serials));
	if (!serials)
		return ERR_NOMEM;
	for (struct sad_link *l = table_chain(&sad->peer, h); l; l = l->next) {
		struct sad_entry *e = ENTRY_OF(l, by_peer);

		if (l->hash == h && addr_equal(&e->peer, &want))
			serials[n++] = e->serial;
	}
	return visit_snapshot(sad, serials, n, fn, arg);
}

int sad_foreach_conn(struct sad *sad, const char *conn, sad_visit_fn fn, void *arg)
{
	char name[SAD_CONN_MAX];
	uint64_t h, *serials;
	size_t n = 0, cap = 0;

	snprintf(name, sizeof(name), "%s", conn); /* cut as sad_entry_init does */
	h = hash_conn(sad, name);
	for (struct sad_link *l = table_chain(&sad->conn, h); l; l = l->next)
		cap++;
	serials = calloc(cap ? cap : 1, sizeof(*serials));
	if (!serials)
		return ERR_NOMEM;
	for (struct sad_link *l = table_chain(&sad->conn, h); l; l = l->next) {
		struct sad_entry *e = ENTRY_OF(l, by_conn);

		if (l->hash == h && strcmp(e->conn, name) == 0)
			serials[n++] = e->serial;
	}
	return visit_snapshot(sad, serials, n, fn, arg);
}

int sad_set_peer_ident(struct sad *sad, struct sad_entry *e, const void *ident, size_t len)
{
	if (e->in != sad || !sad)
		return ERR_STATE;
	if (len > SAD_IDENT_MAX || (len && !ident))
		return ERR_INVAL;
	if (e->by_ident.pprev)
		table_remove(&sad->ident, &e->by_ident);
	table_insert(&sad->ident, &e->by_ident, hash_ident(sad, e->version, ident, len));
	return 0;
}

int sad_foreach_peer_ident(struct sad *sad, uint8_t version, const void *ident, size_t len,
			   sad_visit_fn fn, void *arg)
{
	uint64_t h, *serials;
	size_t n = 0, cap = 0;

	if (len > SAD_IDENT_MAX || (len && !ident))
		return ERR_INVAL;
	h = hash_ident(sad, version, ident, len);
	for (struct sad_link *l = table_chain(&sad->ident, h); l; l = l->next)
		cap++;
	serials = calloc(cap ? cap : 1, sizeof(*serials));
	if (!serials)
		return ERR_NOMEM;
	for (struct sad_link *l = table_chain(&sad->ident, h); l; l = l->next) {
		struct sad_entry *e = ENTRY_OF(l, by_ident);

		if (l->hash == h && e->version == version)
			serials[n++] = e->serial;
	}
	return visit_snapshot(sad, serials, n, fn, arg);
}

struct sad_entry *sad_first(const struct sad *sad)
{
	return sad->all_head;
}

struct sad_entry *sad_next(const struct sad_entry *e)
{
	return e->all_next;
}

size_t sad_count(const struct sad *sad, enum sad_kind kind)
{
	return kind == SAD_KIND_IKE ? sad->n_ike : sad->n_child;
}

/* ---- SPI allocation ---- */

/* Draws before giving up: with a working RNG a second draw is already rare. */
#define SPI_DRAWS 64

int sad_new_ike_spi(const struct sad *sad, uint8_t version, uint8_t spi[SAD_IKE_SPI_LEN])
{
	for (int i = 0; i < SPI_DRAWS; i++) {
		sad->fill(spi, SAD_IKE_SPI_LEN);
		if (!spi_zero(spi) && !sad_find_ike_by_local_spi(sad, version, spi))
			return 0;
	}
	memset(spi, 0, SAD_IKE_SPI_LEN);
	return ERR_STATE;
}

int sad_new_child_spi(const struct sad *sad, uint8_t proto, uint32_t *spi)
{
	for (int i = 0; i < SPI_DRAWS; i++) {
		uint8_t b[4];
		uint32_t v;

		sad->fill(b, sizeof(b));
		v = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
		if (v >= 256 && !sad_find_child(sad, proto, v)) {
			*spi = v;
			return 0;
		}
	}
	*spi = 0;
	return ERR_STATE;
}

size_t sad_index_bytes(const struct sad *sad)
{
	const struct sad_table *t[] = { &sad->pair, &sad->spi_i, &sad->local, &sad->serial,
					&sad->peer, &sad->conn, &sad->ident, &sad->out };
	size_t n = sizeof(*sad);

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		n += (t[i]->mask + 1) * sizeof(struct sad_link *);
	return n;
}
