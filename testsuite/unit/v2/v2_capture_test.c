/*
 * v2_capture_test.c - real IKEv2 traffic from other implementations
 * (../shared/vectors/captures, read at test time):
 *   rusticata: IKE_SA_INIT request/response parsed, SA payload rebuilt
 *              byte for byte;
 *   wireshark: every message parsed; the encrypted ones of supported
 *              suites verified and decrypted with the published key
 *              table, the inner chain checked against the rules and the
 *              AUTH value Wireshark's own test expects;
 *   tcpdump:   ikev2pI2 IKE_AUTH (ICV known not to verify) decrypted on
 *              the test-only path to IDi "west"; malformed captures fail
 *              cleanly.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/integ.h"
#include "testsuite/lib/pcap.h"
#include "testsuite/lib/tap.h"
#include "testsuite/lib/vec.h"
#include "v2/v2_names.h"
#include "v2/v2_proposal.h"
#include "v2/v2_rules.h"
#include "v2/v2_sk.h"

static uint8_t *read_file(const char *rel, size_t *len)
{
	char path[1024];
	FILE *f;
	static uint8_t buf[4096];

	snprintf(path, sizeof(path), "%s/%s", vec_dir(), rel);
	f = fopen(path, "rb");
	if (!f)
		return NULL;
	*len = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	return buf;
}

static void test_rusticata(const char *file, bool resp, const char *spi_hex)
{
	size_t len;
	uint8_t *msg = read_file(file, &len), *spi, rebuilt[1024];
	size_t spi_len;
	struct v2_msg m;
	struct v2_sa sa;
	struct v2_ke ke;
	struct v2_bytes nonce;
	const struct v2_payload *p;
	struct wr w;
	struct v2_chain c;

	if (!msg) {
		tap_skip("%s missing", file);
		return;
	}
	vec_hex(spi_hex, &spi, &spi_len);
	tap_eq_int(v2_msg_parse(&m, msg, len), 0, "%s: parses", file);
	tap_eq_bytes(resp ? m.hdr.spi_r : m.hdr.spi_i, 8, spi, 8, "%s: SPI", file);
	tap_ok(m.hdr.exchange == V2_EXCH_IKE_SA_INIT && v2_msg_is_response(&m) == resp,
	       "%s: IKE_SA_INIT %s", file, resp ? "response" : "request");
	tap_ok(v2_msg_count(&m, V2_PT_SA) == 1 && v2_msg_count(&m, V2_PT_KE) == 1 &&
	       v2_msg_count(&m, V2_PT_NONCE) == 1 && m.pl[0].type == V2_PT_SA, "%s: SA, KE, Nonce", file);
	p = v2_msg_find(&m, V2_PT_SA);
	tap_eq_int(v2_parse_sa(p->body, &sa), 0, "%s: SA parses", file);
	for (size_t i = 0; i < sa.n_props; i++) {
		char text[300];

		v2_proposal_peer_text(&sa, &sa.props[i], text, sizeof(text));
		tap_diag("%s", text);
	}
	tap_ok(sa.n_props >= 1 && sa.props[0].protocol == V2_PROTO_IKE &&
	       sa.props[0].spi_size == 0 && sa.props[0].n_xforms >= 4,
	       "%s: IKE proposal(s), %zu transforms in all", file, sa.n_xforms);
	tap_ok(v2_parse_ke(v2_msg_find(&m, V2_PT_KE)->body, &ke) == 0, "%s: KE parses", file);
	tap_diag("%s: KE group %u, %zu octets", file, ke.group, ke.data.len);
	{
		const struct xform *g = xform_by_v2(XFORM_KE, ke.group, 0);

		tap_ok(g && g->ke_bytes == ke.data.len, "%s: KE data length fits its group", file);
	}
	v2_parse_nonce(v2_msg_find(&m, V2_PT_NONCE)->body, &nonce);
	tap_ok(nonce.len >= 16 && nonce.len <= 256, "%s: nonce %zu octets", file, nonce.len);
	wr_init(&w, rebuilt, sizeof(rebuilt));
	v2_chain_init(&c, &w, SIZE_MAX);
	v2_put_sa(&c, &sa);
	tap_eq_bytes(rebuilt + 4, wr_len(&w) - 4, p->body.p, p->body.len,
		     "%s: SA payload rebuilt from the parse, same bytes", file);
	{
		char why[200];

		tap_eq_int(v2_rules_check(&m, why, sizeof(why)), 0, "%s: rules pass %s", file, why);
	}
	free(spi);
}

/* ---- Wireshark captures with their key table ---- */

struct sa_keys {
	uint8_t spi_i[8], spi_r[8];
	uint8_t *ei, *er, *ai, *ar;
	size_t ei_len, er_len, ai_len, ar_len;
	char encr[64], integ[64];
};

static bool hex_field(const char *s, uint8_t **out, size_t *len)
{
	return vec_hex(s, out, len);
}

/* Read the key-table line for spi_i (format: expected-values.txt header). */
static bool table_lookup(const char *spi_i_hex, struct sa_keys *k)
{
	char path[1024], line[2048];
	FILE *f;
	bool found = false;

	snprintf(path, sizeof(path), "%s/captures/wireshark/ikev2_decryption_table.tmpl", vec_dir());
	f = fopen(path, "r");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		char *fld[8], *p = line;
		int n = 0;
		uint8_t *tmp;
		size_t tl;

		if (strncmp(line, spi_i_hex, 16) != 0)
			continue;
		while (n < 8 && p) {
			fld[n++] = p;
			p = strchr(p, ',');
			if (p)
				*p++ = '\0';
		}
		if (n < 8)
			break;
		fld[7][strcspn(fld[7], "\r\n")] = '\0';
		hex_field(fld[0], &tmp, &tl);
		memcpy(k->spi_i, tmp, 8);
		free(tmp);
		hex_field(fld[1], &tmp, &tl);
		memcpy(k->spi_r, tmp, 8);
		free(tmp);
		hex_field(fld[2], &k->ei, &k->ei_len);
		hex_field(fld[3], &k->er, &k->er_len);
		hex_field(fld[5], &k->ai, &k->ai_len);
		hex_field(fld[6], &k->ar, &k->ar_len);
		snprintf(k->encr, sizeof(k->encr), "%s", fld[4]);
		snprintf(k->integ, sizeof(k->integ), "%s", fld[7]);
		found = true;
	}
	fclose(f);
	return found;
}

/* Our suite for a table entry, or NULL with the reason it is not one. */
static const char *suite_for(const struct sa_keys *k, const char **encr, const char **integ)
{
	static const struct { const char *table, *ours; } enc[] = {
		{ "\"AES-CBC-256 [RFC3602]\"", "aes256" },
		{ "\"AES-CTR-192 [RFC5930]\"", "aes192ctr" },
		{ "\"AES-GCM-256 with 8 octet ICV [RFC5282]\"", "aes256gcm8" },
		{ "\"AES-GCM-256 with 16 octet ICV [RFC5282]\"", "aes256gcm16" },
	};
	static const struct { const char *table, *ours; } in[] = {
		{ "\"HMAC_SHA2_256_128 [RFC4868]\"", "sha256" },
		{ "\"HMAC_SHA2_512_256 [RFC4868]\"", "sha512" },
		{ "\"NONE [RFC4306]\"", NULL },
	};

	if (strstr(k->encr, "CCM"))
		return "AES-CCM is not an SK cipher dualike implements";
	if (strstr(k->integ, "SHA1_160"))
		return "HMAC-SHA1-160 is not an IKE integrity dualike implements";
	if (strstr(k->integ, "No Checking"))
		return "the table gives no integrity key (CCM read as CTR)";
	*encr = NULL;
	for (size_t i = 0; i < sizeof(enc) / sizeof(enc[0]); i++)
		if (strcmp(k->encr, enc[i].table) == 0)
			*encr = enc[i].ours;
	for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++)
		if (strcmp(k->integ, in[i].table) == 0) {
			*integ = in[i].ours;
			return *encr ? NULL : "cipher not in the test's map";
		}
	return "integrity not in the test's map";
}

static void check_wireshark(const char *file, const char *spi_i_hex, const char *auth_hex)
{
	char rel[256];
	struct pcap_file *pf;
	struct pcap_udp u;
	struct sa_keys k = { 0 };
	const char *encr = NULL, *integ = NULL, *skip;
	unsigned n_msgs = 0, n_parsed = 0, n_enc = 0, n_open = 0, n_rules = 0;
	bool auth_seen = false, ids_seen[2] = { false, false };
	uint8_t *want_auth = NULL;
	size_t want_auth_len = 0;

	snprintf(rel, sizeof(rel), "captures/wireshark/%s", file);
	pf = pcap_open(rel);
	if (!pf || !table_lookup(spi_i_hex, &k)) {
		tap_skip("%s: capture or key table line missing", file);
		if (pf)
			pcap_close(pf);
		return;
	}
	if (auth_hex)
		vec_hex(auth_hex, &want_auth, &want_auth_len);
	skip = suite_for(&k, &encr, &integ);
	while (pcap_next_udp(pf, &u)) {
		const uint8_t *p = u.payload;
		size_t len = u.len;
		struct v2_msg m;
		uint8_t plain[4096];
		size_t plen;
		int rc;

		if (u.sport == 4500 || u.dport == 4500) {
			if (len < 4 || memcmp(p, "\0\0\0\0", 4) != 0)
				continue; /* ESP */
			p += 4;
			len -= 4;
		}
		n_msgs++;
		rc = v2_msg_parse(&m, p, len);
		n_parsed += rc == 0;
		if (rc || !m.encrypted)
			continue;
		n_enc++;
		if (skip)
			continue;
		{
			bool init = v2_msg_is_initiator(&m);
			struct v2_sk_keys sk = { .encr = xform_by_name(encr),
						 .integ = integ ? xform_by_name(integ) : NULL,
						 .sk_e = init ? k.ei : k.er, .sk_e_len = init ? k.ei_len : k.er_len,
						 .sk_a = init ? k.ai : k.ar, .sk_a_len = init ? k.ai_len : k.ar_len };
			char why[200];
			const struct v2_payload *ap;
			struct v2_auth auth;

			if (v2_sk_unprotect(&m, &sk, plain, sizeof(plain), &plen))
				continue;
			n_open++;
			n_rules += v2_rules_check(&m, why, sizeof(why)) == 0;
			if (m.hdr.exchange == V2_EXCH_IKE_AUTH)
				ids_seen[v2_msg_is_response(&m)] |=
					v2_msg_find(&m, v2_msg_is_response(&m) ? V2_PT_IDR : V2_PT_IDI) != NULL;
			for (ap = v2_msg_find(&m, V2_PT_AUTH); ap; ap = v2_msg_next(&m, ap, V2_PT_AUTH))
				if (v2_parse_auth(ap->body, &auth) == 0 && want_auth &&
				    auth.data.len == want_auth_len &&
				    memcmp(auth.data.p, want_auth, want_auth_len) == 0)
					auth_seen = true;
		}
	}
	pcap_close(pf);
	tap_ok(n_msgs >= 4 && n_parsed == n_msgs, "%s: all %u IKEv2 messages parse", file, n_msgs);
	if (skip) {
		tap_skip("%s: %u encrypted messages not decrypted: %s", file, n_enc, skip);
	} else {
		tap_ok(n_enc >= 2 && n_open == n_enc,
		       "%s (%s%s%s): %u/%u encrypted messages verified and decrypted", file, encr,
		       integ ? "+" : "", integ ? integ : "", n_open, n_enc);
		tap_eq_int(n_rules, n_open, "%s: every decrypted message passes its rules row", file);
		tap_ok(ids_seen[0] && ids_seen[1], "%s: IKE_AUTH has IDi (request) and IDr (response)",
		       file);
		tap_ok(auth_seen, "%s: an AUTH payload carries Wireshark's expected value", file);
	}
	free(want_auth);
	free(k.ei);
	free(k.er);
	free(k.ai);
	free(k.ar);
}

static void test_wireshark(void)
{
	struct vec_file f;
	struct vec_rec r = { 0 };

	if (!vec_open(&f, "captures/wireshark/expected-values.txt")) {
		tap_skip("expected-values.txt missing");
		return;
	}
	while (vec_next(&f, &r)) {
		const char *file = vec_get(&r, "file"), *spi = vec_get(&r, "spi_i");
		const char *expect = vec_get(&r, "wireshark_expect"), *hex;

		if (!file || !spi || strncmp(file, "ikev2-", 6) != 0)
			continue;
		hex = expect ? strstr(expect, "contains ") : NULL;
		check_wireshark(file, spi, hex ? hex + 9 : NULL);
	}
	vec_close(&f);
}

/* ---- tcpdump ---- */

static void test_pi2(void)
{
	struct pcap_file *pf = pcap_open("captures/tcpdump/ikev2pI2.pcap");
	struct pcap_udp u;
	uint8_t *ka, *ke;
	size_t ka_len, ke_len;
	bool done = false, seen_any = false;

	if (!pf) {
		tap_skip("ikev2pI2.pcap missing");
		return;
	}
	/* ikev2pI2-secrets.txt, the "I" line: sha1 (SK_ai) and aes128 (SK_ei). */
	vec_hex("4ea8e662b07cdd430f6944c6723e4b82d5722418", &ka, &ka_len);
	vec_hex("3f44bf47cafd8150591deb088199fcbf", &ke, &ke_len);
	while (!done && pcap_next_udp(pf, &u)) {
		struct v2_msg m;
		struct v2_sk_keys sk = { .encr = xform_by_name("aes128"), .integ = xform_by_name("sha1"),
					 .sk_e = ke, .sk_e_len = ke_len, .sk_a = ka, .sk_a_len = ka_len };
		uint8_t plain[2048];
		size_t plen;
		const struct v2_payload *p;
		struct v2_id id;

		seen_any = true;
		if (v2_msg_parse(&m, u.payload, u.len) || !m.encrypted)
			continue;
		done = true;
		tap_ok(m.hdr.exchange == V2_EXCH_IKE_AUTH && m.inner_first == V2_PT_IDI,
		       "ikev2pI2: IKE_AUTH request, SK starts with IDi");
		tap_eq_int(v2_sk_unprotect(&m, &sk, plain, sizeof(plain), &plen), ERR_INTEGRITY,
			   "ikev2pI2: ICV does not verify (as the vectors README says): refused");
		tap_ok(!m.inner_parsed && m.n == 1, "ikev2pI2: nothing inside parsed after the refusal");
		tap_eq_int(v2_sk_decrypt_unverified_for_test(&sk, m.raw.p, m.raw.len, m.enc_offset, 4,
							     plain, sizeof(plain), &plen), 0,
			   "ikev2pI2: test-only decryption without ICV check");
		tap_eq_int(v2_msg_parse_inner(&m, plain, plen), 0, "ikev2pI2: inner chain parses");
		p = v2_msg_find(&m, V2_PT_IDI);
		tap_ok(p && v2_parse_id(p->body, &id) == 0 && id.data.len == 4 &&
		       memcmp(id.data.p, "west", 4) == 0, "ikev2pI2: IDi is \"west\"");
		/* tcpdump's decode (ikev2pI2.out) shows exactly IDi then AUTH (rsasig, 196 zero octets) */
		p = v2_msg_find(&m, V2_PT_AUTH);
		tap_ok(p && p->body.len == 4 + 192 && p->body.p[0] == 1 &&
		       !v2_msg_find(&m, V2_PT_SA) && !v2_msg_find(&m, V2_PT_TSI),
		       "ikev2pI2: inside, IDi is followed by AUTH (method 1, 192 octets) and nothing else");
	}
	pcap_close(pf);
	if (!done && !seen_any)
		tap_skip("ikev2pI2: the pcap reader yields no datagram (link type 0, DLT_NULL, "
			 "is not read by testsuite/lib/pcap.c)");
	else
		tap_ok(done, "ikev2pI2: encrypted message found");
	free(ka);
	free(ke);
}

static void test_malformed(const char *rel, bool must_fail)
{
	struct pcap_file *pf = pcap_open(rel);
	struct pcap_udp u;
	unsigned n = 0, failed = 0, odd = 0;

	if (!pf) {
		tap_skip("%s missing", rel);
		return;
	}
	while (pcap_next_udp(pf, &u)) {
		struct v2_msg m;
		int rc = v2_msg_parse(&m, u.payload, u.len);

		n++;
		failed += rc != 0;
		odd += rc != 0 && rc != ERR_PARSE && rc != ERR_UNSUPPORTED;
		if (rc)
			tap_diag("%s #%u: %s (%s)", rel, u.index, err_str(rc), m.why ? m.why : "-");
	}
	pcap_close(pf);
	if (n == 0) {
		tap_skip("%s: the pcap reader yields no datagram (link type not read by "
			 "testsuite/lib/pcap.c)", rel);
		return;
	}
	tap_ok(n > 0 && odd == 0 && (!must_fail || failed == n),
	       "%s: %u messages, %u refused cleanly", rel, n, failed);
}

int main(void)
{
	if (!vec_dir())
		return tap_skip_all("vectors folder not found (set DUALIKE_VECTORS)");
	test_rusticata("captures/rusticata-ipsec-parser/ike-sa-init-req.bin", false, "54c184961bc3fd77");
	test_rusticata("captures/rusticata-ipsec-parser/ike-sa-init-resp.bin", true, "6386aa2273ed3972");
	test_wireshark();
	test_pi2();
	test_malformed("captures/tcpdump/malformed/ikev2pI2-segfault.pcapng", false);
	test_malformed("captures/tcpdump/ikev2-id-short.pcap", true);
	return tap_done();
}
