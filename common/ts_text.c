/*
 * ts_text.c - traffic selectors to and from text (forms in ts.h).
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/err.h"
#include "common/ts.h"

static const struct {
	const char *name;
	uint8_t proto;
} proto_names[] = {
	{ "any", 0 },   { "icmp", 1 },       { "tcp", 6 },   { "udp", 17 },
	{ "gre", 47 },  { "ipv6-icmp", 58 }, { "sctp", 132 }, { "udplite", 136 },
};

static bool parse_uint(const char *s, unsigned long max, unsigned long *v)
{
	char *end;

	if (!isdigit((unsigned char)*s))
		return false;
	*v = strtoul(s, &end, 10);
	return *end == '\0' && *v <= max;
}

bool ts_proto_parse(const char *s, uint8_t *proto)
{
	unsigned long v;

	for (size_t i = 0; i < sizeof(proto_names) / sizeof(proto_names[0]); i++) {
		if (strcasecmp(s, proto_names[i].name) == 0) {
			*proto = proto_names[i].proto;
			return true;
		}
	}
	if (!parse_uint(s, 255, &v))
		return false;
	*proto = (uint8_t)v;
	return true;
}

int ts_port_range_parse(char *s, uint16_t *lo, uint16_t *hi)
{
	char *dash = strchr(s, '-');
	unsigned long l, h;

	if (dash)
		*dash = '\0';
	if (!parse_uint(s, 65535, &l) || (dash && !parse_uint(dash + 1, 65535, &h)))
		return ERR_PARSE;
	if (!dash)
		h = l;
	if (l > h)
		return ERR_INVAL;
	*lo = (uint16_t)l;
	*hi = (uint16_t)h;
	return 0;
}

/* "tcp", "tcp/443", "udp/500-501", "tcp/opaque" (brackets removed). */
static bool parse_proto_ports(char *s, struct ts *ts)
{
	char *slash = strchr(s, '/');

	if (slash)
		*slash = '\0';
	if (!ts_proto_parse(s, &ts->proto))
		return false;
	if (!slash)
		return true;
	if (strcasecmp(slash + 1, "opaque") == 0) {
		ts->port_lo = 65535;
		ts->port_hi = 0;
		return true;
	}
	return ts_port_range_parse(slash + 1, &ts->port_lo, &ts->port_hi) == 0;
}

static bool parse_addr(const char *s, uint8_t *type, uint8_t out[16])
{
	memset(out, 0, 16);
	if (inet_pton(AF_INET, s, out) == 1) {
		*type = TS_IPV4_ADDR_RANGE;
		return true;
	}
	if (inet_pton(AF_INET6, s, out) == 1) {
		*type = TS_IPV6_ADDR_RANGE;
		return true;
	}
	return false;
}

/* "A/P", "A" or "A-B". */
static bool parse_addrs(char *s, struct ts *ts)
{
	char *slash = strchr(s, '/'), *dash = strchr(s, '-');
	uint8_t a[16], b[16], ta, tb;
	unsigned long prefix;

	if (slash) {
		*slash = '\0';
		if (!parse_addr(s, &ta, a) ||
		    !parse_uint(slash + 1, ta == TS_IPV4_ADDR_RANGE ? 32 : 128, &prefix))
			return false;
		/* A network with host bits set is a typo, not a selector. */
		if (ts_from_prefix(ts, (enum ts_type)ta, a, (unsigned)prefix) < 0 ||
		    memcmp(ts->start, a, ts_addr_len(ts)) != 0)
			return false;
		return true;
	}
	if (dash) {
		*dash = '\0';
		if (!parse_addr(s, &ta, a) || !parse_addr(dash + 1, &tb, b) || ta != tb)
			return false;
		return ts_from_range(ts, (enum ts_type)ta, a, b) == 0;
	}
	if (!parse_addr(s, &ta, a))
		return false;
	return ts_from_range(ts, (enum ts_type)ta, a, a) == 0;
}

int ts_parse(const char *text, struct ts *out)
{
	char buf[TS_STR_MAX + 16], *bracket;
	uint8_t proto = 0;
	uint16_t lo = 0, hi = 65535;
	size_t n = strlen(text);

	if (n == 0 || n >= sizeof(buf))
		return ERR_PARSE;
	memcpy(buf, text, n + 1);
	bracket = strchr(buf, '[');
	if (bracket) {
		struct ts pp;

		if (buf[n - 1] != ']')
			return ERR_PARSE;
		buf[n - 1] = '\0';
		*bracket = '\0';
		memset(&pp, 0, sizeof(pp));
		pp.port_hi = 65535;
		if (!parse_proto_ports(bracket + 1, &pp))
			return ERR_PARSE;
		proto = pp.proto;
		lo = pp.port_lo;
		hi = pp.port_hi;
	}
	if (!parse_addrs(buf, out))
		return ERR_PARSE;
	out->proto = proto;
	out->port_lo = lo;
	out->port_hi = hi;
	return 0;
}

static const char *proto_name(uint8_t proto, char *buf, size_t len)
{
	for (size_t i = 0; i < sizeof(proto_names) / sizeof(proto_names[0]); i++) {
		if (proto_names[i].proto == proto)
			return proto_names[i].name;
	}
	snprintf(buf, len, "%u", proto);
	return buf;
}

const char *ts_str(const struct ts *ts, char *buf, size_t len)
{
	int af = ts->type == TS_IPV4_ADDR_RANGE ? AF_INET : AF_INET6;
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN], pn[8], ports[16] = "";
	uint8_t net[16];
	unsigned prefix;
	bool is_prefix;

	if (len == 0)
		return buf;
	if (!ts_valid(ts)) {
		snprintf(buf, len, "(invalid selector)");
		return buf;
	}
	inet_ntop(af, ts->start, a, sizeof(a));
	is_prefix = ts_to_prefix(ts, net, &prefix);
	if (is_prefix)
		snprintf(b, sizeof(b), "%u", prefix);
	else
		inet_ntop(af, ts->end, b, sizeof(b));
	if (ts_ports_opaque(ts))
		snprintf(ports, sizeof(ports), "/opaque");
	else if (ts->port_lo == ts->port_hi)
		snprintf(ports, sizeof(ports), "/%u", ts->port_lo);
	else if (!ts_ports_any(ts))
		snprintf(ports, sizeof(ports), "/%u-%u", ts->port_lo, ts->port_hi);
	if (ts->proto == 0 && ports[0] == '\0')
		snprintf(buf, len, "%s%s%s", a, is_prefix ? "/" : "-", b);
	else
		snprintf(buf, len, "%s%s%s[%s%s]", a, is_prefix ? "/" : "-", b,
			 proto_name(ts->proto, pn, sizeof(pn)), ports);
	return buf;
}
