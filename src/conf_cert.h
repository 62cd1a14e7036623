/*
 * conf_cert.h - public key authentication settings of dualike.conf
 * (man/dualike.conf.5 "PUBLIC KEY AUTHENTICATION"):
 *
 *   [daemon]   ca = DIR|FILE   crl = FILE|DIR[, ...]   send_cert = always|ifasked
 *   [conn X]   auth = pubkey   cert = FILE   key = FILE   peer_cert = FILE
 *              ca, crl, send_cert (override [daemon]'s)
 *
 * The keys are read with the rest of the file; conf_cert_finish() (at the
 * end of config_load, when [daemon]'s defaults are known wherever that
 * section stands) loads the files of every auth = pubkey connection: the
 * certificate chain, the private key (mode 0600 enforced), the trust
 * anchors and CRLs; checks that the key is the certificate's, that the
 * certificate's own chain validates against the connection's CAs now, and
 * that a written local_id is in the certificate (without local_id, the
 * certificate's subject DN is used, as ID_DER_ASN1_DN). Every problem is a
 * config error naming the file, line and connection, so a reload with a
 * broken certificate is refused and `dualiked --check-config` prints it.
 *
 * For the engines (struct conn_config.pubkey, NULL for auth = psk):
 *   chain->certs[0]     our certificate (CERT payload, RFC 7296 3.6 /
 *                       RFC 2408 3.9), chain->certs[1..] intermediates to send
 *   key                 our private key (common/sig.h; job_sig_sign)
 *   store               trust anchors + CRLs to check the peer's chain
 *                       (cert_verify_chain) and to fill CERTREQ / CR
 *   send_cert           CONF_SEND_CERT_ALWAYS, only when asked (CERTREQ/CR) or
 *                       never (the peer has our certificate configured)
 *   peer_cert           the peer's certificate when configured (trusted as
 *                       such: the peer may then send no CERT), else NULL
 */
#ifndef DUALIKE_SRC_CONF_CERT_H
#define DUALIKE_SRC_CONF_CERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Only declared here, so config.c needs no X.509 headers; users of the
 * loaded objects include common/cert.h and common/sig.h. */
struct cert;
struct cert_chain;
struct cert_store;
struct sig_privkey;
struct conf_ctx;
struct config;
struct conf_id;

enum conf_send_cert {
	CONF_SEND_CERT_IFASKED = 0, /* default: when the peer sent CERTREQ / CR */
	CONF_SEND_CERT_ALWAYS = 1,
	CONF_SEND_CERT_NEVER = 2,   /* the peer has our certificate configured */
};

struct conf_cert {
	/* as written (paths made absolute against the config file's folder) */
	char *cert_file;            /* [conn] only */
	char *key_file;             /* [conn] only */
	char *peer_cert_file;       /* [conn] only; optional */
	char *ca;                   /* a folder of anchors, or one file */
	char **crls;                /* files or folders */
	size_t n_crls;
	bool send_cert_set;
	enum conf_send_cert send_cert;
	int line_cert, line_key, line_ca, line_crl, line_peer_cert;
	/* loaded by conf_cert_finish() for auth = pubkey connections */
	struct cert_chain *chain;   /* never NULL once loaded; n may be 0 on errors */
	struct sig_privkey *key;
	struct cert_store *store;
	struct cert *peer_cert;     /* loaded from peer_cert_file, or NULL */
};

/* Key parsers for the [conn] table (conf_conn.c) and [daemon] table
 * (conf_daemon.c); obj is the struct conn_config / daemon_config. */
int conf_cert_k_cert(struct conf_ctx *ctx, void *obj, const char *key, const char *val);
int conf_cert_k_key(struct conf_ctx *ctx, void *obj, const char *key, const char *val);
int conf_cert_k_peer_cert(struct conf_ctx *ctx, void *obj, const char *key, const char *val);
int conf_cert_k_ca(struct conf_ctx *ctx, void *obj, const char *key, const char *val);
int conf_cert_k_crl(struct conf_ctx *ctx, void *obj, const char *key, const char *val);
int conf_cert_k_send_cert(struct conf_ctx *ctx, void *obj, const char *key, const char *val);
int conf_cert_daemon_k_ca(struct conf_ctx *ctx, void *obj, const char *key, const char *val);
int conf_cert_daemon_k_crl(struct conf_ctx *ctx, void *obj, const char *key, const char *val);
int conf_cert_daemon_k_send_cert(struct conf_ctx *ctx, void *obj, const char *key,
				 const char *val);

/* Load and check every auth = pubkey connection (see above); errors go to
 * ctx->errs and ctx->rc. */
void conf_cert_finish(struct conf_ctx *ctx, struct config *cfg);

/* For --check-config: one line per auth = pubkey connection saying what was
 * checked ("conn gw: cert CN=... (RSA-2048, until ...), key matches, chain
 * valid against 1 CA, 1 CRL"). */
void conf_cert_print(const struct config *cfg, FILE *f);

/* NULL is allowed. */
void conf_cert_free(struct conf_cert *cc);
/* Same files, same send_cert policy and the same own certificate. */
bool conf_cert_equal(const struct conf_cert *a, const struct conf_cert *b);

/* conf_id_parse()'s "dn:" form: an RFC 4514 DN ("dn:CN=gw,O=Example,C=FI")
 * as CONF_ID_DER_ASN1_DN. */
bool conf_id_parse_dn(const char *text, struct conf_id *out, const char **why);
/* conf_id_equal / conf_id_str for DNs: compared as DNs, printed as text. */
bool conf_id_dn_equal(const struct conf_id *a, const struct conf_id *b);
const char *conf_id_dn_str(const struct conf_id *id, char *buf, size_t len);

#endif
