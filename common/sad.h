/*
 * sad.h - the SA database: where the engines find their IKE and child SAs.
 *
 * The engines keep their own SA structs (struct v1_isakmp_sa, v1_ipsec_sa,
 * v2_ike_sa, v2_child_sa: STYLE.md "What not to copy"); each embeds a
 * struct sad_entry, and the SAD indexes those entries by:
 *   - the IKE SPI pair: IKEv2 SPIi + SPIr (RFC 7296 3.1), IKEv1 CKY-I + CKY-R
 *     (RFC 2408 3.1); each version has its own key space;
 *   - the initiator's SPI alone, for the half-open moment when a message's
 *     responder SPI is still zero (an IKE_SA_INIT / Main Mode 1 retransmit
 *     at the responder, the first reply at the initiator), optionally
 *     filtered by peer address since the initiator's SPI is the peer's pick;
 *   - our own IKE SPI (SPIi when we initiated, SPIr when we responded), which
 *     sad_new_ike_spi() keeps unique;
 *   - a child SA's inbound SPI (with its protocol, ESP or AH), and its
 *     outbound SPI with the peer's address (a kernel EXPIRE names the SA
 *     by SPI and destination, whichever direction it is);
 *   - the serial number (a weak reference that survives the SA: look it up
 *     instead of keeping a pointer that may dangle);
 *   - the peer address (port ignored) and the connection name, to list or
 *     tear down everything of a peer or a connection;
 *   - the peer's authenticated identity, once the engine sets it, to find
 *     the IKE SAs an INITIAL_CONTACT replaces (RFC 7296 2.4) without a walk
 *     over every SA.
 * Every index is a hash table keyed with SipHash (libsodium crypto_shorthash)
 * under a per-database random key, since SPIs are peer-chosen, and grows
 * (doubling, rehash from stored hashes) so every operation stays O(1) at
 * 100,000 SAs and beyond.
 *
 * The SAD never allocates or frees entries: the engine owns its struct and
 * must sad_remove() the entry before freeing it. Single-threaded (the loop).
 *
 *   struct v2_ike_sa { struct sad_entry sad; ... };
 *   sad_entry_init(db, &sa->sad, 2, SAD_KIND_IKE, conn->name, &peer);
 *   sad_new_ike_spi(db, 2, spi_i);  sad_add_ike(db, &sa->sad, spi_i, zero, true);
 *   e = sad_find_ike(db, 2, hdr.spi_i, hdr.spi_r);
 *   sa = container_of(e, struct v2_ike_sa, sad);   (SAD_CONTAINER)
 */
#ifndef DUALIKE_COMMON_SAD_H
#define DUALIKE_COMMON_SAD_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>

#include "common/log.h"

#define SAD_IKE_SPI_LEN 8
#define SAD_CONN_MAX 48 /* bytes with the NUL; longer names are cut */
#define SAD_IDENT_MAX 320 /* longest identity key (ID type octet + data) */

#define SAD_CONTAINER(ptr, type, member) \
	((type *)(void *)((char *)(ptr) - offsetof(type, member)))

enum sad_kind {
	SAD_KIND_IKE,   /* IKEv2 IKE SA, IKEv1 ISAKMP SA */
	SAD_KIND_CHILD, /* IKEv2 child SA, IKEv1 IPsec SA */
};

/* Private to sad.c: one hash chain link (doubly linked: O(1) removal even
 * when thousands of entries share a key, as all SAs of one connection do). */
struct sad_link {
	struct sad_link *next;
	struct sad_link **pprev;
	uint64_t hash;
};

/* The peer, compactly (a sockaddr_storage is 128 bytes). */
union sad_addr {
	struct sockaddr sa;
	struct sockaddr_in v4;
	struct sockaddr_in6 v6;
};

struct sad_entry {
	uint64_t serial;        /* unique in this database, never reused; "#serial" */
	uint8_t version;        /* 1 or 2 */
	enum sad_kind kind;
	bool initiator;         /* IKE: we initiated (our SPI is spi_i) */
	uint8_t proto;          /* child: 50 ESP or 51 AH */
	uint8_t spi_i[SAD_IKE_SPI_LEN]; /* IKE: SPIi / CKY-I */
	uint8_t spi_r[SAD_IKE_SPI_LEN]; /* IKE: SPIr / CKY-R, zero while half-open */
	uint32_t spi_in;        /* child: inbound SPI (ours), host order */
	uint32_t spi_out;       /* child: outbound SPI (the peer's), host order */
	uint64_t ike_serial;    /* child: serial of its IKE SA (0: none) */
	union sad_addr peer;    /* the peer's IKE address (and port) */
	time_t created;         /* wall clock, for listings */
	/*
	 * The connection name, cut to SAD_CONN_MAX - 1: one copy per distinct
	 * name in the database (not 48 bytes in each of 200,000 entries),
	 * alive until sad_free().
	 */
	const char *conn;
	struct logger logger;   /* "conn #serial SPIs", made from the entry per line */

	/*
	 * Private to sad.c. New indexes add a struct sad_link here and a table
	 * in struct sad; engines add their own fields to their own structs.
	 */
	struct sad *in;         /* the database holding the entry, or NULL */
	struct sad_link by_pair, by_local, by_serial, by_peer, by_conn;
	struct sad_link by_spi_i; /* IKE: by SPIi; child: by outbound SPI */
	struct sad_link by_ident; /* linked only once sad_set_peer_ident() ran */
	struct sad_entry *all_prev, *all_next;
};

struct sad;

int sad_new(struct sad **out);
/* Free the indexes. Entries still inserted are forgotten, not touched. */
void sad_free(struct sad *sad);

/*
 * Prepare an entry before adding it: zeroes it, gives it the next serial,
 * the creation time, the connection name (cut to SAD_CONN_MAX - 1; NULL is
 * ""; the database keeps one copy of each name, "" when out of memory), the
 * peer (NULL: none) and its logger context. Never on an entry that is
 * inserted (sad_remove it first).
 */
void sad_entry_init(struct sad *sad, struct sad_entry *e, uint8_t version,
		    enum sad_kind kind, const char *conn,
		    const struct sockaddr_storage *peer);
/* The peer as a sockaddr_storage. */
void sad_entry_peer(const struct sad_entry *e, struct sockaddr_storage *out);

/*
 * Insert an IKE entry under its SPIs. Our SPI (spi_i when initiator, else
 * spi_r) must be non-zero: ERR_INVAL. ERR_STATE when the entry is already
 * inserted or the SPI pair or our SPI is already in use.
 */
int sad_add_ike(struct sad *sad, struct sad_entry *e, const uint8_t spi_i[SAD_IKE_SPI_LEN],
		const uint8_t spi_r[SAD_IKE_SPI_LEN], bool initiator);
/* Insert a child entry. ERR_INVAL for SPI 0; ERR_STATE as above. */
int sad_add_child(struct sad *sad, struct sad_entry *e, uint8_t proto, uint32_t spi_in,
		  uint32_t spi_out, uint64_t ike_serial);
/* Take an entry out of every index; no-op when not inserted. */
void sad_remove(struct sad *sad, struct sad_entry *e);

/*
 * Change an inserted IKE entry's SPIs (the initiator learning SPIr, or any
 * re-keying of the indexes). On ERR_STATE (new keys in use) or ERR_INVAL
 * the entry keeps its old SPIs and stays findable under them.
 */
int sad_change_ike_spis(struct sad *sad, struct sad_entry *e,
			const uint8_t spi_i[SAD_IKE_SPI_LEN],
			const uint8_t spi_r[SAD_IKE_SPI_LEN]);
int sad_change_child_spis(struct sad *sad, struct sad_entry *e, uint32_t spi_in,
			  uint32_t spi_out);
/* The peer moved (NAT mapping change, RFC 7296 2.23). */
void sad_change_peer(struct sad *sad, struct sad_entry *e,
		     const struct sockaddr_storage *peer);

/* Lookups; NULL when absent. */
struct sad_entry *sad_find_ike(const struct sad *sad, uint8_t version,
			       const uint8_t spi_i[SAD_IKE_SPI_LEN],
			       const uint8_t spi_r[SAD_IKE_SPI_LEN]);
/*
 * Half-open lookup by the initiator's SPI alone. peer (may be NULL) limits
 * the match to that address (port ignored). When several match, the most
 * recently added wins.
 */
struct sad_entry *sad_find_ike_by_spi_i(const struct sad *sad, uint8_t version,
					const uint8_t spi_i[SAD_IKE_SPI_LEN],
					const struct sockaddr_storage *peer);
/* By our own SPI, whichever side of the pair it is on. */
struct sad_entry *sad_find_ike_by_local_spi(const struct sad *sad, uint8_t version,
					    const uint8_t spi[SAD_IKE_SPI_LEN]);
struct sad_entry *sad_find_child(const struct sad *sad, uint8_t proto, uint32_t spi_in);
/*
 * A child by its outbound SPI (the peer's choice, so not unique) and the
 * peer's address (port ignored; NULL or AF_UNSPEC: any peer, the most
 * recently added wins).
 */
struct sad_entry *sad_find_child_out(const struct sad *sad, uint8_t proto, uint32_t spi_out,
				     const struct sockaddr_storage *peer);
struct sad_entry *sad_find_serial(const struct sad *sad, uint64_t serial);

/*
 * Visit every entry of a peer address (port ignored) / of a connection.
 * fn returns false to stop. Entries come in creation order (an IKE SA before
 * its children). The set is taken before the first call, by serial, so fn
 * may remove or free any entry (those not yet visited are skipped) or add
 * entries (not visited). Returns how many were visited, or ERR_NOMEM.
 */
typedef bool (*sad_visit_fn)(struct sad_entry *e, void *arg);
int sad_foreach_peer(struct sad *sad, const struct sockaddr_storage *peer,
		     sad_visit_fn fn, void *arg);
int sad_foreach_conn(struct sad *sad, const char *conn, sad_visit_fn fn, void *arg);

/*
 * Index an inserted entry under its peer's identity: the engine's own
 * encoding (e.g. ID type octet then data), at most SAD_IDENT_MAX bytes
 * (ERR_INVAL), ERR_STATE when the entry is not inserted. Setting it again
 * replaces the old key. Only a keyed 64-bit hash of the identity is kept
 * (no copy per SA), so sad_foreach_peer_ident() visits the entries whose
 * hash matches: a caller that must be exact compares its own copy.
 */
int sad_set_peer_ident(struct sad *sad, struct sad_entry *e, const void *ident, size_t len);
/*
 * Visit the entries of this version indexed under this identity, in
 * creation order, with the same snapshot rules as sad_foreach_peer().
 * O(number of matches). Returns how many were visited, or a negative ERR_*.
 */
int sad_foreach_peer_ident(struct sad *sad, uint8_t version, const void *ident, size_t len,
			   sad_visit_fn fn, void *arg);

/* Every entry in insertion order, for listings; nothing may be removed meanwhile. */
struct sad_entry *sad_first(const struct sad *sad);
struct sad_entry *sad_next(const struct sad_entry *e);

size_t sad_count(const struct sad *sad, enum sad_kind kind);

/*
 * A random IKE SPI / IKEv1 cookie, non-zero and not used as our SPI by any
 * entry of that version (RFC 7296 2.6: SPIs should be unpredictable). A
 * child SPI >= 256 (RFC 4303 2.1 reserves 1-255) not inbound in any entry.
 * ERR_STATE if no free value came up after many draws (a broken RNG).
 */
int sad_new_ike_spi(const struct sad *sad, uint8_t version, uint8_t spi[SAD_IKE_SPI_LEN]);
int sad_new_child_spi(const struct sad *sad, uint8_t proto, uint32_t *spi);
/* Tests: replace the random source (NULL restores libsodium's). */
void sad_set_random(struct sad *sad, void (*fill)(void *buf, size_t len));

/* Bucket memory of the indexes, in bytes (for sad-bench). */
size_t sad_index_bytes(const struct sad *sad);

#endif
