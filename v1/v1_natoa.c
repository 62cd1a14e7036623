/*
 * v1_natoa.c - NAT-OA in Quick Mode (RFC 3947 5.2; drafts 02/03 5.2).
 *
 * With a NAT between the peers, a transport-mode SA carries TCP/UDP
 * checksums computed over addresses the NAT changed; the receiver fixes
 * them incrementally from the original addresses. So when the mode is
 * UDP-Encapsulated-Transport:
 *
 *   RFC 3947: both sides send NAT-OAi then NAT-OAr (payload 21), each as
 *   it sees them: the initiator its own address and the responder's
 *   address it sends to; the responder the initiator's address it
 *   receives from and its own. The initiator MUST send them when it
 *   proposes UDP-Encapsulated-Transport, the responder only when it chose
 *   that mode; in tunnel mode they SHOULD NOT be sent.
 *
 *   drafts: one NAT-OA (payload 131), the sender's original source
 *   address; a peer MUST NOT fail when none comes.
 *
 * Received ones are checked (the method's payload number, how many, an
 * IPv4 or IPv6 ID type of the SA's family, reserved bytes zero: the
 * parser), kept on the IPsec SA and logged; the peer's own original
 * address among them goes to the kernel with the inbound SA
 * (v1_natoa_peer_original), whose decapsulation fixes the checksums with
 * it (RFC 3948 3.1.2). Ones that come with a tunnel mode are logged and
 * ignored.
 */
#include <arpa/inet.h>
#include <string.h>

#include "common/err.h"
#include "common/log.h"
#include "v1/v1_sa.h"

static void natoa_of(const struct sockaddr_storage *ss, struct v1_natoa *o)
{
	memset(o, 0, sizeof(*o));
	o->family = ss->ss_family == AF_INET6 ? 6 : 4;
	memcpy(o->addr, kernel_addr_bytes(ss), kernel_addr_len(ss));
}

void v1_natoa_build(struct v1_ipsec_sa *qm, uint16_t encap, struct v1_builder *b)
{
	struct v1_isakmp_sa *sa = qm->isakmp;
	uint8_t type = v1_natt_natoa_type(sa);
	struct v1_natoa oa;

	if (!(sa->nat_local || sa->nat_peer) || !v1_natt_encap_is_udp_transport(encap))
		return;
	if (type == V1_P_NAT_OA_DRAFT) {
		/* drafts 5.2: the original source address of the sender */
		natoa_of(&sa->local, &oa);
		v1_build_natoa(b, type, &oa);
		return;
	}
	/* RFC 3947 5.2: NAT-OAi first, NAT-OAr second, as this side sees them */
	natoa_of(qm->initiator ? &sa->local : &sa->peer, &oa);
	v1_build_natoa(b, type, &oa);
	natoa_of(qm->initiator ? &sa->peer : &sa->local, &oa);
	v1_build_natoa(b, type, &oa);
}

static const char *natoa_str(const struct v1_natoa *o, char *buf, size_t len)
{
	if (!o->family || !inet_ntop(o->family == 6 ? AF_INET6 : AF_INET, o->addr, buf, (socklen_t)len))
		return "-";
	return buf;
}

static int refuse(struct v1_ipsec_sa *qm, uint16_t n, uint16_t *notify, const char *why)
{
	log_warn(&qm->isakmp->sad.logger, "Quick Mode %08x: NAT-OA refused: %s", qm->msg_id, why);
	*notify = n;
	return ERR_PARSE;
}

int v1_natoa_take(struct v1_ipsec_sa *qm, const struct v1_msg *m, uint16_t *notify)
{
	struct v1_isakmp_sa *sa = qm->isakmp;
	uint8_t want = v1_natt_natoa_type(sa);
	uint8_t family = sa->peer.ss_family == AF_INET6 ? 6 : 4;
	unsigned n = v1_msg_count(m, want), other;
	struct v1_natoa oa[2];
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];

	other = v1_msg_count(m, want == V1_P_NAT_OA ? V1_P_NAT_OA_DRAFT : V1_P_NAT_OA);
	if (other || (n && sa->natt == V1_NATT_NONE))
		return refuse(qm, V1_N_INVALID_PAYLOAD_TYPE, notify,
			      "a NAT-OA payload number the NAT-T method agreed does not use");
	if (n == 0)
		return 0;
	if (!(sa->nat_local || sa->nat_peer) || !v1_natt_encap_is_udp_transport(qm->choice.attrs.encap)) {
		log_info(&sa->sad.logger, "Quick Mode %08x: NAT-OA without a UDP-encapsulated transport "
			 "mode: ignored (RFC 3947 5.2: not sent for tunnel mode)", qm->msg_id);
		return 0;
	}
	if (want == V1_P_NAT_OA && n != 2)
		return refuse(qm, V1_N_PAYLOAD_MALFORMED, notify,
			      "RFC 3947 5.2 sends NAT-OAi and NAT-OAr together");
	if (want == V1_P_NAT_OA_DRAFT && n != 1)
		return refuse(qm, V1_N_PAYLOAD_MALFORMED, notify,
			      "the drafts send one NAT-OA, the sender's original address");
	for (unsigned i = 0; i < n; i++) {
		struct v1_err err = { 0 };

		if (v1_natoa_parse(v1_msg_find(m, want, i), &oa[i], &err) < 0)
			return refuse(qm, V1_N_PAYLOAD_MALFORMED, notify, err.text);
		if (oa[i].family != family)
			return refuse(qm, V1_N_PAYLOAD_MALFORMED, notify,
				      "an address of the other family than the SA's");
	}
	memset(&qm->oa_i, 0, sizeof(qm->oa_i));
	memset(&qm->oa_r, 0, sizeof(qm->oa_r));
	if (n == 2) {
		qm->oa_i = oa[0];
		qm->oa_r = oa[1];
	} else if (qm->initiator) {
		qm->oa_r = oa[0]; /* the responder's own original address */
	} else {
		qm->oa_i = oa[0];
	}
	log_info(&sa->sad.logger, "Quick Mode %08x: NAT-OA (%s): original initiator %s, responder %s; "
		 "kept for transport-mode checksum fixing", qm->msg_id, v1_natt_method_name(sa->natt),
		 natoa_str(&qm->oa_i, a, sizeof(a)), natoa_str(&qm->oa_r, b, sizeof(b)));
	return 0;
}

bool v1_natoa_peer_original(const struct v1_ipsec_sa *qm, struct sockaddr_storage *ss)
{
	/* RFC 3947 5.2: NAT-OAi is the initiator's, NAT-OAr the responder's; the
	 * drafts' single NAT-OA was kept in the sender's slot the same way */
	const struct v1_natoa *o = qm->initiator ? &qm->oa_r : &qm->oa_i;

	memset(ss, 0, sizeof(*ss));
	if (o->family == 4) {
		ss->ss_family = AF_INET;
		memcpy(&((struct sockaddr_in *)ss)->sin_addr, o->addr, 4);
	} else if (o->family == 6) {
		ss->ss_family = AF_INET6;
		memcpy(&((struct sockaddr_in6 *)ss)->sin6_addr, o->addr, 16);
	}
	return ss->ss_family != AF_UNSPEC;
}
