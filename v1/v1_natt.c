/*
 * v1_natt.c - NAT traversal for IKEv1 (RFC 3947).
 *
 * When both sides sent the RFC 3947 vendor ID, messages 3 and 4 of Main
 * Mode (2 and 3 of Aggressive Mode) carry NAT-D payloads (3.2):
 *   HASH = hash(CKY-I | CKY-R | IP | Port)
 * the first for the address the message is sent to, the others for the
 * sender's own. A mismatch means a NAT on that side; then the initiator
 * moves to port 4500 for the rest (4), IKE messages there start with the
 * non-ESP marker (RFC 3948 2.2), and ESP is UDP-encapsulated (5).
 */
#include <string.h>

#include "common/hash.h"
#include "common/kernel.h"
#include "common/log.h"
#include "v1/v1_sa.h"

static uint16_t port_of(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)ss)->sin_port);
	if (ss->ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
	return 0;
}

static void set_port(struct sockaddr_storage *ss, uint16_t port)
{
	if (ss->ss_family == AF_INET)
		((struct sockaddr_in *)ss)->sin_port = htons(port);
	else if (ss->ss_family == AF_INET6)
		((struct sockaddr_in6 *)ss)->sin6_port = htons(port);
}

static size_t natd(const struct v1_isakmp_sa *sa, const struct sockaddr_storage *ss, uint8_t *out)
{
	struct hash_ctx h;
	enum hash_alg alg = (enum hash_alg)sa->choice.attrs.x_hash->hash;
	uint8_t port[2];
	uint16_t p = port_of(ss);

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

	if (!sa->peer_natt)
		return;
	n = natd(sa, &sa->peer, d);
	v1_build_blob(b, V1_P_NAT_D, d, n);
	n = natd(sa, &sa->local, d);
	v1_build_blob(b, V1_P_NAT_D, d, n);
}

void v1_natt_check(struct v1_isakmp_sa *sa, const struct v1_msg *m, const struct v1_datagram *dg)
{
	uint8_t me[HASH_MAX_DIGEST], them[HASH_MAX_DIGEST];
	size_t n_me, n_them;
	bool first = true, peer_seen = false, me_seen = false;

	if (!sa->peer_natt)
		return;
	n_me = natd(sa, &dg->local, me);
	n_them = natd(sa, &dg->peer, them);
	for (unsigned i = 0; i < m->n; i++) {
		const struct v1_payload *pl = &m->pl[i];

		if (pl->type != V1_P_NAT_D && pl->type != V1_P_NAT_D_DRAFT)
			continue;
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
		log_info(&sa->sad.logger, "NAT detected (%s%s%s): IKE moves to the NAT-T port, ESP is UDP-encapsulated",
			 sa->nat_local ? "in front of us" : "",
			 sa->nat_local && sa->nat_peer ? ", " : "",
			 sa->nat_peer ? "in front of the peer" : "");
}

void v1_natt_float(struct v1_isakmp_sa *sa)
{
	struct v1_engine *e = sa->eng;

	if (sa->floated || !(sa->nat_local || sa->nat_peer) || !e->env.natt_port)
		return;
	set_port(&sa->local, e->env.natt_port);
	set_port(&sa->peer, 4500);
	sa->floated = true;
	sad_change_peer(e->env.sad, &sa->sad, &sa->peer);
}
