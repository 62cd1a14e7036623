/*
 * v2_rules_test.c - the exchange payload rules (RFC 7296 1.2-1.4, 2.21):
 * a good message of each exchange and direction passes; each missing,
 * extra, repeated or misplaced payload is named; error responses pass.
 *
 * With V2_WRITE_SEEDS=DIR it also writes the good messages as seeds for
 * testsuite/fuzz/v2_msg_fuzz (input format described there), protected
 * with the same fixed keys the fuzz target uses.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "testsuite/lib/tap.h"
#include "v2/v2_names.h"
#include "v2/v2_rules.h"
#include "v2/v2_sk.h"

static uint8_t msg[4096], plain[4096];
static uint8_t gcm_key[36];
static const char *seed_dir;
static unsigned seed_no;

/* One payload per letter (see the table in put()). */
static int put(struct v2_chain *c, char what)
{
	static const uint8_t data[64] = { 7 };
	struct v2_sa sa = { 0 };
	struct v2_sa_prop *p;
	struct v2_ts_list ts = { .n = 1 };

	ts.ts[0] = (struct v2_ts){ .type = V2_TS_IPV4_ADDR_RANGE, .end_port = 65535, .addr_len = 4,
				   .end = { 255, 255, 255, 255 } };
	v2_sa_add_prop(&sa, 1, V2_PROTO_ESP, data, 4, &p);
	v2_sa_add_xform(&sa, p, 1, 20, 256, true);
	v2_sa_add_xform(&sa, p, 5, 0, 0, false);
	switch (what) {
	case 'S': return v2_put_sa(c, &sa);
	case 'K': return v2_put_ke(c, 31, data, 32);
	case 'N': return v2_put_nonce(c, data, 32);
	case 'n': return v2_put_notify(c, 0, NULL, 0, V2_N_INITIAL_CONTACT, NULL, 0);
	case 'e': return v2_put_notify(c, 0, NULL, 0, V2_N_AUTHENTICATION_FAILED, NULL, 0);
	case 'k': return v2_put_notify(c, 0, NULL, 0, V2_N_INVALID_KE_PAYLOAD, "\0\x13", 2);
	case 'c': return v2_put_notify(c, 0, NULL, 0, V2_N_COOKIE, data, 16);
	case 'V': return v2_put_vendor(c, "dualike", 7);
	case 'i': return v2_put_id(c, V2_PT_IDI, V2_ID_FQDN, "west", 4);
	case 'r': return v2_put_id(c, V2_PT_IDR, V2_ID_FQDN, "east", 4);
	case 'A': return v2_put_auth(c, V2_AUTH_SHARED_KEY_MIC, data, 32);
	case 'C': return v2_put_cert(c, V2_PT_CERT, 4, data, 16);
	case 'Q': return v2_put_cert(c, V2_PT_CERTREQ, 4, data, 20);
	case 'I': return v2_put_ts(c, V2_PT_TSI, &ts);
	case 'R': return v2_put_ts(c, V2_PT_TSR, &ts);
	case 'D': return v2_put_delete(c, V2_PROTO_ESP, 4, data, 1);
	case 'P': {
		struct v2_cp cp = { .type = V2_CFG_REQUEST, .n = 1 };

		cp.attrs[0].type = 1;
		return v2_put_cp(c, &cp);
	}
	}
	return ERR_INVAL;
}

static void write_seed(const uint8_t *p, size_t len, uint8_t mode, uint8_t first)
{
	char path[1024];
	FILE *f;

	if (!seed_dir)
		return;
	snprintf(path, sizeof(path), "%s/seed-%02u.bin", seed_dir, seed_no++);
	f = fopen(path, "wb");
	if (!f)
		return;
	fputc(mode, f);
	if (mode != 0)
		fputc(first, f);
	fwrite(p, 1, len, f);
	fclose(f);
}

/*
 * Build a message: `clear` payloads, then (inner != NULL) an SK payload
 * with `inner` payloads sealed with the fixed GCM key; parse and
 * unprotect it into *m. Returns v2_msg_parse/unprotect's result.
 */
static int make(uint8_t exch, bool resp, const char *clear, const char *inner, struct v2_msg *m)
{
	struct v2_header h = { .spi_i = { 1, 2, 3, 4, 5, 6, 7, 8 }, .version = V2_VERSION,
			       .exchange = exch, .flags = resp ? V2_FLAG_RESPONSE : V2_FLAG_INITIATOR,
			       .message_id = 1 };
	struct v2_sk_keys k = { .encr = xform_by_name("aes256gcm16"), .sk_e = gcm_key,
				.sk_e_len = sizeof(gcm_key) };
	struct v2_msg_out out;
	uint8_t in[2048];
	struct wr w;
	struct v2_chain c;
	size_t len, plen;
	int rc;

	v2_msg_out_init(&out, msg, sizeof(msg), &h);
	for (const char *p = clear; *p; p++)
		if (put(&out.chain, *p))
			return ERR_INVAL;
	if (!inner) {
		v2_msg_out_finish(&out, &len);
		write_seed(msg, len, 0, 0);
		return v2_msg_parse(m, msg, len);
	}
	wr_init(&w, in, sizeof(in));
	v2_chain_init(&c, &w, SIZE_MAX);
	for (const char *p = inner; *p; p++)
		if (put(&c, *p))
			return ERR_INVAL;
	if (v2_sk_seal(&out, &k, NULL, c.first, in, wr_len(&w), &len))
		return ERR_INVAL;
	write_seed(msg, len, 0, 0);
	write_seed(in, wr_len(&w), (uint8_t)(1 + 3 * (exch - 34) + (resp ? 12 : 0)), c.first);
	rc = v2_msg_parse(m, msg, len);
	return rc ? rc : v2_sk_unprotect(m, &k, plain, sizeof(plain), &plen);
}

/* Expect `want` from the rules, and `needle` in the reason when failing. */
static void expect(uint8_t exch, bool resp, const char *clear, const char *inner, int want,
		   const char *needle)
{
	struct v2_msg m;
	char why[200] = "";
	int rc = make(exch, resp, clear, inner, &m);

	if (rc) {
		tap_ok(false, "%s %s [%s|%s]: built and parsed (rc %d)", v2_exchange_name(exch),
		       resp ? "response" : "request", clear, inner ? inner : "-", rc);
		return;
	}
	rc = v2_rules_check(&m, why, sizeof(why));
	tap_ok(rc == want && (!needle || strstr(why, needle)),
	       "%s %s [%s|%s]: %s%s", v2_exchange_name(exch), resp ? "response" : "request", clear,
	       inner ? inner : "-", want ? "refused: " : "accepted", want ? why : "");
}

int main(void)
{
	const uint8_t I = V2_EXCH_IKE_SA_INIT, A = V2_EXCH_IKE_AUTH,
		      C = V2_EXCH_CREATE_CHILD_SA, X = V2_EXCH_INFORMATIONAL;

	for (size_t i = 0; i < sizeof(gcm_key); i++)
		gcm_key[i] = (uint8_t)(i + 1);
	seed_dir = getenv("V2_WRITE_SEEDS");

	/* Good messages of every row. */
	expect(I, false, "SKNnnV", NULL, 0, NULL);
	expect(I, false, "cSKN", NULL, 0, NULL);
	expect(I, true, "SKNQnnV", NULL, 0, NULL);
	expect(A, false, "", "iCQrAPnnSIR", 0, NULL);
	expect(A, false, "", "iAn", 0, NULL);
	expect(A, true, "", "rCAnSIR", 0, NULL);
	expect(C, false, "", "nSNKIR", 0, NULL);
	expect(C, false, "", "SNK", 0, NULL);
	expect(C, true, "", "SNIR", 0, NULL);
	expect(X, false, "", "DD", 0, NULL);
	expect(X, false, "", "", 0, NULL);
	expect(X, true, "", "", 0, NULL);
	expect(X, true, "", "nP", 0, NULL);

	/* Error responses pass whatever the row requires. */
	expect(I, true, "k", NULL, 0, NULL);
	expect(I, true, "c", NULL, 0, NULL);
	expect(I, true, "eV", NULL, 0, NULL);
	expect(A, true, "", "e", 0, NULL);
	expect(C, true, "", "en", 0, NULL);
	expect(A, true, "", "n", ERR_PARSE, "missing IDr");
	expect(I, false, "k", NULL, ERR_PARSE, "missing SA");

	/* Missing, extra, repeated, misplaced. */
	expect(I, false, "KN", NULL, ERR_PARSE, "missing SA");
	expect(I, false, "SN", NULL, ERR_PARSE, "missing KE");
	expect(I, false, "SK", NULL, ERR_PARSE, "missing Ni/Nr");
	expect(I, false, "SKKN", NULL, ERR_PARSE, "too many KE (2, at most 1)");
	expect(I, false, "SKNQ", NULL, ERR_PARSE, "unexpected CERTREQ");
	expect(I, false, "SKNi", NULL, ERR_PARSE, "unexpected IDi");
	expect(I, false, "SKN", "n", ERR_PARSE, "SK payload in an unprotected exchange");
	expect(A, false, "", "A", ERR_PARSE, "missing IDi");
	expect(A, false, "", "i", ERR_PARSE, "missing AUTH");
	expect(A, false, "", "iiA", ERR_PARSE, "too many IDi");
	expect(A, false, "", "iAK", ERR_PARSE, "unexpected KE");
	expect(A, false, "", "iASI", ERR_PARSE, "SA, TSi and TSr must come together");
	expect(A, false, "n", "iA", ERR_PARSE, "N outside SK");
	expect(A, false, "iA", NULL, ERR_PARSE, "no SK payload");
	expect(A, true, "", "rA", 0, NULL);
	expect(A, true, "", "r", ERR_PARSE, "missing AUTH");
	expect(A, true, "", "rAQ", ERR_PARSE, "unexpected CERTREQ");
	expect(C, false, "", "N", ERR_PARSE, "missing SA");
	expect(C, false, "", "SNI", ERR_PARSE, "TSi and TSr must come together");
	expect(C, false, "", "SNKK", ERR_PARSE, "too many KE");
	expect(C, true, "", "SNRR", ERR_PARSE, "too many TSr");
	expect(X, false, "", "PP", ERR_PARSE, "too many CP");
	expect(X, false, "", "S", ERR_PARSE, "unexpected SA");
	expect(X, false, "D", "", ERR_PARSE, "D outside SK");

	/* Rows that do not apply. */
	{
		struct v2_msg m;
		char why[100];

		make(V2_EXCH_IKE_SESSION_RESUME, false, "N", NULL, &m);
		tap_eq_int(v2_rules_check(&m, why, sizeof(why)), ERR_UNSUPPORTED,
			   "IKE_SESSION_RESUME has no row: %s", why);
		make(A, false, "", "iA", &m);
		m.inner_parsed = false;
		tap_eq_int(v2_rules_check(&m, why, sizeof(why)), ERR_STATE,
			   "SK not decrypted yet: %s", why);
		tap_ok(v2_rules_find(I, true) && v2_rules_find(X, false) && !v2_rules_find(99, false),
		       "v2_rules_find");
	}
	return tap_done();
}
