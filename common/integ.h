/*
 * integ.h - integrity algorithms (ICVs) of IKEv2 and ESP/AH.
 *
 * Identifiers are the IKEv2 INTEG transform IDs (RFC 7296 3.3.2): HMAC-MD5-96
 * (RFC 2403), HMAC-SHA1-96 (RFC 2404), AES-XCBC-MAC-96 (RFC 3566),
 * AES-CMAC-96 (RFC 4494) and HMAC-SHA2-256-128/384-192/512-256 (RFC 4868).
 * The MAC cores are the ones of common/prf.c; an ICV is the MAC truncated
 * to integ_icv_len() octets.
 *
 * Keys: the AES MACs take exactly 16 octets (RFC 3566 4, RFC 4494 2; no
 * RFC 4434 key normalisation here). HMAC is defined for any key length
 * (RFC 2104 2); IKE always passes integ_key_len() octets (RFC 7296 2.14),
 * but other lengths are accepted so the RFC 2202/4231 vectors apply.
 */
#ifndef DUALIKE_COMMON_INTEG_H
#define DUALIKE_COMMON_INTEG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum integ_alg {
	INTEG_HMAC_MD5_96 = 1,
	INTEG_HMAC_SHA1_96 = 2,
	INTEG_AES_XCBC_96 = 5,
	INTEG_AES_CMAC_96 = 8,
	INTEG_HMAC_SHA2_256_128 = 12,
	INTEG_HMAC_SHA2_384_192 = 13,
	INTEG_HMAC_SHA2_512_256 = 14,
};

#define INTEG_MAX_ICV 32

/* Key length in octets (what SK_ai/SK_ar are sized to), 0 when unknown. */
size_t integ_key_len(enum integ_alg alg);
/* ICV (truncated MAC) length in octets, 0 when unknown. */
size_t integ_icv_len(enum integ_alg alg);
const char *integ_name(enum integ_alg alg);

/* icv_out receives integ_icv_len(alg) octets. */
int integ_compute(enum integ_alg alg, const uint8_t *key, size_t key_len,
		  const void *data, size_t len, uint8_t *icv_out);
/* True when icv (integ_icv_len(alg) octets) is right; constant-time compare. */
bool integ_verify(enum integ_alg alg, const uint8_t *key, size_t key_len,
		  const void *data, size_t len, const uint8_t *icv);

#endif
