/*
 * engines.h - the seam between the daemon and the two IKE engines.
 *
 * Each version's engine is plugged in through one `struct engine_ops`,
 * defined in src/engine_v1.c and src/engine_v2.c: the glue that turns the
 * daemon's configuration, sockets, kernel backend, job pool and SAD into
 * what the engine in v1/ or v2/ needs. The dispatcher hands messages to
 * engines_v1_input()/engines_v2_input(); dualikectl's up, down and list-sas
 * go through the same table. The version policy the dispatcher asks first
 * lives here too (daemon_policy.c).
 */
#ifndef DUALIKE_SRC_ENGINES_H
#define DUALIKE_SRC_ENGINES_H

#include <stdbool.h>
#include <sys/socket.h>

#include "src/dispatch.h"

struct config;
struct conn_config;
struct daemon;
struct evbuffer;
struct json;

struct engine_ops {
	int version;  /* 1 or 2 */
	bool built;   /* false: messages are counted and dropped */
	/* After sockets, kernel, jobs and SAD exist: make engine state, start `auto = start` conns. */
	int (*start)(struct daemon *d);
	/* Before the daemon frees its parts: delete SAs (sending Deletes), free engine state. */
	void (*stop)(struct daemon *d);
	/* One message the dispatcher routed here (marker stripped); 0 or a negative ERR_*. */
	int (*input)(struct daemon *d, const struct datagram *dg, const struct ike_header *hdr);
	/* dualikectl up/down NAME: write what happened to out; 0 or the exit status. */
	int (*up)(struct daemon *d, const struct conn_config *c, struct evbuffer *out);
	int (*down)(struct daemon *d, const struct conn_config *c, struct evbuffer *out);
	/* dualikectl list-sas: this engine's IKE SAs (JSON objects into the open array, or text). */
	void (*list_sas)(struct daemon *d, struct json *j, struct evbuffer *out);
	/* After a reload replaced d->cfg: old is the previous configuration (freed afterwards). */
	void (*reloaded)(struct daemon *d, const struct config *old);
};

/*
 * IKEv2: force a CREATE_CHILD_SA on a connection's IKE SA: what = "child"
 * (rekey its first child), "ike" (rekey the IKE SA) or "new-child".
 * 0, ERR_NOTFOUND (no such SA), ERR_STATE (another exchange is out), ERR_INVAL.
 */
int engine_v2_rekey(struct daemon *d, const char *conn, const char *what);

/*
 * dualikectl stats: the IKEv2 engine's own counters (COOKIEs sent, RFC 7296
 * 2.6; rekeys, retransmits, drops) as the object "ikev2_engine", or text.
 */
void engine_v2_stats_report(struct daemon *d, struct json *j, struct evbuffer *out);

/* The running IKEv2 engine (kernel events, keepalives), or NULL. */
struct v2_engine *engine_v2_engine(struct daemon *d);

extern const struct engine_ops engine_v1_ops;
extern const struct engine_ops engine_v2_ops;
/* The engine for a version (1 or 2), never NULL for those. */
const struct engine_ops *engines_for(int version);

/* dispatch_engine_fn for each version; arg is the struct daemon. */
int engines_v1_input(void *arg, const struct datagram *dg, const struct ike_header *hdr);
int engines_v2_input(void *arg, const struct datagram *dg, const struct ike_header *hdr);
/* Name of an exchange type of a version, for logs ("IKE_SA_INIT", "Main Mode"). */
const char *engines_exchange_name(int major, int exchange);
/* The log line (rate-limited) and refusal of a message for an engine not built yet. */
int engines_not_built(int major, const struct datagram *dg, const struct ike_header *hdr);

/* dispatch_policy_fn: peers.policy decides; arg is the struct daemon. */
bool engines_policy_hook(void *arg, const struct sockaddr *peer, int major, const char **rule);
/* Load peers.policy, secrets and pins named by d->cfg; errors are logged. */
int engines_load_policy(struct daemon *d);
/* Load them for a new configuration; on success replace the running ones. */
int engines_reload_policy(struct daemon *d, const struct config *fresh, struct evbuffer *err_out);
/* Before freeing them, the pins' unsaved refreshes are written. */
void engines_free_policy(struct daemon *d);
/*
 * Downgrade protection (DESIGN.md "Versions per peer"): peer `key` has
 * completed IKEv2. A new pin is saved at once (pins.h: atomic, fsync'd); a
 * known peer only gets its latest completion time refreshed, saved within
 * ENGINES_PIN_TIMES_SAVE_S seconds and at stop, so a busy responder does
 * not rewrite and fsync the file for every SA.
 */
#define ENGINES_PIN_TIMES_SAVE_S 60
void engines_pin_peer(struct daemon *d, const char *key);

#endif
