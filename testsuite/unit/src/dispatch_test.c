/* dispatch_test.c - the version dispatcher on good, truncated, garbage and oversized datagrams. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/log.h"
#include "src/dispatch.h"
#include "testsuite/lib/tap.h"

static int got_v1, got_v2, sent, policy_calls;
static bool policy_refuse_v1;
static uint8_t last_sent[128];
static size_t last_sent_len;
static struct ike_header last_hdr;
static size_t last_len;

static int v1_in(void *arg, const struct datagram *dg, const struct ike_header *hdr)
{
	(void)arg;
	got_v1++;
	last_hdr = *hdr;
	last_len = dg->len;
	return 0;
}

static int v2_in(void *arg, const struct datagram *dg, const struct ike_header *hdr)
{
	(void)arg;
	got_v2++;
	last_hdr = *hdr;
	last_len = dg->len;
	return 0;
}

static int send_cb(void *arg, const struct datagram *dg)
{
	(void)arg;
	sent++;
	last_sent_len = dg->len < sizeof(last_sent) ? dg->len : sizeof(last_sent);
	memcpy(last_sent, dg->data, last_sent_len);
	return 0;
}

static bool policy_cb(void *arg, const struct sockaddr *peer, int major, const char **rule)
{
	(void)arg;
	(void)peer;
	policy_calls++;
	*rule = "test rule 1";
	return !(policy_refuse_v1 && major == 1);
}

/* A header-only IKE message of `len` bytes claiming `claimed` bytes. */
static size_t make_msg(uint8_t *buf, size_t cap, uint8_t version, uint32_t claimed, size_t len)
{
	struct wr w;

	memset(buf, 0, cap);
	wr_init(&w, buf, cap);
	wr_bytes(&w, "\x11\x22\x33\x44\x55\x66\x77\x88", 8);
	wr_zero(&w, 8);
	wr_u8(&w, 33);       /* next payload: SA */
	wr_u8(&w, version);
	wr_u8(&w, 34);       /* IKE_SA_INIT */
	wr_u8(&w, 0x08);     /* initiator */
	wr_u32(&w, 0);
	wr_u32(&w, claimed);
	return len;
}

static struct datagram dgram(const uint8_t *p, size_t len, bool natt)
{
	struct datagram dg;
	struct sockaddr_in *peer = (struct sockaddr_in *)&dg.peer;

	memset(&dg, 0, sizeof(dg));
	peer->sin_family = AF_INET;
	peer->sin_port = htons(500);
	inet_pton(AF_INET, "192.0.2.2", &peer->sin_addr);
	dg.local.ss_family = AF_INET;
	dg.data = p;
	dg.len = len;
	dg.natt_port = natt;
	return dg;
}

static void silence(enum log_level lvl, const char *line, void *arg)
{
	(void)lvl; (void)line; (void)arg;
}

int main(void)
{
	struct dispatch_hooks hooks = { .policy = policy_cb, .v1_input = v1_in,
					.v2_input = v2_in, .send = send_cb };
	struct dispatcher *d = dispatch_new(&hooks);
	const struct dispatch_counters *c = dispatch_counters(d);
	static uint8_t buf[70000];
	struct datagram dg;
	size_t n;

	log_set_sink(silence, NULL);
	tap_ok(d != NULL, "dispatcher created");

	n = make_msg(buf, sizeof(buf), 0x20, 28, 28);
	dg = dgram(buf, n, false);
	tap_eq_int(dispatch_datagram(d, &dg), 0, "IKEv2 header goes to an engine");
	tap_ok(got_v2 == 1 && got_v1 == 0 && c->in_v2 == 1, "... to the IKEv2 engine, counted");
	tap_ok(last_hdr.exchange == 34 && last_hdr.major == 2 && last_hdr.length == 28,
	       "the engine sees the parsed header");

	n = make_msg(buf, sizeof(buf), 0x10, 28, 28);
	dg = dgram(buf, n, false);
	tap_eq_int(dispatch_datagram(d, &dg), 0, "IKEv1 header goes to an engine");
	tap_ok(got_v1 == 1 && c->in_v1 == 1, "... to the IKEv1 engine, counted");

	/* truncated: every length below a header */
	for (size_t len = 0; len < IKE_HEADER_LEN; len += 9) {
		dg = dgram(buf, len, false);
		tap_ok(dispatch_datagram(d, &dg) < 0, "%zu bytes: dropped", len);
	}
	tap_eq_int((long long)c->dropped[DROP_TOO_SHORT], 4, "short datagrams counted as too-short");

	/* length field disagreeing with the datagram, both ways */
	n = make_msg(buf, sizeof(buf), 0x20, 60, 40);
	dg = dgram(buf, n, false);
	tap_ok(dispatch_datagram(d, &dg) < 0, "header claims more than the datagram: dropped");
	n = make_msg(buf, sizeof(buf), 0x20, 28, 40);
	dg = dgram(buf, n, false);
	tap_ok(dispatch_datagram(d, &dg) < 0, "header claims less than the datagram: dropped");
	n = make_msg(buf, sizeof(buf), 0x20, 0xffffffffu, 65535);
	dg = dgram(buf, n, false);
	tap_ok(dispatch_datagram(d, &dg) < 0, "oversized claim (4 GiB) in a 64 KiB datagram: dropped");
	tap_eq_int((long long)c->dropped[DROP_LENGTH_MISMATCH], 3, "counted as length-mismatch");
	tap_ok(got_v2 == 1, "no engine saw any of them");

	/* garbage: random-looking bytes with a version nibble of 0 */
	memset(buf, 0x0f, 100);
	dg = dgram(buf, 100, false);
	tap_ok(dispatch_datagram(d, &dg) < 0, "garbage is dropped");

	/* higher major version: answered INVALID_MAJOR_VERSION */
	n = make_msg(buf, sizeof(buf), 0x30, 28, 28);
	dg = dgram(buf, n, false);
	tap_ok(dispatch_datagram(d, &dg) < 0 && c->dropped[DROP_HIGHER_MAJOR] == 1,
	       "IKE 3.0 is dropped and counted");
	{
		struct ike_header h;
		struct rd r;
		uint16_t type = 0;

		tap_ok(sent == 1 && last_sent_len == 36, "a 36-byte notify answers it");
		tap_ok(ike_header_read(last_sent, last_sent_len, &h) && h.major == 2 &&
		       h.minor == 0 && (h.flags & 0x20) && h.next_payload == 41 &&
		       h.length == 36 && memcmp(h.spi_i, buf, 8) == 0,
		       "reply: version 2.0, response flag, same SPIs, Notify next");
		rd_init(&r, last_sent + 28 + 6, 2);
		tap_ok(rd_u16(&r, &type) && type == 5, "notify type INVALID_MAJOR_VERSION (5)");
	}
	/* a response with a higher version is never answered (no ping-pong) */
	n = make_msg(buf, sizeof(buf), 0x30, 28, 28);
	buf[19] = 0x20;
	dg = dgram(buf, n, false);
	dispatch_datagram(d, &dg);
	tap_eq_int(sent, 1, "a higher-version response gets no answer");

	/* NAT-T port: marker, keepalive, ESP */
	buf[0] = 0xff;
	dg = dgram(buf, 1, true);
	tap_ok(dispatch_datagram(d, &dg) < 0 && c->dropped[DROP_KEEPALIVE] == 1,
	       "0xFF on 4500 is a counted keepalive");
	memset(buf, 0, 4);
	n = make_msg(buf + 4, sizeof(buf) - 4, 0x20, 28, 28);
	dg = dgram(buf, n + 4, true);
	tap_eq_int(dispatch_datagram(d, &dg), 0, "marker + IKEv2 on 4500 reaches the engine");
	tap_eq_int((long long)last_len, 28, "the engine sees the message without the marker");
	memcpy(buf, "\x00\x00\x10\x01", 4);
	dg = dgram(buf, 60, true);
	tap_ok(dispatch_datagram(d, &dg) < 0 && c->dropped[DROP_ESP_ON_NATT] == 1,
	       "ESP (no marker) on 4500 is dropped, counted");
	dg = dgram(buf, 3, true);
	tap_ok(dispatch_datagram(d, &dg) < 0, "3 bytes on 4500 is dropped");
	/* INVALID_MAJOR on 4500 keeps the marker in the reply */
	memset(buf, 0, 4);
	make_msg(buf + 4, sizeof(buf) - 4, 0x30, 28, 28);
	dg = dgram(buf, 32, true);
	dispatch_datagram(d, &dg);
	tap_ok(sent == 2 && last_sent_len == 40 && memcmp(last_sent, "\0\0\0\0", 4) == 0,
	       "the 4500 reply carries the non-ESP marker");

	/* policy */
	policy_refuse_v1 = true;
	n = make_msg(buf, sizeof(buf), 0x10, 28, 28);
	dg = dgram(buf, n, false);
	tap_eq_int(dispatch_datagram(d, &dg), ERR_PERM, "IKEv1 refused by policy");
	tap_ok(got_v1 == 1 && c->dropped[DROP_POLICY] == 1, "no engine saw it; counted");
	n = make_msg(buf, sizeof(buf), 0x20, 28, 28);
	dg = dgram(buf, n, false);
	tap_eq_int(dispatch_datagram(d, &dg), 0, "IKEv2 from the same peer still allowed");
	tap_ok(policy_calls >= 3, "policy asked before each engine hand-off");

	dispatch_free(d);
	log_set_sink(NULL, NULL);
	return tap_done();
}
