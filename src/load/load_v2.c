/*
 * load_v2.c - dualike-load's IKEv2 driver (load_loop.h): the IKEv2 engine
 * (v2/v2_engine.h) as initiator, one connection per slot; each SA is
 * IKE_SA_INIT + IKE_AUTH with its first child (RFC 7296 1.2), then
 * optionally CREATE_CHILD_SA child rekeys (1.3.3) and Deletes (1.4.1).
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/secret.h"
#include "src/config.h"
#include "src/load/load_loop.h"
#include "v2/v2_engine.h"
#include "v2/v2_names.h"

/* ---- proposals and identities in the engine's words ---- */

static int props_from_text(const char *text, bool ike, struct v2_local_prop *out, size_t *n_out)
{
	struct conf_proposals props;
	int rc = load_proposals_parse(text, ike, false, &props);

	*n_out = 0;
	if (rc)
		return rc;
	for (size_t i = 0; i < props.n && *n_out < V2_PROP_MAX_LOCAL; i++) {
		struct v2_local_prop *p = &out[(*n_out)++];

		memset(p, 0, sizeof(*p));
		p->protocol = ike ? V2_PROTO_IKE : V2_PROTO_ESP;
		p->ke_none = !ike; /* the IKE_AUTH child has no KE (RFC 7296 1.2) */
		for (size_t k = 0; k < props.v[i].n_xforms && p->n_xforms < V2_PROP_MAX_XFORMS; k++) {
			const struct xform *x = props.v[i].xforms[k].xf;

			if (x && (ike || x->type != XFORM_KE))
				p->xforms[p->n_xforms++] = x;
		}
	}
	conf_proposals_free(&props);
	return 0;
}

/* RFC 7296 3.5: an address, user@fqdn (ID_RFC822_ADDR) or a name (ID_FQDN). */
static void id_from_text(const char *s, struct v2_conn_id *id)
{
	memset(id, 0, sizeof(*id));
	if (!s)
		return;
	if (inet_pton(AF_INET, s, id->data) == 1) {
		id->type = 1;
		id->len = 4;
	} else if (inet_pton(AF_INET6, s, id->data) == 1) {
		id->type = 5;
		id->len = 16;
	} else {
		id->type = strchr(s, '@') ? 3 : 2;
		id->len = strlen(s) < V2_CONN_ID_MAX ? strlen(s) : V2_CONN_ID_MAX;
		memcpy(id->data, s, id->len);
	}
}

static int make_conns(struct load *l, struct v2_engine *eng, const struct sockaddr_storage *source)
{
	const struct load_opts *o = l->o;
	struct v2_conn base_conn, *conns;
	int rc;

	memset(&base_conn, 0, sizeof(base_conn));
	rc = props_from_text(o->ike, true, base_conn.ike, &base_conn.n_ike);
	if (rc == 0)
		rc = props_from_text(o->esp, false, base_conn.esp, &base_conn.n_esp);
	if (rc)
		return rc;
	base_conn.local = *source;
	base_conn.remote = o->target;
	id_from_text(o->local_id, &base_conn.local_id);
	id_from_text(o->remote_id, &base_conn.remote_id);
	if (o->pfs) {
		base_conn.pfs = xform_by_name(o->pfs);
		if (!base_conn.pfs || base_conn.pfs->type != XFORM_KE) {
			fprintf(stderr, "dualike-load: --pfs %s is not a key exchange group\n", o->pfs);
			return ERR_INVAL;
		}
	}
	base_conn.ike_lifetime_s = 86400;
	base_conn.child_lifetime_s = 86400;
	conns = calloc(l->n_slots, sizeof(*conns));
	if (!conns)
		return ERR_NOMEM;
	for (unsigned i = 0; i < l->n_slots; i++) {
		conns[i] = base_conn;
		load_slot_name(i, conns[i].name, sizeof(conns[i].name));
		if (o->src_count) {
			struct sockaddr_in *a = (struct sockaddr_in *)&conns[i].local;

			a->sin_addr.s_addr = htonl(o->src_first + i % o->src_count);
		}
	}
	rc = v2_engine_set_conns(eng, conns, l->n_slots);
	free(conns);
	return rc;
}

/*
 * --id-template: the slot's connection takes SA number n's identity just
 * before it initiates. Why one identity per SA: a responder drops the
 * older IKE SAs of a peer identity that sends INITIAL_CONTACT (RFC 7296
 * 2.4), and the engine always sends it in IKE_AUTH; with one identity for
 * all, a responder would end up holding one SA. Writing into the engine's
 * copy is safe: it reads local_id only when it builds IKE_AUTH (v2_auth.c),
 * and a slot carries one negotiation at a time.
 */
static int slot_set_identity(struct load *l, const char *name, unsigned n)
{
	struct v2_conn *c = (struct v2_conn *)v2_engine_find_conn(l->eng, name);
	char id[V2_CONN_ID_MAX + 1];
	int rc;

	if (!c)
		return ERR_NOTFOUND;
	rc = load_id_expand(l->o->id_template, n, id, sizeof(id));
	if (rc == 0)
		id_from_text(id, &c->local_id);
	return rc;
}

/* ---- engine callbacks ---- */

static int hook_send(void *arg, const struct v2_datagram *dg)
{
	return load_send(arg, &dg->local, &dg->peer, dg->data, dg->len,
			 dg->len >= 8 ? dg->data : NULL, dg->natt, dg->natt);
}

static const struct secret *hook_psk(void *arg, const struct v2_conn *c,
				     const struct v2_conn_id *local_id,
				     const struct v2_conn_id *peer_id,
				     const struct sockaddr_storage *local,
				     const struct sockaddr_storage *peer)
{
	(void)c, (void)local_id, (void)peer_id, (void)local, (void)peer;
	return ((struct load *)arg)->psk;
}

static void hook_established(void *arg, const struct v2_sa_info *info)
{
	struct load *l = arg;
	unsigned idx;

	if (info->initiator && load_slot_of(l, info->conn, &idx))
		load_slot_up(l, idx, (unsigned)info->n_children);
}

static void hook_failed(void *arg, const char *conn, const char *why, bool never_answered)
{
	struct load *l = arg;
	unsigned idx;

	if (load_slot_of(l, conn, &idx))
		load_slot_failed(l, idx, never_answered ? "no answer to IKE_SA_INIT" : why);
}

/* ---- the driver ---- */

static int v2_open(struct load *l, const struct sockaddr_storage *source)
{
	struct v2_engine_params p;
	struct v2_engine *eng;
	int rc;

	memset(&p, 0, sizeof(p));
	p.base = l->base;
	p.jobs = l->jobs;
	p.sad = l->sad;
	p.kernel = l->kernel;
	p.retransmit_tries = l->o->retransmit_tries;
	p.retransmit_timeout_ms = l->o->retransmit_timeout_ms;
	p.hooks = (struct v2_hooks){ .arg = l, .send = hook_send, .psk = hook_psk,
				     .established = hook_established, .failed = hook_failed };
	if ((rc = v2_engine_new(&p, &eng)))
		return rc;
	l->eng = eng;
	return make_conns(l, eng, source);
}

static int v2_up(struct load *l, unsigned idx, unsigned n)
{
	char name[V2_CONN_NAME_MAX];
	int rc;

	load_slot_name(idx, name, sizeof(name));
	rc = l->o->id_template ? slot_set_identity(l, name, n) : 0;
	return rc ? rc : v2_engine_up(l->eng, name);
}

static void v2_input(struct load *l, const struct load_rx *rx)
{
	struct v2_datagram dg;

	memset(&dg, 0, sizeof(dg));
	dg.data = rx->data;
	dg.len = rx->len;
	dg.local = rx->local;
	dg.peer = rx->peer;
	dg.natt = rx->natt;
	v2_engine_input(l->eng, &dg);
}

static void v2_setup_done(struct load *l)
{
	const struct v2_engine_stats *es = v2_engine_stats(l->eng);
	struct load_stats *st = l->st;

	st->retransmits = es->retransmits;
	st->dropped_busy = es->dropped_busy;
	st->dropped_msgid = es->dropped_msgid;
	st->dropped_no_sa = es->dropped_no_sa;
	st->dropped_other = es->dropped_malformed + es->dropped_integrity + es->dropped_unexpected;
}

static bool no_sas(const struct load *l)
{
	return v2_engine_count_sas(l->eng) == 0;
}

/* --rekey: CREATE_CHILD_SA child rekeys (RFC 7296 1.3.3; with --pfs a KE each) */
static int v2_rekey_start(struct load *l, const char *slot)
{
	return v2_engine_rekey_child(l->eng, slot);
}

static uint64_t v2_rekeys_replaced(const struct load *l)
{
	return v2_engine_stats(l->eng)->children_rekeyed;
}

static void v2_delete_phase(struct load *l)
{
	size_t before = v2_engine_count_sas(l->eng);
	double t0 = load_now_us();
	char name[V2_CONN_NAME_MAX];

	for (unsigned i = 0; i < l->n_slots; i++) {
		load_slot_name(i, name, sizeof(name));
		v2_engine_down(l->eng, name);
	}
	load_run_for(l, 30, no_sas);
	l->st->deleted = (unsigned)(before - v2_engine_count_sas(l->eng));
	l->st->delete_s = (load_now_us() - t0) / 1e6;
}

static void v2_close(struct load *l)
{
	v2_engine_free(l->eng);
	l->eng = NULL;
}

const struct load_driver load_driver_v2 = {
	.open = v2_open,
	.up = v2_up,
	.input = v2_input,
	.setup_done = v2_setup_done,
	.rekey_start = v2_rekey_start,
	.rekeys_replaced = v2_rekeys_replaced,
	.delete_phase = v2_delete_phase,
	.close = v2_close,
};
