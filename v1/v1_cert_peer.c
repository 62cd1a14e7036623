/*
 * v1_cert_peer.c - whose signature an IKEv1 peer makes: its certificate
 * from the CERT payloads (RFC 2408 3.9; "X.509 Certificate - Signature",
 * encoding 4, end-entity first as RFC 4945 3.3 asks, then intermediates)
 * or the peer certificate configured for the connection, the chain checked
 * against the connection's trust anchors and CRLs (common/cert.h), and the
 * peer's ID bound to the certificate (RFC 4945 3.1: "the ID payload MUST
 * match" a name in the certificate).
 *
 * Every refusal logs why and picks the notify of RFC 2408 3.14.1:
 *   CERT bytes that are not DER X.509          INVALID-CERT-ENCODING (19)
 *   only encodings we do not take (PKCS#7...)  CERT-TYPE-UNSUPPORTED (21)
 *   no certificate at all, none configured     CERTIFICATE-UNAVAILABLE (28)
 *   no path to an anchor                       INVALID-CERT-AUTHORITY (22)
 *   expired, not yet valid, revoked, key usage,
 *   a loop, a bad signature in the chain       INVALID-CERTIFICATE (20)
 *   ID not in the certificate, key unfit for
 *   the method, not the configured certificate AUTHENTICATION-FAILED (24)
 *   ID not the configured remote identity      INVALID-ID-INFORMATION (18)
 */
#include <time.h>

#include "common/err.h"
#include "common/log.h"
#include "v1/v1_auth_sig.h"

bool v1_cert_id_same(const struct id *a, const struct id *b)
{
	if (a->type == ID_DER_ASN1_DN && b->type == ID_DER_ASN1_DN)
		return cert_dn_equal(a->data, a->len, b->data, b->len);
	return id_equal(a, b);
}

const char *v1_cert_id_str(const struct id *id, char *buf, size_t len)
{
	if (id && id->type == ID_DER_ASN1_DN)
		return cert_dn_str(id->data, id->len, buf, len);
	return id ? id_str(id, buf, len) : "(none)";
}

static uint16_t notify_of(enum cert_verdict v)
{
	switch (v) {
	case CERT_UNKNOWN_CA: return V1_N_INVALID_CERT_AUTHORITY;
	case CERT_MALFORMED: return V1_N_INVALID_CERT_ENCODING;
	default: return V1_N_INVALID_CERTIFICATE;
	}
}

/* The CERT payloads into a chain; 0 or the notify. */
static uint16_t read_certs(struct v1_isakmp_sa *sa, const struct v1_msg *m,
			   struct cert_chain *got, bool *other_encoding)
{
	const struct v1_payload *pl;

	for (unsigned i = 0; (pl = v1_msg_find(m, V1_P_CERT, i)) != NULL; i++) {
		struct v1_cert c;
		struct v1_err err = { 0 };
		struct cert *x = NULL;
		int rc;

		if (v1_cert_parse(pl, &c, &err) < 0) {
			log_warn(&sa->sad.logger, "CERT payload %u refused: %s", i + 1, err.text);
			return V1_N_INVALID_CERT_ENCODING;
		}
		if (c.encoding != V1_CERT_X509_SIG) {
			log_info(&sa->sad.logger, "CERT payload %u with encoding %u ignored (only X.509 "
				 "signature, 4, is taken)", i + 1, c.encoding);
			*other_encoding = true;
			continue;
		}
		rc = cert_from_der(c.data, c.len, &x);
		if (rc < 0) {
			log_warn(&sa->sad.logger, "CERT payload %u (%zu bytes) is not a DER X.509 "
				 "certificate (%s): authentication refused", i + 1, c.len, err_str(rc));
			return V1_N_INVALID_CERT_ENCODING;
		}
		if (cert_chain_add(got, x) < 0) {
			cert_free(x);
			log_warn(&sa->sad.logger, "more than %d certificates from the peer: refused",
				 CERT_CHAIN_MAX);
			return V1_N_INVALID_CERTIFICATE;
		}
	}
	return 0;
}

/* A configured peer certificate is trusted as it is, within its validity period. */
static uint16_t check_configured(struct v1_isakmp_sa *sa, const struct cert *ee)
{
	time_t from, to, now = time(NULL);
	char subject[CERT_TEXT_MAX];

	if (cert_validity(ee, &from, &to) < 0 || now < from || now > to) {
		log_warn(&sa->sad.logger, "the configured peer certificate %s is outside its "
			 "validity period: authentication refused",
			 cert_subject_str(ee, subject, sizeof(subject)));
		return V1_N_INVALID_CERTIFICATE;
	}
	return 0;
}

static uint16_t check_chain(struct v1_isakmp_sa *sa, const struct cert_chain *got)
{
	const struct v1_pubkey *pk = sa->conn->pubkey;
	const struct cert *ee = got->certs[0];
	struct cert_check chk = { .verdict = CERT_OK };
	char subject[CERT_TEXT_MAX], want[CERT_TEXT_MAX];

	cert_subject_str(ee, subject, sizeof(subject));
	if (pk->peer_cert) {
		if (!cert_equal(ee, pk->peer_cert)) {
			log_warn(&sa->sad.logger, "the peer's certificate %s is not the peer certificate "
				 "configured for connection %s (%s): authentication refused", subject,
				 sa->conn->name, cert_subject_str(pk->peer_cert, want, sizeof(want)));
			return V1_N_AUTHENTICATION_FAILED;
		}
		return check_configured(sa, ee);
	}
	if (!pk->store || cert_store_ca_count(pk->store) == 0) {
		log_warn(&sa->sad.logger, "connection %s has no trust anchors (ca) to check the "
			 "peer's certificate %s against: refused", sa->conn->name, subject);
		return V1_N_INVALID_CERT_AUTHORITY;
	}
	if (cert_verify_chain(pk->store, ee, (const struct cert *const *)got->certs + 1,
			      got->n - 1, time(NULL), &chk) < 0) {
		log_warn(&sa->sad.logger, "the peer's certificate %s is refused: %s (%s)", subject,
			 cert_verdict_name(chk.verdict), chk.text);
		return notify_of(chk.verdict);
	}
	if (chk.note[0])
		log_warn(&sa->sad.logger, "the peer's certificate %s is accepted, but %s", subject,
			 chk.note);
	return 0;
}

static bool key_fits(uint16_t method, enum sig_key_type t)
{
	switch (method) {
	case V1_AUTH_RSA_SIG: return t == SIG_KEY_RSA;
	case V1_AUTH_ECDSA_256: return t == SIG_KEY_ECDSA_P256;
	case V1_AUTH_ECDSA_384: return t == SIG_KEY_ECDSA_P384;
	case V1_AUTH_ECDSA_521: return t == SIG_KEY_ECDSA_P521;
	default: return false;
	}
}

/* The peer's ID against its certificate and the configured remote identity. */
static uint16_t check_identity(struct v1_isakmp_sa *sa, const struct cert *ee)
{
	const struct id *want = sa->conn->remote_id;
	char id[ID_STR_MAX], wid[ID_STR_MAX], subject[CERT_TEXT_MAX], san[CERT_TEXT_MAX];

	v1_cert_id_str(sa->peer_id, id, sizeof(id));
	cert_subject_str(ee, subject, sizeof(subject));
	if (!cert_matches_id(ee, sa->peer_id)) {
		log_warn(&sa->sad.logger, "peer identity %s is not in its certificate (subject %s; "
			 "subjectAltName %s): authentication refused", id, subject,
			 cert_san_str(ee, san, sizeof(san)));
		return V1_N_AUTHENTICATION_FAILED;
	}
	/* the configured identity: the peer's ID, or another name of the same certificate */
	if (want && !v1_cert_id_same(want, sa->peer_id) && !cert_matches_id(ee, want)) {
		log_warn(&sa->sad.logger, "peer identity %s (certificate %s) is not the remote_id "
			 "%s configured for connection %s", id, subject,
			 v1_cert_id_str(want, wid, sizeof(wid)), sa->conn->name);
		return V1_N_INVALID_ID_INFORMATION;
	}
	if (!key_fits(sa->choice.attrs.auth, sig_pubkey_type(cert_pubkey(ee)))) {
		log_warn(&sa->sad.logger, "the key of certificate %s (%s) cannot make signatures of "
			 "the authentication method %u agreed: refused", subject,
			 cert_key_str(ee, san, sizeof(san)), sa->choice.attrs.auth);
		return V1_N_AUTHENTICATION_FAILED;
	}
	return 0;
}

uint16_t v1_cert_peer(struct v1_isakmp_sa *sa, const struct v1_msg *m, struct cert **out)
{
	const struct v1_pubkey *pk = sa->conn->pubkey;
	struct cert_chain got = { 0 };
	struct cert *ee = NULL;
	bool other_encoding = false;
	uint16_t notify;

	*out = NULL;
	if (!pk || !sa->peer_id)
		return V1_N_AUTHENTICATION_FAILED;
	notify = read_certs(sa, m, &got, &other_encoding);
	if (!notify && got.n == 0) {
		if (pk->peer_cert) {
			log_info(&sa->sad.logger, "no CERT payload from the peer: using the peer "
				 "certificate configured for connection %s", sa->conn->name);
			ee = cert_ref(pk->peer_cert);
			notify = check_configured(sa, ee);
		} else {
			log_warn(&sa->sad.logger, "the peer sent %s and connection %s has no peer "
				 "certificate configured: authentication refused", other_encoding ?
				 "no X.509 certificate" : "no CERT payload", sa->conn->name);
			notify = other_encoding ? V1_N_CERT_TYPE_UNSUPPORTED : V1_N_CERTIFICATE_UNAVAILABLE;
		}
	} else if (!notify) {
		notify = check_chain(sa, &got);
		if (!notify)
			ee = cert_ref(got.certs[0]);
	}
	if (!notify)
		notify = check_identity(sa, ee);
	cert_chain_clear(&got);
	if (notify) {
		cert_free(ee);
		return notify;
	}
	*out = ee;
	return 0;
}
