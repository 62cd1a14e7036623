/*
 * v2_auth_psk.c - the AUTH payload for a pre-shared key (RFC 7296 2.15):
 *
 *   AUTH = prf( prf(Shared Secret, "Key Pad for IKEv2"), <SignedOctets>)
 *   InitiatorSignedOctets = RealMessage1 | NonceRData | prf(SK_pi, RestOfInitIDPayload)
 *   ResponderSignedOctets = RealMessage2 | NonceIData | prf(SK_pr, RestOfRespIDPayload)
 *
 * RestOf*IDPayload is the ID payload's body (type, reserved, data). The pad
 * string is the 17 ASCII characters without a terminating NUL.
 * v2_auth_octets() builds the signed octets; signatures (v2_auth_sig.c)
 * sign the same three chunks.
 */
#include <string.h>

#include "common/err.h"
#include "common/prfplus.h"
#include "v2/v2_ike_sa.h"

#define KEY_PAD "Key Pad for IKEv2"

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

int v2_auth_psk_compute(const struct v2_ike_sa *sa, bool of_initiator, const struct secret *psk,
			const uint8_t *id_body, size_t id_len, uint8_t *out, size_t *out_len)
{
	enum prf_alg prf = (enum prf_alg)sa->ike.prf->v2_id;
	uint8_t maced_id[PRF_MAX_OUT], key[PRF_MAX_OUT];
	size_t n = prf_out_len(prf);
	struct prf_input in[3];
	int rc;

	if (!psk || !sa->have_keys)
		return ERR_INVAL;
	rc = v2_auth_octets(sa, of_initiator, id_body, id_len, maced_id, in);
	if (rc == 0)
		rc = prf_once(prf, psk->bytes, psk->len, KEY_PAD, strlen(KEY_PAD), key);
	if (rc == 0)
		rc = prf_chunks(prf, key, n, in, 3, out);
	if (rc == 0)
		*out_len = n;
	secret_wipe(key, sizeof(key));
	secret_wipe(maced_id, sizeof(maced_id));
	return rc;
}
