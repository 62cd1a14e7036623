/*
 * ke_impl.h - what a KE implementation file provides to ke.c (private to
 * common/ke*.c and their tests; callers use ke.h).
 *
 * ke.c owns the method table, the keypair allocation and the length checks;
 * an implementation only computes. Private values travel as octet strings
 * (the implementation's own encoding, at most priv_max octets) so a keypair
 * is one allocation that ke_keypair_free() wipes in one place.
 */
#ifndef DUALIKE_COMMON_KE_IMPL_H
#define DUALIKE_COMMON_KE_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include <gmp.h>

#include "common/ke.h"

struct ke_impl {
	size_t priv_max; /* octets reserved for the private value */
	/* Draw a private value (setting *priv_len) and compute its public value
	 * (m->public_len octets). */
	int (*generate)(const struct ke_method *m, uint8_t *priv, size_t *priv_len,
			uint8_t *pub);
	/* Check a given private value and compute its public value. */
	int (*from_private)(const struct ke_method *m, const uint8_t *priv,
			    size_t priv_len, uint8_t *pub);
	/* The shared secret (m->shared_len octets) from the peer's value, whose
	 * length ke.c has already checked. */
	int (*agree)(const struct ke_method *m, const uint8_t *priv, size_t priv_len,
		     const uint8_t *peer, uint8_t *shared);
	const void *params; /* per-group parameters of the implementation */
};

extern const struct ke_impl ke_modp_768_impl, ke_modp_1024_impl,
	ke_modp_1536_impl, ke_modp_2048_impl, ke_modp_3072_impl,
	ke_modp_4096_impl, ke_modp_6144_impl, ke_modp_8192_impl;
extern const struct ke_impl ke_ecp_256_impl, ke_ecp_384_impl, ke_ecp_521_impl;
extern const struct ke_impl ke_x25519_impl;
extern const struct ke_impl ke_x448_impl;

/* 0, or ERR_CRYPTO when libsodium cannot start (its RNG is needed). */
int ke_random_ready(void);

/*
 * The MODP arithmetic every MODP group runs, exposed so known-answer tests
 * can prove it with other primes (RFC 5114 data): out = base^x mod p, written
 * big-endian left-padded to plen octets. base is plen octets and must satisfy
 * 1 < base < p-1 (ERR_BAD_PUBLIC otherwise), x is non-zero (ERR_INVAL).
 * p must be odd (ERR_INVAL).
 */
int ke_modp_powm(const uint8_t *p, size_t plen, const uint8_t *base,
		 const uint8_t *x, size_t xlen, uint8_t *out);

/* The RFC's prime of a MODP group as a hex string, NULL for other groups
 * (the tests compare it with the vector files). */
const char *ke_modp_prime_hex(uint16_t group);

/* GMP helpers shared by ke_modp.c and ke_ecp.c. */
/* Write z big-endian into exactly len octets; ERR_OVERFLOW if it is longer. */
int ke_mpz_to_fixed(const mpz_t z, uint8_t *out, size_t len);
/* Overwrite every allocated limb of z with zeros, then mpz_clear(z). */
void ke_mpz_wipe_clear(mpz_t z);

#endif
