/*
 * v1_auth_sig.c - IKEv1 phase 1 with signatures (v1_auth_sig.h): CR
 * payloads out and in, signing our HASH_I / HASH_R and checking the peer's
 * SIG as crypto jobs, and the messages that carry them (MM5, MM6; AM2,
 * AM3). Certificate and identity checks: v1_cert_peer.c.
 *
 * RFC 2409 5.1: "SIG_I or SIG_R is the result of the negotiated digital
 * signature algorithm applied to HASH_I or HASH_R respectively". With RSA
 * the hash is padded as a PKCS#1 v1.5 type 1 block with no DigestInfo,
 * which is what every IKEv1 implementation sends. ECDSA: scheme_of().
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/err.h"
#include "common/log.h"
#include "v1/v1_auth_sig.h"

uint16_t v1_auth_method(const struct v1_conn *c)
{
	return c->pubkey ? c->pubkey->auth_method : V1_AUTH_PSK;
}

static uint16_t method_of(const struct v1_isakmp_sa *sa)
{
	return sa->choice.attrs.auth ? sa->choice.attrs.auth : v1_auth_method(sa->conn);
}

bool v1_auth_is_sig(const struct v1_isakmp_sa *sa)
{
	return v1_auth_class_of(method_of(sa)) == V1_AUTH_CLASS_SIG;
}

enum v1_auth_class v1_auth_class_sa(const struct v1_isakmp_sa *sa)
{
	enum v1_auth_class c = v1_auth_class_of(method_of(sa));

	return c == V1_AUTH_CLASS_ANY ? V1_AUTH_CLASS_PSK : c;
}

/*
 * The signature scheme of a method.
 *
 * ECDSA (RFC 4754): section 4 names methods 9, 10, 11 for IKE, each tied
 * to one curve and one hash (ECDSA-256: P-256 with SHA-256; ECDSA-384:
 * P-384, SHA-384; ECDSA-521: P-521, SHA-512), and section 7 the
 * signature's form: r || s, each the curve's size in octets, not DER (the
 * SIG payload holds 64, 96 or 132 octets). Where the method's hash goes in
 * IKEv1 is left to RFC 2409 5.1 ("the negotiated digital signature
 * algorithm applied to HASH_I or HASH_R"). strongSwan (5.9.8, the peer in
 * the interop lab) puts it into HASH_I itself: for an ECDSA method it
 * computes HASH_I / HASH_R with HMAC of the method's SHA-2 keyed with
 * SKEYID, whatever prf was negotiated, and takes that HASH_I as the ECDSA
 * digest as it is (its ECDSA "with NULL" scheme; no second hash). Found in
 * the lab (testsuite/interop/scenarios/v1-cert-*-ecdsa*.scn):
 *   - ECDSA over SHA-256(HASH_I): strongSwan's SIG_I did not verify here;
 *   - HASH_I itself, prf HMAC-SHA-256/384/512 negotiated with P-256/384/
 *     521: both ways verify, SAs up, keys equal (strongSwan logs
 *     "ECDSA_WITH_NULL");
 *   - HASH_I itself but computed with a negotiated HMAC-SHA1 prf: neither
 *     side's signature verified; with HASH_I computed by HMAC-SHA-256
 *     (v1_auth_hash_prf) they do.
 * So all three methods sign the bare HASH_I / HASH_R (SIG_ECDSA_DIGEST),
 * computed with the method's hash, and the method fixes the curve the key
 * must be on (v1_cert_peer.c key_fits).
 */
static enum sig_scheme scheme_of(uint16_t method)
{
	switch (method) {
	case V1_AUTH_RSA_SIG: return SIG_RSA_V1_RAW;
	case V1_AUTH_ECDSA_256:
	case V1_AUTH_ECDSA_384:
	case V1_AUTH_ECDSA_521: return SIG_ECDSA_DIGEST; /* HASH_I itself, see above */
	default: return SIG_NONE;
	}
}

enum prf_alg v1_auth_hash_prf(const struct v1_isakmp_sa *sa)
{
	switch (method_of(sa)) {
	case V1_AUTH_ECDSA_256: return PRF_HMAC_SHA2_256;
	case V1_AUTH_ECDSA_384: return PRF_HMAC_SHA2_384;
	case V1_AUTH_ECDSA_521: return PRF_HMAC_SHA2_512;
	default: return sa->ks.prf; /* RFC 2409 5: the negotiated prf */
	}
}

struct v1_sig_state *v1_sig_state(struct v1_isakmp_sa *sa)
{
	if (!sa->sig)
		sa->sig = calloc(1, sizeof(*sa->sig));
	return sa->sig;
}

void v1_sig_free(struct v1_isakmp_sa *sa)
{
	if (!sa->sig)
		return;
	cert_free(sa->sig->peer_cert);
	secret_wipe(sa->sig, sizeof(*sa->sig));
	free(sa->sig);
	sa->sig = NULL;
}

/* ---- CR (RFC 2408 3.10, RFC 4945 3.2.4) ---- */

/* At most this many CRs: the rules (v1_rules.c) take 8 per message. */
#define CR_MAX 6

void v1_sig_build_cr(struct v1_isakmp_sa *sa, struct v1_builder *b)
{
	const struct v1_pubkey *pk = sa->conn->pubkey;
	size_t n;

	if (!pk || !v1_auth_is_sig(sa))
		return;
	n = pk->store ? cert_store_ca_count(pk->store) : 0;
	for (size_t i = 0; i < n && i < CR_MAX; i++) {
		size_t len;
		const uint8_t *dn = cert_subject_der(cert_store_ca(pk->store, i), &len);

		if (dn)
			v1_build_cert(b, V1_P_CR, V1_CERT_X509_SIG, dn, len);
	}
	/* no anchors: any CA will do, unless we hold the peer's certificate */
	if (n == 0 && !pk->peer_cert)
		v1_build_cert(b, V1_P_CR, V1_CERT_X509_SIG, NULL, 0);
}

static bool names_our_ca(const struct v1_pubkey *pk, const uint8_t *dn, size_t len)
{
	for (size_t i = 0; i < pk->chain.n; i++) {
		size_t l;
		const uint8_t *issuer = cert_issuer_der(pk->chain.certs[i], &l);

		if (issuer && cert_dn_equal(dn, len, issuer, l))
			return true;
	}
	return false;
}

void v1_sig_read_cr(struct v1_isakmp_sa *sa, const struct v1_msg *m)
{
	const struct v1_pubkey *pk = sa->conn->pubkey;
	struct v1_sig_state *s;
	const struct v1_payload *pl;

	if (!pk || !v1_auth_is_sig(sa) || !(s = v1_sig_state(sa)))
		return;
	for (unsigned i = 0; (pl = v1_msg_find(m, V1_P_CR, i)) != NULL; i++) {
		struct v1_cert cr;
		struct v1_err err = { 0 };

		if (v1_cert_parse(pl, &cr, &err) < 0)
			continue;
		if (cr.encoding != V1_CERT_X509_SIG) {
			log_debug(&sa->sad.logger, "CR for certificate encoding %u ignored", cr.encoding);
			continue;
		}
		s->peer_asked = true;
		if (cr.len == 0 || names_our_ca(pk, cr.data, cr.len))
			s->cr_match = true;
		else if (!s->cr_dn[0])
			cert_dn_str(cr.data, cr.len, s->cr_dn, sizeof(s->cr_dn));
	}
}

/* ---- refusing ---- */

/*
 * Refuse with a notify. With the peer's message in hand v1_complete sends
 * it; after a job there is no datagram, so it goes out here, in clear as
 * every phase-1 notify of this engine (RFC 2408 4.8 before the SA is up).
 */
enum v1_verdict v1_sig_refuse(struct v1_step *st, uint16_t notify)
{
	struct v1_isakmp_sa *sa = st->sa;
	struct v1_datagram dg = { .local = sa->local, .peer = sa->peer };
	struct v1_hdr h;

	st->notify = notify;
	if (st->dg)
		return V1V_REPLY_NOTIFY;
	v1_sa_hdr(sa, &h, V1_EXCH_INFORMATIONAL, 0);
	v1_info_notify_clear(st->eng, &dg, &h, notify);
	return V1V_FAIL_DELETE;
}

static void sig_done(void *owner, struct job_sig_result *r)
{
	struct v1_isakmp_sa *sa = owner;
	struct v1_step st = { .eng = sa->eng, .sa = sa };
	const struct v1_row *row = sa->pending;

	if (!sa->sig || !row || !row->resume) {
		log_error(&sa->sad.logger, "a signature job finished with no step waiting");
		return;
	}
	sa->sig->job_err = r->err;
	if (sa->sig->stage == V1_SIG_SIGNING && r->err == 0) {
		memcpy(sa->sig->sig, r->sig, r->sig_len);
		sa->sig->sig_len = r->sig_len;
	}
	v1_run(&st, row, true);
}

/* ---- our signature ---- */

/* Our ID payload body as v1_p1_build_id writes it (HASH_I / HASH_R cover it). */
static void our_id_body(struct v1_isakmp_sa *sa, uint8_t *id_b, size_t *id_len)
{
	uint8_t buf[600];
	struct wr w;
	struct v1_builder b;
	struct v1_hdr h = { 0 };

	wr_init(&w, buf, sizeof(buf));
	v1_build_start(&b, &w, &h);
	v1_p1_build_id(sa, &b, id_b, id_len);
}

enum v1_verdict v1_sig_sign_start(struct v1_step *st)
{
	struct v1_isakmp_sa *sa = st->sa;
	struct v1_sig_state *s = v1_sig_state(sa);
	const struct v1_pubkey *pk = sa->conn->pubkey;
	uint8_t id_b[512], h[PRF_MAX_OUT];
	size_t id_len = 0, h_len;
	int rc;

	if (!s || !pk)
		return V1V_FAIL_DELETE;
	our_id_body(sa, id_b, &id_len);
	if (!id_len || v1_p1_hash(sa, sa->initiator, id_b, id_len, h, &h_len) < 0)
		return V1V_FAIL_DELETE;
	rc = job_sig_sign(st->eng->env.jobs, pk->key, scheme_of(method_of(sa)), SIG_FORM_RAW,
			  h, h_len, sig_done, sa, &sa->job);
	secret_wipe(h, sizeof(h));
	if (rc < 0) {
		log_error(&sa->sad.logger, "signing %s: %s", sa->initiator ? "HASH_I" : "HASH_R",
			  err_str(rc));
		return V1V_FAIL_DELETE;
	}
	s->stage = V1_SIG_SIGNING;
	return V1V_SUSPEND;
}

static bool send_certs(struct v1_isakmp_sa *sa)
{
	const struct v1_pubkey *pk = sa->conn->pubkey;
	const struct v1_sig_state *s = sa->sig;

	if (s->peer_asked && !s->cr_match) {
		char issuer[CERT_TEXT_MAX];

		log_info(&sa->sad.logger, "the peer asks for a certificate from %s; ours is issued "
			 "by %s: sending it anyway", s->cr_dn[0] ? s->cr_dn : "another CA",
			 cert_issuer_str(pk->chain.certs[0], issuer, sizeof(issuer)));
	}
	return pk->send_cert == V1_SEND_CERT_ALWAYS ||
	       (pk->send_cert == V1_SEND_CERT_IF_ASKED && s->peer_asked);
}

/* [CERT*,] SIG (RFC 2409 5.1: the certificates come before the signature). */
void v1_sig_put_cert_sig(struct v1_isakmp_sa *sa, struct v1_builder *b)
{
	const struct v1_pubkey *pk = sa->conn->pubkey;

	if (send_certs(sa)) {
		for (size_t i = 0; i < pk->chain.n; i++) {
			size_t len;
			const uint8_t *der = cert_der(pk->chain.certs[i], &len);

			v1_build_cert(b, V1_P_CERT, V1_CERT_X509_SIG, der, len);
		}
	}
	v1_build_blob(b, V1_P_SIG, sa->sig->sig, sa->sig->sig_len);
}

/* Main Mode MM5 / MM6: HDR*, ID, [CERT*,] SIG. */
static enum v1_verdict send_mm_auth(struct v1_step *st)
{
	struct v1_isakmp_sa *sa = st->sa;
	struct v1_builder b;
	struct wr w;
	uint8_t id_b[512];
	size_t id_len;

	v1_reply_start(st, &b, &w, V1_EXCH_IDPROT, 0);
	v1_p1_build_id(sa, &b, id_b, &id_len);
	v1_sig_put_cert_sig(sa, &b);
	return v1_reply_finish(st, &b, true) < 0 ? V1V_FAIL_DELETE : V1V_OK;
}

/* ---- the peer's signature ---- */

/* Take the peer's ID payload body and identity (the checks against the
 * configuration and the certificate are v1_cert_peer's). */
int v1_sig_take_id(struct v1_isakmp_sa *sa, const struct v1_payload *pl)
{
	struct rd r;
	struct id *id = NULL;
	uint8_t proto, *copy;
	uint16_t port;

	rd_init(&r, pl->body, pl->body_len);
	if (id_v1_decode(&r, &id, &proto, &port) < 0)
		return ERR_PARSE;
	copy = malloc(pl->body_len);
	if (!copy) {
		id_free(id);
		return ERR_NOMEM;
	}
	memcpy(copy, pl->body, pl->body_len);
	free(sa->peer_id_b);
	sa->peer_id_b = copy;
	sa->peer_id_len = pl->body_len;
	id_free(sa->peer_id);
	sa->peer_id = id;
	return 0;
}

/* The peer's ID, certificate and SIG bytes from a message (no crypto yet). */
enum v1_verdict v1_sig_take_peer(struct v1_step *st)
{
	struct v1_isakmp_sa *sa = st->sa;
	struct v1_sig_state *s = v1_sig_state(sa);
	const struct v1_payload *idp = v1_msg_find(st->m, V1_P_ID, 0);
	const struct v1_payload *sigp = v1_msg_find(st->m, V1_P_SIG, 0);
	uint16_t notify;

	if (!s)
		return V1V_FAIL_DELETE;
	if (!sigp || (idp ? v1_sig_take_id(sa, idp) < 0 : !sa->peer_id)) {
		log_warn(&sa->sad.logger, "peer ID payload not understood");
		return v1_sig_refuse(st, V1_N_PAYLOAD_MALFORMED);
	}
	if (sigp->body_len == 0 || sigp->body_len > SIG_MAX_LEN) {
		log_warn(&sa->sad.logger, "SIG payload of %zu bytes refused", sigp->body_len);
		return v1_sig_refuse(st, V1_N_INVALID_SIGNATURE);
	}
	v1_sig_read_cr(sa, st->m);
	cert_free(s->peer_cert);
	s->peer_cert = NULL;
	notify = v1_cert_peer(sa, st->m, &s->peer_cert);
	if (notify)
		return v1_sig_refuse(st, notify);
	memcpy(s->peer_sig, sigp->body, sigp->body_len);
	s->peer_sig_len = sigp->body_len;
	return V1V_OK;
}

/* Check the kept SIG over the peer's HASH_I / HASH_R as a job. */
enum v1_verdict v1_sig_verify_start(struct v1_step *st)
{
	struct v1_isakmp_sa *sa = st->sa;
	struct v1_sig_state *s = sa->sig;
	uint8_t h[PRF_MAX_OUT];
	size_t h_len;
	int rc;

	if (v1_p1_hash(sa, !sa->initiator, sa->peer_id_b, sa->peer_id_len, h, &h_len) < 0)
		return V1V_FAIL_DELETE;
	rc = job_sig_verify(st->eng->env.jobs, cert_pubkey(s->peer_cert), scheme_of(method_of(sa)),
			    SIG_FORM_RAW, h, h_len, s->peer_sig, s->peer_sig_len, sig_done, sa,
			    &sa->job);
	secret_wipe(h, sizeof(h));
	if (rc < 0) {
		log_error(&sa->sad.logger, "verifying the peer's signature: %s", err_str(rc));
		return V1V_FAIL_DELETE;
	}
	s->stage = V1_SIG_VERIFYING;
	return V1V_SUSPEND;
}

enum v1_verdict v1_sig_check_start(struct v1_step *st)
{
	enum v1_verdict v = v1_sig_take_peer(st);

	return v == V1V_OK ? v1_sig_verify_start(st) : v;
}

/* ---- resuming ---- */

static enum v1_verdict verified(struct v1_step *st)
{
	struct v1_isakmp_sa *sa = st->sa;
	struct v1_sig_state *s = sa->sig;
	char subject[CERT_TEXT_MAX], id[ID_STR_MAX];

	cert_subject_str(s->peer_cert, subject, sizeof(subject));
	v1_cert_id_str(sa->peer_id, id, sizeof(id));
	if (s->job_err < 0) {
		log_warn(&sa->sad.logger, "%s of peer %s does not verify with the key of its "
			 "certificate %s (%s): authentication failed",
			 sa->initiator ? "SIG_R" : "SIG_I", id, subject, err_str(s->job_err));
		return v1_sig_refuse(st, V1_N_INVALID_SIGNATURE);
	}
	log_info(&sa->sad.logger, "peer %s authenticated by signature (%s) with certificate %s",
		 id, sig_scheme_name(scheme_of(method_of(sa))), subject);
	if (!sa->initiator && !sa->aggressive)
		return v1_sig_sign_start(st);   /* MM5 checked: sign HASH_R for MM6 */
	if (sa->initiator && sa->aggressive)
		return v1_sig_sign_start(st);   /* AM2 checked: sign HASH_I for AM3 */
	v1_sig_free(sa);
	return V1V_OK;                          /* MM6 or AM3 checked: established */
}

static enum v1_verdict signed_(struct v1_step *st)
{
	struct v1_isakmp_sa *sa = st->sa;
	enum v1_verdict v;

	if (sa->sig->job_err < 0) {
		log_error(&sa->sad.logger, "signing %s with our key failed: %s",
			  sa->initiator ? "HASH_I" : "HASH_R", err_str(sa->sig->job_err));
		return V1V_FAIL_DELETE;
	}
	if (sa->aggressive)
		v = sa->initiator ? v1_sig_send_am3(st) : v1_sig_send_am2(st);
	else
		v = send_mm_auth(st);
	/* MM6 or AM3 out: this side is done with signatures */
	if (v == V1V_OK && sa->initiator == sa->aggressive)
		v1_sig_free(sa);
	return v;
}

enum v1_verdict v1_sig_resume(struct v1_step *st)
{
	struct v1_isakmp_sa *sa = st->sa;
	enum v1_sig_stage stage = sa->sig ? sa->sig->stage : V1_SIG_IDLE;

	if (sa->sig)
		sa->sig->stage = V1_SIG_IDLE;
	switch (stage) {
	case V1_SIG_VERIFYING:
		return verified(st);
	case V1_SIG_SIGNING:
		return signed_(st);
	case V1_SIG_IDLE:
		break;
	}
	log_error(&sa->sad.logger, "resumed with no signature job");
	return V1V_FAIL_DELETE;
}
