/*
 * v2_frag.h - IKEv2 message fragmentation (RFC 7383), private to v2/.
 *
 * Negotiation (2.3): N(IKEV2_FRAGMENTATION_SUPPORTED) in IKE_SA_INIT, the
 * responder answering it only when the request had it; both ends must
 * allow it (the connection's `fragmentation`).
 *
 * Sending (2.5): a protected message (IKE_AUTH and later) that would be
 * larger than v2_frag_limit() goes out as SKF fragments, each with its own
 * IV and ICV. The fragments are kept back to back in one buffer (ctx->out,
 * then the request or response cache): each starts with an IKE header
 * whose Length delimits it, so one send walks them all and a
 * retransmission resends every fragment (2.6).
 *
 * Receiving (2.6): each fragment is verified and decrypted on its own,
 * then kept until all of the message (same message ID) are there; the
 * joined inner chain is parsed as if it had come in one SK payload.
 */
#ifndef DUALIKE_V2_FRAG_H
#define DUALIKE_V2_FRAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "v2/v2_ike_sa.h"

#define V2_FRAG_MAX_RX 32            /* fragments of one message we reassemble */
#define V2_FRAG_MAX_JOINED 65536     /* octets of one reassembled inner chain */
#define V2_FRAG_TIMEOUT_MS 30000u    /* a partial message older than this is dropped */

/* Our IKE_SA_INIT notify: request when the connection allows it, response when agreed. */
int v2_frag_put_init(struct v2_ike_sa *sa, struct v2_chain *c, bool response);
/* The peer's IKE_SA_INIT: sets sa->frag_ok when both ends support it (2.3). */
void v2_frag_note_init(struct v2_ike_sa *sa, const struct v2_msg *m);
/*
 * The largest IKE message a fragment may be (2.5.1): the connection's
 * fragment_size, else 1280 (IPv6) or 576 (IPv4) octets of IP packet, less
 * the IP and UDP headers and the non-ESP marker on the NAT-T port.
 */
size_t v2_frag_limit(const struct v2_ike_sa *sa);
/* Must a protected message with inner_len octets inside be fragmented? */
bool v2_frag_needed(const struct v2_ike_sa *sa, const struct v2_sk_keys *k, size_t inner_len);
/*
 * Seal inner[0..inner_len) as SKF fragments into ctx->out, back to back;
 * ctx->out_len: all of them. ERR_OVERFLOW when they do not fit.
 */
int v2_frag_seal(struct v2_ike_sa *sa, struct v2_ctx *ctx, const struct v2_header *h,
		 const struct v2_sk_keys *k, const struct v2_iv_source *ivs, uint8_t first_inner,
		 const uint8_t *inner, size_t inner_len);
/*
 * Send buf[0..len): one message or fragments back to back (each delimited
 * by its header Length), from local to peer; the first send error.
 */
int v2_frag_send_all(struct v2_engine *e, const struct v2_datagram *where, const uint8_t *buf,
		     size_t len);
/* An SKF message whose Fragment Number is 1 (2.6.1: a retransmission is answered once). */
bool v2_frag_is_first(const struct v2_msg *m);
/*
 * One SKF fragment m (message ID already checked): verify and decrypt it,
 * keep it. *complete: the last one came; then *joined (malloc'ed, the
 * caller wipes and frees it) holds the inner chain and m->inner_first its
 * first type, m->enc_type is V2_PT_SK. ERR_INTEGRITY: forged (the partial
 * message is untouched); ERR_PARSE / ERR_OVERFLOW / ERR_STATE: dropped.
 */
int v2_frag_input(struct v2_ike_sa *sa, struct v2_msg *m, bool *complete, uint8_t **joined,
		  size_t *joined_len);
/* Free the partial message (SA deleted, exchange over). */
void v2_frag_rx_free(struct v2_ike_sa *sa);
/* Drop the partial message if it is older than V2_FRAG_TIMEOUT_MS. */
void v2_frag_expire(struct v2_ike_sa *sa, uint64_t now_ms);

#endif
