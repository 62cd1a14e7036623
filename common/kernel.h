/*
 * kernel.h - the kernel IPsec interface the engines use (SAD and SPD).
 *
 * One interface, several backends behind a vtable (kernel_backend.h):
 *   "xfrm"  Linux XFRM over netlink, through libnl-3 / libnl-xfrm-3
 *   "none"  SAs and policies kept in memory and logged, for labs and tests
 * Engines include only this header: no netlink type appears here.
 *
 * Conventions: SPIs are in host byte order; ports are in host byte order and
 * 0 means "any"; addresses are struct sockaddr_storage (AF_INET or AF_INET6,
 * the port inside is ignored). Algorithms are IKEv2 transform IDs (RFC 7296
 * 3.3.2, IANA "IKEv2 Transform Type 1/3"); IKEv1 engines map their ESP
 * transform IDs to these first. Key bytes stay owned by the caller: a
 * backend never keeps them after the call returns (none never even reads
 * them), so KEYMAT can live in struct secret and be wiped by its owner.
 *
 * Life of a child SA: alloc_spi() for the inbound SPI (the kernel keeps a
 * larval SA for it), then update_sa() for that inbound SA and add_sa() for
 * the outbound one, add_policy() for in/out/fwd, del_sa()/del_policy() at
 * the end. Kernel events (ACQUIRE: a packet hit a policy with no SA;
 * EXPIRE: an SA's soft or hard lifetime ran out) reach the engines through
 * the callbacks of struct kernel_events when the daemon's loop sees the
 * backend's fd readable and calls kernel_process_events().
 */
#ifndef DUALIKE_COMMON_KERNEL_H
#define DUALIKE_COMMON_KERNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* IP protocol numbers of the IPsec protocols (RFC 4303, RFC 4302). */
#define KERNEL_PROTO_ESP 50
#define KERNEL_PROTO_AH 51

/* IKEv2 encryption transform IDs this interface knows (IANA). */
#define KERNEL_ENCR_3DES 3
#define KERNEL_ENCR_NULL 11
#define KERNEL_ENCR_AES_CBC 12
#define KERNEL_ENCR_AES_CTR 13
#define KERNEL_ENCR_AES_GCM_8 18
#define KERNEL_ENCR_AES_GCM_12 19
#define KERNEL_ENCR_AES_GCM_16 20
#define KERNEL_ENCR_CHACHA20_POLY1305 28

/* IKEv2 integrity transform IDs (IANA); 0 = none (AEAD). */
#define KERNEL_INTEG_NONE 0
#define KERNEL_INTEG_HMAC_MD5_96 1
#define KERNEL_INTEG_HMAC_SHA1_96 2
#define KERNEL_INTEG_AES_XCBC_96 5
#define KERNEL_INTEG_AES_CMAC_96 8
#define KERNEL_INTEG_HMAC_SHA2_256_128 12
#define KERNEL_INTEG_HMAC_SHA2_384_192 13
#define KERNEL_INTEG_HMAC_SHA2_512_256 14

enum kernel_mode {
	KERNEL_MODE_TRANSPORT = 0,
	KERNEL_MODE_TUNNEL = 1,
};

enum kernel_dir {
	KERNEL_DIR_IN = 0,
	KERNEL_DIR_OUT = 1,
	KERNEL_DIR_FWD = 2,
};

/*
 * Traffic selector as the kernel sees it: one subnet each side, one upper
 * protocol (0 = any), one port each side (0 = any). Family comes from src;
 * dst must have the same one. A selector whose src family is AF_UNSPEC
 * means "no selector" in an SA (the kernel fills in the SA's family).
 */
struct kernel_selector {
	struct sockaddr_storage src;
	struct sockaddr_storage dst;
	uint8_t src_prefix;
	uint8_t dst_prefix;
	uint8_t proto;
	uint16_t src_port;
	uint16_t dst_port;
};

/* 0 in any field means "no limit". */
struct kernel_lifetime {
	uint64_t soft_seconds;
	uint64_t hard_seconds;
	uint64_t soft_bytes;
	uint64_t hard_bytes;
	uint64_t soft_packets;
	uint64_t hard_packets;
};

/*
 * One direction of a child SA. For AEAD (AES-GCM, ChaCha20-Poly1305) and
 * AES-CTR the encryption key includes the 4-byte salt/nonce at its end
 * (RFC 4106 8.1, RFC 7634 2, RFC 3686 5.1), which is how KEYMAT is cut
 * and how the kernel wants it; integ_id is then KERNEL_INTEG_NONE for AEAD.
 */
struct kernel_sa {
	uint8_t proto; /* KERNEL_PROTO_ESP */
	uint32_t spi;
	struct sockaddr_storage src;
	struct sockaddr_storage dst;
	enum kernel_mode mode;
	uint32_t reqid;
	uint16_t encr_id;
	const uint8_t *encr_key;
	size_t encr_key_len;
	uint16_t integ_id;
	const uint8_t *integ_key;
	size_t integ_key_len;
	bool encap;          /* UDP encapsulation, RFC 3948 */
	uint16_t encap_sport;
	uint16_t encap_dport;
	/*
	 * UDP-encapsulated transport mode only: the peer's original address
	 * (before its NAT) as the IKE negotiation learned it (IKEv1 NAT-OA,
	 * RFC 3947 5.2), for the TCP/UDP checksum fix of RFC 3948 3.1.2 on
	 * decapsulation; XFRM's encap_oa. ss_family AF_UNSPEC: none known.
	 */
	struct sockaddr_storage encap_oa;
	uint32_t replay_window; /* packets; 0 = no replay protection */
	bool esn;               /* extended sequence numbers, RFC 4303 2.2.1 */
	struct kernel_lifetime lifetime;
	struct kernel_selector sel;
};

/* A policy: what traffic (sel), which way, protected by which SA shape. */
struct kernel_policy {
	struct kernel_selector sel;
	enum kernel_dir dir;
	uint32_t priority;  /* lower wins; 0 = backend default */
	uint8_t proto;      /* KERNEL_PROTO_ESP */
	enum kernel_mode mode;
	struct sockaddr_storage tmpl_src; /* tunnel endpoints (tunnel mode) */
	struct sockaddr_storage tmpl_dst;
	uint32_t reqid;
};

/* What an SA looks like when listed: no key material. */
struct kernel_sa_info {
	uint8_t proto;
	uint32_t spi;
	struct sockaddr_storage src;
	struct sockaddr_storage dst;
	enum kernel_mode mode;
	uint32_t reqid;
	uint16_t encr_id;
	uint16_t encr_key_bits;
	uint16_t integ_id;
	bool encap;
	bool larval; /* SPI allocated, SA not installed yet */
};

/* ACQUIRE (RFC 4301 5.2: a packet matched a PROTECT policy with no SA). */
struct kernel_acquire {
	struct kernel_selector sel; /* the packet's selector */
	struct sockaddr_storage src; /* template endpoints */
	struct sockaddr_storage dst;
	uint8_t proto;
	uint32_t reqid;
	uint32_t policy_index;
	enum kernel_dir dir;
};

struct kernel_expire {
	uint8_t proto;
	uint32_t spi;
	struct sockaddr_storage src;
	struct sockaddr_storage dst;
	uint32_t reqid;
	bool hard; /* hard: the SA is gone; soft: time to rekey */
};

struct kernel_events {
	void (*acquire)(const struct kernel_acquire *acq, void *arg);
	void (*expire)(const struct kernel_expire *exp, void *arg);
};

struct kernel;

/*
 * Open the backend called `name` ("xfrm" or "none"). ERR_NOTFOUND for an
 * unknown name, ERR_KERNEL when the backend cannot reach the kernel.
 */
int kernel_open(const char *name, struct kernel **out);
void kernel_close(struct kernel *k);
const char *kernel_name(const struct kernel *k);

/* Where events go; ev may be NULL (events are then dropped). */
void kernel_set_events(struct kernel *k, const struct kernel_events *ev, void *arg);
/* The fd the event loop watches for readability, or -1 (none). */
int kernel_event_fd(const struct kernel *k);
/* Read every pending event without blocking and dispatch it. */
int kernel_process_events(struct kernel *k);

/* A fresh inbound SPI (>= 256, unique) for an SA from src to dst. */
int kernel_alloc_spi(struct kernel *k, const struct sockaddr_storage *src,
		     const struct sockaddr_storage *dst, uint8_t proto, uint32_t *spi);
/*
 * Install an SA. ERR_UNSUPPORTED: algorithm unknown; ERR_INVAL: bad key
 * length or description; ERR_KERNEL: the kernel refused it (a kernel
 * without ESP support is reported with one clear log line).
 */
int kernel_add_sa(struct kernel *k, const struct kernel_sa *sa);
/* Complete an SA whose SPI came from kernel_alloc_spi(). */
int kernel_update_sa(struct kernel *k, const struct kernel_sa *sa);
/* ERR_NOTFOUND when no such SA. */
int kernel_del_sa(struct kernel *k, const struct sockaddr_storage *dst,
		  uint32_t spi, uint8_t proto);
int kernel_add_policy(struct kernel *k, const struct kernel_policy *pol);
/* ERR_NOTFOUND when no such policy. */
int kernel_del_policy(struct kernel *k, const struct kernel_selector *sel,
		      enum kernel_dir dir);

/*
 * Trap policies (`auto = route`): a policy with a template but no SA, so
 * the kernel sends ACQUIRE for the first packet that hits it (RFC 4301
 * 5.2). Once added, a trap sits under its selector and direction: an SA's
 * kernel_add_policy() for the same selector replaces it (XFRM_MSG_UPDPOLICY),
 * and that policy's kernel_del_policy() puts the trap back instead of
 * leaving the traffic unprotected. kernel_trap_del() removes it for good.
 */
int kernel_trap_add(struct kernel *k, const struct kernel_policy *pol);
int kernel_trap_del(struct kernel *k, const struct kernel_selector *sel, enum kernel_dir dir);
size_t kernel_trap_count(const struct kernel *k);

/*
 * Hand an event to the callbacks as the backend would (tests, and the
 * `none` backend, which has no kernel to hear from).
 */
void kernel_inject_acquire(struct kernel *k, const struct kernel_acquire *acq);
void kernel_inject_expire(struct kernel *k, const struct kernel_expire *exp);

/* Visit every SA / policy (for dualikectl list-sas). */
typedef void (*kernel_sa_visit_fn)(const struct kernel_sa_info *sa, void *arg);
typedef void (*kernel_policy_visit_fn)(const struct kernel_policy *pol, void *arg);
int kernel_list_sas(struct kernel *k, kernel_sa_visit_fn fn, void *arg);
int kernel_list_policies(struct kernel *k, kernel_policy_visit_fn fn, void *arg);
/* Counts (larval SPIs included in the SA count); negative ERR_* on failure. */
long kernel_count_sas(struct kernel *k);
long kernel_count_policies(struct kernel *k);

/* Helpers shared by backends and engines. */
const char *kernel_dir_str(enum kernel_dir dir);
const char *kernel_mode_str(enum kernel_mode mode);
/* "192.0.2.1" / "2001:db8::1"; "?" for anything else. Returns buf. */
const char *kernel_addr_str(const struct sockaddr_storage *ss, char *buf, size_t len);
/* Address length for the family (4, 16) or 0. */
size_t kernel_addr_len(const struct sockaddr_storage *ss);
/* The port in host order; 0 for a family other than AF_INET or AF_INET6. */
uint16_t kernel_addr_port(const struct sockaddr_storage *ss);
/* Set the port (host order); nothing for a family other than AF_INET or AF_INET6. */
void kernel_addr_set_port(struct sockaddr_storage *ss, uint16_t port);
/* Pointer to the raw address bytes, or NULL. */
const uint8_t *kernel_addr_bytes(const struct sockaddr_storage *ss);
/* Equal family and address (ports ignored). */
bool kernel_addr_equal(const struct sockaddr_storage *a, const struct sockaddr_storage *b);
/* Fill ss from text ("192.0.2.1", "2001:db8::1"); false when not an address. */
bool kernel_addr_parse(const char *text, struct sockaddr_storage *ss);
/* Equal selectors (same family, addresses, prefixes, proto, ports). */
bool kernel_selector_equal(const struct kernel_selector *a, const struct kernel_selector *b);
/* Structural checks every backend applies before installing an SA. */
int kernel_sa_check(const struct kernel_sa *sa);
int kernel_policy_check(const struct kernel_policy *pol);
/* Is this IKEv2 encryption ID an AEAD (no separate integrity)? */
bool kernel_encr_is_aead(uint16_t encr_id);
/* Bytes of salt/nonce at the end of the encryption key (0, 3 or 4). */
size_t kernel_encr_salt_len(uint16_t encr_id);

#endif
