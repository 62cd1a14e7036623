/*
 * conf_id.h - IKE identities as written in configuration files.
 *
 * Forms (man/dualike.conf.5 "IDENTITIES"):
 *   192.0.2.1, 2001:db8::1   ID_IPV4_ADDR / ID_IPV6_ADDR
 *   vpn.example.com          ID_FQDN
 *   alice@example.com        ID_RFC822_ADDR (user@fqdn)
 *   keyid:0a1b2c             ID_KEY_ID (hex bytes)
 * The type values are the ID types of RFC 7296 3.5, which equal the IPsec
 * DOI's of RFC 2407 4.6.2.1 for these five, so both engines can use them.
 */
#ifndef DUALIKE_SRC_CONF_ID_H
#define DUALIKE_SRC_CONF_ID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "src/conf_addr.h"

enum conf_id_type {
	CONF_ID_NONE = 0,       /* not configured */
	CONF_ID_IPV4 = 1,
	CONF_ID_FQDN = 2,
	CONF_ID_USER_FQDN = 3,
	CONF_ID_IPV6 = 5,
	CONF_ID_DER_ASN1_DN = 9, /* dn:CN=gw,O=Example,C=FI (src/conf_cert.c) */
	CONF_ID_KEY_ID = 11,
};

#define CONF_ID_MAX 255    /* bytes of identification data */
#define CONF_ID_STRLEN 520 /* text form of the longest identity (keyid: in hex) */

struct conf_id {
	enum conf_id_type type;
	size_t len;
	uint8_t data[CONF_ID_MAX]; /* the ID payload's identification data */
};

/* Parse one of the forms above; false with *why set to a short reason. */
bool conf_id_parse(const char *s, struct conf_id *out, const char **why);
/* The IP identity of an address (CONF_ID_NONE for %any). */
void conf_id_from_addr(const struct conf_addr *a, struct conf_id *out);
/* Same type and data; FQDN and user@fqdn compare without case. */
bool conf_id_equal(const struct conf_id *a, const struct conf_id *b);
/* Text form, as conf_id_parse() reads it, into buf; returns buf. */
const char *conf_id_str(const struct conf_id *id, char *buf, size_t len);

#endif
