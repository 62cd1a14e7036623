/*
 * v1_names.c - names of IKEv1 protocol numbers, as the IANA registries
 * spell them (the project's table: ../shared/vectors/iana/ike-registries.tsv;
 * v1_names_test checks every row of the registries named here).
 */
#include <stddef.h>

#include "v1/v1_names.h"

struct v1_name {
	unsigned value;
	const char *name;
};

#define N_OF(t) (sizeof(t) / sizeof((t)[0]))

static const char *lookup(const struct v1_name *t, size_t n, unsigned value)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].value == value)
			return t[i].name;
	return "UNKNOWN";
}

static const struct v1_name exch_names[] = {
	{ 0, "NONE" }, { 1, "Base" }, { 2, "Identity Protection (Main Mode)" },
	{ 3, "Authentication Only" }, { 4, "Aggressive" }, { 5, "Informational" },
	{ 6, "Transaction (Mode Config)" }, { 32, "Quick Mode" }, { 33, "New Group Mode" },
};

static const struct v1_name payload_names[] = {
	{ 0, "NONE" }, { 1, "SA (Security Association)" }, { 2, "P (Proposal)" },
	{ 3, "T (Transform)" }, { 4, "KE (Key Exchange)" }, { 5, "ID (Identification)" },
	{ 6, "CERT (Certificate)" }, { 7, "CR (Certificate Request)" }, { 8, "HASH" },
	{ 9, "SIG (Signature)" }, { 10, "NONCE" }, { 11, "N (Notification)" },
	{ 12, "D (Delete)" }, { 13, "VID (Vendor ID)" }, { 14, "ATTR (Mode Config Attribute)" },
	{ 15, "SAK (SA KEK)" }, { 16, "SAT (SA TEK)" }, { 17, "KD (Key Download)" },
	{ 18, "SEQ (Sequence Number)" }, { 19, "POP (Proof of Possession)" },
	{ 20, "NAT-D (NAT Discovery)" }, { 21, "NAT-OA (NAT Original Address)" },
	{ 22, "GAP (Group Associated Policy)" },
	{ 130, "NAT-D (pre-RFC drafts; private use value)" },
	{ 131, "NAT-OA (pre-RFC drafts; private use value)" },
	{ 132, "Cisco/Microsoft IKE fragmentation (private use value)" },
};

static const struct v1_name notify_names[] = {
	{ 1, "INVALID-PAYLOAD-TYPE" }, { 2, "DOI-NOT-SUPPORTED" },
	{ 3, "SITUATION-NOT-SUPPORTED" }, { 4, "INVALID-COOKIE" },
	{ 5, "INVALID-MAJOR-VERSION" }, { 6, "INVALID-MINOR-VERSION" },
	{ 7, "INVALID-EXCHANGE-TYPE" }, { 8, "INVALID-FLAGS" },
	{ 9, "INVALID-MESSAGE-ID" }, { 10, "INVALID-PROTOCOL-ID" }, { 11, "INVALID-SPI" },
	{ 12, "INVALID-TRANSFORM-ID" }, { 13, "ATTRIBUTES-NOT-SUPPORTED" },
	{ 14, "NO-PROPOSAL-CHOSEN" }, { 15, "BAD-PROPOSAL-SYNTAX" },
	{ 16, "PAYLOAD-MALFORMED" }, { 17, "INVALID-KEY-INFORMATION" },
	{ 18, "INVALID-ID-INFORMATION" }, { 19, "INVALID-CERT-ENCODING" },
	{ 20, "INVALID-CERTIFICATE" }, { 21, "CERT-TYPE-UNSUPPORTED" },
	{ 22, "INVALID-CERT-AUTHORITY" }, { 23, "INVALID-HASH-INFORMATION" },
	{ 24, "AUTHENTICATION-FAILED" }, { 25, "INVALID-SIGNATURE" },
	{ 26, "ADDRESS-NOTIFICATION" }, { 27, "NOTIFY-SA-LIFETIME" },
	{ 28, "CERTIFICATE-UNAVAILABLE" }, { 29, "UNSUPPORTED-EXCHANGE-TYPE" },
	{ 30, "UNEQUAL-PAYLOAD-LENGTHS" }, { 16384, "CONNECTED" },
	{ 24576, "RESPONDER-LIFETIME" }, { 24577, "REPLAY-STATUS" },
	{ 24578, "INITIAL-CONTACT" }, { 36136, "R-U-THERE (DPD)" },
	{ 36137, "R-U-THERE-ACK (DPD)" },
};

static const struct v1_name id_names[] = {
	{ 1, "ID_IPV4_ADDR" }, { 2, "ID_FQDN" }, { 3, "ID_USER_FQDN" },
	{ 4, "ID_IPV4_ADDR_SUBNET" }, { 5, "ID_IPV6_ADDR" }, { 6, "ID_IPV6_ADDR_SUBNET" },
	{ 7, "ID_IPV4_ADDR_RANGE" }, { 8, "ID_IPV6_ADDR_RANGE" }, { 9, "ID_DER_ASN1_DN" },
	{ 10, "ID_DER_ASN1_GN" }, { 11, "ID_KEY_ID" },
};

static const struct v1_name doi_names[] = {
	{ 0, "ISAKMP" }, { 1, "IPSEC" }, { 2, "GDOI" },
};

static const struct v1_name protocol_names[] = {
	{ 1, "PROTO_ISAKMP" }, { 2, "PROTO_IPSEC_AH" }, { 3, "PROTO_IPSEC_ESP" },
	{ 4, "PROTO_IPCOMP" },
};

static const struct v1_name ike_attr_names[] = {
	{ 1, "Encryption Algorithm" }, { 2, "Hash Algorithm" },
	{ 3, "Authentication Method" }, { 4, "Group Description" }, { 5, "Group Type" },
	{ 6, "Group Prime/Irreducible Polynomial" }, { 7, "Group Generator One" },
	{ 8, "Group Generator Two" }, { 9, "Group Curve A" }, { 10, "Group Curve B" },
	{ 11, "Life Type" }, { 12, "Life Duration" }, { 13, "PRF" }, { 14, "Key Length" },
	{ 15, "Field Size" }, { 16, "Group Order" },
};

static const struct v1_name ipsec_attr_names[] = {
	{ 1, "SA Life Type" }, { 2, "SA Life Duration" }, { 3, "Group Description" },
	{ 4, "Encapsulation Mode" }, { 5, "Authentication Algorithm" }, { 6, "Key Length" },
	{ 7, "Key Rounds" }, { 8, "Compress Dictionary Size" },
	{ 9, "Compress Private Algorithm" },
};

static const struct v1_name auth_names[] = {
	{ 1, "Pre-shared key" }, { 2, "DSS signatures" }, { 3, "RSA signatures" },
	{ 4, "Encryption with RSA" }, { 5, "Revised encryption with RSA" },
	{ 9, "ECDSA with SHA-256 on the P-256 curve" },
	{ 10, "ECDSA with SHA-384 on the P-384 curve" },
	{ 11, "ECDSA with SHA-512 on the P-521 curve" },
	{ 65001, "XAUTHInitPreShared (private use)" },
	{ 65002, "XAUTHRespPreShared (private use)" },
	{ 65005, "XAUTHInitRSA (private use)" }, { 65006, "XAUTHRespRSA (private use)" },
};

static const struct v1_name encap_names[] = {
	{ 1, "Tunnel" }, { 2, "Transport" }, { 3, "UDP-Encapsulated-Tunnel" },
	{ 4, "UDP-Encapsulated-Transport" },
	{ 61443, "UDP-Encapsulated-Tunnel (pre-RFC drafts; private use value)" },
	{ 61444, "UDP-Encapsulated-Transport (pre-RFC drafts; private use value)" },
};

static const struct v1_name cert_names[] = {
	{ 0, "NONE" }, { 1, "PKCS #7 wrapped X.509 certificate" }, { 2, "PGP Certificate" },
	{ 3, "DNS Signed Key" }, { 4, "X.509 Certificate - Signature" },
	{ 5, "X.509 Certificate - Key Exchange" }, { 6, "Kerberos Tokens" },
	{ 7, "Certificate Revocation List (CRL)" }, { 8, "Authority Revocation List (ARL)" },
	{ 9, "SPKI Certificate" }, { 10, "X.509 Certificate - Attribute" },
};

const char *v1_exch_name(unsigned v) { return lookup(exch_names, N_OF(exch_names), v); }
const char *v1_payload_name(unsigned v) { return lookup(payload_names, N_OF(payload_names), v); }
const char *v1_notify_name(unsigned v) { return lookup(notify_names, N_OF(notify_names), v); }
const char *v1_id_type_name(unsigned v) { return lookup(id_names, N_OF(id_names), v); }
const char *v1_doi_name(unsigned v) { return lookup(doi_names, N_OF(doi_names), v); }
const char *v1_protocol_name(unsigned v) { return lookup(protocol_names, N_OF(protocol_names), v); }
const char *v1_ike_attr_name(unsigned v) { return lookup(ike_attr_names, N_OF(ike_attr_names), v); }
const char *v1_ipsec_attr_name(unsigned v) { return lookup(ipsec_attr_names, N_OF(ipsec_attr_names), v); }
const char *v1_auth_method_name(unsigned v) { return lookup(auth_names, N_OF(auth_names), v); }
const char *v1_encap_name(unsigned v) { return lookup(encap_names, N_OF(encap_names), v); }
const char *v1_cert_encoding_name(unsigned v) { return lookup(cert_names, N_OF(cert_names), v); }
