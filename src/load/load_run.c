/*
 * load_run.c - dualike-load's run: an engine driver (load_v2.c, IKEv2;
 * load_v1.c, IKEv1 Main Mode + Quick Mode) as initiator on one libevent
 * loop with the job pool, a SAD and the `none` kernel backend; a window
 * of negotiations kept full (optionally paced to a rate), each timed from
 * its start to the engine's established/failed callback.
 *
 * One engine connection per slot ("l<index>"): the callbacks name the
 * connection, so they name the negotiation. With a source range each
 * slot's connection has its own local address; free slots are reused
 * first-in first-out so the addresses rotate through the range.
 */
#include <event2/event.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/job.h"
#include "common/kernel.h"
#include "common/sad.h"
#include "common/secret.h"
#include "src/load/load_loop.h"

#define MAX_SLOTS 8192
#define RX_BATCH 64
/*
 * The tick only shows progress and watches the time limit: a finished
 * negotiation starts the next one at once (slot_release), and a paced
 * run arms the pump for the moment the next initiation is due. A 1 ms
 * tick cost the generator 5% of a core with nothing to do.
 */
#define TICK_US 50000

void load_slot_name(unsigned idx, char *buf, size_t len)
{
	/* by hand: snprintf's format parsing showed in the generator's profile */
	char tmp[12];
	size_t n = 0, k = 0;

	do
		tmp[n++] = (char)('0' + idx % 10);
	while ((idx /= 10) && n < sizeof(tmp));
	if (len < n + 2) {
		if (len)
			buf[0] = 0;
		return;
	}
	buf[k++] = 'l';
	while (n)
		buf[k++] = tmp[--n];
	buf[k] = 0;
}

/*
 * --rekey N: rekeys over the established SAs, slot after slot, at most
 * --window outstanding; done when the engine has replaced N children (IKEv2)
 * or IPsec SA pairs (IKEv1), or at the time limit (60 s without one).
 */
static void rekey_phase(struct load *l)
{
	const struct load_opts *o = l->o;
	uint64_t base = l->drv->rekeys_replaced(l), done = 0;
	double t0 = load_now_us();
	double end = t0 + (o->time_limit_s > 0 ? o->time_limit_s : 60) * 1e6;
	unsigned started = 0, next = 0;
	char name[16]; /* "l" and a decimal slot number (load_slot_name) */

	while (load_now_us() < end && (done = l->drv->rekeys_replaced(l) - base) < o->rekeys) {
		/* one pass over the slots at most: a busy or empty slot is skipped */
		for (unsigned tries = 0; tries < l->n_slots && started < o->rekeys &&
		     started - done < o->window; tries++) {
			load_slot_name(next, name, sizeof(name));
			next = (next + 1) % l->n_slots;
			if (l->drv->rekey_start(l, name) == 0)
				started++;
		}
		if (started == done && started < o->rekeys && done == 0 && load_now_us() - t0 > 5e6)
			break; /* nothing could start in 5 s: no established SA to rekey */
		load_run_for(l, 0.005, NULL);
	}
	l->st->rekeys_started = started;
	l->st->rekeys_done = (unsigned)(l->drv->rekeys_replaced(l) - base);
	l->st->rekey_s = (load_now_us() - t0) / 1e6;
}

bool load_slot_of(const struct load *l, const char *conn, unsigned *idx)
{
	unsigned long i = 0;
	const char *p = conn + 1;

	if (conn[0] != 'l' || !*p)
		return false;
	for (; *p; p++) {
		if (*p < '0' || *p > '9' || i > l->n_slots)
			return false;
		i = i * 10 + (unsigned long)(*p - '0');
	}
	if (i >= l->n_slots || !l->slots[i].busy)
		return false;
	*idx = (unsigned)i;
	return true;
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

void load_slot_up(struct load *l, unsigned idx, unsigned children)
{
	l->st->lat_ms[l->st->n_lat++] = (load_now_us() - l->slots[idx].t0_us) / 1e3;
	l->st->established++;
	l->st->children += children;
	slot_release(l, idx);
}

void load_slot_failed(struct load *l, unsigned idx, const char *why)
{
	load_stats_failed(l->st, why);
	slot_release(l, idx);
}

static uint32_t spi_hash(const uint8_t *p)
{
	uint32_t h = 2166136261u; /* FNV-1a over the initiator's SPI */

	for (int i = 0; i < 8; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

int load_send(struct load *l, const struct sockaddr_storage *local,
	      const struct sockaddr_storage *peer, const uint8_t *data, size_t len,
	      const uint8_t *spi, bool natt, bool add_marker)
{
	const struct load_sock *s;

	if (!load_same_addr(peer, &l->o->target))
		return ERR_PERM; /* talks only to the address it is given */
	if (l->o->src_ports)
		s = &l->socks[spi ? spi_hash(spi) % l->n_socks : 0];
	else
		s = &l->socks[natt ? 1 : 0];
	return load_sock_send(s, local, peer, data, len, add_marker);
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
		int rc;

		if (o->rate > 0 && l->st->started &&
		    l->st->started >= 1 + o->rate * (now - l->st->t_first_us) / 1e6) {
			/* paced: come back when initiation number started + 1 is due */
			double due = l->st->t_first_us + 1e6 * (l->st->started - 1) / o->rate + 1;
			double wait = due > now ? due - now : 0;
			struct timeval tv = { .tv_sec = (time_t)(wait / 1e6),
					      .tv_usec = (suseconds_t)((long long)wait % 1000000) };

			event_add(l->pump_ev, &tv);
			break;
		}
		l->fifo_head = (l->fifo_head + 1) % l->n_slots;
		l->fifo_n--;
		if (!l->st->started)
			l->st->t_first_us = now;
		l->st->started++;
		l->in_flight++;
		l->slots[idx].busy = true;
		l->slots[idx].t0_us = now;
		rc = l->drv->up(l, idx, o->id_base + l->st->started - 1);
		if (rc && l->slots[idx].busy) {
			char why[LOAD_REASON_LEN];

			snprintf(why, sizeof(why), "initiate: %s", err_str(rc));
			load_slot_failed(l, idx, why);
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
	struct load_sock_arg *a = arg;
	struct load *l = a->l;
	struct load_rx rx;

	(void)fd, (void)what;
	for (int n = 0; n < RX_BATCH; n++) {
		if (load_sock_recv(&l->socks[a->i], l->rx_buf, sizeof(l->rx_buf), &rx) != 0)
			break;
		if (rx.len == 0 || !load_same_addr(&rx.peer, &l->o->target))
			continue;
		l->drv->input(l, &rx);
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
		l->sock_args[i] = (struct load_sock_arg){ .l = l, .i = i };
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
	    (rc = load_kernel_open(&l->kernel)))
		return rc;
	job_pool_set_ke_reuse(l->jobs, o->ke_reuse);
	if ((rc = l->drv->open(l, &source)) || (rc = open_sockets(l)))
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
		l->drv->close(l); /* no Deletes: --delete sends them when asked */
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

void load_run_for(struct load *l, double secs, bool (*cond)(const struct load *l))
{
	double end = load_now_us() + secs * 1e6;

	while (load_now_us() < end && !(cond && cond(l))) {
		struct timeval tv = { .tv_sec = 0, .tv_usec = 10000 };

		event_base_loopexit(l->base, &tv);
		event_base_dispatch(l->base);
	}
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
	l->drv = o->ike_version == 1 ? &load_driver_v1 : &load_driver_v2;
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
		l->drv->setup_done(l);
		if (o->rekeys)
			rekey_phase(l);
		if (o->delete_phase)
			l->drv->delete_phase(l);
		if (o->hold_s > 0)
			load_run_for(l, o->hold_s, NULL);
	}
	teardown(l);
	free(l);
	return rc;
}
