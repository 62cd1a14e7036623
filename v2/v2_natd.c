/*
 * v2_natd.c - NAT detection (RFC 7296 2.23): NAT_DETECTION_SOURCE_IP and
 * NAT_DETECTION_DESTINATION_IP carry SHA-1(SPIi | SPIr | IP | port) of the
 * sender's and the receiver's address as the sender sees them; a mismatch
 * on receipt means a NAT rewrote one of them.
 */
#include <string.h>

#include <netinet/in.h>

#include "common/err.h"
#include "common/hash.h"
#include "common/log.h"
#include "v2/v2_ike_sa.h"
#include "v2/v2_names.h"

int v2_natd_hash(const uint8_t spi_i[8], const uint8_t spi_r[8],
		 const struct sockaddr_storage *addr, uint8_t out[20])
{
	struct hash_ctx h;
	const void *ip;
	size_t ip_len;
	uint16_t port;

	if (addr->ss_family == AF_INET) {
		const struct sockaddr_in *s = (const struct sockaddr_in *)addr;

		ip = &s->sin_addr;
		ip_len = 4;
		port = s->sin_port; /* network order, as on the wire */
	} else if (addr->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s = (const struct sockaddr_in6 *)addr;

		ip = &s->sin6_addr;
		ip_len = 16;
		port = s->sin6_port;
	} else {
		return ERR_INVAL;
	}
	if (hash_init(&h, HASH_SHA1))
		return ERR_CRYPTO;
	hash_update(&h, spi_i, 8);
	hash_update(&h, spi_r, 8);
	hash_update(&h, ip, ip_len);
	hash_update(&h, &port, 2);
	hash_final(&h, out);
	return 0;
}

int v2_natd_put(struct v2_chain *c, const uint8_t spi_i[8], const uint8_t spi_r[8],
		const struct sockaddr_storage *src, const struct sockaddr_storage *dst)
{
	uint8_t hs[20], hd[20];
	int rc;

	if ((rc = v2_natd_hash(spi_i, spi_r, src, hs)) || (rc = v2_natd_hash(spi_i, spi_r, dst, hd)))
		return rc;
	rc = v2_put_notify(c, V2_PROTO_NONE, NULL, 0, V2_N_NAT_DETECTION_SOURCE_IP, hs, 20);
	if (rc == 0)
		rc = v2_put_notify(c, V2_PROTO_NONE, NULL, 0, V2_N_NAT_DETECTION_DESTINATION_IP, hd, 20);
	return rc;
}

void v2_natd_check(struct v2_ike_sa *sa, const struct v2_msg *m,
		   const struct sockaddr_storage *src, const struct sockaddr_storage *dst)
{
	uint8_t want[20];
	struct v2_notify n;
	const struct v2_payload *p;
	bool any = false, match = false;

	/* several SOURCE_IP notifies: a multihomed sender; any match will do */
	for (p = v2_msg_find(m, V2_PT_N); p; p = v2_msg_next(m, p, V2_PT_N)) {
		if (v2_parse_notify(p->body, &n) || n.type != V2_N_NAT_DETECTION_SOURCE_IP)
			continue;
		any = true;
		if (v2_natd_hash(m->hdr.spi_i, m->hdr.spi_r, src, want) == 0 && n.data.len == 20 &&
		    memcmp(n.data.p, want, 20) == 0)
			match = true;
	}
	if (!any)
		return; /* the peer does not do NAT-T */
	sa->nat_peer = !match;
	if (v2_msg_find_notify(m, V2_N_NAT_DETECTION_DESTINATION_IP, &n) &&
	    v2_natd_hash(m->hdr.spi_i, m->hdr.spi_r, dst, want) == 0)
		v2_nat_state_set(sa, n.data.len != 20 || memcmp(n.data.p, want, 20) != 0);
	if (sa->nat_peer || sa->nat_local)
		log_info(&sa->sad.logger, "NAT detected:%s%s", sa->nat_local ? " in front of us" : "",
			 sa->nat_peer ? " in front of the peer" : "");
}
