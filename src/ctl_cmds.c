/*
 * ctl_cmds.c - what each dualikectl command does in the daemon.
 *
 * JSON shapes are part of the interface (dualikectl(8)): fields are only ever
 * added, never renamed or removed.
 */
#include "dualike-build.h"

#include <grp.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>

#include "common/err.h"
#include "common/kernel.h"
#include "common/log.h"
#include "common/sad.h"
#include "src/config.h"
#include "src/ctl_certs.h"
#include "src/ctl_cmds.h"
#include "src/ctl_report.h"
#include "src/daemon.h"
#include "src/dispatch.h"
#include "src/engines.h"
#include "src/json.h"
#include "src/stats_frag.h"
#include "v1/v1_engine.h"

gid_t ctl_group_id(const char *name)
{
	struct group *g;

	if (!name)
		return (gid_t)-1;
	g = getgrnam(name);
	if (!g) {
		log_warn(&log_global, "control group \"%s\" does not exist; socket stays root-only", name);
		return (gid_t)-1;
	}
	return g->gr_gid;
}

static const char *version_name(enum conf_version v)
{
	switch (v) {
	case CONF_VERSION_IKEV1: return "ikev1";
	case CONF_VERSION_IKEV2: return "ikev2";
	case CONF_VERSION_AUTO: return "auto";
	}
	return "?";
}

static int cmd_status(void *ctx, int argc, char **argv, bool json, struct evbuffer *out)
{
	struct daemon *d = ctx;
	long uptime = (long)(time(NULL) - d->started);

	(void)argc;
	(void)argv;
	if (json) {
		struct json j;

		json_init(&j, out);
		json_object_begin(&j, NULL);
		json_string(&j, "version", PACKAGE_VERSION);
		json_int(&j, "uptime_s", uptime);
		json_string(&j, "config", d->config_path);
		json_string(&j, "kernel", kernel_name(d->kernel));
		json_uint(&j, "connections", d->cfg->n_conns);
		json_int(&j, "kernel_sas", kernel_count_sas(d->kernel));
		json_int(&j, "kernel_policies", kernel_count_policies(d->kernel));
		json_uint(&j, "reloads", d->reloads);
		json_object_begin(&j, "engines");
		json_bool(&j, "ikev1", engine_v1_ops.built);
		json_bool(&j, "ikev2", engine_v2_ops.built);
		json_object_end(&j);
		json_object_end(&j);
		json_finish(&j);
		return 0;
	}
	evbuffer_add_printf(out,
			    "dualiked %s, up %lds, config %s\n"
			    "kernel backend: %s (%ld SAs, %ld policies)\n"
			    "connections: %zu, reloads: %llu (%llu refused)\n"
			    "engines: IKEv1 %s, IKEv2 %s\n",
			    PACKAGE_VERSION, uptime, d->config_path, kernel_name(d->kernel),
			    kernel_count_sas(d->kernel), kernel_count_policies(d->kernel),
			    d->cfg->n_conns, (unsigned long long)d->reloads,
			    (unsigned long long)d->reload_failures,
			    engine_v1_ops.built ? "running" : "not built yet (messages are routed and counted; see `stats`)",
			    engine_v2_ops.built ? "running" : "not built yet (messages are routed and counted; see `stats`)");
	return 0;
}

static void conn_proposals_str(const struct conf_proposals *ps, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t p = 0; p < ps->n && used < len; p++) {
		used += (size_t)snprintf(buf + used, len - used, "%s", p ? ", " : "");
		for (size_t x = 0; x < ps->v[p].n_xforms && used < len; x++)
			used += (size_t)snprintf(buf + used, len - used, "%s%s", x ? "-" : "",
						 ps->v[p].xforms[x].name);
	}
}

static int cmd_list_conns(void *ctx, int argc, char **argv, bool json, struct evbuffer *out)
{
	struct daemon *d = ctx;
	char local[CONF_ADDR_STRLEN], remote[CONF_ADDR_STRLEN], ike[512], esp[512];
	struct json j;

	(void)argc;
	(void)argv;
	if (json) {
		json_init(&j, out);
		json_object_begin(&j, NULL);
		json_array_begin(&j, "connections");
	}
	for (size_t i = 0; i < d->cfg->n_conns; i++) {
		const struct conn_config *c = &d->cfg->conns[i];

		conf_addr_str(&c->local, local, sizeof(local));
		conf_addr_str(&c->remote, remote, sizeof(remote));
		conn_proposals_str(&c->ike, ike, sizeof(ike));
		conn_proposals_str(&c->esp, esp, sizeof(esp));
		if (json) {
			json_object_begin(&j, NULL);
			json_string(&j, "name", c->name);
			json_string(&j, "version", version_name(c->version));
			json_string(&j, "local", local);
			json_string(&j, "remote", remote);
			json_string(&j, "ike", ike);
			json_string(&j, "esp", esp);
			json_object_end(&j);
		} else {
			evbuffer_add_printf(out, "%s: %s %s <-> %s\n  ike: %s\n  esp: %s\n",
					    c->name, version_name(c->version), local, remote, ike, esp);
		}
	}
	if (json) {
		json_array_end(&j);
		json_object_end(&j);
		json_finish(&j);
	} else if (d->cfg->n_conns == 0) {
		evbuffer_add_printf(out, "no connections configured\n");
	}
	return 0;
}

struct sa_list_ctx {
	struct json *j;
	struct evbuffer *out;
	size_t n;
};

static void list_one_sa(const struct kernel_sa_info *sa, void *arg)
{
	struct sa_list_ctx *l = arg;
	char src[64], dst[64];

	kernel_addr_str(&sa->src, src, sizeof(src));
	kernel_addr_str(&sa->dst, dst, sizeof(dst));
	l->n++;
	if (l->j) {
		char spi[12];

		snprintf(spi, sizeof(spi), "%08x", sa->spi);
		json_object_begin(l->j, NULL);
		json_string(l->j, "spi", spi);
		json_string(l->j, "src", src);
		json_string(l->j, "dst", dst);
		json_string(l->j, "mode", kernel_mode_str(sa->mode));
		json_uint(l->j, "encr", sa->encr_id);
		json_uint(l->j, "integ", sa->integ_id);
		json_bool(l->j, "larval", sa->larval);
		json_object_end(l->j);
	} else {
		evbuffer_add_printf(l->out, "esp spi %08x %s -> %s %s encr %u integ %u%s\n",
				    sa->spi, src, dst, kernel_mode_str(sa->mode), sa->encr_id,
				    sa->integ_id, sa->larval ? " (SPI reserved)" : "");
	}
}

/* Child SAs of both versions, from the SAD: what the engines negotiated and installed. */
static void list_child_sas(struct daemon *d, struct json *j, struct evbuffer *out)
{
	for (struct sad_entry *e = d->sad ? sad_first(d->sad) : NULL; e; e = sad_next(e)) {
		char peer[64];

		if (e->kind != SAD_KIND_CHILD)
			continue;
		sockaddr_str(&e->peer.sa, peer, sizeof(peer));
		if (j) {
			char in[12], o[12];

			snprintf(in, sizeof(in), "%08x", e->spi_in);
			snprintf(o, sizeof(o), "%08x", e->spi_out);
			json_object_begin(j, NULL);
			json_string(j, "connection", e->conn);
			json_string(j, "state", "INSTALLED");
			json_uint(j, "version", e->version);
			json_uint(j, "serial", e->serial);
			json_uint(j, "ike_serial", e->ike_serial);
			json_string(j, "protocol", e->proto == 51 ? "ah" : "esp");
			json_string(j, "spi_in", in);
			json_string(j, "spi_out", o);
			json_string(j, "peer", peer);
			json_object_end(j);
		} else {
			evbuffer_add_printf(out, "IKEv%u child #%llu %s %s in %08x out %08x peer %s (IKE SA #%llu)\n",
					    e->version, (unsigned long long)e->serial, e->conn,
					    e->proto == 51 ? "ah" : "esp", e->spi_in, e->spi_out, peer,
					    (unsigned long long)e->ike_serial);
		}
	}
}

static int cmd_list_sas(void *ctx, int argc, char **argv, bool json, struct evbuffer *out)
{
	struct daemon *d = ctx;
	struct json j;
	struct sa_list_ctx l = { .j = json ? &j : NULL, .out = out };

	(void)argc;
	(void)argv;
	if (json) {
		json_init(&j, out);
		json_object_begin(&j, NULL);
		json_array_begin(&j, "ike_sas");
	}
	for (int v = 1; v <= 2; v++) {
		const struct engine_ops *e = engines_for(v);

		if (e->list_sas)
			e->list_sas(d, json ? &j : NULL, out);
		else if (!json)
			evbuffer_add_printf(out, "IKEv%d SAs: none (engine not built yet)\n", v);
	}
	if (json) {
		json_array_end(&j);
		json_array_begin(&j, "child_sas");
	}
	list_child_sas(d, json ? &j : NULL, out);
	if (json) {
		json_array_end(&j);
		json_array_begin(&j, "kernel_sas");
	}
	kernel_list_sas(d->kernel, list_one_sa, &l);
	if (json) {
		json_array_end(&j);
		json_object_end(&j);
		json_finish(&j);
	} else {
		evbuffer_add_printf(out, "kernel SAs: %zu\n", l.n);
	}
	return 0;
}

static int cmd_up_down(void *ctx, int argc, char **argv, bool json, struct evbuffer *out)
{
	struct daemon *d = ctx;
	const struct conn_config *c = config_find_conn(d->cfg, argv[1]);
	const struct engine_ops *e;

	(void)argc;
	(void)json;
	if (!c) {
		evbuffer_add_printf(out, "no connection named '%s' (see `dualikectl list-conns`)\n", argv[1]);
		return 1;
	}
	/* version = auto starts with IKEv2 unless this peer fell back before (DESIGN.md) */
	e = engines_for(strcmp(argv[0], "up") == 0 ? daemon_auto_version(d, c) :
			c->version == CONF_VERSION_IKEV1 ? 1 : 2);
	return strcmp(argv[0], "up") == 0 ? e->up(d, c, out) : e->down(d, c, out);
}

static int cmd_rekey(void *ctx, int argc, char **argv, bool json, struct evbuffer *out)
{
	struct daemon *d = ctx;
	const struct conn_config *c = config_find_conn(d->cfg, argv[1]);
	const char *what = argc > 2 ? argv[2] : "child";
	int rc;

	(void)json;
	if (!c) {
		evbuffer_add_printf(out, "no connection named '%s' (see `dualikectl list-conns`)\n", argv[1]);
		return 1;
	}
	if (c->version == CONF_VERSION_IKEV1) {
		evbuffer_add_printf(out, "connection %s: IKEv1 SAs are rekeyed by lifetime only "
				    "(rekey_margin); a forced rekey is IKEv2 only\n", c->name);
		return 1;
	}
	rc = engine_v2_rekey(d, c->name, what);
	if (rc == ERR_INVAL) {
		evbuffer_add_printf(out, "rekey %s: say child, ike or new-child\n", c->name);
		return 2;
	}
	if (rc) {
		evbuffer_add_printf(out, "connection %s: %s rekey not started: %s\n", c->name, what,
				    rc == ERR_NOTFOUND ? "no established IKEv2 SA" :
				    rc == ERR_STATE ? "another exchange is in progress, try again" :
				    err_str(rc));
		return 1;
	}
	evbuffer_add_printf(out, "connection %s: %s started\n", c->name,
			    strcmp(what, "new-child") == 0 ? "new child SA" :
			    strcmp(what, "ike") == 0 ? "IKE SA rekey" : "child SA rekey");
	return 0;
}

static int cmd_reload(void *ctx, int argc, char **argv, bool json, struct evbuffer *out)
{
	struct daemon *d = ctx;
	int rc;

	(void)argc;
	(void)argv;
	(void)json;
	rc = daemon_reload(d, out);
	if (rc) {
		evbuffer_add_printf(out, "reload refused; the running configuration stays\n");
		return 1;
	}
	evbuffer_add_printf(out, "reloaded %s: %zu connection(s)\n", d->config_path, d->cfg->n_conns);
	return 0;
}

/* IKEv1 DPD totals (RFC 3706) from the engine's counters, when it runs. */
static void v1_dpd_report(struct daemon *d, struct json *j, struct evbuffer *out)
{
	const struct v1_counters *v;

	if (!d->engine_state[1])
		return;
	v = v1_engine_counters(d->engine_state[1]);
	if (!j) {
		evbuffer_add_printf(out, "IKEv1 DPD: R-U-THERE sent %llu, R-U-THERE-ACK received %llu, "
				    "R-U-THERE answered %llu, peers dead %llu, peers held %llu\n",
				    (unsigned long long)v->dpd_sent, (unsigned long long)v->dpd_acks_in,
				    (unsigned long long)v->dpd_answered, (unsigned long long)v->dpd_dead,
				    (unsigned long long)v->dpd_held);
		return;
	}
	json_object_begin(j, "ikev1_dpd");
	json_uint(j, "r_u_there_sent", v->dpd_sent);
	json_uint(j, "r_u_there_ack_received", v->dpd_acks_in);
	json_uint(j, "r_u_there_answered", v->dpd_answered);
	json_uint(j, "peers_dead", v->dpd_dead);
	/* dead peers whose connection kept a trap (dpd_action = hold) */
	json_uint(j, "peers_held", v->dpd_held);
	json_object_end(j);
}

/* IKEv1 fragmentation totals (v1/v1_frag.h), when the engine runs. */
static void v1_frag_report(struct daemon *d, struct json *j, struct evbuffer *out)
{
	const struct v1_counters *v;
	struct stats_frag f;

	if (!d->engine_state[1])
		return;
	v = v1_engine_counters(d->engine_state[1]);
	f = (struct stats_frag){ v->frag_messages_fragmented, v->frag_fragments_sent,
				 v->frag_fragments_received, v->frag_messages_reassembled,
				 v->frag_fragments_dropped };
	if (!j) {
		stats_frag_report(&f, "IKEv1 fragmentation", NULL, out);
		return;
	}
	json_object_begin(j, "ikev1_fragmentation");
	stats_frag_report(&f, NULL, j, NULL);
	json_object_end(j);
}

static int cmd_stats(void *ctx, int argc, char **argv, bool json, struct evbuffer *out)
{
	struct daemon *d = ctx;
	const struct dispatch_counters *c = dispatch_counters(d->dispatcher);

	(void)argc;
	(void)argv;
	if (json) {
		struct json j;

		json_init(&j, out);
		json_object_begin(&j, NULL);
		json_object_begin(&j, "packets_in");
		json_uint(&j, "ikev1", c->in_v1);
		json_uint(&j, "ikev2", c->in_v2);
		json_object_end(&j);
		json_object_begin(&j, "packets_out");
		json_uint(&j, "ikev1", c->out_v1);
		json_uint(&j, "ikev2", c->out_v2);
		json_object_end(&j);
		json_object_begin(&j, "drops");
		for (int r = 0; r < DROP_REASONS_; r++)
			json_uint(&j, dispatch_drop_name((enum dispatch_drop)r), c->dropped[r]);
		json_object_end(&j);
		json_object_begin(&j, "sas_made");
		json_uint(&j, "ikev1", d->sas_made[1]);
		json_uint(&j, "ikev2", d->sas_made[2]);
		json_object_end(&j);
		json_object_begin(&j, "sas_failed");
		json_uint(&j, "ikev1", d->sas_failed[1]);
		json_uint(&j, "ikev2", d->sas_failed[2]);
		json_object_end(&j);
		json_uint(&j, "log_lines_suppressed", log_unauth_suppressed());
		daemon_events_stats_report(d, &j, out);
		daemon_jobs_stats_report(d, &j, out);
		engine_v2_stats_report(d, &j, out);
		v1_dpd_report(d, &j, out);
		v1_frag_report(d, &j, out);
		json_object_end(&j);
		json_finish(&j);
		return 0;
	}
	evbuffer_add_printf(out, "packets in:  IKEv1 %llu, IKEv2 %llu\n",
			    (unsigned long long)c->in_v1, (unsigned long long)c->in_v2);
	evbuffer_add_printf(out, "packets out: IKEv1 %llu, IKEv2 %llu\n",
			    (unsigned long long)c->out_v1, (unsigned long long)c->out_v2);
	evbuffer_add_printf(out, "drops:\n");
	for (int r = 0; r < DROP_REASONS_; r++)
		evbuffer_add_printf(out, "  %-22s %llu\n", dispatch_drop_name((enum dispatch_drop)r),
				    (unsigned long long)c->dropped[r]);
	evbuffer_add_printf(out, "SAs made:   IKEv1 %llu, IKEv2 %llu\n",
			    (unsigned long long)d->sas_made[1], (unsigned long long)d->sas_made[2]);
	evbuffer_add_printf(out, "SAs failed: IKEv1 %llu, IKEv2 %llu\n",
			    (unsigned long long)d->sas_failed[1], (unsigned long long)d->sas_failed[2]);
	evbuffer_add_printf(out, "log lines suppressed (unauthenticated input): %llu\n",
			    (unsigned long long)log_unauth_suppressed());
	daemon_events_stats_report(d, NULL, out);
	daemon_jobs_stats_report(d, NULL, out);
	engine_v2_stats_report(d, NULL, out);
	v1_dpd_report(d, NULL, out);
	v1_frag_report(d, NULL, out);
	return 0;
}

static int cmd_help(void *ctx, int argc, char **argv, bool json, struct evbuffer *out);

const struct control_cmd ctl_commands[] = {
	{ "status", "", 0, 0, cmd_status, "daemon, kernel backend and engine status" },
	{ "list-conns", "", 0, 0, cmd_list_conns, "configured connections and proposals" },
	{ "list-sas", "", 0, 0, cmd_list_sas, "IKE SAs and kernel (child) SAs" },
	{ "list-certs", "", 0, 0, ctl_certs_list, "certificates in use: subject, SANs, validity, conns" },
	{ "up", "NAME", 1, 1, cmd_up_down, "initiate a connection" },
	{ "down", "NAME", 1, 1, cmd_up_down, "delete a connection's SAs" },
	{ "rekey", "NAME [child|ike|new-child]", 1, 2, cmd_rekey,
	  "IKEv2: rekey the child or IKE SA now, or add a child SA" },
	{ "reload", "", 0, 0, cmd_reload, "re-read configuration, policy and secrets" },
	{ "stats", "", 0, 0, cmd_stats, "packet, drop and SA counters per version" },
	{ "pins", "", 0, 0, ctl_report_pins, "peers pinned to IKEv2 (downgrade protection)" },
	{ "unpin", "PEER", 1, 1, ctl_report_unpin, "allow a pinned peer to fall back to IKEv1" },
	{ "migration-report", "", 0, 0, ctl_report_migration,
	  "per peer: version, algorithms, what blocks moving it to IKEv2" },
	{ "help", "", 0, 0, cmd_help, "this list" },
	{ NULL, NULL, 0, 0, NULL, NULL },
};

static int cmd_help(void *ctx, int argc, char **argv, bool json, struct evbuffer *out)
{
	(void)ctx;
	(void)argc;
	(void)argv;
	(void)json;
	for (const struct control_cmd *c = ctl_commands; c->name; c++)
		evbuffer_add_printf(out, "  %-18s %-6s %s\n", c->name, c->usage, c->help);
	return 0;
}
