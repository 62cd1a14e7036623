/*
 * v2_proposal_test.c - proposal selection (RFC 7296 2.7, 3.3): success
 * with several proposals, the KE payload group preference and the
 * INVALID_KE decision, NO_PROPOSAL_CHOSEN with the side-by-side text,
 * AEAD + integrity refused, Key Length handling, child proposals with KE
 * NONE and ESN, and the initiator's check of the answer.
 */
#include <stdarg.h>
#include <string.h>

#include "common/err.h"
#include "testsuite/lib/tap.h"
#include "v2/v2_names.h"
#include "v2/v2_proposal.h"

/* A local proposal from config tokens (NULL-terminated). */
static struct v2_local_prop local(int protocol, int ke_none, ...)
{
	struct v2_local_prop lp = { .protocol = (uint8_t)protocol, .ke_none = ke_none != 0 };
	va_list ap;
	const char *name;

	va_start(ap, ke_none);
	while ((name = va_arg(ap, const char *)) != NULL)
		lp.xforms[lp.n_xforms++] = xform_by_name(name);
	va_end(ap);
	return lp;
}

/* Add a peer proposal: triples type, id, key bits (-1 = no attribute), ending with 0. */
static void peer_prop(struct v2_sa *sa, int protocol, ...)
{
	struct v2_sa_prop *p;
	va_list ap;
	int type;
	static const uint8_t spi[8] = { 0xaa, 0xbb, 0xcc, 0xdd };

	v2_sa_add_prop(sa, (uint8_t)(sa->n_props + 1), (uint8_t)protocol, spi,
		       protocol == V2_PROTO_IKE ? 0 : 4, &p);
	va_start(ap, protocol);
	while ((type = va_arg(ap, int)) != 0) {
		int id = va_arg(ap, int), bits = va_arg(ap, int);

		v2_sa_add_xform(sa, p, (uint8_t)type, (uint16_t)id, bits < 0 ? 0 : (uint16_t)bits,
				bits >= 0);
	}
	va_end(ap);
}

static void test_ike(void)
{
	struct v2_sa peer = { 0 };
	struct v2_chosen c;
	struct v2_local_prop lp[2];

	/* Peer: #1 AES-CBC-128/SHA1/MODP1024, #2 AES-CBC-256/SHA256 PRF/SHA256/{MODP2048, X25519}. */
	peer_prop(&peer, V2_PROTO_IKE, 1, 12, 128, 2, 2, -1, 3, 2, -1, 4, 2, -1, 0);
	peer_prop(&peer, V2_PROTO_IKE, 1, 12, 256, 2, 5, -1, 3, 12, -1, 4, 14, -1, 4, 31, -1, 0);
	lp[0] = local(V2_PROTO_IKE, false, "aes256gcm16", "prfsha384", "ecp384", NULL);
	lp[1] = local(V2_PROTO_IKE, false, "aes256", "aes128", "prfsha256", "sha256", "x25519",
		      "modp2048", NULL);
	tap_eq_int(v2_proposal_select(&peer, V2_PROTO_IKE, lp, 2, 14, &c), 0,
		   "IKE: a proposal is chosen");
	tap_ok(c.number == 2 && c.local_index == 1 && c.encr == xform_by_name("aes256") &&
	       c.prf == xform_by_name("prfsha256") && c.integ == xform_by_name("sha256") &&
	       c.ke == xform_by_name("modp2048") && !c.esn,
	       "IKE: peer #2 with AES-CBC-256, PRF/INTEG SHA-256, MODP-2048 (the KE payload's)");
	tap_ok(!v2_chosen_needs_invalid_ke(&c, 14), "IKE: KE payload group fits, no INVALID_KE");
	tap_eq_int(v2_proposal_select(&peer, V2_PROTO_IKE, lp, 2, 19, &c), 0,
		   "IKE: KE payload with a group outside the proposal");
	tap_ok(c.ke == xform_by_name("modp2048") && v2_chosen_needs_invalid_ke(&c, 19),
	       "IKE: chosen group MODP-2048 (initiator's order) != KE payload 19: INVALID_KE");
	tap_eq_int(v2_proposal_select(&peer, V2_PROTO_IKE, lp, 2, 31, &c), 0, "IKE: KE payload 31");
	tap_ok(c.ke == xform_by_name("x25519") && !v2_chosen_needs_invalid_ke(&c, 31),
	       "IKE: the KE payload's group is preferred when acceptable");
	tap_eq_int(v2_proposal_select(&peer, V2_PROTO_ESP, lp, 2, 0, &c), ERR_NOTFOUND,
		   "IKE proposals do not answer an ESP selection");
}

static void test_refusals(void)
{
	struct v2_sa peer = { 0 };
	struct v2_chosen c;
	struct v2_local_prop lp = local(V2_PROTO_IKE, false, "aes128gcm16", "aes256", "prfsha256",
					"sha256", "ecp256", NULL);
	char text[2048];

	/* AEAD with an integrity transform: refused; then with INTEG NONE: fine. */
	peer_prop(&peer, V2_PROTO_IKE, 1, 20, 128, 2, 5, -1, 3, 12, -1, 4, 19, -1, 0);
	tap_eq_int(v2_proposal_select(&peer, V2_PROTO_IKE, &lp, 1, 19, &c), ERR_NOTFOUND,
		   "AEAD + HMAC-SHA2-256 refused (RFC 5282 8)");
	memset(&peer, 0, sizeof(peer));
	peer_prop(&peer, V2_PROTO_IKE, 1, 20, 128, 2, 5, -1, 3, 0, -1, 4, 19, -1, 0);
	tap_ok(v2_proposal_select(&peer, V2_PROTO_IKE, &lp, 1, 19, &c) == 0 && !c.integ &&
	       c.encr->aead, "AEAD + INTEG NONE accepted, no integrity chosen");
	/* Missing PRF, missing KE. */
	memset(&peer, 0, sizeof(peer));
	peer_prop(&peer, V2_PROTO_IKE, 1, 20, 128, 4, 19, -1, 0);
	peer_prop(&peer, V2_PROTO_IKE, 1, 20, 128, 2, 5, -1, 0);
	tap_eq_int(v2_proposal_select(&peer, V2_PROTO_IKE, &lp, 1, 19, &c), ERR_NOTFOUND,
		   "proposals without PRF / without KE skipped");
	/* Key lengths: AES-CBC-192 not configured; no attribute means the default 128. */
	memset(&peer, 0, sizeof(peer));
	peer_prop(&peer, V2_PROTO_IKE, 1, 12, 192, 2, 5, -1, 3, 12, -1, 4, 19, -1, 0);
	tap_eq_int(v2_proposal_select(&peer, V2_PROTO_IKE, &lp, 1, 19, &c), ERR_NOTFOUND,
		   "AES-CBC Key Length 192 not accepted by a 256-only config");
	v2_proposal_mismatch_text(&peer, &lp, 1, text, sizeof(text));
	tap_ok(strstr(text, "peer") && strstr(text, "| local") &&
	       strstr(text, "#1 IKE: ENCR_AES_CBC/192, PRF_HMAC_SHA2_256") &&
	       strstr(text, "| #1 IKE: ENCR_AES_GCM_16/128, ENCR_AES_CBC/256"),
	       "NO_PROPOSAL_CHOSEN text has both sides side by side");
	tap_diag("%s", text);
	memset(&peer, 0, sizeof(peer));
	peer_prop(&peer, V2_PROTO_IKE, 1, 12, 256, 2, 5, -1, 3, 12, -1, 4, 19, -1, 0);
	tap_eq_int(v2_proposal_select(&peer, V2_PROTO_IKE, &lp, 1, 19, &c), 0,
		   "AES-CBC Key Length 256 accepted");
	memset(&peer, 0, sizeof(peer));
	peer_prop(&peer, V2_PROTO_IKE, 1, 12, -1, 2, 5, -1, 3, 12, -1, 4, 19, -1, 0);
	tap_eq_int(v2_proposal_select(&peer, V2_PROTO_IKE, &lp, 1, 19, &c), ERR_NOTFOUND,
		   "AES-CBC without Key Length = default 128, not configured");
	memset(&peer, 0, sizeof(peer));
	peer_prop(&peer, V2_PROTO_IKE, 1, 12, 256, 2, 5, 256, 3, 12, -1, 4, 19, -1, 0);
	tap_eq_int(v2_proposal_select(&peer, V2_PROTO_IKE, &lp, 1, 19, &c), ERR_NOTFOUND,
		   "Key Length on a PRF makes it unacceptable");
	/* Unknown transform type sinks the proposal, unknown ID is just ignored. */
	memset(&peer, 0, sizeof(peer));
	peer_prop(&peer, V2_PROTO_IKE, 1, 12, 256, 2, 5, -1, 3, 12, -1, 4, 19, -1, 6, 1, -1, 0);
	peer_prop(&peer, V2_PROTO_IKE, 1, 99, -1, 1, 12, 256, 2, 5, -1, 3, 12, -1, 4, 19, -1, 0);
	tap_ok(v2_proposal_select(&peer, V2_PROTO_IKE, &lp, 1, 19, &c) == 0 && c.number == 2,
	       "unknown type 6 skips #1; unknown ENCR 99 in #2 is ignored");
	v2_proposal_mismatch_text(&peer, &lp, 1, text, 40);
	tap_ok(strlen(text) == 39 && strcmp(text + 36, "...") == 0, "text truncated with ...");
}

static void test_child(void)
{
	struct v2_sa peer = { 0 }, offer, ans;
	struct v2_chosen c, back;
	struct v2_local_prop lp[2];
	const uint8_t my_spi[4] = { 1, 2, 3, 4 };

	lp[0] = local(V2_PROTO_ESP, true, "aes256gcm16", "ecp256", NULL);
	lp[1] = local(V2_PROTO_ESP, false, "aes128", "sha256", "esn", "noesn", NULL);
	/* Peer ESP without KE and without ESN: accepted (no PFS, no ESN). */
	peer_prop(&peer, V2_PROTO_ESP, 1, 20, 256, 0);
	tap_ok(v2_proposal_select(&peer, V2_PROTO_ESP, lp, 2, 0, &c) == 0 && !c.ke &&
	       c.esn == xform_by_name("noesn") && c.spi_size == 4 && c.spi[0] == 0xaa,
	       "ESP: GCM without KE and ESN: no PFS, no ESN, peer SPI kept");
	/* Peer offers KE NONE and ECP-256: the group wins. */
	memset(&peer, 0, sizeof(peer));
	peer_prop(&peer, V2_PROTO_ESP, 1, 20, 256, 4, 0, -1, 4, 19, -1, 5, 0, -1, 0);
	tap_ok(v2_proposal_select(&peer, V2_PROTO_ESP, lp, 2, 19, &c) == 0 &&
	       c.ke == xform_by_name("ecp256"), "ESP: KE NONE or ECP-256: ECP-256 chosen");
	/* CBC proposal without INTEG is refused; with it, ESN from the peer's order. */
	memset(&peer, 0, sizeof(peer));
	peer_prop(&peer, V2_PROTO_ESP, 1, 12, 128, 5, 1, -1, 0);
	tap_eq_int(v2_proposal_select(&peer, V2_PROTO_ESP, lp, 2, 0, &c), ERR_NOTFOUND,
		   "ESP: AES-CBC without integrity refused");
	memset(&peer, 0, sizeof(peer));
	peer_prop(&peer, V2_PROTO_ESP, 1, 12, 128, 3, 12, -1, 5, 1, -1, 5, 0, -1, 0);
	tap_ok(v2_proposal_select(&peer, V2_PROTO_ESP, lp, 2, 0, &c) == 0 &&
	       c.esn == xform_by_name("esn") && c.local_index == 1, "ESP: CBC+SHA256, ESN chosen");
	/* lp[1] has no KE and ke_none false: a peer that insists on PFS is refused. */
	memset(&peer, 0, sizeof(peer));
	peer_prop(&peer, V2_PROTO_ESP, 1, 12, 128, 3, 12, -1, 4, 19, -1, 5, 0, -1, 0);
	tap_eq_int(v2_proposal_select(&peer, V2_PROTO_ESP, &lp[1], 1, 19, &c), ERR_NOTFOUND,
		   "ESP: peer insists on a group (no KE NONE), none configured: refused");

	/* Initiator side: offer, answer, accept. */
	tap_eq_int(v2_proposal_offer(lp, 2, my_spi, 4, &offer), 0, "offer: built");
	tap_ok(offer.n_props == 2 && offer.props[0].n_xforms == 4 && offer.props[1].n_xforms == 4 &&
	       offer.xforms[2].type == XFORM_KE && offer.xforms[2].id == 0,
	       "offer: #1 GCM, ECP-256, KE NONE, ESN none added; #2 CBC, SHA256, 2 ESN");
	tap_eq_int(v2_proposal_select(&offer, V2_PROTO_ESP, lp, 2, 0, &c), 0,
		   "offer: acceptable to the same config");
	tap_eq_int(v2_proposal_answer(&c, my_spi, 4, &ans), 0, "answer: built");
	tap_ok(ans.n_props == 1 && ans.props[0].number == c.number, "answer: one proposal, same number");
	tap_ok(v2_proposal_accept_answer(&ans, V2_PROTO_ESP, lp, 2, &back) == 0 &&
	       back.encr == c.encr && back.ke == c.ke && back.esn == c.esn,
	       "accept_answer: the answer matches what was offered");
	v2_sa_add_xform(&ans, &ans.props[0], XFORM_ENCR, 12, 128, true);
	tap_eq_int(v2_proposal_accept_answer(&ans, V2_PROTO_ESP, lp, 2, &back), ERR_NOTFOUND,
		   "accept_answer: two ENCR transforms refused");
	memset(&ans, 0, sizeof(ans));
	peer_prop(&ans, V2_PROTO_ESP, 1, 20, 128, 5, 0, -1, 0);
	tap_eq_int(v2_proposal_accept_answer(&ans, V2_PROTO_ESP, lp, 2, &back), ERR_NOTFOUND,
		   "accept_answer: GCM-128 was never offered");
}

int main(void)
{
	test_ike();
	test_refusals();
	test_child();
	return tap_done();
}
