/*
 * config.c - loading dualike.conf (see config.h, man/dualike.conf.5).
 *
 * iniparser parses the file; conf_lines gives each key its line; the key
 * tables of conf_daemon.c and conf_conn.c read the values. Every problem is
 * collected, so one run shows them all.
 */
#include <ctype.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/err.h"
#include "src/conf_cert.h"
#include "src/conf_int.h"

#define CONN_PREFIX "conn "

const char *conf_get(struct conf_ctx *ctx, const char *key)
{
	char full[256];

	snprintf(full, sizeof(full), "%s:%s", ctx->section, key);
	return iniparser_getstring(ctx->ini, full, NULL);
}

int conf_line(struct conf_ctx *ctx, const char *key)
{
	int line = key ? conf_lines_key(ctx->lines, ctx->section, key) : 0;

	return line ? line : conf_lines_section(ctx->lines, ctx->section);
}

void conf_bad(struct conf_ctx *ctx, const char *key, const char *fmt, ...)
{
	char *msg = NULL;
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (r < 0) {
		conf_nomem(ctx);
		return;
	}
	config_error_add(ctx->errs, ctx->file, conf_line(ctx, key), "%s", msg);
	free(msg);
	if (ctx->rc == 0)
		ctx->rc = ERR_PARSE;
}

void conf_nomem(struct conf_ctx *ctx)
{
	ctx->rc = ERR_NOMEM;
}

void conf_read_keys(struct conf_ctx *ctx, const struct conf_key *keys, size_t n, void *obj)
{
	const char *names[64];

	for (size_t i = 0; i < n && i < 64; i++)
		names[i] = keys[i].name;
	for (size_t k = 0; k < ctx->lines->n_keys; k++) {
		const struct conf_line_key *lk = &ctx->lines->keys[k];
		const struct conf_key *known = NULL;
		const char *val;

		if (strcmp(lk->section, ctx->section) != 0)
			continue;
		for (size_t i = 0; i < n; i++)
			if (strcmp(keys[i].name, lk->key) == 0)
				known = &keys[i];
		if (!known) {
			const char *near = conf_closest(lk->key, names, n < 64 ? n : 64);

			if (near)
				conf_bad(ctx, lk->key, "unknown key '%s' in [%s]; did you mean '%s'?",
					 lk->key, ctx->section, near);
			else
				conf_bad(ctx, lk->key, "unknown key '%s' in [%s]; see dualike.conf(5) "
					 "for the keys of this section", lk->key, ctx->section);
			continue;
		}
		val = conf_get(ctx, lk->key);
		if (!val) {
			conf_nomem(ctx);
			continue;
		}
		int r = known->parse(ctx, obj, lk->key, val);

		if (r == ERR_NOMEM)
			conf_nomem(ctx);
		else if (r && ctx->rc == 0)
			ctx->rc = r;
	}
}

static bool conn_name_ok(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n >= CONF_NAME_MAX)
		return false;
	for (const char *p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_' && *p != '.')
			return false;
	return true;
}

static void report_loose_keys(struct conf_ctx *ctx)
{
	for (size_t k = 0; k < ctx->lines->n_keys; k++) {
		const struct conf_line_key *lk = &ctx->lines->keys[k];

		if (lk->section[0] != '\0')
			continue;
		config_error_add(ctx->errs, ctx->file, lk->line,
				 "key '%s' is outside any section; put it under [daemon] "
				 "or a [conn NAME] section", lk->key);
		ctx->rc = ctx->rc ? ctx->rc : ERR_PARSE;
	}
}

static int read_conn(struct conf_ctx *ctx, struct config *cfg, const char *sec)
{
	const char *name = sec + strlen(CONN_PREFIX);
	struct conn_config *c, *v;

	while (*name == ' ')
		name++;
	if (!conn_name_ok(name)) {
		conf_bad(ctx, NULL, "connection name '%s' is not 1-%d letters, digits, '-', "
			 "'_' or '.'; write e.g. [conn office-a]", name, CONF_NAME_MAX - 1);
		return ERR_PARSE;
	}
	v = realloc(cfg->conns, (cfg->n_conns + 1) * sizeof(*v));
	if (!v)
		return ERR_NOMEM;
	cfg->conns = v;
	c = &v[cfg->n_conns++];
	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "%s", name);
	c->line = conf_line(ctx, NULL);
	return conf_conn_read(ctx, c);
}

static void read_sections(struct conf_ctx *ctx, struct config *cfg)
{
	static const char *const sections[] = { "daemon", "conn" };
	int n = iniparser_getnsec(ctx->ini);
	bool have_daemon = false;

	for (int i = 0; i < n && ctx->rc != ERR_NOMEM; i++) {
		const char *sec = iniparser_getsecname(ctx->ini, i);
		int r = 0;

		if (!sec)
			continue;
		ctx->section = sec;
		if (strcmp(sec, "daemon") == 0) {
			have_daemon = true;
			r = conf_daemon_read(ctx, &cfg->daemon);
		} else if (strncmp(sec, CONN_PREFIX, strlen(CONN_PREFIX)) == 0) {
			r = read_conn(ctx, cfg, sec);
		} else {
			/* Suggest from the first word: [con office] -> [conn office]. */
			char word[32];
			const char *rest = sec + strcspn(sec, " ");
			const char *near;

			snprintf(word, sizeof(word), "%.*s", (int)(rest - sec), sec);
			near = conf_closest(word, sections, 2);
			if (near)
				conf_bad(ctx, NULL, "unknown section [%s]; did you mean [%s%s]?", sec,
					 near, near == sections[1] ? rest : "");
			else
				conf_bad(ctx, NULL, "unknown section [%s]; sections are [daemon] "
					 "and [conn NAME]", sec);
		}
		if (r == ERR_NOMEM)
			conf_nomem(ctx);
		else if (r && ctx->rc == 0)
			ctx->rc = r;
	}
	if (!have_daemon) {
		/* Defaults apply; an empty [daemon] is not required. */
		ctx->section = "daemon";
		int r = conf_daemon_read(ctx, &cfg->daemon);

		if (r && ctx->rc == 0)
			ctx->rc = r;
	}
}

static int silent_errback(const char *fmt, ...)
{
	(void)fmt;
	return 0;
}

int config_load(const char *path, struct config **out, struct config_errors *errs)
{
	struct conf_lines lines;
	struct conf_ctx ctx = { .file = path, .lines = &lines, .errs = errs };
	struct config *cfg;
	size_t first_err = errs ? errs->n : 0;
	char *tmp;
	int rc;

	*out = NULL;
	rc = conf_lines_scan(path, &lines, errs);
	if (rc == ERR_IO || rc == ERR_NOMEM) {
		conf_lines_free(&lines);
		return rc;
	}
	ctx.rc = rc;
	iniparser_set_error_callback(silent_errback);
	ctx.ini = iniparser_load(path);
	iniparser_set_error_callback(NULL);
	if (!ctx.ini) {
		/* conf_lines reported the lines iniparser refused. */
		if (rc == 0)
			config_error_add(errs, path, 0, "iniparser could not read the file");
		conf_lines_free(&lines);
		return ERR_PARSE;
	}
	cfg = calloc(1, sizeof(*cfg));
	tmp = strdup(path);
	ctx.dir = tmp ? strdup(dirname(tmp)) : NULL;
	free(tmp);
	if (!cfg || !ctx.dir || !(cfg->path = strdup(path))) {
		ctx.rc = ERR_NOMEM;
	} else {
		report_loose_keys(&ctx);
		read_sections(&ctx, cfg);
		if (ctx.rc != ERR_NOMEM)
			conf_cert_finish(&ctx, cfg);
		for (size_t i = 0; i < cfg->n_conns; i++)
			for (size_t j = 0; j < i; j++)
				if (strcmp(cfg->conns[i].name, cfg->conns[j].name) == 0) {
					config_error_add(errs, path, cfg->conns[i].line,
							 "a second [conn %s] (first at line %d); "
							 "rename one", cfg->conns[i].name,
							 cfg->conns[j].line);
					ctx.rc = ctx.rc ? ctx.rc : ERR_PARSE;
				}
	}
	free(ctx.dir);
	iniparser_freedict(ctx.ini);
	conf_lines_free(&lines);
	if (errs)
		config_errors_sort(errs, first_err);
	if (ctx.rc) {
		config_free(cfg);
		return ctx.rc;
	}
	*out = cfg;
	return 0;
}

void config_free(struct config *cfg)
{
	if (!cfg)
		return;
	conf_daemon_free(&cfg->daemon);
	for (size_t i = 0; i < cfg->n_conns; i++)
		conf_conn_free(&cfg->conns[i]);
	free(cfg->conns);
	free(cfg->path);
	free(cfg);
}

const struct conn_config *config_find_conn(const struct config *cfg, const char *name)
{
	for (size_t i = 0; cfg && i < cfg->n_conns; i++)
		if (strcasecmp(cfg->conns[i].name, name) == 0)
			return &cfg->conns[i];
	return NULL;
}

static bool proposals_equal(const struct conf_proposals *a, const struct conf_proposals *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++) {
		const struct conf_proposal *p = &a->v[i], *q = &b->v[i];

		if (p->n_xforms != q->n_xforms)
			return false;
		for (size_t k = 0; k < p->n_xforms; k++)
			if (p->xforms[k].xf != q->xforms[k].xf)
				return false;
	}
	return true;
}

static bool ts_equal(const struct conf_ts *a, size_t na, const struct conf_ts *b, size_t nb)
{
	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++)
		if (!conf_addr_equal(&a[i].addr, &b[i].addr) || a[i].prefix != b[i].prefix ||
		    a[i].proto != b[i].proto || a[i].port_lo != b[i].port_lo ||
		    a[i].port_hi != b[i].port_hi)
			return false;
	return true;
}

/* Field by field; `line` is left out: moving a section changes no SA. */
bool conn_config_equal(const struct conn_config *a, const struct conn_config *b)
{
	return strcmp(a->name, b->name) == 0 && a->version == b->version &&
	       conf_addr_equal(&a->local, &b->local) &&
	       conf_addr_equal(&a->remote, &b->remote) &&
	       conf_id_equal(&a->local_id, &b->local_id) &&
	       conf_id_equal(&a->remote_id, &b->remote_id) && a->auth == b->auth &&
	       proposals_equal(&a->ike, &b->ike) && proposals_equal(&a->esp, &b->esp) &&
	       a->ikev1_mode == b->ikev1_mode &&
	       a->aggressive_psk_ok == b->aggressive_psk_ok && a->pfs == b->pfs &&
	       ts_equal(a->local_ts, a->n_local_ts, b->local_ts, b->n_local_ts) &&
	       ts_equal(a->remote_ts, a->n_remote_ts, b->remote_ts, b->n_remote_ts) &&
	       a->ike_lifetime_s == b->ike_lifetime_s &&
	       a->child_lifetime_s == b->child_lifetime_s &&
	       a->rekey_margin_s == b->rekey_margin_s && a->dpd_delay_s == b->dpd_delay_s &&
	       a->dpd_timeout_s == b->dpd_timeout_s && a->dpd_action == b->dpd_action &&
	       a->start == b->start && a->childless == b->childless &&
	       a->fragmentation == b->fragmentation && a->fragment_size == b->fragment_size &&
	       a->transport == b->transport && a->nat_keepalive_s == b->nat_keepalive_s &&
	       a->signature == b->signature &&
	       conf_cert_equal(a->pubkey, b->pubkey);
}

enum conf_change config_conn_change(const struct config *old_cfg,
				    const struct config *new_cfg, const char *name)
{
	const struct conn_config *a = config_find_conn(old_cfg, name);
	const struct conn_config *b = config_find_conn(new_cfg, name);

	if (!a)
		return b ? CONF_CONN_ADDED : CONF_CONN_REMOVED;
	if (!b)
		return CONF_CONN_REMOVED;
	return conn_config_equal(a, b) ? CONF_CONN_UNCHANGED : CONF_CONN_CHANGED;
}
