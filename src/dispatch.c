/* dispatch.c - route each datagram to its engine by IKE major version. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/log.h"
#include "src/dispatch.h"

/* RFC 7296 3.1 flags and 3.10.1 notify types used here. */
#define IKE_FLAG_RESPONSE 0x20
#define IKE_PAYLOAD_NOTIFY 41
#define V2_N_INVALID_MAJOR_VERSION 5

struct dispatcher {
	struct dispatch_hooks hooks;
	struct dispatch_counters counters;
};

static const char *const drop_names[DROP_REASONS_] = {
	[DROP_TOO_SHORT] = "too-short",
	[DROP_LENGTH_MISMATCH] = "length-mismatch",
	[DROP_ESP_ON_NATT] = "esp-on-natt",
	[DROP_KEEPALIVE] = "nat-keepalive",
	[DROP_BAD_MAJOR] = "bad-major-version",
	[DROP_HIGHER_MAJOR] = "higher-major-version",
	[DROP_POLICY] = "version-policy",
	[DROP_ENGINE] = "engine",
};

const char *dispatch_drop_name(enum dispatch_drop reason)
{
	return reason < DROP_REASONS_ ? drop_names[reason] : "unknown";
}

struct dispatcher *dispatch_new(const struct dispatch_hooks *hooks)
{
	struct dispatcher *d = calloc(1, sizeof(*d));

	if (d)
		d->hooks = *hooks;
	return d;
}

void dispatch_free(struct dispatcher *d)
{
	free(d);
}

const struct dispatch_counters *dispatch_counters(const struct dispatcher *d)
{
	return &d->counters;
}

void dispatch_count_out(struct dispatcher *d, int major)
{
	if (major == 1)
		d->counters.out_v1++;
	else if (major == 2)
		d->counters.out_v2++;
}

const char *sockaddr_str(const struct sockaddr *sa, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;

		inet_ntop(AF_INET, &s4->sin_addr, a, sizeof(a));
		snprintf(buf, len, "%s[%u]", a, ntohs(s4->sin_port));
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;

		inet_ntop(AF_INET6, &s6->sin6_addr, a, sizeof(a));
		snprintf(buf, len, "%s[%u]", a, ntohs(s6->sin6_port));
	} else {
		snprintf(buf, len, "(family %d)", sa->sa_family);
	}
	return buf;
}

bool ike_header_read(const uint8_t *p, size_t len, struct ike_header *hdr)
{
	struct rd r;
	uint8_t version;

	rd_init(&r, p, len);
	rd_bytes(&r, hdr->spi_i, 8);
	rd_bytes(&r, hdr->spi_r, 8);
	rd_u8(&r, &hdr->next_payload);
	rd_u8(&r, &version);
	rd_u8(&r, &hdr->exchange);
	rd_u8(&r, &hdr->flags);
	rd_u32(&r, &hdr->message_id);
	rd_u32(&r, &hdr->length);
	hdr->major = version >> 4;
	hdr->minor = version & 0x0f;
	return rd_ok(&r);
}

static int dispatch_drop(struct dispatcher *d, const struct datagram *dg,
			 enum dispatch_drop why, const char *detail)
{
	char peer[64];

	d->counters.dropped[why]++;
	if (why != DROP_KEEPALIVE)
		log_unauth(&log_global, LOG_LEVEL_INFO, "dropped %zu bytes from %s: %s%s%s",
			   dg->len, sockaddr_str((const struct sockaddr *)&dg->peer, peer, sizeof(peer)),
			   dispatch_drop_name(why), detail ? ": " : "", detail ? detail : "");
	return why == DROP_POLICY ? ERR_PERM : ERR_PARSE;
}

/*
 * RFC 7296 2.5: a message with a higher major version is dropped and answered
 * with an unauthenticated INVALID_MAJOR_VERSION notify; the version in our
 * reply header (2.0) is the closest we support (3.10.1). The reply mirrors
 * the request's SPIs, exchange type and message ID (1.5), and is never
 * larger than the request, so it cannot amplify a spoofed flood.
 */
static void dispatch_reply_invalid_major(struct dispatcher *d, const struct datagram *dg,
					 const struct ike_header *hdr)
{
	uint8_t out[4 + IKE_HEADER_LEN + 8];
	struct datagram reply = *dg;
	struct wr w;
	size_t start;

	if (!d->hooks.send || (hdr->flags & IKE_FLAG_RESPONSE))
		return; /* never answer a response (RFC 7296 2.21.1 spirit: no loops) */
	wr_init(&w, out, sizeof(out));
	if (dg->natt_port)
		wr_zero(&w, 4); /* non-ESP marker */
	start = wr_len(&w);
	wr_bytes(&w, hdr->spi_i, 8);
	wr_bytes(&w, hdr->spi_r, 8);
	wr_u8(&w, IKE_PAYLOAD_NOTIFY);
	wr_u8(&w, 0x20);
	wr_u8(&w, hdr->exchange);
	wr_u8(&w, IKE_FLAG_RESPONSE);
	wr_u32(&w, hdr->message_id);
	wr_u32(&w, IKE_HEADER_LEN + 8);
	/* Notify: next 0, flags 0, length 8, protocol 0, SPI size 0, type */
	wr_u8(&w, 0);
	wr_u8(&w, 0);
	wr_u16(&w, 8);
	wr_u8(&w, 0);
	wr_u8(&w, 0);
	wr_u16(&w, V2_N_INVALID_MAJOR_VERSION);
	if (!wr_ok(&w) || wr_len(&w) - start != IKE_HEADER_LEN + 8)
		return;
	reply.data = out;
	reply.len = wr_len(&w);
	if (d->hooks.send(d->hooks.arg, &reply) == 0)
		d->counters.out_v2++;
}

int dispatch_datagram(struct dispatcher *d, const struct datagram *dg)
{
	struct datagram msg = *dg;
	struct ike_header hdr;
	const char *rule = NULL;
	char detail[96];
	int rc;

	if (dg->natt_port) {
		if (dg->len == 1 && dg->data[0] == 0xff)
			return dispatch_drop(d, dg, DROP_KEEPALIVE, NULL);
		if (dg->len < 4 || memcmp(dg->data, "\0\0\0\0", 4) != 0)
			return dispatch_drop(d, dg, DROP_ESP_ON_NATT, NULL);
		msg.data += 4;
		msg.len -= 4;
	}
	if (!ike_header_read(msg.data, msg.len, &hdr))
		return dispatch_drop(d, dg, DROP_TOO_SHORT, NULL);
	if (hdr.length != msg.len) {
		snprintf(detail, sizeof(detail), "header says %u bytes", hdr.length);
		return dispatch_drop(d, dg, DROP_LENGTH_MISMATCH, detail);
	}
	if (hdr.major == 0)
		return dispatch_drop(d, dg, DROP_BAD_MAJOR, NULL);
	if (hdr.major > 2) {
		snprintf(detail, sizeof(detail), "version %u.%u", hdr.major, hdr.minor);
		dispatch_drop(d, dg, DROP_HIGHER_MAJOR, detail);
		dispatch_reply_invalid_major(d, &msg, &hdr);
		return ERR_UNSUPPORTED;
	}
	if (d->hooks.policy &&
	    !d->hooks.policy(d->hooks.arg, (const struct sockaddr *)&dg->peer, hdr.major, &rule)) {
		snprintf(detail, sizeof(detail), "IKEv%u refused by %s", hdr.major,
			 rule ? rule : "policy");
		return dispatch_drop(d, dg, DROP_POLICY, detail);
	}
	if (hdr.major == 1) {
		d->counters.in_v1++;
		rc = d->hooks.v1_input ? d->hooks.v1_input(d->hooks.arg, &msg, &hdr) : ERR_UNSUPPORTED;
	} else {
		d->counters.in_v2++;
		rc = d->hooks.v2_input ? d->hooks.v2_input(d->hooks.arg, &msg, &hdr) : ERR_UNSUPPORTED;
	}
	if (rc < 0) {
		d->counters.dropped[DROP_ENGINE]++;
		return rc;
	}
	return 0;
}
