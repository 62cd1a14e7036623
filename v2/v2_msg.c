/*
 * v2_msg.c - parse a message into its payload list, and start/finish
 * building one (RFC 7296 2.5, 3.1, 3.2, 3.14; RFC 7383 2.5).
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "v2/v2_msg.h"
#include "v2/v2_names.h"

/*
 * Payload numbers of IKEv1 that must never be read in an IKEv2 message:
 * 1-32 are reserved by RFC 7296 3.2 so the two never overlap; 130 and
 * 131 are the NAT-D / NAT-OA numbers of the IKEv1 NAT-T drafts.
 */
static bool is_v1_payload(uint8_t type)
{
	return (type >= 1 && type <= 32) || type == 130 || type == 131;
}

static int fail(struct v2_msg *m, const char *why)
{
	m->why = why;
	return ERR_PARSE;
}

/* The payload that ended the clear chain was SK or SKF: remember it. */
static int take_encrypted(struct v2_msg *m, struct rd *r, uint8_t type, uint8_t np,
			  size_t offset, struct v2_bytes body)
{
	if (rd_left(r) != 0)
		return fail(m, "SK/SKF payload is not the last payload (RFC 7296 3.14)");
	if (type == V2_PT_SKF && v2_payload_check(type, body))
		return fail(m, "SKF fragment numbering is malformed (RFC 7383 2.5)");
	m->encrypted = true;
	m->enc_type = type;
	m->inner_first = np;
	m->enc_offset = offset;
	m->enc_body = body;
	return 0;
}

/*
 * Walk one chain. base: offset of r's first octet in its buffer. For the
 * clear chain an SK/SKF payload ends the walk; inside SK it is malformed.
 */
static int walk(struct v2_msg *m, struct rd *r, uint8_t next, size_t base, bool inner)
{
	while (next != V2_PT_NONE) {
		uint8_t type = next, flags;
		uint16_t plen;
		size_t offset = base + rd_offset(r);
		struct rd sub;
		struct v2_bytes body;
		bool critical;

		if (is_v1_payload(type))
			return fail(m, "IKEv1 payload type in an IKEv2 message");
		rd_u8(r, &next);
		rd_u8(r, &flags);
		rd_u16(r, &plen);
		if (!rd_ok(r))
			return fail(m, "payload header truncated");
		if (plen < V2_GENERIC_HEADER_LEN)
			return fail(m, "payload length below 4");
		if (!rd_sub(r, plen - V2_GENERIC_HEADER_LEN, &sub))
			return fail(m, "payload length past the end of the message");
		body.p = sub.p;
		body.len = sub.len;
		critical = flags & V2_CRITICAL; /* the other 7 bits are ignored (3.2) */
		if (type == V2_PT_SK || type == V2_PT_SKF) {
			if (inner)
				return fail(m, "SK/SKF payload inside an SK payload");
		} else if (!v2_payload_known(type)) {
			if (critical && !m->unsupported_critical)
				m->unsupported_critical = type;
			else if (!critical)
				m->n_skipped++;
			continue;
		} else if (v2_payload_check(type, body)) {
			m->why = v2_payload_name(type); /* which payload is malformed */
			return ERR_PARSE;
		}
		if (m->n >= V2_MSG_MAX_PAYLOADS)
			return fail(m, "too many payloads");
		m->pl[m->n].type = type;
		m->pl[m->n].critical = critical;
		m->pl[m->n].inner = inner;
		m->pl[m->n].offset = offset;
		m->pl[m->n].body = body;
		m->n++;
		if (type == V2_PT_SK || type == V2_PT_SKF)
			return take_encrypted(m, r, type, next, offset, body);
	}
	if (rd_left(r) != 0)
		return fail(m, "payload chain ends before the message does");
	return 0;
}

int v2_msg_parse(struct v2_msg *m, const uint8_t *buf, size_t len)
{
	struct rd r;
	int rc;

	memset(m, 0, offsetof(struct v2_msg, pl)); /* 2.5 KiB of pl[] need no clearing */
	m->raw.p = buf;
	m->raw.len = len;
	rd_init(&r, buf, len);
	if (v2_header_parse(&r, &m->hdr))
		return fail(m, len < V2_HEADER_LEN ? "shorter than an IKE header"
						   : "IKE major version is not 2");
	if (m->hdr.length != len)
		return fail(m, "header length differs from the message length");
	rc = walk(m, &r, m->hdr.next_payload, 0, false); /* r counts from the header */
	if (rc)
		return rc;
	return m->unsupported_critical ? ERR_UNSUPPORTED : 0;
}

int v2_msg_parse_inner(struct v2_msg *m, const uint8_t *plain, size_t len)
{
	struct rd r;
	int rc;

	if (!m->encrypted || m->inner_parsed)
		return ERR_STATE;
	m->inner_parsed = true;
	rd_init(&r, plain, len);
	rc = walk(m, &r, m->inner_first, 0, true);
	if (rc)
		return rc;
	return m->unsupported_critical ? ERR_UNSUPPORTED : 0;
}

bool v2_msg_is_response(const struct v2_msg *m)
{
	return m->hdr.flags & V2_FLAG_RESPONSE;
}

bool v2_msg_is_initiator(const struct v2_msg *m)
{
	return m->hdr.flags & V2_FLAG_INITIATOR;
}

const struct v2_payload *v2_msg_next(const struct v2_msg *m, const struct v2_payload *after,
				     uint8_t type)
{
	size_t i = after ? (size_t)(after - m->pl) + 1 : 0;

	for (; i < m->n; i++)
		if (m->pl[i].type == type)
			return &m->pl[i];
	return NULL;
}

const struct v2_payload *v2_msg_find(const struct v2_msg *m, uint8_t type)
{
	return v2_msg_next(m, NULL, type);
}

size_t v2_msg_count(const struct v2_msg *m, uint8_t type)
{
	size_t n = 0;

	for (size_t i = 0; i < m->n; i++)
		n += m->pl[i].type == type;
	return n;
}

const struct v2_payload *v2_msg_find_notify(const struct v2_msg *m, uint16_t type,
					    struct v2_notify *n)
{
	for (const struct v2_payload *p = v2_msg_find(m, V2_PT_N); p;
	     p = v2_msg_next(m, p, V2_PT_N))
		if (v2_parse_notify(p->body, n) == 0 && n->type == type)
			return p;
	return NULL;
}

int v2_msg_clone(const struct v2_msg *m, struct v2_msg **out)
{
	size_t total = m->raw.len;
	struct v2_msg *c;
	uint8_t *at;

	for (size_t i = 0; i < m->n; i++)
		if (m->pl[i].inner)
			total += m->pl[i].body.len;
	c = malloc(sizeof(*c) + total);
	if (!c)
		return ERR_NOMEM;
	*c = *m;
	at = (uint8_t *)(c + 1);
	/* clear payloads and the SK body point into raw: move them with it */
	if (m->raw.len)
		memcpy(at, m->raw.p, m->raw.len);
	c->raw.p = at;
	if (m->enc_body.p)
		c->enc_body.p = at + (m->enc_body.p - m->raw.p);
	at += m->raw.len;
	for (size_t i = 0; i < m->n; i++) {
		struct v2_payload *p = &c->pl[i];

		if (!p->inner) {
			if (p->body.p)
				p->body.p = c->raw.p + (m->pl[i].body.p - m->raw.p);
			continue;
		}
		if (p->body.len)
			memcpy(at, m->pl[i].body.p, p->body.len);
		p->body.p = at;
		at += p->body.len;
	}
	*out = c;
	return 0;
}

int v2_msg_out_init(struct v2_msg_out *out, uint8_t *buf, size_t cap, const struct v2_header *h)
{
	struct v2_header copy = *h;
	int rc;

	copy.next_payload = V2_PT_NONE;
	copy.length = 0;
	wr_init(&out->w, buf, cap);
	rc = v2_header_write(&out->w, &copy);
	v2_chain_init(&out->chain, &out->w, V2_HEADER_NEXT_PAYLOAD_AT);
	return rc;
}

int v2_msg_out_finish(struct v2_msg_out *out, size_t *len)
{
	if (!wr_patch_u32(&out->w, V2_HEADER_LENGTH_AT, (uint32_t)wr_len(&out->w)) ||
	    !wr_ok(&out->w))
		return ERR_OVERFLOW;
	*len = wr_len(&out->w);
	return 0;
}
