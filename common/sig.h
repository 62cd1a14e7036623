/*
 * sig.h - public key signatures for IKE authentication, shared by both
 * engines: keys, sign/verify over a byte string, the RFC 7427
 * AlgorithmIdentifiers and SIGNATURE_HASH_ALGORITHMS hash IDs, and the
 * crypto jobs that run them off the protocol loop (DESIGN.md step 4).
 *
 * Schemes and where each is used:
 *   SIG_RSA_PKCS1_SHA1..SHA512  RSASSA-PKCS1-v1_5 (RFC 8017 8.2) with a
 *                               DigestInfo; IKEv2 AUTH method 1 (SHA-1,
 *                               RFC 7296 3.8) and RFC 7427 method 14
 *   SIG_RSA_PSS_SHA256..512     RSASSA-PSS (RFC 8017 8.1), MGF1 with the
 *                               same hash, salt = hash length, trailer 1
 *                               (RFC 7427 method 14, RFC 4055 params)
 *   SIG_ECDSA_SHA256..512       ECDSA (FIPS 186-4) on the key's curve; the
 *                               output form is chosen per call (below)
 *   SIG_ED25519                 PureEdDSA (RFC 8032) over the data itself
 *                               (RFC 8420: method 14, hash "Identity")
 *   SIG_RSA_V1_RAW              IKEv1 RSA signatures (RFC 2409 5.1): the
 *                               data (HASH_I/HASH_R, the prf output) gets
 *                               PKCS#1 v1.5 type 1 padding with NO
 *                               DigestInfo and the RSA private operation
 *                               ("private encrypt"); at most key bytes-11
 *   SIG_ECDSA_DIGEST            IKEv1 ECDSA signatures (RFC 4754 methods
 *                               9, 10, 11): the data is taken as the ECDSA
 *                               digest itself, not hashed again. HASH_I /
 *                               HASH_R (the prf output, 20, 32, 48 or 64
 *                               octets) is what strongSwan signs and checks
 *                               that way (v1/v1_auth_sig.c has the finding)
 *
 * ECDSA signature forms (enum sig_form): SIG_FORM_RAW is r || s, each
 * left-padded to the curve's byte size (RFC 4754 7: IKEv2 methods 9, 10,
 * 11, and IKEv1 ECDSA); SIG_FORM_DER is the X.509 ECDSA-Sig-Value
 * SEQUENCE { r INTEGER, s INTEGER } that RFC 7427 3 carries. Other schemes
 * ignore the form.
 *
 * Threads: sig_sign / sig_verify only read the key, so several jobs may use
 * one key at the same time. Reference counts (sig_privkey_ref, the job
 * helpers) are taken and dropped on the loop thread only.
 */
#ifndef DUALIKE_COMMON_SIG_H
#define DUALIKE_COMMON_SIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct job;
struct job_pool;

/* Largest signature produced or accepted: RSA-8192 (1024 bytes). */
#define SIG_MAX_LEN 1024
/* Largest RFC 7427 AlgorithmIdentifier this module knows (RSA-PSS: 65). */
#define SIG_ALGID_MAX 80
/* Largest data accepted for signing (AUTH octets are a message + nonce + prf). */
#define SIG_DATA_MAX (64u * 1024u)

enum sig_scheme {
	SIG_NONE = 0,
	SIG_RSA_PKCS1_SHA1,
	SIG_RSA_PKCS1_SHA256,
	SIG_RSA_PKCS1_SHA384,
	SIG_RSA_PKCS1_SHA512,
	SIG_RSA_PSS_SHA256,
	SIG_RSA_PSS_SHA384,
	SIG_RSA_PSS_SHA512,
	SIG_ECDSA_SHA256,
	SIG_ECDSA_SHA384,
	SIG_ECDSA_SHA512,
	SIG_ED25519,
	SIG_RSA_V1_RAW,
	SIG_ECDSA_DIGEST,
	SIG_SCHEME_COUNT_
};

enum sig_form {
	SIG_FORM_DER = 0, /* ECDSA-Sig-Value (RFC 7427 3, RFC 5480) */
	SIG_FORM_RAW = 1, /* r || s (RFC 4754 7) */
};

enum sig_key_type {
	SIG_KEY_NONE = 0,
	SIG_KEY_RSA,
	SIG_KEY_ECDSA_P256,
	SIG_KEY_ECDSA_P384,
	SIG_KEY_ECDSA_P521,
	SIG_KEY_ED25519,
};

/*
 * SIGNATURE_HASH_ALGORITHMS values (RFC 7427 4, IANA "IKEv2 Hash
 * Algorithms"; Identity from RFC 8420), carried in the notify of that name
 * as 2-octet values.
 */
enum sig_hash_id {
	SIG_HASH_SHA1 = 1,
	SIG_HASH_SHA2_256 = 2,
	SIG_HASH_SHA2_384 = 3,
	SIG_HASH_SHA2_512 = 4,
	SIG_HASH_IDENTITY = 5,
};

struct sig_privkey; /* opaque, reference counted */
struct sig_pubkey;  /* opaque, reference counted */

/* ---- keys (sig.c) ---- */

/*
 * A private key from PEM or DER bytes (PKCS#8 unencrypted, PKCS#1 RSA, SEC1
 * EC). Files go through cert_key_load_file() (common/cert.h), which checks
 * the file mode and wipes what it read. ERR_PARSE, ERR_UNSUPPORTED (an
 * algorithm or curve not listed in enum sig_key_type), ERR_NOMEM.
 */
int sig_privkey_from_mem(const uint8_t *data, size_t len, struct sig_privkey **out);
struct sig_privkey *sig_privkey_ref(struct sig_privkey *key);
/* Drop a reference; the last one frees the key (GnuTLS wipes it). NULL ok. */
void sig_privkey_free(struct sig_privkey *key);
enum sig_key_type sig_privkey_type(const struct sig_privkey *key);
/* Modulus or curve size in bits. */
unsigned sig_privkey_bits(const struct sig_privkey *key);
/* The public half (a new reference). ERR_NOMEM, ERR_CRYPTO. */
int sig_privkey_pubkey(const struct sig_privkey *key, struct sig_pubkey **out);

/* A public key from a DER SubjectPublicKeyInfo. ERR_PARSE, ERR_UNSUPPORTED. */
int sig_pubkey_from_spki(const uint8_t *der, size_t len, struct sig_pubkey **out);
struct sig_pubkey *sig_pubkey_ref(struct sig_pubkey *key);
void sig_pubkey_free(struct sig_pubkey *key);
enum sig_key_type sig_pubkey_type(const struct sig_pubkey *key);
unsigned sig_pubkey_bits(const struct sig_pubkey *key);
/* Same key (the DER SubjectPublicKeyInfo of both are equal). */
bool sig_pubkey_equal(const struct sig_pubkey *a, const struct sig_pubkey *b);

/* "RSA", "ECDSA-P256", "ECDSA-P384", "ECDSA-P521", "Ed25519". */
const char *sig_key_type_name(enum sig_key_type type);

/* ---- schemes (sig.c) ---- */

/* "rsa-pkcs1-sha256", "rsa-pss-sha384", "ecdsa-sha256", "ed25519",
 * "rsa-v1-raw", "ecdsa-digest"...; "none" for anything else. */
const char *sig_scheme_name(enum sig_scheme scheme);
/* Can a key of this type make this scheme's signatures? (ECDSA: any of the
 * three curves with any of the three hashes, as RFC 7427 allows.) */
bool sig_scheme_fits_key(enum sig_scheme scheme, enum sig_key_type type);
/* The RFC 7427 hash ID a scheme uses (SIG_HASH_IDENTITY for Ed25519); 0 for
 * SIG_RSA_V1_RAW, SIG_ECDSA_DIGEST and SIG_NONE. */
uint16_t sig_scheme_hash_id(enum sig_scheme scheme);
/*
 * The scheme to sign with for a key when the peer announced the hash IDs
 * hashes[0..n) (RFC 7427 4): RSA keys pick PKCS#1 v1.5 (or PSS when pss is
 * set) with the strongest common SHA-2; ECDSA picks the hash
 * matching its curve (P-256/SHA-256, P-384/SHA-384, P-521/SHA-512) if
 * announced, else the strongest common one; Ed25519 needs Identity.
 * SIG_NONE when nothing fits.
 */
enum sig_scheme sig_scheme_pick(enum sig_key_type type, bool pss,
				const uint16_t *hashes, size_t n);

/*
 * Sign data[0..len) with key. out must hold SIG_MAX_LEN bytes (cap); the
 * signature length goes into *out_len. Randomised schemes (PSS, ECDSA) give
 * a different signature each call. ERR_UNSUPPORTED when the scheme does not
 * fit the key, ERR_INVAL for len > SIG_DATA_MAX (or, for SIG_RSA_V1_RAW,
 * longer than the key allows; for SIG_ECDSA_DIGEST, a digest not 20, 32, 48
 * or 64 octets long), ERR_OVERFLOW when cap is too small,
 * ERR_CRYPTO when GnuTLS fails.
 */
int sig_sign(const struct sig_privkey *key, enum sig_scheme scheme,
	     enum sig_form form, const uint8_t *data, size_t len,
	     uint8_t *out, size_t cap, size_t *out_len);
/*
 * Verify. 0 when the signature is good; ERR_INTEGRITY when it is not
 * (including a wrong length, a malformed DER ECDSA-Sig-Value, or r/s out of
 * range); ERR_UNSUPPORTED when the scheme does not fit the key; ERR_INVAL
 * for a SIG_ECDSA_DIGEST digest of another length than sig_sign takes.
 */
int sig_verify(const struct sig_pubkey *key, enum sig_scheme scheme,
	       enum sig_form form, const uint8_t *data, size_t len,
	       const uint8_t *sig, size_t sig_len);

/* ---- RFC 7427 AlgorithmIdentifiers (sig_algid.c) ---- */

/*
 * The DER AlgorithmIdentifier that precedes the signature in an RFC 7427
 * AUTH payload (RFC 7427 3, encodings as in its Appendix A; RSA-PSS
 * parameters as RFC 4055 3.1 with MGF1 over the same hash and salt = hash
 * length; Ed25519 as RFC 8410 3). Points at a constant; ERR_UNSUPPORTED for
 * SIG_RSA_V1_RAW, SIG_ECDSA_DIGEST and SIG_NONE.
 */
int sig_algid_encode(enum sig_scheme scheme, const uint8_t **der, size_t *len);
/*
 * Recognise a peer's AlgorithmIdentifier (peer bytes): an exact match of a
 * known encoding, also accepting the RSA PKCS#1 and PSS forms with the hash
 * parameters absent instead of NULL (RFC 4055 2.1 allows both). Anything
 * else is ERR_UNSUPPORTED (the peer used an algorithm we do not know; RFC
 * 7427 3 leaves failing to the receiver).
 */
int sig_algid_decode(const uint8_t *der, size_t len, enum sig_scheme *out);

/* ---- signing and verifying as crypto jobs (job_sig.c) ---- */

/*
 * What a signature job hands its done callback. For a sign job `err` is 0
 * or the sig_sign() error and sig[0..sig_len) the signature; for a verify
 * job `err` is 0 (good), ERR_INTEGRITY (bad) or another sig_verify() error.
 * The struct is the pool's: copy what you keep.
 */
struct job_sig_result {
	int err;
	enum sig_scheme scheme;
	size_t sig_len;
	uint8_t sig[SIG_MAX_LEN];
};

typedef void (*job_sig_done_fn)(void *owner, struct job_sig_result *result);

/*
 * Sign data (copied) with key on a worker thread. The job holds a reference
 * to key (taken here, dropped on the loop thread when the job completes or
 * is discarded), so a config reload may drop the key meanwhile. ERR_INVAL
 * for len > SIG_DATA_MAX, ERR_NOMEM (nothing queued). Cancel with
 * job_cancel(slot) as for KE jobs (common/job.h).
 */
int job_sig_sign(struct job_pool *pool, struct sig_privkey *key,
		 enum sig_scheme scheme, enum sig_form form,
		 const uint8_t *data, size_t len, job_sig_done_fn done,
		 void *owner, struct job **slot);
/* Verify sig over data (both copied) with key (referenced) on a worker.
 * ERR_INVAL for len > SIG_DATA_MAX or sig_len > SIG_MAX_LEN, ERR_NOMEM. */
int job_sig_verify(struct job_pool *pool, struct sig_pubkey *key,
		   enum sig_scheme scheme, enum sig_form form,
		   const uint8_t *data, size_t len, const uint8_t *sig,
		   size_t sig_len, job_sig_done_fn done, void *owner,
		   struct job **slot);

#endif
