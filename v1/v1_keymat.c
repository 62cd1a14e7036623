/*
 * v1_keymat.c - the IKEv1 key schedule (see v1_keymat.h): RFC 2409
 * section 5 (SKEYID and its three children), 5.5 (Quick Mode KEYMAT) and
 * appendix B (encryption key stretching, IVs).
 */
#include <string.h>

#include "common/err.h"
#include "common/prfplus.h"
#include "v1/v1_keymat.h"

#define N_(a) (sizeof(a) / sizeof((a)[0]))

/* SKEYID_x = prf(SKEYID, [previous |] g^xy | CKY-I | CKY-R | x), section 5. */
static int skeyid_child(enum prf_alg prf, const uint8_t *skeyid, size_t skeyid_len,
			const struct secret *prev, const struct v1_phase1_inputs *in,
			uint8_t x, struct secret **out)
{
	struct prf_input parts[] = {
		{ prev ? prev->bytes : NULL, prev ? prev->len : 0 },
		{ in->gxy, in->gxy_len },
		{ in->cky_i, V1_COOKIE_LEN },
		{ in->cky_r, V1_COOKIE_LEN },
		{ &x, 1 },
	};
	struct secret *s = secret_new(prf_out_len(prf));
	int rc;

	if (!s)
		return ERR_NOMEM;
	rc = prf_chunks(prf, skeyid, skeyid_len, parts, N_(parts), s->bytes);
	if (rc) {
		secret_free(s);
		return rc;
	}
	*out = s;
	return 0;
}

int v1_keyset_from_skeyid(struct v1_keyset *ks, enum prf_alg prf,
			  const uint8_t *skeyid, size_t skeyid_len,
			  const struct v1_phase1_inputs *in)
{
	struct v1_keyset k = { .prf = prf };
	int rc;

	if (!prf_out_len(prf))
		return ERR_UNSUPPORTED;
	k.skeyid = secret_dup(skeyid, skeyid_len);
	if (!k.skeyid) {
		rc = ERR_NOMEM;
		goto fail;
	}
	rc = skeyid_child(prf, skeyid, skeyid_len, NULL, in, 0, &k.skeyid_d);
	if (!rc)
		rc = skeyid_child(prf, skeyid, skeyid_len, k.skeyid_d, in, 1, &k.skeyid_a);
	if (!rc)
		rc = skeyid_child(prf, skeyid, skeyid_len, k.skeyid_a, in, 2, &k.skeyid_e);
	if (rc)
		goto fail;
	*ks = k; /* commit only when all four exist */
	return 0;
fail:
	v1_keyset_free(&k);
	return rc;
}

int v1_keyset_psk(struct v1_keyset *ks, enum prf_alg prf,
		  const uint8_t *psk, size_t psk_len, const struct v1_phase1_inputs *in)
{
	struct prf_input nonces[] = { { in->ni, in->ni_len }, { in->nr, in->nr_len } };
	uint8_t skeyid[PRF_MAX_OUT];
	int rc;

	rc = prf_chunks(prf, psk, psk_len, nonces, N_(nonces), skeyid);
	if (!rc)
		rc = v1_keyset_from_skeyid(ks, prf, skeyid, prf_out_len(prf), in);
	secret_wipe(skeyid, sizeof(skeyid));
	return rc;
}

int v1_keyset_sig(struct v1_keyset *ks, enum prf_alg prf, const struct v1_phase1_inputs *in)
{
	struct prf_input gxy = { in->gxy, in->gxy_len };
	uint8_t key[2 * 256], skeyid[PRF_MAX_OUT];
	int rc = ERR_INVAL;

	/* The key is Ni_b | Nr_b; nonces are at most 256 bytes each (RFC 2409 5). */
	if (in->ni_len > 256 || in->nr_len > 256)
		return ERR_INVAL;
	memcpy(key, in->ni, in->ni_len);
	memcpy(key + in->ni_len, in->nr, in->nr_len);
	rc = prf_chunks(prf, key, in->ni_len + in->nr_len, &gxy, 1, skeyid);
	if (!rc)
		rc = v1_keyset_from_skeyid(ks, prf, skeyid, prf_out_len(prf), in);
	secret_wipe(key, sizeof(key));
	secret_wipe(skeyid, sizeof(skeyid));
	return rc;
}

void v1_keyset_free(struct v1_keyset *ks)
{
	secret_free(ks->skeyid);
	secret_free(ks->skeyid_d);
	secret_free(ks->skeyid_a);
	secret_free(ks->skeyid_e);
	ks->skeyid = ks->skeyid_d = ks->skeyid_a = ks->skeyid_e = NULL;
}

int v1_enc_key(const struct v1_keyset *ks, size_t key_len, struct secret **key)
{
	size_t block = prf_out_len(ks->prf), done = 0;
	struct secret *k;
	uint8_t kn[PRF_MAX_OUT];
	uint8_t zero = 0;
	int rc = 0;

	if (!ks->skeyid_e || !block)
		return ERR_INVAL;
	k = secret_new(key_len);
	if (!k)
		return ERR_NOMEM;
	if (ks->skeyid_e->len >= key_len) {
		memcpy(k->bytes, ks->skeyid_e->bytes, key_len);
		*key = k;
		return 0;
	}
	/* Appendix B: K1 = prf(SKEYID_e, 0), Kn = prf(SKEYID_e, Kn-1). */
	for (const uint8_t *msg = &zero; done < key_len; msg = kn) {
		size_t take = key_len - done < block ? key_len - done : block;

		rc = prf_once(ks->prf, ks->skeyid_e->bytes, ks->skeyid_e->len,
			      msg, msg == &zero ? 1 : block, kn);
		if (rc)
			break;
		memcpy(k->bytes + done, kn, take);
		done += take;
	}
	secret_wipe(kn, sizeof(kn));
	if (rc) {
		secret_free(k);
		return rc;
	}
	*key = k;
	return 0;
}

/* hash(a | b) truncated to out_len bytes, which must not exceed the digest. */
static int hash_two(enum hash_alg hash, const void *a, size_t a_len, const void *b, size_t b_len,
		    size_t out_len, uint8_t *out)
{
	uint8_t d[HASH_MAX_DIGEST];
	struct hash_ctx c;
	int rc;

	if (out_len == 0 || out_len > hash_digest_len(hash))
		return ERR_INVAL;
	rc = hash_init(&c, hash);
	if (rc)
		return rc;
	hash_update(&c, a, a_len);
	hash_update(&c, b, b_len);
	hash_final(&c, d);
	memcpy(out, d, out_len);
	secret_wipe(d, sizeof(d));
	return 0;
}

int v1_iv_phase1(enum hash_alg hash, const uint8_t *gxi, size_t gxi_len,
		 const uint8_t *gxr, size_t gxr_len, size_t block_size, uint8_t *iv)
{
	return hash_two(hash, gxi, gxi_len, gxr, gxr_len, block_size, iv);
}

int v1_iv_phase2(enum hash_alg hash, const uint8_t *last_block, size_t block_size,
		 uint32_t msg_id, uint8_t *iv)
{
	uint8_t mid[4] = { (uint8_t)(msg_id >> 24), (uint8_t)(msg_id >> 16),
			   (uint8_t)(msg_id >> 8), (uint8_t)msg_id };

	return hash_two(hash, last_block, block_size, mid, sizeof(mid), block_size, iv);
}

int v1_keymat(const struct v1_keyset *ks, const struct v1_keymat_inputs *in,
	      size_t len, struct secret **keymat)
{
	size_t block = prf_out_len(ks->prf), done = 0;
	uint8_t kn[PRF_MAX_OUT];
	struct prf_input parts[] = {
		{ kn, 0 }, /* Kn-1: empty for K1 */
		{ in->g_qm, in->g_qm_len },
		{ &in->protocol, 1 },
		{ in->spi, in->spi_len },
		{ in->ni, in->ni_len },
		{ in->nr, in->nr_len },
	};
	struct secret *k;
	int rc = 0;

	if (!ks->skeyid_d || !block)
		return ERR_INVAL;
	k = secret_new(len);
	if (!k)
		return ERR_NOMEM;
	while (done < len) {
		size_t take = len - done < block ? len - done : block;

		rc = prf_chunks(ks->prf, ks->skeyid_d->bytes, ks->skeyid_d->len,
				parts, N_(parts), kn);
		if (rc)
			break;
		parts[0].len = block;
		memcpy(k->bytes + done, kn, take);
		done += take;
	}
	secret_wipe(kn, sizeof(kn));
	if (rc) {
		secret_free(k);
		return rc;
	}
	*keymat = k;
	return 0;
}
