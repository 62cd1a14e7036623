/*
 * v2_sk.c - SK payload protection (RFC 7296 3.14, RFC 5282 5.1,
 * RFC 7634 2, RFC 5930 for AES-CTR, RFC 7383 2.5 for SKF).
 */
#include <string.h>

#include <sodium.h>

#include "common/aead.h"
#include "common/cipher.h"
#include "common/err.h"
#include "common/integ.h"
#include "common/secret.h"
#include "v2/v2_names.h"
#include "v2/v2_sk.h"

/* Sizes of one suite, from the library descriptors the xform rows name. */
struct sk_suite {
	bool aead;
	size_t iv;
	size_t icv;
	size_t block; /* padding unit: the cipher block for CBC, 1 otherwise */
};

static int suite_of(const struct v2_sk_keys *k, struct sk_suite *s)
{
	const struct xform *e = k->encr;

	if (!e || e->type != XFORM_ENCR || !k->sk_e)
		return ERR_INVAL;
	s->aead = e->aead;
	if (e->aead) {
		enum aead_alg alg = (enum aead_alg)e->v2_id;

		/* RFC 5282 8 / RFC 7296 3.3.3: no integrity transform with an AEAD. */
		if (k->integ)
			return ERR_INVAL;
		if (aead_icv_len(alg) == 0)
			return ERR_UNSUPPORTED;
		if (k->sk_e_len != aead_keymat_len(alg, e->key_bits))
			return ERR_INVAL;
		s->iv = aead_iv_len(alg);
		s->icv = aead_icv_len(alg);
		s->block = 1;
		return 0;
	}
	enum cipher_alg calg = (enum cipher_alg)e->v2_id;

	if (cipher_block_len(calg) == 0)
		return ERR_UNSUPPORTED;
	if (k->sk_e_len != cipher_keymat_len(calg, e->key_bits))
		return ERR_INVAL;
	if (!k->integ || k->integ->type != XFORM_INTEG || !k->sk_a)
		return ERR_INVAL;
	if (integ_icv_len((enum integ_alg)k->integ->v2_id) == 0)
		return ERR_UNSUPPORTED;
	if (k->sk_a_len != integ_key_len((enum integ_alg)k->integ->v2_id))
		return ERR_INVAL;
	s->iv = cipher_iv_len(calg);
	s->icv = integ_icv_len((enum integ_alg)k->integ->v2_id);
	s->block = cipher_block_len(calg);
	return 0;
}

int v2_sk_keys_check(const struct v2_sk_keys *k)
{
	struct sk_suite s;

	return suite_of(k, &s);
}

static size_t pad_len(const struct sk_suite *s, size_t inner_len)
{
	/* Inner payloads + Padding + the Pad Length octet fill whole blocks. */
	return (s->block - (inner_len + 1) % s->block) % s->block;
}

size_t v2_sk_payload_len(const struct v2_sk_keys *k, size_t inner_len)
{
	struct sk_suite s;

	if (suite_of(k, &s))
		return 0;
	return V2_GENERIC_HEADER_LEN + s.iv + inner_len + pad_len(&s, inner_len) + 1 + s.icv;
}

int v2_iv_from_counter(void *counter, uint8_t *iv, size_t len)
{
	struct v2_iv_counter *c = counter;
	uint64_t v;

	if (c->next == UINT64_MAX || len < 8)
		return ERR_OVERFLOW;
	v = c->next++;
	memset(iv, 0, len);
	for (size_t i = 0; i < 8; i++)
		iv[len - 1 - i] = (uint8_t)(v >> (8 * i));
	return 0;
}

int v2_iv_random(void *arg, uint8_t *iv, size_t len)
{
	(void)arg;
	if (sodium_init() < 0)
		return ERR_CRYPTO;
	randombytes_buf(iv, len);
	return 0;
}

static int make_iv(const struct sk_suite *s, const struct v2_iv_source *ivs, uint8_t *iv)
{
	/* 3.14: a CBC IV must be unpredictable, so it never comes from a counter. */
	if (s->aead || s->block == 1) {
		if (ivs && ivs->fn)
			return ivs->fn(ivs->arg, iv, s->iv);
	}
	return v2_iv_random(NULL, iv, s->iv);
}

/* Encrypt in place and write the ICV, once every length field is final. */
static int seal_crypto(const struct v2_sk_keys *k, const struct sk_suite *s, uint8_t *buf,
		       size_t aad_len, size_t iv_at, size_t ct_len)
{
	uint8_t *ct = buf + iv_at + s->iv, *icv = ct + ct_len;
	int rc;

	if (s->aead)
		return aead_encrypt((enum aead_alg)k->encr->v2_id, k->sk_e, k->sk_e_len,
				    buf + iv_at, buf, aad_len, ct, ct_len, ct, icv);
	rc = cipher_encrypt((enum cipher_alg)k->encr->v2_id, k->sk_e, k->sk_e_len, buf + iv_at,
			    ct, ct_len, ct);
	if (rc)
		return rc;
	return integ_compute((enum integ_alg)k->integ->v2_id, k->sk_a, k->sk_a_len, buf,
			     (size_t)(icv - buf), icv);
}

/*
 * SK, or SKF with its numbering (RFC 7383 2.5): the numbering sits
 * between the generic header and the IV and is authenticated with it
 * (part of the associated data with an AEAD, under the ICV otherwise).
 */
static int seal_payload(struct v2_msg_out *out, const struct v2_sk_keys *k,
			const struct v2_iv_source *ivs, uint8_t pl_type, uint8_t first_inner,
			uint16_t number, uint16_t total, const uint8_t *inner, size_t inner_len,
			size_t *len)
{
	struct sk_suite s;
	uint8_t iv[CIPHER_MAX_IV];
	size_t start, iv_at, pad, ct_len, hdr;
	int rc = suite_of(k, &s);

	if (rc)
		return rc;
	rc = make_iv(&s, ivs, iv);
	if (rc)
		return rc;
	pad = pad_len(&s, inner_len);
	ct_len = inner_len + pad + 1;
	rc = v2_chain_open(&out->chain, pl_type, false, &start);
	if (rc)
		return rc;
	wr_patch_u8(&out->w, start, first_inner); /* the first payload inside (3.14, 7383 2.5) */
	hdr = V2_GENERIC_HEADER_LEN;
	if (pl_type == V2_PT_SKF) {
		wr_u16(&out->w, number);
		wr_u16(&out->w, total);
		hdr += 4;
	}
	iv_at = wr_len(&out->w);
	wr_bytes(&out->w, iv, s.iv);
	wr_bytes(&out->w, inner, inner_len);
	wr_zero(&out->w, pad);
	wr_u8(&out->w, (uint8_t)pad);
	wr_zero(&out->w, s.icv);
	rc = v2_chain_close(&out->chain, start);
	if (!rc)
		rc = v2_msg_out_finish(out, len);
	if (!rc)
		rc = seal_crypto(k, &s, out->w.p, start + hdr, iv_at, ct_len);
	if (rc && out->w.len > iv_at)
		secret_wipe(out->w.p + iv_at, out->w.len - iv_at); /* no plaintext left behind */
	return rc;
}

int v2_sk_seal(struct v2_msg_out *out, const struct v2_sk_keys *k,
	       const struct v2_iv_source *ivs, uint8_t first_inner,
	       const uint8_t *inner, size_t inner_len, size_t *len)
{
	if ((inner_len == 0) != (first_inner == V2_PT_NONE))
		return ERR_INVAL; /* an empty SK (e.g. a liveness check) has next payload 0 */
	return seal_payload(out, k, ivs, V2_PT_SK, first_inner, 0, 0, inner, inner_len, len);
}

int v2_sk_seal_fragment(struct v2_msg_out *out, const struct v2_sk_keys *k,
			const struct v2_iv_source *ivs, uint8_t first_inner, uint16_t number,
			uint16_t total, const uint8_t *chunk, size_t chunk_len, size_t *len)
{
	/* RFC 7383 2.5: numbered 1..total; only fragment 1 names the first inner payload */
	if (number == 0 || number > total || chunk_len == 0 ||
	    (number == 1) != (first_inner != V2_PT_NONE))
		return ERR_INVAL;
	return seal_payload(out, k, ivs, V2_PT_SKF, first_inner, number, total, chunk, chunk_len,
			    len);
}

size_t v2_skf_payload_len(const struct v2_sk_keys *k, size_t chunk_len)
{
	size_t n = v2_sk_payload_len(k, chunk_len);

	return n ? n + 4 : 0; /* the numbering (RFC 7383 2.5) */
}

/* Split the payload into IV, ciphertext and ICV; check the sizes. */
static int locate(const struct sk_suite *s, size_t msg_len, size_t pl_off, size_t pl_hdr_len,
		  size_t cap, size_t *body_at, size_t *ct_len)
{
	size_t body_len;

	if (pl_off > msg_len || pl_hdr_len > msg_len - pl_off)
		return ERR_INVAL;
	*body_at = pl_off + pl_hdr_len;
	body_len = msg_len - *body_at;
	if (body_len < s->iv + s->icv + 1)
		return ERR_PARSE; /* not even room for the Pad Length octet */
	*ct_len = body_len - s->iv - s->icv;
	if (*ct_len % s->block)
		return ERR_PARSE;
	return cap < *ct_len ? ERR_OVERFLOW : 0;
}

/* Remove Padding and Pad Length; any padding content is accepted (3.14). */
static int unpad(uint8_t *plain, size_t ct_len, size_t *plain_len)
{
	uint8_t padlen = plain[ct_len - 1];

	if (padlen > ct_len - 1) {
		memset(plain, 0, ct_len);
		return ERR_PARSE;
	}
	*plain_len = ct_len - 1 - padlen;
	return 0;
}

static int open_common(const struct v2_sk_keys *k, const uint8_t *msg, size_t msg_len,
		       size_t pl_off, size_t pl_hdr_len, uint8_t *plain, size_t cap,
		       size_t *plain_len, bool verify)
{
	struct sk_suite s;
	size_t body_at, ct_len;
	const uint8_t *iv, *ct, *icv;
	int rc = suite_of(k, &s);

	if (!rc)
		rc = locate(&s, msg_len, pl_off, pl_hdr_len, cap, &body_at, &ct_len);
	if (rc)
		return rc;
	iv = msg + body_at;
	ct = iv + s.iv;
	icv = ct + ct_len;
	if (s.aead) {
		if (!verify)
			return ERR_UNSUPPORTED;
		/* RFC 5282 5.1: AAD = IKE header .. end of the SK generic header. */
		rc = aead_decrypt((enum aead_alg)k->encr->v2_id, k->sk_e, k->sk_e_len, iv, msg,
				  body_at, ct, ct_len, icv, plain);
		if (rc)
			return rc;
	} else {
		if (verify && !integ_verify((enum integ_alg)k->integ->v2_id, k->sk_a, k->sk_a_len,
					    msg, msg_len - s.icv, icv)) {
			memset(plain, 0, ct_len);
			return ERR_INTEGRITY;
		}
		rc = cipher_decrypt((enum cipher_alg)k->encr->v2_id, k->sk_e, k->sk_e_len, iv, ct,
				    ct_len, plain);
		if (rc)
			return rc;
	}
	return unpad(plain, ct_len, plain_len);
}

int v2_sk_open(const struct v2_sk_keys *k, const uint8_t *msg, size_t msg_len, size_t pl_off,
	       size_t pl_hdr_len, uint8_t *plain, size_t cap, size_t *plain_len)
{
	return open_common(k, msg, msg_len, pl_off, pl_hdr_len, plain, cap, plain_len, true);
}

int v2_sk_decrypt_unverified_for_test(const struct v2_sk_keys *k, const uint8_t *msg,
				      size_t msg_len, size_t pl_off, size_t pl_hdr_len,
				      uint8_t *plain, size_t cap, size_t *plain_len)
{
	return open_common(k, msg, msg_len, pl_off, pl_hdr_len, plain, cap, plain_len, false);
}

int v2_sk_unprotect(struct v2_msg *m, const struct v2_sk_keys *k, uint8_t *plain, size_t cap,
		    size_t *plain_len)
{
	/* SKF: Fragment Number and Total Fragments are authenticated too. */
	size_t hdr = V2_GENERIC_HEADER_LEN + (m->enc_type == V2_PT_SKF ? 4 : 0);
	int rc;

	if (!m->encrypted)
		return ERR_STATE;
	rc = v2_sk_open(k, m->raw.p, m->raw.len, m->enc_offset, hdr, plain, cap, plain_len);
	if (rc || m->enc_type == V2_PT_SKF)
		return rc;
	return v2_msg_parse_inner(m, plain, *plain_len);
}
