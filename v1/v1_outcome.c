/*
 * v1_outcome.c - telling the engine's user how each v1_engine_initiate()
 * ended (struct v1_env's initiated_up / initiated_failed hooks): once per
 * initiation, up when the ISAKMP SA's first IPsec SA pair is installed,
 * failed when the ISAKMP SA or that first Quick Mode is given up.
 *
 * A failure names the step and the cause, then the last error notify the
 * peer sent for the SA. Before phase-1 keys exist such a notify is not
 * authenticated (RFC 2408 5.5 leaves it to local policy; the engine keeps
 * waiting for a real answer, v1_info.c), so it is reported as the peer's
 * word, never acted on: a wrong PSK shows up as "no answer to MM5 ...
 * (the peer sent INVALID-HASH-INFORMATION, unauthenticated)".
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "v1/v1_names.h"
#include "v1/v1_sa.h"

void v1_outcome_peer_notify(struct v1_isakmp_sa *sa, uint16_t type, bool authenticated)
{
	/* RFC 2408 3.14.1: 1-8191 are errors; status types say nothing of a failure */
	if (type >= 1 && type < 8192) {
		sa->peer_notify = type;
		sa->peer_notify_auth = authenticated;
	}
}

void v1_outcome_failed(struct v1_isakmp_sa *sa, const char *fmt, ...)
{
	const struct v1_env *env = &sa->eng->env;
	char why[160];
	size_t n;
	va_list ap;

	if (!sa->report)
		return;
	sa->report = false;
	if (sa->eng->freeing || !env->initiated_failed)
		return;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	n = strlen(why);
	if (sa->peer_notify && n < sizeof(why))
		snprintf(why + n, sizeof(why) - n, " (the peer sent %s%s)",
			 v1_notify_name(sa->peer_notify), sa->peer_notify_auth ? "" : ", unauthenticated");
	env->initiated_failed(env->arg, sa->conn->name, why);
}

void v1_outcome_qm_done(struct v1_ipsec_sa *qm)
{
	struct v1_isakmp_sa *sa = qm->isakmp;
	const struct v1_env *env = &sa->eng->env;

	if (!qm->initiator || !sa->report)
		return;
	sa->report = false;
	if (!sa->eng->freeing && env->initiated_up)
		env->initiated_up(env->arg, sa->conn->name, sa->sad.serial);
}
