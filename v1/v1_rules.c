/*
 * v1_rules.c - the payload table of every IKEv1 message (v1_rules.h).
 * The diagrams are RFC 2409 5 (Main, Aggressive), 5.5 (Quick), 5.7
 * (Informational), with RFC 3947 NAT-D/NAT-OA and vendor IDs added where
 * peers send them.
 */
#include <stdio.h>

#include "common/err.h"
#include "v1/v1_rules.h"

#define B(t) (1u << (t))
#define NATD B(V1_P_NAT_D)
#define NATOA B(V1_P_NAT_OA)

uint32_t v1_rules_bit(uint8_t type)
{
	if (type == V1_P_NAT_D_DRAFT)
		type = V1_P_NAT_D;
	else if (type == V1_P_NAT_OA_DRAFT)
		type = V1_P_NAT_OA;
	else if (type == V1_P_FRAG)
		type = 23;
	return type < 32 ? B(type) : 0;
}

/* Maximum count per message of each payload type (1 unless listed). */
static unsigned max_count(uint8_t type)
{
	switch (type) {
	case V1_P_VID: return 32;
	case V1_P_CERT: case V1_P_CR: return 8;
	case V1_P_N: case V1_P_D: return 8;
	case V1_P_NAT_D: case V1_P_NAT_D_DRAFT: return 8; /* one per local address, RFC 3947 3.2 */
	case V1_P_NAT_OA: case V1_P_NAT_OA_DRAFT: return 2; /* NAT-OAi, NAT-OAr */
	case V1_P_ID: return 2; /* IDci, IDcr; phase-1 rows get 1 below */
	default: return 1;
	}
}

static const struct v1_rule rules[] = {
	/* HDR, SA [, VID...] */
	{ V1_MSG_MM1, V1_AUTH_CLASS_ANY, "MM1", V1_EXCH_IDPROT, B(V1_P_SA), B(V1_P_VID), 0,
	  V1_P_SA, 0, V1_ENC_NEVER, false },
	{ V1_MSG_MM2, V1_AUTH_CLASS_ANY, "MM2", V1_EXCH_IDPROT, B(V1_P_SA), B(V1_P_VID), 0,
	  V1_P_SA, 0, V1_ENC_NEVER, false },
	/* HDR, KE, Ni [, CR] [, NAT-D, NAT-D] [, VID] */
	{ V1_MSG_MM3, V1_AUTH_CLASS_ANY, "MM3", V1_EXCH_IDPROT, B(V1_P_KE) | B(V1_P_NONCE),
	  B(V1_P_CR) | NATD | B(V1_P_VID), 0, 0, 0, V1_ENC_NEVER, false },
	{ V1_MSG_MM4, V1_AUTH_CLASS_ANY, "MM4", V1_EXCH_IDPROT, B(V1_P_KE) | B(V1_P_NONCE),
	  B(V1_P_CR) | NATD | B(V1_P_VID), 0, 0, 0, V1_ENC_NEVER, false },
	/* HDR*, IDii, HASH_I [, N(INITIAL-CONTACT)] */
	{ V1_MSG_MM5, V1_AUTH_CLASS_PSK, "MM5 (PSK)", V1_EXCH_IDPROT, B(V1_P_ID) | B(V1_P_HASH),
	  B(V1_P_N) | B(V1_P_VID), 0, 0, 0, V1_ENC_ALWAYS, false },
	/* HDR*, IDii, [CERT,] SIG_I [, CR] */
	{ V1_MSG_MM5, V1_AUTH_CLASS_SIG, "MM5 (signature)", V1_EXCH_IDPROT,
	  B(V1_P_ID) | B(V1_P_SIG), B(V1_P_CERT) | B(V1_P_CR) | B(V1_P_N) | B(V1_P_VID), 0,
	  0, 0, V1_ENC_ALWAYS, false },
	{ V1_MSG_MM6, V1_AUTH_CLASS_PSK, "MM6 (PSK)", V1_EXCH_IDPROT, B(V1_P_ID) | B(V1_P_HASH),
	  B(V1_P_N) | B(V1_P_VID), 0, 0, 0, V1_ENC_ALWAYS, false },
	{ V1_MSG_MM6, V1_AUTH_CLASS_SIG, "MM6 (signature)", V1_EXCH_IDPROT,
	  B(V1_P_ID) | B(V1_P_SIG), B(V1_P_CERT) | B(V1_P_N) | B(V1_P_VID), 0, 0, 0,
	  V1_ENC_ALWAYS, false },
	/* HDR, SA, KE, Ni, IDii [, VID] [, CR] */
	{ V1_MSG_AM1, V1_AUTH_CLASS_ANY, "AM1", V1_EXCH_AGGRESSIVE,
	  B(V1_P_SA) | B(V1_P_KE) | B(V1_P_NONCE) | B(V1_P_ID), B(V1_P_VID) | B(V1_P_CR), 0,
	  V1_P_SA, 0, V1_ENC_NEVER, false },
	/* HDR, SA, KE, Nr, IDir, HASH_R [, VID] [, NAT-D, NAT-D] */
	{ V1_MSG_AM2, V1_AUTH_CLASS_PSK, "AM2 (PSK)", V1_EXCH_AGGRESSIVE,
	  B(V1_P_SA) | B(V1_P_KE) | B(V1_P_NONCE) | B(V1_P_ID) | B(V1_P_HASH),
	  B(V1_P_VID) | NATD, 0, V1_P_SA, 0, V1_ENC_NEVER, false },
	{ V1_MSG_AM2, V1_AUTH_CLASS_SIG, "AM2 (signature)", V1_EXCH_AGGRESSIVE,
	  B(V1_P_SA) | B(V1_P_KE) | B(V1_P_NONCE) | B(V1_P_ID) | B(V1_P_SIG),
	  B(V1_P_CERT) | B(V1_P_CR) | B(V1_P_VID) | NATD, 0, V1_P_SA, 0, V1_ENC_NEVER, false },
	/* HDR[*], HASH_I [, NAT-D, NAT-D] [, N] — RFC 2409 5: may be encrypted */
	{ V1_MSG_AM3, V1_AUTH_CLASS_PSK, "AM3 (PSK)", V1_EXCH_AGGRESSIVE, B(V1_P_HASH),
	  NATD | B(V1_P_N) | B(V1_P_VID), 0, 0, 0, V1_ENC_EITHER, false },
	{ V1_MSG_AM3, V1_AUTH_CLASS_SIG, "AM3 (signature)", V1_EXCH_AGGRESSIVE, B(V1_P_SIG),
	  B(V1_P_CERT) | NATD | B(V1_P_N) | B(V1_P_VID), 0, 0, 0, V1_ENC_EITHER, false },
	/* HDR*, HASH(1), SA, Ni [, KE] [, IDci, IDcr] [, NAT-OAi, NAT-OAr] */
	{ V1_MSG_QM1, V1_AUTH_CLASS_ANY, "QM1", V1_EXCH_QUICK,
	  B(V1_P_HASH) | B(V1_P_SA) | B(V1_P_NONCE), B(V1_P_KE) | B(V1_P_ID) | NATOA | B(V1_P_N),
	  0, V1_P_HASH, V1_P_SA, V1_ENC_ALWAYS, true },
	/* HDR*, HASH(2), SA, Nr [, KE] [, IDci, IDcr] [, N(RESPONDER-LIFETIME)] */
	{ V1_MSG_QM2, V1_AUTH_CLASS_ANY, "QM2", V1_EXCH_QUICK,
	  B(V1_P_HASH) | B(V1_P_SA) | B(V1_P_NONCE), B(V1_P_KE) | B(V1_P_ID) | NATOA | B(V1_P_N),
	  0, V1_P_HASH, V1_P_SA, V1_ENC_ALWAYS, true },
	/* HDR*, HASH(3) */
	{ V1_MSG_QM3, V1_AUTH_CLASS_ANY, "QM3", V1_EXCH_QUICK, B(V1_P_HASH), 0, 0,
	  V1_P_HASH, 0, V1_ENC_ALWAYS, false },
	/* HDR*, HASH(1), N/D */
	{ V1_MSG_INFO, V1_AUTH_CLASS_ANY, "Informational", V1_EXCH_INFORMATIONAL, B(V1_P_HASH),
	  B(V1_P_N) | B(V1_P_D), B(V1_P_N) | B(V1_P_D), V1_P_HASH, 0, V1_ENC_ALWAYS, false },
	/* HDR, N: only notifies before an ISAKMP SA has keys */
	{ V1_MSG_INFO_CLEAR, V1_AUTH_CLASS_ANY, "Informational (unprotected)",
	  V1_EXCH_INFORMATIONAL, B(V1_P_N), 0, 0, 0, 0, V1_ENC_NEVER, false },
};

enum v1_auth_class v1_auth_class_of(unsigned m)
{
	switch (m) {
	case V1_AUTH_PSK: case V1_AUTH_XAUTH_INIT_PSK: case V1_AUTH_XAUTH_RESP_PSK:
		return V1_AUTH_CLASS_PSK;
	case V1_AUTH_DSS: case V1_AUTH_RSA_SIG: case V1_AUTH_ECDSA_256: case V1_AUTH_ECDSA_384:
	case V1_AUTH_ECDSA_521: case V1_AUTH_XAUTH_INIT_RSA: case V1_AUTH_XAUTH_RESP_RSA:
		return V1_AUTH_CLASS_SIG;
	default:
		return V1_AUTH_CLASS_ANY; /* encryption-based methods: no row */
	}
}

const struct v1_rule *v1_rules_find(enum v1_msg_kind kind, enum v1_auth_class auth)
{
	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
		if (rules[i].kind == kind &&
		    (rules[i].auth == V1_AUTH_CLASS_ANY || rules[i].auth == auth))
			return &rules[i];
	return NULL;
}

int v1_rules_check(const struct v1_rule *row, const struct v1_msg *m, struct v1_err *e)
{
	uint32_t seen = 0;
	unsigned count[256] = { 0 };
	bool enc = (m->hdr.flags & V1_FLAG_ENCRYPTION) != 0;

	if (m->hdr.exch != row->exch)
		return v1_fail(e, ERR_PARSE, V1_N_INVALID_EXCHANGE_TYPE, 0,
			       "%s: exchange type %u, %u expected", row->name, m->hdr.exch, row->exch);
	if ((row->enc == V1_ENC_ALWAYS && !enc) || (row->enc == V1_ENC_NEVER && enc))
		return v1_fail(e, ERR_PARSE, V1_N_INVALID_FLAGS, 0, "%s must %sbe encrypted",
			       row->name, row->enc == V1_ENC_ALWAYS ? "" : "not ");
	for (unsigned i = 0; i < m->n; i++) {
		uint8_t t = m->pl[i].type;
		uint32_t bit = v1_rules_bit(t);
		unsigned max = max_count(t);

		if (!(bit & (row->need | row->may)))
			return v1_fail(e, ERR_PARSE, V1_N_INVALID_PAYLOAD_TYPE, t,
				       "%s: unexpected %s payload", row->name, v1_payload_name(t));
		if (t == V1_P_ID && !row->id_pair)
			max = 1;
		if (++count[t] > max)
			return v1_fail(e, ERR_PARSE, V1_N_PAYLOAD_MALFORMED, t,
				       "%s: %u %s payloads (at most %u)", row->name, count[t],
				       v1_payload_name(t), max);
		seen |= bit;
	}
	for (unsigned t = 1; t < 32; t++)
		if ((row->need & B(t)) && !(seen & B(t)))
			return v1_fail(e, ERR_PARSE, V1_N_PAYLOAD_MALFORMED, (uint8_t)t,
				       "%s: missing %s payload", row->name, v1_payload_name(t));
	if (row->one_of && !(seen & row->one_of))
		return v1_fail(e, ERR_PARSE, V1_N_PAYLOAD_MALFORMED, 0,
			       "%s: needs a notification or delete payload", row->name);
	if (row->first && m->pl[0].type != row->first)
		return v1_fail(e, ERR_PARSE, row->first == V1_P_HASH ?
			       V1_N_INVALID_HASH_INFORMATION : V1_N_PAYLOAD_MALFORMED, m->pl[0].type,
			       "%s: %s must be the first payload, %s is", row->name,
			       v1_payload_name(row->first), v1_payload_name(m->pl[0].type));
	if (row->second && (m->n < 2 || m->pl[1].type != row->second))
		return v1_fail(e, ERR_PARSE, V1_N_PAYLOAD_MALFORMED, row->second,
			       "%s: %s must immediately follow %s (RFC 2409 5.5)", row->name,
			       v1_payload_name(row->second), v1_payload_name(row->first));
	if (row->id_pair && count[V1_P_ID] == 1)
		return v1_fail(e, ERR_PARSE, V1_N_INVALID_ID_INFORMATION, V1_P_ID,
			       "%s: one client ID; IDci and IDcr come together (RFC 2409 5.5)",
			       row->name);
	if (row->kind == V1_MSG_INFO && count[V1_P_HASH] != 1)
		return v1_fail(e, ERR_PARSE, V1_N_INVALID_HASH_INFORMATION, V1_P_HASH,
			       "%s: exactly one HASH", row->name);
	return 0;
}
