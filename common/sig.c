/*
 * sig.c - keys, schemes, sign and verify (see sig.h) on GnuTLS's abstract
 * key API. The RSA/ECDSA/EdDSA arithmetic is GnuTLS's (Nettle underneath);
 * this file maps IKE's schemes onto GnuTLS signature algorithms and converts
 * ECDSA signatures between the DER and the r || s forms (RFC 4754 7).
 */
#include <stdlib.h>
#include <string.h>

#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "common/err.h"
#include "common/sig.h"
#include "common/sig_gnutls.h"

struct sig_privkey {
	unsigned refs;
	enum sig_key_type type;
	unsigned bits;
	gnutls_privkey_t gk;
};

struct sig_pubkey {
	unsigned refs;
	enum sig_key_type type;
	unsigned bits;
	gnutls_pubkey_t gk;
	size_t spki_len;
	uint8_t *spki;
};

struct scheme_info {
	const char *name;
	gnutls_sign_algorithm_t sign; /* GNUTLS_SIGN_UNKNOWN: raw (v1) */
	uint16_t hash_id;
	bool rsa, ecdsa, ed25519;
};

static const struct scheme_info schemes[SIG_SCHEME_COUNT_] = {
	[SIG_NONE] = { "none", GNUTLS_SIGN_UNKNOWN, 0, false, false, false },
	[SIG_RSA_PKCS1_SHA1] = { "rsa-pkcs1-sha1", GNUTLS_SIGN_RSA_SHA1, SIG_HASH_SHA1, true, false, false },
	[SIG_RSA_PKCS1_SHA256] = { "rsa-pkcs1-sha256", GNUTLS_SIGN_RSA_SHA256, SIG_HASH_SHA2_256, true, false, false },
	[SIG_RSA_PKCS1_SHA384] = { "rsa-pkcs1-sha384", GNUTLS_SIGN_RSA_SHA384, SIG_HASH_SHA2_384, true, false, false },
	[SIG_RSA_PKCS1_SHA512] = { "rsa-pkcs1-sha512", GNUTLS_SIGN_RSA_SHA512, SIG_HASH_SHA2_512, true, false, false },
	/* RSAE: PSS with a key whose SPKI is rsaEncryption (RFC 8446 names) */
	[SIG_RSA_PSS_SHA256] = { "rsa-pss-sha256", GNUTLS_SIGN_RSA_PSS_RSAE_SHA256, SIG_HASH_SHA2_256, true, false, false },
	[SIG_RSA_PSS_SHA384] = { "rsa-pss-sha384", GNUTLS_SIGN_RSA_PSS_RSAE_SHA384, SIG_HASH_SHA2_384, true, false, false },
	[SIG_RSA_PSS_SHA512] = { "rsa-pss-sha512", GNUTLS_SIGN_RSA_PSS_RSAE_SHA512, SIG_HASH_SHA2_512, true, false, false },
	[SIG_ECDSA_SHA256] = { "ecdsa-sha256", GNUTLS_SIGN_ECDSA_SHA256, SIG_HASH_SHA2_256, false, true, false },
	[SIG_ECDSA_SHA384] = { "ecdsa-sha384", GNUTLS_SIGN_ECDSA_SHA384, SIG_HASH_SHA2_384, false, true, false },
	[SIG_ECDSA_SHA512] = { "ecdsa-sha512", GNUTLS_SIGN_ECDSA_SHA512, SIG_HASH_SHA2_512, false, true, false },
	[SIG_ED25519] = { "ed25519", GNUTLS_SIGN_EDDSA_ED25519, SIG_HASH_IDENTITY, false, false, true },
	[SIG_RSA_V1_RAW] = { "rsa-v1-raw", GNUTLS_SIGN_UNKNOWN, 0, true, false, false },
	/* the GnuTLS algorithm follows the digest's length (digest_sign_algo) */
	[SIG_ECDSA_DIGEST] = { "ecdsa-digest", GNUTLS_SIGN_UNKNOWN, 0, false, true, false },
};

static const struct scheme_info *scheme_get(enum sig_scheme s)
{
	if ((unsigned)s >= SIG_SCHEME_COUNT_ || s == SIG_NONE)
		return NULL;
	return &schemes[s];
}

const char *sig_scheme_name(enum sig_scheme scheme)
{
	const struct scheme_info *si = scheme_get(scheme);

	return si ? si->name : "none";
}

uint16_t sig_scheme_hash_id(enum sig_scheme scheme)
{
	const struct scheme_info *si = scheme_get(scheme);

	return si ? si->hash_id : 0;
}

static bool key_is_ecdsa(enum sig_key_type t)
{
	return t == SIG_KEY_ECDSA_P256 || t == SIG_KEY_ECDSA_P384 ||
	       t == SIG_KEY_ECDSA_P521;
}

bool sig_scheme_fits_key(enum sig_scheme scheme, enum sig_key_type type)
{
	const struct scheme_info *si = scheme_get(scheme);

	if (!si)
		return false;
	return (si->rsa && type == SIG_KEY_RSA) ||
	       (si->ecdsa && key_is_ecdsa(type)) ||
	       (si->ed25519 && type == SIG_KEY_ED25519);
}

const char *sig_key_type_name(enum sig_key_type type)
{
	switch (type) {
	case SIG_KEY_RSA: return "RSA";
	case SIG_KEY_ECDSA_P256: return "ECDSA-P256";
	case SIG_KEY_ECDSA_P384: return "ECDSA-P384";
	case SIG_KEY_ECDSA_P521: return "ECDSA-P521";
	case SIG_KEY_ED25519: return "Ed25519";
	case SIG_KEY_NONE: break;
	}
	return "none";
}

static bool hash_listed(const uint16_t *hashes, size_t n, uint16_t h)
{
	for (size_t i = 0; i < n; i++)
		if (hashes[i] == h)
			return true;
	return false;
}

enum sig_scheme sig_scheme_pick(enum sig_key_type type, bool pss,
				const uint16_t *hashes, size_t n)
{
	static const uint16_t strongest[] = {
		SIG_HASH_SHA2_512, SIG_HASH_SHA2_384, SIG_HASH_SHA2_256,
	};
	/* index by strongest[]: SHA-512, SHA-384, SHA-256 */
	static const enum sig_scheme rsa[] = {
		SIG_RSA_PKCS1_SHA512, SIG_RSA_PKCS1_SHA384, SIG_RSA_PKCS1_SHA256,
	};
	static const enum sig_scheme rsa_pss[] = {
		SIG_RSA_PSS_SHA512, SIG_RSA_PSS_SHA384, SIG_RSA_PSS_SHA256,
	};
	static const enum sig_scheme ecdsa[] = {
		SIG_ECDSA_SHA512, SIG_ECDSA_SHA384, SIG_ECDSA_SHA256,
	};

	switch (type) {
	case SIG_KEY_ED25519:
		return hash_listed(hashes, n, SIG_HASH_IDENTITY) ? SIG_ED25519 : SIG_NONE;
	case SIG_KEY_ECDSA_P256:
		if (hash_listed(hashes, n, SIG_HASH_SHA2_256))
			return SIG_ECDSA_SHA256;
		break;
	case SIG_KEY_ECDSA_P384:
		if (hash_listed(hashes, n, SIG_HASH_SHA2_384))
			return SIG_ECDSA_SHA384;
		break;
	case SIG_KEY_ECDSA_P521:
		if (hash_listed(hashes, n, SIG_HASH_SHA2_512))
			return SIG_ECDSA_SHA512;
		break;
	case SIG_KEY_RSA:
		break;
	case SIG_KEY_NONE:
		return SIG_NONE;
	}
	for (size_t i = 0; i < sizeof(strongest) / sizeof(strongest[0]); i++) {
		if (!hash_listed(hashes, n, strongest[i]))
			continue;
		if (type == SIG_KEY_RSA)
			return pss ? rsa_pss[i] : rsa[i];
		return ecdsa[i];
	}
	return SIG_NONE;
}

/* ---- keys ---- */

static enum sig_key_type curve_type(gnutls_ecc_curve_t curve)
{
	switch (curve) {
	case GNUTLS_ECC_CURVE_SECP256R1: return SIG_KEY_ECDSA_P256;
	case GNUTLS_ECC_CURVE_SECP384R1: return SIG_KEY_ECDSA_P384;
	case GNUTLS_ECC_CURVE_SECP521R1: return SIG_KEY_ECDSA_P521;
	default: return SIG_KEY_NONE;
	}
}

static enum sig_key_type pk_type(int pk, gnutls_ecc_curve_t curve)
{
	switch (pk) {
	case GNUTLS_PK_RSA: return SIG_KEY_RSA;
	case GNUTLS_PK_ECDSA: return curve_type(curve);
	case GNUTLS_PK_EDDSA_ED25519: return SIG_KEY_ED25519;
	default: return SIG_KEY_NONE;
	}
}

/* GnuTLS reports P-521 as 528 bits (its byte size): name the curve's size. */
static unsigned key_bits(enum sig_key_type t, unsigned gnutls_bits)
{
	switch (t) {
	case SIG_KEY_ECDSA_P256: return 256;
	case SIG_KEY_ECDSA_P384: return 384;
	case SIG_KEY_ECDSA_P521: return 521;
	case SIG_KEY_ED25519: return 256;
	default: return gnutls_bits;
	}
}

static bool looks_pem(const uint8_t *data, size_t len)
{
	static const char tag[] = "-----BEGIN ";

	return len >= sizeof(tag) - 1 &&
	       memmem(data, len, tag, sizeof(tag) - 1) != NULL;
}

int sig_privkey_from_mem(const uint8_t *data, size_t len, struct sig_privkey **out)
{
	gnutls_x509_privkey_t xk = NULL;
	gnutls_privkey_t gk = NULL;
	gnutls_datum_t d = { (unsigned char *)data, (unsigned)len };
	gnutls_ecc_curve_t curve = GNUTLS_ECC_CURVE_INVALID;
	struct sig_privkey *k;
	unsigned bits = 0;
	int pk, rc = ERR_PARSE;

	if (!data || len == 0 || len > 1024u * 1024u)
		return ERR_PARSE;
	if (gnutls_x509_privkey_init(&xk) < 0)
		return ERR_NOMEM;
	/* No password: an encrypted key is refused as a parse error. */
	if (gnutls_x509_privkey_import2(xk, &d, looks_pem(data, len) ?
					GNUTLS_X509_FMT_PEM : GNUTLS_X509_FMT_DER,
					NULL, GNUTLS_PKCS_PLAIN) < 0)
		goto fail;
	rc = ERR_NOMEM;
	if (gnutls_privkey_init(&gk) < 0)
		goto fail;
	if (gnutls_privkey_import_x509(gk, xk, GNUTLS_PRIVKEY_IMPORT_AUTO_RELEASE) < 0)
		goto fail;
	xk = NULL; /* gk owns it now */
	pk = gnutls_privkey_get_pk_algorithm(gk, &bits);
	if (pk == GNUTLS_PK_ECDSA &&
	    gnutls_privkey_export_ecc_raw2(gk, &curve, NULL, NULL, NULL, 0) < 0)
		curve = GNUTLS_ECC_CURVE_INVALID;
	rc = ERR_UNSUPPORTED;
	if (pk_type(pk, curve) == SIG_KEY_NONE)
		goto fail;
	rc = ERR_NOMEM;
	k = calloc(1, sizeof(*k));
	if (!k)
		goto fail;
	k->refs = 1;
	k->type = pk_type(pk, curve);
	k->bits = key_bits(k->type, bits);
	k->gk = gk;
	*out = k;
	return 0;
fail:
	gnutls_privkey_deinit(gk);
	gnutls_x509_privkey_deinit(xk);
	return rc;
}

struct sig_privkey *sig_privkey_ref(struct sig_privkey *key)
{
	if (key)
		key->refs++;
	return key;
}

void sig_privkey_free(struct sig_privkey *key)
{
	if (!key || --key->refs > 0)
		return;
	gnutls_privkey_deinit(key->gk); /* GnuTLS zeroizes the parameters */
	free(key);
}

enum sig_key_type sig_privkey_type(const struct sig_privkey *key)
{
	return key->type;
}

unsigned sig_privkey_bits(const struct sig_privkey *key)
{
	return key->bits;
}

int sig_pubkey_from_gnutls(gnutls_pubkey_t gk, struct sig_pubkey **out)
{
	gnutls_ecc_curve_t curve = GNUTLS_ECC_CURVE_INVALID;
	gnutls_datum_t spki = { NULL, 0 };
	struct sig_pubkey *k = NULL;
	unsigned bits = 0;
	int pk, rc = ERR_UNSUPPORTED;

	pk = gnutls_pubkey_get_pk_algorithm(gk, &bits);
	if (pk == GNUTLS_PK_ECDSA &&
	    gnutls_pubkey_export_ecc_raw2(gk, &curve, NULL, NULL, 0) < 0)
		curve = GNUTLS_ECC_CURVE_INVALID;
	if (pk_type(pk, curve) == SIG_KEY_NONE)
		goto fail;
	rc = ERR_NOMEM;
	if (gnutls_pubkey_export2(gk, GNUTLS_X509_FMT_DER, &spki) < 0)
		goto fail;
	k = calloc(1, sizeof(*k));
	if (!k)
		goto fail;
	k->spki = malloc(spki.size);
	if (!k->spki)
		goto fail;
	memcpy(k->spki, spki.data, spki.size);
	k->spki_len = spki.size;
	gnutls_free(spki.data);
	k->refs = 1;
	k->type = pk_type(pk, curve);
	k->bits = key_bits(k->type, bits);
	k->gk = gk;
	*out = k;
	return 0;
fail:
	gnutls_free(spki.data);
	free(k);
	gnutls_pubkey_deinit(gk);
	return rc;
}

int sig_privkey_pubkey(const struct sig_privkey *key, struct sig_pubkey **out)
{
	gnutls_pubkey_t gk;

	if (gnutls_pubkey_init(&gk) < 0)
		return ERR_NOMEM;
	if (gnutls_pubkey_import_privkey(gk, key->gk, 0, 0) < 0) {
		gnutls_pubkey_deinit(gk);
		return ERR_CRYPTO;
	}
	return sig_pubkey_from_gnutls(gk, out);
}

int sig_pubkey_from_spki(const uint8_t *der, size_t len, struct sig_pubkey **out)
{
	gnutls_datum_t d = { (unsigned char *)der, (unsigned)len };
	gnutls_pubkey_t gk;

	if (!der || len == 0 || len > 64u * 1024u)
		return ERR_PARSE;
	if (gnutls_pubkey_init(&gk) < 0)
		return ERR_NOMEM;
	if (gnutls_pubkey_import(gk, &d, GNUTLS_X509_FMT_DER) < 0) {
		gnutls_pubkey_deinit(gk);
		return ERR_PARSE;
	}
	return sig_pubkey_from_gnutls(gk, out);
}

struct sig_pubkey *sig_pubkey_ref(struct sig_pubkey *key)
{
	if (key)
		key->refs++;
	return key;
}

void sig_pubkey_free(struct sig_pubkey *key)
{
	if (!key || --key->refs > 0)
		return;
	gnutls_pubkey_deinit(key->gk);
	free(key->spki);
	free(key);
}

enum sig_key_type sig_pubkey_type(const struct sig_pubkey *key)
{
	return key->type;
}

unsigned sig_pubkey_bits(const struct sig_pubkey *key)
{
	return key->bits;
}

const uint8_t *sig_pubkey_spki(const struct sig_pubkey *key, size_t *len)
{
	*len = key->spki_len;
	return key->spki;
}

bool sig_pubkey_equal(const struct sig_pubkey *a, const struct sig_pubkey *b)
{
	return a && b && a->spki_len == b->spki_len &&
	       memcmp(a->spki, b->spki, a->spki_len) == 0;
}

/* ---- ECDSA forms (RFC 4754 7: r || s, each the curve's size) ---- */

static size_t ecdsa_half(enum sig_key_type t)
{
	switch (t) {
	case SIG_KEY_ECDSA_P256: return 32;
	case SIG_KEY_ECDSA_P384: return 48;
	case SIG_KEY_ECDSA_P521: return 66;
	default: return 0;
	}
}

/* Copy a big-endian integer (leading zeros allowed) right-aligned into n. */
static bool put_fixed(const gnutls_datum_t *v, uint8_t *dst, size_t n)
{
	const uint8_t *p = v->data;
	size_t len = v->size;

	while (len > 0 && *p == 0) {
		p++;
		len--;
	}
	if (len > n)
		return false;
	memset(dst, 0, n - len);
	memcpy(dst + n - len, p, len);
	return true;
}

static int der_to_raw(const gnutls_datum_t *der, size_t half, uint8_t *out,
		      size_t cap, size_t *out_len)
{
	gnutls_datum_t r = { NULL, 0 }, s = { NULL, 0 };
	int rc = ERR_CRYPTO;

	if (cap < 2 * half)
		return ERR_OVERFLOW;
	if (gnutls_decode_rs_value(der, &r, &s) < 0)
		return ERR_CRYPTO;
	if (put_fixed(&r, out, half) && put_fixed(&s, out + half, half)) {
		*out_len = 2 * half;
		rc = 0;
	}
	gnutls_free(r.data);
	gnutls_free(s.data);
	return rc;
}

/* r || s to DER; the halves are unsigned, GnuTLS adds the sign octet. */
static int raw_to_der(const uint8_t *sig, size_t len, size_t half,
		      gnutls_datum_t *der)
{
	gnutls_datum_t r = { (unsigned char *)sig, (unsigned)half };
	gnutls_datum_t s = { (unsigned char *)sig + half, (unsigned)half };

	if (len != 2 * half)
		return ERR_INTEGRITY;
	return gnutls_encode_rs_value(der, &r, &s) < 0 ? ERR_INTEGRITY : 0;
}

/* ---- ECDSA over a given digest (SIG_ECDSA_DIGEST) ---- */

/*
 * GnuTLS signs and verifies a prehashed ECDSA input only when told which
 * hash made it, and checks the digest length against that hash: name the
 * SHA whose output has the digest's length. ECDSA itself only truncates the
 * digest to the group order's size (FIPS 186-4 6.4), so any of these fits
 * any of the three curves; a SHA-1 length (an IKEv1 prf of HMAC-SHA1) needs
 * GnuTLS's SHA-1 allowance when verifying.
 */
static gnutls_sign_algorithm_t digest_sign_algo(size_t len)
{
	switch (len) {
	case 20: return GNUTLS_SIGN_ECDSA_SHA1;
	case 32: return GNUTLS_SIGN_ECDSA_SHA256;
	case 48: return GNUTLS_SIGN_ECDSA_SHA384;
	case 64: return GNUTLS_SIGN_ECDSA_SHA512;
	default: return GNUTLS_SIGN_UNKNOWN;
	}
}

static int digest_sign(const struct sig_privkey *key, const gnutls_datum_t *d,
		       gnutls_datum_t *sig)
{
	gnutls_sign_algorithm_t algo = digest_sign_algo(d->size);

	if (algo == GNUTLS_SIGN_UNKNOWN)
		return ERR_INVAL;
	return gnutls_privkey_sign_hash2(key->gk, algo, 0, d, sig) < 0 ? ERR_CRYPTO : 0;
}

static int digest_verify(const struct sig_pubkey *key, const gnutls_datum_t *d,
			 const gnutls_datum_t *der)
{
	gnutls_sign_algorithm_t algo = digest_sign_algo(d->size);
	unsigned flags = algo == GNUTLS_SIGN_ECDSA_SHA1 ?
			 GNUTLS_VERIFY_ALLOW_SIGN_WITH_SHA1 : 0;

	if (algo == GNUTLS_SIGN_UNKNOWN)
		return ERR_INVAL;
	return gnutls_pubkey_verify_hash2(key->gk, algo, flags, d, der) < 0 ?
	       ERR_INTEGRITY : 0;
}

/* ---- sign / verify ---- */

int sig_sign(const struct sig_privkey *key, enum sig_scheme scheme,
	     enum sig_form form, const uint8_t *data, size_t len,
	     uint8_t *out, size_t cap, size_t *out_len)
{
	const struct scheme_info *si = scheme_get(scheme);
	gnutls_datum_t d = { (unsigned char *)data, (unsigned)len };
	gnutls_datum_t sig = { NULL, 0 };
	int rc, grc;

	if (!si || !sig_scheme_fits_key(scheme, key->type))
		return ERR_UNSUPPORTED;
	if (len > SIG_DATA_MAX || (len > 0 && !data))
		return ERR_INVAL;
	if (scheme == SIG_RSA_V1_RAW) {
		/* RFC 2409 5.1: PKCS#1 type 1 padding of the bare prf output */
		if (len + 11 > key->bits / 8)
			return ERR_INVAL;
		grc = gnutls_privkey_sign_hash(key->gk, GNUTLS_DIG_UNKNOWN,
					       GNUTLS_PRIVKEY_SIGN_FLAG_TLS1_RSA, &d, &sig);
	} else if (scheme == SIG_ECDSA_DIGEST) {
		rc = digest_sign(key, &d, &sig);
		if (rc < 0)
			return rc;
		grc = 0;
	} else {
		grc = gnutls_privkey_sign_data2(key->gk, si->sign, 0, &d, &sig);
	}
	if (grc < 0)
		return ERR_CRYPTO;
	if (si->ecdsa && form == SIG_FORM_RAW) {
		rc = der_to_raw(&sig, ecdsa_half(key->type), out, cap, out_len);
	} else if (sig.size > cap) {
		rc = ERR_OVERFLOW;
	} else {
		memcpy(out, sig.data, sig.size);
		*out_len = sig.size;
		rc = 0;
	}
	gnutls_free(sig.data);
	return rc;
}

static int verify_data(const struct sig_pubkey *key, enum sig_scheme scheme,
		       const gnutls_datum_t *d, const gnutls_datum_t *s)
{
	/* IKEv2 AUTH method 1 is RSA with SHA-1 (RFC 7296 3.8): allowed here;
	 * whether a connection accepts it is the engine's policy. */
	unsigned flags = scheme == SIG_RSA_PKCS1_SHA1 ?
			 GNUTLS_VERIFY_ALLOW_SIGN_WITH_SHA1 : 0;

	return gnutls_pubkey_verify_data2(key->gk, schemes[scheme].sign, flags, d, s) < 0 ?
	       ERR_INTEGRITY : 0;
}

int sig_verify(const struct sig_pubkey *key, enum sig_scheme scheme,
	       enum sig_form form, const uint8_t *data, size_t len,
	       const uint8_t *sig, size_t sig_len)
{
	const struct scheme_info *si = scheme_get(scheme);
	gnutls_datum_t d = { (unsigned char *)data, (unsigned)len };
	gnutls_datum_t s = { (unsigned char *)sig, (unsigned)sig_len };
	gnutls_datum_t der = { NULL, 0 };
	int rc;

	if (!si || !sig_scheme_fits_key(scheme, key->type))
		return ERR_UNSUPPORTED;
	if (len > SIG_DATA_MAX || (len > 0 && !data))
		return ERR_INVAL;
	if (!sig || sig_len == 0 || sig_len > SIG_MAX_LEN)
		return ERR_INTEGRITY;
	if (scheme == SIG_RSA_V1_RAW)
		return gnutls_pubkey_verify_hash2(key->gk, GNUTLS_SIGN_UNKNOWN,
						  GNUTLS_PUBKEY_VERIFY_FLAG_TLS1_RSA,
						  &d, &s) < 0 ? ERR_INTEGRITY : 0;
	if (si->ecdsa && form == SIG_FORM_RAW) {
		rc = raw_to_der(sig, sig_len, ecdsa_half(key->type), &der);
		if (rc < 0)
			return rc;
		s = der;
	}
	if (scheme == SIG_ECDSA_DIGEST)
		rc = digest_verify(key, &d, &s);
	else
		rc = verify_data(key, scheme, &d, &s);
	gnutls_free(der.data);
	return rc;
}
