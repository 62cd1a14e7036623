/*
 * rand.h - the daemon's randomness: libsodium's randombytes API (every
 * randombytes_buf/uniform/random call of the project and of libsodium)
 * served from a per-thread pool of kernel CSPRNG output.
 *
 * Why: libsodium's default ("sysrandom") makes one getrandom(2) system
 * call per randombytes_buf(), and an IKE SA + child takes about seven
 * (SPI, nonce, KE private value, child SPI, IV, rekey jitters), each a
 * system call of 1.4 us on the benchmark machine. The pool reads
 * RAND_POOL_BYTES with one getrandom(2) and hands them out in order.
 *
 * Rules (DESIGN.md, secrets): the bytes are the kernel's CSPRNG output
 * unchanged (no generator of our own); a byte is handed out once and
 * zeroed in the pool as it leaves; requests of RAND_POOL_DIRECT bytes or
 * more bypass the pool; a thread's pool is wiped and freed when the thread
 * ends, and the forking thread's is wiped in a child process (pthread_atfork)
 * so parent and child never give out the same bytes. When getrandom(2)
 * fails, libsodium's own implementation answers.
 */
#ifndef DUALIKE_COMMON_RAND_H
#define DUALIKE_COMMON_RAND_H

#include <stddef.h>

#define RAND_POOL_BYTES 256  /* one getrandom(2) call (at most 256 never block short) */
#define RAND_POOL_DIRECT 64  /* larger requests (MODP private values) read directly */

/*
 * Make the pool libsodium's randombytes implementation. Call once, first
 * thing in main() (libsodium wants it before sodium_init()). 0 or
 * ERR_CRYPTO when sodium_init() fails.
 */
int rand_pool_setup(void);
/* Wipe the calling thread's pool (its unread bytes are dropped). */
void rand_pool_drop(void);
/* Unread bytes in the calling thread's pool (tests). */
size_t rand_pool_avail(void);

#endif
