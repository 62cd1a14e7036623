/*
 * dispatch_fuzz.c - libFuzzer target for the dispatcher: any datagram, on
 * the IKE port or the NAT-T port (the first input byte chooses), through the
 * fixed-header read, marker/keepalive handling, version routing and the
 * INVALID_MAJOR_VERSION reply. The engine hooks check that what they are
 * handed is consistent with the header.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "src/dispatch.h"
#include "testsuite/fuzz/fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int engine_in(void *arg, const struct datagram *dg, const struct ike_header *hdr)
{
	(void)arg;
	if (dg->len != hdr->length || dg->len < IKE_HEADER_LEN)
		abort(); /* the dispatcher promised an exact, complete message */
	return 0;
}

static int reply_out(void *arg, const struct datagram *dg)
{
	(void)arg;
	if (dg->len > 40)
		abort(); /* a reply never exceeds marker + header + empty notify */
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dispatcher *d;
	struct datagram dg;

	if (!d) {
		struct dispatch_hooks hooks = { .v1_input = engine_in, .v2_input = engine_in,
						.send = reply_out };

		log_set_sink(fuzz_quiet, NULL);
		d = dispatch_new(&hooks);
	}
	if (size < 1)
		return 0;
	memset(&dg, 0, sizeof(dg));
	dg.peer.ss_family = AF_INET;
	dg.local.ss_family = AF_INET;
	dg.natt_port = data[0] & 1;
	dg.data = data + 1;
	dg.len = size - 1;
	dispatch_datagram(d, &dg);
	return 0;
}
