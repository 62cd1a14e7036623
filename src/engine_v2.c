/*
 * engine_v2.c - the IKEv2 engine (v2/v2_engine.h) as the daemon sees it
 * (struct engine_ops): the glue turns dualike.conf's connections into
 * struct v2_conn rows and hands the engine the daemon's loop, job pool,
 * SAD, kernel backend and key log, plus callbacks: send through the
 * sockets (adding the non-ESP marker on the NAT-T port, RFC 3948 2.2),
 * PSKs from the secrets file, pins and counters on success.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <netinet/in.h>

#include <event2/buffer.h>

#include "common/err.h"
#include "common/kernel.h"
#include "common/log.h"
#include "common/ts.h"
#include "src/conf_cert.h"
#include "src/conf_sig.h"
#include "src/config.h"
#include "src/daemon.h"
#include "src/engines.h"
#include "src/json.h"
#include "src/pins.h"
#include "src/secrets.h"
#include "src/sockets.h"
#include "src/stats_frag.h"
#include "v2/v2_engine.h"
#include "v2/v2_names.h"

struct v2_glue {
	struct daemon *d;
	struct v2_engine *eng;
};

static struct v2_glue *glue_of(struct daemon *d)
{
	return d->engine_state[2];
}

/* ---- configuration into the engine's words ---- */

static void addr_to_ss(const struct conf_addr *a, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (a->family == AF_INET) {
		struct sockaddr_in *s = (struct sockaddr_in *)ss;

		s->sin_family = AF_INET;
		memcpy(&s->sin_addr, a->bytes, 4);
	} else if (a->family == AF_INET6) {
		struct sockaddr_in6 *s = (struct sockaddr_in6 *)ss;

		s->sin6_family = AF_INET6;
		memcpy(&s->sin6_addr, a->bytes, 16);
	} else {
		ss->ss_family = AF_UNSPEC;
	}
}

static void id_to_v2(const struct conf_id *in, struct v2_conn_id *out)
{
	memset(out, 0, sizeof(*out));
	if (in->type == CONF_ID_NONE)
		return;
	out->type = (uint8_t)in->type; /* same numbers (RFC 7296 3.5) */
	out->len = in->len < V2_CONN_ID_MAX ? in->len : V2_CONN_ID_MAX;
	memcpy(out->data, in->data, out->len);
}

static void id_from_v2(const struct v2_conn_id *in, struct conf_id *out)
{
	memset(out, 0, sizeof(*out));
	if (!in || in->type == 0)
		return;
	out->type = (enum conf_id_type)in->type;
	out->len = in->len < CONF_ID_MAX ? in->len : CONF_ID_MAX;
	memcpy(out->data, in->data, out->len);
}

static size_t props_to_v2(const struct conf_proposals *in, uint8_t protocol,
			  struct v2_local_prop *out)
{
	size_t n = 0;

	for (size_t i = 0; i < in->n && n < V2_PROP_MAX_LOCAL; i++) {
		struct v2_local_prop *p = &out[n++];

		memset(p, 0, sizeof(*p));
		p->protocol = protocol;
		p->ke_none = protocol != V2_PROTO_IKE; /* the IKE_AUTH child has no KE (1.2) */
		for (size_t k = 0; k < in->v[i].n_xforms && p->n_xforms < V2_PROP_MAX_XFORMS; k++) {
			const struct xform *x = in->v[i].xforms[k].xf;

			/* a KE in an ESP proposal is PFS for CREATE_CHILD_SA: the conn's pfs */
			if (x && !(protocol != V2_PROTO_IKE && x->type == XFORM_KE))
				p->xforms[p->n_xforms++] = x;
		}
	}
	return n;
}

static size_t ts_to_v2(const struct conf_ts *in, size_t n_in, struct ts *out)
{
	size_t n = 0;

	for (size_t i = 0; i < n_in && n < V2_CONN_MAX_TS; i++) {
		enum ts_type t = in[i].addr.family == AF_INET6 ? TS_IPV6_ADDR_RANGE : TS_IPV4_ADDR_RANGE;

		if (ts_from_prefix(&out[n], t, in[i].addr.bytes, in[i].prefix))
			continue;
		out[n].proto = in[i].proto;
		out[n].port_lo = in[i].port_lo;
		out[n].port_hi = in[i].port_hi;
		n++;
	}
	return n;
}

/* `signature` (conf_sig.h) names the engine's choices in the same order. */
_Static_assert((int)CONF_SIG_RFC7427_PSS == (int)V2_SIG_RFC7427_PSS &&
		       (int)CONF_SIG_CLASSIC == (int)V2_SIG_CLASSIC,
	       "conf_signature and v2_sig_pref differ");

static int conns_to_v2(const struct config *cfg, struct v2_conn **out, size_t *n_out)
{
	struct v2_conn *v = calloc(cfg->n_conns ? cfg->n_conns : 1, sizeof(*v));
	size_t n = 0;

	if (!v)
		return ERR_NOMEM;
	for (size_t i = 0; i < cfg->n_conns; i++) {
		const struct conn_config *c = &cfg->conns[i];
		struct v2_conn *x = &v[n];

		if (c->version == CONF_VERSION_IKEV1)
			continue;
		snprintf(x->name, sizeof(x->name), "%s", c->name);
		addr_to_ss(&c->local, &x->local);
		addr_to_ss(&c->remote, &x->remote);
		id_to_v2(&c->local_id, &x->local_id);
		id_to_v2(&c->remote_id, &x->remote_id);
		x->n_ike = props_to_v2(&c->ike, V2_PROTO_IKE, x->ike);
		x->n_esp = props_to_v2(&c->esp, V2_PROTO_ESP, x->esp);
		x->n_local_ts = ts_to_v2(c->local_ts, c->n_local_ts, x->local_ts);
		x->n_remote_ts = ts_to_v2(c->remote_ts, c->n_remote_ts, x->remote_ts);
		x->ike_lifetime_s = c->ike_lifetime_s;
		x->child_lifetime_s = c->child_lifetime_s;
		x->childless = c->childless;
		x->fragmentation = c->fragmentation;
		x->fragment_size = c->fragment_size;
		x->transport = c->transport;
		x->rekey_margin_s = c->rekey_margin_s;
		x->pfs = c->pfs;
		x->dpd_delay_s = c->dpd_delay_s;
		x->dpd_timeout_s = c->dpd_timeout_s;
		x->dpd_action = c->dpd_action == CONF_DPD_RESTART ? V2_DPD_RESTART
				: c->dpd_action == CONF_DPD_HOLD ? V2_DPD_HOLD : V2_DPD_CLEAR;
		if (c->auth == CONF_AUTH_PUBKEY && c->pubkey) {
			/* borrowed from cfg: v2_engine_set_conns drops negotiations on old rows */
			x->auth = V2_AUTH_PUBKEY;
			x->pubkey.chain = c->pubkey->chain;
			x->pubkey.key = c->pubkey->key;
			x->pubkey.ca = c->pubkey->store;
			x->pubkey.send_cert = c->pubkey->send_cert == CONF_SEND_CERT_ALWAYS
						      ? V2_SEND_CERT_ALWAYS
					      : c->pubkey->send_cert == CONF_SEND_CERT_NEVER
						      ? V2_SEND_CERT_NEVER : V2_SEND_CERT_IFASKED;
			x->pubkey.peer_cert = c->pubkey->peer_cert;
			x->pubkey.sig = (enum v2_sig_pref)c->signature;
		}
		n++;
	}
	*out = v;
	*n_out = n;
	return 0;
}

/* ---- callbacks ---- */

static int glue_send(void *arg, const struct v2_datagram *v)
{
	struct v2_glue *g = arg;
	struct datagram dg;
	uint8_t *buf = NULL;
	int rc;

	if (!g->d->sockets)
		return ERR_STATE;
	memset(&dg, 0, sizeof(dg));
	dg.local = v->local;
	dg.peer = v->peer;
	dg.natt_port = v->natt;
	kernel_addr_set_port(&dg.local, v->natt ? sockets_natt_port(g->d->sockets)
				    : sockets_ike_port(g->d->sockets));
	if (v->natt) {
		/* RFC 3948 2.2: IKE on the NAT-T port after four zero octets */
		buf = malloc(v->len + 4);
		if (!buf)
			return ERR_NOMEM;
		memset(buf, 0, 4);
		memcpy(buf + 4, v->data, v->len);
		dg.data = buf;
		dg.len = v->len + 4;
	} else {
		dg.data = v->data;
		dg.len = v->len;
	}
	rc = daemon_send(g->d, 2, &dg);
	free(buf);
	return rc;
}

static const struct secret *glue_psk(void *arg, const struct v2_conn *c,
				     const struct v2_conn_id *local_id,
				     const struct v2_conn_id *peer_id,
				     const struct sockaddr_storage *local,
				     const struct sockaddr_storage *peer)
{
	struct v2_glue *g = arg;
	struct conf_id lid, rid;
	struct conf_addr la, ra;
	const struct conf_id *rp = &rid;

	(void)c;
	if (!g->d->secrets)
		return NULL;
	id_from_v2(local_id, &lid);
	id_from_v2(peer_id, &rid);
	if (rid.type == CONF_ID_NONE)
		rp = NULL;
	if (!conf_addr_from_sockaddr((const struct sockaddr *)local, &la))
		la.family = AF_UNSPEC;
	if (!conf_addr_from_sockaddr((const struct sockaddr *)peer, &ra))
		ra.family = AF_UNSPEC;
	return secrets_find_psk(g->d->secrets, lid.type ? &lid : NULL, rp, &la, &ra, NULL);
}

static void glue_established(void *arg, const struct v2_sa_info *info)
{
	struct v2_glue *g = arg;
	char key[PINS_PEER_MAX];

	g->d->sas_made[2]++;
	daemon_auto_v2_outcome(g->d, info->conn, true, false);
	if (!g->d->pins)
		return;
	/* downgrade protection: this peer has completed IKEv2 (DESIGN.md) */
	pins_peer_from_sockaddr((const struct sockaddr *)&info->peer, key, sizeof(key));
	engines_pin_peer(g->d, key);
}

/* dpd_action = hold: the connection's trap policy (daemon_kernel_events.c) */
static void glue_hold(void *arg, const char *conn)
{
	struct v2_glue *g = arg;

	daemon_trap_hold(g->d, conn);
}

static void glue_failed(void *arg, const char *conn, const char *why, bool never_answered)
{
	struct v2_glue *g = arg;

	(void)why;
	g->d->sas_failed[2]++;
	daemon_auto_v2_outcome(g->d, conn, false, never_answered);
}

/* ---- engine_ops ---- */

static int engine_v2_start(struct daemon *d)
{
	struct v2_glue *g = calloc(1, sizeof(*g));
	struct v2_engine_params p;
	struct v2_conn *conns = NULL;
	size_t n = 0;
	int rc;

	if (!g)
		return ERR_NOMEM;
	g->d = d;
	memset(&p, 0, sizeof(p));
	p.base = d->base;
	p.jobs = d->jobs;
	p.sad = d->sad;
	p.kernel = d->kernel;
	p.keylog = d->keylog;
	p.retransmit_tries = d->cfg->daemon.retransmit_tries;
	p.retransmit_timeout_ms = d->cfg->daemon.retransmit_timeout_ms;
	p.retransmit_limit_ms = d->cfg->daemon.retransmit_limit_ms;
	p.ike_port = d->cfg->daemon.ike_port;
	p.natt_port = d->cfg->daemon.natt_port;
	p.cookie_threshold = d->cfg->daemon.cookie_threshold;
	p.hooks = (struct v2_hooks){ .arg = g, .send = glue_send, .psk = glue_psk,
				     .established = glue_established, .failed = glue_failed,
				     .hold = glue_hold };
	rc = v2_engine_new(&p, &g->eng);
	if (rc == 0)
		rc = conns_to_v2(d->cfg, &conns, &n);
	if (rc == 0)
		rc = v2_engine_set_conns(g->eng, conns, n);
	free(conns);
	if (rc) {
		v2_engine_free(g->eng);
		free(g);
		return rc;
	}
	d->engine_state[2] = g;
	for (size_t i = 0; i < d->cfg->n_conns; i++) {
		const struct conn_config *c = &d->cfg->conns[i];

		if (c->start == CONF_AUTO_START && c->version != CONF_VERSION_IKEV1)
			v2_engine_up(g->eng, c->name);
	}
	return 0;
}

static void engine_v2_stop(struct daemon *d)
{
	struct v2_glue *g = glue_of(d);

	if (!g)
		return;
	v2_engine_shutdown(g->eng); /* one Delete per IKE SA, not waited for */
	v2_engine_free(g->eng);
	free(g);
	d->engine_state[2] = NULL;
}

static int engine_v2_input(struct daemon *d, const struct datagram *dg, const struct ike_header *hdr)
{
	struct v2_glue *g = glue_of(d);
	struct v2_datagram v;

	if (!g)
		return engines_not_built(2, dg, hdr);
	memset(&v, 0, sizeof(v));
	v.data = dg->data;
	v.len = dg->len;
	v.local = dg->local;
	v.peer = dg->peer;
	v.natt = dg->natt_port;
	if (log_enabled(LOG_LEVEL_DEBUG)) {
		char peer[64];

		log_debug(&log_global, "IKEv2 %s (%zu bytes) from %s%s", engines_exchange_name(2, hdr->exchange),
			  dg->len, sockaddr_str((const struct sockaddr *)&dg->peer, peer, sizeof(peer)),
			  dg->natt_port ? " (NAT-T)" : "");
	}
	return v2_engine_input(g->eng, &v);
}

static int engine_v2_up(struct daemon *d, const struct conn_config *c, struct evbuffer *out)
{
	struct v2_glue *g = glue_of(d);
	int rc = g ? v2_engine_up(g->eng, c->name) : ERR_STATE;

	if (rc) {
		evbuffer_add_printf(out, "connection %s: could not initiate IKEv2: %s\n", c->name,
				    err_str(rc));
		return 1;
	}
	evbuffer_add_printf(out, "connection %s: initiating IKEv2\n", c->name);
	return 0;
}

static int engine_v2_down(struct daemon *d, const struct conn_config *c, struct evbuffer *out)
{
	struct v2_glue *g = glue_of(d);
	size_t n = g ? v2_engine_down(g->eng, c->name) : 0;

	evbuffer_add_printf(out, "connection %s: %zu IKEv2 SA(s) deleted\n", c->name, n);
	return 0;
}

struct list_ctx {
	struct json *j;
	struct evbuffer *out;
};

static void hex8(const uint8_t *p, char *buf)
{
	for (int i = 0; i < 8; i++)
		snprintf(buf + 2 * i, 3, "%02x", p[i]);
}

static void list_one(const struct v2_sa_info *s, void *arg)
{
	struct list_ctx *l = arg;
	char spi_i[17], spi_r[17], peer[64], local[64];

	hex8(s->spi_i, spi_i);
	hex8(s->spi_r, spi_r);
	sockaddr_str((const struct sockaddr *)&s->peer, peer, sizeof(peer));
	sockaddr_str((const struct sockaddr *)&s->local, local, sizeof(local));
	if (!l->j) {
		evbuffer_add_printf(l->out, "IKEv2 %s #%llu %s %s:%s %s %s %s/%s/%s/%s children %zu%s\n",
				    s->conn, (unsigned long long)s->serial, s->state, spi_i, spi_r,
				    peer, s->initiator ? "initiator" : "responder", s->encr,
				    s->integ, s->prf, s->ke, s->n_children, s->natt ? " NAT-T" : "");
		return;
	}
	json_object_begin(l->j, NULL);
	json_string(l->j, "connection", s->conn);
	json_uint(l->j, "version", 2);
	json_uint(l->j, "serial", s->serial);
	json_string(l->j, "state", s->state);
	json_string(l->j, "role", s->initiator ? "initiator" : "responder");
	json_string(l->j, "spi_i", spi_i);
	json_string(l->j, "spi_r", spi_r);
	json_string(l->j, "local", local);
	json_string(l->j, "peer", peer);
	json_string(l->j, "peer_id", s->peer_id);
	json_bool(l->j, "natt", s->natt);
	json_string(l->j, "encr", s->encr);
	json_string(l->j, "integ", s->integ);
	json_string(l->j, "prf", s->prf);
	json_string(l->j, "ke", s->ke);
	json_uint(l->j, "children", s->n_children);
	if (s->n_children) {
		char in[12], outs[12];

		snprintf(in, sizeof(in), "%08x", s->child_spi_in);
		snprintf(outs, sizeof(outs), "%08x", s->child_spi_out);
		json_string(l->j, "child_spi_in", in);
		json_string(l->j, "child_spi_out", outs);
	}
	json_object_end(l->j);
}

void engine_v2_stats_report(struct daemon *d, struct json *j, struct evbuffer *out)
{
	struct v2_glue *g = glue_of(d);
	const struct v2_engine_stats *s;
	struct stats_frag frag;

	if (!g || !g->eng)
		return;
	s = v2_engine_stats(g->eng);
	frag = (struct stats_frag){ s->messages_fragmented, s->fragments_sent, s->fragments_received,
				    s->messages_reassembled, s->fragments_dropped };
	if (!j) {
		evbuffer_add_printf(out, "IKEv2 engine: cookies sent %llu, bad cookies %llu, "
				    "retransmits %llu, children rekeyed %llu, IKE SAs rekeyed %llu\n",
				    (unsigned long long)s->cookies_sent, (unsigned long long)s->cookies_bad,
				    (unsigned long long)s->retransmits,
				    (unsigned long long)s->children_rekeyed,
				    (unsigned long long)s->ike_rekeyed);
		stats_frag_report(&frag, "IKEv2 fragmentation (RFC 7383)", NULL, out);
		return;
	}
	json_object_begin(j, "ikev2_engine");
	json_uint(j, "cookies_sent", s->cookies_sent);
	json_uint(j, "cookies_bad", s->cookies_bad);
	json_uint(j, "retransmits", s->retransmits);
	json_uint(j, "children_rekeyed", s->children_rekeyed);
	json_uint(j, "ike_rekeyed", s->ike_rekeyed);
	stats_frag_report(&frag, NULL, j, NULL);
	json_object_end(j);
}

static void engine_v2_list_sas(struct daemon *d, struct json *j, struct evbuffer *out)
{
	struct v2_glue *g = glue_of(d);
	struct list_ctx l = { .j = j, .out = out };

	if (!g) {
		if (!j)
			evbuffer_add_printf(out, "IKEv2 SAs: none (engine not started)\n");
		return;
	}
	if (!j)
		evbuffer_add_printf(out, "IKEv2 SAs: %zu\n", v2_engine_count_sas(g->eng));
	v2_engine_foreach_sa(g->eng, list_one, &l);
}

static void engine_v2_reloaded(struct daemon *d, const struct config *old)
{
	struct v2_glue *g = glue_of(d);
	struct v2_conn *conns = NULL;
	size_t n = 0;

	(void)old;
	if (!g)
		return;
	if (conns_to_v2(d->cfg, &conns, &n) == 0 && v2_engine_set_conns(g->eng, conns, n) == 0)
		log_info(&log_global, "IKEv2 engine: %zu connection(s) after reload", n);
	free(conns);
}

const struct engine_ops engine_v2_ops = {
	.version = 2,
	.built = true,
	.start = engine_v2_start,
	.stop = engine_v2_stop,
	.input = engine_v2_input,
	.up = engine_v2_up,
	.down = engine_v2_down,
	.list_sas = engine_v2_list_sas,
	.reloaded = engine_v2_reloaded,
};

/*
 * Force a CREATE_CHILD_SA on the connection's IKE SA (for dualikectl and
 * the lab): what = "child" (rekey its first child), "ike" (rekey the IKE
 * SA) or "new-child". 0, ERR_NOTFOUND (no such SA), ERR_STATE (busy).
 */
int engine_v2_rekey(struct daemon *d, const char *conn, const char *what)
{
	struct v2_glue *g = glue_of(d);

	if (!g)
		return ERR_NOTFOUND;
	if (strcmp(what, "ike") == 0)
		return v2_engine_rekey_ike(g->eng, conn);
	if (strcmp(what, "new-child") == 0)
		return v2_engine_create_child(g->eng, conn);
	if (strcmp(what, "child") == 0)
		return v2_engine_rekey_child(g->eng, conn);
	return ERR_INVAL;
}

struct v2_engine *engine_v2_engine(struct daemon *d)
{
	struct v2_glue *g = glue_of(d);

	return g ? g->eng : NULL;
}
