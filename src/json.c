/* json.c - JSON output (see json.h). */
#include <inttypes.h>
#include <stdio.h>

#include <event2/buffer.h>

#include "src/json.h"

void json_init(struct json *j, struct evbuffer *out)
{
	j->out = out;
	j->depth = 0;
	j->has_items[0] = false;
}

static void json_escaped(struct evbuffer *out, const char *s)
{
	evbuffer_add(out, "\"", 1);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': evbuffer_add(out, "\\\"", 2); break;
		case '\\': evbuffer_add(out, "\\\\", 2); break;
		case '\n': evbuffer_add(out, "\\n", 2); break;
		case '\r': evbuffer_add(out, "\\r", 2); break;
		case '\t': evbuffer_add(out, "\\t", 2); break;
		default:
			if (*p < 0x20)
				evbuffer_add_printf(out, "\\u%04x", *p);
			else
				evbuffer_add(out, p, 1);
		}
	}
	evbuffer_add(out, "\"", 1);
}

/* Comma and key before a value at the current depth. */
static void json_prefix(struct json *j, const char *key)
{
	if (j->has_items[j->depth])
		evbuffer_add(j->out, ",", 1);
	j->has_items[j->depth] = true;
	if (key) {
		json_escaped(j->out, key);
		evbuffer_add(j->out, ":", 1);
	}
}

static void json_open(struct json *j, const char *key, char c)
{
	json_prefix(j, key);
	evbuffer_add(j->out, &c, 1);
	if (j->depth + 1 < JSON_MAX_DEPTH)
		j->depth++;
	j->has_items[j->depth] = false;
}

static void json_close(struct json *j, char c)
{
	evbuffer_add(j->out, &c, 1);
	if (j->depth > 0)
		j->depth--;
}

void json_object_begin(struct json *j, const char *key) { json_open(j, key, '{'); }
void json_object_end(struct json *j) { json_close(j, '}'); }
void json_array_begin(struct json *j, const char *key) { json_open(j, key, '['); }
void json_array_end(struct json *j) { json_close(j, ']'); }

void json_string(struct json *j, const char *key, const char *value)
{
	json_prefix(j, key);
	if (value)
		json_escaped(j->out, value);
	else
		evbuffer_add(j->out, "null", 4);
}

void json_uint(struct json *j, const char *key, uint64_t value)
{
	json_prefix(j, key);
	evbuffer_add_printf(j->out, "%" PRIu64, value);
}

void json_int(struct json *j, const char *key, int64_t value)
{
	json_prefix(j, key);
	evbuffer_add_printf(j->out, "%" PRId64, value);
}

void json_bool(struct json *j, const char *key, bool value)
{
	json_prefix(j, key);
	evbuffer_add_printf(j->out, "%s", value ? "true" : "false");
}

void json_null(struct json *j, const char *key)
{
	json_prefix(j, key);
	evbuffer_add(j->out, "null", 4);
}

void json_finish(struct json *j)
{
	evbuffer_add(j->out, "\n", 1);
}
