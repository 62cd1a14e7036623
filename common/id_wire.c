/*
 * id_wire.c - ID payload bodies of both versions, through struct rd / wr.
 *
 *   IKEv2 (RFC 7296 3.5)            IKEv1 (RFC 2407 4.6.2)
 *   +--------+-------------------+  +--------+--------+-----------------+
 *   | ID Type|     RESERVED      |  | ID Type|Protocol|      Port       |
 *   +--------+-------------------+  +--------+--------+-----------------+
 *   ~    Identification Data     ~  ~       Identification Data         ~
 *
 * The generic payload header before them belongs to each version's codec.
 */
#include <string.h>

#include "common/err.h"
#include "common/id.h"

/* The rest of body as the data of an identity of this type. */
static int decode_data(struct rd *body, uint8_t type, struct id **out)
{
	struct rd data;
	const uint8_t *p;

	*out = NULL;
	if (!rd_rest(body, &data) || !rd_ptr(&data, rd_left(&data), &p))
		return ERR_TRUNCATED;
	return id_new(type, p, rd_offset(&data), out);
}

int id_v2_decode(struct rd *body, struct id **out)
{
	uint8_t type;

	*out = NULL;
	/* RESERVED is ignored on receipt (RFC 7296 3.5). */
	if (!rd_u8(body, &type) || !rd_skip(body, 3))
		return ERR_TRUNCATED;
	return decode_data(body, type, out);
}

bool id_v2_encode(struct wr *w, const struct id *id)
{
	wr_u8(w, id->type);
	wr_zero(w, 3);
	wr_bytes(w, id->data, id->len);
	return wr_ok(w);
}

int id_v1_decode(struct rd *body, struct id **out, uint8_t *proto, uint16_t *port)
{
	uint8_t type;

	*out = NULL;
	if (!rd_u8(body, &type) || !rd_u8(body, proto) || !rd_u16(body, port))
		return ERR_TRUNCATED;
	return decode_data(body, type, out);
}

bool id_v1_encode(struct wr *w, const struct id *id, uint8_t proto, uint16_t port)
{
	wr_u8(w, id->type);
	wr_u8(w, proto);
	wr_u16(w, port);
	wr_bytes(w, id->data, id->len);
	return wr_ok(w);
}

/* ---- Quick Mode identities as traffic selectors ---- */

/* A subnet mask must be leading ones then zeros; its number of ones. */
static bool mask_prefix(const uint8_t *mask, size_t alen, unsigned *prefix)
{
	bool ended = false;

	*prefix = 0;
	for (size_t i = 0; i < 8 * alen; i++) {
		bool one = mask[i / 8] >> (7 - i % 8) & 1;

		if (one && ended)
			return false;
		if (one)
			(*prefix)++;
		else
			ended = true;
	}
	return true;
}

int id_v1_decode_ts(struct rd *body, struct ts *out)
{
	uint8_t type, proto, a[16], b[16];
	uint16_t port;
	enum ts_type tt;
	size_t alen;
	int rc;

	if (!rd_u8(body, &type) || !rd_u8(body, &proto) || !rd_u16(body, &port))
		return ERR_TRUNCATED;
	switch (type) {
	case ID_IPV4_ADDR: case ID_IPV4_ADDR_SUBNET: case ID_IPV4_ADDR_RANGE:
		tt = TS_IPV4_ADDR_RANGE;
		alen = 4;
		break;
	case ID_IPV6_ADDR: case ID_IPV6_ADDR_SUBNET: case ID_IPV6_ADDR_RANGE:
		tt = TS_IPV6_ADDR_RANGE;
		alen = 16;
		break;
	default:
		return ERR_UNSUPPORTED;
	}
	memset(a, 0, sizeof(a));
	memset(b, 0, sizeof(b));
	if (type == ID_IPV4_ADDR || type == ID_IPV6_ADDR) {
		if (rd_left(body) != alen || !rd_bytes(body, a, alen))
			return ERR_PARSE;
		rc = ts_from_range(out, tt, a, a);
	} else {
		if (rd_left(body) != 2 * alen || !rd_bytes(body, a, alen) || !rd_bytes(body, b, alen))
			return ERR_PARSE;
		if (type == ID_IPV4_ADDR_RANGE || type == ID_IPV6_ADDR_RANGE) {
			rc = ts_from_range(out, tt, a, b);
		} else {
			unsigned prefix;

			rc = mask_prefix(b, alen, &prefix) ? ts_from_prefix(out, tt, a, prefix)
							   : ERR_PARSE;
		}
	}
	if (rc < 0)
		return ERR_PARSE;
	out->proto = proto;
	if (port) {
		out->port_lo = port;
		out->port_hi = port;
	}
	return 0;
}

int id_v1_encode_ts(struct wr *w, const struct ts *ts)
{
	size_t alen = ts_addr_len(ts);
	bool v6 = ts->type == TS_IPV6_ADDR_RANGE;
	uint8_t net[16];
	unsigned prefix;
	uint16_t port;

	if (!ts_valid(ts))
		return ERR_INVAL;
	if (ts_ports_any(ts))
		port = 0;
	else if (ts->port_lo == ts->port_hi && ts->port_lo != 0)
		port = ts->port_lo;
	else
		return ERR_UNSUPPORTED;
	if (memcmp(ts->start, ts->end, alen) == 0) {
		wr_u8(w, v6 ? ID_IPV6_ADDR : ID_IPV4_ADDR);
		wr_u8(w, ts->proto);
		wr_u16(w, port);
		wr_bytes(w, ts->start, alen);
	} else if (ts_to_prefix(ts, net, &prefix)) {
		struct ts m;

		/* The mask is the prefix of all-ones: the end of 0/prefix inverted. */
		ts_from_prefix(&m, ts->type, (const uint8_t[16]){ 0 }, prefix);
		wr_u8(w, v6 ? ID_IPV6_ADDR_SUBNET : ID_IPV4_ADDR_SUBNET);
		wr_u8(w, ts->proto);
		wr_u16(w, port);
		wr_bytes(w, net, alen);
		for (size_t i = 0; i < alen; i++)
			wr_u8(w, (uint8_t)~m.end[i]);
	} else {
		wr_u8(w, v6 ? ID_IPV6_ADDR_RANGE : ID_IPV4_ADDR_RANGE);
		wr_u8(w, ts->proto);
		wr_u16(w, port);
		wr_bytes(w, ts->start, alen);
		wr_bytes(w, ts->end, alen);
	}
	return wr_ok(w) ? 0 : ERR_OVERFLOW;
}
