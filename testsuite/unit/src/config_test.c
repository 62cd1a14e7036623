#include "src/config.h"
#include "testsuite/lib/tap.h"
#include <stdlib.h>
int main(void)
{
	struct config *cfg; struct config_errors e; char p[512];
	config_errors_init(&e);
	snprintf(p, sizeof p, "%s/etc/dualike.conf", getenv("DUALIKE_SRCDIR"));
	int r = config_load(p, &cfg, &e);
	config_errors_print(&e, stdout);
	tap_eq_int(r, 0, "loads");
	config_free(cfg); config_errors_free(&e);
	return tap_done();
}
