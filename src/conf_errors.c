/* conf_errors.c - the problem list of the configuration loaders. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "src/conf_errors.h"

void config_errors_init(struct config_errors *errs)
{
	memset(errs, 0, sizeof(*errs));
}

void config_errors_free(struct config_errors *errs)
{
	if (!errs)
		return;
	for (size_t i = 0; i < errs->n; i++) {
		free(errs->v[i].file);
		free(errs->v[i].msg);
	}
	free(errs->v);
	config_errors_init(errs);
}

void config_error_add(struct config_errors *errs, const char *file, int line,
		      const char *fmt, ...)
{
	struct config_error *e;
	va_list ap;
	char *msg = NULL;
	int r;

	if (!errs)
		return;
	if (errs->n == errs->cap) {
		size_t cap = errs->cap ? errs->cap * 2 : 8;
		struct config_error *v = realloc(errs->v, cap * sizeof(*v));

		if (!v) {
			errs->dropped++;
			return;
		}
		errs->v = v;
		errs->cap = cap;
	}
	va_start(ap, fmt);
	r = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (r < 0) {
		errs->dropped++;
		return;
	}
	e = &errs->v[errs->n];
	e->file = strdup(file ? file : "?");
	if (!e->file) {
		free(msg);
		errs->dropped++;
		return;
	}
	e->line = line;
	e->msg = msg;
	errs->n++;
}

const char *config_error_str(const struct config_errors *errs, size_t i,
			     char *buf, size_t len)
{
	const struct config_error *e;

	if (len == 0)
		return buf;
	buf[0] = '\0';
	if (i >= errs->n)
		return buf;
	e = &errs->v[i];
	if (e->line > 0)
		snprintf(buf, len, "%s:%d: %s", e->file, e->line, e->msg);
	else
		snprintf(buf, len, "%s: %s", e->file, e->msg);
	return buf;
}

void config_errors_print(const struct config_errors *errs, FILE *f)
{
	char line[1024];

	for (size_t i = 0; i < errs->n; i++)
		fprintf(f, "%s\n", config_error_str(errs, i, line, sizeof(line)));
	if (errs->dropped)
		fprintf(f, "(%zu more problems not shown: out of memory)\n", errs->dropped);
}

void config_errors_sort(struct config_errors *errs, size_t from)
{
	/* Insertion sort: a handful of entries, and it keeps equal lines in order. */
	for (size_t i = from + 1; i < errs->n; i++) {
		struct config_error e = errs->v[i];
		size_t j = i;

		while (j > from && errs->v[j - 1].line > e.line &&
		       strcmp(errs->v[j - 1].file, e.file) == 0) {
			errs->v[j] = errs->v[j - 1];
			j--;
		}
		errs->v[j] = e;
	}
}
