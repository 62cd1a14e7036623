/*
 * v1_engine.c - the IKEv1 engine's life: connections, start of an
 * exchange for the operator, teardown, listings (contract in v1_engine.h).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/kernel.h"
#include "common/log.h"
#include "v1/v1_pubkey.h"
#include "v1/v1_sa.h"

struct v1_conn *v1_conn_new(const char *name)
{
	struct v1_conn *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	snprintf(c->name, sizeof(c->name), "%s", name);
	c->refs = 1;
	c->ike_life_s = 28800;
	c->child_life_s = 3600;
	c->rekey_margin_s = 540;
	return c;
}

struct v1_conn *v1_conn_ref(struct v1_conn *c)
{
	c->refs++;
	return c;
}

void v1_conn_unref(struct v1_conn *c)
{
	if (!c || --c->refs > 0)
		return;
	id_free(c->local_id);
	id_free(c->remote_id);
	free(c->local_ts);
	free(c->remote_ts);
	v1_pubkey_free(c->pubkey);
	free(c);
}

int v1_engine_new(const struct v1_env *env, struct v1_engine **out)
{
	struct v1_engine *e = calloc(1, sizeof(*e));

	if (!e)
		return ERR_NOMEM;
	e->env = *env;
	e->next_reqid = 0x1000;
	*out = e;
	return 0;
}

static void free_all(struct v1_engine *e, bool send_deletes)
{
	size_t n = 0, cap = 0;
	struct v1_isakmp_sa **all = NULL;

	/* collect first: freeing an SA removes its children from the SAD */
	for (struct sad_entry *s = sad_first(e->env.sad); s; s = sad_next(s)) {
		if (s->version != 1 || s->kind != SAD_KIND_IKE)
			continue;
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 64;
			struct v1_isakmp_sa **v = realloc(all, nc * sizeof(*v));

			if (!v)
				break;
			all = v;
			cap = nc;
		}
		all[n++] = SAD_CONTAINER(s, struct v1_isakmp_sa, sad);
	}
	for (size_t i = 0; i < n; i++) {
		struct v1_isakmp_sa *sa = all[i];

		if (send_deletes && sa->state == V1S_ESTABLISHED) {
			for (struct v1_ipsec_sa *qm = sa->qms; qm; qm = qm->next)
				if (qm->installed)
					v1_info_send_delete_ipsec(qm);
			v1_info_send_delete_isakmp(sa);
		}
		v1_isakmp_sa_free(sa);
	}
	free(all);
}

void v1_engine_free(struct v1_engine *e)
{
	if (!e)
		return;
	e->freeing = true;
	free_all(e, false);
	for (size_t i = 0; i < e->n_conns; i++)
		v1_conn_unref(e->conns[i]);
	free(e->conns);
	free(e);
}

void v1_engine_shutdown(struct v1_engine *e)
{
	free_all(e, true);
}

int v1_engine_set_conns(struct v1_engine *e, struct v1_conn *const *conns, size_t n)
{
	struct v1_conn **v = calloc(n ? n : 1, sizeof(*v));

	if (!v)
		return ERR_NOMEM;
	for (size_t i = 0; i < n; i++)
		v[i] = v1_conn_ref(conns[i]);
	for (size_t i = 0; i < e->n_conns; i++)
		v1_conn_unref(e->conns[i]);
	free(e->conns);
	e->conns = v;
	e->n_conns = n;
	return 0;
}

int v1_initiate_conn(struct v1_engine *e, struct v1_conn *c, bool start_qm, uint64_t replaces,
		     struct v1_isakmp_sa **out)
{
	struct sockaddr_storage local = c->local, peer = c->remote;
	struct v1_isakmp_sa *sa;
	uint8_t cky[8], zero[8] = { 0 };
	int rc;

	kernel_addr_set_port(&local, e->env.ike_port ? e->env.ike_port : 500);
	kernel_addr_set_port(&peer, 500);
	rc = sad_new_ike_spi(e->env.sad, 1, cky);
	if (rc < 0)
		return rc;
	sa = v1_isakmp_sa_new(e, c, true, &local, &peer);
	if (!sa)
		return ERR_NOMEM;
	sa->aggressive = c->aggressive;
	sa->start_qm = start_qm;
	sa->replaces = replaces;
	rc = sad_add_ike(e->env.sad, &sa->sad, cky, zero, true);
	if (rc == 0)
		rc = v1_p1_start(sa, c->aggressive);
	if (rc < 0) {
		v1_isakmp_sa_free(sa);
		return rc;
	}
	*out = sa;
	return 0;
}

int v1_engine_initiate(struct v1_engine *e, const char *name, char *why, size_t why_len)
{
	struct v1_conn *c = v1_conn_by_name(e, name);
	struct v1_isakmp_sa *sa;
	int rc;

	if (!c) {
		snprintf(why, why_len, "no IKEv1 connection named %s", name);
		return ERR_NOTFOUND;
	}
	if (c->remote.ss_family == AF_UNSPEC || c->local.ss_family == AF_UNSPEC) {
		snprintf(why, why_len, "connection %s: set `local` and `remote` to initiate", name);
		return ERR_INVAL;
	}
	rc = v1_initiate_conn(e, c, true, 0, &sa);
	if (rc < 0) {
		snprintf(why, why_len, "connection %s: could not start: %s", name, err_str(rc));
		return rc;
	}
	sa->report = true;
	snprintf(why, why_len, "connection %s: IKEv1 %s initiated (#%llu)", name,
		 c->aggressive ? "Aggressive Mode" : "Main Mode",
		 (unsigned long long)sa->sad.serial);
	return 0;
}

static bool delete_one(struct sad_entry *s, void *arg)
{
	int *n = arg;

	if (s->version != 1 || s->kind != SAD_KIND_IKE)
		return true;
	struct v1_isakmp_sa *sa = SAD_CONTAINER(s, struct v1_isakmp_sa, sad);

	if (sa->state == V1S_ESTABLISHED) {
		for (struct v1_ipsec_sa *qm = sa->qms; qm; qm = qm->next)
			if (qm->installed)
				v1_info_send_delete_ipsec(qm);
		v1_info_send_delete_isakmp(sa);
	}
	log_info(&sa->sad.logger, "deleted by the operator");
	v1_isakmp_sa_free(sa);
	(*n)++;
	return true;
}

int v1_engine_delete_conn(struct v1_engine *e, const char *conn)
{
	int n = 0;
	int rc = sad_foreach_conn(e->env.sad, conn, delete_one, &n);

	return rc < 0 ? rc : n;
}

void v1_engine_foreach_sa(struct v1_engine *e, v1_sa_visit_fn fn, void *arg)
{
	for (struct sad_entry *s = sad_first(e->env.sad); s; s = sad_next(s)) {
		if (s->version != 1 || s->kind != SAD_KIND_IKE)
			continue;
		struct v1_isakmp_sa *sa = SAD_CONTAINER(s, struct v1_isakmp_sa, sad);
		struct v1_sa_info in = {
			.conn = sa->conn->name,
			.state = v1_state_name(sa->state),
			.established = sa->state == V1S_ESTABLISHED,
			.initiator = sa->initiator,
			.aggressive = sa->aggressive,
			.nat = sa->nat_local || sa->nat_peer,
			.natt = v1_natt_method_name(sa->natt),
			.dpd_answered = sa->dpd_answered,
			.dpd_acks_in = sa->dpd_acks_in,
			.serial = s->serial,
			.peer = sa->peer,
			.encr = sa->choice.attrs.x_encr ? sa->choice.attrs.x_encr->name : "",
			.hash = sa->choice.attrs.x_hash ? sa->choice.attrs.x_hash->name : "",
			.group = sa->choice.attrs.x_group ? sa->choice.attrs.x_group->name : "",
		};

		memcpy(in.cky_i, s->spi_i, 8);
		memcpy(in.cky_r, s->spi_r, 8);
		for (struct v1_ipsec_sa *qm = sa->qms; qm; qm = qm->next)
			in.ipsec_sas += qm->installed;
		fn(&in, arg);
	}
}

static void natoa_text(const struct v1_natoa *o, char *buf, size_t len)
{
	buf[0] = 0;
	if (o->family)
		inet_ntop(o->family == 6 ? AF_INET6 : AF_INET, o->addr, buf, (socklen_t)len);
}

void v1_engine_foreach_ipsec(struct v1_engine *e, v1_ipsec_visit_fn fn, void *arg)
{
	for (struct sad_entry *s = sad_first(e->env.sad); s; s = sad_next(s)) {
		if (s->version != 1 || s->kind != SAD_KIND_IKE)
			continue;
		struct v1_isakmp_sa *sa = SAD_CONTAINER(s, struct v1_isakmp_sa, sad);

		for (struct v1_ipsec_sa *qm = sa->qms; qm; qm = qm->next) {
			if (!qm->installed)
				continue;
			struct v1_ipsec_info in = {
				.conn = sa->conn->name,
				.spi_in = qm->spi_in,
				.spi_out = qm->spi_out,
				.key_in = qm->key_in->bytes,
				.key_out = qm->key_out->bytes,
				.key_len = qm->key_in->len,
				.pfs = qm->pfs,
				.life_seconds = qm->choice.life_seconds,
				.transport = qm->choice.attrs.encap == V1_ENCAP_TRANSPORT ||
					     v1_natt_encap_is_udp_transport(qm->choice.attrs.encap),
				.udp_encap = qm->udp_encap,
				.encap_mode = qm->choice.attrs.encap,
			};

			natoa_text(&qm->oa_i, in.natoa_i, sizeof(in.natoa_i));
			natoa_text(&qm->oa_r, in.natoa_r, sizeof(in.natoa_r));
			fn(&in, arg);
		}
	}
}

const struct v1_counters *v1_engine_counters(const struct v1_engine *e)
{
	return &e->counters;
}
