/*
 * ctl_certs.c - `dualikectl list-certs` (see ctl_certs.h). Each certificate
 * is listed once, with every connection that uses it and its role there:
 * "local" (our end-entity certificate), "intermediate" (sent after it) or
 * "ca" (a trust anchor the peer's chain is checked against). JSON fields
 * are only ever added (dualikectl(8)).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>

#include "common/cert.h"
#include "src/conf_cert.h"
#include "src/config.h"
#include "src/ctl_certs.h"
#include "src/daemon.h"
#include "src/json.h"

struct cert_row {
	const struct cert *cert;
	const char *role;
	char conns[512]; /* "a, b" */
};

struct cert_rows {
	struct cert_row *v;
	size_t n;
};

static int add_row(struct cert_rows *rows, const struct cert *c, const char *role,
		   const char *conn)
{
	struct cert_row *r = NULL, *v;
	size_t used;

	for (size_t i = 0; i < rows->n && !r; i++)
		if (cert_equal(rows->v[i].cert, c) && strcmp(rows->v[i].role, role) == 0)
			r = &rows->v[i];
	if (!r) {
		v = realloc(rows->v, (rows->n + 1) * sizeof(*v));
		if (!v)
			return -1;
		rows->v = v;
		r = &v[rows->n++];
		r->cert = c;
		r->role = role;
		r->conns[0] = '\0';
	}
	used = strlen(r->conns);
	if (used + strlen(conn) + 3 < sizeof(r->conns))
		snprintf(r->conns + used, sizeof(r->conns) - used, "%s%s", used ? ", " : "", conn);
	return 0;
}

static int collect(const struct config *cfg, struct cert_rows *rows)
{
	for (size_t i = 0; i < cfg->n_conns; i++) {
		const struct conn_config *c = &cfg->conns[i];
		const struct conf_cert *cc = c->pubkey;

		if (!cc || c->auth != CONF_AUTH_PUBKEY)
			continue;
		for (size_t k = 0; cc->chain && k < cc->chain->n; k++)
			if (add_row(rows, cc->chain->certs[k], k ? "intermediate" : "local", c->name))
				return -1;
		for (size_t k = 0; k < cert_store_ca_count(cc->store); k++)
			if (add_row(rows, cert_store_ca(cc->store, k), "ca", c->name))
				return -1;
	}
	return 0;
}

static void time_str(time_t t, char *buf, size_t len)
{
	struct tm tm;

	if (!gmtime_r(&t, &tm) || strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, len, "%lld", (long long)t);
}

static const char *state(const struct cert *c, time_t now)
{
	time_t nb, na;

	if (cert_validity(c, &nb, &na) < 0)
		return "malformed";
	return now < nb ? "not yet valid" : now > na ? "expired" : "valid";
}

static void json_sans(struct json *j, const struct cert *c)
{
	char one[ID_STR_MAX], txt[ID_STR_MAX + 8];
	struct id *id;

	json_array_begin(j, "sans");
	for (size_t i = 0; cert_san_id(c, i, &id) == 0; i++) {
		snprintf(txt, sizeof(txt), "%s:%s", id->type == ID_FQDN ? "DNS" :
			 id->type == ID_RFC822_ADDR ? "email" : "IP", id_str(id, one, sizeof(one)));
		json_string(j, NULL, txt);
		id_free(id);
	}
	json_array_end(j);
}

static void print_row(const struct cert_row *r, time_t now, struct json *j,
		      struct evbuffer *out)
{
	char subj[512], iss[512], sans[1024], key[32], nb_s[32], na_s[32], fp[100];
	time_t nb = 0, na = 0;

	cert_subject_str(r->cert, subj, sizeof(subj));
	cert_issuer_str(r->cert, iss, sizeof(iss));
	cert_key_str(r->cert, key, sizeof(key));
	cert_fingerprint_str(r->cert, fp, sizeof(fp));
	cert_validity(r->cert, &nb, &na);
	time_str(nb, nb_s, sizeof(nb_s));
	time_str(na, na_s, sizeof(na_s));
	if (j) {
		json_object_begin(j, NULL);
		json_string(j, "subject", subj);
		json_string(j, "issuer", iss);
		json_sans(j, r->cert);
		json_string(j, "not_before", nb_s);
		json_string(j, "not_after", na_s);
		json_string(j, "state", state(r->cert, now));
		json_string(j, "key", key);
		json_string(j, "role", r->role);
		json_string(j, "sha256", fp);
		json_string(j, "connections", r->conns);
		json_object_end(j);
		return;
	}
	cert_san_str(r->cert, sans, sizeof(sans));
	evbuffer_add_printf(out, "%s\n  role: %s (%s)\n  issuer: %s\n  sans: %s\n"
			    "  valid: %s .. %s (%s)\n  key: %s\n  sha256: %s\n",
			    subj, r->role, r->conns, iss, sans[0] ? sans : "none", nb_s, na_s,
			    state(r->cert, now), key, fp);
}

int ctl_certs_list(void *ctx, int argc, char **argv, bool json, struct evbuffer *out)
{
	struct daemon *d = ctx;
	struct cert_rows rows = { NULL, 0 };
	time_t now = time(NULL);
	struct json j;

	(void)argc;
	(void)argv;
	if (collect(d->cfg, &rows) < 0) {
		free(rows.v);
		evbuffer_add_printf(out, "out of memory\n");
		return 1;
	}
	if (json) {
		json_init(&j, out);
		json_object_begin(&j, NULL);
		json_array_begin(&j, "certificates");
	}
	for (size_t i = 0; i < rows.n; i++)
		print_row(&rows.v[i], now, json ? &j : NULL, out);
	if (json) {
		json_array_end(&j);
		json_object_end(&j);
		json_finish(&j);
	} else if (rows.n == 0) {
		evbuffer_add_printf(out, "no certificates (no connection has auth = pubkey)\n");
	}
	free(rows.v);
	return 0;
}
