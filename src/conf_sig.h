/*
 * conf_sig.h - `signature` in a [conn] of dualike.conf: which IKEv2 AUTH
 * method our signatures use with auth = pubkey (RFC 7296 3.8, RFC 4754,
 * RFC 7427). The engine's enum v2_sig_pref, in the config's words:
 *
 *   auto         RFC 7427 (method 14) when the peer announced
 *                SIGNATURE_HASH_ALGORITHMS, else method 1 (RSA) or 9/10/11
 *                (ECDSA P-256/384/521) (the default)
 *   classic      always 1 or 9/10/11 (peers without RFC 7427)
 *   rfc7427      always 14; RSA keys sign with PKCS#1 v1.5
 *   rfc7427-pss  always 14; RSA keys sign with RSASSA-PSS
 *
 * Whatever is set, every method is accepted from the peer.
 */
#ifndef DUALIKE_SRC_CONF_SIG_H
#define DUALIKE_SRC_CONF_SIG_H

struct conf_ctx;

enum conf_signature {
	CONF_SIG_AUTO = 0,
	CONF_SIG_CLASSIC,
	CONF_SIG_RFC7427,
	CONF_SIG_RFC7427_PSS,
};

/* The [conn] key parser (conf_conn.c's table); obj is the struct conn_config. */
int conf_sig_k_signature(struct conf_ctx *ctx, void *obj, const char *key, const char *val);

#endif
