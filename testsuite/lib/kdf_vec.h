/*
 * kdf_vec.h - what the key schedule tests of both versions need from the
 * NIST CAVS KDF files (v1_keymat_test, v2_keymat_test): the PRF a
 * section names, and a key compared with the expected bytes.
 */
#ifndef DUALIKE_TESTSUITE_KDF_VEC_H
#define DUALIKE_TESTSUITE_KDF_VEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/prf.h"
#include "common/secret.h"
#include "testsuite/lib/vec.h"

/* [SHA-1], [SHA-256], [SHA-384] or [SHA-512]: the HMAC PRF, its name in
 * *label; 0 ("?") otherwise. */
enum prf_alg kdf_vec_section_prf(const struct vec_rec *r, const char **label);
/* got is exactly want; when not, a diagnostic line names what differs. */
bool kdf_vec_same(const struct secret *got, const uint8_t *want, size_t want_len, const char *what);

#endif
