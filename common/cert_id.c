/*
 * cert_id.c - the identities a certificate vouches for (see cert.h): the
 * subject DN, the subjectAltNames usable as IKE IDs, the match between a
 * configured or received struct id and a certificate (RFC 4945 3.1, RFC
 * 7296 3.5), and Distinguished Names compared as names (RFC 5280 7.1), not
 * as bytes: a peer may encode the same DN with PrintableString where the
 * configuration's text became UTF8String.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cert_impl.h"
#include "common/err.h"

/* ---- DN comparison ---- */

enum {
	TAG_UTF8 = 12, TAG_PRINTABLE = 19, TAG_TELETEX = 20, TAG_IA5 = 22,
	TAG_VISIBLE = 26, TAG_UNIVERSAL = 28, TAG_BMP = 30,
};

static size_t put_utf8(uint32_t cp, uint8_t *o)
{
	if (cp < 0x80) {
		o[0] = (uint8_t)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (uint8_t)(0xc0 | (cp >> 6));
		o[1] = (uint8_t)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (uint8_t)(0xe0 | (cp >> 12));
		o[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (uint8_t)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (uint8_t)(0xf0 | (cp >> 18));
	o[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3f));
	o[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
	o[3] = (uint8_t)(0x80 | (cp & 0x3f));
	return 4;
}

/*
 * A directory string value to its comparable form: UTF-8, leading and
 * trailing spaces removed, inner runs of spaces as one, ASCII letters in
 * lower case (RFC 5280 7.1 / RFC 4518, reduced to what IKE peers send).
 * out holds at least 4 * len bytes. Returns the length, or -1 when the
 * value is not a string type or not well formed for its type.
 */
static long dn_string_norm(unsigned tag, const uint8_t *v, size_t len, uint8_t *out)
{
	size_t o = 0, unit;
	bool space = false;

	switch (tag) {
	case TAG_UTF8: case TAG_PRINTABLE: case TAG_IA5: case TAG_VISIBLE:
	case TAG_TELETEX:
		unit = 1;
		break;
	case TAG_BMP:
		unit = 2;
		break;
	case TAG_UNIVERSAL:
		unit = 4;
		break;
	default:
		return -1;
	}
	if (len % unit)
		return -1;
	for (size_t i = 0; i < len; i += unit) {
		uint32_t cp = v[i];

		if (unit == 2)
			cp = (uint32_t)v[i] << 8 | v[i + 1];
		else if (unit == 4)
			cp = (uint32_t)v[i] << 24 | (uint32_t)v[i + 1] << 16 |
			     (uint32_t)v[i + 2] << 8 | v[i + 3];
		if (cp == ' ') {
			space = o > 0;
			continue;
		}
		if (space)
			out[o++] = ' ';
		space = false;
		if (cp >= 'A' && cp <= 'Z')
			cp += 'a' - 'A';
		if (unit == 1 && tag == TAG_UTF8)
			out[o++] = (uint8_t)cp; /* already UTF-8 */
		else if (cp > 0x10ffff)
			return -1;
		else
			o += put_utf8(cp, out + o); /* Teletex read as Latin-1 */
	}
	return (long)o;
}

static bool ava_value_equal(const gnutls_x509_ava_st *a, const gnutls_x509_ava_st *b)
{
	uint8_t *na, *nb;
	long la, lb;
	bool eq;

	if (a->value.size == b->value.size && a->value_tag == b->value_tag &&
	    memcmp(a->value.data, b->value.data, a->value.size) == 0)
		return true;
	na = malloc(4 * (size_t)a->value.size + 1);
	nb = malloc(4 * (size_t)b->value.size + 1);
	eq = false;
	if (na && nb) {
		la = dn_string_norm(a->value_tag, a->value.data, a->value.size, na);
		lb = dn_string_norm(b->value_tag, b->value.data, b->value.size, nb);
		eq = la >= 0 && la == lb && memcmp(na, nb, (size_t)la) == 0;
	}
	free(na);
	free(nb);
	return eq;
}

static bool ava_equal(const gnutls_x509_ava_st *a, const gnutls_x509_ava_st *b)
{
	return a->oid.size == b->oid.size &&
	       memcmp(a->oid.data, b->oid.data, a->oid.size) == 0 &&
	       ava_value_equal(a, b);
}

/* Number of AVAs in RDN irdn, 0 past the last RDN. */
static int rdn_size(gnutls_x509_dn_t dn, int irdn)
{
	gnutls_x509_ava_st ava;
	int n = 0;

	while (gnutls_x509_dn_get_rdn_ava(dn, irdn, n, &ava) == 0)
		n++;
	return n;
}

/* Every AVA of RDN i in a has an equal one in RDN i of b (same sizes). */
static bool rdn_equal(gnutls_x509_dn_t a, gnutls_x509_dn_t b, int irdn, int n)
{
	for (int i = 0; i < n; i++) {
		gnutls_x509_ava_st va, vb;
		bool found = false;

		if (gnutls_x509_dn_get_rdn_ava(a, irdn, i, &va) < 0)
			return false;
		for (int j = 0; j < n && !found; j++)
			found = gnutls_x509_dn_get_rdn_ava(b, irdn, j, &vb) == 0 &&
				ava_equal(&va, &vb);
		if (!found)
			return false;
	}
	return true;
}

static int dn_import(const uint8_t *der, size_t len, gnutls_x509_dn_t *dn)
{
	gnutls_datum_t d = { (unsigned char *)der, (unsigned)len };

	if (!der || len == 0 || len > ID_MAX_LEN * 4u || !cert_der_exact(der, len))
		return ERR_PARSE;
	if (gnutls_x509_dn_init(dn) < 0)
		return ERR_NOMEM;
	if (gnutls_x509_dn_import(*dn, &d) < 0) {
		gnutls_x509_dn_deinit(*dn);
		return ERR_PARSE;
	}
	return 0;
}

bool cert_dn_equal(const uint8_t *a, size_t a_len, const uint8_t *b, size_t b_len)
{
	gnutls_x509_dn_t da, db;
	bool eq = true;

	if (dn_import(a, a_len, &da) < 0)
		return false;
	if (dn_import(b, b_len, &db) < 0) {
		gnutls_x509_dn_deinit(da);
		return false;
	}
	for (int irdn = 0; eq; irdn++) {
		int na = rdn_size(da, irdn), nb = rdn_size(db, irdn);

		if (na != nb)
			eq = false;
		else if (na == 0)
			break; /* both ended together */
		else
			eq = rdn_equal(da, db, irdn, na);
	}
	gnutls_x509_dn_deinit(da);
	gnutls_x509_dn_deinit(db);
	return eq;
}

int cert_dn_parse(const char *text, struct id **out, char *why, size_t why_len)
{
	gnutls_x509_dn_t dn;
	gnutls_datum_t der = { NULL, 0 };
	const char *err = NULL;
	int rc;

	if (gnutls_x509_dn_init(&dn) < 0)
		return ERR_NOMEM;
	if (gnutls_x509_dn_set_str(dn, text, &err) < 0) {
		gnutls_x509_dn_deinit(dn);
		return cert_why(why, why_len, ERR_PARSE, NULL,
				"not a distinguished name near \"%.40s\"",
				err ? err : text);
	}
	rc = gnutls_x509_dn_export2(dn, GNUTLS_X509_FMT_DER, &der) < 0 ? ERR_PARSE : 0;
	gnutls_x509_dn_deinit(dn);
	if (rc == 0 && der.size <= 2)
		rc = cert_why(why, why_len, ERR_PARSE, NULL, "empty distinguished name");
	if (rc == 0)
		rc = id_new(ID_DER_ASN1_DN, der.data, der.size, out);
	gnutls_free(der.data);
	return rc;
}

const char *cert_dn_str(const uint8_t *dn, size_t dn_len, char *buf, size_t len)
{
	gnutls_x509_dn_t d;
	gnutls_datum_t s = { NULL, 0 };
	size_t i;

	if (len == 0)
		return buf;
	snprintf(buf, len, "<malformed DN>");
	if (dn_import(dn, dn_len, &d) < 0)
		return buf;
	if (gnutls_x509_dn_get_str2(d, &s, 0) == 0) {
		/* escape nothing GnuTLS did not, but keep control bytes out of logs */
		for (i = 0; i < s.size && i + 1 < len; i++)
			buf[i] = (s.data[i] < 0x20 || s.data[i] == 0x7f) ? '?' : (char)s.data[i];
		buf[i] = 0;
	}
	gnutls_free(s.data);
	gnutls_x509_dn_deinit(d);
	return buf;
}

/* ---- identities ---- */

int cert_subject_id(const struct cert *cert, struct id **out)
{
	if (cert->subject_len <= 2) /* SEQUENCE {} */
		return ERR_PARSE;
	return id_new(ID_DER_ASN1_DN, cert->subject, cert->subject_len, out);
}

/*
 * The seq-th subjectAltName: its GnuTLS type and value in buf (size *len).
 * 1 for an entry, 0 past the last, <0 for a broken extension.
 */
static int san_get(const struct cert *cert, unsigned seq, uint8_t *buf,
		   size_t *len, unsigned *type)
{
	size_t size = *len;
	int grc = gnutls_x509_crt_get_subject_alt_name2(cert->crt, seq, buf, &size,
							type, NULL);

	if (grc == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
		return 0;
	if (grc == GNUTLS_E_SHORT_MEMORY_BUFFER) {
		*type = 0; /* too long to be an IKE identity: skipped */
		*len = 0;
		return 1;
	}
	if (grc < 0)
		return -1;
	*len = size;
	return 1;
}

/* The SAN as an IKE identity, or NULL for one that is none. */
static struct id *san_to_id(unsigned type, const uint8_t *v, size_t len)
{
	struct id *id = NULL;
	uint8_t t;

	switch (type) {
	case GNUTLS_SAN_DNSNAME: t = ID_FQDN; break;
	case GNUTLS_SAN_RFC822NAME: t = ID_RFC822_ADDR; break;
	case GNUTLS_SAN_IPADDRESS:
		if (len != 4 && len != 16)
			return NULL;
		t = len == 4 ? ID_IPV4_ADDR : ID_IPV6_ADDR;
		break;
	case GNUTLS_SAN_DN: t = ID_DER_ASN1_DN; break;
	default: return NULL;
	}
	return id_new(t, v, len, &id) == 0 ? id : NULL;
}

/* The i-th SAN that is an identity (directoryName included when dn). */
static int san_id_at(const struct cert *cert, size_t i, bool dn, struct id **out)
{
	uint8_t buf[ID_MAX_LEN + 1];
	size_t seen = 0;

	for (unsigned seq = 0;; seq++) {
		size_t len = sizeof(buf);
		unsigned type = 0;
		int r = san_get(cert, seq, buf, &len, &type);
		struct id *id;

		if (r == 0)
			return ERR_NOTFOUND;
		if (r < 0)
			return ERR_PARSE;
		if (type == GNUTLS_SAN_DN && !dn)
			continue;
		id = san_to_id(type, buf, len);
		if (!id)
			continue;
		if (seen++ == i) {
			*out = id;
			return 0;
		}
		id_free(id);
	}
}

int cert_san_id(const struct cert *cert, size_t i, struct id **out)
{
	return san_id_at(cert, i, false, out);
}

const char *cert_san_str(const struct cert *cert, char *buf, size_t len)
{
	size_t off = 0;
	struct id *id;

	if (len == 0)
		return buf;
	buf[0] = 0;
	for (size_t i = 0; san_id_at(cert, i, false, &id) == 0; i++) {
		char one[ID_STR_MAX];
		const char *kind = id->type == ID_FQDN ? "DNS" :
				   id->type == ID_RFC822_ADDR ? "email" : "IP";
		int n = snprintf(buf + off, len - off, "%s%s:%s", i ? ", " : "", kind,
				 id_str(id, one, sizeof(one)));

		id_free(id);
		if (n < 0 || (size_t)n >= len - off)
			break;
		off += (size_t)n;
	}
	return buf;
}

bool cert_matches_id(const struct cert *cert, const struct id *id)
{
	struct id *san;
	bool match = false;

	if (!cert || !id || id->type == ID_KEY_ID)
		return false;
	if (id->type == ID_DER_ASN1_DN &&
	    cert_dn_equal(cert->subject, cert->subject_len, id->data, id->len))
		return true;
	for (size_t i = 0; !match && san_id_at(cert, i, true, &san) == 0; i++) {
		if (san->type == ID_DER_ASN1_DN && id->type == ID_DER_ASN1_DN)
			match = cert_dn_equal(san->data, san->len, id->data, id->len);
		else
			match = id_equal(san, id);
		id_free(san);
	}
	return match;
}
