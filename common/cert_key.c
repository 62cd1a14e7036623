/*
 * cert_key.c - private keys from files (see cert.h). The key file is a
 * secret like /etc/dualike/secrets: refused when group or others may read
 * or write it (STYLE.md "secrets"), checked on the open descriptor so the
 * check and the read are about the same file. The bytes read are wiped as
 * soon as GnuTLS has parsed them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/cert_impl.h"
#include "common/err.h"
#include "common/secret.h"

/* A PEM private key is a few KiB; anything much bigger is not one. */
#define KEY_FILE_MAX (64u * 1024u)

int cert_key_load_file(const char *path, struct sig_privkey **out,
		       char *why, size_t why_len)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	unsigned mode = 0;
	int rc = cert_read_file(path, KEY_FILE_MAX, &buf, &len, &mode);

	if (rc == ERR_IO)
		return cert_why(why, why_len, rc, path, "cannot read private key: %s",
				strerror(errno));
	if (rc < 0)
		return cert_why(why, why_len, rc, path, "cannot read private key: %s",
				err_str(rc));
	if (mode & (S_IRWXG | S_IRWXO)) {
		rc = cert_why(why, why_len, ERR_PERM, path,
			      "mode %04o lets group/other access the private key; "
			      "chmod 600 %s", mode & 07777u, path);
		goto out;
	}
	rc = sig_privkey_from_mem(buf, len, out);
	if (rc == ERR_UNSUPPORTED)
		cert_why(why, why_len, rc, path,
			 "key algorithm not supported (RSA, ECDSA P-256/P-384/P-521, Ed25519)");
	else if (rc < 0)
		cert_why(why, why_len, rc, path,
			 "not an unencrypted private key (PEM or DER: PKCS#8, PKCS#1, SEC1)");
out:
	secret_wipe(buf, len);
	free(buf);
	return rc;
}
