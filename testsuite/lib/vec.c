/* vec.c - known-answer file reader (see vec.h). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "testsuite/lib/tap.h"
#include "testsuite/lib/vec.h"

#ifndef DUALIKE_VECTORS_DEFAULT
#define DUALIKE_VECTORS_DEFAULT "../shared/vectors"
#endif

const char *vec_dir(void)
{
	const char *d = getenv("DUALIKE_VECTORS");
	struct stat st;

	if (!d || !*d)
		d = DUALIKE_VECTORS_DEFAULT;
	if (stat(d, &st) != 0 || !S_ISDIR(st.st_mode))
		return NULL;
	return d;
}

bool vec_open(struct vec_file *f, const char *relpath)
{
	const char *d = vec_dir();

	memset(f, 0, sizeof(*f));
	if (!d)
		return false;
	snprintf(f->path, sizeof(f->path), "%s/%s", d, relpath);
	f->fp = fopen(f->path, "r");
	if (!f->fp) {
		tap_diag("cannot open %s", f->path);
		return false;
	}
	return true;
}

static void fields_free(struct vec_field *v, size_t *n)
{
	for (size_t i = 0; i < *n; i++) {
		free(v[i].name);
		free(v[i].value);
	}
	*n = 0;
}

void vec_close(struct vec_file *f)
{
	if (f->fp)
		fclose(f->fp);
	f->fp = NULL;
	fields_free(f->sections, &f->n_sections);
}

void vec_rec_free(struct vec_rec *r)
{
	fields_free(r->fields, &r->n_fields);
}

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* Split "name = value" (value may be empty); false when there is no '='. */
static bool split_pair(char *s, char **name, char **value)
{
	char *eq = strchr(s, '=');

	if (!eq)
		return false;
	*eq = '\0';
	*name = trim(s);
	*value = trim(eq + 1);
	return true;
}

static void add_field(struct vec_field *v, size_t *n, size_t max,
		      const char *name, const char *value)
{
	if (*n >= max)
		return;
	v[*n].name = strdup(name);
	v[*n].value = strdup(value);
	(*n)++;
}

bool vec_next(struct vec_file *f, struct vec_rec *r)
{
	char line[65536];

	vec_rec_free(r);
	r->file = f;
	r->first_line = 0;
	if (!f->fp)
		return false;
	while (fgets(line, sizeof(line), f->fp)) {
		long raw_len = (long)strlen(line);
		char *s = trim(line), *name, *value;

		f->line_no++;
		if (*s == '#')
			continue;
		if (*s == '\0') {
			if (r->n_fields)
				return true;
			continue;
		}
		if (*s == '[') {
			char *end = strchr(s, ']');

			if (r->n_fields) {
				/* a header right after a record ends it: read it again next time */
				fseek(f->fp, -raw_len, SEEK_CUR);
				f->line_no--;
				return true;
			}
			if (f->in_records) {
				fields_free(f->sections, &f->n_sections);
				f->in_records = false;
			}
			if (end)
				*end = '\0';
			s++;
			if (split_pair(s, &name, &value))
				add_field(f->sections, &f->n_sections, VEC_MAX_SECTIONS, name, value);
			else
				add_field(f->sections, &f->n_sections, VEC_MAX_SECTIONS, trim(s), "");
			continue;
		}
		if (!split_pair(s, &name, &value))
			continue;
		/*
		 * Some NIST files (HMAC.fax) put no blank line between records: a
		 * COUNT line, or a field already present, starts the next record.
		 */
		if (r->n_fields && (strcasecmp(name, "COUNT") == 0 || vec_get(r, name))) {
			fseek(f->fp, -raw_len, SEEK_CUR);
			f->line_no--;
			return true;
		}
		if (!r->n_fields)
			r->first_line = f->line_no;
		f->in_records = true;
		add_field(r->fields, &r->n_fields, VEC_MAX_FIELDS, name, value);
	}
	return r->n_fields > 0;
}

const char *vec_get(const struct vec_rec *r, const char *name)
{
	for (size_t i = 0; i < r->n_fields; i++)
		if (strcmp(r->fields[i].name, name) == 0)
			return r->fields[i].value;
	return NULL;
}

const char *vec_section(const struct vec_rec *r, const char *name)
{
	const struct vec_file *f = r->file;

	if (!f)
		return NULL;
	for (size_t i = 0; i < f->n_sections; i++)
		if (strcmp(f->sections[i].name, name) == 0)
			return f->sections[i].value;
	return NULL;
}

static int nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

bool vec_hex(const char *hex, uint8_t **out, size_t *len)
{
	size_t n = strlen(hex), odd = n & 1, i, o = 0;
	uint8_t *b;

	if (n >= 2 && hex[0] == '0' && (hex[1] == 'x' || hex[1] == 'X')) {
		hex += 2;
		n -= 2;
		odd = n & 1;
	}
	b = malloc(n / 2 + odd + 1);
	if (!b)
		return false;
	i = 0;
	if (odd) {
		int v = nibble(hex[0]);

		if (v < 0)
			goto bad;
		b[o++] = (uint8_t)v;
		i = 1;
	}
	for (; i + 1 < n + 1 && i < n; i += 2) {
		int hi = nibble(hex[i]), lo = nibble(hex[i + 1]);

		if (hi < 0 || lo < 0)
			goto bad;
		b[o++] = (uint8_t)(hi << 4 | lo);
	}
	*out = b;
	*len = o;
	return true;
bad:
	free(b);
	*out = NULL;
	*len = 0;
	return false;
}

bool vec_get_hex(const struct vec_rec *r, const char *name, uint8_t **out, size_t *len)
{
	const char *v = vec_get(r, name);

	*out = NULL;
	*len = 0;
	if (!v) {
		tap_diag("%s: record at line %u has no field '%s'",
			 r->file ? r->file->path : "?", r->first_line, name);
		return false;
	}
	if (!vec_hex(v, out, len)) {
		tap_diag("%s: record at line %u: field '%s' is not hex",
			 r->file ? r->file->path : "?", r->first_line, name);
		return false;
	}
	return true;
}

bool vec_json_hex(const char *relpath, const char *key, uint8_t **out, size_t *len)
{
	char path[1200], text[8192], pat[64], *p, *end;
	size_t n;
	FILE *fp;

	*out = NULL;
	*len = 0;
	if (!vec_dir())
		return false;
	snprintf(path, sizeof(path), "%s/%s", vec_dir(), relpath);
	fp = fopen(path, "r");
	if (!fp)
		return false;
	n = fread(text, 1, sizeof(text) - 1, fp);
	fclose(fp);
	text[n] = '\0';
	snprintf(pat, sizeof(pat), "\"%s\": \"", key);
	p = strstr(text, pat);
	if (!p)
		return false;
	p += strlen(pat);
	end = strchr(p, '"');
	if (!end)
		return false;
	*end = '\0';
	return vec_hex(p, out, len);
}

unsigned vec_walk_hex(const char *relpath, const char *const names[], size_t n_names,
		      const char *only_with, vec_hex_fn fn, void *arg)
{
	struct vec_file f;
	struct vec_rec r = { 0 };
	unsigned walked = 0;

	if (n_names > VEC_WALK_MAX || !vec_open(&f, relpath)) {
		tap_ok(false, "open %s", relpath);
		return 0;
	}
	while (vec_next(&f, &r)) {
		struct vec_hex_rec h = { .relpath = relpath, .rec = &r };
		bool readable = true;

		if (only_with && !vec_get(&r, only_with))
			continue;
		for (size_t i = 0; i < n_names && readable; i++)
			readable = vec_get_hex(&r, names[i], &h.val[i], &h.len[i]);
		if (readable) {
			fn(arg, &h);
			walked++;
		} else {
			tap_ok(false, "%s:%u: record is readable", relpath, r.first_line);
		}
		for (size_t i = 0; i < n_names; i++)
			free(h.val[i]);
	}
	vec_rec_free(&r);
	vec_close(&f);
	tap_ok(walked > 0, "%s: vectors found", relpath);
	return walked;
}
