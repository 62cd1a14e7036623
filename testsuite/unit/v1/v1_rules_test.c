/*
 * v1_rules_test.c - each message row accepts its RFC 2409 diagram and
 * refuses, naming what is wrong: a missing payload, an unexpected one, too
 * many, HASH not first, SA not right after HASH, a lone client ID, the
 * wrong encryption flag or exchange type.
 */
#include <string.h>

#include "common/err.h"
#include "testsuite/lib/tap.h"
#include "v1/v1_rules.h"

static uint8_t buf[4096];
static struct v1_msg m;

/* Build a message of these payload types (bodies valid for each) and parse it. */
static bool msg_of(uint8_t exch, bool enc, const uint8_t *types, size_t n)
{
	static const uint8_t data[32] = { 1, 2, 3 };
	static const uint8_t sa_min[] = { 0, 0, 0, 1, 0, 0, 0, 1,
					  0, 0, 0, 20, 1, 3, 4, 1, 1, 2, 3, 4, 0, 0, 0, 8, 1, 12, 0, 0 };
	struct v1_hdr h = { .cky_i = { 1 }, .exch = exch, .msg_id = exch == V1_EXCH_IDPROT ? 0 : 7 };
	struct wr w;
	struct v1_builder b;
	size_t len;
	struct v1_hdr ph;

	wr_init(&w, buf, sizeof(buf));
	v1_build_start(&b, &w, &h);
	for (size_t i = 0; i < n; i++) {
		if (types[i] == V1_P_SA) {
			v1_build_begin(&b, V1_P_SA);
			wr_bytes(b.w, sa_min, sizeof(sa_min));
			v1_build_end(&b);
		} else if (types[i] == V1_P_ID) {
			struct v1_id id;

			v1_id_set_addr(&id, 4, data);
			v1_build_id(&b, &id);
		} else if (types[i] == V1_P_N) {
			struct v1_notify nt = { .doi = 1, .protocol = 1, .type = V1_N_INITIAL_CONTACT };

			v1_build_notify(&b, &nt);
		} else if (types[i] == V1_P_D) {
			struct v1_delete d = { .doi = 1, .protocol = 3, .spi_size = 4, .n_spis = 1, .spis = data };

			v1_build_delete(&b, &d);
		} else if (types[i] == V1_P_CERT || types[i] == V1_P_CR) {
			v1_build_cert(&b, types[i], 4, data, 8);
		} else {
			v1_build_blob(&b, types[i], data, 16);
		}
	}
	if (v1_build_finish(&b, &len) < 0 || v1_hdr_parse(buf, len, &ph, NULL) < 0)
		return false;
	if (enc)
		ph.flags |= V1_FLAG_ENCRYPTION;
	return v1_msg_parse_chain(buf, len, &ph, 0, &m, NULL) == 0;
}

#define T(...) (const uint8_t[]){ __VA_ARGS__ }, sizeof((const uint8_t[]){ __VA_ARGS__ })

static void expect(enum v1_msg_kind kind, enum v1_auth_class auth, uint8_t exch, bool enc,
		   const uint8_t *types, size_t n, int want, const char *text, const char *what)
{
	const struct v1_rule *row = v1_rules_find(kind, auth);
	struct v1_err e = { 0 };
	int rc;

	if (!tap_ok(row && msg_of(exch, enc, types, n), "%s: built", what))
		return;
	rc = v1_rules_check(row, &m, &e);
	tap_ok(rc == want && (!text || strstr(e.text, text)), "%s%s%s", what, rc ? ": " : "",
	       rc ? e.text : "");
}

int main(void)
{
	const uint8_t I = V1_EXCH_IDPROT, A = V1_EXCH_AGGRESSIVE, Q = V1_EXCH_QUICK,
		      N = V1_EXCH_INFORMATIONAL;
	const enum v1_auth_class P = V1_AUTH_CLASS_PSK, S = V1_AUTH_CLASS_SIG;

	expect(V1_MSG_MM1, P, I, false, T(V1_P_SA, V1_P_VID, V1_P_VID), 0, NULL, "MM1: SA, VIDs");
	expect(V1_MSG_MM1, P, I, false, T(V1_P_VID, V1_P_SA), ERR_PARSE, "first payload", "MM1: SA not first");
	expect(V1_MSG_MM1, P, I, false, T(V1_P_SA, V1_P_SA), ERR_PARSE, "at most 1", "MM1: two SAs");
	expect(V1_MSG_MM1, P, I, true, T(V1_P_SA), ERR_PARSE, "must not be encrypted", "MM1 encrypted");
	expect(V1_MSG_MM1, P, A, false, T(V1_P_SA), ERR_PARSE, "exchange type", "MM1 in an Aggressive exchange");
	expect(V1_MSG_MM3, P, I, false, T(V1_P_KE, V1_P_NONCE, V1_P_NAT_D, V1_P_NAT_D_DRAFT, V1_P_VID), 0,
	       NULL, "MM3: KE, Ni, NAT-D (RFC and draft numbers), VID");
	expect(V1_MSG_MM3, P, I, false, T(V1_P_KE), ERR_PARSE, "missing NONCE", "MM3 without a nonce");
	expect(V1_MSG_MM4, P, I, false, T(V1_P_KE, V1_P_NONCE, V1_P_HASH), ERR_PARSE, "unexpected HASH",
	       "MM4 with a HASH");
	expect(V1_MSG_MM5, P, I, true, T(V1_P_ID, V1_P_HASH, V1_P_N), 0, NULL, "MM5 PSK: ID, HASH, N");
	expect(V1_MSG_MM5, P, I, false, T(V1_P_ID, V1_P_HASH), ERR_PARSE, "must be encrypted",
	       "MM5 in clear");
	expect(V1_MSG_MM5, P, I, true, T(V1_P_ID, V1_P_SIG), ERR_PARSE, NULL, "MM5 PSK with SIG");
	expect(V1_MSG_MM5, S, I, true, T(V1_P_ID, V1_P_CERT, V1_P_CR, V1_P_SIG), 0, NULL,
	       "MM5 signature: ID, CERT, CR, SIG");
	expect(V1_MSG_MM6, S, I, true, T(V1_P_ID, V1_P_CERT), ERR_PARSE, "missing SIG", "MM6 without SIG");
	expect(V1_MSG_MM5, P, I, true, T(V1_P_ID, V1_P_ID, V1_P_HASH), ERR_PARSE, "at most 1",
	       "MM5 with two IDs");
	expect(V1_MSG_AM1, P, A, false, T(V1_P_SA, V1_P_KE, V1_P_NONCE, V1_P_ID, V1_P_VID), 0, NULL,
	       "AM1: SA, KE, Ni, ID, VID");
	expect(V1_MSG_AM2, P, A, false, T(V1_P_SA, V1_P_KE, V1_P_NONCE, V1_P_ID, V1_P_HASH, V1_P_NAT_D,
					 V1_P_NAT_D), 0, NULL, "AM2 PSK with NAT-D");
	expect(V1_MSG_AM3, P, A, false, T(V1_P_HASH, V1_P_NAT_D, V1_P_NAT_D), 0, NULL, "AM3 in clear");
	expect(V1_MSG_AM3, P, A, true, T(V1_P_HASH), 0, NULL, "AM3 encrypted");
	expect(V1_MSG_QM1, P, Q, true, T(V1_P_HASH, V1_P_SA, V1_P_NONCE, V1_P_KE, V1_P_ID, V1_P_ID), 0,
	       NULL, "QM1: HASH, SA, Ni, KE, IDci, IDcr");
	expect(V1_MSG_QM1, P, Q, true, T(V1_P_SA, V1_P_HASH, V1_P_NONCE), ERR_PARSE, "HASH must be the first",
	       "QM1 with SA before HASH");
	expect(V1_MSG_QM1, P, Q, true, T(V1_P_HASH, V1_P_NONCE, V1_P_SA), ERR_PARSE, "immediately follow",
	       "QM1 with the nonce before SA");
	expect(V1_MSG_QM1, P, Q, true, T(V1_P_HASH, V1_P_SA, V1_P_NONCE, V1_P_ID), ERR_PARSE, "one client ID",
	       "QM1 with only IDci");
	expect(V1_MSG_QM1, P, Q, true, T(V1_P_HASH, V1_P_SA, V1_P_NONCE, V1_P_ID, V1_P_ID, V1_P_ID),
	       ERR_PARSE, "at most 2", "QM1 with three IDs");
	expect(V1_MSG_QM2, P, Q, true, T(V1_P_HASH, V1_P_SA, V1_P_NONCE, V1_P_N), 0, NULL,
	       "QM2 with RESPONDER-LIFETIME");
	expect(V1_MSG_QM3, P, Q, true, T(V1_P_HASH), 0, NULL, "QM3: HASH");
	expect(V1_MSG_QM3, P, Q, true, T(V1_P_HASH, V1_P_NONCE), ERR_PARSE, "unexpected NONCE",
	       "QM3 with a nonce");
	expect(V1_MSG_INFO, P, N, true, T(V1_P_HASH, V1_P_D, V1_P_D), 0, NULL, "Informational: HASH, D, D");
	expect(V1_MSG_INFO, P, N, true, T(V1_P_HASH), ERR_PARSE, "notification or delete",
	       "Informational with only HASH");
	expect(V1_MSG_INFO, P, N, true, T(V1_P_N, V1_P_HASH), ERR_PARSE, "first", "Informational, N before HASH");
	expect(V1_MSG_INFO_CLEAR, P, N, false, T(V1_P_N), 0, NULL, "unprotected Informational: N");
	expect(V1_MSG_INFO_CLEAR, P, N, false, T(V1_P_D), ERR_PARSE, "unexpected D",
	       "unprotected Delete refused");
	tap_eq_int(v1_auth_class_of(V1_AUTH_XAUTH_INIT_PSK), V1_AUTH_CLASS_PSK, "XAUTH PSK is PSK");
	tap_eq_int(v1_auth_class_of(V1_AUTH_RSA_SIG), V1_AUTH_CLASS_SIG, "RSA is a signature");
	tap_eq_int(v1_rules_bit(V1_P_NAT_OA_DRAFT), v1_rules_bit(V1_P_NAT_OA), "draft NAT-OA folds");
	return tap_done();
}
