/*
 * id.h - IKE identities, shared by both versions.
 *
 * An identity is a type and its identification data, as carried by the
 * IKEv2 ID payload (RFC 7296 3.5) and the IKEv1 phase-1 ID payload (RFC 2407
 * 4.6.2). The type numbers below are the same in both: RFC 7296 3.5 kept the
 * IPsec DOI's values (RFC 2407 4.6.2.1) for these six.
 *
 * Data rules (checked on every way in: parse, id_new, decode):
 *   ID_IPV4_ADDR   exactly 4 bytes;   ID_IPV6_ADDR  exactly 16 bytes
 *   ID_FQDN        1..ID_MAX_LEN bytes of printable ASCII (RFC 7296 3.5:
 *                  "All characters in the ID_FQDN are ASCII", no
 *                  terminators such as NUL or CR; IDNs in A-label form)
 *   ID_RFC822_ADDR 1..ID_MAX_LEN bytes, no NUL or other control bytes (UTF-8
 *                  allowed, RFC 7296 3.5 citing EAI)
 *   ID_KEY_ID, ID_DER_ASN1_DN  1..ID_MAX_LEN opaque bytes (no DN parsing here)
 *
 * Comparison (id_equal): RFC 7296 3.5 says nothing about case. ID_FQDN is a
 * DNS name, and DNS names compare without ASCII case (RFC 4343 3); in
 * ID_RFC822_ADDR the domain after the last '@' compares without case and the
 * local part exactly (RFC 5321 2.4 leaves the local part to its host).
 * Every other type compares byte for byte. Note: the config layer's
 * conf_id_equal() ignores case in the whole user@fqdn.
 *
 * Text forms (as in dualike.conf, see src/conf_id.h): 192.0.2.1,
 * 2001:db8::1, vpn.example.com, user@example.com, keyid:0a1b2c; and
 * asn1dn:HEX for a DER distinguished name (printing only, until X.509).
 */
#ifndef DUALIKE_COMMON_ID_H
#define DUALIKE_COMMON_ID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "common/ts.h"

enum id_type {
	ID_IPV4_ADDR = 1,
	ID_FQDN = 2,
	ID_RFC822_ADDR = 3,
	ID_IPV6_ADDR = 5,
	ID_DER_ASN1_DN = 9,
	ID_KEY_ID = 11,
};

/* IKEv1 phase-2 (Quick Mode) identity types, RFC 2407 4.6.2.1. */
enum id_qm_type {
	ID_IPV4_ADDR_SUBNET = 4,
	ID_IPV6_ADDR_SUBNET = 6,
	ID_IPV4_ADDR_RANGE = 7,
	ID_IPV6_ADDR_RANGE = 8,
};

/* Largest identification data accepted (a long DER DN fits). */
#define ID_MAX_LEN 2048
/* Room for any id_str() output of the types with short data. */
#define ID_STR_MAX 600

struct id {
	uint8_t type;    /* enum id_type */
	size_t len;
	uint8_t data[];  /* len bytes */
};

/*
 * A new identity holding a copy of data. ERR_UNSUPPORTED for a type not
 * listed above, ERR_PARSE when data breaks the type's rules, ERR_NOMEM.
 */
int id_new(uint8_t type, const void *data, size_t len, struct id **out);
int id_dup(const struct id *id, struct id **out);
void id_free(struct id *id);

/* One of the text forms; ERR_PARSE otherwise. */
int id_parse(const char *text, struct id **out);
/*
 * The name rules of the text forms, shared with the config's identities
 * (src/conf_id.c). A host name, loosely (RFC 1123 2.1): labels of 1..63
 * letters, digits, '-' or '_'. user@host: one '@', a user part of
 * printable ASCII without spaces, a host name; NULL when text is one,
 * else why not.
 */
bool id_text_is_hostname(const char *s, size_t len);
const char *id_text_user_fqdn_why(const char *text);
/*
 * Text form into buf (cut to len). Bytes outside printable ASCII, and '\',
 * print as \xNN, so a peer's identity can go into a log line safely.
 */
const char *id_str(const struct id *id, char *buf, size_t len);
const char *id_type_name(uint8_t type);

bool id_equal(const struct id *a, const struct id *b);

/*
 * IKEv2 ID payload body, after the generic payload header (RFC 7296 3.5):
 * ID Type (1), RESERVED (3, sent zero, ignored on receipt), data (rest).
 * Decode consumes all of body. ERR_TRUNCATED when shorter than 4 bytes.
 */
int id_v2_decode(struct rd *body, struct id **out);
bool id_v2_encode(struct wr *w, const struct id *id);

/*
 * IKEv1 ID payload body (RFC 2407 4.6.2): ID Type (1), Protocol ID (1),
 * Port (2), data. In phase 1 the protocol and port are 0 or UDP/500
 * (RFC 2407 4.6.2); they are handed back for the engine to check.
 */
int id_v1_decode(struct rd *body, struct id **out, uint8_t *proto, uint16_t *port);
bool id_v1_encode(struct wr *w, const struct id *id, uint8_t proto, uint16_t port);

/*
 * IKEv1 Quick Mode identities (RFC 2407 4.6.2) as traffic selectors: an
 * address, a subnet (address + mask; a mask that is not a prefix is
 * ERR_PARSE) or a range, with one protocol and one port (0 = any).
 * Encoding picks ADDR for one address, SUBNET for a prefix, else RANGE;
 * ERR_UNSUPPORTED for a port range or OPAQUE, which IKEv1 cannot say, and
 * ERR_OVERFLOW when w is full. Decode: ERR_UNSUPPORTED for a type that is
 * not an address, subnet or range; ERR_PARSE for bad lengths or start > end.
 */
int id_v1_decode_ts(struct rd *body, struct ts *out);
int id_v1_encode_ts(struct wr *w, const struct ts *ts);

#endif
