/*
 * conf_ts.c - traffic selectors as written in dualike.conf.
 *
 * "10.1.0.0/24, fd00:1::/64[tcp/443], 192.0.2.7[udp/500-501]": a subnet (or
 * one address), then optionally [PROTO] or [PROTO/PORT] or [PROTO/LO-HI].
 * They become IKEv2 TS payloads (RFC 7296 3.13.1: a protocol, a port range
 * and an address range) or IKEv1 Quick Mode IDs (RFC 2407 4.6.2: a subnet
 * with a protocol and one port), which is why ranges of ports other than
 * a single port or all ports only work with IKEv2 (checked in config.c).
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/err.h"
#include "src/config.h"

static const struct {
	const char *name;
	uint8_t proto;
} proto_names[] = {
	{ "any", 0 }, { "icmp", 1 }, { "tcp", 6 }, { "udp", 17 }, { "gre", 47 },
	{ "ipv6-icmp", 58 }, { "icmp6", 58 }, { "icmpv6", 58 }, { "sctp", 132 },
	{ "udplite", 136 },
};

static bool has_ports(uint8_t proto)
{
	return proto == 6 || proto == 17 || proto == 132 || proto == 136;
}

static bool parse_u(const char *s, unsigned long max, unsigned long *v)
{
	char *end;

	if (!isdigit((unsigned char)*s))
		return false;
	*v = strtoul(s, &end, 10);
	return *end == '\0' && *v <= max;
}

static bool parse_proto(const char *s, uint8_t *proto)
{
	unsigned long v;

	for (size_t i = 0; i < sizeof(proto_names) / sizeof(proto_names[0]); i++) {
		if (strcasecmp(s, proto_names[i].name) == 0) {
			*proto = proto_names[i].proto;
			return true;
		}
	}
	if (!parse_u(s, 255, &v))
		return false;
	*proto = (uint8_t)v;
	return true;
}

/* "tcp", "tcp/443", "udp/500-501" (inside the brackets). */
static bool parse_proto_port(char *s, struct conf_ts *ts, const char **why)
{
	char *slash = strchr(s, '/'), *dash;
	unsigned long lo, hi;

	if (slash)
		*slash = '\0';
	if (!parse_proto(s, &ts->proto)) {
		*why = "unknown protocol; write tcp, udp, icmp, ipv6-icmp, sctp, gre, any or 0-255";
		return false;
	}
	if (!slash)
		return true;
	if (!has_ports(ts->proto)) {
		*why = "a port needs tcp, udp, sctp or udplite";
		return false;
	}
	dash = strchr(slash + 1, '-');
	if (dash)
		*dash = '\0';
	if (!parse_u(slash + 1, 65535, &lo) || (dash && !parse_u(dash + 1, 65535, &hi))) {
		*why = "a port is 0-65535, a range is written LO-HI";
		return false;
	}
	if (!dash)
		hi = lo;
	if (lo > hi) {
		*why = "the port range goes down; write LO-HI with LO <= HI";
		return false;
	}
	ts->port_lo = (uint16_t)lo;
	ts->port_hi = (uint16_t)hi;
	return true;
}

static bool parse_one(char *s, struct conf_ts *ts, char *hint, size_t hint_len,
		      const char **why)
{
	char *bracket = strchr(s, '[');
	bool host_bits;

	memset(ts, 0, sizeof(*ts));
	ts->port_hi = 65535;
	if (bracket) {
		size_t n = strlen(bracket);

		if (n < 3 || bracket[n - 1] != ']') {
			*why = "write the protocol and port in brackets after the subnet, e.g. 10.1.0.0/24[tcp/443]";
			return false;
		}
		bracket[n - 1] = '\0';
		*bracket = '\0';
		if (!parse_proto_port(bracket + 1, ts, why))
			return false;
	}
	if (!conf_prefix_parse(s, &ts->addr, &ts->prefix, &host_bits)) {
		if (host_bits) {
			char net[CONF_ADDR_STRLEN];

			snprintf(hint, hint_len, "%s/%u", conf_addr_str(&ts->addr, net, sizeof(net)),
				 ts->prefix);
			*why = "host bits are set below the prefix; write the network";
		} else {
			*why = "not a subnet; write ADDRESS/PREFIX, e.g. 10.1.0.0/24 or fd00:1::/64";
		}
		return false;
	}
	return true;
}

int conf_ts_parse_list(const char *text, struct conf_ts **ts, size_t *n,
		       const char *file, int line, struct config_errors *errs)
{
	char *copy = strdup(text), *save = NULL, *item;
	int rc = 0;

	if (!copy)
		return ERR_NOMEM;
	for (item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
		struct conf_ts one, *v;
		const char *why = NULL;
		char hint[64] = "", orig[128];
		char *s = item, *e;

		while (isspace((unsigned char)*s))
			s++;
		e = s + strlen(s);
		while (e > s && isspace((unsigned char)e[-1]))
			*--e = '\0';
		snprintf(orig, sizeof(orig), "%s", s);
		if (!parse_one(s, &one, hint, sizeof(hint), &why)) {
			config_error_add(errs, file, line, "traffic selector '%s': %s%s%s",
					 orig, why, hint[0] ? " " : "", hint);
			rc = ERR_PARSE;
			continue;
		}
		v = realloc(*ts, (*n + 1) * sizeof(*v));
		if (!v) {
			rc = ERR_NOMEM;
			break;
		}
		*ts = v;
		v[(*n)++] = one;
	}
	if (rc == 0 && *n == 0) {
		config_error_add(errs, file, line, "empty traffic selector list; write "
				 "subnets separated by commas, or remove the key");
		rc = ERR_PARSE;
	}
	free(copy);
	return rc;
}

const char *conf_ts_str(const struct conf_ts *ts, char *buf, size_t len)
{
	char a[CONF_ADDR_STRLEN];
	int off;

	if (len == 0)
		return buf;
	off = snprintf(buf, len, "%s/%u", conf_addr_str(&ts->addr, a, sizeof(a)), ts->prefix);
	if (off < 0 || (size_t)off >= len || (ts->proto == 0 && ts->port_lo == 0 &&
					      ts->port_hi == 65535))
		return buf;
	if (ts->port_lo == 0 && ts->port_hi == 65535)
		snprintf(buf + off, len - (size_t)off, "[%u]", ts->proto);
	else if (ts->port_lo == ts->port_hi)
		snprintf(buf + off, len - (size_t)off, "[%u/%u]", ts->proto, ts->port_lo);
	else
		snprintf(buf + off, len - (size_t)off, "[%u/%u-%u]", ts->proto, ts->port_lo,
			 ts->port_hi);
	return buf;
}
