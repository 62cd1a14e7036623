/*
 * pki_helper.h - for tests that need certificates: run
 * testsuite/lib/make-pki.sh into a fresh temporary folder (or use the one
 * named by DUALIKE_PKI_DIR, made beforehand, to save the seconds), and
 * remove it at the end. DUALIKE_SRCDIR is set by `make check`
 * (AM_TESTS_ENVIRONMENT).
 */
#ifndef DUALIKE_TESTSUITE_PKI_HELPER_H
#define DUALIKE_TESTSUITE_PKI_HELPER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "testsuite/lib/tap.h"

static char pki_dir[256];
static bool pki_owned;

/* 0: made (path in pki_dir); 77: certtool missing (skip); else failed. */
__attribute__((unused)) static int pki_make(void)
{
	const char *given = getenv("DUALIKE_PKI_DIR");
	const char *src = getenv("DUALIKE_SRCDIR");
	char cmd[1024];
	int st;

	if (given && *given) {
		snprintf(pki_dir, sizeof(pki_dir), "%s", given);
		return 0;
	}
	if (!tap_mkdtemp(pki_dir, sizeof(pki_dir), "dualike-pki"))
		return 1;
	pki_owned = true;
	snprintf(cmd, sizeof(cmd), "sh '%s/testsuite/lib/make-pki.sh' '%s' >/dev/null",
		 src && *src ? src : ".", pki_dir);
	st = system(cmd);
	if (st == -1 || !WIFEXITED(st))
		return 1;
	return WEXITSTATUS(st);
}

/*
 * pki_make() at the top of a test's main(): -1 when the PKI is ready, else
 * the exit status main() returns (every check skipped when certtool is
 * missing, one failed check when make-pki.sh failed).
 */
__attribute__((unused)) static int pki_start(void)
{
	int rc = pki_make();

	if (rc == 77)
		return tap_skip_all("certtool not installed (Debian: gnutls-bin)");
	if (rc != 0) {
		tap_ok(false, "make-pki.sh ran (exit %d)", rc);
		return tap_done();
	}
	return -1;
}

__attribute__((unused)) static void pki_remove(void)
{
	char cmd[512];

	if (!pki_owned)
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", pki_dir);
	if (system(cmd) != 0)
		fprintf(stderr, "# could not remove %s\n", pki_dir);
}

/* pki_dir/name into a static buffer (one path at a time is enough). */
__attribute__((unused)) static const char *pki_path(const char *name)
{
	static char path[2][512];
	static int which;

	which ^= 1;
	snprintf(path[which], sizeof(path[which]), "%s/%s", pki_dir, name);
	return path[which];
}

/* A whole file into a new buffer; -1 when it cannot be read. */
__attribute__((unused)) static int pki_read_file(const char *path, uint8_t **buf, size_t *len)
{
	FILE *f = fopen(path, "rb");
	long n;

	if (!f)
		return -1;
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0 ||
	    !(*buf = malloc((size_t)n + 1))) {
		fclose(f);
		return -1;
	}
	*len = fread(*buf, 1, (size_t)n, f);
	fclose(f);
	return 0;
}

#endif
