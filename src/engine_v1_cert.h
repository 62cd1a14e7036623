/*
 * engine_v1_cert.h - dualike.conf's `auth = pubkey` settings (src/conf_cert.h)
 * as the IKEv1 engine's struct v1_pubkey (v1/v1_pubkey.h).
 */
#ifndef DUALIKE_SRC_ENGINE_V1_CERT_H
#define DUALIKE_SRC_ENGINE_V1_CERT_H

#include <stddef.h>
#include <stdio.h>

#include "src/conf_cert.h"
#include "v1/v1_engine.h"

/*
 * Give c the certificate chain and key of cc (references), its own trust
 * store loaded from cc's CA and CRL paths (the configuration's store dies
 * with a reload while SAs may keep the connection), and the send_cert
 * policy. 0, or a negative ERR_* after a log line naming the connection.
 */
int engine_v1_pubkey(struct v1_conn *c, const struct conf_cert *cc);

struct config;
/*
 * For --check-config: make every IKEv1-capable auth = pubkey connection's
 * engine key as the daemon will (engine_v1_pubkey) and print, one line
 * each, the ones IKEv1 refuses and why (an Ed25519 key: IKEv1 has no
 * method for it; RSA and ECDSA sign, v1/v1_pubkey.c). Returns how many
 * `version = ikev1` connections are refused (unusable); a `version = auto`
 * one is printed too but not counted (its IKEv2 still works).
 */
size_t engine_v1_check_config(const struct config *cfg, FILE *f);

#endif
