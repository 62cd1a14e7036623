/*
 * v2_wire_test.c - the IKEv2 payload codec: build -> parse round trips for
 * every payload type, and the length / count / size errors of each parser.
 */
#include <stdint.h>
#include <string.h>

#include "common/err.h"
#include "common/xform.h"
#include "testsuite/lib/tap.h"
#include "v2/v2_names.h"
#include "v2/v2_wire.h"

static uint8_t buf[4096];
static struct wr w;
static struct v2_chain chain;

static void start(void)
{
	wr_init(&w, buf, sizeof(buf));
	v2_chain_init(&chain, &w, SIZE_MAX);
}

/* The body of the single payload just built. */
static struct v2_bytes body(void)
{
	struct v2_bytes b = { buf + 4, wr_len(&w) - 4 };
	return b;
}

static struct v2_bytes hexb(const uint8_t *p, size_t n)
{
	struct v2_bytes b = { p, n };
	return b;
}

static void test_header(void)
{
	struct v2_header h = { .spi_i = { 1, 2, 3, 4, 5, 6, 7, 8 }, .next_payload = 33,
			       .version = V2_VERSION, .exchange = V2_EXCH_IKE_SA_INIT,
			       .flags = V2_FLAG_INITIATOR, .message_id = 7, .length = 28 };
	struct v2_header g;
	struct rd r;

	wr_init(&w, buf, sizeof(buf));
	tap_eq_int(v2_header_write(&w, &h), 0, "header: write");
	rd_init(&r, buf, wr_len(&w));
	tap_eq_int(v2_header_parse(&r, &g), 0, "header: parse");
	tap_ok(memcmp(&g.spi_i, h.spi_i, 8) == 0 && g.message_id == 7 && g.length == 28 &&
	       g.exchange == 34 && g.flags == V2_FLAG_INITIATOR, "header: fields round trip");
	buf[17] = 0x10;
	rd_init(&r, buf, 28);
	tap_eq_int(v2_header_parse(&r, &g), ERR_PARSE, "header: major version 1 refused");
	buf[17] = 0x21;
	rd_init(&r, buf, 28);
	tap_eq_int(v2_header_parse(&r, &g), 0, "header: minor version ignored (3.1)");
	rd_init(&r, buf, 27);
	tap_eq_int(v2_header_parse(&r, &g), ERR_PARSE, "header: 27 octets refused");
}

static void test_sa_roundtrip(void)
{
	struct v2_sa sa = { 0 }, got;
	struct v2_sa_prop *p;
	const uint8_t spi[4] = { 0xde, 0xad, 0xbe, 0xef };
	size_t len1;
	uint8_t copy[512];

	v2_sa_add_prop(&sa, 1, V2_PROTO_IKE, NULL, 0, &p);
	v2_sa_add_xform(&sa, p, XFORM_ENCR, 12, 256, true);
	v2_sa_add_xform(&sa, p, XFORM_PRF, 5, 0, false);
	v2_sa_add_xform(&sa, p, XFORM_INTEG, 12, 0, false);
	v2_sa_add_xform(&sa, p, XFORM_KE, 14, 0, false);
	v2_sa_add_prop(&sa, 2, V2_PROTO_ESP, spi, 4, &p);
	v2_sa_add_xform(&sa, p, XFORM_ENCR, 20, 128, true);
	v2_sa_add_xform(&sa, p, XFORM_ESN, 0, 0, false);
	tap_eq_int(v2_sa_add_xform(&sa, &sa.props[0], XFORM_KE, 19, 0, false), ERR_INVAL,
		   "SA: a transform can only join the last proposal");
	start();
	tap_eq_int(v2_put_sa(&chain, &sa), 0, "SA: build");
	tap_eq_int(chain.first, V2_PT_SA, "SA: chain remembers the first type");
	tap_eq_int(v2_parse_sa(body(), &got), 0, "SA: parse what was built");
	tap_ok(got.n_props == 2 && got.n_xforms == 6, "SA: 2 proposals, 6 transforms");
	tap_ok(got.props[1].protocol == V2_PROTO_ESP && got.props[1].spi_size == 4 &&
	       memcmp(got.props[1].spi, spi, 4) == 0, "SA: ESP SPI kept");
	tap_ok(got.xforms[0].has_key_len && got.xforms[0].key_bits == 256 &&
	       !got.xforms[1].has_key_len, "SA: Key Length attribute only where set");
	len1 = wr_len(&w);
	memcpy(copy, buf, len1);
	start();
	v2_put_sa(&chain, &got);
	tap_eq_bytes(buf, wr_len(&w), copy, len1, "SA: rebuilt from the parse, same bytes");
}

/* Build one proposal by hand and parse it; `mutate` breaks one thing. */
static int sa_case(int mutate)
{
	uint8_t b[64];
	size_t n = 0;
	struct v2_sa sa;

	/* proposal: last, len, num 1, IKE, spi 0, 2 transforms */
	uint8_t prop[] = { 0, 0, 0, 8 + 12 + 8, 1, 1, 0, 2,
			   3, 0, 0, 12, 1, 0, 0, 12, 0x80, 14, 0, 128, /* ENCR AES-CBC/128 */
			   0, 0, 0, 8, 4, 0, 0, 14 };                  /* KE 14 */
	memcpy(b, prop, sizeof(prop));
	n = sizeof(prop);
	switch (mutate) {
	case 1: b[7] = 3; break;                    /* count says 3, 2 present */
	case 2: b[7] = 1; break;                    /* count says 1, 2 present */
	case 3: b[6] = 4; break;                    /* IKE with a 4-octet SPI */
	case 4: b[0] = 2; break;                    /* "more" on the only proposal */
	case 5: b[8] = 0; break;                    /* transform says last, one follows */
	case 6: b[3] = 7; break;                    /* proposal length below 8 */
	case 7: b[3] = 40; break;                   /* proposal length past the end */
	case 8: b[11] = 4; break;                   /* transform length below 8 */
	case 9: n = 0; break;                       /* empty SA payload */
	case 10: b[5] = V2_PROTO_ESP; break;         /* ESP with SPI size 0 */
	case 11: b[7] = 0; break;                   /* zero transforms */
	case 12: b[8] = 1; break;                   /* Last Substruc 1 (IKEv1's) */
	case 13: b[16] = 0x00; b[17] = 14; b[18] = 0; b[19] = 9; break; /* TLV 9 octets past end */
	}
	return v2_parse_sa(hexb(b, n), &sa);
}

static void test_sa_errors(void)
{
	static const char *what[] = { "well-formed", "count above contents", "count below contents",
		"IKE SPI size 4", "more flag on the last proposal", "transform last flag early",
		"proposal length < 8", "proposal length past the end", "transform length < 8",
		"empty payload", "ESP SPI size 0", "zero transforms", "Last Substruc 1",
		"TLV attribute past the end" };

	tap_eq_int(sa_case(0), 0, "SA: %s", what[0]);
	for (int i = 1; i <= 13; i++)
		tap_eq_int(sa_case(i), ERR_PARSE, "SA: %s refused", what[i]);
}

static void test_sa_attrs(void)
{
	/* Two proposals numbered 1, 3; and a transform with an unknown TV attribute. */
	uint8_t two[] = { 2, 0, 0, 16, 1, 1, 0, 1, 0, 0, 0, 8, 4, 0, 0, 14,
			  0, 0, 0, 16, 3, 1, 0, 1, 0, 0, 0, 8, 4, 0, 0, 14 };
	uint8_t unk[] = { 0, 0, 0, 20, 1, 1, 0, 1, 0, 0, 0, 12, 1, 0, 0, 12, 0x80, 15, 0, 1 };
	uint8_t dup[] = { 0, 0, 0, 24, 1, 1, 0, 1, 0, 0, 0, 16, 1, 0, 0, 12,
			  0x80, 14, 0, 128, 0x80, 14, 1, 0 };
	struct v2_sa sa;

	tap_eq_int(v2_parse_sa(hexb(two, sizeof(two)), &sa), ERR_PARSE,
		   "SA: proposal numbers 1 then 3 refused");
	two[20] = 2;
	tap_eq_int(v2_parse_sa(hexb(two, sizeof(two)), &sa), 0, "SA: proposal numbers 1, 2");
	tap_ok(v2_parse_sa(hexb(unk, sizeof(unk)), &sa) == 0 && sa.xforms[0].unknown_attr,
	       "SA: unknown attribute parsed and flagged");
	tap_eq_int(v2_parse_sa(hexb(dup, sizeof(dup)), &sa), ERR_PARSE,
		   "SA: two Key Length attributes refused");
}

static void test_simple_payloads(void)
{
	uint8_t data[300];
	struct v2_ke ke;
	struct v2_bytes nonce;
	struct v2_id id;
	struct v2_cert cert;
	struct v2_auth auth;

	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)i;
	start();
	v2_put_ke(&chain, 19, data, 64);
	tap_ok(v2_parse_ke(body(), &ke) == 0 && ke.group == 19 && ke.data.len == 64 &&
	       memcmp(ke.data.p, data, 64) == 0, "KE: round trip");
	tap_eq_int(v2_parse_ke(hexb(buf + 4, 4), &ke), ERR_PARSE, "KE: no data refused");
	tap_eq_int(v2_parse_ke(hexb(buf + 4, 3), &ke), ERR_PARSE, "KE: 3 octets refused");
	start();
	tap_eq_int(v2_put_nonce(&chain, data, 15), ERR_INVAL, "Nonce: builder refuses 15 octets");
	v2_put_nonce(&chain, data, 32);
	tap_ok(v2_parse_nonce(body(), &nonce) == 0 && nonce.len == 32, "Nonce: round trip");
	tap_eq_int(v2_parse_nonce(hexb(data, 15), &nonce), ERR_PARSE, "Nonce: 15 octets refused");
	tap_eq_int(v2_parse_nonce(hexb(data, 16), &nonce), 0, "Nonce: 16 octets");
	tap_eq_int(v2_parse_nonce(hexb(data, 256), &nonce), 0, "Nonce: 256 octets");
	tap_eq_int(v2_parse_nonce(hexb(data, 257), &nonce), ERR_PARSE, "Nonce: 257 refused");

	start();
	v2_put_id(&chain, V2_PT_IDI, V2_ID_FQDN, "west", 4);
	tap_ok(v2_parse_id(body(), &id) == 0 && id.type == V2_ID_FQDN && id.data.len == 4 &&
	       memcmp(id.data.p, "west", 4) == 0 && id.body.len == 8, "ID: FQDN round trip");
	start();
	v2_put_id(&chain, V2_PT_IDR, V2_ID_IPV4_ADDR, data, 3);
	tap_eq_int(v2_parse_id(body(), &id), ERR_PARSE, "ID: 3-octet IPv4 refused");
	start();
	v2_put_id(&chain, V2_PT_IDR, V2_ID_IPV6_ADDR, data, 16);
	tap_eq_int(v2_parse_id(body(), &id), 0, "ID: IPv6 16 octets");
	start();
	v2_put_id(&chain, V2_PT_IDR, V2_ID_FQDN, data, 0);
	tap_eq_int(v2_parse_id(body(), &id), ERR_PARSE, "ID: empty FQDN refused");
	start();
	v2_put_id(&chain, V2_PT_IDR, V2_ID_NULL, data, 0);
	tap_eq_int(v2_parse_id(body(), &id), 0, "ID: ID_NULL empty");
	tap_eq_int(v2_put_id(&chain, V2_PT_AUTH, V2_ID_FQDN, data, 1), ERR_INVAL,
		   "ID: builder refuses a non-ID payload type");

	start();
	v2_put_cert(&chain, V2_PT_CERTREQ, 4, data, 20);
	tap_ok(v2_parse_cert(body(), &cert) == 0 && cert.encoding == 4 && cert.data.len == 20 &&
	       buf[0] == 0 && chain.first == V2_PT_CERTREQ, "CERTREQ: round trip");
	start();
	v2_put_auth(&chain, V2_AUTH_SHARED_KEY_MIC, data, 32);
	tap_ok(v2_parse_auth(body(), &auth) == 0 && auth.method == 2 && auth.data.len == 32,
	       "AUTH: round trip");
	tap_eq_int(v2_parse_auth(hexb(buf + 4, 4), &auth), ERR_PARSE, "AUTH: no data refused");
}

static void test_notify_delete(void)
{
	const uint8_t spis[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	uint8_t bad[] = { 3, 4, 0, 11, 1, 2 };
	struct v2_notify n;
	struct v2_delete d;

	start();
	v2_put_notify(&chain, V2_PROTO_ESP, spis, 4, V2_N_REKEY_SA, "xy", 2);
	tap_ok(v2_parse_notify(body(), &n) == 0 && n.protocol == 3 && n.type == V2_N_REKEY_SA &&
	       n.spi.len == 4 && memcmp(n.spi.p, spis, 4) == 0 && n.data.len == 2,
	       "N: round trip with SPI and data");
	tap_eq_int(v2_parse_notify(hexb(bad, sizeof(bad)), &n), ERR_PARSE, "N: SPI past the end");
	bad[1] = 3;
	tap_eq_int(v2_parse_notify(hexb(bad, sizeof(bad)), &n), ERR_PARSE, "N: SPI size 3 refused");
	tap_eq_int(v2_put_notify(&chain, 0, spis, 3, 1, NULL, 0), ERR_INVAL,
		   "N: builder refuses SPI size 3");

	start();
	v2_put_delete(&chain, V2_PROTO_ESP, 4, spis, 2);
	tap_ok(v2_parse_delete(body(), &d) == 0 && d.n_spis == 2 && d.spis.len == 8,
	       "D: two ESP SPIs round trip");
	buf[7] = 3;
	tap_eq_int(v2_parse_delete(body(), &d), ERR_PARSE, "D: count 3 with 2 SPIs refused");
	start();
	v2_put_delete(&chain, V2_PROTO_IKE, 0, NULL, 0);
	tap_eq_int(v2_parse_delete(body(), &d), 0, "D: IKE SA delete");
	start();
	v2_put_delete(&chain, V2_PROTO_IKE, 8, spis, 1);
	tap_eq_int(v2_parse_delete(body(), &d), ERR_PARSE, "D: IKE with an SPI refused");
	start();
	v2_put_delete(&chain, 9, 4, spis, 1);
	tap_eq_int(v2_parse_delete(body(), &d), ERR_PARSE, "D: unknown protocol refused");
}

static void test_ts(void)
{
	struct v2_ts_list ts = { .n = 2 }, got;
	uint8_t seclabel[] = { 1, 0, 0, 0, V2_TS_SECLABEL, 0, 0, 7, 's', 'e', 'c' };

	ts.ts[0] = (struct v2_ts){ .type = V2_TS_IPV4_ADDR_RANGE, .ip_proto = 17, .start_port = 500,
				   .end_port = 500, .addr_len = 4, .start = { 10, 0, 0, 1 },
				   .end = { 10, 0, 0, 255 } };
	ts.ts[1] = (struct v2_ts){ .type = V2_TS_IPV6_ADDR_RANGE, .end_port = 65535,
				   .addr_len = 16, .end = { 0xff, 0xff } };
	start();
	tap_eq_int(v2_put_ts(&chain, V2_PT_TSI, &ts), 0, "TS: build IPv4 + IPv6");
	tap_eq_int(wr_len(&w), 4 + 4 + 16 + 40, "TS: 64 octets");
	tap_ok(v2_parse_ts(body(), &got) == 0 && got.n == 2 && got.ts[0].ip_proto == 17 &&
	       got.ts[0].start_port == 500 && got.ts[0].end[3] == 255 &&
	       got.ts[1].addr_len == 16 && got.ts[1].end[1] == 0xff, "TS: round trip");
	buf[4] = 3;
	tap_eq_int(v2_parse_ts(body(), &got), ERR_PARSE, "TS: count 3 with 2 selectors refused");
	buf[4] = 1;
	tap_eq_int(v2_parse_ts(body(), &got), ERR_PARSE, "TS: count 1 with 2 selectors refused");
	buf[4] = 2;
	buf[11] = 17;
	tap_eq_int(v2_parse_ts(body(), &got), ERR_PARSE, "TS: IPv4 selector length 17 refused");
	buf[4] = 0;
	tap_eq_int(v2_parse_ts(hexb(buf + 4, 4), &got), ERR_PARSE, "TS: count 0 refused");
	tap_ok(v2_parse_ts(hexb(seclabel, sizeof(seclabel)), &got) == 0 &&
	       got.ts[0].type == V2_TS_SECLABEL && got.ts[0].body.len == 7 && got.ts[0].addr_len == 0,
	       "TS: unknown selector type kept with its body");
	ts.ts[0].addr_len = 16;
	tap_eq_int(v2_put_ts(&chain, V2_PT_TSR, &ts), ERR_INVAL,
		   "TS: builder refuses an IPv4 range with 16-octet addresses");
}

static void test_cp_skf_opaque(void)
{
	struct v2_cp cp = { .type = V2_CFG_REQUEST, .n = 2 }, got;
	uint8_t bad_cp[] = { 1, 0, 0, 0, 0, 1, 0, 5, 1, 2 };
	uint8_t skf[] = { 0, 1, 0, 2, 0xaa, 0xbb };
	struct v2_skf f;

	cp.attrs[0].type = 1; /* INTERNAL_IP4_ADDRESS, empty in a request */
	cp.attrs[1] = (struct v2_cp_attr){ .type = 3, .value = { (const uint8_t *)"\x08\x08\x08\x08", 4 } };
	start();
	v2_put_cp(&chain, &cp);
	tap_ok(v2_parse_cp(body(), &got) == 0 && got.type == V2_CFG_REQUEST && got.n == 2 &&
	       got.attrs[1].type == 3 && got.attrs[1].value.len == 4, "CP: round trip");
	tap_eq_int(v2_parse_cp(hexb(bad_cp, sizeof(bad_cp)), &got), ERR_PARSE,
		   "CP: attribute length past the end refused");
	tap_ok(v2_parse_skf(hexb(skf, sizeof(skf)), &f) == 0 && f.number == 1 && f.total == 2 &&
	       f.data.len == 2, "SKF: numbering parsed");
	skf[1] = 3;
	tap_eq_int(v2_parse_skf(hexb(skf, sizeof(skf)), &f), ERR_PARSE, "SKF: number > total refused");
	skf[1] = 0;
	tap_eq_int(v2_parse_skf(hexb(skf, sizeof(skf)), &f), ERR_PARSE, "SKF: number 0 refused");
	start();
	v2_put_vendor(&chain, "dualike", 7);
	v2_put_eap(&chain, "\x01\x02\x00\x05\x01", 5);
	tap_ok(buf[0] == V2_PT_EAP && buf[4] == 'd' && buf[11] == 0 && buf[13] == 0 &&
	       buf[14] == 9, "V then EAP: next payload patched, lengths closed");
	tap_eq_int(v2_payload_check(V2_PT_EAP, hexb(buf + 15, 5)), 0, "EAP: opaque body accepted");
	tap_eq_int(v2_payload_check(200, hexb(buf, 4)), ERR_NOTFOUND, "check: unknown type");
}

static void test_chain_and_overflow(void)
{
	uint8_t small[20];
	struct wr sw;
	struct v2_chain c;
	uint8_t nonce[32] = { 0 };

	wr_init(&sw, small, sizeof(small));
	v2_chain_init(&c, &sw, SIZE_MAX);
	tap_eq_int(v2_put_nonce(&c, nonce, sizeof(nonce)), ERR_OVERFLOW,
		   "builder: overflow reported");
	tap_ok(!wr_ok(&sw), "builder: overflow is sticky in the writer");
	tap_eq_int(v2_put_raw(&c, V2_PT_NONE, false, NULL, 0), ERR_INVAL,
		   "builder: payload type 0 refused");
}

int main(void)
{
	test_header();
	test_sa_roundtrip();
	test_sa_errors();
	test_sa_attrs();
	test_simple_payloads();
	test_notify_delete();
	test_ts();
	test_cp_skf_opaque();
	test_chain_and_overflow();
	return tap_done();
}
