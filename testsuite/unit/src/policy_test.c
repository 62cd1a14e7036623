/*
 * policy_test.c - peers.policy: first match wins, v4 and v6 prefixes,
 * IPv4-mapped peers, identity and wildcard rules, the default, and every
 * bad line reported at its line.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "src/policy.h"
#include "testsuite/lib/tap.h"

static const char *data(const char *name)
{
	static char path[1024];

	snprintf(path, sizeof(path), "%s/testsuite/unit/src/data/%s", getenv("DUALIKE_SRCDIR"), name);
	return path;
}

static const struct sockaddr *sa(const char *text)
{
	static struct sockaddr_storage ss;
	struct sockaddr_in *in = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;

	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, text, &in->sin_addr) == 1)
		in->sin_family = AF_INET;
	else if (inet_pton(AF_INET6, text, &in6->sin6_addr) == 1)
		in6->sin6_family = AF_INET6;
	return (const struct sockaddr *)&ss;
}

static void test_matches(void)
{
	static const struct {
		const char *addr;
		const char *id;
		int line;
		bool v1, v2;
	} cases[] = {
		{ "198.51.100.7", NULL, 2, true, false },      /* exact address before its /24 */
		{ "198.51.100.8", NULL, 3, true, true },       /* the /24: any */
		{ "::ffff:198.51.100.7", NULL, 2, true, false }, /* a dual-stack socket's view */
		{ "2001:db8:1:ff::5", NULL, 4, false, true },  /* v6 /48 */
		{ "fd12:3456::1", NULL, 5, true, false },      /* fd00::/8 */
		{ "203.0.113.5", NULL, 9, false, true },       /* 0.0.0.0/0 */
		{ "2001:db8:2::1", NULL, 10, true, false },    /* no v6 rule: default */
		{ "2001:db8:2::1", "legacy.example.net", 6, true, false },
		{ "2001:db8:2::1", "LEGACY.example.NET", 6, true, false },
		{ "2001:db8:2::1", "gw.branch.example.com", 7, true, false },
		{ "2001:db8:2::1", "branch.example.com", 10, true, false }, /* glob needs a label */
		{ "2001:db8:2::1", "bob@example.com", 8, false, true },
		{ "198.51.100.7", "bob@example.com", 2, true, false }, /* address rule comes first */
	};
	struct policy *p = NULL;
	struct config_errors e;
	char buf[512], want[1100];

	config_errors_init(&e);
	tap_eq_int(policy_load(data("peers.policy"), &p, &e), 0, "peers.policy loads");
	tap_eq_int((long long)e.n, 0, "with no problem");
	if (!p)
		return;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct policy_rule *r = policy_match(p, sa(cases[i].addr), cases[i].id);

		tap_eq_int(r ? r->line : -1, cases[i].line, "%s %s: rule of line %d", cases[i].addr,
			   cases[i].id ? cases[i].id : "(no id)", cases[i].line);
		tap_ok(policy_allows(p, sa(cases[i].addr), cases[i].id, 1) == cases[i].v1 &&
		       policy_allows(p, sa(cases[i].addr), cases[i].id, 2) == cases[i].v2,
		       "%s %s: ikev1 %s, ikev2 %s", cases[i].addr, cases[i].id ? cases[i].id : "",
		       cases[i].v1 ? "yes" : "no", cases[i].v2 ? "yes" : "no");
	}
	tap_ok(!policy_allows(p, sa("198.51.100.8"), NULL, 3), "major version 3 is never allowed");
	snprintf(want, sizeof(want), "%s:3: 198.51.100.0/24 any", data("peers.policy"));
	tap_eq_str(policy_rule_str(p, policy_match(p, sa("198.51.100.9"), NULL), buf, sizeof(buf)),
		   want, "the matched rule, for logs");
	snprintf(want, sizeof(want), "%s:7: id:*.branch.example.com ikev1", data("peers.policy"));
	tap_eq_str(policy_rule_str(p, policy_match(p, sa("2001:db8:2::1"), "a.branch.example.com"),
				   buf, sizeof(buf)), want, "a wildcard rule, for logs");
	policy_free(p);
	config_errors_free(&e);
}

static void test_default_any(void)
{
	struct policy *p = policy_new_any();
	char buf[256];

	tap_ok(p && policy_allows(p, sa("192.0.2.1"), NULL, 1) && policy_allows(p, sa("192.0.2.1"), NULL, 2),
	       "no rules: default any allows both versions");
	tap_eq_str(policy_rule_str(p, policy_match(p, sa("192.0.2.1"), NULL), buf, sizeof(buf)),
		   "(built-in): default any (implied)", "and says it is implied");
	policy_free(p);
}

static void test_bad(void)
{
	static const struct {
		int line;
		const char *what;
	} want[] = {
		{ 2, "version 'ikev3'" }, { 3, "198.51.100.0/24" }, { 4, "not an address" },
		{ 5, "two words" }, { 6, "two words" }, { 8, "second default" },
		{ 9, "wildcard" }, { 10, "two words" },
	};
	struct policy *p = NULL;
	struct config_errors e;

	config_errors_init(&e);
	tap_eq_int(policy_load(data("bad.policy"), &p, &e), ERR_PARSE, "bad.policy is refused");
	tap_ok(p == NULL, "and yields no policy");
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		bool found = false;

		for (size_t k = 0; k < e.n; k++)
			found |= e.v[k].line == want[i].line && strstr(e.v[k].msg, want[i].what);
		tap_ok(found, "line %d: %s", want[i].line, want[i].what);
	}
	tap_eq_int((long long)e.n, 8, "every bad line, and only those");
	for (size_t i = 0; i < e.n; i++)
		tap_diag("%s:%d: %s", e.v[i].file, e.v[i].line, e.v[i].msg);
	config_errors_free(&e);
}

static void test_example(void)
{
	struct policy *p = NULL;
	struct config_errors e;
	char path[1024];

	config_errors_init(&e);
	snprintf(path, sizeof(path), "%s/etc/peers.policy", getenv("DUALIKE_SRCDIR"));
	tap_eq_int(policy_load(path, &p, &e), 0, "etc/peers.policy (the shipped example) loads");
	tap_ok(p && policy_allows(p, sa("198.51.100.7"), NULL, 1) &&
	       !policy_allows(p, sa("198.51.100.7"), NULL, 2) &&
	       policy_allows(p, sa("198.51.100.20"), NULL, 2) &&
	       !policy_allows(p, sa("203.0.113.5"), NULL, 1),
	       "and decides as its man page example says");
	policy_free(p);
	config_errors_free(&e);
}

int main(void)
{
	if (!getenv("DUALIKE_SRCDIR"))
		return tap_skip_all("DUALIKE_SRCDIR is not set (run through make check)");
	test_example();
	test_matches();
	test_default_any();
	test_bad();
	return tap_done();
}
