/*
 * conf_cert_test - auth = pubkey in dualike.conf (src/conf_cert.c) on a PKI
 * made at test time: a good connection loads its chain, key and CAs, takes
 * its subject DN as local_id, inherits [daemon]'s ca/crl/send_cert; and
 * every broken setup is a config error naming the line and what to change
 * (key mode 0644, key of another certificate, expired certificate, unknown
 * CA, local_id not in the certificate, missing keys, cert without pubkey).
 * Also the dn: identity form, compared as a DN.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/cert.h"
#include "common/err.h"
#include "src/conf_cert.h"
#include "src/config.h"
#include "src/engine_v1_cert.h"
#include "testsuite/lib/tap.h"
#include "testsuite/unit/common/pki_helper.h"

static char conf_path[600];

static int load(const char *text, struct config **cfg, struct config_errors *errs)
{
	FILE *f = fopen(conf_path, "w");

	if (!f)
		return ERR_IO;
	fputs(text, f);
	fclose(f);
	config_errors_init(errs);
	return config_load(conf_path, cfg, errs);
}

static bool has_error(const struct config_errors *e, int line, const char *a, const char *b)
{
	for (size_t i = 0; i < e->n; i++)
		if ((line == 0 || e->v[i].line == line) && strstr(e->v[i].msg, a) &&
		    (!b || strstr(e->v[i].msg, b)))
			return true;
	return false;
}

static void dump(const struct config_errors *e)
{
	char buf[1200];

	for (size_t i = 0; i < e->n; i++)
		tap_diag("%s", config_error_str(e, i, buf, sizeof(buf)));
}

/* A config with one pubkey connection; extra lines go into [conn gw]. */
static void conf_text(char *buf, size_t len, const char *cert, const char *key,
		      const char *extra)
{
	snprintf(buf, len,
		 "[daemon]\n"
		 "ca = %s/cacerts\n"
		 "crl = %s/crls\n"
		 "send_cert = always\n"
		 "\n"
		 "[conn gw]\n"
		 "remote = 192.0.2.1\n"
		 "auth = pubkey\n"
		 "cert = %s/%s\n"
		 "key = %s/%s\n"
		 "%s",
		 pki_dir, pki_dir, pki_dir, cert, pki_dir, key, extra);
}

static void test_good(void)
{
	char text[4096], idtxt[CONF_ID_STRLEN];
	struct config *cfg = NULL;
	struct config_errors e;
	const struct conn_config *c;
	struct cert_check chk;

	conf_text(text, sizeof(text), "gw-rsa-chain.pem", "gw-rsa.key",
		  "remote_id = dn:CN=peer.example.org,OU=rsa,O=dualike test,C=FI\n");
	if (!tap_eq_int(load(text, &cfg, &e), 0, "pubkey connection loads")) {
		dump(&e);
		config_errors_free(&e);
		return;
	}
	c = config_find_conn(cfg, "gw");
	tap_ok(c && c->auth == CONF_AUTH_PUBKEY && c->pubkey, "auth = pubkey with its files");
	if (c && c->pubkey) {
		const struct conf_cert *cc = c->pubkey;

		tap_eq_int((long long)cc->chain->n, 2, "our certificate and its intermediate");
		tap_ok(cc->key && cert_matches_privkey(cc->chain->certs[0], cc->key),
		       "key loaded and matching");
		tap_eq_int((long long)cert_store_ca_count(cc->store), 1, "[daemon] ca inherited");
		tap_eq_int((long long)cert_store_crl_count(cc->store), 1, "[daemon] crl inherited");
		tap_eq_int(cc->send_cert, CONF_SEND_CERT_ALWAYS, "[daemon] send_cert inherited");
		tap_eq_int(c->local_id.type, CONF_ID_DER_ASN1_DN, "local_id defaults to the subject DN");
		tap_eq_str(conf_id_str(&c->local_id, idtxt, sizeof(idtxt)),
			   "dn:CN=gw.example.org,OU=rsa,O=dualike test,C=FI", "... printed as dn:");
		tap_eq_int(c->remote_id.type, CONF_ID_DER_ASN1_DN, "remote_id = dn: parsed");
		tap_eq_int(cert_verify_chain(cc->store, cc->chain->certs[0],
					     (const struct cert *const *)&cc->chain->certs[1], 1,
					     time(NULL), &chk), 0, "the loaded store validates our chain");
	}
	config_free(cfg);
	config_errors_free(&e);

	/* the same text again: the connection is unchanged on reload */
	{
		struct config *a = NULL, *b = NULL;
		struct config_errors e2;

		load(text, &a, &e);
		load(text, &b, &e2);
		tap_ok(a && b && config_conn_change(a, b, "gw") == CONF_CONN_UNCHANGED,
		       "reload of the same files: unchanged");
		config_free(b);
		config_errors_free(&e2);
		conf_text(text, sizeof(text), "gw-ecdsa256-chain.pem", "gw-ecdsa256.key", "");
		load(text, &b, &e2);
		tap_ok(a && b && config_conn_change(a, b, "gw") == CONF_CONN_CHANGED,
		       "another certificate: changed");
		config_free(a);
		config_free(b);
		config_errors_free(&e);
		config_errors_free(&e2);
	}
}

static void expect_error(const char *what, const char *cert, const char *key,
			 const char *extra, int line, const char *a, const char *b)
{
	char text[4096];
	struct config *cfg = NULL;
	struct config_errors e;
	int rc;

	conf_text(text, sizeof(text), cert, key, extra);
	rc = load(text, &cfg, &e);
	tap_ok(rc == ERR_PARSE && cfg == NULL && has_error(&e, line, a, b), "%s", what);
	if (e.n == 0 || !has_error(&e, line, a, b))
		dump(&e);
	config_free(cfg);
	config_errors_free(&e);
}

static void test_errors(void)
{
	char key[600];

	snprintf(key, sizeof(key), "%s/gw-ecdsa256.key", pki_dir);
	chmod(key, 0644);
	expect_error("a 0644 key is refused with chmod advice", "gw-ecdsa256-chain.pem",
		     "gw-ecdsa256.key", "", 10, "chmod 600", "0644");
	chmod(key, 0600);
	expect_error("a key of another certificate is named", "gw-rsa-chain.pem",
		     "peer-rsa.key", "", 10, "is not the private key of certificate", "gw-rsa-chain.pem");
	expect_error("an expired own certificate is refused, saying so", "gw-expired-chain.pem",
		     "gw-expired.key", "", 9, "does not validate", "expired at 2021-01-01");
	expect_error("a revoked own certificate is refused (CRL from [daemon])",
		     "gw-revoked-chain.pem", "gw-revoked.key", "", 9, "does not validate", "revoked");
	expect_error("a certificate from an unknown CA is refused", "gw-unknown-chain.pem",
		     "gw-unknown.key", "", 9, "unknown CA", NULL);
	expect_error("without the intermediate: unknown CA with advice", "gw-rsa.pem",
		     "gw-rsa.key", "", 9, "unknown CA", "intermediate CA certificates after");
	expect_error("local_id not in the certificate", "gw-rsa-chain.pem", "gw-rsa.key",
		     "local_id = other.example.org\n", 0, "local_id other.example.org is not in",
		     "DNS:gw.example.org");
	expect_error("a missing certificate file", "nope.pem", "gw-rsa.key", "", 9,
		     "cannot load a certificate", NULL);
	expect_error("a file that is no certificate", "gw-rsa.key", "gw-rsa.key", "", 9,
		     "not a PEM or DER certificate", NULL);
	expect_error("send_cert typo", "gw-rsa-chain.pem", "gw-rsa.key",
		     "send_cert = sometimes\n", 11, "write always, ifasked or never", NULL);
	expect_error("an expired peer_cert is refused, saying so", "gw-rsa-chain.pem", "gw-rsa.key",
		     "peer_cert = gw-expired.pem\n", 11, "peer_cert:", "is expired");
	expect_error("a peer_cert that is no certificate", "gw-rsa-chain.pem", "gw-rsa.key",
		     "peer_cert = peer-rsa.key\n", 11, "peer_cert:", "not a PEM or DER");
	expect_error("a dn: that is no DN", "gw-rsa-chain.pem", "gw-rsa.key",
		     "remote_id = dn:no equals sign\n", 11, "dn:", NULL);
	{
		struct config *cfg = NULL;
		struct config_errors e;
		char text[600];

		snprintf(text, sizeof(text), "[conn x]\nremote = 192.0.2.1\nauth = pubkey\n");
		tap_ok(load(text, &cfg, &e) == ERR_PARSE &&
		       has_error(&e, 3, "auth = pubkey needs", "ca = DIR"),
		       "auth = pubkey without cert, key, ca: one error at the auth line");
		config_errors_free(&e);
		snprintf(text, sizeof(text), "[conn x]\nremote = 192.0.2.1\ncert = %s/gw-rsa.pem\n",
			 pki_dir);
		tap_ok(load(text, &cfg, &e) == ERR_PARSE &&
		       has_error(&e, 3, "apply to auth = pubkey", NULL),
		       "cert with auth = psk is an error");
		config_errors_free(&e);
	}
}

/* peer_cert = FILE: the peer's own certificate; then ca may be left out. */
static void test_peer_cert(void)
{
	char text[2048], subj[512];
	struct config *cfg = NULL, *other = NULL;
	struct config_errors e, e2;
	const struct conn_config *c;

	snprintf(text, sizeof(text),
		 "[conn gw]\nremote = 192.0.2.1\nauth = pubkey\ncert = %s/gw-rsa-chain.pem\n"
		 "key = %s/gw-rsa.key\npeer_cert = %s/peer-rsa.pem\nsend_cert = never\n",
		 pki_dir, pki_dir, pki_dir);
	if (!tap_eq_int(load(text, &cfg, &e), 0, "peer_cert without ca loads")) {
		dump(&e);
		config_errors_free(&e);
		return;
	}
	c = config_find_conn(cfg, "gw");
	tap_ok(c && c->pubkey && c->pubkey->peer_cert, "the peer's certificate is loaded");
	if (c && c->pubkey && c->pubkey->peer_cert) {
		tap_eq_str(cert_subject_str(c->pubkey->peer_cert, subj, sizeof(subj)),
			   "CN=peer.example.org,OU=rsa,O=dualike test,C=FI", "... the peer's, by subject");
		tap_eq_int(c->pubkey->send_cert, CONF_SEND_CERT_NEVER, "send_cert = never");
	}
	snprintf(text, sizeof(text),
		 "[conn gw]\nremote = 192.0.2.1\nauth = pubkey\ncert = %s/gw-rsa-chain.pem\n"
		 "key = %s/gw-rsa.key\npeer_cert = %s/peer-ecdsa256.pem\nsend_cert = never\n",
		 pki_dir, pki_dir, pki_dir);
	tap_eq_int(load(text, &other, &e2), 0, "another peer_cert loads");
	tap_ok(cfg && other && config_conn_change(cfg, other, "gw") == CONF_CONN_CHANGED,
	       "another peer_cert: the connection changed");
	config_free(cfg);
	config_free(other);
	config_errors_free(&e);
	config_errors_free(&e2);
}

static void test_dn_ids(void)
{
	struct conf_id a, b;
	const char *why = NULL;

	tap_ok(conf_id_parse("dn:CN=gw.example.org,O=dualike test,C=FI", &a, &why) &&
	       a.type == CONF_ID_DER_ASN1_DN, "dn: parses as ID_DER_ASN1_DN");
	tap_ok(conf_id_parse("DN:cn=GW.example.org, o=Dualike  Test, c=fi", &b, &why),
	       "dn: in other case and spacing parses");
	tap_ok(conf_id_equal(&a, &b), "the two compare equal as DNs");
	tap_ok(conf_id_parse("dn:CN=gw.example.org,O=other,C=FI", &b, &why) &&
	       !conf_id_equal(&a, &b), "another O differs");
}

/* What --check-config prints for the connection (engine_v1_check_config) and its count. */
static size_t v1_report(const char *cert, const char *key, const char *extra, char *out,
			size_t len)
{
	char text[4096];
	struct config *cfg = NULL;
	struct config_errors e;
	size_t refused = (size_t)-1;
	FILE *f;

	out[0] = 0;
	conf_text(text, sizeof(text), cert, key, extra);
	if (load(text, &cfg, &e) != 0) {
		dump(&e);
		config_errors_free(&e);
		return refused;
	}
	f = fmemopen(out, len, "w");
	if (f) {
		refused = engine_v1_check_config(cfg, f);
		fclose(f);
	}
	config_free(cfg);
	config_errors_free(&e);
	return refused;
}

/*
 * IKEv1 signs with RSA and ECDSA keys (RFC 2409 5.1, RFC 4754 4): an ECDSA
 * connection passes --check-config; Ed25519 has no IKEv1 method, so
 * --check-config names that connection and why.
 */
static void test_v1_key_types(void)
{
	static const char *const ecdsa[] = { "ecdsa256", "ecdsa384", "ecdsa521" };
	char out[2048], chain[64], key[64];

	for (size_t i = 0; i < sizeof(ecdsa) / sizeof(ecdsa[0]); i++) {
		snprintf(chain, sizeof(chain), "gw-%s-chain.pem", ecdsa[i]);
		snprintf(key, sizeof(key), "gw-%s.key", ecdsa[i]);
		tap_eq_int((long long)v1_report(chain, key, "version = ikev1\n", out, sizeof(out)),
			   0, "IKEv1 with an %s key: nothing refused", ecdsa[i]);
		tap_eq_str(out, "", "... nothing printed");
		tap_eq_int((long long)v1_report(chain, key, "version = auto\n", out, sizeof(out)),
			   0, "version = auto with an %s key: nothing refused", ecdsa[i]);
		tap_eq_str(out, "", "... and no note about the IKEv1 fallback");
	}
	tap_eq_int((long long)v1_report("gw-ed25519-chain.pem", "gw-ed25519.key",
					 "version = ikev1\n", out, sizeof(out)),
		   1, "IKEv1 with an Ed25519 key: one connection refused");
	tap_ok(strstr(out, "connection gw: refused: IKEv1 public key authentication") != NULL,
	       "... named, and said to be refused: %s", out);
	tap_ok(strstr(out, "no authentication method for an Ed25519 key") != NULL,
	       "... with the reason");
	tap_eq_int((long long)v1_report("gw-ed25519-chain.pem", "gw-ed25519.key",
					 "version = auto\n", out, sizeof(out)),
		   0, "version = auto with an Ed25519 key: not counted (IKEv2 works)");
	tap_ok(strstr(out, "connection gw: version = auto") && strstr(out, "IKEv1 fallback is refused") &&
	       strstr(out, "Ed25519"), "... but the refused IKEv1 fallback is printed: %s", out);
	tap_eq_int((long long)v1_report("gw-ed25519-chain.pem", "gw-ed25519.key",
					 "version = ikev2\n", out, sizeof(out)),
		   0, "IKEv2 with an Ed25519 key: nothing refused");
	tap_eq_str(out, "", "... nothing printed");
	tap_eq_int((long long)v1_report("gw-rsa-chain.pem", "gw-rsa.key", "version = ikev1\n", out,
					 sizeof(out)),
		   0, "IKEv1 with an RSA key: nothing refused");
	tap_eq_str(out, "", "... nothing printed");
}

int main(void)
{
	int rc = pki_start();

	if (rc >= 0)
		return rc;
	snprintf(conf_path, sizeof(conf_path), "%s/dualike.conf", pki_dir);
	test_good();
	test_errors();
	test_peer_cert();
	test_dn_ids();
	test_v1_key_types();
	remove(conf_path);
	pki_remove();
	return tap_done();
}
