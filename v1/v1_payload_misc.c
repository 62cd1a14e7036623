/*
 * v1_payload_misc.c - the payloads other than SA: KE (RFC 2408 3.7),
 * ID (RFC 2407 4.6.2), CERT/CR (RFC 2408 3.9, 3.10), HASH (3.11), SIG
 * (3.12), NONCE (3.13, RFC 2409 5 sizes), N (3.14), D (3.15), VID (3.16,
 * with the vendor IDs we act on), NAT-D and NAT-OA (RFC 3947 3.2, 5.1).
 */
#include <string.h>

#include "common/err.h"
#include "v1/v1_wire.h"

int v1_blob_parse(const struct v1_payload *pl, struct v1_blob *b, struct v1_err *e)
{
	b->data = pl->body;
	b->len = pl->body_len;
	if (b->len == 0 && pl->type != V1_P_VID)
		return v1_fail(e, ERR_PARSE, V1_N_PAYLOAD_MALFORMED, pl->type,
			       "empty %s payload", v1_payload_name(pl->type));
	return 0;
}

int v1_nonce_parse(const struct v1_payload *pl, struct v1_blob *b, struct v1_err *e)
{
	b->data = pl->body;
	b->len = pl->body_len;
	if (b->len < V1_NONCE_MIN || b->len > V1_NONCE_MAX)
		return v1_fail(e, ERR_PARSE, V1_N_PAYLOAD_MALFORMED, V1_P_NONCE,
			       "nonce of %zu bytes (RFC 2409 5: 8 to 256)", b->len);
	return 0;
}

/* ---- ID ---- */

static int mask_prefix(const uint8_t *mask, size_t len)
{
	int prefix = 0;
	size_t i = 0;

	for (; i < len && mask[i] == 0xff; i++)
		prefix += 8;
	if (i < len) {
		uint8_t m = mask[i];

		while (m & 0x80) {
			prefix++;
			m = (uint8_t)(m << 1);
		}
		if (m != 0)
			return -1;
		for (i++; i < len; i++)
			if (mask[i] != 0)
				return -1;
	}
	return prefix;
}

int v1_id_parse(const struct v1_payload *pl, struct v1_id *id, struct v1_err *e)
{
	struct rd r;
	size_t alen = 0;
	bool two = false;

	memset(id, 0, sizeof(*id));
	id->prefix_len = -1;
	rd_init(&r, pl->body, pl->body_len);
	rd_u8(&r, &id->type);
	rd_u8(&r, &id->protocol);
	rd_u16(&r, &id->port);
	if (!rd_ok(&r))
		return v1_fail(e, ERR_PARSE, V1_N_PAYLOAD_MALFORMED, V1_P_ID,
			       "ID payload of %zu bytes", pl->body_len);
	id->len = rd_left(&r);
	rd_ptr(&r, id->len, &id->data);
	switch (id->type) {
	case V1_ID_IPV4_ADDR: alen = 4; break;
	case V1_ID_IPV6_ADDR: alen = 16; break;
	case V1_ID_IPV4_ADDR_SUBNET: case V1_ID_IPV4_ADDR_RANGE: alen = 4; two = true; break;
	case V1_ID_IPV6_ADDR_SUBNET: case V1_ID_IPV6_ADDR_RANGE: alen = 16; two = true; break;
	case V1_ID_FQDN: case V1_ID_USER_FQDN: case V1_ID_KEY_ID:
	case V1_ID_DER_ASN1_DN: case V1_ID_DER_ASN1_GN:
		if (id->len == 0)
			return v1_fail(e, ERR_PARSE, V1_N_INVALID_ID_INFORMATION, V1_P_ID,
				       "empty %s", v1_id_type_name(id->type));
		return 0;
	default:
		return v1_fail(e, ERR_UNSUPPORTED, V1_N_INVALID_ID_INFORMATION, V1_P_ID,
			       "ID type %u is not supported", id->type);
	}
	if (id->len != (two ? 2 * alen : alen))
		return v1_fail(e, ERR_PARSE, V1_N_INVALID_ID_INFORMATION, V1_P_ID,
			       "%s with %zu bytes of data (%zu expected)", v1_id_type_name(id->type),
			       id->len, two ? 2 * alen : alen);
	id->family = alen == 4 ? 4 : 6;
	memcpy(id->addr, id->data, alen);
	if (two)
		memcpy(id->addr2, id->data + alen, alen);
	if (!two)
		id->prefix_len = (int)(alen * 8);
	else if (id->type == V1_ID_IPV4_ADDR_SUBNET || id->type == V1_ID_IPV6_ADDR_SUBNET)
		id->prefix_len = mask_prefix(id->addr2, alen);
	return 0;
}

void v1_id_set_addr(struct v1_id *id, int family, const uint8_t *addr)
{
	memset(id, 0, sizeof(*id));
	id->type = family == 6 ? V1_ID_IPV6_ADDR : V1_ID_IPV4_ADDR;
	id->family = family == 6 ? 6 : 4;
	memcpy(id->addr, addr, family == 6 ? 16 : 4);
	id->prefix_len = family == 6 ? 128 : 32;
}

void v1_id_set_subnet(struct v1_id *id, int family, const uint8_t *addr, unsigned prefix)
{
	size_t alen = family == 6 ? 16 : 4;

	memset(id, 0, sizeof(*id));
	id->type = family == 6 ? V1_ID_IPV6_ADDR_SUBNET : V1_ID_IPV4_ADDR_SUBNET;
	id->family = family == 6 ? 6 : 4;
	if (prefix > alen * 8)
		prefix = (unsigned)alen * 8;
	for (size_t i = 0; i < alen; i++) {
		unsigned bits = prefix > i * 8 ? prefix - (unsigned)i * 8 : 0;

		id->addr2[i] = bits >= 8 ? 0xff : (uint8_t)(0xff00u >> bits);
		id->addr[i] = addr[i] & id->addr2[i];
	}
	id->prefix_len = (int)prefix;
}

void v1_id_set_range(struct v1_id *id, int family, const uint8_t *start, const uint8_t *end)
{
	size_t alen = family == 6 ? 16 : 4;

	memset(id, 0, sizeof(*id));
	id->type = family == 6 ? V1_ID_IPV6_ADDR_RANGE : V1_ID_IPV4_ADDR_RANGE;
	id->family = family == 6 ? 6 : 4;
	memcpy(id->addr, start, alen);
	memcpy(id->addr2, end, alen);
	id->prefix_len = -1;
}

void v1_id_set_data(struct v1_id *id, uint8_t type, const uint8_t *data, size_t len)
{
	memset(id, 0, sizeof(*id));
	id->type = type;
	id->data = data;
	id->len = len;
	id->prefix_len = -1;
}

/* ---- CERT / CR ---- */

int v1_cert_parse(const struct v1_payload *pl, struct v1_cert *c, struct v1_err *e)
{
	struct rd r;

	rd_init(&r, pl->body, pl->body_len);
	if (!rd_u8(&r, &c->encoding))
		return v1_fail(e, ERR_PARSE, V1_N_PAYLOAD_MALFORMED, pl->type,
			       "%s payload without an encoding byte", v1_payload_name(pl->type));
	c->len = rd_left(&r);
	rd_ptr(&r, c->len, &c->data);
	/* RFC 2408 3.10: a CR may be empty (any CA); a CERT may not. */
	if (pl->type == V1_P_CERT && c->len == 0)
		return v1_fail(e, ERR_PARSE, V1_N_INVALID_CERTIFICATE, V1_P_CERT,
			       "CERT payload with no certificate data");
	return 0;
}

/* ---- N / D ---- */

int v1_notify_parse(const struct v1_payload *pl, struct v1_notify *n, struct v1_err *e)
{
	struct rd r;

	rd_init(&r, pl->body, pl->body_len);
	rd_u32(&r, &n->doi);
	rd_u8(&r, &n->protocol);
	rd_u8(&r, &n->spi_size);
	rd_u16(&r, &n->type);
	if (!rd_ok(&r))
		return v1_fail(e, ERR_PARSE, V1_N_PAYLOAD_MALFORMED, V1_P_N,
			       "notify payload of %zu bytes", pl->body_len);
	if (n->spi_size > V1_SPI_MAX || !rd_ptr(&r, n->spi_size, &n->spi))
		return v1_fail(e, ERR_PARSE, V1_N_PAYLOAD_MALFORMED, V1_P_N,
			       "notify %s: SPI size %u does not fit", v1_notify_name(n->type),
			       n->spi_size);
	n->data_len = rd_left(&r);
	rd_ptr(&r, n->data_len, &n->data);
	return 0;
}

int v1_delete_parse(const struct v1_payload *pl, struct v1_delete *d, struct v1_err *e)
{
	struct rd r;
	size_t need;

	rd_init(&r, pl->body, pl->body_len);
	rd_u32(&r, &d->doi);
	rd_u8(&r, &d->protocol);
	rd_u8(&r, &d->spi_size);
	rd_u16(&r, &d->n_spis);
	if (!rd_ok(&r))
		return v1_fail(e, ERR_PARSE, V1_N_PAYLOAD_MALFORMED, V1_P_D,
			       "delete payload of %zu bytes", pl->body_len);
	if (d->spi_size == 0 || d->spi_size > V1_SPI_MAX || d->n_spis == 0 ||
	    d->n_spis > V1_DELETE_MAX_SPIS)
		return v1_fail(e, ERR_PARSE, V1_N_PAYLOAD_MALFORMED, V1_P_D,
			       "delete with %u SPIs of %u bytes", d->n_spis, d->spi_size);
	need = (size_t)d->spi_size * d->n_spis;
	if (rd_left(&r) != need || !rd_ptr(&r, need, &d->spis))
		return v1_fail(e, ERR_PARSE, V1_N_PAYLOAD_MALFORMED, V1_P_D,
			       "delete: %u SPIs of %u bytes need %zu bytes, %zu present",
			       d->n_spis, d->spi_size, need, rd_left(&r));
	return 0;
}

/* ---- VID ---- */

struct vid_row {
	enum v1_vid_kind kind;
	const char *name;
	uint8_t len;       /* bytes to compare */
	bool prefix;       /* the VID may be longer (version or capability bytes) */
	uint8_t bytes[16];
};

/*
 * NAT-T: MD5 of the draft name or "RFC 3947" (RFC 3947 3.1); 02n is MD5 of
 * the draft name with a trailing newline, as early implementations sent it.
 * DPD: RFC 3706 6 (version 1.0). Fragmentation: MD5("FRAGMENTATION"),
 * followed by capability bytes. Names as Zeek prints them.
 */
static const struct vid_row vids[] = {
	{ V1_VID_NATT_RFC3947, "RFC 3947 NAT-T", 16, false,
	  { 0x4a, 0x13, 0x1c, 0x81, 0x07, 0x03, 0x58, 0x45, 0x5c, 0x57, 0x28, 0xf2, 0x0e, 0x95, 0x45, 0x2f } },
	{ V1_VID_NATT_DRAFT_02, "draft-ietf-ipsec-nat-t-ike-02", 16, false,
	  { 0xcd, 0x60, 0x46, 0x43, 0x35, 0xdf, 0x21, 0xf8, 0x7c, 0xfd, 0xb2, 0xfc, 0x68, 0xb6, 0xa4, 0x48 } },
	{ V1_VID_NATT_DRAFT_02N, "draft-ietf-ipsec-nat-t-ike-02\\n", 16, false,
	  { 0x90, 0xcb, 0x80, 0x91, 0x3e, 0xbb, 0x69, 0x6e, 0x08, 0x63, 0x81, 0xb5, 0xec, 0x42, 0x7b, 0x1f } },
	{ V1_VID_NATT_DRAFT_03, "draft-ietf-ipsec-nat-t-ike-03", 16, false,
	  { 0x7d, 0x94, 0x19, 0xa6, 0x53, 0x10, 0xca, 0x6f, 0x2c, 0x17, 0x9d, 0x92, 0x15, 0x52, 0x9d, 0x56 } },
	{ V1_VID_NATT_DRAFT_OTHER, "draft-ietf-ipsec-nat-t-ike-00", 16, false,
	  { 0x44, 0x85, 0x15, 0x2d, 0x18, 0xb6, 0xbb, 0xcd, 0x0b, 0xe8, 0xa8, 0x46, 0x95, 0x79, 0xdd, 0xcc } },
	{ V1_VID_NATT_DRAFT_OTHER, "draft-ietf-ipsec-nat-t-ike-01", 16, false,
	  { 0x16, 0xf6, 0xca, 0x16, 0xe4, 0xa4, 0x06, 0x6d, 0x83, 0x82, 0x1a, 0x0f, 0x0a, 0xea, 0xa8, 0x62 } },
	{ V1_VID_NATT_DRAFT_OTHER, "draft-ietf-ipsec-nat-t-ike-04", 16, false,
	  { 0x99, 0x09, 0xb6, 0x4e, 0xed, 0x93, 0x7c, 0x65, 0x73, 0xde, 0x52, 0xac, 0xe9, 0x52, 0xfa, 0x6b } },
	{ V1_VID_NATT_DRAFT_OTHER, "draft-ietf-ipsec-nat-t-ike-05", 16, false,
	  { 0x80, 0xd0, 0xbb, 0x3d, 0xef, 0x54, 0x56, 0x5e, 0xe8, 0x46, 0x45, 0xd4, 0xc8, 0x5c, 0xe3, 0xee } },
	{ V1_VID_NATT_DRAFT_OTHER, "draft-ietf-ipsec-nat-t-ike-06", 16, false,
	  { 0x4d, 0x1e, 0x0e, 0x13, 0x6d, 0xea, 0xfa, 0x34, 0xc4, 0xf3, 0xea, 0x9f, 0x02, 0xec, 0x72, 0x85 } },
	{ V1_VID_NATT_DRAFT_OTHER, "draft-ietf-ipsec-nat-t-ike-07", 16, false,
	  { 0x43, 0x9b, 0x59, 0xf8, 0xba, 0x67, 0x6c, 0x4c, 0x77, 0x37, 0xae, 0x22, 0xea, 0xb8, 0xf5, 0x82 } },
	{ V1_VID_NATT_DRAFT_OTHER, "draft-ietf-ipsec-nat-t-ike-08", 16, false,
	  { 0x8f, 0x8d, 0x83, 0x82, 0x6d, 0x24, 0x6b, 0x6f, 0xc7, 0xa8, 0xa6, 0xa4, 0x28, 0xc1, 0x1d, 0xe8 } },
	{ V1_VID_DPD, "Dead Peer Detection", 16, false,
	  { 0xaf, 0xca, 0xd7, 0x13, 0x68, 0xa1, 0xf1, 0xc9, 0x6b, 0x86, 0x96, 0xfc, 0x77, 0x57, 0x01, 0x00 } },
	{ V1_VID_FRAGMENTATION, "FRAGMENTATION", 16, true,
	  { 0x40, 0x48, 0xb7, 0xd5, 0x6e, 0xbc, 0xe8, 0x85, 0x25, 0xe7, 0xde, 0x7f, 0x00, 0xd6, 0xc2, 0xd3 } },
	{ V1_VID_XAUTH, "XAUTH", 8, false,
	  { 0x09, 0x00, 0x26, 0x89, 0xdf, 0xd6, 0xb7, 0x12 } },
	{ V1_VID_CISCO_UNITY, "Cisco Unity", 14, true,
	  { 0x12, 0xf5, 0xf2, 0x8c, 0x45, 0x71, 0x68, 0xa9, 0x70, 0x2d, 0x9f, 0xe2, 0x74, 0xcc } },
};

enum v1_vid_kind v1_vid_classify(const uint8_t *data, size_t len, const char **name)
{
	for (size_t i = 0; i < sizeof(vids) / sizeof(vids[0]); i++) {
		const struct vid_row *v = &vids[i];

		if ((v->prefix ? len >= v->len : len == v->len) &&
		    memcmp(data, v->bytes, v->len) == 0) {
			if (name)
				*name = v->name;
			return v->kind;
		}
	}
	if (name)
		*name = "UNKNOWN";
	return V1_VID_UNKNOWN;
}

const uint8_t *v1_vid_bytes(enum v1_vid_kind kind, size_t *len)
{
	for (size_t i = 0; i < sizeof(vids) / sizeof(vids[0]); i++)
		if (vids[i].kind == kind && kind != V1_VID_UNKNOWN &&
		    kind != V1_VID_NATT_DRAFT_OTHER && kind != V1_VID_CISCO_UNITY) {
			*len = vids[i].len;
			return vids[i].bytes;
		}
	*len = 0;
	return NULL;
}

/* ---- NAT-OA ---- */

int v1_natoa_parse(const struct v1_payload *pl, struct v1_natoa *o, struct v1_err *e)
{
	struct rd r;
	uint8_t type = 0, reserved[3] = { 0 };

	memset(o, 0, sizeof(*o));
	rd_init(&r, pl->body, pl->body_len);
	rd_u8(&r, &type);
	rd_bytes(&r, reserved, 3);
	if (rd_ok(&r) && (reserved[0] | reserved[1] | reserved[2]))
		return v1_fail(e, ERR_PARSE, V1_N_PAYLOAD_MALFORMED, pl->type,
			       "NAT-OA with non-zero reserved bytes (RFC 3947 5.2: must be zero)");
	if (rd_ok(&r) && type == V1_ID_IPV4_ADDR && rd_left(&r) == 4)
		o->family = 4;
	else if (rd_ok(&r) && type == V1_ID_IPV6_ADDR && rd_left(&r) == 16)
		o->family = 6;
	else
		return v1_fail(e, ERR_PARSE, V1_N_PAYLOAD_MALFORMED, pl->type,
			       "NAT-OA of %zu bytes, ID type %u (RFC 3947 5.2: an IPv4 or IPv6 address)",
			       pl->body_len, type);
	rd_bytes(&r, o->addr, o->family == 4 ? 4 : 16);
	return 0;
}

int v1_payload_check(const struct v1_payload *pl, struct v1_err *e)
{
	union {
		struct v1_sa sa;
		struct v1_blob blob;
		struct v1_id id;
		struct v1_cert cert;
		struct v1_notify n;
		struct v1_delete d;
		struct v1_natoa oa;
	} u;

	switch (pl->type) {
	case V1_P_SA: return v1_sa_parse(pl, &u.sa, e);
	case V1_P_KE: case V1_P_HASH: case V1_P_SIG: case V1_P_VID:
	case V1_P_NAT_D: case V1_P_NAT_D_DRAFT:
		return v1_blob_parse(pl, &u.blob, e);
	case V1_P_NONCE: return v1_nonce_parse(pl, &u.blob, e);
	case V1_P_ID: return v1_id_parse(pl, &u.id, e);
	case V1_P_CERT: case V1_P_CR: return v1_cert_parse(pl, &u.cert, e);
	case V1_P_N: return v1_notify_parse(pl, &u.n, e);
	case V1_P_D: return v1_delete_parse(pl, &u.d, e);
	case V1_P_NAT_OA: case V1_P_NAT_OA_DRAFT: return v1_natoa_parse(pl, &u.oa, e);
	default: return 0;
	}
}
