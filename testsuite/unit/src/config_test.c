/*
 * config_test.c - dualike.conf: a good file parsed into the expected
 * structure, bad files reporting every mistake at its FILE:LINE, proposals,
 * traffic selectors, identities, and the reload comparison.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/err.h"
#include "src/config.h"
#include "testsuite/lib/tap.h"

static char tmpdir[256];

static const char *data(const char *name)
{
	static char path[1024];

	snprintf(path, sizeof(path), "%s/testsuite/unit/src/data/%s", getenv("DUALIKE_SRCDIR"), name);
	return path;
}

static const char *write_tmp(const char *name, const char *text)
{
	static char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
	return path;
}

/* Is there an error at line that contains every one of up to two substrings? */
static bool has_error(const struct config_errors *e, int line, const char *a, const char *b)
{
	for (size_t i = 0; i < e->n; i++)
		if (e->v[i].line == line && strstr(e->v[i].msg, a) && (!b || strstr(e->v[i].msg, b)))
			return true;
	return false;
}

/* Show the problems found, only when a check has failed since the last call. */
static void dump(const struct config_errors *e)
{
	static unsigned seen;
	char buf[512];

	if (tap_failures() == seen)
		return;
	seen = tap_failures();
	for (size_t i = 0; i < e->n; i++)
		tap_diag("%s", config_error_str(e, i, buf, sizeof(buf)));
}

static bool addr_is(const struct conf_addr *a, const char *text)
{
	char buf[CONF_ADDR_STRLEN];

	return strcmp(conf_addr_str(a, buf, sizeof(buf)), text) == 0;
}

static const char *ts_s(const struct conf_ts *ts)
{
	static char buf[96];

	return conf_ts_str(ts, buf, sizeof(buf));
}

static const char *prop_s(const struct conf_proposals *p, size_t i)
{
	static char buf[256];

	return i < p->n ? conf_proposal_str(&p->v[i], buf, sizeof(buf)) : "(none)";
}

static void test_good_daemon(const struct config *cfg)
{
	const struct daemon_config *d = &cfg->daemon;
	char want[1200];

	tap_eq_int((long long)d->n_listen, 2, "two listen addresses");
	tap_ok(d->n_listen == 2 && addr_is(&d->listen[0], "192.0.2.1") &&
	       addr_is(&d->listen[1], "2001:db8::1"), "listen addresses in order");
	tap_ok(d->ike_port == 1500 && d->natt_port == 14500, "ports");
	tap_ok(d->kernel == CONF_KERNEL_NONE, "kernel = none");
	tap_eq_str(d->control_socket, "/tmp/dualike-test.sock", "control_socket");
	tap_eq_str(d->control_group, "dualike", "control_group");
	tap_eq_str(d->state_dir, "/tmp/dualike-state", "state_dir");
	tap_eq_str(d->keylog, "/tmp/dualike-keys.log", "keylog");
	snprintf(want, sizeof(want), "%s/testsuite/unit/src/data/my-secrets", getenv("DUALIKE_SRCDIR"));
	tap_eq_str(d->secrets, want, "a relative secrets path is taken from the config's folder");
	tap_eq_str(d->policy, "/etc/dualike/other.policy", "policy path");
	tap_ok(d->log_level == LOG_LEVEL_DEBUG && d->log_target == LOG_TO_STDERR, "log level and target");
	tap_ok(d->cookie_threshold == 10 && d->retransmit_tries == 3, "cookie threshold, tries");
	tap_eq_int(d->retransmit_timeout_ms, 500, "retransmit_timeout 500ms");
	tap_eq_int(d->retransmit_limit_ms, 0, "retransmit_limit: none unless set");
	tap_eq_int(d->crypto_inline, CONF_CRYPTO_INLINE_IDLE, "crypto_inline = idle");
}

static void test_good_legacy(const struct conn_config *c)
{
	char buf[CONF_ID_STRLEN];

	tap_ok(c != NULL, "[conn Legacy] is found as 'legacy' (names are lower-cased)");
	if (!c)
		return;
	tap_eq_int(c->line, 20, "the connection knows its header's line");
	tap_ok(c->version == CONF_VERSION_IKEV1, "version ikev1");
	tap_ok(addr_is(&c->local, "192.0.2.1") && addr_is(&c->remote, "198.51.100.7"), "addresses");
	tap_ok(c->local_id.type == CONF_ID_FQDN, "local_id is an FQDN");
	tap_eq_str(conf_id_str(&c->local_id, buf, sizeof(buf)), "gw.example.com", "local_id text");
	tap_ok(c->remote_id.type == CONF_ID_KEY_ID && c->remote_id.len == 3 &&
	       c->remote_id.data[1] == 0x0b, "remote_id keyid:0a0B1c is 3 bytes");
	tap_eq_int((long long)c->ike.n, 2, "two ike proposals");
	tap_eq_str(prop_s(&c->ike, 0), "aes256-sha256-modp2048-prfsha256",
		   "ike 1: written transforms, then the PRF derived from sha256");
	tap_eq_str(prop_s(&c->ike, 1), "3des-sha1-modp1024-prfsha1", "ike 2 (weak but valid)");
	tap_ok(c->ike.n && conf_proposal_get(&c->ike.v[0], XFORM_PRF, 0) == xform_by_name("prfsha256"),
	       "the derived PRF is the registry row");
	tap_ok(c->ike.n && conf_proposal_count(&c->ike.v[0], XFORM_KE) == 1 &&
	       conf_proposal_get(&c->ike.v[0], XFORM_KE, 0)->v2_id == 14, "modp2048 is group 14");
	tap_eq_str(prop_s(&c->esp, 0), "aes128-sha1", "esp proposal");
	tap_ok(c->ikev1_mode == CONF_V1_AGGRESSIVE && c->aggressive_psk_ok, "aggressive, opted in");
	tap_ok(c->pfs && strcmp(c->pfs->name, "modp2048") == 0, "pfs modp2048");
	tap_eq_int((long long)c->n_local_ts, 1, "one local ts");
	tap_eq_str(c->n_local_ts ? ts_s(&c->local_ts[0]) : "", "10.1.0.0/16", "local ts");
	tap_eq_int((long long)c->n_remote_ts, 3, "three remote ts");
	if (c->n_remote_ts == 3) {
		tap_eq_str(ts_s(&c->remote_ts[0]), "10.20.0.0/24", "remote ts 1");
		tap_eq_str(ts_s(&c->remote_ts[1]), "10.21.0.5/32[6/443]", "remote ts 2: host, tcp/443");
		tap_eq_str(ts_s(&c->remote_ts[2]), "10.22.0.0/16[17]", "remote ts 3: protocol number");
	}
	tap_ok(c->ike_lifetime_s == 8 * 3600 && c->child_lifetime_s == 1800 &&
	       c->rekey_margin_s == 300, "lifetimes with h and m");
	tap_ok(c->dpd_delay_s == 10 && c->dpd_timeout_s == 60 && c->dpd_action == CONF_DPD_HOLD,
	       "dpd: a bare number is seconds");
	tap_ok(c->start == CONF_AUTO_START && !c->childless, "auto = start");
	tap_ok(c->fragmentation && c->fragment_size == 0,
	       "fragmentation defaults to yes, fragment_size to the address family's (RFC 7383)");
}

static void test_good_modern(const struct conn_config *c)
{
	tap_ok(c != NULL, "[conn modern] found");
	if (!c)
		return;
	tap_ok(c->version == CONF_VERSION_AUTO, "version auto");
	tap_ok(c->local.family == AF_UNSPEC && c->remote.family == AF_UNSPEC, "local unset, remote %%any");
	tap_ok(c->local_id.type == CONF_ID_NONE, "no local_id and no local address: none");
	tap_ok(c->remote_id.type == CONF_ID_USER_FQDN, "remote_id user@fqdn");
	tap_eq_str(prop_s(&c->ike, 0), "aes256gcm16-prfsha384-x25519", "AEAD ike proposal keeps its PRF");
	tap_eq_str(prop_s(&c->ike, 1), "aes128-sha256-ecp256-prfsha256", "second ike proposal");
	tap_eq_str(prop_s(&c->esp, 0), "aes256gcm16-esn", "esp with esn");
	tap_eq_str(prop_s(&c->esp, 1), "aes256-sha512-noesn", "esp with noesn");
	tap_ok(c->pfs == NULL, "pfs defaults to none");
	tap_eq_int((long long)c->n_local_ts, 2, "two local ts, v6 and v4");
	tap_eq_str(c->n_local_ts ? ts_s(&c->local_ts[0]) : "", "fd00:1::/64[17/5000-5100]", "v6 ts with a port range");
	tap_eq_int((long long)c->n_remote_ts, 0, "no remote_ts: the remote IKE address");
	tap_ok(c->childless && c->dpd_action == CONF_DPD_RESTART, "childless, dpd restart");
	tap_ok(!c->fragmentation && c->fragment_size == 1400, "fragmentation = no, fragment_size = 1400");
	tap_ok(c->ike_lifetime_s == 4 * 3600 && c->child_lifetime_s == 3600 &&
	       c->rekey_margin_s == 540 && c->dpd_delay_s == 30 && c->start == CONF_AUTO_ADD,
	       "defaults: 4h, 1h, 9m, dpd 30s, auto add");
}

static void test_good(void)
{
	struct config *cfg = NULL;
	struct config_errors e;
	int r;

	config_errors_init(&e);
	r = config_load(data("good.conf"), &cfg, &e);
	tap_eq_int(r, 0, "good.conf loads");
	tap_eq_int((long long)e.n, 0, "with no problem");
	dump(&e);
	if (cfg) {
		tap_eq_int((long long)cfg->n_conns, 2, "two connections");
		test_good_daemon(cfg);
		test_good_legacy(config_find_conn(cfg, "legacy"));
		test_good_modern(config_find_conn(cfg, "MODERN"));
		tap_ok(config_find_conn(cfg, "nope") == NULL, "an unknown name is not found");
	}
	config_free(cfg);
	config_errors_free(&e);
}

static void test_example(void)
{
	struct config *cfg = NULL;
	struct config_errors e;
	char path[1024];

	config_errors_init(&e);
	snprintf(path, sizeof(path), "%s/etc/dualike.conf", getenv("DUALIKE_SRCDIR"));
	tap_eq_int(config_load(path, &cfg, &e), 0, "etc/dualike.conf (the shipped example) loads");
	dump(&e);
	tap_ok(cfg && cfg->n_conns == 2 && config_find_conn(cfg, "branch-legacy") &&
	       config_find_conn(cfg, "office-v2"), "with its two connections");
	config_free(cfg);
	config_errors_free(&e);
}

static void test_bad_many(void)
{
	struct config *cfg = (struct config *)&cfg;
	struct config_errors e;
	const char *f = data("bad-many.conf");

	config_errors_init(&e);
	tap_eq_int(config_load(f, &cfg, &e), ERR_PARSE, "bad-many.conf is refused");
	tap_ok(cfg == NULL, "and yields no config");
	tap_ok(e.n > 0 && strcmp(e.v[0].file, f) == 0, "errors name the file");
	tap_ok(has_error(&e, 3, "unknown key 'kernal'", "did you mean 'kernel'"), "3: unknown key, did you mean");
	tap_ok(has_error(&e, 4, "log_level 'loud'", "debug"), "4: bad log level, with the choices");
	tap_ok(has_error(&e, 5, "not-an-address", NULL), "5: bad listen address");
	tap_ok(has_error(&e, 8, "version 'ikev3'", "ikev1, ikev2 or auto"), "8: bad version");
	tap_ok(has_error(&e, 10, "unknown algorithm 'sha265'", "did you mean 'sha256'"), "10: algorithm typo");
	tap_ok(has_error(&e, 11, "esp proposal 1", "AEAD"), "11: integrity with an AEAD esp cipher");
	tap_ok(has_error(&e, 12, "10.1.0.1/24", "10.1.0.0/24"), "12: host bits, with the network to write");
	tap_ok(has_error(&e, 13, "auth = pubkey needs", "cert = FILE"), "13: auth = pubkey without cert/key/ca");
	tap_ok(has_error(&e, 14, "dpd_action 'explode'", "clear, hold or restart"), "14: bad dpd_action");
	tap_ok(has_error(&e, 15, "ike_lifetime '4 hours'", NULL), "15: bad duration");
	tap_ok(has_error(&e, 19, "different address families", NULL), "19: v6 remote with v4 local");
	tap_ok(has_error(&e, 21, "aes256gcm16", "IKEv1"), "21: AEAD IKE proposal with ikev1");
	tap_ok(has_error(&e, 22, "aggressive", "aggressive_psk_ok = yes"), "22: aggressive + PSK needs opt-in");
	tap_ok(has_error(&e, 23, "childless", "IKEv2 only"), "23: childless with ikev1");
	tap_ok(has_error(&e, 24, "fragmentation 'maybe' is not yes or no", NULL),
	       "24: fragmentation not yes/no (an ikev1 connection takes the key)");
	tap_ok(has_error(&e, 29, "ikev1_mode applies to IKEv1 only", NULL), "29: ikev1_mode on an ikev2 conn");
	tap_ok(has_error(&e, 30, "10.0.0.0/8[tcp/99999]", "0-65535"), "30: port out of range");
	tap_ok(has_error(&e, 31, "rekey_margin", "shorter"), "31: margin longer than the lifetime");
	tap_ok(has_error(&e, 32, "fragment_size '100'", "576 to 65535"), "32: fragment_size too small");
	tap_ok(has_error(&e, 34, "unknown section [other]", NULL), "34: unknown section");
	tap_eq_int((long long)e.n, 20, "every mistake is reported, and nothing else");
	dump(&e);
	config_errors_free(&e);
}

static void test_bad_syntax(void)
{
	struct config *cfg = NULL;
	struct config_errors e;

	config_errors_init(&e);
	tap_eq_int(config_load(data("bad-syntax.conf"), &cfg, &e), ERR_PARSE, "bad-syntax.conf is refused");
	tap_ok(has_error(&e, 3, "not a \"key = value\" line", NULL), "3: a line iniparser cannot read");
	tap_ok(has_error(&e, 6, "remote is set again", "line 5"), "6: a key set twice (iniparser would keep the last)");
	tap_ok(has_error(&e, 7, "without a key", NULL), "7: a value without a key");
	tap_eq_int((long long)e.n, 3, "all three reported");
	dump(&e);
	config_errors_free(&e);
}

static void test_small_errors(void)
{
	struct config *cfg = NULL;
	struct config_errors e;
	const char *p;

	config_errors_init(&e);
	p = write_tmp("loose.conf", "kernel = none\n[conn x]\nremote = 192.0.2.1\n[conn x]\nauto = add\n"
		      "[conn bad name!]\nremote = 192.0.2.2\n[con office]\n[deamon]\n");
	tap_eq_int(config_load(p, &cfg, &e), ERR_PARSE, "loose keys, repeated and misnamed sections refused");
	tap_ok(has_error(&e, 1, "outside any section", NULL), "1: key before any section");
	tap_ok(has_error(&e, 4, "opened again", "line 2"), "4: section opened twice");
	tap_ok(has_error(&e, 6, "bad name!", "letters"), "6: a connection name with a space and '!'");
	tap_ok(has_error(&e, 8, "[con office]", "did you mean [conn office]?"), "8: [con NAME] typo");
	tap_ok(has_error(&e, 9, "[deamon]", "did you mean [daemon]?"), "9: [deamon] typo");
	config_errors_free(&e);

	config_errors_init(&e);
	p = write_tmp("noremote.conf", "[conn a]\nversion = ikev2\n[conn b]\nremote = %any\nauto = start\n"
		      "[conn c]\nremote = 192.0.2.1\nesp = aes256\n");
	tap_eq_int(config_load(p, &cfg, &e), ERR_PARSE, "missing remote refused");
	tap_ok(has_error(&e, 1, "has no remote", NULL), "1: at the section line, when the key is missing");
	tap_ok(has_error(&e, 5, "auto = start needs a remote", NULL), "5: start towards %%any");
	tap_ok(has_error(&e, 8, "no integrity", "RFC 8221"), "8: esp without integrity");
	dump(&e);
	config_errors_free(&e);

	config_errors_init(&e);
	p = write_tmp("retx.conf", "[daemon]\nkernel = none\nretransmit_timeout = 1s\nretransmit_limit = 4s\n");
	tap_eq_int(config_load(p, &cfg, &e), 0, "retransmit_limit = 4s loads");
	tap_ok(cfg && cfg->daemon.retransmit_limit_ms == 4000 && cfg->daemon.retransmit_timeout_ms == 1000,
	       "retransmit_limit 4000 ms beside retransmit_timeout 1000 ms");
	config_free(cfg);
	cfg = NULL;
	config_errors_free(&e);

	config_errors_init(&e);
	p = write_tmp("retx-bad.conf", "[daemon]\nkernel = none\nretransmit_timeout = 2s\nretransmit_limit = 1s\n");
	tap_eq_int(config_load(p, &cfg, &e), ERR_PARSE, "retransmit_limit below retransmit_timeout refused");
	tap_ok(has_error(&e, 4, "retransmit_limit (1000ms) is shorter than retransmit_timeout (2000ms)", NULL),
	       "4: the limit names both waits");
	config_errors_free(&e);
	config_errors_init(&e);
	p = write_tmp("retx-bad2.conf", "[daemon]\nkernel = none\nretransmit_limit = soon\n");
	tap_eq_int(config_load(p, &cfg, &e), ERR_PARSE, "retransmit_limit = soon refused");
	tap_ok(has_error(&e, 3, "retransmit_limit 'soon'", "4s"), "3: not a time, with an example");
	config_errors_free(&e);

	config_errors_init(&e);
	tap_eq_int(config_load("/nonexistent/dualike.conf", &cfg, &e), ERR_IO, "a missing file is ERR_IO");
	tap_ok(e.n == 1 && e.v[0].line == 0 && strstr(e.v[0].msg, "cannot open"), "and says so");
	config_errors_free(&e);
}

static int check(const char *text, bool ike, enum conf_version v, struct conf_proposals *out,
		 struct config_errors *e)
{
	int r = conf_proposals_parse(text, out, "t", 7, e);

	return r ? r : config_check_proposals(out, ike, v, "t", 7, e);
}

static void test_proposals(void)
{
	static const struct {
		const char *text;
		bool ike;
		enum conf_version v;
		bool ok;
		const char *want; /* first proposal, or a piece of the error */
	} cases[] = {
		{ "aes256-sha256-modp2048", true, CONF_VERSION_IKEV2, true, "aes256-sha256-modp2048-prfsha256" },
		{ " AES128 - SHA1 - MODP2048 ", true, CONF_VERSION_IKEV1, true, "aes128-sha1-modp2048-prfsha1" },
		{ "aes256gcm16-sha256-x25519", true, CONF_VERSION_IKEV2, true, "aes256gcm16-x25519-prfsha256" },
		{ "aes256gcm128-prfsha256-curve25519", true, CONF_VERSION_IKEV2, true, "aes256gcm16-prfsha256-x25519" },
		{ "aes128-aes256-sha256-sha384-modp2048-ecp256", true, CONF_VERSION_IKEV2, true,
		  "aes128-aes256-sha256-sha384-modp2048-ecp256-prfsha256-prfsha384" },
		{ "aes256-sha256", true, CONF_VERSION_IKEV2, false, "no key exchange group" },
		{ "aes256-modp2048", true, CONF_VERSION_IKEV2, false, "no integrity" },
		{ "sha256-modp2048", true, CONF_VERSION_IKEV2, false, "no cipher" },
		{ "aes256-aes256gcm16-sha256-modp2048", true, CONF_VERSION_IKEV2, false, "mixes AEAD" },
		{ "aes256-sha256-modp2048-esn", true, CONF_VERSION_IKEV2, false, "esn/noesn" },
		{ "aes256-sha256-x25519", true, CONF_VERSION_IKEV1, false, "x25519 has no IKEv1 number" },
		{ "aes256-sha256-x25519", true, CONF_VERSION_AUTO, false, "version = auto" },
		{ "aes256-sha256-x25519, aes256-sha256-modp2048", true, CONF_VERSION_AUTO, true,
		  "aes256-sha256-x25519-prfsha256" },
		{ "aes256-sha256-modp2048,", true, CONF_VERSION_IKEV2, false, "empty" },
		{ "aes256--sha256", true, CONF_VERSION_IKEV2, false, "empty" },
		{ "blowfish-sha256-modp2048", true, CONF_VERSION_IKEV2, false, "unknown algorithm 'blowfish'" },
		{ "aes256gcm16", false, CONF_VERSION_IKEV2, true, "aes256gcm16" },
		{ "chacha20poly1305", false, CONF_VERSION_IKEV1, false, "chacha20poly1305 has no IKEv1 number" },
		{ "aes256-aescmac", false, CONF_VERSION_IKEV1, false, "aescmac has no IKEv1 number" },
		{ "aes256-sha256-prfsha256", false, CONF_VERSION_IKEV2, false, "has a PRF" },
		{ "aes256-sha256-modp2048", false, CONF_VERSION_IKEV2, false, "pfs = GROUP" },
		{ "", false, CONF_VERSION_IKEV2, false, "empty" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct conf_proposals p = { 0 };
		struct config_errors e;
		int r;

		config_errors_init(&e);
		r = check(cases[i].text, cases[i].ike, cases[i].v, &p, &e);
		if (cases[i].ok) {
			tap_ok(r == 0 && e.n == 0, "proposal '%s' accepted", cases[i].text);
			tap_eq_str(prop_s(&p, 0), cases[i].want, "proposal '%s' resolved", cases[i].text);
		} else {
			tap_ok(r == ERR_PARSE && e.n >= 1 && e.v[0].line == 7 &&
			       strstr(e.v[0].msg, cases[i].want),
			       "proposal '%s' refused: %s", cases[i].text, cases[i].want);
		}
		dump(&e);
		conf_proposals_free(&p);
		config_errors_free(&e);
	}
}

static void test_ts(void)
{
	static const struct {
		const char *text;
		const char *want; /* text of the first selector, or a piece of the error */
		size_t n;
	} cases[] = {
		{ "10.0.0.0/8", "10.0.0.0/8", 1 },
		{ "192.0.2.7", "192.0.2.7/32", 1 },
		{ "2001:db8::/32[tcp/443], 10.0.0.0/8", "2001:db8::/32[6/443]", 2 },
		{ "0.0.0.0/0[udp/500-501]", "0.0.0.0/0[17/500-501]", 1 },
		{ "::/0[ipv6-icmp]", "::/0[58]", 1 },
		{ "10.0.0.0/8[any]", "10.0.0.0/8", 1 },
		{ "10.0.0.0/33", "not a subnet", 0 },
		{ "10.0.0.0/8[tcp", "in brackets", 0 },
		{ "10.0.0.0/8[bogus]", "unknown protocol", 0 },
		{ "10.0.0.0/8[icmp/3]", "a port needs tcp", 0 },
		{ "10.0.0.0/8[tcp/90-80]", "goes down", 0 },
		{ "fd00::1/8", "fd00::/8", 0 },
		{ "host.example.com", "not a subnet", 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct conf_ts *ts = NULL;
		struct config_errors e;
		size_t n = 0;
		int r;

		config_errors_init(&e);
		r = conf_ts_parse_list(cases[i].text, &ts, &n, "t", 3, &e);
		if (cases[i].n) {
			tap_ok(r == 0 && n == cases[i].n && strcmp(ts_s(&ts[0]), cases[i].want) == 0,
			       "ts '%s' -> %zu, first %s", cases[i].text, cases[i].n, cases[i].want);
		} else {
			tap_ok(r == ERR_PARSE && e.n == 1 && e.v[0].line == 3 &&
			       strstr(e.v[0].msg, cases[i].want),
			       "ts '%s' refused: %s", cases[i].text, cases[i].want);
		}
		dump(&e);
		free(ts);
		config_errors_free(&e);
	}
}

static void test_ids_and_values(void)
{
	struct conf_id id;
	const char *why;
	uint32_t s;

	tap_ok(conf_id_parse("192.0.2.1", &id, &why) && id.type == CONF_ID_IPV4 && id.len == 4, "id: IPv4");
	tap_ok(conf_id_parse("2001:db8::1", &id, &why) && id.type == CONF_ID_IPV6 && id.len == 16, "id: IPv6");
	tap_ok(conf_id_parse("vpn.example.com", &id, &why) && id.type == CONF_ID_FQDN, "id: FQDN");
	tap_ok(conf_id_parse("a@b.example", &id, &why) && id.type == CONF_ID_USER_FQDN, "id: user@fqdn");
	tap_ok(!conf_id_parse("@b.example", &id, &why), "id: user@fqdn needs a user");
	tap_ok(!conf_id_parse("keyid:abc", &id, &why), "id: keyid with odd digits");
	tap_ok(!conf_id_parse("bad name", &id, &why) && why, "id: a space is refused, with a reason");
	tap_ok(conf_duration_parse("90", &s) && s == 90, "duration: bare seconds");
	tap_ok(conf_duration_parse("2d", &s) && s == 172800, "duration: days");
	tap_ok(!conf_duration_parse("5x", &s) && !conf_duration_parse("", &s) &&
	       !conf_duration_parse("-1s", &s), "duration: bad units and signs refused");
}

static void test_reload_compare(void)
{
	const char *base = "[conn a]\nremote = 192.0.2.1\n[conn b]\nremote = 192.0.2.2\n"
			   "[conn c]\nremote = 192.0.2.3\n";
	const char *next = "# moved down by a comment\n[conn a]\nremote = 192.0.2.1\n"
			   "[conn b]\nremote = 192.0.2.2\nesp = aes128gcm16\n[conn d]\nremote = 192.0.2.4\n";
	struct config *c1 = NULL, *c2 = NULL;
	struct config_errors e;

	config_errors_init(&e);
	config_load(write_tmp("r1.conf", base), &c1, &e);
	config_load(write_tmp("r2.conf", next), &c2, &e);
	tap_ok(c1 && c2 && e.n == 0, "both reload configs load");
	if (c1 && c2) {
		tap_ok(config_conn_change(c1, c2, "a") == CONF_CONN_UNCHANGED,
		       "a: unchanged although its line moved");
		tap_ok(config_conn_change(c1, c2, "b") == CONF_CONN_CHANGED, "b: esp changed");
		tap_ok(config_conn_change(c1, c2, "c") == CONF_CONN_REMOVED, "c: removed");
		tap_ok(config_conn_change(c1, c2, "d") == CONF_CONN_ADDED, "d: added");
		tap_ok(conn_config_equal(&c1->conns[0], &c1->conns[0]) &&
		       !conn_config_equal(&c1->conns[0], &c1->conns[2]), "equality of two conns");
	}
	config_free(c1);
	config_free(c2);
	config_errors_free(&e);
}

int main(void)
{
	if (!getenv("DUALIKE_SRCDIR"))
		return tap_skip_all("DUALIKE_SRCDIR is not set (run through make check)");
	if (!tap_mkdtemp(tmpdir, sizeof(tmpdir), "config_test"))
		return tap_skip_all("cannot make a temporary folder");
	test_good();
	test_example();
	test_bad_many();
	test_bad_syntax();
	test_small_errors();
	test_proposals();
	test_ts();
	test_ids_and_values();
	test_reload_compare();
	{
		const char *names[] = { "loose.conf", "noremote.conf", "r1.conf", "r2.conf" };
		char p[600];

		for (size_t i = 0; i < 4; i++) {
			snprintf(p, sizeof(p), "%s/%s", tmpdir, names[i]);
			unlink(p);
		}
		rmdir(tmpdir);
	}
	return tap_done();
}
