/* tap.c - TAP output (see tap.h). */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testsuite/lib/tap.h"

static unsigned tap_count;
static unsigned tap_failed;

static bool tap_vreport(bool cond, const char *fmt, va_list ap)
{
	tap_count++;
	if (!cond)
		tap_failed++;
	printf("%sok %u - ", cond ? "" : "not ", tap_count);
	vprintf(fmt, ap);
	putchar('\n');
	fflush(stdout);
	return cond;
}

bool tap_ok(bool cond, const char *fmt, ...)
{
	va_list ap;
	bool r;

	va_start(ap, fmt);
	r = tap_vreport(cond, fmt, ap);
	va_end(ap);
	return r;
}

static void tap_hex_diag(const char *label, const uint8_t *p, size_t n)
{
	printf("# %s (%zu bytes): ", label, n);
	for (size_t i = 0; i < n; i++)
		printf("%02x", p[i]);
	putchar('\n');
}

bool tap_eq_bytes(const void *got, size_t got_len, const void *want,
		  size_t want_len, const char *fmt, ...)
{
	bool same = got_len == want_len &&
		    (got_len == 0 || memcmp(got, want, got_len) == 0);
	va_list ap;

	va_start(ap, fmt);
	tap_vreport(same, fmt, ap);
	va_end(ap);
	if (!same) {
		tap_hex_diag("got ", got, got_len);
		tap_hex_diag("want", want, want_len);
	}
	return same;
}

bool tap_eq_int(long long got, long long want, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tap_vreport(got == want, fmt, ap);
	va_end(ap);
	if (got != want)
		printf("# got %lld, want %lld\n", got, want);
	return got == want;
}

bool tap_eq_str(const char *got, const char *want, const char *fmt, ...)
{
	bool same = got && want && strcmp(got, want) == 0;
	va_list ap;

	va_start(ap, fmt);
	tap_vreport(same, fmt, ap);
	va_end(ap);
	if (!same)
		printf("# got \"%s\", want \"%s\"\n", got ? got : "(null)",
		       want ? want : "(null)");
	return same;
}

void tap_skip(const char *fmt, ...)
{
	va_list ap;

	tap_count++;
	printf("ok %u # SKIP ", tap_count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

int tap_skip_all(const char *fmt, ...)
{
	va_list ap;

	printf("1..0 # SKIP ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	/* Also on stderr, so the reason is visible in a terminal run. */
	fprintf(stderr, "SKIP: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	/* 0: the TAP driver reads the SKIP from the plan; a non-zero exit would be an ERROR */
	return 0;
}

void tap_diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

unsigned tap_failures(void)
{
	return tap_failed;
}

int tap_done(void)
{
	printf("1..%u\n", tap_count);
	return tap_failed ? 1 : 0;
}

char *tap_mkdtemp(char *buf, size_t len, const char *name)
{
	const char *tmp = getenv("TMPDIR");
	int n;

	if (!tmp || !*tmp)
		tmp = "/tmp";
	n = snprintf(buf, len, "%s/%s.XXXXXX", tmp, name);
	if (n < 0 || (size_t)n >= len)
		return NULL;
	return mkdtemp(buf);
}
