/*
 * aead_test.c - common/aead.c against every record of:
 *   gcm-spec/aes-gcm-spec-test-cases.txt (all 18 GCM spec cases: the twelve
 *   with 96-bit IVs through aead_encrypt/decrypt as salt || IV with 16-,
 *   12- and 8-octet ICVs; the six with 64- and 480-bit IVs, which IPsec
 *   never uses, through Nettle's GCM directly),
 *   rfc8439/chacha20-poly1305-aead.txt (both directions),
 *   rfc7634/chacha20-poly1305-esp-ikev2.txt (the ESP example both ways; the
 *   IKEv2 message's SK payload taken apart with struct rd, decrypted with
 *   the 36-octet keying material and its Notify read back).
 * A flipped tag or ciphertext octet must give ERR_INTEGRITY and a zeroed
 * output.
 */
#include <stdlib.h>
#include <string.h>

#include <nettle/gcm.h>

#include "common/aead.h"
#include "common/buf.h"
#include "common/err.h"
#include "testsuite/lib/tap.h"
#include "testsuite/lib/vec.h"

static bool all_zero(const uint8_t *p, size_t n)
{
	uint8_t acc = 0;

	for (size_t i = 0; i < n; i++)
		acc |= p[i];
	return acc == 0;
}

/*
 * One AEAD known answer: encrypt gives ct and the first icv_len octets of
 * tag; decrypt gives plain back; tampering is caught.
 */
static void check_aead(enum aead_alg alg, const uint8_t *keymat, size_t keymat_len,
		       const uint8_t *iv, const uint8_t *aad, size_t aad_len,
		       const uint8_t *plain, size_t len, const uint8_t *ct,
		       const uint8_t *tag, const char *where, unsigned line)
{
	size_t icv_len = aead_icv_len(alg);
	uint8_t *out = malloc(len + 1), *back = malloc(len + 1), *bad = malloc(len + 1);
	uint8_t icv[AEAD_MAX_ICV], bad_tag[AEAD_MAX_ICV];
	int rc;

	if (!out || !back || !bad) {
		tap_ok(false, "out of memory");
		goto out;
	}
	rc = aead_encrypt(alg, keymat, keymat_len, iv, aad, aad_len, plain, len, out, icv);
	tap_eq_int(rc, 0, "%s:%u: %s encrypts", where, line, aead_name(alg));
	tap_eq_bytes(out, len, ct, len, "%s:%u: %s ciphertext", where, line, aead_name(alg));
	tap_eq_bytes(icv, icv_len, tag, icv_len, "%s:%u: %s ICV (%zu octets)", where, line,
		     aead_name(alg), icv_len);
	memset(back, 0xee, len + 1);
	rc = aead_decrypt(alg, keymat, keymat_len, iv, aad, aad_len, ct, len, tag, back);
	tap_eq_int(rc, 0, "%s:%u: %s decrypts", where, line, aead_name(alg));
	tap_eq_bytes(back, len, plain, len, "%s:%u: %s plaintext", where, line, aead_name(alg));

	memcpy(bad_tag, tag, icv_len);
	bad_tag[icv_len - 1] ^= 0x01;
	memset(back, 0xee, len + 1);
	rc = aead_decrypt(alg, keymat, keymat_len, iv, aad, aad_len, ct, len, bad_tag, back);
	tap_eq_int(rc, ERR_INTEGRITY, "%s:%u: %s refuses a flipped tag octet", where, line,
		   aead_name(alg));
	tap_ok(all_zero(back, len), "%s:%u: and leaves no plaintext", where, line);
	if (len) {
		memcpy(bad, ct, len);
		bad[0] ^= 0x80;
		memset(back, 0xee, len + 1);
		rc = aead_decrypt(alg, keymat, keymat_len, iv, aad, aad_len, bad, len, tag, back);
		tap_eq_int(rc, ERR_INTEGRITY, "%s:%u: %s refuses a flipped ciphertext octet",
			   where, line, aead_name(alg));
		tap_ok(all_zero(back, len), "%s:%u: and leaves no plaintext", where, line);
	}
out:
	free(out);
	free(back);
	free(bad);
}

/* Nettle's GCM with the case's own IV length (for the non-96-bit IV cases). */
static void gcm_direct(const uint8_t *key, size_t key_len, const uint8_t *iv, size_t iv_len,
		       const uint8_t *aad, size_t aad_len, const uint8_t *in, size_t len,
		       uint8_t *out, uint8_t *tag)
{
	union {
		struct gcm_aes128_ctx a128;
		struct gcm_aes192_ctx a192;
		struct gcm_aes256_ctx a256;
	} c;

	if (key_len == 16) {
		gcm_aes128_set_key(&c.a128, key);
		gcm_aes128_set_iv(&c.a128, iv_len, iv);
		gcm_aes128_update(&c.a128, aad_len, aad);
		gcm_aes128_encrypt(&c.a128, len, out, in);
		gcm_aes128_digest(&c.a128, 16, tag);
	} else if (key_len == 24) {
		gcm_aes192_set_key(&c.a192, key);
		gcm_aes192_set_iv(&c.a192, iv_len, iv);
		gcm_aes192_update(&c.a192, aad_len, aad);
		gcm_aes192_encrypt(&c.a192, len, out, in);
		gcm_aes192_digest(&c.a192, 16, tag);
	} else {
		gcm_aes256_set_key(&c.a256, key);
		gcm_aes256_set_iv(&c.a256, iv_len, iv);
		gcm_aes256_update(&c.a256, aad_len, aad);
		gcm_aes256_encrypt(&c.a256, len, out, in);
		gcm_aes256_digest(&c.a256, 16, tag);
	}
}

/* The six fields every AEAD record here carries, in this order. */
enum { F_KEY, F_IV, F_PT, F_AAD, F_CT, F_TAG };

static bool aead_rec_sane(const struct vec_hex_rec *h, size_t iv_len)
{
	bool ok = h->len[F_CT] == h->len[F_PT] && h->len[F_TAG] == 16 &&
		  (!iv_len || h->len[F_IV] == iv_len);

	if (!ok)
		tap_ok(false, "%s:%u: record lengths are consistent", h->relpath,
		       h->rec->first_line);
	return ok;
}

struct gcm_counts {
	unsigned ipsec, other_iv;
};

static void check_gcm_rec(void *arg, const struct vec_hex_rec *h)
{
	static const enum aead_alg icvs[] = { AEAD_AES_GCM_16, AEAD_AES_GCM_12, AEAD_AES_GCM_8 };
	struct gcm_counts *n = arg;
	const uint8_t *key = h->val[F_KEY], *iv = h->val[F_IV];
	size_t key_len = h->len[F_KEY], iv_len = h->len[F_IV], pt_len = h->len[F_PT];
	unsigned line = h->rec->first_line;

	if (!aead_rec_sane(h, 0))
		return;
	if (iv_len == AEAD_SALT_LEN + AEAD_IV_LEN) {
		/* IPsec form: keymat = key || salt, salt = IV[0..3], explicit IV = IV[4..11]. */
		uint8_t keymat[AEAD_MAX_KEYMAT];

		memcpy(keymat, key, key_len);
		memcpy(keymat + key_len, iv, AEAD_SALT_LEN);
		for (size_t i = 0; i < sizeof(icvs) / sizeof(icvs[0]); i++)
			check_aead(icvs[i], keymat, key_len + AEAD_SALT_LEN, iv + AEAD_SALT_LEN,
				   h->val[F_AAD], h->len[F_AAD], h->val[F_PT], pt_len, h->val[F_CT],
				   h->val[F_TAG], h->relpath, line);
		n->ipsec++;
	} else {
		uint8_t *out = malloc(pt_len + 1), got_tag[16];

		gcm_direct(key, key_len, iv, iv_len, h->val[F_AAD], h->len[F_AAD], h->val[F_PT],
			   pt_len, out, got_tag);
		tap_eq_bytes(out, pt_len, h->val[F_CT], h->len[F_CT],
			     "%s:%u: GCM with a %zu-octet IV (Nettle)", h->relpath, line, iv_len);
		tap_eq_bytes(got_tag, 16, h->val[F_TAG], 16, "%s:%u: GCM tag with a %zu-octet IV",
			     h->relpath, line, iv_len);
		free(out);
		n->other_iv++;
	}
}

static void test_gcm_spec(void)
{
	static const char *const names[] = { "key", "iv", "plaintext", "aad", "ciphertext", "tag" };
	const char *rel = "gcm-spec/aes-gcm-spec-test-cases.txt";
	struct gcm_counts n = { 0, 0 };
	unsigned cases = vec_walk_hex(rel, names, 6, NULL, check_gcm_rec, &n);

	tap_ok(cases == 18 && n.ipsec == 12 && n.other_iv == 6,
	       "%s: 18 cases, 12 with 96-bit IVs", rel);
	tap_diag("%s: %u vectors checked (%u as IPsec AEAD x3 ICV lengths, %u through Nettle GCM)",
		 rel, n.ipsec + n.other_iv, n.ipsec, n.other_iv);
}

/* RFC 8439 2.8.2 / A.5: the 12-octet nonce read as RFC 7634's salt (4) || IV (8). */
static void check_rfc8439_rec(void *arg, const struct vec_hex_rec *h)
{
	unsigned *checked = arg;
	uint8_t keymat[AEAD_MAX_KEYMAT];

	if (!aead_rec_sane(h, 12) || h->len[F_KEY] != 32)
		return;
	memcpy(keymat, h->val[F_KEY], 32);
	memcpy(keymat + 32, h->val[F_IV], 4);
	check_aead(AEAD_CHACHA20_POLY1305, keymat, 36, h->val[F_IV] + 4, h->val[F_AAD],
		   h->len[F_AAD], h->val[F_PT], h->len[F_PT], h->val[F_CT], h->val[F_TAG],
		   h->relpath, h->rec->first_line);
	(*checked)++;
}

static void test_rfc8439(void)
{
	static const char *const names[] = { "key", "nonce", "plaintext", "aad", "ciphertext", "tag" };
	const char *rel = "rfc8439/chacha20-poly1305-aead.txt";
	unsigned checked = 0;

	vec_walk_hex(rel, names, 6, NULL, check_rfc8439_rec, &checked);
	tap_eq_int(checked, 2, "%s: both RFC 8439 examples", rel);
	tap_diag("%s: %u vectors checked", rel, checked);
}

/*
 * RFC 7634 appendix B: HDR (28) || SK generic header (4) || IV (8) ||
 * ciphertext || ICV (16); AAD = HDR || SK header (RFC 5282 5.1). The inner
 * plaintext is a Notify SET_WINDOW_SIZE (16385) = 10, then Pad Length 0.
 */
static void check_ike_message(const struct vec_rec *r, const char *rel)
{
	uint8_t *msg = NULL, *keymat = NULL, *want_pt = NULL;
	size_t msg_len, keymat_len, want_len;
	struct rd rd, sk, notify;
	const uint8_t *aad, *iv, *ct, *icv;
	uint8_t next, flags_sk, exch, version, np_inner, crit, proto, spi_size, pad_len;
	uint8_t plain[256];
	uint16_t sk_len, n_len, n_type;
	uint32_t msg_id, length, value;
	size_t ct_len;

	if (!vec_get_hex(r, "ike_message", &msg, &msg_len) ||
	    !vec_get_hex(r, "keymat", &keymat, &keymat_len) ||
	    !vec_get_hex(r, "plaintext", &want_pt, &want_len)) {
		tap_ok(false, "%s:%u: IKEv2 record is readable", rel, r->first_line);
		goto out;
	}
	tap_eq_int((long long)keymat_len, (long long)aead_keymat_len(AEAD_CHACHA20_POLY1305, 0),
		   "%s: keymat is 36 octets (key || salt)", rel);
	rd_init(&rd, msg, msg_len);
	rd_skip(&rd, 16); /* SPIi, SPIr */
	rd_u8(&rd, &next);
	rd_u8(&rd, &version);
	rd_u8(&rd, &exch);
	rd_skip(&rd, 1); /* flags */
	rd_u32(&rd, &msg_id);
	rd_u32(&rd, &length);
	tap_ok(rd_ok(&rd) && next == 46 && version == 0x20 && exch == 37 && msg_id == 9,
	       "%s: IKE header: SK payload, v2.0, INFORMATIONAL, message ID 9", rel);
	tap_eq_int(length, (long long)msg_len, "%s: IKE header length is the message length", rel);
	rd_u8(&rd, &np_inner);
	rd_u8(&rd, &flags_sk);
	rd_u16(&rd, &sk_len);
	tap_ok(rd_ok(&rd) && np_inner == 41 && sk_len == rd_left(&rd) + 4,
	       "%s: SK header: first inner payload Notify, length covers the rest", rel);
	aad = msg;
	ct_len = sk_len - 4 - AEAD_IV_LEN - aead_icv_len(AEAD_CHACHA20_POLY1305);
	if (!rd_sub(&rd, sk_len - 4u, &sk) || !rd_ptr(&sk, AEAD_IV_LEN, &iv) ||
	    !rd_ptr(&sk, ct_len, &ct) || !rd_ptr(&sk, 16, &icv) || !rd_done(&sk) ||
	    ct_len > sizeof(plain)) {
		tap_ok(false, "%s: SK payload splits into IV, ciphertext, ICV", rel);
		goto out;
	}
	tap_eq_int(aead_decrypt(AEAD_CHACHA20_POLY1305, keymat, keymat_len, iv, aad, 32, ct,
				ct_len, icv, plain),
		   0, "%s: SK payload decrypts and its tag verifies", rel);
	tap_eq_bytes(plain, ct_len, want_pt, want_len, "%s: inner plaintext as expected", rel);

	rd_init(&rd, plain, ct_len);
	rd_u8(&rd, &next);
	rd_u8(&rd, &crit);
	rd_u16(&rd, &n_len);
	if (!rd_ok(&rd) || n_len < 4 || !rd_sub(&rd, n_len - 4u, &notify)) {
		tap_ok(false, "%s: Notify payload header", rel);
		goto out;
	}
	rd_u8(&notify, &proto);
	rd_u8(&notify, &spi_size);
	rd_u16(&notify, &n_type);
	rd_u32(&notify, &value);
	tap_ok(rd_done(&notify) && next == 0 && proto == 0 && spi_size == 0,
	       "%s: one Notify, no SPI, nothing after it", rel);
	tap_eq_int(n_type, 16385, "%s: Notify type SET_WINDOW_SIZE", rel);
	tap_eq_int(value, 10, "%s: window size 10", rel);
	tap_ok(rd_u8(&rd, &pad_len) && pad_len == 0 && rd_done(&rd),
	       "%s: Pad Length 0 ends the plaintext", rel);

	tap_eq_int(aead_decrypt(AEAD_CHACHA20_POLY1305, keymat, keymat_len, iv, aad, 31, ct,
				ct_len, icv, plain),
		   ERR_INTEGRITY, "%s: an AAD one octet short does not verify", rel);
out:
	free(msg);
	free(keymat);
	free(want_pt);
}

static void check_rfc7634_rec(void *arg, const struct vec_hex_rec *h)
{
	unsigned *checked = arg;

	if (!aead_rec_sane(h, 8))
		return;
	check_aead(AEAD_CHACHA20_POLY1305, h->val[F_KEY], h->len[F_KEY], h->val[F_IV],
		   h->val[F_AAD], h->len[F_AAD], h->val[F_PT], h->len[F_PT], h->val[F_CT],
		   h->val[F_TAG], h->relpath, h->rec->first_line);
	if (vec_get(h->rec, "ike_message"))
		check_ike_message(h->rec, h->relpath);
	(*checked)++;
}

static void test_rfc7634(void)
{
	static const char *const names[] = { "keymat", "iv", "plaintext", "aad", "ciphertext", "tag" };
	const char *rel = "rfc7634/chacha20-poly1305-esp-ikev2.txt";
	unsigned checked = 0;

	vec_walk_hex(rel, names, 6, NULL, check_rfc7634_rec, &checked);
	tap_eq_int(checked, 2, "%s: the ESP and the IKEv2 examples", rel);
	tap_diag("%s: %u vectors checked", rel, checked);
}

static void test_lengths(void)
{
	uint8_t keymat[40] = { 0 }, iv[8] = { 0 }, buf[16] = { 0 }, icv[16];

	tap_eq_int((long long)aead_icv_len(AEAD_AES_GCM_8), 8, "aesgcm8 ICV is 8");
	tap_eq_int((long long)aead_icv_len(AEAD_AES_GCM_12), 12, "aesgcm12 ICV is 12");
	tap_eq_int((long long)aead_icv_len(AEAD_AES_GCM_16), 16, "aesgcm16 ICV is 16");
	tap_eq_int((long long)aead_icv_len(AEAD_CHACHA20_POLY1305), 16, "chacha20poly1305 ICV is 16");
	tap_eq_int((long long)aead_keymat_len(AEAD_AES_GCM_16, 128), 20, "aes128gcm keymat is 20");
	tap_eq_int((long long)aead_keymat_len(AEAD_AES_GCM_8, 192), 28, "aes192gcm keymat is 28");
	tap_eq_int((long long)aead_keymat_len(AEAD_AES_GCM_12, 256), 36, "aes256gcm keymat is 36");
	tap_eq_int((long long)aead_keymat_len(AEAD_AES_GCM_16, 0), 0, "gcm needs a key length");
	tap_eq_int((long long)aead_keymat_len(AEAD_CHACHA20_POLY1305, 128), 0,
		   "chacha20poly1305 refuses 128 bits");
	tap_eq_int((long long)aead_iv_len(AEAD_AES_GCM_16), 8, "explicit IV is 8");
	tap_eq_int(aead_encrypt(AEAD_AES_GCM_16, keymat, 16, iv, NULL, 0, buf, 16, buf, icv),
		   ERR_INVAL, "gcm refuses 16 octets of keymat (no salt)");
	tap_eq_int(aead_encrypt(AEAD_AES_GCM_16, keymat, 21, iv, NULL, 0, buf, 16, buf, icv),
		   ERR_INVAL, "gcm refuses 21 octets of keymat");
	tap_eq_int(aead_encrypt(AEAD_AES_GCM_16, keymat, 3, iv, NULL, 0, buf, 16, buf, icv),
		   ERR_INVAL, "gcm refuses keymat shorter than the salt");
	tap_eq_int(aead_encrypt(AEAD_CHACHA20_POLY1305, keymat, 32, iv, NULL, 0, buf, 16, buf, icv),
		   ERR_INVAL, "chacha20poly1305 refuses 32 octets (no salt)");
	tap_eq_int(aead_encrypt(AEAD_CHACHA20_POLY1305, keymat, 40, iv, NULL, 0, buf, 16, buf, icv),
		   ERR_INVAL, "chacha20poly1305 refuses 40 octets");
	tap_eq_int(aead_encrypt((enum aead_alg)21, keymat, 20, iv, NULL, 0, buf, 16, buf, icv),
		   ERR_UNSUPPORTED, "an unknown AEAD (CCM) is refused");
	tap_eq_int(aead_encrypt(AEAD_AES_GCM_16, keymat, 20, iv, NULL, 0, buf, 16, buf, icv), 0,
		   "gcm with 20 octets of keymat");
	tap_eq_int(aead_decrypt(AEAD_AES_GCM_16, keymat, 20, iv, NULL, 0, buf, 16, icv, buf), 0,
		   "in-place round trip verifies");
	tap_ok(all_zero(buf, 16), "in-place round trip gives the plaintext back");
}

int main(void)
{
	if (!vec_dir())
		return tap_skip_all("vectors folder not found (set DUALIKE_VECTORS)");
	test_lengths();
	test_gcm_spec();
	test_rfc8439();
	test_rfc7634();
	return tap_done();
}
