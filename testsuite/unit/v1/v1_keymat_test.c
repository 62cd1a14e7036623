/*
 * v1_keymat_test.c - the IKEv1 key schedule: every NIST CAVS IKEv1 vector
 * (PSK and signature authentication), then encryption key stretching, IVs
 * and Quick Mode KEYMAT against the RFC 2409 formulas computed by hand.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "testsuite/lib/kdf_vec.h"
#include "testsuite/lib/tap.h"
#include "testsuite/lib/vec.h"
#include "v1/v1_keymat.h"

/* One TAP line per record: SKEYID, SKEYID_d, SKEYID_a, SKEYID_e all compared. */
static void run_cavs(const char *file, bool psk)
{
	struct vec_file f;
	struct vec_rec r;
	unsigned n = 0, pass = 0;

	if (!vec_open(&f, file)) {
		tap_ok(false, "%s opens", file);
		return;
	}
	memset(&r, 0, sizeof(r));
	while (vec_next(&f, &r)) {
		static const char *names[] = { "CKY_I", "CKY_R", "Ni", "Nr", "g^xy", "SKEYID",
					       "SKEYID_d", "SKEYID_a", "SKEYID_e", "pre-shared-key" };
		uint8_t *v[10] = { NULL };
		size_t l[10] = { 0 };
		size_t n_fields = psk ? 10 : 9;
		struct v1_phase1_inputs in;
		struct v1_keyset ks = { 0 };
		const char *label;
		enum prf_alg prf = kdf_vec_section_prf(&r, &label);
		bool ok = prf != 0;
		int rc;

		if (!vec_get(&r, "COUNT"))
			continue;
		for (size_t i = 0; i < n_fields; i++)
			ok &= vec_get_hex(&r, names[i], &v[i], &l[i]);
		ok &= l[0] == V1_COOKIE_LEN && l[1] == V1_COOKIE_LEN;
		if (ok) {
			memset(&in, 0, sizeof(in));
			memcpy(in.cky_i, v[0], V1_COOKIE_LEN);
			memcpy(in.cky_r, v[1], V1_COOKIE_LEN);
			in.ni = v[2]; in.ni_len = l[2];
			in.nr = v[3]; in.nr_len = l[3];
			in.gxy = v[4]; in.gxy_len = l[4];
			rc = psk ? v1_keyset_psk(&ks, prf, v[9], l[9], &in) : v1_keyset_sig(&ks, prf, &in);
			if (rc)
				tap_diag("derivation failed: %s", err_str(rc));
			ok = rc == 0;
			ok = ok && kdf_vec_same(ks.skeyid, v[5], l[5], "SKEYID");
			ok = ok && kdf_vec_same(ks.skeyid_d, v[6], l[6], "SKEYID_d");
			ok = ok && kdf_vec_same(ks.skeyid_a, v[7], l[7], "SKEYID_a");
			ok = ok && kdf_vec_same(ks.skeyid_e, v[8], l[8], "SKEYID_e");
		}
		tap_ok(ok, "%s line %u (%s, COUNT %s): SKEYID, SKEYID_d, SKEYID_a, SKEYID_e", file,
		       r.first_line, label, vec_get(&r, "COUNT"));
		pass += ok;
		n++;
		v1_keyset_free(&ks);
		for (size_t i = 0; i < 10; i++)
			free(v[i]);
	}
	vec_rec_free(&r);
	vec_close(&f);
	tap_diag("%s: %u of %u CAVS vectors pass", file, pass, n);
	tap_eq_int(n, 1700, "%s holds 1700 vectors, all run", file);
}

static const uint8_t ni[] = "initiator nonce Ni_b";
static const uint8_t nr[] = "responder nonce Nr_b, longer";
static const uint8_t gxy[] = "a shared secret g^xy standing in for a DH result";

static void fixed_inputs(struct v1_phase1_inputs *in)
{
	memset(in, 0, sizeof(*in));
	in->ni = ni; in->ni_len = sizeof(ni);
	in->nr = nr; in->nr_len = sizeof(nr);
	in->gxy = gxy; in->gxy_len = sizeof(gxy);
	memcpy(in->cky_i, "\x01\x02\x03\x04\x05\x06\x07\x08", 8);
	memcpy(in->cky_r, "\x11\x12\x13\x14\x15\x16\x17\x18", 8);
}

/* Appendix B: 3DES (24 bytes) from HMAC-SHA1's 20-byte SKEYID_e. */
static void test_stretch(void)
{
	struct v1_phase1_inputs in;
	struct v1_keyset ks = { 0 };
	struct secret *key = NULL, *key16 = NULL;
	uint8_t k1[20], k2[20], want[24], zero = 0;

	fixed_inputs(&in);
	tap_eq_int(v1_keyset_psk(&ks, PRF_HMAC_SHA1, (const uint8_t *)"psk", 3, &in), 0, "PSK key set");
	prf_once(PRF_HMAC_SHA1, ks.skeyid_e->bytes, 20, &zero, 1, k1);
	prf_once(PRF_HMAC_SHA1, ks.skeyid_e->bytes, 20, k1, 20, k2);
	memcpy(want, k1, 20);
	memcpy(want + 20, k2, 4);
	tap_eq_int(v1_enc_key(&ks, 24, &key), 0, "3DES key from a 20-byte SKEYID_e");
	tap_ok(key && key->len == 24, "the key is 24 bytes");
	if (key)
		tap_eq_bytes(key->bytes, key->len, want, 24, "K1 = prf(SKEYID_e, 0), K2 = prf(SKEYID_e, K1)");
	tap_ok(key && memcmp(key->bytes, ks.skeyid_e->bytes, 20) != 0,
	       "a stretched key does not start with SKEYID_e itself");
	tap_eq_int(v1_enc_key(&ks, 16, &key16), 0, "AES-128 key from a 20-byte SKEYID_e");
	if (key16)
		tap_eq_bytes(key16->bytes, key16->len, ks.skeyid_e->bytes, 16,
			     "a long enough SKEYID_e is truncated, not stretched");
	secret_free(key);
	secret_free(key16);
	v1_keyset_free(&ks);

	/* 41 bytes from MD5 (16): three blocks K1 | K2 | K3, cut after 9 bytes of K3. */
	tap_eq_int(v1_keyset_psk(&ks, PRF_HMAC_MD5, (const uint8_t *)"psk", 3, &in), 0, "MD5 key set");
	{
		uint8_t m[48];

		prf_once(PRF_HMAC_MD5, ks.skeyid_e->bytes, 16, &zero, 1, m);
		prf_once(PRF_HMAC_MD5, ks.skeyid_e->bytes, 16, m, 16, m + 16);
		prf_once(PRF_HMAC_MD5, ks.skeyid_e->bytes, 16, m + 16, 16, m + 32);
		tap_eq_int(v1_enc_key(&ks, 41, &key), 0, "41 bytes from MD5");
		if (key)
			tap_eq_bytes(key->bytes, key->len, m, 41, "three blocks chained");
		secret_free(key);
	}
	v1_keyset_free(&ks);
	tap_ok(ks.skeyid == NULL && ks.skeyid_e == NULL, "v1_keyset_free clears the pointers");
}

/* PSK and signature SKEYID by hand, and the children's chaining. */
static void test_keyset_by_hand(void)
{
	struct v1_phase1_inputs in;
	struct v1_keyset ks = { 0 };
	uint8_t buf[512], skeyid[32], d[32];
	size_t n;

	fixed_inputs(&in);
	memcpy(buf, ni, sizeof(ni));
	memcpy(buf + sizeof(ni), nr, sizeof(nr));
	prf_once(PRF_HMAC_SHA2_256, buf, sizeof(ni) + sizeof(nr), gxy, sizeof(gxy), skeyid);
	tap_eq_int(v1_keyset_sig(&ks, PRF_HMAC_SHA2_256, &in), 0, "signature key set");
	tap_eq_bytes(ks.skeyid->bytes, ks.skeyid->len, skeyid, 32, "SKEYID = prf(Ni_b | Nr_b, g^xy)");
	n = 0;
	memcpy(buf, gxy, sizeof(gxy)); n += sizeof(gxy);
	memcpy(buf + n, in.cky_i, 8); n += 8;
	memcpy(buf + n, in.cky_r, 8); n += 8;
	buf[n++] = 0;
	prf_once(PRF_HMAC_SHA2_256, skeyid, 32, buf, n, d);
	tap_eq_bytes(ks.skeyid_d->bytes, ks.skeyid_d->len, d, 32, "SKEYID_d = prf(SKEYID, g^xy | CKY-I | CKY-R | 0)");
	v1_keyset_free(&ks);
	tap_eq_int(v1_keyset_psk(&ks, (enum prf_alg)99, (const uint8_t *)"k", 1, &in), ERR_UNSUPPORTED,
		   "an unknown PRF is refused");
	tap_ok(ks.skeyid == NULL, "and leaves the key set empty");
}

static void test_iv(void)
{
	static const uint8_t gxi[] = "initiator public value g^xi";
	static const uint8_t gxr[] = "responder public value g^xr";
	uint8_t buf[128], want[64], iv[32], iv2[32];
	uint8_t last[16];

	memcpy(buf, gxi, sizeof(gxi));
	memcpy(buf + sizeof(gxi), gxr, sizeof(gxr));
	hash_once(HASH_SHA1, buf, sizeof(gxi) + sizeof(gxr), want);
	memset(iv, 0xee, sizeof(iv));
	tap_eq_int(v1_iv_phase1(HASH_SHA1, gxi, sizeof(gxi), gxr, sizeof(gxr), 16, iv), 0, "phase-1 IV");
	tap_eq_bytes(iv, 16, want, 16, "phase-1 IV = hash(g^xi | g^xr) cut to the AES block");
	tap_ok(iv[16] == 0xee, "nothing written past the block");
	tap_eq_int(v1_iv_phase1(HASH_MD5, gxi, sizeof(gxi), gxr, sizeof(gxr), 8, iv), 0, "3DES phase-1 IV from MD5");
	hash_once(HASH_MD5, buf, sizeof(gxi) + sizeof(gxr), want);
	tap_eq_bytes(iv, 8, want, 8, "MD5 digest cut to 8 bytes");
	tap_eq_int(v1_iv_phase1(HASH_MD5, gxi, sizeof(gxi), gxr, sizeof(gxr), 32, iv), ERR_INVAL,
		   "a block larger than the digest is refused");

	for (size_t i = 0; i < sizeof(last); i++)
		last[i] = (uint8_t)(0xa0 + i);
	memcpy(buf, last, 16);
	memcpy(buf + 16, "\x12\x34\x56\x78", 4);
	hash_once(HASH_SHA2_256, buf, 20, want);
	tap_eq_int(v1_iv_phase2(HASH_SHA2_256, last, 16, 0x12345678u, iv), 0, "phase-2 IV");
	tap_eq_bytes(iv, 16, want, 16, "phase-2 IV = hash(last block | M-ID in network order)");
	v1_iv_phase2(HASH_SHA2_256, last, 16, 0x12345679u, iv2);
	tap_ok(memcmp(iv, iv2, 16) != 0, "another M-ID gives another IV");
}

/*
 * K1 | K2 of KEYMAT with HMAC-SHA1 written out (RFC 2409 5.5):
 * K1 = prf(SKEYID_d, [g(qm)^xy |] protocol | SPI | Ni_b | Nr_b),
 * K2 = prf(SKEYID_d, K1 | [g(qm)^xy |] protocol | SPI | Ni_b | Nr_b).
 */
static void keymat_by_hand(const struct v1_keyset *ks, const uint8_t *gqm, size_t gqm_len,
			   const struct v1_keymat_inputs *q, uint8_t want[40])
{
	uint8_t buf[256];
	size_t n = 0;

	if (gqm_len) {
		memcpy(buf, gqm, gqm_len);
		n = gqm_len;
	}
	buf[n++] = q->protocol;
	memcpy(buf + n, q->spi, q->spi_len); n += q->spi_len;
	memcpy(buf + n, q->ni, q->ni_len); n += q->ni_len;
	memcpy(buf + n, q->nr, q->nr_len); n += q->nr_len;
	prf_once(PRF_HMAC_SHA1, ks->skeyid_d->bytes, 20, buf, n, want);
	memmove(buf + 20, buf, n);
	memcpy(buf, want, 20);
	prf_once(PRF_HMAC_SHA1, ks->skeyid_d->bytes, 20, buf, n + 20, want + 20);
}

static void test_keymat(void)
{
	static const uint8_t qni[] = "quick mode Ni";
	static const uint8_t qnr[] = "quick mode Nr";
	static const uint8_t gqm[] = "PFS g(qm)^xy";
	static const uint8_t spi[4] = { 0xc0, 0x01, 0xd0, 0x0d };
	struct v1_phase1_inputs in;
	struct v1_keyset ks = { 0 };
	struct v1_keymat_inputs q = { .protocol = 3, .spi = spi, .spi_len = 4,
				      .ni = qni, .ni_len = sizeof(qni), .nr = qnr, .nr_len = sizeof(qnr) };
	struct secret *km = NULL, *km2 = NULL;
	uint8_t want[40];

	fixed_inputs(&in);
	v1_keyset_psk(&ks, PRF_HMAC_SHA1, (const uint8_t *)"psk", 3, &in);

	/* No PFS, 40 bytes (e.g. AES-128 + HMAC-SHA1 key): K1 | K2 from SHA-1. */
	keymat_by_hand(&ks, NULL, 0, &q, want);
	tap_eq_int(v1_keymat(&ks, &q, 36, &km), 0, "KEYMAT without PFS");
	tap_ok(km && km->len == 36, "KEYMAT has the asked length");
	if (km)
		tap_eq_bytes(km->bytes, km->len, want, 36, "K1 = prf(SKEYID_d, protocol | SPI | Ni_b | Nr_b), K2 chained");

	/* With PFS: g(qm)^xy first, in K1 and in K2. */
	keymat_by_hand(&ks, gqm, sizeof(gqm), &q, want);
	q.g_qm = gqm;
	q.g_qm_len = sizeof(gqm);
	tap_eq_int(v1_keymat(&ks, &q, 40, &km2), 0, "KEYMAT with PFS");
	if (km2)
		tap_eq_bytes(km2->bytes, km2->len, want, 40, "K1 = prf(SKEYID_d, g(qm)^xy | protocol | SPI | Ni_b | Nr_b), K2 chained");
	tap_ok(km && km2 && memcmp(km->bytes, km2->bytes, 20) != 0, "PFS changes KEYMAT");
	secret_free(km2);
	km2 = NULL;

	q.g_qm = NULL;
	q.g_qm_len = 0;
	q.spi = (const uint8_t *)"\xc0\x01\xd0\x0e";
	v1_keymat(&ks, &q, 36, &km2);
	tap_ok(km && km2 && memcmp(km->bytes, km2->bytes, 36) != 0, "another SPI changes KEYMAT");
	secret_free(km2);
	km2 = NULL;
	q.spi = spi;
	q.protocol = 2;
	v1_keymat(&ks, &q, 36, &km2);
	tap_ok(km && km2 && memcmp(km->bytes, km2->bytes, 36) != 0, "another protocol (AH) changes KEYMAT");
	secret_free(km2);
	km2 = NULL;
	q.protocol = 3;
	v1_keymat(&ks, &q, 20, &km2);
	tap_ok(km && km2 && km2->len == 20 && memcmp(km->bytes, km2->bytes, 20) == 0,
	       "a shorter KEYMAT is a prefix of a longer one");
	secret_free(km2);
	secret_free(km);
	v1_keyset_free(&ks);
}

/*
 * ACVP cross-check (acvp-libreswan/): inputs from inputs.txt, expected
 * results from the JSON files; tcId 100 is CAVS COUNT 0, run through here
 * as a second, differently formatted source.
 */
static void run_acvp(void)
{
	struct vec_file f;
	struct vec_rec r;
	unsigned n = 0;

	if (!vec_open(&f, "acvp-libreswan/inputs.txt")) {
		tap_ok(false, "acvp-libreswan/inputs.txt opens");
		return;
	}
	memset(&r, 0, sizeof(r));
	while (vec_next(&f, &r)) {
		const char *file = vec_get(&r, "file"), *hash = vec_get(&r, "hashAlg");
		static const char *keys[] = { "sKeyId", "sKeyIdD", "sKeyIdA", "sKeyIdE" };
		uint8_t *in[6] = { NULL }, *want[4] = { NULL };
		size_t il[6] = { 0 }, wl[4] = { 0 };
		char rel[256];
		struct v1_phase1_inputs p1;
		struct v1_keyset ks = { 0 };
		bool psk, ok;

		if (!file || strncmp(file, "test.acvp.ikev1", 15) != 0)
			continue;
		psk = strstr(file, "psk") != NULL;
		snprintf(rel, sizeof(rel), "acvp-libreswan/%s", file);
		ok = hash && strcmp(hash, "SHA-1") == 0;
		ok &= vec_get_hex(&r, "gxy", &in[0], &il[0]) && vec_get_hex(&r, "nInit", &in[1], &il[1]) &&
		      vec_get_hex(&r, "nResp", &in[2], &il[2]) && vec_get_hex(&r, "ckyInit", &in[3], &il[3]) &&
		      vec_get_hex(&r, "ckyResp", &in[4], &il[4]) &&
		      (!psk || vec_get_hex(&r, "preSharedKey", &in[5], &il[5]));
		for (size_t i = 0; i < 4; i++)
			ok &= vec_json_hex(rel, keys[i], &want[i], &wl[i]);
		ok &= il[3] == V1_COOKIE_LEN && il[4] == V1_COOKIE_LEN;
		if (ok) {
			memset(&p1, 0, sizeof(p1));
			p1.gxy = in[0]; p1.gxy_len = il[0];
			p1.ni = in[1]; p1.ni_len = il[1];
			p1.nr = in[2]; p1.nr_len = il[2];
			memcpy(p1.cky_i, in[3], V1_COOKIE_LEN);
			memcpy(p1.cky_r, in[4], V1_COOKIE_LEN);
			ok = (psk ? v1_keyset_psk(&ks, PRF_HMAC_SHA1, in[5], il[5], &p1)
				  : v1_keyset_sig(&ks, PRF_HMAC_SHA1, &p1)) == 0;
			ok = ok && kdf_vec_same(ks.skeyid, want[0], wl[0], "sKeyId") &&
			     kdf_vec_same(ks.skeyid_d, want[1], wl[1], "sKeyIdD") &&
			     kdf_vec_same(ks.skeyid_a, want[2], wl[2], "sKeyIdA") &&
			     kdf_vec_same(ks.skeyid_e, want[3], wl[3], "sKeyIdE");
		}
		tap_ok(ok, "ACVP %s tcId %s: sKeyId, sKeyIdD, sKeyIdA, sKeyIdE", file, vec_get(&r, "tcId"));
		n++;
		v1_keyset_free(&ks);
		for (size_t i = 0; i < 6; i++)
			free(in[i]);
		for (size_t i = 0; i < 4; i++)
			free(want[i]);
	}
	vec_rec_free(&r);
	vec_close(&f);
	tap_eq_int(n, 2, "both IKEv1 ACVP tests (DSA, PSK) ran");
}

int main(void)
{
	test_keyset_by_hand();
	test_stretch();
	test_iv();
	test_keymat();
	if (!vec_dir()) {
		tap_skip("vectors folder not found: CAVS IKEv1 vectors not run");
		return tap_done();
	}
	run_cavs("cavp-ikev1/ikev1_psk.fax", true);
	run_cavs("cavp-ikev1/ikev1_dsa.fax", false);
	run_acvp();
	return tap_done();
}
