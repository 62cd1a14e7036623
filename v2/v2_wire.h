/*
 * v2_wire.h - the IKEv2 payload codec (RFC 7296 3).
 *
 * Parsing: each v2_parse_*() takes the body of one payload (what follows
 * its 4-octet generic header, RFC 7296 3.2) as a byte range and fills a
 * plain struct whose byte ranges point into that body: nothing big is
 * copied, so the message buffer must outlive the struct. Every field is
 * read through struct rd; a length that does not fit, a count that
 * disagrees with the contents, or trailing bytes give ERR_PARSE.
 *
 * Building: a struct v2_chain appends payloads to a struct wr. Each
 * v2_put_*() writes a generic header whose next-payload octet is 0, then
 * patches the previous payload's next-payload octet (or the IKE header's,
 * or remembers the type as the first one of an SK inner chain) with its
 * own type, and back-patches its length when the body is complete.
 * Builders return 0, ERR_OVERFLOW (the buffer is full, sticky in the
 * writer) or ERR_INVAL (a value the wire cannot carry).
 */
#ifndef DUALIKE_V2_WIRE_H
#define DUALIKE_V2_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"

#define V2_HEADER_LEN 28
#define V2_GENERIC_HEADER_LEN 4
#define V2_CRITICAL 0x80 /* generic header flags octet: the C bit (RFC 7296 3.2) */
#define V2_IKE_SPI_LEN 8
#define V2_CHILD_SPI_LEN 4
#define V2_NONCE_MIN 16  /* RFC 7296 2.10, 3.9 */
#define V2_NONCE_MAX 256

/* A byte range inside a buffer someone else owns. */
struct v2_bytes {
	const uint8_t *p;
	size_t len;
};

/* ---- IKE header (RFC 7296 3.1) ---- */

struct v2_header {
	uint8_t spi_i[V2_IKE_SPI_LEN];
	uint8_t spi_r[V2_IKE_SPI_LEN];
	uint8_t next_payload;
	uint8_t version;  /* major << 4 | minor */
	uint8_t exchange;
	uint8_t flags;    /* V2_FLAG_* */
	uint32_t message_id;
	uint32_t length;
};

/* Read 28 octets; ERR_PARSE when short or the major version is not 2. */
int v2_header_parse(struct rd *r, struct v2_header *h);
/* Write 28 octets as given (v2_msg_out patches length and next payload). */
int v2_header_write(struct wr *w, const struct v2_header *h);
/* Offsets of the fields a builder patches. */
#define V2_HEADER_NEXT_PAYLOAD_AT 16
#define V2_HEADER_LENGTH_AT 24

/* ---- SA payload (RFC 7296 3.3) ---- */

#define V2_SA_MAX_PROPOSALS 32
#define V2_SA_MAX_XFORMS 255 /* in all proposals of one SA payload */
#define V2_SPI_MAX 8

struct v2_sa_xform {
	uint8_t type;        /* enum xform_type */
	uint16_t id;         /* transform ID */
	uint16_t key_bits;   /* Key Length attribute, when has_key_len */
	bool has_key_len;
	bool unknown_attr;   /* carried an attribute other than Key Length */
};

struct v2_sa_prop {
	uint8_t number;      /* Proposal Num (RFC 7296 3.3.1) */
	uint8_t protocol;    /* enum v2_protocol */
	uint8_t spi_size;
	uint8_t spi[V2_SPI_MAX];
	uint16_t first;      /* index of its first transform in v2_sa.xforms */
	uint8_t n_xforms;
};

struct v2_sa {
	size_t n_props;
	struct v2_sa_prop props[V2_SA_MAX_PROPOSALS];
	size_t n_xforms;
	struct v2_sa_xform xforms[V2_SA_MAX_XFORMS];
};

/*
 * Proposals must be numbered consecutively (RFC 7296 3.3.1; the first may
 * have any number, as a response echoes the accepted one), carry the
 * "more" flag (2) on all but the last one, have as many
 * transforms as announced, and an SPI size that fits the protocol: IKE 0
 * or 8, AH/ESP 4 (unknown protocols: up to 8, for the selector to skip).
 */
int v2_parse_sa(struct v2_bytes body, struct v2_sa *sa);
/* Transform i of proposal p. */
const struct v2_sa_xform *v2_sa_xform_at(const struct v2_sa *sa, const struct v2_sa_prop *p,
					 size_t i);
/* Append one proposal to sa (for builders); ERR_OVERFLOW when full. */
int v2_sa_add_prop(struct v2_sa *sa, uint8_t number, uint8_t protocol, const uint8_t *spi,
		   size_t spi_size, struct v2_sa_prop **out);
int v2_sa_add_xform(struct v2_sa *sa, struct v2_sa_prop *p, uint8_t type, uint16_t id,
		    uint16_t key_bits, bool has_key_len);

/* ---- the other payloads ---- */

struct v2_ke {
	uint16_t group;
	struct v2_bytes data;
};

/* IDi / IDr (RFC 7296 3.5). body: the whole body, what AUTH covers (2.15). */
struct v2_id {
	uint8_t type;
	struct v2_bytes data;
	struct v2_bytes body;
};

/* CERT and CERTREQ (RFC 7296 3.6, 3.7): kept opaque. */
struct v2_cert {
	uint8_t encoding;
	struct v2_bytes data;
};

struct v2_auth {
	uint8_t method;
	struct v2_bytes data;
};

struct v2_notify {
	uint8_t protocol;
	uint16_t type;
	struct v2_bytes spi;
	struct v2_bytes data;
};

/* D (RFC 7296 3.11): n_spis SPIs of spi_size octets back to back in spis. */
struct v2_delete {
	uint8_t protocol;
	uint8_t spi_size;
	uint16_t n_spis;
	struct v2_bytes spis;
};

#define V2_TS_MAX 16

/*
 * One traffic selector (RFC 7296 3.13.1). Address ranges are copied
 * (addr_len 4 or 16); other types keep their body for the caller.
 */
struct v2_ts {
	uint8_t type;
	uint8_t ip_proto;
	uint16_t start_port;
	uint16_t end_port;
	uint8_t addr_len;
	uint8_t start[16];
	uint8_t end[16];
	struct v2_bytes body; /* the whole selector, for unknown types */
};

struct v2_ts_list {
	size_t n;
	struct v2_ts ts[V2_TS_MAX];
};

#define V2_CP_MAX_ATTRS 32

struct v2_cp_attr {
	uint16_t type; /* 15 bits; the reserved top bit is ignored */
	struct v2_bytes value;
};

struct v2_cp {
	uint8_t type; /* enum v2_cp_type */
	size_t n;
	struct v2_cp_attr attrs[V2_CP_MAX_ATTRS];
};

/* SKF (RFC 7383 2.5): numbering, then IV | ciphertext | ICV in data. */
struct v2_skf {
	uint16_t number;
	uint16_t total;
	struct v2_bytes data;
};

int v2_parse_ke(struct v2_bytes body, struct v2_ke *ke);
/* Nonce data must be 16..256 octets (RFC 7296 2.10). */
int v2_parse_nonce(struct v2_bytes body, struct v2_bytes *nonce);
/* IPv4 / IPv6 IDs must be 4 / 16 octets, others at least 1 (but ID_NULL: 0). */
int v2_parse_id(struct v2_bytes body, struct v2_id *id);
int v2_parse_cert(struct v2_bytes body, struct v2_cert *cert);
int v2_parse_auth(struct v2_bytes body, struct v2_auth *auth);
int v2_parse_notify(struct v2_bytes body, struct v2_notify *n);
/* IKE: SPI size 0 and no SPIs; AH/ESP: SPI size 4, SPIs fill the body. */
int v2_parse_delete(struct v2_bytes body, struct v2_delete *d);
/* TSi / TSr: at least one selector, as many as the count says. */
int v2_parse_ts(struct v2_bytes body, struct v2_ts_list *ts);
int v2_parse_cp(struct v2_bytes body, struct v2_cp *cp);
/* Fragment number 1..total (RFC 7383 2.5). */
int v2_parse_skf(struct v2_bytes body, struct v2_skf *skf);
/* V and EAP are opaque: the body is the data. */

/*
 * Check the body of a payload of a known type with its parser; 0 for
 * opaque types (V, EAP, CERT data) and for SK. ERR_PARSE when malformed,
 * ERR_NOTFOUND when the type is not one this codec knows.
 */
int v2_payload_check(uint8_t type, struct v2_bytes body);
/* True for a type this codec parses (33-48 and 53, RFC 7296 3.2, RFC 7383). */
bool v2_payload_known(uint8_t type);

/* ---- building ---- */

struct v2_chain {
	struct wr *w;
	size_t np_at;  /* offset of the next-payload octet to patch, SIZE_MAX: none */
	uint8_t first; /* type of the first payload put, 0 while empty */
	size_t count;
};

/*
 * Start a chain. np_at: where the first payload's type goes (the IKE
 * header's next-payload octet), or SIZE_MAX for the inner chain of an SK
 * payload, whose first type is read back from c->first.
 */
void v2_chain_init(struct v2_chain *c, struct wr *w, size_t np_at);
/* Open a payload (generic header, length reserved); *start for close. */
int v2_chain_open(struct v2_chain *c, uint8_t type, bool critical, size_t *start);
int v2_chain_close(struct v2_chain *c, size_t start);

int v2_put_raw(struct v2_chain *c, uint8_t type, bool critical, const void *body, size_t len);
/* proposals as in sa (numbers, SPIs, transforms, Key Length attributes) */
int v2_put_sa(struct v2_chain *c, const struct v2_sa *sa);
int v2_put_ke(struct v2_chain *c, uint16_t group, const void *data, size_t len);
int v2_put_nonce(struct v2_chain *c, const void *nonce, size_t len);
/* payload: V2_PT_IDI or V2_PT_IDR */
int v2_put_id(struct v2_chain *c, uint8_t payload, uint8_t id_type, const void *data, size_t len);
/* payload: V2_PT_CERT or V2_PT_CERTREQ */
int v2_put_cert(struct v2_chain *c, uint8_t payload, uint8_t encoding, const void *data,
		size_t len);
int v2_put_auth(struct v2_chain *c, uint8_t method, const void *data, size_t len);
int v2_put_notify(struct v2_chain *c, uint8_t protocol, const void *spi, size_t spi_len,
		  uint16_t type, const void *data, size_t len);
int v2_put_delete(struct v2_chain *c, uint8_t protocol, uint8_t spi_size, const void *spis,
		  uint16_t n_spis);
int v2_put_vendor(struct v2_chain *c, const void *data, size_t len);
/* payload: V2_PT_TSI or V2_PT_TSR; only address-range selectors */
int v2_put_ts(struct v2_chain *c, uint8_t payload, const struct v2_ts_list *ts);
int v2_put_cp(struct v2_chain *c, const struct v2_cp *cp);
int v2_put_eap(struct v2_chain *c, const void *data, size_t len);

#endif
