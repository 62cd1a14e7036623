/*
 * id.c - identities: validation, text, comparison (rules in id.h).
 * The ID payload bodies of both versions are in id_wire.c.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "common/err.h"
#include "common/id.h"

const char *id_type_name(uint8_t type)
{
	switch (type) {
	case ID_IPV4_ADDR: return "ID_IPV4_ADDR";
	case ID_FQDN: return "ID_FQDN";
	case ID_RFC822_ADDR: return "ID_RFC822_ADDR";
	case ID_IPV6_ADDR: return "ID_IPV6_ADDR";
	case ID_DER_ASN1_DN: return "ID_DER_ASN1_DN";
	case ID_KEY_ID: return "ID_KEY_ID";
	default: return "ID_UNKNOWN";
	}
}

static bool all_bytes(const uint8_t *p, size_t n, bool allow_8bit)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] < 0x20 || p[i] == 0x7f || (p[i] >= 0x80 && !allow_8bit))
			return false; /* NUL, CR, LF and other terminators (RFC 7296 3.5) */
	}
	return true;
}

/* The type's data rules (id.h); 0, ERR_PARSE or ERR_UNSUPPORTED. */
static int id_check(uint8_t type, const uint8_t *data, size_t len)
{
	switch (type) {
	case ID_IPV4_ADDR:
		return len == 4 ? 0 : ERR_PARSE;
	case ID_IPV6_ADDR:
		return len == 16 ? 0 : ERR_PARSE;
	case ID_FQDN:
		return len >= 1 && len <= ID_MAX_LEN && all_bytes(data, len, false) ? 0 : ERR_PARSE;
	case ID_RFC822_ADDR:
		return len >= 1 && len <= ID_MAX_LEN && all_bytes(data, len, true) ? 0 : ERR_PARSE;
	case ID_KEY_ID:
	case ID_DER_ASN1_DN:
		return len >= 1 && len <= ID_MAX_LEN ? 0 : ERR_PARSE;
	default:
		return ERR_UNSUPPORTED;
	}
}

int id_new(uint8_t type, const void *data, size_t len, struct id **out)
{
	struct id *id;
	int rc;

	*out = NULL;
	rc = id_check(type, data, len);
	if (rc < 0)
		return rc;
	id = malloc(sizeof(*id) + len);
	if (!id)
		return ERR_NOMEM;
	id->type = type;
	id->len = len;
	memcpy(id->data, data, len);
	*out = id;
	return 0;
}

int id_dup(const struct id *id, struct id **out)
{
	return id_new(id->type, id->data, id->len, out);
}

void id_free(struct id *id)
{
	free(id);
}

bool id_text_is_hostname(const char *s, size_t len)
{
	size_t label = 0;

	if (len == 0 || s[0] == '.')
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '.') {
			if (label == 0)
				return false;
			label = 0;
		} else if (isalnum(c) || c == '-' || c == '_') {
			if (++label > 63)
				return false;
		} else {
			return false;
		}
	}
	return true;
}

const char *id_text_user_fqdn_why(const char *text)
{
	const char *at = strchr(text, '@');

	if (!at || at == text || strchr(at + 1, '@') || !id_text_is_hostname(at + 1, strlen(at + 1)))
		return "write user@fqdn as user@example.com";
	for (const char *p = text; p < at; p++) {
		if (!isgraph((unsigned char)*p))
			return "the user part of user@fqdn has a space or control character";
	}
	return NULL;
}

static int parse_hex(uint8_t type, const char *hex, struct id **out)
{
	size_t n = strlen(hex), len;
	uint8_t *buf;
	int rc = ERR_PARSE;

	if (n == 0 || n % 2 || n / 2 > ID_MAX_LEN)
		return ERR_PARSE;
	buf = malloc(n / 2);
	if (!buf)
		return ERR_NOMEM;
	if (sodium_hex2bin(buf, n / 2, hex, n, NULL, &len, NULL) == 0 && len == n / 2)
		rc = id_new(type, buf, len, out);
	free(buf);
	return rc;
}

int id_parse(const char *text, struct id **out)
{
	uint8_t a[16];
	size_t n = strlen(text);

	*out = NULL;
	if (strncasecmp(text, "keyid:", 6) == 0)
		return parse_hex(ID_KEY_ID, text + 6, out);
	if (strncasecmp(text, "asn1dn:", 7) == 0)
		return parse_hex(ID_DER_ASN1_DN, text + 7, out);
	if (inet_pton(AF_INET, text, a) == 1)
		return id_new(ID_IPV4_ADDR, a, 4, out);
	if (inet_pton(AF_INET6, text, a) == 1)
		return id_new(ID_IPV6_ADDR, a, 16, out);
	if (strchr(text, '@'))
		return id_text_user_fqdn_why(text) ? ERR_PARSE : id_new(ID_RFC822_ADDR, text, n, out);
	if (!id_text_is_hostname(text, n))
		return ERR_PARSE;
	return id_new(ID_FQDN, text, n, out);
}

/* Printable ASCII as is, anything else (and '\') as \xNN; always terminated. */
static void put_escaped(char *buf, size_t len, const uint8_t *p, size_t n)
{
	size_t o = strlen(buf);

	for (size_t i = 0; i < n && o + 1 < len; i++) {
		if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '\\') {
			buf[o++] = (char)p[i];
		} else if (o + 4 < len) {
			snprintf(buf + o, 5, "\\x%02x", p[i]);
			o += 4;
		} else {
			break;
		}
	}
	buf[o] = '\0';
}

static void put_hex(char *buf, size_t len, const char *prefix, const uint8_t *p, size_t n)
{
	size_t o;

	snprintf(buf, len, "%s", prefix);
	o = strlen(buf);
	for (size_t i = 0; i < n && o + 2 < len; i++, o += 2)
		snprintf(buf + o, 3, "%02x", p[i]);
}

const char *id_str(const struct id *id, char *buf, size_t len)
{
	if (len == 0)
		return buf;
	buf[0] = '\0';
	switch (id->type) {
	case ID_IPV4_ADDR:
	case ID_IPV6_ADDR: {
		char a[INET6_ADDRSTRLEN];

		inet_ntop(id->type == ID_IPV4_ADDR ? AF_INET : AF_INET6, id->data, a, sizeof(a));
		snprintf(buf, len, "%s", a);
		break;
	}
	case ID_FQDN:
	case ID_RFC822_ADDR:
		put_escaped(buf, len, id->data, id->len);
		break;
	case ID_KEY_ID:
		put_hex(buf, len, "keyid:", id->data, id->len);
		break;
	default:
		put_hex(buf, len, "asn1dn:", id->data, id->len);
		break;
	}
	return buf;
}

static bool ascii_caseeq(const uint8_t *a, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (tolower(a[i]) != tolower(b[i]))
			return false;
	}
	return true;
}

/* user@domain: the local part exactly, the domain (after the last '@') without case. */
static bool rfc822_equal(const struct id *a, const struct id *b)
{
	const uint8_t *at_a = memrchr(a->data, '@', a->len);
	const uint8_t *at_b = memrchr(b->data, '@', b->len);
	size_t local_a = at_a ? (size_t)(at_a - a->data) : a->len;
	size_t local_b = at_b ? (size_t)(at_b - b->data) : b->len;

	if (local_a != local_b || memcmp(a->data, b->data, local_a) != 0)
		return false;
	return ascii_caseeq(a->data + local_a, b->data + local_b, a->len - local_a);
}

bool id_equal(const struct id *a, const struct id *b)
{
	if (a->type != b->type || a->len != b->len)
		return false;
	switch (a->type) {
	case ID_FQDN:
		return ascii_caseeq(a->data, b->data, a->len);
	case ID_RFC822_ADDR:
		return rfc822_equal(a, b);
	default:
		return memcmp(a->data, b->data, a->len) == 0;
	}
}
