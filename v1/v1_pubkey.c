/*
 * v1_pubkey.c - a connection's credentials for IKEv1 signature
 * authentication (v1_pubkey.h): checked once when attached, so the engine
 * can rely on a certificate, the key that matches it, and an authentication
 * method the key can sign (RFC 2409 appendix A: 3, RSA signatures).
 */
#include <stdio.h>
#include <stdlib.h>

#include "common/err.h"
#include "v1/v1_names.h"
#include "v1/v1_pubkey.h"

int v1_pubkey_new(struct v1_pubkey **out)
{
	*out = calloc(1, sizeof(**out));
	return *out ? 0 : ERR_NOMEM;
}

void v1_pubkey_free(struct v1_pubkey *pk)
{
	if (!pk)
		return;
	cert_chain_clear(&pk->chain);
	sig_privkey_free(pk->key);
	cert_store_free(pk->store);
	cert_free(pk->peer_cert);
	free(pk);
}

/*
 * RSA only. ECDSA (methods 9-11) is what RFC 4754 adds, but the peers in
 * the field (strongSwan) sign HASH_I / HASH_R itself as the ECDSA digest,
 * and common/sig.h offers ECDSA only over a hash it computes: an ECDSA
 * signature of ours would not verify there. Until sig.h has that scheme,
 * ECDSA keys are refused for IKEv1 with that reason; Ed25519 has no IKEv1
 * method at all.
 */
static uint16_t method_for(enum sig_key_type t)
{
	return t == SIG_KEY_RSA ? V1_AUTH_RSA_SIG : 0;
}

/* why says what is wrong; the caller's line names the connection */
static int refuse(char *why, size_t len, const char *text)
{
	if (why && len)
		snprintf(why, len, "%s", text);
	return ERR_INVAL;
}

int v1_pubkey_attach(struct v1_conn *c, struct v1_pubkey *pk, char *why, size_t why_len)
{
	uint16_t method;

	if (!pk->chain.n || !pk->key)
		return refuse(why, why_len, "auth = pubkey needs a certificate (cert) and "
			      "its private key (key)");
	if (!cert_matches_privkey(pk->chain.certs[0], pk->key))
		return refuse(why, why_len, "the private key (key) does not belong to the "
			      "certificate (cert)");
	if ((!pk->store || cert_store_ca_count(pk->store) == 0) && !pk->peer_cert)
		return refuse(why, why_len, "no trust anchor (ca) and no peer certificate: "
			      "nothing to check the peer's certificate with");
	method = method_for(sig_privkey_type(pk->key));
	if (!method)
		return refuse(why, why_len, "IKEv1 signs with RSA keys only here (ECDSA "
			      "as peers do it, over HASH_I itself, is not available yet; Ed25519 "
			      "has no IKEv1 method): use an RSA certificate or IKEv2 for this key");
	if (!c->local_id && cert_subject_id(pk->chain.certs[0], &c->local_id) < 0)
		return refuse(why, why_len, "the certificate has no subject DN to use as "
			      "local identity; set local_id");
	pk->auth_method = method;
	v1_pubkey_free(c->pubkey);
	c->pubkey = pk;
	return 0;
}
