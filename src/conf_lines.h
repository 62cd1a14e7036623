/*
 * conf_lines.h - where each section and key of an INI file is, by line.
 *
 * iniparser parses dualike.conf but keeps no line numbers, and every
 * problem must be reported as FILE:LINE. This is a small pass over the same
 * file that follows iniparser 4.1's line rules (comments with # or ;,
 * "[section]", "key = value", a trailing backslash continues a line, names
 * lower-cased) and maps (section, key) to the line it starts on. It also
 * reports what iniparser would reject (with the line, which iniparser does
 * not give to the caller) and what iniparser silently accepts but the user
 * did not mean: a key set twice, a section opened twice.
 * It is line lookup only: values are read from iniparser.
 */
#ifndef DUALIKE_SRC_CONF_LINES_H
#define DUALIKE_SRC_CONF_LINES_H

#include <stddef.h>

#include "src/conf_errors.h"

struct conf_line_key {
	char *section; /* lower case, "" before any section */
	char *key;     /* lower case */
	int line;
};

struct conf_line_section {
	char *name; /* lower case, as iniparser stores it */
	int line;
};

struct conf_lines {
	struct conf_line_key *keys;
	size_t n_keys;
	struct conf_line_section *sections;
	size_t n_sections;
};

/*
 * Scan path. Returns 0, ERR_PARSE when a line is not INI (each reported in
 * errs), ERR_IO when the file cannot be read, ERR_NOMEM.
 */
int conf_lines_scan(const char *path, struct conf_lines *out, struct config_errors *errs);
void conf_lines_free(struct conf_lines *lines);
/* Line of section:key or of the section, 0 when absent. */
int conf_lines_key(const struct conf_lines *lines, const char *section, const char *key);
int conf_lines_section(const struct conf_lines *lines, const char *section);

#endif
