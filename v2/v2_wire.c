/*
 * v2_wire.c - IKE header (RFC 7296 3.1), generic payload header and chain
 * building (3.2), and the per-type body check used by the message parser.
 * The payload bodies are in v2_payload_sa.c, v2_payload_ts.c and
 * v2_payload_misc.c.
 */
#include <stdint.h>

#include "common/err.h"
#include "v2/v2_names.h"
#include "v2/v2_wire.h"

int v2_header_parse(struct rd *r, struct v2_header *h)
{
	rd_bytes(r, h->spi_i, V2_IKE_SPI_LEN);
	rd_bytes(r, h->spi_r, V2_IKE_SPI_LEN);
	rd_u8(r, &h->next_payload);
	rd_u8(r, &h->version);
	rd_u8(r, &h->exchange);
	rd_u8(r, &h->flags);
	rd_u32(r, &h->message_id);
	rd_u32(r, &h->length);
	if (!rd_ok(r))
		return ERR_PARSE;
	/* 3.1: the minor version is ignored on receipt; the major must be 2. */
	if ((h->version >> 4) != 2)
		return ERR_PARSE;
	return 0;
}

int v2_header_write(struct wr *w, const struct v2_header *h)
{
	wr_bytes(w, h->spi_i, V2_IKE_SPI_LEN);
	wr_bytes(w, h->spi_r, V2_IKE_SPI_LEN);
	wr_u8(w, h->next_payload);
	wr_u8(w, h->version);
	wr_u8(w, h->exchange);
	wr_u8(w, h->flags);
	wr_u32(w, h->message_id);
	wr_u32(w, h->length);
	return wr_ok(w) ? 0 : ERR_OVERFLOW;
}

void v2_chain_init(struct v2_chain *c, struct wr *w, size_t np_at)
{
	c->w = w;
	c->np_at = np_at;
	c->first = 0;
	c->count = 0;
}

int v2_chain_open(struct v2_chain *c, uint8_t type, bool critical, size_t *start)
{
	size_t mark;

	if (type == V2_PT_NONE)
		return ERR_INVAL;
	*start = wr_len(c->w);
	wr_u8(c->w, V2_PT_NONE); /* patched by the next payload, if any */
	wr_u8(c->w, critical ? V2_CRITICAL : 0);
	wr_reserve_len16(c->w, &mark);
	if (!wr_ok(c->w))
		return ERR_OVERFLOW;
	if (c->np_at != SIZE_MAX)
		wr_patch_u8(c->w, c->np_at, type);
	if (c->count == 0)
		c->first = type;
	c->np_at = *start;
	c->count++;
	return wr_ok(c->w) ? 0 : ERR_OVERFLOW;
}

int v2_chain_close(struct v2_chain *c, size_t start)
{
	/* The payload length covers the generic header (3.2). */
	return wr_close_len16(c->w, start + 2, start) ? 0 : ERR_OVERFLOW;
}

int v2_put_raw(struct v2_chain *c, uint8_t type, bool critical, const void *body, size_t len)
{
	size_t start;
	int rc = v2_chain_open(c, type, critical, &start);

	if (rc)
		return rc;
	wr_bytes(c->w, body, len);
	return v2_chain_close(c, start);
}

bool v2_payload_known(uint8_t type)
{
	return (type >= V2_PT_SA && type <= V2_PT_EAP) || type == V2_PT_SKF;
}

int v2_payload_check(uint8_t type, struct v2_bytes body)
{
	/* The results are thrown away; the SA list is the largest (~2.5 KiB). */
	union {
		struct v2_sa sa;
		struct v2_ke ke;
		struct v2_bytes nonce;
		struct v2_id id;
		struct v2_cert cert;
		struct v2_auth auth;
		struct v2_notify n;
		struct v2_delete d;
		struct v2_ts_list ts;
		struct v2_cp cp;
		struct v2_skf skf;
	} u;

	switch (type) {
	case V2_PT_SA: return v2_parse_sa(body, &u.sa);
	case V2_PT_KE: return v2_parse_ke(body, &u.ke);
	case V2_PT_IDI:
	case V2_PT_IDR: return v2_parse_id(body, &u.id);
	case V2_PT_CERT:
	case V2_PT_CERTREQ: return v2_parse_cert(body, &u.cert);
	case V2_PT_AUTH: return v2_parse_auth(body, &u.auth);
	case V2_PT_NONCE: return v2_parse_nonce(body, &u.nonce);
	case V2_PT_N: return v2_parse_notify(body, &u.n);
	case V2_PT_D: return v2_parse_delete(body, &u.d);
	case V2_PT_TSI:
	case V2_PT_TSR: return v2_parse_ts(body, &u.ts);
	case V2_PT_CP: return v2_parse_cp(body, &u.cp);
	case V2_PT_SKF: return v2_parse_skf(body, &u.skf);
	case V2_PT_V:
	case V2_PT_EAP:
	case V2_PT_SK: return 0;
	}
	return ERR_NOTFOUND;
}
