/*
 * ke_x25519.c - group 31, Curve25519 (RFC 8031, X25519 of RFC 7748 5) with
 * libsodium.
 *
 * The private value is 32 random octets; clamping (RFC 7748 5,
 * decodeScalar25519) happens inside the primitive. KE data is the raw
 * 32-octet little-endian u-coordinate, and the shared secret the raw X25519
 * output (RFC 8031 2). RFC 8031 2 and 3 ask the recipient to check the
 * length (ke.c does) and to refuse an all-zero shared secret, which a
 * low-order point produces: crypto_scalarmult() returns -1 exactly then
 * (libsodium also refuses the known small-order points up front).
 */
#include <sodium.h>

#include "common/err.h"
#include "common/ke.h"
#include "common/ke_impl.h"

static int x25519_from_private(const struct ke_method *m, const uint8_t *priv,
			       size_t priv_len, uint8_t *pub)
{
	(void)m;
	if (priv_len != crypto_scalarmult_curve25519_SCALARBYTES)
		return ERR_INVAL;
	if (crypto_scalarmult_curve25519_base(pub, priv) != 0)
		return ERR_CRYPTO;
	return 0;
}

static int x25519_generate(const struct ke_method *m, uint8_t *priv,
			   size_t *priv_len, uint8_t *pub)
{
	randombytes_buf(priv, crypto_scalarmult_curve25519_SCALARBYTES);
	*priv_len = crypto_scalarmult_curve25519_SCALARBYTES;
	return x25519_from_private(m, priv, *priv_len, pub);
}

static int x25519_agree(const struct ke_method *m, const uint8_t *priv,
			size_t priv_len, const uint8_t *peer, uint8_t *shared)
{
	(void)m;
	if (priv_len != crypto_scalarmult_curve25519_SCALARBYTES)
		return ERR_INVAL;
	if (crypto_scalarmult_curve25519(shared, priv, peer) != 0) {
		sodium_memzero(shared, crypto_scalarmult_curve25519_BYTES);
		return ERR_BAD_PUBLIC;
	}
	return 0;
}

const struct ke_impl ke_x25519_impl = {
	.priv_max = crypto_scalarmult_curve25519_SCALARBYTES,
	.generate = x25519_generate,
	.from_private = x25519_from_private,
	.agree = x25519_agree,
	.params = NULL,
};
