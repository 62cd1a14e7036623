/* conf_lines.c - line numbers of an INI file's sections and keys (see conf_lines.h). */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "src/conf_lines.h"

/* iniparser 4.1 reads lines into a 1024-byte buffer (ASCIILINESZ). */
#define INI_LINE_MAX 1023

static char *strip(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

static char *lower_dup(const char *s, size_t n)
{
	char *d = strndup(s, n);

	for (char *p = d; p && *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return d;
}

static int add_section(struct conf_lines *l, char *name, int line,
		       const char *path, struct config_errors *errs)
{
	struct conf_line_section *v;
	int first = conf_lines_section(l, name);

	if (first) {
		config_error_add(errs, path, line,
				 "section [%s] is opened again (first at line %d); "
				 "merge the two into one", name, first);
		free(name);
		return ERR_PARSE;
	}
	v = realloc(l->sections, (l->n_sections + 1) * sizeof(*v));
	if (!v) {
		free(name);
		return ERR_NOMEM;
	}
	l->sections = v;
	v[l->n_sections].name = name;
	v[l->n_sections].line = line;
	l->n_sections++;
	return 0;
}

static int add_key(struct conf_lines *l, const char *section, char *key, int line,
		   const char *path, struct config_errors *errs)
{
	struct conf_line_key *v;
	int first = conf_lines_key(l, section, key);
	char *sec;

	if (first) {
		config_error_add(errs, path, line,
				 "%s is set again (first at line %d); keep one of the two",
				 key, first);
		free(key);
		return ERR_PARSE;
	}
	sec = strdup(section);
	v = sec ? realloc(l->keys, (l->n_keys + 1) * sizeof(*v)) : NULL;
	if (!v) {
		free(sec);
		free(key);
		return ERR_NOMEM;
	}
	l->keys = v;
	v[l->n_keys].section = sec;
	v[l->n_keys].key = key;
	v[l->n_keys].line = line;
	l->n_keys++;
	return 0;
}

/* One logical line (continuations joined) that started at `line`. */
static int scan_line(struct conf_lines *l, char *text, int line, char **section,
		     const char *path, struct config_errors *errs)
{
	char *s = strip(text), *eq;
	size_t n = strlen(s);
	int r;

	if (n == 0 || s[0] == '#' || s[0] == ';')
		return 0;
	if (s[0] == '[' && s[n - 1] == ']') {
		char *name, *inner;

		s[n - 1] = '\0';
		inner = strip(s + 1);
		name = lower_dup(inner, strlen(inner));
		if (!name)
			return ERR_NOMEM;
		free(*section);
		*section = strdup(name);
		if (!*section) {
			free(name);
			return ERR_NOMEM;
		}
		return add_section(l, name, line, path, errs);
	}
	eq = strchr(s, '=');
	if (eq == s) {
		config_error_add(errs, path, line, "a value without a key; write key = value");
		return ERR_PARSE;
	}
	if (!eq) {
		config_error_add(errs, path, line,
				 "not a \"key = value\" line, a [section] or a # comment; "
				 "write key = value (an empty value is written key =)");
		return ERR_PARSE;
	}
	*eq = '\0';
	s = strip(s);
	char *key = lower_dup(s, strlen(s));

	if (!key)
		return ERR_NOMEM;
	r = add_key(l, *section ? *section : "", key, line, path, errs);
	return r;
}

int conf_lines_scan(const char *path, struct conf_lines *out, struct config_errors *errs)
{
	FILE *f;
	char *buf = NULL, *logical = NULL, *section = NULL;
	size_t cap = 0, llen = 0;
	ssize_t n;
	int lineno = 0, start = 0, rc = 0, r;

	memset(out, 0, sizeof(*out));
	f = fopen(path, "r");
	if (!f) {
		config_error_add(errs, path, 0, "cannot open: %s", strerror(errno));
		return ERR_IO;
	}
	while ((n = getline(&buf, &cap, f)) >= 0) {
		char *t;
		bool more;

		lineno++;
		if (!logical)
			start = lineno;
		if (n > INI_LINE_MAX) {
			config_error_add(errs, path, lineno,
					 "line longer than %d characters; split the value "
					 "with a backslash at the end of the line", INI_LINE_MAX);
			rc = ERR_PARSE;
		}
		while (n > 0 && isspace((unsigned char)buf[n - 1]))
			buf[--n] = '\0';
		more = n > 0 && buf[n - 1] == '\\';
		if (more)
			buf[--n] = '\0';
		t = realloc(logical, llen + (size_t)n + 1);
		if (!t) {
			rc = ERR_NOMEM;
			break;
		}
		logical = t;
		memcpy(logical + llen, buf, (size_t)n + 1);
		llen += (size_t)n;
		if (more)
			continue;
		r = scan_line(out, logical, start, &section, path, errs);
		if (r && (rc == 0 || r == ERR_NOMEM))
			rc = r;
		free(logical);
		logical = NULL;
		llen = 0;
		if (rc == ERR_NOMEM)
			break;
	}
	if (logical && rc != ERR_NOMEM) {
		r = scan_line(out, logical, start, &section, path, errs);
		if (r && rc == 0)
			rc = r;
	}
	if (ferror(f) && rc == 0) {
		config_error_add(errs, path, 0, "read error: %s", strerror(errno));
		rc = ERR_IO;
	}
	free(logical);
	free(section);
	free(buf);
	fclose(f);
	return rc;
}

void conf_lines_free(struct conf_lines *l)
{
	for (size_t i = 0; i < l->n_keys; i++) {
		free(l->keys[i].section);
		free(l->keys[i].key);
	}
	for (size_t i = 0; i < l->n_sections; i++)
		free(l->sections[i].name);
	free(l->keys);
	free(l->sections);
	memset(l, 0, sizeof(*l));
}

int conf_lines_key(const struct conf_lines *l, const char *section, const char *key)
{
	for (size_t i = 0; i < l->n_keys; i++)
		if (strcmp(l->keys[i].section, section) == 0 && strcmp(l->keys[i].key, key) == 0)
			return l->keys[i].line;
	return 0;
}

int conf_lines_section(const struct conf_lines *l, const char *section)
{
	for (size_t i = 0; i < l->n_sections; i++)
		if (strcmp(l->sections[i].name, section) == 0)
			return l->sections[i].line;
	return 0;
}
