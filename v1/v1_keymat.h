/*
 * v1_keymat.h - the IKEv1 key schedule (RFC 2409 section 5, 5.5, appendix B).
 *
 *   SKEYID    = prf(pre-shared-key, Ni_b | Nr_b)                  (PSK)
 *             = prf(Ni_b | Nr_b, g^xy)                            (signatures)
 *   SKEYID_d  = prf(SKEYID, g^xy | CKY-I | CKY-R | 0)
 *   SKEYID_a  = prf(SKEYID, SKEYID_d | g^xy | CKY-I | CKY-R | 1)
 *   SKEYID_e  = prf(SKEYID, SKEYID_a | g^xy | CKY-I | CKY-R | 2)
 *   phase-1 encryption key: SKEYID_e, stretched when short (appendix B)
 *   phase-1 IV: hash(g^xi | g^xr); phase-2 IV: hash(last block | M-ID)
 *   KEYMAT    = prf(SKEYID_d, [g(qm)^xy |] protocol | SPI | Ni_b | Nr_b) ...
 *
 * prf is the HMAC of the negotiated hash (prf_for_hash()); the IVs use the
 * plain hash. All outputs are struct secret; inputs are plain byte spans.
 */
#ifndef DUALIKE_V1_KEYMAT_H
#define DUALIKE_V1_KEYMAT_H

#include <stddef.h>
#include <stdint.h>

#include "common/hash.h"
#include "common/prf.h"
#include "common/secret.h"

#define V1_COOKIE_LEN 8

/* What phase 1 has exchanged by the time keys can be made. */
struct v1_phase1_inputs {
	const uint8_t *ni; size_t ni_len;   /* Ni_b: initiator nonce payload body */
	const uint8_t *nr; size_t nr_len;   /* Nr_b */
	const uint8_t *gxy; size_t gxy_len; /* the shared Diffie-Hellman secret */
	uint8_t cky_i[V1_COOKIE_LEN];
	uint8_t cky_r[V1_COOKIE_LEN];
};

/* The phase-1 key set; every secret is wiped by v1_keyset_free(). */
struct v1_keyset {
	enum prf_alg prf;
	struct secret *skeyid;
	struct secret *skeyid_d; /* derives phase-2 KEYMAT */
	struct secret *skeyid_a; /* authenticates ISAKMP messages (HASH payloads) */
	struct secret *skeyid_e; /* source of the ISAKMP encryption key */
};

/*
 * Fill ks from an already computed SKEYID (any authentication method).
 * On failure ks is left untouched (all NULL if it was zeroed).
 */
int v1_keyset_from_skeyid(struct v1_keyset *ks, enum prf_alg prf,
			  const uint8_t *skeyid, size_t skeyid_len,
			  const struct v1_phase1_inputs *in);
/* Pre-shared key authentication: SKEYID = prf(psk, Ni_b | Nr_b). */
int v1_keyset_psk(struct v1_keyset *ks, enum prf_alg prf,
		  const uint8_t *psk, size_t psk_len, const struct v1_phase1_inputs *in);
/* Signature authentication (DSS, RSA): SKEYID = prf(Ni_b | Nr_b, g^xy). */
int v1_keyset_sig(struct v1_keyset *ks, enum prf_alg prf, const struct v1_phase1_inputs *in);
/* Wipe and free the secrets; ks may then be reused. */
void v1_keyset_free(struct v1_keyset *ks);

/*
 * The ISAKMP SA encryption key of key_len bytes (appendix B): the first
 * key_len bytes of SKEYID_e, or when SKEYID_e is shorter, of
 * K1 | K2 | ... with K1 = prf(SKEYID_e, 0x00), Kn = prf(SKEYID_e, Kn-1).
 */
int v1_enc_key(const struct v1_keyset *ks, size_t key_len, struct secret **key);

/* Phase-1 IV (appendix B): hash(g^xi | g^xr) truncated to block_size bytes. */
int v1_iv_phase1(enum hash_alg hash, const uint8_t *gxi, size_t gxi_len,
		 const uint8_t *gxr, size_t gxr_len, size_t block_size, uint8_t *iv);
/*
 * IV of a new phase-2 or informational exchange (appendix B, 5.5):
 * hash(last phase-1 CBC output block | M-ID), M-ID in network order,
 * truncated to block_size; last_block is block_size bytes.
 */
int v1_iv_phase2(enum hash_alg hash, const uint8_t *last_block, size_t block_size,
		 uint32_t msg_id, uint8_t *iv);

/* Quick Mode inputs for one SA (one direction: its SPI). */
struct v1_keymat_inputs {
	const uint8_t *g_qm; size_t g_qm_len; /* PFS: g(qm)^xy; NULL, 0 without PFS */
	uint8_t protocol;                     /* RFC 2407 4.4.1: 2 AH, 3 ESP, 4 IPCOMP */
	const uint8_t *spi; size_t spi_len;   /* as carried in the SA payload */
	const uint8_t *ni; size_t ni_len;     /* Quick Mode Ni_b */
	const uint8_t *nr; size_t nr_len;     /* Quick Mode Nr_b */
};

/*
 * KEYMAT of len bytes (5.5): K1 | K2 | ... truncated, with
 * K1 = prf(SKEYID_d, [g(qm)^xy |] protocol | SPI | Ni_b | Nr_b) and
 * Kn = prf(SKEYID_d, Kn-1 | [g(qm)^xy |] protocol | SPI | Ni_b | Nr_b).
 */
int v1_keymat(const struct v1_keyset *ks, const struct v1_keymat_inputs *in,
	      size_t len, struct secret **keymat);

#endif
