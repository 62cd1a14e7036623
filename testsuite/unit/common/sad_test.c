/*
 * sad_test.c - the SA database: IKE and child entries by every key, the
 * half-open lookups, SPI changes, removal, iteration, 100,000 entries, the
 * peer identity index, and SPI allocation that steps around values already
 * in use.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/sad.h"
#include "testsuite/lib/tap.h"

struct test_ike_sa {
	int marker;
	struct sad_entry sad;
};

static const uint8_t zero[8];

static struct sockaddr_storage addr(const char *text, uint16_t port)
{
	struct sockaddr_storage ss;

	memset(&ss, 0, sizeof(ss));
	if (strchr(text, ':')) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		inet_pton(AF_INET6, text, &s6->sin6_addr);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		inet_pton(AF_INET, text, &s4->sin_addr);
	}
	return ss;
}

static void spi_of(uint64_t v, uint8_t spi[8])
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		spi[i] = (uint8_t)v;
}

static void test_init_and_logger(struct sad *db)
{
	char lg[LOGGER_PREFIX_MAX];
	struct sad_entry a, b;
	struct sockaddr_storage p = addr("192.0.2.1", 500), back;

	sad_entry_init(db, &a, 2, SAD_KIND_IKE, "office", &p);
	sad_entry_init(db, &b, 2, SAD_KIND_IKE,
		       "a-connection-name-that-is-much-longer-than-forty-seven-bytes", NULL);
	tap_ok(b.serial == a.serial + 1, "serials increase by one");
	tap_eq_int((long long)strlen(b.conn), SAD_CONN_MAX - 1, "long connection names are cut");
	tap_ok(strncmp(logger_prefix(&a.logger, lg, sizeof(lg)), "office #", 8) == 0,
	       "logger starts with \"conn #\": %s", lg);
	tap_ok(a.created > 0, "creation time is set");
	sad_entry_peer(&a, &back);
	tap_ok(back.ss_family == AF_INET && ((struct sockaddr_in *)&back)->sin_port == htons(500) &&
	       memcmp(&((struct sockaddr_in *)&back)->sin_addr,
		      &((struct sockaddr_in *)&p)->sin_addr, 4) == 0,
	       "the peer address and port come back");
}

static void test_ike_initiator(struct sad *db)
{
	struct test_ike_sa sa = { .marker = 42 };
	struct sockaddr_storage p = addr("198.51.100.7", 500);
	uint8_t spi_i[8], spi_r[8], other[8];
	struct sad_entry *e;
	char want[128], lg[LOGGER_PREFIX_MAX];

	sad_entry_init(db, &sa.sad, 2, SAD_KIND_IKE, "init", &p);
	tap_eq_int(sad_new_ike_spi(db, 2, spi_i), 0, "a fresh SPIi");
	tap_eq_int(sad_add_ike(db, &sa.sad, spi_i, zero, true), 0, "half-open initiator SA added");
	e = sad_find_ike(db, 2, spi_i, zero);
	tap_ok(e == &sa.sad, "found by (SPIi, 0)");
	tap_ok(e && SAD_CONTAINER(e, struct test_ike_sa, sad)->marker == 42,
	       "container_of reaches the engine's struct");
	tap_ok(sad_find_ike_by_spi_i(db, 2, spi_i, NULL) == &sa.sad, "found by SPIi alone");
	tap_ok(sad_find_ike_by_local_spi(db, 2, spi_i) == &sa.sad, "found by our SPI");
	tap_ok(sad_find_ike(db, 1, spi_i, zero) == NULL, "IKEv1 has its own key space");

	/* The IKE_SA_INIT response names SPIr. */
	spi_of(0x1122334455667788ull, spi_r);
	tap_eq_int(sad_change_ike_spis(db, &sa.sad, spi_i, spi_r), 0, "SPIr learnt");
	tap_ok(sad_find_ike(db, 2, spi_i, spi_r) == &sa.sad, "found by the full pair");
	tap_ok(sad_find_ike(db, 2, spi_i, zero) == NULL, "no longer under (SPIi, 0)");
	tap_ok(sad_find_ike_by_spi_i(db, 2, spi_i, &p) == &sa.sad, "still found by SPIi + peer");
	snprintf(want, sizeof(want), "init #%llu ", (unsigned long long)sa.sad.serial);
	logger_prefix(&sa.sad.logger, lg, sizeof(lg));
	tap_ok(strstr(lg, "1122334455667788") != NULL && strncmp(lg, want, strlen(want)) == 0,
	       "logger shows the new SPIs: %s", lg);

	/* Our SPI cannot be zero, and a used one cannot be re-used. */
	memcpy(other, spi_i, 8);
	tap_eq_int(sad_change_ike_spis(db, &sa.sad, zero, spi_r), ERR_INVAL, "zero own SPI refused");
	tap_ok(sad_find_ike(db, 2, spi_i, spi_r) == &sa.sad, "a refused change keeps the old keys");
	{
		struct sad_entry dup;

		sad_entry_init(db, &dup, 2, SAD_KIND_IKE, "init", &p);
		spi_of(99, spi_r);
		tap_eq_int(sad_add_ike(db, &dup, other, spi_r, true), ERR_STATE,
			   "our SPI already used by another SA is refused");
		tap_eq_int(sad_add_ike(db, &sa.sad, other, spi_r, true), ERR_STATE,
			   "adding an inserted entry again is refused");
	}
	sad_remove(db, &sa.sad);
	tap_ok(sad_find_ike_by_spi_i(db, 2, spi_i, NULL) == NULL &&
	       sad_find_ike_by_local_spi(db, 2, spi_i) == NULL &&
	       sad_find_serial(db, sa.sad.serial) == NULL, "removed from every index");
	sad_remove(db, &sa.sad); /* a second remove is a no-op */
	tap_eq_int((long long)sad_count(db, SAD_KIND_IKE), 0, "count back to zero");
}

static void test_ike_responder(struct sad *db)
{
	struct sad_entry a, b, v1;
	struct sockaddr_storage pa = addr("203.0.113.1", 500), pb = addr("2001:db8::2", 4500),
				pc = addr("203.0.113.9", 500);
	uint8_t spi_i[8], ra[8], rb[8];

	/* Two initiators that picked the same SPIi (their choice, not ours). */
	spi_of(0xdeadbeefcafef00dull, spi_i);
	sad_new_ike_spi(db, 2, ra);
	sad_new_ike_spi(db, 2, rb);
	sad_entry_init(db, &a, 2, SAD_KIND_IKE, "rw", &pa);
	sad_entry_init(db, &b, 2, SAD_KIND_IKE, "rw", &pb);
	tap_eq_int(sad_add_ike(db, &a, spi_i, ra, false), 0, "responder SA a added");
	tap_eq_int(sad_add_ike(db, &b, spi_i, rb, false), 0, "responder SA b, same SPIi, added");
	tap_ok(sad_find_ike_by_spi_i(db, 2, spi_i, &pa) == &a, "retransmit from a finds a");
	tap_ok(sad_find_ike_by_spi_i(db, 2, spi_i, &pb) == &b, "retransmit from b finds b (IPv6)");
	tap_ok(sad_find_ike_by_spi_i(db, 2, spi_i, &pc) == NULL, "a third address finds nothing");
	tap_ok(sad_find_ike_by_local_spi(db, 2, ra) == &a, "a by our SPIr");
	tap_ok(sad_find_ike(db, 2, spi_i, rb) == &b, "b by the pair");
	tap_eq_int(sad_add_ike(db, &a, spi_i, zero, false), ERR_STATE, "re-adding refused");

	/* IKEv1: the same cookies live beside the IKEv2 SPIs. */
	sad_entry_init(db, &v1, 1, SAD_KIND_IKE, "legacy", &pa);
	tap_eq_int(sad_add_ike(db, &v1, spi_i, ra, false), 0, "IKEv1 SA with the same cookies added");
	tap_ok(sad_find_ike(db, 1, spi_i, ra) == &v1 && sad_find_ike(db, 2, spi_i, ra) == &a,
	       "each version finds its own");

	/* IKE SA "rekey" of the index: new SPIs, old ones gone. */
	{
		uint8_t ni[8], nr[8];

		spi_of(7, ni);
		sad_new_ike_spi(db, 2, nr);
		tap_eq_int(sad_change_ike_spis(db, &a, ni, nr), 0, "a re-keyed to new SPIs");
		tap_ok(sad_find_ike(db, 2, ni, nr) == &a && sad_find_ike(db, 2, spi_i, ra) == NULL &&
		       sad_find_ike_by_local_spi(db, 2, ra) == NULL &&
		       sad_find_ike_by_local_spi(db, 2, nr) == &a, "found only under the new SPIs");
		tap_eq_int(sad_change_ike_spis(db, &b, ni, nr), ERR_STATE,
			   "moving b onto a's SPIs is refused");
		tap_ok(sad_find_ike(db, 2, spi_i, rb) == &b, "b keeps its SPIs");
	}
	sad_remove(db, &a);
	sad_remove(db, &b);
	sad_remove(db, &v1);
}

static void test_child(struct sad *db)
{
	char lg[LOGGER_PREFIX_MAX];
	struct sad_entry c, d;
	struct sockaddr_storage p = addr("192.0.2.50", 500), other = addr("192.0.2.51", 500);

	sad_entry_init(db, &c, 2, SAD_KIND_CHILD, "net", &p);
	sad_entry_init(db, &d, 2, SAD_KIND_CHILD, "net", &p);
	tap_eq_int(sad_add_child(db, &c, 50, 0xc0ffee01, 0x12345678, 1), 0, "child added");
	tap_ok(sad_find_child(db, 50, 0xc0ffee01) == &c, "found by inbound SPI");
	tap_ok(sad_find_child(db, 51, 0xc0ffee01) == NULL, "AH with that SPI is another SA");
	tap_ok(sad_find_child(db, 50, 0x12345678) == NULL, "not by the outbound SPI");
	tap_ok(sad_find_child_out(db, 50, 0x12345678, &p) == &c,
	       "found by outbound SPI and the peer's address");
	tap_ok(sad_find_child_out(db, 50, 0x12345678, NULL) == &c, "... or any peer");
	tap_ok(sad_find_child_out(db, 50, 0x12345678, &other) == NULL, "not for another peer");
	tap_ok(sad_find_child_out(db, 50, 0xc0ffee01, NULL) == NULL, "not by the inbound SPI");
	tap_ok(strstr(logger_prefix(&c.logger, lg, sizeof(lg)), "esp c0ffee01:12345678") != NULL,
	       "child logger: %s", lg);
	tap_eq_int(sad_add_child(db, &d, 50, 0xc0ffee01, 1, 1), ERR_STATE, "duplicate SPI refused");
	tap_eq_int(sad_add_child(db, &d, 50, 0, 1, 1), ERR_INVAL, "SPI 0 refused");
	tap_eq_int(sad_add_child(db, &d, 50, 0xc0ffee02, 2, 1), 0, "second child added");
	tap_eq_int(sad_change_child_spis(db, &c, 0xc0ffee02, 3), ERR_STATE,
		   "changing onto a used SPI refused");
	tap_eq_int(sad_change_child_spis(db, &c, 0xc0ffee03, 4), 0, "child SPIs changed");
	tap_ok(sad_find_child(db, 50, 0xc0ffee03) == &c && !sad_find_child(db, 50, 0xc0ffee01),
	       "found only under the new SPI");
	tap_ok(sad_find_child_out(db, 50, 4, &p) == &c && !sad_find_child_out(db, 50, 0x12345678, &p),
	       "and only under the new outbound SPI");
	tap_eq_int((long long)sad_count(db, SAD_KIND_CHILD), 2, "two children counted");
	sad_remove(db, &c);
	sad_remove(db, &d);
	tap_eq_int((long long)sad_count(db, SAD_KIND_CHILD), 0, "children removed");
	tap_ok(sad_find_child_out(db, 50, 4, NULL) == NULL, "a removed child is not found by outbound SPI");
}

/* ---- iteration ---- */

struct teardown {
	struct sad *db;
	struct sad_entry *entries;
	int visits;
};

/* Visiting an IKE SA removes it and its children (entries right after it). */
static bool remove_with_children(struct sad_entry *e, void *arg)
{
	struct teardown *t = arg;

	t->visits++;
	if (e->kind == SAD_KIND_IKE) {
		for (int i = 1; i <= 2; i++)
			sad_remove(t->db, e + i);
	}
	sad_remove(t->db, e);
	return true;
}

static bool count_visit(struct sad_entry *e, void *arg)
{
	(void)e;
	(*(int *)arg)++;
	return true;
}

static void test_iteration(struct sad *db)
{
	enum { N = 30 };
	struct sad_entry *es = calloc(N, sizeof(*es));
	struct sockaddr_storage p1 = addr("192.0.2.1", 500), p2 = addr("192.0.2.2", 4500);
	struct teardown t = { db, es, 0 };
	int n = 0, in_order = 1, visits = 0;
	uint64_t last = 0;

	/* Groups of three: an IKE SA then two children, alternating peers. */
	for (int i = 0; i < N; i++) {
		const struct sockaddr_storage *p = (i / 3) % 2 ? &p2 : &p1;

		if (i % 3 == 0) {
			uint8_t spi[8];

			sad_entry_init(db, &es[i], 2, SAD_KIND_IKE, i < 15 ? "a" : "b", p);
			sad_new_ike_spi(db, 2, spi);
			sad_add_ike(db, &es[i], spi, zero, true);
		} else {
			uint32_t spi;

			sad_entry_init(db, &es[i], 2, SAD_KIND_CHILD, i < 15 ? "a" : "b", p);
			sad_new_child_spi(db, 50, &spi);
			sad_add_child(db, &es[i], 50, spi, 0, es[i - i % 3].serial);
		}
	}
	for (struct sad_entry *e = sad_first(db); e; e = sad_next(e)) {
		if (e->serial <= last)
			in_order = 0;
		last = e->serial;
		n++;
	}
	tap_eq_int(n, N, "iteration visits every entry once");
	tap_ok(in_order, "in insertion order");
	tap_eq_int(sad_foreach_peer(db, &p2, count_visit, &visits), N / 2,
		   "foreach_peer returns the visited count");
	tap_eq_int(visits, N / 2, "every SA of peer 2 (other port too) visited");
	visits = 0;
	tap_eq_int(sad_foreach_conn(db, "b", count_visit, &visits), 15, "foreach_conn visits conn b");
	/* Tear down peer 1: each visit also removes entries not yet visited. */
	tap_eq_int(sad_foreach_peer(db, &p1, remove_with_children, &t), N / 6,
		   "removal inside foreach skips what was removed");
	tap_eq_int((long long)(sad_count(db, SAD_KIND_IKE) + sad_count(db, SAD_KIND_CHILD)), N / 2,
		   "peer 1's SAs are gone, peer 2's remain");
	visits = 0;
	sad_foreach_conn(db, "b", count_visit, &visits);
	tap_ok(visits > 0 && visits < 15, "conn b lost only peer 1's SAs (%d left)", visits);
	for (int i = 0; i < N; i++)
		sad_remove(db, &es[i]);
	tap_ok(sad_first(db) == NULL, "empty after removing everything");
	free(es);
}

/* ---- SPI allocation around collisions (a mock random source) ---- */

static const uint8_t *mock_seq;
static size_t mock_len, mock_off;

static void mock_fill(void *buf, size_t len)
{
	for (size_t i = 0; i < len; i++)
		((uint8_t *)buf)[i] = mock_seq[(mock_off + i) % mock_len];
	mock_off += len;
}

static void test_spi_collisions(struct sad *db)
{
	struct sad_entry e, c;
	uint8_t used[8], spi[8];
	uint32_t cspi;
	static const uint8_t seq[] = {
		0, 0, 0, 0, 0, 0, 0, 0,         /* zero: never an SPI */
		1, 2, 3, 4, 5, 6, 7, 8,         /* in use */
		9, 9, 9, 9, 9, 9, 9, 9,         /* free */
	};
	static const uint8_t cseq[] = {
		0, 0, 0, 200,                   /* reserved (< 256) */
		0xab, 0xcd, 0xef, 0x01,         /* in use */
		0xab, 0xcd, 0xef, 0x02,         /* free */
	};

	spi_of(0x0102030405060708ull, used);
	sad_entry_init(db, &e, 2, SAD_KIND_IKE, "x", NULL);
	sad_add_ike(db, &e, zero, used, false);
	mock_seq = seq;
	mock_len = sizeof(seq);
	mock_off = 0;
	sad_set_random(db, mock_fill);
	tap_eq_int(sad_new_ike_spi(db, 2, spi), 0, "an SPI came out");
	tap_eq_bytes(spi, 8, seq + 16, 8, "zero and the used SPI were skipped");
	mock_off = 0;
	tap_eq_int(sad_new_ike_spi(db, 1, spi), 0, "IKEv1 cookie drawn");
	tap_eq_bytes(spi, 8, seq + 8, 8, "the IKEv2 SPI in use is free as an IKEv1 cookie");
	mock_seq = seq + 8;
	mock_len = 8;
	mock_off = 0;
	tap_eq_int(sad_new_ike_spi(db, 2, spi), ERR_STATE, "a stuck RNG ends in ERR_STATE");

	sad_entry_init(db, &c, 2, SAD_KIND_CHILD, "x", NULL);
	sad_add_child(db, &c, 50, 0xabcdef01, 1, 0);
	mock_seq = cseq;
	mock_len = sizeof(cseq);
	mock_off = 0;
	tap_eq_int(sad_new_child_spi(db, 50, &cspi), 0, "a child SPI came out");
	tap_eq_int(cspi, 0xabcdef02, "reserved and used child SPIs skipped");
	sad_set_random(db, NULL);
	sad_remove(db, &e);
	sad_remove(db, &c);
}

/* ---- 100,000 entries ---- */

static void test_many(struct sad *db)
{
	enum { N = 100000 };
	struct sad_entry *es = calloc(N, sizeof(*es));
	struct sockaddr_storage p = addr("10.0.0.1", 500);
	size_t small = sad_index_bytes(db);
	int added = 0, found = 0, gone = 0, kept = 0, by_conn = 0;

	for (int i = 0; i < N; i++) {
		uint8_t spi_i[8], spi_r[8];

		((struct sockaddr_in *)&p)->sin_addr.s_addr = htonl(0x0a000000u + (uint32_t)i % 5000);
		sad_entry_init(db, &es[i], 2, SAD_KIND_IKE, "many", &p);
		sad_new_ike_spi(db, 2, spi_r);
		spi_of((uint64_t)i * 2654435761u + 1, spi_i);
		added += sad_add_ike(db, &es[i], spi_i, spi_r, false) == 0;
	}
	tap_eq_int(added, N, "100,000 IKE SAs added");
	for (int i = 0; i < N; i++)
		found += sad_find_ike(db, 2, es[i].spi_i, es[i].spi_r) == &es[i] &&
			 sad_find_serial(db, es[i].serial) == &es[i];
	tap_eq_int(found, N, "every one found by pair and serial");
	tap_ok(sad_index_bytes(db) > small * 100, "the indexes grew (%zu bytes)",
	       sad_index_bytes(db));
	for (int i = 0; i < N; i += 2)
		sad_remove(db, &es[i]);
	for (int i = 0; i < N; i++) {
		struct sad_entry *e = sad_find_ike_by_local_spi(db, 2, es[i].spi_r);

		if (i % 2)
			kept += e == &es[i];
		else
			gone += e == NULL;
	}
	tap_eq_int(gone, N / 2, "removed ones are gone");
	tap_eq_int(kept, N / 2, "the others are still found");
	sad_foreach_conn(db, "many", count_visit, &by_conn);
	tap_eq_int(by_conn, N / 2, "50,000 SAs of one connection visited");
	for (int i = 1; i < N; i += 2)
		sad_remove(db, &es[i]);
	tap_ok(sad_index_bytes(db) < small * 4, "the indexes shrink back (%zu bytes)",
	       sad_index_bytes(db));
	free(es);
}

struct ident_visit {
	int visits, wrong;
	char want[32];
	size_t want_len;
	const char *const *idents; /* by entry index */
	const struct sad_entry *base;
};

static bool check_ident(struct sad_entry *e, void *arg)
{
	struct ident_visit *v = arg;
	const char *got = v->idents[e - v->base];

	v->visits++;
	v->wrong += strlen(got) != v->want_len || memcmp(got, v->want, v->want_len) != 0;
	return true;
}

static int visit_ident(struct sad *db, struct ident_visit *v, uint8_t version, int peer)
{
	v->visits = v->wrong = 0;
	v->want_len = (size_t)snprintf(v->want, sizeof(v->want), "peer-%d", peer);
	return sad_foreach_peer_ident(db, version, v->want, v->want_len, check_ident, v);
}

/* 100,000 IKE SAs of 2,000 identities, all from one address (one NAT). */
static void test_ident(struct sad *db)
{
	enum { N = 100000, PEERS = 2000 };
	struct sad_entry *es = calloc(N, sizeof(*es));
	char (*names)[16] = calloc(N, sizeof(*names));
	const char **idents = calloc(N, sizeof(*idents));
	struct sockaddr_storage p = addr("198.51.100.1", 500);
	struct ident_visit v = { .idents = idents, .base = es };
	struct sad_entry lone;
	int set = 0, rc;
	char big[SAD_IDENT_MAX + 1];

	for (int i = 0; i < N; i++) {
		uint8_t spi_i[8], spi_r[8];

		sad_entry_init(db, &es[i], 2, SAD_KIND_IKE, "nat", &p);
		spi_of((uint64_t)i + 77, spi_i);
		sad_new_ike_spi(db, 2, spi_r);
		sad_add_ike(db, &es[i], spi_i, spi_r, false);
		snprintf(names[i], sizeof(names[i]), "peer-%d", i % PEERS);
		idents[i] = names[i];
		set += sad_set_peer_ident(db, &es[i], names[i], strlen(names[i])) == 0;
	}
	tap_eq_int(set, N, "100,000 entries indexed by identity");
	rc = visit_ident(db, &v, 2, 1234);
	tap_ok(rc == N / PEERS && v.visits == N / PEERS && v.wrong == 0,
	       "peer-1234: exactly its %d entries (visited %d, wrong %d)", N / PEERS, v.visits,
	       v.wrong);
	tap_eq_int(visit_ident(db, &v, 1, 1234), 0, "the identity in IKEv1 finds no IKEv2 entry");
	tap_eq_int(visit_ident(db, &v, 2, PEERS + 1), 0, "an unknown identity finds nothing");
	for (int i = 1234; i < N; i += PEERS * 2)
		sad_remove(db, &es[i]);
	visit_ident(db, &v, 2, 1234);
	tap_ok(v.visits == N / PEERS / 2 && v.wrong == 0, "removed entries leave the index (%d left)",
	       v.visits);
	/* set again: the entry moves to its new identity */
	idents[1235] = "peer-1234";
	sad_set_peer_ident(db, &es[1235], "peer-1234", 9);
	visit_ident(db, &v, 2, 1234);
	tap_ok(v.visits == N / PEERS / 2 + 1 && v.wrong == 0, "re-keyed entry found under its new identity");
	visit_ident(db, &v, 2, 1235);
	tap_eq_int(v.visits, N / PEERS - 1, "and no longer under its old one");

	sad_entry_init(db, &lone, 2, SAD_KIND_IKE, "nat", &p);
	tap_eq_int(sad_set_peer_ident(db, &lone, "x", 1), ERR_STATE, "not inserted: ERR_STATE");
	memset(big, 'a', sizeof(big));
	tap_eq_int(sad_set_peer_ident(db, &es[1], big, sizeof(big)), ERR_INVAL,
		   "identity longer than SAD_IDENT_MAX: ERR_INVAL");
	for (int i = 0; i < N; i++)
		sad_remove(db, &es[i]);
	tap_eq_int(visit_ident(db, &v, 2, 1234), 0, "all removed: the index is empty");
	free(idents);
	free(names);
	free(es);
}

int main(void)
{
	struct sad *db;

	if (sad_new(&db) < 0) {
		tap_ok(false, "sad_new");
		return tap_done();
	}
	test_init_and_logger(db);
	test_ike_initiator(db);
	test_ike_responder(db);
	test_child(db);
	test_iteration(db);
	test_spi_collisions(db);
	test_many(db);
	test_ident(db);
	sad_free(db);
	return tap_done();
}
