/*
 * v1_attr.h - SA attributes (RFC 2408 3.3), phase-1 classes (RFC 2409
 * appendix A) and IPsec DOI classes (RFC 2407 4.5).
 *
 * Wire forms: basic (AF bit set, 2-byte value) and variable (AF clear,
 * 2-byte length, value). RFC 2409 appendix A: classes marked B MUST be
 * basic; classes marked V may be sent basic when the value fits in 2 bytes.
 *
 * Decoding refuses (ERR_PARSE, BAD-PROPOSAL-SYNTAX): a TLV running past the
 * list, a B class in variable form, a duplicate class (a Life Type may
 * repeat with a different type, each followed by its Life Duration), a Life
 * Duration not preceded by a Life Type or a Life Type without one, a zero
 * Key Length, a Key Length with a fixed-length cipher, a variable value
 * longer than its class holds (8 bytes for durations), a missing mandatory
 * phase-1 attribute (RFC 2409 5: encryption, hash, auth method, group).
 *
 * Unknown classes. IKEv1 has no critical bit. Our choice: a class we do not
 * know (or know and do not implement: custom groups, PRF, compression, the
 * later IPsec classes) makes the transform unacceptable (ERR_UNSUPPORTED,
 * ATTRIBUTES-NOT-SUPPORTED): we cannot honour what we do not understand, so
 * proposal selection skips that transform and says why, instead of
 * agreeing to something the peer thinks it negotiated.
 *
 * Decoded values keep the wire numbers and map to common/xform.h rows
 * (NULL when the registry has no such algorithm; selection refuses those).
 */
#ifndef DUALIKE_V1_ATTR_H
#define DUALIKE_V1_ATTR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "common/xform.h"
#include "v1/v1_wire.h"

#define V1_ATTR_AF 0x8000
/* Longest Life Duration we take (a uint64_t). */
#define V1_ATTR_MAX_DURATION_LEN 8

struct v1_attr {
	uint16_t type;        /* class, AF bit removed */
	bool basic;
	uint16_t value;       /* basic form */
	const uint8_t *data;  /* variable form */
	size_t len;
};

/* Read one attribute; false at the end or on error (then rd_ok() is false). */
bool v1_attr_read(struct rd *r, struct v1_attr *a);
/* Check that p..p+len is a sequence of whole attributes. */
int v1_attr_walk(const uint8_t *p, size_t len, struct v1_err *e);
/* The value of a basic or variable attribute as an integer (up to 8 bytes). */
bool v1_attr_uint(const struct v1_attr *a, uint64_t *v);

bool v1_attr_put_basic(struct wr *w, uint16_t type, uint16_t value);
bool v1_attr_put_var(struct wr *w, uint16_t type, const uint8_t *data, size_t len);
/* Basic when the value fits in 16 bits, else variable of 4 (or 8) bytes. */
bool v1_attr_put_uint(struct wr *w, uint16_t type, uint64_t value);

/* Presence bits: (1u << class). */
#define V1_ATTR_HAS(a, cls) (((a)->present & (1u << (cls))) != 0)

struct v1_p1_attrs {
	uint32_t present;
	uint16_t encr, hash, auth, group, group_type, key_len;
	uint64_t life_seconds;  /* 0: not given */
	uint64_t life_kbytes;
	const struct xform *x_encr;  /* ENCR row (with key length) */
	const struct xform *x_hash;  /* PRF row: the HMAC of the hash */
	const struct xform *x_group; /* KE row */
};

int v1_attr_decode_p1(const uint8_t *attrs, size_t len, struct v1_p1_attrs *out,
		      struct v1_err *e);
/* Encode the present attributes (durations basic when they fit). */
bool v1_attr_encode_p1(struct wr *w, const struct v1_p1_attrs *a);

struct v1_ipsec_attrs {
	uint32_t present;
	uint8_t protocol;      /* V1_PROTO_IPSEC_ESP (the one we decode fully) */
	uint8_t transform_id;  /* ESP transform ID */
	uint16_t encap, auth, group, key_len, key_rounds;
	uint64_t life_seconds;
	uint64_t life_kbytes;
	const struct xform *x_encr;  /* from the transform ID and key length */
	const struct xform *x_integ; /* from the auth algorithm, NULL when absent */
	const struct xform *x_group; /* PFS group, NULL when absent */
};

/* IPsec DOI attributes of one ESP transform (AH and IPCOMP: ERR_UNSUPPORTED). */
int v1_attr_decode_ipsec(uint8_t protocol, uint8_t transform_id, const uint8_t *attrs,
			 size_t len, struct v1_ipsec_attrs *out, struct v1_err *e);
bool v1_attr_encode_ipsec(struct wr *w, const struct v1_ipsec_attrs *a);

#endif
