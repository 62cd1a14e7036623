/*
 * v1_pubkey.c - a connection's credentials for IKEv1 signature
 * authentication (v1_pubkey.h): checked once when attached, so the engine
 * can rely on a certificate, the key that matches it, and an authentication
 * method the key can sign (RFC 2409 appendix A: 3, RSA signatures; RFC
 * 4754 4: 9, 10, 11, ECDSA on P-256, P-384, P-521).
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
 * The method our key signs with, offered in our phase 1 proposals and
 * required of the peer's (RFC 4754 4: the curve fixes the method; how the
 * ECDSA signature is made: v1_auth_sig.c scheme_of). Ed25519 has no IKEv1
 * method at all: 0.
 */
static uint16_t method_for(enum sig_key_type t)
{
	switch (t) {
	case SIG_KEY_RSA: return V1_AUTH_RSA_SIG;
	case SIG_KEY_ECDSA_P256: return V1_AUTH_ECDSA_256;
	case SIG_KEY_ECDSA_P384: return V1_AUTH_ECDSA_384;
	case SIG_KEY_ECDSA_P521: return V1_AUTH_ECDSA_521;
	default: return 0;
	}
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
		return refuse(why, why_len, "IKEv1 has no authentication method for an Ed25519 "
			      "key (RFC 2409 and RFC 4754 define RSA, DSS and ECDSA P-256/P-384/"
			      "P-521 only): use an RSA or ECDSA certificate, or IKEv2 (RFC 8420) "
			      "for this key");
	if (!c->local_id && cert_subject_id(pk->chain.certs[0], &c->local_id) < 0)
		return refuse(why, why_len, "the certificate has no subject DN to use as "
			      "local identity; set local_id");
	pk->auth_method = method;
	v1_pubkey_free(c->pubkey);
	c->pubkey = pk;
	return 0;
}
