/*
 * v1_proposal.c - phase-1 and Quick Mode proposal selection, and the
 * side-by-side text logged on NO-PROPOSAL-CHOSEN (rules in v1_proposal.h).
 */
#include <stdio.h>
#include <string.h>

#include "common/err.h"
#include "v1/v1_proposal.h"

/* ---- side-by-side report ---- */

#define SBS_LINES (V1_SA_MAX_TRANSFORMS + V1_SA_MAX_PROPOSALS + 2)
#define SBS_WIDTH 160
#define SBS_COLUMN 62

struct sbs {
	char left[SBS_LINES][SBS_WIDTH];
	char right[SBS_LINES][SBS_WIDTH];
	unsigned n_left, n_right;
};

static void sbs_left(struct sbs *s, const char *text, const char *reason)
{
	/* Long reasons are cut at the column width: the return value is only checked. */
	if (s->n_left < SBS_LINES &&
	    snprintf(s->left[s->n_left], SBS_WIDTH, "%s%s%s", text, reason ? ": " : "",
		     reason ? reason : "") >= 0)
		s->n_left++;
}

static void sbs_write(const struct sbs *s, const char *title, char *why, size_t why_len)
{
	size_t at = 0;
	unsigned rows = s->n_left > s->n_right ? s->n_left : s->n_right;

	if (!why || why_len == 0)
		return;
	why[0] = '\0';
	at += (size_t)snprintf(why, why_len, "%s: no proposal chosen\n%-*s | %s\n", title,
			       SBS_COLUMN, "peer offered (its order)", "we accept");
	for (unsigned i = 0; i < rows && at < why_len; i++)
		at += (size_t)snprintf(why + at, why_len - at, "%-*s | %s\n", SBS_COLUMN,
				       i < s->n_left ? s->left[i] : "",
				       i < s->n_right ? s->right[i] : "");
}

/* "aes128/aes256" from a list of rows. */
static void list_names(char *out, size_t cap, const struct xform *const *x, size_t n)
{
	size_t at = 0;

	out[0] = '\0';
	if (n == 0)
		snprintf(out, cap, "none");
	for (size_t i = 0; i < n && at < cap; i++)
		at += (size_t)snprintf(out + at, cap - at, "%s%s", i ? "/" : "", x[i]->name);
}

static bool in_list(const struct xform *x, const struct xform *const *list, size_t n)
{
	for (size_t i = 0; x && i < n; i++)
		if (list[i] == x)
			return true;
	return false;
}

static uint64_t pick_life(uint64_t peer, uint64_t ours, uint64_t dflt, bool *reduced)
{
	if (peer == 0)
		return ours ? ours : dflt;
	if (ours && ours < peer) {
		*reduced = true;
		return ours;
	}
	return peer;
}

/* ---- phase 1 ---- */

static void p1_describe(char *out, size_t cap, const struct v1_proposal *p,
			const struct v1_transform *t, const struct v1_p1_attrs *a, bool decoded)
{
	char encr[24], hash[24], group[24];

	if (!decoded) {
		snprintf(out, cap, "P%u T%u id %u", p->number, t->number, t->id);
		return;
	}
	if (a->x_encr)
		snprintf(encr, sizeof(encr), "%s", a->x_encr->name);
	else
		snprintf(encr, sizeof(encr), "encr#%u/%u", a->encr, a->key_len);
	if (a->x_hash)
		snprintf(hash, sizeof(hash), "%s", a->x_hash->iana_ike);
	else
		snprintf(hash, sizeof(hash), "hash#%u", a->hash);
	if (a->x_group)
		snprintf(group, sizeof(group), "%s", a->x_group->name);
	else
		snprintf(group, sizeof(group), "group#%u", a->group);
	snprintf(out, cap, "P%u T%u %s %s %s auth %u", p->number, t->number, encr, hash, group,
		 a->auth);
}

/* NULL when acceptable to policy l, else why not. */
static const char *p1_refusal(const struct v1_p1_attrs *a, const struct v1_p1_policy *l)
{
	if (!a->x_encr)
		return "unknown cipher or key length";
	if (!in_list(a->x_encr, l->encr, l->n_encr))
		return "cipher not accepted";
	if (!a->x_hash)
		return "unknown hash";
	if (!in_list(a->x_hash, l->hash, l->n_hash))
		return "hash not accepted";
	if (!a->x_group)
		return "unknown group";
	if (!in_list(a->x_group, l->group, l->n_group))
		return "group not accepted";
	if (a->auth != l->auth_method)
		return "authentication method differs";
	return NULL;
}

static void p1_local_lines(struct sbs *s, const struct v1_p1_policy *local, size_t n)
{
	for (size_t i = 0; i < n && s->n_right < SBS_LINES; i++) {
		char e[40], h[40], g[40];

		list_names(e, sizeof(e), local[i].encr, local[i].n_encr);
		list_names(h, sizeof(h), local[i].hash, local[i].n_hash);
		list_names(g, sizeof(g), local[i].group, local[i].n_group);
		snprintf(s->right[s->n_right++], SBS_WIDTH, "%s %s %s auth %u", e, h, g,
			 local[i].auth_method);
	}
}

int v1_select_p1(const struct v1_sa *peer, const struct v1_p1_policy *local, size_t n_local,
		 struct v1_p1_choice *out, char *why, size_t why_len, struct v1_err *e)
{
	struct sbs s;

	memset(&s, 0, sizeof(s));
	memset(out, 0, sizeof(*out));
	for (unsigned i = 0; i < peer->n_proposals; i++) {
		const struct v1_proposal *p = &peer->prop[i];
		const struct v1_transform *t = v1_sa_transforms(peer, i);

		for (unsigned j = 0; j < p->n_transforms; j++) {
			struct v1_p1_attrs a;
			struct v1_err de = { 0 };
			const char *reason = NULL;
			char desc[SBS_WIDTH];
			bool decoded = false;

			if (p->protocol != V1_PROTO_ISAKMP)
				reason = "not protocol ISAKMP";
			else if (t[j].id != V1_KEY_IKE)
				reason = "transform ID is not KEY_IKE";
			else if (v1_attr_decode_p1(t[j].attrs, t[j].attrs_len, &a, &de) < 0)
				reason = de.text;
			else
				decoded = true;
			for (size_t k = 0; decoded && k < n_local; k++) {
				reason = p1_refusal(&a, &local[k]);
				if (!reason) {
					out->proposal_number = p->number;
					out->transform_number = t[j].number;
					out->policy = (unsigned)k;
					out->attrs = a;
					out->life_kbytes = a.life_kbytes;
					out->life_seconds = pick_life(a.life_seconds,
								      local[k].life_seconds, 0,
								      &out->life_reduced);
					return 0;
				}
			}
			p1_describe(desc, sizeof(desc), p, &t[j], &a, decoded);
			sbs_left(&s, desc, reason ? reason : "no local proposal");
		}
	}
	p1_local_lines(&s, local, n_local);
	sbs_write(&s, "phase 1", why, why_len);
	return v1_fail(e, ERR_NOTFOUND, V1_N_NO_PROPOSAL_CHOSEN, V1_P_SA,
		       "no acceptable phase-1 transform among %u offered", peer->n_xf);
}

/* ---- Quick Mode ---- */

static bool encap_matches(uint16_t peer, const struct v1_qm_policy *l)
{
	bool tunnel = l->encap == V1_ENCAP_TUNNEL;

	if (peer == 0) /* RFC 2407 4.5: unspecified is host-dependent: ours */
		return true;
	if (!l->udp_encap)
		return peer == l->encap;
	return tunnel ? (peer == V1_ENCAP_UDP_TUNNEL || peer == V1_ENCAP_UDP_TUNNEL_DRAFT)
		      : (peer == V1_ENCAP_UDP_TRANSPORT || peer == V1_ENCAP_UDP_TRANSPORT_DRAFT);
}

static const char *qm_refusal(const struct v1_ipsec_attrs *a, const struct v1_qm_policy *l)
{
	if (!a->x_encr)
		return "unknown cipher or key length";
	if (!in_list(a->x_encr, l->encr, l->n_encr))
		return "cipher not accepted";
	if (a->x_encr->aead ? a->auth != 0 : (!a->x_integ || !in_list(a->x_integ, l->integ, l->n_integ)))
		return a->auth && !a->x_integ ? "unknown integrity" : "integrity not accepted";
	if (l->n_group == 0 && a->group)
		return "PFS group offered, we use no PFS";
	if (l->n_group && !a->group)
		return "no PFS group, we require PFS";
	if (l->n_group && !in_list(a->x_group, l->group, l->n_group))
		return "PFS group not accepted";
	if (!encap_matches(a->encap, l))
		return "encapsulation mode differs";
	return NULL;
}

static void qm_describe(char *out, size_t cap, const struct v1_proposal *p,
			const struct v1_transform *t, const struct v1_ipsec_attrs *a, bool decoded)
{
	char encr[24], integ[24];

	if (!decoded) {
		snprintf(out, cap, "P%u T%u %s id %u", p->number, t->number,
			 v1_protocol_name(p->protocol), t->id);
		return;
	}
	if (a->x_encr)
		snprintf(encr, sizeof(encr), "%s", a->x_encr->name);
	else
		snprintf(encr, sizeof(encr), "esp#%u/%u", t->id, a->key_len);
	if (a->x_integ)
		snprintf(integ, sizeof(integ), "%s", a->x_integ->name);
	else if (a->auth)
		snprintf(integ, sizeof(integ), "auth#%u", a->auth);
	else
		snprintf(integ, sizeof(integ), "no-auth");
	snprintf(out, cap, "P%u T%u ESP %s %s group %u mode %u", p->number, t->number, encr,
		 integ, a->group, a->encap);
}

static void qm_local_lines(struct sbs *s, const struct v1_qm_policy *local, size_t n)
{
	for (size_t i = 0; i < n && s->n_right < SBS_LINES; i++) {
		char e[40], h[40], g[40];

		list_names(e, sizeof(e), local[i].encr, local[i].n_encr);
		list_names(h, sizeof(h), local[i].integ, local[i].n_integ);
		list_names(g, sizeof(g), local[i].group, local[i].n_group);
		snprintf(s->right[s->n_right++], SBS_WIDTH, "ESP %s %s pfs %s mode %u%s", e, h, g,
			 local[i].encap, local[i].udp_encap ? " udp" : "");
	}
}

/* Try one (non-bundled) proposal; true when a transform was chosen. */
static bool qm_try_proposal(const struct v1_sa *peer, unsigned i, const struct v1_qm_policy *local,
			    size_t n_local, struct v1_qm_choice *out, struct sbs *s)
{
	const struct v1_proposal *p = &peer->prop[i];
	const struct v1_transform *t = v1_sa_transforms(peer, i);

	for (unsigned j = 0; j < p->n_transforms; j++) {
		struct v1_ipsec_attrs a;
		struct v1_err de = { 0 };
		const char *reason = NULL;
		char desc[SBS_WIDTH];
		bool decoded = false;

		memset(&a, 0, sizeof(a));
		if (p->spi_size != 4)
			reason = "SPI size is not 4";
		else if (v1_attr_decode_ipsec(p->protocol, t[j].id, t[j].attrs, t[j].attrs_len,
					      &a, &de) < 0)
			reason = de.text;
		else
			decoded = true;
		for (size_t k = 0; decoded && k < n_local; k++) {
			reason = qm_refusal(&a, &local[k]);
			if (!reason) {
				out->proposal_number = p->number;
				out->transform_number = t[j].number;
				out->policy = (unsigned)k;
				memcpy(out->spi, p->spi, 4);
				out->attrs = a;
				out->life_seconds = pick_life(a.life_seconds, local[k].life_seconds,
							      V1_IPSEC_DEFAULT_LIFE, &out->life_reduced);
				out->life_kbytes = pick_life(a.life_kbytes, local[k].life_kbytes, 0,
							     &out->life_reduced);
				return true;
			}
		}
		qm_describe(desc, sizeof(desc), p, &t[j], &a, decoded);
		sbs_left(s, desc, reason ? reason : "no local proposal");
	}
	return false;
}

int v1_select_qm(const struct v1_sa *peer, const struct v1_qm_policy *local, size_t n_local,
		 struct v1_qm_choice *out, char *why, size_t why_len, struct v1_err *e)
{
	struct sbs s;
	unsigned i = 0;

	memset(&s, 0, sizeof(s));
	memset(out, 0, sizeof(*out));
	while (i < peer->n_proposals) {
		unsigned end = i + 1;

		while (end < peer->n_proposals && peer->prop[end].number == peer->prop[i].number)
			end++;
		if (end - i > 1) {
			char desc[SBS_WIDTH];
			size_t at = 0;

			at += (size_t)snprintf(desc, sizeof(desc), "P%u bundle", peer->prop[i].number);
			for (unsigned k = i; k < end && at < sizeof(desc); k++)
				at += (size_t)snprintf(desc + at, sizeof(desc) - at, " %s",
						       v1_protocol_name(peer->prop[k].protocol));
			sbs_left(&s, desc, "AND-ed proposals (bundles) are not supported");
		} else if (qm_try_proposal(peer, i, local, n_local, out, &s)) {
			return 0;
		}
		i = end;
	}
	qm_local_lines(&s, local, n_local);
	sbs_write(&s, "Quick Mode", why, why_len);
	return v1_fail(e, ERR_NOTFOUND, V1_N_NO_PROPOSAL_CHOSEN, V1_P_SA,
		       "no acceptable IPsec proposal among %u offered", peer->n_proposals);
}
