/*
 * v2_send.c - our messages: headers (RFC 7296 3.1), protected messages
 * (SK, 3.14), error notify answers (2.21), and the hand-off to the glue.
 */
#include <string.h>

#include "common/err.h"
#include "common/log.h"
#include "v2/v2_frag.h"
#include "v2/v2_ike_sa.h"
#include "v2/v2_names.h"

void v2_send_header(const struct v2_ike_sa *sa, struct v2_header *h, uint8_t exchange,
		    bool response, uint32_t msgid)
{
	memset(h, 0, sizeof(*h));
	memcpy(h->spi_i, sa->sad.spi_i, 8);
	memcpy(h->spi_r, sa->sad.spi_r, 8);
	h->version = V2_VERSION;
	h->exchange = exchange;
	/* I: sent by the original initiator; R: a response (3.1) */
	h->flags = (sa->initiator ? V2_FLAG_INITIATOR : 0) | (response ? V2_FLAG_RESPONSE : 0);
	h->message_id = msgid;
}

int v2_send_seal(struct v2_ike_sa *sa, struct v2_ctx *ctx, uint8_t exchange, bool response,
		 uint32_t msgid, uint8_t first_inner, const uint8_t *inner, size_t inner_len)
{
	struct v2_header h;
	struct v2_msg_out out;
	struct v2_sk_keys k;
	struct v2_iv_source ivs = { v2_iv_from_counter, &sa->iv };
	int rc;

	v2_send_header(sa, &h, exchange, response, msgid);
	v2_ike_sa_sk_keys(sa, true, &k);
	/* CBC IVs must be unpredictable (3.14): random; counters for CTR/AEAD */
	if (!sa->ike.encr->aead && sa->ike.encr->block_size > 1)
		ivs.fn = v2_iv_random;
	if (v2_frag_needed(sa, &k, inner_len)) {
		/* RFC 7383 2.5: too big for the path's smallest MTU: SKF fragments */
		rc = v2_frag_seal(sa, ctx, &h, &k, &ivs, first_inner, inner, inner_len);
		goto out;
	}
	rc = v2_msg_out_init(&out, ctx->out, sizeof(ctx->out), &h);
	if (rc == 0)
		rc = v2_sk_seal(&out, &k, &ivs, first_inner, inner, inner_len, &ctx->out_len);
out:
	if (rc)
		log_error(&sa->sad.logger, "could not build %s: %s", v2_exchange_name(exchange),
			  err_str(rc));
	return rc;
}

int v2_send_notify_reply(struct v2_ike_sa *sa, struct v2_ctx *ctx)
{
	uint8_t exchange = ctx->msg->hdr.exchange;
	uint32_t msgid = ctx->msg->hdr.message_id;
	struct v2_chain c;
	int rc;

	if (exchange == V2_EXCH_IKE_SA_INIT || !sa->have_keys) {
		struct v2_header h;
		struct v2_msg_out out;

		v2_send_header(sa, &h, exchange, true, msgid);
		/* no state is kept for a refused IKE_SA_INIT: SPIr zero (2.6) */
		if (exchange == V2_EXCH_IKE_SA_INIT)
			memset(h.spi_r, 0, 8);
		rc = v2_msg_out_init(&out, ctx->out, sizeof(ctx->out), &h);
		if (rc == 0)
			rc = v2_put_notify(&out.chain, V2_PROTO_NONE, NULL, 0, ctx->notify,
					   ctx->notify_data, ctx->notify_data_len);
		if (rc == 0)
			rc = v2_msg_out_finish(&out, &ctx->out_len);
	} else {
		uint8_t inner[128];
		struct wr w;

		wr_init(&w, inner, sizeof(inner));
		v2_chain_init(&c, &w, SIZE_MAX);
		rc = v2_put_notify(&c, V2_PROTO_NONE, NULL, 0, ctx->notify, ctx->notify_data,
				   ctx->notify_data_len);
		if (rc == 0)
			rc = v2_send_seal(sa, ctx, exchange, true, msgid, c.first, inner, wr_len(&w));
	}
	if (rc == 0)
		log_info(&sa->sad.logger, "answering %s %u with %s", v2_exchange_name(exchange), msgid,
			 v2_notify_name(ctx->notify));
	return rc;
}

int v2_send_raw(struct v2_ike_sa *sa, const uint8_t *msg, size_t len)
{
	struct v2_datagram dg;

	memset(&dg, 0, sizeof(dg));
	dg.local = sa->local;
	dg.peer = sa->peer;
	dg.natt = sa->natt;
	/* one message, or all its fragments (RFC 7383 2.6: a retransmission resends them all) */
	return v2_frag_send_all(sa->eng, &dg, msg, len);
}
