/*
 * v1_msg_fuzz.c - libFuzzer target for the IKEv1 message layer.
 *
 * The first input byte picks the mode, the rest is a message:
 *   even: parsed as received; an encrypted one (E flag) is opened with
 *         FIXED 3DES and AES-256 keys and IVs, as a peer's garbage would be;
 *   odd:  the body is first encrypted with the fixed key (3DES or AES by
 *         bit 1) and the header's length and E flag are set, so the parser
 *         of decrypted content is reached directly.
 * On every parsed message: all rule rows, SA attribute decoding of every
 * transform, proposal selection against a fixed policy, the HASH helpers.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "v1/v1_attr.h"
#include "v1/v1_crypt.h"
#include "v1/v1_msg.h"
#include "v1/v1_proposal.h"
#include "v1/v1_rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t key[32] = "dualike-fuzz-fixed-key-0123456.";
static const struct v1_iv iv3 = { .b = "fuzz-iv1", .len = 8 };
static const struct v1_iv iv16 = { .b = "fuzz-iv-aes-cbc!", .len = 16 };

static void exercise(const struct v1_msg *m)
{
	static const enum v1_msg_kind kinds[] = { V1_MSG_MM1, V1_MSG_MM2, V1_MSG_MM3, V1_MSG_MM4,
		V1_MSG_MM5, V1_MSG_MM6, V1_MSG_AM1, V1_MSG_AM2, V1_MSG_AM3, V1_MSG_QM1, V1_MSG_QM2,
		V1_MSG_QM3, V1_MSG_INFO, V1_MSG_INFO_CLEAR };
	const struct xform *encr[] = { xform_by_name("aes128"), xform_by_name("3des"),
				       xform_by_name("aes256gcm16") };
	const struct xform *hash[] = { xform_by_name("prfsha1") };
	const struct xform *integ[] = { xform_by_name("sha1") };
	const struct xform *group[] = { xform_by_name("modp2048") };
	struct v1_p1_policy p1 = { encr, 2, hash, 1, group, 1, V1_AUTH_PSK, 3600 };
	struct v1_qm_policy qm = { encr, 3, integ, 1, group, 1, V1_ENCAP_TUNNEL, true, 3600, 0 };
	char why[2048];
	const uint8_t *after;
	size_t alen;
	uint8_t out[PRF_MAX_OUT];

	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
		for (int a = V1_AUTH_CLASS_PSK; a <= V1_AUTH_CLASS_SIG; a++) {
			const struct v1_rule *row = v1_rules_find(kinds[k], (enum v1_auth_class)a);
			struct v1_err e;

			if (row)
				(void)v1_rules_check(row, m, &e);
		}
	for (unsigned i = 0; i < m->n; i++) {
		struct v1_sa sa;
		struct v1_p1_choice c1;
		struct v1_qm_choice c2;

		if (m->pl[i].type != V1_P_SA || v1_sa_parse(&m->pl[i], &sa, NULL) < 0)
			continue;
		for (unsigned j = 0; j < sa.n_xf; j++) {
			struct v1_p1_attrs a1;
			struct v1_ipsec_attrs a2;

			(void)v1_attr_decode_p1(sa.xf[j].attrs, sa.xf[j].attrs_len, &a1, NULL);
			(void)v1_attr_decode_ipsec(V1_PROTO_IPSEC_ESP, sa.xf[j].id, sa.xf[j].attrs,
						   sa.xf[j].attrs_len, &a2, NULL);
		}
		(void)v1_select_p1(&sa, &p1, 1, &c1, why, sizeof(why), NULL);
		(void)v1_select_qm(&sa, &qm, 1, &c2, why, sizeof(why), NULL);
	}
	if (v1_msg_after_hash(m, &after, &alen) == 0)
		(void)v1_hash_1(PRF_HMAC_SHA1, key, 20, m->hdr.msg_id, after, alen, out);
}

static void open_with(enum cipher_alg alg, const uint8_t *msg, size_t len)
{
	struct v1_crypt c;
	struct v1_iv next;
	struct v1_msg m;
	uint8_t *out = malloc(len ? len : 1);

	if (out && v1_crypt_init(&c, alg, key, alg == CIPHER_3DES ? 24 : 32) == 0) {
		if (v1_msg_open(msg, len, &c, alg == CIPHER_3DES ? &iv3 : &iv16, out, len, &next,
				&m, NULL) == 0)
			exercise(&m);
		v1_crypt_free(&c);
	}
	free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct v1_msg m;
	uint8_t mode;

	if (size < 1)
		return 0;
	mode = data[0];
	data++;
	size--;
	if (!(mode & 1)) {
		int rc = v1_msg_parse(data, size, &m, NULL);

		if (rc == 0)
			exercise(&m);
		else if (size > V1_HDR_LEN && (data[19] & V1_FLAG_ENCRYPTION)) {
			open_with(CIPHER_3DES, data, size);
			open_with(CIPHER_AES_CBC, data, size);
		}
		return 0;
	}
	if (size >= V1_HDR_LEN && size < 65536) {
		enum cipher_alg alg = mode & 2 ? CIPHER_AES_CBC : CIPHER_3DES;
		size_t cap = size + 16, sealed;
		uint8_t *buf = calloc(1, cap);
		struct v1_crypt c;
		struct v1_iv next;

		if (buf && v1_crypt_init(&c, alg, key, alg == CIPHER_3DES ? 24 : 32) == 0) {
			memcpy(buf, data, size);
			if (v1_crypt_seal(&c, alg == CIPHER_3DES ? &iv3 : &iv16, buf, size, cap, &sealed,
					  &next) == 0)
				open_with(alg, buf, sealed);
			v1_crypt_free(&c);
		}
		free(buf);
	}
	return 0;
}
