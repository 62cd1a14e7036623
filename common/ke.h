/*
 * ke.h - key exchange (KE) methods: the Diffie-Hellman groups both IKE
 * versions share, behind one interface a KEM will fit later.
 *
 * A method is named by its number, which is at once the IKEv2 Transform Type 4
 * ID (RFC 7296 3.3.2, "Key Exchange Method" since RFC 9370) and the IKEv1
 * group description (RFC 2409 appendix A):
 *   MODP  1 (768), 2 (1024)              RFC 2409 6.1, 6.2
 *   MODP  5 (1536), 14, 15, 16, 17, 18   RFC 3526
 *   ECP  19, 20, 21 (P-256, P-384, P-521) RFC 5903
 *   31 Curve25519, 32 Curve448           RFC 8031 (RFC 7748 X25519/X448)
 *
 * The interface is shaped as a KEM (OpenSSH's keypair / enc / dec trio):
 *   initiator: ke_keypair_new() -> send ke_public() in KEi
 *              ... receive KEr ... ke_derive(kp, KEr data) -> shared secret
 *   responder: ke_respond(group, KEi data) -> KEr data + shared secret
 * For Diffie-Hellman, ke_respond() is "new keypair + derive" and KEr carries
 * the responder's public value. A KEM implements ke_respond() as
 * encapsulation (KEr carries a ciphertext, response_len) and ke_derive() as
 * decapsulation; callers do not change.
 *
 * Wire formats (what ke_public() returns and what peers send):
 *   MODP: big-endian g^x left-padded with zeros to the prime's length
 *         (RFC 7296 3.4, RFC 2409 5); the shared g^xy likewise.
 *   ECP:  x || y, each big-endian padded to the field size, no 0x04 prefix
 *         (RFC 5903 7); the shared secret is the x coordinate (RFC 5903 9).
 *   X25519 / X448: the raw 32 / 56 octet little-endian u-coordinate, and the
 *         raw X25519 / X448 output as the shared secret (RFC 8031 2).
 *
 * A peer's value is checked before use; anything wrong is ERR_BAD_PUBLIC,
 * never a crash: the exact length; MODP 1 < y < p-1 (RFC 7296 5,
 * RFC 6989 2.1); ECP coordinates < p and the point on the curve (RFC 6989
 * 2.3); X25519/X448 an all-zero shared secret (RFC 8031 2, RFC 7748 6).
 *
 * Thread safety: methods are constant tables; keypairs belong to one caller.
 * Every function may run concurrently on worker threads (DESIGN.md: KE is a
 * job). Private values are wiped when a keypair is freed.
 */
#ifndef DUALIKE_COMMON_KE_H
#define DUALIKE_COMMON_KE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/secret.h"

/* IANA "Transform Type 4 - Key Exchange Method Transform IDs". */
enum ke_group {
	KE_MODP_768 = 1,
	KE_MODP_1024 = 2,
	KE_MODP_1536 = 5,
	KE_MODP_2048 = 14,
	KE_MODP_3072 = 15,
	KE_MODP_4096 = 16,
	KE_MODP_6144 = 17,
	KE_MODP_8192 = 18,
	KE_ECP_256 = 19,
	KE_ECP_384 = 20,
	KE_ECP_521 = 21,
	KE_CURVE25519 = 31,
	KE_CURVE448 = 32,
};

enum ke_kind {
	KE_KIND_DH,  /* both sides send a public value (response_len == public_len) */
	KE_KIND_KEM, /* the responder sends a ciphertext (reserved for ML-KEM) */
};

/* The largest public value / response / shared secret of any method (MODP 8192). */
#define KE_MAX_PUBLIC 1024
#define KE_MAX_SHARED 1024

struct ke_impl; /* opaque: the implementation's operations and parameters */

struct ke_method {
	uint16_t group;       /* enum ke_group */
	const char *name;     /* IANA name: "MODP_2048", "ECP_256", "Curve25519" */
	enum ke_kind kind;
	size_t public_len;    /* octets of the initiator's KE data (KEi) */
	size_t response_len;  /* octets of the responder's KE data (KEr) */
	size_t shared_len;    /* octets of the shared secret */
	unsigned strength;    /* estimated security strength in bits (RFC 3526 8,
			       * RFC 5903 1, RFC 7748 1), for reports/policy */
	const struct ke_impl *impl;
};

/* The method for a group number, or NULL when not supported. */
const struct ke_method *ke_method_find(uint16_t group);
/* The index-th supported method in ascending group order, NULL past the end. */
const struct ke_method *ke_method_at(size_t index);

struct ke_keypair;

/*
 * Initiator: a fresh keypair for group. ERR_UNSUPPORTED for an unknown group,
 * ERR_NOMEM, ERR_CRYPTO when the random source or a library call failed.
 */
int ke_keypair_new(uint16_t group, struct ke_keypair **out);
/*
 * A keypair from a given private value, for known-answer tests and
 * diagnostics. priv is: MODP a big-endian exponent (1..prime length octets,
 * non-zero); ECP a big-endian scalar of exactly the field size, 0 < d < n;
 * X25519/X448 the raw 32/56 octets (clamped by the primitive). ERR_INVAL when
 * the value is out of range.
 */
int ke_keypair_from_private(uint16_t group, const uint8_t *priv, size_t len,
			    struct ke_keypair **out);
/* Wipe the private value and free; NULL is allowed. */
void ke_keypair_free(struct ke_keypair *kp);
/*
 * A copy of kp (private value included) that lives and is wiped on its
 * own: for a load generator reusing one DH value over several SAs (RFC
 * 7296 2.12, job_pool_set_ke_reuse). ERR_NOMEM.
 */
int ke_keypair_dup(const struct ke_keypair *kp, struct ke_keypair **out);
const struct ke_method *ke_keypair_method(const struct ke_keypair *kp);
/* The value to send in KEi (method->public_len octets); valid until freed. */
const uint8_t *ke_public(const struct ke_keypair *kp, size_t *len);

/*
 * Initiator, after KEr: the shared secret from the peer's KE data, which
 * must be exactly method->response_len octets. ERR_BAD_PUBLIC for a wrong
 * length or an invalid value; *shared is NULL on any failure.
 */
int ke_derive(const struct ke_keypair *kp, const uint8_t *peer, size_t peer_len,
	      struct secret **shared);

/*
 * Responder: from the initiator's KE data (method->public_len octets), write
 * the response (method->response_len octets) into out[0..out_cap) and return
 * the shared secret. For DH this is a fresh keypair + derive; the private
 * value never leaves this call. ERR_OVERFLOW when out_cap is too small,
 * ERR_BAD_PUBLIC for an invalid peer value; nothing is written to *shared
 * or *out_len on failure.
 */
int ke_respond(uint16_t group, const uint8_t *peer, size_t peer_len,
	       uint8_t *out, size_t out_cap, size_t *out_len,
	       struct secret **shared);

#endif
