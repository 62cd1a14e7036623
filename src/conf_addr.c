/* conf_addr.c - numeric addresses and prefixes of the config files. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/conf_addr.h"

bool conf_addr_parse(const char *s, bool allow_any, struct conf_addr *out)
{
	memset(out, 0, sizeof(*out));
	if (allow_any && strcmp(s, "%any") == 0) {
		out->family = AF_UNSPEC;
		return true;
	}
	if (inet_pton(AF_INET, s, out->bytes) == 1) {
		out->family = AF_INET;
		return true;
	}
	if (inet_pton(AF_INET6, s, out->bytes) == 1) {
		out->family = AF_INET6;
		return true;
	}
	memset(out, 0, sizeof(*out));
	return false;
}

unsigned conf_addr_bits(const struct conf_addr *a)
{
	return a->family == AF_INET ? 32 : a->family == AF_INET6 ? 128 : 0;
}

bool conf_addr_equal(const struct conf_addr *a, const struct conf_addr *b)
{
	return a->family == b->family &&
	       memcmp(a->bytes, b->bytes, conf_addr_bits(a) / 8) == 0;
}

const char *conf_addr_str(const struct conf_addr *a, char *buf, size_t len)
{
	if (len == 0)
		return buf;
	if (a->family == AF_UNSPEC || !inet_ntop(a->family, a->bytes, buf, (socklen_t)len))
		snprintf(buf, len, "%%any");
	return buf;
}

bool conf_addr_from_sockaddr(const struct sockaddr *sa, struct conf_addr *out)
{
	static const uint8_t v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	memset(out, 0, sizeof(*out));
	if (!sa)
		return false;
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)sa;

		out->family = AF_INET;
		memcpy(out->bytes, &sin->sin_addr, 4);
		return true;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)sa;
		const uint8_t *b = (const uint8_t *)&sin6->sin6_addr;

		if (memcmp(b, v4mapped, sizeof(v4mapped)) == 0) {
			out->family = AF_INET;
			memcpy(out->bytes, b + 12, 4);
		} else {
			out->family = AF_INET6;
			memcpy(out->bytes, b, 16);
		}
		return true;
	}
	return false;
}

void conf_addr_mask(struct conf_addr *a, uint8_t prefix)
{
	unsigned bits = conf_addr_bits(a);

	for (unsigned i = prefix; i < bits; i++)
		a->bytes[i / 8] &= (uint8_t)~(0x80u >> (i % 8));
}

bool conf_prefix_parse(const char *s, struct conf_addr *net, uint8_t *prefix,
		       bool *host_bits)
{
	char buf[64];
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	unsigned long plen;
	struct conf_addr masked;
	char *end;

	*host_bits = false;
	if (alen >= sizeof(buf))
		return false;
	memcpy(buf, s, alen);
	buf[alen] = '\0';
	if (!conf_addr_parse(buf, false, net))
		return false;
	if (!slash) {
		*prefix = (uint8_t)conf_addr_bits(net);
		return true;
	}
	if (slash[1] < '0' || slash[1] > '9')
		return false;
	plen = strtoul(slash + 1, &end, 10);
	if (*end != '\0' || plen > conf_addr_bits(net))
		return false;
	*prefix = (uint8_t)plen;
	masked = *net;
	conf_addr_mask(&masked, *prefix);
	if (!conf_addr_equal(&masked, net)) {
		*host_bits = true;
		*net = masked; /* so the caller can suggest the network */
		return false;
	}
	return true;
}

bool conf_prefix_match(const struct conf_addr *net, uint8_t prefix,
		       const struct conf_addr *addr)
{
	struct conf_addr masked = *addr;

	if (net->family != addr->family)
		return false;
	conf_addr_mask(&masked, prefix);
	return conf_addr_equal(&masked, net);
}

bool conf_addr_to_sockaddr(const struct conf_addr *a, struct sockaddr_storage *out)
{
	memset(out, 0, sizeof(*out));
	if (a->family == AF_INET) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)out;

		s4->sin_family = AF_INET;
		memcpy(&s4->sin_addr, a->bytes, 4);
		return true;
	}
	if (a->family == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)out;

		s6->sin6_family = AF_INET6;
		memcpy(&s6->sin6_addr, a->bytes, 16);
		return true;
	}
	return false;
}
