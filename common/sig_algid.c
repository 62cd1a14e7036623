/*
 * sig_algid.c - the DER AlgorithmIdentifiers of RFC 7427 3 (Digital
 * Signature authentication, AUTH method 14).
 *
 * The encodings are fixed byte strings, so they are written out here as
 * constants rather than built with an ASN.1 library; the unit test checks
 * them against GnuTLS's own encoding of the same algorithms. ASN.1:
 *
 *   AlgorithmIdentifier ::= SEQUENCE { algorithm OID, parameters ANY OPTIONAL }
 *   sha{1,256,384,512}WithRSAEncryption  1.2.840.113549.1.1.{5,11,12,13},
 *                                         parameters NULL (RFC 7427 A.1-A.2)
 *   ecdsa-with-SHA{256,384,512}          1.2.840.10045.4.3.{2,3,4}, no
 *                                         parameters (RFC 5758 3.2, RFC 7427 A.3)
 *   id-RSASSA-PSS                        1.2.840.113549.1.1.10 with
 *     RSASSA-PSS-params { [0] hashAlgorithm, [1] MGF1(hash), [2] saltLength }
 *     (RFC 4055 3.1; RFC 7427 A.4.3 shows SHA-256 with salt 32), trailer
 *     field left at its default
 *   id-Ed25519                           1.3.101.112, no parameters (RFC 8410 3,
 *                                         RFC 8420)
 */
#include <string.h>

#include "common/err.h"
#include "common/sig.h"

#define RSA_OID(last) 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, (last)
#define SHA2_OID(last) 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, (last)

static const uint8_t rsa_sha1[] = { 0x30, 0x0d, RSA_OID(0x05), 0x05, 0x00 };
static const uint8_t rsa_sha256[] = { 0x30, 0x0d, RSA_OID(0x0b), 0x05, 0x00 };
static const uint8_t rsa_sha384[] = { 0x30, 0x0d, RSA_OID(0x0c), 0x05, 0x00 };
static const uint8_t rsa_sha512[] = { 0x30, 0x0d, RSA_OID(0x0d), 0x05, 0x00 };
/* the same with the parameters absent (RFC 4055 5: accept both) */
static const uint8_t rsa_sha1_np[] = { 0x30, 0x0b, RSA_OID(0x05) };
static const uint8_t rsa_sha256_np[] = { 0x30, 0x0b, RSA_OID(0x0b) };
static const uint8_t rsa_sha384_np[] = { 0x30, 0x0b, RSA_OID(0x0c) };
static const uint8_t rsa_sha512_np[] = { 0x30, 0x0b, RSA_OID(0x0d) };

#define ECDSA_OID(last) 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, (last)
static const uint8_t ecdsa_sha256[] = { 0x30, 0x0a, ECDSA_OID(0x02) };
static const uint8_t ecdsa_sha384[] = { 0x30, 0x0a, ECDSA_OID(0x03) };
static const uint8_t ecdsa_sha512[] = { 0x30, 0x0a, ECDSA_OID(0x04) };

static const uint8_t ed25519[] = { 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70 };

/*
 * 30 41  06 09 <id-RSASSA-PSS>  30 34
 *   a0 0f 30 0d <sha2 OID> 05 00                   hashAlgorithm
 *   a1 1c 30 1a 06 09 <id-mgf1> 30 0d <sha2 OID> 05 00   maskGenAlgorithm
 *   a2 03 02 01 <salt>                              saltLength
 */
#define PSS(h, salt) \
	0x30, 0x41, RSA_OID(0x0a), 0x30, 0x34, \
	0xa0, 0x0f, 0x30, 0x0d, SHA2_OID(h), 0x05, 0x00, \
	0xa1, 0x1c, 0x30, 0x1a, RSA_OID(0x08), 0x30, 0x0d, SHA2_OID(h), 0x05, 0x00, \
	0xa2, 0x03, 0x02, 0x01, (salt)
static const uint8_t pss_sha256[] = { PSS(0x01, 32) };
static const uint8_t pss_sha384[] = { PSS(0x02, 48) };
static const uint8_t pss_sha512[] = { PSS(0x03, 64) };
/* hash parameters absent in both places: 4 octets shorter (RFC 4055 2.1) */
#define PSS_NP(h, salt) \
	0x30, 0x3d, RSA_OID(0x0a), 0x30, 0x30, \
	0xa0, 0x0d, 0x30, 0x0b, SHA2_OID(h), \
	0xa1, 0x1a, 0x30, 0x18, RSA_OID(0x08), 0x30, 0x0b, SHA2_OID(h), \
	0xa2, 0x03, 0x02, 0x01, (salt)
static const uint8_t pss_sha256_np[] = { PSS_NP(0x01, 32) };
static const uint8_t pss_sha384_np[] = { PSS_NP(0x02, 48) };
static const uint8_t pss_sha512_np[] = { PSS_NP(0x03, 64) };

struct algid {
	enum sig_scheme scheme;
	bool preferred; /* the one we send */
	const uint8_t *der;
	size_t len;
};

#define A(s, p, x) { (s), (p), (x), sizeof(x) }
static const struct algid algids[] = {
	A(SIG_RSA_PKCS1_SHA1, true, rsa_sha1),
	A(SIG_RSA_PKCS1_SHA256, true, rsa_sha256),
	A(SIG_RSA_PKCS1_SHA384, true, rsa_sha384),
	A(SIG_RSA_PKCS1_SHA512, true, rsa_sha512),
	A(SIG_RSA_PSS_SHA256, true, pss_sha256),
	A(SIG_RSA_PSS_SHA384, true, pss_sha384),
	A(SIG_RSA_PSS_SHA512, true, pss_sha512),
	A(SIG_ECDSA_SHA256, true, ecdsa_sha256),
	A(SIG_ECDSA_SHA384, true, ecdsa_sha384),
	A(SIG_ECDSA_SHA512, true, ecdsa_sha512),
	A(SIG_ED25519, true, ed25519),
	A(SIG_RSA_PKCS1_SHA1, false, rsa_sha1_np),
	A(SIG_RSA_PKCS1_SHA256, false, rsa_sha256_np),
	A(SIG_RSA_PKCS1_SHA384, false, rsa_sha384_np),
	A(SIG_RSA_PKCS1_SHA512, false, rsa_sha512_np),
	A(SIG_RSA_PSS_SHA256, false, pss_sha256_np),
	A(SIG_RSA_PSS_SHA384, false, pss_sha384_np),
	A(SIG_RSA_PSS_SHA512, false, pss_sha512_np),
};
#undef A

int sig_algid_encode(enum sig_scheme scheme, const uint8_t **der, size_t *len)
{
	for (size_t i = 0; i < sizeof(algids) / sizeof(algids[0]); i++) {
		if (algids[i].scheme == scheme && algids[i].preferred) {
			*der = algids[i].der;
			*len = algids[i].len;
			return 0;
		}
	}
	return ERR_UNSUPPORTED;
}

int sig_algid_decode(const uint8_t *der, size_t len, enum sig_scheme *out)
{
	if (!der)
		return ERR_UNSUPPORTED;
	for (size_t i = 0; i < sizeof(algids) / sizeof(algids[0]); i++) {
		if (algids[i].len == len && memcmp(algids[i].der, der, len) == 0) {
			*out = algids[i].scheme;
			return 0;
		}
	}
	return ERR_UNSUPPORTED;
}
