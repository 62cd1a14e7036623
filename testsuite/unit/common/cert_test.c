/*
 * cert_test - common/cert.h on a PKI made at test time (make-pki.sh):
 * loading PEM/DER/chains, peer DER refusals (truncated, trailing bytes,
 * garbage), chain validation and each refusal reason (expired, not yet
 * valid, revoked with the CRL and accepted without it, unknown CA, missing
 * intermediate, loop, bad keyUsage, bad signature), identities (subject DN
 * compared as a DN, SANs), CERTREQ/CR helpers and private key files (mode
 * 0600 enforced, key/certificate pairing).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "common/cert.h"
#include "common/err.h"
#include "common/id.h"
#include "testsuite/lib/tap.h"
#include "testsuite/unit/common/pki_helper.h"

static struct cert_store *store;
static struct cert_chain inter_chain; /* inter.pem */
static time_t now;

static struct cert *load_one(const char *name)
{
	struct cert_chain c = { 0 };
	struct cert *first;

	if (cert_chain_load_file(pki_path(name), &c) < 0 || c.n == 0)
		return NULL;
	first = cert_ref(c.certs[0]);
	cert_chain_clear(&c);
	return first;
}

static void test_loading(void)
{
	struct cert_chain chain = { 0 }, der = { 0 };
	uint8_t *buf = NULL;
	size_t len = 0, dlen;
	const uint8_t *d;
	struct cert *c = NULL;

	tap_eq_int(cert_chain_load_file(pki_path("gw-rsa-chain.pem"), &chain), 0,
		   "PEM chain file loads");
	tap_eq_int((long long)chain.n, 2, "chain file holds end-entity + intermediate");
	tap_eq_int(cert_chain_load_file(pki_path("gw-rsa.der"), &der), 0, "DER file loads");
	tap_ok(der.n == 1 && chain.n == 2 && cert_equal(der.certs[0], chain.certs[0]),
	       "DER and PEM give the same certificate");
	tap_ok(chain.n == 2 && cert_is_ca(chain.certs[1]) && !cert_is_ca(chain.certs[0]),
	       "basicConstraints: intermediate is a CA, end-entity is not");
	if (pki_read_file(pki_path("gw-rsa.der"), &buf, &len) == 0 && der.n == 1) {
		d = cert_der(der.certs[0], &dlen);
		tap_eq_bytes(d, dlen, buf, len, "cert_der gives the file's DER bytes (CERT payload)");
		tap_eq_int(cert_from_der(buf, len, &c), 0, "DER from a payload parses");
		cert_free(c);
		tap_eq_int(cert_from_der(buf, len - 1, &c), ERR_PARSE, "truncated DER refused");
		tap_eq_int(cert_from_der(buf, 40, &c), ERR_PARSE, "DER cut at 40 bytes refused");
		buf = realloc(buf, len + 1);
		buf[len] = 0;
		tap_eq_int(cert_from_der(buf, len + 1, &c), ERR_PARSE, "trailing byte refused");
		buf[4] ^= 0xff; /* inside tbsCertificate's header */
		tap_eq_int(cert_from_der(buf, len, &c), ERR_PARSE, "corrupted DER refused");
		memset(buf, 0x41, len);
		tap_eq_int(cert_from_der(buf, len, &c), ERR_PARSE, "garbage refused");
		tap_eq_int(cert_from_der(buf, 0, &c), ERR_PARSE, "empty refused");
	}
	free(buf);
	{
		static const uint8_t junk[] = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
		struct cert_chain j = { 0 };

		tap_eq_int(cert_chain_load_mem(junk, sizeof(junk) - 1, &j), ERR_PARSE,
			   "broken PEM refused");
	}
	{
		/* nine certificates in one file: over CERT_CHAIN_MAX */
		uint8_t *one = NULL, *nine;
		size_t olen = 0;
		struct cert_chain big = { 0 };

		if (pki_read_file(pki_path("gw-rsa.pem"), &one, &olen) == 0 &&
		    (nine = malloc(9 * olen)) != NULL) {
			for (int i = 0; i < 9; i++)
				memcpy(nine + (size_t)i * olen, one, olen);
			tap_eq_int(cert_chain_load_mem(nine, 9 * olen, &big), ERR_OVERFLOW,
				   "more than CERT_CHAIN_MAX certificates refused");
			free(nine);
		}
		free(one);
	}
	tap_eq_int(cert_chain_load_file(pki_path("no-such-file.pem"), &der), ERR_IO,
		   "missing file: ERR_IO");
	cert_chain_clear(&chain);
	cert_chain_clear(&der);
}

static int verify(const char *name, const char *inter_name, time_t at,
		  struct cert_check *chk)
{
	struct cert_chain ee = { 0 }, in = { 0 };
	const struct cert *inter[CERT_CHAIN_MAX];
	size_t n = 0;
	int rc;

	if (cert_chain_load_file(pki_path(name), &ee) < 0) {
		chk->verdict = CERT_MALFORMED;
		return ERR_IO;
	}
	if (inter_name && cert_chain_load_file(pki_path(inter_name), &in) == 0)
		for (size_t i = 0; i < in.n; i++)
			inter[n++] = in.certs[i];
	/* a chain file brings its own intermediates too */
	for (size_t i = 1; i < ee.n && n < CERT_CHAIN_MAX; i++)
		inter[n++] = ee.certs[i];
	rc = cert_verify_chain(store, ee.certs[0], inter, n, at, chk);
	if (chk->verdict != CERT_OK)
		tap_diag("%s: %s", name, chk->text);
	cert_chain_clear(&ee);
	cert_chain_clear(&in);
	return rc;
}

static void expect(const char *name, const char *inter, time_t at,
		   enum cert_verdict want, const char *what)
{
	struct cert_check chk;
	int rc = verify(name, inter, at, &chk);

	tap_ok(chk.verdict == want && (want == CERT_OK ? rc == 0 : rc == ERR_INTEGRITY),
	       "%s: %s (got %s)", name, what, cert_verdict_name(chk.verdict));
}

static void test_validation(void)
{
	char why[512];
	static const char *const good[] = {
		"gw-rsa.pem", "gw-ecdsa256.pem", "gw-ecdsa384.pem", "gw-ecdsa521.pem",
		"gw-ed25519.pem", "peer-rsa.pem", "peer-ecdsa256.pem", "peer-ed25519.pem",
	};

	tap_eq_int(cert_store_new(&store), 0, "store");
	tap_eq_int(cert_store_add_ca_dir(store, pki_path("cacerts"), why, sizeof(why)), 0,
		   "CA folder loads");
	tap_eq_int((long long)cert_store_ca_count(store), 1, "one anchor in the folder");
	tap_eq_int(cert_store_add_ca_dir(store, pki_path("no-such-dir"), why, sizeof(why)),
		   ERR_IO, "missing CA folder: ERR_IO");
	tap_ok(strstr(why, "no-such-dir") != NULL, "... and the reason names it: %s", why);
	{
		/* a CA bundle file is not limited to CERT_CHAIN_MAX */
		struct cert_store *bundle = NULL;
		uint8_t *one = NULL;
		size_t olen = 0;
		FILE *f = fopen(pki_path("bundle.pem"), "w");

		if (f && pki_read_file(pki_path("ca.pem"), &one, &olen) == 0) {
			for (int i = 0; i < 10; i++)
				fwrite(one, 1, olen, f);
		}
		if (f)
			fclose(f);
		free(one);
		cert_store_new(&bundle);
		tap_ok(bundle && cert_store_add_ca_file(bundle, pki_path("bundle.pem"), why,
							sizeof(why)) == 0 &&
		       cert_store_ca_count(bundle) == 10, "a 10-certificate CA bundle file loads");
		tap_eq_int(cert_store_add_ca_file(bundle, pki_path("gw-rsa.key"), why, sizeof(why)),
			   ERR_PARSE, "a key file is not a CA file");
		tap_ok(cert_store_add_ca_file(bundle, pki_path("ca.der"), why, sizeof(why)) == ERR_IO,
		       "a missing DER CA file: ERR_IO");
		cert_store_free(bundle);
	}

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		expect(good[i], "inter.pem", now, CERT_OK, "valid with the intermediate");
	expect("gw-rsa-chain.pem", NULL, now, CERT_OK, "valid from a chain file");
	expect("gw-rsa.pem", NULL, now, CERT_UNKNOWN_CA, "without its intermediate: unknown CA");
	expect("gw-expired.pem", "inter.pem", now, CERT_EXPIRED, "expired");
	expect("gw-notyet.pem", "inter.pem", now, CERT_NOT_YET_VALID, "not yet valid");
	expect("gw-rsa.pem", "inter.pem", 4102444800 + 86400 * 366, CERT_EXPIRED,
	       "valid now, expired in 2101");
	expect("gw-rsa.pem", "inter.pem", 1514764800, CERT_NOT_YET_VALID,
	       "valid now, not yet valid in 2018");
	expect("gw-revoked.pem", "inter.pem", now, CERT_OK, "revoked one passes without the CRL");
	expect("gw-unknown.pem", "unknown-ca.pem", now, CERT_UNKNOWN_CA,
	       "signed by a CA not in the folder");
	expect("gw-loop-chain.pem", NULL, now, CERT_CHAIN_TOO_LONG, "CA loop refused");
	expect("gw-badku.pem", "inter.pem", now, CERT_KEY_USAGE,
	       "keyUsage without digitalSignature");
	expect("gw-badeku.pem", "inter.pem", now, CERT_KEY_USAGE,
	       "extendedKeyUsage codeSigning+emailProtection only: no IKE purpose");
	expect("gw-serverauth.pem", "inter.pem", now, CERT_OK, "extendedKeyUsage serverAuth alone");
	expect("gw-noeku.pem", "inter.pem", now, CERT_OK, "no extendedKeyUsage at all");
	{
		struct cert_check chk;

		verify("gw-badeku.pem", "inter.pem", now, &chk);
		tap_ok(strstr(chk.text, "1.3.6.1.5.5.7.3.3, 1.3.6.1.5.5.7.3.4") &&
		       strstr(chk.text, "RFC 4945"), "the refusal names the OIDs and the rule: %s",
		       chk.text);
	}

	tap_eq_int(cert_store_add_crl_file(store, pki_path("crls/inter.crl"), why, sizeof(why)),
		   0, "CRL loads");
	tap_eq_int((long long)cert_store_crl_count(store), 1, "one CRL");
	expect("gw-revoked.pem", "inter.pem", now, CERT_REVOKED, "revoked with the CRL");
	expect("gw-rsa.pem", "inter.pem", now, CERT_OK, "a certificate the CRL does not list");
	tap_eq_int(cert_store_add_crl_file(store, pki_path("gw-rsa.pem"), why, sizeof(why)),
		   ERR_PARSE, "a certificate is not a CRL");
	{
		struct cert_check chk;

		verify("gw-rsa.pem", "inter.pem", now, &chk);
		tap_eq_str(chk.note, "", "a fresh CRL: no note");
	}
}

/* A CRL past its nextUpdate still revokes; what it does not list passes with a note. */
static void test_stale_crl(void)
{
	struct cert_store *stale = NULL, *keep = store;
	struct cert_check chk;
	char why[512];

	if (!tap_ok(cert_store_new(&stale) == 0 &&
		    cert_store_add_ca_dir(stale, pki_path("cacerts"), why, sizeof(why)) == 0 &&
		    cert_store_add_crl_file(stale, pki_path("inter-stale.crl"), why, sizeof(why)) == 0,
		    "a store with the stale CRL (next update 2021-01-01)")) {
		cert_store_free(stale);
		return;
	}
	store = stale;
	expect("gw-revoked.pem", "inter.pem", now, CERT_REVOKED, "revoked by the stale CRL all the same");
	tap_eq_int(verify("gw-rsa.pem", "inter.pem", now, &chk), 0,
		   "a certificate the stale CRL does not list is accepted");
	tap_ok(strstr(chk.note, "dualike test intermediate CA") &&
	       strstr(chk.note, "2021-01-01 00:00:00 UTC"),
	       "with a note naming the issuer and the missed update: %s", chk.note);
	tap_eq_int(verify("gw-rsa.pem", "inter.pem", 1590000000, &chk), 0,
		   "checked in 2020 (before its next update)");
	tap_eq_str(chk.note, "", "... no note");
	store = keep;
	cert_store_free(stale);
}

static void test_bad_signature(void)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	struct cert *c = NULL;
	struct cert_check chk;
	const struct cert *inter[1] = { inter_chain.n ? inter_chain.certs[0] : NULL };

	if (pki_read_file(pki_path("gw-rsa.der"), &buf, &len) < 0)
		return;
	buf[len - 10] ^= 0x01; /* inside the signature BIT STRING */
	tap_eq_int(cert_from_der(buf, len, &c), 0, "tampered signature still parses");
	if (c) {
		tap_eq_int(cert_verify_chain(store, c, inter, 1, now, &chk), ERR_INTEGRITY,
			   "tampered signature refused");
		tap_eq_int(chk.verdict, CERT_BAD_SIGNATURE, "... as a bad signature (%s)", chk.text);
	}
	cert_free(c);
	free(buf);
}

static struct id *parse_id(const char *text)
{
	struct id *id = NULL;

	if (id_parse(text, &id) < 0)
		return NULL;
	return id;
}

static void id_case(const struct cert *c, const char *text, bool want)
{
	struct id *id = parse_id(text);

	tap_ok(id && cert_matches_id(c, id) == want, "%s %s the certificate", text,
	       want ? "matches" : "does not match");
	id_free(id);
}

static void dn_case(const struct cert *c, const char *dn, bool want)
{
	struct id *id = NULL;
	char why[256];

	if (!tap_eq_int(cert_dn_parse(dn, &id, why, sizeof(why)), 0, "DN parses: %s", dn))
		return;
	tap_ok(cert_matches_id(c, id) == want, "DN \"%s\" %s", dn, want ? "matches" : "does not match");
	id_free(id);
}

static void test_identity(void)
{
	struct cert *gw = load_one("gw-rsa.pem"), *peer = load_one("peer-ecdsa256.pem");
	struct id *subj = NULL, *san = NULL, *dn = NULL;
	const uint8_t *sder;
	size_t slen;
	char buf[512], why[256];

	if (!tap_ok(gw && peer, "certificates for identity tests"))
		goto out;
	tap_eq_int(cert_subject_id(gw, &subj), 0, "subject as ID_DER_ASN1_DN");
	tap_ok(subj && subj->type == ID_DER_ASN1_DN && cert_matches_id(gw, subj),
	       "a certificate matches its own subject");
	tap_ok(subj && !cert_matches_id(peer, subj), "another certificate does not");
	tap_eq_str(cert_subject_str(gw, buf, sizeof(buf)),
		   "CN=gw.example.org,OU=rsa,O=dualike test,C=FI", "subject text (RFC 4514)");
	tap_eq_str(cert_issuer_str(gw, buf, sizeof(buf)),
		   "CN=dualike test intermediate CA,O=dualike test,C=FI", "issuer text");

	/* The same DN from configuration text matches. */
	if (tap_eq_int(cert_dn_parse("CN=gw.example.org,OU=rsa,O=dualike test,C=FI", &dn,
				     why, sizeof(why)), 0, "DN text parses")) {
		sder = cert_subject_der(gw, &slen);
		tap_ok(cert_matches_id(gw, dn), "configured DN matches");
		tap_ok(cert_dn_equal(dn->data, dn->len, sder, slen), "cert_dn_equal agrees");
	}
	/* The subject with CN re-typed PrintableString -> UTF8String: other
	 * bytes, same name (a peer's encoder may choose either). */
	{
		uint8_t re[512];
		static const char cn[] = "gw.example.org";
		uint8_t *at;

		sder = cert_subject_der(gw, &slen);
		at = slen <= sizeof(re) ? memmem(sder, slen, cn, sizeof(cn) - 1) : NULL;
		if (tap_ok(at && at - sder >= 2 && at[-2] == 0x13, "subject CN is a PrintableString")) {
			memcpy(re, sder, slen);
			re[(at - sder) - 2] = 0x0c;
			tap_ok(memcmp(re, sder, slen) != 0 && cert_dn_equal(re, slen, sder, slen),
			       "UTF8String CN equals the PrintableString one as a DN");
			re[(at - sder) + 1] = 'W';
			tap_ok(cert_dn_equal(re, slen, sder, slen),
			       "... also with a letter in another case");
			re[(at - sder) + 1] = 'x';
			tap_ok(!cert_dn_equal(re, slen, sder, slen), "... but not with another letter");
		}
	}
	dn_case(gw, "cn=GW.Example.ORG, ou=RSA, o=dualike  test, c=fi", true);
	dn_case(gw, "CN=gw.example.org,OU=rsa,O=dualike test", false);
	dn_case(gw, "CN=peer.example.org,OU=rsa,O=dualike test,C=FI", false);
	dn_case(gw, "C=FI,O=dualike test,OU=rsa,CN=gw.example.org", false);
	tap_ok(cert_dn_parse("this is no DN", &san, why, sizeof(why)) == ERR_PARSE,
	       "a text that is no DN is refused (%s)", why);

	id_case(gw, "gw.example.org", true);
	id_case(gw, "GW.EXAMPLE.ORG", true);
	id_case(gw, "peer.example.org", false);
	id_case(gw, "example.org", false);
	id_case(gw, "gw@example.org", true);
	id_case(gw, "gw@EXAMPLE.org", true);
	id_case(gw, "Gw@example.org", false);
	id_case(gw, "192.0.2.2", true);
	id_case(gw, "192.0.2.1", false);
	id_case(gw, "fd00:d1::2", true);
	id_case(gw, "fd00:d1::1", false);
	id_case(peer, "198.51.100.2", true);
	id_case(gw, "keyid:0a1b2c", false);
	tap_eq_str(cert_san_str(gw, buf, sizeof(buf)),
		   "DNS:gw.example.org, IP:192.0.2.2, IP:fd00:d1::2, email:gw@example.org",
		   "SAN text");
	tap_eq_int(cert_san_id(gw, 0, &san), 0, "first SAN as an identity");
	tap_ok(san && san->type == ID_FQDN, "... is the DNS name");
	id_free(san);
	san = NULL;
	tap_eq_int(cert_san_id(gw, 4, &san), ERR_NOTFOUND, "no fifth SAN");
	tap_eq_str(cert_key_str(gw, buf, sizeof(buf)), "RSA-2048", "key text RSA");
	tap_eq_str(cert_key_str(peer, buf, sizeof(buf)), "ECDSA-P256", "key text ECDSA");
out:
	id_free(subj);
	id_free(dn);
	cert_free(gw);
	cert_free(peer);
}

static void test_ca_helpers(void)
{
	const struct cert *ca = cert_store_ca(store, 0);
	uint8_t h[CERT_SPKI_SHA1_LEN], g[CERT_SPKI_SHA1_LEN];
	size_t glen = sizeof(g), dlen;
	const uint8_t *dn;
	gnutls_x509_crt_t crt;
	gnutls_datum_t d;

	if (!tap_ok(ca != NULL, "anchor 0"))
		return;
	tap_eq_int(cert_spki_sha1(ca, h), 0, "SPKI SHA-1 of the CA (CERTREQ)");
	d.data = (unsigned char *)cert_der(ca, &dlen);
	d.size = (unsigned)dlen;
	gnutls_x509_crt_init(&crt);
	if (gnutls_x509_crt_import(crt, &d, GNUTLS_X509_FMT_DER) == 0 &&
	    gnutls_x509_crt_get_key_id(crt, GNUTLS_KEYID_USE_SHA1, g, &glen) == 0)
		tap_eq_bytes(h, sizeof(h), g, glen, "equals GnuTLS's SHA-1 key ID of the SPKI");
	else
		tap_ok(false, "GnuTLS key ID");
	gnutls_x509_crt_deinit(crt);
	tap_ok(cert_store_find_spki_sha1(store, h) == ca, "a CERTREQ hash finds the anchor");
	h[0] ^= 1;
	tap_ok(cert_store_find_spki_sha1(store, h) == NULL, "another hash finds nothing");
	if (inter_chain.n) {
		dn = cert_issuer_der(inter_chain.certs[0], &dlen);
		tap_ok(cert_store_find_subject(store, dn, dlen) == ca,
		       "the intermediate's issuer DN (an IKEv1 CR) finds the anchor");
		dn = cert_subject_der(inter_chain.certs[0], &dlen);
		tap_ok(cert_store_find_subject(store, dn, dlen) == NULL,
		       "the intermediate's own DN is no anchor");
	}
	tap_ok(cert_is_self_issued(ca), "the root is self-issued");
}

static void test_keys(void)
{
	struct sig_privkey *k = NULL;
	struct cert *gw = load_one("gw-rsa.pem"), *peer = load_one("peer-rsa.pem");
	struct cert *ed = load_one("gw-ed25519.pem");
	char why[512];
	const char *path = pki_path("gw-rsa.key");
	static const char *const algs[] = { "rsa", "ecdsa256", "ecdsa384", "ecdsa521", "ed25519" };

	tap_eq_int(cert_key_load_file(path, &k, why, sizeof(why)), 0, "0600 key loads");
	tap_ok(k && gw && cert_matches_privkey(gw, k), "key matches its certificate");
	tap_ok(k && peer && !cert_matches_privkey(peer, k), "key does not match another RSA cert");
	tap_ok(k && ed && !cert_matches_privkey(ed, k), "nor an Ed25519 cert");
	sig_privkey_free(k);
	for (size_t i = 0; i < sizeof(algs) / sizeof(algs[0]); i++) {
		char kn[64], cn[64];
		struct cert *c;

		snprintf(kn, sizeof(kn), "peer-%s.key", algs[i]);
		snprintf(cn, sizeof(cn), "peer-%s.pem", algs[i]);
		k = NULL;
		c = load_one(cn);
		tap_ok(cert_key_load_file(pki_path(kn), &k, why, sizeof(why)) == 0 && c &&
		       cert_matches_privkey(c, k), "%s key loads and matches", algs[i]);
		sig_privkey_free(k);
		cert_free(c);
	}
	k = NULL;
	chmod(path, 0644);
	tap_eq_int(cert_key_load_file(path, &k, why, sizeof(why)), ERR_PERM, "0644 key refused");
	tap_ok(k == NULL && strstr(why, "0644") && strstr(why, "chmod 600"),
	       "... with a clear reason: %s", why);
	chmod(path, 0640);
	tap_eq_int(cert_key_load_file(path, &k, why, sizeof(why)), ERR_PERM, "0640 key refused");
	chmod(path, 0400);
	tap_eq_int(cert_key_load_file(path, &k, why, sizeof(why)), 0, "0400 key loads");
	sig_privkey_free(k);
	chmod(path, 0600);
	k = NULL;
	tap_eq_int(cert_key_load_file(pki_path("gw-rsa.pem"), &k, why, sizeof(why)),
		   ERR_PERM, "a 0644 certificate file is refused as a key (mode first)");
	chmod(pki_path("gw-rsa.der"), 0600);
	tap_eq_int(cert_key_load_file(pki_path("gw-rsa.der"), &k, why, sizeof(why)),
		   ERR_PARSE, "a certificate is not a key");
	tap_eq_int(cert_key_load_file(pki_path("none.key"), &k, why, sizeof(why)), ERR_IO,
		   "missing key file: ERR_IO");
	cert_free(gw);
	cert_free(peer);
	cert_free(ed);
}

int main(void)
{
	int rc = pki_start();

	if (rc >= 0)
		return rc;
	now = time(NULL);
	test_loading();
	if (cert_chain_load_file(pki_path("inter.pem"), &inter_chain) < 0)
		tap_ok(false, "inter.pem loads");
	test_validation();
	test_bad_signature();
	test_stale_crl();
	test_identity();
	test_ca_helpers();
	test_keys();
	cert_chain_clear(&inter_chain);
	cert_store_free(store);
	pki_remove();
	return tap_done();
}
