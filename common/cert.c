/*
 * cert.c - X.509 certificates and chains (see cert.h): loading PEM/DER with
 * GnuTLS, the DER bytes for CERT payloads (RFC 7296 3.6, RFC 2408 3.9),
 * names and validity for logs, and the CERTREQ/CR helpers (RFC 7296 3.7,
 * RFC 2408 3.10).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gnutls/crypto.h>

#include "common/buf.h"
#include "common/cert_impl.h"
#include "common/err.h"
#include "common/sig_gnutls.h"

int cert_why(char *why, size_t why_len, int rc, const char *path,
	     const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!why || why_len == 0)
		return rc;
	n = snprintf(why, why_len, "%s: ", path ? path : "(memory)");
	if (n < 0 || (size_t)n >= why_len)
		return rc;
	va_start(ap, fmt);
	vsnprintf(why + n, why_len - (size_t)n, fmt, ap);
	va_end(ap);
	return rc;
}

int cert_read_file(const char *path, size_t max, uint8_t **buf, size_t *len,
		   unsigned *mode_out)
{
	struct stat st;
	uint8_t *p;
	size_t got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

	if (fd < 0)
		return ERR_IO;
	if (fstat(fd, &st) < 0) {
		close(fd);
		return ERR_IO;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		errno = EINVAL; /* a folder or a device where a file was named */
		return ERR_IO;
	}
	if (mode_out)
		*mode_out = (unsigned)st.st_mode;
	if ((uintmax_t)st.st_size > max) {
		close(fd);
		return ERR_OVERFLOW;
	}
	p = malloc((size_t)st.st_size + 1);
	if (!p) {
		close(fd);
		return ERR_NOMEM;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, p + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break; /* a file that shrank: use what is there */
		got += (size_t)n;
	}
	close(fd);
	p[got] = 0;
	*buf = p;
	*len = got;
	return 0;
}

static int dup_datum(const gnutls_datum_t *d, uint8_t **out, size_t *len)
{
	*out = malloc(d->size ? d->size : 1);
	if (!*out)
		return ERR_NOMEM;
	memcpy(*out, d->data, d->size);
	*len = d->size;
	return 0;
}

int cert_from_crt(gnutls_x509_crt_t crt, struct cert **out)
{
	gnutls_datum_t der = { NULL, 0 }, subj = { NULL, 0 }, iss = { NULL, 0 };
	gnutls_pubkey_t gk = NULL;
	struct cert *c = calloc(1, sizeof(*c));
	int rc = ERR_NOMEM;

	if (!c)
		goto fail;
	c->refs = 1;
	c->crt = crt;
	rc = ERR_PARSE;
	if (gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_DER, &der) < 0 ||
	    gnutls_x509_crt_get_raw_dn(crt, &subj) < 0 ||
	    gnutls_x509_crt_get_raw_issuer_dn(crt, &iss) < 0)
		goto fail;
	rc = dup_datum(&der, &c->der, &c->der_len);
	if (rc == 0)
		rc = dup_datum(&subj, &c->subject, &c->subject_len);
	if (rc == 0)
		rc = dup_datum(&iss, &c->issuer, &c->issuer_len);
	if (rc < 0)
		goto fail;
	rc = ERR_NOMEM;
	if (gnutls_pubkey_init(&gk) < 0)
		goto fail;
	rc = ERR_UNSUPPORTED;
	if (gnutls_pubkey_import_x509(gk, crt, 0) < 0) {
		gnutls_pubkey_deinit(gk);
		goto fail;
	}
	rc = sig_pubkey_from_gnutls(gk, &c->pubkey); /* takes gk */
	if (rc < 0)
		goto fail;
	gnutls_free(der.data);
	gnutls_free(subj.data);
	gnutls_free(iss.data);
	*out = c;
	return 0;
fail:
	gnutls_free(der.data);
	gnutls_free(subj.data);
	gnutls_free(iss.data);
	if (c) {
		c->refs = 1;
		cert_free(c); /* frees crt */
	} else {
		gnutls_x509_crt_deinit(crt);
	}
	return rc;
}

/*
 * The outer SEQUENCE's length must cover the input exactly: GnuTLS would
 * accept trailing bytes after a certificate, and a CERT payload has none.
 * Only the tag and length octets are read here (X.690 8.1.2-8.1.3).
 */
bool cert_der_exact(const uint8_t *der, size_t len)
{
	struct rd r;
	uint8_t tag, l0, b;
	size_t body = 0;

	rd_init(&r, der, len);
	if (!rd_u8(&r, &tag) || !rd_u8(&r, &l0) || tag != 0x30)
		return false;
	if (l0 < 0x80) {
		body = l0;
	} else {
		unsigned n = l0 & 0x7f;

		if (n == 0 || n > 3)
			return false;
		while (n-- > 0) {
			if (!rd_u8(&r, &b))
				return false;
			body = (body << 8) | b;
		}
	}
	return rd_ok(&r) && rd_left(&r) == body;
}

int cert_from_der(const uint8_t *der, size_t len, struct cert **out)
{
	gnutls_datum_t d = { (unsigned char *)der, (unsigned)len };
	gnutls_x509_crt_t crt;

	if (len > CERT_DER_MAX)
		return ERR_OVERFLOW;
	if (!der || !cert_der_exact(der, len))
		return ERR_PARSE;
	if (gnutls_x509_crt_init(&crt) < 0)
		return ERR_NOMEM;
	if (gnutls_x509_crt_import(crt, &d, GNUTLS_X509_FMT_DER) < 0) {
		gnutls_x509_crt_deinit(crt);
		return ERR_PARSE;
	}
	return cert_from_crt(crt, out);
}

struct cert *cert_ref(struct cert *cert)
{
	if (cert)
		cert->refs++;
	return cert;
}

void cert_free(struct cert *cert)
{
	if (!cert || --cert->refs > 0)
		return;
	sig_pubkey_free(cert->pubkey);
	if (cert->crt)
		gnutls_x509_crt_deinit(cert->crt);
	free(cert->der);
	free(cert->subject);
	free(cert->issuer);
	free(cert);
}

/* ---- chains ---- */

int cert_chain_add(struct cert_chain *chain, struct cert *cert)
{
	if (chain->n >= CERT_CHAIN_MAX)
		return ERR_OVERFLOW;
	chain->certs[chain->n++] = cert;
	return 0;
}

void cert_chain_clear(struct cert_chain *chain)
{
	if (!chain)
		return;
	for (size_t i = 0; i < chain->n; i++)
		cert_free(chain->certs[i]);
	chain->n = 0;
}

static bool is_pem(const uint8_t *data, size_t len)
{
	static const char tag[] = "-----BEGIN ";

	return memmem(data, len, tag, sizeof(tag) - 1) != NULL;
}

int cert_chain_load_mem(const uint8_t *data, size_t len, struct cert_chain *out)
{
	gnutls_datum_t d = { (unsigned char *)data, (unsigned)len };
	gnutls_x509_crt_t *list = NULL;
	struct cert_chain chain = { 0 };
	unsigned n = 0, i;
	int rc = 0;

	if (!data || len == 0)
		return ERR_PARSE;
	if (len > CERT_FILE_MAX)
		return ERR_OVERFLOW;
	if (!is_pem(data, len)) {
		struct cert *c;

		rc = cert_from_der(data, len, &c);
		if (rc < 0)
			return rc;
		out->n = 0;
		out->certs[out->n++] = c;
		return 0;
	}
	if (gnutls_x509_crt_list_import2(&list, &n, &d, GNUTLS_X509_FMT_PEM, 0) < 0)
		return ERR_PARSE;
	if (n == 0)
		rc = ERR_PARSE;
	else if (n > CERT_CHAIN_MAX)
		rc = ERR_OVERFLOW;
	for (i = 0; i < n; i++) {
		struct cert *c;

		if (rc < 0) {
			gnutls_x509_crt_deinit(list[i]);
			continue;
		}
		rc = cert_from_crt(list[i], &c);
		if (rc == 0)
			chain.certs[chain.n++] = c;
	}
	gnutls_free(list);
	if (rc < 0) {
		cert_chain_clear(&chain);
		return rc;
	}
	*out = chain;
	return 0;
}

int cert_chain_load_file(const char *path, struct cert_chain *out)
{
	uint8_t *buf;
	size_t len;
	int rc = cert_read_file(path, CERT_FILE_MAX, &buf, &len, NULL);

	if (rc < 0)
		return rc;
	rc = cert_chain_load_mem(buf, len, out);
	free(buf);
	return rc;
}

/* ---- accessors ---- */

const uint8_t *cert_der(const struct cert *cert, size_t *len)
{
	*len = cert->der_len;
	return cert->der;
}

bool cert_equal(const struct cert *a, const struct cert *b)
{
	return a && b && a->der_len == b->der_len &&
	       memcmp(a->der, b->der, a->der_len) == 0;
}

struct sig_pubkey *cert_pubkey(const struct cert *cert)
{
	return cert->pubkey;
}

bool cert_matches_privkey(const struct cert *cert, const struct sig_privkey *key)
{
	struct sig_pubkey *pub;
	bool same;

	if (!cert || !key || sig_privkey_pubkey(key, &pub) < 0)
		return false;
	same = sig_pubkey_equal(pub, cert->pubkey);
	sig_pubkey_free(pub);
	return same;
}

int cert_validity(const struct cert *cert, time_t *not_before, time_t *not_after)
{
	time_t a = gnutls_x509_crt_get_activation_time(cert->crt);
	time_t b = gnutls_x509_crt_get_expiration_time(cert->crt);

	if (a == (time_t)-1 || b == (time_t)-1)
		return ERR_PARSE;
	*not_before = a;
	*not_after = b;
	return 0;
}

bool cert_is_ca(const struct cert *cert)
{
	unsigned critical = 0, ca = 0;
	int pathlen = -1;

	return gnutls_x509_crt_get_basic_constraints(cert->crt, &critical, &ca,
						     &pathlen) >= 0 && ca;
}

bool cert_is_self_issued(const struct cert *cert)
{
	return cert_dn_equal(cert->subject, cert->subject_len, cert->issuer,
			     cert->issuer_len);
}

const char *cert_subject_str(const struct cert *cert, char *buf, size_t len)
{
	return cert_dn_str(cert->subject, cert->subject_len, buf, len);
}

const char *cert_issuer_str(const struct cert *cert, char *buf, size_t len)
{
	return cert_dn_str(cert->issuer, cert->issuer_len, buf, len);
}

const char *cert_key_str(const struct cert *cert, char *buf, size_t len)
{
	enum sig_key_type t = sig_pubkey_type(cert->pubkey);

	if (t == SIG_KEY_RSA)
		snprintf(buf, len, "RSA-%u", sig_pubkey_bits(cert->pubkey));
	else
		snprintf(buf, len, "%s", sig_key_type_name(t));
	return buf;
}

const char *cert_fingerprint_str(const struct cert *cert, char *buf, size_t len)
{
	uint8_t md[32];
	size_t off = 0;

	if (len == 0)
		return buf;
	buf[0] = 0;
	if (gnutls_hash_fast(GNUTLS_DIG_SHA256, cert->der, cert->der_len, md) < 0)
		return buf;
	for (size_t i = 0; i < sizeof(md) && off + 3 < len; i++)
		off += (size_t)snprintf(buf + off, len - off, i ? ":%02x" : "%02x", md[i]);
	return buf;
}

int cert_spki_sha1(const struct cert *cert, uint8_t out[CERT_SPKI_SHA1_LEN])
{
	size_t len;
	const uint8_t *spki = sig_pubkey_spki(cert->pubkey, &len);

	return gnutls_hash_fast(GNUTLS_DIG_SHA1, spki, len, out) < 0 ? ERR_CRYPTO : 0;
}

const uint8_t *cert_subject_der(const struct cert *cert, size_t *len)
{
	*len = cert->subject_len;
	return cert->subject;
}

const uint8_t *cert_issuer_der(const struct cert *cert, size_t *len)
{
	*len = cert->issuer_len;
	return cert->issuer;
}
