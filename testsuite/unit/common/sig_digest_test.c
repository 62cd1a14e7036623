/*
 * sig_digest_test.c - SIG_ECDSA_DIGEST (common/sig.h): ECDSA over a digest
 * the caller gives, as IKEv1 signs HASH_I / HASH_R (RFC 4754 4, 7; the
 * strongSwan finding in v1/v1_auth_sig.c). Round trips on the three curves
 * with every prf output length, r || s sizes (RFC 4754 7), tampering, wrong
 * lengths, and the tie to ordinary ECDSA: a SHA-256 ECDSA signature over m
 * is a digest signature over SHA-256(m) and the other way round, while a
 * digest signature over h is not one over SHA-256(h) (no second hash).
 */
#include <stdio.h>
#include <string.h>

#include <gnutls/crypto.h>

#include "common/cert.h"
#include "common/err.h"
#include "common/sig.h"
#include "testsuite/lib/tap.h"
#include "testsuite/unit/common/pki_helper.h"

struct curve {
	const char *alg;  /* make-pki.sh ALG */
	size_t half;      /* octets of r, of s */
	struct sig_privkey *gw, *peer;
	struct sig_pubkey *gw_pub, *peer_pub;
};

static struct curve curves[] = {
	{ "ecdsa256", 32, NULL, NULL, NULL, NULL },
	{ "ecdsa384", 48, NULL, NULL, NULL, NULL },
	{ "ecdsa521", 66, NULL, NULL, NULL, NULL },
};
#define NCURVES (sizeof(curves) / sizeof(curves[0]))

static struct sig_privkey *load_key(const char *role, const char *alg)
{
	char name[64], why[256];
	struct sig_privkey *k = NULL;

	snprintf(name, sizeof(name), "%s-%s.key", role, alg);
	if (cert_key_load_file(pki_path(name), &k, why, sizeof(why)) < 0)
		tap_diag("%s: %s", name, why);
	return k;
}

static bool load_curve(struct curve *c)
{
	c->gw = load_key("gw", c->alg);
	c->peer = load_key("peer", c->alg);
	if (!tap_ok(c->gw && c->peer, "%s: keys load", c->alg))
		return false;
	return tap_ok(sig_privkey_pubkey(c->gw, &c->gw_pub) == 0 &&
		      sig_privkey_pubkey(c->peer, &c->peer_pub) == 0,
		      "%s: public halves", c->alg);
}

static void fill(uint8_t *p, size_t n, uint8_t seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(seed + 31 * i);
}

/* One curve, one digest length: sign, size, verify, tamper. */
static void round_trip(const struct curve *c, size_t dlen)
{
	uint8_t h[64], sig[SIG_MAX_LEN];
	size_t len = 0;

	fill(h, dlen, (uint8_t)dlen);
	if (!tap_eq_int(sig_sign(c->gw, SIG_ECDSA_DIGEST, SIG_FORM_RAW, h, dlen, sig,
				 sizeof(sig), &len), 0, "%s, %zu-octet digest: sign", c->alg, dlen))
		return;
	tap_eq_int((long long)len, (long long)(2 * c->half),
		   "%s: r || s, each %zu octets (RFC 4754 7)", c->alg, c->half);
	tap_eq_int(sig_verify(c->gw_pub, SIG_ECDSA_DIGEST, SIG_FORM_RAW, h, dlen, sig, len), 0,
		   "%s, %zu: verifies", c->alg, dlen);
	/* the first bit: ECDSA uses only the leftmost order-size bits of a longer
	 * digest (FIPS 186-4 6.4), so P-256 never reads octets 32.. of 48 */
	h[0] ^= 0x80;
	tap_eq_int(sig_verify(c->gw_pub, SIG_ECDSA_DIGEST, SIG_FORM_RAW, h, dlen, sig, len),
		   ERR_INTEGRITY, "%s, %zu: a flipped digest bit is refused", c->alg, dlen);
	h[0] ^= 0x80;
	sig[3] ^= 0x10;
	tap_eq_int(sig_verify(c->gw_pub, SIG_ECDSA_DIGEST, SIG_FORM_RAW, h, dlen, sig, len),
		   ERR_INTEGRITY, "%s, %zu: a flipped bit of r is refused", c->alg, dlen);
	sig[3] ^= 0x10;
	sig[len - 2] ^= 0x01;
	tap_eq_int(sig_verify(c->gw_pub, SIG_ECDSA_DIGEST, SIG_FORM_RAW, h, dlen, sig, len),
		   ERR_INTEGRITY, "%s, %zu: a flipped bit of s is refused", c->alg, dlen);
	sig[len - 2] ^= 0x01;
	tap_eq_int(sig_verify(c->peer_pub, SIG_ECDSA_DIGEST, SIG_FORM_RAW, h, dlen, sig, len),
		   ERR_INTEGRITY, "%s, %zu: another key refuses it", c->alg, dlen);
	tap_eq_int(sig_verify(c->gw_pub, SIG_ECDSA_DIGEST, SIG_FORM_RAW, h, dlen, sig, len - 1),
		   ERR_INTEGRITY, "%s, %zu: one octet short is refused", c->alg, dlen);
	sig[len] = 0;
	tap_eq_int(sig_verify(c->gw_pub, SIG_ECDSA_DIGEST, SIG_FORM_RAW, h, dlen, sig, len + 1),
		   ERR_INTEGRITY, "%s, %zu: one octet long is refused", c->alg, dlen);
	tap_eq_int(sig_verify(c->gw_pub, SIG_ECDSA_DIGEST, SIG_FORM_DER, h, dlen, sig, len),
		   ERR_INTEGRITY, "%s, %zu: r || s read as DER is refused", c->alg, dlen);
	/* the DER form works as well (the form is the caller's choice) */
	if (tap_eq_int(sig_sign(c->gw, SIG_ECDSA_DIGEST, SIG_FORM_DER, h, dlen, sig, sizeof(sig),
				&len), 0, "%s, %zu: sign, DER form", c->alg, dlen))
		tap_ok(sig[0] == 0x30 && sig_verify(c->gw_pub, SIG_ECDSA_DIGEST, SIG_FORM_DER, h,
						    dlen, sig, len) == 0,
		       "%s, %zu: DER ECDSA-Sig-Value verifies", c->alg, dlen);
}

/* A SHA-256 ECDSA signature over m and a digest signature over SHA-256(m)
 * are the same thing; a digest signature over h is not hashed again. */
static void tie_to_ecdsa(const struct curve *c)
{
	static const uint8_t m[] = "g^xi | g^xr | CKY-I | CKY-R | SAi_b | IDii_b";
	uint8_t dm[32], sig[SIG_MAX_LEN];
	size_t len = 0;

	if (gnutls_hash_fast(GNUTLS_DIG_SHA256, m, sizeof(m), dm) < 0) {
		tap_ok(false, "SHA-256 of m");
		return;
	}
	tap_ok(sig_sign(c->gw, SIG_ECDSA_SHA256, SIG_FORM_RAW, m, sizeof(m), sig, sizeof(sig),
			&len) == 0 &&
	       sig_verify(c->gw_pub, SIG_ECDSA_DIGEST, SIG_FORM_RAW, dm, sizeof(dm), sig, len) == 0,
	       "%s: ecdsa-sha256 over m verifies as a digest signature over SHA-256(m)", c->alg);
	tap_ok(sig_sign(c->gw, SIG_ECDSA_DIGEST, SIG_FORM_RAW, dm, sizeof(dm), sig, sizeof(sig),
			&len) == 0 &&
	       sig_verify(c->gw_pub, SIG_ECDSA_SHA256, SIG_FORM_RAW, m, sizeof(m), sig, len) == 0,
	       "%s: a digest signature over SHA-256(m) verifies as ecdsa-sha256 over m", c->alg);
	tap_eq_int(sig_verify(c->gw_pub, SIG_ECDSA_SHA256, SIG_FORM_RAW, dm, sizeof(dm), sig, len),
		   ERR_INTEGRITY, "%s: ... but not as ecdsa-sha256 over the digest itself "
		   "(no second hash)", c->alg);
}

static void test_lengths(const struct curve *c)
{
	static const size_t bad[] = { 0, 1, 16, 19, 21, 31, 33, 47, 63, 65, 66, 128 };
	uint8_t h[128] = { 0 }, sig[SIG_MAX_LEN];
	size_t len = 0;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		tap_eq_int(sig_sign(c->gw, SIG_ECDSA_DIGEST, SIG_FORM_RAW, h, bad[i], sig,
				    sizeof(sig), &len), ERR_INVAL,
			   "%s: a %zu-octet digest is not signed", c->alg, bad[i]);
	if (sig_sign(c->gw, SIG_ECDSA_DIGEST, SIG_FORM_RAW, h, 32, sig, sizeof(sig), &len) == 0)
		tap_eq_int(sig_verify(c->gw_pub, SIG_ECDSA_DIGEST, SIG_FORM_RAW, h, 31, sig, len),
			   ERR_INVAL, "%s: verifying over a 31-octet digest is refused", c->alg);
	tap_eq_int(sig_sign(c->gw, SIG_ECDSA_DIGEST, SIG_FORM_RAW, h, 32, sig, 2 * c->half - 1,
			    &len), ERR_OVERFLOW, "%s: a buffer one octet short is refused", c->alg);
}

static void test_other_keys(void)
{
	static const char *const algs[] = { "rsa", "ed25519" };
	uint8_t h[32] = { 1 }, sig[SIG_MAX_LEN];
	size_t len = 0;

	for (size_t i = 0; i < 2; i++) {
		struct sig_privkey *k = load_key("gw", algs[i]);

		tap_ok(!sig_scheme_fits_key(SIG_ECDSA_DIGEST, sig_privkey_type(k)),
		       "%s: ecdsa-digest does not fit the key", algs[i]);
		tap_eq_int(sig_sign(k, SIG_ECDSA_DIGEST, SIG_FORM_RAW, h, sizeof(h), sig, sizeof(sig),
				    &len), ERR_UNSUPPORTED, "%s: signing refused", algs[i]);
		sig_privkey_free(k);
	}
	tap_eq_str(sig_scheme_name(SIG_ECDSA_DIGEST), "ecdsa-digest", "scheme name");
	tap_eq_int(sig_scheme_hash_id(SIG_ECDSA_DIGEST), 0, "no RFC 7427 hash ID");
	{
		const uint8_t *der;
		size_t dl;

		tap_eq_int(sig_algid_encode(SIG_ECDSA_DIGEST, &der, &dl), ERR_UNSUPPORTED,
			   "no RFC 7427 AlgorithmIdentifier");
	}
}

int main(void)
{
	static const size_t lens[] = { 20, 32, 48, 64 }; /* HMAC-SHA1, SHA2-256/384/512 prf */
	int rc = pki_start();

	if (rc >= 0)
		return rc;
	for (size_t i = 0; i < NCURVES; i++) {
		struct curve *c = &curves[i];

		if (!load_curve(c))
			continue;
		for (size_t j = 0; j < sizeof(lens) / sizeof(lens[0]); j++)
			round_trip(c, lens[j]);
		tie_to_ecdsa(c);
		test_lengths(c);
	}
	test_other_keys();
	for (size_t i = 0; i < NCURVES; i++) {
		sig_privkey_free(curves[i].gw);
		sig_privkey_free(curves[i].peer);
		sig_pubkey_free(curves[i].gw_pub);
		sig_pubkey_free(curves[i].peer_pub);
	}
	pki_remove();
	return tap_done();
}
