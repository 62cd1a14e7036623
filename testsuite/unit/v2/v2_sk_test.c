/*
 * v2_sk_test.c - SK payload protection (RFC 7296 3.14, RFC 5282, RFC 7634):
 * seal -> unprotect round trips for every supported suite and inner
 * length, refusal of tampered ICV / ciphertext / associated data before
 * anything inside is parsed, padding rules, IV sources, key checks, and
 * the RFC 7634 Appendix B IKEv2 message.
 */
#include <stdlib.h>
#include <string.h>

#include "common/aead.h"
#include "common/err.h"
#include "common/integ.h"
#include "testsuite/lib/tap.h"
#include "testsuite/lib/vec.h"
#include "v2/v2_msg.h"
#include "v2/v2_names.h"
#include "v2/v2_sk.h"

static uint8_t key_e[64], key_a[64];

static void make_keys(struct v2_sk_keys *k, const char *encr, const char *integ)
{
	memset(k, 0, sizeof(*k));
	k->encr = xform_by_name(encr);
	k->integ = integ ? xform_by_name(integ) : NULL;
	k->sk_e = key_e;
	k->sk_e_len = k->encr->key_bits / 8u + k->encr->salt_size;
	if (k->integ) {
		k->sk_a = key_a;
		k->sk_a_len = integ_key_len((enum integ_alg)k->integ->v2_id);
	}
}

/* An INFORMATIONAL request whose SK holds a Notify with `data_len` octets of data. */
static int build(const struct v2_sk_keys *k, uint8_t *msg, size_t cap, size_t data_len,
		 size_t *len, size_t *inner_len)
{
	struct v2_header h = { .spi_i = { 1, 1, 1, 1, 1, 1, 1, 1 }, .spi_r = { 2, 2, 2, 2, 2, 2, 2, 2 },
			       .version = V2_VERSION, .exchange = V2_EXCH_INFORMATIONAL,
			       .flags = V2_FLAG_INITIATOR, .message_id = 5 };
	uint8_t inner[512], data[300];
	struct wr w;
	struct v2_chain c;
	struct v2_msg_out out;
	struct v2_iv_counter ctr = { 1 };
	struct v2_iv_source ivs = { v2_iv_from_counter, &ctr };

	memset(data, 0x5a, sizeof(data));
	wr_init(&w, inner, sizeof(inner));
	v2_chain_init(&c, &w, SIZE_MAX);
	if (v2_put_notify(&c, 0, NULL, 0, V2_N_SET_WINDOW_SIZE, data, data_len))
		return ERR_OVERFLOW;
	*inner_len = wr_len(&w);
	v2_msg_out_init(&out, msg, cap, &h);
	return v2_sk_seal(&out, k, &ivs, c.first, inner, wr_len(&w), len);
}

static const struct { const char *encr, *integ; } suites[] = {
	{ "aes128", "sha1" }, { "aes192", "sha256" }, { "aes256", "sha256" },
	{ "aes256", "sha384" }, { "aes128", "sha512" }, { "aes128", "aesxcbc" },
	{ "aes128", "aescmac" }, { "aes128", "md5" }, { "3des", "sha1" },
	{ "aes128ctr", "sha256" }, { "aes192ctr", "sha512" }, { "aes256ctr", "sha1" },
	{ "aes128gcm8", NULL }, { "aes192gcm12", NULL }, { "aes256gcm16", NULL },
	{ "aes128gcm16", NULL }, { "aes256gcm8", NULL }, { "chacha20poly1305", NULL },
};

static void test_round_trips(void)
{
	for (size_t s = 0; s < sizeof(suites) / sizeof(suites[0]); s++) {
		struct v2_sk_keys k;
		bool all = true;
		size_t bad_len = 0;

		make_keys(&k, suites[s].encr, suites[s].integ);
		for (size_t dl = 0; dl <= 40 && all; dl++) {
			uint8_t msg[1024], plain[1024];
			size_t len, inner_len, plain_len;
			struct v2_msg m;
			struct v2_notify n;

			if (build(&k, msg, sizeof(msg), dl, &len, &inner_len) ||
			    len != V2_HEADER_LEN + v2_sk_payload_len(&k, inner_len) ||
			    v2_msg_parse(&m, msg, len) || !m.encrypted ||
			    v2_sk_unprotect(&m, &k, plain, sizeof(plain), &plain_len) ||
			    plain_len != inner_len || !v2_msg_find_notify(&m, V2_N_SET_WINDOW_SIZE, &n) ||
			    n.data.len != dl) {
				all = false;
				bad_len = dl;
			}
		}
		tap_ok(all, "%s%s%s: seal -> unprotect, inner data 0..40 octets%s",
		       suites[s].encr, suites[s].integ ? "+" : "",
		       suites[s].integ ? suites[s].integ : "", all ? "" : " (failed)");
		if (!all)
			tap_diag("first failure at data length %zu", bad_len);
	}
}

/* Tamper with one octet at `at` and check it is refused before parsing. */
static void tamper(const char *encr, const char *integ, const char *what, int where)
{
	struct v2_sk_keys k;
	uint8_t msg[1024], plain[1024];
	size_t len, inner_len, plain_len, at;
	struct v2_msg m;
	int rc;

	make_keys(&k, encr, integ);
	build(&k, msg, sizeof(msg), 10, &len, &inner_len);
	at = where == 0 ? len - 1 : where == 1 ? len - 20 : 20; /* ICV, ciphertext, header (message ID) */
	msg[at] ^= 0x01;
	v2_msg_parse(&m, msg, len);
	rc = v2_sk_unprotect(&m, &k, plain, sizeof(plain), &plain_len);
	tap_ok(rc == ERR_INTEGRITY && m.n == 1 && !m.inner_parsed,
	       "%s: tampered %s refused before parsing (rc %d, %zu payloads)", encr, what, rc, m.n);
}

static void test_tamper(void)
{
	static const char *what[] = { "ICV", "ciphertext", "IKE header (AAD)" };

	for (int i = 0; i < 3; i++) {
		tamper("aes256", "sha256", what[i], i);
		tamper("aes256gcm16", NULL, what[i], i);
		tamper("chacha20poly1305", NULL, what[i], i);
		tamper("aes128ctr", "sha256", what[i], i);
	}
}

/* Hand-made SK payloads: padding content and impossible pad lengths. */
static void test_padding(void)
{
	struct v2_sk_keys k;
	uint8_t msg[256], plain[256];
	size_t plain_len;
	/* header (28) + SK header (4) + IV (8) + plaintext + tag (16), GCM-128-16 */
	const uint8_t pt_ok[] = { 0, 0, 0, 12, 0, 0, 0x40, 0x01, 0, 0, 0, 10, 0xee, 0x77, 0x02 };
	const uint8_t pt_bad[] = { 0, 0, 0, 8, 0, 0, 0, 0, 0x20 };
	const uint8_t *pts[] = { pt_ok, pt_bad };
	const size_t pt_lens[] = { sizeof(pt_ok), sizeof(pt_bad) };
	const int want[] = { 0, ERR_PARSE };
	const char *name[] = { "any padding content accepted (2 octets 0xee 0x77)",
			       "pad length beyond the plaintext refused" };

	make_keys(&k, "aes128gcm16", NULL);
	for (int c = 0; c < 2; c++) {
		size_t len = 28 + 4 + 8 + pt_lens[c] + 16, plen;
		struct v2_msg m;
		int rc;

		memset(msg, 0, sizeof(msg));
		msg[16] = V2_PT_SK;
		msg[17] = V2_VERSION;
		msg[18] = V2_EXCH_INFORMATIONAL;
		msg[27] = (uint8_t)len;
		msg[28] = c == 0 ? V2_PT_N : V2_PT_N;
		plen = len - 28;
		msg[30] = (uint8_t)(plen >> 8);
		msg[31] = (uint8_t)plen;
		memset(msg + 32, 0x42, 8);
		aead_encrypt(AEAD_AES_GCM_16, key_e, k.sk_e_len, msg + 32, msg, 32, pts[c],
			     pt_lens[c], msg + 40, msg + 40 + pt_lens[c]);
		v2_msg_parse(&m, msg, len);
		rc = v2_sk_unprotect(&m, &k, plain, sizeof(plain), &plain_len);
		tap_eq_int(rc, want[c], "padding: %s", name[c]);
	}
}

static void test_sizes_and_keys(void)
{
	struct v2_sk_keys k;
	uint8_t msg[1024], plain[1024], small[4];
	size_t len, inner_len, plain_len;
	struct v2_msg m;
	struct v2_iv_counter ctr = { 0 };
	uint8_t iv1[8], iv2[8];

	make_keys(&k, "aes256", "sha256");
	build(&k, msg, sizeof(msg), 10, &len, &inner_len);
	v2_msg_parse(&m, msg, len);
	tap_eq_int(v2_sk_unprotect(&m, &k, small, sizeof(small), &plain_len), ERR_OVERFLOW,
		   "unprotect: plaintext buffer too small");
	/* CBC: a ciphertext that is not whole blocks. */
	tap_eq_int(v2_sk_open(&k, msg, len - 1, m.enc_offset, 4, plain, sizeof(plain), &plain_len),
		   ERR_PARSE, "open: CBC ciphertext not a multiple of the block refused");
	tap_eq_int(v2_sk_open(&k, msg, m.enc_offset + 4 + 16 + 16, m.enc_offset, 4, plain,
			      sizeof(plain), &plain_len),
		   ERR_PARSE, "open: no room for the Pad Length refused");
	k.sk_a_len = 20;
	tap_eq_int(v2_sk_keys_check(&k), ERR_INVAL, "keys: wrong SK_a length refused");
	make_keys(&k, "aes128gcm16", NULL);
	k.integ = xform_by_name("sha256");
	tap_eq_int(v2_sk_keys_check(&k), ERR_INVAL, "keys: AEAD with an integrity transform refused");
	make_keys(&k, "aes128", NULL);
	tap_eq_int(v2_sk_keys_check(&k), ERR_INVAL, "keys: CBC without integrity refused");
	make_keys(&k, "aes128gcm16", NULL);
	k.sk_e_len = 16;
	tap_eq_int(v2_sk_keys_check(&k), ERR_INVAL, "keys: GCM keymat without salt refused");

	v2_iv_from_counter(&ctr, iv1, 8);
	v2_iv_from_counter(&ctr, iv2, 8);
	tap_ok(memcmp(iv1, iv2, 8) != 0 && iv2[7] == 1, "IV counter: successive IVs differ");
	ctr.next = UINT64_MAX;
	tap_eq_int(v2_iv_from_counter(&ctr, iv1, 8), ERR_OVERFLOW, "IV counter: exhaustion refused");

	/* CBC ignores the counter: two seals of the same message differ in IV. */
	{
		uint8_t a[512], b[512];
		size_t la, lb, il;

		make_keys(&k, "aes128", "sha256");
		build(&k, a, sizeof(a), 4, &la, &il);
		build(&k, b, sizeof(b), 4, &lb, &il);
		tap_ok(la == lb && memcmp(a + 32, b + 32, 16) != 0, "CBC IVs are random, not the counter");
		make_keys(&k, "aes128gcm16", NULL);
		build(&k, a, sizeof(a), 4, &la, &il);
		tap_ok(memcmp(a + 32, "\0\0\0\0\0\0\0\1", 8) == 0, "GCM IV comes from the IV source");
	}
}

static void test_rfc7634(void)
{
	struct vec_file f;
	struct vec_rec r = { 0 };
	bool found = false;

	if (!vec_open(&f, "rfc7634/chacha20-poly1305-esp-ikev2.txt")) {
		tap_skip("rfc7634 vectors missing");
		return;
	}
	while (vec_next(&f, &r)) {
		uint8_t *msg, *keymat, plain[128];
		size_t len, klen, plain_len;
		struct v2_sk_keys k = { .encr = xform_by_name("chacha20poly1305") };
		struct v2_msg m;
		struct v2_notify n;
		struct rd rr;
		uint32_t window = 0;

		if (!vec_get(&r, "ike_message"))
			continue;
		found = true;
		vec_get_hex(&r, "ike_message", &msg, &len);
		vec_get_hex(&r, "keymat", &keymat, &klen);
		k.sk_e = keymat;
		k.sk_e_len = klen;
		tap_eq_int(v2_msg_parse(&m, msg, len), 0, "RFC 7634 B: message parses");
		tap_ok(m.encrypted && m.inner_first == V2_PT_N && m.hdr.exchange == 37 &&
		       m.hdr.message_id == 9, "RFC 7634 B: SK with a Notify inside, INFORMATIONAL #9");
		tap_eq_int(v2_sk_unprotect(&m, &k, plain, sizeof(plain), &plain_len), 0,
			   "RFC 7634 B: tag verifies, decrypts, inner chain parses");
		tap_ok(v2_msg_find_notify(&m, V2_N_SET_WINDOW_SIZE, &n) != NULL,
		       "RFC 7634 B: Notify SET_WINDOW_SIZE found");
		rd_init(&rr, n.data.p, n.data.len);
		rd_u32(&rr, &window);
		tap_eq_int(window, 10, "RFC 7634 B: window size 10");
		msg[len - 1] ^= 0x80;
		v2_msg_parse(&m, msg, len);
		tap_eq_int(v2_sk_unprotect(&m, &k, plain, sizeof(plain), &plain_len), ERR_INTEGRITY,
			   "RFC 7634 B: flipped tag bit refused");
		free(msg);
		free(keymat);
	}
	vec_close(&f);
	tap_ok(found, "RFC 7634 B: record found");
}

int main(void)
{
	memset(key_e, 0x3c, sizeof(key_e));
	memset(key_a, 0xa5, sizeof(key_a));
	test_round_trips();
	test_tamper();
	test_padding();
	test_sizes_and_keys();
	if (vec_dir())
		test_rfc7634();
	else
		tap_skip("vectors folder missing: RFC 7634 B not checked");
	return tap_done();
}
