/*
 * v1_msg_test.c - the payload chain (RFC 2408 3.2, 5): truncated,
 * overlong, zero-length and trailing bytes refused with their notify,
 * IKEv2 payload numbers and unknown types refused, header checks, the
 * payload limit, padding only after decryption.
 */
#include <string.h>

#include "common/err.h"
#include "testsuite/lib/tap.h"
#include "v1/v1_msg.h"

static uint8_t buf[4096];

static size_t base(unsigned n_nonces)
{
	static const uint8_t nonce[16] = { 1 };
	struct v1_hdr h = { .cky_i = { 1, 2 }, .exch = V1_EXCH_IDPROT };
	struct wr w;
	struct v1_builder b;
	size_t len = 0;

	wr_init(&w, buf, sizeof(buf));
	v1_build_start(&b, &w, &h);
	for (unsigned i = 0; i < n_nonces; i++)
		v1_build_blob(&b, i % 2 ? V1_P_VID : V1_P_NONCE, nonce, sizeof(nonce));
	v1_build_finish(&b, &len);
	return len;
}

static void set_len(size_t len)
{
	buf[24] = (uint8_t)(len >> 24);
	buf[25] = (uint8_t)(len >> 16);
	buf[26] = (uint8_t)(len >> 8);
	buf[27] = (uint8_t)len;
}

int main(void)
{
	struct v1_msg m;
	struct v1_err e;
	size_t len = base(2);
	unsigned refused = 0;

	tap_ok(v1_msg_parse(buf, len, &m, &e) == 0 && m.n == 2 && v1_msg_count(&m, V1_P_VID) == 1 &&
	       v1_msg_find(&m, V1_P_NONCE, 0) == &m.pl[0] && !v1_msg_find(&m, V1_P_NONCE, 1),
	       "two payloads, found and counted");
	/* every truncation, header length adjusted: refused, never a crash */
	for (size_t cut = V1_HDR_LEN; cut < len; cut++) {
		base(2);
		set_len(cut);
		refused += v1_msg_parse(buf, cut, &m, &e) < 0;
	}
	tap_eq_int(refused, len - V1_HDR_LEN, "all %zu truncations refused", len - V1_HDR_LEN);
	base(2);
	tap_ok(v1_msg_parse(buf, len - 1, &m, &e) == ERR_PARSE && e.notify == 0,
	       "datagram shorter than the header length: silent drop");
	tap_eq_int(v1_msg_parse(buf, 20, &m, &e), ERR_TRUNCATED, "20 bytes: no header");
	/* overlong payload length */
	base(2);
	buf[V1_HDR_LEN + 3] = 200;
	tap_ok(v1_msg_parse(buf, len, &m, &e) == ERR_PARSE && e.notify == V1_N_PAYLOAD_MALFORMED,
	       "payload length past the message: PAYLOAD-MALFORMED: %s", e.text);
	base(2);
	buf[V1_HDR_LEN + 3] = 2;
	tap_ok(v1_msg_parse(buf, len, &m, &e) == ERR_PARSE && e.notify == V1_N_PAYLOAD_MALFORMED,
	       "payload length 2 (< 4): PAYLOAD-MALFORMED");
	base(2);
	buf[V1_HDR_LEN + 3] = 4;
	tap_ok(v1_msg_parse(buf, len, &m, &e) == ERR_PARSE, "zero-length nonce body refused: %s", e.text);
	/* next payload: IKEv2 numbers, unknown, P/T at top level */
	base(2);
	buf[V1_HDR_LEN + 20] = 41; /* the VID's next: IKEv2 Notify */
	tap_ok(v1_msg_parse(buf, len, &m, &e) == ERR_PARSE && e.notify == V1_N_PAYLOAD_MALFORMED &&
	       strstr(e.text, "IKEv2"), "IKEv2 payload type 41: malformed: %s", e.text);
	base(2);
	buf[16] = 33;
	tap_ok(v1_msg_parse(buf, len, &m, &e) == ERR_PARSE && e.payload == 33 && strstr(e.text, "IKEv2"),
	       "IKEv2 payload type 33 first: malformed");
	base(2);
	buf[16] = 99;
	tap_ok(v1_msg_parse(buf, len, &m, &e) == ERR_PARSE && e.notify == V1_N_INVALID_PAYLOAD_TYPE,
	       "unknown payload 99: INVALID-PAYLOAD-TYPE");
	base(2);
	buf[16] = V1_P_TRANSFORM;
	tap_ok(v1_msg_parse(buf, len, &m, &e) == ERR_PARSE && e.notify == V1_N_INVALID_PAYLOAD_TYPE,
	       "a Transform at top level: INVALID-PAYLOAD-TYPE");
	base(2);
	buf[16] = 0;
	tap_eq_int(v1_msg_parse(buf, len, &m, &e), ERR_PARSE, "no payload but bytes: refused");
	/* trailing bytes after the chain in a cleartext message */
	len = base(2);
	buf[len] = 0x41;
	set_len(len + 1);
	tap_ok(v1_msg_parse(buf, len + 1, &m, &e) == ERR_PARSE && strstr(e.text, "after the last"),
	       "one non-zero byte after the last payload of a cleartext message refused");
	memset(buf + len, 0, 4);
	set_len(len + 3);
	tap_ok(v1_msg_parse(buf, len + 3, &m, &e) == 0 && m.pad_len == 3,
	       "three zero bytes (Libreswan's 4-octet alignment) taken as padding");
	set_len(len + 4);
	tap_ok(v1_msg_parse(buf, len + 4, &m, &e) == ERR_PARSE && strstr(e.text, "after the last"),
	       "four zero bytes after the last payload refused");
	/* header fields */
	base(2);
	buf[17] = 0x20;
	tap_ok(v1_msg_parse(buf, len, &m, &e) == ERR_PARSE && e.notify == V1_N_INVALID_MAJOR_VERSION,
	       "major version 2: INVALID-MAJOR-VERSION");
	base(2);
	buf[17] = 0x11;
	tap_ok(v1_msg_parse(buf, len, &m, &e) == ERR_PARSE && e.notify == V1_N_INVALID_MINOR_VERSION,
	       "minor version 1: INVALID-MINOR-VERSION");
	base(2);
	buf[18] = 34;
	tap_ok(v1_msg_parse(buf, len, &m, &e) == ERR_PARSE && e.notify == V1_N_INVALID_EXCHANGE_TYPE,
	       "exchange 34 (IKE_SA_INIT): INVALID-EXCHANGE-TYPE");
	base(2);
	buf[19] = 0x08;
	tap_ok(v1_msg_parse(buf, len, &m, &e) == ERR_PARSE && e.notify == V1_N_INVALID_FLAGS,
	       "flag 0x08: INVALID-FLAGS");
	base(2);
	memset(buf, 0, 8);
	tap_ok(v1_msg_parse(buf, len, &m, &e) == ERR_PARSE && e.notify == V1_N_INVALID_COOKIE,
	       "zero initiator cookie: INVALID-COOKIE");
	base(2);
	buf[19] = V1_FLAG_ENCRYPTION;
	tap_eq_int(v1_msg_parse(buf, len, &m, &e), ERR_STATE, "encrypted: ERR_STATE, decrypt first");
	/* payload limit */
	len = base(V1_MSG_MAX_PAYLOADS);
	tap_eq_int(v1_msg_parse(buf, len, &m, &e), 0, "%d payloads accepted", V1_MSG_MAX_PAYLOADS);
	len = base(V1_MSG_MAX_PAYLOADS + 1);
	tap_ok(v1_msg_parse(buf, len, &m, &e) == ERR_PARSE && strstr(e.text, "more than"),
	       "%d payloads refused", V1_MSG_MAX_PAYLOADS + 1);
	/* padding is allowed only where the caller says (decrypted messages) */
	len = base(2);
	memset(buf + len, 0xee, 16);
	{
		struct v1_hdr h;

		set_len(len + 16);
		tap_ok(v1_hdr_parse(buf, len + 16, &h, NULL) == 0 &&
		       v1_msg_parse_chain(buf, len + 16, &h, V1_MSG_MAX_PAD, &m, &e) == 0 &&
		       m.pad_len == 16 && m.chain_end == len, "16 bytes of padding after decryption accepted");
		tap_eq_int(v1_msg_parse_chain(buf, len + 16, &h, 15, &m, &e), ERR_PARSE,
			   "more padding than allowed refused");
	}
	return tap_done();
}
