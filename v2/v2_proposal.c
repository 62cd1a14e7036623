/*
 * v2_proposal.c - choosing from the peer's proposals, checking the
 * responder's answer, and making SA contents (RFC 7296 2.7, 3.3).
 * The rules are described in v2_proposal.h; the log text is in
 * v2_proposal_text.c.
 */
#include <string.h>

#include "common/cipher.h"
#include "common/err.h"
#include "v2/v2_names.h"
#include "v2/v2_proposal.h"

#define N_TYPES (XFORM_ESN + 1)

static bool local_has_type(const struct v2_local_prop *lp, uint8_t type)
{
	for (size_t i = 0; i < lp->n_xforms; i++)
		if (lp->xforms[i] && lp->xforms[i]->type == type)
			return true;
	return false;
}

/* Does this local row take the peer's transform, Key Length included (3.3.5)? */
static bool row_takes(const struct xform *row, const struct v2_sa_xform *x)
{
	if (row->type != x->type || row->v2_id != x->id)
		return false;
	if (row->key_attr) {
		/*
		 * RFC 7296 3.3.5: ENCR_AES_CBC and ENCR_AES_CTR MUST carry the Key
		 * Length attribute; proposals without it MUST be rejected. Other
		 * variable-length ciphers fall back to their default length.
		 */
		if (!x->has_key_len)
			return row->key_default && x->id != CIPHER_AES_CBC && x->id != CIPHER_AES_CTR;
		return x->key_bits == row->key_bits;
	}
	/* A fixed-length cipher may state its length; other types carry no attribute. */
	return !x->has_key_len || (row->type == XFORM_ENCR && x->key_bits == row->key_bits);
}

/* The local row that accepts a peer transform, or NULL. */
static const struct xform *match(const struct v2_sa_xform *x, const struct v2_local_prop *lp)
{
	if (x->unknown_attr)
		return NULL;
	/* No ESN rows configured: only "no ESN" (the kernel default) is taken. */
	if (x->type == XFORM_ESN && !local_has_type(lp, XFORM_ESN))
		return x->id == 0 && !x->has_key_len ? xform_by_v2(XFORM_ESN, 0, 0) : NULL;
	for (size_t i = 0; i < lp->n_xforms; i++)
		if (lp->xforms[i] && row_takes(lp->xforms[i], x))
			return lp->xforms[i];
	return NULL;
}

/* What one peer proposal offers, sorted by type. */
struct offer {
	bool seen[N_TYPES];
	bool integ_none;  /* INTEG NONE listed */
	bool integ_other; /* an INTEG other than NONE listed */
	bool ke_none;
	const struct xform *first[N_TYPES]; /* first acceptable, initiator's order */
	const struct xform *ke_pref;        /* the KE payload's group, if acceptable */
};

static int collect(const struct v2_sa *sa, const struct v2_sa_prop *p,
		   const struct v2_local_prop *lp, uint16_t ke_group, struct offer *o)
{
	memset(o, 0, sizeof(*o));
	for (size_t i = 0; i < p->n_xforms; i++) {
		const struct v2_sa_xform *x = v2_sa_xform_at(sa, p, i);
		const struct xform *row;

		if (!x || x->type < XFORM_ENCR || x->type > XFORM_ESN)
			return ERR_UNSUPPORTED; /* 3.3.6: unknown type sinks the proposal */
		o->seen[x->type] = true;
		if (x->type == XFORM_INTEG) {
			if (x->id == V2_XFORM_ID_NONE) {
				o->integ_none = true;
				continue;
			}
			o->integ_other = true;
		}
		if (x->type == XFORM_KE && x->id == V2_XFORM_ID_NONE) {
			o->ke_none = true;
			continue;
		}
		row = match(x, lp);
		if (!row)
			continue;
		if (!o->first[x->type])
			o->first[x->type] = row;
		if (x->type == XFORM_KE && ke_group && row->v2_id == ke_group && !o->ke_pref)
			o->ke_pref = row;
	}
	return 0;
}

/* KE for a child proposal: a group, or none when both sides allow it. */
static int choose_child_ke(const struct offer *o, const struct v2_local_prop *lp,
			   const struct xform **ke)
{
	bool local_groups = local_has_type(lp, XFORM_KE);

	*ke = o->ke_pref ? o->ke_pref : o->first[XFORM_KE];
	if (*ke)
		return 0;
	/* No common group: fine only if neither side insists on one. */
	if (!o->seen[XFORM_KE] || o->ke_none)
		return (!local_groups || lp->ke_none) ? 0 : ERR_NOTFOUND;
	return ERR_NOTFOUND;
}

static int choose_pair(const struct v2_sa *sa, const struct v2_sa_prop *p,
		       const struct v2_local_prop *lp, uint16_t ke_group, struct v2_chosen *c)
{
	struct offer o;
	bool aead;

	if (p->protocol != lp->protocol || collect(sa, p, lp, ke_group, &o))
		return ERR_NOTFOUND;
	memset(c, 0, sizeof(*c));
	c->number = p->number;
	c->protocol = p->protocol;
	c->spi_size = p->spi_size;
	memcpy(c->spi, p->spi, p->spi_size);
	if (p->protocol != V2_PROTO_AH) {
		c->encr = o.first[XFORM_ENCR];
		if (!c->encr)
			return ERR_NOTFOUND;
	}
	aead = c->encr && c->encr->aead;
	if (aead && o.integ_other)
		return ERR_NOTFOUND; /* RFC 5282 8: AEAD with an integrity transform */
	if (!aead) {
		c->integ = o.first[XFORM_INTEG];
		if (!c->integ)
			return ERR_NOTFOUND;
	}
	if (p->protocol == V2_PROTO_IKE) {
		c->prf = o.first[XFORM_PRF];
		c->ke = o.ke_pref ? o.ke_pref : o.first[XFORM_KE];
		return c->prf && c->ke ? 0 : ERR_NOTFOUND;
	}
	if (choose_child_ke(&o, lp, &c->ke))
		return ERR_NOTFOUND;
	c->esn = o.first[XFORM_ESN];
	if (!c->esn && !o.seen[XFORM_ESN])
		c->esn = match(&(struct v2_sa_xform){ .type = XFORM_ESN, .id = 0 }, lp);
	return c->esn ? 0 : ERR_NOTFOUND;
}

int v2_proposal_select(const struct v2_sa *peer, uint8_t protocol,
		       const struct v2_local_prop *local, size_t n_local,
		       uint16_t ke_payload_group, struct v2_chosen *out)
{
	for (size_t i = 0; i < peer->n_props; i++) {
		const struct v2_sa_prop *p = &peer->props[i];

		if (p->protocol != protocol)
			continue;
		for (size_t j = 0; j < n_local; j++) {
			struct v2_chosen c;

			if (choose_pair(peer, p, &local[j], ke_payload_group, &c) == 0) {
				c.local_index = j;
				*out = c;
				return 0;
			}
		}
	}
	return ERR_NOTFOUND;
}

bool v2_chosen_needs_invalid_ke(const struct v2_chosen *c, uint16_t ke_payload_group)
{
	return c->ke && c->ke->v2_id != ke_payload_group;
}

int v2_proposal_accept_answer(const struct v2_sa *answer, uint8_t protocol,
			      const struct v2_local_prop *local, size_t n_local,
			      struct v2_chosen *out)
{
	const struct v2_sa_prop *p;
	const struct v2_local_prop *lp;
	bool seen[N_TYPES] = { false };
	uint16_t ke_group = 0;

	if (answer->n_props != 1)
		return ERR_PARSE;
	p = &answer->props[0];
	if (p->protocol != protocol || p->number == 0 || p->number > n_local)
		return ERR_NOTFOUND;
	lp = &local[p->number - 1];
	for (size_t i = 0; i < p->n_xforms; i++) {
		const struct v2_sa_xform *x = v2_sa_xform_at(answer, p, i);
		bool none = x && x->id == V2_XFORM_ID_NONE &&
			    (x->type == XFORM_INTEG || x->type == XFORM_KE);

		if (!x || x->type < XFORM_ENCR || x->type > XFORM_ESN || seen[x->type])
			return ERR_NOTFOUND; /* unknown type, or two of one type */
		seen[x->type] = true;
		if (x->type == XFORM_KE && x->id == V2_XFORM_ID_NONE && !lp->ke_none)
			return ERR_NOTFOUND; /* KE NONE we did not offer */
		if (!none && !match(x, lp))
			return ERR_NOTFOUND; /* something we never offered */
		if (x->type == XFORM_KE)
			ke_group = x->id;
	}
	if (choose_pair(answer, p, lp, ke_group, out))
		return ERR_NOTFOUND;
	out->local_index = p->number - 1u;
	return 0;
}

static int add_row(struct v2_sa *sa, struct v2_sa_prop *p, const struct xform *x)
{
	return v2_sa_add_xform(sa, p, (uint8_t)x->type, x->v2_id, x->key_attr ? x->key_bits : 0,
			       x->key_attr);
}

int v2_proposal_offer(const struct v2_local_prop *local, size_t n_local, const uint8_t *spi,
		      size_t spi_size, struct v2_sa *sa)
{
	sa->n_props = 0;
	sa->n_xforms = 0;
	if (n_local == 0 || n_local > V2_SA_MAX_PROPOSALS)
		return ERR_INVAL;
	for (size_t i = 0; i < n_local; i++) {
		const struct v2_local_prop *lp = &local[i];
		struct v2_sa_prop *p;
		int rc = v2_sa_add_prop(sa, (uint8_t)(i + 1), lp->protocol, spi, spi_size, &p);

		/* Types in RFC order (ENCR, PRF, INTEG, KE, ESN), each in preference order. */
		for (uint8_t t = XFORM_ENCR; !rc && t <= XFORM_ESN; t++) {
			for (size_t j = 0; !rc && j < lp->n_xforms; j++)
				if (lp->xforms[j] && lp->xforms[j]->type == t)
					rc = add_row(sa, p, lp->xforms[j]);
			/* Optional PFS in a child proposal: groups, then KE NONE (3.3.3). */
			if (!rc && t == XFORM_KE && lp->protocol != V2_PROTO_IKE && lp->ke_none &&
			    local_has_type(lp, XFORM_KE))
				rc = v2_sa_add_xform(sa, p, XFORM_KE, V2_XFORM_ID_NONE, 0, false);
			/* ESN is mandatory in ESP and AH proposals (3.3.3). */
			if (!rc && t == XFORM_ESN && lp->protocol != V2_PROTO_IKE &&
			    !local_has_type(lp, XFORM_ESN))
				rc = v2_sa_add_xform(sa, p, XFORM_ESN, 0, 0, false);
		}
		if (rc)
			return rc;
		if (p->n_xforms == 0)
			return ERR_INVAL;
	}
	return 0;
}

int v2_proposal_answer(const struct v2_chosen *c, const uint8_t *spi, size_t spi_size,
		       struct v2_sa *sa)
{
	const struct xform *rows[] = { c->encr, c->prf, c->integ, c->ke, c->esn };
	struct v2_sa_prop *p;
	int rc;

	sa->n_props = 0;
	sa->n_xforms = 0;
	rc = v2_sa_add_prop(sa, c->number, c->protocol, spi, spi_size, &p);
	for (size_t i = 0; !rc && i < sizeof(rows) / sizeof(rows[0]); i++)
		if (rows[i])
			rc = add_row(sa, p, rows[i]);
	if (!rc && p->n_xforms == 0)
		rc = ERR_INVAL;
	return rc;
}
