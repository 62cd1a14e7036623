/*
 * daemon.h - the running dualiked: one libevent loop owning the sockets, the
 * dispatcher, the kernel backend, the control socket and the loaded
 * configuration. Everything here runs on the loop's thread.
 */
#ifndef DUALIKE_SRC_DAEMON_H
#define DUALIKE_SRC_DAEMON_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "src/mem_trim.h"

struct config;
struct control;
struct dispatcher;
struct event;
struct event_base;
struct evbuffer;
struct ike_sockets;
struct job_pool;
struct sad;
struct kernel;
struct keylog;
struct policy;
struct pins;
struct secrets;
struct version_auto;

struct daemon {
	struct event_base *base;
	char *config_path;
	struct config *cfg;
	struct policy *policy;
	struct pins *pins;
	struct event *pins_ev;          /* saves refreshed pin times (engines_pin_peer) */
	struct secrets *secrets;
	struct kernel *kernel;
	struct event *kernel_ev;
	struct keylog *keylog;          /* NULL unless [daemon] keylog is set */
	struct job_pool *jobs;          /* DH/KE and signatures run here (common/job.h) */
	struct sad *sad;                /* every IKE and child SA of both versions */
	struct version_auto *vauto;     /* version = auto: remembered fallbacks */
	void *engine_state[3];          /* per version, owned by src/engine_v1.c / engine_v2.c */
	struct dispatcher *dispatcher;
	struct ike_sockets *sockets;
	struct control *control;
	struct event *sig_hup;
	struct event *sig_term;
	struct event *sig_int;
	time_t started;
	uint64_t reloads;
	uint64_t reload_failures;
	/* per-version IKE SA counters, filled by the engines */
	uint64_t sas_made[3];
	uint64_t sas_failed[3];
	/* kernel events (daemon_kernel_events.c) */
	uint64_t acquires, acquires_started, acquires_ignored;
	uint64_t expires_soft, expires_hard;
	/* NAT keepalives (natt_keepalive.c) */
	struct event *keepalive_ev;
	uint64_t keepalive_ticks;
	uint64_t keepalives_sent;
	/* freed heap back to the kernel after a burst (mem_trim.c) */
	struct event *trim_ev;
	struct mem_trim_state trim;
	uint64_t heap_trims;
};

/* Load everything and open sockets/control/kernel; errors are logged. */
int daemon_start(struct daemon *d, const char *config_path);
/* In the child after daemonising: the event loop's kernel state is redone. */
int daemon_after_fork(struct daemon *d);
/* Run the loop until SIGTERM/SIGINT. */
int daemon_run(struct daemon *d);
void daemon_stop(struct daemon *d);
/*
 * Re-read the configuration, policy and secrets. A bad new configuration is
 * refused with its errors written to err_out (may be NULL) and the running
 * one stays. Returns 0 or ERR_PARSE.
 */
int daemon_reload(struct daemon *d, struct evbuffer *err_out);

struct conn_config;
/*
 * version = auto (DESIGN.md "Versions per peer"): the version to initiate
 * a connection with now (1 or 2; 0 = refused, with the reason logged).
 */
int daemon_auto_version(struct daemon *d, const struct conn_config *c);
/* The IKEv2 attempt of an auto connection ended: fall back to IKEv1 if the rules allow. */
void daemon_auto_v2_outcome(struct daemon *d, const char *conn, bool established, bool never_answered);

struct datagram;
/* Send a datagram of IKE version `major` (counted per version in `stats`). */
int daemon_send(struct daemon *d, int major, const struct datagram *dg);

struct kernel_acquire;
struct kernel_expire;
/*
 * daemon_kernel_events.c: trap policies of `auto = route` connections
 * (installed: how many; removed for a configuration) and the kernel's
 * ACQUIRE and EXPIRE events (arg: the struct daemon).
 */
size_t daemon_traps_install(struct daemon *d);
void daemon_traps_remove(struct daemon *d, const struct config *cfg);
void daemon_on_acquire(const struct kernel_acquire *acq, void *arg);
/* dpd_action = hold: install the connection's trap (0 also when it stands already). */
int daemon_trap_hold(struct daemon *d, const char *conn);
void daemon_on_expire(const struct kernel_expire *exp, void *arg);
struct json;
/* dualikectl stats: kernel event and NAT keepalive counters (object "events", or text). */
void daemon_events_stats_report(struct daemon *d, struct json *j, struct evbuffer *out);
/* dualikectl stats: the crypto job pool (object "crypto_jobs", or text): jobs run, inline, mean waits. */
void daemon_jobs_stats_report(struct daemon *d, struct json *j, struct evbuffer *out);

struct config_errors;
/* Write every configuration problem to out, or to the log when out is NULL. */
void daemon_report_errors(const struct config_errors *errs, struct evbuffer *out);

#endif
