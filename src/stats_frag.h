/*
 * stats_frag.h - the fragmentation counters both engines report in
 * `dualikectl stats` (IKEv2: RFC 7383, IKEv1: the FRAGMENTATION vendor ID
 * format), written one way for both.
 */
#ifndef DUALIKE_SRC_STATS_FRAG_H
#define DUALIKE_SRC_STATS_FRAG_H

#include <stdint.h>

struct evbuffer;
struct json;

struct stats_frag {
	uint64_t messages_fragmented;  /* our messages sent as fragments */
	uint64_t fragments_sent;
	uint64_t fragments_received;   /* the peer's, accepted */
	uint64_t messages_reassembled;
	uint64_t fragments_dropped;    /* refused: bounds, duplicates, no SA */
};

/*
 * With j: the five counters as fields of j's open object. Without: one
 * line "TITLE: messages fragmented N, fragments sent N, ..." to out.
 */
void stats_frag_report(const struct stats_frag *f, const char *title, struct json *j,
		       struct evbuffer *out);

#endif
