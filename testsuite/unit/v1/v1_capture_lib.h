/*
 * v1_capture_lib.h - shared by the capture tests: IKE datagrams out of a
 * capture, and a decrypting observer that follows one ISAKMP SA the way
 * Wireshark does with its key table (phase-1 IV from the two KE payloads,
 * CBC chaining, one IV per message ID).
 */
#ifndef DUALIKE_TEST_V1_CAPTURE_LIB_H
#define DUALIKE_TEST_V1_CAPTURE_LIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "v1/v1_attr.h"
#include "v1/v1_crypt.h"
#include "v1/v1_msg.h"

#define MAX_DG 64

struct dg {
	uint8_t *data;
	size_t len;
	unsigned index;
	bool dup; /* byte-for-byte retransmission of an earlier datagram */
};

struct observer {
	uint8_t key[32];
	size_t key_len;
	struct v1_p1_attrs p1;   /* the responder's choice */
	bool have_p1;
	uint8_t gx[2][1024];     /* g^xi, g^xr: first and second KE of phase 1 */
	size_t gx_len[2];
	unsigned n_ke;
	struct v1_crypt c;
	bool ready;
	struct v1_iv p1_iv;      /* phase-1 chain: the last phase-1 CBC block */
	struct { uint32_t id; struct v1_iv iv; } x[32];
	unsigned n_x;
	unsigned decrypted, failed;
	uint8_t plain[4096];
	struct v1_msg m;
	struct v1_err e;
};

/* IKE datagrams of a capture (NAT-T marker stripped, keepalives and ESP skipped). */
size_t load(const char *path, struct dg *out);
void unload(struct dg *d, size_t n);
void hex(char *out, const uint8_t *p, size_t n);
/* The key for an initiator cookie (16 hex digits) from Wireshark's table. */
bool table_key(const char *ckyi, uint8_t *key, size_t *key_len);
/* Learn the chosen phase-1 transform and the KE values from a cleartext message. */
void observe_clear(struct observer *o, const struct v1_msg *m);
/* Decrypt and parse an encrypted message into o->m; true when it parsed. */
bool observe_encrypted(struct observer *o, const struct dg *d, const struct v1_hdr *h);
/* The payload types of m, e.g. "HASH SA NONCE KE ID ID". */
void type_list(const struct v1_msg *m, char *out, size_t cap);

#endif
