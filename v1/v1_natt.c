/*
 * v1_natt.c - NAT traversal for IKEv1: RFC 3947, and the drafts old peers
 * still speak (draft-ietf-ipsec-nat-t-ike-02, its "02\n" variant, 03).
 *
 * Vendor IDs (RFC 3947 3.1, drafts 3.1): the initiator announces every
 * method the connection allows (RFC 3947 and drafts 03, 02n, 02); the
 * responder takes the best one both speak (RFC 3947 over 03 over 02 over
 * 02n) and answers with that one vendor ID only, so an old peer that sent
 * only a draft's vendor ID is answered with its draft. The initiator takes
 * the best one the responder sent back. Drafts 00/01 and 04-08 are
 * recognised and logged, not spoken.
 *
 * NAT-D (RFC 3947 3.2; drafts 3.2, same hash, payload type 130):
 *   HASH = hash(CKY-I | CKY-R | IP | Port)
 * in messages 3 and 4 of Main Mode (2 and 3 of Aggressive Mode), the first
 * for the address the message is sent to, the others for the sender's
 * own. A mismatch means a NAT on that side; then the initiator moves to
 * port 4500 for the rest (RFC 3947 4, drafts 02/03 4 "port floating"), IKE
 * messages there start with the non-ESP marker (RFC 3948 2.2), and ESP is
 * UDP-encapsulated (5.1: modes 3/4, the drafts' 61443/61444).
 */
#include <stdio.h>
#include <string.h>

#include "common/hash.h"
#include "common/kernel.h"
#include "common/log.h"
#include "v1/v1_frag.h"
#include "v1/v1_sa.h"

const char *v1_natt_method_name(enum v1_natt_method m)
{
	switch (m) {
	case V1_NATT_RFC3947: return "RFC 3947";
	case V1_NATT_DRAFT_03: return "draft-ietf-ipsec-nat-t-ike-03";
	case V1_NATT_DRAFT_02: return "draft-ietf-ipsec-nat-t-ike-02";
	case V1_NATT_DRAFT_02N: return "draft-ietf-ipsec-nat-t-ike-02\\n";
	case V1_NATT_NONE: break;
	}
	return "";
}

static bool is_draft(const struct v1_isakmp_sa *sa)
{
	return sa->natt != V1_NATT_NONE && sa->natt != V1_NATT_RFC3947;
}

uint8_t v1_natt_natd_type(const struct v1_isakmp_sa *sa)
{
	return is_draft(sa) ? V1_P_NAT_D_DRAFT : V1_P_NAT_D;
}

uint8_t v1_natt_natoa_type(const struct v1_isakmp_sa *sa)
{
	return is_draft(sa) ? V1_P_NAT_OA_DRAFT : V1_P_NAT_OA;
}

uint16_t v1_natt_udp_mode(const struct v1_isakmp_sa *sa, bool transport)
{
	if (is_draft(sa))
		return transport ? V1_ENCAP_UDP_TRANSPORT_DRAFT : V1_ENCAP_UDP_TUNNEL_DRAFT;
	return transport ? V1_ENCAP_UDP_TRANSPORT : V1_ENCAP_UDP_TUNNEL;
}

bool v1_natt_encap_is_udp_transport(uint16_t mode)
{
	return mode == V1_ENCAP_UDP_TRANSPORT || mode == V1_ENCAP_UDP_TRANSPORT_DRAFT;
}

/* ---- vendor IDs ---- */

static unsigned offered(const struct v1_isakmp_sa *sa)
{
	unsigned o = sa->conn->natt_offer ? sa->conn->natt_offer : V1_NATT_OFFER_ALL;

	return o & ~V1_NATT_OFFER(V1_NATT_NONE);
}

static enum v1_vid_kind vid_of(enum v1_natt_method m)
{
	switch (m) {
	case V1_NATT_RFC3947: return V1_VID_NATT_RFC3947;
	case V1_NATT_DRAFT_03: return V1_VID_NATT_DRAFT_03;
	case V1_NATT_DRAFT_02: return V1_VID_NATT_DRAFT_02;
	case V1_NATT_DRAFT_02N: return V1_VID_NATT_DRAFT_02N;
	case V1_NATT_NONE: break;
	}
	return V1_VID_UNKNOWN;
}

static void put_vid(struct v1_builder *b, enum v1_vid_kind kind)
{
	size_t len;
	const uint8_t *v = v1_vid_bytes(kind, &len);

	if (v)
		v1_build_blob(b, V1_P_VID, v, len);
}

void v1_p1_vids(struct v1_isakmp_sa *sa, struct v1_builder *b)
{
	static const enum v1_natt_method best_first[] = {
		V1_NATT_RFC3947, V1_NATT_DRAFT_03, V1_NATT_DRAFT_02N, V1_NATT_DRAFT_02,
	};

	put_vid(b, V1_VID_DPD);
	v1_frag_put_vid(sa, b);
	if (!sa->initiator) {
		/* the responder names the one method it took (RFC 3947 3.1) */
		if (sa->natt != V1_NATT_NONE)
			put_vid(b, vid_of(sa->natt));
		return;
	}
	for (size_t i = 0; i < sizeof(best_first) / sizeof(best_first[0]); i++)
		if (offered(sa) & V1_NATT_OFFER(best_first[i]))
			put_vid(b, vid_of(best_first[i]));
}

enum v1_natt_method v1_natt_method_of_vid(enum v1_vid_kind k)
{
	switch (k) {
	case V1_VID_NATT_RFC3947: return V1_NATT_RFC3947;
	case V1_VID_NATT_DRAFT_03: return V1_NATT_DRAFT_03;
	case V1_VID_NATT_DRAFT_02: return V1_NATT_DRAFT_02;
	case V1_VID_NATT_DRAFT_02N: return V1_NATT_DRAFT_02N;
	default: return V1_NATT_NONE;
	}
}

static void log_unknown_vid(struct v1_isakmp_sa *sa, const struct v1_payload *pl)
{
	char hex[33] = "";

	for (size_t k = 0; k < pl->body_len && k < 16; k++)
		snprintf(hex + 2 * k, 3, "%02x", pl->body[k]);
	log_info(&sa->sad.logger, "unknown vendor ID %s%s (%zu bytes)", hex,
		 pl->body_len > 16 ? "..." : "", pl->body_len);
}

/* The best method both sides speak (the enum is ordered weakest first). */
static enum v1_natt_method choose(const struct v1_isakmp_sa *sa)
{
	unsigned both = sa->peer_natt_vids & offered(sa);

	for (int m = V1_NATT_RFC3947; m > V1_NATT_NONE; m--)
		if (both & V1_NATT_OFFER(m))
			return (enum v1_natt_method)m;
	return V1_NATT_NONE;
}

void v1_p1_read_vids(struct v1_isakmp_sa *sa, const struct v1_msg *m)
{
	for (unsigned i = 0; i < m->n; i++) {
		const struct v1_payload *pl = &m->pl[i];
		const char *name;
		enum v1_vid_kind k;

		if (pl->type != V1_P_VID)
			continue;
		k = v1_vid_classify(pl->body, pl->body_len, &name);
		if (k == V1_VID_DPD)
			sa->peer_dpd = true;
		else if (k == V1_VID_FRAGMENTATION)
			sa->peer_frag = true;
		else if (v1_natt_method_of_vid(k) != V1_NATT_NONE)
			sa->peer_natt_vids |= V1_NATT_OFFER(v1_natt_method_of_vid(k));
		if (k == V1_VID_UNKNOWN)
			log_unknown_vid(sa, pl);
		else
			log_debug(&sa->sad.logger, "vendor ID %s", name);
	}
	sa->natt = choose(sa);
	if (sa->natt == V1_NATT_NONE && sa->peer_natt_vids)
		log_info(&sa->sad.logger, "NAT-T: no method in common with the peer; no NAT-T");
	else if (sa->natt != V1_NATT_NONE && sa->natt != V1_NATT_RFC3947)
		log_info(&sa->sad.logger, "NAT-T: the peer speaks %s, not RFC 3947: NAT-D/NAT-OA as "
			 "payloads 130/131, UDP encapsulation as modes 61443/61444",
			 v1_natt_method_name(sa->natt));
	else if (sa->natt == V1_NATT_RFC3947)
		log_debug(&sa->sad.logger, "NAT-T: RFC 3947");
}

/* ---- NAT-D ---- */

static size_t natd(const struct v1_isakmp_sa *sa, const struct sockaddr_storage *ss, uint8_t *out)
{
	struct hash_ctx h;
	enum hash_alg alg = (enum hash_alg)sa->choice.attrs.x_hash->hash;
	uint8_t port[2];
	uint16_t p = kernel_addr_port(ss);

	port[0] = (uint8_t)(p >> 8);
	port[1] = (uint8_t)p;
	if (hash_init(&h, alg) < 0)
		return 0;
	hash_update(&h, sa->sad.spi_i, 8);
	hash_update(&h, sa->sad.spi_r, 8);
	hash_update(&h, kernel_addr_bytes(ss), kernel_addr_len(ss));
	hash_update(&h, port, 2);
	hash_final(&h, out);
	return hash_digest_len(alg);
}

void v1_natt_build(struct v1_isakmp_sa *sa, struct v1_builder *b)
{
	uint8_t d[HASH_MAX_DIGEST];
	size_t n;

	if (sa->natt == V1_NATT_NONE)
		return;
	n = natd(sa, &sa->peer, d);
	v1_build_blob(b, v1_natt_natd_type(sa), d, n);
	n = natd(sa, &sa->local, d);
	v1_build_blob(b, v1_natt_natd_type(sa), d, n);
}

void v1_natt_check(struct v1_isakmp_sa *sa, const struct v1_msg *m, const struct v1_datagram *dg)
{
	uint8_t me[HASH_MAX_DIGEST], them[HASH_MAX_DIGEST];
	size_t n_me, n_them;
	bool first = true, peer_seen = false, me_seen = false;
	uint8_t want = v1_natt_natd_type(sa);

	if (sa->natt == V1_NATT_NONE)
		return;
	n_me = natd(sa, &dg->local, me);
	n_them = natd(sa, &dg->peer, them);
	for (unsigned i = 0; i < m->n; i++) {
		const struct v1_payload *pl = &m->pl[i];

		if (pl->type != V1_P_NAT_D && pl->type != V1_P_NAT_D_DRAFT)
			continue;
		if (pl->type != want) {
			/* the method agreed fixes the number (RFC 3947 3.2: 20; drafts: 130) */
			log_warn(&sa->sad.logger, "NAT-D as payload %u while speaking %s: ignored",
				 pl->type, v1_natt_method_name(sa->natt));
			continue;
		}
		if (first)
			me_seen = pl->body_len == n_me && memcmp(pl->body, me, n_me) == 0;
		else if (pl->body_len == n_them && memcmp(pl->body, them, n_them) == 0)
			peer_seen = true;
		first = false;
	}
	if (first)
		return; /* no NAT-D: the peer does not do NAT-T after all */
	sa->nat_local = !me_seen;
	sa->nat_peer = !peer_seen;
	if (sa->nat_local || sa->nat_peer)
		log_info(&sa->sad.logger, "NAT detected (%s%s%s, %s): IKE moves to the NAT-T port, "
			 "ESP is UDP-encapsulated",
			 sa->nat_local ? "in front of us" : "",
			 sa->nat_local && sa->nat_peer ? ", " : "",
			 sa->nat_peer ? "in front of the peer" : "", v1_natt_method_name(sa->natt));
}

void v1_natt_float(struct v1_isakmp_sa *sa)
{
	struct v1_engine *e = sa->eng;

	if (sa->floated || !(sa->nat_local || sa->nat_peer) || !e->env.natt_port)
		return;
	kernel_addr_set_port(&sa->local, e->env.natt_port);
	kernel_addr_set_port(&sa->peer, 4500);
	sa->floated = true;
	sad_change_peer(e->env.sad, &sa->sad, &sa->peer);
}
