/*
 * v2_payload_sa.c - the SA payload: proposals, transforms and transform
 * attributes (RFC 7296 3.3, 3.3.1, 3.3.2, 3.3.5).
 *
 *   Proposal:  Last Substruc (0 last / 2 more) | RESERVED | Proposal Length
 *              Proposal Num | Protocol ID | SPI Size | Num Transforms
 *              SPI | Transforms...
 *   Transform: Last Substruc (0 last / 3 more) | RESERVED | Transform Length
 *              Transform Type | RESERVED | Transform ID | Attributes...
 *   Attribute: AF bit + Attribute Type (15 bits) | Length or Value (TV)
 *              [Value, when AF = 0 (TLV)]
 */
#include <string.h>

#include "common/err.h"
#include "v2/v2_names.h"
#include "v2/v2_wire.h"

#define V2_SUBSTRUC_LAST 0
#define V2_PROPOSAL_MORE 2
#define V2_TRANSFORM_MORE 3

/* 3.3.1: the SPI size each protocol allows (IKE: 0 at SA_INIT, 8 when rekeying). */
static bool spi_size_fits(uint8_t protocol, uint8_t spi_size)
{
	switch (protocol) {
	case V2_PROTO_IKE: return spi_size == 0 || spi_size == V2_IKE_SPI_LEN;
	case V2_PROTO_AH:
	case V2_PROTO_ESP: return spi_size == V2_CHILD_SPI_LEN;
	}
	return spi_size <= V2_SPI_MAX;
}

/* Attributes of one transform (3.3.5); only Key Length (TV) is known. */
static int parse_attributes(struct rd *r, struct v2_sa_xform *x)
{
	while (rd_left(r) > 0) {
		uint16_t af_type, val;

		rd_u16(r, &af_type);
		rd_u16(r, &val);
		if (!rd_ok(r))
			return ERR_PARSE;
		if (!(af_type & V2_ATTR_AF)) {
			/* TLV: val is the value's length. */
			if (!rd_skip(r, val))
				return ERR_PARSE;
			x->unknown_attr = true;
			continue;
		}
		if ((af_type & ~V2_ATTR_AF) != V2_ATTR_KEY_LENGTH) {
			x->unknown_attr = true;
			continue;
		}
		if (x->has_key_len)
			return ERR_PARSE; /* two Key Lengths in one transform */
		x->has_key_len = true;
		x->key_bits = val;
	}
	return rd_ok(r) ? 0 : ERR_PARSE;
}

static int parse_transform(struct rd *props, bool *more, struct v2_sa_xform *x)
{
	uint8_t last, reserved, reserved2;
	uint16_t len;
	struct rd body;

	memset(x, 0, sizeof(*x));
	rd_u8(props, &last);
	rd_u8(props, &reserved);
	rd_u16(props, &len);
	if (!rd_ok(props) || len < 8 || !rd_sub(props, len - 4u, &body))
		return ERR_PARSE;
	if (last != V2_SUBSTRUC_LAST && last != V2_TRANSFORM_MORE)
		return ERR_PARSE;
	*more = last == V2_TRANSFORM_MORE;
	rd_u8(&body, &x->type);
	rd_u8(&body, &reserved2);
	rd_u16(&body, &x->id);
	if (!rd_ok(&body))
		return ERR_PARSE;
	return parse_attributes(&body, x);
}

static int parse_proposal(struct rd *r, bool *more, struct v2_sa *sa)
{
	uint8_t last, reserved, n_xf;
	uint16_t len;
	struct rd body;
	struct v2_sa_prop *p;

	if (sa->n_props >= V2_SA_MAX_PROPOSALS)
		return ERR_PARSE;
	p = &sa->props[sa->n_props];
	memset(p, 0, sizeof(*p));
	rd_u8(r, &last);
	rd_u8(r, &reserved);
	rd_u16(r, &len);
	if (!rd_ok(r) || len < 8 || !rd_sub(r, len - 4u, &body))
		return ERR_PARSE;
	if (last != V2_SUBSTRUC_LAST && last != V2_PROPOSAL_MORE)
		return ERR_PARSE;
	*more = last == V2_PROPOSAL_MORE;
	rd_u8(&body, &p->number);
	rd_u8(&body, &p->protocol);
	rd_u8(&body, &p->spi_size);
	rd_u8(&body, &n_xf);
	if (!rd_ok(&body) || !spi_size_fits(p->protocol, p->spi_size) ||
	    !rd_bytes(&body, p->spi, p->spi_size) || n_xf == 0)
		return ERR_PARSE;
	p->first = (uint16_t)sa->n_xforms;
	for (bool xf_more = true; xf_more;) {
		if (rd_left(&body) == 0 || p->n_xforms == n_xf || sa->n_xforms >= V2_SA_MAX_XFORMS)
			return ERR_PARSE; /* fewer transforms than announced, or too many */
		if (parse_transform(&body, &xf_more, &sa->xforms[sa->n_xforms]))
			return ERR_PARSE;
		sa->n_xforms++;
		p->n_xforms++;
	}
	/* The "last" flag, the count and the length must all agree. */
	if (p->n_xforms != n_xf || !rd_done(&body))
		return ERR_PARSE;
	sa->n_props++;
	return 0;
}

int v2_parse_sa(struct v2_bytes body, struct v2_sa *sa)
{
	struct rd r;

	rd_init(&r, body.p, body.len);
	sa->n_props = 0;
	sa->n_xforms = 0;
	for (bool more = true; more;) {
		if (rd_left(&r) == 0 || parse_proposal(&r, &more, sa))
			return ERR_PARSE;
		/* 3.3.1: each proposal is numbered one more than the previous. */
		if (sa->n_props > 1 &&
		    sa->props[sa->n_props - 1].number != sa->props[sa->n_props - 2].number + 1)
			return ERR_PARSE;
	}
	return rd_done(&r) ? 0 : ERR_PARSE;
}

const struct v2_sa_xform *v2_sa_xform_at(const struct v2_sa *sa, const struct v2_sa_prop *p,
					 size_t i)
{
	if (i >= p->n_xforms || (size_t)p->first + i >= sa->n_xforms)
		return NULL;
	return &sa->xforms[p->first + i];
}

int v2_sa_add_prop(struct v2_sa *sa, uint8_t number, uint8_t protocol, const uint8_t *spi,
		   size_t spi_size, struct v2_sa_prop **out)
{
	struct v2_sa_prop *p;

	if (sa->n_props >= V2_SA_MAX_PROPOSALS)
		return ERR_OVERFLOW;
	if (spi_size > V2_SPI_MAX || (spi_size && !spi))
		return ERR_INVAL;
	p = &sa->props[sa->n_props++];
	memset(p, 0, sizeof(*p));
	p->number = number;
	p->protocol = protocol;
	p->spi_size = (uint8_t)spi_size;
	if (spi_size)
		memcpy(p->spi, spi, spi_size);
	p->first = (uint16_t)sa->n_xforms;
	*out = p;
	return 0;
}

int v2_sa_add_xform(struct v2_sa *sa, struct v2_sa_prop *p, uint8_t type, uint16_t id,
		    uint16_t key_bits, bool has_key_len)
{
	struct v2_sa_xform *x;

	/* Transforms of a proposal are contiguous: only the last proposal grows. */
	if (sa->n_props == 0 || p != &sa->props[sa->n_props - 1])
		return ERR_INVAL;
	if (sa->n_xforms >= V2_SA_MAX_XFORMS || p->n_xforms == UINT8_MAX)
		return ERR_OVERFLOW;
	x = &sa->xforms[sa->n_xforms++];
	memset(x, 0, sizeof(*x));
	x->type = type;
	x->id = id;
	x->key_bits = key_bits;
	x->has_key_len = has_key_len;
	p->n_xforms++;
	return 0;
}

static void put_transform(struct wr *w, const struct v2_sa_xform *x, bool more)
{
	size_t start = wr_len(w), mark;

	wr_u8(w, more ? V2_TRANSFORM_MORE : V2_SUBSTRUC_LAST);
	wr_u8(w, 0);
	wr_reserve_len16(w, &mark);
	wr_u8(w, x->type);
	wr_u8(w, 0);
	wr_u16(w, x->id);
	if (x->has_key_len) {
		wr_u16(w, V2_ATTR_AF | V2_ATTR_KEY_LENGTH);
		wr_u16(w, x->key_bits);
	}
	wr_close_len16(w, mark, start);
}

int v2_put_sa(struct v2_chain *c, const struct v2_sa *sa)
{
	size_t start;
	int rc;

	if (sa->n_props == 0)
		return ERR_INVAL;
	rc = v2_chain_open(c, V2_PT_SA, false, &start);
	if (rc)
		return rc;
	for (size_t i = 0; i < sa->n_props; i++) {
		const struct v2_sa_prop *p = &sa->props[i];
		size_t pstart = wr_len(c->w), mark;

		if (p->n_xforms == 0 || p->spi_size > V2_SPI_MAX)
			return ERR_INVAL;
		wr_u8(c->w, i + 1 < sa->n_props ? V2_PROPOSAL_MORE : V2_SUBSTRUC_LAST);
		wr_u8(c->w, 0);
		wr_reserve_len16(c->w, &mark);
		wr_u8(c->w, p->number);
		wr_u8(c->w, p->protocol);
		wr_u8(c->w, p->spi_size);
		wr_u8(c->w, p->n_xforms);
		wr_bytes(c->w, p->spi, p->spi_size);
		for (size_t j = 0; j < p->n_xforms; j++) {
			const struct v2_sa_xform *x = v2_sa_xform_at(sa, p, j);

			if (!x)
				return ERR_INVAL;
			put_transform(c->w, x, j + 1 < p->n_xforms);
		}
		wr_close_len16(c->w, mark, pstart);
	}
	return v2_chain_close(c, start);
}
