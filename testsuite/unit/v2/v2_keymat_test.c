/*
 * v2_keymat_test.c - the IKEv2 key schedule: every NIST CAVS IKEv2 vector,
 * the fixed-key PRF nonce rule (RFC 7296 2.14) and the seven-key split.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/prfplus.h"
#include "testsuite/lib/kdf_vec.h"
#include "testsuite/lib/tap.h"
#include "testsuite/lib/vec.h"
#include "v2/v2_keymat.h"

/*
 * DKM through the seven-key split: choose integ/encr lengths so the seven
 * keys cover at least the DKM, concatenate them in 2.14 order, compare.
 */
static bool check_dkm(enum prf_alg prf, const struct secret *skeyseed,
		      uint8_t *const *v, const size_t *l, const uint8_t *dkm, size_t dkm_len,
		      struct v2_ike_keys *keys)
{
	size_t p = prf_key_len(prf), rem = dkm_len > 3 * p ? dkm_len - 3 * p : 0;
	size_t integ = (rem + 3) / 4, encr = 0, off = 0;
	uint8_t *all;
	bool ok;

	if (rem > 2 * integ)
		encr = (rem - 2 * integ + 1) / 2;
	if (v2_ike_keys_derive(keys, prf, skeyseed, v[0], l[0], v[1], l[1], v[4], v[5], integ, encr))
		return false;
	all = malloc(3 * p + 2 * integ + 2 * encr);
	{
		const struct secret *parts[] = { keys->sk_d, keys->sk_ai, keys->sk_ar, keys->sk_ei,
						 keys->sk_er, keys->sk_pi, keys->sk_pr };

		for (size_t i = 0; i < 7; i++) {
			memcpy(all + off, parts[i]->bytes, parts[i]->len);
			off += parts[i]->len;
		}
	}
	ok = off >= dkm_len && memcmp(all, dkm, dkm_len) == 0;
	if (!ok)
		tap_diag("DKM differs (seven keys of %zu bytes, DKM %zu)", off, dkm_len);
	free(all);
	return ok;
}

static void run_cavs(void)
{
	static const char *names[] = { "Ni", "Nr", "g^ir", "g^ir (new)", "SPIi", "SPIr", "SKEYSEED",
				       "DKM", "DKM(Child SA)", "DKM(Child SA D-H)", "SKEYSEED(Rekey)" };
	struct vec_file f;
	struct vec_rec r;
	unsigned n = 0, pass = 0;

	if (!vec_open(&f, "cavp-ikev2/ikev2.fax")) {
		tap_ok(false, "cavp-ikev2/ikev2.fax opens");
		return;
	}
	memset(&r, 0, sizeof(r));
	while (vec_next(&f, &r)) {
		uint8_t *v[11] = { NULL };
		size_t l[11] = { 0 };
		struct secret *skeyseed = NULL, *child = NULL, *child_dh = NULL, *rekey = NULL;
		struct v2_ike_keys keys = { 0 };
		const char *label;
		enum prf_alg prf = kdf_vec_section_prf(&r, &label);
		const char *child_bits = vec_section(&r, "Child SA DKM length");
		bool ok = prf != 0 && child_bits != NULL;

		if (!vec_get(&r, "COUNT"))
			continue;
		for (size_t i = 0; i < 11; i++)
			ok &= vec_get_hex(&r, names[i], &v[i], &l[i]);
		ok &= l[4] == V2_SPI_LEN && l[5] == V2_SPI_LEN;
		if (ok) {
			size_t child_len = (size_t)strtoul(child_bits, NULL, 10) / 8;

			ok = v2_skeyseed(prf, v[0], l[0], v[1], l[1], v[2], l[2], &skeyseed) == 0 &&
			     kdf_vec_same(skeyseed, v[6], l[6], "SKEYSEED");
			ok = ok && check_dkm(prf, skeyseed, v, l, v[7], l[7], &keys);
			ok = ok && kdf_vec_same(keys.sk_d, v[7], prf_out_len(prf), "SK_d (DKM prefix)");
			ok = ok && child_len == l[8] &&
			     v2_child_keymat(prf, keys.sk_d, NULL, 0, v[0], l[0], v[1], l[1], child_len, &child) == 0 &&
			     kdf_vec_same(child, v[8], l[8], "DKM(Child SA)");
			ok = ok && v2_child_keymat(prf, keys.sk_d, v[3], l[3], v[0], l[0], v[1], l[1],
						   child_len, &child_dh) == 0 &&
			     kdf_vec_same(child_dh, v[9], l[9], "DKM(Child SA D-H)");
			ok = ok && v2_skeyseed_rekey(prf, keys.sk_d, v[3], l[3], v[0], l[0], v[1], l[1], &rekey) == 0 &&
			     kdf_vec_same(rekey, v[10], l[10], "SKEYSEED(Rekey)");
		}
		tap_ok(ok, "ikev2.fax line %u (%s, COUNT %s): SKEYSEED, DKM, DKM(Child SA), "
		       "DKM(Child SA D-H), SKEYSEED(Rekey)", r.first_line, label, vec_get(&r, "COUNT"));
		pass += ok;
		n++;
		secret_free(skeyseed);
		secret_free(child);
		secret_free(child_dh);
		secret_free(rekey);
		v2_ike_keys_free(&keys);
		for (size_t i = 0; i < 11; i++)
			free(v[i]);
	}
	vec_rec_free(&r);
	vec_close(&f);
	tap_diag("cavp-ikev2/ikev2.fax: %u of %u CAVS vectors pass", pass, n);
	tap_eq_int(n, 900, "ikev2.fax holds 900 vectors, all run");
}

static uint8_t ni32[32], nr20[20];
static const uint8_t gir[] = "g^ir stand-in shared secret";

/* 2.14: a fixed-key PRF takes the first 8 bytes of Ni and the first 8 of Nr. */
static void test_fixed_key(enum prf_alg prf)
{
	uint8_t key[16], want[16], probe[16];
	struct secret *s = NULL, *s2 = NULL;
	uint8_t ni_alt[32];

	if (prf_once(prf, ni32, 16, "x", 1, probe) == ERR_UNSUPPORTED) {
		tap_skip("%s returns ERR_UNSUPPORTED in common/prf.c: fixed-key rule not checked", prf_name(prf));
		return;
	}
	memcpy(key, ni32, 8);
	memcpy(key + 8, nr20, 8);
	prf_once(prf, key, 16, gir, sizeof(gir), want);
	tap_eq_int(v2_skeyseed(prf, ni32, sizeof(ni32), nr20, sizeof(nr20), gir, sizeof(gir), &s), 0,
		   "%s SKEYSEED with 32- and 20-byte nonces", prf_name(prf));
	if (s)
		tap_eq_bytes(s->bytes, s->len, want, 16, "%s: key = first 8 bytes of Ni | first 8 of Nr",
			     prf_name(prf));
	/* Bytes of Ni past the first half must not matter. */
	memcpy(ni_alt, ni32, sizeof(ni_alt));
	ni_alt[20] ^= 0xff;
	v2_skeyseed(prf, ni_alt, sizeof(ni_alt), nr20, sizeof(nr20), gir, sizeof(gir), &s2);
	tap_ok(s && s2 && memcmp(s->bytes, s2->bytes, 16) == 0, "%s: the tail of Ni is not used", prf_name(prf));
	secret_free(s2);
	s2 = NULL;
	/* Plain Ni | Nr would give something else: the rule is really applied. */
	{
		uint8_t full[52], other[16];

		memcpy(full, ni32, 32);
		memcpy(full + 32, nr20, 20);
		prf_once(prf, full, sizeof(full), gir, sizeof(gir), other);
		tap_ok(s && memcmp(s->bytes, other, 16) != 0, "%s: not prf(Ni | Nr, g^ir) of the full nonces",
		       prf_name(prf));
	}
	tap_eq_int(v2_skeyseed(prf, ni32, 4, nr20, sizeof(nr20), gir, sizeof(gir), &s2), ERR_INVAL,
		   "%s: a nonce shorter than half the key is refused", prf_name(prf));
	secret_free(s);
}

static void test_hmac_skeyseed(void)
{
	uint8_t key[52], want[32];
	struct secret *s = NULL;

	memcpy(key, ni32, 32);
	memcpy(key + 32, nr20, 20);
	prf_once(PRF_HMAC_SHA2_256, key, sizeof(key), gir, sizeof(gir), want);
	tap_eq_int(v2_skeyseed(PRF_HMAC_SHA2_256, ni32, 32, nr20, 20, gir, sizeof(gir), &s), 0, "HMAC SKEYSEED");
	if (s)
		tap_eq_bytes(s->bytes, s->len, want, 32, "HMAC: SKEYSEED = prf(Ni | Nr, g^ir), full nonces");
	secret_free(s);
}

/* The seven keys are consecutive slices of prf+, in 2.14 order and lengths. */
static void test_split(void)
{
	static const uint8_t spi_i[8] = { 1, 2, 3, 4, 5, 6, 7, 8 }, spi_r[8] = { 9, 10, 11, 12, 13, 14, 15, 16 };
	struct secret *seed = secret_dup("SKEYSEED stand-in for the split", 31);
	struct prf_input in[] = { { ni32, 32 }, { nr20, 20 }, { spi_i, 8 }, { spi_r, 8 } };
	struct v2_ike_keys k = { 0 };
	/* SHA-384 PRF, AES-256-CBC (32) + HMAC-SHA2-384-192 (48). */
	size_t p = 48, integ = 48, encr = 32, total = 3 * p + 2 * integ + 2 * encr, off = 0;
	uint8_t want[512];
	const char *what[] = { "SK_d", "SK_ai", "SK_ar", "SK_ei", "SK_er", "SK_pi", "SK_pr" };

	prfplus(PRF_HMAC_SHA2_384, seed->bytes, seed->len, in, 4, want, total);
	tap_eq_int(v2_ike_keys_derive(&k, PRF_HMAC_SHA2_384, seed, ni32, 32, nr20, 20, spi_i, spi_r, integ, encr),
		   0, "seven keys derived");
	{
		const struct secret *got[] = { k.sk_d, k.sk_ai, k.sk_ar, k.sk_ei, k.sk_er, k.sk_pi, k.sk_pr };
		const size_t len[] = { p, integ, integ, encr, encr, p, p };

		for (size_t i = 0; i < 7; i++) {
			tap_ok(got[i] && got[i]->len == len[i], "%s is %zu bytes", what[i], len[i]);
			if (got[i])
				tap_eq_bytes(got[i]->bytes, got[i]->len, want + off, len[i],
					     "%s is prf+ bytes %zu..%zu", what[i], off, off + len[i] - 1);
			off += len[i];
		}
	}
	v2_ike_keys_free(&k);
	tap_ok(k.sk_d == NULL && k.sk_pr == NULL, "free clears every pointer");

	/* AEAD: no integrity keys; AES-GCM-256 with salt is 36 bytes. */
	tap_eq_int(v2_ike_keys_derive(&k, PRF_HMAC_SHA2_256, seed, ni32, 32, nr20, 20, spi_i, spi_r, 0, 36), 0,
		   "AEAD key set derived");
	tap_ok(k.sk_ai && k.sk_ai->len == 0 && k.sk_ar->len == 0 && k.sk_ei->len == 36 && k.sk_d->len == 32,
	       "AEAD: empty SK_ai/SK_ar, 36-byte SK_ei, 32-byte SK_d");
	v2_ike_keys_free(&k);

	/* 2.14 for AES-XCBC: SK_d, SK_pi, SK_pr are the PRF key size (16). */
	if (prf_once(PRF_AES128_XCBC, ni32, 16, "x", 1, want) == 0) {
		tap_eq_int(v2_ike_keys_derive(&k, PRF_AES128_XCBC, seed, ni32, 32, nr20, 20, spi_i, spi_r, 12, 16),
			   0, "AES-XCBC key set derived");
		tap_ok(k.sk_d && k.sk_d->len == 16 && k.sk_pi->len == 16 && k.sk_pr->len == 16,
		       "AES-XCBC: SK_d, SK_pi, SK_pr are 16 bytes");
		v2_ike_keys_free(&k);
	} else {
		tap_skip("AES-XCBC-PRF-128 returns ERR_UNSUPPORTED in common/prf.c");
	}
	tap_eq_int(v2_ike_keys_derive(&k, PRF_HMAC_MD5, seed, ni32, 32, nr20, 20, spi_i, spi_r, 1024, 1024),
		   ERR_OVERFLOW, "more than 255 prf+ blocks (4144 bytes of HMAC-MD5) is refused");
	tap_ok(k.sk_d == NULL, "a refused derivation leaves the key set empty");
	secret_free(seed);
}

static void test_child(void)
{
	static const uint8_t g_new[] = "new g^ir for PFS";
	struct secret *sk_d = secret_dup("SK_d stand-in, twenty", 20);
	struct secret *a = NULL, *b = NULL;
	uint8_t want[80];
	struct prf_input in[] = { { g_new, sizeof(g_new) }, { ni32, 32 }, { nr20, 20 } };

	prfplus(PRF_HMAC_SHA1, sk_d->bytes, sk_d->len, in + 1, 2, want, 72);
	tap_eq_int(v2_child_keymat(PRF_HMAC_SHA1, sk_d, NULL, 0, ni32, 32, nr20, 20, 72, &a), 0, "child KEYMAT");
	if (a)
		tap_eq_bytes(a->bytes, a->len, want, 72, "KEYMAT = prf+(SK_d, Ni | Nr)");
	prfplus(PRF_HMAC_SHA1, sk_d->bytes, sk_d->len, in, 3, want, 72);
	tap_eq_int(v2_child_keymat(PRF_HMAC_SHA1, sk_d, g_new, sizeof(g_new), ni32, 32, nr20, 20, 72, &b), 0,
		   "child KEYMAT with PFS");
	if (b)
		tap_eq_bytes(b->bytes, b->len, want, 72, "KEYMAT = prf+(SK_d, g^ir (new) | Ni | Nr)");
	secret_free(a);
	secret_free(b);
	secret_free(sk_d);
}

/* ACVP cross-check (acvp-libreswan/): tcId 100 = CAVS COUNT 0, other format. */
static void run_acvp(void)
{
	static const char *rel = "acvp-libreswan/test.acvp.ikev2.json";
	static const char *fields[] = { "sKeySeed", "derivedKeyingMaterial", "derivedKeyingMaterialChild",
					"derivedKeyingMaterialDh", "sKeySeedReKey" };
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
		/* Same order as the CAVS fields check_dkm() reads: Ni, Nr, g^ir, g^ir (new), SPIi, SPIr. */
		static const char *names[] = { "nInit", "nResp", "gir", "girNew", "spiInit", "spiResp" };
		uint8_t *in[6] = { NULL }, *want[5] = { NULL };
		size_t il[6] = { 0 }, wl[5] = { 0 };
		struct secret *seed = NULL, *child = NULL, *child_dh = NULL, *rekey = NULL;
		struct v2_ike_keys keys = { 0 };
		bool ok;

		if (!file || strcmp(file, "test.acvp.ikev2.json") != 0)
			continue;
		ok = hash && strcmp(hash, "SHA-1") == 0;
		for (size_t i = 0; i < 6; i++)
			ok &= vec_get_hex(&r, names[i], &in[i], &il[i]);
		for (size_t i = 0; i < 5; i++)
			ok &= vec_json_hex(rel, fields[i], &want[i], &wl[i]);
		ok &= il[4] == V2_SPI_LEN && il[5] == V2_SPI_LEN;
		if (ok) {
			ok = v2_skeyseed(PRF_HMAC_SHA1, in[0], il[0], in[1], il[1], in[2], il[2], &seed) == 0 &&
			     kdf_vec_same(seed, want[0], wl[0], "sKeySeed");
			ok = ok && check_dkm(PRF_HMAC_SHA1, seed, in, il, want[1], wl[1], &keys);
			ok = ok && v2_child_keymat(PRF_HMAC_SHA1, keys.sk_d, NULL, 0, in[0], il[0], in[1], il[1],
						   wl[2], &child) == 0 &&
			     kdf_vec_same(child, want[2], wl[2], "derivedKeyingMaterialChild");
			ok = ok && v2_child_keymat(PRF_HMAC_SHA1, keys.sk_d, in[3], il[3], in[0], il[0], in[1], il[1],
						   wl[3], &child_dh) == 0 &&
			     kdf_vec_same(child_dh, want[3], wl[3], "derivedKeyingMaterialDh");
			ok = ok && v2_skeyseed_rekey(PRF_HMAC_SHA1, keys.sk_d, in[3], il[3], in[0], il[0], in[1],
						     il[1], &rekey) == 0 &&
			     kdf_vec_same(rekey, want[4], wl[4], "sKeySeedReKey");
		}
		tap_ok(ok, "ACVP %s tcId %s: sKeySeed, DKM, child DKM, child DKM D-H, sKeySeedReKey", file,
		       vec_get(&r, "tcId"));
		n++;
		secret_free(seed);
		secret_free(child);
		secret_free(child_dh);
		secret_free(rekey);
		v2_ike_keys_free(&keys);
		for (size_t i = 0; i < 6; i++)
			free(in[i]);
		for (size_t i = 0; i < 5; i++)
			free(want[i]);
	}
	vec_rec_free(&r);
	vec_close(&f);
	tap_eq_int(n, 1, "the IKEv2 ACVP test ran");
}

int main(void)
{
	for (size_t i = 0; i < sizeof(ni32); i++)
		ni32[i] = (uint8_t)(0x10 + i);
	for (size_t i = 0; i < sizeof(nr20); i++)
		nr20[i] = (uint8_t)(0x80 + 3 * i);
	test_hmac_skeyseed();
	test_fixed_key(PRF_AES128_XCBC);
	test_fixed_key(PRF_AES128_CMAC);
	test_split();
	test_child();
	if (!vec_dir()) {
		tap_skip("vectors folder not found: CAVS IKEv2 vectors not run");
		return tap_done();
	}
	run_cavs();
	run_acvp();
	return tap_done();
}
