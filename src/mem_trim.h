/*
 * mem_trim.h - give the heap back after a burst. glibc keeps what is
 * freed (and each crypto worker's arena keeps its own peak), so the RSS of
 * a daemon that set up 100,000 SAs stays at the peak of what the setup
 * held in flight (half-open SAs, KE results, cached messages) long after.
 * When the datagram rate falls well below the burst's, malloc_trim(0)
 * returns the free pages of every arena to the kernel, once per burst.
 */
#ifndef DUALIKE_SRC_MEM_TRIM_H
#define DUALIKE_SRC_MEM_TRIM_H

#include <stdbool.h>
#include <stdint.h>

#define MEM_TRIM_TICK_S 5
#define MEM_TRIM_MIN_BURST 2000u /* datagrams since the last trim before one is worth it */

struct mem_trim_state {
	uint64_t last_seen;   /* the activity counter at the last tick */
	uint64_t since_trim;  /* datagrams since the last trim */
	uint64_t peak_tick;   /* the busiest tick since then */
};

/*
 * One tick with the datagram counter `seen` (monotonic): true when a burst
 * (MEM_TRIM_MIN_BURST or more datagrams since the last trim) has calmed
 * down to a quarter of its busiest tick or less; the state then starts
 * over, so a steady load never trims on every tick.
 */
bool mem_trim_due(struct mem_trim_state *s, uint64_t seen);

struct daemon;
int mem_trim_start(struct daemon *d);
void mem_trim_stop(struct daemon *d);

#endif
