/*
 * id_test.c - identities: text forms, data rules per type, comparison, and
 * the ID payload bodies of IKEv2 (RFC 7296 3.5) and IKEv1 (RFC 2407 4.6.2),
 * including Quick Mode identities as traffic selectors.
 */
#include <string.h>

#include "common/err.h"
#include "common/id.h"
#include "testsuite/lib/tap.h"

static void check_text(const char *text, uint8_t type, size_t len, const char *printed)
{
	struct id *id = NULL;
	char buf[ID_STR_MAX];
	int rc = id_parse(text, &id);

	tap_ok(rc == 0 && id && id->type == type && id->len == len, "'%s' is %s, %zu bytes", text,
	       id_type_name(type), len);
	if (id)
		tap_eq_str(id_str(id, buf, sizeof(buf)), printed, "'%s' prints as '%s'", text, printed);
	id_free(id);
}

static void test_text(void)
{
	static const char *const bad[] = {
		"", "keyid:", "keyid:abc", "keyid:zz", "@example.com", "a@b@example.com",
		"user@", "user@bad..name", "bad name", "user name@example.com", ".example.com",
		"asn1dn:", "under-score!.com",
	};

	check_text("192.0.2.1", ID_IPV4_ADDR, 4, "192.0.2.1");
	check_text("2001:db8::1", ID_IPV6_ADDR, 16, "2001:db8::1");
	check_text("vpn.example.com", ID_FQDN, 15, "vpn.example.com");
	check_text("west", ID_FQDN, 4, "west");
	check_text("alice@example.com", ID_RFC822_ADDR, 17, "alice@example.com");
	check_text("keyid:0A1b2c", ID_KEY_ID, 3, "keyid:0a1b2c");
	check_text("asn1dn:3000", ID_DER_ASN1_DN, 2, "asn1dn:3000");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct id *id = (struct id *)1;

		tap_eq_int(id_parse(bad[i], &id), ERR_PARSE, "'%s' is refused", bad[i]);
		tap_ok(id == NULL, "'%s': nothing returned", bad[i]);
	}
}

static void test_rules(void)
{
	static const uint8_t five[5] = { 1, 2, 3, 4, 5 };
	struct id *id = NULL;
	char buf[ID_STR_MAX];

	tap_eq_int(id_new(ID_IPV4_ADDR, five, 5, &id), ERR_PARSE, "IPv4 with 5 bytes refused");
	tap_eq_int(id_new(ID_IPV4_ADDR, five, 3, &id), ERR_PARSE, "IPv4 with 3 bytes refused");
	tap_eq_int(id_new(ID_IPV6_ADDR, five, 4, &id), ERR_PARSE, "IPv6 with 4 bytes refused");
	tap_eq_int(id_new(ID_FQDN, "", 0, &id), ERR_PARSE, "empty FQDN refused");
	tap_eq_int(id_new(ID_FQDN, "ex\0ample.com", 12, &id), ERR_PARSE,
		   "FQDN with an embedded NUL refused");
	tap_eq_int(id_new(ID_FQDN, "example.com\r", 12, &id), ERR_PARSE, "FQDN with CR refused");
	tap_eq_int(id_new(ID_FQDN, "b\xc3\xa4r.example", 12, &id), ERR_PARSE,
		   "FQDN with non-ASCII refused (IDNs travel as A-labels)");
	tap_eq_int(id_new(ID_RFC822_ADDR, "a\0b@example.com", 15, &id), ERR_PARSE,
		   "user@fqdn with an embedded NUL refused");
	tap_eq_int(id_new(ID_RFC822_ADDR, "", 0, &id), ERR_PARSE, "empty user@fqdn refused");
	tap_eq_int(id_new(ID_KEY_ID, "", 0, &id), ERR_PARSE, "empty KEY_ID refused");
	tap_eq_int(id_new(ID_IPV4_ADDR_SUBNET, five, 4, &id), ERR_UNSUPPORTED,
		   "a Quick Mode subnet type is not a phase-1 identity");
	tap_eq_int(id_new(200, five, 4, &id), ERR_UNSUPPORTED, "unknown type refused");
	tap_ok(id == NULL, "nothing made by refusals");

	tap_eq_int(id_new(ID_KEY_ID, "\0\1", 2, &id), 0, "KEY_ID may hold any bytes, NUL too");
	tap_eq_str(id_str(id, buf, sizeof(buf)), "keyid:0001", "printed in hex");
	id_free(id);
	tap_eq_int(id_new(ID_RFC822_ADDR, "j\xc3\xb6rg@ex\\ample.com", 18, &id), 0,
		   "user@fqdn may hold UTF-8");
	tap_eq_str(id_str(id, buf, sizeof(buf)), "j\\xc3\\xb6rg@ex\\x5cample.com",
		   "non-ASCII and backslash print escaped");
	id_free(id);
	tap_eq_int(id_new(ID_FQDN, "example.com", 11, &id), 0, "FQDN made");
	tap_eq_str(id_str(id, buf, 5), "exam", "id_str cuts to the buffer");
	id_free(id);
}

static bool eq_text(const char *a, const char *b)
{
	struct id *x = NULL, *y = NULL;
	bool r;

	id_parse(a, &x);
	id_parse(b, &y);
	r = x && y && id_equal(x, y);
	id_free(x);
	id_free(y);
	return r;
}

static void test_equal(void)
{
	struct id *a = NULL, *b = NULL;

	tap_ok(eq_text("VPN.Example.COM", "vpn.example.com"), "FQDNs compare without case");
	tap_ok(!eq_text("vpn.example.com", "vpn.example.org"), "different FQDNs differ");
	tap_ok(eq_text("alice@EXAMPLE.com", "alice@example.COM"), "user@FQDN: domain without case");
	tap_ok(!eq_text("Alice@example.com", "alice@example.com"), "user@FQDN: local part exact");
	tap_ok(eq_text("192.0.2.1", "192.0.2.1"), "equal addresses");
	tap_ok(!eq_text("192.0.2.1", "192.0.2.2"), "different addresses");
	tap_ok(eq_text("2001:db8::1", "2001:0db8:0:0::1"), "IPv6 compares by bytes, not text");
	tap_ok(!eq_text("keyid:0a", "keyid:0A0b"), "KEY_IDs of other lengths differ");
	tap_ok(eq_text("keyid:0a0B", "keyid:0A0b"), "KEY_IDs compare as bytes");
	tap_ok(!eq_text("west", "keyid:77657374"), "same bytes, other type: different");
	id_new(ID_KEY_ID, "AB", 2, &a);
	id_new(ID_KEY_ID, "ab", 2, &b);
	tap_ok(!id_equal(a, b), "KEY_ID is case-sensitive (bytes)");
	id_free(b);
	id_dup(a, &b);
	tap_ok(b && b != a && id_equal(a, b), "id_dup makes an equal copy");
	id_free(a);
	id_free(b);
}

static void test_v2_wire(void)
{
	static const uint8_t fqdn_body[] = { 2, 0, 0, 0, 'w', 'e', 's', 't' };
	static const uint8_t ipv4_body[] = { 1, 0xff, 0xff, 0xff, 192, 0, 2, 1 };
	static const uint8_t short_ip[] = { 1, 0, 0, 0, 192, 0, 2 };
	static const uint8_t nul_fqdn[] = { 2, 0, 0, 0, 'a', 0, 'b' };
	static const uint8_t empty_fqdn[] = { 2, 0, 0, 0 };
	static const uint8_t truncated[] = { 2, 0, 0 };
	static const uint8_t dn[] = { 9, 0, 0, 0, 0x30, 0x03, 0x31, 0x01, 0x00 };
	uint8_t out[64];
	struct wr w;
	struct rd r;
	struct id *id = NULL;

	rd_init(&r, fqdn_body, sizeof(fqdn_body));
	tap_ok(id_v2_decode(&r, &id) == 0 && id->type == ID_FQDN && id->len == 4 &&
	       memcmp(id->data, "west", 4) == 0, "IKEv2 ID_FQDN decoded");
	tap_ok(rd_done(&r), "decode consumed the whole body");
	wr_init(&w, out, sizeof(out));
	tap_ok(id_v2_encode(&w, id), "and encoded");
	tap_eq_bytes(out, wr_len(&w), fqdn_body, sizeof(fqdn_body), "to the same bytes");
	id_free(id);

	rd_init(&r, ipv4_body, sizeof(ipv4_body));
	tap_ok(id_v2_decode(&r, &id) == 0 && id->type == ID_IPV4_ADDR,
	       "RESERVED bytes are ignored on receipt");
	wr_init(&w, out, sizeof(out));
	id_v2_encode(&w, id);
	tap_ok(wr_len(&w) == 8 && out[1] == 0 && out[2] == 0 && out[3] == 0,
	       "RESERVED is sent as zero");
	wr_init(&w, out, 6);
	tap_ok(!id_v2_encode(&w, id), "encoding into a short buffer fails");
	id_free(id);

	rd_init(&r, short_ip, sizeof(short_ip));
	tap_eq_int(id_v2_decode(&r, &id), ERR_PARSE, "ID_IPV4_ADDR with 3 bytes is malformed");
	rd_init(&r, nul_fqdn, sizeof(nul_fqdn));
	tap_eq_int(id_v2_decode(&r, &id), ERR_PARSE, "ID_FQDN with a NUL is malformed");
	rd_init(&r, empty_fqdn, sizeof(empty_fqdn));
	tap_eq_int(id_v2_decode(&r, &id), ERR_PARSE, "empty ID_FQDN is malformed");
	rd_init(&r, truncated, sizeof(truncated));
	tap_eq_int(id_v2_decode(&r, &id), ERR_TRUNCATED, "a 3-byte body is truncated");
	tap_ok(id == NULL, "nothing returned on failure");
	rd_init(&r, dn, sizeof(dn));
	tap_ok(id_v2_decode(&r, &id) == 0 && id->type == ID_DER_ASN1_DN && id->len == 5,
	       "ID_DER_ASN1_DN kept as opaque bytes");
	id_free(id);
}

static void test_v1_wire(void)
{
	static const uint8_t p1[] = { 3, 17, 0x01, 0xf4, 'a', '@', 'b', '.', 'c' };
	static const uint8_t qm_subnet[] = { 4, 6, 0, 80, 10, 1, 0, 0, 255, 255, 0, 0 };
	static const uint8_t qm_badmask[] = { 4, 0, 0, 0, 10, 1, 0, 0, 255, 0, 255, 0 };
	static const uint8_t qm_range[] = { 7, 0, 0, 0, 10, 0, 0, 1, 10, 0, 0, 9 };
	static const uint8_t qm_backwards[] = { 7, 0, 0, 0, 10, 0, 0, 9, 10, 0, 0, 1 };
	static const uint8_t qm_short[] = { 4, 0, 0, 0, 10, 1, 0, 0, 255, 255 };
	static const uint8_t qm_fqdn[] = { 2, 0, 0, 0, 'x' };
	uint8_t out[64];
	char buf[TS_STR_MAX];
	struct wr w;
	struct rd r;
	struct id *id = NULL;
	struct ts ts;
	uint8_t proto;
	uint16_t port;

	rd_init(&r, p1, sizeof(p1));
	tap_ok(id_v1_decode(&r, &id, &proto, &port) == 0 && id->type == ID_RFC822_ADDR &&
	       proto == 17 && port == 500, "IKEv1 phase-1 ID with UDP/500 decoded");
	wr_init(&w, out, sizeof(out));
	id_v1_encode(&w, id, 17, 500);
	tap_eq_bytes(out, wr_len(&w), p1, sizeof(p1), "and encoded to the same bytes");
	id_free(id);
	rd_init(&r, p1, 3);
	tap_eq_int(id_v1_decode(&r, &id, &proto, &port), ERR_TRUNCATED, "a 3-byte body is truncated");

	rd_init(&r, qm_subnet, sizeof(qm_subnet));
	tap_eq_int(id_v1_decode_ts(&r, &ts), 0, "Quick Mode subnet ID decoded");
	tap_eq_str(ts_str(&ts, buf, sizeof(buf)), "10.1.0.0/16[tcp/80]", "as 10.1.0.0/16[tcp/80]");
	wr_init(&w, out, sizeof(out));
	tap_eq_int(id_v1_encode_ts(&w, &ts), 0, "encoded back");
	tap_eq_bytes(out, wr_len(&w), qm_subnet, sizeof(qm_subnet), "as the same subnet ID");
	rd_init(&r, qm_badmask, sizeof(qm_badmask));
	tap_eq_int(id_v1_decode_ts(&r, &ts), ERR_PARSE, "a mask that is not a prefix is refused");
	rd_init(&r, qm_range, sizeof(qm_range));
	tap_ok(id_v1_decode_ts(&r, &ts) == 0 && strcmp(ts_str(&ts, buf, sizeof(buf)),
						       "10.0.0.1-10.0.0.9") == 0,
	       "Quick Mode range ID decoded: %s", buf);
	wr_init(&w, out, sizeof(out));
	id_v1_encode_ts(&w, &ts);
	tap_eq_bytes(out, wr_len(&w), qm_range, sizeof(qm_range), "and encoded as a range");
	rd_init(&r, qm_backwards, sizeof(qm_backwards));
	tap_eq_int(id_v1_decode_ts(&r, &ts), ERR_PARSE, "a range going down is refused");
	rd_init(&r, qm_short, sizeof(qm_short));
	tap_eq_int(id_v1_decode_ts(&r, &ts), ERR_PARSE, "a subnet ID with a short mask is refused");
	rd_init(&r, qm_fqdn, sizeof(qm_fqdn));
	tap_eq_int(id_v1_decode_ts(&r, &ts), ERR_UNSUPPORTED, "an FQDN is no Quick Mode selector");

	ts_parse("2001:db8::7", &ts);
	wr_init(&w, out, sizeof(out));
	tap_ok(id_v1_encode_ts(&w, &ts) == 0 && out[0] == ID_IPV6_ADDR && wr_len(&w) == 20,
	       "one IPv6 address encodes as ID_IPV6_ADDR");
	ts_parse("10.0.0.0/8[udp/500-501]", &ts);
	wr_init(&w, out, sizeof(out));
	tap_eq_int(id_v1_encode_ts(&w, &ts), ERR_UNSUPPORTED, "a port range has no IKEv1 form");
}

int main(void)
{
	test_text();
	test_rules();
	test_equal();
	test_v2_wire();
	test_v1_wire();
	return tap_done();
}
