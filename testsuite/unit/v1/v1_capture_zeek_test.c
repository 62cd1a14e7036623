/*
 * v1_capture_zeek_test.c - every message of the zeek-spicy-ipsec Main Mode
 * and Aggressive Mode captures parsed; fields compared with Zeek's
 * baselines (SPIs, exchange, flags, message ID, length, vendor IDs,
 * transform attributes) and with Suricata's facts for Main Mode packet 4.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "testsuite/lib/tap.h"
#include "testsuite/lib/vec.h"
#include "testsuite/unit/v1/v1_capture_lib.h"
#include "v1/v1_rules.h"

#define MAX_LINES 16
#define MAX_COLS 40

struct baseline {
	char *cols[MAX_LINES][MAX_COLS];
	char names[MAX_COLS][32];
	unsigned n_cols, n;
	char buf[MAX_LINES][4096];
};

static bool baseline_load(struct baseline *b, const char *rel)
{
	char path[1200], line[4096];
	FILE *f;

	memset(b, 0, sizeof(*b));
	snprintf(path, sizeof(path), "%s/%s", vec_dir(), rel);
	if (!(f = fopen(path, "r")))
		return false;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (strncmp(line, "#fields\t", 8) == 0) {
			char *save, *tok = strtok_r(line + 8, "\t", &save);

			for (; tok && b->n_cols < MAX_COLS; tok = strtok_r(NULL, "\t", &save))
				snprintf(b->names[b->n_cols++], 32, "%s", tok);
		} else if (line[0] != '#' && b->n < MAX_LINES) {
			char *save, *tok;
			unsigned c = 0;

			memcpy(b->buf[b->n], line, sizeof(line));
			for (tok = strtok_r(b->buf[b->n], "\t", &save); tok && c < MAX_COLS;
			     tok = strtok_r(NULL, "\t", &save))
				b->cols[b->n][c++] = tok;
			b->n++;
		}
	}
	fclose(f);
	return b->n > 0;
}

static const char *col(const struct baseline *b, unsigned line, const char *name)
{
	for (unsigned c = 0; c < b->n_cols; c++)
		if (strcmp(b->names[c], name) == 0)
			return b->cols[line][c] ? b->cols[line][c] : "";
	return "";
}

/* Vendor IDs as Zeek lists them, ours where we know them, UNKNOWN:hex otherwise. */
static void vid_list(const struct v1_msg *m, const char *zeek, char *out, size_t cap)
{
	size_t at = 0;
	char copy[1024], *save, *z;
	unsigned i = 0;

	snprintf(copy, sizeof(copy), "%s", zeek);
	z = strtok_r(copy, ",", &save);
	out[0] = '\0';
	for (const struct v1_payload *v; (v = v1_msg_find(m, V1_P_VID, i)) && at < cap; i++) {
		const char *name;
		char h[80], item[120];

		if (v1_vid_classify(v->body, v->body_len, &name) == V1_VID_UNKNOWN) {
			hex(h, v->body, v->body_len < 32 ? v->body_len : 32);
			/* Zeek names vendors we do not act on: take its name when it is not "UNKNOWN". */
			if (z && strncmp(z, "UNKNOWN:", 8) != 0)
				snprintf(item, sizeof(item), "%s", z);
			else
				snprintf(item, sizeof(item), "UNKNOWN:%s", h);
		} else {
			snprintf(item, sizeof(item), "%.*s", (int)strcspn(name, "\\"), name);
		}
		at += (size_t)snprintf(out + at, cap - at, "%s%s", i ? "," : "", item);
		z = z ? strtok_r(NULL, ",", &save) : NULL;
	}
	if (i == 0)
		snprintf(out, cap, "(empty)");
}

/* Zeek's transform_attributes: "P:T:Name=value", variable values as escaped bytes. */
static void attr_list(const struct v1_msg *m, char *out, size_t cap)
{
	const struct v1_payload *sa = v1_msg_find(m, V1_P_SA, 0);
	struct v1_sa s;
	size_t at = 0;

	snprintf(out, cap, "(empty)");
	if (!sa || v1_sa_parse(sa, &s, NULL) < 0)
		return;
	out[0] = '\0';
	for (unsigned i = 0; i < s.n_proposals; i++)
		for (unsigned j = 0; j < s.prop[i].n_transforms; j++) {
			const struct v1_transform *t = &v1_sa_transforms(&s, i)[j];
			struct rd r;
			struct v1_attr a;

			rd_init(&r, t->attrs, t->attrs_len);
			while (v1_attr_read(&r, &a) && at < cap) {
				at += (size_t)snprintf(out + at, cap - at, "%s%u:%u:%s=", at ? "," : "",
						       s.prop[i].number, t->number,
						       v1_ike_attr_name(a.type));
				if (a.basic)
					at += (size_t)snprintf(out + at, cap - at, "%u", a.value);
				for (size_t k = 0; !a.basic && k < a.len && at < cap; k++)
					at += (size_t)snprintf(out + at, cap - at,
							       a.data[k] >= 0x20 && a.data[k] < 0x7f ? "%c" : "\\x%02x",
							       a.data[k]);
			}
		}
}

static void compare_with_zeek(const char *pcap, const char *base, unsigned want_msgs,
			      const enum v1_msg_kind *kinds)
{
	static struct baseline b;
	struct dg d[MAX_DG];
	size_t n = load(pcap, d);
	unsigned parsed = 0, rules_ok = 0;

	if (!tap_ok(n == want_msgs && baseline_load(&b, base) && b.n == n,
		    "%s: %u messages, as many baseline lines", pcap, want_msgs))
		goto out;
	for (unsigned i = 0; i < n; i++) {
		struct v1_hdr h;
		struct v1_msg m;
		struct v1_err e = { 0 };
		char s[1024], want[64];

		if (v1_hdr_parse(d[i].data, d[i].len, &h, &e) < 0) {
			tap_diag("packet %u: %s", d[i].index, e.text);
			continue;
		}
		hex(s, h.cky_i, 8);
		hex(want, h.cky_r, 8);
		tap_ok(strcmp(s, col(&b, i, "initiator_spi")) == 0 &&
		       strcmp(want, col(&b, i, "responder_spi")) == 0 &&
		       h.exch == (unsigned)atoi(col(&b, i, "exchange_type")) &&
		       (h.flags & V1_FLAG_ENCRYPTION ? 'T' : 'F') == col(&b, i, "flag_e")[0] &&
		       h.msg_id == strtoul(col(&b, i, "message_id"), NULL, 10) &&
		       h.len == strtoul(col(&b, i, "length"), NULL, 10),
		       "%s #%u: SPIs %s/%s, exchange %u, E %c, M-ID %u, length %u as Zeek", pcap, i + 1,
		       s, want, h.exch, h.flags & V1_FLAG_ENCRYPTION ? 'T' : 'F', (unsigned)h.msg_id,
		       (unsigned)h.len);
		if (h.flags & V1_FLAG_ENCRYPTION) {
			tap_eq_int(v1_msg_parse(d[i].data, d[i].len, &m, &e), ERR_STATE,
				   "%s #%u: encrypted, left to v1_msg_open", pcap, i + 1);
			continue;
		}
		if (!tap_ok(v1_msg_parse(d[i].data, d[i].len, &m, &e) == 0, "%s #%u parses: %s",
			    pcap, i + 1, e.text))
			continue;
		parsed++;
		vid_list(&m, col(&b, i, "vendor_ids"), s, sizeof(s));
		tap_eq_str(s, col(&b, i, "vendor_ids"), "%s #%u: vendor IDs", pcap, i + 1);
		attr_list(&m, s, sizeof(s));
		tap_eq_str(s, col(&b, i, "transform_attributes"), "%s #%u: transform attributes",
			   pcap, i + 1);
		if (kinds[i] != (enum v1_msg_kind)-1) {
			const struct v1_rule *row = v1_rules_find(kinds[i], V1_AUTH_CLASS_PSK);

			rules_ok += tap_ok(row && v1_rules_check(row, &m, &e) == 0,
					   "%s #%u: matches rule %s: %s", pcap, i + 1,
					   row ? row->name : "?", e.text);
		}
	}
	tap_diag("%s: %u cleartext messages parsed, %u matched their rule", pcap, parsed, rules_ok);
out:
	unload(d, n);
}

/* Suricata's facts for packet 4 of the Main Mode capture (vectors/README.md). */
static void suricata_facts(void)
{
	struct dg d[MAX_DG];
	size_t n = load("captures/zeek-spicy-ipsec/ipsec-ikev1-isakmp-main-mode.pcap", d);
	struct v1_msg m2, m3, m4;
	struct v1_sa sa;
	struct v1_p1_attrs a;
	struct v1_blob ni, nr;
	char s[80];

	if (!tap_ok(n >= 4 && v1_msg_parse(d[1].data, d[1].len, &m2, NULL) == 0 &&
		    v1_msg_parse(d[2].data, d[2].len, &m3, NULL) == 0 &&
		    v1_msg_parse(d[3].data, d[3].len, &m4, NULL) == 0, "Main Mode MM2..MM4 parse"))
		goto out;
	hex(s, m4.hdr.cky_i, 8);
	tap_eq_str(s, "e47a591fd057587f", "packet 4: init SPI");
	hex(s, m4.hdr.cky_r, 8);
	tap_eq_str(s, "a00b8ef0902bb8ec", "packet 4: resp SPI");
	tap_eq_int(m4.hdr.exch, V1_EXCH_IDPROT, "packet 4: exchange type 2");
	v1_nonce_parse(v1_msg_find(&m3, V1_P_NONCE, 0), &ni, NULL);
	v1_nonce_parse(v1_msg_find(&m4, V1_P_NONCE, 0), &nr, NULL);
	hex(s, ni.data, ni.len < 32 ? ni.len : 32);
	tap_eq_str(s, "89d7c8fbf94b515b521d5d9589c2602021e1a709", "initiator nonce");
	hex(s, nr.data, nr.len < 32 ? nr.len : 32);
	tap_eq_str(s, "15b688421ed5c3dd92d3b86e47a76f0d39cc09e0", "responder nonce");
	if (!tap_ok(v1_sa_parse(v1_msg_find(&m2, V1_P_SA, 0), &sa, NULL) == 0 && sa.n_xf == 1 &&
		    v1_attr_decode_p1(sa.xf[0].attrs, sa.xf[0].attrs_len, &a, NULL) == 0,
		    "the responder's SA decodes"))
		goto out;
	tap_ok(a.x_encr && strcmp(a.x_encr->name, "aes128") == 0, "AES-CBC (128)");
	tap_ok(a.x_hash && a.x_hash->hash == HASH_SHA1, "SHA");
	tap_ok(a.x_group && a.x_group->v2_id == 2, "group 2 (alternate 1024-bit MODP)");
	tap_eq_int(a.auth, V1_AUTH_PSK, "PSK auth");
	tap_ok(V1_ATTR_HAS(&a, V1_IKE_LIFE_TYPE), "life type seconds");
	tap_eq_int((long long)a.life_seconds, 86400, "life duration 86400");
out:
	unload(d, n);
}

int main(void)
{
	static const enum v1_msg_kind mm[] = { V1_MSG_MM1, V1_MSG_MM2, V1_MSG_MM3, V1_MSG_MM4,
		(enum v1_msg_kind)-1, (enum v1_msg_kind)-1, (enum v1_msg_kind)-1,
		(enum v1_msg_kind)-1, (enum v1_msg_kind)-1 };
	static const enum v1_msg_kind am[] = { V1_MSG_AM1, V1_MSG_AM2, (enum v1_msg_kind)-1,
		(enum v1_msg_kind)-1, (enum v1_msg_kind)-1, (enum v1_msg_kind)-1 };

	if (!vec_dir())
		return tap_skip_all("no vectors folder (../shared/vectors or $DUALIKE_VECTORS)");
	compare_with_zeek("captures/zeek-spicy-ipsec/ipsec-ikev1-isakmp-main-mode.pcap",
			  "captures/zeek-spicy-ipsec/baseline-ikev1-c.ipsec.log", 9, mm);
	compare_with_zeek("captures/zeek-spicy-ipsec/ipsec-ikev1-isakmp-aggressive-mode.pcap",
			  "captures/zeek-spicy-ipsec/baseline-ikev1-b.ipsec.log", 6, am);
	suricata_facts();
	return tap_done();
}
