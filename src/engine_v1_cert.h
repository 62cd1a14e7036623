/*
 * engine_v1_cert.h - dualike.conf's `auth = pubkey` settings (src/conf_cert.h)
 * as the IKEv1 engine's struct v1_pubkey (v1/v1_pubkey.h).
 */
#ifndef DUALIKE_SRC_ENGINE_V1_CERT_H
#define DUALIKE_SRC_ENGINE_V1_CERT_H

#include "src/conf_cert.h"
#include "v1/v1_engine.h"

/*
 * Give c the certificate chain and key of cc (references), its own trust
 * store loaded from cc's CA and CRL paths (the configuration's store dies
 * with a reload while SAs may keep the connection), and the send_cert
 * policy. 0, or a negative ERR_* after a log line naming the connection.
 */
int engine_v1_pubkey(struct v1_conn *c, const struct conf_cert *cc);

#endif
