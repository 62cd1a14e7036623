/*
 * engine_v1_cert.c - see engine_v1_cert.h. The configuration has already
 * checked the files (conf_cert_finish: the key is the certificate's, the
 * chain validates); what is left here is copying references and loading a
 * trust store the connection owns.
 */
#include <stdio.h>
#include <sys/stat.h>

#include "common/err.h"
#include "common/log.h"
#include "src/engine_v1_cert.h"
#include "v1/v1_pubkey.h"

static bool is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int load_store(struct cert_store *store, const struct conf_cert *cc, char *why,
		      size_t len)
{
	int rc = 0;

	if (cc->ca)
		rc = is_dir(cc->ca) ? cert_store_add_ca_dir(store, cc->ca, why, len)
				    : cert_store_add_ca_file(store, cc->ca, why, len);
	for (size_t i = 0; rc == 0 && i < cc->n_crls; i++)
		rc = is_dir(cc->crls[i]) ? cert_store_add_crl_dir(store, cc->crls[i], why, len)
					 : cert_store_add_crl_file(store, cc->crls[i], why, len);
	return rc;
}

int engine_v1_pubkey(struct v1_conn *c, const struct conf_cert *cc)
{
	struct v1_pubkey *pk = NULL;
	char why[512] = "";
	int rc = v1_pubkey_new(&pk);

	for (size_t i = 0; rc == 0 && cc->chain && i < cc->chain->n; i++) {
		struct cert *x = cert_ref(cc->chain->certs[i]);

		rc = cert_chain_add(&pk->chain, x);
		if (rc < 0)
			cert_free(x);
	}
	if (rc == 0 && cc->key)
		pk->key = sig_privkey_ref(cc->key);
	if (rc == 0)
		rc = cert_store_new(&pk->store);
	if (rc == 0)
		rc = load_store(pk->store, cc, why, sizeof(why));
	if (rc == 0 && cc->peer_cert)
		pk->peer_cert = cert_ref(cc->peer_cert);
	if (pk)
		pk->send_cert = cc->send_cert == CONF_SEND_CERT_ALWAYS ? V1_SEND_CERT_ALWAYS
				: cc->send_cert == CONF_SEND_CERT_NEVER ? V1_SEND_CERT_NEVER
									: V1_SEND_CERT_IF_ASKED;
	if (rc == 0)
		rc = v1_pubkey_attach(c, pk, why, sizeof(why));
	if (rc < 0) {
		log_error(&log_global, "connection %s: IKEv1 public key authentication: %s",
			  c->name, why[0] ? why : err_str(rc));
		v1_pubkey_free(pk);
	}
	return rc;
}
