/*
 * v2_keymat.h - the IKEv2 key schedule (RFC 7296 2.13, 2.14, 2.17, 2.18).
 *
 *   SKEYSEED = prf(Ni | Nr, g^ir)                                  2.14
 *   {SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr}
 *            = prf+(SKEYSEED, Ni | Nr | SPIi | SPIr)               2.14
 *   KEYMAT   = prf+(SK_d, [g^ir (new) |] Ni | Nr)                  2.17
 *   SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr)  (IKE rekey)  2.18
 *
 * For a PRF with a fixed key size (AES-XCBC-PRF-128, AES-CMAC-PRF-128) the
 * SKEYSEED key is the first half-key of Ni followed by the first half-key of
 * Nr (2.14). prf+ comes from common/prfplus.h.
 */
#ifndef DUALIKE_V2_KEYMAT_H
#define DUALIKE_V2_KEYMAT_H

#include <stddef.h>
#include <stdint.h>

#include "common/prf.h"
#include "common/secret.h"

#define V2_SPI_LEN 8

/* The seven IKE SA secrets of 2.14; wiped by v2_ike_keys_free(). */
struct v2_ike_keys {
	enum prf_alg prf;
	struct secret *sk_d;  /* derives Child SA keys and the rekeyed SKEYSEED */
	struct secret *sk_ai; /* integrity, initiator to responder (empty with AEAD) */
	struct secret *sk_ar;
	struct secret *sk_ei; /* encryption (with salt for AEAD/CTR), initiator to responder */
	struct secret *sk_er;
	struct secret *sk_pi; /* AUTH payload computation, initiator */
	struct secret *sk_pr;
};

/*
 * SKEYSEED = prf(Ni | Nr, g^ir), with the 2.14 rule for fixed-key PRFs
 * (each nonce must then hold at least half the key, else ERR_INVAL).
 */
int v2_skeyseed(enum prf_alg prf, const uint8_t *ni, size_t ni_len,
		const uint8_t *nr, size_t nr_len, const uint8_t *gir, size_t gir_len,
		struct secret **skeyseed);

/*
 * Rekeyed IKE SA (2.18): SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr).
 * prf is the OLD IKE SA's PRF: the exchange belongs to the old SA.
 */
int v2_skeyseed_rekey(enum prf_alg old_prf, const struct secret *old_sk_d,
		      const uint8_t *gir, size_t gir_len, const uint8_t *ni, size_t ni_len,
		      const uint8_t *nr, size_t nr_len, struct secret **skeyseed);

/*
 * The seven keys from SKEYSEED (2.14). integ_len and encr_len are the
 * per-direction key lengths in bytes the caller's transforms need (integ 0
 * with an AEAD; encr includes any salt: the caller decides); SK_d, SK_pi
 * and SK_pr are prf_key_len(prf) bytes. On failure keys is untouched.
 */
int v2_ike_keys_derive(struct v2_ike_keys *keys, enum prf_alg prf,
		       const struct secret *skeyseed,
		       const uint8_t *ni, size_t ni_len, const uint8_t *nr, size_t nr_len,
		       const uint8_t spi_i[V2_SPI_LEN], const uint8_t spi_r[V2_SPI_LEN],
		       size_t integ_len, size_t encr_len);
void v2_ike_keys_free(struct v2_ike_keys *keys);

/*
 * Child SA KEYMAT of len bytes (2.17): prf+(SK_d, [g^ir (new) |] Ni | Nr);
 * gir NULL/0 without PFS. Ni and Nr are this exchange's nonces. The caller
 * splits it: every key for initiator-to-responder traffic first, and per SA
 * the encryption key before the integrity key.
 */
int v2_child_keymat(enum prf_alg prf, const struct secret *sk_d,
		    const uint8_t *gir, size_t gir_len,
		    const uint8_t *ni, size_t ni_len, const uint8_t *nr, size_t nr_len,
		    size_t len, struct secret **keymat);

#endif
