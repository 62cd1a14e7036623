/*
 * conf_proposal.c - IKE and ESP proposals as written in dualike.conf.
 *
 * "aes256-sha256-modp2048, aes256gcm16-prfsha256-x25519": proposals are
 * separated by commas, transforms by dashes; each token is a config name of
 * the transform registry (common/xform.h), which says its type. The rules
 * checked here come from RFC 7296 3.3 (an IKE proposal needs ENCR, PRF, KE
 * and INTEG unless the cipher is AEAD), RFC 5282 8 (AEAD and non-AEAD
 * ciphers never share a proposal), RFC 8221 (ESP always has integrity) and
 * the IKEv1 registries (RFC 2409 appendix A, RFC 2407 4.4.4/4.5): a
 * transform without an IKEv1 number cannot be offered over IKEv1.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/err.h"
#include "src/conf_int.h"

void conf_proposals_free(struct conf_proposals *props)
{
	free(props->v);
	props->v = NULL;
	props->n = 0;
}

size_t conf_proposal_count(const struct conf_proposal *p, enum xform_type type)
{
	size_t n = 0;

	for (size_t i = 0; i < p->n_xforms; i++)
		n += p->xforms[i].type == type;
	return n;
}

const struct xform *conf_proposal_get(const struct conf_proposal *p,
				      enum xform_type type, size_t i)
{
	for (size_t k = 0; k < p->n_xforms; k++)
		if (p->xforms[k].type == type && i-- == 0)
			return p->xforms[k].xf;
	return NULL;
}

const char *conf_proposal_str(const struct conf_proposal *p, char *buf, size_t len)
{
	size_t off = 0;

	if (len == 0)
		return buf;
	buf[0] = '\0';
	for (size_t i = 0; i < p->n_xforms && off < len; i++) {
		int w = snprintf(buf + off, len - off, "%s%s", i ? "-" : "", p->xforms[i].name);

		if (w < 0)
			break;
		off += (size_t)w;
	}
	return buf;
}

/* A cheap "did you mean": the registry name with the smallest edit distance <= 2. */
static const char *closest_name(const char *tok)
{
	const char *best = NULL;
	unsigned best_d = 3;

	for (size_t i = 0; i < xform_count(); i++) {
		unsigned d = conf_edit_distance(tok, xform_at(i)->name, 3);

		if (d < best_d) {
			best_d = d;
			best = xform_at(i)->name;
		}
	}
	return best;
}

static int parse_one(const char *text, size_t len, struct conf_proposal *p, size_t idx,
		     const char *file, int line, struct config_errors *errs)
{
	const char *end = text + len;
	int rc = 0;

	memset(p, 0, sizeof(*p));
	while (text <= end) {
		const char *dash = memchr(text, '-', (size_t)(end - text));
		const char *stop = dash ? dash : end;
		char tok[64];
		size_t tl;
		const struct xform *xf;

		while (text < stop && isspace((unsigned char)*text))
			text++;
		tl = (size_t)(stop - text);
		while (tl && isspace((unsigned char)text[tl - 1]))
			tl--;
		if (tl == 0 || tl >= sizeof(tok)) {
			config_error_add(errs, file, line,
					 "proposal %zu has an empty or overlong algorithm name; "
					 "write algorithms joined by '-', e.g. aes256-sha256-modp2048",
					 idx + 1);
			return ERR_PARSE;
		}
		memcpy(tok, text, tl);
		tok[tl] = '\0';
		xf = xform_by_name(tok);
		if (!xf) {
			const char *near = closest_name(tok);

			config_error_add(errs, file, line,
					 "unknown algorithm '%s' in proposal %zu%s%s%s; "
					 "see ALGORITHMS in dualike.conf(5)", tok, idx + 1,
					 near ? " (did you mean '" : "", near ? near : "",
					 near ? "'?)" : "");
			rc = ERR_PARSE;
		} else if (p->n_xforms == CONF_MAX_XFORMS) {
			config_error_add(errs, file, line,
					 "proposal %zu has more than %d algorithms; split it "
					 "into several proposals", idx + 1, CONF_MAX_XFORMS);
			return ERR_PARSE;
		} else {
			struct conf_xform *x = &p->xforms[p->n_xforms++];

			x->type = xf->type;
			x->xf = xf;
			snprintf(x->name, sizeof(x->name), "%s", xf->name);
		}
		if (!dash)
			break;
		text = dash + 1;
	}
	return rc;
}

int conf_proposals_parse(const char *text, struct conf_proposals *props,
			 const char *file, int line, struct config_errors *errs)
{
	size_t n = 1;
	int rc = 0;

	conf_proposals_free(props);
	for (const char *c = text; *c; c++)
		n += *c == ',';
	props->v = calloc(n, sizeof(*props->v));
	if (!props->v)
		return ERR_NOMEM;
	for (size_t i = 0; i < n; i++) {
		const char *comma = strchr(text, ',');
		size_t len = comma ? (size_t)(comma - text) : strlen(text);
		int r = parse_one(text, len, &props->v[props->n], i, file, line, errs);

		if (r)
			rc = r;
		else
			props->n++;
		text += len + (comma ? 1 : 0);
	}
	if (rc)
		conf_proposals_free(props); /* reported; nothing half-parsed is checked */
	return rc;
}

/* "prf" + integrity name: the PRF with the same construction (sha256 -> prfsha256). */
static const struct xform *prf_of_integ(const struct xform *integ)
{
	char name[40];

	snprintf(name, sizeof(name), "prf%s", integ->name);
	return xform_by_name(name);
}

static bool add_xform(struct conf_proposal *p, const struct xform *xf)
{
	struct conf_xform *x;

	for (size_t i = 0; i < p->n_xforms; i++)
		if (p->xforms[i].xf == xf)
			return true;
	if (p->n_xforms == CONF_MAX_XFORMS)
		return false;
	x = &p->xforms[p->n_xforms++];
	x->type = xf->type;
	x->xf = xf;
	snprintf(x->name, sizeof(x->name), "%s", xf->name);
	return true;
}

static void remove_type(struct conf_proposal *p, enum xform_type type)
{
	size_t k = 0;

	for (size_t i = 0; i < p->n_xforms; i++)
		if (p->xforms[i].type != type)
			p->xforms[k++] = p->xforms[i];
	p->n_xforms = k;
}

/* The first transform of a proposal that has no IKEv1 number for this use, or NULL. */
static const struct xform *not_v1(const struct conf_proposal *p, bool ike)
{
	for (size_t i = 0; i < p->n_xforms; i++) {
		const struct xform *xf = p->xforms[i].xf;
		bool ok;

		if (ike)
			ok = xf->type == XFORM_INTEG || xf->ike_value != 0;
		else
			ok = xf->type == XFORM_ESN || xf->ipsec_value != 0;
		if (!ok)
			return xf;
	}
	return NULL;
}

/* Structure rules of one proposal; derives the IKE PRF when not written. */
static int check_one(struct conf_proposal *p, size_t idx, bool ike, const char *what,
		     const char *file, int line, struct config_errors *errs)
{
	size_t n_aead = 0, n_encr = conf_proposal_count(p, XFORM_ENCR);
	size_t n_integ = conf_proposal_count(p, XFORM_INTEG);

	for (size_t i = 0; i < n_encr; i++)
		n_aead += conf_proposal_get(p, XFORM_ENCR, i)->aead;
	if (n_encr == 0) {
		config_error_add(errs, file, line, "%s proposal %zu has no cipher; "
				 "add one, e.g. aes256 or aes256gcm16", what, idx + 1);
		return ERR_PARSE;
	}
	if (n_aead && n_aead != n_encr) {
		config_error_add(errs, file, line, "%s proposal %zu mixes AEAD and non-AEAD "
				 "ciphers (RFC 5282 8); put them in separate proposals",
				 what, idx + 1);
		return ERR_PARSE;
	}
	if (ike) {
		if (conf_proposal_count(p, XFORM_ESN)) {
			config_error_add(errs, file, line, "ike proposal %zu has esn/noesn, "
					 "which only ESP proposals take; remove it", idx + 1);
			return ERR_PARSE;
		}
		if (conf_proposal_count(p, XFORM_KE) == 0) {
			config_error_add(errs, file, line, "ike proposal %zu has no key exchange "
					 "group; add one, e.g. modp2048 or x25519", idx + 1);
			return ERR_PARSE;
		}
		if (!n_aead && n_integ == 0) {
			config_error_add(errs, file, line, "ike proposal %zu has no integrity "
					 "algorithm; add one, e.g. sha256", idx + 1);
			return ERR_PARSE;
		}
		/* With no PRF written, each integrity algorithm names its PRF. */
		if (conf_proposal_count(p, XFORM_PRF) == 0) {
			for (size_t i = 0; i < n_integ; i++) {
				const struct xform *prf = prf_of_integ(conf_proposal_get(p, XFORM_INTEG, i));

				if (!prf || !add_xform(p, prf)) {
					config_error_add(errs, file, line, "ike proposal %zu: no PRF "
							 "follows from its integrity algorithm; add "
							 "one, e.g. prfsha256", idx + 1);
					return ERR_PARSE;
				}
			}
		}
		/* AEAD IKE SAs have no integrity transform (RFC 5282 8). */
		if (n_aead)
			remove_type(p, XFORM_INTEG);
		return 0;
	}
	if (conf_proposal_count(p, XFORM_PRF)) {
		config_error_add(errs, file, line, "esp proposal %zu has a PRF, which only "
				 "IKE proposals take; remove it", idx + 1);
		return ERR_PARSE;
	}
	if (conf_proposal_count(p, XFORM_KE)) {
		config_error_add(errs, file, line, "esp proposal %zu has a key exchange group; "
				 "write the PFS group as pfs = GROUP instead", idx + 1);
		return ERR_PARSE;
	}
	if (n_aead && n_integ) {
		config_error_add(errs, file, line, "esp proposal %zu has an integrity "
				 "algorithm with an AEAD cipher, which carries its own; "
				 "remove the integrity algorithm", idx + 1);
		return ERR_PARSE;
	}
	if (!n_aead && n_integ == 0) {
		config_error_add(errs, file, line, "esp proposal %zu has no integrity "
				 "algorithm (RFC 8221 requires one); add one, e.g. sha256",
				 idx + 1);
		return ERR_PARSE;
	}
	return 0;
}

int config_check_proposals(struct conf_proposals *props, bool ike,
			   enum conf_version version, const char *file,
			   int line, struct config_errors *errs)
{
	const char *what = ike ? "ike" : "esp";
	size_t n_v1 = 0;
	int rc = 0;
	char buf[256];

	if (props->n == 0) {
		config_error_add(errs, file, line, "no %s proposal; write at least one, "
				 "e.g. %s", what, ike ? "aes256-sha256-modp2048" : "aes256gcm16");
		return ERR_PARSE;
	}
	for (size_t i = 0; i < props->n; i++) {
		struct conf_proposal *p = &props->v[i];
		const struct xform *bad;

		if (check_one(p, i, ike, what, file, line, errs)) {
			rc = ERR_PARSE;
			continue;
		}
		bad = not_v1(p, ike);
		if (!bad) {
			n_v1++;
		} else if (version == CONF_VERSION_IKEV1) {
			config_error_add(errs, file, line, "%s proposal %zu (%s): %s has no "
					 "IKEv1 number; use it with version = ikev2, or pick "
					 "e.g. %s", what, i + 1,
					 conf_proposal_str(p, buf, sizeof(buf)), bad->name,
					 bad->type == XFORM_KE ? "modp2048 or ecp256" :
					 ike ? "aes256-sha256" : "aes256gcm16 or aes256-sha256");
			rc = ERR_PARSE;
		}
	}
	if (rc == 0 && version == CONF_VERSION_AUTO && n_v1 == 0) {
		config_error_add(errs, file, line, "version = auto, but no %s proposal can be "
				 "offered over IKEv1; add one, e.g. %s", what,
				 ike ? "aes256-sha256-modp2048" : "aes256-sha256");
		rc = ERR_PARSE;
	}
	return rc;
}
