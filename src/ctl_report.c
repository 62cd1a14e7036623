/*
 * ctl_report.c - pins, unpin and migration-report.
 *
 * The migration report answers, per connection (= per peer), the question an
 * operator moving a site from IKEv1 to IKEv2 asks: which version does this
 * peer use, with which algorithms, and what stops it from moving? Blockers
 * named: a connection or a peers.policy rule that allows only IKEv1,
 * Aggressive Mode with a pre-shared key (its HASH_R allows an offline
 * dictionary attack on the PSK), and algorithms the registry marks weak
 * (DES, 3DES, MD5, SHA-1, MODP-768/1024/1536).
 */
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>

#include "common/err.h"
#include "src/config.h"
#include "src/ctl_report.h"
#include "src/daemon.h"
#include "src/json.h"
#include "src/pins.h"
#include "src/policy.h"

#define REPORT_MAX_ITEMS 32
#define REPORT_ITEM_LEN 160
#define REPORT_BLOCKER_LEN 256

struct peer_report {
	char remote[CONF_ADDR_STRLEN];
	const char *version;
	char policy[REPORT_ITEM_LEN];
	bool pinned;
	char algs[REPORT_MAX_ITEMS][24];
	size_t n_algs;
	char blockers[REPORT_MAX_ITEMS][REPORT_BLOCKER_LEN];
	size_t n_blockers;
};

static void report_blocker(struct peer_report *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void report_blocker(struct peer_report *r, const char *fmt, ...)
{
	va_list ap;

	if (r->n_blockers >= REPORT_MAX_ITEMS)
		return;
	va_start(ap, fmt);
	vsnprintf(r->blockers[r->n_blockers++], REPORT_BLOCKER_LEN, fmt, ap);
	va_end(ap);
}

static void report_alg(struct peer_report *r, const struct xform *x, const char *where)
{
	for (size_t i = 0; i < r->n_algs; i++)
		if (strcmp(r->algs[i], x->name) == 0)
			return;
	if (r->n_algs < REPORT_MAX_ITEMS)
		snprintf(r->algs[r->n_algs++], sizeof(r->algs[0]), "%s", x->name);
	if (x->weak) {
		char what[80];

		snprintf(what, sizeof(what), "%s in the %s proposals", x->name, where);
		report_blocker(r, "weak algorithm: %s", what);
	}
}

static void report_proposals(struct peer_report *r, const struct conf_proposals *ps, const char *where)
{
	for (size_t p = 0; p < ps->n; p++)
		for (size_t x = 0; x < ps->v[p].n_xforms; x++)
			report_alg(r, ps->v[p].xforms[x].xf, where);
}

static void report_conn(const struct daemon *d, const struct conn_config *c, struct peer_report *r)
{
	memset(r, 0, sizeof(*r));
	conf_addr_str(&c->remote, r->remote, sizeof(r->remote));
	r->version = c->version == CONF_VERSION_IKEV1 ? "ikev1" :
		     c->version == CONF_VERSION_IKEV2 ? "ikev2" : "auto";
	snprintf(r->policy, sizeof(r->policy), "any");
	if (c->remote.family != AF_UNSPEC) {
		struct sockaddr_storage ss;
		const struct policy_rule *rule;
		char key[PINS_PEER_MAX];

		conf_addr_to_sockaddr(&c->remote, &ss);
		rule = d->policy ? policy_match(d->policy, (struct sockaddr *)&ss, NULL) : NULL;
		if (rule) {
			policy_rule_str(d->policy, rule, r->policy, sizeof(r->policy));
			if (rule->version == POLICY_IKEV1)
				report_blocker(r, "peers.policy allows only IKEv1 for this peer (%s)", r->policy);
		}
		r->pinned = d->pins && pins_is_pinned(d->pins,
			pins_peer_from_sockaddr((struct sockaddr *)&ss, key, sizeof(key)));
	}
	if (c->version == CONF_VERSION_IKEV1)
		report_blocker(r, "%s", "connection is IKEv1-only (version = ikev1)");
	if (c->version != CONF_VERSION_IKEV2 && c->ikev1_mode == CONF_V1_AGGRESSIVE &&
	    c->auth == CONF_AUTH_PSK)
		report_blocker(r, "%s", "IKEv1 Aggressive Mode with a pre-shared key: HASH_R allows "
			       "an offline dictionary attack on the PSK");
	report_proposals(r, &c->ike, "IKE");
	report_proposals(r, &c->esp, "ESP");
	if (c->pfs)
		report_alg(r, c->pfs, "PFS");
}

int ctl_report_migration(void *ctx, int argc, char **argv, bool json, struct evbuffer *out)
{
	struct daemon *d = ctx;
	struct peer_report r;
	struct json j;

	(void)argc;
	(void)argv;
	if (json) {
		json_init(&j, out);
		json_object_begin(&j, NULL);
		json_array_begin(&j, "peers");
	}
	for (size_t i = 0; i < d->cfg->n_conns; i++) {
		const struct conn_config *c = &d->cfg->conns[i];

		report_conn(d, c, &r);
		if (json) {
			json_object_begin(&j, NULL);
			json_string(&j, "connection", c->name);
			json_string(&j, "remote", r.remote);
			json_string(&j, "version", r.version);
			json_string(&j, "policy", r.policy);
			json_bool(&j, "pinned_ikev2", r.pinned);
			json_array_begin(&j, "algorithms");
			for (size_t a = 0; a < r.n_algs; a++)
				json_string(&j, NULL, r.algs[a]);
			json_array_end(&j);
			json_array_begin(&j, "blockers");
			for (size_t b = 0; b < r.n_blockers; b++)
				json_string(&j, NULL, r.blockers[b]);
			json_array_end(&j);
			json_bool(&j, "ready_for_ikev2", r.n_blockers == 0);
			json_object_end(&j);
			continue;
		}
		evbuffer_add_printf(out, "%s (peer %s): version %s, policy: %s%s\n", c->name,
				    r.remote, r.version, r.policy, r.pinned ? ", pinned to IKEv2" : "");
		evbuffer_add_printf(out, "  algorithms:");
		for (size_t a = 0; a < r.n_algs; a++)
			evbuffer_add_printf(out, " %s", r.algs[a]);
		evbuffer_add_printf(out, "\n");
		if (r.n_blockers == 0)
			evbuffer_add_printf(out, "  ready for IKEv2: nothing blocks the move\n");
		for (size_t b = 0; b < r.n_blockers; b++)
			evbuffer_add_printf(out, "  blocks IKEv2: %s\n", r.blockers[b]);
	}
	if (json) {
		json_array_end(&j);
		json_object_end(&j);
		json_finish(&j);
	}
	return 0;
}

int ctl_report_pins(void *ctx, int argc, char **argv, bool json, struct evbuffer *out)
{
	struct daemon *d = ctx;
	const struct pin *v;
	size_t n = 0;
	struct json j;

	(void)argc;
	(void)argv;
	v = d->pins ? pins_list(d->pins, &n) : NULL;
	if (json) {
		json_init(&j, out);
		json_object_begin(&j, NULL);
		json_array_begin(&j, "pins");
	}
	for (size_t i = 0; i < n; i++) {
		char since[32];
		time_t t = (time_t)v[i].first;
		struct tm tm;

		strftime(since, sizeof(since), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tm));
		if (json) {
			json_object_begin(&j, NULL);
			json_string(&j, "peer", v[i].peer);
			json_string(&j, "since", since);
			json_object_end(&j);
		} else {
			evbuffer_add_printf(out, "%s pinned to IKEv2 since %s\n", v[i].peer, since);
		}
	}
	if (json) {
		json_array_end(&j);
		json_object_end(&j);
		json_finish(&j);
	} else if (n == 0) {
		evbuffer_add_printf(out, "no peer is pinned to IKEv2\n");
	}
	return 0;
}

int ctl_report_unpin(void *ctx, int argc, char **argv, bool json, struct evbuffer *out)
{
	struct daemon *d = ctx;
	struct config_errors errs;
	int rc;

	(void)argc;
	(void)json;
	if (!d->pins || !pins_is_pinned(d->pins, argv[1])) {
		evbuffer_add_printf(out, "%s is not pinned (see `dualikectl pins`)\n", argv[1]);
		return 1;
	}
	rc = pins_unpin(d->pins, argv[1]);
	config_errors_init(&errs);
	if (rc == 0)
		rc = pins_save(d->pins, &errs);
	config_errors_free(&errs);
	if (rc) {
		evbuffer_add_printf(out, "unpin %s failed: %s\n", argv[1], err_str(rc));
		return 1;
	}
	evbuffer_add_printf(out, "%s unpinned: it may use IKEv1 again\n", argv[1]);
	return 0;
}
