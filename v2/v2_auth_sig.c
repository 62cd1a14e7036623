/*
 * v2_auth_sig.c - AUTH by signature (RFC 7296 2.15, 3.8; RFC 4754; RFC
 * 7427; RFC 8420): the methods, the signing and verifying jobs, and the
 * way back into IKE_AUTH's handlers.
 *
 *   method 1   RSA PKCS#1 v1.5 with SHA-1 over the signed octets (3.8)
 *   method 9   ECDSA P-256 SHA-256, 10 P-384 SHA-384, 11 P-521 SHA-512;
 *              the signature is r | s, each the curve's size (RFC 4754 7)
 *   method 14  ASN.1 length (1) | AlgorithmIdentifier | signature (RFC
 *              7427 3); the hash one the peer announced in
 *              SIGNATURE_HASH_ALGORITHMS (4); ECDSA as a DER Ecdsa-Sig-Value
 *
 * The signed octets are the PSK path's (v2_auth_octets). Signing and
 * verifying run as crypto jobs (DESIGN.md step 4): the handler returns
 * SUSPEND; the job's completion calls the same handler again, which finds
 * the verdict in sa->sig and goes on. A responder verifies first, then
 * signs (no signature work for an initiator that cannot authenticate).
 * The message being handled is copied (v2_msg_clone) for the way back.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/log.h"
#include "common/prfplus.h"
#include "v2/v2_cert.h"
#include "v2/v2_names.h"

struct v2_auth_sig {
	struct v2_msg *msg;     /* the request (responder) or response (initiator) being handled */
	bool verified;          /* the peer's AUTH verified */
	bool done_signing;      /* auth[] holds ours */
	uint8_t method;         /* ours */
	uint8_t auth[V2_AUTH_SIG_MAX];
	size_t auth_len;
	char peer[CERT_TEXT_MAX]; /* the peer certificate's subject, for logs */
};

/* Why texts that carry details live here until the SA's failure is logged. */
static char why_text[CERT_TEXT_MAX + 128];

static struct v2_auth_sig *state(struct v2_ike_sa *sa)
{
	if (!sa->sig)
		sa->sig = calloc(1, sizeof(*sa->sig));
	return sa->sig;
}

void v2_auth_sig_free(struct v2_ike_sa *sa)
{
	if (!sa->sig)
		return;
	free(sa->sig->msg);
	free(sa->sig);
	sa->sig = NULL;
}

void v2_auth_sig_conns_replaced(struct v2_engine *e)
{
	struct v2_ike_sa *sa, *next;

	for (sa = e->first; sa; sa = next) {
		next = sa->next;
		if (sa->conn->auth != V2_AUTH_PUBKEY || sa->state == V2S_ESTABLISHED ||
		    sa->state == V2S_DELETING)
			continue;
		log_warn(&sa->sad.logger, "connections reloaded during the negotiation: its "
			 "certificate and key are gone; IKE SA removed");
		v2_ike_sa_free(sa);
	}
}

bool v2_auth_sig_verified(const struct v2_ike_sa *sa)
{
	return sa->sig && sa->sig->verified;
}

bool v2_auth_sig_signed(const struct v2_ike_sa *sa)
{
	return sa->sig && sa->sig->done_signing;
}

int v2_auth_sig_local_id(const struct v2_ike_sa *sa, struct v2_conn_id *out)
{
	const struct cert_chain *chain = sa->conn->pubkey.chain;
	struct id *id = NULL;
	int rc;

	if (!chain || !chain->n)
		return ERR_NOTFOUND;
	rc = cert_subject_id(chain->certs[0], &id);
	if (rc)
		return rc;
	if (id->len > V2_CONN_ID_MAX) {
		id_free(id);
		return ERR_OVERFLOW;
	}
	memset(out, 0, sizeof(*out));
	out->type = V2_ID_DER_ASN1_DN;
	out->len = id->len;
	memcpy(out->data, id->data, id->len);
	id_free(id);
	return 0;
}

/* A refusal: AUTHENTICATION_FAILED to a request (2.21.2), else the SA goes. */
static enum v2_verdict refuse(struct v2_ike_sa *sa, struct v2_ctx *ctx, const char *why)
{
	log_warn(&sa->sad.logger, "IKE_AUTH: %s authentication refused: %s",
		 sa->initiator ? "responder" : "initiator", why);
	ctx->why = why;
	if (sa->initiator)
		return V2V_FAIL_DELETE;
	ctx->notify = V2_N_AUTHENTICATION_FAILED;
	return V2V_FAIL_NOTIFY;
}

/* The 2.15 octets (message | nonce | prf(SK_p, ID body)) in one buffer. */
static int signed_octets(const struct v2_ike_sa *sa, bool of_initiator, const uint8_t *id_body,
			 size_t id_len, uint8_t **out, size_t *out_len)
{
	uint8_t maced[PRF_MAX_OUT];
	struct prf_input in[3];
	size_t total = 0;
	uint8_t *buf;
	int rc;

	rc = v2_auth_octets(sa, of_initiator, id_body, id_len, maced, in);
	for (size_t i = 0; rc == 0 && i < 3; i++)
		total += in[i].len;
	buf = rc == 0 ? malloc(total) : NULL;
	if (buf) {
		size_t at = 0;

		for (size_t i = 0; i < 3; i++) {
			memcpy(buf + at, in[i].p, in[i].len);
			at += in[i].len;
		}
		*out = buf;
		*out_len = total;
	} else if (rc == 0) {
		rc = ERR_NOMEM;
	}
	secret_wipe(maced, sizeof(maced));
	return rc;
}

/* ---- our AUTH ---- */

/* Methods 1 and 9-11 for a key type (RFC 7296 3.8, RFC 4754); false: none. */
static bool classic_method(enum sig_key_type type, uint8_t *method, enum sig_scheme *scheme)
{
	switch (type) {
	case SIG_KEY_RSA:
		*method = V2_AUTH_RSA_SIG;
		*scheme = SIG_RSA_PKCS1_SHA1;
		return true;
	case SIG_KEY_ECDSA_P256:
		*method = V2_AUTH_ECDSA_SHA256_P256;
		*scheme = SIG_ECDSA_SHA256;
		return true;
	case SIG_KEY_ECDSA_P384:
		*method = V2_AUTH_ECDSA_SHA384_P384;
		*scheme = SIG_ECDSA_SHA384;
		return true;
	case SIG_KEY_ECDSA_P521:
		*method = V2_AUTH_ECDSA_SHA512_P521;
		*scheme = SIG_ECDSA_SHA512;
		return true;
	default:
		return false;
	}
}

static const char *choose_method(const struct v2_ike_sa *sa, enum sig_key_type type,
				 uint8_t *method, enum sig_scheme *scheme)
{
	enum v2_sig_pref pref = sa->conn->pubkey.sig;
	bool classic = classic_method(type, method, scheme);
	uint16_t hashes[32];
	size_t n = 0;

	if (pref == V2_SIG_CLASSIC)
		return classic ? NULL : "this key type has no AUTH method but 14 (signature = rfc7427)";
	if (pref == V2_SIG_AUTO && !sa->peer_sighash)
		return classic ? NULL
			       : "the peer did not announce SIGNATURE_HASH_ALGORITHMS (RFC 7427), "
				 "which this key type needs";
	if (!sa->peer_sighash)
		return "the peer did not announce SIGNATURE_HASH_ALGORITHMS (RFC 7427 4)";
	for (uint16_t id = 1; id < 32; id++)
		if (sa->peer_sighash & V2_SIGHASH_OURS & (UINT32_C(1) << id))
			hashes[n++] = id;
	*method = V2_AUTH_DIGITAL_SIGNATURE;
	*scheme = sig_scheme_pick(type, pref == V2_SIG_RFC7427_PSS, hashes, n);
	return *scheme == SIG_NONE ? "no signature hash both ends support (SIGNATURE_HASH_ALGORITHMS)"
				   : NULL;
}

/* RestOf*IDPayload (2.15): type, three reserved octets, data. */
static size_t id_body(const struct v2_conn_id *id, uint8_t *buf)
{
	buf[0] = id->type;
	buf[1] = buf[2] = buf[3] = 0;
	memcpy(buf + 4, id->data, id->len);
	return 4 + id->len;
}

static void sign_done(void *owner, struct job_sig_result *r)
{
	struct v2_ike_sa *sa = owner;
	struct v2_auth_sig *st = sa->sig;
	struct v2_ctx *ctx = calloc(1, sizeof(*ctx));
	struct v2_msg *msg = st->msg;
	enum v2_verdict v;
	const uint8_t *algid = NULL;
	size_t algid_len = 0;

	st->msg = NULL;
	if (!ctx) {
		free(msg);
		v2_ike_sa_free(sa);
		return;
	}
	ctx->exchange = V2_EXCH_IKE_AUTH;
	ctx->msg = msg;
	if (st->method == V2_AUTH_DIGITAL_SIGNATURE &&
	    sig_algid_encode(r->scheme, &algid, &algid_len))
		r->err = ERR_UNSUPPORTED;
	if (r->err || 1 + algid_len + r->sig_len > sizeof(st->auth)) {
		snprintf(why_text, sizeof(why_text), "could not sign our AUTH with %s: %s",
			 sig_scheme_name(r->scheme), err_str(r->err));
		v = refuse(sa, ctx, why_text);
	} else {
		if (algid) {
			st->auth[0] = (uint8_t)algid_len;
			memcpy(st->auth + 1, algid, algid_len);
			st->auth_len = 1 + algid_len;
		}
		memcpy(st->auth + st->auth_len, r->sig, r->sig_len);
		st->auth_len += r->sig_len;
		st->done_signing = true;
		v = sa->initiator ? v2_auth_request(sa, ctx) : v2_auth_respond(sa, ctx);
	}
	v2_auth_sig_free(sa); /* the message is built: nothing of it is needed again */
	v2_complete(sa, ctx, v, sa->initiator ? V2S_I_AUTH_SENT : V2S_ESTABLISHED);
	free(msg);
	secret_wipe(ctx, sizeof(*ctx));
	free(ctx);
}

enum v2_verdict v2_auth_sig_start_sign(struct v2_ike_sa *sa, struct v2_ctx *ctx,
				       const struct v2_conn_id *id)
{
	struct sig_privkey *key = sa->conn->pubkey.key;
	struct v2_auth_sig *st = state(sa);
	uint8_t body[4 + V2_CONN_ID_MAX], *data = NULL;
	enum sig_scheme scheme = SIG_NONE;
	const char *why;
	size_t len;
	int rc;

	if (!st)
		return V2V_FAIL_DELETE;
	if (!key || !sa->conn->pubkey.chain || !sa->conn->pubkey.chain->n)
		return refuse(sa, ctx, "no certificate or private key configured (cert, key)");
	why = choose_method(sa, sig_privkey_type(key), &st->method, &scheme);
	if (why)
		return refuse(sa, ctx, why);
	if (!sa->initiator && !st->msg && ctx->msg && v2_msg_clone(ctx->msg, &st->msg))
		return V2V_FAIL_DELETE;
	rc = signed_octets(sa, sa->initiator, body, id_body(id, body), &data, &len);
	if (rc == 0)
		rc = job_sig_sign(sa->eng->p.jobs, key, scheme,
				  st->method == V2_AUTH_DIGITAL_SIGNATURE ? SIG_FORM_DER : SIG_FORM_RAW,
				  data, len, sign_done, sa, &sa->job);
	free(data);
	if (rc)
		return refuse(sa, ctx, "could not start the signing job");
	log_debug(&sa->sad.logger, "signing our AUTH: method %u (%s), %s",
		  st->method, v2_auth_method_name(st->method), sig_scheme_name(scheme));
	return V2V_SUSPEND;
}

int v2_auth_sig_put(struct v2_ike_sa *sa, struct v2_chain *c)
{
	if (!v2_auth_sig_signed(sa))
		return ERR_STATE;
	return v2_put_auth(c, sa->sig->method, sa->sig->auth, sa->sig->auth_len);
}

/* ---- the peer's AUTH ---- */

static void verify_done(void *owner, struct job_sig_result *r)
{
	struct v2_ike_sa *sa = owner;
	struct v2_auth_sig *st = sa->sig;
	struct v2_ctx *ctx = calloc(1, sizeof(*ctx));
	struct v2_msg *msg = st->msg;
	enum v2_verdict v;

	if (!ctx) {
		v2_ike_sa_free(sa);
		return;
	}
	ctx->exchange = V2_EXCH_IKE_AUTH;
	ctx->msg = msg;
	if (r->err) {
		snprintf(why_text, sizeof(why_text), "%s: the AUTH of %s does not verify with its "
			 "certificate's key (%s)", r->err == ERR_INTEGRITY ? "bad signature"
									 : "signature not checked",
			 st->peer, sig_scheme_name(r->scheme));
		v = refuse(sa, ctx, why_text);
	} else {
		st->verified = true;
		log_info(&sa->sad.logger, "peer authenticated: %s, %s", st->peer,
			 sig_scheme_name(r->scheme));
		/* the handler goes on: the responder signs next, the initiator is done */
		v = sa->initiator ? v2_auth_process_response(sa, ctx) : v2_auth_respond(sa, ctx);
	}
	if (v != V2V_SUSPEND) {
		st->msg = NULL; /* freed below, after complete() used it */
		v2_auth_sig_free(sa);
	} else {
		msg = NULL; /* the signing job's */
	}
	v2_complete(sa, ctx, v, V2S_ESTABLISHED);
	free(msg);
	free(ctx);
}

/* Scheme and form of the peer's AUTH for its key (3.8, RFC 4754, RFC 7427 3). */
static const char *peer_scheme(const struct v2_auth *auth, enum sig_key_type type,
			       enum sig_scheme *scheme, enum sig_form *form,
			       struct v2_bytes *sig)
{
	static const struct { uint8_t method; enum sig_key_type type; enum sig_scheme scheme; } fixed[] = {
		{ V2_AUTH_RSA_SIG, SIG_KEY_RSA, SIG_RSA_PKCS1_SHA1 },
		{ V2_AUTH_ECDSA_SHA256_P256, SIG_KEY_ECDSA_P256, SIG_ECDSA_SHA256 },
		{ V2_AUTH_ECDSA_SHA384_P384, SIG_KEY_ECDSA_P384, SIG_ECDSA_SHA384 },
		{ V2_AUTH_ECDSA_SHA512_P521, SIG_KEY_ECDSA_P521, SIG_ECDSA_SHA512 },
	};
	struct v2_auth14 a;

	*form = SIG_FORM_RAW;
	*sig = auth->data;
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
		if (auth->method != fixed[i].method)
			continue;
		*scheme = fixed[i].scheme;
		return type == fixed[i].type ? NULL
					     : "the AUTH method does not fit the certificate's key";
	}
	if (auth->method == V2_AUTH_SHARED_KEY_MIC)
		return "the peer authenticates with a PSK; this connection uses certificates";
	if (auth->method != V2_AUTH_DIGITAL_SIGNATURE)
		return "the peer's AUTH method is not one we support (1, 9, 10, 11, 14)";
	if (v2_cert_parse_auth14(auth->data, &a))
		return "malformed AUTH payload (RFC 7427 3)";
	if (sig_algid_decode(a.alg_id.p, a.alg_id.len, scheme))
		return "the peer's signature algorithm (RFC 7427 AlgorithmIdentifier) is not supported";
	if (!sig_scheme_fits_key(*scheme, type))
		return "the peer's signature algorithm does not fit its certificate's key";
	/* 4: the peer must use a hash we announced */
	if (!(V2_SIGHASH_OURS & (UINT32_C(1) << sig_scheme_hash_id(*scheme))))
		return "the peer signed with a hash we did not announce (SIGNATURE_HASH_ALGORITHMS)";
	*form = SIG_FORM_DER;
	*sig = a.sig;
	return NULL;
}

enum v2_verdict v2_auth_sig_start_verify(struct v2_ike_sa *sa, struct v2_ctx *ctx,
					 const struct v2_id *id)
{
	const struct v2_payload *p = v2_msg_find(ctx->msg, V2_PT_AUTH);
	struct v2_auth_sig *st = state(sa);
	struct sig_pubkey *key = NULL;
	struct v2_auth auth;
	struct v2_bytes sig;
	enum sig_scheme scheme = SIG_NONE;
	enum sig_form form;
	const char *why = NULL;
	uint8_t *data = NULL;
	size_t len;
	int rc;

	if (!st)
		return V2V_FAIL_DELETE;
	if (!p || v2_parse_auth(p->body, &auth))
		return refuse(sa, ctx, "AUTH payload missing or malformed");
	if (v2_cert_check_peer(sa, ctx->msg, id, &key, st->peer, sizeof(st->peer), &why))
		return refuse(sa, ctx, why);
	why = peer_scheme(&auth, sig_pubkey_type(key), &scheme, &form, &sig);
	if (why) {
		sig_pubkey_free(key);
		return refuse(sa, ctx, why);
	}
	free(st->msg);
	st->msg = NULL;
	rc = v2_msg_clone(ctx->msg, &st->msg);
	if (rc == 0)
		rc = signed_octets(sa, !sa->initiator, id->body.p, id->body.len, &data, &len);
	if (rc == 0)
		rc = job_sig_verify(sa->eng->p.jobs, key, scheme, form, data, len, sig.p, sig.len,
				    verify_done, sa, &sa->job);
	free(data);
	sig_pubkey_free(key);
	if (rc)
		return refuse(sa, ctx, rc == ERR_INVAL ? "the peer's signature is too long"
						       : "could not start the verifying job");
	log_debug(&sa->sad.logger, "verifying the peer's AUTH: method %u (%s), %s, %s",
		  auth.method, v2_auth_method_name(auth.method), sig_scheme_name(scheme), st->peer);
	return V2V_SUSPEND;
}
