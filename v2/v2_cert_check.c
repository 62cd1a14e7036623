/*
 * v2_cert_check.c - may the peer's certificate vouch for its AUTH?
 * (RFC 7296 2.15, 3.5, 3.6; RFC 4945 3.1, 5)
 *
 *   1. The certificate: the first CERT payload (3.6: "the first
 *      certificate provided MUST contain the public key used to verify
 *      the AUTH payload"), the others are intermediates; or, with no CERT
 *      payload, the connection's configured peer_cert. When both exist
 *      they must be the same certificate.
 *   2. The chain: cert_verify_chain() against the connection's anchors
 *      and CRLs (expired, revoked, unknown CA, loops... each named). The
 *      configured peer_cert is trusted by configuration: an issuer we do
 *      not know is no refusal for it (other verdicts are), and without
 *      any anchor its validity period is checked.
 *   3. The identity: the peer's ID payload must be one the certificate
 *      lists (subject DN or subjectAltName, cert_matches_id), and the
 *      configured remote_id, if any, must be that ID (a DN compared as a
 *      DN, RFC 4945 3.1.5).
 *
 * Peer bytes reach GnuTLS only through cert_from_der(), whose failure is
 * "malformed CERT payload". A CERT with another encoding is skipped.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/err.h"
#include "common/id.h"
#include "common/log.h"
#include "v2/v2_cert.h"
#include "v2/v2_names.h"

/* Certificates of the CERT payloads: certs[0] the end-entity one. */
static int collect(const struct v2_msg *m, struct cert_chain *got, const char **why)
{
	for (const struct v2_payload *p = v2_msg_find(m, V2_PT_CERT); p;
	     p = v2_msg_next(m, p, V2_PT_CERT)) {
		struct v2_cert vc;
		struct cert *c;

		if (v2_parse_cert(p->body, &vc)) {
			*why = "malformed CERT payload";
			return ERR_PARSE;
		}
		if (vc.encoding != V2_CERT_X509_SIGNATURE)
			continue; /* 3.6: an encoding we do not use */
		if (got->n == CERT_CHAIN_MAX) {
			*why = "the peer sent more certificates than a chain may hold (chain loop?)";
			return ERR_OVERFLOW;
		}
		if (cert_from_der(vc.data.p, vc.data.len, &c)) {
			*why = "malformed CERT payload (not a DER X.509 certificate)";
			return ERR_PARSE;
		}
		if (cert_chain_add(got, c)) {
			cert_free(c);
			*why = "the peer sent more certificates than a chain may hold";
			return ERR_OVERFLOW;
		}
	}
	return 0;
}

/* The configured remote_id (none: any) against the peer's ID payload. */
static bool remote_id_fits(const struct v2_conn *c, const struct id *got)
{
	struct id *want = NULL;
	bool ok;

	if (c->remote_id.type == 0)
		return true;
	if (c->remote_id.type != got->type)
		return false;
	if (got->type == ID_DER_ASN1_DN)
		return cert_dn_equal(c->remote_id.data, c->remote_id.len, got->data, got->len);
	if (id_new(c->remote_id.type, c->remote_id.data, c->remote_id.len, &want))
		return false;
	ok = id_equal(want, got);
	id_free(want);
	return ok;
}

/* Validate the chain, or the configured certificate alone. */
static int check_chain(struct v2_ike_sa *sa, const struct cert_chain *got,
		       const struct cert *ee, const char **why)
{
	const struct v2_conn_pubkey *pk = &sa->conn->pubkey;
	static _Thread_local char text[CERT_TEXT_MAX + 64];
	struct cert_check check;
	time_t now = time(NULL), nb, na;
	int rc;

	bool pinned = pk->peer_cert && cert_equal(ee, pk->peer_cert);

	if (pk->ca && cert_store_ca_count(pk->ca)) {
		const struct cert *const *inter = (const struct cert *const *)got->certs + 1;

		rc = cert_verify_chain(pk->ca, ee, got->n ? inter : NULL, got->n ? got->n - 1 : 0, now,
				       &check);
		if (rc == 0 && check.verdict == CERT_OK) {
			if (check.note[0])
				log_warn(&sa->sad.logger, "the peer's certificate is accepted, but %s",
					 check.note);
			return 0;
		}
		/* the configured peer_cert is trusted as such: its issuer need not be known */
		if (pinned && check.verdict == CERT_UNKNOWN_CA)
			return 0;
		snprintf(text, sizeof(text), "certificate refused (%s): %s",
			 cert_verdict_name(check.verdict), check.text);
		*why = text;
		return rc ? rc : ERR_INTEGRITY;
	}
	/* no anchors: only a configured (pinned) certificate can be trusted */
	if (!pinned) {
		*why = "certificate refused (unknown CA): no trust anchor configured (ca)";
		return ERR_INTEGRITY;
	}
	if (cert_validity(ee, &nb, &na) || now < nb || now > na) {
		*why = now > na ? "certificate refused (expired): the configured peer_cert"
				: "certificate refused (not yet valid): the configured peer_cert";
		return ERR_INTEGRITY;
	}
	return 0;
}

int v2_cert_check_peer(struct v2_ike_sa *sa, const struct v2_msg *m, const struct v2_id *id,
		       struct sig_pubkey **key, char *subject, size_t subject_len,
		       const char **why)
{
	const struct v2_conn_pubkey *pk = &sa->conn->pubkey;
	struct cert_chain got = { 0 };
	const struct cert *ee;
	struct id *peer = NULL;
	int rc;

	snprintf(subject, subject_len, "?");
	rc = collect(m, &got, why);
	if (rc)
		goto out;
	ee = got.n ? got.certs[0] : pk->peer_cert;
	if (!ee) {
		*why = "the peer sent no certificate and none is configured (peer_cert)";
		rc = ERR_NOTFOUND;
		goto out;
	}
	cert_subject_str(ee, subject, subject_len);
	if (got.n && pk->peer_cert && !cert_equal(ee, pk->peer_cert)) {
		*why = "the peer's certificate is not the configured peer_cert";
		rc = ERR_INTEGRITY;
		goto out;
	}
	rc = check_chain(sa, &got, ee, why);
	if (rc)
		goto out;
	if (id_new(id->type, id->data.p, id->data.len, &peer)) {
		*why = "the peer's ID payload is not a usable identity";
		rc = ERR_PARSE;
		goto out;
	}
	if (!remote_id_fits(sa->conn, peer)) {
		*why = "identity mismatch: the peer's ID is not the configured remote_id";
		rc = ERR_INTEGRITY;
		goto out;
	}
	if (!cert_matches_id(ee, peer)) {
		*why = "identity mismatch: the peer's ID is not named in its certificate "
		       "(subject/subjectAltName)";
		rc = ERR_INTEGRITY;
		goto out;
	}
	*key = sig_pubkey_ref(cert_pubkey(ee));
	rc = *key ? 0 : ERR_NOMEM;
out:
	id_free(peer);
	cert_chain_clear(&got);
	return rc;
}
