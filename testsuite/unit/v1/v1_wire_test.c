/*
 * v1_wire_test.c - every payload built with the builder and parsed back
 * (RFC 2408 3, RFC 2407 4.6.2, RFC 3947 5.1), vendor IDs recognised, and
 * each payload parser refusing truncated, overlong and empty bodies.
 */
#include <string.h>

#include "common/err.h"
#include "testsuite/lib/tap.h"
#include "v1/v1_attr.h"
#include "v1/v1_msg.h"

static const struct v1_hdr hdr = {
	.cky_i = { 1, 2, 3, 4, 5, 6, 7, 8 }, .exch = V1_EXCH_IDPROT,
};

static uint8_t buf[4096];

static size_t build_all(void)
{
	static const uint8_t spi4[4] = { 0xc0, 0xff, 0xee, 0x01 };
	static const uint8_t ke[128] = { 0x11 }, nonce[16] = { 0x22 }, hash[20] = { 0x33 };
	static const uint8_t sig[64] = { 0x44 }, cert[] = "certificate", ca[] = "ca-dn";
	static const uint8_t fqdn[] = "vpn.example.org", natd[20] = { 0x55 };
	static const uint8_t v4[4] = { 192, 0, 2, 0 }, v6[16] = { 0x20, 0x01, 0x0d, 0xb8 };
	static const uint8_t spis[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	struct wr w;
	struct v1_builder b;
	struct v1_id id;
	struct v1_notify n = { .doi = V1_DOI_IPSEC, .protocol = V1_PROTO_IPSEC_ESP, .spi_size = 4,
			       .type = V1_N_RESPONDER_LIFETIME, .spi = spi4, .data = nonce, .data_len = 4 };
	struct v1_delete d = { .doi = V1_DOI_IPSEC, .protocol = V1_PROTO_IPSEC_ESP, .spi_size = 4,
			       .n_spis = 2, .spis = spis };
	struct v1_natoa oa = { .family = 6 };
	size_t len, vlen;
	const uint8_t *vid = v1_vid_bytes(V1_VID_DPD, &vlen);

	memcpy(oa.addr, v6, 16);
	wr_init(&w, buf, sizeof(buf));
	v1_build_start(&b, &w, &hdr);
	v1_build_sa_begin(&b, V1_DOI_IPSEC, V1_SIT_IDENTITY_ONLY);
	v1_build_proposal_begin(&b, 1, V1_PROTO_IPSEC_ESP, spi4, 4);
	v1_build_transform_begin(&b, 1, 12);
	v1_attr_put_basic(b.w, V1_IPSEC_KEY_LENGTH, 256);
	v1_build_transform_end(&b);
	v1_build_transform_begin(&b, 2, 3);
	v1_build_transform_end(&b);
	v1_build_proposal_end(&b);
	v1_build_proposal_begin(&b, 2, V1_PROTO_IPSEC_ESP, spi4, 4);
	v1_build_transform_begin(&b, 1, 20);
	v1_build_transform_end(&b);
	v1_build_proposal_end(&b);
	v1_build_sa_end(&b);
	v1_build_blob(&b, V1_P_KE, ke, sizeof(ke));
	v1_build_blob(&b, V1_P_NONCE, nonce, sizeof(nonce));
	v1_id_set_subnet(&id, 4, v4, 24);
	id.protocol = 17;
	id.port = 500;
	v1_build_id(&b, &id);
	v1_id_set_subnet(&id, 6, v6, 48);
	v1_build_id(&b, &id);
	v1_id_set_range(&id, 4, v4, (const uint8_t[]){ 192, 0, 2, 99 });
	v1_build_id(&b, &id);
	v1_id_set_addr(&id, 6, v6);
	v1_build_id(&b, &id);
	v1_id_set_data(&id, V1_ID_FQDN, fqdn, sizeof(fqdn) - 1);
	v1_build_id(&b, &id);
	v1_build_cert(&b, V1_P_CERT, V1_CERT_X509_SIG, cert, sizeof(cert) - 1);
	v1_build_cert(&b, V1_P_CR, V1_CERT_X509_SIG, ca, sizeof(ca) - 1);
	v1_build_blob(&b, V1_P_HASH, hash, sizeof(hash));
	v1_build_blob(&b, V1_P_SIG, sig, sizeof(sig));
	v1_build_notify(&b, &n);
	v1_build_delete(&b, &d);
	v1_build_blob(&b, V1_P_VID, vid, vlen);
	v1_build_blob(&b, V1_P_NAT_D, natd, sizeof(natd));
	v1_build_blob(&b, V1_P_NAT_D_DRAFT, natd, sizeof(natd));
	v1_build_natoa(&b, V1_P_NAT_OA, &oa);
	if (v1_build_finish(&b, &len) < 0)
		return 0;
	return len;
}

static void test_round_trip(void)
{
	size_t len = build_all();
	struct v1_msg m;
	struct v1_err e = { 0 };
	struct v1_sa sa;
	struct v1_id id;
	struct v1_notify n;
	struct v1_delete d;
	struct v1_natoa oa;
	struct v1_blob blob;
	struct v1_cert c;
	const char *name;
	static const uint8_t want_types[] = { V1_P_SA, V1_P_KE, V1_P_NONCE, V1_P_ID, V1_P_ID, V1_P_ID,
		V1_P_ID, V1_P_ID, V1_P_CERT, V1_P_CR, V1_P_HASH, V1_P_SIG, V1_P_N, V1_P_D, V1_P_VID,
		V1_P_NAT_D, V1_P_NAT_D_DRAFT, V1_P_NAT_OA };
	uint8_t got_types[32];

	if (!tap_ok(len > 0 && v1_msg_parse(buf, len, &m, &e) == 0, "the built message parses: %s", e.text))
		return;
	for (unsigned i = 0; i < m.n && i < 32; i++)
		got_types[i] = m.pl[i].type;
	tap_eq_bytes(got_types, m.n, want_types, sizeof(want_types), "payload chain in build order");
	tap_eq_int(m.hdr.len, len, "header length back-patched");
	tap_ok(v1_sa_parse(&m.pl[0], &sa, &e) == 0 && sa.n_proposals == 2 && sa.n_xf == 3 &&
	       sa.prop[0].n_transforms == 2 && sa.prop[0].spi_size == 4 && sa.prop[1].number == 2 &&
	       sa.xf[0].id == 12 && sa.xf[0].attrs_len == 4 && sa.xf[1].attrs_len == 0 &&
	       sa.xf[2].id == 20, "SA: 2 proposals, 3 transforms, SPI, attributes");
	tap_ok(v1_id_parse(&m.pl[3], &id, NULL) == 0 && id.type == V1_ID_IPV4_ADDR_SUBNET &&
	       id.prefix_len == 24 && id.protocol == 17 && id.port == 500 && id.addr[2] == 2,
	       "ID IPv4 subnet /24, UDP/500");
	tap_ok(v1_id_parse(&m.pl[4], &id, NULL) == 0 && id.family == 6 && id.prefix_len == 48,
	       "ID IPv6 subnet /48");
	tap_ok(v1_id_parse(&m.pl[5], &id, NULL) == 0 && id.type == V1_ID_IPV4_ADDR_RANGE &&
	       id.addr2[3] == 99 && id.prefix_len == -1, "ID IPv4 range");
	tap_ok(v1_id_parse(&m.pl[6], &id, NULL) == 0 && id.type == V1_ID_IPV6_ADDR &&
	       id.prefix_len == 128, "ID IPv6 address");
	tap_ok(v1_id_parse(&m.pl[7], &id, NULL) == 0 && id.type == V1_ID_FQDN && id.len == 15 &&
	       memcmp(id.data, "vpn.example.org", 15) == 0, "ID FQDN");
	tap_ok(v1_cert_parse(&m.pl[8], &c, NULL) == 0 && c.encoding == V1_CERT_X509_SIG && c.len == 11,
	       "CERT");
	tap_ok(v1_cert_parse(&m.pl[9], &c, NULL) == 0 && c.len == 5, "CR");
	tap_ok(v1_blob_parse(&m.pl[10], &blob, NULL) == 0 && blob.len == 20, "HASH");
	tap_ok(v1_notify_parse(&m.pl[12], &n, NULL) == 0 && n.type == V1_N_RESPONDER_LIFETIME &&
	       n.spi_size == 4 && n.spi[0] == 0xc0 && n.data_len == 4, "N with SPI and data");
	tap_ok(v1_delete_parse(&m.pl[13], &d, NULL) == 0 && d.n_spis == 2 && d.spis[4] == 5,
	       "D with two SPIs");
	tap_ok(v1_vid_classify(m.pl[14].body, m.pl[14].body_len, &name) == V1_VID_DPD &&
	       strcmp(name, "Dead Peer Detection") == 0, "VID: DPD recognised");
	tap_ok(v1_natoa_parse(&m.pl[17], &oa, NULL) == 0 && oa.family == 6 && oa.addr[1] == 0x01,
	       "NAT-OA IPv6");
}

static struct v1_payload body(uint8_t type, const uint8_t *p, size_t len)
{
	struct v1_payload pl = { .type = type, .body = p, .body_len = len };

	return pl;
}

static void test_refusals(void)
{
	static const uint8_t zeros[64];
	static const uint8_t v6subnet_short[4 + 20] = { V1_ID_IPV6_ADDR_SUBNET };
	static const uint8_t del[8 + 7] = { 0, 0, 0, 1, 3, 4, 0, 2 }; /* 2 SPIs of 4, 7 bytes */
	static const uint8_t noncemax[257];
	struct v1_payload pl;
	struct v1_err e;
	struct v1_id id;
	struct v1_delete d;
	struct v1_blob b;
	struct v1_sa sa;
	struct v1_natoa oa;
	struct v1_notify n;
	const char *name;

	pl = body(V1_P_ID, v6subnet_short, sizeof(v6subnet_short));
	tap_eq_int(v1_id_parse(&pl, &id, &e), ERR_PARSE, "IPv6 subnet ID with 20 bytes refused");
	tap_eq_int(e.notify, V1_N_INVALID_ID_INFORMATION, "... as INVALID-ID-INFORMATION");
	pl = body(V1_P_ID, zeros, 3);
	tap_eq_int(v1_id_parse(&pl, &id, &e), ERR_PARSE, "ID of 3 bytes refused");
	pl = body(V1_P_D, del, sizeof(del));
	tap_eq_int(v1_delete_parse(&pl, &d, &e), ERR_PARSE, "delete with SPIs past the body refused");
	pl = body(V1_P_NONCE, zeros, 7);
	tap_eq_int(v1_nonce_parse(&pl, &b, &e), ERR_PARSE, "7-byte nonce refused (RFC 2409 5)");
	pl = body(V1_P_NONCE, noncemax, 257);
	tap_eq_int(v1_nonce_parse(&pl, &b, &e), ERR_PARSE, "257-byte nonce refused");
	pl = body(V1_P_KE, zeros, 0);
	tap_eq_int(v1_blob_parse(&pl, &b, &e), ERR_PARSE, "empty KE refused");
	pl = body(V1_P_SA, (const uint8_t[]){ 0, 0, 0, 1, 0, 0, 0, 1 }, 8);
	tap_eq_int(v1_sa_parse(&pl, &sa, &e), ERR_PARSE, "SA without a proposal refused");
	pl = body(V1_P_SA, (const uint8_t[]){ 0, 0, 0, 2, 0, 0, 0, 1 }, 8);
	tap_ok(v1_sa_parse(&pl, &sa, &e) == ERR_UNSUPPORTED && e.notify == V1_N_DOI_NOT_SUPPORTED,
	       "SA with DOI 2 refused as DOI-NOT-SUPPORTED");
	/* proposal announcing 2 transforms, carrying 1 */
	pl = body(V1_P_SA, (const uint8_t[]){ 0, 0, 0, 1, 0, 0, 0, 1,
					      0, 0, 0, 16, 1, 1, 0, 2,
					      0, 0, 0, 8, 1, 1, 0, 0 }, 24);
	tap_ok(v1_sa_parse(&pl, &sa, &e) == ERR_PARSE && e.notify == V1_N_BAD_PROPOSAL_SYNTAX,
	       "transform count mismatch refused: %s", e.text);
	/* transform attribute running past the transform */
	pl = body(V1_P_SA, (const uint8_t[]){ 0, 0, 0, 1, 0, 0, 0, 1,
					      0, 0, 0, 20, 1, 1, 0, 1,
					      0, 0, 0, 12, 1, 1, 0, 0, 0, 1, 0, 9 }, 28);
	tap_eq_int(v1_sa_parse(&pl, &sa, &e), ERR_PARSE, "attribute past its transform refused");
	/* proposal numbers must not decrease */
	pl = body(V1_P_SA, (const uint8_t[]){ 0, 0, 0, 1, 0, 0, 0, 1,
					      2, 0, 0, 16, 2, 3, 0, 1, 0, 0, 0, 8, 1, 3, 0, 0,
					      0, 0, 0, 16, 1, 3, 0, 1, 0, 0, 0, 8, 1, 3, 0, 0 }, 40);
	tap_ok(v1_sa_parse(&pl, &sa, &e) == ERR_PARSE && strstr(e.text, "decrease"),
	       "decreasing proposal numbers refused: %s", e.text);
	pl = body(V1_P_NAT_OA, (const uint8_t[]){ 1, 0, 0, 0, 10, 0, 0 }, 7);
	tap_eq_int(v1_natoa_parse(&pl, &oa, &e), ERR_PARSE, "NAT-OA with a 3-byte IPv4 address refused");
	pl = body(V1_P_N, (const uint8_t[]){ 0, 0, 0, 1, 3, 16, 0, 14, 1, 2 }, 10);
	tap_eq_int(v1_notify_parse(&pl, &n, &e), ERR_PARSE, "notify with SPI size past the body refused");
	tap_eq_int(v1_vid_classify(zeros, 16, &name), V1_VID_UNKNOWN, "unknown VID");
	tap_eq_str(name, "UNKNOWN", "... named UNKNOWN");
	{
		uint8_t frag[20];
		size_t l;

		memcpy(frag, v1_vid_bytes(V1_VID_FRAGMENTATION, &l), 16);
		memset(frag + 16, 0, 4);
		frag[16] = 0x80;
		tap_eq_int(v1_vid_classify(frag, 20, NULL), V1_VID_FRAGMENTATION,
			   "fragmentation VID with capability bytes recognised");
	}
}

/* Builder misuse is sticky and reported once. */
static void test_builder_errors(void)
{
	uint8_t small[40];
	struct wr w;
	struct v1_builder b;
	static const uint8_t big[64];

	wr_init(&w, small, sizeof(small));
	v1_build_start(&b, &w, &hdr);
	v1_build_blob(&b, V1_P_NONCE, big, sizeof(big));
	tap_eq_int(v1_build_finish(&b, NULL), ERR_OVERFLOW, "overflowing builder reports ERR_OVERFLOW");
	wr_init(&w, buf, sizeof(buf));
	v1_build_start(&b, &w, &hdr);
	v1_build_begin(&b, V1_P_HASH);
	tap_eq_int(v1_build_finish(&b, NULL), ERR_STATE, "an unclosed payload is ERR_STATE");
	wr_init(&w, buf, sizeof(buf));
	v1_build_start(&b, &w, &hdr);
	v1_build_sa_begin(&b, 1, 1);
	v1_build_sa_end(&b);
	tap_eq_int(v1_build_finish(&b, NULL), ERR_STATE, "an SA without proposals is ERR_STATE");
}

int main(void)
{
	test_round_trip();
	test_refusals();
	test_builder_errors();
	return tap_done();
}
