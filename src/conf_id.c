/* conf_id.c - identities in the config files (RFC 7296 3.5, RFC 2407 4.6.2.1). */
#include <ctype.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "src/conf_cert.h"
#include "src/conf_id.h"

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Host name rules, loosely (RFC 1123 2.1): labels of letters, digits, '-', '_'. */
static bool is_fqdn(const char *s, size_t len)
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

static bool parse_keyid(const char *hex, struct conf_id *out, const char **why)
{
	size_t n = strlen(hex);

	if (n == 0 || n % 2 || n / 2 > CONF_ID_MAX) {
		*why = "keyid: needs an even number of hex digits (at most 510)";
		return false;
	}
	for (size_t i = 0; i < n / 2; i++) {
		int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);

		if (hi < 0 || lo < 0) {
			*why = "keyid: takes hex digits only";
			return false;
		}
		out->data[i] = (uint8_t)(hi << 4 | lo);
	}
	out->type = CONF_ID_KEY_ID;
	out->len = n / 2;
	return true;
}

bool conf_id_parse(const char *s, struct conf_id *out, const char **why)
{
	struct conf_addr a;
	const char *at;
	size_t n = strlen(s);

	memset(out, 0, sizeof(*out));
	*why = NULL;
	if (strncasecmp(s, "keyid:", 6) == 0)
		return parse_keyid(s + 6, out, why);
	if (strncasecmp(s, "dn:", 3) == 0)
		return conf_id_parse_dn(s + 3, out, why);
	if (conf_addr_parse(s, false, &a)) {
		conf_id_from_addr(&a, out);
		return true;
	}
	if (n > CONF_ID_MAX) {
		*why = "an identity is at most 255 bytes";
		return false;
	}
	at = strchr(s, '@');
	if (at) {
		if (at == s || strchr(at + 1, '@') || !is_fqdn(at + 1, strlen(at + 1))) {
			*why = "write user@fqdn as user@example.com";
			return false;
		}
		for (const char *p = s; p < at; p++) {
			if (!isgraph((unsigned char)*p)) {
				*why = "the user part of user@fqdn has a space or control character";
				return false;
			}
		}
		out->type = CONF_ID_USER_FQDN;
	} else {
		if (!is_fqdn(s, n)) {
			*why = "not an IP address, FQDN (vpn.example.com), user@fqdn or keyid:HEX";
			return false;
		}
		out->type = CONF_ID_FQDN;
	}
	memcpy(out->data, s, n);
	out->len = n;
	return true;
}

void conf_id_from_addr(const struct conf_addr *a, struct conf_id *out)
{
	memset(out, 0, sizeof(*out));
	if (a->family == AF_INET) {
		out->type = CONF_ID_IPV4;
		out->len = 4;
	} else if (a->family == AF_INET6) {
		out->type = CONF_ID_IPV6;
		out->len = 16;
	} else {
		return;
	}
	memcpy(out->data, a->bytes, out->len);
}

bool conf_id_equal(const struct conf_id *a, const struct conf_id *b)
{
	if (a->type == CONF_ID_DER_ASN1_DN && b->type == CONF_ID_DER_ASN1_DN)
		return conf_id_dn_equal(a, b);
	if (a->type != b->type || a->len != b->len)
		return false;
	if (a->type == CONF_ID_FQDN || a->type == CONF_ID_USER_FQDN)
		return strncasecmp((const char *)a->data, (const char *)b->data, a->len) == 0;
	return memcmp(a->data, b->data, a->len) == 0;
}

const char *conf_id_str(const struct conf_id *id, char *buf, size_t len)
{
	struct conf_addr a = { 0 };
	size_t off;

	if (len == 0)
		return buf;
	switch (id->type) {
	case CONF_ID_IPV4:
	case CONF_ID_IPV6:
		a.family = id->type == CONF_ID_IPV4 ? AF_INET : AF_INET6;
		memcpy(a.bytes, id->data, id->len);
		return conf_addr_str(&a, buf, len);
	case CONF_ID_FQDN:
	case CONF_ID_USER_FQDN:
		snprintf(buf, len, "%.*s", (int)id->len, (const char *)id->data);
		return buf;
	case CONF_ID_KEY_ID:
		off = (size_t)snprintf(buf, len, "keyid:");
		for (size_t i = 0; i < id->len && off + 3 <= len; i++)
			off += (size_t)snprintf(buf + off, len - off, "%02x", id->data[i]);
		return buf;
	case CONF_ID_DER_ASN1_DN:
		return conf_id_dn_str(id, buf, len);
	case CONF_ID_NONE:
	default:
		snprintf(buf, len, "%%any");
		return buf;
	}
}
