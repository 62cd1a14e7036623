/*
 * v2_proposal.h - proposal selection and SA payload contents (RFC 7296
 * 2.7, 3.3, 3.3.3, 3.3.6).
 *
 * Local proposals are rows of the transform registry (common/xform.h); the
 * config layer converts its own proposals into struct v2_local_prop.
 *
 * Selection (the responder, 2.7): the first proposal of the peer, in the
 * initiator's order, that one of the local proposals accepts; inside it,
 * for each transform type, the first transform in the initiator's order
 * that the local proposal lists. The initiator lists its proposals and
 * transforms in its order of preference (3.3), so honouring that order is
 * the RFC's default and makes the outcome predictable from the peer's
 * log. The local proposals are tried in their configured order for each
 * peer proposal. One exception: for the KE type the group of the
 * initiator's KE payload is taken when acceptable, which avoids a useless
 * INVALID_KE_PAYLOAD round trip (1.2, 2.7).
 *
 * A peer proposal is skipped when: its protocol differs from the wanted
 * one; it has a transform type we do not know (3.3.6); it misses a type
 * its protocol requires (3.3.3: IKE needs ENCR, PRF, KE and INTEG unless
 * the cipher is AEAD; ESP needs ENCR, INTEG unless AEAD, and ESN - a
 * missing ESN is read as "no ESN", as several implementations omit it);
 * it combines an AEAD cipher with an integrity transform other than NONE
 * (RFC 5282 8); or a required type has no acceptable transform. A
 * transform with an unknown ID, a Key Length that no registry row has, or
 * an attribute we do not know is not acceptable, but does not sink its
 * proposal on its own.
 */
#ifndef DUALIKE_V2_PROPOSAL_H
#define DUALIKE_V2_PROPOSAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/xform.h"
#include "v2/v2_wire.h"

#define V2_PROP_MAX_XFORMS 24
#define V2_PROP_MAX_LOCAL 16

/* Transform ID 0 of KE and INTEG: "NONE" (IANA), which has no xform row. */
#define V2_XFORM_ID_NONE 0

/* One local proposal: the transforms we offer or accept, in preference order. */
struct v2_local_prop {
	uint8_t protocol; /* V2_PROTO_IKE, V2_PROTO_ESP or V2_PROTO_AH */
	const struct xform *xforms[V2_PROP_MAX_XFORMS];
	size_t n_xforms;
	/*
	 * Child SAs only: KE NONE is acceptable (responder) or offered after
	 * the groups (initiator) - a CREATE_CHILD_SA without PFS, or the
	 * IKE_AUTH child, whose proposals may carry KE NONE (1.2, 3.3.3).
	 */
	bool ke_none;
};

/* What was chosen: the peer's proposal number and SPI, one row per type. */
struct v2_chosen {
	uint8_t number;
	uint8_t protocol;
	uint8_t spi_size;
	uint8_t spi[V2_SPI_MAX];
	const struct xform *encr;
	const struct xform *prf;   /* IKE only */
	const struct xform *integ; /* NULL: none (AEAD) */
	const struct xform *ke;    /* NULL: none (child without PFS) */
	const struct xform *esn;   /* ESP/AH; NULL for IKE */
	size_t local_index;        /* which local proposal matched */
};

/*
 * Choose from the peer's SA payload for `protocol`. ke_payload_group: the
 * group of the peer's KE payload (0 when there is none) - preferred when
 * the chosen proposal allows it. ERR_NOTFOUND: nothing acceptable (answer
 * NO_PROPOSAL_CHOSEN; log v2_proposal_mismatch_text()).
 */
int v2_proposal_select(const struct v2_sa *peer, uint8_t protocol,
		       const struct v2_local_prop *local, size_t n_local,
		       uint16_t ke_payload_group, struct v2_chosen *out);

/*
 * After a selection: true when the responder must answer
 * INVALID_KE_PAYLOAD naming c->ke (1.2, 3.10.1): the chosen proposal
 * needs a KE and the peer's KE payload carries another group (or none).
 */
bool v2_chosen_needs_invalid_ke(const struct v2_chosen *c, uint16_t ke_payload_group);

/*
 * The initiator's check of the responder's answer: exactly one proposal,
 * one transform of each type, all of them among what local offered in
 * the proposal of that number (3.3.1: the number is echoed).
 */
int v2_proposal_accept_answer(const struct v2_sa *answer, uint8_t protocol,
			      const struct v2_local_prop *local, size_t n_local,
			      struct v2_chosen *out);

/*
 * SA contents for the initiator: local proposals numbered 1..n_local, each
 * with spi (spi_size octets; 0 for the first IKE SA).
 */
int v2_proposal_offer(const struct v2_local_prop *local, size_t n_local, const uint8_t *spi,
		      size_t spi_size, struct v2_sa *sa);
/* SA contents for the responder's answer: the chosen proposal with our SPI. */
int v2_proposal_answer(const struct v2_chosen *c, const uint8_t *spi, size_t spi_size,
		       struct v2_sa *sa);

/*
 * Both sides side by side for the log (DESIGN.md): one line per proposal,
 * "peer #1 ESP: ENCR_AES_GCM_16/256 ..." then "local #1 ...". Always
 * NUL-terminated; truncated with "..." when it does not fit.
 */
void v2_proposal_mismatch_text(const struct v2_sa *peer, const struct v2_local_prop *local,
			       size_t n_local, char *buf, size_t cap);
/* One peer proposal as text ("ESP: ENCR_AES_CBC/128, AUTH_HMAC_SHA2_256_128, ..."). */
void v2_proposal_peer_text(const struct v2_sa *sa, const struct v2_sa_prop *p, char *buf,
			   size_t cap);

#endif
