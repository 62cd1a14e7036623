/*
 * v1_cert_test.c - IKEv1 phase 1 with RSA and ECDSA signatures and
 * certificates (RFC 2409 5.1, RFC 4754) between two in-process engines (testsuite/regress/
 * v1_pair), on a PKI made at test time by testsuite/lib/make-pki.sh:
 * side 0 (192.0.2.1) holds the "peer" certificates, side 1 (192.0.2.2)
 * the "gw" ones, both trust the root in cacerts/ and get the intermediate
 * in the CERT payloads.
 *
 * Asserted: the proposal carries authentication method 3; CR payloads name
 * the root CA; Main Mode and Aggressive Mode establish both ways with the
 * Quick Mode keys equal on both sides; identities as DN (default) and as
 * FQDN; a peer that sends no CERT is accepted when its certificate is
 * configured, refused otherwise; phase-1 re-authentication signs again and
 * keeps the IPsec SAs; ECDSA on P-256, P-384, P-521: MM1 offers method
 * 9, 10, 11, Main and Aggressive Mode establish both ways, SIG is r || s
 * of the curve's size, a tampered, truncated or wrong-key SIG is refused
 * with INVALID-SIGNATURE, an ECDSA proposal to an RSA responder gets
 * NO-PROPOSAL-CHOSEN, a certificate whose curve is not the agreed
 * method's gets AUTHENTICATION-FAILED; an Ed25519 key is refused at
 * attach with the reason; and each refusal (expired, revoked,
 * unknown CA, bad key usage, a CA loop, an identity not in the
 * certificate, a remote_id mismatch, a signature by the wrong key, a
 * truncated or garbage CERT, PSK against pubkey) leaves the refusing side
 * with no SA and sends the RFC 2408 3.14.1 notify.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include <nettle/hmac.h>

#include "common/cert.h"
#include "common/err.h"
#include "common/job.h"
#include "common/sig.h"
#include "common/ts.h"
#include "common/xform.h"
#include "testsuite/lib/tap.h"
#include "testsuite/regress/v1_pair.h"
#include "testsuite/unit/common/pki_helper.h"
#include "v1/v1_attr.h"
#include "v1/v1_auth_sig.h"
#include "v1/v1_msg.h"
#include "v1/v1_names.h"
#include "v1/v1_pubkey.h"

static struct job_pool *pool;

/* One side's configuration. */
struct side_cfg {
	const char *cert;       /* chain file (ee + intermediate) */
	const char *key;
	const char *peer_cert;  /* configured peer certificate */
	const char *local_id, *remote_id; /* text forms; NULL: subject DN / any */
	const char *sign_key;   /* sign with this key instead (a wrong key) */
	const char *send_chain; /* send this chain instead (another key than the method's) */
	const char *prf;        /* the phase-1 prf offered instead of prfsha256 */
	enum v1_send_cert send;
	bool crl;
	bool no_ca;
	bool psk;               /* no certificates at all */
};

static struct v1_conn *make_conn(const struct v1_pair *p, int who, const struct side_cfg *s,
				 bool aggressive)
{
	struct v1p_opts o = { .aggressive = aggressive };
	struct v1_conn *c = v1p_conn(p, who, &o);
	struct v1_pubkey *pk = NULL;
	char why[256] = "";

	if (!c)
		return NULL;
	c->aggressive_ok = s->psk;
	if (s->prf)
		c->p1[0].hash.x[0] = xform_by_name(s->prf);
	if (s->local_id)
		id_parse(s->local_id, &c->local_id);
	if (s->remote_id && strchr(s->remote_id, '='))
		cert_dn_parse(s->remote_id, &c->remote_id, why, sizeof(why));
	else if (s->remote_id)
		id_parse(s->remote_id, &c->remote_id);
	if (s->psk)
		return c;
	if (v1_pubkey_new(&pk) < 0 || cert_chain_load_file(pki_path(s->cert), &pk->chain) < 0 ||
	    cert_key_load_file(pki_path(s->key), &pk->key, why, sizeof(why)) < 0 ||
	    cert_store_new(&pk->store) < 0 ||
	    (!s->no_ca && cert_store_add_ca_dir(pk->store, pki_path("cacerts"), why, sizeof(why)) < 0) ||
	    (s->crl && cert_store_add_crl_file(pk->store, pki_path("inter.crl"), why, sizeof(why)) < 0)) {
		tap_diag("loading %s / %s: %s", s->cert, s->key, why);
		v1_pubkey_free(pk);
		return c;
	}
	if (s->peer_cert) {
		struct cert_chain pc = { 0 };

		if (cert_chain_load_file(pki_path(s->peer_cert), &pc) == 0 && pc.n)
			pk->peer_cert = cert_ref(pc.certs[0]);
		cert_chain_clear(&pc);
	}
	pk->send_cert = s->send;
	if (v1_pubkey_attach(c, pk, why, sizeof(why)) < 0) {
		tap_diag("attach: %s", why);
		v1_pubkey_free(pk);
		return c;
	}
	if (s->sign_key) {
		struct sig_privkey *k = NULL;

		if (cert_key_load_file(pki_path(s->sign_key), &k, why, sizeof(why)) == 0) {
			sig_privkey_free(pk->key);
			pk->key = k;
		}
	}
	if (s->send_chain) {
		cert_chain_clear(&pk->chain);
		if (cert_chain_load_file(pki_path(s->send_chain), &pk->chain) < 0)
			tap_diag("loading %s failed", s->send_chain);
	}
	return c;
}

static int open_pair(struct v1_pair *p, const struct side_cfg *s0, const struct side_cfg *s1,
		     bool aggressive)
{
	const struct side_cfg *s[2] = { s0, s1 };
	int rc = v1p_open(p, pool, aggressive);

	for (int i = 0; rc == 0 && i < 2; i++) {
		struct v1_conn *c = make_conn(p, i, s[i], aggressive);

		if (!c)
			return ERR_NOMEM;
		rc = v1_engine_set_conns(p->eng[i], &c, 1);
		v1_conn_unref(c);
	}
	return rc;
}

/* The notify type in a cleartext Informational datagram, or -1. */
static int notify_in(const struct v1p_pkt *k)
{
	struct v1_msg m;
	struct v1_err e = { 0 };
	struct v1_notify n;
	const struct v1_payload *pl;

	if (!k->len || v1_msg_parse(k->data, k->len, &m, &e) < 0 ||
	    m.hdr.exch != V1_EXCH_INFORMATIONAL || !(pl = v1_msg_find(&m, V1_P_N, 0)) ||
	    v1_notify_parse(pl, &n, &e) < 0)
		return -1;
	return n.type;
}

struct keys {
	uint8_t in[64], out[64];
	size_t len;
	unsigned n;
};

static void take_keys(const struct v1_ipsec_info *in, void *arg)
{
	struct keys *k = arg;

	if (k->n++ || in->key_len > sizeof(k->in))
		return;
	memcpy(k->in, in->key_in, in->key_len);
	memcpy(k->out, in->key_out, in->key_len);
	k->len = in->key_len;
}

/* Initiate from side `from` and run; true when both hold an ISAKMP SA and an IPsec pair
 * whose keys are equal direction by direction. */
static bool establish(struct v1_pair *p, int from)
{
	char why[128];
	unsigned est[2];
	struct keys k[2] = { { .n = 0 }, { .n = 0 } };

	if (v1_engine_initiate(p->eng[from], "lab", why, sizeof(why)) < 0)
		return false;
	v1p_run(p);
	v1p_count(p, 0, &est[0]);
	v1p_count(p, 1, &est[1]);
	v1_engine_foreach_ipsec(p->eng[0], take_keys, &k[0]);
	v1_engine_foreach_ipsec(p->eng[1], take_keys, &k[1]);
	return est[0] == 1 && est[1] == 1 && k[0].n == 1 && k[1].n == 1 && k[0].len &&
	       k[0].len == k[1].len && memcmp(k[0].out, k[1].in, k[0].len) == 0 &&
	       memcmp(k[0].in, k[1].out, k[0].len) == 0;
}

static const struct side_cfg peer_rsa = { .cert = "peer-rsa-chain.pem", .key = "peer-rsa.key" };
static const struct side_cfg gw_rsa = { .cert = "gw-rsa-chain.pem", .key = "gw-rsa.key" };

/* Side 0 initiates: the authentication method of the first transform of
 * its first message (MM1 or AM1), 0 when that cannot be read. */
static unsigned first_offer_auth(struct v1_pair *p)
{
	struct v1_msg m;
	struct v1_err e = { 0 };
	struct v1_sa sa;
	struct v1_p1_attrs a;
	char why[128];

	v1_engine_initiate(p->eng[0], "lab", why, sizeof(why));
	job_pool_drain(pool);
	if (p->q_len != 1 || v1_msg_parse(p->q[0].data, p->q[0].len, &m, &e) < 0 ||
	    v1_sa_parse(v1_msg_find(&m, V1_P_SA, 0), &sa, &e) < 0 ||
	    v1_attr_decode_p1(v1_sa_transforms(&sa, 0)[0].attrs,
			      v1_sa_transforms(&sa, 0)[0].attrs_len, &a, &e) < 0)
		return 0;
	return a.auth;
}

static void test_proposal_and_cr(void)
{
	struct v1_pair p;
	struct v1_msg m;
	struct v1_err e = { 0 };
	const struct v1_payload *cr;
	struct cert_chain ca = { 0 };

	if (open_pair(&p, &peer_rsa, &gw_rsa, false) < 0) {
		tap_ok(false, "pair opens");
		return;
	}
	tap_eq_int(first_offer_auth(&p), V1_AUTH_RSA_SIG,
		   "MM1 offers authentication method 3 (RSA signatures)");
	v1p_deliver(&p); /* MM1 */
	v1p_deliver(&p); /* MM2: the initiator's KE job runs, MM3 queued */
	job_pool_drain(pool);
	cr = p.q_len && v1_msg_parse(p.q[0].data, p.q[0].len, &m, &e) == 0 ?
	     v1_msg_find(&m, V1_P_CR, 0) : NULL;
	if (cr && cert_chain_load_file(pki_path("ca.pem"), &ca) == 0 && ca.n) {
		size_t len;
		const uint8_t *dn = cert_subject_der(ca.certs[0], &len);

		tap_ok(cr->body_len == len + 1 && cr->body[0] == V1_CERT_X509_SIG &&
		       memcmp(cr->body + 1, dn, len) == 0, "MM3 carries a CR naming the root CA's DN");
	} else {
		tap_ok(false, "MM3 carries a CR payload");
	}
	cert_chain_clear(&ca);
	v1p_run(&p);
	tap_eq_int(v1p_ipsec(&p, 1), 1, "... and the exchange completes");
	v1p_close(&p);
}

/* An Ed25519 key is refused for IKEv1 with the reason: no IKEv1 method (v1_pubkey.c). */
static void test_ed25519_refused(void)
{
	struct v1_conn *c = v1_conn_new("ed");
	struct v1_pubkey *pk = NULL;
	char why[256] = "";
	int rc = ERR_STATE;

	if (c && v1_pubkey_new(&pk) == 0 &&
	    cert_chain_load_file(pki_path("gw-ed25519-chain.pem"), &pk->chain) == 0 &&
	    cert_key_load_file(pki_path("gw-ed25519.key"), &pk->key, why, sizeof(why)) == 0 &&
	    cert_store_new(&pk->store) == 0 &&
	    cert_store_add_ca_dir(pk->store, pki_path("cacerts"), why, sizeof(why)) == 0)
		rc = v1_pubkey_attach(c, pk, why, sizeof(why));
	tap_eq_int(rc, ERR_INVAL, "an Ed25519 key is refused for IKEv1");
	tap_ok(strstr(why, "no authentication method for an Ed25519 key") != NULL && c &&
	       !c->pubkey, "... with the reason: %s", why);
	if (rc < 0)
		v1_pubkey_free(pk);
	v1_conn_unref(c);
}

static void test_establish(const char *what, const struct side_cfg *s0,
			   const struct side_cfg *s1, bool aggressive)
{
	for (int from = 0; from < 2; from++) {
		struct v1_pair p;

		if (open_pair(&p, s0, s1, aggressive) < 0) {
			tap_ok(false, "%s: pair opens", what);
			continue;
		}
		tap_ok(establish(&p, from), "%s, side %d initiates: both established, ESP keys equal",
		       what, from);
		tap_eq_int((long long)p.failed[0] + (long long)p.failed[1], 0, "... no failure counted");
		v1p_close(&p);
	}
}

/* Phase-1 re-authentication signs and checks again; the IPsec SA pair stays. */
static void test_reauth(void)
{
	struct v1_pair p;
	unsigned est[2];

	if (open_pair(&p, &peer_rsa, &gw_rsa, false) < 0 || !establish(&p, 0)) {
		tap_ok(false, "reauth: established first");
		v1p_close(&p);
		return;
	}
	tap_eq_int(v1_engine_fire_timers(p.eng[0], V1_TIMER_ISAKMP_LIFE), 1,
		   "reauth with certificates: the ISAKMP SA's soft lifetime fires");
	v1p_run(&p);
	tap_eq_int((long long)v1_engine_counters(p.eng[0])->reauths, 1, "... counted");
	tap_ok(v1p_count(&p, 0, &est[0]) == 1 && est[0] == 1 && v1p_count(&p, 1, &est[1]) == 1 &&
	       est[1] == 1, "... one established ISAKMP SA on each side (the old one deleted)");
	tap_eq_int((long long)v1_engine_counters(p.eng[1])->p1_done, 2,
		   "... the responder checked a second signature");
	tap_ok(v1p_ipsec(&p, 0) == 1 && v1p_ipsec(&p, 1) == 1, "... the IPsec SA pair lives on");
	v1p_close(&p);
}

/*
 * Side `checker` refuses the other's authentication: it holds no SA
 * afterwards, counted a failure, and its last datagram is the notify.
 */
static void test_refusal(const char *what, const struct side_cfg *s0, const struct side_cfg *s1,
			 int checker, int notify, bool aggressive)
{
	struct v1_pair p;
	unsigned est;

	if (open_pair(&p, s0, s1, aggressive) < 0) {
		tap_ok(false, "%s: pair opens", what);
		return;
	}
	tap_ok(!establish(&p, 0), "%s: refused", what);
	tap_eq_int(v1p_count(&p, checker, &est), 0, "... side %d holds no ISAKMP SA", checker);
	tap_eq_int((long long)p.failed[checker], 1, "... and counted one failure");
	tap_eq_int(notify_in(&p.last[checker]), notify, "... and sent notify %s",
		   v1_notify_name((unsigned)notify));
	v1p_close(&p);
}

/*
 * Rewrite the first payload of `type` (at least min_len octets) of a
 * cleartext message: spoil() changes its body in place and may shorten it.
 * False when there is none or the message does not rebuild.
 */
static bool rewrite_payload(struct v1p_pkt *k, uint8_t type, size_t min_len,
			    void (*spoil)(uint8_t *body, size_t *len, void *arg), void *arg)
{
	static uint8_t out[V1P_PKT_MAX], body[V1P_PKT_MAX];
	struct v1_msg m;
	struct v1_err e = { 0 };
	struct wr w;
	struct v1_builder b;
	size_t len;
	bool done = false;

	if (v1_msg_parse(k->data, k->len, &m, &e) < 0)
		return false;
	wr_init(&w, out, sizeof(out));
	v1_build_start(&b, &w, &m.hdr);
	for (unsigned i = 0; i < m.n; i++) {
		size_t blen = m.pl[i].body_len;

		memcpy(body, m.pl[i].body, blen);
		if (m.pl[i].type == type && !done && blen >= min_len) {
			spoil(body, &blen, arg);
			done = true;
		}
		v1_build_begin(&b, m.pl[i].type);
		wr_bytes(&w, body, blen);
		v1_build_end(&b);
	}
	if (!done || v1_build_finish(&b, &len) < 0)
		return false;
	memcpy(k->data, out, len);
	k->len = len;
	return true;
}

/* CERT: truncated DER, or garbage after the encoding octet */
static void spoil_cert(uint8_t *body, size_t *len, void *arg)
{
	if (*(bool *)arg)
		*len = 1 + (*len - 1) / 2;
	else
		memset(body + 1, 0x41, *len - 1);
}

static bool tamper_cert(struct v1p_pkt *k, bool truncate)
{
	return rewrite_payload(k, V1_P_CERT, 3, spoil_cert, &truncate);
}

static void test_malformed_cert(bool truncate)
{
	const char *what = truncate ? "truncated DER in CERT" : "garbage in CERT";
	struct v1_pair p;
	char why[128];
	unsigned est;

	if (open_pair(&p, &peer_rsa, &gw_rsa, true) < 0) {
		tap_ok(false, "%s: pair opens", what);
		return;
	}
	v1_engine_initiate(p.eng[0], "lab", why, sizeof(why));
	v1p_deliver(&p); /* AM1 to the responder; AM2 (in clear, with CERT) queued */
	job_pool_drain(pool);
	tap_ok(p.q_len == 1 && p.q[0].from == 1 && tamper_cert(&p.q[0], truncate),
	       "%s: AM2 rewritten", what);
	v1p_run(&p);
	tap_eq_int(v1p_count(&p, 0, &est), 0, "... the initiator holds no ISAKMP SA");
	tap_eq_int((long long)p.failed[0], 1, "... counted one failure");
	tap_eq_int(notify_in(&p.last[0]), V1_N_INVALID_CERT_ENCODING,
		   "... and sent INVALID-CERT-ENCODING");
	v1p_close(&p);
}

/* ---- ECDSA (RFC 4754) ---- */

struct ecdsa_case {
	const char *alg;     /* make-pki.sh ALG */
	uint16_t method;     /* RFC 4754 4 */
	size_t sig_len;      /* r || s (RFC 4754 7) */
	struct side_cfg peer, gw;
};

static struct ecdsa_case ecdsa_cases[] = {
	{ "ecdsa256", V1_AUTH_ECDSA_256, 64,
	  { .cert = "peer-ecdsa256-chain.pem", .key = "peer-ecdsa256.key" },
	  { .cert = "gw-ecdsa256-chain.pem", .key = "gw-ecdsa256.key" } },
	{ "ecdsa384", V1_AUTH_ECDSA_384, 96,
	  { .cert = "peer-ecdsa384-chain.pem", .key = "peer-ecdsa384.key" },
	  { .cert = "gw-ecdsa384-chain.pem", .key = "gw-ecdsa384.key" } },
	{ "ecdsa521", V1_AUTH_ECDSA_521, 132,
	  { .cert = "peer-ecdsa521-chain.pem", .key = "peer-ecdsa521.key" },
	  { .cert = "gw-ecdsa521-chain.pem", .key = "gw-ecdsa521.key" } },
};
#define NECDSA (sizeof(ecdsa_cases) / sizeof(ecdsa_cases[0]))

/* MM1's (AM1's) first transform names the curve's method. */
static void test_ecdsa_offer(const struct ecdsa_case *ec, bool aggressive)
{
	struct v1_pair p;

	if (open_pair(&p, &ec->peer, &ec->gw, aggressive) < 0) {
		tap_ok(false, "%s: pair opens", ec->alg);
		return;
	}
	tap_eq_int(first_offer_auth(&p), ec->method, "%s: %s offers authentication method %u",
		   ec->alg, aggressive ? "AM1" : "MM1", ec->method);
	v1p_close(&p);
}

/* How AM2's SIG payload (cleartext) is spoiled. */
enum sig_spoil { SPOIL_FLIP_R, SPOIL_FLIP_S, SPOIL_TRUNCATE, SPOIL_DER };

struct sig_spoiling {
	enum sig_spoil how;
	size_t len; /* the SIG's original length */
};

static void spoil_sig_body(uint8_t *body, size_t *len, void *arg)
{
	struct sig_spoiling *sp = arg;

	sp->len = *len;
	if (sp->how == SPOIL_FLIP_R)
		body[1] ^= 0x04;
	else if (sp->how == SPOIL_FLIP_S)
		body[*len - 1] ^= 0x01;
	else if (sp->how == SPOIL_TRUNCATE)
		(*len)--;
	else /* the same r, s as a DER SEQUENCE header would start: not r || s */
		body[0] = 0x30, body[1] = (uint8_t)(*len - 2);
}

/* Rewrite the SIG payload of a cleartext message; its original length in *len_out. */
static bool spoil_sig(struct v1p_pkt *k, enum sig_spoil how, size_t *len_out)
{
	struct sig_spoiling sp = { .how = how };
	bool ok = rewrite_payload(k, V1_P_SIG, 8, spoil_sig_body, &sp);

	*len_out = sp.len;
	return ok;
}

/* Aggressive Mode: the responder's SIG_R in AM2 spoiled in flight; the initiator refuses it. */
static void test_ecdsa_spoiled(const struct ecdsa_case *ec, enum sig_spoil how, const char *what)
{
	struct v1_pair p;
	char why[128];
	size_t len = 0;
	unsigned est;

	if (open_pair(&p, &ec->peer, &ec->gw, true) < 0) {
		tap_ok(false, "%s: pair opens", ec->alg);
		return;
	}
	v1_engine_initiate(p.eng[0], "lab", why, sizeof(why));
	v1p_deliver(&p); /* AM1 to the responder; AM2 (cleartext, with SIG_R) queued */
	job_pool_drain(pool);
	tap_ok(p.q_len == 1 && p.q[0].from == 1 && spoil_sig(&p.q[0], how, &len),
	       "%s, %s: AM2's SIG rewritten", ec->alg, what);
	tap_eq_int((long long)len, (long long)ec->sig_len, "... it was r || s, %zu octets",
		   ec->sig_len);
	v1p_run(&p);
	tap_eq_int(v1p_count(&p, 0, &est), 0, "... the initiator holds no ISAKMP SA");
	tap_eq_int((long long)p.failed[0], 1, "... counted one failure");
	tap_eq_int(notify_in(&p.last[0]), V1_N_INVALID_SIGNATURE, "... and sent INVALID-SIGNATURE");
	v1p_close(&p);
}

/*
 * HASH_I / HASH_R of an ECDSA method is HMAC of the method's SHA-2 under
 * SKEYID whatever prf was negotiated (strongSwan's reading of RFC 4754,
 * v1_auth_sig.c); other methods keep the negotiated prf (RFC 2409 5).
 * Checked against Nettle's HMAC directly.
 */
static void test_ecdsa_hash_prf(void)
{
	static const struct { uint16_t auth; enum prf_alg want; size_t len; } cases[] = {
		{ V1_AUTH_ECDSA_256, PRF_HMAC_SHA2_256, 32 },
		{ V1_AUTH_ECDSA_384, PRF_HMAC_SHA2_384, 48 },
		{ V1_AUTH_ECDSA_521, PRF_HMAC_SHA2_512, 64 },
		{ V1_AUTH_RSA_SIG, PRF_HMAC_SHA1, 20 },
	};
	static uint8_t gxi[] = "g^xi", gxr[] = "g^xr", sai[] = "SAi_b", id[] = "IDii_b";
	static const uint8_t skeyid[20] = { 0x11, 0x22, 0x33 };
	uint8_t h[PRF_MAX_OUT], want[64];
	size_t h_len = 0;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct v1_isakmp_sa sa;
		struct hmac_sha256_ctx c256;
		struct hmac_sha512_ctx c512; /* SHA-384 shares its context */
		struct hmac_sha1_ctx c1;
		int rc;

		memset(&sa, 0, sizeof(sa));
		sa.choice.attrs.auth = cases[i].auth;
		sa.ks.prf = PRF_HMAC_SHA1; /* negotiated: HMAC-SHA1 */
		sa.ks.skeyid = secret_dup(skeyid, sizeof(skeyid));
		sa.gxi = gxi, sa.gxi_len = sizeof(gxi);
		sa.gxr = gxr, sa.gxr_len = sizeof(gxr);
		sa.sai_b = sai, sa.sai_len = sizeof(sai);
		memset(sa.sad.spi_i, 0xa1, 8);
		memset(sa.sad.spi_r, 0xb2, 8);
		tap_eq_int(v1_auth_hash_prf(&sa), cases[i].want, "method %u: HASH_I prf %d",
			   cases[i].auth, cases[i].want);
		rc = sa.ks.skeyid ? v1_p1_hash(&sa, true, id, sizeof(id), h, &h_len) : ERR_NOMEM;
#define HMAC_ALL(ctx, set, upd, dig, size)                                       \
		do {                                                             \
			set(&ctx, sizeof(skeyid), skeyid);                       \
			upd(&ctx, sizeof(gxi), gxi);                             \
			upd(&ctx, sizeof(gxr), gxr);                             \
			upd(&ctx, 8, sa.sad.spi_i);                              \
			upd(&ctx, 8, sa.sad.spi_r);                              \
			upd(&ctx, sizeof(sai), sai);                             \
			upd(&ctx, sizeof(id), id);                               \
			dig(&ctx, size, want);                                   \
		} while (0)
		switch (cases[i].want) {
		case PRF_HMAC_SHA2_256:
			HMAC_ALL(c256, hmac_sha256_set_key, hmac_sha256_update, hmac_sha256_digest, 32);
			break;
		case PRF_HMAC_SHA2_384:
			HMAC_ALL(c512, hmac_sha384_set_key, hmac_sha384_update, hmac_sha384_digest, 48);
			break;
		case PRF_HMAC_SHA2_512:
			HMAC_ALL(c512, hmac_sha512_set_key, hmac_sha512_update, hmac_sha512_digest, 64);
			break;
		default:
			HMAC_ALL(c1, hmac_sha1_set_key, hmac_sha1_update, hmac_sha1_digest, 20);
			break;
		}
#undef HMAC_ALL
		tap_ok(rc == 0 && h_len == cases[i].len && memcmp(h, want, h_len) == 0,
		       "method %u with a negotiated HMAC-SHA1 prf: HASH_I is the %zu-octet HMAC "
		       "of SKEYID and its inputs", cases[i].auth, cases[i].len);
		secret_free(sa.ks.skeyid);
	}
}

static void test_ecdsa(void)
{
	struct side_cfg a, b;
	char what[128];

	for (size_t i = 0; i < NECDSA; i++) {
		const struct ecdsa_case *ec = &ecdsa_cases[i];
		struct side_cfg gw = ec->gw;

		test_ecdsa_offer(ec, false);
		test_ecdsa_offer(ec, true);
		snprintf(what, sizeof(what), "Main Mode, %s", ec->alg);
		test_establish(what, &ec->peer, &ec->gw, false);
		snprintf(what, sizeof(what), "Aggressive Mode, %s", ec->alg);
		test_establish(what, &ec->peer, &ec->gw, true);
		test_ecdsa_spoiled(ec, SPOIL_FLIP_R, "a bit of r flipped");
		test_ecdsa_spoiled(ec, SPOIL_FLIP_S, "a bit of s flipped");
		test_ecdsa_spoiled(ec, SPOIL_TRUNCATE, "one octet short");
		test_ecdsa_spoiled(ec, SPOIL_DER, "a DER header over r");
		gw.sign_key = ec->peer.key; /* the same curve, another key */
		snprintf(what, sizeof(what), "%s: responder signs with the wrong key", ec->alg);
		test_refusal(what, &ec->peer, &gw, 0, V1_N_INVALID_SIGNATURE, false);
		snprintf(what, sizeof(what), "%s: initiator signs with the wrong key", ec->alg);
		test_refusal(what, &gw, &ec->peer, 1, V1_N_INVALID_SIGNATURE, false);
	}
	test_ecdsa_hash_prf();
	/* a negotiated HMAC-SHA1 prf: HASH_I is still HMAC-SHA-256 for method 9 */
	a = ecdsa_cases[0].peer, b = ecdsa_cases[0].gw;
	a.prf = b.prf = "prfsha1";
	test_establish("Main Mode, ecdsa256, prf HMAC-SHA1", &a, &b, false);
	test_establish("Aggressive Mode, ecdsa256, prf HMAC-SHA1", &a, &b, true);
	/* methods differ: the RSA responder does not take method 9 (RFC 2409 5: one proposal) */
	test_refusal("ECDSA P-256 initiator, RSA responder", &ecdsa_cases[0].peer, &gw_rsa, 1,
		     V1_N_NO_PROPOSAL_CHOSEN, false);
	test_refusal("RSA initiator, ECDSA P-384 responder", &peer_rsa, &ecdsa_cases[1].gw, 1,
		     V1_N_NO_PROPOSAL_CHOSEN, false);
	test_refusal("ECDSA P-256 initiator, P-521 responder", &ecdsa_cases[0].peer,
		     &ecdsa_cases[2].gw, 1, V1_N_NO_PROPOSAL_CHOSEN, false);
	/* method 9 agreed, but the certificate sent holds a P-384 key (RFC 4754 4) */
	{
		struct side_cfg peer = ecdsa_cases[0].peer;

		peer.local_id = "peer.example.org";
		peer.send_chain = "peer-ecdsa384-chain.pem";
		test_refusal("method 9 with a P-384 certificate", &peer, &ecdsa_cases[0].gw, 1,
			     V1_N_AUTHENTICATION_FAILED, false);
	}
}

static void test_refusals(void)
{
	struct side_cfg gw = gw_rsa, peer = peer_rsa;

	gw.cert = "gw-expired-chain.pem", gw.key = "gw-expired.key";
	test_refusal("expired responder certificate", &peer_rsa, &gw, 0, V1_N_INVALID_CERTIFICATE,
		     false);
	test_refusal("expired initiator certificate", &gw, &peer_rsa, 1, V1_N_INVALID_CERTIFICATE,
		     false);
	gw.cert = "gw-revoked-chain.pem", gw.key = "gw-revoked.key";
	peer.crl = true;
	test_refusal("revoked certificate (CRL)", &peer, &gw, 0, V1_N_INVALID_CERTIFICATE, false);
	peer.crl = false;
	gw.cert = "gw-unknown-chain.pem", gw.key = "gw-unknown.key";
	test_refusal("certificate from an unknown CA", &peer_rsa, &gw, 0,
		     V1_N_INVALID_CERT_AUTHORITY, false);
	gw.cert = "gw-badku-chain.pem", gw.key = "gw-badku.key";
	test_refusal("certificate without digitalSignature", &peer_rsa, &gw, 0,
		     V1_N_INVALID_CERTIFICATE, false);
	gw.cert = "gw-badeku-chain.pem", gw.key = "gw-badeku.key";
	test_refusal("certificate for code signing and e-mail only (RFC 4945 5.1.3.12)", &peer_rsa,
		     &gw, 0, V1_N_INVALID_CERTIFICATE, false);
	gw.cert = "gw-loop-chain.pem", gw.key = "gw-loop.key";
	test_refusal("certificate chain loop", &peer_rsa, &gw, 0, V1_N_INVALID_CERTIFICATE, false);
	gw = gw_rsa;
	gw.local_id = "vpn.example.net";
	test_refusal("identity not in the certificate", &peer_rsa, &gw, 0,
		     V1_N_AUTHENTICATION_FAILED, false);
	peer.remote_id = "other.example.org";
	test_refusal("identity not the configured remote_id", &peer, &gw_rsa, 0,
		     V1_N_INVALID_ID_INFORMATION, false);
	peer.remote_id = NULL;
	gw = gw_rsa;
	gw.sign_key = "peer-rsa.key";
	test_refusal("responder signs with the wrong key", &peer_rsa, &gw, 0,
		     V1_N_INVALID_SIGNATURE, false);
	test_refusal("initiator signs with the wrong key", &gw, &peer_rsa, 1,
		     V1_N_INVALID_SIGNATURE, false);
	test_refusal("wrong key, Aggressive Mode", &peer_rsa, &gw, 0, V1_N_INVALID_SIGNATURE, true);
	gw = gw_rsa;
	gw.send = V1_SEND_CERT_NEVER;
	test_refusal("no CERT and no configured peer certificate", &peer_rsa, &gw, 0,
		     V1_N_CERTIFICATE_UNAVAILABLE, false);
	gw = (struct side_cfg){ .psk = true };
	test_refusal("pubkey initiator, PSK responder", &peer_rsa, &gw, 1,
		     V1_N_NO_PROPOSAL_CHOSEN, false);
	test_malformed_cert(true);
	test_malformed_cert(false);
}

int main(void)
{
	int rc = pki_start();
	struct side_cfg a = peer_rsa, b = gw_rsa;

	if (rc >= 0)
		return rc;
	if (job_pool_new(NULL, 2, &pool) < 0) {
		tap_ok(false, "job pool");
		return tap_done();
	}
	test_proposal_and_cr();
	test_establish("Main Mode, RSA, DN identities", &peer_rsa, &gw_rsa, false);
	a.local_id = "peer.example.org", a.remote_id = "gw.example.org";
	b.local_id = "gw.example.org", b.remote_id = "peer.example.org";
	test_establish("Main Mode, RSA, FQDN identities", &a, &b, false);
	a = peer_rsa, b = gw_rsa;
	a.remote_id = "CN=gw.example.org, OU=rsa, O=dualike test, C=FI";
	b.remote_id = "192.0.2.1";
	test_establish("Main Mode, remote_id as DN text / as the IP SAN", &a, &b, false);
	a = peer_rsa, b = gw_rsa;
	test_establish("Aggressive Mode, RSA", &peer_rsa, &gw_rsa, true);
	test_ed25519_refused();
	test_ecdsa();
	a = peer_rsa, b = gw_rsa;
	a.send = V1_SEND_CERT_IF_ASKED, b.send = V1_SEND_CERT_IF_ASKED;
	test_establish("send_cert = if asked (CRs are sent)", &a, &b, false);
	a = peer_rsa, b = gw_rsa;
	a.peer_cert = "gw-rsa.pem", b.peer_cert = "peer-rsa.pem";
	a.send = V1_SEND_CERT_NEVER, b.send = V1_SEND_CERT_NEVER;
	a.no_ca = b.no_ca = true;
	test_establish("no CERT sent, peer certificates configured", &a, &b, false);
	test_reauth();
	test_refusals();
	(void)pki_read_file;
	job_pool_free(pool);
	pki_remove();
	return tap_done();
}
