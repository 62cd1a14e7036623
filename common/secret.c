/* secret.c - wiped-on-free key material (see secret.h). */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "common/secret.h"

struct secret *secret_new(size_t len)
{
	struct secret *s;

	/* No key in IKE comes near this; a larger request is a bug upstream. */
	if (len > SECRET_MAX_LEN)
		return NULL;
	/* Rounded up to 16 so word-sized loads of the tail stay inside. */
	s = calloc(1, sizeof(*s) + ((len + 15) & ~(size_t)15));
	if (s)
		s->len = len;
	return s;
}

struct secret *secret_dup(const void *src, size_t len)
{
	struct secret *s = secret_new(len);

	if (s && len)
		memcpy(s->bytes, src, len);
	return s;
}

void secret_free(struct secret *s)
{
	if (!s)
		return;
	sodium_memzero(s->bytes, s->len);
	s->len = 0;
	free(s);
}

void secret_wipe(void *p, size_t len)
{
	if (p && len)
		sodium_memzero(p, len);
}

bool secret_equal(const void *a, const void *b, size_t len)
{
	if (len == 0)
		return true;
	return sodium_memcmp(a, b, len) == 0;
}
