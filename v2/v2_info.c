/*
 * v2_info.c - INFORMATIONAL (RFC 7296 1.4, 1.4.1, 2.4).
 *
 *   HDR, SK {[N,] [D,] [CP,] ...}  -->
 *                                  <--  HDR, SK {[N,] [D,] [CP], ...}
 *
 * A Delete of the IKE SA is answered with an empty INFORMATIONAL and the
 * IKE SA and its children are removed (1.4.1). A Delete of child SAs names
 * the sender's inbound SPIs (our outbound ones); the answer names ours for
 * the same pairs. An empty request is a liveness check and gets an empty
 * answer (1.4, 2.4).
 */
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/log.h"
#include "v2/v2_ike_sa.h"
#include "v2/v2_names.h"

static int seal_reply(struct v2_ike_sa *sa, struct v2_ctx *ctx, const uint32_t *spis, size_t n)
{
	uint8_t inner[512], be[4 * 64];
	struct wr w;
	struct v2_chain c;
	int rc = 0;

	wr_init(&w, inner, sizeof(inner));
	v2_chain_init(&c, &w, SIZE_MAX);
	if (n) {
		for (size_t i = 0; i < n; i++) {
			be[4 * i] = (uint8_t)(spis[i] >> 24);
			be[4 * i + 1] = (uint8_t)(spis[i] >> 16);
			be[4 * i + 2] = (uint8_t)(spis[i] >> 8);
			be[4 * i + 3] = (uint8_t)spis[i];
		}
		rc = v2_put_delete(&c, V2_PROTO_ESP, 4, be, (uint16_t)n);
	}
	if (rc == 0)
		rc = v2_send_seal(sa, ctx, V2_EXCH_INFORMATIONAL, true, ctx->msg->hdr.message_id,
				  c.first, inner, wr_len(&w));
	if (rc == 0)
		ctx->response_to_send = true;
	return rc;
}

enum v2_verdict v2_info_respond(struct v2_ike_sa *sa, struct v2_ctx *ctx)
{
	const struct v2_msg *m = ctx->msg;
	uint32_t ours[64];
	size_t n_ours = 0;
	bool delete_ike = false;

	for (const struct v2_payload *p = v2_msg_find(m, V2_PT_D); p; p = v2_msg_next(m, p, V2_PT_D)) {
		struct v2_delete d;

		if (v2_parse_delete(p->body, &d))
			continue;
		sa->eng->stats.deletes_received++;
		if (d.protocol == V2_PROTO_IKE) {
			delete_ike = true;
			continue;
		}
		if (d.protocol != V2_PROTO_ESP || d.spi_size != 4)
			continue;
		for (size_t i = 0; i < d.n_spis; i++) {
			const uint8_t *s = d.spis.p + 4 * i;
			uint32_t spi = (uint32_t)s[0] << 24 | (uint32_t)s[1] << 16 |
				       (uint32_t)s[2] << 8 | s[3];
			struct v2_child_sa *c = v2_child_by_spi_out(sa, spi);

			if (!c)
				continue; /* already gone: nothing to answer for it (1.4.1) */
			if (n_ours < 64)
				ours[n_ours++] = c->sad.spi_in;
			log_info(&sa->sad.logger, "peer deletes child SA %08x", spi);
			v2_child_free(sa, c);
		}
	}
	if (delete_ike) {
		log_info(&sa->sad.logger, "peer deletes the IKE SA");
		v2_rekey_collision_orphans(sa);
		ctx->why = " by the peer";
		if (seal_reply(sa, ctx, NULL, 0))
			ctx->response_to_send = false;
		return V2V_DONE_DELETE;
	}
	if (seal_reply(sa, ctx, ours, n_ours)) {
		ctx->why = "could not build the INFORMATIONAL answer";
		return V2V_FAIL_DELETE;
	}
	return V2V_OK;
}

enum v2_verdict v2_info_process_response(struct v2_ike_sa *sa, struct v2_ctx *ctx)
{
	(void)ctx;
	if (sa->state == V2S_DELETING)
		return V2V_OK; /* the row goes to GONE */
	log_debug(&sa->sad.logger, "INFORMATIONAL answered");
	return V2V_OK;
}

/*
 * A CREATE_CHILD_SA for an IKE SA we are deleting (our rekey of it is done,
 * or we close it): TEMPORARY_FAILURE (2.25; 2.8.2: the peer that finished
 * its IKE SA rekey first answers the other's late one so).
 */
enum v2_verdict v2_child_refuse(struct v2_ike_sa *sa, struct v2_ctx *ctx)
{
	log_info(&sa->sad.logger, "CREATE_CHILD_SA for an IKE SA being deleted: TEMPORARY_FAILURE");
	ctx->notify = V2_N_TEMPORARY_FAILURE;
	return V2V_REPLY_NOTIFY;
}

bool v2_info_delete_ike(struct v2_ike_sa *sa)
{
	struct v2_ctx *ctx;
	uint8_t inner[64];
	struct wr w;
	struct v2_chain c;
	int rc;

	if (sa->state != V2S_ESTABLISHED || sa->req_outstanding)
		return false;
	ctx = calloc(1, sizeof(*ctx));
	if (!ctx)
		return false;
	wr_init(&w, inner, sizeof(inner));
	v2_chain_init(&c, &w, SIZE_MAX);
	rc = v2_put_delete(&c, V2_PROTO_IKE, 0, NULL, 0);
	if (rc == 0)
		rc = v2_send_seal(sa, ctx, V2_EXCH_INFORMATIONAL, false, sa->send_msgid, c.first, inner,
				  wr_len(&w));
	if (rc == 0) {
		log_info(&sa->sad.logger, "deleting the IKE SA");
		ctx->request_to_send = true;
		v2_complete(sa, ctx, V2V_OK, V2S_DELETING);
	}
	free(ctx);
	return rc == 0;
}
