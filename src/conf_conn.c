/*
 * conf_conn.c - one [conn NAME] section of dualike.conf: what to negotiate
 * with one peer. Keys are read by the table at the bottom; conn_check()
 * then checks what involves several keys (families, IKEv1-only keys,
 * aggressive mode with a PSK, lifetimes), reporting at the line of the key
 * to change.
 */
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "src/conf_cert.h"
#include "src/conf_sig.h"
#include "src/conf_int.h"

#define C(obj) ((struct conn_config *)(obj))

#define DEFAULT_IKE "aes256-sha256-modp2048"
#define DEFAULT_ESP "aes256gcm16, aes256-sha256"

static int keyword(struct conf_ctx *ctx, const char *key, const char *val,
		   const char *const *names, size_t n, const char *choices)
{
	int v = conf_enum_parse(val, names, n);

	if (v < 0)
		conf_bad(ctx, key, "%s '%s' is unknown; write %s", key, val, choices);
	return v;
}

static int k_version(struct conf_ctx *ctx, void *obj, const char *key, const char *val)
{
	static const char *const names[] = { "auto", "ikev1", "ikev2" };
	int v = keyword(ctx, key, val, names, 3, "ikev1, ikev2 or auto");

	if (v < 0)
		return ERR_PARSE;
	C(obj)->version = (enum conf_version)v;
	return 0;
}

static int addr(struct conf_ctx *ctx, const char *key, const char *val, struct conf_addr *a)
{
	if (!conf_addr_parse(val, true, a)) {
		conf_bad(ctx, key, "%s '%s' is not an IP address; write an IPv4 or IPv6 "
			 "address, or %%any (host names are not resolved)", key, val);
		return ERR_PARSE;
	}
	return 0;
}

static int k_local(struct conf_ctx *ctx, void *obj, const char *key, const char *val)
{
	return addr(ctx, key, val, &C(obj)->local);
}

static int k_remote(struct conf_ctx *ctx, void *obj, const char *key, const char *val)
{
	return addr(ctx, key, val, &C(obj)->remote);
}

static int id(struct conf_ctx *ctx, const char *key, const char *val, struct conf_id *out)
{
	const char *why;

	if (!conf_id_parse(val, out, &why)) {
		conf_bad(ctx, key, "%s '%s': %s", key, val, why);
		return ERR_PARSE;
	}
	return 0;
}

static int k_local_id(struct conf_ctx *ctx, void *obj, const char *key, const char *val)
{
	return id(ctx, key, val, &C(obj)->local_id);
}

static int k_remote_id(struct conf_ctx *ctx, void *obj, const char *key, const char *val)
{
	return id(ctx, key, val, &C(obj)->remote_id);
}

static int k_auth(struct conf_ctx *ctx, void *obj, const char *key, const char *val)
{
	static const char *const names[] = { "psk", "pubkey" };
	int v = keyword(ctx, key, val, names, 2, "psk or pubkey");

	if (v < 0)
		return ERR_PARSE;
	C(obj)->auth = v ? CONF_AUTH_PUBKEY : CONF_AUTH_PSK;
	return 0;
}

static int k_ike(struct conf_ctx *ctx, void *obj, const char *key, const char *val)
{
	return conf_proposals_parse(val, &C(obj)->ike, ctx->file, conf_line(ctx, key), ctx->errs);
}

static int k_esp(struct conf_ctx *ctx, void *obj, const char *key, const char *val)
{
	return conf_proposals_parse(val, &C(obj)->esp, ctx->file, conf_line(ctx, key), ctx->errs);
}

static int k_ikev1_mode(struct conf_ctx *ctx, void *obj, const char *key, const char *val)
{
	static const char *const names[] = { "main", "aggressive" };
	int v = keyword(ctx, key, val, names, 2, "main or aggressive");

	if (v < 0)
		return ERR_PARSE;
	C(obj)->ikev1_mode = v ? CONF_V1_AGGRESSIVE : CONF_V1_MAIN;
	return 0;
}

static int yes_no(struct conf_ctx *ctx, const char *key, const char *val, bool *out)
{
	if (!conf_bool_parse(val, out)) {
		conf_bad(ctx, key, "%s '%s' is not yes or no", key, val);
		return ERR_PARSE;
	}
	return 0;
}

/* Child SA encapsulation: tunnel (default) or transport (RFC 4301 4.1). */
static int k_mode(struct conf_ctx *ctx, void *obj, const char *key, const char *val)
{
	static const char *const names[] = { "tunnel", "transport" };
	int v = keyword(ctx, key, val, names, 2, "tunnel or transport");

	if (v < 0)
		return ERR_PARSE;
	C(obj)->transport = v == 1;
	return 0;
}

static int k_aggressive_psk_ok(struct conf_ctx *ctx, void *obj, const char *key, const char *val)
{
	return yes_no(ctx, key, val, &C(obj)->aggressive_psk_ok);
}

static int k_childless(struct conf_ctx *ctx, void *obj, const char *key, const char *val)
{
	return yes_no(ctx, key, val, &C(obj)->childless);
}

static int k_fragmentation(struct conf_ctx *ctx, void *obj, const char *key, const char *val)
{
	return yes_no(ctx, key, val, &C(obj)->fragmentation);
}

/*
 * RFC 7383 2.5.1: the IP packet size an IKE fragment may reach. 576 is
 * what every IPv4 path carries; below it the fragments' own headers and
 * ICVs would take most of each packet.
 */
static int k_fragment_size(struct conf_ctx *ctx, void *obj, const char *key, const char *val)
{
	char *end;
	unsigned long v = strtoul(val, &end, 10);

	if (val[0] < '0' || val[0] > '9' || *end || v < CONF_FRAGMENT_SIZE_MIN || v > 65535) {
		conf_bad(ctx, key, "%s '%s' is not a packet size; write a number of octets "
			 "from %u to 65535 (e.g. 1280)", key, val, CONF_FRAGMENT_SIZE_MIN);
		return ERR_PARSE;
	}
	C(obj)->fragment_size = (uint16_t)v;
	return 0;
}

static int k_pfs(struct conf_ctx *ctx, void *obj, const char *key, const char *val)
{
	const struct xform *xf;

	if (strcmp(val, "none") == 0) {
		C(obj)->pfs = NULL;
		return 0;
	}
	xf = xform_by_name(val);
	if (!xf || xf->type != XFORM_KE) {
		conf_bad(ctx, key, "pfs '%s' is not a key exchange group; write none or a "
			 "group such as modp2048, ecp256 or x25519", val);
		return ERR_PARSE;
	}
	C(obj)->pfs = xf;
	return 0;
}

static int k_local_ts(struct conf_ctx *ctx, void *obj, const char *key, const char *val)
{
	struct conn_config *c = C(obj);

	return conf_ts_parse_list(val, &c->local_ts, &c->n_local_ts, ctx->file,
				  conf_line(ctx, key), ctx->errs);
}

static int k_remote_ts(struct conf_ctx *ctx, void *obj, const char *key, const char *val)
{
	struct conn_config *c = C(obj);

	return conf_ts_parse_list(val, &c->remote_ts, &c->n_remote_ts, ctx->file,
				  conf_line(ctx, key), ctx->errs);
}

static int seconds(struct conf_ctx *ctx, const char *key, const char *val, uint32_t *out)
{
	if (!conf_duration_parse(val, out)) {
		conf_bad(ctx, key, "%s '%s' is not a time; write a number with s, m, h or d "
			 "(e.g. 30s, 15m, 4h)", key, val);
		return ERR_PARSE;
	}
	return 0;
}

static int k_ike_lifetime(struct conf_ctx *ctx, void *obj, const char *key, const char *val)
{
	return seconds(ctx, key, val, &C(obj)->ike_lifetime_s);
}

static int k_child_lifetime(struct conf_ctx *ctx, void *obj, const char *key, const char *val)
{
	return seconds(ctx, key, val, &C(obj)->child_lifetime_s);
}

static int k_rekey_margin(struct conf_ctx *ctx, void *obj, const char *key, const char *val)
{
	return seconds(ctx, key, val, &C(obj)->rekey_margin_s);
}

static int k_dpd_delay(struct conf_ctx *ctx, void *obj, const char *key, const char *val)
{
	return seconds(ctx, key, val, &C(obj)->dpd_delay_s);
}

static int k_dpd_timeout(struct conf_ctx *ctx, void *obj, const char *key, const char *val)
{
	return seconds(ctx, key, val, &C(obj)->dpd_timeout_s);
}

/* RFC 3948 2.3 / RFC 7296 2.23: keepalives from behind a NAT; 0 = off */
static int k_nat_keepalive(struct conf_ctx *ctx, void *obj, const char *key, const char *val)
{
	return seconds(ctx, key, val, &C(obj)->nat_keepalive_s);
}

static int k_dpd_action(struct conf_ctx *ctx, void *obj, const char *key, const char *val)
{
	static const char *const names[] = { "clear", "hold", "restart" };
	int v = keyword(ctx, key, val, names, 3, "clear, hold or restart");

	if (v < 0)
		return ERR_PARSE;
	C(obj)->dpd_action = (enum conf_dpd_action)v;
	return 0;
}

static int k_auto(struct conf_ctx *ctx, void *obj, const char *key, const char *val)
{
	static const char *const names[] = { "add", "start", "route" };
	int v = keyword(ctx, key, val, names, 3, "add, start or route");

	if (v < 0)
		return ERR_PARSE;
	C(obj)->start = (enum conf_auto)v;
	return 0;
}

const struct conf_key conf_conn_keys[] = {
	{ "version", k_version },
	{ "local", k_local },
	{ "remote", k_remote },
	{ "local_id", k_local_id },
	{ "remote_id", k_remote_id },
	{ "auth", k_auth },
	{ "cert", conf_cert_k_cert },
	{ "key", conf_cert_k_key },
	{ "peer_cert", conf_cert_k_peer_cert },
	{ "ca", conf_cert_k_ca },
	{ "crl", conf_cert_k_crl },
	{ "send_cert", conf_cert_k_send_cert },
	{ "signature", conf_sig_k_signature },
	{ "ike", k_ike },
	{ "esp", k_esp },
	{ "ikev1_mode", k_ikev1_mode },
	{ "aggressive_psk_ok", k_aggressive_psk_ok },
	{ "pfs", k_pfs },
	{ "local_ts", k_local_ts },
	{ "remote_ts", k_remote_ts },
	{ "ike_lifetime", k_ike_lifetime },
	{ "child_lifetime", k_child_lifetime },
	{ "rekey_margin", k_rekey_margin },
	{ "dpd_delay", k_dpd_delay },
	{ "nat_keepalive", k_nat_keepalive },
	{ "dpd_timeout", k_dpd_timeout },
	{ "dpd_action", k_dpd_action },
	{ "auto", k_auto },
	{ "childless", k_childless },
	{ "fragmentation", k_fragmentation },
	{ "fragment_size", k_fragment_size },
	{ "mode", k_mode },
};
const size_t conf_conn_n_keys = sizeof(conf_conn_keys) / sizeof(conf_conn_keys[0]);

static void defaults(struct conn_config *c)
{
	c->version = CONF_VERSION_IKEV2;
	c->auth = CONF_AUTH_PSK;
	c->ikev1_mode = CONF_V1_MAIN;
	c->ike_lifetime_s = 4 * 3600;
	c->child_lifetime_s = 3600;
	c->rekey_margin_s = 9 * 60;
	c->dpd_delay_s = 30;
	c->nat_keepalive_s = CONF_NAT_KEEPALIVE_DAEMON;
	c->dpd_timeout_s = 150;
	c->dpd_action = CONF_DPD_CLEAR;
	c->start = CONF_AUTO_ADD;
	c->fragmentation = true; /* RFC 7383: offered, used only when the peer supports it too */
}

/* Keys that only one version reads, written for a connection of the other. */
static void check_version_keys(struct conf_ctx *ctx, struct conn_config *c)
{
	if (c->version == CONF_VERSION_IKEV2) {
		if (conf_get(ctx, "ikev1_mode"))
			conf_bad(ctx, "ikev1_mode", "ikev1_mode applies to IKEv1 only; remove it "
				 "or write version = ikev1 or auto");
		if (conf_get(ctx, "aggressive_psk_ok"))
			conf_bad(ctx, "aggressive_psk_ok", "aggressive_psk_ok applies to IKEv1 "
				 "only; remove it or write version = ikev1 or auto");
	}
	if (c->version == CONF_VERSION_IKEV1 && c->childless)
		conf_bad(ctx, "childless", "childless applies to IKEv2 only (RFC 6023); "
			 "remove it or write version = ikev2 or auto");
	/* RFC 2409 5.4 / 7: aggressive mode sends the PSK-keyed hash before any
	 * authentication, which an eavesdropper can attack offline. */
	if (c->version != CONF_VERSION_IKEV2 && c->ikev1_mode == CONF_V1_AGGRESSIVE &&
	    c->auth == CONF_AUTH_PSK && !c->aggressive_psk_ok)
		conf_bad(ctx, "ikev1_mode", "aggressive mode with a PSK exposes a hash of the "
			 "PSK to offline guessing; write aggressive_psk_ok = yes to accept "
			 "that, or ikev1_mode = main");
	if (c->version == CONF_VERSION_IKEV1 && c->pfs && !c->pfs->ike_value)
		conf_bad(ctx, "pfs", "pfs group %s has no IKEv1 number; pick e.g. modp2048 "
			 "or ecp256, or write version = ikev2", c->pfs->name);
}

static void check_ts(struct conf_ctx *ctx, const char *key, const struct conf_ts *ts,
		     size_t n, enum conf_version version)
{
	/* An IKEv1 Quick Mode ID (RFC 2407 4.6.2) carries one port, not a range. */
	for (size_t i = 0; i < n && version == CONF_VERSION_IKEV1; i++) {
		if (ts[i].port_lo != ts[i].port_hi && !(ts[i].port_lo == 0 && ts[i].port_hi == 65535)) {
			char buf[96];

			conf_bad(ctx, key, "traffic selector %s has a port range, which IKEv1 "
				 "cannot negotiate; write one port or use version = ikev2",
				 conf_ts_str(&ts[i], buf, sizeof(buf)));
		}
	}
}

static void check_addresses(struct conf_ctx *ctx, struct conn_config *c)
{
	if (!conf_get(ctx, "remote"))
		conf_bad(ctx, NULL, "[conn %s] has no remote; write remote = ADDRESS "
			 "(or %%any to answer any peer)", c->name);
	if (c->local.family != AF_UNSPEC && c->remote.family != AF_UNSPEC &&
	    c->local.family != c->remote.family)
		conf_bad(ctx, "remote", "local and remote are of different address families; "
			 "make both IPv4 or both IPv6");
	if (c->remote.family == AF_UNSPEC && c->start != CONF_AUTO_ADD && conf_get(ctx, "remote"))
		conf_bad(ctx, "auto", "auto = %s needs a remote address to start towards; "
			 "write remote = ADDRESS or auto = add",
			 c->start == CONF_AUTO_START ? "start" : "route");
	if (c->local_id.type == CONF_ID_NONE)
		conf_id_from_addr(&c->local, &c->local_id);
	if (c->remote_id.type == CONF_ID_NONE)
		conf_id_from_addr(&c->remote, &c->remote_id);
}

static void check_times(struct conf_ctx *ctx, struct conn_config *c)
{
	if (c->ike_lifetime_s < 60)
		conf_bad(ctx, "ike_lifetime", "ike_lifetime under one minute; write at least 60s");
	if (c->child_lifetime_s < 60)
		conf_bad(ctx, "child_lifetime", "child_lifetime under one minute; write at least 60s");
	if (c->rekey_margin_s >= c->child_lifetime_s || c->rekey_margin_s >= c->ike_lifetime_s)
		conf_bad(ctx, "rekey_margin", "rekey_margin (%us) must be shorter than "
			 "ike_lifetime (%us) and child_lifetime (%us)", c->rekey_margin_s,
			 c->ike_lifetime_s, c->child_lifetime_s);
	if (c->dpd_delay_s && c->dpd_timeout_s <= c->dpd_delay_s)
		conf_bad(ctx, "dpd_timeout", "dpd_timeout (%us) must be longer than dpd_delay "
			 "(%us)", c->dpd_timeout_s, c->dpd_delay_s);
}

int conf_conn_read(struct conf_ctx *ctx, struct conn_config *c)
{
	struct config_errors *errs = ctx->errs;
	int r;

	defaults(c);
	conf_read_keys(ctx, conf_conn_keys, conf_conn_n_keys, c);
	if (ctx->rc == ERR_NOMEM)
		return ERR_NOMEM;
	if (!conf_get(ctx, "ike") &&
	    (r = conf_proposals_parse(DEFAULT_IKE, &c->ike, ctx->file, 0, errs)))
		return r;
	if (!conf_get(ctx, "esp") &&
	    (r = conf_proposals_parse(DEFAULT_ESP, &c->esp, ctx->file, 0, errs)))
		return r;
	/* A token list that did not parse has been reported already. */
	if (c->ike.n && config_check_proposals(&c->ike, true, c->version, ctx->file,
					       conf_line(ctx, "ike"), errs))
		ctx->rc = ctx->rc ? ctx->rc : ERR_PARSE;
	if (c->esp.n && config_check_proposals(&c->esp, false, c->version, ctx->file,
					       conf_line(ctx, "esp"), errs))
		ctx->rc = ctx->rc ? ctx->rc : ERR_PARSE;
	check_version_keys(ctx, c);
	check_addresses(ctx, c);
	check_ts(ctx, "local_ts", c->local_ts, c->n_local_ts, c->version);
	check_ts(ctx, "remote_ts", c->remote_ts, c->n_remote_ts, c->version);
	check_times(ctx, c);
	return 0;
}

void conf_conn_free(struct conn_config *c)
{
	conf_proposals_free(&c->ike);
	conf_proposals_free(&c->esp);
	conf_cert_free(c->pubkey);
	c->pubkey = NULL;
	free(c->local_ts);
	free(c->remote_ts);
	c->local_ts = c->remote_ts = NULL;
	c->n_local_ts = c->n_remote_ts = 0;
}
