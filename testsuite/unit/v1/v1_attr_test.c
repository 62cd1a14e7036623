/*
 * v1_attr_test.c - SA attributes both ways (RFC 2408 3.3), phase-1 and
 * IPsec DOI decoding into common/xform.h rows (RFC 2409 appendix A,
 * RFC 2407 4.5), and every refusal rule listed in v1_attr.h.
 */
#include <string.h>

#include "common/err.h"
#include "testsuite/lib/tap.h"
#include "v1/v1_attr.h"

static uint8_t buf[256];
static struct wr w;

static void reset(void)
{
	wr_init(&w, buf, sizeof(buf));
}

static void test_forms(void)
{
	struct rd r;
	struct v1_attr a;
	uint64_t v;

	reset();
	v1_attr_put_basic(&w, V1_IKE_HASH_ALGORITHM, 2);
	v1_attr_put_uint(&w, V1_IKE_LIFE_DURATION, 28800);      /* fits: basic */
	v1_attr_put_uint(&w, V1_IKE_LIFE_DURATION, 86400);      /* 4-byte variable */
	v1_attr_put_uint(&w, V1_IKE_LIFE_DURATION, 1ull << 40); /* 8-byte variable */
	tap_eq_bytes(buf, 4, (const uint8_t[]){ 0x80, 0x02, 0x00, 0x02 }, 4, "basic: AF bit, value");
	tap_eq_bytes(buf + 8, 8, (const uint8_t[]){ 0x00, 0x0c, 0x00, 0x04, 0x00, 0x01, 0x51, 0x80 }, 8,
		     "variable: type, length 4, 86400");
	rd_init(&r, buf, wr_len(&w));
	tap_ok(v1_attr_read(&r, &a) && a.basic && a.type == 2 && a.value == 2, "read basic");
	tap_ok(v1_attr_read(&r, &a) && a.basic && a.value == 28800, "28800 went basic");
	tap_ok(v1_attr_read(&r, &a) && !a.basic && a.len == 4 && v1_attr_uint(&a, &v) && v == 86400,
	       "read variable 86400");
	tap_ok(v1_attr_read(&r, &a) && a.len == 8 && v1_attr_uint(&a, &v) && v == 1ull << 40,
	       "read variable 2^40");
	tap_ok(!v1_attr_read(&r, &a) && rd_ok(&r), "end of list is not an error");
	tap_eq_int(v1_attr_walk(buf, wr_len(&w) - 1, NULL), ERR_PARSE, "list cut inside an attribute");
	tap_eq_int(v1_attr_walk(buf, 2, NULL), ERR_PARSE, "list cut inside a header");
	tap_eq_int(v1_attr_walk(buf, 0, NULL), 0, "empty list is fine");
}

static int p1(struct v1_p1_attrs *o, struct v1_err *e)
{
	return v1_attr_decode_p1(buf, wr_len(&w), o, e);
}

static void p1_base(uint16_t encr, uint16_t keylen)
{
	reset();
	v1_attr_put_basic(&w, V1_IKE_ENCRYPTION_ALGORITHM, encr);
	if (keylen)
		v1_attr_put_basic(&w, V1_IKE_KEY_LENGTH, keylen);
	v1_attr_put_basic(&w, V1_IKE_HASH_ALGORITHM, 4);
	v1_attr_put_basic(&w, V1_IKE_GROUP_DESCRIPTION, 14);
	v1_attr_put_basic(&w, V1_IKE_AUTHENTICATION_METHOD, V1_AUTH_PSK);
}

static void test_phase1(void)
{
	struct v1_p1_attrs o, o2;
	struct v1_err e = { 0 };
	uint8_t copy[256];
	size_t len;

	p1_base(7, 256);
	v1_attr_put_basic(&w, V1_IKE_LIFE_TYPE, V1_LIFE_SECONDS);
	v1_attr_put_var(&w, V1_IKE_LIFE_DURATION, (const uint8_t[]){ 0, 1, 0x51, 0x80 }, 4);
	v1_attr_put_basic(&w, V1_IKE_LIFE_TYPE, V1_LIFE_KILOBYTES);
	v1_attr_put_basic(&w, V1_IKE_LIFE_DURATION, 1000);
	tap_ok(p1(&o, &e) == 0, "AES-256/SHA-256/MODP-2048/PSK with two lifetimes: %s", e.text);
	tap_ok(o.x_encr && strcmp(o.x_encr->name, "aes256") == 0, "maps to xform aes256");
	tap_ok(o.x_hash && strcmp(o.x_hash->name, "prfsha256") == 0, "hash maps to prfsha256");
	tap_ok(o.x_group && strcmp(o.x_group->name, "modp2048") == 0, "group maps to modp2048");
	tap_ok(o.life_seconds == 86400 && o.life_kbytes == 1000, "life 86400 s (variable), 1000 KB (basic)");
	/* encode, decode again: same values */
	reset();
	tap_ok(v1_attr_encode_p1(&w, &o), "encode");
	len = wr_len(&w);
	memcpy(copy, buf, len);
	tap_ok(v1_attr_decode_p1(copy, len, &o2, NULL) == 0 && o2.encr == 7 && o2.key_len == 256 &&
	       o2.life_seconds == 86400 && o2.life_kbytes == 1000 && o2.x_encr == o.x_encr,
	       "encode/decode round trip");

	p1_base(7, 0);
	tap_ok(p1(&o, NULL) == 0 && o.x_encr && o.x_encr->key_bits == 128,
	       "AES without key length: the default row (128)");
	p1_base(5, 0);
	tap_ok(p1(&o, NULL) == 0 && o.x_encr && strcmp(o.x_encr->name, "3des") == 0, "3DES");
	p1_base(5, 192);
	tap_ok(p1(&o, &e) == ERR_PARSE && e.notify == V1_N_BAD_PROPOSAL_SYNTAX,
	       "key length with fixed-length 3DES refused: %s", e.text);
	p1_base(7, 0);
	v1_attr_put_basic(&w, V1_IKE_KEY_LENGTH, 0);
	tap_ok(p1(&o, &e) == ERR_PARSE && strstr(e.text, "key length 0"), "zero key length refused");
	p1_base(7, 128);
	v1_attr_put_basic(&w, V1_IKE_HASH_ALGORITHM, 2);
	tap_ok(p1(&o, &e) == ERR_PARSE && strstr(e.text, "duplicate"), "duplicate hash refused: %s", e.text);
	p1_base(7, 128);
	v1_attr_put_var(&w, V1_IKE_GROUP_TYPE, (const uint8_t[]){ 0, 1 }, 2);
	tap_ok(p1(&o, &e) == ERR_PARSE && strstr(e.text, "variable form"),
	       "basic-only class in variable form refused: %s", e.text);
	p1_base(7, 128);
	v1_attr_put_basic(&w, V1_IKE_LIFE_TYPE, V1_LIFE_SECONDS);
	v1_attr_put_var(&w, V1_IKE_LIFE_DURATION, (const uint8_t[9]){ 0 }, 9);
	tap_ok(p1(&o, &e) == ERR_PARSE && strstr(e.text, "9 bytes"), "9-byte duration refused: %s", e.text);
	p1_base(7, 128);
	v1_attr_put_basic(&w, V1_IKE_LIFE_DURATION, 3600);
	tap_ok(p1(&o, &e) == ERR_PARSE && strstr(e.text, "without a life type"),
	       "duration without type refused");
	p1_base(7, 128);
	v1_attr_put_basic(&w, V1_IKE_LIFE_TYPE, V1_LIFE_SECONDS);
	tap_ok(p1(&o, &e) == ERR_PARSE && strstr(e.text, "not followed"), "type without duration refused");
	p1_base(7, 128);
	v1_attr_put_basic(&w, V1_IKE_LIFE_TYPE, V1_LIFE_SECONDS);
	v1_attr_put_basic(&w, V1_IKE_LIFE_DURATION, 3600);
	v1_attr_put_basic(&w, V1_IKE_LIFE_TYPE, V1_LIFE_SECONDS);
	v1_attr_put_basic(&w, V1_IKE_LIFE_DURATION, 7200);
	tap_ok(p1(&o, &e) == ERR_PARSE && strstr(e.text, "duplicate life type"), "life type seconds twice refused");
	p1_base(7, 128);
	v1_attr_put_basic(&w, 16400, 1); /* private-use class */
	tap_ok(p1(&o, &e) == ERR_UNSUPPORTED && e.notify == V1_N_ATTRIBUTES_NOT_SUPPORTED,
	       "unknown class makes the transform unacceptable: %s", e.text);
	p1_base(7, 128);
	v1_attr_put_var(&w, V1_IKE_GROUP_PRIME, (const uint8_t[]){ 0xff }, 1);
	tap_eq_int(p1(&o, &e), ERR_UNSUPPORTED, "custom group (prime) unsupported");
	reset();
	v1_attr_put_basic(&w, V1_IKE_ENCRYPTION_ALGORITHM, 7);
	tap_ok(p1(&o, &e) == ERR_PARSE && strstr(e.text, "hash"), "missing mandatory hash refused: %s", e.text);
	p1_base(99, 0);
	tap_ok(p1(&o, NULL) == 0 && o.x_encr == NULL, "unknown cipher decodes with no xform row");
}

static void test_ipsec(void)
{
	struct v1_ipsec_attrs o;
	struct v1_err e = { 0 };

	reset();
	v1_attr_put_basic(&w, V1_IPSEC_SA_LIFE_TYPE, V1_LIFE_SECONDS);
	v1_attr_put_uint(&w, V1_IPSEC_SA_LIFE_DURATION, 3600);
	v1_attr_put_basic(&w, V1_IPSEC_SA_LIFE_TYPE, V1_LIFE_KILOBYTES);
	v1_attr_put_uint(&w, V1_IPSEC_SA_LIFE_DURATION, 4608000);
	v1_attr_put_basic(&w, V1_IPSEC_ENCAPSULATION_MODE, V1_ENCAP_UDP_TUNNEL_DRAFT);
	v1_attr_put_basic(&w, V1_IPSEC_AUTH_ALGORITHM, 5);
	v1_attr_put_basic(&w, V1_IPSEC_KEY_LENGTH, 128);
	v1_attr_put_basic(&w, V1_IPSEC_GROUP_DESCRIPTION, 14);
	tap_ok(v1_attr_decode_ipsec(V1_PROTO_IPSEC_ESP, 12, buf, wr_len(&w), &o, &e) == 0 &&
	       o.x_encr && strcmp(o.x_encr->name, "aes128") == 0 && o.x_integ &&
	       strcmp(o.x_integ->name, "sha256") == 0 && o.x_group && o.x_group->v2_id == 14 &&
	       o.encap == V1_ENCAP_UDP_TUNNEL_DRAFT && o.life_seconds == 3600 &&
	       o.life_kbytes == 4608000, "ESP AES-128/HMAC-SHA2-256/PFS 14, draft UDP tunnel, two lifetimes: %s",
	       e.text);
	reset();
	v1_attr_put_basic(&w, V1_IPSEC_AUTH_ALGORITHM, 2);
	v1_attr_put_basic(&w, V1_IPSEC_KEY_LENGTH, 128);
	tap_ok(v1_attr_decode_ipsec(V1_PROTO_IPSEC_ESP, 20, buf, wr_len(&w), &o, &e) == ERR_PARSE &&
	       strstr(e.text, "AEAD"), "AES-GCM with an auth algorithm refused (RFC 4106 8.4)");
	reset();
	v1_attr_put_basic(&w, V1_IPSEC_ENCAPSULATION_MODE, 9);
	tap_eq_int(v1_attr_decode_ipsec(V1_PROTO_IPSEC_ESP, 12, buf, wr_len(&w), &o, &e),
		   ERR_UNSUPPORTED, "unknown encapsulation mode");
	reset();
	v1_attr_put_basic(&w, V1_IPSEC_ENCAPSULATION_MODE, 1);
	v1_attr_put_basic(&w, V1_IPSEC_ENCAPSULATION_MODE, 1);
	tap_eq_int(v1_attr_decode_ipsec(V1_PROTO_IPSEC_ESP, 12, buf, wr_len(&w), &o, &e),
		   ERR_PARSE, "duplicate encapsulation mode");
	tap_ok(v1_attr_decode_ipsec(V1_PROTO_IPSEC_AH, 2, buf, 0, &o, &e) == ERR_UNSUPPORTED &&
	       e.notify == V1_N_INVALID_PROTOCOL_ID, "AH is not negotiated");
	reset();
	v1_attr_put_basic(&w, V1_IPSEC_KEY_LENGTH, 192);
	tap_eq_int(v1_attr_decode_ipsec(V1_PROTO_IPSEC_ESP, 3, buf, wr_len(&w), &o, &e), ERR_PARSE,
		   "ESP 3DES with a key length refused");
	reset();
	o = (struct v1_ipsec_attrs){ .encap = 1, .auth = 2, .key_len = 256, .life_seconds = 100000 };
	tap_ok(v1_attr_encode_ipsec(&w, &o), "encode IPsec attributes");
	{
		struct v1_ipsec_attrs b;

		tap_ok(v1_attr_decode_ipsec(V1_PROTO_IPSEC_ESP, 12, buf, wr_len(&w), &b, NULL) == 0 &&
		       b.life_seconds == 100000 && b.key_len == 256 && b.auth == 2 && b.encap == 1,
		       "IPsec round trip (100000 s as variable)");
	}
}

int main(void)
{
	test_forms();
	test_phase1();
	test_ipsec();
	return tap_done();
}
