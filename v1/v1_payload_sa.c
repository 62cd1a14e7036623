/*
 * v1_payload_sa.c - the SA payload (RFC 2408 3.4), its Proposal (3.5) and
 * Transform (3.6) substructures, with the IPsec DOI situation (RFC 2407
 * 4.6.1).
 *
 *   SA:        DOI (4) | Situation (4) | Proposal payloads
 *   Proposal:  next (2 or 0) | res | length | P# | protocol | SPI size | #T | SPI | transforms
 *   Transform: next (3 or 0) | res | length | T# | transform ID | res (2) | attributes
 */
#include <string.h>

#include "common/err.h"
#include "v1/v1_attr.h"
#include "v1/v1_wire.h"

/*
 * A Proposal's or Transform's generic header (RFC 2408 3.5, 3.6: next,
 * RESERVED, length) and a view of exactly its body; false when the length
 * is shorter than the fixed part or runs past what holds it.
 */
static bool sub_header(struct rd *chain, uint8_t *next, uint16_t *len, struct rd *body)
{
	uint8_t res;

	rd_u8(chain, next);
	rd_u8(chain, &res);
	rd_u16(chain, len);
	return rd_ok(chain) && *len >= 8 && rd_sub(chain, *len - 4u, body);
}

static int parse_transform(struct rd *chain, uint8_t *next, struct v1_transform *t,
			   struct v1_err *e)
{
	uint16_t len, res2;
	struct rd body;
	int rc;

	if (!sub_header(chain, next, &len, &body))
		return v1_fail(e, ERR_PARSE, V1_N_BAD_PROPOSAL_SYNTAX, V1_P_SA,
			       "transform length %u does not fit its proposal", len);
	rd_u8(&body, &t->number);
	rd_u8(&body, &t->id);
	rd_u16(&body, &res2);
	t->attrs_len = rd_left(&body);
	rd_ptr(&body, t->attrs_len, &t->attrs);
	rc = v1_attr_walk(t->attrs, t->attrs_len, e);
	if (rc < 0)
		return rc;
	if (*next != V1_P_TRANSFORM && *next != V1_P_NONE)
		return v1_fail(e, ERR_PARSE, V1_N_BAD_PROPOSAL_SYNTAX, V1_P_SA,
			       "transform %u is followed by payload type %u (3 or 0 expected)",
			       t->number, *next);
	return 0;
}

static int parse_proposal(struct rd *chain, uint8_t *next, struct v1_sa *sa, struct v1_err *e)
{
	struct v1_proposal *p = &sa->prop[sa->n_proposals];
	uint8_t xnext = V1_P_TRANSFORM;
	uint16_t len;
	struct rd body;
	int rc;

	if (!sub_header(chain, next, &len, &body))
		return v1_fail(e, ERR_PARSE, V1_N_BAD_PROPOSAL_SYNTAX, V1_P_SA,
			       "proposal length %u does not fit the SA payload", len);
	rd_u8(&body, &p->number);
	rd_u8(&body, &p->protocol);
	rd_u8(&body, &p->spi_size);
	rd_u8(&body, &p->n_transforms);
	if (p->spi_size > V1_SPI_MAX || !rd_ptr(&body, p->spi_size, &p->spi))
		return v1_fail(e, ERR_PARSE, V1_N_BAD_PROPOSAL_SYNTAX, V1_P_SA,
			       "proposal %u: SPI size %u does not fit", p->number, p->spi_size);
	if (p->n_transforms == 0)
		return v1_fail(e, ERR_PARSE, V1_N_BAD_PROPOSAL_SYNTAX, V1_P_SA,
			       "proposal %u has no transform", p->number);
	if ((size_t)sa->n_xf + p->n_transforms > V1_SA_MAX_TRANSFORMS)
		return v1_fail(e, ERR_UNSUPPORTED, V1_N_BAD_PROPOSAL_SYNTAX, V1_P_SA,
			       "more than %d transforms in one SA payload", V1_SA_MAX_TRANSFORMS);
	p->first = sa->n_xf;
	for (unsigned i = 0; i < p->n_transforms; i++) {
		if (xnext != V1_P_TRANSFORM)
			return v1_fail(e, ERR_PARSE, V1_N_BAD_PROPOSAL_SYNTAX, V1_P_SA,
				       "proposal %u announces %u transforms, the chain ends after %u",
				       p->number, p->n_transforms, i);
		rc = parse_transform(&body, &xnext, &sa->xf[sa->n_xf], e);
		if (rc < 0)
			return rc;
		sa->n_xf++;
	}
	if (xnext != V1_P_NONE || !rd_done(&body))
		return v1_fail(e, ERR_PARSE, V1_N_BAD_PROPOSAL_SYNTAX, V1_P_SA,
			       "proposal %u: bytes or transforms after the announced %u",
			       p->number, p->n_transforms);
	if (*next != V1_P_PROPOSAL && *next != V1_P_NONE)
		return v1_fail(e, ERR_PARSE, V1_N_BAD_PROPOSAL_SYNTAX, V1_P_SA,
			       "proposal %u is followed by payload type %u (2 or 0 expected)",
			       p->number, *next);
	return 0;
}

int v1_sa_parse(const struct v1_payload *pl, struct v1_sa *sa, struct v1_err *e)
{
	struct rd r;
	uint8_t next = V1_P_PROPOSAL;
	int rc;

	memset(sa, 0, sizeof(*sa));
	rd_init(&r, pl->body, pl->body_len);
	rd_u32(&r, &sa->doi);
	rd_u32(&r, &sa->situation);
	if (!rd_ok(&r))
		return v1_fail(e, ERR_PARSE, V1_N_PAYLOAD_MALFORMED, V1_P_SA,
			       "SA payload of %zu bytes has no DOI and situation", pl->body_len);
	if (sa->doi != V1_DOI_IPSEC)
		return v1_fail(e, ERR_UNSUPPORTED, V1_N_DOI_NOT_SUPPORTED, V1_P_SA,
			       "DOI %u (only the IPsec DOI, 1)", (unsigned)sa->doi);
	/* RFC 2407 4.2: secrecy and integrity situations carry labels we do not do. */
	if (sa->situation != V1_SIT_IDENTITY_ONLY)
		return v1_fail(e, ERR_UNSUPPORTED, V1_N_SITUATION_NOT_SUPPORTED, V1_P_SA,
			       "situation 0x%x (only SIT_IDENTITY_ONLY)", (unsigned)sa->situation);
	while (next == V1_P_PROPOSAL) {
		if (sa->n_proposals == V1_SA_MAX_PROPOSALS)
			return v1_fail(e, ERR_UNSUPPORTED, V1_N_BAD_PROPOSAL_SYNTAX, V1_P_SA,
				       "more than %d proposals", V1_SA_MAX_PROPOSALS);
		rc = parse_proposal(&r, &next, sa, e);
		if (rc < 0)
			return rc;
		/* RFC 2408 4.2: proposal numbers increase; equal numbers are AND-ed. */
		if (sa->n_proposals > 0 &&
		    sa->prop[sa->n_proposals].number < sa->prop[sa->n_proposals - 1].number)
			return v1_fail(e, ERR_PARSE, V1_N_BAD_PROPOSAL_SYNTAX, V1_P_SA,
				       "proposal number %u after %u (must not decrease)",
				       sa->prop[sa->n_proposals].number,
				       sa->prop[sa->n_proposals - 1].number);
		sa->n_proposals++;
	}
	if (!rd_done(&r))
		return v1_fail(e, ERR_PARSE, V1_N_PAYLOAD_MALFORMED, V1_P_SA,
			       "%zu bytes after the last proposal", rd_left(&r));
	return 0;
}

const struct v1_transform *v1_sa_transforms(const struct v1_sa *sa, unsigned i)
{
	if (i >= sa->n_proposals)
		return NULL;
	return &sa->xf[sa->prop[i].first];
}
