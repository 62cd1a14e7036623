/*
 * secret.h - buffers for key material, wiped on free.
 *
 * PSKs, DH/KE private values and shared secrets, SKEYID*, SK_* and KEYMAT live
 * in struct secret. secret_free() wipes with sodium_memzero before freeing.
 * Plain malloc is used rather than sodium_malloc: guard pages per allocation
 * would cost several pages per SA at 100,000 SAs. Secrets are never logged.
 */
#ifndef DUALIKE_COMMON_SECRET_H
#define DUALIKE_COMMON_SECRET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Largest secret the project makes (a MODP-8192 shared secret is 1 KiB). */
#define SECRET_MAX_LEN (64u * 1024u)

struct secret {
	size_t len;
	uint8_t bytes[];
};

/* A zero-filled secret of len bytes; NULL when out of memory or len > SECRET_MAX_LEN. */
struct secret *secret_new(size_t len);
/* A secret holding a copy of src (len may be 0). */
struct secret *secret_dup(const void *src, size_t len);
/* Wipe and free; NULL is allowed. */
void secret_free(struct secret *s);
/* Wipe a stack or heap region that held key material. */
void secret_wipe(void *p, size_t len);
/* Constant-time equality of two equal-length regions. */
bool secret_equal(const void *a, const void *b, size_t len);

#endif
