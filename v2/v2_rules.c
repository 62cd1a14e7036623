/*
 * v2_rules.c - the payload rules of each exchange (RFC 7296 1.2-1.4,
 * 2.21) and their check. The rows are at the bottom, with the exchange
 * diagrams from RFC 7296 1.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/err.h"
#include "v2/v2_names.h"
#include "v2/v2_rules.h"

#define N_ROWS(a) (sizeof(a) / sizeof((a)[0]))
#define MANY V2_RULE_MANY

/*
 * IKE_SA_INIT (1.2):
 *   HDR, SA, KEi, Ni, [N+], [V+]  -->
 *                          <--  HDR, SA, KEr, Nr, [CERTREQ+], [N+], [V+]
 */
static const struct v2_rule sa_init_req[] = {
	{ V2_PT_SA, 1, 1 }, { V2_PT_KE, 1, 1 }, { V2_PT_NONCE, 1, 1 },
	{ V2_PT_N, 0, MANY }, { V2_PT_V, 0, MANY },
};
static const struct v2_rule sa_init_resp[] = {
	{ V2_PT_SA, 1, 1 }, { V2_PT_KE, 1, 1 }, { V2_PT_NONCE, 1, 1 },
	{ V2_PT_CERTREQ, 0, MANY }, { V2_PT_N, 0, MANY }, { V2_PT_V, 0, MANY },
};

/*
 * IKE_AUTH (1.2, RFC 6023 childless, 2.19 CP):
 *   HDR, SK {IDi, [CERT+], [CERTREQ+], [IDr], AUTH, [CP], [N+], [V+],
 *            [SA, TSi, TSr]}  -->
 *                  <--  HDR, SK {IDr, [CERT+], AUTH, [CP], [N+], [V+],
 *                                [SA, TSi, TSr]}
 */
static const struct v2_rule auth_req[] = {
	{ V2_PT_IDI, 1, 1 }, { V2_PT_CERT, 0, MANY }, { V2_PT_CERTREQ, 0, MANY },
	{ V2_PT_IDR, 0, 1 }, { V2_PT_AUTH, 1, 1 }, { V2_PT_CP, 0, 1 },
	{ V2_PT_N, 0, MANY }, { V2_PT_V, 0, MANY },
	{ V2_PT_SA, 0, 1 }, { V2_PT_TSI, 0, 1 }, { V2_PT_TSR, 0, 1 },
};
static const struct v2_rule auth_resp[] = {
	{ V2_PT_IDR, 1, 1 }, { V2_PT_CERT, 0, MANY }, { V2_PT_AUTH, 1, 1 },
	{ V2_PT_CP, 0, 1 }, { V2_PT_N, 0, MANY }, { V2_PT_V, 0, MANY },
	{ V2_PT_SA, 0, 1 }, { V2_PT_TSI, 0, 1 }, { V2_PT_TSR, 0, 1 },
};

/*
 * CREATE_CHILD_SA (1.3):
 *   HDR, SK {[N+], SA, Ni, [KEi], [TSi, TSr]}  -->
 *                         <--  HDR, SK {[N+], SA, Nr, [KEr], [TSi, TSr]}
 */
static const struct v2_rule child_req[] = {
	{ V2_PT_N, 0, MANY }, { V2_PT_SA, 1, 1 }, { V2_PT_NONCE, 1, 1 },
	{ V2_PT_KE, 0, 1 }, { V2_PT_TSI, 0, 1 }, { V2_PT_TSR, 0, 1 },
};
static const struct v2_rule child_resp[] = {
	{ V2_PT_N, 0, MANY }, { V2_PT_SA, 1, 1 }, { V2_PT_NONCE, 1, 1 },
	{ V2_PT_KE, 0, 1 }, { V2_PT_TSI, 0, 1 }, { V2_PT_TSR, 0, 1 },
};

/*
 * INFORMATIONAL (1.4):
 *   HDR, SK {[N,] [D,] [CP,] ...}  -->
 *                                <--  HDR, SK {[N,] [D,] [CP], ...}
 */
static const struct v2_rule info_msg[] = {
	{ V2_PT_N, 0, MANY }, { V2_PT_D, 0, MANY }, { V2_PT_CP, 0, 1 },
};

static const struct v2_rules_row rows[] = {
	{ V2_EXCH_IKE_SA_INIT, false, false, false, false, sa_init_req, N_ROWS(sa_init_req) },
	{ V2_EXCH_IKE_SA_INIT, true, false, false, false, sa_init_resp, N_ROWS(sa_init_resp) },
	{ V2_EXCH_IKE_AUTH, false, true, true, true, auth_req, N_ROWS(auth_req) },
	{ V2_EXCH_IKE_AUTH, true, true, true, true, auth_resp, N_ROWS(auth_resp) },
	{ V2_EXCH_CREATE_CHILD_SA, false, true, false, true, child_req, N_ROWS(child_req) },
	{ V2_EXCH_CREATE_CHILD_SA, true, true, false, true, child_resp, N_ROWS(child_resp) },
	{ V2_EXCH_INFORMATIONAL, false, true, false, false, info_msg, N_ROWS(info_msg) },
	{ V2_EXCH_INFORMATIONAL, true, true, false, false, info_msg, N_ROWS(info_msg) },
};

const struct v2_rules_row *v2_rules_find(uint8_t exchange, bool response)
{
	for (size_t i = 0; i < N_ROWS(rows); i++)
		if (rows[i].exchange == exchange && rows[i].response == response)
			return &rows[i];
	return NULL;
}

/* Payloads that count for the rules: inside SK when there is one. */
static bool counts(const struct v2_msg *m, const struct v2_payload *p)
{
	return m->encrypted ? p->inner : p->type != V2_PT_SK;
}

bool v2_rules_is_error_response(const struct v2_msg *m)
{
	bool reason = false, any = false;

	if (!v2_msg_is_response(m))
		return false;
	for (size_t i = 0; i < m->n; i++) {
		const struct v2_payload *p = &m->pl[i];
		struct v2_notify n;

		if (!counts(m, p))
			continue;
		if (p->type == V2_PT_V)
			continue;
		if (p->type != V2_PT_N || v2_parse_notify(p->body, &n))
			return false;
		any = true;
		/* 2.6: a COOKIE answer is a request to retry, like INVALID_KE (1.2). */
		if (v2_notify_is_error(n.type) ||
		    (m->hdr.exchange == V2_EXCH_IKE_SA_INIT && n.type == V2_N_COOKIE))
			reason = true;
	}
	return any && reason;
}

static const struct v2_rule *rule_for(const struct v2_rules_row *row, uint8_t type)
{
	for (size_t i = 0; i < row->n_rules; i++)
		if (row->rules[i].type == type)
			return &row->rules[i];
	return NULL;
}

/*
 * why = "EXCHANGE request|response: " + the problem. Formatted only for a
 * message that breaks a rule: the check runs for every message.
 */
static void say(char *why, size_t cap, const struct v2_rules_row *row, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void say(char *why, size_t cap, const struct v2_rules_row *row, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!cap)
		return;
	n = snprintf(why, cap, "%s %s: ", v2_exchange_name(row->exchange),
		     row->response ? "response" : "request");
	if (n < 0 || (size_t)n >= cap)
		return;
	va_start(ap, fmt);
	vsnprintf(why + n, cap - (size_t)n, fmt, ap);
	va_end(ap);
}

/* Where a payload sits: clear payloads of a protected exchange, SK in a clear one. */
static int check_placement(const struct v2_rules_row *row, const struct v2_msg *m,
			   char *why, size_t cap)
{
	if (m->encrypted && m->enc_type == V2_PT_SKF) {
		say(why, cap, row, "SKF fragment, reassemble before the rules");
		return ERR_STATE;
	}
	if (!row->protected_) {
		if (m->encrypted) {
			say(why, cap, row, "SK payload in an unprotected exchange");
			return ERR_PARSE;
		}
		return 0;
	}
	if (!m->encrypted) {
		say(why, cap, row, "no SK payload");
		return ERR_PARSE;
	}
	for (size_t i = 0; i < m->n; i++)
		if (!m->pl[i].inner && m->pl[i].type != V2_PT_SK) {
			say(why, cap, row, "%s outside SK", v2_payload_name(m->pl[i].type));
			return ERR_PARSE;
		}
	if (!m->inner_parsed) {
		say(why, cap, row, "SK payload not decrypted yet");
		return ERR_STATE;
	}
	return 0;
}

_Static_assert(V2_MSG_MAX_PAYLOADS < 256, "a payload count fits an octet");

/* The smallest type >= from in the bitmap, 256 when none. */
static unsigned next_present(const uint64_t present[4], unsigned from)
{
	for (unsigned w = from >> 6; w < 4; w++) {
		uint64_t bits = present[w];

		if (w == from >> 6)
			bits &= ~(uint64_t)0 << (from & 63);
		if (bits)
			return w * 64 + (unsigned)__builtin_ctzll(bits);
	}
	return 256;
}

static int check_counts(const struct v2_rules_row *row, const struct v2_msg *m,
			char *why, size_t cap)
{
	uint8_t count[256] = { 0 }; /* a message has fewer than 256 payloads (below) */
	uint64_t present[4] = { 0 }; /* the types counted, to visit them in order */
	bool error_response = v2_rules_is_error_response(m);

	for (size_t i = 0; i < m->n; i++)
		if (counts(m, &m->pl[i])) {
			uint8_t t = m->pl[i].type;

			count[t]++;
			present[t >> 6] |= (uint64_t)1 << (t & 63);
		}
	for (unsigned t = next_present(present, 0); t < 256; t = next_present(present, t + 1)) {
		const struct v2_rule *r;

		r = rule_for(row, (uint8_t)t);
		if (!r) {
			say(why, cap, row, "unexpected %s", v2_payload_name((unsigned)t));
			return ERR_PARSE;
		}
		if (r->max != MANY && count[t] > r->max) {
			say(why, cap, row, "too many %s (%u, at most %u)",
			    v2_payload_name((unsigned)t), (unsigned)count[t], r->max);
			return ERR_PARSE;
		}
	}
	if (error_response)
		return 0;
	for (size_t i = 0; i < row->n_rules; i++)
		if (count[row->rules[i].type] < row->rules[i].min) {
			say(why, cap, row, "missing %s", v2_payload_name(row->rules[i].type));
			return ERR_PARSE;
		}
	if (row->child_trio && !((count[V2_PT_SA] && count[V2_PT_TSI] && count[V2_PT_TSR]) ||
				 (!count[V2_PT_SA] && !count[V2_PT_TSI] && !count[V2_PT_TSR]))) {
		say(why, cap, row, "SA, TSi and TSr must come together");
		return ERR_PARSE;
	}
	if (row->ts_pair && !count[V2_PT_TSI] != !count[V2_PT_TSR]) {
		say(why, cap, row, "TSi and TSr must come together");
		return ERR_PARSE;
	}
	return 0;
}

int v2_rules_check(const struct v2_msg *m, char *why, size_t cap)
{
	const struct v2_rules_row *row = v2_rules_find(m->hdr.exchange, v2_msg_is_response(m));
	int rc;

	if (cap)
		why[0] = '\0';
	if (!row) {
		snprintf(why, cap, "exchange %u (%s) is not spoken", m->hdr.exchange,
			 v2_exchange_name(m->hdr.exchange));
		return ERR_UNSUPPORTED;
	}
	rc = check_placement(row, m, why, cap);
	if (rc)
		return rc;
	return check_counts(row, m, why, cap);
}
