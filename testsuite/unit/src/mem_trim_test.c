/* mem_trim_test.c - when the daemon returns freed heap to the kernel (src/mem_trim.c). */
#include <string.h>

#include "src/mem_trim.h"
#include "testsuite/lib/tap.h"

/* Feed ticks of `per_tick` datagrams; how many of them said "trim". */
static int ticks(struct mem_trim_state *s, uint64_t *seen, uint64_t per_tick, int n)
{
	int due = 0;

	for (int i = 0; i < n; i++) {
		*seen += per_tick;
		due += mem_trim_due(s, *seen);
	}
	return due;
}

int main(void)
{
	struct mem_trim_state s;
	uint64_t seen = 0;

	memset(&s, 0, sizeof(s));
	tap_eq_int(ticks(&s, &seen, 0, 10), 0, "an idle daemon never trims");
	tap_eq_int(ticks(&s, &seen, 100, 10), 0, "a trickle under the burst size: no trim");
	tap_eq_int(ticks(&s, &seen, 5000, 6), 0, "no trim while the burst goes on");
	tap_eq_int(ticks(&s, &seen, 3000, 1), 0, "nor when it slows only a little");
	tap_eq_int(ticks(&s, &seen, 200, 1), 1, "the burst calms down: one trim");
	tap_eq_int(ticks(&s, &seen, 200, 10), 0, "once: the calm after it trims no more");
	tap_eq_int(ticks(&s, &seen, 4000, 50), 0, "a steady load never trims");
	tap_eq_int(ticks(&s, &seen, 0, 3), 1, "it stops: one trim");
	tap_eq_int(ticks(&s, &seen, 0, 3), 0, "and none after");
	/* a counter that went backwards (a reset) is no activity, not a huge burst */
	tap_eq_int(mem_trim_due(&s, 0), 0, "a counter reset is not a burst");
	return tap_done();
}
