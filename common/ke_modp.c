/*
 * ke_modp.c - MODP Diffie-Hellman groups 1, 2 (RFC 2409 6.1, 6.2) and 5,
 * 14-18 (RFC 3526), computed with GMP's side-channel-silent mpz_powm_sec.
 *
 * All these primes are safe primes p = 2q + 1 with generator 2, so the only
 * elements of small order are 1 and p-1: a peer value y with 1 < y < p-1
 * cannot force the shared secret into a small subgroup (RFC 6989 2.1 asks
 * for exactly this range check for these groups; RFC 7296 5 requires
 * checking received values).
 *
 * Private exponent size. RFC 3526 section 8 estimates each group's strength
 * two ways and says the exponent must be at least twice the strength (a
 * short exponent is attacked with Pollard's lambda/kangaroo in about
 * 2^(bits/2) steps). We take twice the *higher* of its two estimates,
 * rounded up to a whole 64-bit limb: group 5 240 -> 256, 14 320, 15 420 ->
 * 448, 16 480 -> 512, 17 540 -> 576, 18 620 -> 640 bits. Groups 1 and 2 are
 * far below 128 bits of strength and get 256 bits, still more than twice
 * anything their modulus offers. A full-length exponent would cost up to
 * 30x more for group 18 and buy nothing: the modulus is the weaker link.
 *
 * Wiping GMP integers. mpz_set_ui(z, 0) only sets the size field (and at
 * most one limb); the other limbs still hold the secret and mpz_clear()
 * hands them to free() as they are. Worse, an mpz that grows is
 * reallocated and the old block is freed unwiped. So every mpz holding a
 * secret (the exponent, the shared value) is created with mpz_init2() at
 * its final size, which means GMP never reallocates it, and is released
 * with ke_mpz_wipe_clear(), which zeroes every allocated limb
 * (mpz_limbs_modify + sodium_memzero) before mpz_clear(). What remains
 * outside our reach is mpz_powm_sec's internal scratch (GMP's TMP_ALLOC:
 * stack or GMP's allocator); a process can cover the heap part by
 * installing wiping allocators with mp_set_memory_functions() at start-up.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <gmp.h>
#include <sodium.h>

#include "common/err.h"
#include "common/ke.h"
#include "common/ke_impl.h"

/* group 1, 768-bit MODP (RFC 2409 6.1) */
static const char modp_768_p[] =
	"FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74"
	"020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F1437"
	"4FE1356D6D51C245E485B576625E7EC6F44C42E9A63A3620FFFFFFFFFFFFFFFF";

/* group 2, 1024-bit MODP (RFC 2409 6.2) */
static const char modp_1024_p[] =
	"FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74"
	"020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F1437"
	"4FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
	"EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE65381FFFFFFFFFFFFFFFF";

/* group 5, 1536-bit MODP (RFC 3526 2) */
static const char modp_1536_p[] =
	"FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74"
	"020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F1437"
	"4FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
	"EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF05"
	"98DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB"
	"9ED529077096966D670C354E4ABC9804F1746C08CA237327FFFFFFFFFFFFFFFF";

/* group 14, 2048-bit MODP (RFC 3526 3) */
static const char modp_2048_p[] =
	"FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74"
	"020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F1437"
	"4FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
	"EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF05"
	"98DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB"
	"9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
	"E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF695581718"
	"3995497CEA956AE515D2261898FA051015728E5A8AACAA68FFFFFFFFFFFFFFFF";

/* group 15, 3072-bit MODP (RFC 3526 4) */
static const char modp_3072_p[] =
	"FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74"
	"020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F1437"
	"4FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
	"EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF05"
	"98DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB"
	"9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
	"E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF695581718"
	"3995497CEA956AE515D2261898FA051015728E5A8AAAC42DAD33170D04507A33"
	"A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7"
	"ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864"
	"D87602733EC86A64521F2B18177B200CBBE117577A615D6C770988C0BAD946E2"
	"08E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF";

/* group 16, 4096-bit MODP (RFC 3526 5) */
static const char modp_4096_p[] =
	"FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74"
	"020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F1437"
	"4FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
	"EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF05"
	"98DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB"
	"9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
	"E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF695581718"
	"3995497CEA956AE515D2261898FA051015728E5A8AAAC42DAD33170D04507A33"
	"A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7"
	"ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864"
	"D87602733EC86A64521F2B18177B200CBBE117577A615D6C770988C0BAD946E2"
	"08E24FA074E5AB3143DB5BFCE0FD108E4B82D120A92108011A723C12A787E6D7"
	"88719A10BDBA5B2699C327186AF4E23C1A946834B6150BDA2583E9CA2AD44CE8"
	"DBBBC2DB04DE8EF92E8EFC141FBECAA6287C59474E6BC05D99B2964FA090C3A2"
	"233BA186515BE7ED1F612970CEE2D7AFB81BDD762170481CD0069127D5B05AA9"
	"93B4EA988D8FDDC186FFB7DC90A6C08F4DF435C934063199FFFFFFFFFFFFFFFF";

/* group 17, 6144-bit MODP (RFC 3526 6) */
static const char modp_6144_p[] =
	"FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74"
	"020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F1437"
	"4FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
	"EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF05"
	"98DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB"
	"9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
	"E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF695581718"
	"3995497CEA956AE515D2261898FA051015728E5A8AAAC42DAD33170D04507A33"
	"A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7"
	"ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864"
	"D87602733EC86A64521F2B18177B200CBBE117577A615D6C770988C0BAD946E2"
	"08E24FA074E5AB3143DB5BFCE0FD108E4B82D120A92108011A723C12A787E6D7"
	"88719A10BDBA5B2699C327186AF4E23C1A946834B6150BDA2583E9CA2AD44CE8"
	"DBBBC2DB04DE8EF92E8EFC141FBECAA6287C59474E6BC05D99B2964FA090C3A2"
	"233BA186515BE7ED1F612970CEE2D7AFB81BDD762170481CD0069127D5B05AA9"
	"93B4EA988D8FDDC186FFB7DC90A6C08F4DF435C93402849236C3FAB4D27C7026"
	"C1D4DCB2602646DEC9751E763DBA37BDF8FF9406AD9E530EE5DB382F413001AE"
	"B06A53ED9027D831179727B0865A8918DA3EDBEBCF9B14ED44CE6CBACED4BB1B"
	"DB7F1447E6CC254B332051512BD7AF426FB8F401378CD2BF5983CA01C64B92EC"
	"F032EA15D1721D03F482D7CE6E74FEF6D55E702F46980C82B5A84031900B1C9E"
	"59E7C97FBEC7E8F323A97A7E36CC88BE0F1D45B7FF585AC54BD407B22B4154AA"
	"CC8F6D7EBF48E1D814CC5ED20F8037E0A79715EEF29BE32806A1D58BB7C5DA76"
	"F550AA3D8A1FBFF0EB19CCB1A313D55CDA56C9EC2EF29632387FE8D76E3C0468"
	"043E8F663F4860EE12BF2D5B0B7474D6E694F91E6DCC4024FFFFFFFFFFFFFFFF";

/* group 18, 8192-bit MODP (RFC 3526 7) */
static const char modp_8192_p[] =
	"FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74"
	"020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F1437"
	"4FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
	"EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF05"
	"98DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB"
	"9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
	"E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF695581718"
	"3995497CEA956AE515D2261898FA051015728E5A8AAAC42DAD33170D04507A33"
	"A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7"
	"ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864"
	"D87602733EC86A64521F2B18177B200CBBE117577A615D6C770988C0BAD946E2"
	"08E24FA074E5AB3143DB5BFCE0FD108E4B82D120A92108011A723C12A787E6D7"
	"88719A10BDBA5B2699C327186AF4E23C1A946834B6150BDA2583E9CA2AD44CE8"
	"DBBBC2DB04DE8EF92E8EFC141FBECAA6287C59474E6BC05D99B2964FA090C3A2"
	"233BA186515BE7ED1F612970CEE2D7AFB81BDD762170481CD0069127D5B05AA9"
	"93B4EA988D8FDDC186FFB7DC90A6C08F4DF435C93402849236C3FAB4D27C7026"
	"C1D4DCB2602646DEC9751E763DBA37BDF8FF9406AD9E530EE5DB382F413001AE"
	"B06A53ED9027D831179727B0865A8918DA3EDBEBCF9B14ED44CE6CBACED4BB1B"
	"DB7F1447E6CC254B332051512BD7AF426FB8F401378CD2BF5983CA01C64B92EC"
	"F032EA15D1721D03F482D7CE6E74FEF6D55E702F46980C82B5A84031900B1C9E"
	"59E7C97FBEC7E8F323A97A7E36CC88BE0F1D45B7FF585AC54BD407B22B4154AA"
	"CC8F6D7EBF48E1D814CC5ED20F8037E0A79715EEF29BE32806A1D58BB7C5DA76"
	"F550AA3D8A1FBFF0EB19CCB1A313D55CDA56C9EC2EF29632387FE8D76E3C0468"
	"043E8F663F4860EE12BF2D5B0B7474D6E694F91E6DBE115974A3926F12FEE5E4"
	"38777CB6A932DF8CD8BEC4D073B931BA3BC832B68D9DD300741FA7BF8AFC47ED"
	"2576F6936BA424663AAB639C5AE4F5683423B4742BF1C978238F16CBE39D652D"
	"E3FDB8BEFC848AD922222E04A4037C0713EB57A81A23F0C73473FC646CEA306B"
	"4BCBC8862F8385DDFA9D4B7FA2C087E879683303ED5BDD3A062B3CF5B3A278A6"
	"6D2A13F83F44F82DDF310EE074AB6A364597E899A0255DC164F31CC50846851D"
	"F9AB48195DED7EA1B1D510BD7EE74D73FAF36BC31ECFA268359046F4EB879F92"
	"4009438B481C6CD7889A002ED5EE382BC9190DA6FC026E479558E4475677E9AA"
	"9E3050E2765694DFC81F56E880B96E7160C980DD98EDD3DFFFFFFFFFFFFFFFFF";

struct modp_params {
	uint16_t group;
	const char *p_hex;
	size_t exp_bits; /* private exponent size (see the top of this file) */
};

#define MODP_PARAMS(grp, bits, exp) \
	static const struct modp_params modp_##bits##_params = { grp, modp_##bits##_p, exp }

MODP_PARAMS(KE_MODP_768, 768, 256);
MODP_PARAMS(KE_MODP_1024, 1024, 256);
MODP_PARAMS(KE_MODP_1536, 1536, 256);
MODP_PARAMS(KE_MODP_2048, 2048, 320);
MODP_PARAMS(KE_MODP_3072, 3072, 448);
MODP_PARAMS(KE_MODP_4096, 4096, 512);
MODP_PARAMS(KE_MODP_6144, 6144, 576);
MODP_PARAMS(KE_MODP_8192, 8192, 640);

static const struct modp_params *const modp_all[] = {
	&modp_768_params, &modp_1024_params, &modp_1536_params, &modp_2048_params,
	&modp_3072_params, &modp_4096_params, &modp_6144_params, &modp_8192_params,
};
#define MODP_N (sizeof(modp_all) / sizeof(modp_all[0]))

/* The primes parsed once; read-only afterwards, so threads share them. */
static mpz_t modp_prime[MODP_N];
static pthread_once_t modp_once = PTHREAD_ONCE_INIT;

static void modp_parse_primes(void)
{
	for (size_t i = 0; i < MODP_N; i++)
		if (mpz_init_set_str(modp_prime[i], modp_all[i]->p_hex, 16) != 0)
			abort(); /* a constant in this file is broken */
}

static const mpz_t *modp_prime_of(const struct modp_params *mp)
{
	pthread_once(&modp_once, modp_parse_primes);
	for (size_t i = 0; i < MODP_N; i++)
		if (modp_all[i] == mp)
			return (const mpz_t *)&modp_prime[i];
	abort(); /* params not in modp_all */
}

const char *ke_modp_prime_hex(uint16_t group)
{
	for (size_t i = 0; i < MODP_N; i++)
		if (modp_all[i]->group == group)
			return modp_all[i]->p_hex;
	return NULL;
}

int ke_mpz_to_fixed(const mpz_t z, uint8_t *out, size_t len)
{
	size_t n, count = 0;

	if (mpz_sgn(z) < 0)
		return ERR_INVAL;
	if (mpz_sgn(z) == 0) {
		memset(out, 0, len);
		return 0;
	}
	n = (mpz_sizeinbase(z, 2) + 7) / 8;
	if (n > len)
		return ERR_OVERFLOW;
	memset(out, 0, len - n);
	mpz_export(out + (len - n), &count, 1, 1, 1, 0, z);
	return count == n ? 0 : ERR_CRYPTO;
}

void ke_mpz_wipe_clear(mpz_t z)
{
	/* _mp_alloc is the documented allocation size (GMP manual, "Integer
	 * Internals"); asking mpz_limbs_modify for no more than that never
	 * reallocates, so we zero the very block mpz_clear() frees. */
	mp_size_t n = z->_mp_alloc;

	if (n > 0) {
		mp_limb_t *limbs = mpz_limbs_modify(z, n);

		sodium_memzero(limbs, (size_t)n * sizeof(*limbs));
		mpz_limbs_finish(z, 0);
	}
	mpz_clear(z);
}

/* 1 < y < p-1 (RFC 6989 2.1): refuses 0, 1, p-1 and anything >= p. */
static bool modp_public_ok(const mpz_t y, const mpz_t p)
{
	mpz_t p_minus_1;
	bool ok;

	if (mpz_cmp_ui(y, 1) <= 0)
		return false;
	mpz_init(p_minus_1);
	mpz_sub_ui(p_minus_1, p, 1);
	ok = mpz_cmp(y, p_minus_1) < 0;
	mpz_clear(p_minus_1);
	return ok;
}

/* out = base^x mod p, plen octets; base already range-checked. */
static int modp_powm(const mpz_t p, size_t plen, const mpz_t base,
		     const uint8_t *x, size_t xlen, uint8_t *out)
{
	mpz_t exp, result;
	int rc;

	if (xlen == 0 || sodium_is_zero(x, xlen))
		return ERR_INVAL; /* mpz_powm_sec needs a positive exponent */
	/* Sized up front so GMP never reallocates (and leaves copies of) them. */
	mpz_init2(exp, (mp_bitcnt_t)xlen * 8);
	mpz_init2(result, (mp_bitcnt_t)plen * 8 + GMP_NUMB_BITS);
	mpz_import(exp, xlen, 1, 1, 1, 0, x);
	mpz_powm_sec(result, base, exp, p);
	rc = ke_mpz_to_fixed(result, out, plen);
	ke_mpz_wipe_clear(exp);
	ke_mpz_wipe_clear(result);
	return rc;
}

int ke_modp_powm(const uint8_t *p, size_t plen, const uint8_t *base,
		 const uint8_t *x, size_t xlen, uint8_t *out)
{
	mpz_t P, B;
	int rc;

	if (!p || plen == 0 || !(p[plen - 1] & 1))
		return ERR_INVAL; /* mpz_powm_sec needs an odd modulus */
	mpz_init(P);
	mpz_init(B);
	mpz_import(P, plen, 1, 1, 1, 0, p);
	mpz_import(B, plen, 1, 1, 1, 0, base);
	if (!modp_public_ok(B, P))
		rc = ERR_BAD_PUBLIC;
	else
		rc = modp_powm(P, plen, B, x, xlen, out);
	mpz_clear(P);
	mpz_clear(B);
	return rc;
}

static int modp_public(const struct ke_method *m, const uint8_t *priv,
		       size_t priv_len, uint8_t *pub)
{
	const struct modp_params *mp = m->impl->params;
	mpz_t g;
	int rc;

	mpz_init_set_ui(g, 2); /* every group here has generator 2 */
	rc = modp_powm(*modp_prime_of(mp), m->public_len, g, priv, priv_len, pub);
	mpz_clear(g);
	return rc;
}

static int modp_generate(const struct ke_method *m, uint8_t *priv,
			 size_t *priv_len, uint8_t *pub)
{
	const struct modp_params *mp = m->impl->params;
	size_t n = mp->exp_bits / 8;

	/* x in [2, 2^exp_bits); 0 and 1 would give a trivial public value. */
	do
		randombytes_buf(priv, n);
	while (sodium_is_zero(priv, n - 1) && priv[n - 1] < 2);
	*priv_len = n;
	return modp_public(m, priv, n, pub);
}

static int modp_from_private(const struct ke_method *m, const uint8_t *priv,
			     size_t priv_len, uint8_t *pub)
{
	if (sodium_is_zero(priv, priv_len))
		return ERR_INVAL;
	return modp_public(m, priv, priv_len, pub);
}

static int modp_agree(const struct ke_method *m, const uint8_t *priv,
		      size_t priv_len, const uint8_t *peer, uint8_t *shared)
{
	const struct modp_params *mp = m->impl->params;
	const mpz_t *p = modp_prime_of(mp);
	mpz_t y;
	int rc;

	mpz_init(y);
	mpz_import(y, m->public_len, 1, 1, 1, 0, peer);
	if (!modp_public_ok(y, *p))
		rc = ERR_BAD_PUBLIC;
	else
		rc = modp_powm(*p, m->shared_len, y, priv, priv_len, shared);
	mpz_clear(y);
	return rc;
}

#define MODP_IMPL(bits) \
	const struct ke_impl ke_modp_##bits##_impl = { \
		.priv_max = (bits) / 8, \
		.generate = modp_generate, \
		.from_private = modp_from_private, \
		.agree = modp_agree, \
		.params = &modp_##bits##_params, \
	}

MODP_IMPL(768);
MODP_IMPL(1024);
MODP_IMPL(1536);
MODP_IMPL(2048);
MODP_IMPL(3072);
MODP_IMPL(4096);
MODP_IMPL(6144);
MODP_IMPL(8192);
