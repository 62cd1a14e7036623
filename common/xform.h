/*
 * xform.h - the transform registry: every algorithm dualike knows, named once.
 *
 * One row per negotiable variant (a cipher with one key length, a group, a
 * PRF...) carries every number it has on the wire in both versions:
 *
 *   IKEv2 transform type and ID           RFC 7296 3.3.2 / IANA "IKEv2 Parameters"
 *   IKEv1 phase-1 attribute value         RFC 2409 appendix A: class 1 encryption
 *                                         algorithm, class 2 hash algorithm,
 *                                         class 4 group description
 *   IKEv1 IPsec DOI value                 RFC 2407 4.4.4 ESP transform ID (ciphers,
 *                                         AEADs), 4.5 auth algorithm, class 5
 *                                         (integrity)
 *
 * plus the config token (strongSwan-like "aes128gcm16", "sha256", "modp2048"),
 * the IANA names (for logs and for the registry test), sizes, and whether the
 * migration report calls it weak. IDs equal the project's enums (prf_alg,
 * integ, cipher, aead, ke), which are defined as the IKEv2 IDs.
 *
 * A value of 0 means "has no number in that registry" (e.g. AES-GCM in IKEv1
 * phase 1, ChaCha20-Poly1305 in IKEv1 at all).
 */
#ifndef DUALIKE_COMMON_XFORM_H
#define DUALIKE_COMMON_XFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Transform kinds; the values are the IKEv2 transform types (RFC 7296 3.3.2). */
enum xform_type {
	XFORM_ENCR = 1,
	XFORM_PRF = 2,
	XFORM_INTEG = 3,
	XFORM_KE = 4, /* "Diffie-Hellman Group" in RFC 7296, "Key Exchange Method" since RFC 9370 */
	XFORM_ESN = 5,
};

/* IKEv1 phase-1 SA attribute classes the registry answers for (RFC 2409 appendix A). */
enum xform_ike_class {
	XFORM_IKE_ENCR = 1,  /* Encryption Algorithm */
	XFORM_IKE_HASH = 2,  /* Hash Algorithm */
	XFORM_IKE_GROUP = 4, /* Group Description */
};

struct xform {
	enum xform_type type;
	uint16_t v2_id;       /* IKEv2 transform ID */
	uint16_t ike_value;   /* IKEv1 phase-1 attribute value (class from type), 0 = none */
	uint16_t ipsec_value; /* ESP transform ID (ENCR) or auth algorithm (INTEG), 0 = none */
	const char *name;     /* config token, unique, lower case */
	const char *alias;    /* second accepted token, or NULL */
	const char *iana_v2;    /* IANA name in the IKEv2 registry */
	const char *iana_ike;   /* IANA name in the IKEv1 phase-1 registry, NULL if none */
	const char *iana_ipsec; /* IANA name in the IPsec DOI registry, NULL if none */
	/*
	 * Key length of this row in bits: the cipher key without salt, the
	 * integrity or PRF key, 0 for KE and ESN. key_attr: the Key Length
	 * attribute is sent (RFC 7296 3.3.5, RFC 2409 appendix A class 14);
	 * key_default: the row picked when a variable-length cipher arrives
	 * without one.
	 */
	uint16_t key_bits;
	bool key_attr;
	bool key_default;
	uint8_t salt_size;  /* bytes of keying material after the key (RFC 4106 8.1, RFC 3686 5.1, RFC 7634 2) */
	uint8_t block_size; /* padding unit: cipher block for CBC, 1 for stream-like modes */
	uint8_t iv_size;    /* IV bytes sent per message */
	uint8_t icv_size;   /* integrity check value / AEAD tag bytes */
	uint16_t ke_bytes;  /* KE payload data length (RFC 7296 3.4, RFC 5903 7, RFC 8031 2) */
	uint8_t hash;       /* enum hash_alg under an HMAC row, 0 otherwise */
	bool aead;
	bool weak;          /* flagged by the migration report */
	const char *impl;   /* library that implements it */
};

/* Number of rows, and row i (NULL past the end): iterate with both. */
size_t xform_count(void);
const struct xform *xform_at(size_t i);

/*
 * Lookups return NULL when nothing matches. key_bits 0 asks for the
 * key_default row of a variable-length cipher (or the only row otherwise);
 * a nonzero key_bits must equal the row's key length.
 */
const struct xform *xform_by_v2(enum xform_type type, unsigned id, unsigned key_bits);
const struct xform *xform_by_ike(enum xform_ike_class cls, unsigned value, unsigned key_bits);
const struct xform *xform_by_esp(unsigned esp_transform_id, unsigned key_bits);
const struct xform *xform_by_ipsec_auth(unsigned auth_algorithm);
/* By config token or alias, case-insensitive. */
const struct xform *xform_by_name(const char *name);

/* The IKEv1 phase-1 class of a type (0 for INTEG and ESN, which have none). */
unsigned xform_ike_class_of(enum xform_type type);
/* "ENCR", "PRF", "INTEG", "KE", "ESN", or "?". */
const char *xform_type_name(enum xform_type type);

#endif
