/*
 * v2_rules.h - which payloads each exchange carries (RFC 7296 1.2, 1.3,
 * 1.4, 2.21), checked before any handler runs.
 *
 * One const row per exchange and direction gives, per payload type, the
 * minimum and maximum count, and whether the exchange is protected (then
 * every payload must be inside SK and the message must have one) or not
 * (IKE_SA_INIT: no SK at all). A payload type missing from a row is not
 * allowed in that message. Cross-payload rules: IKE_AUTH carries SA, TSi
 * and TSr together or not at all (RFC 6023 childless), CREATE_CHILD_SA
 * carries TSi and TSr together (absent only for an IKE SA rekey, 1.3.2).
 *
 * An error response - a response that carries nothing but Notify (and
 * Vendor ID) payloads, at least one of them an error type (2.21), or a
 * COOKIE / INVALID_KE_PAYLOAD request to retry in IKE_SA_INIT (1.2, 2.6) -
 * passes whatever the row requires.
 *
 * Rows cover what dualike's engine speaks: PSK and signatures (EAP rounds
 * of IKE_AUTH, where AUTH is missing, will need their own rows).
 */
#ifndef DUALIKE_V2_RULES_H
#define DUALIKE_V2_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "v2/v2_msg.h"

#define V2_RULE_MANY 0xff

struct v2_rule {
	uint8_t type;
	uint8_t min;
	uint8_t max; /* V2_RULE_MANY: no limit but the message's */
};

struct v2_rules_row {
	uint8_t exchange;
	bool response;
	bool protected_;   /* everything inside SK */
	bool child_trio;   /* SA, TSi, TSr all or none */
	bool ts_pair;      /* TSi, TSr both or none */
	const struct v2_rule *rules;
	size_t n_rules;
};

/* The row for an exchange and direction, NULL for exchanges we do not speak. */
const struct v2_rules_row *v2_rules_find(uint8_t exchange, bool response);

/* True when m is an error response as described above. */
bool v2_rules_is_error_response(const struct v2_msg *m);

/*
 * Check a parsed message (inner chain parsed, for protected exchanges)
 * against its row. 0: acceptable. ERR_PARSE: a rule is broken, why says
 * which ("IKE_AUTH request: missing AUTH", "... too many KE (2, at most
 * 1)", "... IDi outside SK") - the engine answers INVALID_SYNTAX or drops
 * (2.21). ERR_UNSUPPORTED: no row for the exchange. ERR_STATE: SK not
 * decrypted yet, or an SKF fragment (reassemble first).
 */
int v2_rules_check(const struct v2_msg *m, char *why, size_t cap);

#endif
