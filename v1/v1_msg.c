/*
 * v1_msg.c - parse an IKEv1 message's payload chain (RFC 2408 3.2, 5),
 * cleartext or after decryption. Refusal rules: v1_msg.h.
 */
#include <string.h>

#include "common/err.h"
#include "v1/v1_msg.h"

/* Top-level payload types IKEv1 (with NAT-T, Mode Config, fragmentation) carries. */
static bool top_level_known(uint8_t t)
{
	switch (t) {
	case V1_P_SA: case V1_P_KE: case V1_P_ID: case V1_P_CERT: case V1_P_CR:
	case V1_P_HASH: case V1_P_SIG: case V1_P_NONCE: case V1_P_N: case V1_P_D:
	case V1_P_VID: case V1_P_ATTR: case V1_P_NAT_D: case V1_P_NAT_OA:
	case V1_P_NAT_D_DRAFT: case V1_P_NAT_OA_DRAFT: case V1_P_FRAG:
		return true;
	default:
		return false;
	}
}

int v1_msg_parse_chain(const uint8_t *msg, size_t len, const struct v1_hdr *h,
		       size_t max_pad, struct v1_msg *m, struct v1_err *e)
{
	struct rd r;
	uint8_t next = h->next;
	int rc;

	memset(m, 0, sizeof(*m));
	m->hdr = *h;
	m->msg = msg;
	m->len = len;
	if (len < V1_HDR_LEN)
		return v1_fail(e, ERR_TRUNCATED, 0, 0, "message shorter than its header");
	rd_init(&r, msg + V1_HDR_LEN, len - V1_HDR_LEN);
	if (next == V1_P_NONE)
		return v1_fail(e, ERR_PARSE, V1_N_PAYLOAD_MALFORMED, 0, "message has no payload");
	while (next != V1_P_NONE) {
		struct v1_payload *pl = &m->pl[m->n];
		uint8_t res;
		uint16_t plen;
		size_t at = V1_HDR_LEN + rd_offset(&r);
		struct rd body;

		if (next >= V1_IKEV2_PAYLOAD_FIRST && next <= V1_IKEV2_PAYLOAD_LAST)
			return v1_fail(e, ERR_PARSE, V1_N_PAYLOAD_MALFORMED, next,
				       "IKEv2 payload type %u in an IKEv1 message", next);
		if (!top_level_known(next))
			return v1_fail(e, ERR_PARSE, V1_N_INVALID_PAYLOAD_TYPE, next,
				       "payload type %u (%s) is not valid here", next,
				       v1_payload_name(next));
		if (m->n == V1_MSG_MAX_PAYLOADS)
			return v1_fail(e, ERR_PARSE, V1_N_PAYLOAD_MALFORMED, next,
				       "more than %d payloads", V1_MSG_MAX_PAYLOADS);
		pl->type = next;
		pl->offset = at;
		rd_u8(&r, &next);
		rd_u8(&r, &res);
		rd_u16(&r, &plen);
		if (!rd_ok(&r) || plen < V1_GENERIC_HDR_LEN ||
		    !rd_sub(&r, plen - V1_GENERIC_HDR_LEN, &body))
			return v1_fail(e, ERR_PARSE, V1_N_PAYLOAD_MALFORMED, pl->type,
				       "%s at offset %zu: length %u does not fit the %zu bytes left",
				       v1_payload_name(pl->type), at, plen, len - at);
		pl->raw = msg + at;
		pl->raw_len = plen;
		pl->body = pl->raw + V1_GENERIC_HDR_LEN;
		pl->body_len = plen - V1_GENERIC_HDR_LEN;
		m->n++;
		rc = v1_payload_check(pl, e);
		if (rc < 0)
			return rc;
	}
	m->chain_end = V1_HDR_LEN + rd_offset(&r);
	m->pad_len = len - m->chain_end;
	if (m->pad_len > max_pad)
		return v1_fail(e, ERR_PARSE, V1_N_PAYLOAD_MALFORMED, 0,
			       "%zu bytes after the last payload (%zu allowed)", m->pad_len, max_pad);
	return 0;
}

int v1_msg_parse(const uint8_t *buf, size_t len, struct v1_msg *m, struct v1_err *e)
{
	struct v1_hdr h;
	int rc = v1_hdr_parse(buf, len, &h, e);

	if (rc < 0)
		return rc;
	if (h.flags & V1_FLAG_ENCRYPTION)
		return v1_fail(e, ERR_STATE, 0, 0, "encrypted message: decrypt first");
	rc = v1_msg_parse_chain(buf, len, &h, V1_MSG_CLEAR_PAD, m, e);
	for (size_t i = 0; rc == 0 && i < m->pad_len; i++)
		if (buf[m->chain_end + i] != 0)
			return v1_fail(e, ERR_PARSE, V1_N_PAYLOAD_MALFORMED, 0,
				       "%zu bytes after the last payload that are not zero padding",
				       m->pad_len);
	return rc;
}

int v1_msg_open(const uint8_t *buf, size_t len, const struct v1_crypt *c,
		const struct v1_iv *iv, uint8_t *out, size_t cap, struct v1_iv *next,
		struct v1_msg *m, struct v1_err *e)
{
	struct v1_hdr h;
	int rc = v1_hdr_parse(buf, len, &h, e);

	if (rc < 0)
		return rc;
	if (!(h.flags & V1_FLAG_ENCRYPTION))
		return v1_fail(e, ERR_STATE, 0, 0, "message is not encrypted");
	rc = v1_crypt_open(c, iv, buf, len, out, cap, next);
	if (rc == ERR_PARSE)
		return v1_fail(e, rc, V1_N_PAYLOAD_MALFORMED, 0,
			       "encrypted body of %zu bytes is not whole %zu-byte blocks",
			       len - V1_HDR_LEN, c->block);
	if (rc < 0)
		return v1_fail(e, rc, 0, 0, "decryption failed: %s", err_str(rc));
	rc = v1_msg_parse_chain(out, len, &h, V1_MSG_MAX_PAD, m, e);
	m->decrypted = true;
	return rc;
}

const struct v1_payload *v1_msg_find(const struct v1_msg *m, uint8_t type, unsigned nth)
{
	for (unsigned i = 0; i < m->n; i++)
		if (m->pl[i].type == type && nth-- == 0)
			return &m->pl[i];
	return NULL;
}

unsigned v1_msg_count(const struct v1_msg *m, uint8_t type)
{
	unsigned n = 0;

	for (unsigned i = 0; i < m->n; i++)
		n += m->pl[i].type == type;
	return n;
}

int v1_msg_after_hash(const struct v1_msg *m, const uint8_t **p, size_t *len)
{
	if (m->n == 0 || m->pl[0].type != V1_P_HASH)
		return ERR_PARSE;
	*p = m->pl[0].raw + m->pl[0].raw_len;
	*len = m->chain_end - (m->pl[0].offset + m->pl[0].raw_len);
	return 0;
}
