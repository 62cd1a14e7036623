/* conf_id.c - identities in the config files (RFC 7296 3.5, RFC 2407 4.6.2.1). */
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "common/id.h"
#include "src/conf_cert.h"
#include "src/conf_id.h"

static bool parse_keyid(const char *hex, struct conf_id *out, const char **why)
{
	size_t n = strlen(hex);

	if (n == 0 || n % 2 || n / 2 > CONF_ID_MAX) {
		*why = "keyid: needs an even number of hex digits (at most 510)";
		return false;
	}
	if (sodium_hex2bin(out->data, CONF_ID_MAX, hex, n, NULL, &out->len, NULL) != 0) {
		*why = "keyid: takes hex digits only";
		return false;
	}
	out->type = CONF_ID_KEY_ID;
	return true;
}

bool conf_id_parse(const char *s, struct conf_id *out, const char **why)
{
	struct conf_addr a;
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
	if (strchr(s, '@')) {
		*why = id_text_user_fqdn_why(s);
		if (*why)
			return false;
		out->type = CONF_ID_USER_FQDN;
	} else {
		if (!id_text_is_hostname(s, n)) {
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
