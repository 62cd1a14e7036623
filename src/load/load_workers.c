/*
 * load_workers.c - dualike-load --workers N: N generator processes, so the
 * generator is not the bottleneck of a benchmark on a multi-core machine
 * (one loop holds one core; the responder under test must have the rest).
 *
 * The parent forks N children before any socket or thread exists. Each
 * child runs load_run() on its own share: count, window and rate divided,
 * its own UDP source ports (ports P+i, or its slice of --src-ports), its
 * own slice of --src-range when the range is large enough, and identities
 * numbered from its first SA so --id-template stays unique across workers.
 * A child reports over a pipe: progress records while it runs, then its
 * counters and latencies. The parent merges them into one summary (and
 * one JSON object); CLOCK_MONOTONIC is system-wide, so the run spans from
 * the first child's first initiation to the last child's last completion.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/err.h"
#include "src/load/load.h"

enum rec_type { REC_PROGRESS = 1, REC_RESULT = 2 };

struct rec_hdr {
	uint32_t type;
	uint32_t n_lat;                 /* REC_RESULT: latencies that follow the stats */
};

struct progress {
	unsigned established, failed, in_flight;
	double t_first_us;
};

struct worker {
	pid_t pid;
	int fd;                         /* read end */
	struct load_opts o;             /* its share */
	struct progress prog;
	bool have_result;
	struct load_stats st;           /* lat_ms owned by the parent's copy */
	uint8_t *buf;                   /* partial record */
	size_t have, want;
};

static unsigned share(unsigned total, unsigned n, unsigned i)
{
	return total / n + (i < total % n);
}

/* Worker i's options: its part of the count, window, rate, ports and sources. */
static void split_opts(const struct load_opts *o, unsigned n, unsigned i, struct load_opts *w)
{
	unsigned first = 0;

	for (unsigned k = 0; k < i; k++)
		first += share(o->count, n, k);
	*w = *o;
	w->workers = 1;
	w->count = share(o->count, n, i);
	w->window = share(o->window, n, i) ? share(o->window, n, i) : 1;
	w->rate = o->rate / n;
	w->rekeys = o->rekeys ? (share(o->rekeys, n, i) ? share(o->rekeys, n, i) : 1) : 0;
	w->id_base = o->id_base + first;
	w->json = false;
	w->progress = false;
	w->quiet = true;
	if (o->src_ports >= n) {
		unsigned before = 0;

		for (unsigned k = 0; k < i; k++)
			before += share(o->src_ports, n, k);
		w->src_ports = share(o->src_ports, n, i);
		w->src_port_base = (uint16_t)(o->src_port_base + before);
	} else {
		/* one port each: two processes cannot share port 500 */
		w->src_ports = 1;
		w->src_port_base = (uint16_t)(o->src_port_base + i);
	}
	if (o->src_count >= n) {
		unsigned before = 0;

		for (unsigned k = 0; k < i; k++)
			before += share(o->src_count, n, k);
		w->src_first = o->src_first + before;
		w->src_count = share(o->src_count, n, i);
	}
}

static int write_all(int fd, const void *p, size_t n)
{
	const uint8_t *b = p;

	while (n) {
		ssize_t k = write(fd, b, n);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return ERR_IO;
		b += k;
		n -= (size_t)k;
	}
	return 0;
}

/* Child side: the progress hook load_run() calls every 250 ms. */
static int report_fd = -1;

static void child_progress(const struct load_stats *s, unsigned in_flight)
{
	struct rec_hdr h = { .type = REC_PROGRESS };
	struct progress p = { s->established, s->failed, in_flight, s->t_first_us };
	uint8_t rec[sizeof(h) + sizeof(p)];

	memcpy(rec, &h, sizeof(h));
	memcpy(rec + sizeof(h), &p, sizeof(p));
	(void)write_all(report_fd, rec, sizeof(rec)); /* the parent may have gone: no matter */
}

static int child_main(const struct load_opts *o, int fd)
{
	struct load_stats st;
	struct rec_hdr h = { .type = REC_RESULT };
	int rc;

	report_fd = fd;
	if (load_stats_init(&st, o->count))
		_exit(2);
	rc = load_run(o, &st, child_progress);
	if (rc) {
		fprintf(stderr, "dualike-load worker: %s\n", err_str(rc));
		_exit(2);
	}
	h.n_lat = (uint32_t)st.n_lat;
	rc = write_all(fd, &h, sizeof(h));
	if (rc == 0)
		rc = write_all(fd, &st, sizeof(st));
	if (rc == 0)
		rc = write_all(fd, st.lat_ms, st.n_lat * sizeof(*st.lat_ms));
	load_stats_free(&st);
	_exit(rc ? 2 : 0);
}

/* Parent side: read what is there, act on each complete record. */
static void worker_read(struct worker *w)
{
	uint8_t tmp[65536];
	ssize_t k = read(w->fd, tmp, sizeof(tmp));

	if (k <= 0) {
		if (k < 0 && errno == EINTR)
			return;
		close(w->fd);
		w->fd = -1;
		return;
	}
	for (size_t off = 0; off < (size_t)k;) {
		size_t take = (size_t)k - off;
		struct rec_hdr h;

		if (w->want == 0)
			w->want = sizeof(struct rec_hdr);
		if (take > w->want - w->have)
			take = w->want - w->have;
		memcpy(w->buf + w->have, tmp + off, take);
		w->have += take;
		off += take;
		if (w->have < w->want)
			continue;
		memcpy(&h, w->buf, sizeof(h));
		if (w->want == sizeof(h)) { /* header done: now the body */
			w->want += h.type == REC_PROGRESS ? sizeof(struct progress)
				   : sizeof(struct load_stats) + (size_t)h.n_lat * sizeof(double);
			continue;
		}
		if (h.type == REC_PROGRESS) {
			memcpy(&w->prog, w->buf + sizeof(h), sizeof(w->prog));
		} else {
			double *lat = w->st.lat_ms;

			memcpy(&w->st, w->buf + sizeof(h), sizeof(w->st));
			w->st.lat_ms = lat;
			w->st.n_lat = h.n_lat;
			memcpy(lat, w->buf + sizeof(h) + sizeof(w->st), h.n_lat * sizeof(double));
			w->have_result = true;
		}
		w->have = w->want = 0;
	}
}

static void merge(struct load_stats *into, const struct load_stats *s)
{
	into->started += s->started;
	into->established += s->established;
	/* failed: load_stats_failed() below counts each of the worker's failures */
	into->timed_out += s->timed_out;
	if (s->started && (!into->t_first_us || s->t_first_us < into->t_first_us))
		into->t_first_us = s->t_first_us;
	if (s->t_last_us > into->t_last_us)
		into->t_last_us = s->t_last_us;
	memcpy(into->lat_ms + into->n_lat, s->lat_ms, s->n_lat * sizeof(*s->lat_ms));
	into->n_lat += s->n_lat;
	into->retransmits += s->retransmits;
	into->children += s->children;
	into->dropped_busy += s->dropped_busy;
	into->dropped_msgid += s->dropped_msgid;
	into->dropped_no_sa += s->dropped_no_sa;
	into->dropped_other += s->dropped_other;
	for (size_t i = 0; i < s->n_reasons; i++)
		for (unsigned k = 0; k < s->reasons[i].n; k++)
			load_stats_failed(into, s->reasons[i].why);
	into->rekeys_started += s->rekeys_started;
	into->rekeys_done += s->rekeys_done;
	if (s->rekey_s > into->rekey_s)
		into->rekey_s = s->rekey_s; /* the workers rekey at the same time */
	into->deleted += s->deleted;
	if (s->delete_s > into->delete_s)
		into->delete_s = s->delete_s;
}

static void show_progress(const struct worker *ws, unsigned n, const struct load_opts *o)
{
	struct load_stats sum;
	unsigned in_flight = 0;

	memset(&sum, 0, sizeof(sum));
	for (unsigned i = 0; i < n; i++) {
		const struct progress *p = &ws[i].prog;

		sum.established += p->established;
		sum.failed += p->failed;
		in_flight += p->in_flight;
		if (p->t_first_us && (!sum.started || p->t_first_us < sum.t_first_us)) {
			sum.t_first_us = p->t_first_us;
			sum.started = 1;
		}
	}
	load_progress(&sum, o, in_flight);
}

static int spawn(struct worker *w)
{
	int fds[2];

	if (pipe(fds))
		return ERR_IO;
	fflush(NULL);
	w->pid = fork();
	if (w->pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return ERR_IO;
	}
	if (w->pid == 0) {
		close(fds[0]);
		child_main(&w->o, fds[1]);
	}
	close(fds[1]);
	w->fd = fds[0];
	return 0;
}

int load_workers_run(const struct load_opts *o, struct load_stats *st)
{
	unsigned n = o->workers;
	struct worker *ws = calloc(n, sizeof(*ws));
	struct pollfd *pf = calloc(n, sizeof(*pf));
	double last = 0;
	int rc = ws && pf ? 0 : ERR_NOMEM;
	unsigned open_fds = 0;

	for (unsigned i = 0; rc == 0 && i < n; i++) {
		ws[i].fd = -1;
		split_opts(o, n, i, &ws[i].o);
		ws[i].buf = malloc(sizeof(struct rec_hdr) + sizeof(struct load_stats) +
				   (size_t)ws[i].o.count * sizeof(double));
		ws[i].st.lat_ms = calloc(ws[i].o.count ? ws[i].o.count : 1, sizeof(double));
		if (!ws[i].buf || !ws[i].st.lat_ms)
			rc = ERR_NOMEM;
	}
	for (unsigned i = 0; rc == 0 && i < n; i++) {
		rc = spawn(&ws[i]);
		open_fds += rc == 0;
	}
	while (open_fds) {
		unsigned k = 0;

		for (unsigned i = 0; i < n; i++)
			if (ws[i].fd >= 0)
				pf[k++] = (struct pollfd){ .fd = ws[i].fd, .events = POLLIN };
		if (poll(pf, k, 250) < 0 && errno != EINTR)
			break;
		for (unsigned i = 0, j = 0; i < n; i++) {
			if (ws[i].fd < 0)
				continue;
			if (pf[j++].revents) {
				worker_read(&ws[i]);
				open_fds -= ws[i].fd < 0;
			}
		}
		if (o->progress && load_now_us() - last > 250e3) {
			last = load_now_us();
			show_progress(ws, n, o);
		}
	}
	if (o->progress)
		fputc('\n', stderr);
	for (unsigned i = 0; i < n; i++) {
		int status = 0;

		if (ws && ws[i].pid > 0)
			waitpid(ws[i].pid, &status, 0);
		if (!ws || rc)
			continue;
		if (ws[i].have_result) {
			merge(st, &ws[i].st);
		} else {
			/* a worker that died: its whole share counts as failed */
			for (unsigned k = 0; k < ws[i].o.count; k++)
				load_stats_failed(st, "generator worker died");
		}
	}
	for (unsigned i = 0; ws && i < n; i++) {
		free(ws[i].buf);
		free(ws[i].st.lat_ms);
	}
	free(ws);
	free(pf);
	return rc;
}
