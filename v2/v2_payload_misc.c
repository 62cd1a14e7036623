/*
 * v2_payload_misc.c - the fixed-layout payloads of RFC 7296 3.4-3.12 and
 * the SKF numbering of RFC 7383 2.5:
 *
 *   KE     3.4   Group Num (2) | RESERVED (2) | Key Exchange Data
 *   IDx    3.5   ID Type | RESERVED (3) | Identification Data
 *   CERT   3.6   Cert Encoding | Certificate Data        (CERTREQ 3.7 alike)
 *   AUTH   3.8   Auth Method | RESERVED (3) | Authentication Data
 *   Nx     3.9   Nonce Data (16..256 octets)
 *   N      3.10  Protocol ID | SPI Size | Notify Type (2) | SPI | Data
 *   D      3.11  Protocol ID | SPI Size | Num of SPIs (2) | SPIs
 *   V      3.12  Vendor ID (opaque)
 *   EAP    3.16  EAP message (opaque here)
 *   SKF    7383  Fragment Number (2) | Total Fragments (2) | IV | ... | ICV
 */
#include <string.h>

#include "common/err.h"
#include "v2/v2_names.h"
#include "v2/v2_wire.h"

static void rest(struct rd *r, struct v2_bytes *out)
{
	out->len = rd_left(r);
	if (!rd_ptr(r, out->len, &out->p))
		out->p = NULL;
}

int v2_parse_ke(struct v2_bytes body, struct v2_ke *ke)
{
	struct rd r;

	rd_init(&r, body.p, body.len);
	rd_u16(&r, &ke->group);
	rd_skip(&r, 2);
	rest(&r, &ke->data);
	return rd_ok(&r) && ke->data.len > 0 ? 0 : ERR_PARSE;
}

int v2_parse_nonce(struct v2_bytes body, struct v2_bytes *nonce)
{
	if (body.len < V2_NONCE_MIN || body.len > V2_NONCE_MAX)
		return ERR_PARSE;
	*nonce = body;
	return 0;
}

int v2_parse_id(struct v2_bytes body, struct v2_id *id)
{
	struct rd r;

	rd_init(&r, body.p, body.len);
	rd_u8(&r, &id->type);
	rd_skip(&r, 3);
	rest(&r, &id->data);
	id->body = body;
	if (!rd_ok(&r))
		return ERR_PARSE;
	switch (id->type) {
	case V2_ID_IPV4_ADDR: return id->data.len == 4 ? 0 : ERR_PARSE;
	case V2_ID_IPV6_ADDR: return id->data.len == 16 ? 0 : ERR_PARSE;
	case V2_ID_NULL: return 0; /* RFC 7619 3: empty, and its content ignored */
	}
	return id->data.len > 0 ? 0 : ERR_PARSE;
}

int v2_parse_cert(struct v2_bytes body, struct v2_cert *cert)
{
	struct rd r;

	rd_init(&r, body.p, body.len);
	rd_u8(&r, &cert->encoding);
	rest(&r, &cert->data);
	return rd_ok(&r) ? 0 : ERR_PARSE;
}

int v2_parse_auth(struct v2_bytes body, struct v2_auth *auth)
{
	struct rd r;

	rd_init(&r, body.p, body.len);
	rd_u8(&r, &auth->method);
	rd_skip(&r, 3);
	rest(&r, &auth->data);
	return rd_ok(&r) && auth->data.len > 0 ? 0 : ERR_PARSE;
}

int v2_parse_notify(struct v2_bytes body, struct v2_notify *n)
{
	struct rd r;
	uint8_t spi_size;

	rd_init(&r, body.p, body.len);
	rd_u8(&r, &n->protocol);
	rd_u8(&r, &spi_size);
	rd_u16(&r, &n->type);
	n->spi.len = spi_size;
	rd_ptr(&r, spi_size, &n->spi.p);
	rest(&r, &n->data);
	/* 3.10: no SPI (0), a Child SA SPI (4) or an IKE SPI (8, e.g. INVALID_IKE_SPI). */
	if (!rd_ok(&r) || (spi_size != 0 && spi_size != V2_CHILD_SPI_LEN &&
			   spi_size != V2_IKE_SPI_LEN))
		return ERR_PARSE;
	return 0;
}

int v2_parse_delete(struct v2_bytes body, struct v2_delete *d)
{
	struct rd r;

	rd_init(&r, body.p, body.len);
	rd_u8(&r, &d->protocol);
	rd_u8(&r, &d->spi_size);
	rd_u16(&r, &d->n_spis);
	rest(&r, &d->spis);
	if (!rd_ok(&r))
		return ERR_PARSE;
	switch (d->protocol) {
	case V2_PROTO_IKE:
		/* 3.11: the IKE SA is named by the header; SPI size and count are 0. */
		return d->spi_size == 0 && d->n_spis == 0 && d->spis.len == 0 ? 0 : ERR_PARSE;
	case V2_PROTO_AH:
	case V2_PROTO_ESP:
		return d->spi_size == V2_CHILD_SPI_LEN && d->n_spis > 0 &&
		       d->spis.len == (size_t)d->n_spis * V2_CHILD_SPI_LEN ? 0 : ERR_PARSE;
	}
	return ERR_PARSE;
}

int v2_parse_skf(struct v2_bytes body, struct v2_skf *skf)
{
	struct rd r;

	rd_init(&r, body.p, body.len);
	rd_u16(&r, &skf->number);
	rd_u16(&r, &skf->total);
	rest(&r, &skf->data);
	if (!rd_ok(&r) || skf->number == 0 || skf->total == 0 || skf->number > skf->total)
		return ERR_PARSE;
	return 0;
}

/* ---- builders ---- */

/* A payload whose body is a fixed prefix of `pre_len` octets and data. */
static int put_prefixed(struct v2_chain *c, uint8_t type, const uint8_t *pre, size_t pre_len,
			const void *data, size_t len)
{
	size_t start;
	int rc = v2_chain_open(c, type, false, &start);

	if (rc)
		return rc;
	wr_bytes(c->w, pre, pre_len);
	wr_bytes(c->w, data, len);
	return v2_chain_close(c, start);
}

int v2_put_ke(struct v2_chain *c, uint16_t group, const void *data, size_t len)
{
	uint8_t pre[4] = { (uint8_t)(group >> 8), (uint8_t)group, 0, 0 };

	if (len == 0)
		return ERR_INVAL;
	return put_prefixed(c, V2_PT_KE, pre, sizeof(pre), data, len);
}

int v2_put_nonce(struct v2_chain *c, const void *nonce, size_t len)
{
	if (len < V2_NONCE_MIN || len > V2_NONCE_MAX)
		return ERR_INVAL;
	return put_prefixed(c, V2_PT_NONCE, NULL, 0, nonce, len);
}

int v2_put_id(struct v2_chain *c, uint8_t payload, uint8_t id_type, const void *data, size_t len)
{
	uint8_t pre[4] = { id_type, 0, 0, 0 };

	if (payload != V2_PT_IDI && payload != V2_PT_IDR)
		return ERR_INVAL;
	return put_prefixed(c, payload, pre, sizeof(pre), data, len);
}

int v2_put_cert(struct v2_chain *c, uint8_t payload, uint8_t encoding, const void *data,
		size_t len)
{
	if (payload != V2_PT_CERT && payload != V2_PT_CERTREQ)
		return ERR_INVAL;
	return put_prefixed(c, payload, &encoding, 1, data, len);
}

int v2_put_auth(struct v2_chain *c, uint8_t method, const void *data, size_t len)
{
	uint8_t pre[4] = { method, 0, 0, 0 };

	if (len == 0)
		return ERR_INVAL;
	return put_prefixed(c, V2_PT_AUTH, pre, sizeof(pre), data, len);
}

int v2_put_notify(struct v2_chain *c, uint8_t protocol, const void *spi, size_t spi_len,
		  uint16_t type, const void *data, size_t len)
{
	uint8_t pre[4 + V2_IKE_SPI_LEN] = { protocol, (uint8_t)spi_len, (uint8_t)(type >> 8),
					    (uint8_t)type };

	if (spi_len != 0 && spi_len != V2_CHILD_SPI_LEN && spi_len != V2_IKE_SPI_LEN)
		return ERR_INVAL;
	if (spi_len)
		memcpy(pre + 4, spi, spi_len);
	return put_prefixed(c, V2_PT_N, pre, 4 + spi_len, data, len);
}

int v2_put_delete(struct v2_chain *c, uint8_t protocol, uint8_t spi_size, const void *spis,
		  uint16_t n_spis)
{
	uint8_t pre[4] = { protocol, spi_size, (uint8_t)(n_spis >> 8), (uint8_t)n_spis };

	return put_prefixed(c, V2_PT_D, pre, sizeof(pre), spis, (size_t)spi_size * n_spis);
}

int v2_put_vendor(struct v2_chain *c, const void *data, size_t len)
{
	return put_prefixed(c, V2_PT_V, NULL, 0, data, len);
}

int v2_put_eap(struct v2_chain *c, const void *data, size_t len)
{
	return put_prefixed(c, V2_PT_EAP, NULL, 0, data, len);
}
