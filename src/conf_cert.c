/*
 * conf_cert.c - public key authentication in dualike.conf (see conf_cert.h,
 * man/dualike.conf.5): the cert, key, ca, crl and send_cert keys, and the
 * loading and checking of an auth = pubkey connection's files.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "common/err.h"
#include "common/cert.h"
#include "common/id.h"
#include "common/sig.h"
#include "src/conf_cert.h"
#include "src/conf_int.h"

#define CONN(obj) ((struct conn_config *)(obj))
#define DAEMON(obj) ((struct daemon_config *)(obj))

static struct conf_cert *get(struct conf_cert **slot)
{
	if (!*slot)
		*slot = calloc(1, sizeof(**slot));
	return *slot;
}

static int k_cert(struct conf_ctx *ctx, struct conf_cert *cc, const char *key, const char *val)
{
	if (!cc)
		return ERR_NOMEM;
	cc->line_cert = conf_line(ctx, key);
	return conf_path_set(ctx, &cc->cert_file, key, val, true);
}

int conf_cert_k_cert(struct conf_ctx *ctx, void *obj, const char *key, const char *val)
{
	return k_cert(ctx, get(&CONN(obj)->pubkey), key, val);
}

int conf_cert_k_key(struct conf_ctx *ctx, void *obj, const char *key, const char *val)
{
	struct conf_cert *cc = get(&CONN(obj)->pubkey);

	if (!cc)
		return ERR_NOMEM;
	cc->line_key = conf_line(ctx, key);
	return conf_path_set(ctx, &cc->key_file, key, val, true);
}

int conf_cert_k_peer_cert(struct conf_ctx *ctx, void *obj, const char *key, const char *val)
{
	struct conf_cert *cc = get(&CONN(obj)->pubkey);

	if (!cc)
		return ERR_NOMEM;
	cc->line_peer_cert = conf_line(ctx, key);
	return conf_path_set(ctx, &cc->peer_cert_file, key, val, true);
}

static int k_ca(struct conf_ctx *ctx, struct conf_cert *cc, const char *key, const char *val)
{
	if (!cc)
		return ERR_NOMEM;
	cc->line_ca = conf_line(ctx, key);
	return conf_path_set(ctx, &cc->ca, key, val, true);
}

static void free_crls(struct conf_cert *cc)
{
	for (size_t i = 0; i < cc->n_crls; i++)
		free(cc->crls[i]);
	free(cc->crls);
	cc->crls = NULL;
	cc->n_crls = 0;
}

/* "FILE, DIR, ..." (iniparser keeps one value per key: a list instead) */
static int k_crl(struct conf_ctx *ctx, struct conf_cert *cc, const char *key, const char *val)
{
	char *copy, *save = NULL, *tok;
	int rc = 0;

	if (!cc || !(copy = strdup(val)))
		return ERR_NOMEM;
	free_crls(cc);
	cc->line_crl = conf_line(ctx, key);
	for (tok = strtok_r(copy, ",", &save); tok && rc == 0; tok = strtok_r(NULL, ",", &save)) {
		char **v;
		size_t n;

		while (isspace((unsigned char)*tok))
			tok++;
		n = strlen(tok);
		while (n > 0 && isspace((unsigned char)tok[n - 1]))
			tok[--n] = '\0';
		v = realloc(cc->crls, (cc->n_crls + 1) * sizeof(*v));
		if (!v) {
			rc = ERR_NOMEM;
			break;
		}
		cc->crls = v;
		cc->crls[cc->n_crls] = NULL;
		rc = conf_path_set(ctx, &cc->crls[cc->n_crls], key, tok, true);
		if (rc == 0)
			cc->n_crls++;
	}
	free(copy);
	return rc;
}

static int k_send_cert(struct conf_ctx *ctx, struct conf_cert *cc, const char *key,
		       const char *val)
{
	static const char *const names[] = { "ifasked", "always", "never" };
	int v = conf_enum_parse(val, names, 3);

	if (!cc)
		return ERR_NOMEM;
	if (v < 0) {
		conf_bad(ctx, key, "send_cert '%s' is unknown; write always, ifasked or never",
			 val);
		return ERR_PARSE;
	}
	cc->send_cert = (enum conf_send_cert)v;
	cc->send_cert_set = true;
	return 0;
}

int conf_cert_k_ca(struct conf_ctx *ctx, void *obj, const char *key, const char *val)
{
	return k_ca(ctx, get(&CONN(obj)->pubkey), key, val);
}

int conf_cert_k_crl(struct conf_ctx *ctx, void *obj, const char *key, const char *val)
{
	return k_crl(ctx, get(&CONN(obj)->pubkey), key, val);
}

int conf_cert_k_send_cert(struct conf_ctx *ctx, void *obj, const char *key, const char *val)
{
	return k_send_cert(ctx, get(&CONN(obj)->pubkey), key, val);
}

int conf_cert_daemon_k_ca(struct conf_ctx *ctx, void *obj, const char *key, const char *val)
{
	return k_ca(ctx, get(&DAEMON(obj)->pubkey_defaults), key, val);
}

int conf_cert_daemon_k_crl(struct conf_ctx *ctx, void *obj, const char *key, const char *val)
{
	return k_crl(ctx, get(&DAEMON(obj)->pubkey_defaults), key, val);
}

int conf_cert_daemon_k_send_cert(struct conf_ctx *ctx, void *obj, const char *key,
				 const char *val)
{
	return k_send_cert(ctx, get(&DAEMON(obj)->pubkey_defaults), key, val);
}

void conf_cert_free(struct conf_cert *cc)
{
	if (!cc)
		return;
	free(cc->cert_file);
	free(cc->key_file);
	free(cc->peer_cert_file);
	cert_free(cc->peer_cert);
	free(cc->ca);
	free_crls(cc);
	cert_chain_clear(cc->chain);
	free(cc->chain);
	sig_privkey_free(cc->key);
	cert_store_free(cc->store);
	free(cc);
}

static bool str_equal(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

bool conf_cert_equal(const struct conf_cert *a, const struct conf_cert *b)
{
	if (!a || !b)
		return a == b;
	if (!str_equal(a->cert_file, b->cert_file) || !str_equal(a->key_file, b->key_file) ||
	    !str_equal(a->ca, b->ca) || a->n_crls != b->n_crls || a->send_cert != b->send_cert ||
	    !str_equal(a->peer_cert_file, b->peer_cert_file))
		return false;
	if (!a->peer_cert || !b->peer_cert ? a->peer_cert != b->peer_cert :
	    !cert_equal(a->peer_cert, b->peer_cert))
		return false;
	for (size_t i = 0; i < a->n_crls; i++)
		if (!str_equal(a->crls[i], b->crls[i]))
			return false;
	/* a renewed certificate in the same file is a change */
	if (!a->chain || !b->chain)
		return a->chain == b->chain;
	return a->chain->n == b->chain->n &&
	       (a->chain->n == 0 || cert_equal(a->chain->certs[0], b->chain->certs[0]));
}

/* ---- loading (after every section is read) ---- */

struct finish {
	struct conf_ctx *ctx;
	struct conn_config *c;
};

static void bad(struct finish *f, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void bad(struct finish *f, int line, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	config_error_add(f->ctx->errs, f->ctx->file, line ? line : f->c->line,
			 "[conn %s] %s", f->c->name, msg);
	if (f->ctx->rc == 0)
		f->ctx->rc = ERR_PARSE;
}

static bool is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* [daemon]'s ca, crl and send_cert where the connection has none. */
static int inherit(struct conf_cert *cc, const struct conf_cert *def)
{
	if (!def)
		return 0;
	if (!cc->ca && def->ca) {
		cc->ca = strdup(def->ca);
		cc->line_ca = def->line_ca;
		if (!cc->ca)
			return ERR_NOMEM;
	}
	if (cc->n_crls == 0 && def->n_crls) {
		cc->crls = calloc(def->n_crls, sizeof(*cc->crls));
		if (!cc->crls)
			return ERR_NOMEM;
		for (size_t i = 0; i < def->n_crls; i++) {
			cc->crls[i] = strdup(def->crls[i]);
			if (!cc->crls[i])
				return ERR_NOMEM;
			cc->n_crls++;
		}
		cc->line_crl = def->line_crl;
	}
	if (!cc->send_cert_set && def->send_cert_set) {
		cc->send_cert = def->send_cert;
		cc->send_cert_set = true;
	}
	return 0;
}

static void load_store(struct finish *f, struct conf_cert *cc)
{
	char why[1024];
	int rc;

	if (cert_store_new(&cc->store) < 0) {
		conf_nomem(f->ctx);
		return;
	}
	if (!cc->ca) {
		/* only with peer_cert (finish_conn): the peer is that certificate */
		rc = 0;
	} else {
		rc = is_dir(cc->ca) ? cert_store_add_ca_dir(cc->store, cc->ca, why, sizeof(why)) :
				      cert_store_add_ca_file(cc->store, cc->ca, why, sizeof(why));
	}
	if (rc < 0)
		bad(f, cc->line_ca, "ca: %s", why);
	else if (cc->ca && cert_store_ca_count(cc->store) == 0)
		bad(f, cc->line_ca, "ca: %s holds no certificate (.pem, .crt, .cer, .der)",
		    cc->ca);
	for (size_t i = 0; i < cc->n_crls; i++) {
		rc = is_dir(cc->crls[i]) ?
		     cert_store_add_crl_dir(cc->store, cc->crls[i], why, sizeof(why)) :
		     cert_store_add_crl_file(cc->store, cc->crls[i], why, sizeof(why));
		if (rc < 0)
			bad(f, cc->line_crl, "crl: %s", why);
	}
}

static void load_own(struct finish *f, struct conf_cert *cc)
{
	char why[1024], subj[512];
	int rc;

	cc->chain = calloc(1, sizeof(*cc->chain));
	if (!cc->chain) {
		conf_nomem(f->ctx);
		return;
	}
	rc = cert_chain_load_file(cc->cert_file, cc->chain);

	if (rc < 0)
		bad(f, cc->line_cert, "cert: %s: cannot load a certificate: %s", cc->cert_file,
		    rc == ERR_IO ? "cannot read the file" :
		    rc == ERR_OVERFLOW ? "too many certificates or too big" :
		    "not a PEM or DER certificate");
	rc = cert_key_load_file(cc->key_file, &cc->key, why, sizeof(why));
	if (rc < 0)
		bad(f, cc->line_key, "key: %s", why);
	if (cc->chain->n == 0 || !cc->key)
		return;
	if (!cert_matches_privkey(cc->chain->certs[0], cc->key))
		bad(f, cc->line_key, "key: %s is not the private key of certificate %s (%s, %s); "
		    "point key at the key the certificate was issued for", cc->key_file,
		    cc->cert_file, cert_subject_str(cc->chain->certs[0], subj, sizeof(subj)),
		    cert_key_str(cc->chain->certs[0], why, sizeof(why)));
}

/*
 * The peer's certificate, when configured: the peer may then leave CERT out
 * (RFC 7296 3.6 / RFC 2408 3.9 leave sending it to policy), and a CERT it
 * does send must be this one. One certificate: the first of the file.
 */
static void load_peer_cert(struct finish *f, struct conf_cert *cc)
{
	struct cert_chain got = { 0 };
	char subj[512];
	time_t nb, na, now = time(NULL);
	int rc;

	if (!cc->peer_cert_file)
		return;
	rc = cert_chain_load_file(cc->peer_cert_file, &got);
	if (rc < 0 || got.n == 0) {
		bad(f, cc->line_peer_cert, "peer_cert: %s: cannot load a certificate: %s",
		    cc->peer_cert_file, rc == ERR_IO ? "cannot read the file" :
		    "not a PEM or DER certificate");
		cert_chain_clear(&got);
		return;
	}
	cc->peer_cert = cert_ref(got.certs[0]);
	cert_chain_clear(&got);
	cert_validity(cc->peer_cert, &nb, &na);
	if (now > na || now < nb)
		bad(f, cc->line_peer_cert, "peer_cert: %s (%s) is %s; the peer could not "
		    "authenticate with it", cc->peer_cert_file,
		    cert_subject_str(cc->peer_cert, subj, sizeof(subj)),
		    now > na ? "expired" : "not valid yet");
}

static void check_own_chain(struct finish *f, struct conf_cert *cc)
{
	const struct cert *inter[CERT_CHAIN_MAX];
	struct cert_check chk;

	if (!cc->chain || cc->chain->n == 0 || !cc->store || cert_store_ca_count(cc->store) == 0)
		return;
	for (size_t i = 1; i < cc->chain->n; i++)
		inter[i - 1] = cc->chain->certs[i];
	if (cert_verify_chain(cc->store, cc->chain->certs[0], inter, cc->chain->n - 1,
			      time(NULL), &chk) < 0)
		bad(f, cc->line_cert, "cert: %s does not validate against ca %s: %s%s",
		    cc->cert_file, cc->ca, chk.text,
		    chk.verdict == CERT_UNKNOWN_CA ? " (put the intermediate CA certificates "
		    "after the certificate in the cert file, and the root in the ca folder)" : "");
}

/* Whether the connection's section has key, and its line (or the
 * section's), looked up after the sections were read (iniparser keeps the
 * section name in lower case). */
static bool conn_key(struct conf_ctx *ctx, const struct conn_config *c, const char *key,
		     int *line)
{
	char sec[CONF_NAME_MAX + 8];
	const char *saved = ctx->section;
	bool written;

	snprintf(sec, sizeof(sec), "conn %s", c->name);
	for (char *p = sec; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	ctx->section = sec;
	written = conf_get(ctx, key) != NULL;
	if (line)
		*line = conf_line(ctx, key);
	ctx->section = saved;
	return written;
}

static bool local_id_written(struct conf_ctx *ctx, const struct conn_config *c)
{
	return conn_key(ctx, c, "local_id", NULL);
}

/* Without local_id, the subject DN; with one, it must be in the certificate. */
static void check_local_id(struct finish *f, struct conf_cert *cc)
{
	struct conn_config *c = f->c;
	const struct cert *own = cc->chain && cc->chain->n ? cc->chain->certs[0] : NULL;
	char idtxt[CONF_ID_STRLEN], sans[512];
	struct id *id = NULL;
	size_t len;
	const uint8_t *dn;

	if (!own)
		return;
	if (!local_id_written(f->ctx, c)) {
		dn = cert_subject_der(own, &len);
		if (len > 2 && len <= CONF_ID_MAX) {
			memset(&c->local_id, 0, sizeof(c->local_id));
			c->local_id.type = CONF_ID_DER_ASN1_DN;
			c->local_id.len = len;
			memcpy(c->local_id.data, dn, len);
		}
		return;
	}
	if (c->local_id.type == CONF_ID_NONE ||
	    id_new((uint8_t)c->local_id.type, c->local_id.data, c->local_id.len, &id) < 0)
		return;
	if (!cert_matches_id(own, id))
		bad(f, 0, "local_id %s is not in certificate %s (subject %s; %s); write "
		    "local_id = one of those, or remove local_id to use the subject",
		    conf_id_str(&c->local_id, idtxt, sizeof(idtxt)), cc->cert_file,
		    cert_subject_str(own, sans, sizeof(sans)),
		    cert_san_str(own, sans + 256, 256)[0] ? sans + 256 : "no subjectAltName");
	id_free(id);
}

static void finish_conn(struct finish *f, const struct conf_cert *def)
{
	struct conn_config *c = f->c;
	struct conf_cert *cc = c->pubkey;

	if (c->auth != CONF_AUTH_PUBKEY) {
		if (cc && (cc->cert_file || cc->key_file || cc->peer_cert_file))
			bad(f, cc->cert_file ? cc->line_cert : cc->key_file ? cc->line_key :
			    cc->line_peer_cert, "cert, key and peer_cert apply to auth = pubkey; "
			    "write auth = pubkey or remove them");
		return;
	}
	if (!get(&c->pubkey) || inherit(c->pubkey, def) < 0) {
		conf_nomem(f->ctx);
		return;
	}
	cc = c->pubkey;
	if (!cc->cert_file || !cc->key_file || (!cc->ca && !cc->peer_cert_file)) {
		int line = 0;

		conn_key(f->ctx, c, "auth", &line);
		bad(f, line, "auth = pubkey needs%s%s%s", !cc->cert_file ?
		    " cert = FILE (our certificate, PEM or DER, intermediates after it)" : "",
		    !cc->key_file ? " key = FILE (our private key, mode 0600)" : "",
		    !cc->ca && !cc->peer_cert_file ? " ca = DIR (trusted CA certificates, here or "
		    "in [daemon]) or peer_cert = FILE (the peer's own certificate)" : "");
		return;
	}
	load_own(f, cc);
	load_peer_cert(f, cc);
	load_store(f, cc);
	check_own_chain(f, cc);
	check_local_id(f, cc);
}

void conf_cert_finish(struct conf_ctx *ctx, struct config *cfg)
{
	for (size_t i = 0; i < cfg->n_conns; i++) {
		struct finish f = { ctx, &cfg->conns[i] };

		finish_conn(&f, cfg->daemon.pubkey_defaults);
	}
}

void conf_cert_print(const struct config *cfg, FILE *f)
{
	for (size_t i = 0; i < cfg->n_conns; i++) {
		const struct conn_config *c = &cfg->conns[i];
		const struct conf_cert *cc = c->pubkey;
		char subj[512], key[32], until[40];
		time_t nb, na;
		struct tm tm;

		if (c->auth != CONF_AUTH_PUBKEY || !cc || !cc->chain || cc->chain->n == 0)
			continue;
		until[0] = '\0';
		if (cert_validity(cc->chain->certs[0], &nb, &na) == 0 && gmtime_r(&na, &tm))
			strftime(until, sizeof(until), "%Y-%m-%d", &tm);
		fprintf(f, "conn %s: cert %s (%s, valid until %s, %zu intermediate(s)), key %s "
			"matches, chain valid against %zu CA(s) and %zu CRL(s), send_cert %s%s%s\n",
			c->name, cert_subject_str(cc->chain->certs[0], subj, sizeof(subj)),
			cert_key_str(cc->chain->certs[0], key, sizeof(key)), until,
			cc->chain->n - 1, cc->key_file, cert_store_ca_count(cc->store),
			cert_store_crl_count(cc->store),
			cc->send_cert == CONF_SEND_CERT_ALWAYS ? "always" :
			cc->send_cert == CONF_SEND_CERT_NEVER ? "never" : "ifasked",
			cc->peer_cert ? ", peer_cert " : "",
			cc->peer_cert ? cert_subject_str(cc->peer_cert, subj, sizeof(subj)) : "");
	}
}

/* ---- DN identities for conf_id.c ---- */

bool conf_id_parse_dn(const char *text, struct conf_id *out, const char **why)
{
	struct id *id = NULL;
	char reason[160];

	memset(out, 0, sizeof(*out));
	if (cert_dn_parse(text, &id, reason, sizeof(reason)) < 0) {
		*why = "dn: needs an RFC 4514 name, e.g. dn:CN=gw.example.org,O=Example,C=FI";
		return false;
	}
	if (id->len > CONF_ID_MAX) {
		*why = "dn: the encoded name is over 255 bytes";
		id_free(id);
		return false;
	}
	out->type = CONF_ID_DER_ASN1_DN;
	out->len = id->len;
	memcpy(out->data, id->data, id->len);
	id_free(id);
	return true;
}

bool conf_id_dn_equal(const struct conf_id *a, const struct conf_id *b)
{
	return cert_dn_equal(a->data, a->len, b->data, b->len);
}

const char *conf_id_dn_str(const struct conf_id *id, char *buf, size_t len)
{
	int n;

	if (len < 4)
		return buf;
	n = snprintf(buf, len, "dn:");
	cert_dn_str(id->data, id->len, buf + n, len - (size_t)n);
	return buf;
}
