/*
 * v1_capture_malformed_test.c - captures that must be refused cleanly
 * (tcpdump's malformed ISAKMP packets, Zeek's bad-length and zero-length
 * messages), and tcpdump's well-formed IKEv1 captures with its decodes
 * (isakmp5-v.out, isakmp4.out). Every datagram goes through header,
 * chain, payload and attribute parsing and the message rules; the test
 * asserts the named error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "testsuite/lib/tap.h"
#include "testsuite/lib/vec.h"
#include "testsuite/unit/v1/v1_capture_lib.h"
#include "v1/v1_rules.h"

/* Everything the message layer does with cleartext bytes; 0 or the first error. */
static int inspect(const struct dg *d, struct v1_msg *m, struct v1_err *e)
{
	int rc = v1_msg_parse(d->data, d->len, m, e);

	if (rc < 0)
		return rc;
	for (unsigned i = 0; i < m->n; i++) {
		struct v1_sa sa;

		if (m->pl[i].type != V1_P_SA || (rc = v1_sa_parse(&m->pl[i], &sa, e)) < 0)
			continue;
		for (unsigned j = 0; j < sa.n_proposals; j++) {
			const struct v1_transform *t = v1_sa_transforms(&sa, j);

			for (unsigned k = 0; k < sa.prop[j].n_transforms; k++) {
				struct v1_p1_attrs p1;
				struct v1_ipsec_attrs ip;

				if (sa.prop[j].protocol == V1_PROTO_ISAKMP)
					rc = v1_attr_decode_p1(t[k].attrs, t[k].attrs_len, &p1, e);
				else
					rc = v1_attr_decode_ipsec(sa.prop[j].protocol, t[k].id,
								  t[k].attrs, t[k].attrs_len, &ip, e);
				if (rc < 0)
					return rc;
			}
		}
	}
	/* Well-formed payloads still have to fit some message of their exchange. */
	for (int k = V1_MSG_MM1; k <= V1_MSG_INFO_CLEAR; k++)
		for (int a = V1_AUTH_CLASS_PSK; a <= V1_AUTH_CLASS_SIG; a++) {
			const struct v1_rule *row = v1_rules_find((enum v1_msg_kind)k, (enum v1_auth_class)a);
			struct v1_err re = { 0 };

			if (row && row->exch == m->hdr.exch && v1_rules_check(row, m, &re) == 0)
				return 0;
		}
	return v1_fail(e, ERR_PARSE, V1_N_INVALID_PAYLOAD_TYPE, 0,
		       "fits no message row of exchange %s", v1_exch_name(m->hdr.exch));
}

struct expect {
	const char *path;
	int err;          /* expected error of the first refused datagram */
	uint16_t notify;  /* and its notify (0: silent drop) */
};

static void test_malformed(void)
{
	/* err/notify of the first refused datagram; 0/0: the capture reader finds no UDP in it */
	static const struct expect cases[] = {
		{ "captures/zeek-spicy-ipsec/ipsec-ikev1-payload-bad-length.pcap", ERR_PARSE, V1_N_PAYLOAD_MALFORMED },
		{ "captures/zeek-spicy-ipsec/ipsec-ikev1-zero-length.pcap", ERR_PARSE, 0 },
		{ "captures/tcpdump/malformed/isakmp-delete-segfault.pcap", ERR_PARSE, V1_N_INVALID_MAJOR_VERSION },
		{ "captures/tcpdump/malformed/isakmp-pointer-loop.pcap", ERR_PARSE, 0 },
		/* a lone 248-byte FQDN ID: well-formed, but no Main Mode message is just an ID */
		{ "captures/tcpdump/malformed/isakmp-identification-segfault.pcap", ERR_PARSE, V1_N_INVALID_PAYLOAD_TYPE },
		{ "captures/tcpdump/malformed/isakmp-ikev1_n_print-oobr.pcap", ERR_PARSE, V1_N_INVALID_MAJOR_VERSION },
		{ "captures/tcpdump/malformed/isakmp-no-none-np.pcapng", ERR_PARSE, 0 },
		{ "captures/tcpdump/malformed/isakmp-various-oobr.pcap", ERR_PARSE, 0 },
		{ "captures/tcpdump/malformed/isakmpv1-attr-oobr.pcap", ERR_PARSE, 0 },
		{ "captures/tcpdump/malformed/ikev1_id_ipv6_addr_subnet-oobr.pcap", ERR_PARSE, 0 },
		{ "captures/tcpdump/malformed/isakmp-3948-oobr-2.pcap", 0, 0 },
		{ "captures/tcpdump/malformed/isakmp-rfc3948-oobr.pcap", 0, 0 },
	};

	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		struct dg d[MAX_DG];
		size_t n = load(cases[c].path, d);
		unsigned refused = 0;
		int first_err = 0;
		uint16_t first_notify = 0;
		char why[200] = "";

		for (size_t i = 0; i < n; i++) {
			struct v1_msg m;
			struct v1_err e = { 0 };
			int rc = inspect(&d[i], &m, &e);

			if (rc < 0 && !refused++) {
				first_err = rc;
				first_notify = e.notify;
				snprintf(why, sizeof(why), "%s", e.text);
			}
		}
		/* Past the header checks too: the chain, payload and attribute parsers
		 * on the same bytes with the datagram's length (ASan watches). */
		for (size_t i = 0; i < n; i++) {
			struct v1_hdr h = { .next = d[i].len > 16 ? d[i].data[16] : 0 };
			struct v1_msg m;

			(void)v1_msg_parse_chain(d[i].data, d[i].len, &h, V1_MSG_MAX_PAD, &m, NULL);
		}
		if (n == 0 && cases[c].err == 0)
			tap_skip("%s: no UDP datagram the capture reader accepts (truncated or not IP)",
				 cases[c].path);
		else
			tap_ok(refused == n && first_err == cases[c].err &&
			       first_notify == cases[c].notify,
			       "%s: all %zu refused, first with %s / %s: %s", cases[c].path, n,
			       err_str(first_err), first_notify ? v1_notify_name(first_notify) : "silent drop",
			       why);
		unload(d, n);
	}
}

/* The payload chain of the (unencrypted) message at index i, or "" when refused. */
static void chain_of(const struct dg *d, char *types, size_t cap, struct v1_err *e)
{
	struct v1_msg m;

	types[0] = '\0';
	if (v1_msg_parse(d->data, d->len, &m, e) == 0)
		type_list(&m, types, cap);
}

/* tcpdump's decodes: isakmp5-v.out (ISAKMP_sa_setup.pcap), isakmp4.out (isakmp4500.pcap). */
static void test_tcpdump(void)
{
	struct dg d[MAX_DG];
	size_t n = load("captures/tcpdump/ISAKMP_sa_setup.pcap", d);
	struct v1_msg m;
	struct v1_err e = { 0 };
	struct v1_sa sa;
	struct v1_p1_attrs a;
	char types[200];
	unsigned enc = 0;

	if (tap_ok(n >= 4, "ISAKMP_sa_setup: %zu datagrams", n)) {
		chain_of(&d[0], types, sizeof(types), &e);
		tap_eq_str(types, "SA VID VID VID", "ISAKMP_sa_setup #1: sa, 3 vid (tcpdump)");
		tap_ok(v1_msg_parse(d[0].data, d[0].len, &m, &e) == 0 &&
		       v1_sa_parse(&m.pl[0], &sa, &e) == 0 &&
		       v1_attr_decode_p1(sa.xf[0].attrs, sa.xf[0].attrs_len, &a, &e) == 0 &&
		       a.encr == 7 && a.key_len == 128 && a.hash == 2 && a.group == 1 &&
		       a.auth == V1_AUTH_PSK && a.life_seconds == 0x15180,
		       "ISAKMP_sa_setup #1: aes keylen 0080 sha1 modp768 preshared sec 00015180");
		chain_of(&d[1], types, sizeof(types), &e);
		tap_eq_str(types, "SA VID", "ISAKMP_sa_setup #2: sa, vid");
		/* tcpdump prints "(pay15)" twice: NAT-D under its NAT-T draft-00/01 number 15. */
		chain_of(&d[2], types, sizeof(types), &e);
		tap_ok(types[0] == '\0' && e.notify == V1_N_INVALID_PAYLOAD_TYPE && e.payload == 15,
		       "ISAKMP_sa_setup #3: payload 15 (NAT-D of drafts 00/01) refused: %s", e.text);
		for (size_t i = 0; i < n; i++)
			enc += d[i].len >= 20 && (d[i].data[19] & V1_FLAG_ENCRYPTION) &&
			       v1_msg_parse(d[i].data, d[i].len, &m, &e) == ERR_STATE;
		tap_ok(enc >= 2, "ISAKMP_sa_setup: %u encrypted messages left for decryption", enc);
	}
	unload(d, n);

	n = load("captures/tcpdump/isakmp4500.pcap", d);
	enc = 0;
	if (tap_ok(n >= 9, "isakmp4500: %zu IKE datagrams (ESP and keepalives skipped)", n)) {
		unsigned clear = 0;

		for (size_t i = 0; i < n; i++) {
			struct v1_hdr h;

			if (v1_hdr_parse(d[i].data, d[i].len, &h, &e) < 0)
				continue;
			if (h.flags & V1_FLAG_ENCRYPTION)
				enc += v1_msg_parse(d[i].data, d[i].len, &m, &e) == ERR_STATE;
			else
				clear += v1_msg_parse(d[i].data, d[i].len, &m, &e) == 0 &&
					 h.exch == V1_EXCH_IDPROT;
		}
		/* isakmp4.out: 4 "phase 1 ident" in clear on 500, then [E] on 4500 */
		tap_eq_int(clear, 4, "isakmp4500: MM1-MM4 in clear parse");
		tap_ok(enc >= 5, "isakmp4500: %u encrypted messages (MM5, MM6, Quick Mode)", enc);
	}
	unload(d, n);
}

int main(void)
{
	if (!vec_dir())
		return tap_skip_all("no vectors folder (../shared/vectors or $DUALIKE_VECTORS)");
	test_malformed();
	test_tcpdump();
	return tap_done();
}
