/*
 * rand_test.c - common/rand.c: libsodium's randombytes served from a
 * per-thread pool of getrandom(2) output. Checks: the pool is installed;
 * a draw takes its bytes from the pool and no bytes come out twice (over
 * many refills); large requests bypass it; a forked child never gives out
 * the bytes its parent will; each thread has its own pool; drop empties it.
 */
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sodium.h>

#include "common/rand.h"
#include "testsuite/lib/tap.h"

#define DRAWS 200
#define DRAW_LEN 16

static void test_draws(void)
{
	static uint8_t got[DRAWS][DRAW_LEN];
	uint8_t big[RAND_POOL_DIRECT], zero[DRAW_LEN] = { 0 };
	unsigned same = 0, zeros = 0;
	size_t before;
	unsigned seen = 0;

	rand_pool_drop(); /* sodium_init() drew a few */
	randombytes_buf(got[0], DRAW_LEN);
	before = rand_pool_avail();
	tap_eq_int((long long)before, RAND_POOL_BYTES - DRAW_LEN, "a first draw fills the pool and takes 16");
	randombytes_buf(got[1], DRAW_LEN);
	tap_eq_int((long long)rand_pool_avail(), (long long)before - DRAW_LEN, "the next one takes 16 more");
	for (unsigned i = 2; i < DRAWS; i++)
		randombytes_buf(got[i], DRAW_LEN);
	for (unsigned i = 0; i < DRAWS; i++) {
		zeros += memcmp(got[i], zero, DRAW_LEN) == 0;
		for (unsigned j = i + 1; j < DRAWS; j++)
			same += memcmp(got[i], got[j], DRAW_LEN) == 0;
	}
	tap_eq_int(same, 0, "%d draws of 16 octets over %d refills: no two alike", DRAWS,
		   DRAWS * DRAW_LEN / RAND_POOL_BYTES);
	tap_eq_int(zeros, 0, "and none all zeros");
	before = rand_pool_avail();
	randombytes_buf(big, sizeof(big));
	tap_eq_int((long long)rand_pool_avail(), (long long)before, "a 64-octet request bypasses the pool");
	for (unsigned i = 0; i < 1000; i++)
		seen |= 1u << randombytes_uniform(10);
	tap_eq_int(seen, 0x3ff, "randombytes_uniform(10) gives each of 0..9 in 1000 draws");
	rand_pool_drop();
	tap_eq_int((long long)rand_pool_avail(), 0, "rand_pool_drop empties the pool");
}

/* Parent and child draw right after fork(): without the atfork drop, the same bytes. */
static void test_fork(void)
{
	uint8_t mine[32], child[32] = { 0 };
	int fd[2];
	pid_t pid;
	int status = 0;
	ssize_t n = -1;

	randombytes_buf(mine, 8); /* the pool holds 248 unread octets now */
	if (pipe(fd) != 0) {
		tap_ok(false, "pipe for the fork check");
		return;
	}
	pid = fork();
	if (pid == 0) {
		uint8_t b[32];

		randombytes_buf(b, sizeof(b));
		_exit(write(fd[1], b, sizeof(b)) == (ssize_t)sizeof(b) ? 0 : 1);
	}
	close(fd[1]);
	randombytes_buf(mine, sizeof(mine));
	if (pid > 0) {
		n = read(fd[0], child, sizeof(child));
		waitpid(pid, &status, 0);
	}
	close(fd[0]);
	tap_ok(pid > 0 && n == (ssize_t)sizeof(child), "the child answered");
	tap_ok(memcmp(mine, child, sizeof(mine)) != 0, "parent and child draw different octets after fork");
}

static void *thread_draw(void *arg)
{
	size_t *avail = arg;

	avail[0] = rand_pool_avail();
	randombytes_buf(&avail[1], sizeof(avail[1]));
	avail[1] = rand_pool_avail();
	return NULL;
}

static void test_threads(void)
{
	size_t avail[2] = { 99, 99 }, main_avail;
	pthread_t t;
	uint8_t b[4];

	randombytes_buf(b, sizeof(b));
	main_avail = rand_pool_avail();
	if (pthread_create(&t, NULL, thread_draw, avail) != 0 || pthread_join(t, NULL) != 0) {
		tap_ok(false, "a second thread runs");
		return;
	}
	tap_eq_int((long long)avail[0], 0, "a new thread starts with an empty pool of its own");
	tap_eq_int((long long)avail[1], RAND_POOL_BYTES - (long long)sizeof(size_t),
		   "its draw filled its own pool");
	tap_eq_int((long long)rand_pool_avail(), (long long)main_avail, "the main thread's pool is untouched");
}

int main(void)
{
	tap_eq_int(rand_pool_setup(), 0, "rand_pool_setup");
	tap_eq_str(randombytes_implementation_name(), "dualike-pool", "libsodium draws from the pool");
	test_draws();
	test_fork();
	test_threads();
	return tap_done();
}
