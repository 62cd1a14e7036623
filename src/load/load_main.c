/*
 * load_main.c - dualike-load's main(): options, one run, the summary.
 * Exit status: 0 when every SA came up, 1 when some did not, 2 on a
 * usage or setup error.
 */
#include <stdio.h>

#include "common/err.h"
#include "common/log.h"
#include "common/rand.h"
#include "common/secret.h"
#include "src/load/load.h"

int main(int argc, char **argv)
{
	struct load_opts o;
	struct load_stats st;
	int rc;

	if (load_opts_parse(argc, argv, &o))
		return 2;
	/* the engine logs every SA at info: a load run wants errors only */
	log_setup(LOG_TO_STDERR, LOG_LEVEL_ERROR, "dualike-load");
	/* the initiator's SPIs, nonces, KE values, IVs from a pool (rand.h); forked workers drop theirs */
	if (rand_pool_setup()) {
		fprintf(stderr, "dualike-load: libsodium did not initialise\n");
		return 2;
	}
	if (load_stats_init(&st, o.count)) {
		fprintf(stderr, "dualike-load: out of memory\n");
		return 2;
	}
	rc = o.workers > 1 ? load_workers_run(&o, &st) : load_run(&o, &st, NULL);
	secret_wipe(o.psk, sizeof(o.psk));
	if (rc) {
		fprintf(stderr, "dualike-load: %s\n", err_str(rc));
		load_stats_free(&st);
		return 2;
	}
	load_report(stdout, &st, &o);
	rc = st.established == o.count ? 0 : 1;
	load_stats_free(&st);
	return rc;
}
