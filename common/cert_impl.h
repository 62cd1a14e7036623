/*
 * cert_impl.h - internal to common/cert*.c: the certificate object and the
 * file reader they share. Everything else uses common/cert.h.
 */
#ifndef DUALIKE_COMMON_CERT_IMPL_H
#define DUALIKE_COMMON_CERT_IMPL_H

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "common/cert.h"

struct cert {
	unsigned refs;
	gnutls_x509_crt_t crt;
	struct sig_pubkey *pubkey;
	size_t der_len, subject_len, issuer_len;
	uint8_t *der;     /* the certificate as received / loaded */
	uint8_t *subject; /* DER Name */
	uint8_t *issuer;  /* DER Name */
};

/* Wrap a parsed certificate, taking crt (freed on every path). */
int cert_from_crt(gnutls_x509_crt_t crt, struct cert **out);

/*
 * Read a whole regular file of at most max bytes into a new buffer (with a
 * NUL after the end, not counted). ERR_IO (errno set), ERR_OVERFLOW,
 * ERR_NOMEM. With mode_out, the file's st_mode (from the open descriptor).
 */
int cert_read_file(const char *path, size_t max, uint8_t **buf, size_t *len,
		   unsigned *mode_out);

/* A DER SEQUENCE whose length octets cover exactly len bytes (no trailing
 * bytes, no short input); only the tag and length are read. */
bool cert_der_exact(const uint8_t *der, size_t len);

/* "path: what" into why (when why is not NULL); returns rc. */
int cert_why(char *why, size_t why_len, int rc, const char *path,
	     const char *fmt, ...) __attribute__((format(printf, 5, 6)));

#endif
