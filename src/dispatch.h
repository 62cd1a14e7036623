/*
 * dispatch.h - the first look at every datagram: which engine gets it.
 *
 * DESIGN.md "The path of a packet": a datagram on the NAT-T port loses its
 * 4-byte non-ESP marker (RFC 3948 2.2), a 1-byte 0xFF is a NAT keepalive
 * (RFC 3948 2.3) and is dropped. Then only the fixed 28-byte header is read -
 * its layout is the same in both versions (RFC 2408 3.1, RFC 7296 3.1):
 * major version 1 goes to the IKEv1 engine, 2 to IKEv2, a higher major version
 * is answered with INVALID_MAJOR_VERSION (RFC 7296 2.5), anything shorter than
 * a header or whose length field disagrees with the datagram is dropped and
 * counted. Before an engine sees a message the version policy is asked
 * whether this peer may use this version; a refusal is a logged, counted drop.
 */
#ifndef DUALIKE_SRC_DISPATCH_H
#define DUALIKE_SRC_DISPATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define IKE_HEADER_LEN 28
#define IKE_MAX_DATAGRAM 65535

/* One received (or to-be-sent) datagram with both endpoints. */
struct datagram {
	const uint8_t *data;
	size_t len;
	struct sockaddr_storage local;  /* our address and port it arrived on */
	struct sockaddr_storage peer;   /* the sender */
	bool natt_port;                 /* arrived on the NAT-T (4500) socket */
};

/* The fixed header, as the dispatcher read it. */
struct ike_header {
	uint8_t spi_i[8];
	uint8_t spi_r[8];
	uint8_t next_payload;
	uint8_t major;
	uint8_t minor;
	uint8_t exchange;
	uint8_t flags;
	uint32_t message_id;
	uint32_t length;
};

enum dispatch_drop {
	DROP_TOO_SHORT,        /* fewer than 28 bytes after the marker */
	DROP_LENGTH_MISMATCH,  /* header length != datagram length */
	DROP_ESP_ON_NATT,      /* no non-ESP marker: ESP the kernel did not take */
	DROP_KEEPALIVE,        /* NAT keepalive 0xFF (expected, still counted) */
	DROP_BAD_MAJOR,        /* major version 0 */
	DROP_HIGHER_MAJOR,     /* major > 2: answered with INVALID_MAJOR_VERSION */
	DROP_POLICY,           /* peers.policy refused this version for this peer */
	DROP_ENGINE,           /* the engine refused it */
	DROP_REASONS_
};

struct dispatch_counters {
	uint64_t in_v1;
	uint64_t in_v2;
	uint64_t out_v1;
	uint64_t out_v2;
	uint64_t dropped[DROP_REASONS_];
};

struct dispatcher;

/* May this peer speak this IKE major version? Sets *rule to a description. */
typedef bool (*dispatch_policy_fn)(void *arg, const struct sockaddr *peer,
				   int major, const char **rule);
/* Hand a message to an engine; returns 0 or a negative ERR_* (counted). */
typedef int (*dispatch_engine_fn)(void *arg, const struct datagram *dg,
				  const struct ike_header *hdr);
/* Send a datagram back from dg->local to dg->peer (the reply path). */
typedef int (*dispatch_send_fn)(void *arg, const struct datagram *dg);

struct dispatch_hooks {
	dispatch_policy_fn policy;   /* NULL: every version allowed */
	dispatch_engine_fn v1_input;
	dispatch_engine_fn v2_input;
	dispatch_send_fn send;
	void *arg;
};

struct dispatcher *dispatch_new(const struct dispatch_hooks *hooks);
void dispatch_free(struct dispatcher *d);
/*
 * Look at one datagram as it came off a socket (marker included on 4500).
 * Returns 0 when an engine took it, or a negative ERR_* saying why it was
 * dropped (already counted and, rate-limited, logged).
 */
int dispatch_datagram(struct dispatcher *d, const struct datagram *dg);
const struct dispatch_counters *dispatch_counters(const struct dispatcher *d);
/* Count one datagram an engine sent (packets out per version in `stats`). */
void dispatch_count_out(struct dispatcher *d, int major);
const char *dispatch_drop_name(enum dispatch_drop reason);
/* Read the fixed header; false when too short. */
bool ike_header_read(const uint8_t *p, size_t len, struct ike_header *hdr);
/* "192.0.2.1[500]" or "[fd00::1]:500" into buf. */
const char *sockaddr_str(const struct sockaddr *sa, char *buf, size_t len);

#endif
