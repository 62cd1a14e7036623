/*
 * log.h - logging to stderr or syslog, with a per-SA context.
 *
 * Every line about an SA is written through that SA's struct logger, whose
 * context ("conn-name #serial SPIi:SPIr") prefixes the line, so a log can be
 * grepped per SA. Lines caused by unauthenticated input go through
 * log_unauth(), which is rate-limited (token bucket) and counts what it
 * suppressed. Never pass key material to these functions.
 */
#ifndef DUALIKE_COMMON_LOG_H
#define DUALIKE_COMMON_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum log_level {
	LOG_LEVEL_ERROR = 0,
	LOG_LEVEL_WARN = 1,
	LOG_LEVEL_INFO = 2,
	LOG_LEVEL_DEBUG = 3,
};

enum log_target {
	LOG_TO_STDERR,
	LOG_TO_SYSLOG,
};

/*
 * A logger's prefix is fixed text (ctx), or, when prefix is set, made
 * only when a line is actually written: an SA's logger (common/sad.c)
 * formats "conn #serial SPIs" from its SAD entry then, so 200,000 SAD
 * entries carry no 128-byte copy that every SPI change would refresh.
 */
#define LOGGER_PREFIX_MAX 128
struct logger {
	const char *ctx;
	void (*prefix)(const struct logger *lg, char *buf, size_t len);
};

/* The logger for lines that belong to no SA (prefix "dualike"). */
extern const struct logger log_global;

void log_setup(enum log_target target, enum log_level level, const char *ident);
void log_set_level(enum log_level level);
enum log_level log_get_level(void);
/*
 * True when a line at lvl would be written. Check it before formatting
 * costly arguments (addresses, hex) of a line that is usually suppressed:
 * log_msg() drops such a line only after its arguments were computed.
 */
bool log_enabled(enum log_level lvl);
/* Parse "error", "warn", "info", "debug"; false when unknown. */
bool log_level_parse(const char *s, enum log_level *out);

/* The logger's prefix as text: ctx, or made into buf (LOGGER_PREFIX_MAX is enough). */
const char *logger_prefix(const struct logger *lg, char *buf, size_t len);

void log_msg(const struct logger *lg, enum log_level lvl, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void log_vmsg(const struct logger *lg, enum log_level lvl, const char *fmt,
	      va_list ap) __attribute__((format(printf, 3, 0)));

#define log_error(lg, ...) log_msg((lg), LOG_LEVEL_ERROR, __VA_ARGS__)
#define log_warn(lg, ...) log_msg((lg), LOG_LEVEL_WARN, __VA_ARGS__)
#define log_info(lg, ...) log_msg((lg), LOG_LEVEL_INFO, __VA_ARGS__)
#define log_debug(lg, ...) log_msg((lg), LOG_LEVEL_DEBUG, __VA_ARGS__)

/*
 * A line caused by input nobody has authenticated yet: allowed at most
 * `burst` at once and `per_sec` per second on average (see log_unauth_limit);
 * the rest are counted and summarised by the next line that gets through.
 * now_ms is a monotonic clock in milliseconds (tests pass their own).
 */
void log_unauth_limit(unsigned per_sec, unsigned burst);
void log_unauth_at(uint64_t now_ms, const struct logger *lg,
		   enum log_level lvl, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
#define log_unauth(lg, lvl, ...) log_unauth_at(log_now_ms(), (lg), (lvl), __VA_ARGS__)
uint64_t log_now_ms(void);
/* Lines dropped by the rate limit since start. */
uint64_t log_unauth_suppressed(void);

/*
 * Tests capture output: when set, every formatted line goes to this sink
 * instead of stderr/syslog.
 */
typedef void (*log_sink_fn)(enum log_level lvl, const char *line, void *arg);
void log_set_sink(log_sink_fn fn, void *arg);

#endif
