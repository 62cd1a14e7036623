/* mem_trim.c - return freed heap to the kernel once a burst is over (see mem_trim.h). */
#include <malloc.h>

#include <event2/event.h>

#include "common/err.h"
#include "common/log.h"
#include "src/daemon.h"
#include "src/dispatch.h"
#include "src/mem_trim.h"

bool mem_trim_due(struct mem_trim_state *s, uint64_t seen)
{
	uint64_t tick = seen >= s->last_seen ? seen - s->last_seen : 0;

	s->last_seen = seen;
	s->since_trim += tick;
	if (tick > s->peak_tick)
		s->peak_tick = tick;
	if (s->since_trim < MEM_TRIM_MIN_BURST || tick * 4 > s->peak_tick)
		return false;
	s->since_trim = 0;
	s->peak_tick = tick;
	return true;
}

static uint64_t datagrams_in(const struct daemon *d)
{
	const struct dispatch_counters *c = d->dispatcher ? dispatch_counters(d->dispatcher) : NULL;

	return c ? c->in_v1 + c->in_v2 : 0;
}

static void on_tick(evutil_socket_t fd, short what, void *arg)
{
	struct daemon *d = arg;

	(void)fd;
	(void)what;
	if (!mem_trim_due(&d->trim, datagrams_in(d)))
		return;
	d->heap_trims++;
	if (malloc_trim(0))
		log_debug(&log_global, "the burst is over: freed heap returned to the kernel");
}

int mem_trim_start(struct daemon *d)
{
	struct timeval tick = { .tv_sec = MEM_TRIM_TICK_S, .tv_usec = 0 };

	d->trim.last_seen = datagrams_in(d);
	d->trim_ev = event_new(d->base, -1, EV_PERSIST, on_tick, d);
	if (!d->trim_ev || event_add(d->trim_ev, &tick) < 0)
		return ERR_NOMEM;
	return 0;
}

void mem_trim_stop(struct daemon *d)
{
	if (d->trim_ev)
		event_free(d->trim_ev);
	d->trim_ev = NULL;
}
