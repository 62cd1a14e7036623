/*
 * daemon_auto.c - `version = auto` between the two engines: which version a
 * connection initiates with, and the guarded fall back to IKEv1 when the
 * IKEv2 attempt was never answered (src/version_auto.h has the rules).
 */
#include <stdio.h>

#include "common/log.h"
#include "src/config.h"
#include "src/daemon.h"
#include "src/engines.h"
#include "src/pins.h"
#include "src/version_auto.h"

/* The peer's key for pins and fallback memory: its configured address. */
static bool auto_peer_key(const struct conn_config *c, char *key, size_t len)
{
	struct sockaddr_storage ss;

	if (!conf_addr_to_sockaddr(&c->remote, &ss))
		return false;
	pins_peer_from_sockaddr((const struct sockaddr *)&ss, key, len);
	return true;
}

int daemon_auto_version(struct daemon *d, const struct conn_config *c)
{
	char key[PINS_PEER_MAX];

	if (c->version != CONF_VERSION_AUTO)
		return c->version == CONF_VERSION_IKEV1 ? 1 : 2;
	if (!d->vauto || !auto_peer_key(c, key, sizeof(key)))
		return 2;
	return version_auto_first(d->vauto, key, d->pins && pins_is_pinned(d->pins, key)) ==
	       AUTO_USE_V1 ? 1 : 2;
}

void daemon_auto_v2_outcome(struct daemon *d, const char *conn, bool established, bool never_answered)
{
	const struct conn_config *c = config_find_conn(d->cfg, conn);
	char key[PINS_PEER_MAX];
	enum auto_decision dec;
	bool pinned;

	if (!c || c->version != CONF_VERSION_AUTO || !d->vauto || !auto_peer_key(c, key, sizeof(key)))
		return;
	pinned = d->pins && pins_is_pinned(d->pins, key);
	dec = version_auto_record(d->vauto, key, established ? AUTO_V2_ESTABLISHED :
				  never_answered ? AUTO_V2_NO_ANSWER : AUTO_V2_FAILED, pinned);
	if (established)
		return;
	if (dec == AUTO_REFUSE_DOWNGRADE)
		log_error(&log_global, "connection %s (version = auto): %s never answered IKEv2 but is "
			  "pinned to it: no fall back to IKEv1 (`dualikectl unpin %s` allows it)",
			  conn, key, key);
	else
		log_info(&log_global, "connection %s (version = auto): IKEv2 %s; %s", conn,
			 never_answered ? "never answered" : "failed", version_auto_decision_str(dec));
	if (dec == AUTO_USE_V1 && engines_for(1)->up)
		engines_for(1)->up(d, c, NULL);
}
