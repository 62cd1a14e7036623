/*
 * v1_msg.h - an IKEv1 message: header and payload chain (RFC 2408 3.1,
 * 3.2, 5), cleartext or encrypted (RFC 2408 3.1 E flag, RFC 2409 app. B).
 *
 * The chain is followed from the header's next-payload field; each payload
 * is a view of exactly its length and is checked by its parser
 * (v1_payload_check), so an engine can trust any payload of a parsed
 * message. Refused, with the notify RFC 2408 5 names:
 *   - a payload type IKEv1 does not define at top level (P, T, 0, GDOI
 *     payloads 15-19/22, unassigned numbers): INVALID-PAYLOAD-TYPE - IKEv1
 *     has no critical bit, so every unknown payload is an error;
 *   - an IKEv2 payload number (33-54): PAYLOAD-MALFORMED, this is not an
 *     IKEv1 message however its header looks;
 *   - a length below 4 or past the message, more than V1_MSG_MAX_PAYLOADS
 *     payloads: PAYLOAD-MALFORMED;
 *   - bytes after the last payload: none are allowed in a cleartext
 *     message; in a decrypted one at most V1_MSG_MAX_PAD (the padding,
 *     see v1_crypt.h), whatever their content. One block would be the
 *     RFC's need, but real peers pad further: the Wireshark captures
 *     ikev1-bug-12610/12620 carry 21 to 32 bytes of padding with AES
 *     (16-byte blocks); 255 is what a pad-count byte can express.
 */
#ifndef DUALIKE_V1_MSG_H
#define DUALIKE_V1_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "v1/v1_crypt.h"
#include "v1/v1_wire.h"

#define V1_MSG_MAX_PAYLOADS 48
#define V1_MSG_MAX_PAD 255
/* Cleartext: up to 3 zero bytes, the 4-octet alignment Libreswan's pluto adds (seen in
 * its AM2 with a CERT, and in any message whose CERT/CR lengths are not multiples of 4). */
#define V1_MSG_CLEAR_PAD 3

struct v1_msg {
	struct v1_hdr hdr;
	const uint8_t *msg;    /* the whole (decrypted) message */
	size_t len;
	size_t chain_end;      /* offset just after the last payload */
	size_t pad_len;        /* bytes after it (decrypted messages only) */
	bool decrypted;
	unsigned n;
	struct v1_payload pl[V1_MSG_MAX_PAYLOADS];
};

/*
 * Parse a cleartext message. An encrypted one (E flag) is refused with
 * ERR_STATE: decrypt it with v1_msg_open().
 */
int v1_msg_parse(const uint8_t *buf, size_t len, struct v1_msg *m, struct v1_err *e);
/*
 * Decrypt an encrypted message into out (cap >= len) and parse it; m then
 * points into out. *next is the IV that follows this message (commit it
 * once the message is accepted). A body that is not whole blocks, or a
 * chain that does not parse after decryption (wrong key or IV), is
 * PAYLOAD-MALFORMED.
 */
int v1_msg_open(const uint8_t *buf, size_t len, const struct v1_crypt *c,
		const struct v1_iv *iv, uint8_t *out, size_t cap, struct v1_iv *next,
		struct v1_msg *m, struct v1_err *e);
/*
 * Parse the payload chain of a message whose header was read: the chain
 * starts at V1_HDR_LEN of msg and may be followed by at most max_pad bytes.
 */
int v1_msg_parse_chain(const uint8_t *msg, size_t len, const struct v1_hdr *h,
		       size_t max_pad, struct v1_msg *m, struct v1_err *e);

/* The nth (from 0) payload of a type, or NULL. */
const struct v1_payload *v1_msg_find(const struct v1_msg *m, uint8_t type, unsigned nth);
unsigned v1_msg_count(const struct v1_msg *m, uint8_t type);
/*
 * The bytes a HASH(1)/(2)/Informational hash covers: from the payload after
 * the first payload (which must be HASH) to the end of the last payload.
 * ERR_PARSE when the first payload is not HASH.
 */
int v1_msg_after_hash(const struct v1_msg *m, const uint8_t **p, size_t *len);

#endif
