/*
 * v2_frag.c - IKEv2 message fragmentation (RFC 7383): negotiation (2.3),
 * fragmenting our protected messages (2.5), reassembling the peer's (2.6).
 */
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/log.h"
#include "common/secret.h"
#include "v2/v2_frag.h"
#include "v2/v2_names.h"

/* One message being reassembled: its verified, decrypted pieces by number. */
struct v2_frag_rx {
	uint32_t msgid;
	bool response;
	uint16_t total;
	uint16_t got;
	uint8_t first_inner;       /* from fragment 1 */
	size_t bytes;              /* plaintext held */
	uint64_t started_ms;
	uint8_t *piece[V2_FRAG_MAX_RX];
	size_t piece_len[V2_FRAG_MAX_RX];
};

/* ---- negotiation (2.3) ---- */

int v2_frag_put_init(struct v2_ike_sa *sa, struct v2_chain *c, bool response)
{
	bool send = response ? sa->frag_ok : sa->conn->fragmentation;

	if (!send)
		return 0;
	return v2_put_notify(c, V2_PROTO_NONE, NULL, 0, V2_N_IKEV2_FRAGMENTATION_SUPPORTED, NULL, 0);
}

void v2_frag_note_init(struct v2_ike_sa *sa, const struct v2_msg *m)
{
	/* 2.3: the responder only answers it when asked, so a response with it means agreed */
	sa->frag_ok = sa->conn->fragmentation && v2_has_notify(m, V2_N_IKEV2_FRAGMENTATION_SUPPORTED);
	if (sa->frag_ok)
		log_debug(&sa->sad.logger, "IKE fragmentation supported by both ends (RFC 7383)");
}

/* ---- sending (2.5) ---- */

size_t v2_frag_limit(const struct v2_ike_sa *sa)
{
	size_t ip = sa->peer.ss_family == AF_INET6 ? 40 : 20;
	size_t packet = sa->peer.ss_family == AF_INET6 ? 1280 : 576;
	size_t udp = 8 + (sa->natt ? 4 : 0); /* the non-ESP marker on the NAT-T port (RFC 3948 2.2) */

	/* 2.5.1: these packet sizes pass every path; a configured size replaces them */
	if (sa->conn->fragment_size)
		packet = sa->conn->fragment_size;
	return packet - ip - udp;
}

bool v2_frag_needed(const struct v2_ike_sa *sa, const struct v2_sk_keys *k, size_t inner_len)
{
	return sa->frag_ok && inner_len > 0 &&
	       V2_HEADER_LEN + v2_sk_payload_len(k, inner_len) > v2_frag_limit(sa);
}

/* The most inner octets one fragment of at most limit octets carries. */
static size_t chunk_size(const struct v2_sk_keys *k, size_t limit)
{
	size_t fixed = V2_HEADER_LEN + v2_skf_payload_len(k, 1) - 1;
	size_t chunk;

	if (fixed >= limit)
		return 0;
	chunk = limit - fixed;
	/* CBC padding can add up to a block less one: step down until it fits */
	while (chunk > 0 && V2_HEADER_LEN + v2_skf_payload_len(k, chunk) > limit)
		chunk--;
	return chunk;
}

int v2_frag_seal(struct v2_ike_sa *sa, struct v2_ctx *ctx, const struct v2_header *h,
		 const struct v2_sk_keys *k, const struct v2_iv_source *ivs, uint8_t first_inner,
		 const uint8_t *inner, size_t inner_len)
{
	size_t chunk = chunk_size(k, v2_frag_limit(sa));
	size_t total, off = 0;
	int rc = 0;

	if (chunk == 0)
		return ERR_INVAL;
	total = (inner_len + chunk - 1) / chunk;
	if (total > UINT16_MAX)
		return ERR_OVERFLOW;
	for (size_t i = 0; i < total && rc == 0; i++) {
		struct v2_msg_out out;
		size_t at = i * chunk, n = inner_len - at < chunk ? inner_len - at : chunk, len = 0;

		rc = v2_msg_out_init(&out, ctx->out + off, sizeof(ctx->out) - off, h);
		/* 2.5: fragment 1 names the first inner payload, the others 0 */
		if (rc == 0)
			rc = v2_sk_seal_fragment(&out, k, ivs, i == 0 ? first_inner : V2_PT_NONE,
						 (uint16_t)(i + 1), (uint16_t)total, inner + at, n,
						 &len);
		off += len;
	}
	if (rc) {
		secret_wipe(ctx->out, off < sizeof(ctx->out) ? off : sizeof(ctx->out));
		return rc;
	}
	ctx->out_len = off;
	sa->eng->stats.messages_fragmented++;
	log_debug(&sa->sad.logger, "%s %u: %zu octets inside, sent as %zu fragments (RFC 7383)",
		  v2_exchange_name(h->exchange), h->message_id, inner_len, total);
	return 0;
}

/* The Length of the message at the front of r; 0 when it is not a whole one. */
static size_t next_len(const uint8_t *p, size_t left)
{
	struct rd r;
	uint32_t len;

	rd_init(&r, p, left);
	rd_skip(&r, V2_HEADER_LENGTH_AT);
	if (!rd_u32(&r, &len) || len < V2_HEADER_LEN || len > left)
		return 0;
	return len;
}

int v2_frag_send_all(struct v2_engine *e, const struct v2_datagram *where, const uint8_t *buf,
		     size_t len)
{
	struct v2_datagram dg = *where;
	size_t off = 0, n_msgs = 0;
	int first_rc = 0;

	while (off < len) {
		size_t n = next_len(buf + off, len - off);
		int rc;

		if (n == 0)
			return ERR_INVAL; /* our own buffer: cannot happen */
		dg.data = buf + off;
		dg.len = n;
		rc = e->p.hooks.send ? e->p.hooks.send(e->p.hooks.arg, &dg) : 0;
		if (rc && !first_rc)
			first_rc = rc;
		off += n;
		n_msgs++;
	}
	if (n_msgs > 1)
		e->stats.fragments_sent += n_msgs;
	return first_rc;
}

/* ---- receiving (2.6) ---- */

bool v2_frag_is_first(const struct v2_msg *m)
{
	struct v2_skf skf;

	return m->encrypted && m->enc_type == V2_PT_SKF && v2_parse_skf(m->enc_body, &skf) == 0 &&
	       skf.number == 1;
}

void v2_frag_rx_free(struct v2_ike_sa *sa)
{
	struct v2_frag_rx *rx = sa->frag_rx;

	if (!rx)
		return;
	for (size_t i = 0; i < V2_FRAG_MAX_RX; i++) {
		if (rx->piece[i]) {
			secret_wipe(rx->piece[i], rx->piece_len[i]);
			free(rx->piece[i]);
		}
	}
	free(rx);
	sa->frag_rx = NULL;
}

void v2_frag_expire(struct v2_ike_sa *sa, uint64_t now_ms)
{
	if (sa->frag_rx && now_ms - sa->frag_rx->started_ms >= V2_FRAG_TIMEOUT_MS) {
		log_debug(&sa->sad.logger, "fragments of message %u timed out; dropped",
			  sa->frag_rx->msgid);
		sa->eng->stats.fragments_dropped += sa->frag_rx->got;
		v2_frag_rx_free(sa);
	}
}

/* A partial message for m's ID and Total Fragments, started over when needed (2.6). */
static int rx_for(struct v2_ike_sa *sa, const struct v2_msg *m, uint16_t total)
{
	struct v2_frag_rx *rx = sa->frag_rx;
	bool response = v2_msg_is_response(m);

	v2_frag_expire(sa, v2_now_ms());
	rx = sa->frag_rx;
	if (rx && (rx->msgid != m->hdr.message_id || rx->response != response)) {
		v2_frag_rx_free(sa); /* another message: the old one will never complete */
		rx = NULL;
	}
	if (rx && total < rx->total)
		return ERR_STATE; /* 2.6: fewer than before: a stale fragment, discarded */
	if (rx && total > rx->total) {
		/* 2.6: more than before: the sender fragmented again smaller (2.5.2); start over */
		sa->eng->stats.fragments_dropped += rx->got;
		v2_frag_rx_free(sa);
		rx = NULL;
	}
	if (!rx) {
		rx = calloc(1, sizeof(*rx));
		if (!rx)
			return ERR_NOMEM;
		rx->msgid = m->hdr.message_id;
		rx->response = response;
		rx->total = total;
		rx->started_ms = v2_now_ms();
		sa->frag_rx = rx;
	}
	return 0;
}

static int join(struct v2_ike_sa *sa, struct v2_msg *m, uint8_t **joined, size_t *joined_len)
{
	struct v2_frag_rx *rx = sa->frag_rx;
	uint8_t *p = malloc(rx->bytes ? rx->bytes : 1);
	size_t off = 0;

	if (!p)
		return ERR_NOMEM;
	for (size_t i = 0; i < rx->total; i++) {
		memcpy(p + off, rx->piece[i], rx->piece_len[i]);
		off += rx->piece_len[i];
	}
	m->inner_first = rx->first_inner;
	/* reassembled: parsed and checked by the payload rules as one SK message */
	m->enc_type = V2_PT_SK;
	for (size_t i = 0; i < m->n; i++)
		if (!m->pl[i].inner && m->pl[i].type == V2_PT_SKF)
			m->pl[i].type = V2_PT_SK;
	*joined = p;
	*joined_len = off;
	sa->eng->stats.messages_reassembled++;
	log_debug(&sa->sad.logger, "%s %u reassembled from %u fragments (%zu octets)",
		  v2_exchange_name(m->hdr.exchange), m->hdr.message_id, rx->total, off);
	v2_frag_rx_free(sa);
	return 0;
}

int v2_frag_input(struct v2_ike_sa *sa, struct v2_msg *m, bool *complete, uint8_t **joined,
		  size_t *joined_len)
{
	struct v2_engine *e = sa->eng;
	struct v2_skf skf;
	struct v2_sk_keys k;
	struct v2_frag_rx *rx;
	uint8_t *plain;
	size_t plain_len = 0;
	int rc;

	*complete = false;
	if (!sa->frag_ok || !sa->have_keys)
		return ERR_STATE; /* 2.3: not negotiated, not expected */
	rc = v2_parse_skf(m->enc_body, &skf);
	if (rc)
		return ERR_PARSE;
	if (skf.total > V2_FRAG_MAX_RX)
		return ERR_OVERFLOW; /* our bound on what one message may cost */
	/*
	 * 2.5: only fragment 1 names the first inner payload (nothing can be
	 * fragmented without one); the others' field is read from nowhere
	 */
	if (skf.number == 1 && m->inner_first == V2_PT_NONE)
		return ERR_PARSE;
	plain = malloc(m->enc_body.len ? m->enc_body.len : 1);
	if (!plain)
		return ERR_NOMEM;
	/* verified before it touches the partial message: a forgery changes nothing (2.6) */
	v2_ike_sa_sk_keys(sa, false, &k);
	rc = v2_sk_open(&k, m->raw.p, m->raw.len, m->enc_offset, V2_GENERIC_HEADER_LEN + 4, plain,
			m->enc_body.len, &plain_len);
	if (rc == 0)
		rc = rx_for(sa, m, skf.total);
	rx = sa->frag_rx;
	if (rc == 0 && rx->piece[skf.number - 1])
		rc = ERR_STATE; /* a duplicate: the first copy stays */
	if (rc == 0 && rx->bytes + plain_len > V2_FRAG_MAX_JOINED)
		rc = ERR_OVERFLOW;
	if (rc) {
		secret_wipe(plain, m->enc_body.len);
		free(plain);
		return rc;
	}
	e->stats.fragments_received++;
	rx->piece[skf.number - 1] = plain;
	rx->piece_len[skf.number - 1] = plain_len;
	rx->bytes += plain_len;
	rx->got++;
	if (skf.number == 1)
		rx->first_inner = m->inner_first;
	if (rx->got < rx->total)
		return 0;
	*complete = true;
	return join(sa, m, joined, joined_len);
}
