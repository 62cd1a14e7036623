/*
 * v2_cert.h - public key authentication in the IKEv2 engine (private to
 * v2/): the CERT, CERTREQ and signature AUTH payloads (RFC 7296 3.6-3.8,
 * RFC 7427, RFC 4754), the SIGNATURE_HASH_ALGORITHMS notify of IKE_SA_INIT
 * (RFC 7427 4), the checks on the peer's certificate and identity, and the
 * IKE_AUTH steps that wait for a signature job.
 *
 *   v2_cert_wire.c   payload bodies (struct rd)
 *   v2_cert_init.c   IKE_SA_INIT: our notify (and CERTREQ), the peer's;
 *                    CERT and CERTREQ payloads of IKE_AUTH
 *   v2_cert_check.c  the peer's chain (CERT payloads or the configured
 *                    certificate) against the anchors and CRLs, and its ID
 *   v2_auth_sig.c    AUTH methods 1, 9-11 and 14: choose, sign and verify
 *                    as jobs, and come back into v2_auth.c's handlers
 */
#ifndef DUALIKE_V2_CERT_H
#define DUALIKE_V2_CERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/cert.h"
#include "common/sig.h"
#include "v2/v2_ike_sa.h"
#include "v2/v2_wire.h"

#define V2_CERT_X509_SIGNATURE 4  /* Cert Encoding (RFC 7296 3.6) */
#define V2_CERTREQ_HASH_LEN 20    /* SHA-1 of a CA's SubjectPublicKeyInfo (3.7) */
#define V2_CERTREQ_MAX_CAS 16     /* CAs named in our CERTREQ */
/* Hash IDs we announce (RFC 7427 4, RFC 8420): SHA2-256/384/512, Identity. */
#define V2_SIGHASH_OURS ((UINT32_C(1) << SIG_HASH_SHA2_256) | (UINT32_C(1) << SIG_HASH_SHA2_384) | \
			 (UINT32_C(1) << SIG_HASH_SHA2_512) | (UINT32_C(1) << SIG_HASH_IDENTITY))
/* Room for an AUTH payload's data: ASN.1 length, AlgorithmIdentifier, signature. */
#define V2_AUTH_SIG_MAX (1 + SIG_ALGID_MAX + SIG_MAX_LEN)

struct v2_ike_sa;
struct v2_ctx;
struct v2_chain;
struct v2_msg;
struct v2_conn_id;

/* ---- v2_cert_wire.c ---- */

struct v2_certreq {
	uint8_t encoding;
	struct v2_bytes hashes; /* encoding 4: n * 20 octets */
	size_t n;
};

/* RFC 7427 3: the Authentication Data of method 14. */
struct v2_auth14 {
	struct v2_bytes alg_id; /* DER AlgorithmIdentifier */
	struct v2_bytes sig;
};

/* Encoding 4 with a length not a multiple of 20: ERR_PARSE; other encodings: n = 0. */
int v2_cert_parse_certreq(struct v2_bytes body, struct v2_certreq *cr);
bool v2_certreq_names(const struct v2_certreq *cr, const uint8_t hash[V2_CERTREQ_HASH_LEN]);
/* Notify data: a list of 2-octet hash IDs into a bit mask (1 << id); odd length: ERR_PARSE. */
int v2_cert_parse_sighash(struct v2_bytes data, uint32_t *mask);
/* The mask as notify data; its length. */
size_t v2_cert_sighash_data(uint32_t mask, uint8_t *out, size_t cap);
int v2_cert_parse_auth14(struct v2_bytes data, struct v2_auth14 *a);

/* ---- v2_cert_init.c ---- */

/*
 * IKE_SA_INIT of a pubkey connection: N(SIGNATURE_HASH_ALGORITHMS) and, in
 * the responder's answer, CERTREQ (1.2). Nothing for PSK connections.
 */
int v2_cert_put_init(struct v2_ike_sa *sa, struct v2_chain *c, bool response);
/* Remember the peer's SIGNATURE_HASH_ALGORITHMS and whether it sent CERTREQ. */
void v2_cert_note_init(struct v2_ike_sa *sa, const struct v2_msg *m);
/* IKE_AUTH: our CERT payloads (send_cert policy) and, as initiator, CERTREQ. */
int v2_cert_put_auth(struct v2_ike_sa *sa, struct v2_chain *c, const struct v2_msg *request);

/* ---- v2_cert_check.c ---- */

/*
 * The peer's certificate for its AUTH: from its CERT payloads (the first
 * is the end-entity one, 3.6) or the connection's peer_cert; the chain
 * validated against the anchors and CRLs at now; its identity checked
 * against id_payload (the peer's IDi/IDr) and the configured remote_id.
 * 0 with *key (a reference) and *subject (log text); else ERR_* with
 * *why naming the reason.
 */
int v2_cert_check_peer(struct v2_ike_sa *sa, const struct v2_msg *m, const struct v2_id *id,
		       struct sig_pubkey **key, char *subject, size_t subject_len,
		       const char **why);

/* ---- v2_auth_sig.c ---- */

/* Our identity when none is configured: the certificate's subject DN. 0 or ERR_*. */
int v2_auth_sig_local_id(const struct v2_ike_sa *sa, struct v2_conn_id *id);
/* The peer's AUTH has verified (the handler is being re-entered after the job). */
bool v2_auth_sig_verified(const struct v2_ike_sa *sa);
/* Our AUTH is signed and waits in sa's state to be put. */
bool v2_auth_sig_signed(const struct v2_ike_sa *sa);
/*
 * Start signing our AUTH over the 2.15 octets of id (our ID). SUSPEND; on
 * completion the handler (v2_auth_request / v2_auth_respond) runs again
 * and v2_auth_sig_put() adds the AUTH. FAIL_* with ctx->why otherwise.
 */
enum v2_verdict v2_auth_sig_start_sign(struct v2_ike_sa *sa, struct v2_ctx *ctx,
				       const struct v2_conn_id *id);
/*
 * Check the peer's certificate and identity, then start verifying its AUTH
 * over its ID payload. SUSPEND; on success the handler runs again with a
 * copy of the message. FAIL_NOTIFY(AUTHENTICATION_FAILED) as responder,
 * FAIL_DELETE as initiator, with ctx->why naming the reason.
 */
enum v2_verdict v2_auth_sig_start_verify(struct v2_ike_sa *sa, struct v2_ctx *ctx,
					 const struct v2_id *id);
/* Put our AUTH payload (signed before). */
int v2_auth_sig_put(struct v2_ike_sa *sa, struct v2_chain *c);
/*
 * v2_engine_set_conns replaced the rows: the user frees the old rows'
 * credentials (struct v2_conn_pubkey is borrowed), so IKE SAs still
 * negotiating on a pubkey row are removed; established ones need them no more.
 */
void v2_auth_sig_conns_replaced(struct v2_engine *e);
/* Free the SA's signature state (v2_ike_sa_free). */
void v2_auth_sig_free(struct v2_ike_sa *sa);

#endif
