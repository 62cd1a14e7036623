/*
 * load.h - dualike-load, a load generator for IKE labs: it initiates many
 * IKE SAs (PSK, one child each: IKEv2, or IKEv1 Main Mode + Quick Mode)
 * against one peer with dualike's own engines (v2/v2_engine.h,
 * v1/v1_engine.h) on one libevent loop, the job pool for the KE work and
 * the `none` kernel backend, and reports how fast they came up.
 *
 * Each in-flight negotiation runs on its own engine connection ("slot"),
 * so the engine's established/failed callbacks, which name the connection,
 * tell exactly which negotiation ended and how long it took.
 */
#ifndef DUALIKE_LOAD_H
#define DUALIKE_LOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>

#define LOAD_MAX_REASONS 16
#define LOAD_REASON_LEN 96
#define LOAD_PSK_MAX 256

struct load_opts {
	struct sockaddr_storage target;   /* port ignored: 500 / 4500 */
	struct sockaddr_storage source;   /* AF_UNSPEC: from the route to target */
	uint32_t src_first, src_count;    /* IPv4 range, host order; 0: one source */
	unsigned src_ports;               /* 0: our port 500; N: N ports from src_port_base */
	uint16_t src_port_base;
	unsigned count;                   /* IKE SAs to set up */
	unsigned window;                  /* at most this many in flight */
	double rate;                      /* initiations per second, 0: no limit */
	double time_limit_s;              /* 0: none */
	unsigned ike_version;             /* 2: IKEv2; 1: IKEv1 Main Mode + Quick Mode */
	bool aggressive;                  /* IKEv1: Aggressive Mode instead of Main Mode */
	const char *ike;                  /* dualike.conf proposal tokens */
	const char *esp;
	char psk[LOAD_PSK_MAX];
	size_t psk_len;
	const char *local_id, *remote_id; /* NULL: addresses */
	const char *id_template;          /* "init%u.bench": a local identity per SA */
	unsigned threads;                 /* crypto worker threads per process, 0: one per core */
	unsigned ke_reuse;                /* one initiator keypair for this many SAs (0, 1: fresh) */
	unsigned workers;                 /* generator processes (load_workers.c), 1: this one */
	unsigned id_base;                 /* --id-template number of the first SA */
	unsigned retransmit_tries;
	unsigned retransmit_timeout_ms;
	unsigned rekeys;                  /* rekey phase: child rekeys to run, 0: none */
	const char *pfs;                  /* KE group for CREATE_CHILD_SA (PFS), NULL: none */
	bool delete_phase;
	bool json;
	bool progress;                    /* live line on stderr */
	bool quiet;
	double hold_s;                    /* keep the SAs this long before exiting */
};

/* Outcome counters and setup latencies. */
struct load_stats {
	unsigned started, established, failed, timed_out;
	double t_first_us, t_last_us;     /* first initiation, last completion */
	double *lat_ms;                   /* one per established SA */
	size_t n_lat;
	uint64_t retransmits;
	uint64_t children;
	/* the generator's own engine: answers it dropped (why a run stalls) */
	uint64_t dropped_busy, dropped_msgid, dropped_no_sa, dropped_other;
	struct {
		char why[LOAD_REASON_LEN];
		unsigned n;
	} reasons[LOAD_MAX_REASONS];
	size_t n_reasons;
	unsigned rekeys_started, rekeys_done; /* rekey phase: asked, children replaced */
	double rekey_s;
	unsigned deleted;                 /* delete phase: IKE SAs gone */
	double delete_s;
};

/* load_opts.c */
int load_opts_parse(int argc, char **argv, struct load_opts *o);
bool load_id_template_ok(const char *tmpl);
int load_id_expand(const char *tmpl, unsigned n, char *out, size_t out_len);
void load_usage(FILE *to);

/* load_stats.c */
int load_stats_init(struct load_stats *s, unsigned count);
void load_stats_free(struct load_stats *s);
void load_stats_failed(struct load_stats *s, const char *why);
double load_now_us(void);
void load_progress(const struct load_stats *s, const struct load_opts *o, unsigned in_flight);
void load_report(FILE *to, const struct load_stats *s, const struct load_opts *o);

/*
 * load_run.c: one generator loop (the engine driver by o->ike_version,
 * load_loop.h); progress (may be NULL) is called every 250 ms.
 */
typedef void (*load_progress_fn)(const struct load_stats *s, unsigned in_flight);
int load_run(const struct load_opts *o, struct load_stats *s, load_progress_fn progress);

/* load_workers.c: o->workers processes, each load_run() on a share; merged into s. */
int load_workers_run(const struct load_opts *o, struct load_stats *s);

#endif
