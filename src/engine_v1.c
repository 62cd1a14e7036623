/*
 * engine_v1.c - the IKEv1 engine as the daemon sees it (struct engine_ops).
 *
 * The IKEv1 exchanges are not built yet (issue 5): a message routed
 * here is logged (rate-limited) and refused, so the dispatcher counts it as
 * an engine drop; up and down say so.
 */
#include <event2/buffer.h>

#include "src/config.h"
#include "src/daemon.h"
#include "src/engines.h"

static int engine_v1_input(struct daemon *d, const struct datagram *dg, const struct ike_header *hdr)
{
	(void)d;
	return engines_not_built(1, dg, hdr);
}

static int engine_v1_not_built(struct daemon *d, const struct conn_config *c, struct evbuffer *out)
{
	(void)d;
	evbuffer_add_printf(out, "connection %s: this dualiked has no IKEv1 engine built yet\n", c->name);
	return 1;
}

const struct engine_ops engine_v1_ops = {
	.version = 1,
	.built = false,
	.input = engine_v1_input,
	.up = engine_v1_not_built,
	.down = engine_v1_not_built,
};
