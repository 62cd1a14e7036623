/*
 * v1_frag.h - IKEv1 message fragmentation, private to v1/.
 *
 * IKEv1 has no RFC for it; the format every implementation speaks
 * (Cisco's, also strongSwan's, Libreswan's and Windows') is:
 *
 *   announced by the vendor ID MD5("FRAGMENTATION") followed by four
 *   octets of capability flags, in the first phase-1 message of each side;
 *
 *   a fragment is an ISAKMP message of its own: the header of the
 *   original message (same cookies) with next payload 132 and without the
 *   E flag (the fragment payload is not encrypted; receivers ignore the
 *   fragment header's flags, exchange and message ID), then one payload
 *      0                   1                   2                   3
 *     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *     | Next Payload  |   RESERVED    |         Payload Length        |
 *     +---------------+---------------+---------------+---------------+
 *     |          Fragment ID          |  Fragment Num |     Flags     |
 *     +---------------+---------------+---------------+---------------+
 *     ~     a slice of the original datagram (header included, as     ~
 *     ~     encrypted as it was)                                       ~
 *     +---------------+---------------+---------------+---------------+
 *   numbered from 1, Flags bit 0 on the last; the same Fragment ID on all
 *   fragments of one message (and on a retransmission of it).
 *
 * Sending: once the peer announced it and our connection allows it, a
 * message longer than v1_frag_limit() leaves as fragments; since
 * retransmissions and cached answers go through v1_sa_send() too, they
 * resend every fragment. Receiving: fragments of a known ISAKMP SA are
 * kept (one message at a time, at most V1_FRAG_MAX_RX of them and
 * V1_FRAG_MAX_JOINED octets, V1_FRAG_TIMEOUT_S seconds) until 1..last are
 * all there; the joined bytes are then one datagram for the normal input.
 */
#ifndef DUALIKE_V1_FRAG_H
#define DUALIKE_V1_FRAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "v1/v1_sa.h"

#define V1_FRAG_MAX_RX 16          /* fragments of one message we reassemble */
#define V1_FRAG_MAX_JOINED 65536   /* octets of one reassembled message */
#define V1_FRAG_TIMEOUT_S 30       /* a partial message older than this is dropped */
#define V1_FRAG_OVERHEAD (V1_HDR_LEN + 8) /* header + fragment payload header */

/* Our FRAGMENTATION vendor ID, when the connection allows fragmentation. */
void v1_frag_put_vid(struct v1_isakmp_sa *sa, struct v1_builder *b);
/*
 * The largest fragment (whole ISAKMP message) we send: the connection's
 * fragment_size, else 576 (IPv4) or 1280 (IPv6) octets of IP packet, less
 * the IP and UDP headers and the non-ESP marker once on the NAT-T port.
 */
size_t v1_frag_limit(const struct v1_isakmp_sa *sa);
/* Must this message go out in fragments? */
bool v1_frag_needed(const struct v1_isakmp_sa *sa, size_t len);
/*
 * Send msg[0..len) as fragments through send_one (v1_sa_send's single
 * datagram path). 0 or the first error.
 */
int v1_frag_send(struct v1_isakmp_sa *sa, const uint8_t *msg, size_t len,
		 int (*send_one)(struct v1_isakmp_sa *sa, const uint8_t *msg, size_t len));
/*
 * One fragment data[0..len) (its header already checked) of sa's peer.
 * 0: kept, more to come; 1: the message is whole, *joined (malloc'ed; the
 * caller frees it) holds it; a negative ERR_* when refused (logged,
 * counted). The fragment header's flags, exchange and message ID are not
 * read: implementations differ there.
 */
int v1_frag_input(struct v1_isakmp_sa *sa, const uint8_t *data, size_t len, uint8_t **joined,
		  size_t *joined_len);
/* Free the partial message (SA deleted). */
void v1_frag_rx_free(struct v1_isakmp_sa *sa);
/* Its timer: a message whose fragments did not all come in time is dropped. */
void v1_frag_fire(int fd, short what, void *arg);

#endif
