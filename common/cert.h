/*
 * cert.h - X.509 certificates, trust anchors, CRLs, chain validation and the
 * identities a certificate vouches for; private keys from files. Shared by
 * both engines for public key authentication (IKEv2: RFC 7296 2.15, 3.6,
 * 3.7, RFC 7427; IKEv1: RFC 2409 5.1, RFC 4945 PKI profile).
 *
 * Every X.509 byte is parsed by GnuTLS (DESIGN.md: "GnuTLS for X.509"); this
 * module never walks ASN.1 by hand. Certificates are immutable once loaded.
 *
 * Threads: objects here are used on the loop thread (loading, validation,
 * identity checks). Signing and verifying with the keys they hold run as
 * jobs: see common/sig.h.
 *
 * Sources and files:
 *   cert.c      certificates and chains: load (PEM/DER), DER bytes, names,
 *               validity, key type, CERTREQ/CR helpers
 *   cert_store.c  trust anchors (CA folder) and CRLs; chain validation
 *   cert_key.c  private keys from files (mode 0600 enforced, bytes wiped)
 *   cert_id.c   identities: subject DN, subjectAltName, DN comparison, the
 *               match between a configured struct id and a certificate
 */
#ifndef DUALIKE_COMMON_CERT_H
#define DUALIKE_COMMON_CERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "common/id.h"
#include "common/sig.h"

struct cert;
struct cert_store;

/* Longest chain accepted: end-entity + intermediates + anchor (RFC 4945
 * 6.1.2.3 leaves the depth to local policy; longer is refused as a loop). */
#define CERT_CHAIN_MAX 8
/* Largest certificate accepted from a file or a CERT payload. */
#define CERT_DER_MAX (16u * 1024u)
/* Largest file read (a PEM chain or a CRL). */
#define CERT_FILE_MAX (1024u * 1024u)
/* SHA-1 of a SubjectPublicKeyInfo (IKEv2 CERTREQ, RFC 7296 3.7). */
#define CERT_SPKI_SHA1_LEN 20
/* Room for cert_check.text and the name texts below. */
#define CERT_TEXT_MAX 512

/* ---- certificates and chains (cert.c) ---- */

/*
 * A chain as loaded from a file or received in CERT payloads: certs[0] is
 * the end-entity certificate, then its intermediates in any order. The
 * struct is the caller's; cert_chain_clear() frees what it holds.
 */
struct cert_chain {
	size_t n;
	struct cert *certs[CERT_CHAIN_MAX];
};

/*
 * Load a certificate file: PEM (one or more "BEGIN CERTIFICATE" blocks; the
 * first is the end-entity certificate) or one DER certificate. ERR_IO (errno
 * says why), ERR_PARSE (not a certificate, or a broken one), ERR_OVERFLOW
 * (more than CERT_CHAIN_MAX certificates or a file over CERT_FILE_MAX),
 * ERR_NOMEM. `out` is filled only on success.
 */
int cert_chain_load_file(const char *path, struct cert_chain *out);
/* The same from memory (PEM or DER). */
int cert_chain_load_mem(const uint8_t *data, size_t len, struct cert_chain *out);
/* Add a certificate to a chain (taking it); ERR_OVERFLOW when full, and the
 * certificate stays the caller's. */
int cert_chain_add(struct cert_chain *chain, struct cert *cert);
/* Free every certificate and set n = 0. NULL is allowed. */
void cert_chain_clear(struct cert_chain *chain);

/*
 * One DER certificate, e.g. the body of a CERT payload with encoding
 * "X.509 Certificate - Signature" (4) (RFC 7296 3.6, RFC 2408 3.9): peer
 * bytes, so truncated DER, trailing bytes and garbage are ERR_PARSE, over
 * CERT_DER_MAX ERR_OVERFLOW; never a crash.
 */
int cert_from_der(const uint8_t *der, size_t len, struct cert **out);
/* Another reference to the same certificate (certificates are immutable and
 * reference counted; loop thread only). */
struct cert *cert_ref(struct cert *cert);
/* Drop a reference; frees on the last. NULL is allowed. */
void cert_free(struct cert *cert);

/* The certificate's DER bytes, as sent in a CERT payload. Owned by cert. */
const uint8_t *cert_der(const struct cert *cert, size_t *len);
/* True when both hold the same DER bytes. */
bool cert_equal(const struct cert *a, const struct cert *b);

/* The public key, borrowed (valid while cert is; sig_pubkey_ref() it to
 * keep it longer, e.g. for job_sig_verify). */
struct sig_pubkey *cert_pubkey(const struct cert *cert);
/* True when key is the private half of the certificate's public key. */
bool cert_matches_privkey(const struct cert *cert, const struct sig_privkey *key);

/* Validity period (notBefore, notAfter) as time_t. ERR_PARSE if absent. */
int cert_validity(const struct cert *cert, time_t *not_before, time_t *not_after);
/* basicConstraints cA = TRUE. */
bool cert_is_ca(const struct cert *cert);
/* Issuer and subject are the same name (a root, or a loop candidate). */
bool cert_is_self_issued(const struct cert *cert);

/*
 * RFC 4514 text of the subject / issuer DN ("CN=gw,O=Example,C=FI") into
 * buf, cut to len; for logs and dualikectl list-certs. Returns buf.
 */
const char *cert_subject_str(const struct cert *cert, char *buf, size_t len);
const char *cert_issuer_str(const struct cert *cert, char *buf, size_t len);
/* "RSA-2048", "ECDSA-P256", "Ed25519"... into buf. Returns buf. */
const char *cert_key_str(const struct cert *cert, char *buf, size_t len);
/* The SHA-256 fingerprint of the DER, hex with ':' separators. Returns buf. */
const char *cert_fingerprint_str(const struct cert *cert, char *buf, size_t len);

/*
 * IKEv2 CERTREQ "Certification Authority" entry for a CA certificate: the
 * SHA-1 hash of its SubjectPublicKeyInfo element (RFC 7296 3.7). Also what a
 * received CERTREQ is matched against (cert_store_find_spki_sha1).
 */
int cert_spki_sha1(const struct cert *cert, uint8_t out[CERT_SPKI_SHA1_LEN]);
/*
 * The DER of the subject / issuer Name (the whole SEQUENCE). The subject of
 * a CA is what an IKEv1 CR payload carries (RFC 2408 3.10, RFC 4945 3.2.4);
 * the issuer of an end-entity certificate is what a received CR is compared
 * with (cert_dn_equal). Owned by cert.
 */
const uint8_t *cert_subject_der(const struct cert *cert, size_t *len);
const uint8_t *cert_issuer_der(const struct cert *cert, size_t *len);

/* ---- trust anchors, CRLs and chain validation (cert_store.c) ---- */

/*
 * Why a chain was refused. Each has a fixed name (cert_verdict_name) for
 * logs and counters; cert_check.text adds which certificate and details.
 */
enum cert_verdict {
	CERT_OK = 0,
	CERT_EXPIRED,           /* some certificate's notAfter is before now */
	CERT_NOT_YET_VALID,     /* some certificate's notBefore is after now */
	CERT_REVOKED,           /* listed in a loaded CRL of its issuer */
	CERT_UNKNOWN_CA,        /* no path to a loaded trust anchor */
	CERT_BAD_SIGNATURE,     /* a signature in the path does not verify */
	CERT_MALFORMED,         /* unparsable or inconsistent certificate */
	CERT_KEY_USAGE,         /* end-entity keyUsage without digitalSignature or
				 * nonRepudiation (RFC 4945 5.1.3.2), or an issuer
				 * that is not a CA / may not sign certificates */
	CERT_CHAIN_TOO_LONG,    /* longer than CERT_CHAIN_MAX, or a loop */
	CERT_INSECURE,          /* algorithm GnuTLS refuses (MD5, short RSA) */
};

struct cert_check {
	enum cert_verdict verdict;
	char text[CERT_TEXT_MAX]; /* "certificate CN=x expired at 2026-01-01 ..." */
	/*
	 * Something the caller should log as a warning even when the verdict
	 * is CERT_OK, or "": a CRL on the path past its nextUpdate (its
	 * revocations are still applied; newer ones are unknown).
	 */
	char note[CERT_TEXT_MAX];
};

const char *cert_verdict_name(enum cert_verdict v);

/* An empty store: no anchor, no CRL. ERR_NOMEM. */
int cert_store_new(struct cert_store **out);
/* NULL is allowed. */
void cert_store_free(struct cert_store *store);

/*
 * Add trust anchors. A file may hold several PEM certificates or one DER
 * certificate. A folder: every regular file in it whose name ends in .pem,
 * .crt, .cer or .der (others are skipped; an unreadable or broken one fails
 * the whole call, naming it in why). Anchors need not be self-signed (an
 * intermediate may be configured as an anchor). ERR_IO, ERR_PARSE,
 * ERR_NOMEM; why (may be NULL) gets "FILE: reason".
 */
int cert_store_add_ca_file(struct cert_store *store, const char *path,
			   char *why, size_t why_len);
int cert_store_add_ca_dir(struct cert_store *store, const char *dir,
			  char *why, size_t why_len);
/*
 * Add CRLs (PEM or DER; a folder as above with .crl/.pem/.der). A CRL is
 * only used when signed by its issuer, which must be an anchor or a
 * certificate in the chain being checked.
 */
int cert_store_add_crl_file(struct cert_store *store, const char *path,
			    char *why, size_t why_len);
int cert_store_add_crl_dir(struct cert_store *store, const char *dir,
			   char *why, size_t why_len);

size_t cert_store_ca_count(const struct cert_store *store);
size_t cert_store_crl_count(const struct cert_store *store);
/* The i-th anchor (borrowed) for CERTREQ / CR payloads; NULL past the end. */
const struct cert *cert_store_ca(const struct cert_store *store, size_t i);
/* The anchor whose SPKI SHA-1 is hash (a received CERTREQ entry), or NULL. */
const struct cert *cert_store_find_spki_sha1(const struct cert_store *store,
					     const uint8_t hash[CERT_SPKI_SHA1_LEN]);
/* The anchor whose subject DN equals dn (DER, compared as a DN: a received
 * IKEv1 CR), or NULL. */
const struct cert *cert_store_find_subject(const struct cert_store *store,
					   const uint8_t *dn, size_t dn_len);

/*
 * Validate ee with intermediates inter[0..n_inter) (any order, may be
 * empty; certificates not on the path are ignored) against the store's
 * anchors at time `now`: signatures, validity periods of every certificate
 * on the path, basicConstraints/keyUsage of issuers, the end-entity's
 * keyUsage for signing, CRLs of every issuer on the path, path length <=
 * CERT_CHAIN_MAX, no loop. Returns 0 when the chain is good; ERR_INTEGRITY
 * when it is refused, ERR_NOMEM / ERR_CRYPTO when it could not be checked;
 * in every case `out` says which verdict and why (CERT_OK on success).
 */
int cert_verify_chain(const struct cert_store *store, const struct cert *ee,
		      const struct cert *const *inter, size_t n_inter, time_t now,
		      struct cert_check *out);

/* ---- private keys (cert_key.c) ---- */

/*
 * Load a private key file: PEM ("PRIVATE KEY" PKCS#8 unencrypted, "RSA
 * PRIVATE KEY", "EC PRIVATE KEY") or DER (PKCS#8, PKCS#1, SEC1). RSA, ECDSA
 * P-256/P-384/P-521 and Ed25519. The file must not be accessible by group or
 * others (mode 0600 or stricter, like the secrets file): otherwise ERR_PERM
 * and why says "FILE: mode 0644 is readable by group/other; chmod 600 FILE".
 * ERR_IO, ERR_PARSE (not a key, an encrypted key), ERR_UNSUPPORTED (another
 * algorithm or curve), ERR_NOMEM. The bytes read are wiped before return.
 */
int cert_key_load_file(const char *path, struct sig_privkey **out,
		       char *why, size_t why_len);

/* ---- identities (cert_id.c) ---- */

/* The subject DN as an ID_DER_ASN1_DN identity (the default local ID of a
 * certificate). ERR_PARSE for an empty subject, ERR_NOMEM. */
int cert_subject_id(const struct cert *cert, struct id **out);
/*
 * The i-th subjectAltName usable as an IKE identity (dNSName -> ID_FQDN,
 * rfc822Name -> ID_RFC822_ADDR, iPAddress -> ID_IPV4_ADDR/ID_IPV6_ADDR), in
 * certificate order; other name forms are skipped. ERR_NOTFOUND past the
 * last, ERR_NOMEM.
 */
int cert_san_id(const struct cert *cert, size_t i, struct id **out);
/* "DNS:gw.example.com, email:a@b, IP:192.0.2.1" into buf. Returns buf. */
const char *cert_san_str(const struct cert *cert, char *buf, size_t len);

/*
 * Does the certificate vouch for the identity (RFC 4945 3.1, RFC 7296 3.5:
 * the peer's ID must be bound to its certificate)?
 *   ID_DER_ASN1_DN   equal to the subject DN as a DN (cert_dn_equal), or
 *                    to a directoryName SAN
 *   ID_FQDN          a dNSName SAN, without ASCII case (RFC 4343)
 *   ID_RFC822_ADDR   an rfc822Name SAN (domain without case)
 *   ID_IPV4/6_ADDR   an iPAddress SAN of the same family, byte equal
 *   ID_KEY_ID        never (opaque; nothing in the certificate names it)
 * No wildcard and no CN fallback: a name has to be listed.
 */
bool cert_matches_id(const struct cert *cert, const struct id *id);

/*
 * Two DER Names compared as Distinguished Names (RFC 5280 7.1, the subset
 * that matters between IKE peers): same number of RDNs, each with the same
 * set of (OID, value) pairs; string values compare after trimming and
 * collapsing spaces and without case for ASCII; PrintableString,
 * UTF8String, IA5String, TeletexString and BMPString values that spell the
 * same text are equal. Unparsable input is never equal.
 */
bool cert_dn_equal(const uint8_t *a, size_t a_len, const uint8_t *b, size_t b_len);
/*
 * An RFC 4514 DN text ("CN=gw.example.com, O=Example, C=FI") to an
 * ID_DER_ASN1_DN identity, for configuration. ERR_PARSE (why gets GnuTLS's
 * reason), ERR_NOMEM.
 */
int cert_dn_parse(const char *text, struct id **out, char *why, size_t why_len);
/* The RFC 4514 text of a DER DN into buf ("<malformed DN>" if it is not). */
const char *cert_dn_str(const uint8_t *dn, size_t dn_len, char *buf, size_t len);

#endif
