/*
 * engines.h - where the dispatcher hands messages over: the IKEv1 and IKEv2
 * engines' entry points, and the version policy the dispatcher asks first.
 */
#ifndef DUALIKE_SRC_ENGINES_H
#define DUALIKE_SRC_ENGINES_H

#include <stdbool.h>
#include <sys/socket.h>

#include "src/dispatch.h"

struct config;
struct daemon;
struct evbuffer;

/* dispatch_engine_fn for each version; arg is the struct daemon. */
int engines_v1_input(void *arg, const struct datagram *dg, const struct ike_header *hdr);
int engines_v2_input(void *arg, const struct datagram *dg, const struct ike_header *hdr);
/* Name of an exchange type of a version, for logs ("IKE_SA_INIT", "Main Mode"). */
const char *engines_exchange_name(int major, int exchange);

/* dispatch_policy_fn: peers.policy decides; arg is the struct daemon. */
bool engines_policy_hook(void *arg, const struct sockaddr *peer, int major, const char **rule);
/* Load peers.policy, secrets and pins named by d->cfg; errors are logged. */
int engines_load_policy(struct daemon *d);
/* Load them for a new configuration; on success replace the running ones. */
int engines_reload_policy(struct daemon *d, const struct config *fresh, struct evbuffer *err_out);
void engines_free_policy(struct daemon *d);

#endif
