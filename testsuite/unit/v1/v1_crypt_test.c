/*
 * v1_crypt_test.c - message encryption with IV chaining (RFC 2409
 * appendix B) across a Main Mode and two interleaved Quick Modes, checked
 * against CBC computed directly with common/cipher.h and IVs computed with
 * the plain hash; HASH(1)/(2)/(3) against the RFC 2409 5.5 formulas
 * computed with prf_once over hand-made concatenations.
 */
#include <string.h>

#include "common/err.h"
#include "testsuite/lib/tap.h"
#include "v1/v1_crypt.h"
#include "v1/v1_msg.h"

static const uint8_t key3des[24] = "0123456789abcdefghijklmn";
static const uint8_t keyaes[32] = "0123456789abcdef0123456789abcdef";

/* A cleartext message: header + one NONCE payload of n bytes of `fill`. */
static size_t make(uint8_t *buf, size_t cap, uint8_t exch, uint32_t msg_id, uint8_t fill, size_t n)
{
	struct v1_hdr h = { .cky_i = { 9, 9 }, .cky_r = { 7 }, .exch = exch, .msg_id = msg_id };
	uint8_t body[64];
	struct wr w;
	struct v1_builder b;
	size_t len = 0;

	memset(body, fill, sizeof(body));
	wr_init(&w, buf, cap);
	v1_build_start(&b, &w, &h);
	if (exch != V1_EXCH_IDPROT)
		v1_build_blob(&b, V1_P_HASH, body, 20);
	v1_build_blob(&b, V1_P_NONCE, body, n);
	v1_build_finish(&b, &len);
	return len;
}

static void chain_test(enum cipher_alg alg, const uint8_t *key, size_t key_len, enum hash_alg hash)
{
	struct v1_crypt c;
	struct v1_iv p1_i, p1_r, next, qa_i, qa_r, qb_i, qb_r;
	uint8_t gxi[96], gxr[96], cat[192], dig[HASH_MAX_DIGEST];
	size_t bs = cipher_block_len(alg);
	bool all_ok = true, iv_ok = true, cbc_ok = true;
	unsigned step = 0;

	memset(gxi, 0xa1, sizeof(gxi));
	memset(gxr, 0xb2, sizeof(gxr));
	if (!tap_ok(v1_crypt_init(&c, alg, key, key_len) == 0, "%s: init", cipher_name(alg)))
		return;
	v1_crypt_iv_phase1(&c, hash, gxi, sizeof(gxi), gxr, sizeof(gxr), &p1_i);
	memcpy(cat, gxi, 96);
	memcpy(cat + 96, gxr, 96);
	hash_once(hash, cat, sizeof(cat), dig);
	tap_eq_bytes(p1_i.b, p1_i.len, dig, bs, "%s: phase-1 IV = hash(g^xi | g^xr)", cipher_name(alg));
	p1_r = p1_i;

	/*
	 * MM5 (I->R), MM6 (R->I), then Quick Mode A and B interleaved:
	 * A1 B1 A2 B2 A3 B3. Each side keeps its own copy of every chain.
	 */
	struct {
		uint8_t exch;
		uint32_t msg_id;
		struct v1_iv *tx, *rx;
	} plan[] = {
		{ V1_EXCH_IDPROT, 0, &p1_i, &p1_r },
		{ V1_EXCH_IDPROT, 0, &p1_r, &p1_i },
		{ V1_EXCH_QUICK, 0x11111111, &qa_i, &qa_r },
		{ V1_EXCH_QUICK, 0x22222222, &qb_i, &qb_r },
		{ V1_EXCH_QUICK, 0x11111111, &qa_r, &qa_i },
		{ V1_EXCH_QUICK, 0x22222222, &qb_r, &qb_i },
		{ V1_EXCH_QUICK, 0x11111111, &qa_i, &qa_r },
		{ V1_EXCH_QUICK, 0x22222222, &qb_i, &qb_r },
	};
	for (step = 0; step < sizeof(plan) / sizeof(plan[0]); step++) {
		uint8_t msg[256], clear[256], out[256], expect[256];
		size_t len, sealed;
		struct v1_msg m;
		struct v1_err e = { 0 };
		struct v1_iv used;

		if (step == 2) {
			/* phase 1 done: both sides hold MM6's last block; derive per-M-ID IVs */
			uint8_t mid[CIPHER_MAX_IV + 4];

			iv_ok &= memcmp(p1_i.b, p1_r.b, bs) == 0;
			v1_crypt_iv_msgid(&c, hash, &p1_i, 0x11111111, &qa_i);
			v1_crypt_iv_msgid(&c, hash, &p1_r, 0x11111111, &qa_r);
			v1_crypt_iv_msgid(&c, hash, &p1_i, 0x22222222, &qb_i);
			v1_crypt_iv_msgid(&c, hash, &p1_r, 0x22222222, &qb_r);
			memcpy(mid, p1_i.b, bs);
			memcpy(mid + bs, "\x11\x11\x11\x11", 4);
			hash_once(hash, mid, bs + 4, dig);
			tap_eq_bytes(qa_i.b, qa_i.len, dig, bs, "%s: QM IV = hash(last phase-1 block | M-ID)",
				     cipher_name(alg));
		}
		len = make(msg, sizeof(msg), plan[step].exch, plan[step].msg_id, (uint8_t)step, 13 + step);
		memcpy(clear, msg, len);
		used = *plan[step].tx;
		all_ok &= v1_crypt_seal(&c, plan[step].tx, msg, len, sizeof(msg), &sealed, &next) == 0;
		*plan[step].tx = next;
		/* the ciphertext is CBC over the zero-padded body with the expected IV */
		memset(clear + len, 0, sizeof(clear) - len);
		cipher_encrypt(alg, key, key_len, used.b, clear + V1_HDR_LEN, sealed - V1_HDR_LEN,
			       expect);
		cbc_ok &= sealed % bs == V1_HDR_LEN % bs && (sealed - V1_HDR_LEN) % bs == 0 &&
			  memcmp(expect, msg + V1_HDR_LEN, sealed - V1_HDR_LEN) == 0 &&
			  (msg[19] & V1_FLAG_ENCRYPTION) && memcmp(next.b, msg + sealed - bs, bs) == 0;
		all_ok &= v1_msg_open(msg, sealed, &c, plan[step].rx, out, sizeof(out), &next, &m, &e) == 0 &&
			  m.n >= 1 && m.pl[m.n - 1].type == V1_P_NONCE &&
			  m.pl[m.n - 1].body_len == 13 + step && m.pad_len == sealed - len;
		iv_ok &= memcmp(next.b, plan[step].tx->b, bs) == 0;
		*plan[step].rx = next;
	}
	tap_ok(all_ok, "%s: MM5, MM6 and two interleaved Quick Modes seal and open", cipher_name(alg));
	tap_ok(cbc_ok, "%s: ciphertext equals CBC with the expected IV, next IV = last block",
	       cipher_name(alg));
	tap_ok(iv_ok, "%s: both sides' chains stay equal", cipher_name(alg));
	{
		/* a wrong IV garbles the first block: the chain does not parse */
		uint8_t msg[256], out[256];
		size_t len = make(msg, sizeof(msg), V1_EXCH_QUICK, 5, 1, 16), sealed;
		struct v1_iv wrong = qa_i;
		struct v1_msg m;
		struct v1_err e = { 0 };

		v1_crypt_seal(&c, &qa_i, msg, len, sizeof(msg), &sealed, &next);
		wrong.b[0] ^= 0x80;
		tap_eq_int(v1_msg_open(msg, sealed, &c, &wrong, out, sizeof(out), &next, &m, &e), ERR_PARSE,
			   "%s: wrong IV refused as malformed (%s)", cipher_name(alg), e.text);
		tap_eq_int(v1_crypt_open(&c, &qa_i, msg, sealed - 1, out, sizeof(out), &next), ERR_PARSE,
			   "%s: body not whole blocks refused", cipher_name(alg));
	}
	v1_crypt_free(&c);
}

static void hash_test(void)
{
	static const uint8_t ska[20] = "SKEYID_a-0123456789";
	static const uint8_t ni[16] = "initiator-nonce", nr[16] = "responder-nonce";
	uint8_t msg[256], cat[512], got[PRF_MAX_OUT], want[PRF_MAX_OUT];
	struct wr w;
	struct v1_builder b;
	struct v1_hdr h = { .cky_i = { 1 }, .exch = V1_EXCH_QUICK, .msg_id = 0xdeadbeef };
	struct v1_msg m;
	const uint8_t *after;
	size_t len, alen, n;
	uint8_t zeros[20] = { 0 };

	wr_init(&w, msg, sizeof(msg));
	v1_build_start(&b, &w, &h);
	v1_build_blob(&b, V1_P_HASH, zeros, 20);
	v1_build_blob(&b, V1_P_NONCE, ni, sizeof(ni));
	v1_build_blob(&b, V1_P_KE, nr, 8);
	v1_build_finish(&b, &len);
	if (!tap_ok(v1_msg_parse(msg, len, &m, NULL) == 0 && v1_msg_after_hash(&m, &after, &alen) == 0 &&
		    alen == 4 + 16 + 4 + 8 && after == msg + V1_HDR_LEN + 24, "bytes after HASH located"))
		return;
	/* HASH(1) = prf(SKEYID_a, M-ID | SA | Ni [| KE] [| IDci | IDcr]) */
	memcpy(cat, "\xde\xad\xbe\xef", 4);
	memcpy(cat + 4, after, alen);
	prf_once(PRF_HMAC_SHA1, ska, sizeof(ska), cat, 4 + alen, want);
	v1_hash_1(PRF_HMAC_SHA1, ska, sizeof(ska), h.msg_id, after, alen, got);
	tap_eq_bytes(got, 20, want, 20, "HASH(1) = prf(SKEYID_a, M-ID | payloads after HASH)");
	/* HASH(2) = prf(SKEYID_a, M-ID | Ni_b | SA | Nr [| KE] [| IDci | IDcr]) */
	memcpy(cat + 4, ni, sizeof(ni));
	memcpy(cat + 4 + sizeof(ni), after, alen);
	prf_once(PRF_HMAC_SHA2_256, ska, sizeof(ska), cat, 4 + sizeof(ni) + alen, want);
	v1_hash_2(PRF_HMAC_SHA2_256, ska, sizeof(ska), h.msg_id, ni, sizeof(ni), after, alen, got);
	tap_eq_bytes(got, 32, want, 32, "HASH(2) = prf(SKEYID_a, M-ID | Ni_b | payloads after HASH)");
	/* HASH(3) = prf(SKEYID_a, 0 | M-ID | Ni_b | Nr_b) */
	cat[0] = 0;
	memcpy(cat + 1, "\xde\xad\xbe\xef", 4);
	memcpy(cat + 5, ni, 16);
	memcpy(cat + 21, nr, 16);
	n = 37;
	prf_once(PRF_HMAC_MD5, ska, sizeof(ska), cat, n, want);
	v1_hash_3(PRF_HMAC_MD5, ska, sizeof(ska), h.msg_id, ni, 16, nr, 16, got);
	tap_eq_bytes(got, 16, want, 16, "HASH(3) = prf(SKEYID_a, 0 | M-ID | Ni_b | Nr_b)");
	m.pl[0].type = V1_P_NONCE;
	tap_eq_int(v1_msg_after_hash(&m, &after, &alen), ERR_PARSE, "no HASH first: ERR_PARSE");
}

int main(void)
{
	struct v1_crypt c;

	chain_test(CIPHER_3DES, key3des, sizeof(key3des), HASH_MD5);
	chain_test(CIPHER_AES_CBC, keyaes, sizeof(keyaes), HASH_SHA2_256);
	chain_test(CIPHER_AES_CBC, keyaes, 16, HASH_SHA1);
	tap_eq_int(v1_crypt_init(&c, CIPHER_AES_CTR, keyaes, 16), ERR_UNSUPPORTED,
		   "AES-CTR is not an IKEv1 phase-1 cipher");
	tap_eq_int(v1_crypt_init(&c, CIPHER_AES_CBC, keyaes, 17), ERR_INVAL, "17-byte AES key refused");
	hash_test();
	return tap_done();
}
