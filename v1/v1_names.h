/*
 * v1_names.h - IKEv1 protocol numbers and their names (IANA "ISAKMP
 * Identifiers", "IPsec DOI" and "IKE Attributes" registries; RFC 2407,
 * RFC 2408, RFC 2409, RFC 3706, RFC 3947 and the NAT-T drafts).
 *
 * Constants are named after the IANA entries. The *_name() functions return
 * the registry's name for a value (the text of the project's IANA table,
 * ../shared/vectors/iana/ike-registries.tsv) or "UNKNOWN"; never NULL.
 */
#ifndef DUALIKE_V1_NAMES_H
#define DUALIKE_V1_NAMES_H

#include <stdint.h>

/* RFC 2408 3.1: the ISAKMP header is 28 bytes; major version 1, minor 0. */
#define V1_HDR_LEN 28
#define V1_COOKIE_SIZE 8
#define V1_MAJOR 1
#define V1_MINOR 0

/* Header flags (RFC 2408 3.1). */
enum v1_flag {
	V1_FLAG_ENCRYPTION = 0x01,
	V1_FLAG_COMMIT = 0x02,
	V1_FLAG_AUTH_ONLY = 0x04,
};

/* Exchange types (RFC 2408 3.1, RFC 2409 5, draft Mode Config). */
enum v1_exch {
	V1_EXCH_NONE = 0,
	V1_EXCH_BASE = 1,
	V1_EXCH_IDPROT = 2, /* Main Mode */
	V1_EXCH_AUTH_ONLY = 3,
	V1_EXCH_AGGRESSIVE = 4,
	V1_EXCH_INFORMATIONAL = 5,
	V1_EXCH_TRANSACTION = 6, /* Mode Config / XAUTH */
	V1_EXCH_QUICK = 32,
	V1_EXCH_NEW_GROUP = 33,
};

/* Payload types (RFC 2408 3.1, RFC 3947 3.1 and 4, drafts' private values). */
enum v1_payload_type {
	V1_P_NONE = 0,
	V1_P_SA = 1,
	V1_P_PROPOSAL = 2,
	V1_P_TRANSFORM = 3,
	V1_P_KE = 4,
	V1_P_ID = 5,
	V1_P_CERT = 6,
	V1_P_CR = 7,
	V1_P_HASH = 8,
	V1_P_SIG = 9,
	V1_P_NONCE = 10,
	V1_P_N = 11,
	V1_P_D = 12,
	V1_P_VID = 13,
	V1_P_ATTR = 14, /* Mode Config attributes */
	V1_P_SAK = 15,
	V1_P_SAT = 16,
	V1_P_KD = 17,
	V1_P_SEQ = 18,
	V1_P_POP = 19,
	V1_P_NAT_D = 20,
	V1_P_NAT_OA = 21,
	V1_P_GAP = 22,
	V1_P_NAT_D_DRAFT = 130,  /* NAT-T drafts 02/03 (private use) */
	V1_P_NAT_OA_DRAFT = 131, /* NAT-T drafts 02/03 (private use) */
	V1_P_FRAG = 132,         /* Cisco/Microsoft IKE fragmentation (private use) */
};

/* The IKEv2 payload numbers (RFC 7296 3.2): never valid in an IKEv1 message. */
#define V1_IKEV2_PAYLOAD_FIRST 33
#define V1_IKEV2_PAYLOAD_LAST 54

/* Domains of interpretation (RFC 2408 3.4, RFC 2407 6). */
enum v1_doi {
	V1_DOI_ISAKMP = 0,
	V1_DOI_IPSEC = 1,
};

/* IPsec DOI situation bits (RFC 2407 4.2). */
enum v1_situation {
	V1_SIT_IDENTITY_ONLY = 0x01,
	V1_SIT_SECRECY = 0x02,
	V1_SIT_INTEGRITY = 0x04,
};

/* Protocol IDs (RFC 2407 4.4.1). */
enum v1_protocol {
	V1_PROTO_ISAKMP = 1,
	V1_PROTO_IPSEC_AH = 2,
	V1_PROTO_IPSEC_ESP = 3,
	V1_PROTO_IPCOMP = 4,
};

/* The only phase-1 transform ID (RFC 2407 4.4.2). */
#define V1_KEY_IKE 1

/* Notify message types (RFC 2408 3.14.1, RFC 2407 4.6.3, RFC 3706 5). */
enum v1_notify_type {
	V1_N_INVALID_PAYLOAD_TYPE = 1,
	V1_N_DOI_NOT_SUPPORTED = 2,
	V1_N_SITUATION_NOT_SUPPORTED = 3,
	V1_N_INVALID_COOKIE = 4,
	V1_N_INVALID_MAJOR_VERSION = 5,
	V1_N_INVALID_MINOR_VERSION = 6,
	V1_N_INVALID_EXCHANGE_TYPE = 7,
	V1_N_INVALID_FLAGS = 8,
	V1_N_INVALID_MESSAGE_ID = 9,
	V1_N_INVALID_PROTOCOL_ID = 10,
	V1_N_INVALID_SPI = 11,
	V1_N_INVALID_TRANSFORM_ID = 12,
	V1_N_ATTRIBUTES_NOT_SUPPORTED = 13,
	V1_N_NO_PROPOSAL_CHOSEN = 14,
	V1_N_BAD_PROPOSAL_SYNTAX = 15,
	V1_N_PAYLOAD_MALFORMED = 16,
	V1_N_INVALID_KEY_INFORMATION = 17,
	V1_N_INVALID_ID_INFORMATION = 18,
	V1_N_INVALID_CERT_ENCODING = 19,
	V1_N_INVALID_CERTIFICATE = 20,
	V1_N_CERT_TYPE_UNSUPPORTED = 21,
	V1_N_INVALID_CERT_AUTHORITY = 22,
	V1_N_INVALID_HASH_INFORMATION = 23,
	V1_N_AUTHENTICATION_FAILED = 24,
	V1_N_INVALID_SIGNATURE = 25,
	V1_N_ADDRESS_NOTIFICATION = 26,
	V1_N_NOTIFY_SA_LIFETIME = 27,
	V1_N_CERTIFICATE_UNAVAILABLE = 28,
	V1_N_UNSUPPORTED_EXCHANGE_TYPE = 29,
	V1_N_UNEQUAL_PAYLOAD_LENGTHS = 30,
	V1_N_CONNECTED = 16384,
	V1_N_RESPONDER_LIFETIME = 24576,
	V1_N_REPLAY_STATUS = 24577,
	V1_N_INITIAL_CONTACT = 24578,
	V1_N_R_U_THERE = 36136,
	V1_N_R_U_THERE_ACK = 36137,
};

/* Identification types (RFC 2407 4.6.2.1). */
enum v1_id_type {
	V1_ID_IPV4_ADDR = 1,
	V1_ID_FQDN = 2,
	V1_ID_USER_FQDN = 3,
	V1_ID_IPV4_ADDR_SUBNET = 4,
	V1_ID_IPV6_ADDR = 5,
	V1_ID_IPV6_ADDR_SUBNET = 6,
	V1_ID_IPV4_ADDR_RANGE = 7,
	V1_ID_IPV6_ADDR_RANGE = 8,
	V1_ID_DER_ASN1_DN = 9,
	V1_ID_DER_ASN1_GN = 10,
	V1_ID_KEY_ID = 11,
};

/* Phase-1 attribute classes (RFC 2409 appendix A). */
enum v1_ike_attr {
	V1_IKE_ENCRYPTION_ALGORITHM = 1,
	V1_IKE_HASH_ALGORITHM = 2,
	V1_IKE_AUTHENTICATION_METHOD = 3,
	V1_IKE_GROUP_DESCRIPTION = 4,
	V1_IKE_GROUP_TYPE = 5,
	V1_IKE_GROUP_PRIME = 6,
	V1_IKE_GROUP_GENERATOR_ONE = 7,
	V1_IKE_GROUP_GENERATOR_TWO = 8,
	V1_IKE_GROUP_CURVE_A = 9,
	V1_IKE_GROUP_CURVE_B = 10,
	V1_IKE_LIFE_TYPE = 11,
	V1_IKE_LIFE_DURATION = 12,
	V1_IKE_PRF = 13,
	V1_IKE_KEY_LENGTH = 14,
	V1_IKE_FIELD_SIZE = 15,
	V1_IKE_GROUP_ORDER = 16,
};

/* IPsec DOI SA attribute classes (RFC 2407 4.5). */
enum v1_ipsec_attr {
	V1_IPSEC_SA_LIFE_TYPE = 1,
	V1_IPSEC_SA_LIFE_DURATION = 2,
	V1_IPSEC_GROUP_DESCRIPTION = 3,
	V1_IPSEC_ENCAPSULATION_MODE = 4,
	V1_IPSEC_AUTH_ALGORITHM = 5,
	V1_IPSEC_KEY_LENGTH = 6,
	V1_IPSEC_KEY_ROUNDS = 7,
	V1_IPSEC_COMPRESS_DICT_SIZE = 8,
	V1_IPSEC_COMPRESS_PRIVATE_ALG = 9,
};

/* Authentication methods (RFC 2409 appendix A; XAUTH private values). */
enum v1_auth_method {
	V1_AUTH_PSK = 1,
	V1_AUTH_DSS = 2,
	V1_AUTH_RSA_SIG = 3,
	V1_AUTH_RSA_ENC = 4,
	V1_AUTH_RSA_ENC_REV = 5,
	V1_AUTH_ECDSA_256 = 9,
	V1_AUTH_ECDSA_384 = 10,
	V1_AUTH_ECDSA_521 = 11,
	V1_AUTH_XAUTH_INIT_PSK = 65001,
	V1_AUTH_XAUTH_RESP_PSK = 65002,
	V1_AUTH_XAUTH_INIT_RSA = 65005,
	V1_AUTH_XAUTH_RESP_RSA = 65006,
};

/* Life types (RFC 2409 appendix A class 11, RFC 2407 4.5 class 1). */
enum v1_life_type {
	V1_LIFE_SECONDS = 1,
	V1_LIFE_KILOBYTES = 2,
};

/* Group types (RFC 2409 appendix A class 5). */
enum v1_group_type {
	V1_GROUP_MODP = 1,
	V1_GROUP_ECP = 2,
	V1_GROUP_EC2N = 3,
};

/* Encapsulation modes (RFC 2407 4.5, RFC 3947 5.2, drafts' private values). */
enum v1_encap {
	V1_ENCAP_TUNNEL = 1,
	V1_ENCAP_TRANSPORT = 2,
	V1_ENCAP_UDP_TUNNEL = 3,
	V1_ENCAP_UDP_TRANSPORT = 4,
	V1_ENCAP_UDP_TUNNEL_DRAFT = 61443,
	V1_ENCAP_UDP_TRANSPORT_DRAFT = 61444,
};

/* Certificate encodings (RFC 2408 3.9). */
enum v1_cert_encoding {
	V1_CERT_PKCS7 = 1,
	V1_CERT_X509_SIG = 4,
	V1_CERT_CRL = 7,
};

const char *v1_exch_name(unsigned exch);
const char *v1_payload_name(unsigned type);
const char *v1_notify_name(unsigned type);
const char *v1_id_type_name(unsigned type);
const char *v1_doi_name(unsigned doi);
const char *v1_protocol_name(unsigned proto);
const char *v1_ike_attr_name(unsigned cls);
const char *v1_ipsec_attr_name(unsigned cls);
const char *v1_auth_method_name(unsigned method);
const char *v1_encap_name(unsigned mode);
const char *v1_cert_encoding_name(unsigned enc);

#endif
