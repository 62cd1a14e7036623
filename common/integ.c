/*
 * integ.c - ICVs as truncated MACs (see integ.h).
 *
 * Every MAC here is a PRF of common/prf.c with the output cut short:
 * HMAC-x-96 (RFC 2403 2, RFC 2404 2), AES-XCBC-MAC-96 (RFC 3566 4: the
 * 128-bit AES-XCBC-MAC truncated to 96 bits), AES-CMAC-96 (RFC 4494 2) and
 * HMAC-SHA2-N-N/2 (RFC 4868 2.3). With a 16-octet key the AES PRFs of
 * RFC 4434/4615 are exactly the plain MACs, which is why the key length is
 * pinned to 16 for them.
 */
#include <string.h>

#include "common/err.h"
#include "common/integ.h"
#include "common/prf.h"
#include "common/secret.h"

/* The PRF whose output, truncated, is the ICV. */
static enum prf_alg integ_prf(enum integ_alg alg)
{
	switch (alg) {
	case INTEG_HMAC_MD5_96: return PRF_HMAC_MD5;
	case INTEG_HMAC_SHA1_96: return PRF_HMAC_SHA1;
	case INTEG_AES_XCBC_96: return PRF_AES128_XCBC;
	case INTEG_AES_CMAC_96: return PRF_AES128_CMAC;
	case INTEG_HMAC_SHA2_256_128: return PRF_HMAC_SHA2_256;
	case INTEG_HMAC_SHA2_384_192: return PRF_HMAC_SHA2_384;
	case INTEG_HMAC_SHA2_512_256: return PRF_HMAC_SHA2_512;
	}
	return (enum prf_alg)0;
}

size_t integ_key_len(enum integ_alg alg)
{
	switch (alg) {
	case INTEG_HMAC_MD5_96: return 16;
	case INTEG_HMAC_SHA1_96: return 20;
	case INTEG_AES_XCBC_96: return 16;
	case INTEG_AES_CMAC_96: return 16;
	case INTEG_HMAC_SHA2_256_128: return 32;
	case INTEG_HMAC_SHA2_384_192: return 48;
	case INTEG_HMAC_SHA2_512_256: return 64;
	}
	return 0;
}

size_t integ_icv_len(enum integ_alg alg)
{
	switch (alg) {
	case INTEG_HMAC_MD5_96:
	case INTEG_HMAC_SHA1_96:
	case INTEG_AES_XCBC_96:
	case INTEG_AES_CMAC_96: return 12;
	case INTEG_HMAC_SHA2_256_128: return 16;
	case INTEG_HMAC_SHA2_384_192: return 24;
	case INTEG_HMAC_SHA2_512_256: return 32;
	}
	return 0;
}

const char *integ_name(enum integ_alg alg)
{
	switch (alg) {
	case INTEG_HMAC_MD5_96: return "md5";
	case INTEG_HMAC_SHA1_96: return "sha1";
	case INTEG_AES_XCBC_96: return "aesxcbc";
	case INTEG_AES_CMAC_96: return "aescmac";
	case INTEG_HMAC_SHA2_256_128: return "sha256";
	case INTEG_HMAC_SHA2_384_192: return "sha384";
	case INTEG_HMAC_SHA2_512_256: return "sha512";
	}
	return "unknown";
}

int integ_compute(enum integ_alg alg, const uint8_t *key, size_t key_len,
		  const void *data, size_t len, uint8_t *icv_out)
{
	uint8_t mac[PRF_MAX_OUT];
	enum prf_alg prf = integ_prf(alg);
	int rc;

	if (!prf)
		return ERR_UNSUPPORTED;
	if (prf_fixed_key(prf) && key_len != integ_key_len(alg))
		return ERR_INVAL;
	if ((!key && key_len) || (!data && len) || !icv_out)
		return ERR_INVAL;
	rc = prf_once(prf, key, key_len, data, len, mac);
	if (rc == 0)
		memcpy(icv_out, mac, integ_icv_len(alg));
	secret_wipe(mac, sizeof(mac));
	return rc;
}

bool integ_verify(enum integ_alg alg, const uint8_t *key, size_t key_len,
		  const void *data, size_t len, const uint8_t *icv)
{
	uint8_t want[INTEG_MAX_ICV];
	bool ok;

	if (!icv)
		return false;
	ok = integ_compute(alg, key, key_len, data, len, want) == 0 &&
	     secret_equal(want, icv, integ_icv_len(alg));
	secret_wipe(want, sizeof(want));
	return ok;
}
