/*
 * v2_msg_fuzz.c - libFuzzer target for the IKEv2 message layer: message
 * parse, payload bodies, SK unprotect and the exchange rules.
 *
 * Input: data[0] picks the mode (mode = data[0] % 3):
 *   0: data[1..] is a whole IKEv2 message; when it ends with an SK payload
 *      it is unprotected with FIXED keys of two suites (AES-GCM-256-16 and
 *      AES-CBC-256 + HMAC-SHA2-256-128), so inputs that carry a valid tag
 *      for those keys reach the inner parser;
 *   1, 2: data[2..] is an inner payload chain whose first type is data[1];
 *      it is sealed with the GCM (1) or CBC (2) keys into a message of
 *      exchange 34 + (data[0] / 3) % 4, a response when (data[0] / 12) is
 *      odd, then parsed and unprotected: the decrypted-content parser is
 *      fuzzed directly.
 * The rules check runs on every message that parsed. The seeds in
 * v2_msg_seeds/ were written by testsuite/unit/v2/v2_rules_test with
 * V2_WRITE_SEEDS=DIR, from the project's own builders and the same keys.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "v2/v2_names.h"
#include "v2/v2_rules.h"
#include "v2/v2_sk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t gcm_key[36], cbc_key[32], cbc_auth[32];
static struct v2_sk_keys gcm, cbc;

static void setup(void)
{
	for (size_t i = 0; i < sizeof(gcm_key); i++)
		gcm_key[i] = (uint8_t)(i + 1); /* as v2_rules_test writes its seeds */
	memset(cbc_key, 0x11, sizeof(cbc_key));
	memset(cbc_auth, 0x22, sizeof(cbc_auth));
	gcm = (struct v2_sk_keys){ .encr = xform_by_name("aes256gcm16"), .sk_e = gcm_key,
				   .sk_e_len = sizeof(gcm_key) };
	cbc = (struct v2_sk_keys){ .encr = xform_by_name("aes256"), .integ = xform_by_name("sha256"),
				   .sk_e = cbc_key, .sk_e_len = sizeof(cbc_key), .sk_a = cbc_auth,
				   .sk_a_len = sizeof(cbc_auth) };
}

/* Walk what parsed the way an engine would: bodies again, notifies, rules. */
static void consume(struct v2_msg *m)
{
	char why[256];
	struct v2_notify n;

	for (size_t i = 0; i < m->n; i++)
		if (v2_payload_check(m->pl[i].type, m->pl[i].body) != 0 &&
		    m->pl[i].type != V2_PT_SK)
			abort(); /* the parser promised every listed body is well-formed */
	v2_msg_find_notify(m, V2_N_COOKIE, &n);
	v2_rules_check(m, why, sizeof(why));
	v2_rules_is_error_response(m);
}

static void parse_and_open(const uint8_t *msg, size_t len)
{
	static uint8_t plain[65536];
	const struct v2_sk_keys *suites[] = { &gcm, &cbc };

	for (size_t s = 0; s < 2; s++) {
		struct v2_msg m;
		size_t plen;
		int rc = v2_msg_parse(&m, msg, len);

		if (rc == 0 && m.encrypted) {
			rc = v2_sk_unprotect(&m, suites[s], plain, sizeof(plain), &plen);
			if (rc == 0 && m.enc_type == V2_PT_SK && !m.inner_parsed)
				abort();
		}
		if (rc == 0)
			consume(&m);
		if (!m.encrypted)
			break; /* no SK: the second suite has nothing to do */
	}
}

static void seal_then_open(const uint8_t *data, size_t size, const struct v2_sk_keys *k)
{
	static uint8_t msg[70000];
	struct v2_header h = { .spi_i = { 1 }, .spi_r = { 2 }, .version = V2_VERSION };
	struct v2_msg_out out;
	size_t len;
	uint8_t first = data[1];

	h.exchange = (uint8_t)(V2_EXCH_IKE_SA_INIT + (data[0] / 3) % 4);
	h.flags = (data[0] / 12) & 1 ? V2_FLAG_RESPONSE : V2_FLAG_INITIATOR;
	if (size - 2 == 0)
		first = V2_PT_NONE;
	else if (first == V2_PT_NONE)
		first = V2_PT_N;
	v2_msg_out_init(&out, msg, sizeof(msg), &h);
	if (v2_sk_seal(&out, k, NULL, first, data + 2, size - 2, &len) == 0)
		parse_and_open(msg, len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;

	if (!ready) {
		setup();
		ready = true;
	}
	if (size < 2)
		return 0;
	switch (data[0] % 3) {
	case 0: parse_and_open(data + 1, size - 1); break;
	case 1: seal_then_open(data, size, &gcm); break;
	case 2: seal_then_open(data, size, &cbc); break;
	}
	return 0;
}
