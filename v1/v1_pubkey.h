/*
 * v1_pubkey.h - what a connection needs to authenticate IKEv1 phase 1 with
 * signatures (RFC 2409 5.1; RSA, and ECDSA as RFC 4754 7-8 adds): our
 * certificate chain and private key, the trust anchors and CRLs the
 * peer's chain is checked against, optionally the peer's certificate
 * configured locally (then the peer may send no CERT at all), and when to
 * send our CERT payloads.
 *
 * The caller (the daemon's glue, or a test) fills a struct v1_pubkey from
 * its configuration with common/cert.h and hands it to the connection with
 * v1_pubkey_attach(); from then on the connection owns it and frees it with
 * its last reference. A connection without one authenticates with a
 * pre-shared key.
 */
#ifndef DUALIKE_V1_PUBKEY_H
#define DUALIKE_V1_PUBKEY_H

#include <stddef.h>
#include <stdint.h>

#include "common/cert.h"
#include "common/sig.h"
#include "v1/v1_engine.h"

/* When our CERT payloads go out (RFC 2408 3.9, 3.10). */
enum v1_send_cert {
	V1_SEND_CERT_ALWAYS = 0, /* in every MM5/MM6 (AM2/AM3) */
	V1_SEND_CERT_IF_ASKED,   /* only when the peer sent a CR payload */
	V1_SEND_CERT_NEVER,      /* the peer has our certificate configured */
};

struct v1_pubkey {
	uint16_t auth_method;        /* V1_AUTH_RSA_SIG or V1_AUTH_ECDSA_256/384/521,
	                                from the key (v1_pubkey_attach) */
	struct cert_chain chain;     /* ours: [0] end-entity, then intermediates */
	struct sig_privkey *key;     /* its private key */
	struct cert_store *store;    /* anchors and CRLs for the peer's chain; owned */
	struct cert *peer_cert;      /* the peer's certificate, configured; NULL: none */
	enum v1_send_cert send_cert;
};

/* A zeroed struct (ERR_NOMEM). */
int v1_pubkey_new(struct v1_pubkey **out);
/* Free what it holds and the struct. NULL is allowed. */
void v1_pubkey_free(struct v1_pubkey *pk);
/*
 * Check pk (a certificate and the key that matches it, something to check
 * the peer with: anchors or a configured peer certificate), choose the
 * phase-1 authentication method from the key type, give the connection
 * the certificate's subject DN as local identity when it has none, and
 * attach pk to c (which then owns it). ERR_INVAL with why saying what is
 * wrong (without the connection's name); pk stays the caller's then.
 */
int v1_pubkey_attach(struct v1_conn *c, struct v1_pubkey *pk, char *why, size_t why_len);

#endif
