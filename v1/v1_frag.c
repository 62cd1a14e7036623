/*
 * v1_frag.c - IKEv1 message fragmentation (the Cisco format, v1_frag.h):
 * the FRAGMENTATION vendor ID, sending a long message as fragments,
 * putting the peer's fragments together again.
 *
 * Why: Main Mode messages 5 and 6 (Aggressive Mode 2 and 3) with an RSA
 * certificate chain are 1.5-2.5 KB; as IP fragments they are lost on the
 * paths that drop those (NATs, firewalls). ISAKMP-level fragments are
 * each a whole UDP datagram.
 */
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/hash.h"
#include "common/log.h"
#include "v1/v1_frag.h"

/* Fragment payload flags: bit 0, the last fragment of the message. */
#define V1_FRAG_FLAG_LAST 0x01

/*
 * MD5("FRAGMENTATION") and the capability octets 0x80000000 that Cisco
 * sends and strongSwan and Libreswan send after it; receivers match the
 * first 16 octets (v1_vid_classify).
 */
static const uint8_t frag_caps[4] = { 0x80, 0x00, 0x00, 0x00 };

/* One message being reassembled: its pieces by Fragment Number. */
struct v1_frag_rx {
	uint16_t id;
	uint8_t last;          /* number of the fragment flagged last; 0: not seen yet */
	uint8_t got;
	size_t bytes;
	uint8_t *piece[V1_FRAG_MAX_RX];
	size_t piece_len[V1_FRAG_MAX_RX];
};

/* ---- negotiation ---- */

void v1_frag_put_vid(struct v1_isakmp_sa *sa, struct v1_builder *b)
{
	size_t len;
	const uint8_t *md5 = v1_vid_bytes(V1_VID_FRAGMENTATION, &len);
	uint8_t vid[20];

	if (!sa->conn->fragmentation || !md5 || len != 16)
		return;
	memcpy(vid, md5, 16);
	memcpy(vid + 16, frag_caps, sizeof(frag_caps));
	v1_build_blob(b, V1_P_VID, vid, sizeof(vid));
}

/* ---- sending ---- */

size_t v1_frag_limit(const struct v1_isakmp_sa *sa)
{
	bool v6 = sa->peer.ss_family == AF_INET6;
	size_t packet = v6 ? 1280 : 576;
	size_t headers = (v6 ? 40 : 20) + 8 + (sa->floated ? 4 : 0); /* RFC 3948 2.2 marker */

	if (sa->conn->fragment_size)
		packet = sa->conn->fragment_size;
	return packet > headers + V1_FRAG_OVERHEAD ? packet - headers : V1_FRAG_OVERHEAD + 1;
}

bool v1_frag_needed(const struct v1_isakmp_sa *sa, size_t len)
{
	return sa->peer_frag && sa->conn->fragmentation && len > v1_frag_limit(sa);
}

/*
 * The Fragment ID of this message: the same as last time when it is the
 * same message again (a retransmission or a cached answer), so that the
 * peer can complete a partial message from the resent fragments.
 */
static uint16_t frag_id_for(struct v1_isakmp_sa *sa, const uint8_t *msg, size_t len)
{
	uint8_t h[32];

	if (hash_once(HASH_SHA2_256, msg, len, h) < 0)
		memset(h, 0, sizeof(h));
	if (!sa->frag_tx_have || memcmp(h, sa->frag_tx_hash, sizeof(h)) != 0) {
		memcpy(sa->frag_tx_hash, h, sizeof(h));
		sa->frag_tx_have = true;
		sa->frag_tx_id++;
		if (sa->frag_tx_id == 0)
			sa->frag_tx_id = 1;
		sa->eng->counters.frag_messages_fragmented++;
	}
	return sa->frag_tx_id;
}

int v1_frag_send(struct v1_isakmp_sa *sa, const uint8_t *msg, size_t len,
		 int (*send_one)(struct v1_isakmp_sa *sa, const uint8_t *msg, size_t len))
{
	size_t limit = v1_frag_limit(sa), chunk = limit - V1_FRAG_OVERHEAD;
	size_t total = (len + chunk - 1) / chunk;
	uint8_t *buf;
	uint16_t id;
	int first_rc = 0;

	if (len < V1_HDR_LEN || total > 255)
		return ERR_OVERFLOW; /* the Fragment Number is one octet */
	buf = malloc(limit);
	if (!buf)
		return ERR_NOMEM;
	id = frag_id_for(sa, msg, len);
	for (size_t i = 0; i < total; i++) {
		size_t at = i * chunk, n = len - at < chunk ? len - at : chunk;
		struct wr w;
		int rc;

		wr_init(&w, buf, limit);
		/*
		 * The original's header: its cookies, version, exchange and message
		 * ID; its flags without E, since the fragment payload itself is not
		 * encrypted (the slice inside is, when the message was). This is what
		 * strongSwan 5.9.8 sends (seen in the lab: MM5 fragments with flags 0).
		 */
		wr_bytes(&w, msg, 16);
		wr_u8(&w, V1_P_FRAG);
		wr_bytes(&w, msg + 17, 2);
		wr_u8(&w, msg[19] & (uint8_t)~V1_FLAG_ENCRYPTION);
		wr_bytes(&w, msg + 20, 4);
		wr_u32(&w, (uint32_t)(V1_FRAG_OVERHEAD + n));
		wr_u8(&w, V1_P_NONE);
		wr_u8(&w, 0);
		wr_u16(&w, (uint16_t)(8 + n));
		wr_u16(&w, id);
		wr_u8(&w, (uint8_t)(i + 1));
		wr_u8(&w, i + 1 == total ? V1_FRAG_FLAG_LAST : 0);
		wr_bytes(&w, msg + at, n);
		if (!wr_ok(&w)) {
			first_rc = first_rc ? first_rc : ERR_OVERFLOW;
			break;
		}
		rc = send_one(sa, buf, wr_len(&w));
		if (rc < 0 && !first_rc)
			first_rc = rc;
		sa->eng->counters.frag_fragments_sent++;
	}
	free(buf);
	log_debug(&sa->sad.logger, "%zu-byte %s message sent as %zu fragments of at most %zu bytes "
		  "(fragment ID %u)", len, v1_exch_name(msg[18]), total, limit, id);
	return first_rc;
}

/* ---- receiving ---- */

void v1_frag_rx_free(struct v1_isakmp_sa *sa)
{
	struct v1_frag_rx *rx = sa->frag_rx;

	v1_timer_stop(&sa->frag_timer);
	if (!rx)
		return;
	for (size_t i = 0; i < V1_FRAG_MAX_RX; i++)
		free(rx->piece[i]);
	free(rx);
	sa->frag_rx = NULL;
}

/* Throw the partial message away, counting what it held. */
static void rx_drop(struct v1_isakmp_sa *sa)
{
	if (sa->frag_rx)
		sa->eng->counters.frag_fragments_dropped += sa->frag_rx->got;
	v1_frag_rx_free(sa);
}

void v1_frag_fire(int fd, short what, void *arg)
{
	struct v1_isakmp_sa *sa = arg;

	(void)fd;
	(void)what;
	sa->frag_timer.armed = false;
	if (!sa->frag_rx)
		return;
	log_info(&sa->sad.logger, "fragment ID %u: %u fragment(s) in, the rest not within %u s; "
		 "dropped", sa->frag_rx->id, sa->frag_rx->got, V1_FRAG_TIMEOUT_S);
	rx_drop(sa);
}

static int refuse(struct v1_isakmp_sa *sa, int rc, const char *why, unsigned id, unsigned num)
{
	sa->eng->counters.frag_fragments_dropped++;
	log_unauth(&sa->sad.logger, LOG_LEVEL_INFO, "fragment %u of fragment ID %u refused: %s",
		   num, id, why);
	return rc;
}

/* The partial message for this Fragment ID: a new ID replaces an older partial one. */
static int rx_for(struct v1_isakmp_sa *sa, uint16_t id)
{
	struct v1_frag_rx *rx = sa->frag_rx;

	if (rx && rx->id != id) {
		log_debug(&sa->sad.logger, "fragment ID %u replaces the partial fragment ID %u",
			  id, rx->id);
		rx_drop(sa);
		rx = NULL;
	}
	if (rx)
		return 0;
	rx = calloc(1, sizeof(*rx));
	if (!rx)
		return ERR_NOMEM;
	rx->id = id;
	sa->frag_rx = rx;
	v1_timer_arm(sa->eng, &sa->frag_timer, V1_FRAG_TIMEOUT_S, v1_frag_fire, sa);
	return 0;
}

/* The highest Fragment Number held, 0 when none. */
static unsigned highest_held(const struct v1_frag_rx *rx)
{
	for (unsigned i = V1_FRAG_MAX_RX; i > 0; i--)
		if (rx->piece[i - 1])
			return i;
	return 0;
}

static int join(struct v1_isakmp_sa *sa, uint8_t **joined, size_t *joined_len)
{
	struct v1_frag_rx *rx = sa->frag_rx;
	uint8_t *p = malloc(rx->bytes);
	size_t off = 0;

	if (!p)
		return ERR_NOMEM;
	for (size_t i = 0; i < rx->last; i++) {
		memcpy(p + off, rx->piece[i], rx->piece_len[i]);
		off += rx->piece_len[i];
	}
	sa->eng->counters.frag_messages_reassembled++;
	log_debug(&sa->sad.logger, "fragment ID %u: %zu-byte message reassembled from %u fragments",
		  rx->id, off, rx->last);
	v1_frag_rx_free(sa);
	*joined = p;
	*joined_len = off;
	return 1;
}

int v1_frag_input(struct v1_isakmp_sa *sa, const uint8_t *data, size_t len, uint8_t **joined,
		  size_t *joined_len)
{
	struct rd r, body;
	uint8_t next, reserved, num = 0, flags;
	uint16_t plen, id = 0;
	const uint8_t *slice;
	size_t n;
	struct v1_frag_rx *rx;
	int rc;

	*joined = NULL;
	*joined_len = 0;
	rd_init(&r, data, len);
	rd_skip(&r, V1_HDR_LEN);
	rd_u8(&r, &next);
	rd_u8(&r, &reserved);
	rd_u16(&r, &plen);
	/* one payload, exactly the rest of the datagram, with at least one octet of data */
	if (!rd_ok(&r) || plen < 9 || plen != rd_left(&r) + 4 || !rd_sub(&r, plen - 4, &body))
		return refuse(sa, ERR_PARSE, "payload length does not match the datagram", 0, 0);
	rd_u16(&body, &id);
	rd_u8(&body, &num);
	rd_u8(&body, &flags);
	n = rd_left(&body);
	if (!rd_ptr(&body, n, &slice))
		return refuse(sa, ERR_PARSE, "truncated", id, num);
	if (!sa->conn->fragmentation)
		return refuse(sa, ERR_STATE, "fragmentation = no on this connection", id, num);
	if (num == 0 || num > V1_FRAG_MAX_RX)
		return refuse(sa, ERR_OVERFLOW, "Fragment Number past our limit of "
			      "16 per message (or 0)", id, num);
	rc = rx_for(sa, id);
	if (rc < 0)
		return refuse(sa, rc, "out of memory", id, num);
	rx = sa->frag_rx;
	if (rx->piece[num - 1])
		return refuse(sa, ERR_STATE, "duplicate", id, num);
	if ((rx->last && num > rx->last) || ((flags & V1_FRAG_FLAG_LAST) && rx->last) ||
	    ((flags & V1_FRAG_FLAG_LAST) && num < highest_held(rx))) {
		rx_drop(sa);
		return refuse(sa, ERR_PARSE, "past the last fragment, or a second last one", id, num);
	}
	if (rx->bytes + n > V1_FRAG_MAX_JOINED) {
		rx_drop(sa);
		return refuse(sa, ERR_OVERFLOW, "message past 64 KiB", id, num);
	}
	rx->piece[num - 1] = malloc(n);
	if (!rx->piece[num - 1])
		return refuse(sa, ERR_NOMEM, "out of memory", id, num);
	memcpy(rx->piece[num - 1], slice, n);
	rx->piece_len[num - 1] = n;
	rx->bytes += n;
	rx->got++;
	if (flags & V1_FRAG_FLAG_LAST)
		rx->last = num;
	sa->eng->counters.frag_fragments_received++;
	if (!rx->last || rx->got < rx->last)
		return 0;
	return join(sa, joined, joined_len);
}
