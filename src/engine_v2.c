/*
 * engine_v2.c - the IKEv2 engine as the daemon sees it (struct engine_ops).
 *
 * The IKEv2 exchanges are not built yet (issue 4): a message routed
 * here is logged (rate-limited) and refused, so the dispatcher counts it as
 * an engine drop; up and down say so.
 */
#include <event2/buffer.h>

#include "src/config.h"
#include "src/daemon.h"
#include "src/engines.h"

static int engine_v2_input(struct daemon *d, const struct datagram *dg, const struct ike_header *hdr)
{
	(void)d;
	return engines_not_built(2, dg, hdr);
}

static int engine_v2_not_built(struct daemon *d, const struct conn_config *c, struct evbuffer *out)
{
	(void)d;
	evbuffer_add_printf(out, "connection %s: this dualiked has no IKEv2 engine built yet\n", c->name);
	return 1;
}

const struct engine_ops engine_v2_ops = {
	.version = 2,
	.built = false,
	.input = engine_v2_input,
	.up = engine_v2_not_built,
	.down = engine_v2_not_built,
};
