/*
 * v2_names.c - names of IKEv2 protocol numbers for logs (IANA spellings).
 * One case per enum member of v2_names.h; unknown values get a fixed word.
 */
#include "v2/v2_names.h"

bool v2_notify_is_error(uint16_t type)
{
	return type != 0 && type < V2_N_FIRST_STATUS;
}

const char *v2_exchange_name(unsigned v)
{
	switch (v) {
	case V2_EXCH_IKE_SA_INIT: return "IKE_SA_INIT";
	case V2_EXCH_IKE_AUTH: return "IKE_AUTH";
	case V2_EXCH_CREATE_CHILD_SA: return "CREATE_CHILD_SA";
	case V2_EXCH_INFORMATIONAL: return "INFORMATIONAL";
	case V2_EXCH_IKE_SESSION_RESUME: return "IKE_SESSION_RESUME";
	case V2_EXCH_IKE_INTERMEDIATE: return "IKE_INTERMEDIATE";
	case V2_EXCH_IKE_FOLLOWUP_KE: return "IKE_FOLLOWUP_KE";
	}
	return "unknown-exchange";
}

const char *v2_payload_name(unsigned v)
{
	switch (v) {
	case V2_PT_NONE: return "NONE";
	case V2_PT_SA: return "SA";
	case V2_PT_KE: return "KE";
	case V2_PT_IDI: return "IDi";
	case V2_PT_IDR: return "IDr";
	case V2_PT_CERT: return "CERT";
	case V2_PT_CERTREQ: return "CERTREQ";
	case V2_PT_AUTH: return "AUTH";
	case V2_PT_NONCE: return "Ni/Nr";
	case V2_PT_N: return "N";
	case V2_PT_D: return "D";
	case V2_PT_V: return "V";
	case V2_PT_TSI: return "TSi";
	case V2_PT_TSR: return "TSr";
	case V2_PT_SK: return "SK";
	case V2_PT_CP: return "CP";
	case V2_PT_EAP: return "EAP";
	case V2_PT_GSPM: return "GSPM";
	case V2_PT_SKF: return "SKF";
	}
	return "unknown-payload";
}

const char *v2_notify_name(unsigned v)
{
	switch (v) {
	case V2_N_UNSUPPORTED_CRITICAL_PAYLOAD: return "UNSUPPORTED_CRITICAL_PAYLOAD";
	case V2_N_INVALID_IKE_SPI: return "INVALID_IKE_SPI";
	case V2_N_INVALID_MAJOR_VERSION: return "INVALID_MAJOR_VERSION";
	case V2_N_INVALID_SYNTAX: return "INVALID_SYNTAX";
	case V2_N_INVALID_MESSAGE_ID: return "INVALID_MESSAGE_ID";
	case V2_N_INVALID_SPI: return "INVALID_SPI";
	case V2_N_NO_PROPOSAL_CHOSEN: return "NO_PROPOSAL_CHOSEN";
	case V2_N_INVALID_KE_PAYLOAD: return "INVALID_KE_PAYLOAD";
	case V2_N_AUTHENTICATION_FAILED: return "AUTHENTICATION_FAILED";
	case V2_N_SINGLE_PAIR_REQUIRED: return "SINGLE_PAIR_REQUIRED";
	case V2_N_NO_ADDITIONAL_SAS: return "NO_ADDITIONAL_SAS";
	case V2_N_INTERNAL_ADDRESS_FAILURE: return "INTERNAL_ADDRESS_FAILURE";
	case V2_N_FAILED_CP_REQUIRED: return "FAILED_CP_REQUIRED";
	case V2_N_TS_UNACCEPTABLE: return "TS_UNACCEPTABLE";
	case V2_N_INVALID_SELECTORS: return "INVALID_SELECTORS";
	case V2_N_UNACCEPTABLE_ADDRESSES: return "UNACCEPTABLE_ADDRESSES";
	case V2_N_UNEXPECTED_NAT_DETECTED: return "UNEXPECTED_NAT_DETECTED";
	case V2_N_USE_ASSIGNED_HOA: return "USE_ASSIGNED_HoA";
	case V2_N_TEMPORARY_FAILURE: return "TEMPORARY_FAILURE";
	case V2_N_CHILD_SA_NOT_FOUND: return "CHILD_SA_NOT_FOUND";
	case V2_N_INVALID_GROUP_ID: return "INVALID_GROUP_ID";
	case V2_N_AUTHORIZATION_FAILED: return "AUTHORIZATION_FAILED";
	case V2_N_STATE_NOT_FOUND: return "STATE_NOT_FOUND";
	case V2_N_INITIAL_CONTACT: return "INITIAL_CONTACT";
	case V2_N_SET_WINDOW_SIZE: return "SET_WINDOW_SIZE";
	case V2_N_ADDITIONAL_TS_POSSIBLE: return "ADDITIONAL_TS_POSSIBLE";
	case V2_N_IPCOMP_SUPPORTED: return "IPCOMP_SUPPORTED";
	case V2_N_NAT_DETECTION_SOURCE_IP: return "NAT_DETECTION_SOURCE_IP";
	case V2_N_NAT_DETECTION_DESTINATION_IP: return "NAT_DETECTION_DESTINATION_IP";
	case V2_N_COOKIE: return "COOKIE";
	case V2_N_USE_TRANSPORT_MODE: return "USE_TRANSPORT_MODE";
	case V2_N_HTTP_CERT_LOOKUP_SUPPORTED: return "HTTP_CERT_LOOKUP_SUPPORTED";
	case V2_N_REKEY_SA: return "REKEY_SA";
	case V2_N_ESP_TFC_PADDING_NOT_SUPPORTED: return "ESP_TFC_PADDING_NOT_SUPPORTED";
	case V2_N_NON_FIRST_FRAGMENTS_ALSO: return "NON_FIRST_FRAGMENTS_ALSO";
	case V2_N_MOBIKE_SUPPORTED: return "MOBIKE_SUPPORTED";
	case V2_N_ADDITIONAL_IP4_ADDRESS: return "ADDITIONAL_IP4_ADDRESS";
	case V2_N_ADDITIONAL_IP6_ADDRESS: return "ADDITIONAL_IP6_ADDRESS";
	case V2_N_NO_ADDITIONAL_ADDRESSES: return "NO_ADDITIONAL_ADDRESSES";
	case V2_N_UPDATE_SA_ADDRESSES: return "UPDATE_SA_ADDRESSES";
	case V2_N_COOKIE2: return "COOKIE2";
	case V2_N_NO_NATS_ALLOWED: return "NO_NATS_ALLOWED";
	case V2_N_AUTH_LIFETIME: return "AUTH_LIFETIME";
	case V2_N_MULTIPLE_AUTH_SUPPORTED: return "MULTIPLE_AUTH_SUPPORTED";
	case V2_N_ANOTHER_AUTH_FOLLOWS: return "ANOTHER_AUTH_FOLLOWS";
	case V2_N_REDIRECT_SUPPORTED: return "REDIRECT_SUPPORTED";
	case V2_N_REDIRECT: return "REDIRECT";
	case V2_N_REDIRECTED_FROM: return "REDIRECTED_FROM";
	case V2_N_EAP_ONLY_AUTHENTICATION: return "EAP_ONLY_AUTHENTICATION";
	case V2_N_CHILDLESS_IKEV2_SUPPORTED: return "CHILDLESS_IKEV2_SUPPORTED";
	case V2_N_QUICK_CRASH_DETECTION: return "QUICK_CRASH_DETECTION";
	case V2_N_IKEV2_MESSAGE_ID_SYNC_SUPPORTED: return "IKEV2_MESSAGE_ID_SYNC_SUPPORTED";
	case V2_N_IPSEC_REPLAY_COUNTER_SYNC_SUPPORTED: return "IPSEC_REPLAY_COUNTER_SYNC_SUPPORTED";
	case V2_N_IKEV2_MESSAGE_ID_SYNC: return "IKEV2_MESSAGE_ID_SYNC";
	case V2_N_IPSEC_REPLAY_COUNTER_SYNC: return "IPSEC_REPLAY_COUNTER_SYNC";
	case V2_N_IKEV2_FRAGMENTATION_SUPPORTED: return "IKEV2_FRAGMENTATION_SUPPORTED";
	case V2_N_SIGNATURE_HASH_ALGORITHMS: return "SIGNATURE_HASH_ALGORITHMS";
	case V2_N_CLONE_IKE_SA_SUPPORTED: return "CLONE_IKE_SA_SUPPORTED";
	case V2_N_CLONE_IKE_SA: return "CLONE_IKE_SA";
	case V2_N_PUZZLE: return "PUZZLE";
	case V2_N_USE_PPK: return "USE_PPK";
	case V2_N_PPK_IDENTITY: return "PPK_IDENTITY";
	case V2_N_NO_PPK_AUTH: return "NO_PPK_AUTH";
	case V2_N_INTERMEDIATE_EXCHANGE_SUPPORTED: return "INTERMEDIATE_EXCHANGE_SUPPORTED";
	case V2_N_IP4_ALLOWED: return "IP4_ALLOWED";
	case V2_N_IP6_ALLOWED: return "IP6_ALLOWED";
	case V2_N_ADDITIONAL_KEY_EXCHANGE: return "ADDITIONAL_KEY_EXCHANGE";
	case V2_N_USE_AGGFRAG: return "USE_AGGFRAG";
	case V2_N_SUPPORTED_AUTH_METHODS: return "SUPPORTED_AUTH_METHODS";
	}
	return "unknown-notify";
}

const char *v2_protocol_name(unsigned v)
{
	switch (v) {
	case V2_PROTO_NONE: return "NONE";
	case V2_PROTO_IKE: return "IKE";
	case V2_PROTO_AH: return "AH";
	case V2_PROTO_ESP: return "ESP";
	}
	return "unknown-protocol";
}

const char *v2_id_type_name(unsigned v)
{
	switch (v) {
	case V2_ID_IPV4_ADDR: return "ID_IPV4_ADDR";
	case V2_ID_FQDN: return "ID_FQDN";
	case V2_ID_RFC822_ADDR: return "ID_RFC822_ADDR";
	case V2_ID_IPV6_ADDR: return "ID_IPV6_ADDR";
	case V2_ID_DER_ASN1_DN: return "ID_DER_ASN1_DN";
	case V2_ID_DER_ASN1_GN: return "ID_DER_ASN1_GN";
	case V2_ID_KEY_ID: return "ID_KEY_ID";
	case V2_ID_FC_NAME: return "ID_FC_NAME";
	case V2_ID_NULL: return "ID_NULL";
	}
	return "unknown-id-type";
}

const char *v2_auth_method_name(unsigned v)
{
	switch (v) {
	case V2_AUTH_RSA_SIG: return "RSA_SIG";
	case V2_AUTH_SHARED_KEY_MIC: return "SHARED_KEY_MIC";
	case V2_AUTH_DSS_SIG: return "DSS_SIG";
	case V2_AUTH_ECDSA_SHA256_P256: return "ECDSA_SHA256_P256";
	case V2_AUTH_ECDSA_SHA384_P384: return "ECDSA_SHA384_P384";
	case V2_AUTH_ECDSA_SHA512_P521: return "ECDSA_SHA512_P521";
	case V2_AUTH_GSPAM: return "GSPAM";
	case V2_AUTH_NULL: return "NULL";
	case V2_AUTH_DIGITAL_SIGNATURE: return "DIGITAL_SIGNATURE";
	}
	return "unknown-auth-method";
}

const char *v2_ts_type_name(unsigned v)
{
	switch (v) {
	case V2_TS_IPV4_ADDR_RANGE: return "TS_IPV4_ADDR_RANGE";
	case V2_TS_IPV6_ADDR_RANGE: return "TS_IPV6_ADDR_RANGE";
	case V2_TS_FC_ADDR_RANGE: return "TS_FC_ADDR_RANGE";
	case V2_TS_SECLABEL: return "TS_SECLABEL";
	}
	return "unknown-ts-type";
}

const char *v2_cp_type_name(unsigned v)
{
	switch (v) {
	case V2_CFG_REQUEST: return "CFG_REQUEST";
	case V2_CFG_REPLY: return "CFG_REPLY";
	case V2_CFG_SET: return "CFG_SET";
	case V2_CFG_ACK: return "CFG_ACK";
	}
	return "unknown-cp-type";
}
