/* stats_frag.c - fragmentation counters in `dualikectl stats` (stats_frag.h). */
#include <event2/buffer.h>

#include "src/json.h"
#include "src/stats_frag.h"

void stats_frag_report(const struct stats_frag *f, const char *title, struct json *j,
		       struct evbuffer *out)
{
	if (!j) {
		evbuffer_add_printf(out, "%s: messages fragmented %llu, fragments sent %llu, "
				    "fragments received %llu, messages reassembled %llu, "
				    "fragments dropped %llu\n", title,
				    (unsigned long long)f->messages_fragmented,
				    (unsigned long long)f->fragments_sent,
				    (unsigned long long)f->fragments_received,
				    (unsigned long long)f->messages_reassembled,
				    (unsigned long long)f->fragments_dropped);
		return;
	}
	json_uint(j, "messages_fragmented", f->messages_fragmented);
	json_uint(j, "fragments_sent", f->fragments_sent);
	json_uint(j, "fragments_received", f->fragments_received);
	json_uint(j, "messages_reassembled", f->messages_reassembled);
	json_uint(j, "fragments_dropped", f->fragments_dropped);
}
