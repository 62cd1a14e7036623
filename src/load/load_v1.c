/*
 * load_v1.c - dualike-load's IKEv1 driver (load_loop.h, --version 1): the
 * IKEv1 engine (v1/v1_engine.h) as initiator, one connection per slot.
 * Each SA is Main Mode with a pre-shared key (RFC 2409 5.4; Aggressive
 * Mode with --aggressive, 5.4 too) and one Quick Mode (5.5) for the pair
 * of addresses; the engine's initiated_up / initiated_failed hooks end a
 * slot's negotiation. With --pfs GROUP every Quick Mode, the first one
 * too, carries a KE of GROUP (5.5): in IKEv1 PFS is the connection's, and
 * responders ask it of every Quick Mode or of none. Then, when asked:
 * --rekey N new Quick Modes on the established ISAKMP SAs (each replaces
 * an IPsec SA pair), and --delete: Deletes for the IPsec SAs
 * and the ISAKMP SA (RFC 2408 4.8, 3.15), which IKEv1 never acknowledges.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/id.h"
#include "common/secret.h"
#include "src/config.h"
#include "src/load/load_loop.h"
#include "v1/v1_engine.h"

struct v1_load {
	struct v1_engine *eng;
	struct v1_conn **conns; /* one per slot, ours (the engine takes references) */
};

static struct v1_load *v1_of(const struct load *l)
{
	return l->eng;
}

/* ---- proposals and identities ---- */

static void fill_list(struct v1_xf_list *list, const struct conf_proposal *p, enum xform_type t)
{
	size_t n = conf_proposal_count(p, t);

	for (size_t i = 0; i < n && list->n < V1_CONN_MAX_XF; i++)
		list->x[list->n++] = conf_proposal_get(p, t, i);
}

/* --ike / --esp in dualike.conf's tokens, checked as for an `ikev1` connection. */
static int props_into(struct v1_conn *c, const char *text, bool ike)
{
	struct conf_proposals props;
	int rc = load_proposals_parse(text, ike, true, &props);

	if (rc)
		return rc;
	for (size_t i = 0; i < props.n; i++) {
		if (ike && c->n_p1 < V1_CONN_MAX_PROPOSALS) {
			struct v1_conn_p1 *p = &c->p1[c->n_p1++];

			fill_list(&p->encr, &props.v[i], XFORM_ENCR);
			fill_list(&p->hash, &props.v[i], XFORM_PRF);
			fill_list(&p->group, &props.v[i], XFORM_KE);
		} else if (!ike && c->n_esp < V1_CONN_MAX_PROPOSALS) {
			struct v1_conn_esp *p = &c->esp[c->n_esp++];

			fill_list(&p->encr, &props.v[i], XFORM_ENCR);
			fill_list(&p->integ, &props.v[i], XFORM_INTEG);
		}
	}
	conf_proposals_free(&props);
	return 0;
}

/* An identity in id_parse()'s words (address, fqdn, user@fqdn); NULL text: none. */
static int id_from_text(const char *text, struct id **out)
{
	int rc;

	*out = NULL;
	if (!text)
		return 0;
	rc = id_parse(text, out);
	if (rc)
		fprintf(stderr, "dualike-load: bad identity %s\n", text);
	return rc;
}

/* The template connection every slot copies. */
static int base_conn(const struct load_opts *o, const struct sockaddr_storage *source,
		     struct v1_conn *c)
{
	int rc;

	if ((rc = props_into(c, o->ike, true)) || (rc = props_into(c, o->esp, false)))
		return rc;
	c->local = *source;
	c->remote = o->target;
	c->aggressive = o->aggressive;
	/* the load runs far shorter than a lifetime: no rekeys or re-auths of its own */
	c->ike_life_s = 86400;
	c->child_life_s = 86400;
	c->rekey_margin_s = 0;
	if (o->pfs) {
		c->pfs = xform_by_name(o->pfs);
		if (!c->pfs || c->pfs->type != XFORM_KE) {
			fprintf(stderr, "dualike-load: --pfs %s is not a key exchange group\n", o->pfs);
			return ERR_INVAL;
		}
	}
	return 0;
}

static int make_conns(struct load *l, struct v1_load *v, const struct sockaddr_storage *source)
{
	const struct load_opts *o = l->o;
	struct v1_conn *base = v1_conn_new("base");
	int rc;

	if (!base)
		return ERR_NOMEM;
	rc = base_conn(o, source, base);
	v->conns = calloc(l->n_slots, sizeof(*v->conns));
	if (rc == 0 && !v->conns)
		rc = ERR_NOMEM;
	for (unsigned i = 0; rc == 0 && i < l->n_slots; i++) {
		struct v1_conn *c = v1_conn_new("");

		if (!c) {
			rc = ERR_NOMEM;
			break;
		}
		memcpy(c->p1, base->p1, sizeof(c->p1));
		c->n_p1 = base->n_p1;
		memcpy(c->esp, base->esp, sizeof(c->esp));
		c->n_esp = base->n_esp;
		c->local = base->local;
		c->remote = base->remote;
		c->aggressive = base->aggressive;
		c->pfs = base->pfs;
		c->ike_life_s = base->ike_life_s;
		c->child_life_s = base->child_life_s;
		c->rekey_margin_s = base->rekey_margin_s;
		load_slot_name(i, c->name, sizeof(c->name));
		if (o->src_count) {
			struct sockaddr_in *a = (struct sockaddr_in *)&c->local;

			a->sin_addr.s_addr = htonl(o->src_first + i % o->src_count);
		}
		v->conns[i] = c;
		if ((rc = id_from_text(o->local_id, &c->local_id)) == 0)
			rc = id_from_text(o->remote_id, &c->remote_id);
	}
	v1_conn_unref(base);
	return rc ? rc : v1_engine_set_conns(v->eng, v->conns, l->n_slots);
}

/*
 * --id-template: the slot's connection takes SA number n's identity just
 * before it initiates (one identity per SA, so a responder that keeps one
 * ISAKMP SA per identity, or honours INITIAL-CONTACT (RFC 2407 4.6.3.3),
 * holds them all). The engine reads local_id only when it builds MM5 or
 * AM1 (v1_p1.c), and a slot carries one negotiation at a time.
 */
static int slot_set_identity(struct load *l, unsigned idx, unsigned n)
{
	struct v1_conn *c = v1_of(l)->conns[idx];
	char text[256];
	struct id *id;
	int rc = load_id_expand(l->o->id_template, n, text, sizeof(text));

	if (rc == 0)
		rc = id_parse(text, &id);
	if (rc == 0) {
		id_free(c->local_id);
		c->local_id = id;
	}
	return rc;
}

/* ---- engine hooks ---- */

static int hook_send(void *arg, const struct v1_datagram *dg)
{
	/* from the NAT-T port the engine has put the non-ESP marker in front already */
	bool natt = load_get_port(&dg->local) == LOAD_NATT_PORT;
	const uint8_t *cky = dg->data + (natt ? 4 : 0);

	return load_send(arg, &dg->local, &dg->peer, dg->data, dg->len,
			 dg->len >= (natt ? 12u : 8u) ? cky : NULL, natt, false);
}

static const struct secret *hook_psk(void *arg, const struct v1_conn *c,
				     const struct sockaddr_storage *local,
				     const struct sockaddr_storage *peer, const struct id *peer_id)
{
	(void)c, (void)local, (void)peer, (void)peer_id;
	return ((struct load *)arg)->psk;
}

static void hook_up(void *arg, const char *conn, uint64_t serial)
{
	struct load *l = arg;
	unsigned idx;

	(void)serial;
	if (load_slot_of(l, conn, &idx))
		load_slot_up(l, idx, 1);
}

static void hook_failed(void *arg, const char *conn, const char *why)
{
	struct load *l = arg;
	unsigned idx;

	if (load_slot_of(l, conn, &idx))
		load_slot_failed(l, idx, why);
}

/* ---- the driver ---- */

static int v1_open(struct load *l, const struct sockaddr_storage *source)
{
	struct v1_load *v = calloc(1, sizeof(*v));
	struct v1_env env = {
		.sad = l->sad, .kernel = l->kernel, .jobs = l->jobs, .base = l->base,
		.retransmit_tries = l->o->retransmit_tries,
		.retransmit_timeout_ms = l->o->retransmit_timeout_ms,
		.ike_port = LOAD_IKE_PORT, .natt_port = LOAD_NATT_PORT,
		.send = hook_send, .psk = hook_psk,
		.initiated_up = hook_up, .initiated_failed = hook_failed, .arg = l,
	};
	int rc;

	if (!v)
		return ERR_NOMEM;
	l->eng = v;
	if ((rc = v1_engine_new(&env, &v->eng)))
		return rc;
	return make_conns(l, v, source);
}

static int v1_up(struct load *l, unsigned idx, unsigned n)
{
	char name[V1_CONN_NAME_MAX], why[160];
	int rc = l->o->id_template ? slot_set_identity(l, idx, n) : 0;

	load_slot_name(idx, name, sizeof(name));
	return rc ? rc : v1_engine_initiate(v1_of(l)->eng, name, why, sizeof(why));
}

static void v1_input(struct load *l, const struct load_rx *rx)
{
	struct v1_datagram dg = { .data = rx->data, .len = rx->len, .local = rx->local,
				  .peer = rx->peer };

	/* the engine's ports, whatever --src-ports bound: 4500 means "after the marker" */
	load_set_port(&dg.local, rx->natt ? LOAD_NATT_PORT : LOAD_IKE_PORT);
	v1_engine_input(v1_of(l)->eng, &dg);
}

static void v1_setup_done(struct load *l)
{
	const struct v1_counters *c = v1_engine_counters(v1_of(l)->eng);

	l->st->retransmits = c->retransmits;
	l->st->dropped_other = c->dropped;
}

/* --rekey: a new Quick Mode for the slot's installed pair (RFC 2409 5.5; with --pfs a KE) */
static int v1_rekey_start(struct load *l, const char *slot)
{
	return v1_engine_rekey_ipsec(v1_of(l)->eng, slot);
}

static uint64_t v1_rekeys_replaced(const struct load *l)
{
	return v1_engine_counters(v1_of(l)->eng)->rekeys;
}

static void v1_delete_phase(struct load *l)
{
	struct v1_load *v = v1_of(l);
	double t0 = load_now_us();
	char name[V1_CONN_NAME_MAX];
	int n;

	for (unsigned i = 0; i < l->n_slots; i++) {
		load_slot_name(i, name, sizeof(name));
		if ((n = v1_engine_delete_conn(v->eng, name)) > 0)
			l->st->deleted += (unsigned)n;
	}
	l->st->delete_s = (load_now_us() - t0) / 1e6;
}

static void v1_close(struct load *l)
{
	struct v1_load *v = v1_of(l);

	if (v->eng)
		v1_engine_free(v->eng);
	for (unsigned i = 0; v->conns && i < l->n_slots; i++)
		v1_conn_unref(v->conns[i]);
	free(v->conns);
	free(v);
	l->eng = NULL;
}

const struct load_driver load_driver_v1 = {
	.open = v1_open,
	.up = v1_up,
	.input = v1_input,
	.setup_done = v1_setup_done,
	.rekey_start = v1_rekey_start,
	.rekeys_replaced = v1_rekeys_replaced,
	.delete_phase = v1_delete_phase,
	.close = v1_close,
};
