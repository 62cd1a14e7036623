/*
 * engine_v1_cert.c - see engine_v1_cert.h. The configuration has already
 * checked the files (conf_cert_finish: the key is the certificate's, the
 * chain validates); what is left here is copying references, loading a
 * trust store the connection owns and what only IKEv1 refuses (key types),
 * which --check-config reports through engine_v1_check_config().
 */
#include <stdio.h>
#include <sys/stat.h>

#include "common/err.h"
#include "common/log.h"
#include "src/config.h"
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

/* c's v1_pubkey from cc; 0, or a negative ERR_* with why saying what is wrong. */
static int make_pubkey(struct v1_conn *c, const struct conf_cert *cc, char *why, size_t len)
{
	struct v1_pubkey *pk = NULL;
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
		rc = load_store(pk->store, cc, why, len);
	if (rc == 0 && cc->peer_cert)
		pk->peer_cert = cert_ref(cc->peer_cert);
	if (pk)
		pk->send_cert = cc->send_cert == CONF_SEND_CERT_ALWAYS ? V1_SEND_CERT_ALWAYS
				: cc->send_cert == CONF_SEND_CERT_NEVER ? V1_SEND_CERT_NEVER
									: V1_SEND_CERT_IF_ASKED;
	if (rc == 0)
		rc = v1_pubkey_attach(c, pk, why, len);
	if (rc < 0) {
		if (!why[0])
			snprintf(why, len, "%s", err_str(rc));
		v1_pubkey_free(pk);
	}
	return rc;
}

int engine_v1_pubkey(struct v1_conn *c, const struct conf_cert *cc)
{
	char why[512] = "";
	int rc = make_pubkey(c, cc, why, sizeof(why));

	if (rc < 0)
		log_error(&log_global, "connection %s: IKEv1 public key authentication refused: %s",
			  c->name, why);
	return rc;
}

size_t engine_v1_check_config(const struct config *cfg, FILE *f)
{
	size_t refused = 0;

	for (size_t i = 0; i < cfg->n_conns; i++) {
		const struct conn_config *cc = &cfg->conns[i];
		struct v1_conn *c;
		char why[512] = "";
		int rc;

		if (cc->version == CONF_VERSION_IKEV2 || cc->auth != CONF_AUTH_PUBKEY || !cc->pubkey)
			continue;
		/* the daemon's own step (conv_conn in engine_v1.c), on a scratch connection */
		c = v1_conn_new(cc->name);
		rc = c ? make_pubkey(c, cc->pubkey, why, sizeof(why)) : ERR_NOMEM;
		v1_conn_unref(c);
		if (rc == 0)
			continue;
		if (!why[0])
			snprintf(why, sizeof(why), "%s", err_str(rc));
		if (cc->version == CONF_VERSION_IKEV1) {
			refused++;
			fprintf(f, "connection %s: refused: IKEv1 public key authentication: %s\n",
				cc->name, why);
		} else {
			fprintf(f, "connection %s: version = auto: IKEv2 only, the IKEv1 fallback is "
				"refused: IKEv1 public key authentication: %s\n", cc->name, why);
		}
	}
	return refused;
}
