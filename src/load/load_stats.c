/*
 * load_stats.c - dualike-load's counters, the live progress line and the
 * final summary (text or JSON): established/s over the whole run, setup
 * latency percentiles (initiation to IKE SA + child up), retransmissions
 * and failures grouped by the engine's reason.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/err.h"
#include "src/load/load.h"

double load_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

int load_stats_init(struct load_stats *s, unsigned count)
{
	memset(s, 0, sizeof(*s));
	s->lat_ms = calloc(count ? count : 1, sizeof(*s->lat_ms));
	return s->lat_ms ? 0 : ERR_NOMEM;
}

void load_stats_free(struct load_stats *s)
{
	free(s->lat_ms);
	s->lat_ms = NULL;
}

void load_stats_failed(struct load_stats *s, const char *why)
{
	size_t i;

	s->failed++;
	if (!why || !*why)
		why = "unknown";
	for (i = 0; i < s->n_reasons; i++) {
		if (strncmp(s->reasons[i].why, why, LOAD_REASON_LEN - 1) == 0) {
			s->reasons[i].n++;
			return;
		}
	}
	if (i == LOAD_MAX_REASONS) /* the last row collects what does not fit */
		i = LOAD_MAX_REASONS - 1;
	else
		s->n_reasons++;
	if (s->reasons[i].n == 0)
		snprintf(s->reasons[i].why, LOAD_REASON_LEN, "%s", i == LOAD_MAX_REASONS - 1 &&
			 s->n_reasons == LOAD_MAX_REASONS ? "other" : why);
	s->reasons[i].n++;
}

static double elapsed_s(const struct load_stats *s)
{
	double end = s->t_last_us > s->t_first_us ? s->t_last_us : load_now_us();

	return s->started ? (end - s->t_first_us) / 1e6 : 0;
}

void load_progress(const struct load_stats *s, const struct load_opts *o, unsigned in_flight)
{
	double t = s->started ? (load_now_us() - s->t_first_us) / 1e6 : 0;
	double rate = t > 0 ? s->established / t : 0;
	unsigned left = o->count - s->established - s->failed - s->timed_out;

	fprintf(stderr, "\r%u/%u established, %u failed, %u in flight, %.0f/s, ETA %.0f s   ",
		s->established, o->count, s->failed, in_flight, rate,
		rate > 0 ? left / rate : 0.0);
	fflush(stderr);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Nearest-rank percentile of the sorted latencies. */
static double pct(const struct load_stats *s, double p)
{
	size_t k;

	if (s->n_lat == 0)
		return 0;
	k = (size_t)ceil(p / 100.0 * (double)s->n_lat);
	return s->lat_ms[k ? k - 1 : 0];
}

/* What each SA is made of. */
static const char *mode_name(const struct load_opts *o)
{
	if (o->ike_version != 1)
		return "IKEv2";
	return o->aggressive ? "IKEv1 Aggressive Mode + Quick Mode" : "IKEv1 Main Mode + Quick Mode";
}

static void json_str(FILE *to, const char *v)
{
	fputc('"', to);
	for (; *v; v++) {
		if (*v == '"' || *v == '\\')
			fprintf(to, "\\%c", *v);
		else if ((unsigned char)*v < 0x20)
			fprintf(to, "\\u%04x", (unsigned char)*v);
		else
			fputc(*v, to);
	}
	fputc('"', to);
}

void load_report(FILE *to, const struct load_stats *s, const struct load_opts *o)
{
	struct load_stats *w = (struct load_stats *)s; /* sorting is not a change of meaning */
	double secs = elapsed_s(s);
	double rate = secs > 0 ? s->established / secs : 0;

	qsort(w->lat_ms, s->n_lat, sizeof(*s->lat_ms), cmp_double);
	if (o->json) {
		fprintf(to, "{\"count\":%u,\"started\":%u,\"established\":%u,\"failed\":%u,"
			"\"timed_out\":%u,\"children\":%llu,\"seconds\":%.3f,\"established_per_s\":%.1f,"
			"\"latency_ms\":{\"p50\":%.2f,\"p95\":%.2f,\"p99\":%.2f,\"max\":%.2f},"
			"\"retransmits\":%llu,\"dropped\":{\"busy\":%llu,\"msgid\":%llu,"
			"\"no_sa\":%llu,\"other\":%llu},\"ike\":", o->count, s->started, s->established,
			s->failed, s->timed_out, (unsigned long long)s->children, secs, rate,
			pct(s, 50), pct(s, 95), pct(s, 99), pct(s, 100),
			(unsigned long long)s->retransmits, (unsigned long long)s->dropped_busy,
			(unsigned long long)s->dropped_msgid, (unsigned long long)s->dropped_no_sa,
			(unsigned long long)s->dropped_other);
		json_str(to, o->ike);
		fprintf(to, ",\"version\":%u,\"mode\":\"%s\",\"esp\":", o->ike_version, mode_name(o));
		json_str(to, o->esp);
		fprintf(to, ",\"failures\":{");
		for (size_t i = 0; i < s->n_reasons; i++) {
			fprintf(to, i ? "," : "");
			json_str(to, s->reasons[i].why);
			fprintf(to, ":%u", s->reasons[i].n);
		}
		fprintf(to, "}");
		if (o->rekeys)
			fprintf(to, ",\"rekeys\":%u,\"rekeys_started\":%u,\"rekey_seconds\":%.3f,"
				"\"rekeys_per_s\":%.1f,\"pfs\":\"%s\"", s->rekeys_done, s->rekeys_started, s->rekey_s,
				s->rekey_s > 0 ? s->rekeys_done / s->rekey_s : 0.0, o->pfs ? o->pfs : "none");
		if (o->delete_phase)
			fprintf(to, ",\"deleted\":%u,\"delete_seconds\":%.3f", s->deleted, s->delete_s);
		fprintf(to, "}\n");
		return;
	}
	fprintf(to, "%s, IKE %s / ESP %s\n", mode_name(o), o->ike, o->esp);
	fprintf(to, "established %u of %u (children %llu), failed %u, timed out %u, in %.3f s\n",
		s->established, o->count, (unsigned long long)s->children, s->failed,
		s->timed_out, secs);
	fprintf(to, "rate        %.1f established/s\n", rate);
	fprintf(to, "setup ms    p50 %.2f  p95 %.2f  p99 %.2f  max %.2f\n", pct(s, 50),
		pct(s, 95), pct(s, 99), pct(s, 100));
	fprintf(to, "retransmits %llu; answers dropped: busy %llu, message ID %llu, no SA %llu, other %llu\n",
		(unsigned long long)s->retransmits, (unsigned long long)s->dropped_busy,
		(unsigned long long)s->dropped_msgid, (unsigned long long)s->dropped_no_sa,
		(unsigned long long)s->dropped_other);
	for (size_t i = 0; i < s->n_reasons; i++)
		fprintf(to, "failure     %6u  %s\n", s->reasons[i].n, s->reasons[i].why);
	if (o->rekeys)
		fprintf(to, "rekeys      %u of %u child SAs in %.3f s: %.1f rekeys/s (PFS %s)\n",
			s->rekeys_done, o->rekeys, s->rekey_s,
			s->rekey_s > 0 ? s->rekeys_done / s->rekey_s : 0.0, o->pfs ? o->pfs : "none");
	if (o->delete_phase)
		fprintf(to, "deleted     %u IKE SAs in %.3f s\n", s->deleted, s->delete_s);
}
