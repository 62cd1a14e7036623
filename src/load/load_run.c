/*
 * load_run.c - dualike-load's run: the IKEv2 engine as initiator on one
 * libevent loop with the job pool, a SAD and the `none` kernel backend;
 * a window of negotiations kept full (optionally paced to a rate), each
 * timed from v2_engine_up() to the engine's established/failed callback.
 *
 * One engine connection per slot ("l<index>"): the callbacks name the
 * connection, so they name the negotiation. With a source range each
 * slot's connection has its own local address; free slots are reused
 * first-in first-out so the addresses rotate through the range.
 */
#include <arpa/inet.h>
#include <event2/event.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/job.h"
#include "common/kernel.h"
#include "common/log.h"
#include "common/sad.h"
#include "common/secret.h"
#include "src/conf_errors.h"
#include "src/config.h"
#include "src/load/load.h"
#include "src/load/load_net.h"
#include "v2/v2_engine.h"
#include "v2/v2_names.h"

#define MAX_SLOTS 8192
#define MAX_PORT_SOCKS 4096
#define RX_BATCH 64
#define TICK_US 1000

struct load;

/* What a socket's read event needs: the run and which socket. */
struct sock_arg {
	struct load *l;
	size_t i;
};

struct slot {
	double t0_us;
	bool busy;
};

struct load {
	const struct load_opts *o;
	struct load_stats *st;
	load_progress_fn progress;
	struct event_base *base;
	struct job_pool *jobs;
	struct sad *sad;
	struct kernel *kernel;
	struct v2_engine *eng;
	struct secret *psk;
	struct slot *slots;
	unsigned n_slots;
	unsigned *fifo; /* free slots, ring */
	unsigned fifo_head, fifo_n;
	unsigned in_flight;
	struct load_sock *socks; /* [0] 500, [1] 4500; or the distinct ports */
	struct event **sock_ev;
	struct sock_arg *sock_args;
	size_t n_socks;
	struct event *pump_ev, *tick_ev;
	double deadline_us; /* 0: none */
	double last_progress_us;
	bool stopping;
	uint8_t rx_buf[65536];
};

/* ---- proposals and identities in the engine's words ---- */

static int props_from_text(const char *text, bool ike, struct v2_local_prop *out, size_t *n_out)
{
	struct conf_proposals props = { 0 };
	struct config_errors errs;
	const char *what = ike ? "--ike" : "--esp";
	int rc;

	config_errors_init(&errs);
	rc = conf_proposals_parse(text, &props, what, 0, &errs);
	if (rc == 0)
		rc = config_check_proposals(&props, ike, CONF_VERSION_IKEV2, what, 0, &errs);
	if (rc || errs.n) {
		config_errors_print(&errs, stderr);
		rc = rc ? rc : ERR_INVAL;
	}
	*n_out = 0;
	for (size_t i = 0; rc == 0 && i < props.n && *n_out < V2_PROP_MAX_LOCAL; i++) {
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
	config_errors_free(&errs);
	return rc;
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

static int make_conns(struct load *l, const struct sockaddr_storage *source)
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
		snprintf(conns[i].name, sizeof(conns[i].name), "l%u", i);
		if (o->src_count) {
			struct sockaddr_in *a = (struct sockaddr_in *)&conns[i].local;

			a->sin_addr.s_addr = htonl(o->src_first + i % o->src_count);
		}
	}
	rc = v2_engine_set_conns(l->eng, conns, l->n_slots);
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

static uint32_t spi_hash(const uint8_t *p)
{
	uint32_t h = 2166136261u; /* FNV-1a over the initiator's SPI */

	for (int i = 0; i < 8; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

static int hook_send(void *arg, const struct v2_datagram *dg)
{
	struct load *l = arg;
	const struct load_sock *s;

	if (!load_same_addr(&dg->peer, &l->o->target))
		return ERR_PERM; /* talks only to the address it is given */
	if (l->o->src_ports)
		s = &l->socks[dg->len >= 8 ? spi_hash(dg->data) % l->n_socks : 0];
	else
		s = &l->socks[dg->natt ? 1 : 0];
	return load_sock_send(s, &dg->local, &dg->peer, dg->data, dg->len, dg->natt);
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

static struct slot *slot_of(struct load *l, const char *conn, unsigned *idx)
{
	char *end;
	unsigned long i;

	if (conn[0] != 'l')
		return NULL;
	i = strtoul(conn + 1, &end, 10);
	if (*end || i >= l->n_slots || !l->slots[i].busy)
		return NULL;
	*idx = (unsigned)i;
	return &l->slots[i];
}

static void slot_release(struct load *l, unsigned idx)
{
	l->slots[idx].busy = false;
	l->fifo[(l->fifo_head + l->fifo_n) % l->n_slots] = idx;
	l->fifo_n++;
	l->in_flight--;
	l->st->t_last_us = load_now_us();
	event_active(l->pump_ev, EV_TIMEOUT, 0); /* start the next one outside the engine */
}

static void hook_established(void *arg, const struct v2_sa_info *info)
{
	struct load *l = arg;
	unsigned idx;
	struct slot *s;

	if (!info->initiator || !(s = slot_of(l, info->conn, &idx)))
		return;
	l->st->lat_ms[l->st->n_lat++] = (load_now_us() - s->t0_us) / 1e3;
	l->st->established++;
	l->st->children += info->n_children;
	slot_release(l, idx);
}

static void hook_failed(void *arg, const char *conn, const char *why, bool never_answered)
{
	struct load *l = arg;
	unsigned idx;

	if (!slot_of(l, conn, &idx))
		return;
	load_stats_failed(l->st, never_answered ? "no answer to IKE_SA_INIT" : why);
	slot_release(l, idx);
}

/* ---- the loop ---- */

static bool all_done(const struct load *l)
{
	const struct load_stats *s = l->st;

	return s->established + s->failed + s->timed_out >= l->o->count;
}

static void pump(evutil_socket_t fd, short what, void *arg)
{
	struct load *l = arg;
	const struct load_opts *o = l->o;
	double now = load_now_us();

	(void)fd, (void)what;
	if (l->stopping)
		return;
	if ((l->deadline_us && now >= l->deadline_us) || all_done(l)) {
		l->stopping = true;
		event_base_loopbreak(l->base);
		return;
	}
	while (l->in_flight < o->window && l->st->started < o->count && l->fifo_n) {
		unsigned idx = l->fifo[l->fifo_head];
		char name[V2_CONN_NAME_MAX];
		int rc;

		if (o->rate > 0 && l->st->started &&
		    l->st->started >= 1 + o->rate * (now - l->st->t_first_us) / 1e6)
			break; /* paced: the tick comes back */
		l->fifo_head = (l->fifo_head + 1) % l->n_slots;
		l->fifo_n--;
		if (!l->st->started)
			l->st->t_first_us = now;
		l->st->started++;
		l->in_flight++;
		l->slots[idx].busy = true;
		l->slots[idx].t0_us = now;
		snprintf(name, sizeof(name), "l%u", idx);
		rc = o->id_template ? slot_set_identity(l, name, o->id_base + l->st->started - 1) : 0;
		if (rc == 0)
			rc = v2_engine_up(l->eng, name);
		if (rc && l->slots[idx].busy) {
			char why[LOAD_REASON_LEN];

			snprintf(why, sizeof(why), "initiate: %s", err_str(rc));
			load_stats_failed(l->st, why);
			slot_release(l, idx);
		}
	}
}

static void tick(evutil_socket_t fd, short what, void *arg)
{
	struct load *l = arg;
	double now = load_now_us();

	(void)fd, (void)what;
	if ((l->o->progress || l->progress) && now - l->last_progress_us > 250e3) {
		l->last_progress_us = now;
		if (l->progress)
			l->progress(l->st, l->in_flight);
		else
			load_progress(l->st, l->o, l->in_flight);
	}
	pump(-1, 0, l);
}

static void on_readable(evutil_socket_t fd, short what, void *arg)
{
	struct sock_arg *a = arg;
	struct load *l = a->l;
	struct load_rx rx;

	(void)fd, (void)what;
	for (int n = 0; n < RX_BATCH; n++) {
		struct v2_datagram dg;

		if (load_sock_recv(&l->socks[a->i], l->rx_buf, sizeof(l->rx_buf), &rx) != 0)
			break;
		if (rx.len == 0 || !load_same_addr(&rx.peer, &l->o->target))
			continue;
		memset(&dg, 0, sizeof(dg));
		dg.data = rx.data;
		dg.len = rx.len;
		dg.local = rx.local;
		dg.peer = rx.peer;
		dg.natt = rx.natt;
		v2_engine_input(l->eng, &dg);
	}
}

static int open_sockets(struct load *l)
{
	const struct load_opts *o = l->o;
	int fam = o->target.ss_family;
	int rc = 0;

	l->n_socks = o->src_ports ? o->src_ports : 2;
	l->socks = calloc(l->n_socks, sizeof(*l->socks));
	l->sock_ev = calloc(l->n_socks, sizeof(*l->sock_ev));
	l->sock_args = calloc(l->n_socks, sizeof(*l->sock_args));
	if (!l->socks || !l->sock_ev || !l->sock_args)
		return ERR_NOMEM;
	for (size_t i = 0; i < l->n_socks; i++)
		l->socks[i].fd = -1;
	for (size_t i = 0; i < l->n_socks && rc == 0; i++) {
		uint16_t port = o->src_ports ? (uint16_t)(o->src_port_base + i)
					     : (i ? LOAD_NATT_PORT : LOAD_IKE_PORT);

		rc = load_sock_open(fam, port, &l->socks[i]);
		if (rc) {
			fprintf(stderr, "dualike-load: cannot bind UDP port %u: %s\n", port, err_str(rc));
			break;
		}
		l->sock_args[i] = (struct sock_arg){ .l = l, .i = i };
		l->sock_ev[i] = event_new(l->base, l->socks[i].fd, EV_READ | EV_PERSIST,
					  on_readable, &l->sock_args[i]);
		if (!l->sock_ev[i] || event_add(l->sock_ev[i], NULL))
			rc = ERR_NOMEM;
	}
	return rc;
}

static int setup(struct load *l)
{
	const struct load_opts *o = l->o;
	struct v2_engine_params p;
	struct sockaddr_storage source = o->source;
	int rc;

	l->n_slots = o->window;
	if (o->src_count > l->n_slots)
		l->n_slots = o->src_count < o->count ? o->src_count : o->count;
	if (l->n_slots > MAX_SLOTS && l->n_slots > o->window)
		l->n_slots = o->window > MAX_SLOTS ? o->window : MAX_SLOTS;
	l->slots = calloc(l->n_slots, sizeof(*l->slots));
	l->fifo = calloc(l->n_slots, sizeof(*l->fifo));
	l->base = event_base_new();
	l->psk = secret_dup(o->psk, o->psk_len);
	if (!l->slots || !l->fifo || !l->base || !l->psk)
		return ERR_NOMEM;
	for (unsigned i = 0; i < l->n_slots; i++)
		l->fifo[i] = i;
	l->fifo_n = l->n_slots;
	if (source.ss_family == AF_UNSPEC && (rc = load_route_source(&o->target, &source))) {
		fprintf(stderr, "dualike-load: no route to the target\n");
		return rc;
	}
	if (source.ss_family != o->target.ss_family) {
		fprintf(stderr, "dualike-load: --source and the target differ in family\n");
		return ERR_INVAL;
	}
	if ((rc = job_pool_new(l->base, o->threads, &l->jobs)) || (rc = sad_new(&l->sad)) ||
	    (rc = kernel_open("none", &l->kernel)))
		return rc;
	memset(&p, 0, sizeof(p));
	p.base = l->base;
	p.jobs = l->jobs;
	p.sad = l->sad;
	p.kernel = l->kernel;
	p.retransmit_tries = o->retransmit_tries;
	p.retransmit_timeout_ms = o->retransmit_timeout_ms;
	p.hooks = (struct v2_hooks){ .arg = l, .send = hook_send, .psk = hook_psk,
				     .established = hook_established, .failed = hook_failed };
	if ((rc = v2_engine_new(&p, &l->eng)) || (rc = make_conns(l, &source)) ||
	    (rc = open_sockets(l)))
		return rc;
	l->pump_ev = event_new(l->base, -1, 0, pump, l);
	l->tick_ev = event_new(l->base, -1, EV_PERSIST, tick, l);
	if (!l->pump_ev || !l->tick_ev)
		return ERR_NOMEM;
	return 0;
}

static void teardown(struct load *l)
{
	if (l->eng)
		v2_engine_free(l->eng); /* no Deletes: --delete sends them when asked */
	for (size_t i = 0; i < l->n_socks; i++) {
		if (l->sock_ev && l->sock_ev[i])
			event_free(l->sock_ev[i]);
		if (l->socks)
			load_sock_close(&l->socks[i]);
	}
	if (l->pump_ev)
		event_free(l->pump_ev);
	if (l->tick_ev)
		event_free(l->tick_ev);
	if (l->jobs)
		job_pool_free(l->jobs);
	if (l->sad)
		sad_free(l->sad);
	if (l->kernel)
		kernel_close(l->kernel);
	if (l->base)
		event_base_free(l->base);
	secret_free(l->psk);
	free(l->socks);
	free(l->sock_ev);
	free(l->sock_args);
	free(l->slots);
	free(l->fifo);
}

/* Run the loop for at most secs, or until cond(l) holds (checked every tick). */
static void run_for(struct load *l, double secs, bool (*cond)(const struct load *l))
{
	double end = load_now_us() + secs * 1e6;

	while (load_now_us() < end && !(cond && cond(l))) {
		struct timeval tv = { .tv_sec = 0, .tv_usec = 10000 };

		event_base_loopexit(l->base, &tv);
		event_base_dispatch(l->base);
	}
}

static bool no_sas(const struct load *l)
{
	return v2_engine_count_sas(l->eng) == 0;
}

/*
 * --rekey N: CREATE_CHILD_SA child rekeys (RFC 7296 1.3.3; with --pfs a
 * KE each) over the established SAs, slot after slot, at most --window
 * outstanding; done when the engine has replaced N children, or at the
 * time limit (60 s without one).
 */
static void rekey_phase(struct load *l)
{
	const struct load_opts *o = l->o;
	const struct v2_engine_stats *es = v2_engine_stats(l->eng);
	uint64_t base = es->children_rekeyed, done = 0;
	double t0 = load_now_us();
	double end = t0 + (o->time_limit_s > 0 ? o->time_limit_s : 60) * 1e6;
	unsigned started = 0, next = 0;
	char name[V2_CONN_NAME_MAX];

	while (load_now_us() < end && (done = es->children_rekeyed - base) < o->rekeys) {
		/* one pass over the slots at most: a busy or empty slot is skipped */
		for (unsigned tries = 0; tries < l->n_slots && started < o->rekeys &&
		     started - done < o->window; tries++) {
			snprintf(name, sizeof(name), "l%u", next);
			next = (next + 1) % l->n_slots;
			if (v2_engine_rekey_child(l->eng, name) == 0)
				started++;
		}
		if (started == done && started < o->rekeys && done == 0 && load_now_us() - t0 > 5e6)
			break; /* nothing could start in 5 s: no established SA with a child */
		run_for(l, 0.005, NULL);
	}
	l->st->rekeys_started = started;
	l->st->rekeys_done = (unsigned)(es->children_rekeyed - base);
	l->st->rekey_s = (load_now_us() - t0) / 1e6;
}

static void delete_phase(struct load *l)
{
	size_t before = v2_engine_count_sas(l->eng);
	double t0 = load_now_us();
	char name[V2_CONN_NAME_MAX];

	for (unsigned i = 0; i < l->n_slots; i++) {
		snprintf(name, sizeof(name), "l%u", i);
		v2_engine_down(l->eng, name);
	}
	run_for(l, 30, no_sas);
	l->st->deleted = (unsigned)(before - v2_engine_count_sas(l->eng));
	l->st->delete_s = (load_now_us() - t0) / 1e6;
}

int load_run(const struct load_opts *o, struct load_stats *st, load_progress_fn progress)
{
	struct load *l = calloc(1, sizeof(*l));
	struct timeval tv = { .tv_sec = 0, .tv_usec = TICK_US };
	int rc;

	if (!l)
		return ERR_NOMEM;
	l->o = o;
	l->st = st;
	l->progress = progress;
	rc = setup(l);
	if (rc == 0) {
		if (o->time_limit_s > 0)
			l->deadline_us = load_now_us() + o->time_limit_s * 1e6;
		event_add(l->tick_ev, &tv);
		event_active(l->pump_ev, EV_TIMEOUT, 0);
		event_base_dispatch(l->base);
		event_del(l->tick_ev);
		if (!all_done(l)) /* the time limit: what is still in flight timed out */
			st->timed_out = o->count - st->established - st->failed;
		if (st->t_last_us < st->t_first_us)
			st->t_last_us = load_now_us();
		if (o->progress) {
			load_progress(st, o, l->in_flight);
			fputc('\n', stderr);
		}
		const struct v2_engine_stats *es = v2_engine_stats(l->eng);

		st->retransmits = es->retransmits;
		st->dropped_busy = es->dropped_busy;
		st->dropped_msgid = es->dropped_msgid;
		st->dropped_no_sa = es->dropped_no_sa;
		st->dropped_other = es->dropped_malformed + es->dropped_integrity +
				    es->dropped_unexpected;
		if (o->rekeys)
			rekey_phase(l);
		if (o->delete_phase)
			delete_phase(l);
		if (o->hold_s > 0)
			run_for(l, o->hold_s, NULL);
	}
	teardown(l);
	free(l);
	return rc;
}
