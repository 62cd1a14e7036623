/*
 * v1_crypt.c - IKEv1 message encryption with IV chaining (RFC 2409
 * appendix B) and the Quick Mode / Informational HASH payloads (RFC 2409
 * 5.5, 5.7). The choices on padding are explained in v1_crypt.h.
 */
#include <string.h>

#include "common/err.h"
#include "v1/v1_crypt.h"
#include "v1/v1_keymat.h"
#include "v1/v1_names.h"

int v1_crypt_init(struct v1_crypt *c, enum cipher_alg alg, const uint8_t *key, size_t key_len)
{
	memset(c, 0, sizeof(*c));
	if (alg != CIPHER_3DES && alg != CIPHER_AES_CBC)
		return ERR_UNSUPPORTED;
	if (!cipher_key_len_valid(alg, (unsigned)key_len * 8) ||
	    cipher_keymat_len(alg, (unsigned)key_len * 8) != key_len)
		return ERR_INVAL;
	c->key = secret_dup(key, key_len);
	if (!c->key)
		return ERR_NOMEM;
	c->alg = alg;
	c->block = cipher_block_len(alg);
	return 0;
}

void v1_crypt_free(struct v1_crypt *c)
{
	secret_free(c->key);
	memset(c, 0, sizeof(*c));
}

int v1_crypt_iv_phase1(const struct v1_crypt *c, enum hash_alg hash, const uint8_t *gxi,
		       size_t gxi_len, const uint8_t *gxr, size_t gxr_len, struct v1_iv *iv)
{
	if (!c->key || hash_digest_len(hash) < c->block)
		return ERR_INVAL;
	iv->len = c->block;
	return v1_iv_phase1(hash, gxi, gxi_len, gxr, gxr_len, c->block, iv->b);
}

int v1_crypt_iv_msgid(const struct v1_crypt *c, enum hash_alg hash,
		      const struct v1_iv *phase1_last, uint32_t msg_id, struct v1_iv *iv)
{
	if (!c->key || phase1_last->len != c->block || hash_digest_len(hash) < c->block)
		return ERR_INVAL;
	iv->len = c->block;
	return v1_iv_phase2(hash, phase1_last->b, c->block, msg_id, iv->b);
}

int v1_crypt_seal(const struct v1_crypt *c, const struct v1_iv *iv, uint8_t *msg, size_t len,
		  size_t cap, size_t *out_len, struct v1_iv *next)
{
	size_t body, pad, total;
	int rc;

	if (!c->key || iv->len != c->block || len < V1_HDR_LEN + 4 || len > cap)
		return ERR_INVAL;
	body = len - V1_HDR_LEN;
	pad = (c->block - body % c->block) % c->block;
	total = len + pad;
	if (total > cap || total > UINT32_MAX)
		return ERR_OVERFLOW;
	memset(msg + len, 0, pad);
	msg[19] |= V1_FLAG_ENCRYPTION;
	msg[24] = (uint8_t)(total >> 24);
	msg[25] = (uint8_t)(total >> 16);
	msg[26] = (uint8_t)(total >> 8);
	msg[27] = (uint8_t)total;
	rc = cipher_encrypt(c->alg, c->key->bytes, c->key->len, iv->b, msg + V1_HDR_LEN,
			    total - V1_HDR_LEN, msg + V1_HDR_LEN);
	if (rc < 0)
		return rc;
	memcpy(next->b, msg + total - c->block, c->block);
	next->len = c->block;
	*out_len = total;
	return 0;
}

int v1_crypt_open(const struct v1_crypt *c, const struct v1_iv *iv, const uint8_t *msg,
		  size_t len, uint8_t *out, size_t cap, struct v1_iv *next)
{
	size_t body;
	int rc;

	if (!c->key || iv->len != c->block || cap < len)
		return ERR_INVAL;
	if (len <= V1_HDR_LEN || (len - V1_HDR_LEN) % c->block != 0)
		return ERR_PARSE;
	body = len - V1_HDR_LEN;
	memcpy(out, msg, V1_HDR_LEN);
	/* Keep the last block first: out may be msg. */
	memcpy(next->b, msg + len - c->block, c->block);
	next->len = c->block;
	rc = cipher_decrypt(c->alg, c->key->bytes, c->key->len, iv->b, msg + V1_HDR_LEN, body,
			    out + V1_HDR_LEN);
	return rc;
}

/* ---- HASH(1), HASH(2), HASH(3) ---- */

static void put_msgid(struct prf_ctx *p, uint32_t msg_id)
{
	uint8_t m[4] = { (uint8_t)(msg_id >> 24), (uint8_t)(msg_id >> 16),
			 (uint8_t)(msg_id >> 8), (uint8_t)msg_id };

	prf_update(p, m, sizeof(m));
}

int v1_hash_2(enum prf_alg prf, const uint8_t *skeyid_a, size_t a_len, uint32_t msg_id,
	      const uint8_t *ni_b, size_t ni_len, const uint8_t *after_hash, size_t after_len,
	      uint8_t *out)
{
	struct prf_ctx p;
	int rc = prf_init(&p, prf, skeyid_a, a_len);

	if (rc < 0)
		return rc;
	put_msgid(&p, msg_id);
	prf_update(&p, ni_b, ni_len);
	prf_update(&p, after_hash, after_len);
	prf_final(&p, out);
	return 0;
}

/* HASH(1) is HASH(2) without Ni_b (RFC 2409 5.5). */
int v1_hash_1(enum prf_alg prf, const uint8_t *skeyid_a, size_t a_len, uint32_t msg_id,
	      const uint8_t *after_hash, size_t after_len, uint8_t *out)
{
	return v1_hash_2(prf, skeyid_a, a_len, msg_id, NULL, 0, after_hash, after_len, out);
}

int v1_hash_3(enum prf_alg prf, const uint8_t *skeyid_a, size_t a_len, uint32_t msg_id,
	      const uint8_t *ni_b, size_t ni_len, const uint8_t *nr_b, size_t nr_len,
	      uint8_t *out)
{
	static const uint8_t zero = 0;
	struct prf_ctx p;
	int rc = prf_init(&p, prf, skeyid_a, a_len);

	if (rc < 0)
		return rc;
	prf_update(&p, &zero, 1);
	put_msgid(&p, msg_id);
	prf_update(&p, ni_b, ni_len);
	prf_update(&p, nr_b, nr_len);
	prf_final(&p, out);
	return 0;
}
