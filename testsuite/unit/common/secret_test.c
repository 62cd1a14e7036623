/* secret_test.c - secrets, wiping, constant-time compare, error strings. */
#include <string.h>

#include "common/err.h"
#include "common/secret.h"
#include "testsuite/lib/tap.h"

int main(void)
{
	struct secret *s = secret_dup("\x01\x02\x03", 3);
	struct secret *z = secret_new(5);
	uint8_t stack[8];

	tap_ok(s && s->len == 3 && s->bytes[2] == 3, "secret_dup copies");
	tap_ok(z && z->len == 5 && z->bytes[0] == 0 && z->bytes[4] == 0, "secret_new is zeroed");
	tap_ok(secret_equal("abcd", "abcd", 4), "equal regions compare equal");
	tap_ok(!secret_equal("abcd", "abce", 4), "a difference in the last byte is seen");
	tap_ok(secret_equal("", "", 0), "empty regions are equal");
	memset(stack, 0xa5, sizeof(stack));
	secret_wipe(stack, sizeof(stack));
	tap_ok(stack[0] == 0 && stack[7] == 0, "secret_wipe zeroes");
	secret_free(s);
	secret_free(z);
	secret_free(NULL);
	tap_ok(true, "secret_free accepts NULL");
	tap_ok(secret_new((size_t)-1) == NULL, "an impossible size is refused");

	tap_eq_str(err_str(ERR_OK), "success", "err_str(0)");
	tap_eq_str(err_str(ERR_BAD_PUBLIC), "invalid peer public value", "err_str names bad public values");
	for (int e = ERR_OK; e > ERR_LAST_; e--)
		tap_ok(strcmp(err_str(e), "unknown error") != 0, "error %d has a description", e);
	tap_eq_str(err_str(12345), "unknown error", "unknown codes are labelled");
	return tap_done();
}
