/*
 * cert_store.c - trust anchors, CRLs and chain validation (see cert.h).
 *
 * The path is built here (end-entity -> issuer -> ... -> anchor, following
 * issuer/subject names among the certificates the peer sent), so that a
 * cycle or an over-long path is named as such (RFC 4945 6.1.2.3 leaves the
 * depth to local policy) instead of ending as a generic failure. GnuTLS then
 * checks the signatures, CA constraints and CRLs along that path
 * (gnutls_x509_crt_list_verify); validity periods are checked here against
 * the caller's clock, so tests and the daemon use one notion of "now".
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/cert_impl.h"
#include "common/err.h"

struct cert_store {
	size_t n_ca, n_crl;
	struct cert **cas;
	gnutls_x509_crl_t *crls;
};

int cert_store_new(struct cert_store **out)
{
	struct cert_store *s = calloc(1, sizeof(*s));

	if (!s)
		return ERR_NOMEM;
	*out = s;
	return 0;
}

void cert_store_free(struct cert_store *store)
{
	if (!store)
		return;
	for (size_t i = 0; i < store->n_ca; i++)
		cert_free(store->cas[i]);
	for (size_t i = 0; i < store->n_crl; i++)
		gnutls_x509_crl_deinit(store->crls[i]);
	free(store->cas);
	free(store->crls);
	free(store);
}

size_t cert_store_ca_count(const struct cert_store *store)
{
	return store ? store->n_ca : 0;
}

size_t cert_store_crl_count(const struct cert_store *store)
{
	return store ? store->n_crl : 0;
}

const struct cert *cert_store_ca(const struct cert_store *store, size_t i)
{
	return store && i < store->n_ca ? store->cas[i] : NULL;
}

const struct cert *cert_store_find_spki_sha1(const struct cert_store *store,
					     const uint8_t hash[CERT_SPKI_SHA1_LEN])
{
	uint8_t h[CERT_SPKI_SHA1_LEN];

	for (size_t i = 0; store && i < store->n_ca; i++)
		if (cert_spki_sha1(store->cas[i], h) == 0 &&
		    memcmp(h, hash, sizeof(h)) == 0)
			return store->cas[i];
	return NULL;
}

const struct cert *cert_store_find_subject(const struct cert_store *store,
					   const uint8_t *dn, size_t dn_len)
{
	for (size_t i = 0; store && i < store->n_ca; i++)
		if (cert_dn_equal(store->cas[i]->subject, store->cas[i]->subject_len,
				  dn, dn_len))
			return store->cas[i];
	return NULL;
}

/* ---- loading ---- */

static const char *rc_text(int rc)
{
	return rc == ERR_IO ? strerror(errno) : err_str(rc);
}

static int ca_add(struct cert_store *store, struct cert *c)
{
	struct cert **cas = realloc(store->cas, (store->n_ca + 1) * sizeof(*cas));

	if (!cas) {
		cert_free(c);
		return ERR_NOMEM;
	}
	store->cas = cas;
	store->cas[store->n_ca++] = c;
	return 0;
}

/* A CA file may be a bundle: no CERT_CHAIN_MAX limit here. */
int cert_store_add_ca_file(struct cert_store *store, const char *path,
			   char *why, size_t why_len)
{
	gnutls_x509_crt_t *list = NULL;
	gnutls_datum_t d;
	struct cert *c;
	uint8_t *buf;
	size_t len;
	unsigned n = 0;
	int rc = cert_read_file(path, CERT_FILE_MAX, &buf, &len, NULL);

	if (rc < 0)
		return cert_why(why, why_len, rc, path, "cannot load CA certificate: %s",
				rc_text(rc));
	if (!memmem(buf, len, "-----BEGIN ", 11)) {
		rc = cert_from_der(buf, len, &c);
		free(buf);
		if (rc == 0)
			rc = ca_add(store, c);
		return rc < 0 ? cert_why(why, why_len, rc, path, "cannot load CA certificate: %s",
					 rc_text(rc)) : 0;
	}
	d.data = buf;
	d.size = (unsigned)len;
	if (gnutls_x509_crt_list_import2(&list, &n, &d, GNUTLS_X509_FMT_PEM, 0) < 0 || n == 0) {
		free(buf);
		return cert_why(why, why_len, ERR_PARSE, path,
				"cannot load CA certificate: not a PEM or DER certificate");
	}
	free(buf);
	for (unsigned i = 0; i < n; i++) {
		if (rc < 0) {
			gnutls_x509_crt_deinit(list[i]);
			continue;
		}
		rc = cert_from_crt(list[i], &c); /* takes list[i] */
		if (rc == 0)
			rc = ca_add(store, c);
	}
	gnutls_free(list);
	return rc < 0 ? cert_why(why, why_len, rc, path, "cannot load CA certificate: %s",
				 rc_text(rc)) : 0;
}

static int crl_add(struct cert_store *store, gnutls_x509_crl_t crl)
{
	gnutls_x509_crl_t *crls = realloc(store->crls,
					  (store->n_crl + 1) * sizeof(*crls));

	if (!crls) {
		gnutls_x509_crl_deinit(crl);
		return ERR_NOMEM;
	}
	store->crls = crls;
	store->crls[store->n_crl++] = crl;
	return 0;
}

int cert_store_add_crl_file(struct cert_store *store, const char *path,
			    char *why, size_t why_len)
{
	gnutls_x509_crl_t *list = NULL;
	gnutls_datum_t d;
	uint8_t *buf;
	size_t len;
	unsigned n = 0;
	int rc = cert_read_file(path, CERT_FILE_MAX, &buf, &len, NULL);

	if (rc < 0)
		return cert_why(why, why_len, rc, path, "cannot read CRL: %s", rc_text(rc));
	d.data = buf;
	d.size = (unsigned)len;
	if (gnutls_x509_crl_list_import2(&list, &n, &d, memmem(buf, len, "-----BEGIN ", 11) ?
					 GNUTLS_X509_FMT_PEM : GNUTLS_X509_FMT_DER, 0) < 0 ||
	    n == 0) {
		free(buf);
		return cert_why(why, why_len, ERR_PARSE, path, "not a CRL (PEM or DER)");
	}
	free(buf);
	for (unsigned i = 0; i < n; i++) {
		if (rc == 0)
			rc = crl_add(store, list[i]);
		else
			gnutls_x509_crl_deinit(list[i]);
	}
	gnutls_free(list);
	return rc < 0 ? cert_why(why, why_len, rc, path, "out of memory") : 0;
}

static bool has_suffix(const char *name, const char *const *suffixes)
{
	size_t n = strlen(name);

	for (; *suffixes; suffixes++) {
		size_t s = strlen(*suffixes);

		if (n > s && strcasecmp(name + n - s, *suffixes) == 0)
			return true;
	}
	return false;
}

typedef int (*add_file_fn)(struct cert_store *, const char *, char *, size_t);

static int add_dir(struct cert_store *store, const char *dir,
		   const char *const *suffixes, add_file_fn add,
		   char *why, size_t why_len)
{
	struct dirent **names = NULL;
	int n = scandir(dir, &names, NULL, alphasort), rc = 0;

	if (n < 0)
		return cert_why(why, why_len, ERR_IO, dir, "cannot read folder: %s",
				strerror(errno));
	for (int i = 0; i < n; i++) {
		char path[4096];

		if (rc == 0 && names[i]->d_name[0] != '.' &&
		    has_suffix(names[i]->d_name, suffixes)) {
			if (snprintf(path, sizeof(path), "%s/%s", dir,
				     names[i]->d_name) >= (int)sizeof(path))
				rc = cert_why(why, why_len, ERR_OVERFLOW, dir,
					      "path too long");
			else
				rc = add(store, path, why, why_len);
		}
		free(names[i]);
	}
	free(names);
	return rc;
}

int cert_store_add_ca_dir(struct cert_store *store, const char *dir,
			  char *why, size_t why_len)
{
	static const char *const suffixes[] = { ".pem", ".crt", ".cer", ".der", NULL };

	return add_dir(store, dir, suffixes, cert_store_add_ca_file, why, why_len);
}

int cert_store_add_crl_dir(struct cert_store *store, const char *dir,
			   char *why, size_t why_len)
{
	static const char *const suffixes[] = { ".crl", ".pem", ".der", NULL };

	return add_dir(store, dir, suffixes, cert_store_add_crl_file, why, why_len);
}

/* ---- validation ---- */

const char *cert_verdict_name(enum cert_verdict v)
{
	switch (v) {
	case CERT_OK: return "ok";
	case CERT_EXPIRED: return "expired";
	case CERT_NOT_YET_VALID: return "not yet valid";
	case CERT_REVOKED: return "revoked";
	case CERT_UNKNOWN_CA: return "unknown CA";
	case CERT_BAD_SIGNATURE: return "bad signature";
	case CERT_MALFORMED: return "malformed";
	case CERT_KEY_USAGE: return "key usage";
	case CERT_CHAIN_TOO_LONG: return "chain too long or loop";
	case CERT_INSECURE: return "insecure algorithm";
	}
	return "?";
}

static int refuse(struct cert_check *out, enum cert_verdict v,
		  const struct cert *c, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int refuse(struct cert_check *out, enum cert_verdict v,
		  const struct cert *c, const char *fmt, ...)
{
	char dn[256];
	va_list ap;
	int n;

	out->verdict = v;
	n = snprintf(out->text, sizeof(out->text), "%s: certificate \"%s\": ",
		     cert_verdict_name(v), c ? cert_subject_str(c, dn, sizeof(dn)) : "?");
	if (n > 0 && (size_t)n < sizeof(out->text)) {
		va_start(ap, fmt);
		vsnprintf(out->text + n, sizeof(out->text) - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return ERR_INTEGRITY;
}

static const struct cert *anchor_for(const struct cert_store *store,
				     const struct cert *c)
{
	for (size_t i = 0; i < store->n_ca; i++)
		if (cert_equal(store->cas[i], c))
			return store->cas[i];
	for (size_t i = 0; i < store->n_ca; i++)
		if (cert_dn_equal(store->cas[i]->subject, store->cas[i]->subject_len,
				  c->issuer, c->issuer_len))
			return store->cas[i];
	return NULL;
}

static bool on_path(const struct cert *const *path, size_t n, const struct cert *c)
{
	for (size_t i = 0; i < n; i++)
		if (cert_equal(path[i], c))
			return true;
	return false;
}

/*
 * ee, then each issuer found among inter[] until an anchor (or an anchor's
 * subordinate) is reached. Returns 0 and the path, or a refusal.
 */
static int build_path(const struct cert_store *store, const struct cert *ee,
		      const struct cert *const *inter, size_t n_inter,
		      const struct cert **path, size_t *n_path,
		      const struct cert **anchor, struct cert_check *out)
{
	const struct cert *cur = ee;
	size_t n = 0;

	path[n++] = ee;
	for (;;) {
		const struct cert *next = NULL;
		bool seen = false;

		*anchor = anchor_for(store, cur);
		if (*anchor || cert_is_self_issued(cur))
			break;
		for (size_t i = 0; i < n_inter && !next; i++) {
			if (!inter[i] || !cert_dn_equal(inter[i]->subject,
							inter[i]->subject_len,
							cur->issuer, cur->issuer_len))
				continue;
			if (on_path(path, n, inter[i]))
				seen = true;
			else
				next = inter[i];
		}
		if (!next && seen)
			return refuse(out, CERT_CHAIN_TOO_LONG, cur,
				      "its issuer is already on the path (a loop)");
		if (!next)
			break;
		if (n == CERT_CHAIN_MAX - 1)
			return refuse(out, CERT_CHAIN_TOO_LONG, ee,
				      "path longer than %d certificates", CERT_CHAIN_MAX);
		path[n++] = next;
		cur = next;
	}
	*n_path = n;
	return 0;
}

static void time_str(time_t t, char *buf, size_t len)
{
	struct tm tm;

	if (!gmtime_r(&t, &tm) || strftime(buf, len, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
		snprintf(buf, len, "%lld", (long long)t);
}

static int check_times(const struct cert *c, time_t now, struct cert_check *out)
{
	time_t nb, na;
	char t[40], tn[40];

	if (cert_validity(c, &nb, &na) < 0)
		return refuse(out, CERT_MALFORMED, c, "no validity period");
	time_str(now, tn, sizeof(tn));
	if (now < nb) {
		time_str(nb, t, sizeof(t));
		return refuse(out, CERT_NOT_YET_VALID, c, "valid from %s (now %s)", t, tn);
	}
	if (now > na) {
		time_str(na, t, sizeof(t));
		return refuse(out, CERT_EXPIRED, c, "expired at %s (now %s)", t, tn);
	}
	return 0;
}

/*
 * RFC 4945 5.1.3.12: with an extendedKeyUsage extension, the certificate
 * must name a purpose IKE may use it for: id-kp-ipsecIKE or
 * anyExtendedKeyUsage. Deployed gateways and clients also carry
 * serverAuth/clientAuth only (a Windows IKEv2 client asks for serverAuth on
 * the gateway's certificate), and older ones RFC 2459's IPsec purposes; they
 * are accepted too. A certificate for code signing or e-mail alone is not
 * one IKE should take as an identity.
 */
static const char *const ike_purposes[] = {
	"1.3.6.1.5.5.7.3.17", /* id-kp-ipsecIKE (RFC 4945) */
	"2.5.29.37.0",        /* anyExtendedKeyUsage (RFC 5280 4.2.1.12) */
	"1.3.6.1.5.5.7.3.1",  /* id-kp-serverAuth */
	"1.3.6.1.5.5.7.3.2",  /* id-kp-clientAuth */
	"1.3.6.1.5.5.7.3.5",  /* id-kp-ipsecEndSystem (RFC 2459, obsolete) */
	"1.3.6.1.5.5.7.3.6",  /* id-kp-ipsecTunnel (RFC 2459, obsolete) */
	"1.3.6.1.5.5.7.3.7",  /* id-kp-ipsecUser (RFC 2459, obsolete) */
	"1.3.6.1.5.5.8.2.2",  /* IKE intermediate (Microsoft) */
};

static int check_ee_purpose(const struct cert *ee, struct cert_check *out)
{
	char oid[128], seen[200] = "";
	size_t used = 0;

	for (unsigned i = 0;; i++) {
		size_t len = sizeof(oid);
		int grc = gnutls_x509_crt_get_key_purpose_oid(ee->crt, i, oid, &len, NULL);

		if (grc == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
			break;
		if (grc < 0)
			return refuse(out, CERT_MALFORMED, ee, "unreadable extendedKeyUsage");
		for (size_t k = 0; k < sizeof(ike_purposes) / sizeof(ike_purposes[0]); k++)
			if (strcmp(oid, ike_purposes[k]) == 0)
				return 0;
		if (used < sizeof(seen)) {
			int n = snprintf(seen + used, sizeof(seen) - used, "%s%s", used ? ", " : "", oid);

			used += n > 0 ? (size_t)n : 0;
		}
	}
	if (!used)
		return 0; /* no extendedKeyUsage: any purpose */
	return refuse(out, CERT_KEY_USAGE, ee,
		      "extendedKeyUsage (%s) names no purpose IKE may use it for: ipsecIKE, "
		      "anyExtendedKeyUsage, serverAuth or clientAuth (RFC 4945 5.1.3.12)", seen);
}

/*
 * A CRL of an issuer on the path that is past its nextUpdate: its
 * revocations still hold (GnuTLS applied them), but later ones are unknown.
 * Not a refusal (the operator may not be able to fetch a new one while the
 * tunnel it would come through is down); a note for the caller to log.
 */
static void note_stale_crls(const struct cert_store *store, const struct cert *const *path,
			    size_t n, time_t now, struct cert_check *out)
{
	for (size_t c = 0; c < store->n_crl && !out->note[0]; c++) {
		gnutls_datum_t dn = { 0 };
		time_t next = gnutls_x509_crl_get_next_update(store->crls[c]);
		char t[40], issuer[256];

		if (next == (time_t)-1 || next >= now)
			continue;
		if (gnutls_x509_crl_get_raw_issuer_dn(store->crls[c], &dn) < 0)
			continue;
		for (size_t i = 0; i < n; i++) {
			if (!cert_dn_equal(dn.data, dn.size, path[i]->issuer, path[i]->issuer_len))
				continue;
			time_str(next, t, sizeof(t));
			snprintf(out->note, sizeof(out->note),
				 "the CRL of \"%s\" was due to be replaced at %s: revocations since "
				 "are unknown (load a newer CRL)",
				 cert_issuer_str(path[i], issuer, sizeof(issuer)), t);
			break;
		}
		gnutls_free(dn.data);
	}
}

/* RFC 4945 5.1.3.2: digitalSignature or nonRepudiation, when keyUsage is there. */
static int check_ee_usage(const struct cert *ee, struct cert_check *out)
{
	unsigned usage = 0, critical = 0;
	int grc = gnutls_x509_crt_get_key_usage(ee->crt, &usage, &critical);

	if (grc == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
		return 0;
	if (grc < 0)
		return refuse(out, CERT_MALFORMED, ee, "unreadable keyUsage");
	if (!(usage & (GNUTLS_KEY_DIGITAL_SIGNATURE | GNUTLS_KEY_NON_REPUDIATION)))
		return refuse(out, CERT_KEY_USAGE, ee,
			      "keyUsage allows neither digitalSignature nor nonRepudiation");
	return 0;
}

static int gnutls_verdict(unsigned status, const struct cert *ee,
			  struct cert_check *out)
{
	if (status & GNUTLS_CERT_SIGNATURE_FAILURE)
		return refuse(out, CERT_BAD_SIGNATURE, ee, "a signature on the path does not verify");
	if (status & GNUTLS_CERT_REVOKED)
		return refuse(out, CERT_REVOKED, ee, "revoked by a CRL of its issuer");
	if (status & GNUTLS_CERT_SIGNER_NOT_FOUND)
		return refuse(out, CERT_UNKNOWN_CA, ee, "no path to a trusted CA");
	if (status & (GNUTLS_CERT_SIGNER_NOT_CA | GNUTLS_CERT_SIGNER_CONSTRAINTS_FAILURE |
		      GNUTLS_CERT_PURPOSE_MISMATCH))
		return refuse(out, CERT_KEY_USAGE, ee, "an issuer on the path may not sign certificates");
	if (status & GNUTLS_CERT_INSECURE_ALGORITHM)
		return refuse(out, CERT_INSECURE, ee, "signed with an algorithm refused as insecure");
	return refuse(out, CERT_MALFORMED, ee, "refused by GnuTLS (status 0x%x)", status);
}

int cert_verify_chain(const struct cert_store *store, const struct cert *ee,
		      const struct cert *const *inter, size_t n_inter, time_t now,
		      struct cert_check *out)
{
	const struct cert *path[CERT_CHAIN_MAX];
	const struct cert *anchor = NULL;
	gnutls_x509_crt_t gpath[CERT_CHAIN_MAX];
	gnutls_x509_crt_t *gcas = NULL;
	unsigned status = 0;
	size_t n = 0;
	int rc;

	out->verdict = CERT_OK;
	out->text[0] = 0;
	out->note[0] = 0;
	if (!store || !ee)
		return refuse(out, CERT_MALFORMED, ee, "nothing to verify");
	rc = build_path(store, ee, inter, n_inter, path, &n, &anchor, out);
	if (rc < 0)
		return rc;
	if (!anchor)
		return refuse(out, CERT_UNKNOWN_CA, path[n - 1],
			      "issuer is not a configured CA (%zu loaded)", store->n_ca);
	for (size_t i = 0; i < n; i++) {
		rc = check_times(path[i], now, out);
		if (rc < 0)
			return rc;
		gpath[i] = path[i]->crt;
	}
	rc = check_times(anchor, now, out);
	if (rc < 0)
		return rc;
	rc = check_ee_usage(ee, out);
	if (rc < 0)
		return rc;
	rc = check_ee_purpose(ee, out);
	if (rc < 0)
		return rc;
	gcas = calloc(store->n_ca, sizeof(*gcas));
	if (!gcas) {
		refuse(out, CERT_MALFORMED, ee, "out of memory");
		return ERR_NOMEM;
	}
	for (size_t i = 0; i < store->n_ca; i++)
		gcas[i] = store->cas[i]->crt;
	rc = gnutls_x509_crt_list_verify(gpath, (unsigned)n, gcas, (unsigned)store->n_ca,
					 store->crls, (unsigned)store->n_crl,
					 GNUTLS_VERIFY_DISABLE_TIME_CHECKS |
					 GNUTLS_VERIFY_DISABLE_TRUSTED_TIME_CHECKS,
					 &status);
	free(gcas);
	if (rc < 0) {
		refuse(out, CERT_MALFORMED, ee, "GnuTLS could not verify: %s",
		       gnutls_strerror(rc));
		return ERR_CRYPTO;
	}
	/* CRL freshness is not a reason to refuse a certificate it does not
	 * list; a stale one is named in the note (against the caller's clock) */
	status &= ~(unsigned)(GNUTLS_CERT_REVOCATION_DATA_SUPERSEDED |
			      GNUTLS_CERT_REVOCATION_DATA_ISSUED_IN_FUTURE);
	note_stale_crls(store, path, n, now, out);
	if (status != 0)
		return gnutls_verdict(status, ee, out);
	return 0;
}
