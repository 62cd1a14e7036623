/*
 * v2_cert_wire_test.c - the certificate payload bodies (v2_cert_wire.c):
 * CERTREQ (RFC 7296 3.7), SIGNATURE_HASH_ALGORITHMS data (RFC 7427 4) and
 * the method-14 Authentication Data (RFC 7427 3), well-formed and not.
 */
#include <string.h>

#include "common/err.h"
#include "testsuite/lib/tap.h"
#include "v2/v2_cert.h"

static struct v2_bytes bytes(const void *p, size_t len)
{
	return (struct v2_bytes){ .p = p, .len = len };
}

static void test_certreq(void)
{
	uint8_t body[1 + 40];
	struct v2_certreq cr;
	uint8_t other[20];

	memset(body, 0, sizeof(body));
	body[0] = V2_CERT_X509_SIGNATURE;
	memset(body + 1, 0xaa, 20);
	memset(body + 21, 0xbb, 20);
	memset(other, 0xbb, sizeof(other));
	tap_eq_int(v2_cert_parse_certreq(bytes(body, sizeof(body)), &cr), 0, "CERTREQ with two hashes");
	tap_eq_int((long long)cr.n, 2, "two CAs named");
	tap_ok(v2_certreq_names(&cr, other), "the second hash is found");
	other[0] = 0;
	tap_ok(!v2_certreq_names(&cr, other), "another hash is not");
	tap_eq_int(v2_cert_parse_certreq(bytes(body, 30), &cr), ERR_PARSE,
		   "encoding 4 with 29 octets of hashes: malformed");
	tap_eq_int(v2_cert_parse_certreq(bytes(body, 1), &cr), 0, "encoding 4, no hash: any CA");
	tap_eq_int((long long)cr.n, 0, "no CA named");
	tap_eq_int(v2_cert_parse_certreq(bytes(body, 0), &cr), ERR_PARSE, "empty body: malformed");
	body[0] = 12; /* another encoding: not ours to read, not an error */
	tap_eq_int(v2_cert_parse_certreq(bytes(body, 30), &cr), 0, "encoding 12 is skipped");
	tap_eq_int((long long)cr.n, 0, "and names nothing");
}

static void test_sighash(void)
{
	static const uint8_t data[] = { 0, 2, 0, 3, 0, 4, 0, 5, 0x80, 0x01 };
	uint8_t out[16];
	uint32_t mask;
	size_t len;

	tap_eq_int(v2_cert_parse_sighash(bytes(data, sizeof(data)), &mask), 0, "five hash IDs");
	tap_eq_int(mask, (1 << 2) | (1 << 3) | (1 << 4) | (1 << 5), "unknown ID 0x8001 ignored");
	tap_eq_int(v2_cert_parse_sighash(bytes(data, 3), &mask), ERR_PARSE, "odd length: malformed");
	len = v2_cert_sighash_data(V2_SIGHASH_OURS, out, sizeof(out));
	tap_eq_bytes(out, len, data, 8, "ours: SHA2-256, SHA2-384, SHA2-512, Identity");
	tap_eq_int((long long)v2_cert_sighash_data(V2_SIGHASH_OURS, out, 3), 2,
		   "a short buffer takes what fits");
}

static void test_auth14(void)
{
	uint8_t data[1 + 15 + 4] = { 15, 0x30, 13, 6, 9, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 1, 1, 11,
				     5, 0, 1, 2, 3, 4 };
	struct v2_auth14 a;

	tap_eq_int(v2_cert_parse_auth14(bytes(data, sizeof(data)), &a), 0, "AUTH 14 data");
	tap_eq_int((long long)a.alg_id.len, 15, "AlgorithmIdentifier of 15 octets");
	tap_eq_int((long long)a.sig.len, 4, "signature of 4 octets");
	tap_eq_int(v2_cert_parse_auth14(bytes(data, 16), &a), ERR_PARSE, "no signature: malformed");
	data[0] = 40;
	tap_eq_int(v2_cert_parse_auth14(bytes(data, sizeof(data)), &a), ERR_PARSE,
		   "ASN.1 length past the end: malformed");
	data[0] = 15;
	data[1] = 0x31;
	tap_eq_int(v2_cert_parse_auth14(bytes(data, sizeof(data)), &a), ERR_PARSE,
		   "not a SEQUENCE: malformed");
	tap_eq_int(v2_cert_parse_auth14(bytes(data, 0), &a), ERR_PARSE, "empty: malformed");
}

int main(void)
{
	test_certreq();
	test_sighash();
	test_auth14();
	return tap_done();
}
