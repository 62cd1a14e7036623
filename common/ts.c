/*
 * ts.c - traffic selector arithmetic: prefixes and ranges, intersection,
 * containment, narrowing (RFC 7296 2.9) and kernel selectors.
 *
 * Addresses are big-endian byte strings of 4 or 16 bytes, compared with
 * memcmp; the few bit operations a prefix needs are done byte by byte.
 */
#include <arpa/inet.h>
#include <string.h>

#include "common/err.h"
#include "common/ts.h"

size_t ts_addr_len(const struct ts *ts)
{
	if (ts->type == TS_IPV4_ADDR_RANGE)
		return 4;
	if (ts->type == TS_IPV6_ADDR_RANGE)
		return 16;
	return 0;
}

bool ts_ports_any(const struct ts *ts)
{
	return ts->port_lo == 0 && ts->port_hi == 65535;
}

/* RFC 7296 3.13.1: start port 65535 and end port 0 mean OPAQUE. */
bool ts_ports_opaque(const struct ts *ts)
{
	return ts->port_lo == 65535 && ts->port_hi == 0;
}

bool ts_valid(const struct ts *ts)
{
	size_t n = ts_addr_len(ts);

	return n && memcmp(ts->start, ts->end, n) <= 0 &&
	       (ts->port_lo <= ts->port_hi || ts_ports_opaque(ts));
}

void ts_set_any(struct ts *ts, enum ts_type type)
{
	memset(ts, 0, sizeof(*ts));
	ts->type = (uint8_t)type;
	ts->port_hi = 65535;
	memset(ts->end, 0xff, ts_addr_len(ts));
}

/* Byte i of a mask of `prefix` leading one bits. */
static uint8_t mask_byte(unsigned prefix, size_t i)
{
	if (prefix >= 8 * (i + 1))
		return 0xff;
	if (prefix <= 8 * i)
		return 0;
	return (uint8_t)(0xff << (8 - (prefix - 8 * i)));
}

int ts_from_prefix(struct ts *ts, enum ts_type type, const uint8_t *addr, unsigned prefix)
{
	size_t n;

	ts_set_any(ts, type);
	n = ts_addr_len(ts);
	if (n == 0 || prefix > 8 * n)
		return ERR_INVAL;
	for (size_t i = 0; i < n; i++) {
		uint8_t m = mask_byte(prefix, i);

		ts->start[i] = addr[i] & m;
		ts->end[i] = (uint8_t)(addr[i] | ~m);
	}
	return 0;
}

int ts_from_range(struct ts *ts, enum ts_type type, const uint8_t *start, const uint8_t *end)
{
	size_t n;

	ts_set_any(ts, type);
	n = ts_addr_len(ts);
	if (n == 0 || memcmp(start, end, n) > 0)
		return ERR_INVAL;
	memcpy(ts->start, start, n);
	memcpy(ts->end, end, n);
	return 0;
}

bool ts_to_prefix(const struct ts *ts, uint8_t addr[16], unsigned *prefix)
{
	size_t n = ts_addr_len(ts), i = 0;
	unsigned p;

	if (!ts_valid(ts))
		return false;
	/*
	 * The common leading bits of start and end: the equal octets, then the
	 * equal high bits of the first octet that differs (a per-bit walk cost
	 * 20 calls x 300 instructions per IKE SA + child: every policy added,
	 * looked up and removed names its selectors by prefix)...
	 */
	while (i < n && ts->start[i] == ts->end[i])
		i++;
	p = (unsigned)(8 * i);
	if (i < n)
		for (uint8_t x = ts->start[i] ^ ts->end[i]; !(x & 0x80); x = (uint8_t)(x << 1))
			p++;
	/* ...then start must be all zeros and end all ones below them. */
	for (i = 0; i < n; i++) {
		uint8_t m = mask_byte(p, i);

		if ((ts->start[i] & ~m) != 0 || (uint8_t)(ts->end[i] | m) != 0xff)
			return false;
	}
	memset(addr, 0, 16);
	memcpy(addr, ts->start, n);
	*prefix = p;
	return true;
}

/* Trailing zero bits of a (n bytes), at most 8n. */
static unsigned trailing_zeros(const uint8_t *a, size_t n)
{
	unsigned tz = 0;

	for (size_t i = n; i-- > 0;) {
		if (a[i] == 0) {
			tz += 8;
			continue;
		}
		for (uint8_t b = a[i]; !(b & 1); b >>= 1)
			tz++;
		break;
	}
	return tz;
}

/* a | (2^k - 1) into out. */
static void set_low_bits(const uint8_t *a, size_t n, unsigned k, uint8_t *out)
{
	for (size_t i = 0; i < n; i++)
		out[i] = (uint8_t)(a[i] | ~mask_byte((unsigned)(8 * n) - k, i));
}

/* a += 1; false on wrap-around. */
static bool add_one(uint8_t *a, size_t n)
{
	for (size_t i = n; i-- > 0;) {
		if (++a[i] != 0)
			return true;
	}
	return false;
}

size_t ts_split_prefixes(const struct ts *ts, struct ts *out, size_t cap)
{
	size_t n = ts_addr_len(ts), count = 0;
	uint8_t cur[16], last[16];

	if (!ts_valid(ts))
		return 0;
	memcpy(cur, ts->start, n);
	for (;;) {
		unsigned k = trailing_zeros(cur, n);

		/* The largest aligned block at cur that stays within end. */
		for (;; k--) {
			set_low_bits(cur, n, k, last);
			if (memcmp(last, ts->end, n) <= 0)
				break;
		}
		if (count < cap) {
			out[count] = *ts;
			memcpy(out[count].start, cur, n);
			memcpy(out[count].end, last, n);
		}
		count++;
		if (memcmp(last, ts->end, n) == 0)
			break;
		memcpy(cur, last, n);
		if (!add_one(cur, n))
			break;
	}
	return count;
}

bool ts_equal(const struct ts *a, const struct ts *b)
{
	size_t n = ts_addr_len(a);

	return a->type == b->type && n && a->proto == b->proto &&
	       a->port_lo == b->port_lo && a->port_hi == b->port_hi &&
	       memcmp(a->start, b->start, n) == 0 && memcmp(a->end, b->end, n) == 0;
}

/*
 * Port ranges of two selectors with the same protocol. OPAQUE stands for
 * "not known to us" (fragments, RFC 4301 4.4.1): only ANY admits it.
 */
static bool ports_intersect(const struct ts *a, const struct ts *b, uint16_t *lo, uint16_t *hi)
{
	if (ts_ports_opaque(a) || ts_ports_opaque(b)) {
		if (!(ts_ports_opaque(a) || ts_ports_any(a)) ||
		    !(ts_ports_opaque(b) || ts_ports_any(b)))
			return false;
		*lo = 65535;
		*hi = 0;
		return true;
	}
	*lo = a->port_lo > b->port_lo ? a->port_lo : b->port_lo;
	*hi = a->port_hi < b->port_hi ? a->port_hi : b->port_hi;
	return *lo <= *hi;
}

bool ts_intersect(const struct ts *a, const struct ts *b, struct ts *out)
{
	size_t n = ts_addr_len(a);
	struct ts r;

	if (a->type != b->type || !ts_valid(a) || !ts_valid(b))
		return false;
	if (a->proto && b->proto && a->proto != b->proto)
		return false;
	memset(&r, 0, sizeof(r));
	r.type = a->type;
	r.proto = a->proto ? a->proto : b->proto;
	if (!ports_intersect(a, b, &r.port_lo, &r.port_hi))
		return false;
	memcpy(r.start, memcmp(a->start, b->start, n) > 0 ? a->start : b->start, n);
	memcpy(r.end, memcmp(a->end, b->end, n) < 0 ? a->end : b->end, n);
	if (memcmp(r.start, r.end, n) > 0)
		return false;
	*out = r;
	return true;
}

bool ts_contains(const struct ts *outer, const struct ts *inner)
{
	struct ts both;

	/* inner is inside outer exactly when their intersection is inner. */
	return ts_intersect(outer, inner, &both) && ts_equal(&both, inner);
}

int ts_narrow(const struct ts *proposed, size_t n_proposed, const struct ts *allowed,
	      size_t n_allowed, struct ts *out, size_t cap, size_t *n_out)
{
	size_t n = 0;

	*n_out = 0;
	for (size_t i = 0; i < n_proposed; i++) {
		for (size_t j = 0; j < n_allowed; j++) {
			struct ts piece;
			bool redundant = false;

			if (!ts_intersect(&proposed[i], &allowed[j], &piece))
				continue;
			/* Drop a piece already covered; drop earlier pieces the new one covers. */
			for (size_t k = 0; k < n && !redundant; k++)
				redundant = ts_contains(&out[k], &piece);
			if (redundant)
				continue;
			for (size_t k = 0; k < n;) {
				if (ts_contains(&piece, &out[k])) {
					memmove(&out[k], &out[k + 1], (n - k - 1) * sizeof(*out));
					n--;
				} else {
					k++;
				}
			}
			if (n == cap)
				return ERR_OVERFLOW;
			out[n++] = piece;
		}
	}
	*n_out = n;
	return n ? 0 : ERR_NOTFOUND;
}

bool ts_list_within(const struct ts *got, size_t n_got, const struct ts *within,
		    size_t n_within)
{
	for (size_t i = 0; i < n_got; i++) {
		bool inside = false;

		for (size_t j = 0; j < n_within && !inside; j++)
			inside = ts_contains(&within[j], &got[i]);
		if (!inside)
			return false;
	}
	return true;
}

static void to_sockaddr(const struct ts *ts, const uint8_t *addr, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (ts->type == TS_IPV4_ADDR_RANGE) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

		s4->sin_family = AF_INET;
		memcpy(&s4->sin_addr, addr, 4);
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		s6->sin6_family = AF_INET6;
		memcpy(&s6->sin6_addr, addr, 16);
	}
}

/* A kernel selector port: one port, or 0 for any. */
static int kernel_port(const struct ts *ts, uint16_t *port)
{
	if (ts_ports_any(ts)) {
		*port = 0;
		return 0;
	}
	if (ts->port_lo == ts->port_hi && ts->port_lo != 0 &&
	    ts->proto != 1 && ts->proto != 58) { /* ICMP type/code: not as ports */
		*port = ts->port_lo;
		return 0;
	}
	return ERR_UNSUPPORTED;
}

int ts_to_kernel_selector(const struct ts *src, const struct ts *dst,
			  struct kernel_selector *out)
{
	uint8_t sa[16], da[16];
	unsigned sp, dp;
	int rc;

	if (!ts_valid(src) || !ts_valid(dst) || src->type != dst->type)
		return ERR_INVAL;
	if (src->proto && dst->proto && src->proto != dst->proto)
		return ERR_INVAL;
	if (!ts_to_prefix(src, sa, &sp) || !ts_to_prefix(dst, da, &dp))
		return ERR_UNSUPPORTED;
	memset(out, 0, sizeof(*out));
	out->proto = src->proto ? src->proto : dst->proto;
	if ((rc = kernel_port(src, &out->src_port)) < 0 ||
	    (rc = kernel_port(dst, &out->dst_port)) < 0)
		return rc;
	to_sockaddr(src, sa, &out->src);
	to_sockaddr(dst, da, &out->dst);
	out->src_prefix = (uint8_t)sp;
	out->dst_prefix = (uint8_t)dp;
	return 0;
}
