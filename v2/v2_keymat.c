/*
 * v2_keymat.c - the IKEv2 key schedule (see v2_keymat.h): RFC 7296 2.13
 * (prf+), 2.14 (SKEYSEED, the seven SK_* keys), 2.17 (Child SA KEYMAT) and
 * 2.18 (SKEYSEED of a rekeyed IKE SA).
 */
#include <string.h>

#include "common/err.h"
#include "common/prfplus.h"
#include "v2/v2_keymat.h"

#define N_(a) (sizeof(a) / sizeof((a)[0]))

/* Nonces are 16..256 bytes (2.10), so Ni | Nr fits here. */
#define V2_NONCE_MAX 256

int v2_skeyseed(enum prf_alg prf, const uint8_t *ni, size_t ni_len,
		const uint8_t *nr, size_t nr_len, const uint8_t *gir, size_t gir_len,
		struct secret **skeyseed)
{
	uint8_t key[2 * V2_NONCE_MAX];
	size_t len_i = ni_len, len_r = nr_len;
	struct prf_input in = { gir, gir_len };
	struct secret *s;
	int rc;

	if (!prf_out_len(prf))
		return ERR_UNSUPPORTED;
	if (ni_len > V2_NONCE_MAX || nr_len > V2_NONCE_MAX)
		return ERR_INVAL;
	if (prf_fixed_key(prf) && ni_len + nr_len != prf_key_len(prf)) {
		/* 2.14: half the bits from Ni and half from Nr, the first bits of each. */
		len_i = len_r = prf_key_len(prf) / 2;
		if (ni_len < len_i || nr_len < len_r)
			return ERR_INVAL;
	}
	s = secret_new(prf_out_len(prf));
	if (!s)
		return ERR_NOMEM;
	memcpy(key, ni, len_i);
	memcpy(key + len_i, nr, len_r);
	rc = prf_chunks(prf, key, len_i + len_r, &in, 1, s->bytes);
	secret_wipe(key, sizeof(key));
	if (rc) {
		secret_free(s);
		return rc;
	}
	*skeyseed = s;
	return 0;
}

int v2_skeyseed_rekey(enum prf_alg old_prf, const struct secret *old_sk_d,
		      const uint8_t *gir, size_t gir_len, const uint8_t *ni, size_t ni_len,
		      const uint8_t *nr, size_t nr_len, struct secret **skeyseed)
{
	struct prf_input in[] = { { gir, gir_len }, { ni, ni_len }, { nr, nr_len } };
	struct secret *s;
	int rc;

	if (!old_sk_d || !prf_out_len(old_prf))
		return old_sk_d ? ERR_UNSUPPORTED : ERR_INVAL;
	s = secret_new(prf_out_len(old_prf));
	if (!s)
		return ERR_NOMEM;
	rc = prf_chunks(old_prf, old_sk_d->bytes, old_sk_d->len, in, N_(in), s->bytes);
	if (rc) {
		secret_free(s);
		return rc;
	}
	*skeyseed = s;
	return 0;
}

int v2_ike_keys_derive(struct v2_ike_keys *keys, enum prf_alg prf,
		       const struct secret *skeyseed,
		       const uint8_t *ni, size_t ni_len, const uint8_t *nr, size_t nr_len,
		       const uint8_t spi_i[V2_SPI_LEN], const uint8_t spi_r[V2_SPI_LEN],
		       size_t integ_len, size_t encr_len)
{
	struct prf_input seed[] = { { ni, ni_len }, { nr, nr_len },
				    { spi_i, V2_SPI_LEN }, { spi_r, V2_SPI_LEN } };
	struct v2_ike_keys k = { .prf = prf };
	size_t pk = prf_key_len(prf);
	/* 2.14 order: SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr */
	struct secret **slot[] = { &k.sk_d, &k.sk_ai, &k.sk_ar, &k.sk_ei, &k.sk_er, &k.sk_pi, &k.sk_pr };
	const size_t len[] = { pk, integ_len, integ_len, encr_len, encr_len, pk, pk };
	struct secret *dkm = NULL;
	size_t total = 0, off = 0;
	int rc = ERR_NOMEM;

	if (!pk)
		return ERR_UNSUPPORTED;
	if (!skeyseed || integ_len > 1024 || encr_len > 1024)
		return ERR_INVAL;
	for (size_t i = 0; i < N_(len); i++)
		total += len[i];
	if (total > prfplus_max_len(prf))
		return ERR_OVERFLOW;
	dkm = secret_new(total);
	if (!dkm)
		return ERR_NOMEM;
	rc = prfplus(prf, skeyseed->bytes, skeyseed->len, seed, N_(seed), dkm->bytes, total);
	for (size_t i = 0; !rc && i < N_(slot); i++) {
		*slot[i] = secret_dup(dkm->bytes + off, len[i]);
		off += len[i];
		if (!*slot[i])
			rc = ERR_NOMEM;
	}
	secret_free(dkm);
	if (rc) {
		v2_ike_keys_free(&k);
		return rc;
	}
	*keys = k; /* commit only when all seven exist */
	return 0;
}

void v2_ike_keys_free(struct v2_ike_keys *keys)
{
	secret_free(keys->sk_d);
	secret_free(keys->sk_ai);
	secret_free(keys->sk_ar);
	secret_free(keys->sk_ei);
	secret_free(keys->sk_er);
	secret_free(keys->sk_pi);
	secret_free(keys->sk_pr);
	keys->sk_d = keys->sk_ai = keys->sk_ar = keys->sk_ei = NULL;
	keys->sk_er = keys->sk_pi = keys->sk_pr = NULL;
}

int v2_child_keymat(enum prf_alg prf, const struct secret *sk_d,
		    const uint8_t *gir, size_t gir_len,
		    const uint8_t *ni, size_t ni_len, const uint8_t *nr, size_t nr_len,
		    size_t len, struct secret **keymat)
{
	struct prf_input seed[] = { { gir, gir_len }, { ni, ni_len }, { nr, nr_len } };
	struct secret *k;
	int rc;

	if (!sk_d)
		return ERR_INVAL;
	k = secret_new(len);
	if (!k)
		return ERR_NOMEM;
	rc = prfplus(prf, sk_d->bytes, sk_d->len, seed, N_(seed), k->bytes, len);
	if (rc) {
		secret_free(k);
		return rc;
	}
	*keymat = k;
	return 0;
}
