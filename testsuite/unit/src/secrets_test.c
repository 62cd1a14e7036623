/*
 * secrets_test.c - the PSK file: refused when group or others may read it
 * or when it is not a regular file, quoted/hex/base64 PSKs, lookup by
 * identity and address, every bad line reported without its secret.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/err.h"
#include "src/secrets.h"
#include "testsuite/lib/tap.h"

static char tmpdir[256];
static char copy[512];

/* Copy a file of the source tree into the temporary folder with the given mode. */
static const char *install_from(const char *folder, const char *name, mode_t mode)
{
	char src[1024], buf[4096];
	FILE *in, *out;
	size_t n;

	snprintf(src, sizeof(src), "%s/%s/%s", getenv("DUALIKE_SRCDIR"), folder, name);
	snprintf(copy, sizeof(copy), "%s/%s", tmpdir, name);
	in = fopen(src, "r");
	out = fopen(copy, "w");
	while (in && out && (n = fread(buf, 1, sizeof(buf), in)) > 0)
		fwrite(buf, 1, n, out);
	if (in)
		fclose(in);
	if (out)
		fclose(out);
	chmod(copy, mode);
	return copy;
}

static const char *install(const char *name, mode_t mode)
{
	return install_from("testsuite/unit/src/data", name, mode);
}

static bool has_error(const struct config_errors *e, int line, const char *a)
{
	for (size_t i = 0; i < e->n; i++)
		if (e->v[i].line == line && strstr(e->v[i].msg, a))
			return true;
	return false;
}

static void test_modes(void)
{
	struct secrets *s = (struct secrets *)&s;
	struct config_errors e;
	const char *p;
	char want[700];

	config_errors_init(&e);
	p = install("secrets", 0644);
	tap_eq_int(secrets_load(p, &s, &e), ERR_PERM, "mode 0644 is refused");
	tap_ok(s == NULL, "and nothing is loaded");
	snprintf(want, sizeof(want), "chmod 600 %s", p);
	tap_ok(e.n == 1 && strcmp(e.v[0].file, p) == 0 && strstr(e.v[0].msg, "0644") &&
	       strstr(e.v[0].msg, want), "the error names the file, its mode and the chmod to run");
	if (e.n)
		tap_diag("%s: %s", e.v[0].file, e.v[0].msg);
	config_errors_free(&e);

	p = install("secrets", 0640);
	tap_eq_int(secrets_load(p, &s, &e), ERR_PERM, "mode 0640 (group read) is refused");
	config_errors_free(&e);
	p = install("secrets", 0601);
	tap_eq_int(secrets_load(p, &s, &e), ERR_PERM, "mode 0601 (others execute) is refused");
	config_errors_free(&e);
	tap_eq_int(secrets_load(tmpdir, &s, &e), ERR_PERM, "a folder is refused");
	tap_ok(e.n == 1 && strstr(e.v[0].msg, "not a regular file"), "as not a regular file");
	config_errors_free(&e);
	tap_eq_int(secrets_load("/nonexistent/secrets", &s, &e), ERR_IO, "a missing file is ERR_IO");
	config_errors_free(&e);
	p = install("secrets", 0400);
	tap_eq_int(secrets_load(p, &s, &e), 0, "mode 0400 is accepted");
	secrets_free(s);
	config_errors_free(&e);

	/* owned by another user: only root can make such a file here */
	p = install("secrets", 0600);
	if (geteuid() == 0 && chown(p, 65534, 65534) == 0) {
		char other[700];

		/* the other tests install "secrets" again: give this one its own name */
		snprintf(other, sizeof(other), "%s/secrets-other-owner", tmpdir);
		if (rename(p, other) == 0)
			p = other;
		tap_eq_int(secrets_load(p, &s, &e), ERR_PERM, "a file owned by another user is refused");
		tap_ok(e.n == 1 && strstr(e.v[0].msg, "owned by uid 65534"), "... naming the owner");
		config_errors_free(&e);
	} else {
		tap_skip("a file owned by another user: needs root to make one");
		tap_skip("... naming the owner");
	}
}

static bool psk_is(const struct secret *k, const char *text)
{
	return k && k->len == strlen(text) && memcmp(k->bytes, text, k->len) == 0;
}

static void test_lookup(void)
{
	static const uint8_t hex[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
	struct secrets *s = NULL;
	struct config_errors e;
	struct conf_addr legacy, gw, v6, other;
	struct conf_id branch, office, keyid, upper;
	const struct secret *k;
	const char *why;
	int line = -1;

	config_errors_init(&e);
	tap_eq_int(secrets_load(install("secrets", 0600), &s, &e), 0, "mode 0600 is accepted");
	tap_eq_int((long long)secrets_count(s), 6, "six entries");
	conf_addr_parse("198.51.100.7", false, &legacy);
	conf_addr_parse("192.0.2.1", false, &gw);
	conf_addr_parse("2001:db8:1::7", false, &v6);
	conf_addr_parse("203.0.113.1", false, &other);
	conf_id_parse("branch1.example.net", &branch, &why);
	conf_id_parse("BRANCH1.Example.NET", &upper, &why);
	conf_id_parse("office@example.com", &office, &why);
	conf_id_parse("keyid:0a0b", &keyid, &why);

	k = secrets_find_psk(s, NULL, NULL, &gw, &legacy, &line);
	tap_ok(psk_is(k, "legacy peer secret") && line == 2, "by remote address (line 2)");
	k = secrets_find_psk(s, NULL, &branch, &gw, &other, &line);
	tap_ok(psk_is(k, "pair \"quoted\" \\ secret") && line == 3,
	       "by remote id and local address; \\\" and \\\\ escapes");
	k = secrets_find_psk(s, NULL, &upper, &gw, NULL, &line);
	tap_ok(line == 3 && k, "FQDN selectors match without case");
	k = secrets_find_psk(s, NULL, &branch, NULL, NULL, &line);
	tap_ok(line == 7 && psk_is(k, "fallback"),
	       "a two-selector entry does not apply when one is not named: the fallback does");
	k = secrets_find_psk(s, NULL, &office, NULL, NULL, &line);
	tap_ok(k && line == 4 && k->len == 16 && memcmp(k->bytes, hex, 16) == 0, "0x hex PSK");
	k = secrets_find_psk(s, NULL, &keyid, NULL, NULL, &line);
	tap_ok(psk_is(k, "secret-base64") && line == 5, "0s base64 PSK by keyid");
	k = secrets_find_psk(s, NULL, NULL, NULL, &v6, &line);
	tap_ok(psk_is(k, "v6 peer") && line == 6, "by IPv6 address (colons in the selector)");
	k = secrets_find_psk(s, NULL, NULL, NULL, &other, &line);
	tap_ok(psk_is(k, "fallback") && line == 7, "an unknown peer gets the selector-less entry");
	k = secrets_find_psk(s, &branch, NULL, NULL, &legacy, &line);
	tap_ok(line == 2, "a remote match outweighs a local one");
	secrets_free(s);
	config_errors_free(&e);
}

static void test_bad_lines(void)
{
	static const struct {
		int line;
		const char *what;
	} want[] = {
		{ 2, "no ' : '" }, { 3, "only PSK" }, { 4, "no closing quote" }, { 5, "odd number" },
		{ 6, "empty" }, { 7, "bad selector" }, { 8, "text after the PSK" }, { 9, "base64" },
	};
	struct secrets *s = NULL;
	struct config_errors e;
	bool leaked = false;

	config_errors_init(&e);
	tap_eq_int(secrets_load(install("bad-secrets", 0600), &s, &e), ERR_PARSE, "bad-secrets is refused");
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		tap_ok(has_error(&e, want[i].line, want[i].what), "line %d: %s", want[i].line, want[i].what);
	tap_eq_int((long long)e.n, 8, "every bad line, and only those");
	for (size_t i = 0; i < e.n; i++)
		leaked |= strstr(e.v[i].msg, "unterminated") || strstr(e.v[i].msg, "no colon") ||
			  strstr(e.v[i].msg, "123");
	tap_ok(!leaked, "no message repeats a secret");
	for (size_t i = 0; i < e.n; i++)
		tap_diag("%s:%d: %s", e.v[i].file, e.v[i].line, e.v[i].msg);
	config_errors_free(&e);
}

int main(void)
{
	if (!getenv("DUALIKE_SRCDIR"))
		return tap_skip_all("DUALIKE_SRCDIR is not set (run through make check)");
	if (!tap_mkdtemp(tmpdir, sizeof(tmpdir), "secrets_test"))
		return tap_skip_all("cannot make a temporary folder");
	{
		struct secrets *s = NULL;
		struct config_errors e;

		config_errors_init(&e);
		tap_eq_int(secrets_load(install_from("etc", "secrets", 0600), &s, &e), 0,
			   "etc/secrets (the shipped template) loads at mode 0600");
		tap_eq_int((long long)secrets_count(s), 0, "and holds no secret");
		secrets_free(s);
		config_errors_free(&e);
	}
	test_modes();
	test_lookup();
	test_bad_lines();
	snprintf(copy, sizeof(copy), "%s/secrets", tmpdir);
	unlink(copy);
	snprintf(copy, sizeof(copy), "%s/bad-secrets", tmpdir);
	unlink(copy);
	rmdir(tmpdir);
	return tap_done();
}
