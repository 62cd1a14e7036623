/*
 * v2_msg_test.c - message parsing (RFC 7296 2.5, 3.1, 3.2): the payload
 * list of a built message, truncation, overlong and zero lengths, chains
 * that end early, the payload limit, 64 KiB messages, unknown payloads
 * with and without the critical bit, IKEv1 payload numbers, SK placement.
 */
#include <string.h>

#include "common/err.h"
#include "testsuite/lib/tap.h"
#include "v2/v2_msg.h"
#include "v2/v2_names.h"

static uint8_t msg[70000];
static struct v2_msg_out out;
static const struct v2_header hdr = { .spi_i = { 9, 9, 9, 9, 9, 9, 9, 9 }, .version = V2_VERSION,
				      .exchange = V2_EXCH_IKE_SA_INIT,
				      .flags = V2_FLAG_INITIATOR };

static void begin(void)
{
	v2_msg_out_init(&out, msg, sizeof(msg), &hdr);
}

static size_t finish(void)
{
	size_t len = 0;

	v2_msg_out_finish(&out, &len);
	return len;
}

/* Patch the header length to len (after cutting or growing a message). */
static void set_len(size_t len)
{
	msg[24] = (uint8_t)(len >> 24);
	msg[25] = (uint8_t)(len >> 16);
	msg[26] = (uint8_t)(len >> 8);
	msg[27] = (uint8_t)len;
}

static size_t sa_init(void)
{
	uint8_t ke[32] = { 1 }, nonce[32] = { 2 };
	struct v2_sa sa = { 0 };
	struct v2_sa_prop *p;

	v2_sa_add_prop(&sa, 1, V2_PROTO_IKE, NULL, 0, &p);
	v2_sa_add_xform(&sa, p, 1, 20, 256, true);
	v2_sa_add_xform(&sa, p, 2, 5, 0, false);
	v2_sa_add_xform(&sa, p, 4, 31, 0, false);
	begin();
	v2_put_sa(&out.chain, &sa);
	v2_put_ke(&out.chain, 31, ke, sizeof(ke));
	v2_put_nonce(&out.chain, nonce, sizeof(nonce));
	v2_put_notify(&out.chain, 0, NULL, 0, V2_N_NAT_DETECTION_SOURCE_IP, nonce, 20);
	v2_put_notify(&out.chain, 0, NULL, 0, V2_N_NAT_DETECTION_DESTINATION_IP, nonce, 20);
	v2_put_vendor(&out.chain, "dualike", 7);
	return finish();
}

static void test_good(void)
{
	struct v2_msg m;
	struct v2_notify n;
	size_t len = sa_init();
	static const uint8_t want[] = { V2_PT_SA, V2_PT_KE, V2_PT_NONCE, V2_PT_N, V2_PT_N, V2_PT_V };
	bool order = true;

	tap_eq_int(v2_msg_parse(&m, msg, len), 0, "IKE_SA_INIT request parses");
	tap_eq_int(m.n, 6, "six payloads");
	for (size_t i = 0; i < 6 && i < m.n; i++)
		order &= m.pl[i].type == want[i] && !m.pl[i].inner;
	tap_ok(order, "payload types in order, none inner");
	tap_ok(m.pl[0].offset == 28 && m.pl[1].offset == 28 + m.pl[0].body.len + 4,
	       "payload offsets");
	tap_ok(v2_msg_count(&m, V2_PT_N) == 2 && v2_msg_find(&m, V2_PT_KE) == &m.pl[1] &&
	       v2_msg_next(&m, &m.pl[3], V2_PT_N) == &m.pl[4] && !v2_msg_find(&m, V2_PT_AUTH),
	       "find / next / count");
	tap_ok(v2_msg_find_notify(&m, V2_N_NAT_DETECTION_DESTINATION_IP, &n) == &m.pl[4] &&
	       n.data.len == 20 && !v2_msg_find_notify(&m, V2_N_COOKIE, &n), "find_notify");
	tap_ok(v2_msg_is_initiator(&m) && !v2_msg_is_response(&m) && m.hdr.exchange == 34,
	       "header flags");
}

static void test_bad_lengths(void)
{
	struct v2_msg m;
	size_t len = sa_init();
	bool all = true;

	for (size_t cut = 1; cut < len - 28; cut++) {
		set_len(len - cut);
		if (v2_msg_parse(&m, msg, len - cut) != ERR_PARSE)
			all = false;
	}
	tap_ok(all, "every truncation (1..%zu octets cut) is malformed", len - 29);
	set_len(len);
	tap_eq_int(v2_msg_parse(&m, msg, len - 1), ERR_PARSE, "header length != datagram length");
	tap_eq_int(v2_msg_parse(&m, msg, 20), ERR_PARSE, "shorter than a header");
	msg[len] = 0;
	set_len(len + 1);
	tap_eq_int(v2_msg_parse(&m, msg, len + 1), ERR_PARSE,
		   "chain ends (next 0) before the message end");
	tap_ok(m.why && strstr(m.why, "ends before"), "why: %s", m.why ? m.why : "(none)");
	set_len(len);
	msg[28 + 3] = 3; /* SA payload length 3 */
	msg[28 + 2] = 0;
	tap_eq_int(v2_msg_parse(&m, msg, len), ERR_PARSE, "payload length below 4");
	sa_init();
	msg[28 + 2] = 0xff; /* SA payload length past the end */
	tap_eq_int(v2_msg_parse(&m, msg, len), ERR_PARSE, "payload length past the end");
	sa_init();
	msg[28 + 3] = 4; /* SA payload with length 4: empty body, then garbage as next header */
	msg[28 + 2] = 0;
	tap_eq_int(v2_msg_parse(&m, msg, len), ERR_PARSE, "zero-length SA body refused");
}

static void test_unknown_and_v1(void)
{
	static const uint8_t v1[] = { 1, 2, 5, 8, 11, 13, 20, 21, 32, 130, 131 };
	struct v2_msg m;
	size_t len;
	uint8_t nonce[16] = { 0 };

	begin();
	v2_put_raw(&out.chain, 200, false, "xyz", 3);
	v2_put_nonce(&out.chain, nonce, 16);
	len = finish();
	tap_ok(v2_msg_parse(&m, msg, len) == 0 && m.n == 1 && m.n_skipped == 1 &&
	       m.pl[0].type == V2_PT_NONCE, "unknown non-critical payload skipped and counted");
	begin();
	v2_put_raw(&out.chain, 200, true, "xyz", 3);
	v2_put_nonce(&out.chain, nonce, 16);
	len = finish();
	tap_ok(v2_msg_parse(&m, msg, len) == ERR_UNSUPPORTED && m.unsupported_critical == 200,
	       "unknown critical payload reported with its type (2.5)");
	begin();
	v2_put_raw(&out.chain, V2_PT_GSPM, true, "", 0);
	len = finish();
	tap_ok(v2_msg_parse(&m, msg, len) == ERR_UNSUPPORTED && m.unsupported_critical == 49,
	       "critical GSPM (not spoken) reported");
	for (size_t i = 0; i < sizeof(v1); i++) {
		begin();
		v2_put_nonce(&out.chain, nonce, 16);
		v2_put_raw(&out.chain, v1[i], false, "abcd", 4);
		len = finish();
		tap_eq_int(v2_msg_parse(&m, msg, len), ERR_PARSE,
			   "IKEv1 payload type %u in an IKEv2 message is malformed", v1[i]);
	}
	begin();
	v2_put_nonce(&out.chain, nonce, 8 + 8);
	len = finish();
	msg[31] = 4 + 8; /* nonce payload of 8 octets: the body check refuses it */
	v2_put_raw(&out.chain, V2_PT_V, false, "12345678", 8);
	len = finish();
	tap_ok(v2_msg_parse(&m, msg, len) == ERR_PARSE && m.why && strcmp(m.why, "Ni/Nr") == 0,
	       "malformed known payload names its type (%s)", m.why ? m.why : "-");
}

static void test_limits(void)
{
	struct v2_msg m;
	size_t len;
	static uint8_t big[32768];

	begin();
	for (int i = 0; i < V2_MSG_MAX_PAYLOADS; i++)
		v2_put_notify(&out.chain, 0, NULL, 0, V2_N_INITIAL_CONTACT, NULL, 0);
	len = finish();
	tap_ok(v2_msg_parse(&m, msg, len) == 0 && m.n == 64, "64 payloads accepted");
	v2_put_notify(&out.chain, 0, NULL, 0, V2_N_INITIAL_CONTACT, NULL, 0);
	len = finish();
	tap_ok(v2_msg_parse(&m, msg, len) == ERR_PARSE && m.why && strstr(m.why, "too many"),
	       "65 payloads refused");
	begin();
	v2_put_vendor(&out.chain, big, sizeof(big) - 4);
	v2_put_vendor(&out.chain, big, sizeof(big) - 4);
	len = finish();
	tap_eq_int(len, 28 + 65536, "a 64 KiB message built");
	tap_ok(v2_msg_parse(&m, msg, len) == 0 && m.n == 2 && m.pl[1].body.len == 32764,
	       "a 64 KiB message parses");
}

static void test_sk_placement(void)
{
	struct v2_msg m;
	size_t len;
	uint8_t body[40] = { 0 };

	begin();
	v2_put_raw(&out.chain, V2_PT_SK, false, body, sizeof(body));
	msg[28] = V2_PT_IDI; /* SK's next payload: the first inner one */
	len = finish();
	tap_ok(v2_msg_parse(&m, msg, len) == 0 && m.encrypted && m.enc_type == V2_PT_SK &&
	       m.inner_first == V2_PT_IDI && m.enc_offset == 28 && m.enc_body.len == 40,
	       "SK recorded with its inner first type");
	begin();
	v2_put_raw(&out.chain, V2_PT_SK, false, body, sizeof(body));
	v2_put_vendor(&out.chain, "v", 1);
	len = finish();
	tap_eq_int(v2_msg_parse(&m, msg, len), ERR_PARSE, "SK that is not last refused");
	begin();
	v2_put_raw(&out.chain, V2_PT_SK, false, body, sizeof(body));
	len = finish();
	v2_msg_parse(&m, msg, len);
	{
		uint8_t inner[8] = { 0, 0, 0, 8, 1, 2, 3, 4 };

		m.inner_first = V2_PT_SK;
		tap_eq_int(v2_msg_parse_inner(&m, inner, sizeof(inner)), ERR_PARSE,
			   "SK inside SK refused");
		tap_eq_int(v2_msg_parse_inner(&m, inner, sizeof(inner)), ERR_STATE,
			   "inner chain parsed only once");
	}
	begin();
	v2_put_raw(&out.chain, V2_PT_SKF, false, "\0\2\0\1abcd", 8);
	len = finish();
	tap_eq_int(v2_msg_parse(&m, msg, len), ERR_PARSE, "SKF number 2 of 1 refused");
}

int main(void)
{
	test_good();
	test_bad_lengths();
	test_unknown_and_v1();
	test_limits();
	test_sk_placement();
	return tap_done();
}
