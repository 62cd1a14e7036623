/*
 * fuzz_common.h - what the fuzz targets share: the input framing of the
 * engine targets (v1_engine_fuzz, v2_engine_fuzz, the v1 Quick Mode
 * harness and its seeds), a run of datagrams, each a 2-byte big-endian
 * length and then that many bytes, cut to what is left of the input and
 * to max; and the one-time setup (logs silenced, a job pool).
 */
#ifndef DUALIKE_FUZZ_COMMON_H
#define DUALIKE_FUZZ_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "common/job.h"
#include "common/log.h"

/* A log sink that drops every line: fuzzed input makes many, and none is read. */
static inline void fuzz_quiet(enum log_level lvl, const char *line, void *arg)
{
	(void)lvl, (void)line, (void)arg;
}

/* On the first call: logs silenced and *pool made (one worker); abort() when it cannot be. */
static inline void fuzz_setup_once(struct job_pool **pool)
{
	if (*pool)
		return;
	log_set_sink(fuzz_quiet, NULL);
	if (job_pool_new(NULL, 1, pool) < 0)
		abort();
}

/* The next datagram (chunk, len), data and size moved past it; false when none is left. */
static inline bool fuzz_next_chunk(const uint8_t **data, size_t *size, size_t max,
				   const uint8_t **chunk, size_t *len)
{
	size_t n;

	if (*size < 2)
		return false;
	n = (size_t)(*data)[0] << 8 | (*data)[1];
	*data += 2;
	*size -= 2;
	if (n > *size)
		n = *size;
	if (n > max)
		n = max;
	*chunk = *data;
	*len = n;
	*data += n;
	*size -= n;
	return true;
}

#endif
