/*
 * conf_daemon.c - the [daemon] section of dualike.conf: sockets, kernel
 * backend, control socket, files, logging and the anti-DoS knobs.
 * Defaults are set first, so a missing [daemon] section is a valid one.
 */
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "src/conf_cert.h"
#include "src/conf_int.h"

#define D(obj) ((struct daemon_config *)(obj))

int conf_path_set(struct conf_ctx *ctx, char **dst, const char *key, const char *val,
		  bool relative_ok)
{
	char *p;

	if (val[0] == '\0') {
		conf_bad(ctx, key, "%s is empty; write a path or remove the key", key);
		return ERR_PARSE;
	}
	if (val[0] != '/' && !relative_ok) {
		conf_bad(ctx, key, "%s must be an absolute path (starting with /)", key);
		return ERR_PARSE;
	}
	if (val[0] == '/')
		p = strdup(val);
	else if (asprintf(&p, "%s/%s", ctx->dir, val) < 0)
		p = NULL;
	if (!p)
		return ERR_NOMEM;
	free(*dst);
	*dst = p;
	return 0;
}

static int k_listen(struct conf_ctx *ctx, void *obj, const char *key, const char *val)
{
	struct daemon_config *d = D(obj);
	char *copy = strdup(val), *save = NULL, *tok;
	int rc = 0;

	if (!copy)
		return ERR_NOMEM;
	free(d->listen);
	d->listen = NULL;
	d->n_listen = 0;
	for (tok = strtok_r(copy, ", \t", &save); tok; tok = strtok_r(NULL, ", \t", &save)) {
		struct conf_addr a, *v;

		if (!conf_addr_parse(tok, false, &a)) {
			conf_bad(ctx, key, "listen address '%s' is not an IPv4 or IPv6 address; "
				 "write e.g. 0.0.0.0, :: or 192.0.2.1", tok);
			rc = ERR_PARSE;
			continue;
		}
		v = realloc(d->listen, (d->n_listen + 1) * sizeof(*v));
		if (!v) {
			rc = ERR_NOMEM;
			break;
		}
		d->listen = v;
		v[d->n_listen++] = a;
	}
	free(copy);
	if (rc == 0 && d->n_listen == 0) {
		conf_bad(ctx, key, "listen is empty; write addresses separated by commas, "
			 "e.g. 0.0.0.0, ::");
		rc = ERR_PARSE;
	}
	return rc;
}

static int port(struct conf_ctx *ctx, const char *key, const char *val, uint16_t *out)
{
	char *end;
	unsigned long v = strtoul(val, &end, 10);

	if (val[0] < '0' || val[0] > '9' || *end || v == 0 || v > 65535) {
		conf_bad(ctx, key, "%s '%s' is not a port number 1-65535", key, val);
		return ERR_PARSE;
	}
	*out = (uint16_t)v;
	return 0;
}

static int k_ike_port(struct conf_ctx *ctx, void *obj, const char *key, const char *val)
{
	return port(ctx, key, val, &D(obj)->ike_port);
}

static int k_natt_port(struct conf_ctx *ctx, void *obj, const char *key, const char *val)
{
	return port(ctx, key, val, &D(obj)->natt_port);
}

static int k_kernel(struct conf_ctx *ctx, void *obj, const char *key, const char *val)
{
	static const char *const names[] = { "xfrm", "none" };
	int v = conf_enum_parse(val, names, 2);

	if (v < 0) {
		conf_bad(ctx, key, "kernel '%s' is unknown; write xfrm (Linux IPsec) or none "
			 "(SAs kept in memory, for labs)", val);
		return ERR_PARSE;
	}
	D(obj)->kernel = v == 0 ? CONF_KERNEL_XFRM : CONF_KERNEL_NONE;
	return 0;
}

static int k_control_socket(struct conf_ctx *ctx, void *obj, const char *key, const char *val)
{
	return conf_path_set(ctx, &D(obj)->control_socket, key, val, false);
}

static int k_control_group(struct conf_ctx *ctx, void *obj, const char *key, const char *val)
{
	struct daemon_config *d = D(obj);

	if (val[0] == '\0' || strpbrk(val, " \t:/")) {
		conf_bad(ctx, key, "control_group '%s' is not a group name; write the name "
			 "of a group in /etc/group, or remove the key", val);
		return ERR_PARSE;
	}
	free(d->control_group);
	d->control_group = strdup(val);
	return d->control_group ? 0 : ERR_NOMEM;
}

static int k_state_dir(struct conf_ctx *ctx, void *obj, const char *key, const char *val)
{
	return conf_path_set(ctx, &D(obj)->state_dir, key, val, false);
}

static int k_keylog(struct conf_ctx *ctx, void *obj, const char *key, const char *val)
{
	return conf_path_set(ctx, &D(obj)->keylog, key, val, false);
}

static int k_secrets(struct conf_ctx *ctx, void *obj, const char *key, const char *val)
{
	return conf_path_set(ctx, &D(obj)->secrets, key, val, true);
}

static int k_policy(struct conf_ctx *ctx, void *obj, const char *key, const char *val)
{
	return conf_path_set(ctx, &D(obj)->policy, key, val, true);
}

static int k_log_level(struct conf_ctx *ctx, void *obj, const char *key, const char *val)
{
	if (!log_level_parse(val, &D(obj)->log_level)) {
		conf_bad(ctx, key, "log_level '%s' is unknown; write error, warn, info or debug",
			 val);
		return ERR_PARSE;
	}
	return 0;
}

static int k_log_target(struct conf_ctx *ctx, void *obj, const char *key, const char *val)
{
	static const char *const names[] = { "stderr", "syslog" };
	int v = conf_enum_parse(val, names, 2);

	if (v < 0) {
		conf_bad(ctx, key, "log_target '%s' is unknown; write stderr or syslog", val);
		return ERR_PARSE;
	}
	D(obj)->log_target = v == 0 ? LOG_TO_STDERR : LOG_TO_SYSLOG;
	return 0;
}

static int count(struct conf_ctx *ctx, const char *key, const char *val, unsigned lo,
		 unsigned hi, unsigned *out)
{
	char *end;
	unsigned long v = strtoul(val, &end, 10);

	if (val[0] < '0' || val[0] > '9' || *end || v < lo || v > hi) {
		conf_bad(ctx, key, "%s '%s' is not a whole number from %u to %u", key, val, lo, hi);
		return ERR_PARSE;
	}
	*out = (unsigned)v;
	return 0;
}

static int k_crypto_inline(struct conf_ctx *ctx, void *obj, const char *key, const char *val)
{
	static const char *const names[] = { "never", "idle", "always" };
	int v = conf_enum_parse(val, names, 3);

	if (v < 0) {
		conf_bad(ctx, key, "crypto_inline '%s' is unknown; write never (crypto on worker "
			 "threads), idle (on the protocol thread when no other job is pending) "
			 "or always", val);
		return ERR_PARSE;
	}
	D(obj)->crypto_inline = (enum conf_crypto_inline)v;
	return 0;
}

static int k_cookie_threshold(struct conf_ctx *ctx, void *obj, const char *key, const char *val)
{
	return count(ctx, key, val, 0, 1000000, &D(obj)->cookie_threshold);
}

static int k_retransmit_tries(struct conf_ctx *ctx, void *obj, const char *key, const char *val)
{
	return count(ctx, key, val, 1, 20, &D(obj)->retransmit_tries);
}

static int k_retransmit_timeout(struct conf_ctx *ctx, void *obj, const char *key, const char *val)
{
	uint32_t ms;

	if (!conf_duration_ms_parse(val, &ms) || ms < 100 || ms > 60000) {
		conf_bad(ctx, key, "retransmit_timeout '%s' is not a time from 100ms to 60s; "
			 "write e.g. 500ms or 2s", val);
		return ERR_PARSE;
	}
	D(obj)->retransmit_timeout_ms = ms;
	return 0;
}

/* The doubling stops at this wait: with many tries (a lossy path) the
 * exchange then keeps trying at a steady pace instead of waiting minutes,
 * and stays within the peer's half-open lifetime. 0: no limit. */
static int k_retransmit_limit(struct conf_ctx *ctx, void *obj, const char *key, const char *val)
{
	uint32_t ms;

	if (!conf_duration_ms_parse(val, &ms) || (ms != 0 && (ms < 100 || ms > 600000))) {
		conf_bad(ctx, key, "retransmit_limit '%s' is not a time from 100ms to 10min "
			 "(or 0 for none); write e.g. 4s", val);
		return ERR_PARSE;
	}
	D(obj)->retransmit_limit_ms = ms;
	return 0;
}

/* RFC 3948 2.3: every N seconds from behind a NAT (default 20 s); 0 = off */
static int k_nat_keepalive(struct conf_ctx *ctx, void *obj, const char *key, const char *val)
{
	if (!conf_duration_parse(val, &D(obj)->nat_keepalive_s)) {
		conf_bad(ctx, key, "nat_keepalive '%s' is not a time; write e.g. 20s (0 = off)", val);
		return ERR_PARSE;
	}
	return 0;
}

const struct conf_key conf_daemon_keys[] = {
	{ "listen", k_listen },
	{ "ike_port", k_ike_port },
	{ "natt_port", k_natt_port },
	{ "kernel", k_kernel },
	{ "control_socket", k_control_socket },
	{ "control_group", k_control_group },
	{ "state_dir", k_state_dir },
	{ "keylog", k_keylog },
	{ "secrets", k_secrets },
	{ "policy", k_policy },
	{ "log_level", k_log_level },
	{ "log_target", k_log_target },
	{ "cookie_threshold", k_cookie_threshold },
	{ "crypto_inline", k_crypto_inline },
	{ "retransmit_tries", k_retransmit_tries },
	{ "retransmit_timeout", k_retransmit_timeout },
	{ "retransmit_limit", k_retransmit_limit },
	{ "nat_keepalive", k_nat_keepalive },
	{ "ca", conf_cert_daemon_k_ca },
	{ "crl", conf_cert_daemon_k_crl },
	{ "send_cert", conf_cert_daemon_k_send_cert },
};
const size_t conf_daemon_n_keys = sizeof(conf_daemon_keys) / sizeof(conf_daemon_keys[0]);

static int defaults(struct conf_ctx *ctx, struct daemon_config *d)
{
	memset(d, 0, sizeof(*d));
	d->ike_port = 500;
	d->natt_port = 4500;
	d->kernel = CONF_KERNEL_XFRM;
	d->log_level = LOG_LEVEL_INFO;
	d->log_target = LOG_TO_SYSLOG;
	d->cookie_threshold = 64;
	d->retransmit_tries = 5;
	d->retransmit_timeout_ms = 2000;
	d->nat_keepalive_s = 20;
	d->listen = calloc(2, sizeof(*d->listen));
	if (!d->listen)
		return ERR_NOMEM;
	conf_addr_parse("0.0.0.0", false, &d->listen[0]);
	conf_addr_parse("::", false, &d->listen[1]);
	d->n_listen = 2;
	d->control_socket = strdup("/run/dualike/dualiked.sock");
	d->state_dir = strdup("/var/lib/dualike");
	if (asprintf(&d->secrets, "%s/secrets", ctx->dir) < 0)
		d->secrets = NULL;
	if (asprintf(&d->policy, "%s/peers.policy", ctx->dir) < 0)
		d->policy = NULL;
	if (!d->control_socket || !d->state_dir || !d->secrets || !d->policy)
		return ERR_NOMEM;
	return 0;
}

int conf_daemon_read(struct conf_ctx *ctx, struct daemon_config *d)
{
	int r = defaults(ctx, d);

	if (r)
		return r;
	conf_read_keys(ctx, conf_daemon_keys, conf_daemon_n_keys, d);
	if (d->ike_port == d->natt_port)
		conf_bad(ctx, "natt_port", "natt_port equals ike_port (%u); they must differ "
			 "(RFC 3948: 500 and 4500)", d->ike_port);
	if (d->retransmit_limit_ms && d->retransmit_limit_ms < d->retransmit_timeout_ms)
		conf_bad(ctx, "retransmit_limit", "retransmit_limit (%ums) is shorter than "
			 "retransmit_timeout (%ums), the first wait", d->retransmit_limit_ms,
			 d->retransmit_timeout_ms);
	return 0;
}

void conf_daemon_free(struct daemon_config *d)
{
	free(d->listen);
	free(d->control_socket);
	free(d->control_group);
	free(d->state_dir);
	free(d->keylog);
	free(d->secrets);
	free(d->policy);
	conf_cert_free(d->pubkey_defaults);
	memset(d, 0, sizeof(*d));
}
