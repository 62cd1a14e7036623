/*
 * v1_wire.c - the ISAKMP header (RFC 2408 3.1), error reports, and the
 * payload-chain builder (RFC 2408 3.2). Payload bodies are in
 * v1_payload_sa.c and v1_payload_misc.c.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/err.h"
#include "v1/v1_wire.h"

int v1_fail(struct v1_err *e, int err, uint16_t notify, uint8_t payload, const char *fmt, ...)
{
	va_list ap;

	if (!e)
		return err;
	e->notify = notify;
	e->payload = payload;
	va_start(ap, fmt);
	vsnprintf(e->text, sizeof(e->text), fmt, ap);
	va_end(ap);
	return err;
}

static bool exch_registered(uint8_t x)
{
	return (x >= V1_EXCH_BASE && x <= V1_EXCH_TRANSACTION) || x == V1_EXCH_QUICK ||
	       x == V1_EXCH_NEW_GROUP;
}

int v1_hdr_parse(const uint8_t *buf, size_t len, struct v1_hdr *h, struct v1_err *e)
{
	struct rd r;
	uint8_t ver;
	static const uint8_t zero[V1_COOKIE_SIZE];

	rd_init(&r, buf, len);
	rd_bytes(&r, h->cky_i, V1_COOKIE_SIZE);
	rd_bytes(&r, h->cky_r, V1_COOKIE_SIZE);
	rd_u8(&r, &h->next);
	rd_u8(&r, &ver);
	rd_u8(&r, &h->exch);
	rd_u8(&r, &h->flags);
	rd_u32(&r, &h->msg_id);
	rd_u32(&r, &h->len);
	if (!rd_ok(&r))
		return v1_fail(e, ERR_TRUNCATED, 0, 0, "%zu bytes: shorter than the 28-byte ISAKMP header", len);
	h->major = ver >> 4;
	h->minor = ver & 0x0f;
	if (h->major != V1_MAJOR)
		return v1_fail(e, ERR_PARSE, V1_N_INVALID_MAJOR_VERSION, 0,
			       "major version %u is not IKEv1", h->major);
	if (h->minor != V1_MINOR)
		return v1_fail(e, ERR_PARSE, V1_N_INVALID_MINOR_VERSION, 0,
			       "minor version %u (RFC 2408 3.1: 0)", h->minor);
	/* RFC 2408 5.1: a length that disagrees with the datagram is dropped. */
	if (h->len != len)
		return v1_fail(e, ERR_PARSE, 0, 0, "header length %u, datagram %zu bytes",
			       (unsigned)h->len, len);
	if (h->flags & ~(V1_FLAG_ENCRYPTION | V1_FLAG_COMMIT | V1_FLAG_AUTH_ONLY))
		return v1_fail(e, ERR_PARSE, V1_N_INVALID_FLAGS, 0, "unknown flag bits 0x%02x",
			       h->flags);
	if (!exch_registered(h->exch))
		return v1_fail(e, ERR_PARSE, V1_N_INVALID_EXCHANGE_TYPE, 0,
			       "exchange type %u is not an IKEv1 exchange", h->exch);
	if (memcmp(h->cky_i, zero, sizeof(zero)) == 0)
		return v1_fail(e, ERR_PARSE, V1_N_INVALID_COOKIE, 0, "initiator cookie is zero");
	return 0;
}

/* ---- builder ---- */

static void bfail(struct v1_builder *b)
{
	b->err = true;
}

void v1_build_start(struct v1_builder *b, struct wr *w, const struct v1_hdr *h)
{
	memset(b, 0, sizeof(*b));
	b->w = w;
	b->msg_start = wr_len(w);
	wr_bytes(w, h->cky_i, V1_COOKIE_SIZE);
	wr_bytes(w, h->cky_r, V1_COOKIE_SIZE);
	b->next_at = wr_len(w);
	wr_u8(w, V1_P_NONE);
	wr_u8(w, (uint8_t)((V1_MAJOR << 4) | V1_MINOR));
	wr_u8(w, h->exch);
	wr_u8(w, h->flags);
	wr_u32(w, h->msg_id);
	wr_u32(w, 0); /* length, patched by v1_build_finish() */
}

void v1_build_begin(struct v1_builder *b, uint8_t type)
{
	if (b->pl_open) {
		bfail(b);
		return;
	}
	wr_patch_u8(b->w, b->next_at, type);
	b->pl_start = wr_len(b->w);
	b->next_at = b->pl_start;
	wr_u8(b->w, V1_P_NONE);
	wr_u8(b->w, 0);
	wr_reserve_len16(b->w, &b->pl_mark);
	b->pl_open = true;
}

void v1_build_end(struct v1_builder *b)
{
	if (!b->pl_open || b->prop_open) {
		bfail(b);
		return;
	}
	wr_close_len16(b->w, b->pl_mark, b->pl_start);
	b->pl_open = false;
}

int v1_build_finish(struct v1_builder *b, size_t *msg_len)
{
	size_t len = wr_len(b->w) - b->msg_start;

	if (b->err || b->pl_open)
		return ERR_STATE;
	wr_patch_u32(b->w, b->msg_start + 24, (uint32_t)len);
	if (!wr_ok(b->w))
		return ERR_OVERFLOW;
	if (msg_len)
		*msg_len = len;
	return 0;
}

void v1_build_blob(struct v1_builder *b, uint8_t type, const uint8_t *data, size_t len)
{
	v1_build_begin(b, type);
	wr_bytes(b->w, data, len);
	v1_build_end(b);
}

void v1_build_cert(struct v1_builder *b, uint8_t type, uint8_t encoding,
		   const uint8_t *data, size_t len)
{
	v1_build_begin(b, type);
	wr_u8(b->w, encoding);
	wr_bytes(b->w, data, len);
	v1_build_end(b);
}

void v1_build_notify(struct v1_builder *b, const struct v1_notify *n)
{
	v1_build_begin(b, V1_P_N);
	wr_u32(b->w, n->doi);
	wr_u8(b->w, n->protocol);
	wr_u8(b->w, n->spi_size);
	wr_u16(b->w, n->type);
	wr_bytes(b->w, n->spi, n->spi_size);
	wr_bytes(b->w, n->data, n->data_len);
	v1_build_end(b);
}

void v1_build_delete(struct v1_builder *b, const struct v1_delete *d)
{
	v1_build_begin(b, V1_P_D);
	wr_u32(b->w, d->doi);
	wr_u8(b->w, d->protocol);
	wr_u8(b->w, d->spi_size);
	wr_u16(b->w, d->n_spis);
	wr_bytes(b->w, d->spis, (size_t)d->spi_size * d->n_spis);
	v1_build_end(b);
}

void v1_build_natoa(struct v1_builder *b, uint8_t type, const struct v1_natoa *o)
{
	v1_build_begin(b, type);
	wr_u8(b->w, o->family == 6 ? V1_ID_IPV6_ADDR : V1_ID_IPV4_ADDR);
	wr_zero(b->w, 3);
	wr_bytes(b->w, o->addr, o->family == 6 ? 16 : 4);
	v1_build_end(b);
}

void v1_build_id(struct v1_builder *b, const struct v1_id *id)
{
	size_t alen = id->family == 6 ? 16 : 4;

	v1_build_begin(b, V1_P_ID);
	wr_u8(b->w, id->type);
	wr_u8(b->w, id->protocol);
	wr_u16(b->w, id->port);
	switch (id->type) {
	case V1_ID_IPV4_ADDR:
	case V1_ID_IPV6_ADDR:
		wr_bytes(b->w, id->addr, alen);
		break;
	case V1_ID_IPV4_ADDR_SUBNET:
	case V1_ID_IPV6_ADDR_SUBNET:
	case V1_ID_IPV4_ADDR_RANGE:
	case V1_ID_IPV6_ADDR_RANGE:
		wr_bytes(b->w, id->addr, alen);
		wr_bytes(b->w, id->addr2, alen);
		break;
	default:
		wr_bytes(b->w, id->data, id->len);
	}
	v1_build_end(b);
}

/* ---- SA nesting: proposals (next 2 or 0) and transforms (next 3 or 0) ---- */

void v1_build_sa_begin(struct v1_builder *b, uint32_t doi, uint32_t situation)
{
	v1_build_begin(b, V1_P_SA);
	wr_u32(b->w, doi);
	wr_u32(b->w, situation);
	b->prop_any = false;
}

void v1_build_proposal_begin(struct v1_builder *b, uint8_t number, uint8_t protocol,
			     const uint8_t *spi, size_t spi_size)
{
	if (!b->pl_open || b->prop_open || spi_size > V1_SPI_MAX) {
		bfail(b);
		return;
	}
	if (b->prop_any)
		wr_patch_u8(b->w, b->prop_next_at, V1_P_PROPOSAL);
	b->prop_start = wr_len(b->w);
	b->prop_next_at = b->prop_start;
	wr_u8(b->w, V1_P_NONE);
	wr_u8(b->w, 0);
	wr_reserve_len16(b->w, &b->prop_mark);
	wr_u8(b->w, number);
	wr_u8(b->w, protocol);
	wr_u8(b->w, (uint8_t)spi_size);
	b->prop_count_at = wr_len(b->w);
	wr_u8(b->w, 0);
	wr_bytes(b->w, spi, spi_size);
	b->prop_ntrans = 0;
	b->prop_open = b->prop_any = true;
	b->xf_any = false;
}

void v1_build_transform_begin(struct v1_builder *b, uint8_t number, uint8_t id)
{
	if (!b->prop_open || b->xf_open || b->prop_ntrans == 255) {
		bfail(b);
		return;
	}
	if (b->xf_any)
		wr_patch_u8(b->w, b->xf_next_at, V1_P_TRANSFORM);
	b->xf_start = wr_len(b->w);
	b->xf_next_at = b->xf_start;
	wr_u8(b->w, V1_P_NONE);
	wr_u8(b->w, 0);
	wr_reserve_len16(b->w, &b->xf_mark);
	wr_u8(b->w, number);
	wr_u8(b->w, id);
	wr_u16(b->w, 0);
	b->xf_open = b->xf_any = true;
}

void v1_build_transform_end(struct v1_builder *b)
{
	if (!b->xf_open) {
		bfail(b);
		return;
	}
	wr_close_len16(b->w, b->xf_mark, b->xf_start);
	b->prop_ntrans++;
	b->xf_open = false;
}

void v1_build_proposal_end(struct v1_builder *b)
{
	if (!b->prop_open || b->xf_open) {
		bfail(b);
		return;
	}
	wr_patch_u8(b->w, b->prop_count_at, b->prop_ntrans);
	wr_close_len16(b->w, b->prop_mark, b->prop_start);
	b->prop_open = false;
}

void v1_build_sa_end(struct v1_builder *b)
{
	if (!b->prop_any)
		bfail(b);
	v1_build_end(b);
}
