/*
 * sig_test - common/sig.h: sign/verify round trips for every scheme on the
 * test PKI's keys (RSA-2048, ECDSA P-256/P-384/P-521, Ed25519), refusals
 * (flipped bit in data or signature, the wrong key, a scheme that does not
 * fit the key), the ECDSA r||s form (RFC 4754) beside DER, the IKEv1 RSA
 * "private encrypt" checked with GMP against RFC 2409 5.1 (type 1 padding,
 * no DigestInfo), RFC 7427 AlgorithmIdentifiers against GnuTLS's own
 * encoding in certificates it signs, hash IDs, and the job helpers.
 */
#include <gmp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "common/buf.h"
#include "common/cert.h"
#include "common/err.h"
#include "common/job.h"
#include "common/sig.h"
#include "testsuite/lib/tap.h"
#include "testsuite/unit/common/pki_helper.h"

struct keyset {
	const char *alg; /* make-pki.sh ALG */
	enum sig_key_type type;
	unsigned bits;
	struct sig_privkey *gw, *peer;
	struct sig_pubkey *gw_pub, *peer_pub;
};

static struct keyset keys[] = {
	{ "rsa", SIG_KEY_RSA, 2048, NULL, NULL, NULL, NULL },
	{ "ecdsa256", SIG_KEY_ECDSA_P256, 256, NULL, NULL, NULL, NULL },
	{ "ecdsa384", SIG_KEY_ECDSA_P384, 384, NULL, NULL, NULL, NULL },
	{ "ecdsa521", SIG_KEY_ECDSA_P521, 521, NULL, NULL, NULL, NULL },
	{ "ed25519", SIG_KEY_ED25519, 256, NULL, NULL, NULL, NULL },
};
#define NKEYS (sizeof(keys) / sizeof(keys[0]))

static const uint8_t msg[] = "IKE_SA_INIT message | Nr | prf(SK_pi, IDi')";

static struct sig_privkey *load_key(const char *role, const char *alg)
{
	char name[64], why[256];
	struct sig_privkey *k = NULL;
	int rc;

	snprintf(name, sizeof(name), "%s-%s.key", role, alg);
	rc = cert_key_load_file(pki_path(name), &k, why, sizeof(why));
	if (rc < 0)
		tap_diag("%s", why);
	return k;
}

static void test_keys(void)
{
	for (size_t i = 0; i < NKEYS; i++) {
		struct keyset *ks = &keys[i];

		ks->gw = load_key("gw", ks->alg);
		ks->peer = load_key("peer", ks->alg);
		tap_ok(ks->gw && ks->peer, "%s: both keys load", ks->alg);
		if (!ks->gw || !ks->peer)
			continue;
		tap_eq_int(sig_privkey_type(ks->gw), ks->type, "%s: key type", ks->alg);
		tap_eq_int(sig_privkey_bits(ks->gw), ks->bits, "%s: key bits", ks->alg);
		tap_eq_int(sig_privkey_pubkey(ks->gw, &ks->gw_pub), 0, "%s: public half", ks->alg);
		tap_eq_int(sig_privkey_pubkey(ks->peer, &ks->peer_pub), 0,
			   "%s: peer public half", ks->alg);
	}
}

static bool form_matters(enum sig_scheme s)
{
	return s == SIG_ECDSA_SHA256 || s == SIG_ECDSA_SHA384 || s == SIG_ECDSA_SHA512;
}

static size_t raw_len(enum sig_key_type t)
{
	return t == SIG_KEY_ECDSA_P256 ? 64 : t == SIG_KEY_ECDSA_P384 ? 96 : 132;
}

/* One scheme on one key set in one form. */
static void round_trip(const struct keyset *ks, enum sig_scheme s, enum sig_form form)
{
	const char *name = sig_scheme_name(s);
	const char *fname = form == SIG_FORM_RAW ? "raw" : "der";
	uint8_t sig[SIG_MAX_LEN], data[sizeof(msg)];
	size_t len = 0;
	int rc;

	rc = sig_sign(ks->gw, s, form, msg, sizeof(msg), sig, sizeof(sig), &len);
	if (!tap_eq_int(rc, 0, "%s %s/%s: sign", ks->alg, name, fname))
		return;
	if (form_matters(s) && form == SIG_FORM_RAW)
		tap_eq_int((long long)len, (long long)raw_len(ks->type),
			   "%s %s: r||s is twice the field size", ks->alg, name);
	else if (ks->type == SIG_KEY_RSA)
		tap_eq_int((long long)len, 256, "%s %s: modulus-sized signature", ks->alg, name);
	else if (ks->type == SIG_KEY_ED25519)
		tap_eq_int((long long)len, 64, "%s: 64-byte signature", ks->alg);
	else
		tap_ok(len > 8 && sig[0] == 0x30, "%s %s: DER SEQUENCE", ks->alg, name);
	tap_eq_int(sig_verify(ks->gw_pub, s, form, msg, sizeof(msg), sig, len), 0,
		   "%s %s/%s: verifies", ks->alg, name, fname);
	memcpy(data, msg, sizeof(msg));
	data[3] ^= 0x01;
	tap_eq_int(sig_verify(ks->gw_pub, s, form, data, sizeof(data), sig, len),
		   ERR_INTEGRITY, "%s %s/%s: flipped data bit refused", ks->alg, name, fname);
	sig[len / 2] ^= 0x80;
	tap_eq_int(sig_verify(ks->gw_pub, s, form, msg, sizeof(msg), sig, len),
		   ERR_INTEGRITY, "%s %s/%s: flipped signature bit refused", ks->alg, name, fname);
	sig[len / 2] ^= 0x80;
	tap_eq_int(sig_verify(ks->peer_pub, s, form, msg, sizeof(msg), sig, len),
		   ERR_INTEGRITY, "%s %s/%s: the wrong key refuses it", ks->alg, name, fname);
	tap_eq_int(sig_verify(ks->gw_pub, s, form, msg, sizeof(msg), sig, len - 1),
		   ERR_INTEGRITY, "%s %s/%s: a short signature is refused", ks->alg, name, fname);
	if (form_matters(s))
		tap_eq_int(sig_verify(ks->gw_pub, s, form == SIG_FORM_RAW ? SIG_FORM_DER :
				      SIG_FORM_RAW, msg, sizeof(msg), sig, len),
			   ERR_INTEGRITY, "%s %s/%s: not valid read as the other form",
			   ks->alg, name, fname);
}

static void test_round_trips(void)
{
	for (size_t i = 0; i < NKEYS; i++) {
		const struct keyset *ks = &keys[i];

		if (!ks->gw_pub || !ks->peer_pub)
			continue;
		for (int s = SIG_NONE + 1; s < SIG_SCHEME_COUNT_; s++) {
			uint8_t sig[SIG_MAX_LEN];
			size_t len;

			if (s == SIG_RSA_V1_RAW || s == SIG_ECDSA_DIGEST)
				continue; /* test_v1_raw, sig_digest_test */
			if (!sig_scheme_fits_key(s, ks->type)) {
				tap_eq_int(sig_sign(ks->gw, s, SIG_FORM_DER, msg, sizeof(msg),
						    sig, sizeof(sig), &len), ERR_UNSUPPORTED,
					   "%s: %s refused for this key", ks->alg,
					   sig_scheme_name(s));
				continue;
			}
			round_trip(ks, s, SIG_FORM_DER);
			if (form_matters(s))
				round_trip(ks, s, SIG_FORM_RAW);
		}
	}
}

/* Deterministic schemes give the same bytes twice; randomised ones do not. */
static void test_determinism(void)
{
	const struct keyset *rsa = &keys[0], *p256 = &keys[1], *ed = &keys[4];
	uint8_t a[SIG_MAX_LEN], b[SIG_MAX_LEN];
	size_t la = 0, lb = 0;

	if (!rsa->gw || !p256->gw || !ed->gw)
		return;
	sig_sign(ed->gw, SIG_ED25519, SIG_FORM_DER, msg, sizeof(msg), a, sizeof(a), &la);
	sig_sign(ed->gw, SIG_ED25519, SIG_FORM_DER, msg, sizeof(msg), b, sizeof(b), &lb);
	tap_eq_bytes(a, la, b, lb, "Ed25519 is deterministic (RFC 8032)");
	sig_sign(rsa->gw, SIG_RSA_PSS_SHA256, SIG_FORM_DER, msg, sizeof(msg), a, sizeof(a), &la);
	sig_sign(rsa->gw, SIG_RSA_PSS_SHA256, SIG_FORM_DER, msg, sizeof(msg), b, sizeof(b), &lb);
	tap_ok(la == lb && memcmp(a, b, la) != 0, "RSA-PSS is randomised (salt)");
	sig_sign(rsa->gw, SIG_RSA_PKCS1_SHA256, SIG_FORM_DER, msg, sizeof(msg), a, sizeof(a), &la);
	sig_sign(rsa->gw, SIG_RSA_PKCS1_SHA256, SIG_FORM_DER, msg, sizeof(msg), b, sizeof(b), &lb);
	tap_eq_bytes(a, la, b, lb, "RSA PKCS#1 v1.5 is deterministic");
}

/* s^e mod n of an RSA signature, left-padded to k bytes. */
static bool rsa_public_op(const uint8_t *sig, size_t len, uint8_t *em, size_t k)
{
	gnutls_x509_crt_t crt;
	gnutls_datum_t m = { NULL, 0 }, e = { NULL, 0 };
	uint8_t *der;
	size_t dlen, count = 0;
	mpz_t zs, zn, ze;
	bool ok = false;

	if (pki_read_file(pki_path("gw-rsa.der"), &der, &dlen) < 0)
		return false;
	gnutls_x509_crt_init(&crt);
	{
		gnutls_datum_t d = { der, (unsigned)dlen };

		if (gnutls_x509_crt_import(crt, &d, GNUTLS_X509_FMT_DER) == 0 &&
		    gnutls_x509_crt_get_pk_rsa_raw(crt, &m, &e) == 0) {
			mpz_inits(zs, zn, ze, NULL);
			mpz_import(zs, len, 1, 1, 0, 0, sig);
			mpz_import(zn, m.size, 1, 1, 0, 0, m.data);
			mpz_import(ze, e.size, 1, 1, 0, 0, e.data);
			mpz_powm(zs, zs, ze, zn);
			if ((mpz_sizeinbase(zs, 2) + 7) / 8 <= k) {
				memset(em, 0, k);
				mpz_export(em + k - (mpz_sizeinbase(zs, 2) + 7) / 8, &count, 1, 1,
					   0, 0, zs);
				ok = true;
			}
			mpz_clears(zs, zn, ze, NULL);
		}
	}
	gnutls_free(m.data);
	gnutls_free(e.data);
	gnutls_x509_crt_deinit(crt);
	free(der);
	return ok;
}

/* EMSA-PKCS1-v1_5 block: 00 01 FF.. 00 || t */
static bool is_type1(const uint8_t *em, size_t k, const uint8_t *t, size_t tlen)
{
	size_t ps = k - 3 - tlen;

	if (em[0] != 0 || em[1] != 1 || em[2 + ps] != 0)
		return false;
	for (size_t i = 2; i < 2 + ps; i++)
		if (em[i] != 0xff)
			return false;
	return memcmp(em + 3 + ps, t, tlen) == 0;
}

static void test_v1_raw(void)
{
	const struct keyset *rsa = &keys[0];
	uint8_t hash[20], sig[SIG_MAX_LEN], em[256];
	size_t len = 0;

	if (!rsa->gw_pub)
		return;
	for (size_t i = 0; i < sizeof(hash); i++)
		hash[i] = (uint8_t)(0xa0 + i);
	tap_eq_int(sig_sign(rsa->gw, SIG_RSA_V1_RAW, SIG_FORM_DER, hash, sizeof(hash),
			    sig, sizeof(sig), &len), 0, "IKEv1 RSA: sign HASH_I");
	tap_eq_int((long long)len, 256, "IKEv1 RSA: 256-byte signature");
	tap_ok(rsa_public_op(sig, len, em, sizeof(em)) &&
	       is_type1(em, sizeof(em), hash, sizeof(hash)),
	       "IKEv1 RSA: s^e mod n = 00 01 FF..FF 00 || HASH (no DigestInfo, RFC 2409 5.1)");
	tap_eq_int(sig_verify(rsa->gw_pub, SIG_RSA_V1_RAW, SIG_FORM_DER, hash, sizeof(hash),
			      sig, len), 0, "IKEv1 RSA: verifies");
	hash[0] ^= 1;
	tap_eq_int(sig_verify(rsa->gw_pub, SIG_RSA_V1_RAW, SIG_FORM_DER, hash, sizeof(hash),
			      sig, len), ERR_INTEGRITY, "IKEv1 RSA: another hash refused");
	hash[0] ^= 1;
	tap_eq_int(sig_verify(rsa->peer_pub, SIG_RSA_V1_RAW, SIG_FORM_DER, hash, sizeof(hash),
			      sig, len), ERR_INTEGRITY, "IKEv1 RSA: the wrong key refuses it");
	/* 32-byte prf output (HMAC-SHA-256 PRF) */
	{
		uint8_t h32[32];

		memset(h32, 0x5c, sizeof(h32));
		tap_ok(sig_sign(rsa->gw, SIG_RSA_V1_RAW, SIG_FORM_DER, h32, sizeof(h32), sig,
				sizeof(sig), &len) == 0 &&
		       rsa_public_op(sig, len, em, sizeof(em)) &&
		       is_type1(em, sizeof(em), h32, sizeof(h32)),
		       "IKEv1 RSA: a 32-byte prf output is padded the same way");
	}
	/* RFC 7427 PKCS#1 v1.5 SHA-256, by contrast, carries the DigestInfo */
	{
		static const uint8_t digest_info_sha256[] = {
			0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
			0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20,
		};
		uint8_t t[sizeof(digest_info_sha256) + 32];

		memcpy(t, digest_info_sha256, sizeof(digest_info_sha256));
		gnutls_hash_fast(GNUTLS_DIG_SHA256, msg, sizeof(msg), t + sizeof(digest_info_sha256));
		tap_ok(sig_sign(rsa->gw, SIG_RSA_PKCS1_SHA256, SIG_FORM_DER, msg, sizeof(msg),
				sig, sizeof(sig), &len) == 0 &&
		       rsa_public_op(sig, len, em, sizeof(em)) &&
		       is_type1(em, sizeof(em), t, sizeof(t)),
		       "RSA PKCS#1 SHA-256: s^e mod n = 00 01 FF.. 00 DigestInfo(SHA-256(data))");
	}
	tap_eq_int(sig_sign(rsa->gw, SIG_RSA_V1_RAW, SIG_FORM_DER, em, 250, sig,
			    sizeof(sig), &len), ERR_INVAL, "IKEv1 RSA: data too long for the key");
}

/* The outer signatureAlgorithm of a DER certificate (peer-style walk). */
static bool cert_sigalg(const uint8_t *der, size_t len, const uint8_t **alg, size_t *alen)
{
	struct rd r, cert, tbs;
	uint8_t tag, l;

	rd_init(&r, der, len);
	/* Certificate ::= SEQUENCE { tbs, signatureAlgorithm, signature } */
	if (!rd_u8(&r, &tag) || !rd_u8(&r, &l) || tag != 0x30 || (l & 0x80) == 0)
		return false;
	rd_skip(&r, l & 0x7f);
	rd_rest(&r, &cert);
	/* skip tbsCertificate */
	if (!rd_u8(&cert, &tag) || !rd_u8(&cert, &l) || (l & 0x80) == 0 || (l & 0x7f) > 2)
		return false;
	{
		uint8_t b[2] = { 0, 0 };
		size_t n = l & 0x7f, body;

		rd_bytes(&cert, b, n);
		body = n == 1 ? b[0] : ((size_t)b[0] << 8 | b[1]);
		if (!rd_sub(&cert, body, &tbs))
			return false;
	}
	/* AlgorithmIdentifier: short length always (< 128) */
	if (!rd_peek_u8(&cert, &tag) || tag != 0x30)
		return false;
	{
		struct rd at = cert;

		rd_skip(&at, 1);
		if (!rd_u8(&at, &l) || l >= 0x80)
			return false;
		return rd_ptr(&cert, 2u + l, alg) && (*alen = 2u + l, true);
	}
}

/* A certificate GnuTLS signs with key for scheme; its signatureAlgorithm. */
static int gnutls_algid(const char *alg, enum sig_scheme s, uint8_t *out, size_t *out_len)
{
	static const struct { enum sig_scheme s; gnutls_digest_algorithm_t dig; unsigned flags; } map[] = {
		{ SIG_RSA_PKCS1_SHA1, GNUTLS_DIG_SHA1, 0 },
		{ SIG_RSA_PKCS1_SHA256, GNUTLS_DIG_SHA256, 0 },
		{ SIG_RSA_PKCS1_SHA384, GNUTLS_DIG_SHA384, 0 },
		{ SIG_RSA_PKCS1_SHA512, GNUTLS_DIG_SHA512, 0 },
		{ SIG_RSA_PSS_SHA256, GNUTLS_DIG_SHA256, GNUTLS_PRIVKEY_SIGN_FLAG_RSA_PSS },
		{ SIG_RSA_PSS_SHA384, GNUTLS_DIG_SHA384, GNUTLS_PRIVKEY_SIGN_FLAG_RSA_PSS },
		{ SIG_RSA_PSS_SHA512, GNUTLS_DIG_SHA512, GNUTLS_PRIVKEY_SIGN_FLAG_RSA_PSS },
		{ SIG_ECDSA_SHA256, GNUTLS_DIG_SHA256, 0 },
		{ SIG_ECDSA_SHA384, GNUTLS_DIG_SHA384, 0 },
		{ SIG_ECDSA_SHA512, GNUTLS_DIG_SHA512, 0 },
		{ SIG_ED25519, GNUTLS_DIG_SHA512, 0 },
	};
	char name[64];
	uint8_t *kbuf = NULL;
	size_t klen = 0;
	gnutls_x509_privkey_t xk = NULL;
	gnutls_privkey_t pk = NULL;
	gnutls_x509_crt_t crt = NULL;
	gnutls_datum_t der = { NULL, 0 };
	const uint8_t *a;
	size_t alen, i;
	int rc = -1;

	for (i = 0; i < sizeof(map) / sizeof(map[0]) && map[i].s != s; i++)
		;
	if (i == sizeof(map) / sizeof(map[0]))
		return -1;
	snprintf(name, sizeof(name), "gw-%s.key", alg);
	if (pki_read_file(pki_path(name), &kbuf, &klen) < 0)
		return -1;
	{
		gnutls_datum_t d = { kbuf, (unsigned)klen };

		if (gnutls_x509_privkey_init(&xk) < 0 ||
		    gnutls_x509_privkey_import(xk, &d, GNUTLS_X509_FMT_PEM) < 0 ||
		    gnutls_privkey_init(&pk) < 0 ||
		    gnutls_privkey_import_x509(pk, xk, 0) < 0 ||
		    gnutls_x509_crt_init(&crt) < 0)
			goto out;
	}
	gnutls_x509_crt_set_version(crt, 3);
	gnutls_x509_crt_set_serial(crt, "\x01", 1);
	gnutls_x509_crt_set_activation_time(crt, 1600000000);
	gnutls_x509_crt_set_expiration_time(crt, 1900000000);
	gnutls_x509_crt_set_dn(crt, "CN=algid test", NULL);
	gnutls_x509_crt_set_key(crt, xk);
	if (gnutls_x509_crt_privkey_sign(crt, crt, pk, map[i].dig, map[i].flags) < 0 ||
	    gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_DER, &der) < 0 ||
	    !cert_sigalg(der.data, der.size, &a, &alen) || alen > SIG_ALGID_MAX)
		goto out;
	memcpy(out, a, alen);
	*out_len = alen;
	rc = 0;
out:
	gnutls_free(der.data);
	gnutls_x509_crt_deinit(crt);
	gnutls_privkey_deinit(pk);
	gnutls_x509_privkey_deinit(xk);
	free(kbuf);
	return rc;
}

static void test_algid(void)
{
	static const struct { enum sig_scheme s; const char *alg; } cases[] = {
		{ SIG_RSA_PKCS1_SHA1, "rsa" }, { SIG_RSA_PKCS1_SHA256, "rsa" },
		{ SIG_RSA_PKCS1_SHA384, "rsa" }, { SIG_RSA_PKCS1_SHA512, "rsa" },
		{ SIG_RSA_PSS_SHA256, "rsa" }, { SIG_RSA_PSS_SHA384, "rsa" },
		{ SIG_RSA_PSS_SHA512, "rsa" }, { SIG_ECDSA_SHA256, "ecdsa256" },
		{ SIG_ECDSA_SHA384, "ecdsa384" }, { SIG_ECDSA_SHA512, "ecdsa521" },
		{ SIG_ED25519, "ed25519" },
	};
	const uint8_t *der;
	size_t len;
	enum sig_scheme got;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum sig_scheme s = cases[i].s;
		uint8_t theirs[SIG_ALGID_MAX];
		size_t tlen = 0;

		if (!tap_eq_int(sig_algid_encode(s, &der, &len), 0, "algid %s: encodes",
				sig_scheme_name(s)))
			continue;
		got = SIG_NONE;
		tap_ok(sig_algid_decode(der, len, &got) == 0 && got == s,
		       "algid %s: decodes back", sig_scheme_name(s));
		if (gnutls_algid(cases[i].alg, s, theirs, &tlen) < 0) {
			tap_ok(false, "algid %s: GnuTLS signed a certificate", sig_scheme_name(s));
			continue;
		}
		got = SIG_NONE;
		tap_ok(sig_algid_decode(theirs, tlen, &got) == 0 && got == s,
		       "algid %s: GnuTLS's encoding is recognised", sig_scheme_name(s));
		if (s == SIG_RSA_PSS_SHA256 || s == SIG_RSA_PSS_SHA384 || s == SIG_RSA_PSS_SHA512)
			/* GnuTLS omits the hash parameters (RFC 4055 2.1 allows
			 * both); ours carry NULL as RFC 7427 A.4.3 does */
			tap_ok(tlen + 4 == len && memcmp(der, theirs, 2) != 0 &&
			       memcmp(der + 2, theirs + 2, 11) == 0 &&
			       memcmp(der + len - 5, theirs + tlen - 5, 5) == 0,
			       "algid %s: GnuTLS's is ours without the two NULLs",
			       sig_scheme_name(s));
		else
			tap_eq_bytes(der, len, theirs, tlen, "algid %s: same bytes as GnuTLS",
				     sig_scheme_name(s));
	}
	tap_eq_int(sig_algid_encode(SIG_RSA_V1_RAW, &der, &len), ERR_UNSUPPORTED,
		   "algid: none for the IKEv1 raw scheme");
	{
		static const uint8_t unknown[] = { 0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48,
						   0xce, 0x3d, 0x04, 0x03, 0x01 };
		uint8_t trunc[16];

		tap_eq_int(sig_algid_decode(unknown, sizeof(unknown), &got), ERR_UNSUPPORTED,
			   "algid: an unknown OID is refused");
		sig_algid_encode(SIG_RSA_PSS_SHA256, &der, &len);
		memcpy(trunc, der, sizeof(trunc));
		tap_eq_int(sig_algid_decode(trunc, sizeof(trunc), &got), ERR_UNSUPPORTED,
			   "algid: a truncated PSS identifier is refused");
		tap_eq_int(sig_algid_decode(NULL, 0, &got), ERR_UNSUPPORTED,
			   "algid: empty is refused");
	}
}

static void test_hash_ids(void)
{
	static const uint16_t all[] = { SIG_HASH_SHA1, SIG_HASH_SHA2_256, SIG_HASH_SHA2_384,
					SIG_HASH_SHA2_512, SIG_HASH_IDENTITY };
	static const uint16_t only256[] = { SIG_HASH_SHA2_256 };

	tap_eq_int(SIG_HASH_SHA1, 1, "hash id SHA1 = 1 (RFC 7427 4)");
	tap_eq_int(SIG_HASH_SHA2_256, 2, "hash id SHA2-256 = 2");
	tap_eq_int(SIG_HASH_SHA2_384, 3, "hash id SHA2-384 = 3");
	tap_eq_int(SIG_HASH_SHA2_512, 4, "hash id SHA2-512 = 4");
	tap_eq_int(SIG_HASH_IDENTITY, 5, "hash id Identity = 5 (RFC 8420)");
	tap_eq_int(sig_scheme_hash_id(SIG_RSA_PSS_SHA384), SIG_HASH_SHA2_384, "PSS-384 uses hash 3");
	tap_eq_int(sig_scheme_hash_id(SIG_ED25519), SIG_HASH_IDENTITY, "Ed25519 uses Identity");
	tap_eq_int(sig_scheme_pick(SIG_KEY_RSA, false, all, 5), SIG_RSA_PKCS1_SHA512,
		   "pick: RSA, strongest common hash");
	tap_eq_int(sig_scheme_pick(SIG_KEY_RSA, true, only256, 1), SIG_RSA_PSS_SHA256,
		   "pick: RSA-PSS with SHA-256 when only that is announced");
	tap_eq_int(sig_scheme_pick(SIG_KEY_ECDSA_P384, false, all, 5), SIG_ECDSA_SHA384,
		   "pick: P-384 takes SHA-384");
	tap_eq_int(sig_scheme_pick(SIG_KEY_ED25519, false, only256, 1), SIG_NONE,
		   "pick: Ed25519 needs Identity");
	tap_eq_int(sig_scheme_pick(SIG_KEY_ED25519, false, all, 5), SIG_ED25519,
		   "pick: Ed25519 with Identity");
	tap_eq_int(sig_scheme_pick(SIG_KEY_RSA, false, NULL, 0), SIG_NONE, "pick: nothing announced");
}

static struct job_sig_result last;
static int completions;

static void on_done(void *owner, struct job_sig_result *r)
{
	(void)owner;
	last = *r;
	completions++;
}

/* Many jobs signing with one key on several workers at once (the key is
 * only read: sig.h "Threads"). */
#define CONCURRENT 32
static struct job_sig_result many[CONCURRENT];
static int n_many;

static void on_many(void *owner, struct job_sig_result *r)
{
	(void)owner;
	if (n_many < CONCURRENT)
		many[n_many++] = *r;
}

static void test_concurrent(const struct keyset *ks, enum sig_scheme s)
{
	struct job_pool *pool = NULL;
	int good = 0;

	if (!ks->gw || job_pool_new(NULL, 4, &pool) < 0)
		return;
	n_many = 0;
	for (int i = 0; i < CONCURRENT; i++)
		job_sig_sign(pool, ks->gw, s, SIG_FORM_DER, msg, sizeof(msg), on_many, NULL, NULL);
	job_pool_drain(pool);
	for (int i = 0; i < n_many; i++)
		good += many[i].err == 0 &&
			sig_verify(ks->gw_pub, s, SIG_FORM_DER, msg, sizeof(msg), many[i].sig,
				   many[i].sig_len) == 0;
	tap_eq_int(good, CONCURRENT, "%s %s: %d concurrent sign jobs on one key all verify",
		   ks->alg, sig_scheme_name(s), CONCURRENT);
	job_pool_free(pool);
}

static void test_jobs(void)
{
	const struct keyset *ks = &keys[1];
	struct job_pool *pool = NULL;
	struct job *slot = NULL;
	struct job_sig_result signed_one;

	if (!ks->gw || !tap_eq_int(job_pool_new(NULL, 2, &pool), 0, "job pool"))
		return;
	tap_eq_int(job_sig_sign(pool, ks->gw, SIG_ECDSA_SHA256, SIG_FORM_RAW, msg,
				sizeof(msg), on_done, NULL, &slot), 0, "job: sign submitted");
	job_pool_drain(pool);
	tap_ok(completions == 1 && last.err == 0 && last.sig_len == 64 && slot == NULL,
	       "job: sign completed with a 64-byte r||s");
	signed_one = last;
	tap_eq_int(job_sig_verify(pool, ks->gw_pub, SIG_ECDSA_SHA256, SIG_FORM_RAW, msg,
				  sizeof(msg), signed_one.sig, signed_one.sig_len, on_done,
				  NULL, &slot), 0, "job: verify submitted");
	job_pool_drain(pool);
	tap_ok(completions == 2 && last.err == 0, "job: verify says good");
	signed_one.sig[5] ^= 1;
	job_sig_verify(pool, ks->gw_pub, SIG_ECDSA_SHA256, SIG_FORM_RAW, msg, sizeof(msg),
		       signed_one.sig, signed_one.sig_len, on_done, NULL, &slot);
	job_pool_drain(pool);
	tap_ok(completions == 3 && last.err == ERR_INTEGRITY, "job: verify says bad");
	job_sig_sign(pool, ks->gw, SIG_ECDSA_SHA256, SIG_FORM_RAW, msg, sizeof(msg),
		     on_done, NULL, &slot);
	job_cancel(&slot);
	job_pool_drain(pool);
	tap_ok(completions == 3 && slot == NULL, "job: a cancelled sign never calls back");
	tap_eq_int(job_sig_sign(pool, ks->gw, SIG_ECDSA_SHA256, SIG_FORM_RAW, msg,
				SIG_DATA_MAX + 1, on_done, NULL, NULL), ERR_INVAL,
		   "job: oversized data refused");
	job_pool_free(pool);
}

int main(void)
{
	int rc = pki_start();

	if (rc >= 0)
		return rc;
	test_keys();
	test_round_trips();
	test_determinism();
	test_v1_raw();
	test_algid();
	test_hash_ids();
	test_jobs();
	test_concurrent(&keys[0], SIG_RSA_PSS_SHA256);
	test_concurrent(&keys[1], SIG_ECDSA_SHA256);
	test_concurrent(&keys[4], SIG_ED25519);
	for (size_t i = 0; i < NKEYS; i++) {
		sig_privkey_free(keys[i].gw);
		sig_privkey_free(keys[i].peer);
		sig_pubkey_free(keys[i].gw_pub);
		sig_pubkey_free(keys[i].peer_pub);
	}
	pki_remove();
	return tap_done();
}
