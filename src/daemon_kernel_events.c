/*
 * daemon_kernel_events.c - kernel events into negotiations, and the trap
 * policies that make them (RFC 4301 5.2, 4.4.2.1).
 *
 *   auto = route  one trap per connection: an outbound policy from its
 *                 local to its remote traffic selector with a template
 *                 (ESP, the connection's mode and addresses) and no SA.
 *                 The first packet that hits it makes the kernel send an
 *                 ACQUIRE; the SA's own policy then takes the trap's place
 *                 and gives it back when the SA goes (common/kernel_trap.c).
 *   dpd_action = hold: the same trap, installed when the peer is found
 *                 dead (the hold hook of either engine: IKEv2 liveness,
 *                 IKEv1 DPD of RFC 3706), before its SAs go.
 *   ACQUIRE       names the trap by its reqid: initiate the connection,
 *                 unless an IKE SA of it is up or being set up (one
 *                 negotiation per trap in flight). An IKEv2 SA that is up
 *                 but has no child (a hard expiry took it) gets a new one.
 *   EXPIRE        names one SA by SPI: soft rekeys it, hard deletes it
 *                 with a Delete to the peer, in the engine that made it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "common/err.h"
#include "common/kernel.h"
#include "common/log.h"
#include "common/sad.h"
#include "src/config.h"
#include "src/daemon.h"
#include "src/engines.h"
#include "src/json.h"
#include "v1/v1_events.h"
#include "v2/v2_engine.h"

/* Trap reqids sit far above the engines' (v2: SA serials; v1: a counter from 1). */
#define TRAP_REQID_BASE 0x7f000000u

static uint32_t trap_reqid(size_t conn_index)
{
	return TRAP_REQID_BASE + (uint32_t)conn_index;
}

/* A configured selector as the kernel's (one port, or any for a range). */
static bool ts_to_sel(const struct conf_ts *ts, struct sockaddr_storage *addr, uint8_t *prefix)
{
	if (!conf_addr_to_sockaddr(&ts->addr, addr))
		return false;
	*prefix = ts->prefix;
	return true;
}

/* The outbound trap of a connection: local TS -> remote TS (the addresses when none). */
static bool trap_of(const struct conn_config *c, size_t index, struct kernel_policy *pol)
{
	struct conf_ts lo = { .addr = c->local, .prefix = c->local.family == AF_INET ? 32 : 128 };
	struct conf_ts re = { .addr = c->remote, .prefix = c->remote.family == AF_INET ? 32 : 128 };
	const struct conf_ts *l = c->n_local_ts ? &c->local_ts[0] : &lo;
	const struct conf_ts *r = c->n_remote_ts ? &c->remote_ts[0] : &re;

	memset(pol, 0, sizeof(*pol));
	if (!ts_to_sel(l, &pol->sel.src, &pol->sel.src_prefix) ||
	    !ts_to_sel(r, &pol->sel.dst, &pol->sel.dst_prefix) ||
	    !conf_addr_to_sockaddr(&c->local, &pol->tmpl_src) ||
	    !conf_addr_to_sockaddr(&c->remote, &pol->tmpl_dst) ||
	    pol->sel.src.ss_family != pol->sel.dst.ss_family)
		return false;
	pol->sel.proto = l->proto ? l->proto : r->proto;
	pol->sel.src_port = l->port_lo == l->port_hi ? l->port_lo : 0;
	pol->sel.dst_port = r->port_lo == r->port_hi ? r->port_lo : 0;
	pol->dir = KERNEL_DIR_OUT;
	pol->proto = KERNEL_PROTO_ESP;
	pol->mode = c->transport ? KERNEL_MODE_TRANSPORT : KERNEL_MODE_TUNNEL;
	pol->reqid = trap_reqid(index);
	return true;
}

size_t daemon_traps_install(struct daemon *d)
{
	size_t n = 0;

	for (size_t i = 0; i < d->cfg->n_conns; i++) {
		const struct conn_config *c = &d->cfg->conns[i];
		struct kernel_policy pol;
		int rc;

		if (c->start != CONF_AUTO_ROUTE)
			continue;
		if (!trap_of(c, i, &pol)) {
			log_error(&log_global, "connection %s: auto = route needs local and remote "
				  "addresses (and selectors) of one family; no trap policy", c->name);
			continue;
		}
		rc = kernel_trap_add(d->kernel, &pol);
		if (rc) {
			log_error(&log_global, "connection %s: trap policy refused by the kernel: %s",
				  c->name, err_str(rc));
			continue;
		}
		n++;
		log_info(&log_global, "connection %s: trap policy installed (reqid %u): traffic "
			 "starts the negotiation", c->name, pol.reqid);
	}
	return n;
}

/* A trap may stand for it: auto = route, or dpd_action = hold after a dead peer. */
static bool trapped(const struct conn_config *c)
{
	return c->start == CONF_AUTO_ROUTE || c->dpd_action == CONF_DPD_HOLD;
}

void daemon_traps_remove(struct daemon *d, const struct config *cfg)
{
	for (size_t i = 0; cfg && i < cfg->n_conns; i++) {
		struct kernel_policy pol;

		if (trapped(&cfg->conns[i]) && trap_of(&cfg->conns[i], i, &pol))
			kernel_trap_del(d->kernel, &pol.sel, pol.dir);
	}
}

int daemon_trap_hold(struct daemon *d, const char *conn)
{
	for (size_t i = 0; i < d->cfg->n_conns; i++) {
		const struct conn_config *c = &d->cfg->conns[i];
		struct kernel_policy pol;
		int rc;

		if (strcmp(c->name, conn) != 0)
			continue;
		if (!trap_of(c, i, &pol)) {
			log_warn(&log_global, "connection %s: dpd_action = hold needs local and remote "
				 "addresses to trap on; the SAs are cleared", conn);
			return ERR_INVAL;
		}
		rc = kernel_trap_add(d->kernel, &pol);
		if (rc == ERR_STATE)
			return 0; /* held already (or auto = route) */
		if (rc == 0)
			log_info(&log_global, "connection %s: dpd_action = hold: trap policy installed "
				 "(reqid %u); traffic negotiates again", conn, pol.reqid);
		else
			log_error(&log_global, "connection %s: dpd_action = hold: trap policy refused: %s",
				  conn, err_str(rc));
		return rc;
	}
	return ERR_NOTFOUND;
}

/* Does an IKE SA of the connection exist in the SAD (up or being set up)? */
static bool counts_ike(struct sad_entry *e, void *arg)
{
	if (e->kind == SAD_KIND_IKE)
		(*(size_t *)arg)++;
	return true;
}

struct v2_childless {
	const char *conn;
	bool found;
};

static void find_childless(const struct v2_sa_info *info, void *arg)
{
	struct v2_childless *w = arg;

	if (strcmp(info->conn, w->conn) == 0 && strcmp(info->state, "ESTABLISHED") == 0 &&
	    info->n_children == 0)
		w->found = true;
}

static void start_for(struct daemon *d, const struct conn_config *c)
{
	struct v2_engine *v2 = engine_v2_engine(d);
	struct v2_childless w = { .conn = c->name, .found = false };
	struct evbuffer *out;
	size_t n_ike = 0;
	int version;

	if (v2)
		v2_engine_foreach_sa(v2, find_childless, &w);
	if (w.found && v2_engine_create_child(v2, c->name) == 0) {
		d->acquires_started++;
		log_info(&log_global, "kernel ACQUIRE for %s: a new child SA on its IKE SA", c->name);
		return;
	}
	sad_foreach_conn(d->sad, c->name, counts_ike, &n_ike);
	if (n_ike) {
		d->acquires_ignored++;
		log_debug(&log_global, "kernel ACQUIRE for %s: a negotiation is in flight", c->name);
		return;
	}
	version = daemon_auto_version(d, c);
	if (!version) {
		d->acquires_ignored++;
		return;
	}
	out = evbuffer_new();
	if (!out)
		return;
	log_info(&log_global, "kernel ACQUIRE for %s (auto = route): initiating IKEv%d", c->name,
		 version);
	if (engines_for(version)->up(d, c, out) == 0)
		d->acquires_started++;
	else
		d->acquires_ignored++;
	evbuffer_free(out);
}

void daemon_on_acquire(const struct kernel_acquire *acq, void *arg)
{
	struct daemon *d = arg;
	char src[64], dst[64];
	size_t i = acq->reqid - TRAP_REQID_BASE;

	d->acquires++;
	log_info(&log_global, "kernel ACQUIRE: reqid %u, %s -> %s", acq->reqid,
		 kernel_addr_str(&acq->sel.src, src, sizeof(src)),
		 kernel_addr_str(&acq->sel.dst, dst, sizeof(dst)));
	if (acq->reqid < TRAP_REQID_BASE || i >= d->cfg->n_conns || !trapped(&d->cfg->conns[i])) {
		d->acquires_ignored++;
		log_info(&log_global, "kernel ACQUIRE with reqid %u: no `auto = route` (or held) "
			 "connection installed that trap; ignored", acq->reqid);
		return;
	}
	start_for(d, &d->cfg->conns[i]);
}

void daemon_on_expire(const struct kernel_expire *exp, void *arg)
{
	struct daemon *d = arg;
	struct v2_engine *v2 = engine_v2_engine(d);
	char dst[64];
	int rc = ERR_NOTFOUND;

	if (exp->spi == 0) {
		/* the larval state an ACQUIRE left timed out: no SA of anyone's */
		log_debug(&log_global, "kernel EXPIRE of an ACQUIRE's larval state (reqid %u)",
			  exp->reqid);
		return;
	}
	if (exp->hard)
		d->expires_hard++;
	else
		d->expires_soft++;
	log_info(&log_global, "kernel %s EXPIRE: SPI %08x to %s (reqid %u)",
		 exp->hard ? "hard" : "soft", exp->spi,
		 kernel_addr_str(&exp->dst, dst, sizeof(dst)), exp->reqid);
	if (v2)
		rc = v2_engine_child_expired(v2, exp->spi, &exp->dst, exp->hard);
	if (rc == ERR_NOTFOUND && d->engine_state[1])
		rc = v1_engine_child_expired(d->engine_state[1], exp->spi, &exp->dst, exp->hard);
	if (rc == ERR_NOTFOUND)
		log_info(&log_global, "kernel EXPIRE of SPI %08x: no SA of ours; ignored", exp->spi);
}

void daemon_events_stats_report(struct daemon *d, struct json *j, struct evbuffer *out)
{
	if (!j) {
		evbuffer_add_printf(out, "kernel events: ACQUIRE %llu (negotiations started %llu, "
				    "ignored %llu), EXPIRE soft %llu, hard %llu; trap policies %zu\n",
				    (unsigned long long)d->acquires,
				    (unsigned long long)d->acquires_started,
				    (unsigned long long)d->acquires_ignored,
				    (unsigned long long)d->expires_soft,
				    (unsigned long long)d->expires_hard,
				    d->kernel ? kernel_trap_count(d->kernel) : 0);
		evbuffer_add_printf(out, "NAT keepalives sent: %llu\n",
				    (unsigned long long)d->keepalives_sent);
		return;
	}
	json_object_begin(j, "kernel_events");
	json_uint(j, "acquires", d->acquires);
	json_uint(j, "acquires_started", d->acquires_started);
	json_uint(j, "acquires_ignored", d->acquires_ignored);
	json_uint(j, "expires_soft", d->expires_soft);
	json_uint(j, "expires_hard", d->expires_hard);
	json_uint(j, "trap_policies", d->kernel ? kernel_trap_count(d->kernel) : 0);
	json_object_end(j);
	json_uint(j, "nat_keepalives_sent", d->keepalives_sent);
	json_uint(j, "heap_trims", d->heap_trims);
}
