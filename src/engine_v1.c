/*
 * engine_v1.c - the IKEv1 engine (v1/v1_engine.h) as the daemon sees it
 * (struct engine_ops). The glue turns dualike.conf's connections into
 * struct v1_conn (version = ikev1, and version = auto for answering),
 * hands the engine the daemon's loop, job pool, SAD, kernel backend and key
 * log, and gives it two callbacks: send through the daemon's sockets and
 * find the PSK in the secrets file. v1/ never sees src/.
 *
 * Main Mode hides the peer's identity until message 5, encrypted with a
 * key made from the PSK: the PSK is looked up with the connection's
 * configured identities and the peer's address (RFC 2409 5.4 limitation).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "common/err.h"
#include "common/log.h"
#include "common/sad.h"
#include "src/config.h"
#include "src/daemon.h"
#include "src/engine_v1_cert.h"
#include "src/engines.h"
#include "src/json.h"
#include "src/pins.h"
#include "src/secrets.h"
#include "src/sockets.h"
#include "v1/v1_engine.h"

static struct v1_engine *engine_of(struct daemon *d)
{
	return d->engine_state[1];
}

static void addr_to_ss(const struct conf_addr *a, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (a->family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)ss;

		in->sin_family = AF_INET;
		memcpy(&in->sin_addr, a->bytes, 4);
	} else if (a->family == AF_INET6) {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

		in6->sin6_family = AF_INET6;
		memcpy(&in6->sin6_addr, a->bytes, 16);
	} else {
		ss->ss_family = AF_UNSPEC;
	}
}

static struct id *conf_to_id(const struct conf_id *c)
{
	struct id *id = NULL;

	if (c->type == CONF_ID_NONE || id_new((uint8_t)c->type, c->data, c->len, &id) < 0)
		return NULL;
	return id;
}

static void fill_list(struct v1_xf_list *l, const struct conf_proposal *p, enum xform_type t)
{
	size_t n = conf_proposal_count(p, t);

	for (size_t i = 0; i < n && l->n < V1_CONN_MAX_XF; i++)
		l->x[l->n++] = conf_proposal_get(p, t, i);
}

static struct ts *conv_ts(const struct conf_ts *in, size_t n)
{
	struct ts *out = calloc(n ? n : 1, sizeof(*out));

	for (size_t i = 0; out && i < n; i++) {
		ts_from_prefix(&out[i], in[i].addr.family == AF_INET ? TS_IPV4_ADDR_RANGE : TS_IPV6_ADDR_RANGE,
			       in[i].addr.bytes, in[i].prefix);
		out[i].proto = in[i].proto;
		out[i].port_lo = in[i].port_lo;
		out[i].port_hi = in[i].port_hi;
	}
	return out;
}

static struct v1_conn *conv_conn(const struct conn_config *cc)
{
	struct v1_conn *c = v1_conn_new(cc->name);

	if (!c)
		return NULL;
	addr_to_ss(&cc->local, &c->local);
	addr_to_ss(&cc->remote, &c->remote);
	c->local_id = conf_to_id(&cc->local_id);
	c->remote_id = conf_to_id(&cc->remote_id);
	c->aggressive = cc->ikev1_mode == CONF_V1_AGGRESSIVE;
	c->aggressive_ok = cc->aggressive_psk_ok;
	for (size_t i = 0; i < cc->ike.n && c->n_p1 < V1_CONN_MAX_PROPOSALS; i++) {
		struct v1_conn_p1 *p = &c->p1[c->n_p1++];

		fill_list(&p->encr, &cc->ike.v[i], XFORM_ENCR);
		fill_list(&p->hash, &cc->ike.v[i], XFORM_PRF);
		fill_list(&p->group, &cc->ike.v[i], XFORM_KE);
	}
	for (size_t i = 0; i < cc->esp.n && c->n_esp < V1_CONN_MAX_PROPOSALS; i++) {
		struct v1_conn_esp *p = &c->esp[c->n_esp++];

		fill_list(&p->encr, &cc->esp.v[i], XFORM_ENCR);
		fill_list(&p->integ, &cc->esp.v[i], XFORM_INTEG);
	}
	c->pfs = cc->pfs;
	c->local_ts = conv_ts(cc->local_ts, cc->n_local_ts);
	c->n_local_ts = c->local_ts ? cc->n_local_ts : 0;
	c->remote_ts = conv_ts(cc->remote_ts, cc->n_remote_ts);
	c->n_remote_ts = c->remote_ts ? cc->n_remote_ts : 0;
	if (cc->ike_lifetime_s)
		c->ike_life_s = cc->ike_lifetime_s;
	if (cc->child_lifetime_s)
		c->child_life_s = cc->child_lifetime_s;
	c->rekey_margin_s = cc->rekey_margin_s;
	c->dpd_delay_s = cc->dpd_delay_s;
	c->dpd_timeout_s = cc->dpd_timeout_s;
	c->dpd_action = cc->dpd_action == CONF_DPD_RESTART ? V1_DPD_RESTART :
			cc->dpd_action == CONF_DPD_HOLD ? V1_DPD_HOLD : V1_DPD_CLEAR;
	c->transport = cc->transport;
	c->fragmentation = cc->fragmentation; /* the FRAGMENTATION vendor ID (v1/v1_frag.h) */
	c->fragment_size = cc->fragment_size;
	/* auth = pubkey: RSA / ECDSA signatures with certificates (RFC 2409 5.1) */
	if (cc->auth == CONF_AUTH_PUBKEY && (!cc->pubkey || engine_v1_pubkey(c, cc->pubkey) < 0)) {
		v1_conn_unref(c);
		return NULL;
	}
	return c;
}

static int load_conns(struct daemon *d)
{
	struct v1_conn **v = calloc(d->cfg->n_conns ? d->cfg->n_conns : 1, sizeof(*v));
	size_t n = 0;
	int rc;

	if (!v)
		return ERR_NOMEM;
	for (size_t i = 0; i < d->cfg->n_conns; i++) {
		const struct conn_config *cc = &d->cfg->conns[i];

		if (cc->version == CONF_VERSION_IKEV2)
			continue;
		if ((cc->ikev1_mode == CONF_V1_AGGRESSIVE || cc->aggressive_psk_ok) &&
		    cc->auth == CONF_AUTH_PSK)
			log_warn(&log_global, "connection %s allows IKEv1 Aggressive Mode with a PSK: "
				 "HASH_R allows an offline dictionary attack on the PSK", cc->name);
		if ((v[n] = conv_conn(cc)) != NULL)
			n++;
	}
	rc = v1_engine_set_conns(engine_of(d), v, n);
	for (size_t i = 0; i < n; i++)
		v1_conn_unref(v[i]);
	free(v);
	return rc;
}

static int glue_send(void *arg, const struct v1_datagram *dg)
{
	struct daemon *d = arg;
	struct datagram out = { .data = dg->data, .len = dg->len, .local = dg->local, .peer = dg->peer };
	uint16_t port = dg->local.ss_family == AF_INET6 ?
		ntohs(((const struct sockaddr_in6 *)&dg->local)->sin6_port) :
		ntohs(((const struct sockaddr_in *)&dg->local)->sin_port);

	out.natt_port = port == d->cfg->daemon.natt_port;
	return daemon_send(d, 1, &out);
}

static const struct secret *glue_psk(void *arg, const struct v1_conn *c,
				     const struct sockaddr_storage *local,
				     const struct sockaddr_storage *peer, const struct id *peer_id)
{
	struct daemon *d = arg;
	const struct conn_config *cc = config_find_conn(d->cfg, c->name);
	struct conf_addr la, ra;
	struct conf_id pid;
	const struct conf_id *rid = NULL;

	if (!d->secrets)
		return NULL;
	conf_addr_from_sockaddr((const struct sockaddr *)local, &la);
	conf_addr_from_sockaddr((const struct sockaddr *)peer, &ra);
	if (cc && cc->remote_id.type != CONF_ID_NONE) {
		rid = &cc->remote_id;
	} else if (peer_id && peer_id->len <= CONF_ID_MAX) {
		memset(&pid, 0, sizeof(pid));
		pid.type = (enum conf_id_type)peer_id->type;
		pid.len = peer_id->len;
		memcpy(pid.data, peer_id->data, peer_id->len);
		rid = &pid;
	}
	return secrets_find_psk(d->secrets, cc && cc->local_id.type != CONF_ID_NONE ? &cc->local_id : NULL,
				rid, &la, &ra, NULL);
}

static bool pinned(struct daemon *d, const struct conn_config *c, char *peer, size_t len)
{
	struct sockaddr_storage ss;

	addr_to_ss(&c->remote, &ss);
	if (ss.ss_family == AF_UNSPEC)
		return false;
	pins_peer_from_sockaddr((const struct sockaddr *)&ss, peer, len);
	return d->pins && pins_is_pinned(d->pins, peer);
}

static int initiate(struct daemon *d, const struct conn_config *c, struct evbuffer *out)
{
	char why[256], peer[PINS_PEER_MAX];
	int rc;

	if (pinned(d, c, peer, sizeof(peer))) {
		log_warn(&log_global, "connection %s: peer %s is pinned to IKEv2; IKEv1 refused "
			 "(downgrade protection; `dualikectl unpin %s` clears it)", c->name, peer, peer);
		if (out)
			evbuffer_add_printf(out, "connection %s: peer %s completed IKEv2 before and is "
					    "pinned to it; IKEv1 refused (run `dualikectl unpin %s` "
					    "to allow it)\n", c->name, peer, peer);
		return 1;
	}
	rc = v1_engine_initiate(engine_of(d), c->name, why, sizeof(why));
	if (out)
		evbuffer_add_printf(out, "%s\n", why);
	if (rc < 0)
		log_warn(&log_global, "%s", why);
	return rc < 0 ? 1 : 0;
}

/* dpd_action = hold: the connection's trap policy (daemon_kernel_events.c) */
static int glue_hold(void *arg, const char *conn)
{
	return daemon_trap_hold(arg, conn);
}

static int engine_v1_start(struct daemon *d)
{
	struct v1_engine *e;
	struct v1_env env = {
		.sad = d->sad,
		.kernel = d->kernel,
		.keylog = d->keylog,
		.jobs = d->jobs,
		.base = d->base,
		.retransmit_tries = d->cfg->daemon.retransmit_tries,
		.retransmit_timeout_ms = d->cfg->daemon.retransmit_timeout_ms,
		.retransmit_limit_ms = d->cfg->daemon.retransmit_limit_ms,
		.ike_port = d->cfg->daemon.ike_port,
		.natt_port = d->cfg->daemon.natt_port,
		.send = glue_send,
		.psk = glue_psk,
		.hold = glue_hold,
		.sas_made = &d->sas_made[1],
		.sas_failed = &d->sas_failed[1],
		.arg = d,
	};
	int rc = v1_engine_new(&env, &e);

	if (rc < 0)
		return rc;
	d->engine_state[1] = e;
	rc = load_conns(d);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < d->cfg->n_conns; i++) {
		const struct conn_config *c = &d->cfg->conns[i];

		if (c->version == CONF_VERSION_IKEV1 && c->start == CONF_AUTO_START)
			initiate(d, c, NULL);
	}
	return 0;
}

static void engine_v1_stop(struct daemon *d)
{
	struct v1_engine *e = engine_of(d);

	if (!e)
		return;
	/* Deletes go out once, unanswered: shutdown is bounded */
	v1_engine_shutdown(e);
	v1_engine_free(e);
	d->engine_state[1] = NULL;
}

static int engine_v1_input(struct daemon *d, const struct datagram *dg, const struct ike_header *hdr)
{
	struct v1_datagram in = { .data = dg->data, .len = dg->len, .local = dg->local, .peer = dg->peer };

	if (!engine_of(d))
		return engines_not_built(1, dg, hdr);
	return v1_engine_input(engine_of(d), &in);
}

static int engine_v1_up(struct daemon *d, const struct conn_config *c, struct evbuffer *out)
{
	return initiate(d, c, out);
}

static int engine_v1_down(struct daemon *d, const struct conn_config *c, struct evbuffer *out)
{
	int n = v1_engine_delete_conn(engine_of(d), c->name);

	evbuffer_add_printf(out, "connection %s: %d IKEv1 SA(s) deleted\n", c->name, n < 0 ? 0 : n);
	return 0;
}

struct list_ctx {
	struct json *j;
	struct evbuffer *out;
};

static void hex8(const uint8_t *p, char *out)
{
	for (int i = 0; i < 8; i++)
		snprintf(out + 2 * i, 3, "%02x", p[i]);
}

static void list_one(const struct v1_sa_info *in, void *arg)
{
	struct list_ctx *l = arg;
	char ci[17], cr[17], peer[64], alg[96];

	hex8(in->cky_i, ci);
	hex8(in->cky_r, cr);
	sockaddr_str((const struct sockaddr *)&in->peer, peer, sizeof(peer));
	snprintf(alg, sizeof(alg), "%s-%s-%s", in->encr, in->hash, in->group);
	if (!l->j) {
		evbuffer_add_printf(l->out, "IKEv1 #%llu %s %s %s peer %s cookies %s:%s %s%s%s, %u IPsec SA(s)\n",
				    (unsigned long long)in->serial, in->conn, in->state,
				    in->aggressive ? "Aggressive" : "Main", peer, ci, cr, alg,
				    in->nat ? " NAT-T " : "", in->nat ? in->natt : "", in->ipsec_sas);
		return;
	}
	json_object_begin(l->j, NULL);
	json_string(l->j, "connection", in->conn);
	json_string(l->j, "state", in->state);
	json_uint(l->j, "version", 1);
	json_uint(l->j, "serial", in->serial);
	json_string(l->j, "mode", in->aggressive ? "aggressive" : "main");
	json_string(l->j, "role", in->initiator ? "initiator" : "responder");
	json_string(l->j, "cky_i", ci);
	json_string(l->j, "cky_r", cr);
	json_string(l->j, "peer", peer);
	json_string(l->j, "algorithms", alg);
	json_bool(l->j, "nat", in->nat);
	json_string(l->j, "nat_t", in->natt); /* RFC 3947 or the draft spoken, "" when none */
	json_uint(l->j, "ipsec_sas", in->ipsec_sas);
	json_object_end(l->j);
}

static void engine_v1_list_sas(struct daemon *d, struct json *j, struct evbuffer *out)
{
	struct list_ctx l = { .j = j, .out = out };

	if (engine_of(d))
		v1_engine_foreach_sa(engine_of(d), list_one, &l);
}

static void engine_v1_reloaded(struct daemon *d, const struct config *old)
{
	(void)old;
	if (engine_of(d))
		load_conns(d);
}

const struct engine_ops engine_v1_ops = {
	.version = 1,
	.built = true,
	.start = engine_v1_start,
	.stop = engine_v1_stop,
	.input = engine_v1_input,
	.up = engine_v1_up,
	.down = engine_v1_down,
	.list_sas = engine_v1_list_sas,
	.reloaded = engine_v1_reloaded,
};
