/*
 * v1_rules.h - which payloads each IKEv1 message carries (RFC 2409 5,
 * 5.4, 5.5, 5.7; RFC 2408 4.4-4.8; RFC 3947 3.2, 5.1; RFC 3706), checked
 * before any handler runs.
 *
 * One const row per message: required payloads, optional payloads, "at
 * least one of", which payload comes first (SA in MM1/MM2/AM1/AM2, HASH in
 * Quick Mode and Informational) and second (SA after HASH in QM1/QM2,
 * RFC 2409 5.5), whether it must be encrypted, and the pairs Quick Mode
 * needs (IDci/IDcr both or neither). Messages 5/6 of Main Mode and 2/3 of
 * Aggressive Mode differ by authentication: a PSK row carries HASH, a
 * signature row SIG with optional CERT. Draft NAT-D/NAT-OA numbers
 * (130/131) count as NAT-D/NAT-OA. Every payload type not listed is
 * refused; counts above the maxima (v1_rules.c) are refused.
 */
#ifndef DUALIKE_V1_RULES_H
#define DUALIKE_V1_RULES_H

#include <stdint.h>

#include "v1/v1_msg.h"

enum v1_msg_kind {
	V1_MSG_MM1, V1_MSG_MM2, V1_MSG_MM3, V1_MSG_MM4, V1_MSG_MM5, V1_MSG_MM6,
	V1_MSG_AM1, V1_MSG_AM2, V1_MSG_AM3,
	V1_MSG_QM1, V1_MSG_QM2, V1_MSG_QM3,
	V1_MSG_INFO,       /* encrypted, with HASH (RFC 2409 5.7) */
	V1_MSG_INFO_CLEAR, /* before keys exist: notify only (RFC 2408 4.8) */
};

/* How phase 1 authenticates, which decides MM5/MM6/AM2/AM3. */
enum v1_auth_class {
	V1_AUTH_CLASS_ANY = 0, /* rows that do not depend on it */
	V1_AUTH_CLASS_PSK,
	V1_AUTH_CLASS_SIG,
};

enum v1_enc_rule { V1_ENC_NEVER, V1_ENC_ALWAYS, V1_ENC_EITHER };

struct v1_rule {
	enum v1_msg_kind kind;
	enum v1_auth_class auth;
	const char *name;     /* "MM5 (PSK)" */
	uint8_t exch;
	uint32_t need;        /* bits: v1_rules_bit(type) */
	uint32_t may;
	uint32_t one_of;      /* at least one of these (Informational: N or D) */
	uint8_t first;        /* payload type that must come first, 0: any */
	uint8_t second;       /* ... and second */
	enum v1_enc_rule enc;
	bool id_pair;         /* ID count 0 or 2 (Quick Mode IDci/IDcr) */
};

/* The class of a phase-1 authentication method (XAUTH variants included). */
enum v1_auth_class v1_auth_class_of(unsigned auth_method);
/* The row for a message (auth ignored where the row does not depend on it). */
const struct v1_rule *v1_rules_find(enum v1_msg_kind kind, enum v1_auth_class auth);
/* Bit of a payload type in a row's masks (draft NAT numbers folded). */
uint32_t v1_rules_bit(uint8_t type);
/*
 * Check m against the row. 0, or ERR_PARSE with e saying exactly what is
 * wrong (missing X, unexpected X, N times X (max M), X not first, not
 * encrypted) and the notify to send.
 */
int v1_rules_check(const struct v1_rule *row, const struct v1_msg *m, struct v1_err *e);

#endif
