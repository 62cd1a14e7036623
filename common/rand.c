/* rand.c - a per-thread pool of getrandom(2) output behind libsodium's randombytes (see rand.h). */
#include <errno.h>
#include <stdbool.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <sodium.h>

#include "common/err.h"
#include "common/rand.h"
#include "common/secret.h"

struct rand_pool {
	uint8_t b[RAND_POOL_BYTES];
	size_t avail; /* the unread bytes are the last avail of b; the rest is zeros */
};

static pthread_key_t pool_key;
static pthread_once_t pool_once = PTHREAD_ONCE_INIT;
static int pool_key_ok;

static void pool_free(void *p)
{
	if (p) {
		secret_wipe(p, sizeof(struct rand_pool));
		free(p);
	}
}

/* In a child process: the bytes the parent may still hand out are not ours. */
static void pool_drop_in_child(void)
{
	rand_pool_drop();
}

static void pool_key_make(void)
{
	pool_key_ok = pthread_key_create(&pool_key, pool_free) == 0 &&
		      pthread_atfork(NULL, NULL, pool_drop_in_child) == 0;
}

static struct rand_pool *pool_get(bool make)
{
	struct rand_pool *p;

	pthread_once(&pool_once, pool_key_make);
	if (!pool_key_ok)
		return NULL;
	p = pthread_getspecific(pool_key);
	if (!p && make) {
		p = calloc(1, sizeof(*p));
		if (p && pthread_setspecific(pool_key, p) != 0) {
			free(p);
			p = NULL;
		}
	}
	return p;
}

/* n bytes straight from getrandom(2); false if it cannot (then libsodium's). */
static bool kernel_bytes(uint8_t *out, size_t n)
{
	while (n) {
		ssize_t got = getrandom(out, n, 0);

		if (got < 0) {
			if (errno == EINTR)
				continue;
			return false;
		}
		out += got;
		n -= (size_t)got;
	}
	return true;
}

static void fallback_bytes(void *out, size_t n)
{
	randombytes_sysrandom_implementation.buf(out, n);
}

static void pool_buf(void *const out, const size_t n)
{
	struct rand_pool *p = n < RAND_POOL_DIRECT ? pool_get(true) : NULL;
	uint8_t *from;

	if (!p) {
		if (!kernel_bytes(out, n))
			fallback_bytes(out, n);
		return;
	}
	if (p->avail < n) {
		/* the few bytes left are dropped, never given out with others */
		if (!kernel_bytes(p->b, sizeof(p->b))) {
			secret_wipe(p->b, sizeof(p->b));
			p->avail = 0;
			fallback_bytes(out, n);
			return;
		}
		p->avail = sizeof(p->b);
	}
	from = p->b + sizeof(p->b) - p->avail;
	memcpy(out, from, n);
	secret_wipe(from, n);
	p->avail -= n;
}

static uint32_t pool_random(void)
{
	uint32_t v;

	pool_buf(&v, sizeof(v));
	return v;
}

static const char *pool_name(void)
{
	return "dualike-pool";
}

static int pool_close(void)
{
	rand_pool_drop();
	return 0;
}

/* uniform NULL: libsodium's randombytes_uniform() rejection-samples pool_random(). */
static struct randombytes_implementation pool_impl = {
	.implementation_name = pool_name,
	.random = pool_random,
	.stir = NULL,
	.uniform = NULL,
	.buf = pool_buf,
	.close = pool_close,
};

int rand_pool_setup(void)
{
	if (randombytes_set_implementation(&pool_impl) != 0)
		return ERR_CRYPTO;
	return sodium_init() < 0 ? ERR_CRYPTO : 0;
}

void rand_pool_drop(void)
{
	struct rand_pool *p = pool_get(false);

	if (p)
		secret_wipe(p, sizeof(*p));
}

size_t rand_pool_avail(void)
{
	struct rand_pool *p = pool_get(false);

	return p ? p->avail : 0;
}
