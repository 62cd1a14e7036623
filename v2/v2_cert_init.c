/*
 * v2_cert_init.c - what certificates add to the exchanges (RFC 7296 1.2,
 * 3.6, 3.7; RFC 7427 4):
 *
 *   HDR, SAi1, KEi, Ni, N(SIGNATURE_HASH_ALGORITHMS)  -->
 *                  <--  HDR, SAr1, KEr, Nr, [CERTREQ], N(SIGNATURE_HASH_ALGORITHMS)
 *   HDR, SK {IDi, [CERT+], [CERTREQ], [IDr], AUTH, ...}  -->
 *                  <--  HDR, SK {IDr, [CERT+], AUTH, ...}
 *
 * Only connections with auth = pubkey send any of it. CERTREQ names our
 * trust anchors by the SHA-1 of their SubjectPublicKeyInfo; CERT carries
 * our end-entity certificate first, then its intermediates (3.6), each in
 * its own payload with encoding 4 (X.509 Certificate - Signature).
 */
#include <string.h>

#include "common/err.h"
#include "common/log.h"
#include "v2/v2_cert.h"
#include "v2/v2_names.h"

static bool is_pubkey(const struct v2_ike_sa *sa)
{
	return sa->conn->auth == V2_AUTH_PUBKEY;
}

static int put_certreq(struct v2_ike_sa *sa, struct v2_chain *c)
{
	const struct cert_store *ca = sa->conn->pubkey.ca;
	uint8_t data[V2_CERTREQ_MAX_CAS * V2_CERTREQ_HASH_LEN];
	size_t n = 0;

	for (size_t i = 0; ca && i < V2_CERTREQ_MAX_CAS; i++) {
		const struct cert *anchor = cert_store_ca(ca, i);

		if (!anchor)
			break;
		if (cert_spki_sha1(anchor, data + n) == 0)
			n += V2_CERTREQ_HASH_LEN;
	}
	if (n == 0)
		return 0; /* no anchor: we ask for nothing */
	return v2_put_cert(c, V2_PT_CERTREQ, V2_CERT_X509_SIGNATURE, data, n);
}

int v2_cert_put_init(struct v2_ike_sa *sa, struct v2_chain *c, bool response)
{
	uint8_t data[64];
	size_t len;
	int rc = 0;

	if (!is_pubkey(sa))
		return 0;
	if (response)
		rc = put_certreq(sa, c);
	len = v2_cert_sighash_data(V2_SIGHASH_OURS, data, sizeof(data));
	if (rc == 0)
		rc = v2_put_notify(c, V2_PROTO_NONE, NULL, 0, V2_N_SIGNATURE_HASH_ALGORITHMS, data, len);
	return rc;
}

/* Did the peer send any CERTREQ (send_cert = ifasked answers any, 3.7)? */
static bool has_certreq(const struct v2_msg *m)
{
	for (const struct v2_payload *p = v2_msg_find(m, V2_PT_CERTREQ); p;
	     p = v2_msg_next(m, p, V2_PT_CERTREQ)) {
		struct v2_certreq cr;

		if (v2_cert_parse_certreq(p->body, &cr) == 0)
			return true;
	}
	return false;
}

void v2_cert_note_init(struct v2_ike_sa *sa, const struct v2_msg *m)
{
	struct v2_notify n;

	if (!is_pubkey(sa))
		return;
	if (v2_msg_find_notify(m, V2_N_SIGNATURE_HASH_ALGORITHMS, &n)) {
		if (v2_cert_parse_sighash(n.data, &sa->peer_sighash) || !sa->peer_sighash) {
			/* 4: malformed or empty: as if absent; method 14 is then not used */
			log_info(&sa->sad.logger, "peer's SIGNATURE_HASH_ALGORITHMS is malformed; ignored");
			sa->peer_sighash = 0;
		}
	}
	if (has_certreq(m))
		sa->peer_certreq = true;
}

static bool send_certs(const struct v2_ike_sa *sa, const struct v2_msg *request)
{
	switch (sa->conn->pubkey.send_cert) {
	case V2_SEND_CERT_ALWAYS:
		return true;
	case V2_SEND_CERT_NEVER:
		return false;
	case V2_SEND_CERT_IFASKED:
		break;
	}
	return sa->peer_certreq || (request && has_certreq(request));
}

int v2_cert_put_auth(struct v2_ike_sa *sa, struct v2_chain *c, const struct v2_msg *request)
{
	const struct cert_chain *chain = sa->conn->pubkey.chain;
	int rc = 0;

	if (!is_pubkey(sa))
		return 0;
	if (chain && send_certs(sa, request)) {
		for (size_t i = 0; rc == 0 && i < chain->n; i++) {
			size_t len;
			const uint8_t *der = cert_der(chain->certs[i], &len);

			rc = v2_put_cert(c, V2_PT_CERT, V2_CERT_X509_SIGNATURE, der, len);
		}
	}
	/* the initiator asks for the responder's certificate (1.2) */
	if (rc == 0 && sa->initiator)
		rc = put_certreq(sa, c);
	return rc;
}
