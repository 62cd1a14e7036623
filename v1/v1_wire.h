/*
 * v1_wire.h - the ISAKMP header and payloads (RFC 2408 3, RFC 2407 4.6,
 * RFC 3947 3-4, RFC 3706): plain structs that point into the message, and
 * builders over struct wr.
 *
 * Parsing: every field is read through struct rd; a payload body is a view
 * of exactly its length, so a parser never reads its neighbour. A parse
 * function returns 0 or a negative ERR_* (ERR_PARSE for malformed bytes,
 * ERR_UNSUPPORTED for well-formed things we do not do) and, when e is not
 * NULL, says in *e which notify RFC 2408 5 asks for and what is wrong.
 * The structs stay valid as long as the message buffer does.
 *
 * Building: struct v1_builder writes a header and a payload chain into a
 * caller's struct wr, back-patching every next-payload and length field
 * (RFC 2408 3.2: the next-payload field names the payload that follows).
 * Errors are sticky; v1_build_finish() reports them once.
 */
#ifndef DUALIKE_V1_WIRE_H
#define DUALIKE_V1_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "v1/v1_names.h"

/* What is wrong with a message, for the reply and the log. */
struct v1_err {
	uint16_t notify;  /* V1_N_* to answer with; 0: drop silently */
	uint8_t payload;  /* payload type where it was found; 0: the header */
	char text[160];
};

/* Record an error (e may be NULL); returns err so callers can `return v1_fail(...)`. */
int v1_fail(struct v1_err *e, int err, uint16_t notify, uint8_t payload,
	    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* ---- header (RFC 2408 3.1) ---- */

struct v1_hdr {
	uint8_t cky_i[V1_COOKIE_SIZE];
	uint8_t cky_r[V1_COOKIE_SIZE];
	uint8_t next;  /* first payload */
	uint8_t major;
	uint8_t minor;
	uint8_t exch;
	uint8_t flags;
	uint32_t msg_id;
	uint32_t len;  /* whole message, header included */
};

/*
 * Read and check the header of a len-byte datagram: major 1, minor 0,
 * length equal to len (the dispatcher drops the rest), no unknown flag bit,
 * a registered exchange type, a nonzero initiator cookie (RFC 2408 5.1).
 */
int v1_hdr_parse(const uint8_t *buf, size_t len, struct v1_hdr *h, struct v1_err *e);

/* One payload of a chain: its type and where its bytes are. */
struct v1_payload {
	uint8_t type;
	const uint8_t *raw;  /* generic header + body */
	size_t raw_len;
	const uint8_t *body; /* after the 4-byte generic header */
	size_t body_len;
	size_t offset;       /* of raw, from the start of the message */
};

#define V1_GENERIC_HDR_LEN 4

/* ---- SA, proposal, transform (RFC 2408 3.4-3.6, RFC 2407 4.6.1) ---- */

#define V1_SA_MAX_PROPOSALS 16
#define V1_SA_MAX_TRANSFORMS 64
#define V1_SPI_MAX 16

struct v1_transform {
	uint8_t number;
	uint8_t id;            /* KEY_IKE in phase 1, ESP transform ID in phase 2 */
	const uint8_t *attrs;  /* SA attributes (v1_attr.h), structure checked */
	size_t attrs_len;
};

struct v1_proposal {
	uint8_t number;
	uint8_t protocol;      /* V1_PROTO_* */
	uint8_t spi_size;
	const uint8_t *spi;
	uint8_t n_transforms;
	uint8_t first;         /* index of its first transform in v1_sa.xf */
};

struct v1_sa {
	uint32_t doi;
	uint32_t situation;
	uint8_t n_proposals;
	struct v1_proposal prop[V1_SA_MAX_PROPOSALS];
	uint8_t n_xf;
	struct v1_transform xf[V1_SA_MAX_TRANSFORMS];
};

/*
 * The whole SA payload: IPsec DOI with SIT_IDENTITY_ONLY, each proposal
 * and transform exactly inside its parent, the counts as announced,
 * proposal numbers non-decreasing (equal numbers are AND-ed, RFC 2408
 * 4.2), every attribute list well-formed TLVs.
 */
int v1_sa_parse(const struct v1_payload *pl, struct v1_sa *sa, struct v1_err *e);
/* The transforms of proposal i. */
const struct v1_transform *v1_sa_transforms(const struct v1_sa *sa, unsigned i);

/* ---- KE, HASH, SIG, NONCE, NAT-D, VID: opaque data ---- */

struct v1_blob {
	const uint8_t *data;
	size_t len;
};

/* The data of a payload whose body is opaque; KE, HASH, SIG, NAT-D must not be empty. */
int v1_blob_parse(const struct v1_payload *pl, struct v1_blob *b, struct v1_err *e);
/* RFC 2409 5: a nonce is 8 to 256 bytes. */
#define V1_NONCE_MIN 8
#define V1_NONCE_MAX 256
int v1_nonce_parse(const struct v1_payload *pl, struct v1_blob *b, struct v1_err *e);

/* ---- ID (RFC 2407 4.6.2) ---- */

struct v1_id {
	uint8_t type;          /* V1_ID_* */
	uint8_t protocol;      /* IP protocol, 0 = any */
	uint16_t port;         /* 0 = any */
	const uint8_t *data;   /* identification data as sent */
	size_t len;
	/* Address types, decoded: family 4 or 6, 0 otherwise. */
	uint8_t family;
	uint8_t addr[16];      /* the address, subnet base or range start */
	uint8_t addr2[16];     /* subnet mask or range end */
	int prefix_len;        /* subnet: the mask's prefix, -1 if not contiguous;
	                          address: 32/128; others -1 */
};

int v1_id_parse(const struct v1_payload *pl, struct v1_id *id, struct v1_err *e);
/* Fill an address, subnet (prefix) or range ID for building (data unused). */
void v1_id_set_addr(struct v1_id *id, int family, const uint8_t *addr);
void v1_id_set_subnet(struct v1_id *id, int family, const uint8_t *addr, unsigned prefix);
void v1_id_set_range(struct v1_id *id, int family, const uint8_t *start, const uint8_t *end);
/* Fill a name-like ID (FQDN, USER_FQDN, KEY_ID, DER_ASN1_DN) pointing at data. */
void v1_id_set_data(struct v1_id *id, uint8_t type, const uint8_t *data, size_t len);

/* ---- CERT, CR (RFC 2408 3.9, 3.10): encoding + opaque data ---- */

struct v1_cert {
	uint8_t encoding;
	const uint8_t *data;
	size_t len;
};

int v1_cert_parse(const struct v1_payload *pl, struct v1_cert *c, struct v1_err *e);

/* ---- N (RFC 2408 3.14) and D (3.15) ---- */

struct v1_notify {
	uint32_t doi;
	uint8_t protocol;
	uint8_t spi_size;
	uint16_t type;         /* V1_N_* */
	const uint8_t *spi;
	const uint8_t *data;
	size_t data_len;
};

int v1_notify_parse(const struct v1_payload *pl, struct v1_notify *n, struct v1_err *e);

#define V1_DELETE_MAX_SPIS 1024

struct v1_delete {
	uint32_t doi;
	uint8_t protocol;
	uint8_t spi_size;      /* 16 (both cookies) for ISAKMP, 4 for AH/ESP */
	uint16_t n_spis;
	const uint8_t *spis;   /* SPI i is spis + i * spi_size */
};

int v1_delete_parse(const struct v1_payload *pl, struct v1_delete *d, struct v1_err *e);

/* ---- VID (RFC 2408 3.16) with the vendor IDs we know ---- */

enum v1_vid_kind {
	V1_VID_UNKNOWN = 0,
	V1_VID_DPD,            /* RFC 3706 */
	V1_VID_NATT_RFC3947,
	V1_VID_NATT_DRAFT_02,
	V1_VID_NATT_DRAFT_02N,
	V1_VID_NATT_DRAFT_03,
	V1_VID_NATT_DRAFT_OTHER, /* drafts 00, 01, 04-08: recognised, not used */
	V1_VID_FRAGMENTATION,
	V1_VID_XAUTH,
	V1_VID_CISCO_UNITY,
};

/* What a vendor ID is; *name is "UNKNOWN" for unknown ones (never NULL). */
enum v1_vid_kind v1_vid_classify(const uint8_t *data, size_t len, const char **name);
/* The bytes we send for a kind (NULL for UNKNOWN). */
const uint8_t *v1_vid_bytes(enum v1_vid_kind kind, size_t *len);

/* ---- NAT-OA (RFC 3947 5.1): ID type, 3 reserved, an IPv4 or IPv6 address ---- */

struct v1_natoa {
	uint8_t family;        /* 4 or 6 */
	uint8_t addr[16];
};

int v1_natoa_parse(const struct v1_payload *pl, struct v1_natoa *o, struct v1_err *e);

/*
 * Check a payload body by its type with the parser above (SA, KE, ID,
 * CERT, CR, HASH, SIG, NONCE, N, D, VID, NAT-D, NAT-OA); types without a
 * parser here (ATTR, FRAG) only need their generic header.
 */
int v1_payload_check(const struct v1_payload *pl, struct v1_err *e);

/* ---- building ---- */

struct v1_builder {
	struct wr *w;
	size_t msg_start;
	size_t next_at;        /* the next-payload byte to patch when a payload starts */
	size_t pl_start, pl_mark;
	size_t prop_start, prop_mark, prop_next_at, prop_count_at;
	size_t xf_start, xf_mark, xf_next_at;
	uint8_t prop_ntrans;
	bool pl_open, prop_open, xf_open, prop_any, xf_any;
	bool err;
};

/* Write h (next payload and length are filled in as the chain grows). */
void v1_build_start(struct v1_builder *b, struct wr *w, const struct v1_hdr *h);
/* Open a payload of this type: after it, write its body to b->w. */
void v1_build_begin(struct v1_builder *b, uint8_t type);
void v1_build_end(struct v1_builder *b);
/* Patch the message length; 0, ERR_OVERFLOW or ERR_STATE (unbalanced). */
int v1_build_finish(struct v1_builder *b, size_t *msg_len);

/* KE, HASH, SIG, NONCE, VID, NAT-D: one opaque body. */
void v1_build_blob(struct v1_builder *b, uint8_t type, const uint8_t *data, size_t len);
void v1_build_id(struct v1_builder *b, const struct v1_id *id);
/* CERT or CR. */
void v1_build_cert(struct v1_builder *b, uint8_t type, uint8_t encoding,
		   const uint8_t *data, size_t len);
void v1_build_notify(struct v1_builder *b, const struct v1_notify *n);
void v1_build_delete(struct v1_builder *b, const struct v1_delete *d);
/* type V1_P_NAT_OA or V1_P_NAT_OA_DRAFT. */
void v1_build_natoa(struct v1_builder *b, uint8_t type, const struct v1_natoa *o);

/* SA: begin, then proposals with transforms (attributes via v1_attr_put_*(b->w)). */
void v1_build_sa_begin(struct v1_builder *b, uint32_t doi, uint32_t situation);
void v1_build_proposal_begin(struct v1_builder *b, uint8_t number, uint8_t protocol,
			     const uint8_t *spi, size_t spi_size);
void v1_build_transform_begin(struct v1_builder *b, uint8_t number, uint8_t id);
void v1_build_transform_end(struct v1_builder *b);
void v1_build_proposal_end(struct v1_builder *b);
void v1_build_sa_end(struct v1_builder *b);

#endif
