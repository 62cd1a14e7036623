/*
 * fuzz_chunks.h - the input framing the engine fuzz targets share
 * (v1_engine_fuzz, v2_engine_fuzz, the v1 Quick Mode harness and its
 * seeds): a run of datagrams, each a 2-byte big-endian length and then
 * that many bytes, cut to what is left of the input and to max.
 */
#ifndef DUALIKE_FUZZ_CHUNKS_H
#define DUALIKE_FUZZ_CHUNKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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
