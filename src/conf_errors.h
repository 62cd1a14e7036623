/*
 * conf_errors.h - a list of problems found in a configuration file.
 *
 * Every loader (dualike.conf, secrets, peers.policy, pins) collects all the
 * problems it finds, each with its file and line, instead of stopping at the
 * first, so one run of `dualiked --check-config` shows them all. Messages say
 * what is wrong and what to write instead; they never contain key material.
 */
#ifndef DUALIKE_SRC_CONF_ERRORS_H
#define DUALIKE_SRC_CONF_ERRORS_H

#include <stddef.h>
#include <stdio.h>

struct config_error {
	char *file;
	int line;   /* 0 when the problem is the whole file */
	char *msg;
};

struct config_errors {
	struct config_error *v;
	size_t n;
	size_t cap;
	size_t dropped; /* problems not stored because memory ran out */
};

void config_errors_init(struct config_errors *errs);
void config_errors_free(struct config_errors *errs);
/* Record a problem; errs may be NULL (the problem is then dropped). */
void config_error_add(struct config_errors *errs, const char *file, int line,
		      const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Order the problems from index `from` on by line (stable), for reading. */
void config_errors_sort(struct config_errors *errs, size_t from);
/* One line per problem: "FILE:LINE: message" (or "FILE: message"). */
void config_errors_print(const struct config_errors *errs, FILE *f);
/* Problem i as that line, into buf; returns buf. */
const char *config_error_str(const struct config_errors *errs, size_t i,
			     char *buf, size_t len);

#endif
