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
#include "common/ts.h"
#include "src/config.h"

static bool has_ports(uint8_t proto)
{
	return proto == 6 || proto == 17 || proto == 132 || proto == 136;
}

/* common's names, and two more spellings of ipv6-icmp that configs use. */
static bool parse_proto(const char *s, uint8_t *proto)
{
	if (strcasecmp(s, "icmp6") == 0 || strcasecmp(s, "icmpv6") == 0) {
		*proto = 58;
		return true;
	}
	return ts_proto_parse(s, proto);
}

/* "tcp", "tcp/443", "udp/500-501" (inside the brackets). */
static bool parse_proto_port(char *s, struct conf_ts *ts, const char **why)
{
	char *slash = strchr(s, '/');
	int rc;

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
	rc = ts_port_range_parse(slash + 1, &ts->port_lo, &ts->port_hi);
	if (rc == ERR_PARSE)
		*why = "a port is 0-65535, a range is written LO-HI";
	else if (rc < 0)
		*why = "the port range goes down; write LO-HI with LO <= HI";
	return rc == 0;
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
