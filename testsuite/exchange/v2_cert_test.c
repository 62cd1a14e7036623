/*
 * v2_cert_test.c - IKEv2 certificate authentication between two in-process
 * engines (testsuite/regress/v2_pair), with a PKI made at test time by
 * testsuite/lib/make-pki.sh (certtool):
 *
 *   - each AUTH method establishes: 1 (RSA PKCS#1 v1.5 SHA-1), 9/10/11
 *     (ECDSA P-256/384/521, RFC 4754), 14 (RFC 7427) with RSA PKCS#1,
 *     RSA-PSS, ECDSA and Ed25519; the method on the wire is read from the
 *     engines' debug log;
 *   - a peer that sends no CERT but whose certificate is configured;
 *   - refusals: expired, not yet valid, revoked, unknown CA, bad key
 *     usage, a CA loop, identity not in the certificate, remote_id
 *     mismatch, signature by the wrong key, a malformed CERT payload
 *     (crafted IKE_AUTH), a peer without RFC 7427 when 14 is required:
 *     AUTHENTICATION_FAILED from the responder, or the initiator's IKE SA
 *     deleted, each with a log line naming the reason;
 *   - a reload between IKE_SA_INIT and IKE_AUTH removes the half-made SA;
 *   - the size of IKE_AUTH messages with an RSA-2048 chain (diagnostic).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/wait.h>

#include "common/cert.h"
#include "common/err.h"
#include "common/job.h"
#include "common/log.h"
#include "common/sig.h"
#include "testsuite/lib/tap.h"
#include "testsuite/regress/v2_pair.h"
#include "v2/v2_engine.h"
#include "v2/v2_names.h"

#define IKE "aes128-sha256-prfsha256-x25519"
#define ESP "aes128gcm16"

static char pki[256];
static struct cert_store *store;
static struct job_pool *pool;
static char logbuf[1 << 16];
static size_t log_len;

static void sink(enum log_level lvl, const char *line, void *arg)
{
	size_t n = strlen(line);

	(void)lvl, (void)arg;
	if (log_len + n + 2 < sizeof(logbuf)) {
		memcpy(logbuf + log_len, line, n);
		log_len += n;
		logbuf[log_len++] = '\n';
		logbuf[log_len] = '\0';
	}
}

static bool logged(const char *what)
{
	return strstr(logbuf, what) != NULL;
}

struct creds {
	struct cert_chain chain;
	struct sig_privkey *key;
};

static int load(const char *chain_name, const char *key_name, struct creds *c)
{
	char path[512], why[256];
	int rc;

	memset(c, 0, sizeof(*c));
	snprintf(path, sizeof(path), "%s/%s", pki, chain_name);
	rc = cert_chain_load_file(path, &c->chain);
	if (rc)
		return rc;
	snprintf(path, sizeof(path), "%s/%s", pki, key_name);
	return cert_key_load_file(path, &c->key, why, sizeof(why));
}

static void creds_clear(struct creds *c)
{
	cert_chain_clear(&c->chain);
	sig_privkey_free(c->key);
	c->key = NULL;
}

/* One side's pubkey settings. */
struct side_cfg {
	const char *chain, *key;  /* file names in the PKI folder */
	enum v2_sig_pref sig;
	enum v2_send_cert send_cert;
	const char *local_id;     /* FQDN, NULL: v2_pair's */
	const char *remote_id;    /* FQDN, NULL: any */
	const char *peer_cert;    /* the peer's certificate file, NULL: none */
	bool no_ca;               /* no trust anchors */
	bool frag;                /* fragmentation = yes (RFC 7383), default sizes */
};

struct result {
	int established[2], failed[2];
	uint64_t notifies_sent;
	size_t auth_len[2];       /* IKE_AUTH request / response, octets */
	size_t auth_dgrams[2];    /* IKE_AUTH datagrams each side sent */
	uint64_t fragmented[2], reassembled[2];
	bool ok;                  /* the credentials loaded */
};

static void set_fqdn(struct v2_conn_id *id, const char *name)
{
	memset(id, 0, sizeof(*id));
	id->type = V2_ID_FQDN;
	id->len = strlen(name);
	memcpy(id->data, name, id->len);
}

static int configure(struct v2_pair *p, int i, const struct side_cfg *sc, struct creds *cr,
		     struct cert_chain *peer)
{
	struct v2_conn c = *v2_engine_find_conn(p->s[i].eng, "lab");
	char path[512];
	int rc = load(sc->chain, sc->key, cr);

	if (rc)
		return rc;
	if (sc->peer_cert) {
		snprintf(path, sizeof(path), "%s/%s", pki, sc->peer_cert);
		rc = cert_chain_load_file(path, peer);
		if (rc)
			return rc;
	}
	c.auth = V2_AUTH_PUBKEY;
	c.pubkey.chain = &cr->chain;
	c.pubkey.key = cr->key;
	c.pubkey.ca = sc->no_ca ? NULL : store;
	c.pubkey.peer_cert = peer->n ? peer->certs[0] : NULL;
	c.pubkey.send_cert = sc->send_cert;
	c.pubkey.sig = sc->sig;
	c.fragmentation = sc->frag;
	if (sc->local_id)
		set_fqdn(&c.local_id, sc->local_id);
	if (sc->remote_id)
		set_fqdn(&c.remote_id, sc->remote_id);
	return v2_engine_set_conns(p->s[i].eng, &c, 1);
}

/* Deliver everything, noting the IKE_AUTH sizes (header octet 18: exchange). */
static void run(struct v2_pair *p, struct result *r)
{
	for (int n = 0; n < 64 && (p->q_len || job_pool_pending(pool)); n++) {
		if (p->q_len && p->q[0].len > 19 && p->q[0].data[18] == V2_EXCH_IKE_AUTH) {
			if (p->q[0].len > r->auth_len[p->q[0].from])
				r->auth_len[p->q[0].from] = p->q[0].len;
			r->auth_dgrams[p->q[0].from]++;
		}
		v2p_deliver(p);
	}
}

static struct result exchange(const struct side_cfg *ini, const struct side_cfg *resp)
{
	struct v2_pair p;
	struct creds cr[2];
	struct cert_chain peer[2] = { { 0 }, { 0 } };
	struct result r;

	memset(&r, 0, sizeof(r));
	memset(cr, 0, sizeof(cr));
	log_len = 0;
	logbuf[0] = '\0';
	if (v2p_open(&p, pool, IKE, ESP) == 0 && configure(&p, 0, ini, &cr[0], &peer[0]) == 0 &&
	    configure(&p, 1, resp, &cr[1], &peer[1]) == 0 &&
	    v2_engine_up(p.s[0].eng, "lab") == 0) {
		r.ok = true;
		run(&p, &r);
	}
	for (int i = 0; i < 2; i++) {
		r.established[i] = p.s[i].established;
		r.failed[i] = p.s[i].failed;
	}
	r.notifies_sent = p.s[1].eng ? v2_engine_stats(p.s[1].eng)->notifies_sent : 0;
	for (int i = 0; i < 2 && p.s[1].eng; i++) {
		r.fragmented[i] = v2_engine_stats(p.s[i].eng)->messages_fragmented;
		r.reassembled[i] = v2_engine_stats(p.s[i].eng)->messages_reassembled;
	}
	v2p_close(&p);
	for (int i = 0; i < 2; i++) {
		creds_clear(&cr[i]);
		cert_chain_clear(&peer[i]);
	}
	return r;
}

/*
 * make-pki.sh's files for one role: "peer" (the initiator's) or "gw" (the
 * responder's) with the key algorithm alg. Names are kept in one buffer
 * per role, so a peer side and a gw side can be held at once.
 */
static struct side_cfg role_side(bool gw, const char *alg, enum v2_sig_pref sig)
{
	static char chain[2][64], key[2][64];
	const char *role = gw ? "gw" : "peer";

	snprintf(chain[gw], sizeof(chain[gw]), "%s-%s-chain.pem", role, alg);
	snprintf(key[gw], sizeof(key[gw]), "%s-%s.key", role, alg);
	return (struct side_cfg){ .chain = chain[gw], .key = key[gw], .sig = sig,
				  .send_cert = V2_SEND_CERT_IFASKED };
}

static struct side_cfg peer_side(const char *alg, enum v2_sig_pref sig)
{
	return role_side(false, alg, sig);
}

static struct side_cfg gw_side(const char *alg, enum v2_sig_pref sig)
{
	return role_side(true, alg, sig);
}

static void test_method(const char *alg, enum v2_sig_pref sig, const char *method_line,
			const char *scheme)
{
	struct side_cfg a = peer_side(alg, sig), b;
	char want[96];
	struct result r;

	a.chain = strdup(a.chain), a.key = strdup(a.key);
	b = gw_side(alg, sig);
	r = exchange(&a, &b);
	tap_ok(r.ok && r.established[0] == 1 && r.established[1] == 1,
	       "%s, %s: both IKE SAs established", alg, method_line);
	snprintf(want, sizeof(want), "signing our AUTH: %s", method_line);
	tap_ok(logged(want), "%s: AUTH %s on the wire", alg, method_line);
	snprintf(want, sizeof(want), "peer authenticated: ");
	tap_ok(logged(want) && logged(scheme), "%s: verified as %s", alg, scheme);
	free((void *)a.chain), free((void *)a.key);
}

static void test_methods(void)
{
	test_method("rsa", V2_SIG_CLASSIC, "method 1 ", "rsa-pkcs1-sha1");
	test_method("ecdsa256", V2_SIG_CLASSIC, "method 9 ", "ecdsa-sha256");
	test_method("ecdsa384", V2_SIG_CLASSIC, "method 10 ", "ecdsa-sha384");
	test_method("ecdsa521", V2_SIG_CLASSIC, "method 11 ", "ecdsa-sha512");
	test_method("rsa", V2_SIG_RFC7427, "method 14 ", "rsa-pkcs1-sha");
	test_method("rsa", V2_SIG_RFC7427_PSS, "method 14 ", "rsa-pss-sha");
	test_method("ecdsa256", V2_SIG_RFC7427, "method 14 ", "ecdsa-sha256");
	test_method("ecdsa384", V2_SIG_AUTO, "method 14 ", "ecdsa-sha384");
	test_method("ed25519", V2_SIG_AUTO, "method 14 ", "ed25519");
}

/* The peer sends no CERT; the responder has its certificate configured. */
static void test_configured_peer_cert(void)
{
	struct side_cfg a = peer_side("rsa", V2_SIG_AUTO), b;
	struct result r;

	a.send_cert = V2_SEND_CERT_NEVER;
	b = gw_side("rsa", V2_SIG_AUTO);
	b.peer_cert = "peer-rsa.pem";
	r = exchange(&a, &b);
	tap_ok(r.established[0] == 1 && r.established[1] == 1,
	       "no CERT from the initiator, its certificate configured: established");
	b.peer_cert = NULL;
	r = exchange(&a, &b);
	tap_ok(r.established[0] == 0 && r.established[1] == 0 && r.failed[1] == 1 &&
	       logged("sent no certificate and none is configured"),
	       "no CERT and none configured: refused");
	/* a CERT that is not the configured one */
	a.send_cert = V2_SEND_CERT_ALWAYS;
	b.peer_cert = "peer-ecdsa256.pem";
	r = exchange(&a, &b);
	tap_ok(r.failed[1] == 1 && logged("not the configured peer_cert"),
	       "CERT other than the configured peer_cert: refused");
}

/* A CRL past its nextUpdate: a certificate it does not list passes, with a warning. */
static void test_stale_crl(void)
{
	struct cert_store *keep = store, *stale = NULL;
	struct side_cfg a = peer_side("rsa", V2_SIG_AUTO), b;
	char path[512], why[256];
	struct result r;

	snprintf(path, sizeof(path), "%s/cacerts", pki);
	if (!tap_ok(cert_store_new(&stale) == 0 &&
		    cert_store_add_ca_dir(stale, path, why, sizeof(why)) == 0 &&
		    (snprintf(path, sizeof(path), "%s/inter-stale.crl", pki), 1) &&
		    cert_store_add_crl_file(stale, path, why, sizeof(why)) == 0,
		    "stale CRL: a store with inter-stale.crl")) {
		cert_store_free(stale);
		return;
	}
	store = stale;
	a.chain = strdup(a.chain), a.key = strdup(a.key);
	b = gw_side("rsa", V2_SIG_AUTO);
	r = exchange(&a, &b);
	tap_ok(r.established[0] == 1 && r.established[1] == 1,
	       "stale CRL: a certificate it does not list is accepted");
	tap_ok(logged("certificate is accepted, but the CRL of") && logged("2021-01-01"),
	       "stale CRL: a warning names the CRL and its missed update");
	free((void *)a.chain), free((void *)a.key);
	store = keep;
	cert_store_free(stale);
}

/* The initiator presents `name`; the responder refuses with AUTHENTICATION_FAILED. */
static void refused_by_responder(const char *name, const char *chain, const char *key,
				 const char *local_id, const char *remote_id, const char *reason)
{
	struct side_cfg a = { .chain = chain, .key = key, .sig = V2_SIG_AUTO,
			      .send_cert = V2_SEND_CERT_ALWAYS, .local_id = local_id };
	struct side_cfg b = gw_side("rsa", V2_SIG_AUTO);
	struct result r;

	b.remote_id = remote_id;
	r = exchange(&a, &b);
	tap_ok(r.ok && r.established[0] == 0 && r.established[1] == 0,
	       "%s: no IKE SA established", name);
	tap_ok(r.failed[1] == 1 && r.notifies_sent >= 1,
	       "%s: the responder answered AUTHENTICATION_FAILED", name);
	tap_ok(r.failed[0] == 1 && logged("AUTHENTICATION_FAILED"),
	       "%s: the initiator gave up on AUTHENTICATION_FAILED", name);
	if (!tap_ok(logged(reason), "%s: the log names the reason (%s)", name, reason))
		tap_diag("log:\n%s", logbuf);
}

static void test_refusals(void)
{
	refused_by_responder("expired", "gw-expired-chain.pem", "gw-expired.key", "gw.example.org",
			     NULL, "certificate refused (expired)");
	refused_by_responder("not yet valid", "gw-notyet-chain.pem", "gw-notyet.key",
			     "gw.example.org", NULL, "certificate refused (not yet valid)");
	refused_by_responder("revoked", "gw-revoked-chain.pem", "gw-revoked.key", "gw.example.org",
			     NULL, "certificate refused (revoked)");
	refused_by_responder("unknown CA", "gw-unknown-chain.pem", "gw-unknown.key",
			     "gw.example.org", NULL, "certificate refused (unknown CA)");
	refused_by_responder("key usage", "gw-badku-chain.pem", "gw-badku.key", "gw.example.org",
			     NULL, "certificate refused (key usage)");
	refused_by_responder("extended key usage", "gw-badeku-chain.pem", "gw-badeku.key",
			     "gw.example.org", NULL, "names no purpose IKE may use it for");
	refused_by_responder("CA loop", "gw-loop-chain.pem", "gw-loop.key", "gw.example.org", NULL,
			     "certificate refused (chain too long or loop)");
	refused_by_responder("identity not in the certificate", "peer-rsa-chain.pem", "peer-rsa.key",
			     "vpn.example.org", NULL, "identity mismatch");
	refused_by_responder("remote_id mismatch", "peer-rsa-chain.pem", "peer-rsa.key", NULL,
			     "other.example.org", "not the configured remote_id");
	refused_by_responder("signature by the wrong key", "peer-rsa-chain.pem", "gw-rsa.key", NULL,
			     NULL, "bad signature");
}

/* The responder presents an expired certificate: the initiator deletes its IKE SA. */
static void test_refused_by_initiator(void)
{
	struct side_cfg a = peer_side("rsa", V2_SIG_AUTO), b;
	struct result r;

	b = (struct side_cfg){ .chain = "gw-expired-chain.pem", .key = "gw-expired.key",
			       .send_cert = V2_SEND_CERT_IFASKED };
	r = exchange(&a, &b);
	tap_ok(r.established[0] == 0 && r.failed[0] == 1,
	       "responder's expired certificate: the initiator's IKE SA is deleted");
	tap_ok(logged("responder authentication refused: certificate refused (expired)"),
	       "the initiator's log names the reason");
	/* 14 required, but the peer announced no hashes: it must not sign with 14 */
	a.sig = V2_SIG_RFC7427;
	b = gw_side("rsa", V2_SIG_CLASSIC);
	b.chain = "gw-rsa-chain.pem", b.key = "gw-rsa.key";
	r = exchange(&a, &b);
	tap_ok(r.established[0] == 1 && r.established[1] == 1,
	       "RFC 7427 on one side, classic on the other: both up (method 14 and 1)");
}

/*
 * A crafted IKE_AUTH request: IDi, CERT (encoding 4, garbage DER), AUTH;
 * sealed with the real keys after a real IKE_SA_INIT.
 */
static void test_malformed_cert(const char *name, const uint8_t *der, size_t der_len)
{
	struct v2_pair p;
	struct creds cr[2];
	struct cert_chain peer[2] = { { 0 }, { 0 } };
	struct side_cfg a = peer_side("rsa", V2_SIG_AUTO), b = gw_side("rsa", V2_SIG_AUTO);
	uint8_t inner[2048], msg[4096], sig[256];
	struct wr w;
	struct v2_chain c;
	size_t len = 0;
	int failed_before;
	int rc;

	memset(cr, 0, sizeof(cr));
	memset(sig, 0x5a, sizeof(sig));
	log_len = 0;
	logbuf[0] = '\0';
	rc = v2p_open(&p, pool, IKE, ESP);
	if (rc == 0)
		rc = configure(&p, 0, &a, &cr[0], &peer[0]);
	if (rc == 0)
		rc = configure(&p, 1, &b, &cr[1], &peer[1]);
	if (rc == 0)
		rc = v2_engine_up(p.s[0].eng, "lab");
	/* IKE_SA_INIT both ways; the initiator's IKE_AUTH is then dropped */
	for (int i = 0; rc == 0 && i < 2; i++)
		v2p_deliver(&p);
	p.q_len = 0;
	wr_init(&w, inner, sizeof(inner));
	v2_chain_init(&c, &w, SIZE_MAX);
	if (rc == 0)
		rc = v2_put_id(&c, V2_PT_IDI, V2_ID_FQDN, "peer.example.org", 16);
	if (rc == 0)
		rc = v2_put_cert(&c, V2_PT_CERT, 4, der, der_len);
	if (rc == 0)
		rc = v2_put_auth(&c, V2_AUTH_RSA_SIG, sig, sizeof(sig));
	if (rc == 0)
		rc = v2p_seal(&p, 1, V2_EXCH_IKE_AUTH, false, v2p_msgid(&p, 1, false), c.first,
			      inner, wr_len(&w), msg, sizeof(msg), &len);
	failed_before = p.s[1].failed;
	if (rc == 0)
		v2p_inject(&p, 1, msg, len);
	tap_ok(rc == 0 && p.s[1].failed == failed_before + 1 && p.s[1].established == 0,
	       "%s CERT: the responder refuses, no IKE SA", name);
	tap_ok(p.q_len == 1 && v2_engine_stats(p.s[1].eng)->notifies_sent == 1,
	       "%s CERT: answered with a notify (AUTHENTICATION_FAILED)", name);
	tap_ok(logged("malformed CERT payload"), "%s CERT: the log names the reason", name);
	tap_eq_int((long long)v2_engine_count_sas(p.s[1].eng), 0, "%s CERT: no SA kept", name);
	v2p_close(&p);
	for (int i = 0; i < 2; i++) {
		creds_clear(&cr[i]);
		cert_chain_clear(&peer[i]);
	}
}

static void test_malformed(void)
{
	static const uint8_t garbage[] = "this is not DER at all";
	static const uint8_t truncated[] = { 0x30, 0x82, 0x04, 0x00, 0x30, 0x82, 0x03, 0x00, 0x02 };
	char path[512];
	struct cert_chain ch = { 0 };
	const uint8_t *der;
	size_t len;

	test_malformed_cert("garbage", garbage, sizeof(garbage) - 1);
	test_malformed_cert("truncated DER", truncated, sizeof(truncated));
	snprintf(path, sizeof(path), "%s/peer-rsa.pem", pki);
	if (cert_chain_load_file(path, &ch) == 0) {
		der = cert_der(ch.certs[0], &len);
		test_malformed_cert("cut real certificate", der, len - 7);
		cert_chain_clear(&ch);
	}
}

/*
 * The responder's connections are replaced (a reload) between IKE_SA_INIT
 * and IKE_AUTH: its half-made SA, whose credentials belonged to the old
 * rows, is removed; the initiator's IKE_AUTH then finds no SA.
 */
static void test_reload_mid_negotiation(void)
{
	struct v2_pair p;
	struct creds cr[2];
	struct cert_chain peer[2] = { { 0 }, { 0 } };
	struct side_cfg a = peer_side("rsa", V2_SIG_AUTO), b = gw_side("rsa", V2_SIG_AUTO);
	struct v2_conn c;
	int rc;

	memset(cr, 0, sizeof(cr));
	rc = v2p_open(&p, pool, IKE, ESP);
	if (rc == 0)
		rc = configure(&p, 0, &a, &cr[0], &peer[0]);
	if (rc == 0)
		rc = configure(&p, 1, &b, &cr[1], &peer[1]);
	if (rc == 0)
		rc = v2_engine_up(p.s[0].eng, "lab");
	if (rc == 0)
		v2p_deliver(&p); /* IKE_SA_INIT request: the responder answers */
	tap_eq_int((long long)v2_engine_count_sas(p.s[1].eng), 1,
		   "reload: the responder holds a half-made SA");
	c = *v2_engine_find_conn(p.s[1].eng, "lab");
	rc = v2_engine_set_conns(p.s[1].eng, &c, 1);
	tap_ok(rc == 0 && v2_engine_count_sas(p.s[1].eng) == 0,
	       "reload: the half-made pubkey SA is removed with its old row");
	v2p_run(&p);
	tap_ok(p.s[1].established == 0 && p.s[0].established == 0,
	       "reload: nothing is established on the removed SA");
	v2p_close(&p);
	for (int i = 0; i < 2; i++) {
		creds_clear(&cr[i]);
		cert_chain_clear(&peer[i]);
	}
}

static void test_sizes(void)
{
	struct side_cfg a = peer_side("rsa", V2_SIG_RFC7427_PSS), b;
	struct result r;

	a.send_cert = V2_SEND_CERT_ALWAYS;
	b = gw_side("rsa", V2_SIG_RFC7427_PSS);
	b.send_cert = V2_SEND_CERT_ALWAYS;
	r = exchange(&a, &b);
	tap_ok(r.established[0] == 1 && r.auth_len[0] > 1280 && r.auth_len[1] > 1280,
	       "RSA-2048 chain (end-entity + intermediate): IKE_AUTH request %zu, response %zu octets",
	       r.auth_len[0], r.auth_len[1]);
	tap_diag("IKE_AUTH with an RSA-2048 chain: request %zu octets, response %zu octets "
		 "(+28 UDP/IPv4 = %zu / %zu IP octets)",
		 r.auth_len[0], r.auth_len[1], r.auth_len[0] + 28, r.auth_len[1] + 28);
}

/* RFC 7383: the same chains in fragments of at most 576 IPv4 octets (2.5.1). */
static void test_fragmented_chain(void)
{
	struct side_cfg a = peer_side("rsa", V2_SIG_RFC7427_PSS), b;
	struct result r;

	a.send_cert = V2_SEND_CERT_ALWAYS;
	a.frag = true;
	b = gw_side("rsa", V2_SIG_RFC7427_PSS);
	b.send_cert = V2_SEND_CERT_ALWAYS;
	b.frag = true;
	r = exchange(&a, &b);
	tap_ok(r.established[0] == 1 && r.established[1] == 1,
	       "fragmented RSA chain: both ends established");
	tap_ok(r.auth_len[0] <= 548 && r.auth_len[1] <= 548 && r.auth_dgrams[0] >= 3 &&
	       r.auth_dgrams[1] >= 3,
	       "fragmented RSA chain: IKE_AUTH as %zu and %zu datagrams of at most %zu / %zu octets "
	       "(576 - IPv4 - UDP = 548)", r.auth_dgrams[0], r.auth_dgrams[1], r.auth_len[0],
	       r.auth_len[1]);
	tap_ok(r.fragmented[0] == 1 && r.fragmented[1] == 1 && r.reassembled[0] == 1 &&
	       r.reassembled[1] == 1, "fragmented RSA chain: one message fragmented and "
	       "reassembled each way");
}

static int make_pki(void)
{
	const char *srcdir = getenv("srcdir");
	char cmd[1024];
	int rc;

	if (!tap_mkdtemp(pki, sizeof(pki), "dualike-v2cert"))
		return -1;
	snprintf(cmd, sizeof(cmd), "sh %s/testsuite/lib/make-pki.sh %s >/dev/null",
		 srcdir ? srcdir : ".", pki);
	rc = system(cmd);
	return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

int main(void)
{
	char cmd[512], why[256];
	int rc = make_pki();

	if (rc == 77)
		return tap_skip_all("certtool is not installed (gnutls-bin)");
	if (rc != 0)
		return tap_skip_all("make-pki.sh failed (%d)", rc);
	log_set_sink(sink, NULL);
	log_set_level(LOG_LEVEL_DEBUG);
	snprintf(cmd, sizeof(cmd), "%s/cacerts", pki);
	rc = cert_store_new(&store);
	if (rc == 0)
		rc = cert_store_add_ca_dir(store, cmd, why, sizeof(why));
	snprintf(cmd, sizeof(cmd), "%s/inter.crl", pki);
	if (rc == 0)
		rc = cert_store_add_crl_file(store, cmd, why, sizeof(why));
	if (rc == 0)
		rc = job_pool_new(NULL, 2, &pool);
	if (!tap_ok(rc == 0, "trust store (cacerts/, inter.crl) and job pool"))
		return tap_done();
	test_methods();
	test_configured_peer_cert();
	test_refusals();
	test_stale_crl();
	test_refused_by_initiator();
	test_malformed();
	test_reload_mid_negotiation();
	test_sizes();
	test_fragmented_chain();
	job_pool_free(pool);
	cert_store_free(store);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", pki);
	if (system(cmd) != 0)
		tap_diag("could not remove %s", pki);
	return tap_done();
}
