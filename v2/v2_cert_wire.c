/*
 * v2_cert_wire.c - the bodies of the certificate payloads and their notify:
 *
 *   CERTREQ  RFC 7296 3.7   Cert Encoding (4 = X.509 signature) |
 *                           Certification Authority: SHA-1 hashes (20
 *                           octets each) of the trusted CAs' SubjectPublicKeyInfo
 *   AUTH 14  RFC 7427 3     ASN.1 Length (1) | AlgorithmIdentifier (DER) | Signature
 *   N(SIGNATURE_HASH_ALGORITHMS) RFC 7427 4: 2-octet hash algorithm IDs
 *
 * CERT bodies (3.6) are read by v2_parse_cert(); their DER is GnuTLS's.
 * Every byte is read through struct rd.
 */
#include <string.h>

#include "common/err.h"
#include "v2/v2_cert.h"
#include "v2/v2_names.h"

int v2_cert_parse_certreq(struct v2_bytes body, struct v2_certreq *cr)
{
	struct rd r;

	memset(cr, 0, sizeof(*cr));
	rd_init(&r, body.p, body.len);
	rd_u8(&r, &cr->encoding);
	if (!rd_ok(&r))
		return ERR_PARSE;
	cr->hashes.len = rd_left(&r);
	rd_ptr(&r, cr->hashes.len, &cr->hashes.p);
	if (cr->encoding != V2_CERT_X509_SIGNATURE)
		return 0; /* another encoding: nothing we can use, not an error (3.7) */
	if (cr->hashes.len % V2_CERTREQ_HASH_LEN)
		return ERR_PARSE;
	cr->n = cr->hashes.len / V2_CERTREQ_HASH_LEN;
	return 0;
}

bool v2_certreq_names(const struct v2_certreq *cr, const uint8_t hash[V2_CERTREQ_HASH_LEN])
{
	for (size_t i = 0; i < cr->n; i++)
		if (memcmp(cr->hashes.p + i * V2_CERTREQ_HASH_LEN, hash, V2_CERTREQ_HASH_LEN) == 0)
			return true;
	return false;
}

int v2_cert_parse_sighash(struct v2_bytes data, uint32_t *mask)
{
	struct rd r;
	uint16_t id;

	*mask = 0;
	rd_init(&r, data.p, data.len);
	if (data.len % 2)
		return ERR_PARSE;
	while (rd_left(&r)) {
		rd_u16(&r, &id);
		if (id < 32)
			*mask |= UINT32_C(1) << id; /* unknown IDs are ignored (4) */
	}
	return rd_ok(&r) ? 0 : ERR_PARSE;
}

size_t v2_cert_sighash_data(uint32_t mask, uint8_t *out, size_t cap)
{
	size_t n = 0;

	for (uint16_t id = 1; id < 32; id++) {
		if (!(mask & (UINT32_C(1) << id)) || n + 2 > cap)
			continue;
		out[n++] = (uint8_t)(id >> 8);
		out[n++] = (uint8_t)id;
	}
	return n;
}

int v2_cert_parse_auth14(struct v2_bytes data, struct v2_auth14 *a)
{
	struct rd r;
	uint8_t len;

	rd_init(&r, data.p, data.len);
	rd_u8(&r, &len);
	a->alg_id.len = len;
	rd_ptr(&r, len, &a->alg_id.p);
	a->sig.len = rd_left(&r);
	rd_ptr(&r, a->sig.len, &a->sig.p);
	/* an AlgorithmIdentifier is a SEQUENCE; a signature is never empty */
	if (!rd_ok(&r) || len < 2 || a->alg_id.p[0] != 0x30 || a->sig.len == 0)
		return ERR_PARSE;
	return 0;
}
