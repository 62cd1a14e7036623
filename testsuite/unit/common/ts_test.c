/*
 * ts_test.c - traffic selectors: text forms, prefixes and ranges,
 * intersection and containment, RFC 7296 2.9 narrowing, kernel selectors.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "common/err.h"
#include "common/ts.h"
#include "testsuite/lib/tap.h"

static struct ts T(const char *text)
{
	struct ts ts;

	memset(&ts, 0, sizeof(ts));
	if (ts_parse(text, &ts) < 0)
		tap_diag("test bug: cannot parse %s", text);
	return ts;
}

static void check_roundtrip(const char *text, const char *want)
{
	struct ts ts;
	char buf[TS_STR_MAX];

	tap_ok(ts_parse(text, &ts) == 0, "parse %s", text);
	tap_eq_str(ts_str(&ts, buf, sizeof(buf)), want, "%s prints as %s", text, want);
}

static void test_text(void)
{
	static const char *const bad[] = {
		"", "foo", "10.0.0.1/33", "10.0.0.1/24", "10.0.0.9-10.0.0.1", "10.0.0.1-::1",
		"10.0.0.0/24[tcp", "10.0.0.0/24[tcp/70000]", "10.0.0.0/24[tcp/90-80]",
		"10.0.0.0/24[bogus]", "::/129", "10.0.0.0/", "10.0.0.0/24[]", "10.0.0.0/-1",
	};
	struct ts ts;

	check_roundtrip("10.1.0.0/24", "10.1.0.0/24");
	check_roundtrip("192.0.2.7", "192.0.2.7/32");
	check_roundtrip("10.0.0.1-10.0.0.9", "10.0.0.1-10.0.0.9");
	check_roundtrip("10.0.0.0-10.0.0.255", "10.0.0.0/24");
	check_roundtrip("::/0", "::/0");
	check_roundtrip("2001:db8::/64[tcp/443]", "2001:db8::/64[tcp/443]");
	check_roundtrip("2001:db8::1-2001:db8::9[udp/500-501]", "2001:db8::1-2001:db8::9[udp/500-501]");
	check_roundtrip("0.0.0.0/0[icmp]", "0.0.0.0/0[icmp]");
	check_roundtrip("0.0.0.0/0[99]", "0.0.0.0/0[99]");
	check_roundtrip("0.0.0.0/0[any/80]", "0.0.0.0/0[any/80]");
	check_roundtrip("10.0.0.0/8[udp/opaque]", "10.0.0.0/8[udp/opaque]");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		tap_eq_int(ts_parse(bad[i], &ts), ERR_PARSE, "'%s' is refused", bad[i]);
}

static void test_prefixes(void)
{
	static const uint8_t a4[4] = { 10, 1, 2, 3 };
	struct ts ts, parts[300];
	uint8_t net[16];
	unsigned p;
	char buf[TS_STR_MAX];
	size_t n;

	tap_eq_int(ts_from_prefix(&ts, TS_IPV4_ADDR_RANGE, a4, 20), 0, "10.1.2.3/20 as a range");
	tap_eq_str(ts_str(&ts, buf, sizeof(buf)), "10.1.0.0/20", "host bits dropped");
	tap_ok(ts.end[2] == 0x0f && ts.end[3] == 0xff, "range ends at 10.1.15.255");
	tap_ok(ts_to_prefix(&ts, net, &p) && p == 20 && net[2] == 0, "and back to a /20");
	tap_eq_int(ts_from_prefix(&ts, TS_IPV4_ADDR_RANGE, a4, 33), ERR_INVAL, "/33 refused");
	ts_set_any(&ts, TS_IPV6_ADDR_RANGE);
	tap_ok(ts_to_prefix(&ts, net, &p) && p == 0, "all of IPv6 is ::/0");
	ts = T("10.0.0.1-10.0.0.9");
	tap_ok(!ts_to_prefix(&ts, net, &p), "10.0.0.1-10.0.0.9 is not a prefix");
	n = ts_split_prefixes(&ts, parts, 300);
	tap_eq_int((long long)n, 4, "it splits into 4 prefixes");
	if (n == 4) {
		tap_eq_str(ts_str(&parts[0], buf, sizeof(buf)), "10.0.0.1/32", "first .1/32");
		tap_eq_str(ts_str(&parts[1], buf, sizeof(buf)), "10.0.0.2/31", "then .2/31");
		tap_eq_str(ts_str(&parts[2], buf, sizeof(buf)), "10.0.0.4/30", "then .4/30");
		tap_eq_str(ts_str(&parts[3], buf, sizeof(buf)), "10.0.0.8/31", "then .8/31");
	}
	ts = T("0.0.0.0-255.255.255.255[tcp/80]");
	n = ts_split_prefixes(&ts, parts, 300);
	tap_ok(n == 1 && parts[0].proto == 6 && parts[0].port_lo == 80,
	       "the whole space is one prefix, protocol and port kept");
	ts = T("::1-ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe");
	n = ts_split_prefixes(&ts, parts, 300);
	tap_eq_int((long long)n, 254, "::1 to all-but-last IPv6 needs 254 prefixes");
	tap_eq_int((long long)ts_split_prefixes(&ts, parts, 3), 254, "a small cap still counts all");
}

static void test_intersect_contains(void)
{
	struct ts a = T("10.0.0.0/16"), b = T("10.0.128.0-10.1.0.5[tcp]"), r;
	struct ts opaque = T("10.0.0.0/8[udp/opaque]"), any = T("10.0.0.0/8"), r2;
	char buf[TS_STR_MAX];

	tap_ok(ts_intersect(&a, &b, &r), "overlapping ranges intersect");
	tap_eq_str(ts_str(&r, buf, sizeof(buf)), "10.0.128.0/17[tcp]", "to the common part, tcp");
	tap_ok(!ts_intersect(&a, &(struct ts){ 0 }, &r2), "an invalid selector never intersects");
	b = T("10.2.0.0/16");
	tap_ok(!ts_intersect(&a, &b, &r2), "disjoint ranges do not");
	b = T("10.0.0.0/24[udp]");
	a = T("10.0.0.0/24[tcp]");
	tap_ok(!ts_intersect(&a, &b, &r2), "tcp and udp do not");
	a = T("10.0.0.0/24[tcp/1000-2000]");
	b = T("10.0.0.0/24[tcp/2000-3000]");
	tap_ok(ts_intersect(&a, &b, &r) && r.port_lo == 2000 && r.port_hi == 2000,
	       "port ranges meet at 2000");
	b = T("10.0.0.0/24[tcp/2001-3000]");
	tap_ok(!ts_intersect(&a, &b, &r2), "port ranges that do not meet");
	a = T("::/0");
	b = T("0.0.0.0/0");
	tap_ok(!ts_intersect(&a, &b, &r2), "IPv4 and IPv6 never intersect");
	tap_ok(ts_intersect(&opaque, &any, &r) && ts_ports_opaque(&r), "OPAQUE with ANY is OPAQUE");
	b = T("10.0.0.0/8[udp/53]");
	tap_ok(!ts_intersect(&opaque, &b, &r2), "OPAQUE with a port is empty");

	/* IKEv1 Quick Mode: the peer's IDs must fit the configured subnets. */
	a = T("10.1.0.0/16");
	b = T("10.1.7.0/24[tcp/22]");
	tap_ok(ts_contains(&a, &b), "10.1.7.0/24[tcp/22] fits 10.1.0.0/16");
	tap_ok(!ts_contains(&b, &a), "and not the other way");
	b = T("10.1.255.0-10.2.0.0");
	tap_ok(!ts_contains(&a, &b), "a range sticking out does not fit");
	a = T("10.1.0.0/16[tcp]");
	b = T("10.1.7.0/24");
	tap_ok(!ts_contains(&a, &b), "any protocol does not fit in tcp only");
	tap_ok(ts_contains(&a, &a) && ts_equal(&a, &a), "a selector contains itself");
}

static void check_narrow(const char *what, const struct ts *prop, size_t n_prop,
			 const struct ts *cfg, size_t n_cfg, int want_rc, const char *want)
{
	struct ts out[8];
	size_t n = 99;
	char got[512] = "", one[TS_STR_MAX];
	int rc = ts_narrow(prop, n_prop, cfg, n_cfg, out, 8, &n);

	tap_eq_int(rc, want_rc, "%s: result code", what);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		if (i)
			strcat(got, ", ");
		strcat(got, ts_str(&out[i], one, sizeof(one)));
	}
	tap_eq_str(got, want, "%s", what);
}

/*
 * RFC 7296 2.9: the initiator's first selector is the packet that triggered
 * the SA (198.51.100.43, UDP source port 1234), the second the whole range
 * its policy protects (198.51.100.0 - 198.51.100.255).
 */
static void test_narrow_rfc7296(void)
{
	struct ts tsi[2] = { T("198.51.100.43[udp/1234]"), T("198.51.100.0/24") };
	struct ts cfg;

	cfg = T("198.51.100.0/22");
	check_narrow("policy allows it all: no narrowing", tsi, 2, &cfg, 1, 0, "198.51.100.0/24");
	cfg = T("198.51.100.43");
	check_narrow("policy allows only the packet's host: (.43 - .43) with all ports and "
		     "protocols, as in the RFC's example", tsi, 2, &cfg, 1, 0, "198.51.100.43/32");
	cfg = T("198.51.100.0/25");
	check_narrow("first selector allowed: the subset includes it", tsi, 2, &cfg, 1, 0,
		     "198.51.100.0/25");
	cfg = T("198.51.100.128/25");
	check_narrow("first selector refused: an acceptable subset", tsi, 2, &cfg, 1, 0,
		     "198.51.100.128/25");
	cfg = T("203.0.113.0/24");
	check_narrow("nothing allowed: TS_UNACCEPTABLE", tsi, 2, &cfg, 1, ERR_NOTFOUND, "");
	{
		struct ts two[2] = { T("198.51.100.0/26"), T("198.51.100.192/26") };

		check_narrow("two allowed pieces of one proposal", tsi, 2, two, 2, 0,
			     "198.51.100.0/26, 198.51.100.192/26");
	}
	{
		struct ts only_tcp = T("198.51.100.0/24[tcp/443]");
		struct ts prop_tcp = T("198.51.100.0/24[tcp]");
		struct ts prop_udp = T("198.51.100.0/24[udp]");

		check_narrow("ports: tcp to tcp/443", &prop_tcp, 1, &only_tcp, 1, 0,
			     "198.51.100.0/24[tcp/443]");
		check_narrow("protocols: udp against tcp only", &prop_udp, 1, &only_tcp, 1,
			     ERR_NOTFOUND, "");
	}
	{
		struct ts p6[2] = { T("2001:db8:1::5"), T("2001:db8:1::/48") };
		struct ts c6[2] = { T("10.0.0.0/8"), T("2001:db8:1:2::/64") };

		check_narrow("IPv6: narrowed to the /64, IPv4 policy ignored", p6, 2, c6, 2, 0,
			     "2001:db8:1:2::/64");
	}
	{
		struct ts r = T("10.0.0.1-10.0.0.9"), c = T("10.0.0.4/30");

		check_narrow("a range that is not a prefix, cut by a prefix", &r, 1, &c, 1, 0,
			     "10.0.0.4/30");
	}
	{
		struct ts many[9], all = T("10.0.0.0/8"), out[8];
		size_t n;

		for (int i = 0; i < 9; i++) {
			char t[32];

			snprintf(t, sizeof(t), "10.%d.0.0/16", i);
			many[i] = T(t);
		}
		tap_eq_int(ts_narrow(many, 9, &all, 1, out, 8, &n), ERR_OVERFLOW,
			   "more pieces than room is ERR_OVERFLOW");
	}
	/* The initiator checks the responder's answer. */
	{
		struct ts ans[2] = { T("198.51.100.0/25"), T("198.51.100.43") };
		struct ts wide = T("198.51.100.0/23");

		tap_ok(ts_list_within(ans, 2, tsi, 2), "an answer inside the proposal is accepted");
		tap_ok(!ts_list_within(&wide, 1, tsi, 2), "an answer wider than proposed is not");
	}
}

static void test_kernel(void)
{
	struct kernel_selector ks;
	struct ts a = T("10.1.0.0/16[tcp]"), b = T("10.2.0.5[tcp/443]"), c;
	char buf[64];

	tap_eq_int(ts_to_kernel_selector(&a, &b, &ks), 0, "prefixes convert");
	tap_ok(ks.src_prefix == 16 && ks.dst_prefix == 32 && ks.proto == 6 && ks.src_port == 0 &&
	       ks.dst_port == 443, "prefixes, protocol and ports carried over");
	tap_eq_str(kernel_addr_str(&ks.src, buf, sizeof(buf)), "10.1.0.0", "source network");
	tap_eq_str(kernel_addr_str(&ks.dst, buf, sizeof(buf)), "10.2.0.5", "destination host");
	c = T("10.0.0.1-10.0.0.9");
	tap_eq_int(ts_to_kernel_selector(&c, &b, &ks), ERR_UNSUPPORTED, "a non-prefix range is not");
	c = T("10.0.0.0/8[tcp/80-81]");
	tap_eq_int(ts_to_kernel_selector(&c, &b, &ks), ERR_UNSUPPORTED, "a port range is not");
	c = T("10.0.0.0/8[udp]");
	tap_eq_int(ts_to_kernel_selector(&c, &b, &ks), ERR_INVAL, "tcp to udp matches nothing");
	c = T("2001:db8::/32");
	tap_eq_int(ts_to_kernel_selector(&c, &b, &ks), ERR_INVAL, "mixed families refused");
	a = T("2001:db8::/32");
	c = T("::/0");
	tap_ok(ts_to_kernel_selector(&a, &c, &ks) == 0 && ks.src.ss_family == AF_INET6 &&
	       ks.src_prefix == 32 && ks.dst_prefix == 0 && ks.proto == 0, "IPv6 converts");
}

/*
 * ts_to_prefix() for every prefix length of both families: the range of
 * addr/len is a prefix of exactly len bits, and one address more at either
 * end (start - 1 .. end, start .. end + 1) is no prefix (or a shorter one).
 */
static void test_prefix_lengths(void)
{
	static const uint8_t a6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0xa5, 0x5a, 0xff, 0x00,
					0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf1 };
	static const enum ts_type types[] = { TS_IPV4_ADDR_RANGE, TS_IPV6_ADDR_RANGE };
	unsigned bad_len = 0, bad_net = 0, bad_wide = 0;
	struct ts ts;
	uint8_t net[16];
	unsigned p;

	for (size_t t = 0; t < 2; t++) {
		unsigned bits = types[t] == TS_IPV4_ADDR_RANGE ? 32 : 128;

		for (unsigned len = 0; len <= bits; len++) {
			if (ts_from_prefix(&ts, types[t], a6, len) || !ts_to_prefix(&ts, net, &p) ||
			    p != len) {
				bad_len++;
				continue;
			}
			if (memcmp(net, ts.start, bits / 8) != 0)
				bad_net++;
			/* the end one address higher (where that stays in range) */
			if (len > 0 && len < bits) {
				size_t i = bits / 8;

				while (i-- > 0 && ++ts.end[i] == 0)
					;
				if (ts_to_prefix(&ts, net, &p) && p >= len)
					bad_wide++;
			}
		}
	}
	tap_eq_int(bad_len, 0, "a/len gives back len for /0../32 and /0../128");
	tap_eq_int(bad_net, 0, "and the network address is the range's start");
	tap_eq_int(bad_wide, 0, "a range one address longer is not that prefix");
}

int main(void)
{
	test_text();
	test_prefixes();
	test_prefix_lengths();
	test_intersect_contains();
	test_narrow_rfc7296();
	test_kernel();
	return tap_done();
}
