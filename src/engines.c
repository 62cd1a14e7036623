/*
 * engines.c - the engines' entry points as the dispatcher sees them, and
 * exchange names for logs. Which engine is plugged in is decided by
 * src/engine_v1.c and src/engine_v2.c.
 */
#include <stdio.h>

#include "common/err.h"
#include "common/log.h"
#include "src/engines.h"

const char *engines_exchange_name(int major, int exchange)
{
	if (major == 2) {
		switch (exchange) {
		case 34: return "IKE_SA_INIT";      /* RFC 7296 3.1 */
		case 35: return "IKE_AUTH";
		case 36: return "CREATE_CHILD_SA";
		case 37: return "INFORMATIONAL";
		case 43: return "IKE_INTERMEDIATE"; /* RFC 9242 */
		}
	} else if (major == 1) {
		switch (exchange) {
		case 1: return "Base";              /* RFC 2408 4.4 */
		case 2: return "Main Mode";         /* Identity Protection */
		case 4: return "Aggressive Mode";
		case 5: return "Informational";
		case 32: return "Quick Mode";       /* RFC 2409 5.5 */
		case 33: return "New Group Mode";
		}
	}
	return "unknown exchange";
}

int engines_not_built(int major, const struct datagram *dg, const struct ike_header *hdr)
{
	char peer[64];

	log_unauth(&log_global, LOG_LEVEL_INFO,
		   "IKEv%d %s (%zu bytes) from %s, SPIi %02x%02x%02x%02x%02x%02x%02x%02x: "
		   "this dualiked has no IKEv%d engine yet; dropped",
		   major, engines_exchange_name(major, hdr->exchange), dg->len,
		   sockaddr_str((const struct sockaddr *)&dg->peer, peer, sizeof(peer)),
		   hdr->spi_i[0], hdr->spi_i[1], hdr->spi_i[2], hdr->spi_i[3],
		   hdr->spi_i[4], hdr->spi_i[5], hdr->spi_i[6], hdr->spi_i[7], major);
	return ERR_UNSUPPORTED;
}

const struct engine_ops *engines_for(int version)
{
	return version == 1 ? &engine_v1_ops : &engine_v2_ops;
}

int engines_v1_input(void *arg, const struct datagram *dg, const struct ike_header *hdr)
{
	return engine_v1_ops.input(arg, dg, hdr);
}

int engines_v2_input(void *arg, const struct datagram *dg, const struct ike_header *hdr)
{
	return engine_v2_ops.input(arg, dg, hdr);
}
