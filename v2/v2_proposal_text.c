/*
 * v2_proposal_text.c - proposals as text for the log. DESIGN.md: "A
 * proposal mismatch logs both sides' proposals side by side", so an
 * operator sees at once which transform differs. Names are the IANA ones
 * of the transform registry.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "v2/v2_names.h"
#include "v2/v2_proposal.h"

#define LINE_MAX_LEN 240
#define COLUMN_MAX 90

/* Append printf-style to buf[*at..cap), never overflowing, always NUL-terminated. */
static void appendf(char *buf, size_t cap, size_t *at, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void appendf(char *buf, size_t cap, size_t *at, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (cap == 0 || *at >= cap - 1)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *at, cap - *at, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	*at = (size_t)n >= cap - *at ? cap - 1 : *at + (size_t)n;
}

static void peer_xform_text(const struct v2_sa_xform *x, char *buf, size_t cap, size_t *at)
{
	const struct xform *row = xform_by_v2((enum xform_type)x->type, x->id,
					      x->has_key_len ? x->key_bits : 0);

	if (x->id == V2_XFORM_ID_NONE && (x->type == XFORM_INTEG || x->type == XFORM_KE))
		appendf(buf, cap, at, "%s_NONE", xform_type_name((enum xform_type)x->type));
	else if (row)
		appendf(buf, cap, at, "%s", row->iana_v2);
	else
		appendf(buf, cap, at, "%s#%u", xform_type_name((enum xform_type)x->type), x->id);
	if (x->has_key_len)
		appendf(buf, cap, at, "/%u", x->key_bits);
	if (x->unknown_attr)
		appendf(buf, cap, at, "(+unknown attribute)");
}

void v2_proposal_peer_text(const struct v2_sa *sa, const struct v2_sa_prop *p, char *buf,
			   size_t cap)
{
	size_t at = 0;

	if (cap)
		buf[0] = '\0';
	appendf(buf, cap, &at, "#%u %s:", p->number, v2_protocol_name(p->protocol));
	for (size_t i = 0; i < p->n_xforms; i++) {
		const struct v2_sa_xform *x = v2_sa_xform_at(sa, p, i);

		if (!x)
			break;
		appendf(buf, cap, &at, i ? ", " : " ");
		peer_xform_text(x, buf, cap, &at);
	}
}

static void local_text(const struct v2_local_prop *lp, size_t number, char *buf, size_t cap)
{
	size_t at = 0;

	buf[0] = '\0';
	appendf(buf, cap, &at, "#%zu %s:", number, v2_protocol_name(lp->protocol));
	for (size_t i = 0; i < lp->n_xforms; i++) {
		const struct xform *x = lp->xforms[i];

		if (!x)
			continue;
		appendf(buf, cap, &at, "%s%s", i ? ", " : " ", x->iana_v2);
		if (x->key_attr)
			appendf(buf, cap, &at, "/%u", x->key_bits);
	}
	if (lp->ke_none)
		appendf(buf, cap, &at, "%sKE_NONE", lp->n_xforms ? ", " : " ");
}

void v2_proposal_mismatch_text(const struct v2_sa *peer, const struct v2_local_prop *local,
			       size_t n_local, char *buf, size_t cap)
{
	char left[LINE_MAX_LEN], right[LINE_MAX_LEN];
	size_t rows = peer->n_props > n_local ? peer->n_props : n_local, width = 4, at = 0;

	if (cap == 0)
		return;
	buf[0] = '\0';
	/* The left column is as wide as the longest peer line (capped). */
	for (size_t i = 0; i < peer->n_props; i++) {
		v2_proposal_peer_text(peer, &peer->props[i], left, sizeof(left));
		if (strlen(left) > width)
			width = strlen(left);
	}
	if (width > COLUMN_MAX)
		width = COLUMN_MAX;
	appendf(buf, cap, &at, "%-*s | %s\n", (int)width, "peer", "local");
	for (size_t i = 0; i < rows; i++) {
		left[0] = right[0] = '\0';
		if (i < peer->n_props)
			v2_proposal_peer_text(peer, &peer->props[i], left, sizeof(left));
		if (i < n_local)
			local_text(&local[i], i + 1, right, sizeof(right));
		appendf(buf, cap, &at, "%-*s | %s\n", (int)width, left, right);
	}
	if (at == cap - 1 && cap > 4)
		memcpy(buf + cap - 4, "...", 4);
}
