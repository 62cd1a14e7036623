/* log.c - stderr/syslog logging with per-SA context and a rate limit. */
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "common/log.h"

const struct logger log_global = { .ctx = "dualike" };

static enum log_target log_target = LOG_TO_STDERR;
static enum log_level log_level = LOG_LEVEL_INFO;
static log_sink_fn log_sink;
static void *log_sink_arg;

/* Token bucket for unauthenticated input, in thousandths of a token. */
static unsigned unauth_per_sec = 10;
static unsigned unauth_burst = 20;
static uint64_t unauth_tokens_milli = 20 * 1000;
static uint64_t unauth_last_ms;
static bool unauth_started;
static uint64_t unauth_suppressed_total;
static uint64_t unauth_suppressed_since_line;

static const char *const level_names[] = { "error", "warn", "info", "debug" };

void log_setup(enum log_target target, enum log_level level, const char *ident)
{
	log_target = target;
	log_level = level;
	if (target == LOG_TO_SYSLOG)
		openlog(ident ? ident : "dualiked", LOG_PID | LOG_NDELAY,
			LOG_DAEMON);
}

void log_set_level(enum log_level level)
{
	log_level = level;
}

enum log_level log_get_level(void)
{
	return log_level;
}

bool log_enabled(enum log_level lvl)
{
	return lvl <= log_level;
}

bool log_level_parse(const char *s, enum log_level *out)
{
	for (unsigned i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++) {
		if (strcmp(s, level_names[i]) == 0) {
			*out = (enum log_level)i;
			return true;
		}
	}
	return false;
}

const char *logger_prefix(const struct logger *lg, char *buf, size_t len)
{
	if (!lg)
		lg = &log_global;
	if (!lg->prefix)
		return lg->ctx ? lg->ctx : "";
	if (len)
		buf[0] = '\0';
	lg->prefix(lg, buf, len);
	return buf;
}

void log_set_sink(log_sink_fn fn, void *arg)
{
	log_sink = fn;
	log_sink_arg = arg;
}

void log_vmsg(const struct logger *lg, enum log_level lvl, const char *fmt,
	      va_list ap)
{
	static const int syslog_prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };
	char body[1024];
	char line[1200];
	char ctx[LOGGER_PREFIX_MAX];

	if (lvl > log_level)
		return;
	vsnprintf(body, sizeof(body), fmt, ap);
	snprintf(line, sizeof(line), "%s: %s", logger_prefix(lg, ctx, sizeof(ctx)), body);
	if (log_sink) {
		log_sink(lvl, line, log_sink_arg);
		return;
	}
	if (log_target == LOG_TO_SYSLOG) {
		syslog(syslog_prio[lvl], "%s", line);
		return;
	}
	fprintf(stderr, "%-5s %s\n", level_names[lvl], line);
}

void log_msg(const struct logger *lg, enum log_level lvl, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(lg, lvl, fmt, ap);
	va_end(ap);
}

uint64_t log_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

void log_unauth_limit(unsigned per_sec, unsigned burst)
{
	unauth_per_sec = per_sec;
	unauth_burst = burst ? burst : 1;
	unauth_tokens_milli = (uint64_t)unauth_burst * 1000u;
	unauth_started = false;
}

uint64_t log_unauth_suppressed(void)
{
	return unauth_suppressed_total;
}

void log_unauth_at(uint64_t now_ms, const struct logger *lg,
		   enum log_level lvl, const char *fmt, ...)
{
	uint64_t cap = (uint64_t)unauth_burst * 1000u;
	va_list ap;

	if (lvl > log_level)
		return;
	if (!unauth_started) {
		unauth_started = true;
		unauth_last_ms = now_ms;
	}
	if (now_ms > unauth_last_ms) {
		/* refill: per_sec tokens per 1000 ms = per_sec milli-tokens per ms */
		uint64_t add = (now_ms - unauth_last_ms) * unauth_per_sec;
		unauth_tokens_milli = add > cap - unauth_tokens_milli ?
			cap : unauth_tokens_milli + add;
		unauth_last_ms = now_ms;
	}
	if (unauth_tokens_milli < 1000) {
		unauth_suppressed_total++;
		unauth_suppressed_since_line++;
		return;
	}
	unauth_tokens_milli -= 1000;
	if (unauth_suppressed_since_line) {
		log_msg(lg, lvl, "(%llu similar lines from unauthenticated input suppressed)",
			(unsigned long long)unauth_suppressed_since_line);
		unauth_suppressed_since_line = 0;
	}
	va_start(ap, fmt);
	log_vmsg(lg, lvl, fmt, ap);
	va_end(ap);
}
