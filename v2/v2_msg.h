/*
 * v2_msg.h - an IKEv2 message as a list of payloads (RFC 7296 2.5, 3.1, 3.2).
 *
 * v2_msg_parse() reads the header and walks the payload chain, every
 * payload carved with rd_sub so none can reach its neighbour. The chain
 * must end exactly at the end of the message. Each payload of a known
 * type has its body checked by its v2_wire parser, so what the list holds
 * is well-formed; unknown payloads without the critical bit are skipped
 * and counted, an unknown critical one is reported (the engine answers
 * UNSUPPORTED_CRITICAL_PAYLOAD with its type, 2.5). IKEv1 payload numbers
 * (1-32, reserved in IKEv2 for that reason, and IKEv1's private 130/131)
 * make the message malformed: parsing them with IKEv1 rules is how
 * strongSwan's CVE-2015-3991 happened.
 *
 * An SK (3.14) or SKF (RFC 7383) payload must be the last one: its
 * next-payload field names the first payload inside. After v2_sk
 * verified and decrypted it, v2_msg_parse_inner() appends the inner
 * payloads to the same list, marked inner.
 *
 * Building: struct v2_msg_out writes the header and a clear chain; the
 * SK payload is added by v2_sk_seal() (v2_sk.h), which also finishes.
 */
#ifndef DUALIKE_V2_MSG_H
#define DUALIKE_V2_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "v2/v2_wire.h"

#define V2_MSG_MAX_PAYLOADS 64

struct v2_payload {
	uint8_t type;
	bool critical;
	bool inner;         /* came out of the SK payload */
	size_t offset;      /* of its generic header, in the message or the plaintext */
	struct v2_bytes body;
};

struct v2_msg {
	struct v2_header hdr;
	struct v2_bytes raw;  /* the whole message */
	size_t n;

	/* The SK or SKF payload that ended the clear chain, if any. */
	bool encrypted;
	uint8_t enc_type;      /* V2_PT_SK or V2_PT_SKF */
	uint8_t inner_first;   /* its next-payload field */
	size_t enc_offset;     /* offset of its generic header in raw */
	struct v2_bytes enc_body; /* its whole body (SKF: with the numbering) */
	bool inner_parsed;

	size_t n_skipped;             /* unknown non-critical payloads */
	uint8_t unsupported_critical; /* first unknown critical type, 0 if none */
	const char *why;              /* what was wrong, when parsing failed */
	/* Last: v2_msg_parse() clears what comes before; entries past n are never read. */
	struct v2_payload pl[V2_MSG_MAX_PAYLOADS];
};

/*
 * Parse a whole message. 0: parsed. ERR_PARSE: malformed (m->why says
 * what). ERR_UNSUPPORTED: well-formed but an unknown payload has the
 * critical bit (m->unsupported_critical). The list points into buf.
 */
int v2_msg_parse(struct v2_msg *m, const uint8_t *buf, size_t len);
/*
 * Parse the decrypted inner chain (starting with m->inner_first) of
 * plain[0..len) and append it; same results as v2_msg_parse(). plain must
 * outlive m. Called by v2_sk_unprotect(); exposed for fragments.
 */
int v2_msg_parse_inner(struct v2_msg *m, const uint8_t *plain, size_t len);

bool v2_msg_is_response(const struct v2_msg *m);
bool v2_msg_is_initiator(const struct v2_msg *m);
/* The first payload of a type, then the next one after `after`; NULL at the end. */
const struct v2_payload *v2_msg_find(const struct v2_msg *m, uint8_t type);
const struct v2_payload *v2_msg_next(const struct v2_msg *m, const struct v2_payload *after,
				     uint8_t type);
size_t v2_msg_count(const struct v2_msg *m, uint8_t type);
/* The first Notify of a notify type, parsed into *n; NULL when absent. */
const struct v2_payload *v2_msg_find_notify(const struct v2_msg *m, uint16_t type,
					    struct v2_notify *n);

/*
 * A copy of a parsed message (raw bytes and inner payload bodies) that
 * outlives the datagram and the decrypted buffer: a handler that waits
 * for a crypto job (signature verification) goes on with it afterwards.
 * Free with free(). ERR_NOMEM.
 */
int v2_msg_clone(const struct v2_msg *m, struct v2_msg **out);

/* ---- building ---- */

struct v2_msg_out {
	struct wr w;
	struct v2_chain chain; /* the clear chain, after the header */
};

/*
 * Start a message in buf: the header from h (its next_payload and length
 * are filled in later). Add clear payloads with the v2_put_*() builders
 * on &out->chain, then v2_msg_out_finish() - or v2_sk_seal() for a
 * protected message.
 */
int v2_msg_out_init(struct v2_msg_out *out, uint8_t *buf, size_t cap, const struct v2_header *h);
/* Patch the header length; *len: the message length. ERR_OVERFLOW if it did not fit. */
int v2_msg_out_finish(struct v2_msg_out *out, size_t *len);

#endif
