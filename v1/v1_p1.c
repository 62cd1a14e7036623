/*
 * v1_p1.c - what Main and Aggressive Mode share (RFC 2409 5, 5.4): the
 * SA payload we offer or answer, choosing from the peer's, the key
 * schedule with a pre-shared key, HASH_I / HASH_R, the ID payload, and
 * the moment phase 1 is done (vendor IDs: v1_natt.c).
 *
 *   HASH_I = prf(SKEYID, g^xi | g^xr | CKY-I | CKY-R | SAi_b | IDii_b)
 *   HASH_R = prf(SKEYID, g^xr | g^xi | CKY-R | CKY-I | SAi_b | IDir_b)
 *
 * (prf: the negotiated one; with an ECDSA method HMAC of that method's
 * SHA-2, as strongSwan computes it: v1_auth_sig.c scheme_of.)
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "common/err.h"
#include "common/keylog.h"
#include "common/log.h"
#include "v1/v1_auth_sig.h"
#include "v1/v1_sa.h"

/* ---- SA payload ---- */

static void put_transform(struct v1_builder *b, uint8_t number, const struct xform *encr,
			  const struct xform *hash, const struct xform *group, uint32_t life,
			  uint16_t auth)
{
	struct v1_p1_attrs a;

	memset(&a, 0, sizeof(a));
	a.encr = encr->ike_value;
	a.key_len = encr->key_attr ? encr->key_bits : 0;
	a.hash = hash->ike_value;
	a.group = group->ike_value;
	a.auth = auth;
	a.life_seconds = life;
	v1_build_transform_begin(b, number, V1_KEY_IKE);
	v1_attr_encode_p1(b->w, &a);
	v1_build_transform_end(b);
}

void v1_p1_build_sa(struct v1_isakmp_sa *sa, struct v1_builder *b)
{
	const struct v1_conn *c = sa->conn;
	uint8_t n = 0;

	v1_build_sa_begin(b, V1_DOI_IPSEC, V1_SIT_IDENTITY_ONLY);
	if (!sa->initiator) {
		/* RFC 2409 5: the responder returns the one transform it took, as sent */
		v1_build_proposal_begin(b, sa->choice.proposal_number, V1_PROTO_ISAKMP, NULL, 0);
		v1_build_transform_begin(b, sa->choice.transform_number, V1_KEY_IKE);
		wr_bytes(b->w, sa->chosen_attrs, sa->chosen_attrs_len);
		v1_build_transform_end(b);
		v1_build_proposal_end(b);
		v1_build_sa_end(b);
		return;
	}
	v1_build_proposal_begin(b, 1, V1_PROTO_ISAKMP, NULL, 0);
	for (size_t p = 0; p < c->n_p1; p++)
		for (size_t i = 0; i < c->p1[p].encr.n; i++)
			for (size_t j = 0; j < c->p1[p].hash.n; j++)
				for (size_t k = 0; k < c->p1[p].group.n && n < 255; k++)
					put_transform(b, ++n, c->p1[p].encr.x[i], c->p1[p].hash.x[j],
						      c->p1[p].group.x[k], c->ike_life_s,
						      v1_auth_method(c));
	v1_build_proposal_end(b);
	v1_build_sa_end(b);
}

static size_t policies(const struct v1_conn *c, struct v1_p1_policy *out)
{
	for (size_t p = 0; p < c->n_p1; p++) {
		out[p] = (struct v1_p1_policy){
			.encr = c->p1[p].encr.x, .n_encr = c->p1[p].encr.n,
			.hash = c->p1[p].hash.x, .n_hash = c->p1[p].hash.n,
			.group = c->p1[p].group.x, .n_group = c->p1[p].group.n,
			.auth_method = v1_auth_method(c),
			.life_seconds = c->ike_life_s,
		};
	}
	return c->n_p1;
}

/* Choose from (responder) or check (initiator) an SA payload; st->notify on failure. */
int v1_p1_select(struct v1_step *st, const struct v1_payload *pl)
{
	struct v1_isakmp_sa *sa = st->sa;
	struct v1_p1_policy pol[V1_CONN_MAX_PROPOSALS];
	struct v1_sa peer;
	struct v1_err err = { 0 };
	char why[2048];
	int rc = v1_sa_parse(pl, &peer, &err);

	if (rc < 0) {
		log_warn(&sa->sad.logger, "SA payload refused: %s", err.text);
		st->notify = err.notify ? err.notify : V1_N_BAD_PROPOSAL_SYNTAX;
		return rc;
	}
	rc = v1_select_p1(&peer, pol, policies(sa->conn, pol), &sa->choice, why, sizeof(why), &err);
	if (rc < 0) {
		log_warn(&sa->sad.logger, "NO_PROPOSAL_CHOSEN for connection %s:\n%s",
			 sa->conn->name, why);
		st->notify = V1_N_NO_PROPOSAL_CHOSEN;
		return rc;
	}
	if (sa->initiator && (peer.n_proposals != 1 || peer.n_xf != 1)) {
		log_warn(&sa->sad.logger, "the responder answered with %u transforms, not one", peer.n_xf);
		st->notify = V1_N_BAD_PROPOSAL_SYNTAX;
		return ERR_PARSE;
	}
	for (unsigned i = 0; i < peer.n_proposals; i++) {
		const struct v1_transform *t = v1_sa_transforms(&peer, i);

		if (peer.prop[i].number != sa->choice.proposal_number)
			continue;
		for (unsigned j = 0; j < peer.prop[i].n_transforms; j++) {
			if (t[j].number != sa->choice.transform_number)
				continue;
			free(sa->chosen_attrs);
			sa->chosen_attrs = malloc(t[j].attrs_len ? t[j].attrs_len : 1);
			if (!sa->chosen_attrs)
				return ERR_NOMEM;
			memcpy(sa->chosen_attrs, t[j].attrs, t[j].attrs_len);
			sa->chosen_attrs_len = t[j].attrs_len;
			return 0;
		}
	}
	return ERR_STATE;
}

/* ---- keys ---- */

int v1_p1_keys(struct v1_isakmp_sa *sa)
{
	const struct v1_p1_attrs *a = &sa->choice.attrs;
	struct v1_engine *e = sa->eng;
	bool sig = v1_auth_is_sig(sa); /* RFC 2409 5: SKEYID = prf(Ni_b | Nr_b, g^xy) */
	const struct secret *psk = !sig && e->env.psk ? e->env.psk(e->env.arg, sa->conn, &sa->local,
							    &sa->peer, sa->peer_id) : NULL;
	struct v1_phase1_inputs in = {
		.ni = sa->ni, .ni_len = sa->ni_len, .nr = sa->nr, .nr_len = sa->nr_len,
		.gxy = sa->gxy->bytes, .gxy_len = sa->gxy->len,
	};
	struct v1_keyset ks = { 0 };
	struct v1_crypt c = { 0 };
	struct secret *key = NULL;
	struct v1_iv iv;
	size_t key_len = a->x_encr->key_bits / 8;
	int rc;

	if (!psk && !sig) {
		log_error(&sa->sad.logger, "no pre-shared key for connection %s and this peer "
			  "(add one to the secrets file)", sa->conn->name);
		return ERR_NOTFOUND;
	}
	memcpy(in.cky_i, sa->sad.spi_i, 8);
	memcpy(in.cky_r, sa->sad.spi_r, 8);
	rc = sig ? v1_keyset_sig(&ks, (enum prf_alg)a->x_hash->v2_id, &in) :
		   v1_keyset_psk(&ks, (enum prf_alg)a->x_hash->v2_id, psk->bytes, psk->len, &in);
	if (rc == 0)
		rc = v1_enc_key(&ks, key_len, &key);
	if (rc == 0)
		rc = v1_crypt_init(&c, (enum cipher_alg)a->x_encr->v2_id, key->bytes, key->len);
	if (rc == 0)
		rc = v1_crypt_iv_phase1(&c, (enum hash_alg)a->x_hash->hash, sa->gxi, sa->gxi_len,
					sa->gxr, sa->gxr_len, &iv);
	if (rc < 0) {
		log_error(&sa->sad.logger, "phase-1 keys: %s", err_str(rc));
		v1_keyset_free(&ks);
		v1_crypt_free(&c);
		secret_free(key);
		return rc;
	}
	keylog_ikev1(e->env.keylog, sa->sad.spi_i, key->bytes, key->len);
	secret_free(key);
	v1_keyset_free(&sa->ks);
	v1_crypt_free(&sa->crypt);
	sa->ks = ks;
	sa->crypt = c;
	sa->iv = iv;
	sa->have_keys = true;
	return 0;
}

int v1_p1_hash(const struct v1_isakmp_sa *sa, bool of_initiator, const uint8_t *id_b,
	       size_t id_len, uint8_t *out, size_t *out_len)
{
	enum prf_alg alg = v1_auth_hash_prf(sa); /* the ECDSA methods' own hash */
	struct prf_ctx p;
	int rc = prf_init(&p, alg, sa->ks.skeyid->bytes, sa->ks.skeyid->len);

	if (rc < 0)
		return rc;
	if (of_initiator) {
		prf_update(&p, sa->gxi, sa->gxi_len);
		prf_update(&p, sa->gxr, sa->gxr_len);
		prf_update(&p, sa->sad.spi_i, 8);
		prf_update(&p, sa->sad.spi_r, 8);
	} else {
		prf_update(&p, sa->gxr, sa->gxr_len);
		prf_update(&p, sa->gxi, sa->gxi_len);
		prf_update(&p, sa->sad.spi_r, 8);
		prf_update(&p, sa->sad.spi_i, 8);
	}
	prf_update(&p, sa->sai_b, sa->sai_len);
	prf_update(&p, id_b, id_len);
	prf_final(&p, out);
	secret_wipe(&p, sizeof(p));
	*out_len = prf_out_len(alg);
	return 0;
}

/* Our ID payload (RFC 2407 4.6.2: protocol and port zero in phase 1). */
void v1_p1_build_id(struct v1_isakmp_sa *sa, struct v1_builder *b, uint8_t *body_out,
		    size_t *body_len)
{
	struct id *own = NULL;
	const struct id *id = sa->conn->local_id;
	size_t start;

	if (!id) {
		const uint8_t *addr = kernel_addr_bytes(&sa->local);

		id_new(sa->local.ss_family == AF_INET ? ID_IPV4_ADDR : ID_IPV6_ADDR, addr,
		       kernel_addr_len(&sa->local), &own);
		id = own;
	}
	v1_build_begin(b, V1_P_ID);
	start = wr_len(b->w);
	if (id)
		id_v1_encode(b->w, id, 0, 0);
	*body_len = wr_len(b->w) - start;
	if (*body_len <= 512 && wr_ok(b->w))
		memcpy(body_out, b->w->p + start, *body_len);
	else
		*body_len = 0;
	v1_build_end(b);
	id_free(own);
}

/* Read the peer's ID payload into sa->peer_id / peer_id_b and check it against the connection. */
static int take_peer_id(struct v1_isakmp_sa *sa, const struct v1_payload *pl)
{
	struct rd r;
	struct id *id = NULL;
	uint8_t proto;
	uint16_t port;
	char text[ID_STR_MAX], want[ID_STR_MAX];

	rd_init(&r, pl->body, pl->body_len);
	if (id_v1_decode(&r, &id, &proto, &port) < 0) {
		log_warn(&sa->sad.logger, "peer ID payload not understood");
		return ERR_PARSE;
	}
	if (sa->conn->remote_id && !id_equal(sa->conn->remote_id, id)) {
		log_warn(&sa->sad.logger, "peer identity %s is not the configured %s",
			 id_str(id, text, sizeof(text)), id_str(sa->conn->remote_id, want, sizeof(want)));
		id_free(id);
		return ERR_PERM;
	}
	id_free(sa->peer_id);
	sa->peer_id = id;
	return 0;
}

int v1_p1_take_id(struct v1_isakmp_sa *sa, const struct v1_payload *id)
{
	uint8_t *copy = malloc(id->body_len ? id->body_len : 1);

	if (!copy)
		return ERR_NOMEM;
	memcpy(copy, id->body, id->body_len);
	free(sa->peer_id_b);
	sa->peer_id_b = copy;
	sa->peer_id_len = id->body_len;
	return take_peer_id(sa, id);
}

/* Check the peer's HASH_I / HASH_R against the stored peer ID body and hash bytes. */
int v1_p1_verify(struct v1_isakmp_sa *sa, bool of_initiator, const uint8_t *hash, size_t hash_len)
{
	uint8_t want[PRF_MAX_OUT];
	size_t want_len;
	int rc = v1_p1_hash(sa, of_initiator, sa->peer_id_b, sa->peer_id_len, want, &want_len);

	if (rc < 0)
		return rc;
	if (hash_len != want_len || !secret_equal(want, hash, want_len)) {
		log_warn(&sa->sad.logger, "%s does not verify: the pre-shared keys differ",
			 of_initiator ? "HASH_I" : "HASH_R");
		rc = ERR_INTEGRITY;
	}
	secret_wipe(want, sizeof(want));
	return rc;
}

int v1_p1_check_hash(struct v1_step *st, bool of_initiator, const struct v1_payload *id,
		     const struct v1_payload *hash)
{
	int rc = v1_p1_take_id(st->sa, id);

	if (rc == ERR_PERM) {
		st->notify = V1_N_INVALID_ID_INFORMATION;
		return rc;
	}
	if (rc < 0) {
		st->notify = V1_N_PAYLOAD_MALFORMED;
		return rc;
	}
	rc = v1_p1_verify(st->sa, of_initiator, hash->body, hash->body_len);
	if (rc < 0)
		st->notify = V1_N_INVALID_HASH_INFORMATION;
	return rc;
}

bool v1_p1_copy_blob(const struct v1_msg *m, uint8_t type, uint8_t **dst, size_t *len)
{
	const struct v1_payload *pl = v1_msg_find(m, type, 0);
	uint8_t *copy;

	if (!pl || pl->body_len == 0 || !(copy = malloc(pl->body_len)))
		return false;
	memcpy(copy, pl->body, pl->body_len);
	free(*dst);
	*dst = copy;
	*len = pl->body_len;
	return true;
}

bool v1_p1_copy_nonce(const struct v1_msg *m, uint8_t *dst, size_t *len)
{
	const struct v1_payload *pl = v1_msg_find(m, V1_P_NONCE, 0);

	if (!pl || pl->body_len < V1_NONCE_MIN || pl->body_len > V1_NONCE_MAX)
		return false;
	memcpy(dst, pl->body, pl->body_len);
	*len = pl->body_len;
	return true;
}

/* ---- KE and nonce (RFC 2409 5: KE carries exactly the group's public value) ---- */

#define P1_NONCE_LEN 32

bool v1_p1_copy_ke_nonce(struct v1_isakmp_sa *sa, const struct v1_msg *m, bool from_initiator)
{
	const struct ke_method *km = ke_method_find(sa->choice.attrs.x_group->v2_id);
	uint8_t **ke = from_initiator ? &sa->gxi : &sa->gxr;
	size_t *ke_len = from_initiator ? &sa->gxi_len : &sa->gxr_len;

	return v1_p1_copy_blob(m, V1_P_KE, ke, ke_len) && km && km->public_len == *ke_len &&
	       v1_p1_copy_nonce(m, from_initiator ? sa->ni : sa->nr,
				from_initiator ? &sa->ni_len : &sa->nr_len);
}

int v1_p1_keep_sai(struct v1_isakmp_sa *sa, const uint8_t *body, size_t len)
{
	uint8_t *copy = malloc(len ? len : 1);

	if (!copy)
		return ERR_NOMEM;
	memcpy(copy, body, len);
	free(sa->sai_b);
	sa->sai_b = copy;
	sa->sai_len = len;
	return 0;
}

static void p1_ke_done(void *owner, struct job_ke_result *r)
{
	v1_resume_ke(owner, NULL, r);
}

int v1_p1_ke_keypair(struct v1_step *st, uint16_t group)
{
	return job_ke_keypair(st->eng->env.jobs, group, p1_ke_done, st->sa, &st->sa->job);
}

int v1_p1_ke_made(struct v1_step *st)
{
	struct v1_isakmp_sa *sa = st->sa;
	const uint8_t *pub;
	uint8_t *gxi;
	size_t len;

	if (st->ke->err < 0 || !st->ke->keypair) {
		log_error(&sa->sad.logger, "DH keypair: %s", err_str(st->ke->err));
		return st->ke->err < 0 ? st->ke->err : ERR_CRYPTO;
	}
	sa->kp = st->ke->keypair;
	st->ke->keypair = NULL;
	pub = ke_public(sa->kp, &len);
	gxi = malloc(len);
	if (!gxi)
		return ERR_NOMEM;
	memcpy(gxi, pub, len);
	free(sa->gxi);
	sa->gxi = gxi;
	sa->gxi_len = len;
	sa->ni_len = P1_NONCE_LEN;
	randombytes_buf(sa->ni, sa->ni_len);
	return 0;
}

int v1_p1_ke_derive(struct v1_step *st)
{
	struct v1_isakmp_sa *sa = st->sa;
	struct ke_keypair *kp = sa->kp;
	int rc;

	sa->kp = NULL; /* the job owns it until it hands it back */
	rc = job_ke_derive(st->eng->env.jobs, kp, sa->gxr, sa->gxr_len, p1_ke_done, sa, &sa->job);
	if (rc < 0)
		sa->kp = kp;
	return rc;
}

int v1_p1_ke_respond(struct v1_step *st)
{
	struct v1_isakmp_sa *sa = st->sa;

	return job_ke_respond(st->eng->env.jobs, sa->choice.attrs.x_group->v2_id, sa->gxi,
			      sa->gxi_len, p1_ke_done, sa, &sa->job);
}

int v1_p1_ke_derived(struct v1_step *st, const char *msg)
{
	struct v1_isakmp_sa *sa = st->sa;

	sa->kp = st->ke->keypair;
	st->ke->keypair = NULL;
	if (st->ke->err < 0 || !st->ke->shared) {
		log_error(&sa->sad.logger, "%s: the peer's public value is refused: %s", msg,
			  err_str(st->ke->err));
		return st->ke->err < 0 ? st->ke->err : ERR_CRYPTO;
	}
	sa->gxy = st->ke->shared;
	st->ke->shared = NULL;
	return v1_p1_keys(sa);
}

int v1_p1_ke_responded(struct v1_step *st, const char *msg)
{
	struct v1_isakmp_sa *sa = st->sa;
	uint8_t *gxr;

	if (st->ke->err < 0 || !st->ke->shared) {
		log_warn(&sa->sad.logger, "%s: the peer's public value is refused: %s", msg,
			 err_str(st->ke->err));
		return st->ke->err < 0 ? st->ke->err : ERR_CRYPTO;
	}
	gxr = malloc(st->ke->response_len);
	if (!gxr)
		return ERR_NOMEM;
	memcpy(gxr, st->ke->response, st->ke->response_len);
	free(sa->gxr);
	sa->gxr = gxr;
	sa->gxr_len = st->ke->response_len;
	sa->gxy = st->ke->shared;
	st->ke->shared = NULL;
	sa->nr_len = P1_NONCE_LEN;
	randombytes_buf(sa->nr, sa->nr_len);
	return v1_p1_keys(sa);
}

/* ---- done ---- */

struct peer_probe {
	const struct v1_isakmp_sa *self;
	bool other;
};

static bool other_sa(struct sad_entry *s, void *arg)
{
	struct peer_probe *p = arg;

	if (s != &p->self->sad && s->version == 1 && s->kind == SAD_KIND_IKE &&
	    SAD_CONTAINER(s, struct v1_isakmp_sa, sad)->state == V1S_ESTABLISHED) {
		p->other = true;
		return false;
	}
	return true;
}

/* No other established ISAKMP SA with this peer (INITIAL-CONTACT once per peer). */
static bool first_with_peer(const struct v1_isakmp_sa *sa)
{
	struct peer_probe p = { .self = sa, .other = false };

	sad_foreach_peer(sa->eng->env.sad, &sa->peer, other_sa, &p);
	return !p.other;
}

void v1_p1_established(struct v1_isakmp_sa *sa)
{
	struct v1_engine *e = sa->eng;
	char id[ID_STR_MAX] = "?";

	sa->p1_last = sa->iv;
	/* the DH values and phase-1 inputs are no longer needed: keep an SA small */
	ke_keypair_free(sa->kp);
	sa->kp = NULL;
	secret_free(sa->gxy);
	sa->gxy = NULL;
	free(sa->gxi);
	free(sa->gxr);
	free(sa->sai_b);
	free(sa->peer_id_b);
	sa->gxi = sa->gxr = sa->sai_b = sa->peer_id_b = NULL;
	sa->gxi_len = sa->gxr_len = sa->sai_len = sa->peer_id_len = 0;
	e->counters.p1_done++;
	if (e->env.sas_made)
		(*e->env.sas_made)++;
	if (sa->peer_id)
		v1_cert_id_str(sa->peer_id, id, sizeof(id)); /* a DN as text */
	log_info(&sa->sad.logger, "ISAKMP SA established (%s, %s, %s %s %s, peer %s%s%s)",
		 sa->aggressive ? "Aggressive Mode" : "Main Mode",
		 sa->initiator ? "initiator" : "responder", sa->choice.attrs.x_encr->name,
		 sa->choice.attrs.x_hash->name, sa->choice.attrs.x_group->name, id,
		 sa->nat_local || sa->nat_peer ? ", NAT-T " : "",
		 sa->nat_local || sa->nat_peer ? v1_natt_method_name(sa->natt) : "");
	if (sa->aggressive && !v1_auth_is_sig(sa))
		log_warn(&sa->sad.logger, "Aggressive Mode with a pre-shared key: HASH_R went out "
			 "in clear and allows an offline dictionary attack on the PSK; move this "
			 "peer to Main Mode or IKEv2");
	v1_life_isakmp_start(sa);
	v1_dpd_start(sa);
	if (sa->replaces) {
		v1_reauth_done(sa);
	} else if (sa->initiator && first_with_peer(sa)) {
		/* RFC 2407 4.6.3.3: we hold no other SA with this peer; it may drop stale ones */
		v1_info_send_notify(sa, V1_N_INITIAL_CONTACT, V1_PROTO_ISAKMP, NULL, 0);
	}
	if (sa->initiator && sa->start_qm) {
		sa->start_qm = false;
		v1_quick_start_all(sa);
	}
}

/* Start phase 1 as initiator: the first row of Main or Aggressive Mode. */
int v1_p1_start(struct v1_isakmp_sa *sa, bool aggressive)
{
	struct v1_step st = { .eng = sa->eng, .sa = sa };
	uint8_t exch = aggressive ? V1_EXCH_AGGRESSIVE : V1_EXCH_IDPROT;
	const struct v1_row *row = v1_row_find(V1S_NONE, true, exch, -1);

	if (!row)
		return ERR_STATE;
	log_info(&sa->sad.logger, "initiating IKEv1 %s Mode", aggressive ? "Aggressive" : "Main");
	v1_run(&st, row, false);
	return 0;
}
