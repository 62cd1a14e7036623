/*
 * ke_ecp.c - ECP groups 19, 20, 21 (RFC 5903: NIST P-256, P-384, P-521)
 * with Nettle/Hogweed's constant-time ECC.
 *
 * KE data is x || y, each coordinate a big-endian integer of exactly the
 * field size (32, 48, 66 octets), no point-compression prefix (RFC 5903 7).
 * The shared secret is the x coordinate of d*Q alone (RFC 5903 9, as
 * corrected: not x || y).
 *
 * A peer's point is validated before use (RFC 6989 2.3, NIST SP 800-56A
 * 5.6.2.3 partial validation): each coordinate must be < p, and the point
 * on the curve; Nettle's ecc_point_set() refuses points off the curve. The
 * point at infinity has no encoding here, and the curves have cofactor 1,
 * so a point on the curve has prime order and d*Q is never infinity.
 *
 * Secrets: the scalar and the shared point live in Nettle structures whose
 * limbs are zeroed before ecc_*_clear() (which frees them unwiped), and in
 * mpz integers sized up front and released with ke_mpz_wipe_clear() (see
 * ke_modp.c for why).
 */
#include <string.h>

#include <gmp.h>
#include <nettle/ecc.h>
#include <nettle/ecc-curve.h>
#include <sodium.h>

#include "common/err.h"
#include "common/ke.h"
#include "common/ke_impl.h"

struct ecp_params {
	const struct ecc_curve *(*curve)(void);
	size_t field_len; /* octets of one coordinate */
	const char *p_hex; /* the field prime, for the coordinate range check */
};

static const struct ecp_params ecp_256_params = {
	nettle_get_secp_256r1, 32,
	/* 2^256 - 2^224 + 2^192 + 2^96 - 1 (FIPS 186-4 D.1.2.3) */
	"FFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF",
};
static const struct ecp_params ecp_384_params = {
	nettle_get_secp_384r1, 48,
	/* 2^384 - 2^128 - 2^96 + 2^32 - 1 (FIPS 186-4 D.1.2.4) */
	"FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFE"
	"FFFFFFFF0000000000000000FFFFFFFF",
};
static const struct ecp_params ecp_521_params = {
	nettle_get_secp_521r1, 66,
	/* 2^521 - 1 (FIPS 186-4 D.1.2.5) */
	"1FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF"
	"FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF",
};

/* Nettle's random callback, fed by libsodium's CSPRNG. */
static void ecp_random(void *ctx, size_t len, uint8_t *dst)
{
	(void)ctx;
	randombytes_buf(dst, len);
}

/* Scalars hold ecc_size() limbs, points twice that (Nettle's ecc.h layout). */
static void ecp_scalar_wipe_clear(struct ecc_scalar *s)
{
	sodium_memzero(s->p, (size_t)ecc_size(s->ecc) * sizeof(mp_limb_t));
	ecc_scalar_clear(s);
}

static void ecp_point_wipe_clear(struct ecc_point *pt)
{
	sodium_memzero(pt->p, 2 * (size_t)ecc_size(pt->ecc) * sizeof(mp_limb_t));
	ecc_point_clear(pt);
}

static mp_bitcnt_t ecp_bits(const struct ecp_params *ep)
{
	return (mp_bitcnt_t)ep->field_len * 8 + GMP_NUMB_BITS;
}

/* Load a big-endian private scalar (field_len octets); false if 0 or >= n. */
static bool ecp_scalar_load(const struct ecp_params *ep, struct ecc_scalar *s,
			    const uint8_t *priv)
{
	mpz_t d;
	bool ok;

	mpz_init2(d, ecp_bits(ep));
	mpz_import(d, ep->field_len, 1, 1, 1, 0, priv);
	ok = ecc_scalar_set(s, d) == 1;
	ke_mpz_wipe_clear(d);
	return ok;
}

/* Write a point as x || y, each field_len octets. */
static int ecp_point_store(const struct ecp_params *ep, const struct ecc_point *pt,
			   uint8_t *out)
{
	mpz_t x, y;
	int rc;

	mpz_init2(x, ecp_bits(ep));
	mpz_init2(y, ecp_bits(ep));
	ecc_point_get(pt, x, y);
	rc = ke_mpz_to_fixed(x, out, ep->field_len);
	if (rc == 0)
		rc = ke_mpz_to_fixed(y, out + ep->field_len, ep->field_len);
	ke_mpz_wipe_clear(x);
	ke_mpz_wipe_clear(y);
	return rc;
}

static int ecp_public_of(const struct ecp_params *ep, const struct ecc_scalar *s,
			 uint8_t *pub)
{
	struct ecc_point pt;
	int rc;

	ecc_point_init(&pt, ep->curve());
	ecc_point_mul_g(&pt, s);
	rc = ecp_point_store(ep, &pt, pub);
	ecc_point_clear(&pt); /* public */
	return rc;
}

static int ecp_generate(const struct ke_method *m, uint8_t *priv,
			size_t *priv_len, uint8_t *pub)
{
	const struct ecp_params *ep = m->impl->params;
	struct ecc_scalar s;
	mpz_t d;
	int rc;

	ecc_scalar_init(&s, ep->curve());
	/* Uniform in [1, n-1] (Nettle draws and rejects out-of-range values). */
	ecc_scalar_random(&s, NULL, ecp_random);
	mpz_init2(d, ecp_bits(ep));
	ecc_scalar_get(&s, d);
	rc = ke_mpz_to_fixed(d, priv, ep->field_len);
	ke_mpz_wipe_clear(d);
	if (rc == 0) {
		*priv_len = ep->field_len;
		rc = ecp_public_of(ep, &s, pub);
	}
	ecp_scalar_wipe_clear(&s);
	return rc;
}

static int ecp_from_private(const struct ke_method *m, const uint8_t *priv,
			    size_t priv_len, uint8_t *pub)
{
	const struct ecp_params *ep = m->impl->params;
	struct ecc_scalar s;
	int rc;

	if (priv_len != ep->field_len)
		return ERR_INVAL;
	ecc_scalar_init(&s, ep->curve());
	if (!ecp_scalar_load(ep, &s, priv))
		rc = ERR_INVAL; /* 0 or >= the group order */
	else
		rc = ecp_public_of(ep, &s, pub);
	ecp_scalar_wipe_clear(&s);
	return rc;
}

/* Parse and validate the peer's x || y into pt (initialised by the caller). */
static bool ecp_point_load(const struct ecp_params *ep, struct ecc_point *pt,
			   const uint8_t *peer)
{
	mpz_t p, x, y;
	bool ok;

	mpz_init_set_str(p, ep->p_hex, 16);
	mpz_init(x);
	mpz_init(y);
	mpz_import(x, ep->field_len, 1, 1, 1, 0, peer);
	mpz_import(y, ep->field_len, 1, 1, 1, 0, peer + ep->field_len);
	ok = mpz_cmp(x, p) < 0 && mpz_cmp(y, p) < 0 && ecc_point_set(pt, x, y) == 1;
	mpz_clear(p);
	mpz_clear(x);
	mpz_clear(y);
	return ok;
}

static int ecp_agree(const struct ke_method *m, const uint8_t *priv,
		     size_t priv_len, const uint8_t *peer, uint8_t *shared)
{
	const struct ecp_params *ep = m->impl->params;
	const struct ecc_curve *curve = ep->curve();
	struct ecc_point q, r;
	struct ecc_scalar s;
	mpz_t x, y;
	int rc = 0;

	if (priv_len != ep->field_len)
		return ERR_INVAL;
	ecc_point_init(&q, curve);
	if (!ecp_point_load(ep, &q, peer)) {
		ecc_point_clear(&q);
		return ERR_BAD_PUBLIC;
	}
	ecc_scalar_init(&s, curve);
	ecc_point_init(&r, curve);
	mpz_init2(x, ecp_bits(ep));
	mpz_init2(y, ecp_bits(ep));
	if (!ecp_scalar_load(ep, &s, priv)) {
		rc = ERR_INVAL;
		goto out;
	}
	ecc_point_mul(&r, &s, &q);
	ecc_point_get(&r, x, y);
	rc = ke_mpz_to_fixed(x, shared, ep->field_len); /* x only: RFC 5903 9 */
out:
	ke_mpz_wipe_clear(x);
	ke_mpz_wipe_clear(y);
	ecp_point_wipe_clear(&r);
	ecp_scalar_wipe_clear(&s);
	ecc_point_clear(&q);
	return rc;
}

#define ECP_IMPL(bits, flen) \
	const struct ke_impl ke_ecp_##bits##_impl = { \
		.priv_max = (flen), \
		.generate = ecp_generate, \
		.from_private = ecp_from_private, \
		.agree = ecp_agree, \
		.params = &ecp_##bits##_params, \
	}

ECP_IMPL(256, 32);
ECP_IMPL(384, 48);
ECP_IMPL(521, 66);
