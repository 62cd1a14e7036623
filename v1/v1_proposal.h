/*
 * v1_proposal.h - choosing from a peer's SA payload (RFC 2409 5, 5.5;
 * RFC 2408 4.2; RFC 2407 4.5).
 *
 * Phase 1: the initiator sends (normally) one proposal with several
 * transforms. The responder takes the FIRST transform, in the initiator's
 * order, that some local policy accepts (issue 5): the initiator states
 * its preference; we only filter.
 *
 * Quick Mode: proposals with the same number are AND-ed (a bundle such as
 * AH+ESP, RFC 2408 4.2); bundles are refused with that reason and the next
 * proposal is tried. Only ESP (SPI size 4) is negotiated. Within a proposal
 * the first acceptable transform wins, again in the initiator's order.
 *
 * Local policies are plain arrays of common/xform.h rows: every
 * combination of the lists is acceptable (as a "aes128-aes256-sha256-
 * modp2048" configuration line means).
 *
 * Lifetimes: the chosen lifetime is the peer's, lowered to ours when ours
 * is shorter (then life_reduced is set: as Quick Mode responder, send
 * RESPONDER-LIFETIME, RFC 2407 4.6.3.1). When the peer gives none, ours;
 * for IPsec SAs without either, RFC 2407 4.5's default of 28800 seconds.
 *
 * On failure: ERR_NOTFOUND, e->notify NO-PROPOSAL-CHOSEN, and `why` holds
 * both sides side by side (DESIGN.md): each peer transform with the reason
 * it was refused, next to what we accept.
 */
#ifndef DUALIKE_V1_PROPOSAL_H
#define DUALIKE_V1_PROPOSAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/xform.h"
#include "v1/v1_attr.h"
#include "v1/v1_wire.h"

#define V1_IPSEC_DEFAULT_LIFE 28800 /* RFC 2407 4.5 */

struct v1_p1_policy {
	const struct xform *const *encr;  size_t n_encr;  /* ENCR rows with an IKEv1 value */
	const struct xform *const *hash;  size_t n_hash;  /* PRF rows (the IKEv1 hash) */
	const struct xform *const *group; size_t n_group; /* KE rows */
	uint16_t auth_method;                             /* V1_AUTH_* */
	uint64_t life_seconds;                            /* our maximum, 0: take theirs */
};

struct v1_p1_choice {
	uint8_t proposal_number;
	uint8_t transform_number;
	unsigned policy;                /* index of the local policy that matched */
	struct v1_p1_attrs attrs;       /* the chosen transform, decoded */
	uint64_t life_seconds;          /* effective */
	uint64_t life_kbytes;
	bool life_reduced;
};

int v1_select_p1(const struct v1_sa *peer, const struct v1_p1_policy *local, size_t n_local,
		 struct v1_p1_choice *out, char *why, size_t why_len, struct v1_err *e);

struct v1_qm_policy {
	const struct xform *const *encr;  size_t n_encr;  /* ENCR rows with an ESP ID */
	const struct xform *const *integ; size_t n_integ; /* INTEG rows; none with AEAD */
	const struct xform *const *group; size_t n_group; /* PFS groups; none: no PFS */
	uint16_t encap;      /* V1_ENCAP_TUNNEL or V1_ENCAP_TRANSPORT */
	bool udp_encap;      /* NAT detected: expect the UDP-encapsulated mode (RFC 3947 or draft value) */
	uint64_t life_seconds;
	uint64_t life_kbytes;
};

struct v1_qm_choice {
	uint8_t proposal_number;
	uint8_t transform_number;
	unsigned policy;
	uint8_t spi[4];                 /* the peer's inbound SPI */
	struct v1_ipsec_attrs attrs;
	uint64_t life_seconds;
	uint64_t life_kbytes;
	bool life_reduced;
};

int v1_select_qm(const struct v1_sa *peer, const struct v1_qm_policy *local, size_t n_local,
		 struct v1_qm_choice *out, char *why, size_t why_len, struct v1_err *e);

#endif
