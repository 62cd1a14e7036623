/*
 * soak.c - N IKE SA + child SA create/delete cycles between two in-process
 * engines (v1 or v2, `none` kernel), for soak.sh under LeakSanitizer. The
 * engines live for the whole run, so anything a cycle leaves behind grows.
 * Prints RSS (VmRSS, kB) before and after and the failures; exit 1 on any.
 *   soak v2|v1 CYCLES
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/job.h"
#include "common/kernel.h"
#include "common/log.h"
#include "testsuite/regress/v1_pair.h"
#include "testsuite/regress/v2_pair.h"

static long rss_kb(void)
{
	char line[256];
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "r");

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "VmRSS:", 6))
			kb = strtol(line + 6, NULL, 10);
	if (f)
		fclose(f);
	return kb;
}

static struct v2_pair p2;
static struct v1_pair p1;

int main(int argc, char **argv)
{
	struct job_pool *pool;
	bool v1 = argc > 1 && !strcmp(argv[1], "v1");
	long cycles = argc > 2 ? strtol(argv[2], NULL, 10) : 10000, bad = 0, warm = 0;

	log_set_level(LOG_LEVEL_ERROR);
	if (job_pool_new(NULL, 1, &pool) < 0)
		return 1;
	if (v1 ? v1p_open(&p1, pool, false) : v2p_open(&p2, pool, "aes128-sha256-prfsha256-x25519", "aes128-sha256"))
		return 1;
	for (long i = 0; i < cycles; i++) {
		if (i == 100)
			warm = rss_kb(); /* after the allocator's first growth */
		if (v1) {
			unsigned e0, e1;

			p1.made[0] = p1.made[1] = 0;
			if (v1p_establish(&p1) < 0)
				bad++;
			v1_engine_delete_conn(p1.eng[0], "lab");
			v1p_run(&p1);
			if (v1p_count(&p1, 0, &e0) + v1p_count(&p1, 1, &e1) || kernel_count_sas(p1.kernel[1]))
				bad++;
		} else {
			p2.s[0].established = p2.s[1].established = 0;
			if (v2p_establish(&p2) < 0)
				bad++;
			v2_engine_down(p2.s[0].eng, "lab");
			v2p_run(&p2);
			if (v2_engine_count_sas(p2.s[0].eng) + v2_engine_count_sas(p2.s[1].eng) ||
			    kernel_count_sas(p2.s[1].kernel))
				bad++;
		}
	}
	printf("%s: %ld cycles, %ld failed, RSS after 100 cycles %ld kB, after %ld cycles %ld kB\n",
	       v1 ? "IKEv1" : "IKEv2", cycles, bad, warm, cycles, rss_kb());
	if (v1)
		v1p_close(&p1);
	else
		v2p_close(&p2);
	job_pool_free(pool);
	return bad ? 1 : 0;
}
