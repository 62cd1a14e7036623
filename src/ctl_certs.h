/*
 * ctl_certs.h - `dualikectl list-certs`: the certificates the loaded
 * configuration uses (our own and their intermediates, the trust anchors)
 * with subject, issuer, subjectAltNames, validity, key type and the
 * connections that use each (dualikectl(8)).
 */
#ifndef DUALIKE_SRC_CTL_CERTS_H
#define DUALIKE_SRC_CTL_CERTS_H

#include <stdbool.h>

struct evbuffer;

int ctl_certs_list(void *ctx, int argc, char **argv, bool json, struct evbuffer *out);

#endif
