/* conf_value.c - reading values of dualike.conf: booleans, durations, keywords. */
#include <ctype.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/err.h"
#include "src/conf_int.h"

bool conf_bool_parse(const char *s, bool *out)
{
	if (strcasecmp(s, "yes") == 0 || strcasecmp(s, "true") == 0) {
		*out = true;
		return true;
	}
	if (strcasecmp(s, "no") == 0 || strcasecmp(s, "false") == 0) {
		*out = false;
		return true;
	}
	return false;
}

/* NUMBER then an optional unit; unit_ms is the unit's length in milliseconds. */
static bool duration(const char *s, bool allow_ms, uint64_t *ms)
{
	static const struct {
		const char *suffix;
		uint64_t ms;
	} units[] = { { "", 1000 }, { "s", 1000 }, { "m", 60000 }, { "h", 3600000 },
		      { "d", 86400000 }, { "ms", 1 } };
	unsigned long long v;
	char *end;

	if (!isdigit((unsigned char)*s))
		return false;
	v = strtoull(s, &end, 10);
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcasecmp(end, units[i].suffix) != 0)
			continue;
		if (units[i].ms == 1 && !allow_ms)
			return false;
		if (v > UINT32_MAX)
			return false;
		*ms = v * units[i].ms;
		return true;
	}
	return false;
}

bool conf_duration_parse(const char *s, uint32_t *seconds)
{
	uint64_t ms;

	if (!duration(s, false, &ms) || ms / 1000 > UINT32_MAX)
		return false;
	*seconds = (uint32_t)(ms / 1000);
	return true;
}

bool conf_duration_ms_parse(const char *s, uint32_t *out)
{
	uint64_t ms;

	if (!duration(s, true, &ms) || ms > UINT32_MAX)
		return false;
	*out = (uint32_t)ms;
	return true;
}

int conf_enum_parse(const char *s, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcasecmp(s, names[i]) == 0)
			return (int)i;
	return -1;
}

unsigned conf_edit_distance(const char *a, const char *b, unsigned cap)
{
	size_t n = strlen(a), m = strlen(b);
	unsigned row[64];

	if (n >= 64 || m >= 64)
		return cap;
	for (size_t j = 0; j <= m; j++)
		row[j] = (unsigned)j;
	for (size_t i = 1; i <= n; i++) {
		unsigned diag = row[0];

		row[0] = (unsigned)i;
		for (size_t j = 1; j <= m; j++) {
			unsigned up = row[j];
			unsigned v = diag + (tolower((unsigned char)a[i - 1]) !=
					     tolower((unsigned char)b[j - 1]));

			if (up + 1 < v)
				v = up + 1;
			if (row[j - 1] + 1 < v)
				v = row[j - 1] + 1;
			row[j] = v;
			diag = up;
		}
	}
	return row[m] < cap ? row[m] : cap;
}

const char *conf_closest(const char *word, const char *const *names, size_t n)
{
	const char *best = NULL;
	unsigned best_d = 3;

	for (size_t i = 0; i < n; i++) {
		unsigned d = conf_edit_distance(word, names[i], 3);

		if (d < best_d) {
			best_d = d;
			best = names[i];
		}
	}
	return best;
}
