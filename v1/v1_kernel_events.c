/*
 * v1_kernel_events.c - kernel EXPIRE events for IKEv1 IPsec SA pairs.
 *
 * soft: renew the pair now with a new Quick Mode for the same selectors
 *       (RFC 2409 5.5; v1_quick_rekey, the entry v1_rekey.c's lifetime
 *       timer uses; the old pair is deleted once the new one is in).
 * hard: the kernel has dropped the SA: delete the pair and tell the peer
 *       with a Delete payload (RFC 2408 4.8, 3.15) when phase 1 is up.
 * Either direction's SPI names the pair.
 */
#include "common/err.h"
#include "common/kernel.h"
#include "common/log.h"
#include "common/sad.h"
#include "v1/v1_events.h"
#include "v1/v1_sa.h"

static bool addr_matches(const struct sockaddr_storage *want, const struct sockaddr_storage *have)
{
	return want->ss_family == AF_UNSPEC || kernel_addr_equal(want, have);
}

/*
 * The installed IPsec SA pair of this engine that a SAD entry is; NULL if
 * none. The entry is the pair's own (v1_ipsec_sa.c indexes each installed
 * pair under both SPIs), so its ISAKMP SA is qm->isakmp even after the
 * pair moved to a re-authenticated one.
 */
static struct v1_ipsec_sa *own_pair(struct v1_engine *e, struct sad_entry *ce)
{
	struct v1_ipsec_sa *qm;

	if (!ce || ce->version != 1 || ce->kind != SAD_KIND_CHILD)
		return NULL;
	qm = SAD_CONTAINER(ce, struct v1_ipsec_sa, sad);
	return qm->in_sad && qm->installed && qm->isakmp && qm->isakmp->eng == e ? qm : NULL;
}

/*
 * The pair whose inbound (dst: us) or outbound (dst: the peer) SA has this
 * SPI: two SAD lookups, as IKEv2 does, not a walk over every ISAKMP SA and
 * its Quick Modes (a lifetime wave at many SAs brings as many EXPIREs).
 */
static struct v1_ipsec_sa *pair_of_spi(struct v1_engine *e, uint32_t spi,
				       const struct sockaddr_storage *dst)
{
	struct v1_ipsec_sa *qm = own_pair(e, sad_find_child(e->env.sad, KERNEL_PROTO_ESP, spi));

	if (qm && addr_matches(dst, &qm->isakmp->local))
		return qm;
	qm = own_pair(e, sad_find_child_out(e->env.sad, KERNEL_PROTO_ESP, spi, dst));
	return qm && addr_matches(dst, &qm->isakmp->peer) ? qm : NULL;
}

int v1_engine_child_expired(struct v1_engine *e, uint32_t spi,
			    const struct sockaddr_storage *dst, bool hard)
{
	struct v1_ipsec_sa *qm = pair_of_spi(e, spi, dst);
	struct v1_isakmp_sa *sa;

	if (!qm)
		return ERR_NOTFOUND;
	sa = qm->isakmp;
	if (!hard) {
		if (qm->rekeying)
			return 0; /* a replacement is under way already */
		if (sa->state != V1S_ESTABLISHED) {
			log_info(&sa->sad.logger, "kernel soft EXPIRE of IPsec SA pair %08x/%08x: the "
				 "ISAKMP SA is not up; it will expire", qm->spi_in, qm->spi_out);
			return 0;
		}
		log_info(&sa->sad.logger, "kernel soft EXPIRE of IPsec SA pair %08x/%08x: new Quick "
			 "Mode%s", qm->spi_in, qm->spi_out, sa->conn->pfs ? " with PFS" : "");
		qm->rekeying = true;
		if (v1_quick_rekey(qm) < 0) {
			qm->rekeying = false;
			log_warn(&sa->sad.logger, "Quick Mode rekey could not start");
		}
		return 0;
	}
	e->counters.expired++;
	log_info(&sa->sad.logger, "kernel hard EXPIRE of IPsec SA pair %08x/%08x: deleted%s",
		 qm->spi_in, qm->spi_out, sa->state == V1S_ESTABLISHED ? ", Delete sent" : "");
	if (sa->state == V1S_ESTABLISHED)
		v1_info_send_delete_ipsec(qm);
	v1_ipsec_sa_free(qm);
	return 0;
}
