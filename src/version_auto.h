/*
 * version_auto.h - which IKE version to initiate with for `version = auto`
 * (DESIGN.md "Versions per peer").
 *
 * Initiate IKEv2. Fall back to IKEv1 only when the peer answered the IKEv2
 * IKE_SA_INIT with an IKEv1 message or with INVALID_MAJOR_VERSION, or never
 * answered IKEv2 at all; remember that outcome so the next initiation to the
 * same peer starts with IKEv1. A peer pinned to IKEv2 (it has completed
 * IKEv2 before) is never let down to IKEv1: that is the downgrade an
 * attacker dropping IKEv2 packets would cause, so it is refused until an
 * operator unpins the peer. The decision is pure; the caller (the engine
 * glue) acts on it and records outcomes.
 */
#ifndef DUALIKE_SRC_VERSION_AUTO_H
#define DUALIKE_SRC_VERSION_AUTO_H

#include <stdbool.h>
#include <stddef.h>

enum auto_outcome {
	AUTO_V2_ESTABLISHED,   /* IKEv2 completed: stay on IKEv2 (and pin) */
	AUTO_V2_NO_ANSWER,     /* every IKE_SA_INIT retransmission went unanswered */
	AUTO_V2_ANSWERED_V1,   /* the peer answered IKEv2 with an IKEv1 message */
	AUTO_V2_INVALID_MAJOR, /* the peer answered INVALID_MAJOR_VERSION */
	AUTO_V2_FAILED,        /* IKEv2 answered but failed (proposal, auth): no fallback */
	AUTO_V1_ESTABLISHED,   /* the IKEv1 fallback completed */
};

enum auto_decision {
	AUTO_USE_V2,
	AUTO_USE_V1,
	AUTO_REFUSE_DOWNGRADE, /* would fall back, but the peer is pinned to IKEv2 */
	AUTO_GIVE_UP,          /* IKEv2 failed for a reason fallback cannot fix */
};

struct version_auto;

struct version_auto *version_auto_new(void);
void version_auto_free(struct version_auto *va);
/* The version to start with for this peer (key: its address or identity text). */
enum auto_decision version_auto_first(const struct version_auto *va, const char *peer,
				      bool pinned_v2);
/*
 * Record what the last attempt to this peer did and decide the next step:
 * after an IKEv2 attempt, whether to fall back; after IKEv1, AUTO_USE_V1.
 */
enum auto_decision version_auto_record(struct version_auto *va, const char *peer,
				       enum auto_outcome outcome, bool pinned_v2);
/* Forget the remembered fallback of a peer (e.g. after `dualikectl unpin`). */
void version_auto_forget(struct version_auto *va, const char *peer);
const char *version_auto_decision_str(enum auto_decision d);

#endif
