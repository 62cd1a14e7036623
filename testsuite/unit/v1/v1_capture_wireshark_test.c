/*
 * v1_capture_wireshark_test.c - Wireshark's IKEv1 captures decrypted with
 * its key table (ikev1_decryption_table.tmpl): the phase-1 IV is
 * hash(g^xi | g^xr) from the KE payloads of MM3/MM4 (AM1/AM2), CBC chains
 * per exchange, each Quick Mode / Transaction / Informational message ID
 * starts from hash(last phase-1 block | M-ID) (RFC 2409 appendix B).
 * Expected payloads and values: captures/wireshark/expected-values.txt.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "testsuite/lib/tap.h"
#include "testsuite/lib/vec.h"
#include "testsuite/unit/v1/v1_capture_lib.h"
#include "v1/v1_rules.h"

static struct observer obs;

static bool contains(const uint8_t *p, size_t n, const void *needle, size_t k)
{
	for (size_t i = 0; k <= n && i + k <= n; i++)
		if (memcmp(p + i, needle, k) == 0)
			return true;
	return false;
}

/* Main Mode with RSA signatures and certificates, 3DES/MD5, then Quick Mode with PFS. */
static void test_wireshark_certs(void)
{
	static const char *const want[] = {
		NULL, NULL, NULL, NULL,
		"ID CERT CR SIG", "ID CERT SIG",
		"HASH SA NONCE KE ID ID", "HASH SA NONCE KE ID ID", "HASH",
	};
	static const enum v1_msg_kind kinds[] = { V1_MSG_MM1, V1_MSG_MM2, V1_MSG_MM3, V1_MSG_MM4,
		V1_MSG_MM5, V1_MSG_MM6, V1_MSG_QM1, V1_MSG_QM2, V1_MSG_QM3 };
	struct dg d[MAX_DG];
	size_t n = load("captures/wireshark/ikev1-certs.pcap", d);
	unsigned k = 0, dups = 0;

	memset(&obs, 0, sizeof(obs));
	if (!tap_ok(n == 10 && table_key("fafaeb49382a763c", obs.key, &obs.key_len) &&
		    obs.key_len == 24, "ikev1-certs: 10 datagrams, a 24-byte 3DES key in the table"))
		goto out;
	for (unsigned i = 0; i < n && k < 9; i++) {
		struct v1_hdr h;
		struct v1_msg m;
		struct v1_err e = { 0 };
		char types[200];
		const struct v1_msg *pm = &m;

		if (d[i].dup) {
			dups++;
			continue;
		}
		if (!tap_ok(v1_hdr_parse(d[i].data, d[i].len, &h, &e) == 0, "certs packet %u header: %s",
			    d[i].index, e.text))
			continue;
		if (h.flags & V1_FLAG_ENCRYPTION) {
			if (!tap_ok(observe_encrypted(&obs, &d[i], &h), "certs packet %u decrypts and parses",
				    d[i].index))
				continue;
			pm = &obs.m;
		} else if (tap_ok(v1_msg_parse(d[i].data, d[i].len, &m, &e) == 0,
				  "certs packet %u parses: %s", d[i].index, e.text)) {
			observe_clear(&obs, &m);
		} else {
			continue;
		}
		type_list(pm, types, sizeof(types));
		if (want[k])
			tap_eq_str(types, want[k], "certs packet %u: payloads", d[i].index);
		{
			const struct v1_rule *row = v1_rules_find(kinds[k], V1_AUTH_CLASS_SIG);

			tap_ok(row && v1_rules_check(row, pm, &e) == 0, "certs packet %u: rule %s: %s",
			       d[i].index, row ? row->name : "?", e.text);
		}
		if (k == 4) {
			const struct v1_payload *c = v1_msg_find(pm, V1_P_CERT, 0);
			struct v1_cert cert;
			struct v1_id id;

			tap_ok(c && v1_cert_parse(c, &cert, NULL) == 0 &&
			       cert.encoding == V1_CERT_X509_SIG &&
			       contains(cert.data, cert.len, "OpenSwan", 8),
			       "MM5: an X.509 signature certificate containing \"OpenSwan\"");
			tap_ok(v1_id_parse(v1_msg_find(pm, V1_P_ID, 0), &id, NULL) == 0,
			       "MM5: the ID parses (type %s)", v1_id_type_name(id.type));
			tap_diag("MM5: %zu bytes of padding after the last payload", pm->pad_len);
		}
		if (k == 6) {
			struct v1_sa sa;
			struct v1_ipsec_attrs a;
			struct v1_err ae = { 0 };
			struct v1_id idc;
			int rc = v1_sa_parse(v1_msg_find(pm, V1_P_SA, 0), &sa, &ae);

			if (rc == 0)
				rc = v1_attr_decode_ipsec(sa.prop[0].protocol, sa.xf[0].id,
							  sa.xf[0].attrs, sa.xf[0].attrs_len, &a, &ae);
			tap_ok(rc == 0 && sa.prop[0].spi_size == 4 && a.x_encr && a.x_group,
			       "QM1: the ESP proposal decodes (%s, PFS group %u): %s",
			       rc == 0 && a.x_encr ? a.x_encr->name : "?", rc == 0 ? a.group : 0, ae.text);
			tap_ok(v1_id_parse(v1_msg_find(pm, V1_P_ID, 0), &idc, NULL) == 0 &&
			       idc.family == 4 && idc.prefix_len >= 0, "QM1: IDci is an IPv4 address or subnet");
		}
		k++;
	}
	tap_eq_int(k, 9, "ikev1-certs: 9 distinct messages handled");
	tap_eq_int(dups, 1, "ikev1-certs: one retransmission");
	tap_eq_int(obs.decrypted, 5, "ikev1-certs: MM5, MM6, QM1-3 decrypted");
out:
	v1_crypt_free(&obs.c);
	unload(d, n);
}

/* Main/Aggressive Mode with AES-256, Transaction exchanges and Quick Mode. */
static void test_wireshark_aes256(const char *path, const char *ckyi, const char *hash_hex)
{
	struct dg d[MAX_DG];
	size_t n = load(path, d);
	unsigned enc = 0, hash_found = 0, hash_first = 0, refused = 0;
	uint8_t *want;
	size_t want_len;

	memset(&obs, 0, sizeof(obs));
	vec_hex(hash_hex, &want, &want_len);
	if (!tap_ok(n > 0 && table_key(ckyi, obs.key, &obs.key_len) && obs.key_len == 32,
		    "%s: datagrams and a 32-byte key", path))
		goto out;
	for (unsigned i = 0; i < n; i++) {
		struct v1_hdr h;
		struct v1_msg m;
		struct v1_err e = { 0 };
		char cky[20];

		if (d[i].dup || v1_hdr_parse(d[i].data, d[i].len, &h, &e) < 0)
			continue;
		hex(cky, h.cky_i, 8);
		if (strcmp(cky, ckyi) != 0)
			continue;
		if (!(h.flags & V1_FLAG_ENCRYPTION)) {
			if (v1_msg_parse(d[i].data, d[i].len, &m, &e) == 0)
				observe_clear(&obs, &m);
			else
				refused++, tap_diag("%s packet %u: %s", path, d[i].index, e.text);
			continue;
		}
		enc++;
		if (!observe_encrypted(&obs, &d[i], &h))
			continue;
		/* RFC 2409 5.5, 5.7 and the Mode Config draft: HASH comes first. */
		if (h.exch != V1_EXCH_IDPROT && h.exch != V1_EXCH_AGGRESSIVE)
			hash_first += obs.m.n > 0 && obs.m.pl[0].type == V1_P_HASH;
		else
			hash_first++;
		for (unsigned j = 0; j < obs.m.n; j++)
			if (obs.m.pl[j].type == V1_P_HASH &&
			    contains(obs.m.pl[j].body, obs.m.pl[j].body_len, want, want_len))
				hash_found++;
	}
	tap_eq_int(refused, 0, "%s: every cleartext message of the SA parses", path);
	tap_ok(enc > 0 && obs.decrypted == enc, "%s: all %u encrypted messages decrypt and parse (%u)",
	       path, enc, obs.decrypted);
	tap_eq_int(hash_first, obs.decrypted, "%s: HASH first in every phase-2/transaction message", path);
	tap_ok(hash_found >= 1, "%s: a HASH payload carries %s (Wireshark's expectation)", path,
	       hash_hex);
out:
	free(want);
	v1_crypt_free(&obs.c);
	unload(d, n);
}

int main(void)
{
	if (!vec_dir())
		return tap_skip_all("no vectors folder (../shared/vectors or $DUALIKE_VECTORS)");
	test_wireshark_certs();
	test_wireshark_aes256("captures/wireshark/ikev1-bug-12610.pcapng.gz", "ab3e0f1f8bc3be8e",
			      "b52521f774967402c9f6cee95fd17e5b");
	test_wireshark_aes256("captures/wireshark/ikev1-bug-12620.pcapng.gz", "29f6006212625def",
			      "40043b640f4373250d5ac3a1fb63153c");
	return tap_done();
}
