/*
 * cert_fuzz.c - libFuzzer target for what a peer's bytes reach in
 * common/cert*.c and common/sig*.c: CERT payload bodies (DER), chains,
 * DNs from ID payloads, RFC 7427 AlgorithmIdentifiers and public keys.
 * The first input byte picks the mode (low two bits):
 *   0: one DER certificate (a CERT payload): every accessor, identity
 *      matches, CERTREQ hash, validation against an empty store and against
 *      a store holding the certificate itself
 *   1: a certificate file (PEM chain or DER) as cert_chain_load_mem reads it
 *   2: two DNs (the rest split at its middle): compared, printed
 *   3: an AlgorithmIdentifier (first byte = its length) then a
 *      SubjectPublicKeyInfo and a signature over a fixed string
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/cert.h"
#include "common/sig.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void exercise(struct cert *c)
{
	static const char *const ids[] = { "gw.example.org", "gw@example.org", "192.0.2.2",
					   "fd00:d1::2", "keyid:0a0b" };
	char buf[CERT_TEXT_MAX];
	uint8_t h[CERT_SPKI_SHA1_LEN];
	struct cert_store *store = NULL;
	struct cert_check chk;
	struct id *id;
	size_t len;
	time_t a, b;
	const uint8_t *dn;

	cert_subject_str(c, buf, sizeof(buf));
	cert_issuer_str(c, buf, sizeof(buf));
	cert_key_str(c, buf, sizeof(buf));
	cert_san_str(c, buf, sizeof(buf));
	cert_fingerprint_str(c, buf, sizeof(buf));
	cert_validity(c, &a, &b);
	cert_is_ca(c);
	cert_is_self_issued(c);
	cert_spki_sha1(c, h);
	dn = cert_subject_der(c, &len);
	cert_dn_equal(dn, len, dn, len);
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		if (id_parse(ids[i], &id) == 0) {
			cert_matches_id(c, id);
			id_free(id);
		}
	}
	if (cert_subject_id(c, &id) == 0) {
		cert_matches_id(c, id);
		id_free(id);
	}
	for (size_t i = 0; cert_san_id(c, i, &id) == 0; i++)
		id_free(id);
	if (cert_store_new(&store) == 0) {
		const struct cert *inter[1] = { c };

		cert_verify_chain(store, c, inter, 1, 1700000000, &chk);
		cert_store_free(store);
	}
}

static void mode_der(const uint8_t *p, size_t n)
{
	struct cert *c = NULL;

	if (cert_from_der(p, n, &c) == 0) {
		exercise(c);
		cert_free(c);
	}
}

static void mode_chain(const uint8_t *p, size_t n)
{
	struct cert_chain chain = { 0 };

	if (cert_chain_load_mem(p, n, &chain) == 0) {
		for (size_t i = 0; i < chain.n; i++)
			exercise(chain.certs[i]);
		cert_chain_clear(&chain);
	}
}

static void mode_dn(const uint8_t *p, size_t n)
{
	char buf[CERT_TEXT_MAX];

	cert_dn_equal(p, n / 2, p + n / 2, n - n / 2);
	cert_dn_str(p, n, buf, sizeof(buf));
}

static void mode_sig(const uint8_t *p, size_t n)
{
	static const uint8_t msg[] = "fuzzed AUTH octets";
	static const uint8_t hash_i[32] = { 0x5a }; /* an IKEv1 HASH_I (prf SHA-256) */
	enum sig_scheme s = SIG_NONE;
	struct sig_pubkey *key = NULL;
	size_t alen, klen;

	if (n < 2)
		return;
	alen = p[0] < n - 1 ? p[0] : n - 1;
	sig_algid_decode(p + 1, alen, &s);
	p += 1 + alen;
	n -= 1 + alen;
	klen = n / 2;
	if (sig_pubkey_from_spki(p, klen, &key) == 0) {
		if (s == SIG_NONE)
			s = SIG_RSA_PKCS1_SHA256;
		sig_verify(key, s, SIG_FORM_DER, msg, sizeof(msg), p + klen, n - klen);
		sig_verify(key, s, SIG_FORM_RAW, msg, sizeof(msg), p + klen, n - klen);
		sig_verify(key, SIG_RSA_V1_RAW, SIG_FORM_DER, msg, 20, p + klen, n - klen);
		/* an IKEv1 ECDSA SIG (RFC 4754 7: r || s, peer bytes) */
		sig_verify(key, SIG_ECDSA_DIGEST, SIG_FORM_RAW, hash_i, sizeof(hash_i), p + klen,
			   n - klen);
		sig_pubkey_free(key);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > 64 * 1024)
		return 0;
	switch (data[0] & 3) {
	case 0: mode_der(data + 1, size - 1); break;
	case 1: mode_chain(data + 1, size - 1); break;
	case 2: mode_dn(data + 1, size - 1); break;
	default: mode_sig(data + 1, size - 1); break;
	}
	return 0;
}
