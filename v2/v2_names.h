/*
 * v2_names.h - IKEv2 protocol numbers, named after the IANA "Internet Key
 * Exchange Version 2 (IKEv2) Parameters" registries (RFC 7296 3, and the
 * RFCs that added rows), and their names for logs.
 *
 * Transform types and IDs live in common/xform.h (shared with IKEv1).
 */
#ifndef DUALIKE_V2_NAMES_H
#define DUALIKE_V2_NAMES_H

#include <stdbool.h>
#include <stdint.h>

/* IKE header flags (RFC 7296 3.1). */
#define V2_FLAG_INITIATOR 0x08
#define V2_FLAG_VERSION 0x10
#define V2_FLAG_RESPONSE 0x20

/* Version octet: major 2, minor 0 (RFC 7296 3.1). */
#define V2_VERSION 0x20

/* Exchange types (RFC 7296 3.1, IANA). */
enum v2_exchange {
	V2_EXCH_IKE_SA_INIT = 34,
	V2_EXCH_IKE_AUTH = 35,
	V2_EXCH_CREATE_CHILD_SA = 36,
	V2_EXCH_INFORMATIONAL = 37,
	V2_EXCH_IKE_SESSION_RESUME = 38, /* RFC 5723 */
	V2_EXCH_IKE_INTERMEDIATE = 43,   /* RFC 9242 */
	V2_EXCH_IKE_FOLLOWUP_KE = 44,    /* RFC 9370 */
};

/* Payload types (RFC 7296 3.2, IANA). 1-32 are reserved: IKEv1's numbers. */
enum v2_payload_type {
	V2_PT_NONE = 0,
	V2_PT_SA = 33,
	V2_PT_KE = 34,
	V2_PT_IDI = 35,
	V2_PT_IDR = 36,
	V2_PT_CERT = 37,
	V2_PT_CERTREQ = 38,
	V2_PT_AUTH = 39,
	V2_PT_NONCE = 40, /* Ni, Nr */
	V2_PT_N = 41,
	V2_PT_D = 42,
	V2_PT_V = 43,
	V2_PT_TSI = 44,
	V2_PT_TSR = 45,
	V2_PT_SK = 46,
	V2_PT_CP = 47,
	V2_PT_EAP = 48,
	V2_PT_GSPM = 49, /* RFC 6467 */
	V2_PT_SKF = 53,  /* RFC 7383 */
};

/* Security protocol IDs (RFC 7296 3.3.1). */
enum v2_protocol {
	V2_PROTO_NONE = 0,
	V2_PROTO_IKE = 1,
	V2_PROTO_AH = 2,
	V2_PROTO_ESP = 3,
};

/* Identification types (RFC 7296 3.5). */
enum v2_id_type {
	V2_ID_IPV4_ADDR = 1,
	V2_ID_FQDN = 2,
	V2_ID_RFC822_ADDR = 3,
	V2_ID_IPV6_ADDR = 5,
	V2_ID_DER_ASN1_DN = 9,
	V2_ID_DER_ASN1_GN = 10,
	V2_ID_KEY_ID = 11,
	V2_ID_FC_NAME = 12, /* RFC 4595 */
	V2_ID_NULL = 13,    /* RFC 7619 */
};

/* Authentication methods (RFC 7296 3.8, RFC 4754, RFC 7427, RFC 7619). */
enum v2_auth_method {
	V2_AUTH_RSA_SIG = 1,
	V2_AUTH_SHARED_KEY_MIC = 2,
	V2_AUTH_DSS_SIG = 3,
	V2_AUTH_ECDSA_SHA256_P256 = 9,
	V2_AUTH_ECDSA_SHA384_P384 = 10,
	V2_AUTH_ECDSA_SHA512_P521 = 11,
	V2_AUTH_GSPAM = 12,
	V2_AUTH_NULL = 13,
	V2_AUTH_DIGITAL_SIGNATURE = 14,
};

/* Traffic selector types (RFC 7296 3.13.1, RFC 9478). */
enum v2_ts_type {
	V2_TS_IPV4_ADDR_RANGE = 7,
	V2_TS_IPV6_ADDR_RANGE = 8,
	V2_TS_FC_ADDR_RANGE = 9,
	V2_TS_SECLABEL = 10,
};

/* Configuration payload types (RFC 7296 3.15). */
enum v2_cp_type {
	V2_CFG_REQUEST = 1,
	V2_CFG_REPLY = 2,
	V2_CFG_SET = 3,
	V2_CFG_ACK = 4,
};

/* Transform attribute types (RFC 7296 3.3.5): only Key Length exists. */
#define V2_ATTR_KEY_LENGTH 14
/* Attribute format bit: TV (value in the header) when set. */
#define V2_ATTR_AF 0x8000

/*
 * Notify message types (RFC 7296 3.10.1 and later RFCs). Values below
 * 16384 are errors, 16384 and above status types.
 */
enum v2_notify_type {
	V2_N_UNSUPPORTED_CRITICAL_PAYLOAD = 1,
	V2_N_INVALID_IKE_SPI = 4,
	V2_N_INVALID_MAJOR_VERSION = 5,
	V2_N_INVALID_SYNTAX = 7,
	V2_N_INVALID_MESSAGE_ID = 9,
	V2_N_INVALID_SPI = 11,
	V2_N_NO_PROPOSAL_CHOSEN = 14,
	V2_N_INVALID_KE_PAYLOAD = 17,
	V2_N_AUTHENTICATION_FAILED = 24,
	V2_N_SINGLE_PAIR_REQUIRED = 34,
	V2_N_NO_ADDITIONAL_SAS = 35,
	V2_N_INTERNAL_ADDRESS_FAILURE = 36,
	V2_N_FAILED_CP_REQUIRED = 37,
	V2_N_TS_UNACCEPTABLE = 38,
	V2_N_INVALID_SELECTORS = 39,
	V2_N_UNACCEPTABLE_ADDRESSES = 40,
	V2_N_UNEXPECTED_NAT_DETECTED = 41,
	V2_N_USE_ASSIGNED_HOA = 42,
	V2_N_TEMPORARY_FAILURE = 43,
	V2_N_CHILD_SA_NOT_FOUND = 44,
	V2_N_INVALID_GROUP_ID = 45,
	V2_N_AUTHORIZATION_FAILED = 46,
	V2_N_STATE_NOT_FOUND = 47,

	V2_N_INITIAL_CONTACT = 16384,
	V2_N_SET_WINDOW_SIZE = 16385,
	V2_N_ADDITIONAL_TS_POSSIBLE = 16386,
	V2_N_IPCOMP_SUPPORTED = 16387,
	V2_N_NAT_DETECTION_SOURCE_IP = 16388,
	V2_N_NAT_DETECTION_DESTINATION_IP = 16389,
	V2_N_COOKIE = 16390,
	V2_N_USE_TRANSPORT_MODE = 16391,
	V2_N_HTTP_CERT_LOOKUP_SUPPORTED = 16392,
	V2_N_REKEY_SA = 16393,
	V2_N_ESP_TFC_PADDING_NOT_SUPPORTED = 16394,
	V2_N_NON_FIRST_FRAGMENTS_ALSO = 16395,
	V2_N_MOBIKE_SUPPORTED = 16396,
	V2_N_ADDITIONAL_IP4_ADDRESS = 16397,
	V2_N_ADDITIONAL_IP6_ADDRESS = 16398,
	V2_N_NO_ADDITIONAL_ADDRESSES = 16399,
	V2_N_UPDATE_SA_ADDRESSES = 16400,
	V2_N_COOKIE2 = 16401,
	V2_N_NO_NATS_ALLOWED = 16402,
	V2_N_AUTH_LIFETIME = 16403,
	V2_N_MULTIPLE_AUTH_SUPPORTED = 16404,
	V2_N_ANOTHER_AUTH_FOLLOWS = 16405,
	V2_N_REDIRECT_SUPPORTED = 16406,
	V2_N_REDIRECT = 16407,
	V2_N_REDIRECTED_FROM = 16408,
	V2_N_EAP_ONLY_AUTHENTICATION = 16417,
	V2_N_CHILDLESS_IKEV2_SUPPORTED = 16418,
	V2_N_QUICK_CRASH_DETECTION = 16419,
	V2_N_IKEV2_MESSAGE_ID_SYNC_SUPPORTED = 16420,
	V2_N_IPSEC_REPLAY_COUNTER_SYNC_SUPPORTED = 16421,
	V2_N_IKEV2_MESSAGE_ID_SYNC = 16422,
	V2_N_IPSEC_REPLAY_COUNTER_SYNC = 16423,
	V2_N_IKEV2_FRAGMENTATION_SUPPORTED = 16430,
	V2_N_SIGNATURE_HASH_ALGORITHMS = 16431,
	V2_N_CLONE_IKE_SA_SUPPORTED = 16432,
	V2_N_CLONE_IKE_SA = 16433,
	V2_N_PUZZLE = 16434,
	V2_N_USE_PPK = 16435,
	V2_N_PPK_IDENTITY = 16436,
	V2_N_NO_PPK_AUTH = 16437,
	V2_N_INTERMEDIATE_EXCHANGE_SUPPORTED = 16438,
	V2_N_IP4_ALLOWED = 16439,
	V2_N_IP6_ALLOWED = 16440,
	V2_N_ADDITIONAL_KEY_EXCHANGE = 16441,
	V2_N_USE_AGGFRAG = 16442,
	V2_N_SUPPORTED_AUTH_METHODS = 16443,
};

/* First status notify type: below it are errors (RFC 7296 3.10.1). */
#define V2_N_FIRST_STATUS 16384

/* True for an error notify type (RFC 7296 3.10.1: 1 - 16383). */
bool v2_notify_is_error(uint16_t type);

/*
 * Names for logs. Known values give the IANA name (without the "V2_"
 * prefix); unknown ones give a fixed string such as "unknown" - callers
 * that need the number print it themselves.
 */
const char *v2_exchange_name(unsigned exchange);
const char *v2_payload_name(unsigned type);
const char *v2_notify_name(unsigned type);
const char *v2_protocol_name(unsigned protocol);
const char *v2_id_type_name(unsigned type);
const char *v2_auth_method_name(unsigned method);
const char *v2_ts_type_name(unsigned type);
const char *v2_cp_type_name(unsigned type);

#endif
