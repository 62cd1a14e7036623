/*
 * v2_payload_ts.c - Traffic Selector payloads (RFC 7296 3.13, 3.13.1) and
 * the Configuration payload (3.15), both lists of sub-structures.
 *
 *   TS payload: Number of TSs | RESERVED (3) | selectors...
 *   selector:   TS Type | IP Protocol ID | Selector Length
 *               Start Port | End Port | Starting Address | Ending Address
 *   CP payload: CFG Type | RESERVED (3) | attributes...
 *   attribute:  R bit + Attribute Type (15 bits) | Length | Value
 */
#include <string.h>

#include "common/err.h"
#include "v2/v2_names.h"
#include "v2/v2_wire.h"

/* Selector length of an address range: 8 octets of header and ports + 2 addresses. */
static size_t range_len(uint8_t type)
{
	switch (type) {
	case V2_TS_IPV4_ADDR_RANGE: return 8 + 2 * 4;
	case V2_TS_IPV6_ADDR_RANGE: return 8 + 2 * 16;
	}
	return 0;
}

static int parse_selector(struct rd *r, struct v2_ts *ts)
{
	uint16_t len;
	struct rd sel;
	size_t want;

	memset(ts, 0, sizeof(*ts));
	/* Every selector type starts with type, one octet, and the length. */
	rd_u8(r, &ts->type);
	rd_u8(r, &ts->ip_proto);
	rd_u16(r, &len);
	if (!rd_ok(r) || len < 4 || !rd_sub(r, len - 4u, &sel))
		return ERR_PARSE;
	ts->body.p = sel.p - 4; /* the child view starts right after those 4 octets */
	ts->body.len = len;
	want = range_len(ts->type);
	if (want == 0)
		return 0; /* not an address range: the caller sees type and body */
	if (len != want)
		return ERR_PARSE;
	ts->addr_len = (uint8_t)((want - 8) / 2);
	rd_u16(&sel, &ts->start_port);
	rd_u16(&sel, &ts->end_port);
	rd_bytes(&sel, ts->start, ts->addr_len);
	rd_bytes(&sel, ts->end, ts->addr_len);
	return rd_done(&sel) ? 0 : ERR_PARSE;
}

int v2_parse_ts(struct v2_bytes body, struct v2_ts_list *ts)
{
	struct rd r;
	uint8_t count;

	rd_init(&r, body.p, body.len);
	rd_u8(&r, &count);
	rd_skip(&r, 3);
	if (!rd_ok(&r) || count == 0 || count > V2_TS_MAX)
		return ERR_PARSE;
	ts->n = 0;
	for (size_t i = 0; i < count; i++) {
		if (parse_selector(&r, &ts->ts[i]))
			return ERR_PARSE;
		ts->n++;
	}
	/* The count and the payload length must agree. */
	return rd_done(&r) ? 0 : ERR_PARSE;
}

int v2_put_ts(struct v2_chain *c, uint8_t payload, const struct v2_ts_list *ts)
{
	size_t start;
	int rc;

	if ((payload != V2_PT_TSI && payload != V2_PT_TSR) || ts->n == 0 || ts->n > V2_TS_MAX)
		return ERR_INVAL;
	for (size_t i = 0; i < ts->n; i++)
		if (range_len(ts->ts[i].type) != 8u + 2u * ts->ts[i].addr_len)
			return ERR_INVAL;
	rc = v2_chain_open(c, payload, false, &start);
	if (rc)
		return rc;
	wr_u8(c->w, (uint8_t)ts->n);
	wr_zero(c->w, 3);
	for (size_t i = 0; i < ts->n; i++) {
		const struct v2_ts *t = &ts->ts[i];

		wr_u8(c->w, t->type);
		wr_u8(c->w, t->ip_proto);
		wr_u16(c->w, (uint16_t)range_len(t->type));
		wr_u16(c->w, t->start_port);
		wr_u16(c->w, t->end_port);
		wr_bytes(c->w, t->start, t->addr_len);
		wr_bytes(c->w, t->end, t->addr_len);
	}
	return v2_chain_close(c, start);
}

int v2_parse_cp(struct v2_bytes body, struct v2_cp *cp)
{
	struct rd r;

	rd_init(&r, body.p, body.len);
	rd_u8(&r, &cp->type);
	rd_skip(&r, 3);
	if (!rd_ok(&r))
		return ERR_PARSE;
	cp->n = 0;
	while (rd_left(&r) > 0) {
		uint16_t type, len;
		const uint8_t *v;

		rd_u16(&r, &type);
		rd_u16(&r, &len);
		if (!rd_ptr(&r, len, &v) || cp->n >= V2_CP_MAX_ATTRS)
			return ERR_PARSE;
		cp->attrs[cp->n].type = type & 0x7fff; /* top bit reserved (3.15.1) */
		cp->attrs[cp->n].value.p = v;
		cp->attrs[cp->n].value.len = len;
		cp->n++;
	}
	return rd_ok(&r) ? 0 : ERR_PARSE;
}

int v2_put_cp(struct v2_chain *c, const struct v2_cp *cp)
{
	size_t start;
	int rc;

	if (cp->n > V2_CP_MAX_ATTRS)
		return ERR_INVAL;
	rc = v2_chain_open(c, V2_PT_CP, false, &start);
	if (rc)
		return rc;
	wr_u8(c->w, cp->type);
	wr_zero(c->w, 3);
	for (size_t i = 0; i < cp->n; i++) {
		const struct v2_cp_attr *a = &cp->attrs[i];

		if (a->value.len > UINT16_MAX)
			return ERR_INVAL;
		wr_u16(c->w, a->type & 0x7fff);
		wr_u16(c->w, (uint16_t)a->value.len);
		wr_bytes(c->w, a->value.p, a->value.len);
	}
	return v2_chain_close(c, start);
}
