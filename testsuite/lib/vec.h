/*
 * vec.h - reading known-answer data from ../shared/vectors at test time.
 *
 * The folder comes from $DUALIKE_VECTORS (set by `make check` from configure's
 * --with-vectors, default: the `shared/vectors` folder beside the source
 * tree). Data is never copied into the repository. When the folder is absent
 * a test calls tap_skip_all() with the reason, so nothing passes silently.
 *
 * One reader serves every format found there: NIST CAVS .fax/.rsp files
 * ("[section]" headers that apply to the records after them, CRLF), pyca
 * files ("NAME = value", COUNT), and the project's "name = hex" records
 * separated by blank lines. Comment lines start with '#'.
 */
#ifndef DUALIKE_TESTSUITE_VEC_H
#define DUALIKE_TESTSUITE_VEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define VEC_MAX_FIELDS 48
#define VEC_MAX_SECTIONS 16

struct vec_field {
	char *name;
	char *value;
};

struct vec_file {
	FILE *fp;
	char path[1024];
	unsigned line_no;
	bool in_records; /* a record has been read since the last section header */
	struct vec_field sections[VEC_MAX_SECTIONS];
	size_t n_sections;
};

struct vec_rec {
	struct vec_field fields[VEC_MAX_FIELDS];
	size_t n_fields;
	unsigned first_line;
	const struct vec_file *file; /* for vec_section() */
};

/* The vectors folder, or NULL when it does not exist. */
const char *vec_dir(void);
/* Open dir/relpath; false (with a diagnostic) when missing. */
bool vec_open(struct vec_file *f, const char *relpath);
void vec_close(struct vec_file *f);
/* Read the next record; false at end of file. Frees the previous record. */
bool vec_next(struct vec_file *f, struct vec_rec *r);
void vec_rec_free(struct vec_rec *r);
/* A field by exact name (case-sensitive), or NULL. */
const char *vec_get(const struct vec_rec *r, const char *name);
/*
 * A section header in force for this record: "[SHA-1]" has name "SHA-1" and
 * value ""; "[g^xy length = 256]" has name "g^xy length" and value "256".
 * NULL when absent.
 */
const char *vec_section(const struct vec_rec *r, const char *name);
/*
 * Decode hex (case-insensitive; an odd count, as NIST sometimes writes "0",
 * gets a leading zero nibble) into a malloc'd buffer. Returns false on a bad
 * character. *out is never NULL on success (an empty value gives a 1-byte
 * allocation and *len 0). Caller frees.
 */
bool vec_hex(const char *hex, uint8_t **out, size_t *len);
/* vec_hex of a field; false (and a TAP diagnostic) when missing or bad. */
bool vec_get_hex(const struct vec_rec *r, const char *name, uint8_t **out, size_t *len);

/*
 * The hex string value of "key" in a small flat JSON file under the vectors
 * folder (ACVP expected results), decoded as by vec_hex(). False when the
 * file, the key or the hex is missing.
 */
bool vec_json_hex(const char *relpath, const char *key, uint8_t **out, size_t *len);

/*
 * Walking a file whose records carry hex fields, the shape most known-answer
 * tests share: open relpath (a TAP failure when it is missing), decode the
 * named fields of every record and hand them to fn; a record lacking one is
 * a TAP failure ("record is readable"), except that a record lacking the
 * field named `only_with` (when not NULL) is passed over as belonging to
 * another test. Ends with a TAP check that at least one record was found.
 * Returns how many records reached fn.
 */
#define VEC_WALK_MAX 8

struct vec_hex_rec {
	const char *relpath;
	const struct vec_rec *rec;
	uint8_t *val[VEC_WALK_MAX];
	size_t len[VEC_WALK_MAX];
};

typedef void (*vec_hex_fn)(void *arg, const struct vec_hex_rec *h);

unsigned vec_walk_hex(const char *relpath, const char *const names[], size_t n_names,
		      const char *only_with, vec_hex_fn fn, void *arg);

#endif
