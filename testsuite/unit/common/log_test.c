/* log_test.c - per-SA context prefix, levels and the rate limit. */
#include <stdio.h>
#include <string.h>

#include "common/log.h"
#include "testsuite/lib/tap.h"

static char last[1200];
static unsigned lines;

static void sink(enum log_level lvl, const char *line, void *arg)
{
	(void)lvl;
	(void)arg;
	snprintf(last, sizeof(last), "%s", line);
	lines++;
}

static unsigned prefix_calls;

/* A prefix made per line, as an SA's (common/sad.c). */
static void made_prefix(const struct logger *lg, char *buf, size_t len)
{
	(void)lg;
	prefix_calls++;
	snprintf(buf, len, "conn %s #%u %016llx:%016llx", "west", 7u, 0x0123456789abcdefULL, 0ULL);
}

int main(void)
{
	struct logger lg = { .prefix = made_prefix };
	struct logger fixed = { .ctx = "kernel-none" };
	enum log_level lvl;
	char buf[LOGGER_PREFIX_MAX];

	log_set_sink(sink, NULL);
	log_set_level(LOG_LEVEL_INFO);
	log_info(&lg, "IKE_SA_INIT sent");
	tap_eq_str(last, "conn west #7 0123456789abcdef:0000000000000000: IKE_SA_INIT sent",
		   "every line carries the SA's context");
	lines = 0;
	prefix_calls = 0;
	log_debug(&lg, "hidden");
	tap_eq_int(lines, 0, "debug lines are hidden at level info");
	tap_ok(log_enabled(LOG_LEVEL_INFO) && log_enabled(LOG_LEVEL_ERROR) &&
	       !log_enabled(LOG_LEVEL_DEBUG), "log_enabled: info and error at level info, not debug");
	tap_eq_int(prefix_calls, 0, "a hidden line does not make the prefix");
	log_info(&fixed, "up");
	tap_eq_str(last, "kernel-none: up", "a fixed prefix");
	tap_eq_str(logger_prefix(&lg, buf, sizeof(buf)), "conn west #7 0123456789abcdef:0000000000000000",
		   "logger_prefix makes a made prefix");
	lines = 0;
	log_set_level(LOG_LEVEL_DEBUG);
	tap_ok(log_enabled(LOG_LEVEL_DEBUG), "log_enabled: debug at level debug");
	log_debug(&lg, "shown");
	tap_eq_int(lines, 1, "debug lines appear at level debug");
	log_info(&log_global, "daemon line");
	tap_eq_str(last, "dualike: daemon line", "global logger prefix");
	tap_ok(log_level_parse("warn", &lvl) && lvl == LOG_LEVEL_WARN, "parse level names");
	tap_ok(!log_level_parse("loud", &lvl), "unknown level names are refused");

	/* Rate limit: burst 3, 2 per second. */
	log_unauth_limit(2, 3);
	lines = 0;
	for (int i = 0; i < 10; i++)
		log_unauth_at(1000, &lg, LOG_LEVEL_WARN, "garbage %d", i);
	tap_eq_int(lines, 3, "only the burst of unauthenticated lines passes at once");
	tap_eq_int((long long)log_unauth_suppressed(), 7, "the rest are counted");
	lines = 0;
	log_unauth_at(1500, &lg, LOG_LEVEL_WARN, "after half a second");
	tap_eq_int(lines, 2, "half a second later: one token, plus a summary line");
	tap_ok(strstr(last, "after half a second") != NULL, "the line itself is printed last");
	lines = 0;
	log_unauth_at(1500, &lg, LOG_LEVEL_WARN, "no token left");
	tap_eq_int(lines, 0, "no token, no line");
	log_set_sink(NULL, NULL);
	return tap_done();
}
