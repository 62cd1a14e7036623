/*
 * ke_x448.c - group 32, Curve448 (RFC 8031, X448 of RFC 7748 5) with
 * Nettle (libsodium has no X448).
 *
 * The private value is 56 random octets; Nettle's curve448_mul applies the
 * RFC 7748 5 clamping (decodeScalar448) itself. KE data is the raw 56-octet
 * little-endian u-coordinate, the shared secret the raw X448 output
 * (RFC 8031 2). Nettle does not refuse low-order inputs, so the all-zero
 * check RFC 8031 2 / RFC 7748 6.2 require is done here, in constant time.
 */
#include <nettle/curve448.h>
#include <sodium.h>

#include "common/err.h"
#include "common/ke.h"
#include "common/ke_impl.h"

static int x448_from_private(const struct ke_method *m, const uint8_t *priv,
			     size_t priv_len, uint8_t *pub)
{
	(void)m;
	if (priv_len != CURVE448_SIZE)
		return ERR_INVAL;
	curve448_mul_g(pub, priv);
	return 0;
}

static int x448_generate(const struct ke_method *m, uint8_t *priv,
			 size_t *priv_len, uint8_t *pub)
{
	randombytes_buf(priv, CURVE448_SIZE);
	*priv_len = CURVE448_SIZE;
	return x448_from_private(m, priv, *priv_len, pub);
}

static int x448_agree(const struct ke_method *m, const uint8_t *priv,
		      size_t priv_len, const uint8_t *peer, uint8_t *shared)
{
	(void)m;
	if (priv_len != CURVE448_SIZE)
		return ERR_INVAL;
	curve448_mul(shared, priv, peer);
	if (sodium_is_zero(shared, CURVE448_SIZE))
		return ERR_BAD_PUBLIC; /* a low-order u: u = 0, 1 or p-1 */
	return 0;
}

const struct ke_impl ke_x448_impl = {
	.priv_max = CURVE448_SIZE,
	.generate = x448_generate,
	.from_private = x448_from_private,
	.agree = x448_agree,
	.params = NULL,
};
