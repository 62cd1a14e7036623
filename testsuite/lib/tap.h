/*
 * tap.h - a small TAP producer for the project's unit and known-answer tests.
 *
 * Each check prints one "ok N - name" or "not ok N - name" line; automake's
 * tap-driver counts them, so `make check` reports every assertion, and the
 * README's test command sums them into "N passed, N failed".
 */
#ifndef DUALIKE_TESTSUITE_TAP_H
#define DUALIKE_TESTSUITE_TAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

bool tap_ok(bool cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Compare two byte strings; on mismatch print both in hex as diagnostics. */
bool tap_eq_bytes(const void *got, size_t got_len, const void *want,
		  size_t want_len, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
bool tap_eq_int(long long got, long long want, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
bool tap_eq_str(const char *got, const char *want, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* One skipped check, with the reason shown. */
void tap_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/*
 * Skip the whole program (no check run): prints "1..0 # SKIP reason" and
 * returns the exit status to use (0: the driver counts it as skipped).
 */
int tap_skip_all(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void tap_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/*
 * A new scratch folder "$TMPDIR/<name>.XXXXXX" (TMPDIR unset or empty:
 * /tmp), its path in buf. buf, or NULL when it cannot be made or named.
 */
char *tap_mkdtemp(char *buf, size_t len, const char *name);
/* Print the plan; return the exit status (0 when every check passed). */
int tap_done(void);
unsigned tap_failures(void);

#endif
