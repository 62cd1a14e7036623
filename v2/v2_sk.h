/*
 * v2_sk.h - the Encrypted and Authenticated payload (RFC 7296 3.14) with
 * CBC/CTR ciphers plus an integrity transform, and with AEAD ciphers
 * (RFC 5282: AES-GCM; RFC 7634: ChaCha20-Poly1305).
 *
 *   SK payload: generic header | IV | encrypted (inner payloads | Padding |
 *               Pad Length) | ICV
 *
 * Integrity: the ICV covers the message from the first octet of the IKE
 * header through the Pad Length, i.e. everything but the ICV (3.14). AEAD:
 * the associated data is the IKE header through the SK payload's generic
 * header (RFC 5282 5.1); the tag is the ICV. Either way the ICV or tag is
 * checked before one decrypted octet is looked at, and nothing inside is
 * parsed before that.
 *
 * IVs: CBC IVs are always random and unpredictable (3.14), taken from
 * libsodium. For CTR and AEAD the IV only has to be unique per key
 * (RFC 5282 3.1, RFC 5930 3): the caller passes an IV source, normally a
 * per-SA counter (v2_iv_counter); NULL means random 8-octet IVs.
 */
#ifndef DUALIKE_V2_SK_H
#define DUALIKE_V2_SK_H

#include <stddef.h>
#include <stdint.h>

#include "common/xform.h"
#include "v2/v2_msg.h"

/*
 * The keys of one direction: SK_ei/SK_ai for messages the original
 * initiator sends, SK_er/SK_ar for the responder's (RFC 7296 2.14).
 * sk_e is key || salt (AEAD) or key || nonce (CTR), sized from the ENCR
 * row (key_bits / 8 + salt_size); sk_a is integ_key_len() octets, unused
 * (integ NULL) with an AEAD.
 */
struct v2_sk_keys {
	const struct xform *encr;
	const struct xform *integ;
	const uint8_t *sk_e;
	size_t sk_e_len;
	const uint8_t *sk_a;
	size_t sk_a_len;
};

/* Fill iv[0..len) with an IV never used before with this key. */
typedef int (*v2_iv_fn)(void *arg, uint8_t *iv, size_t len);

struct v2_iv_source {
	v2_iv_fn fn;
	void *arg;
};

/* A per-SA message counter as IV (big-endian); ERR_OVERFLOW once exhausted. */
struct v2_iv_counter {
	uint64_t next;
};
int v2_iv_from_counter(void *counter, uint8_t *iv, size_t len);
/* Random octets from libsodium; arg unused. */
int v2_iv_random(void *arg, uint8_t *iv, size_t len);

/* ERR_UNSUPPORTED / ERR_INVAL when the keys do not make a usable suite. */
int v2_sk_keys_check(const struct v2_sk_keys *k);
/* Octets an SK payload adds around inner_len octets of inner payloads. */
size_t v2_sk_payload_len(const struct v2_sk_keys *k, size_t inner_len);

/*
 * Append an SK payload holding inner[0..inner_len) (a payload chain built
 * with a v2_chain started at SIZE_MAX; first_inner = its first type) to
 * the clear chain of out, finish the header length, then encrypt and
 * compute the ICV. *len: the message length.
 */
int v2_sk_seal(struct v2_msg_out *out, const struct v2_sk_keys *k,
	       const struct v2_iv_source *ivs, uint8_t first_inner,
	       const uint8_t *inner, size_t inner_len, size_t *len);

/*
 * One SKF fragment (RFC 7383 2.5) holding chunk[0..chunk_len), a piece of
 * an inner payload chain: appended like v2_sk_seal() with Fragment Number
 * and Total Fragments in front of the IV, authenticated with it.
 * first_inner: the chain's first type in fragment 1, V2_PT_NONE in the
 * others. ERR_INVAL for impossible numbering.
 */
int v2_sk_seal_fragment(struct v2_msg_out *out, const struct v2_sk_keys *k,
			const struct v2_iv_source *ivs, uint8_t first_inner, uint16_t number,
			uint16_t total, const uint8_t *chunk, size_t chunk_len, size_t *len);
/* The length of an SKF payload holding chunk_len octets (0: unusable keys). */
size_t v2_skf_payload_len(const struct v2_sk_keys *k, size_t chunk_len);

/*
 * Verify and decrypt the encrypted payload of a message that ends with it:
 * msg[pl_off..msg_len) is that payload, pl_hdr_len the part of it that is
 * authenticated in clear (4 for SK; 8 for SKF, whose numbering is part of
 * the associated data, RFC 7383 2.5). plain receives the inner payloads
 * (at most the ciphertext length) and *plain_len their length, padding
 * removed. ERR_INTEGRITY: the ICV/tag is wrong (plain is zeroed);
 * ERR_PARSE: sizes or the pad length are impossible.
 */
int v2_sk_open(const struct v2_sk_keys *k, const uint8_t *msg, size_t msg_len, size_t pl_off,
	       size_t pl_hdr_len, uint8_t *plain, size_t cap, size_t *plain_len);

/*
 * v2_sk_open() on the SK payload of a parsed message, then
 * v2_msg_parse_inner() on the plaintext (which must outlive m). For an
 * SKF fragment it only verifies and decrypts: fragments are parsed after
 * reassembly. Returns v2_sk_open()'s or v2_msg_parse_inner()'s result.
 */
int v2_sk_unprotect(struct v2_msg *m, const struct v2_sk_keys *k, uint8_t *plain, size_t cap,
		    size_t *plain_len);

/*
 * TEST ONLY: decrypt without checking the ICV, for captures whose ICV
 * cannot be verified (a key missing or wrong in the published data). Never
 * call this on received traffic. AEAD suites give ERR_UNSUPPORTED.
 */
int v2_sk_decrypt_unverified_for_test(const struct v2_sk_keys *k, const uint8_t *msg,
				      size_t msg_len, size_t pl_off, size_t pl_hdr_len,
				      uint8_t *plain, size_t cap, size_t *plain_len);

#endif
