/*
 * v1_auth_sig.h - inside the IKEv1 engine: phase 1 authenticated with
 * signatures (RFC 2409 5.1; RFC 2408 3.9-3.12 CERT, CR, HASH, SIG; ECDSA
 * as RFC 4754 7-8), the steps Main and Aggressive Mode call when the
 * chosen authentication method is a signature one:
 *
 *   Main Mode               Initiator                 Responder
 *     MM3 / MM4             HDR, KE, Ni [, CR*]       HDR, KE, Nr [, CR*]
 *     MM5 / MM6             HDR*, IDii [, CERT*] SIG_I   HDR*, IDir [, CERT*] SIG_R
 *   Aggressive Mode
 *     AM1                   HDR, SA, KE, Ni, IDii [, CR*]
 *     AM2                   HDR, SA, KE, Nr, IDir [, CERT*], SIG_R [, CR*]
 *     AM3                   HDR*, [CERT*,] SIG_I
 *
 *   SKEYID = prf(Ni_b | Nr_b, g^xy); SIG_I / SIG_R are HASH_I / HASH_R
 *   (v1_p1.c) signed with the private key: for RSA the PKCS#1 v1.5 type 1
 *   padding over the bare hash, no DigestInfo (sig.h SIG_RSA_V1_RAW); for
 *   ECDSA (methods 9, 10, 11) r || s with HASH_I / HASH_R itself as the
 *   ECDSA digest, HASH_I / HASH_R computed with HMAC of the method's SHA-2
 *   (sig.h SIG_ECDSA_DIGEST, v1_auth_hash_prf; v1_auth_sig.c says why).
 *
 * Signing and verifying are crypto jobs (common/sig.h): the step returns
 * SUSPEND and v1_sig_resume() continues it, as the KE jobs do.
 */
#ifndef DUALIKE_V1_AUTH_SIG_H
#define DUALIKE_V1_AUTH_SIG_H

#include <stdbool.h>
#include <stdint.h>

#include "common/cert.h"
#include "common/prf.h"
#include "v1/v1_pubkey.h"
#include "v1/v1_sa.h"

enum v1_sig_stage { V1_SIG_IDLE, V1_SIG_SIGNING, V1_SIG_VERIFYING };

/* What an SA holds while it authenticates with signatures (sa->sig). */
struct v1_sig_state {
	enum v1_sig_stage stage;
	bool peer_asked;               /* the peer sent a CR */
	bool cr_match;                 /* a CR was empty or named a CA of our chain */
	char cr_dn[160];               /* the first other CA the peer named (for the log) */
	struct cert *peer_cert;        /* the peer's end-entity certificate, checked */
	uint8_t peer_sig[SIG_MAX_LEN]; /* the peer's SIG payload body */
	size_t peer_sig_len;
	int job_err;                   /* the last job's outcome */
	uint8_t sig[SIG_MAX_LEN];      /* our signature */
	size_t sig_len;
};

/* Our phase-1 authentication method for a connection (V1_AUTH_PSK without a pubkey). */
uint16_t v1_auth_method(const struct v1_conn *c);
/* The SA authenticates with signatures: the method chosen, or before the
 * choice (an initiator reading AM2) the one we offer. */
bool v1_auth_is_sig(const struct v1_isakmp_sa *sa);
/* Which rows of v1_rules.c fit this SA's MM5/MM6/AM2/AM3. */
enum v1_auth_class v1_auth_class_sa(const struct v1_isakmp_sa *sa);
/*
 * The prf HASH_I / HASH_R are computed with (v1_p1_hash): the negotiated
 * one, except for the ECDSA methods, whose hash is HMAC with the method's
 * SHA-2 under SKEYID (v1_auth_sig.c scheme_of says why).
 */
enum prf_alg v1_auth_hash_prf(const struct v1_isakmp_sa *sa);

/* CR payloads: one per trust anchor (its subject DN), or one empty (any CA). */
void v1_sig_build_cr(struct v1_isakmp_sa *sa, struct v1_builder *b);
/* Note the peer's CR payloads (it asks for our certificate; from which CAs). */
void v1_sig_read_cr(struct v1_isakmp_sa *sa, const struct v1_msg *m);

/* Our turn to authenticate: HASH_I / HASH_R goes to a signing job (SUSPEND). */
enum v1_verdict v1_sig_sign_start(struct v1_step *st);
/* The peer's ID, CERT and SIG payloads in st->m: certificate and identity
 * checks here, then the signature check as a job (SUSPEND). Aggressive Mode
 * initiators call it from the resume after the DH job, with the AM2 kept. */
enum v1_verdict v1_sig_check_start(struct v1_step *st);
/* The resume of a row whose step waits for a signature job. */
enum v1_verdict v1_sig_resume(struct v1_step *st);
/* Free the SA's signature state (at SA free and once established). */
void v1_sig_free(struct v1_isakmp_sa *sa);

/* Pieces the Aggressive Mode steps share (v1_auth_sig.c). */
struct v1_sig_state *v1_sig_state(struct v1_isakmp_sa *sa);
/* Take the peer's ID (when the message has one), certificate and SIG bytes:
 * V1V_OK, or a refusal (notify). */
enum v1_verdict v1_sig_take_peer(struct v1_step *st);
/* Check the kept SIG over the peer's HASH_I / HASH_R as a job (SUSPEND). */
enum v1_verdict v1_sig_verify_start(struct v1_step *st);
/* [CERT*,] SIG into a message. */
void v1_sig_put_cert_sig(struct v1_isakmp_sa *sa, struct v1_builder *b);
/* Refuse with a notify (sent here when there is no peer datagram at hand). */
enum v1_verdict v1_sig_refuse(struct v1_step *st, uint16_t notify);
/* The peer's ID payload into sa->peer_id / peer_id_b, without policy checks. */
int v1_sig_take_id(struct v1_isakmp_sa *sa, const struct v1_payload *pl);

/* ---- v1_auth_sig_aggr.c: Aggressive Mode with signatures ---- */

/* AM1 in (responder): the initiator's ID (checked against its certificate
 * in AM3) and its CRs; a PSK SA takes the ID as v1_p1_take_id does. */
int v1_sig_am_r1_take_id(struct v1_isakmp_sa *sa, const struct v1_msg *m);
/* AM2 in (initiator): SA, KE, Nr, IDir, [CERT], SIG_R; then the DH job. */
enum v1_verdict v1_sig_am_i2(struct v1_step *st);
/* After the DH job (or a signature job): keys, SIG_R checked, SIG_I made. */
enum v1_verdict v1_sig_am_i2_resume(struct v1_step *st);
/* AM3 in (responder): [CERT], SIG_I. */
enum v1_verdict v1_sig_am_r3(struct v1_step *st);
/* The messages, once our signature is made. */
enum v1_verdict v1_sig_send_am2(struct v1_step *st);
enum v1_verdict v1_sig_send_am3(struct v1_step *st);

/* ---- v1_cert_peer.c ---- */

/*
 * The peer's certificate for this SA: from its CERT payloads in m (X.509
 * signature encoding, end-entity first, validated against the connection's
 * anchors and CRLs), or the peer certificate configured for the connection.
 * The peer's ID (sa->peer_id) must be in it, and the configured remote
 * identity must be that ID (a DN compared as a DN) or in the certificate.
 * 0 and a new reference in *out, or the notify to answer with (RFC 2408
 * 3.14.1) after a log line naming the reason.
 */
uint16_t v1_cert_peer(struct v1_isakmp_sa *sa, const struct v1_msg *m, struct cert **out);
/* Two identities equal, DNs compared as DNs (cert_dn_equal). */
bool v1_cert_id_same(const struct id *a, const struct id *b);
/* An identity for a log line: a DN as RFC 4514 text, others as id_str(). */
const char *v1_cert_id_str(const struct id *id, char *buf, size_t len);

#endif
