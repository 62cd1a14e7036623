/*
 * conf_sig.c - the `signature` key of a [conn] (see conf_sig.h).
 */
#include "common/err.h"
#include "src/conf_int.h"
#include "src/conf_sig.h"

int conf_sig_k_signature(struct conf_ctx *ctx, void *obj, const char *key, const char *val)
{
	static const char *const names[] = { "auto", "classic", "rfc7427", "rfc7427-pss" };
	int v = conf_enum_parse(val, names, sizeof(names) / sizeof(names[0]));

	if (v < 0) {
		conf_bad(ctx, key, "%s '%s' is unknown; write auto, classic, rfc7427 or rfc7427-pss",
			 key, val);
		return ERR_PARSE;
	}
	((struct conn_config *)obj)->signature = (unsigned)v;
	return 0;
}
