/*
 * conf_int.h - shared by the dualike.conf loader's files only (config.c,
 * conf_daemon.c, conf_conn.c): the load context and value helpers.
 */
#ifndef DUALIKE_SRC_CONF_INT_H
#define DUALIKE_SRC_CONF_INT_H

#include <iniparser.h>

#include "src/conf_lines.h"
#include "src/config.h"

struct conf_ctx {
	const char *file;
	dictionary *ini;
	struct conf_lines *lines;
	struct config_errors *errs;
	const char *section; /* the section being read, lower case */
	char *dir;           /* the config file's directory (for relative paths) */
	int rc;              /* first failure: ERR_PARSE or ERR_NOMEM */
};

/* One known key of a section and the function that reads its value into obj. */
struct conf_key {
	const char *name;
	int (*parse)(struct conf_ctx *ctx, void *obj, const char *key, const char *val);
};

/* The value of key in the current section, or NULL when not written. */
const char *conf_get(struct conf_ctx *ctx, const char *key);
/* Line of key in the current section, or the section's line. */
int conf_line(struct conf_ctx *ctx, const char *key);
/* A path key's value into *dst (freed first): an absolute path as written,
 * a relative one (when relative_ok) against the config file's folder. */
int conf_path_set(struct conf_ctx *ctx, char **dst, const char *key, const char *val,
		  bool relative_ok);
/* Report a problem at key's line and remember the failure. */
void conf_bad(struct conf_ctx *ctx, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void conf_nomem(struct conf_ctx *ctx);
/* Run every parser of a key table over the keys written in the current section. */
void conf_read_keys(struct conf_ctx *ctx, const struct conf_key *keys, size_t n, void *obj);

/* Values. */
bool conf_bool_parse(const char *s, bool *out);
bool conf_duration_ms_parse(const char *s, uint32_t *ms);
int conf_enum_parse(const char *s, const char *const *names, size_t n);
/* Edit distance, capped (returns cap when larger): for "did you mean". */
unsigned conf_edit_distance(const char *a, const char *b, unsigned cap);
/* The name closest to word (distance <= 2), or NULL. */
const char *conf_closest(const char *word, const char *const *names, size_t n);

int conf_daemon_read(struct conf_ctx *ctx, struct daemon_config *d);
void conf_daemon_free(struct daemon_config *d);
extern const struct conf_key conf_daemon_keys[];
extern const size_t conf_daemon_n_keys;

int conf_conn_read(struct conf_ctx *ctx, struct conn_config *c);
void conf_conn_free(struct conn_config *c);
extern const struct conf_key conf_conn_keys[];
extern const size_t conf_conn_n_keys;

#endif
