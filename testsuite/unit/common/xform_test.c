/* xform_test.c - the transform registry against the IANA table and itself. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/xform.h"
#include "testsuite/lib/tap.h"
#include "testsuite/lib/vec.h"

/* One row of iana/ike-registries.tsv: registry, value, name (reference, note unused). */
struct iana_row {
	char registry[48];
	unsigned value;
	char name[160];
};

static struct iana_row *iana;
static size_t n_iana;

static bool load_iana(void)
{
	char path[1200], line[1024];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/iana/ike-registries.tsv", vec_dir());
	fp = fopen(path, "r");
	if (!fp)
		return false;
	while (fgets(line, sizeof(line), fp)) {
		char *reg, *val, *name, *end, *save = NULL;
		struct iana_row *grown;

		if (line[0] == '#' || line[0] == '\n')
			continue;
		reg = strtok_r(line, "\t\r\n", &save);
		val = strtok_r(NULL, "\t\r\n", &save);
		name = strtok_r(NULL, "\t\r\n", &save);
		if (!reg || !val || !name)
			continue;
		grown = realloc(iana, (n_iana + 1) * sizeof(*iana));
		if (!grown)
			break;
		iana = grown;
		snprintf(iana[n_iana].registry, sizeof(iana[n_iana].registry), "%s", reg);
		iana[n_iana].value = (unsigned)strtoul(val, &end, 10);
		if (*end != '\0') /* the header line "registry value name ..." */
			continue;
		snprintf(iana[n_iana].name, sizeof(iana[n_iana].name), "%s", name);
		n_iana++;
	}
	fclose(fp);
	return n_iana > 0;
}

static const char *iana_name(const char *registry, unsigned value)
{
	for (size_t i = 0; i < n_iana; i++)
		if (strcmp(iana[i].registry, registry) == 0 && iana[i].value == value)
			return iana[i].name;
	return NULL;
}

static const char *v2_registry(enum xform_type t)
{
	switch (t) {
	case XFORM_ENCR: return "ikev2.encr";
	case XFORM_PRF: return "ikev2.prf";
	case XFORM_INTEG: return "ikev2.integ";
	case XFORM_KE: return "ikev2.ke";
	case XFORM_ESN: return "ikev2.sn";
	}
	return "?";
}

static const char *ike_registry(enum xform_type t)
{
	switch (t) {
	case XFORM_ENCR: return "ike.encryption_algorithm";
	case XFORM_PRF: return "ike.hash_algorithm";
	case XFORM_KE: return "ike.group_description";
	default: return NULL;
	}
}

static const char *ipsec_registry(enum xform_type t)
{
	switch (t) {
	case XFORM_ENCR: return "ipsec.esp_transform_id";
	case XFORM_INTEG: return "ipsec.authentication_algorithm";
	default: return NULL;
	}
}

/* Every number and IANA name of every row equals the tsv's. */
static void test_against_iana(void)
{
	for (size_t i = 0; i < xform_count(); i++) {
		const struct xform *x = xform_at(i);
		const char *reg;

		tap_eq_str(iana_name(v2_registry(x->type), x->v2_id), x->iana_v2,
			   "%s: %s %u is %s", x->name, v2_registry(x->type), x->v2_id, x->iana_v2);
		reg = ike_registry(x->type);
		if (x->ike_value || x->iana_ike) {
			tap_ok(reg != NULL, "%s: its type has an IKEv1 phase-1 registry", x->name);
			tap_eq_str(reg ? iana_name(reg, x->ike_value) : NULL, x->iana_ike ? x->iana_ike : "(none)",
				   "%s: %s %u is %s", x->name, reg ? reg : "-", x->ike_value,
				   x->iana_ike ? x->iana_ike : "(none)");
		}
		reg = ipsec_registry(x->type);
		if (x->ipsec_value || x->iana_ipsec) {
			tap_ok(reg != NULL, "%s: its type has an IPsec DOI registry", x->name);
			tap_eq_str(reg ? iana_name(reg, x->ipsec_value) : NULL,
				   x->iana_ipsec ? x->iana_ipsec : "(none)", "%s: %s %u is %s", x->name,
				   reg ? reg : "-", x->ipsec_value, x->iana_ipsec ? x->iana_ipsec : "(none)");
		}
	}
}

static bool has_name(const char *s)
{
	return s && *s;
}

/* Names unique (including aliases), every row found again by each of its numbers. */
static void test_self_consistent(void)
{
	size_t dup = 0, lookups_bad = 0, incomplete = 0;

	for (size_t i = 0; i < xform_count(); i++) {
		const struct xform *x = xform_at(i);
		const char *names[2] = { x->name, x->alias };

		if (!has_name(x->name) || !has_name(x->iana_v2) || !has_name(x->impl))
			incomplete++;
		for (size_t j = 0; j < xform_count(); j++) {
			const struct xform *y = xform_at(j);

			for (size_t a = 0; a < 2; a++) {
				if (!names[a])
					continue;
				if ((j != i && strcasecmp(names[a], y->name) == 0) ||
				    (y->alias && (j != i || a == 0) && strcasecmp(names[a], y->alias) == 0))
					dup++;
			}
		}
		if (xform_by_name(x->name) != x || (x->alias && xform_by_name(x->alias) != x))
			lookups_bad++;
		if (xform_by_v2(x->type, x->v2_id, x->key_bits) != x)
			lookups_bad++;
		if (x->ike_value &&
		    xform_by_ike(xform_ike_class_of(x->type), x->ike_value, x->key_bits) != x)
			lookups_bad++;
		if (x->ipsec_value && x->type == XFORM_ENCR && xform_by_esp(x->ipsec_value, x->key_bits) != x)
			lookups_bad++;
		if (x->ipsec_value && x->type == XFORM_INTEG && xform_by_ipsec_auth(x->ipsec_value) != x)
			lookups_bad++;
	}
	tap_eq_int((long long)dup, 0, "config names and aliases are unique (case-insensitive)");
	tap_eq_int((long long)lookups_bad, 0, "every row is found by its name, alias and each of its numbers");
	tap_eq_int((long long)incomplete, 0, "every row has a name, an IANA name and an implementation");
	tap_ok(xform_at(xform_count()) == NULL, "iteration ends with NULL");
}

/* The rows the design asks for exist, with the sizes the RFCs give. */
static void test_rows(void)
{
	static const char *required[] = {
		"aes128", "aes192", "aes256", "3des", "aes128ctr", "aes192ctr", "aes256ctr",
		"aes128gcm8", "aes192gcm12", "aes256gcm16", "chacha20poly1305",
		"prfmd5", "prfsha1", "prfsha256", "prfsha384", "prfsha512", "prfaesxcbc", "prfaescmac",
		"md5", "sha1", "sha256", "sha384", "sha512", "aesxcbc", "aescmac",
		"modp768", "modp1024", "modp1536", "modp2048", "modp3072", "modp4096", "modp6144",
		"modp8192", "ecp256", "ecp384", "ecp521", "x25519", "x448", "esn", "noesn",
	};
	const struct xform *x;
	size_t missing = 0;

	for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++)
		if (!xform_by_name(required[i])) {
			tap_diag("missing: %s", required[i]);
			missing++;
		}
	tap_eq_int((long long)missing, 0, "all %zu required config names exist",
		   sizeof(required) / sizeof(required[0]));

	x = xform_by_name("AES256GCM16");
	tap_ok(x && x->type == XFORM_ENCR && x->v2_id == 20 && x->key_bits == 256 && x->aead &&
		       x->icv_size == 16 && x->salt_size == 4 && x->iv_size == 8 && x->ipsec_value == 20 &&
		       x->ike_value == 0,
	       "aes256gcm16 (any case): ENCR 20, 256-bit key, AEAD, 16-byte ICV, 4-byte salt, ESP 20");
	tap_ok(xform_by_name("curve25519") == xform_by_name("x25519") && xform_by_name("x25519")->v2_id == 31,
	       "curve25519 is an alias of x25519 (group 31)");
	tap_ok(xform_by_name("curve448") == xform_by_name("x448") && xform_by_name("x448")->v2_id == 32,
	       "curve448 is an alias of x448 (group 32)");
	x = xform_by_name("3des");
	tap_ok(x && x->key_bits == 192 && !x->key_attr && x->block_size == 8 && x->weak,
	       "3des: 192-bit fixed key, 8-byte block, weak");
	tap_ok(xform_by_v2(XFORM_ENCR, 12, 0) == xform_by_name("aes128"),
	       "AES-CBC without a key length resolves to the 128-bit default");
	tap_ok(xform_by_v2(XFORM_ENCR, 12, 256) == xform_by_name("aes256"), "AES-CBC 256 by IKEv2 ID");
	tap_ok(xform_by_v2(XFORM_ENCR, 12, 100) == NULL, "AES-CBC with a 100-bit key is refused");
	tap_ok(xform_by_v2(XFORM_ENCR, 3, 0) == xform_by_name("3des") &&
		       xform_by_v2(XFORM_ENCR, 3, 192) == xform_by_name("3des"),
	       "3DES by ID with no or its own key length");
	tap_ok(xform_by_ike(XFORM_IKE_ENCR, 7, 192) == xform_by_name("aes192"),
	       "IKEv1 phase-1 encryption 7 + 192 bits is aes192");
	tap_ok(xform_by_ike(XFORM_IKE_HASH, 4, 0) == xform_by_name("prfsha256"),
	       "IKEv1 hash 4 (SHA2-256) gives the HMAC-SHA2-256 PRF");
	tap_ok(xform_by_ike(XFORM_IKE_GROUP, 2, 0) == xform_by_name("modp1024"),
	       "IKEv1 group 2 is modp1024");
	tap_ok(xform_by_ike(XFORM_IKE_GROUP, 31, 0) == NULL, "no IKEv1 group 31 (RFC 8031 is IKEv2 only)");
	tap_ok(xform_by_esp(18, 192) == xform_by_name("aes192gcm8"), "ESP transform 18 + 192 bits is aes192gcm8");
	tap_ok(xform_by_esp(0, 0) == NULL && xform_by_ipsec_auth(0) == NULL, "value 0 finds nothing");
	tap_ok(xform_by_ipsec_auth(5) == xform_by_name("sha256"), "IPsec auth algorithm 5 is sha256");
	tap_ok(xform_by_ipsec_auth(9) == xform_by_name("aesxcbc"), "IPsec auth algorithm 9 is aesxcbc");
	tap_ok(xform_by_v2(XFORM_KE, 14, 0) && xform_by_v2(XFORM_KE, 14, 0)->ke_bytes == 256,
	       "group 14 KE data is 256 bytes");
	tap_ok(xform_by_v2(XFORM_KE, 21, 0) && xform_by_v2(XFORM_KE, 21, 0)->ke_bytes == 132,
	       "group 21 KE data is 132 bytes (RFC 5903 7)");
	tap_ok(xform_by_v2(XFORM_ESN, 0, 0) == xform_by_name("noesn") &&
		       xform_by_v2(XFORM_ESN, 1, 0) == xform_by_name("esn"),
	       "ESN 0 is noesn, 1 is esn");
	tap_ok(xform_by_name("nosuch") == NULL && xform_by_name(NULL) == NULL, "unknown names find nothing");
	tap_ok(xform_by_v2(XFORM_INTEG, 13, 0) && xform_by_v2(XFORM_INTEG, 13, 0)->icv_size == 24,
	       "HMAC-SHA2-384-192 has a 24-byte ICV");
}

static void test_weak(void)
{
	static const char *weak[] = { "3des", "md5", "sha1", "prfmd5", "prfsha1",
				      "modp768", "modp1024", "modp1536" };
	size_t n_weak = 0, bad = 0;

	for (size_t i = 0; i < sizeof(weak) / sizeof(weak[0]); i++)
		if (!xform_by_name(weak[i]) || !xform_by_name(weak[i])->weak) {
			tap_diag("not weak: %s", weak[i]);
			bad++;
		}
	for (size_t i = 0; i < xform_count(); i++)
		n_weak += xform_at(i)->weak;
	tap_eq_int((long long)bad, 0, "DES/3DES, MD5, SHA-1 and MODP below 2048 are weak");
	tap_eq_int((long long)n_weak, (long long)(sizeof(weak) / sizeof(weak[0])), "nothing else is weak");
}

int main(void)
{
	test_self_consistent();
	test_rows();
	test_weak();
	if (!vec_dir()) {
		tap_skip("vectors folder not found: IANA comparison not run");
		return tap_done();
	}
	if (!load_iana()) {
		tap_ok(false, "iana/ike-registries.tsv is readable");
		return tap_done();
	}
	tap_diag("%zu IANA rows loaded", n_iana);
	test_against_iana();
	free(iana);
	return tap_done();
}
