/*
 * v1_proposal_test.c - phase-1 and Quick Mode selection: the first
 * acceptable transform in the initiator's order, key lengths, lifetimes
 * (basic and variable form), bundles and PFS refused with reasons, and the
 * side-by-side text of NO-PROPOSAL-CHOSEN.
 */
#include <stdio.h>
#include <string.h>

#include "common/err.h"
#include "testsuite/lib/tap.h"
#include "v1/v1_msg.h"
#include "v1/v1_proposal.h"

static uint8_t buf[2048];

/* A multi-line text as TAP diagnostics, one "# " line each. */
static void diag_lines(const char *text)
{
	while (*text) {
		size_t n = strcspn(text, "\n");

		tap_diag("%.*s", (int)n, text);
		text += n + (text[n] == '\n');
	}
}
static struct v1_msg msg;
static struct v1_sa sa;

struct p1_offer {
	uint16_t encr, keylen, hash, group, auth;
	uint64_t life;
};

static bool parse_built(struct v1_builder *b)
{
	size_t len;

	return v1_build_finish(b, &len) == 0 && v1_msg_parse(buf, len, &msg, NULL) == 0 &&
	       v1_sa_parse(&msg.pl[0], &sa, NULL) == 0;
}

static bool offer_p1(const struct p1_offer *o, size_t n)
{
	static const struct v1_hdr h = { .cky_i = { 1 }, .exch = V1_EXCH_IDPROT };
	struct wr w;
	struct v1_builder b;

	wr_init(&w, buf, sizeof(buf));
	v1_build_start(&b, &w, &h);
	v1_build_sa_begin(&b, V1_DOI_IPSEC, V1_SIT_IDENTITY_ONLY);
	v1_build_proposal_begin(&b, 1, V1_PROTO_ISAKMP, NULL, 0);
	for (size_t i = 0; i < n; i++) {
		struct v1_p1_attrs a = { .encr = o[i].encr, .key_len = o[i].keylen, .hash = o[i].hash,
					 .group = o[i].group, .auth = o[i].auth,
					 .life_seconds = o[i].life };

		v1_build_transform_begin(&b, (uint8_t)(i + 1), V1_KEY_IKE);
		v1_attr_encode_p1(b.w, &a);
		v1_build_transform_end(&b);
	}
	v1_build_proposal_end(&b);
	v1_build_sa_end(&b);
	return parse_built(&b);
}

static void test_phase1(void)
{
	const struct xform *encr[] = { xform_by_name("aes256"), xform_by_name("aes128") };
	const struct xform *hash[] = { xform_by_name("prfsha256") };
	const struct xform *group[] = { xform_by_name("modp2048") };
	struct v1_p1_policy pol = { encr, 2, hash, 1, group, 1, V1_AUTH_PSK, 28800 };
	struct v1_p1_choice ch;
	struct v1_err e = { 0 };
	char why[4096];
	const struct p1_offer offers[] = {
		{ 5, 0, 2, 2, V1_AUTH_PSK, 86400 },     /* 3DES/SHA1/MODP1024: not ours */
		{ 7, 128, 4, 14, V1_AUTH_PSK, 86400 },  /* acceptable: first in their order */
		{ 7, 256, 4, 14, V1_AUTH_PSK, 3600 },   /* also acceptable, our first cipher */
	};

	tap_ok(offer_p1(offers, 3), "phase-1 SA with 3 transforms built and parsed");
	tap_ok(v1_select_p1(&sa, &pol, 1, &ch, why, sizeof(why), &e) == 0 &&
	       ch.transform_number == 2, "the initiator's first acceptable transform (#2), not ours");
	tap_ok(ch.attrs.x_encr && ch.attrs.x_encr->key_bits == 128, "with its key length 128");
	tap_ok(ch.life_seconds == 28800 && ch.life_reduced, "86400 s offered, lowered to our 28800");
	pol.life_seconds = 0;
	tap_ok(v1_select_p1(&sa, &pol, 1, &ch, why, sizeof(why), &e) == 0 && ch.life_seconds == 86400 &&
	       !ch.life_reduced, "without a local lifetime: theirs (86400, variable form)");
	tap_ok(offer_p1(&offers[2], 1) &&
	       v1_select_p1(&sa, &pol, 1, &ch, why, sizeof(why), &e) == 0 && ch.life_seconds == 3600,
	       "3600 s (basic form) taken");

	{
		const struct p1_offer bad[] = { { 7, 192, 4, 14, V1_AUTH_PSK, 0 },
						{ 7, 128, 4, 14, V1_AUTH_RSA_SIG, 0 },
						{ 7, 128, 4, 5, V1_AUTH_PSK, 0 } };

		tap_ok(offer_p1(bad, 3), "three unacceptable transforms");
		tap_ok(v1_select_p1(&sa, &pol, 1, &ch, why, sizeof(why), &e) == ERR_NOTFOUND &&
		       e.notify == V1_N_NO_PROPOSAL_CHOSEN, "NO-PROPOSAL-CHOSEN");
		tap_ok(strstr(why, "P1 T1 aes192") && strstr(why, "cipher not accepted") &&
		       strstr(why, "authentication method differs") && strstr(why, "group not accepted") &&
		       strstr(why, "aes256/aes128 prfsha256 modp2048"),
		       "the side-by-side text names each refusal and our proposal");
		diag_lines(why);
	}
}

static bool offer_qm(unsigned nprop, const uint8_t *numbers, const uint8_t *protos,
		     const struct v1_ipsec_attrs *xf, const uint8_t *ids)
{
	static const struct v1_hdr h = { .cky_i = { 1 }, .exch = V1_EXCH_QUICK };
	static const uint8_t spi[4] = { 0xca, 0xfe, 0x00, 0x01 };
	struct wr w;
	struct v1_builder b;

	wr_init(&w, buf, sizeof(buf));
	v1_build_start(&b, &w, &h);
	v1_build_sa_begin(&b, V1_DOI_IPSEC, V1_SIT_IDENTITY_ONLY);
	for (unsigned i = 0; i < nprop; i++) {
		v1_build_proposal_begin(&b, numbers[i], protos[i], spi, 4);
		v1_build_transform_begin(&b, 1, ids[i]);
		v1_attr_encode_ipsec(b.w, &xf[i]);
		v1_build_transform_end(&b);
		v1_build_proposal_end(&b);
	}
	v1_build_sa_end(&b);
	return parse_built(&b);
}

static void test_quick(void)
{
	const struct xform *encr[] = { xform_by_name("aes128"), xform_by_name("aes128gcm16") };
	const struct xform *integ[] = { xform_by_name("sha256") };
	const struct xform *group[] = { xform_by_name("modp2048") };
	struct v1_qm_policy pol = { encr, 2, integ, 1, NULL, 0, V1_ENCAP_TUNNEL, false, 3600, 0 };
	struct v1_qm_choice ch;
	struct v1_err e = { 0 };
	char why[4096];
	const struct v1_ipsec_attrs x[] = {
		{ .encap = 1, .auth = 2, .key_len = 128, .life_seconds = 28800 },  /* ESP AH-bundle part */
		{ .encap = 1, .auth = 5, .key_len = 128, .life_seconds = 28800 },
		{ .encap = 1, .key_len = 128, .life_seconds = 1800, .life_kbytes = 100000 },
	};

	/* P1 = AH+ESP bundle, P2 = ESP AES-GCM-16 */
	tap_ok(offer_qm(3, (const uint8_t[]){ 1, 1, 2 },
			(const uint8_t[]){ V1_PROTO_IPSEC_AH, V1_PROTO_IPSEC_ESP, V1_PROTO_IPSEC_ESP }, x,
			(const uint8_t[]){ 3, 12, 20 }), "QM SA: AH+ESP bundle, then ESP AES-GCM");
	tap_ok(v1_select_qm(&sa, &pol, 1, &ch, why, sizeof(why), &e) == 0 && ch.proposal_number == 2 &&
	       ch.attrs.x_encr == encr[1] && ch.spi[0] == 0xca, "the bundle skipped, AES-GCM chosen with its SPI");
	tap_ok(ch.life_seconds == 1800 && !ch.life_reduced && ch.life_kbytes == 100000,
	       "lifetimes: 1800 s and 100000 KB, theirs");
	tap_ok(offer_qm(1, (const uint8_t[]){ 1 }, (const uint8_t[]){ V1_PROTO_IPSEC_ESP }, &x[1],
			(const uint8_t[]){ 12 }) &&
	       v1_select_qm(&sa, &pol, 1, &ch, why, sizeof(why), &e) == 0 && ch.life_seconds == 3600 &&
	       ch.life_reduced, "28800 s offered, lowered to 3600 (send RESPONDER-LIFETIME)");
	pol.group = group;
	pol.n_group = 1;
	tap_ok(v1_select_qm(&sa, &pol, 1, &ch, why, sizeof(why), &e) == ERR_NOTFOUND &&
	       strstr(why, "we require PFS"), "PFS required, none offered: refused");
	pol.n_group = 0;
	pol.encap = V1_ENCAP_TRANSPORT;
	tap_ok(v1_select_qm(&sa, &pol, 1, &ch, why, sizeof(why), &e) == ERR_NOTFOUND &&
	       strstr(why, "encapsulation mode differs"), "tunnel offered, transport wanted: refused");
	pol.encap = V1_ENCAP_TUNNEL;
	tap_ok(offer_qm(3, (const uint8_t[]){ 1, 1, 2 },
			(const uint8_t[]){ V1_PROTO_IPSEC_AH, V1_PROTO_IPSEC_ESP, V1_PROTO_IPSEC_ESP }, x,
			(const uint8_t[]){ 3, 12, 3 }) &&
	       v1_select_qm(&sa, &pol, 1, &ch, why, sizeof(why), &e) == ERR_NOTFOUND &&
	       strstr(why, "bundles) are not supported") && strstr(why, "ESP aes128/aes128gcm16 sha256"),
	       "bundle and 3DES refused: both named in the text");
	diag_lines(why);
	{
		struct v1_ipsec_attrs u = { .encap = V1_ENCAP_UDP_TUNNEL, .auth = 5, .key_len = 128 };

		pol.udp_encap = true;
		tap_ok(offer_qm(1, (const uint8_t[]){ 1 }, (const uint8_t[]){ V1_PROTO_IPSEC_ESP }, &u,
				(const uint8_t[]){ 12 }) &&
		       v1_select_qm(&sa, &pol, 1, &ch, why, sizeof(why), &e) == 0 &&
		       ch.life_seconds == 3600, "UDP-encapsulated tunnel under NAT; no lifetime offered: ours");
	}
}

int main(void)
{
	test_phase1();
	test_quick();
	return tap_done();
}
