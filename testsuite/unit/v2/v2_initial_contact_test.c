/*
 * v2_initial_contact_test.c - INITIAL_CONTACT (RFC 7296 2.4) through the
 * SAD's identity index: among many IKE SAs of many peers and two
 * connections, a new SA with INITIAL_CONTACT removes exactly the older SAs
 * of its own peer identity and connection, and nothing else.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/kernel.h"
#include "common/log.h"
#include "common/sad.h"
#include "testsuite/lib/tap.h"
#include "v2/v2_ike_sa.h"
#include "v2/v2_names.h"

#define N_SAS 20000u
#define N_PEERS 1000u /* so 20 SAs per identity, 10 in each connection */

static struct sockaddr_storage v4(uint32_t host, uint16_t port)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

	memset(&ss, 0, sizeof(ss));
	s4->sin_family = AF_INET;
	s4->sin_port = htons(port);
	s4->sin_addr.s_addr = htonl(host);
	return ss;
}

static void set_id(struct v2_ike_sa *sa, unsigned peer)
{
	char name[64];
	int n = snprintf(name, sizeof(name), "peer-%u.example.org", peer);

	v2_ike_sa_set_peer_id(sa, V2_ID_FQDN, (const uint8_t *)name, (size_t)n);
}

/* A responder SA of connection ci with peer identity `peer`, indexed. */
static struct v2_ike_sa *make_sa(struct v2_engine *e, size_t ci, unsigned peer, uint64_t n)
{
	struct sockaddr_storage local = v4(0xc0000201, 500);
	/* every SA from one address: only the identity tells peers apart */
	struct sockaddr_storage remote = v4(0xc6336401, 500);
	struct v2_ike_sa *sa = v2_ike_sa_new(e, &e->conns[ci], false, &local, &remote);
	uint8_t spi_i[8], spi_r[8];

	for (int i = 0; i < 8; i++)
		spi_i[i] = (uint8_t)(n >> (8 * i));
	if (!sa || sad_new_ike_spi(e->p.sad, 2, spi_r) ||
	    sad_add_ike(e->p.sad, &sa->sad, spi_i, spi_r, false))
		return NULL;
	sa->state = V2S_ESTABLISHED;
	set_id(sa, peer);
	return v2_initial_contact_index(sa) == 0 ? sa : NULL;
}

struct tally {
	unsigned lab, other;
};

static void count_peer(const struct v2_engine *e, unsigned peer, struct tally *t)
{
	char name[64];
	size_t n = (size_t)snprintf(name, sizeof(name), "peer-%u.example.org", peer);

	memset(t, 0, sizeof(*t));
	for (const struct v2_ike_sa *sa = e->first; sa; sa = sa->next) {
		if (!sa->peer_id || sa->peer_id->len != n || memcmp(sa->peer_id->data, name, n) != 0)
			continue;
		if (strcmp(sa->conn->name, "lab") == 0)
			t->lab++;
		else
			t->other++;
	}
}

int main(void)
{
	struct sad *sad = NULL;
	struct kernel *kernel = NULL;
	struct v2_engine *e = NULL;
	struct v2_engine_params p;
	struct v2_conn c[2];
	struct v2_ike_sa *sa, *fresh;
	struct tally t;
	bool all_made = true;
	uint64_t n = 1;
	unsigned removed, total_removed = 0;

	log_setup(LOG_TO_STDERR, LOG_LEVEL_ERROR, "v2_initial_contact_test");
	sad_new(&sad);
	kernel_open("none", &kernel);
	memset(&p, 0, sizeof(p));
	p.sad = sad;
	p.kernel = kernel;
	v2_engine_new(&p, &e);
	memset(c, 0, sizeof(c));
	snprintf(c[0].name, sizeof(c[0].name), "lab");
	snprintf(c[1].name, sizeof(c[1].name), "other");
	v2_engine_set_conns(e, c, 2);

	for (unsigned i = 0; i < N_SAS; i++)
		all_made &= make_sa(e, i & 1, (i / 2) % N_PEERS, n++) != NULL;
	tap_ok(all_made, "%u IKE SAs made and indexed by peer identity", N_SAS);
	count_peer(e, 7, &t);
	tap_ok(t.lab == 10 && t.other == 10, "peer 7 has 10 SAs in each connection (%u, %u)",
	       t.lab, t.other);

	fresh = make_sa(e, 0, 7, n++);
	removed = fresh ? v2_initial_contact(fresh) : 0;
	tap_eq_int(removed, 10, "INITIAL_CONTACT removed peer 7's 10 older SAs of its connection");
	count_peer(e, 7, &t);
	tap_ok(t.lab == 1 && t.other == 10, "peer 7 keeps the new SA and the other connection's (%u, %u)",
	       t.lab, t.other);
	tap_eq_int(e->n_sas, N_SAS + 1 - 10, "no other SA was touched");
	count_peer(e, 8, &t);
	tap_ok(t.lab == 10 && t.other == 10, "peer 8 untouched (%u, %u)", t.lab, t.other);

	tap_eq_int(fresh ? v2_initial_contact(fresh) : 99, 0, "a second INITIAL_CONTACT finds nothing more");

	/* a peer never seen: nothing to remove, the new SA stays */
	sa = make_sa(e, 0, N_PEERS + 5, n++);
	tap_eq_int(sa ? v2_initial_contact(sa) : 99, 0, "a new identity removes nothing");

	/* an SA whose identity is not known yet is neither found nor a finder */
	sa = make_sa(e, 0, 9, n++);
	if (sa) {
		free(sa->peer_id);
		sa->peer_id = NULL;
	}
	tap_eq_int(sa ? v2_initial_contact(sa) : 99, 0, "no identity yet: nothing removed");

	/* every remaining peer of "lab" reconnects once: each removes exactly its own 10 */
	for (unsigned peer = 0; peer < N_PEERS; peer++) {
		if (peer == 7)
			continue;
		fresh = make_sa(e, 0, peer, n++);
		removed = fresh ? v2_initial_contact(fresh) : 0;
		total_removed += removed == 10 ? 10 : 100000;
	}
	tap_eq_int(total_removed, (N_PEERS - 1) * 10, "each of %u peers removed exactly its 10 SAs",
		   N_PEERS - 1);
	count_peer(e, 500, &t);
	tap_ok(t.lab == 1 && t.other == 10, "peer 500 after: 1 in lab, 10 in other (%u, %u)", t.lab,
	       t.other);
	tap_eq_int(sad_count(sad, SAD_KIND_IKE), e->n_sas, "the SAD holds exactly the engine's SAs");

	v2_engine_free(e);
	kernel_close(kernel);
	sad_free(sad);
	return tap_done();
}
