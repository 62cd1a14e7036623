/*
 * daemon.c - bring dualiked up, run it, reload it, take it down.
 *
 * Order of start: configuration (refused whole if any problem), kernel
 * backend, dispatcher, sockets, control socket, signals. Every failure is
 * logged with what to change and undoes what was started.
 */
#include "dualike-build.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <event2/buffer.h>
#include <event2/event.h>

#include "common/err.h"
#include "common/job.h"
#include "common/kernel.h"
#include "common/keylog.h"
#include "common/log.h"
#include "common/sad.h"
#include "src/config.h"
#include "src/control.h"
#include "src/ctl_cmds.h"
#include "src/daemon.h"
#include "src/dispatch.h"
#include "src/json.h"
#include "src/engines.h"
#include "src/kernel_cleanup.h"
#include "src/natt_keepalive.h"
#include "src/sockets.h"
#include "src/version_auto.h"

void daemon_report_errors(const struct config_errors *errs, struct evbuffer *out)
{
	char line[600];

	for (size_t i = 0; i < errs->n; i++) {
		config_error_str(errs, i, line, sizeof(line));
		if (out)
			evbuffer_add_printf(out, "%s\n", line);
		else
			log_error(&log_global, "%s", line);
	}
}

static void daemon_on_signal(evutil_socket_t sig, short what, void *arg)
{
	struct daemon *d = arg;

	(void)what;
	if (sig == SIGHUP) {
		log_info(&log_global, "SIGHUP: reloading %s", d->config_path);
		daemon_reload(d, NULL);
		return;
	}
	log_info(&log_global, "signal %d: shutting down", (int)sig);
	event_base_loopbreak(d->base);
}

static void daemon_on_kernel(evutil_socket_t fd, short what, void *arg)
{
	struct daemon *d = arg;

	(void)fd;
	(void)what;
	kernel_process_events(d->kernel);
}

static int daemon_listen(struct daemon *d)
{
	const struct daemon_config *dc = &d->cfg->daemon;
	struct sockaddr_storage addrs[8];
	size_t n = 0;

	for (size_t i = 0; i < dc->n_listen && n < 8; i++) {
		struct sockaddr_storage *ss = &addrs[n++];

		memset(ss, 0, sizeof(*ss));
		ss->ss_family = (sa_family_t)dc->listen[i].family;
		if (dc->listen[i].family == AF_INET)
			memcpy(&((struct sockaddr_in *)ss)->sin_addr, dc->listen[i].bytes, 4);
		else
			memcpy(&((struct sockaddr_in6 *)ss)->sin6_addr, dc->listen[i].bytes, 16);
	}
	return sockets_open(d->base, addrs, n, dc->ike_port, dc->natt_port,
			    d->dispatcher, &d->sockets);
}

/* The control socket's folder (e.g. /run/dualike) is made 0700 when missing. */
static int control_dir_ready(const char *path)
{
	char dir[256];
	char *slash;
	struct stat st;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = '\0';
	if (stat(dir, &st) == 0)
		return 0;
	if (mkdir(dir, 0700) == 0)
		return 0;
	log_error(&log_global, "control socket folder %s: %s (set control_socket in [daemon])",
		  dir, strerror(errno));
	return ERR_IO;
}

int daemon_send(struct daemon *d, int major, const struct datagram *dg)
{
	int rc;

	if (!d->sockets)
		return ERR_STATE;
	rc = sockets_send(d->sockets, dg);
	if (rc == 0 && d->dispatcher)
		dispatch_count_out(d->dispatcher, major);
	return rc;
}

/* The dispatcher's own replies (INVALID_MAJOR_VERSION); it counts them itself. */
static int daemon_send_hook(void *arg, const struct datagram *dg)
{
	struct daemon *d = arg;

	return d->sockets ? sockets_send(d->sockets, dg) : ERR_STATE;
}

/* [daemon] crypto_inline: where the job pool runs KE and signature work. */
static void daemon_apply_crypto_inline(struct daemon *d)
{
	static const enum job_inline modes[] = {
		[CONF_CRYPTO_INLINE_NEVER] = JOB_INLINE_NEVER,
		[CONF_CRYPTO_INLINE_IDLE] = JOB_INLINE_IDLE,
		[CONF_CRYPTO_INLINE_ALWAYS] = JOB_INLINE_ALWAYS,
	};
	enum job_inline mode = modes[d->cfg->daemon.crypto_inline];

	if (!d->jobs)
		return;
	job_pool_set_inline(d->jobs, mode);
	log_info(&log_global, "crypto jobs: %s (%u worker threads, %u usable CPUs)",
		 mode == JOB_INLINE_ALWAYS ? "on the protocol thread" :
		 mode == JOB_INLINE_IDLE ? "on the protocol thread when idle, else on workers" :
		 "on worker threads", job_pool_workers(d->jobs), job_usable_cpus());
}

int daemon_start(struct daemon *d, const char *config_path)
{
	struct config_errors errs;
	struct dispatch_hooks hooks = {
		.policy = engines_policy_hook,
		.v1_input = engines_v1_input,
		.v2_input = engines_v2_input,
		.send = daemon_send_hook,
		.arg = d,
	};
	int rc, fd;

	memset(d, 0, sizeof(*d));
	d->started = time(NULL);
	d->config_path = strdup(config_path);
	config_errors_init(&errs);
	rc = config_load(config_path, &d->cfg, &errs);
	if (rc) {
		daemon_report_errors(&errs, NULL);
		log_error(&log_global, "%s: not started (%s); `dualiked --check-config -c %s` lists the problems",
			  config_path, err_str(rc), config_path);
		config_errors_free(&errs);
		return rc;
	}
	config_errors_free(&errs);
	log_set_level(d->cfg->daemon.log_level);
	rc = engines_load_policy(d);
	if (rc)
		goto fail;
	d->base = event_base_new();
	if (!d->base) {
		rc = ERR_NOMEM;
		goto fail;
	}
	rc = kernel_open(d->cfg->daemon.kernel == CONF_KERNEL_NONE ? "none" : "xfrm", &d->kernel);
	if (rc) {
		log_error(&log_global, "kernel backend: %s (set `kernel = none` in [daemon] to run without one)",
			  err_str(rc));
		goto fail;
	}
	/* an earlier run's SAs and policies would refuse this run's (kernel_cleanup.c) */
	if (d->cfg->daemon.kernel != CONF_KERNEL_NONE)
		kernel_cleanup_stale(d->kernel, d->cfg);
	{
		static const struct kernel_events events = {
			.acquire = daemon_on_acquire,
			.expire = daemon_on_expire,
		};

		kernel_set_events(d->kernel, &events, d);
	}
	fd = kernel_event_fd(d->kernel);
	if (fd >= 0) {
		d->kernel_ev = event_new(d->base, fd, EV_READ | EV_PERSIST, daemon_on_kernel, d);
		if (!d->kernel_ev || event_add(d->kernel_ev, NULL) < 0) {
			rc = ERR_NOMEM;
			goto fail;
		}
	}
	if (d->cfg->daemon.keylog) {
		rc = keylog_open(d->cfg->daemon.keylog, &d->keylog);
		if (rc) {
			log_error(&log_global, "keylog folder %s: %s (fix it or remove `keylog` from [daemon])",
				  d->cfg->daemon.keylog, err_str(rc));
			goto fail;
		}
	}
	d->vauto = version_auto_new();
	rc = d->vauto ? job_pool_new(d->base, 0, &d->jobs) : ERR_NOMEM;
	if (rc == 0)
		daemon_apply_crypto_inline(d);
	if (rc == 0)
		rc = sad_new(&d->sad);
	if (rc)
		goto fail;
	d->dispatcher = dispatch_new(&hooks);
	if (!d->dispatcher) {
		rc = ERR_NOMEM;
		goto fail;
	}
	rc = daemon_listen(d);
	if (rc)
		goto fail;
	if (d->cfg->daemon.control_socket) {
		rc = control_dir_ready(d->cfg->daemon.control_socket);
		if (rc)
			goto fail;
		rc = control_open(d->base, d->cfg->daemon.control_socket,
				  ctl_group_id(d->cfg->daemon.control_group), ctl_commands, d,
				  &d->control);
		if (rc)
			goto fail;
	}
	d->sig_hup = evsignal_new(d->base, SIGHUP, daemon_on_signal, d);
	d->sig_term = evsignal_new(d->base, SIGTERM, daemon_on_signal, d);
	d->sig_int = evsignal_new(d->base, SIGINT, daemon_on_signal, d);
	if (!d->sig_hup || !d->sig_term || !d->sig_int || evsignal_add(d->sig_hup, NULL) ||
	    evsignal_add(d->sig_term, NULL) || evsignal_add(d->sig_int, NULL)) {
		rc = ERR_NOMEM;
		goto fail;
	}
	signal(SIGPIPE, SIG_IGN);
	for (int v = 1; v <= 2; v++) {
		const struct engine_ops *e = engines_for(v);

		if (e->start && (rc = e->start(d)) != 0) {
			log_error(&log_global, "IKEv%d engine did not start: %s", v, err_str(rc));
			goto fail;
		}
	}
	/* after the engines: an ACQUIRE from a trap finds them ready */
	daemon_traps_install(d);
	rc = natt_keepalive_start(d);
	if (rc == 0)
		rc = mem_trim_start(d);
	if (rc)
		goto fail;
	log_info(&log_global, "dualiked " PACKAGE_VERSION " started: %zu connection(s), kernel %s",
		 d->cfg->n_conns, kernel_name(d->kernel));
	return 0;
fail:
	daemon_stop(d);
	return rc;
}

int daemon_after_fork(struct daemon *d)
{
	return event_reinit(d->base) < 0 ? ERR_IO : 0;
}

int daemon_run(struct daemon *d)
{
	return event_base_dispatch(d->base) < 0 ? ERR_IO : 0;
}

void daemon_stop(struct daemon *d)
{
	natt_keepalive_stop(d);
	mem_trim_stop(d);
	if (d->kernel && d->cfg)
		daemon_traps_remove(d, d->cfg);
	for (int v = 1; v <= 2; v++)
		if (engines_for(v)->stop && d->engine_state[v])
			engines_for(v)->stop(d);
	if (d->sig_hup)
		event_free(d->sig_hup);
	if (d->sig_term)
		event_free(d->sig_term);
	if (d->sig_int)
		event_free(d->sig_int);
	control_close(d->control);
	sockets_close(d->sockets);
	dispatch_free(d->dispatcher);
	job_pool_free(d->jobs);
	if (d->sad)
		sad_free(d->sad);
	if (d->kernel_ev)
		event_free(d->kernel_ev);
	if (d->kernel)
		kernel_close(d->kernel);
	keylog_close(d->keylog);
	engines_free_policy(d);
	version_auto_free(d->vauto);
	config_free(d->cfg);
	if (d->base)
		event_base_free(d->base);
	free(d->config_path);
	memset(d, 0, sizeof(*d));
}

int daemon_reload(struct daemon *d, struct evbuffer *err_out)
{
	struct config_errors errs;
	struct config *fresh = NULL;
	int rc;

	config_errors_init(&errs);
	rc = config_load(d->config_path, &fresh, &errs);
	if (rc) {
		daemon_report_errors(&errs, err_out);
		log_error(&log_global, "reload of %s refused (%zu problem(s)); the running configuration stays",
			  d->config_path, errs.n);
		config_errors_free(&errs);
		d->reload_failures++;
		return ERR_PARSE;
	}
	config_errors_free(&errs);
	rc = engines_reload_policy(d, fresh, err_out);
	if (rc) {
		config_free(fresh);
		d->reload_failures++;
		return rc;
	}
	for (size_t i = 0; i < fresh->n_conns; i++) {
		const struct conn_config *old = config_find_conn(d->cfg, fresh->conns[i].name);

		log_info(&log_global, "reload: connection %s %s", fresh->conns[i].name,
			 !old ? "added" : conn_config_equal(old, &fresh->conns[i]) ?
			 "unchanged (its SAs stay)" : "changed");
	}
	for (size_t i = 0; i < d->cfg->n_conns; i++)
		if (!config_find_conn(fresh, d->cfg->conns[i].name))
			log_info(&log_global, "reload: connection %s removed", d->cfg->conns[i].name);
	{
		struct config *old = d->cfg;

		daemon_traps_remove(d, old);
		d->cfg = fresh;
		for (int v = 1; v <= 2; v++)
			if (engines_for(v)->reloaded)
				engines_for(v)->reloaded(d, old);
		daemon_traps_install(d);
		config_free(old);
	}
	log_set_level(d->cfg->daemon.log_level);
	daemon_apply_crypto_inline(d);
	d->reloads++;
	return 0;
}

/* Average of sum over n, in microseconds. */
static uint64_t avg_us(uint64_t sum_ns, uint64_t n)
{
	return n ? sum_ns / n / 1000u : 0;
}

void daemon_jobs_stats_report(struct daemon *d, struct json *j, struct evbuffer *out)
{
	struct job_pool_stats s;

	if (!d->jobs)
		return;
	job_pool_stats(d->jobs, &s);
	if (!j) {
		evbuffer_add_printf(out, "crypto jobs: %llu run (%llu inline), mean us: queued %llu, "
				    "work %llu, waiting for the loop %llu; max us: queued %llu, "
				    "waiting %llu\n", (unsigned long long)s.run,
				    (unsigned long long)s.inline_run,
				    (unsigned long long)avg_us(s.queue_ns, s.run),
				    (unsigned long long)avg_us(s.work_ns, s.run),
				    (unsigned long long)avg_us(s.return_ns, s.run),
				    (unsigned long long)(s.queue_max_ns / 1000u),
				    (unsigned long long)(s.return_max_ns / 1000u));
		return;
	}
	json_object_begin(j, "crypto_jobs");
	json_uint(j, "run", s.run);
	json_uint(j, "inline", s.inline_run);
	json_uint(j, "queued_us_mean", avg_us(s.queue_ns, s.run));
	json_uint(j, "work_us_mean", avg_us(s.work_ns, s.run));
	json_uint(j, "return_us_mean", avg_us(s.return_ns, s.run));
	json_uint(j, "queued_us_max", s.queue_max_ns / 1000u);
	json_uint(j, "return_us_max", s.return_max_ns / 1000u);
	json_object_end(j);
}
