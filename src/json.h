/*
 * json.h - a small JSON writer for dualikectl's --json output.
 *
 * Output only: the daemon never parses JSON. Values are appended to a
 * libevent evbuffer; strings are escaped per RFC 8259 7. Nesting is tracked
 * so commas are placed correctly; keys are given inside objects and NULL
 * inside arrays.
 */
#ifndef DUALIKE_SRC_JSON_H
#define DUALIKE_SRC_JSON_H

#include <stdbool.h>
#include <stdint.h>

struct evbuffer;

#define JSON_MAX_DEPTH 16

struct json {
	struct evbuffer *out;
	int depth;
	bool has_items[JSON_MAX_DEPTH];
};

void json_init(struct json *j, struct evbuffer *out);
void json_object_begin(struct json *j, const char *key);
void json_object_end(struct json *j);
void json_array_begin(struct json *j, const char *key);
void json_array_end(struct json *j);
void json_string(struct json *j, const char *key, const char *value);
void json_uint(struct json *j, const char *key, uint64_t value);
void json_int(struct json *j, const char *key, int64_t value);
void json_bool(struct json *j, const char *key, bool value);
void json_null(struct json *j, const char *key);
/* End the document with a newline. */
void json_finish(struct json *j);

#endif
