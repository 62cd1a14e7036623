/*
 * natt_keepalive.c - NAT keepalives (RFC 3948 2.3; RFC 7296 2.23: "the
 * end behind the NAT ... SHOULD send keepalive packets"), see
 * natt_keepalive.h. The engines say which IKE SAs have a NAT in front of
 * us (v2_nat_state.c, v1_nat_state.c); this file owns the timer and the
 * sending. A keepalive is exactly one octet, 0xFF, on the NAT-T socket,
 * without the non-ESP marker: the receiver tells it from IKE and ESP by
 * its length (the dispatcher drops it silently, counted).
 */
#include <string.h>

#include <netinet/in.h>

#include <event2/event.h>

#include "common/err.h"
#include "common/kernel.h"
#include "common/log.h"
#include "src/config.h"
#include "src/daemon.h"
#include "src/dispatch.h"
#include "src/engines.h"
#include "src/natt_keepalive.h"
#include "src/sockets.h"
#include "v1/v1_events.h"
#include "v2/v2_engine.h"

uint32_t natt_keepalive_period(const struct config *cfg, const char *conn)
{
	const struct conn_config *c = config_find_conn(cfg, conn);

	if (!c || c->nat_keepalive_s == CONF_NAT_KEEPALIVE_DAEMON)
		return cfg->daemon.nat_keepalive_s;
	return c->nat_keepalive_s;
}

struct due {
	const struct config *cfg;
	uint64_t tick;
	natt_keepalive_send_fn send;
	void *arg;
	size_t sent;
};

static void one(const char *conn, const struct sockaddr_storage *local,
		const struct sockaddr_storage *peer, void *arg)
{
	struct due *w = arg;
	uint32_t period = natt_keepalive_period(w->cfg, conn);

	if (!period || w->tick % period != 0)
		return;
	if (w->send(w->arg, local, peer) == 0)
		w->sent++;
}

bool natt_keepalive_tick_due(const struct config *cfg, uint64_t tick)
{
	uint32_t d = cfg->daemon.nat_keepalive_s;

	/* an SA whose conn is not (or no longer) configured uses [daemon]'s */
	if (d && tick % d == 0)
		return true;
	for (size_t i = 0; i < cfg->n_conns; i++) {
		uint32_t p = cfg->conns[i].nat_keepalive_s;

		if (p == CONF_NAT_KEEPALIVE_DAEMON)
			p = d;
		if (p && tick % p == 0)
			return true;
	}
	return false;
}

size_t natt_keepalive_due(const struct config *cfg, struct v2_engine *v2, struct v1_engine *v1,
			  uint64_t tick, natt_keepalive_send_fn send, void *arg)
{
	struct due w = { .cfg = cfg, .tick = tick, .send = send, .arg = arg, .sent = 0 };

	/*
	 * The engines walk every IKE SA to find the NATed ones: at 100,000 SAs
	 * that walk each second was a cost for nothing on the ticks where no
	 * period ends (19 of 20 with the 20 s default), and on all when
	 * keepalives are off.
	 */
	if (!natt_keepalive_tick_due(cfg, tick))
		return 0;

	if (v2)
		v2_engine_foreach_natted(v2, one, &w);
	if (v1)
		v1_engine_foreach_natted(v1, one, &w);
	return w.sent;
}

static int send_one(void *arg, const struct sockaddr_storage *local,
		    const struct sockaddr_storage *peer)
{
	static const uint8_t keepalive = 0xff;
	struct daemon *d = arg;
	struct datagram dg;

	if (!d->sockets)
		return ERR_STATE;
	memset(&dg, 0, sizeof(dg));
	dg.data = &keepalive;
	dg.len = 1;
	dg.local = *local;
	dg.peer = *peer;
	dg.natt_port = true;
	kernel_addr_set_port(&dg.local, sockets_natt_port(d->sockets)); /* from our NAT-T socket */
	return sockets_send(d->sockets, &dg);
}

static void on_tick(evutil_socket_t fd, short what, void *arg)
{
	struct daemon *d = arg;
	size_t n;

	(void)fd;
	(void)what;
	d->keepalive_ticks++;
	n = natt_keepalive_due(d->cfg, engine_v2_engine(d), d->engine_state[1], d->keepalive_ticks,
			       send_one, d);
	if (n)
		log_debug(&log_global, "%zu NAT keepalive(s) sent", n);
	d->keepalives_sent += n;
}

int natt_keepalive_start(struct daemon *d)
{
	struct timeval one_s = { .tv_sec = 1, .tv_usec = 0 };

	d->keepalive_ev = event_new(d->base, -1, EV_PERSIST, on_tick, d);
	if (!d->keepalive_ev || event_add(d->keepalive_ev, &one_s) < 0)
		return ERR_NOMEM;
	return 0;
}

void natt_keepalive_stop(struct daemon *d)
{
	if (d->keepalive_ev)
		event_free(d->keepalive_ev);
	d->keepalive_ev = NULL;
}
