/*
 * xform.c - the transform registry table and its lookups (see xform.h).
 *
 * Numbers and IANA names: RFC 7296 3.3.2 and the IANA "IKEv2 Parameters"
 * registry; RFC 2409 appendix A and the IANA "IKE Attributes" registry for
 * IKEv1 phase 1; RFC 2407 4.4.4 / 4.5 for the IPsec DOI. Sizes: RFC 3602
 * (AES-CBC), RFC 2451 (3DES), RFC 3686 / RFC 5930 (AES-CTR), RFC 4106 /
 * RFC 5282 (AES-GCM), RFC 7634 (ChaCha20-Poly1305), RFC 2403 / 2404 / 4868
 * (HMAC integrity), RFC 3566 / RFC 4494 (AES-XCBC-96 / AES-CMAC-96),
 * RFC 3526 / RFC 5903 / RFC 8031 (KE payload sizes).
 * Weak, for the migration report (DESIGN.md): DES/3DES, MD5, SHA-1 and the
 * MODP groups below 2048 bits.
 */
#include <stddef.h>
#include <strings.h>

#include "common/hash.h"
#include "common/xform.h"

/* Ciphers: AES-CBC (RFC 3602): 16-byte block and IV, Key Length attribute sent. */
#define AES_CBC(bits, nm, dflt) \
	{ .type = XFORM_ENCR, .v2_id = 12, .ike_value = 7, .ipsec_value = 12, \
	  .name = nm, .iana_v2 = "ENCR_AES_CBC", .iana_ike = "AES-CBC", \
	  .iana_ipsec = "ESP_AES-CBC", .key_bits = bits, .key_attr = true, \
	  .key_default = dflt, .block_size = 16, .iv_size = 16, .impl = "nettle" }

/* AES-CTR (RFC 3686 5.1, RFC 5930): 4-byte nonce after the key, 8-byte IV. */
#define AES_CTR(bits, nm, dflt) \
	{ .type = XFORM_ENCR, .v2_id = 13, .ipsec_value = 13, .name = nm, \
	  .iana_v2 = "ENCR_AES_CTR", .iana_ipsec = "ESP_AES-CTR", .key_bits = bits, \
	  .key_attr = true, .key_default = dflt, .salt_size = 4, .block_size = 1, \
	  .iv_size = 8, .impl = "nettle" }

/* AES-GCM (RFC 4106 8.1, RFC 5282 7.1): 4-byte salt after the key, 8-byte IV. */
#define AES_GCM(bits, icv, id, nm, al, dflt) \
	{ .type = XFORM_ENCR, .v2_id = id, .ipsec_value = id, .name = nm, .alias = al, \
	  .iana_v2 = "ENCR_AES_GCM_" #icv, .iana_ipsec = "ESP_AES-GCM_" #icv, \
	  .key_bits = bits, .key_attr = true, .key_default = dflt, .salt_size = 4, \
	  .block_size = 1, .iv_size = 8, .icv_size = icv, .aead = true, .impl = "nettle" }

#define HMAC_PRF(id, ikeval, h, bits, nm, iv2, iike, wk) \
	{ .type = XFORM_PRF, .v2_id = id, .ike_value = ikeval, .name = nm, \
	  .iana_v2 = iv2, .iana_ike = iike, .key_bits = bits, .hash = h, \
	  .weak = wk, .impl = "nettle" }

#define HMAC_INTEG(id, auth, h, bits, icv, nm, al, iv2, iipsec, wk) \
	{ .type = XFORM_INTEG, .v2_id = id, .ipsec_value = auth, .name = nm, .alias = al, \
	  .iana_v2 = iv2, .iana_ipsec = iipsec, .key_bits = bits, .icv_size = icv, \
	  .hash = h, .weak = wk, .impl = "nettle" }

/* MODP groups (RFC 2409 6, RFC 3526): the KE data is the prime's length. */
#define MODP(id, bits, nm, iv2, iike, wk) \
	{ .type = XFORM_KE, .v2_id = id, .ike_value = id, .name = nm, .iana_v2 = iv2, \
	  .iana_ike = iike, .ke_bytes = (bits) / 8, .weak = wk, .impl = "gmp" }

/* NIST ECP groups (RFC 5903 7): KE data is x | y. */
#define ECP(id, coord, nm, iv2, iike) \
	{ .type = XFORM_KE, .v2_id = id, .ike_value = id, .name = nm, .iana_v2 = iv2, \
	  .iana_ike = iike, .ke_bytes = 2 * (coord), .impl = "nettle" }

static const struct xform xforms[] = {
	/* ---- encryption (IKEv2 type 1) ---- */
	AES_CBC(128, "aes128", true),
	AES_CBC(192, "aes192", false),
	AES_CBC(256, "aes256", false),
	{ .type = XFORM_ENCR, .v2_id = 3, .ike_value = 5, .ipsec_value = 3, .name = "3des",
	  .iana_v2 = "ENCR_3DES", .iana_ike = "3DES-CBC", .iana_ipsec = "ESP_3DES",
	  .key_bits = 192, .block_size = 8, .iv_size = 8, .weak = true, .impl = "nettle" },
	AES_CTR(128, "aes128ctr", true),
	AES_CTR(192, "aes192ctr", false),
	AES_CTR(256, "aes256ctr", false),
	AES_GCM(128, 8, 18, "aes128gcm8", "aes128gcm64", true),
	AES_GCM(192, 8, 18, "aes192gcm8", "aes192gcm64", false),
	AES_GCM(256, 8, 18, "aes256gcm8", "aes256gcm64", false),
	AES_GCM(128, 12, 19, "aes128gcm12", "aes128gcm96", true),
	AES_GCM(192, 12, 19, "aes192gcm12", "aes192gcm96", false),
	AES_GCM(256, 12, 19, "aes256gcm12", "aes256gcm96", false),
	AES_GCM(128, 16, 20, "aes128gcm16", "aes128gcm128", true),
	AES_GCM(192, 16, 20, "aes192gcm16", "aes192gcm128", false),
	AES_GCM(256, 16, 20, "aes256gcm16", "aes256gcm128", false),
	/* RFC 7634 2: 256-bit key + 4-byte salt, no Key Length attribute; no IKEv1 number. */
	{ .type = XFORM_ENCR, .v2_id = 28, .name = "chacha20poly1305",
	  .iana_v2 = "ENCR_CHACHA20_POLY1305", .key_bits = 256, .salt_size = 4,
	  .block_size = 1, .iv_size = 8, .icv_size = 16, .aead = true, .impl = "libsodium" },

	/* ---- PRFs (IKEv2 type 2; IKEv1 hash attribute, whose HMAC is the prf) ---- */
	HMAC_PRF(1, 1, HASH_MD5, 128, "prfmd5", "PRF_HMAC_MD5", "MD5", true),
	HMAC_PRF(2, 2, HASH_SHA1, 160, "prfsha1", "PRF_HMAC_SHA1", "SHA", true),
	HMAC_PRF(5, 4, HASH_SHA2_256, 256, "prfsha256", "PRF_HMAC_SHA2_256", "SHA2-256", false),
	HMAC_PRF(6, 5, HASH_SHA2_384, 384, "prfsha384", "PRF_HMAC_SHA2_384", "SHA2-384", false),
	HMAC_PRF(7, 6, HASH_SHA2_512, 512, "prfsha512", "PRF_HMAC_SHA2_512", "SHA2-512", false),
	/* RFC 4434 / RFC 4615: fixed 128-bit key (prf_fixed_key()). */
	{ .type = XFORM_PRF, .v2_id = 4, .name = "prfaesxcbc", .iana_v2 = "PRF_AES128_XCBC",
	  .key_bits = 128, .impl = "nettle" },
	{ .type = XFORM_PRF, .v2_id = 8, .name = "prfaescmac", .iana_v2 = "PRF_AES128_CMAC",
	  .key_bits = 128, .impl = "nettle" },

	/* ---- integrity (IKEv2 type 3; IPsec DOI auth algorithm) ---- */
	HMAC_INTEG(1, 1, HASH_MD5, 128, 12, "md5", NULL, "AUTH_HMAC_MD5_96", "HMAC-MD5", true),
	HMAC_INTEG(2, 2, HASH_SHA1, 160, 12, "sha1", "sha", "AUTH_HMAC_SHA1_96", "HMAC-SHA", true),
	HMAC_INTEG(12, 5, HASH_SHA2_256, 256, 16, "sha256", "sha2_256",
		   "AUTH_HMAC_SHA2_256_128", "HMAC-SHA2-256", false),
	HMAC_INTEG(13, 6, HASH_SHA2_384, 384, 24, "sha384", "sha2_384",
		   "AUTH_HMAC_SHA2_384_192", "HMAC-SHA2-384", false),
	HMAC_INTEG(14, 7, HASH_SHA2_512, 512, 32, "sha512", "sha2_512",
		   "AUTH_HMAC_SHA2_512_256", "HMAC-SHA2-512", false),
	{ .type = XFORM_INTEG, .v2_id = 5, .ipsec_value = 9, .name = "aesxcbc",
	  .iana_v2 = "AUTH_AES_XCBC_96", .iana_ipsec = "AES-XCBC-MAC", .key_bits = 128,
	  .icv_size = 12, .impl = "nettle" },
	/* RFC 4494: no IPsec DOI auth algorithm is assigned for AES-CMAC-96. */
	{ .type = XFORM_INTEG, .v2_id = 8, .name = "aescmac", .iana_v2 = "AUTH_AES_CMAC_96",
	  .key_bits = 128, .icv_size = 12, .impl = "nettle" },

	/* ---- key exchange (IKEv2 type 4; IKEv1 group description) ---- */
	MODP(1, 768, "modp768", "768-bit MODP Group", "default 768-bit MODP group", true),
	MODP(2, 1024, "modp1024", "1024-bit MODP Group", "alternate 1024-bit MODP group", true),
	MODP(5, 1536, "modp1536", "1536-bit MODP Group", "1536-bit MODP group", true),
	MODP(14, 2048, "modp2048", "2048-bit MODP Group", "2048-bit MODP group", false),
	MODP(15, 3072, "modp3072", "3072-bit MODP Group", "3072-bit MODP group", false),
	MODP(16, 4096, "modp4096", "4096-bit MODP Group", "4096-bit MODP group", false),
	MODP(17, 6144, "modp6144", "6144-bit MODP Group", "6144-bit MODP group", false),
	MODP(18, 8192, "modp8192", "8192-bit MODP Group", "8192-bit MODP group", false),
	ECP(19, 32, "ecp256", "256-bit random ECP group (P-256)", "256-bit random ECP group"),
	ECP(20, 48, "ecp384", "384-bit random ECP group (P-384)", "384-bit random ECP group"),
	ECP(21, 66, "ecp521", "521-bit random ECP group (P-521)", "521-bit random ECP group"),
	/* RFC 8031 is IKEv2 only: no IKEv1 group description is registered. */
	{ .type = XFORM_KE, .v2_id = 31, .name = "x25519", .alias = "curve25519",
	  .iana_v2 = "Curve25519", .ke_bytes = 32, .impl = "libsodium" },
	{ .type = XFORM_KE, .v2_id = 32, .name = "x448", .alias = "curve448",
	  .iana_v2 = "Curve448", .ke_bytes = 56, .impl = "nettle" },

	/* ---- extended sequence numbers (IKEv2 type 5, RFC 7296 3.3.2) ---- */
	{ .type = XFORM_ESN, .v2_id = 0, .name = "noesn",
	  .iana_v2 = "32-bit Sequential Numbers (formerly \"No Extended Sequence Numbers\")",
	  .impl = "kernel" },
	{ .type = XFORM_ESN, .v2_id = 1, .name = "esn",
	  .iana_v2 = "Partially Transmitted 64-bit Sequential Numbers (formerly \"Extended Sequence Numbers\")",
	  .impl = "kernel" },
};

#define N_XFORMS (sizeof(xforms) / sizeof(xforms[0]))

size_t xform_count(void)
{
	return N_XFORMS;
}

const struct xform *xform_at(size_t i)
{
	return i < N_XFORMS ? &xforms[i] : NULL;
}

unsigned xform_ike_class_of(enum xform_type type)
{
	switch (type) {
	case XFORM_ENCR: return XFORM_IKE_ENCR;
	case XFORM_PRF: return XFORM_IKE_HASH;
	case XFORM_KE: return XFORM_IKE_GROUP;
	case XFORM_INTEG:
	case XFORM_ESN: return 0;
	}
	return 0;
}

const char *xform_type_name(enum xform_type type)
{
	switch (type) {
	case XFORM_ENCR: return "ENCR";
	case XFORM_PRF: return "PRF";
	case XFORM_INTEG: return "INTEG";
	case XFORM_KE: return "KE";
	case XFORM_ESN: return "ESN";
	}
	return "?";
}

/* The key-length rule shared by every numeric lookup (see xform.h). */
static bool key_matches(const struct xform *x, unsigned key_bits)
{
	if (key_bits == 0)
		return !x->key_attr || x->key_default;
	return x->key_bits == key_bits;
}

const struct xform *xform_by_v2(enum xform_type type, unsigned id, unsigned key_bits)
{
	for (size_t i = 0; i < N_XFORMS; i++)
		if (xforms[i].type == type && xforms[i].v2_id == id &&
		    key_matches(&xforms[i], key_bits))
			return &xforms[i];
	return NULL;
}

const struct xform *xform_by_ike(enum xform_ike_class cls, unsigned value, unsigned key_bits)
{
	if (value == 0)
		return NULL;
	for (size_t i = 0; i < N_XFORMS; i++)
		if (xform_ike_class_of(xforms[i].type) == (unsigned)cls &&
		    xforms[i].ike_value == value && key_matches(&xforms[i], key_bits))
			return &xforms[i];
	return NULL;
}

const struct xform *xform_by_esp(unsigned esp_transform_id, unsigned key_bits)
{
	if (esp_transform_id == 0)
		return NULL;
	for (size_t i = 0; i < N_XFORMS; i++)
		if (xforms[i].type == XFORM_ENCR && xforms[i].ipsec_value == esp_transform_id &&
		    key_matches(&xforms[i], key_bits))
			return &xforms[i];
	return NULL;
}

const struct xform *xform_by_ipsec_auth(unsigned auth_algorithm)
{
	if (auth_algorithm == 0)
		return NULL;
	for (size_t i = 0; i < N_XFORMS; i++)
		if (xforms[i].type == XFORM_INTEG && xforms[i].ipsec_value == auth_algorithm)
			return &xforms[i];
	return NULL;
}

const struct xform *xform_by_name(const char *name)
{
	if (!name)
		return NULL;
	for (size_t i = 0; i < N_XFORMS; i++)
		if (strcasecmp(xforms[i].name, name) == 0 ||
		    (xforms[i].alias && strcasecmp(xforms[i].alias, name) == 0))
			return &xforms[i];
	return NULL;
}
