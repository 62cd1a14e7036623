/*
 * v2_kernel_events.c - the kernel's word on IKEv2 child SAs (RFC 4301
 * 4.4.2.1: SA lifetimes in the SAD). The daemon reads XFRM EXPIRE events
 * and passes them here by SPI:
 *   soft: the byte/time limit to renew at: rekey the child now
 *         (CREATE_CHILD_SA with REKEY_SA, RFC 7296 1.3.3, 2.8);
 *   hard: the kernel has dropped the SA: forget the child and tell the
 *         peer (INFORMATIONAL Delete of our inbound SPI, 1.4.1).
 * ACQUIRE is the daemon's to map to a connection; it asks
 * v2_engine_conn_active() so that one negotiation runs per trap.
 */
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/log.h"
#include "v2/v2_ike_sa.h"
#include "v2/v2_names.h"

static bool addr_matches(const struct sockaddr_storage *want, const struct sockaddr_storage *have)
{
	return want->ss_family == AF_UNSPEC || kernel_addr_equal(want, have);
}

/* The child of this engine that a SAD entry is, with its IKE SA; NULL if none. */
static struct v2_child_sa *own_child(struct v2_engine *e, struct sad_entry *ce,
				     struct v2_ike_sa **owner)
{
	struct sad_entry *ie;
	struct v2_ike_sa *sa;

	if (!ce || ce->version != 2 || ce->kind != SAD_KIND_CHILD)
		return NULL;
	ie = sad_find_serial(e->p.sad, ce->ike_serial);
	if (!ie || ie->version != 2 || ie->kind != SAD_KIND_IKE)
		return NULL;
	sa = SAD_CONTAINER(ie, struct v2_ike_sa, sad);
	if (sa->eng != e)
		return NULL;
	for (struct v2_child_sa *c = sa->children; c; c = c->next) {
		if (&c->sad == ce) {
			*owner = sa;
			return c;
		}
	}
	return NULL;
}

/*
 * The child whose inbound (dst: us) or outbound (dst: the peer) SA has this
 * SPI: two SAD lookups, not a walk over every IKE SA (a rekey wave at
 * 100,000 SAs brings as many EXPIREs).
 */
static struct v2_child_sa *child_of_spi(struct v2_engine *e, uint32_t spi,
					const struct sockaddr_storage *dst, struct v2_ike_sa **owner)
{
	struct v2_child_sa *c = own_child(e, sad_find_child(e->p.sad, KERNEL_PROTO_ESP, spi), owner);

	if (c) {
		struct sockaddr_storage local, peer;

		v2_child_addrs(c, &local, &peer);
		if (addr_matches(dst, &local))
			return c;
	}
	return own_child(e, sad_find_child_out(e->p.sad, KERNEL_PROTO_ESP, spi, dst), owner);
}

/* One INFORMATIONAL request with a Delete of the child's inbound SPI (3.11). */
static int send_delete(struct v2_ike_sa *sa, const struct v2_child_sa *c)
{
	struct v2_ctx *ctx;
	uint8_t inner[64], be[4];
	struct wr w;
	struct v2_chain ch;
	int rc;

	if (sa->state != V2S_ESTABLISHED || sa->req_outstanding || sa->job)
		return ERR_STATE;
	ctx = calloc(1, sizeof(*ctx));
	if (!ctx)
		return ERR_NOMEM;
	v2_child_spi_be(c->sad.spi_in, be);
	wr_init(&w, inner, sizeof(inner));
	v2_chain_init(&ch, &w, SIZE_MAX);
	rc = v2_put_delete(&ch, V2_PROTO_ESP, 4, be, 1);
	if (rc == 0)
		rc = v2_send_seal(sa, ctx, V2_EXCH_INFORMATIONAL, false, sa->send_msgid, ch.first,
				  inner, wr_len(&w));
	if (rc == 0) {
		ctx->request_to_send = true;
		v2_complete(sa, ctx, V2V_OK, sa->state);
	}
	free(ctx);
	return rc;
}

int v2_engine_child_expired(struct v2_engine *e, uint32_t spi,
			    const struct sockaddr_storage *dst, bool hard)
{
	struct v2_ike_sa *sa = NULL;
	struct v2_child_sa *c = child_of_spi(e, spi, dst, &sa);
	int rc;

	if (!c)
		return ERR_NOTFOUND;
	if (!hard) {
		if (c->rekeying)
			return 0; /* ours is out already */
		rc = v2_ccsa_start(sa, V2X_REKEY_CHILD, c);
		log_info(&sa->sad.logger, "kernel soft EXPIRE of child SA %08x/%08x: %s",
			 c->sad.spi_in, c->sad.spi_out,
			 rc == 0 ? "rekeying it" : "rekey as soon as the IKE SA is free");
		if (rc) {
			c->rekey_at_ms = 1; /* due: housekeeping starts it when the window is free */
			v2_maint_arm(sa); /* its timer may sleep longer */
		}
		return 0;
	}
	rc = send_delete(sa, c);
	log_info(&sa->sad.logger, "kernel hard EXPIRE of child SA %08x/%08x: deleted%s",
		 c->sad.spi_in, c->sad.spi_out,
		 rc == 0 ? ", Delete sent" : " (no Delete: another exchange is out)");
	v2_child_free(sa, c);
	return 0;
}

bool v2_engine_conn_active(const struct v2_engine *e, const char *conn)
{
	for (const struct v2_ike_sa *sa = e->first; sa; sa = sa->next)
		if (sa->state != V2S_DELETING && sa->state != V2S_GONE && !sa->rekeyed &&
		    !sa->redundant && strcmp(sa->conn->name, conn) == 0)
			return true;
	return false;
}
