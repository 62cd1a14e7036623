/* policy.c - peers.policy: parsing and first-match lookup (see policy.h). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/err.h"
#include "src/conf_id.h"
#include "src/policy.h"

struct policy {
	char *path;
	struct policy_rule *rules;
	size_t n;
	struct policy_rule dflt;
};

const char *policy_version_name(enum policy_version v)
{
	return v == POLICY_IKEV1 ? "ikev1" : v == POLICY_IKEV2 ? "ikev2" : "any";
}

static bool parse_version(const char *s, enum policy_version *v)
{
	if (strcasecmp(s, "ikev1") == 0)
		*v = POLICY_IKEV1;
	else if (strcasecmp(s, "ikev2") == 0)
		*v = POLICY_IKEV2;
	else if (strcasecmp(s, "any") == 0)
		*v = POLICY_ANY;
	else
		return false;
	return true;
}

static const char *parse_id(const char *s, struct policy_rule *r)
{
	struct conf_id id;
	const char *why = NULL;

	if (s[0] == '*') {
		/* The rest must itself look like the end of an identity. */
		if (s[1] != '.' && s[1] != '@')
			return "a wildcard is written *.example.com or *@example.com";
		if (!conf_id_parse(s + 2, &id, &why))
			return why;
		r->kind = POLICY_MATCH_ID_GLOB;
		r->id = strdup(s + 1);
	} else {
		if (!conf_id_parse(s, &id, &why))
			return why;
		r->kind = POLICY_MATCH_ID;
		r->id = strdup(s);
	}
	return r->id ? NULL : "out of memory";
}

static int parse_line(struct policy *p, char *line, int lineno, struct config_errors *errs)
{
	char *hash = strchr(line, '#');
	char *match, *ver, *extra, *save = NULL;
	struct policy_rule r = { .line = lineno };
	const char *why = NULL;
	bool host_bits;

	if (hash)
		*hash = '\0';
	match = strtok_r(line, " \t\r\n", &save);
	if (!match)
		return 0;
	ver = strtok_r(NULL, " \t\r\n", &save);
	extra = strtok_r(NULL, " \t\r\n", &save);
	if (!ver || extra) {
		config_error_add(errs, p->path, lineno, "a rule is two words: MATCH VERSION, "
				 "e.g. 198.51.100.0/24 ikev1");
		return ERR_PARSE;
	}
	if (!parse_version(ver, &r.version)) {
		config_error_add(errs, p->path, lineno, "version '%s' is unknown; write ikev1, "
				 "ikev2 or any", ver);
		return ERR_PARSE;
	}
	if (strcasecmp(match, "default") == 0) {
		if (p->dflt.line) {
			config_error_add(errs, p->path, lineno, "a second default line (first at "
					 "line %d); keep one", p->dflt.line);
			return ERR_PARSE;
		}
		r.kind = POLICY_MATCH_DEFAULT;
		p->dflt = r;
		return 0;
	}
	if (strncasecmp(match, "id:", 3) == 0) {
		why = parse_id(match + 3, &r);
	} else if (!conf_prefix_parse(match, &r.net, &r.prefix, &host_bits)) {
		char net[CONF_ADDR_STRLEN];

		if (host_bits)
			config_error_add(errs, p->path, lineno, "'%s' has host bits set below the "
					 "prefix; write %s/%u", match,
					 conf_addr_str(&r.net, net, sizeof(net)), r.prefix);
		else
			config_error_add(errs, p->path, lineno, "'%s' is not an address, a prefix "
					 "(198.51.100.0/24, fd00::/8), id:IDENTITY or default", match);
		return ERR_PARSE;
	} else {
		r.kind = POLICY_MATCH_PREFIX;
	}
	if (why) {
		config_error_add(errs, p->path, lineno, "identity '%s': %s", match + 3, why);
		return ERR_PARSE;
	}
	struct policy_rule *v = realloc(p->rules, (p->n + 1) * sizeof(*v));

	if (!v) {
		free(r.id);
		return ERR_NOMEM;
	}
	p->rules = v;
	v[p->n++] = r;
	return 0;
}

struct policy *policy_new_any(void)
{
	struct policy *p = calloc(1, sizeof(*p));

	if (p) {
		p->dflt.kind = POLICY_MATCH_DEFAULT;
		p->dflt.version = POLICY_ANY;
	}
	return p;
}

int policy_load(const char *path, struct policy **out, struct config_errors *errs)
{
	struct policy *p;
	char *buf = NULL;
	size_t cap = 0;
	int lineno = 0, rc = 0;
	FILE *f;

	*out = NULL;
	f = fopen(path, "r");
	if (!f) {
		config_error_add(errs, path, 0, "cannot open: %s", strerror(errno));
		return ERR_IO;
	}
	p = policy_new_any();
	if (!p || !(p->path = strdup(path))) {
		fclose(f);
		policy_free(p);
		return ERR_NOMEM;
	}
	while (getline(&buf, &cap, f) >= 0) {
		int r = parse_line(p, buf, ++lineno, errs);

		if (r == ERR_NOMEM) {
			rc = r;
			break;
		}
		if (r && !rc)
			rc = r;
	}
	free(buf);
	fclose(f);
	if (rc) {
		policy_free(p);
		return rc;
	}
	*out = p;
	return 0;
}

void policy_free(struct policy *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n; i++)
		free(p->rules[i].id);
	free(p->rules);
	free(p->path);
	free(p);
}

const char *policy_path(const struct policy *p)
{
	return p->path ? p->path : "(built-in)";
}

static bool id_matches(const struct policy_rule *r, const char *id)
{
	size_t n = strlen(id), m;

	if (r->kind == POLICY_MATCH_ID)
		return strcasecmp(r->id, id) == 0;
	/* Glob: at least one character before the suffix (".example.com" / "@example.com"). */
	m = strlen(r->id);
	return n > m && strcasecmp(id + n - m, r->id) == 0;
}

const struct policy_rule *policy_match(const struct policy *p, const struct sockaddr *peer,
				       const char *id_or_null)
{
	struct conf_addr addr;
	bool have_addr = conf_addr_from_sockaddr(peer, &addr);

	for (size_t i = 0; i < p->n; i++) {
		const struct policy_rule *r = &p->rules[i];

		if (r->kind == POLICY_MATCH_PREFIX) {
			if (have_addr && conf_prefix_match(&r->net, r->prefix, &addr))
				return r;
		} else if (id_or_null && id_matches(r, id_or_null)) {
			return r;
		}
	}
	return &p->dflt;
}

bool policy_allows(const struct policy *p, const struct sockaddr *peer,
		   const char *id_or_null, int ike_major_version)
{
	const struct policy_rule *r = policy_match(p, peer, id_or_null);

	if (ike_major_version != 1 && ike_major_version != 2)
		return false;
	return r->version == POLICY_ANY || (int)r->version == ike_major_version;
}

const char *policy_rule_str(const struct policy *p, const struct policy_rule *r,
			    char *buf, size_t len)
{
	char net[CONF_ADDR_STRLEN];
	const char *v = policy_version_name(r->version);

	if (len == 0)
		return buf;
	switch (r->kind) {
	case POLICY_MATCH_PREFIX:
		snprintf(buf, len, "%s:%d: %s/%u %s", policy_path(p), r->line,
			 conf_addr_str(&r->net, net, sizeof(net)), r->prefix, v);
		break;
	case POLICY_MATCH_ID:
		snprintf(buf, len, "%s:%d: id:%s %s", policy_path(p), r->line, r->id, v);
		break;
	case POLICY_MATCH_ID_GLOB:
		snprintf(buf, len, "%s:%d: id:*%s %s", policy_path(p), r->line, r->id, v);
		break;
	case POLICY_MATCH_DEFAULT:
	default:
		if (r->line)
			snprintf(buf, len, "%s:%d: default %s", policy_path(p), r->line, v);
		else
			snprintf(buf, len, "%s: default %s (implied)", policy_path(p), v);
		break;
	}
	return buf;
}
