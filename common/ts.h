/*
 * ts.h - traffic selectors, shared by both IKE versions.
 *
 * A selector is what RFC 7296 3.13.1 puts in a TS payload: an address range
 * (IPv4 or IPv6, start..end inclusive), an IP protocol (0 = any) and a port
 * range (0..65535 = any; start 65535 and end 0 is OPAQUE, RFC 7296 3.13.1,
 * RFC 4301 4.4.1). IKEv1 Quick Mode identities (RFC 2407 4.6.2: an address,
 * subnet or range with one protocol and one port) map onto the same struct.
 * For ICMP the "ports" carry type and code (RFC 4301 4.4.1.3); they are
 * compared as 16-bit ranges like ports.
 *
 * Text form (what ts_parse() reads and ts_str() writes):
 *   10.1.0.0/24   192.0.2.7   10.1.0.1-10.1.0.9   ::/0   2001:db8::/64
 *   each optionally followed by [PROTO], [PROTO/PORT], [PROTO/LO-HI] or
 *   [PROTO/opaque], PROTO a name (tcp, udp, icmp, ipv6-icmp, sctp, gre,
 *   any) or a number: "10.1.0.0/24[tcp/443]", "::/0[udp/500-501]".
 *
 * Narrowing (RFC 7296 2.9): the configuration's local and remote selector
 * lists are taken as a cross product (any local with any remote), as
 * dualike.conf writes them. Narrowing is then per side: the responder calls
 * ts_narrow(TSi, remote config) and ts_narrow(TSr, local config); if either
 * says ERR_NOTFOUND the answer is TS_UNACCEPTABLE. The result is every part
 * of the proposal the policy allows (so when the initiator's first,
 * packet-specific selector is allowed, it is included, as 2.9 requires).
 */
#ifndef DUALIKE_COMMON_TS_H
#define DUALIKE_COMMON_TS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/kernel.h"

/* TS Type values, RFC 7296 3.13.1. */
enum ts_type {
	TS_IPV4_ADDR_RANGE = 7,
	TS_IPV6_ADDR_RANGE = 8,
};

struct ts {
	uint8_t type;       /* enum ts_type */
	uint8_t proto;      /* IP protocol number, 0 = any */
	uint16_t port_lo;   /* host order */
	uint16_t port_hi;
	uint8_t start[16];  /* network order; IPv4 uses the first 4 bytes */
	uint8_t end[16];
};

/* Longest text ts_str() writes (two IPv6 addresses, a protocol and ports). */
#define TS_STR_MAX 112

/* 4 or 16 (0 for a bad type). */
size_t ts_addr_len(const struct ts *ts);
/* Known type, start <= end, and a port range or OPAQUE. */
bool ts_valid(const struct ts *ts);
bool ts_ports_any(const struct ts *ts);
bool ts_ports_opaque(const struct ts *ts);

/* Every address of the type, every protocol and port. */
void ts_set_any(struct ts *ts, enum ts_type type);
/*
 * The range of a prefix (host bits of addr are ignored), any protocol and
 * port. ERR_INVAL when prefix exceeds the address length.
 */
int ts_from_prefix(struct ts *ts, enum ts_type type, const uint8_t *addr, unsigned prefix);
/* The range start..end (ERR_INVAL when start > end). */
int ts_from_range(struct ts *ts, enum ts_type type, const uint8_t *start, const uint8_t *end);
/* Is the address range exactly one prefix? Then its network and length. */
bool ts_to_prefix(const struct ts *ts, uint8_t addr[16], unsigned *prefix);
/*
 * The prefixes that exactly cover the address range, smallest number of
 * them, each with ts's protocol and ports. Writes at most cap; returns how
 * many there are (compare with cap).
 */
size_t ts_split_prefixes(const struct ts *ts, struct ts *out, size_t cap);

/* ERR_PARSE when the text is not one of the forms above. */
int ts_parse(const char *text, struct ts *out);
/* The pieces of the bracket, shared with the config's selectors (src/conf_ts.c):
 * a protocol by name (any, icmp, tcp, udp, gre, ipv6-icmp, sctp, udplite) or
 * number 0-255; a port "P" or range "LO-HI" (s is cut at the '-'): ERR_PARSE
 * for a number that is not 0-65535, ERR_INVAL for a range that goes down. */
bool ts_proto_parse(const char *s, uint8_t *proto);
int ts_port_range_parse(char *s, uint16_t *lo, uint16_t *hi);
const char *ts_str(const struct ts *ts, char *buf, size_t len);

bool ts_equal(const struct ts *a, const struct ts *b);
/* Is every packet inner selects also selected by outer? */
bool ts_contains(const struct ts *outer, const struct ts *inner);
/* The packets both select; false (and *out untouched) when none. */
bool ts_intersect(const struct ts *a, const struct ts *b, struct ts *out);

/*
 * One side of the responder's narrowing (RFC 7296 2.9): every non-empty
 * intersection of a proposed selector with an allowed one, in proposal
 * order, leaving out pieces contained in an earlier or later piece.
 * ERR_NOTFOUND: nothing is allowed (TS_UNACCEPTABLE); ERR_OVERFLOW: more
 * than cap pieces.
 */
int ts_narrow(const struct ts *proposed, size_t n_proposed, const struct ts *allowed,
	      size_t n_allowed, struct ts *out, size_t cap, size_t *n_out);
/*
 * The initiator's check of the answer (and IKEv1's of Quick Mode IDs
 * against the configured subnets): is each of got[] inside one of within[]?
 */
bool ts_list_within(const struct ts *got, size_t n_got, const struct ts *within,
		    size_t n_within);

/*
 * The kernel selector for traffic from src to dst (common/kernel.h). Both
 * must be prefixes of one family; ports single or any; protocols equal or
 * one of them any. ERR_UNSUPPORTED when the kernel cannot express it (a
 * range that is not a prefix: split it first; a port range; ICMP type/code),
 * ERR_INVAL when the two sides cannot match one packet (families or
 * protocols differ).
 */
int ts_to_kernel_selector(const struct ts *src, const struct ts *dst,
			  struct kernel_selector *out);

#endif
