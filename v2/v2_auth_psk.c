/*
 * v2_auth_psk.c - the AUTH payload for a pre-shared key (RFC 7296 2.15):
 *
 *   AUTH = prf( prf(Shared Secret, "Key Pad for IKEv2"), <SignedOctets>)
 *   InitiatorSignedOctets = RealMessage1 | NonceRData | prf(SK_pi, RestOfInitIDPayload)
 *   ResponderSignedOctets = RealMessage2 | NonceIData | prf(SK_pr, RestOfRespIDPayload)
 *
 * RestOf*IDPayload is the ID payload's body (type, reserved, data). The pad
 * string is the 17 ASCII characters without a terminating NUL.
 * The keyed outer prf comes from v2_psk_cache.c (one per PSK, not per SA).
 * v2_auth_octets() builds the signed octets; signatures (v2_auth_sig.c)
 * sign the same three chunks.
 */
#include <string.h>

#include "common/err.h"
#include "common/prfplus.h"
#include "v2/v2_ike_sa.h"

int v2_auth_octets(const struct v2_ike_sa *sa, bool of_initiator, const uint8_t *id_body,
		   size_t id_len, uint8_t maced_id[PRF_MAX_OUT], struct prf_input *in)
{
	enum prf_alg prf = (enum prf_alg)sa->ike.prf->v2_id;
	const struct secret *sk_p = of_initiator ? sa->keys.sk_pi : sa->keys.sk_pr;
	int rc;

	if (!sa->have_keys)
		return ERR_INVAL;
	rc = prf_once(prf, sk_p->bytes, sk_p->len, id_body, id_len, maced_id);
	in[0].p = of_initiator ? sa->init_i : sa->init_r;
	in[0].len = of_initiator ? sa->init_i_len : sa->init_r_len;
	in[1].p = of_initiator ? sa->nr : sa->ni;
	in[1].len = of_initiator ? sa->nr_len : sa->ni_len;
	in[2].p = maced_id;
	in[2].len = prf_out_len(prf);
	return rc;
}

int v2_auth_psk_key(const struct v2_ike_sa *sa, const struct secret *psk, struct v2_psk_key *k)
{
	enum prf_alg prf = (enum prf_alg)sa->ike.prf->v2_id;
	int rc;

	k->ready = false;
	if (!psk || !sa->have_keys)
		return ERR_INVAL;
	/* the inner prf(PSK, pad) is the same for every SA with this PSK */
	rc = v2_psk_cache_get(sa->eng ? &sa->eng->psk_cache : NULL, prf, psk, &k->keyed);
	if (rc)
		v2_auth_psk_key_wipe(k);
	else
		k->ready = true;
	return rc;
}

int v2_auth_psk_mac(const struct v2_ike_sa *sa, bool of_initiator, const struct v2_psk_key *k,
		    const uint8_t *id_body, size_t id_len, uint8_t *out, size_t *out_len)
{
	uint8_t maced_id[PRF_MAX_OUT];
	struct prf_input in[3];
	struct prf_ctx c;
	int rc;

	if (!k->ready)
		return ERR_INVAL;
	rc = v2_auth_octets(sa, of_initiator, id_body, id_len, maced_id, in);
	if (rc == 0) {
		c = k->keyed;
		for (size_t i = 0; i < 3; i++)
			prf_update(&c, in[i].p, in[i].len);
		*out_len = prf_out_len(c.alg);
		prf_final(&c, out); /* wipes c */
	}
	secret_wipe(maced_id, sizeof(maced_id));
	return rc;
}

void v2_auth_psk_key_wipe(struct v2_psk_key *k)
{
	secret_wipe(k, sizeof(*k));
}

int v2_auth_psk_compute(const struct v2_ike_sa *sa, bool of_initiator, const struct secret *psk,
			const uint8_t *id_body, size_t id_len, uint8_t *out, size_t *out_len)
{
	struct v2_psk_key k;
	int rc = v2_auth_psk_key(sa, psk, &k);

	if (rc == 0)
		rc = v2_auth_psk_mac(sa, of_initiator, &k, id_body, id_len, out, out_len);
	v2_auth_psk_key_wipe(&k);
	return rc;
}
