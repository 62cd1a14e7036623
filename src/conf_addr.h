/*
 * conf_addr.h - IP addresses and prefixes as written in configuration files.
 *
 * Used by dualike.conf (addresses, traffic selectors), peers.policy
 * (address and prefix rules), secrets (address selectors) and pins (peer
 * keys). Only numeric addresses: the daemon never resolves names.
 */
#ifndef DUALIKE_SRC_CONF_ADDR_H
#define DUALIKE_SRC_CONF_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* An IP address of either family; family AF_UNSPEC means %any. */
struct conf_addr {
	int family;        /* AF_INET, AF_INET6, or AF_UNSPEC for %any */
	uint8_t bytes[16]; /* network order; 4 used for AF_INET */
};

#define CONF_ADDR_STRLEN 48 /* enough for any address text */

/* "192.0.2.1", "2001:db8::1"; with allow_any also "%any". */
bool conf_addr_parse(const char *s, bool allow_any, struct conf_addr *out);
bool conf_addr_equal(const struct conf_addr *a, const struct conf_addr *b);
/* Text form ("%any" for AF_UNSPEC) into buf; returns buf. */
const char *conf_addr_str(const struct conf_addr *a, char *buf, size_t len);
/* Address bits: 32 or 128 (0 for %any). */
unsigned conf_addr_bits(const struct conf_addr *a);
/*
 * From a socket address; an IPv4-mapped IPv6 address (::ffff:a.b.c.d, as
 * a dual-stack socket reports IPv4 peers) becomes the IPv4 address.
 */
/* The address as a sockaddr (port 0); false for AF_UNSPEC (%any). */
bool conf_addr_to_sockaddr(const struct conf_addr *a, struct sockaddr_storage *out);
bool conf_addr_from_sockaddr(const struct sockaddr *sa, struct conf_addr *out);

/*
 * "198.51.100.0/24", "fd00::/8", or a bare address (a full-length prefix).
 * Fails when host bits are set below the prefix (*host_bits is then true,
 * so the caller can say which network to write).
 */
bool conf_prefix_parse(const char *s, struct conf_addr *net, uint8_t *prefix,
		       bool *host_bits);
/* Zero the bits of a below prefix. */
void conf_addr_mask(struct conf_addr *a, uint8_t prefix);
/* Is addr inside net/prefix (same family)? */
bool conf_prefix_match(const struct conf_addr *net, uint8_t prefix,
		       const struct conf_addr *addr);

#endif
