/* version_auto_test.c - version = auto: IKEv2 first, fallback rules, downgrade protection. */
#include "src/version_auto.h"
#include "testsuite/lib/tap.h"

int main(void)
{
	struct version_auto *va = version_auto_new();
	const char *legacy = "198.51.100.7", *modern = "192.0.2.9";

	tap_ok(va != NULL, "created");
	tap_eq_int(version_auto_first(va, legacy, false), AUTO_USE_V2, "a new peer is tried with IKEv2");
	tap_eq_int(version_auto_record(va, legacy, AUTO_V2_NO_ANSWER, false), AUTO_USE_V1,
		   "no answer to IKEv2: fall back to IKEv1");
	tap_eq_int(version_auto_first(va, legacy, false), AUTO_USE_V1,
		   "the fallback is remembered for the next initiation");
	tap_eq_int(version_auto_record(va, legacy, AUTO_V1_ESTABLISHED, false), AUTO_USE_V1,
		   "IKEv1 established: stays IKEv1");
	tap_eq_int(version_auto_record(va, modern, AUTO_V2_ANSWERED_V1, false), AUTO_USE_V1,
		   "an IKEv1 answer to IKEv2: fall back");
	tap_eq_int(version_auto_record(va, modern, AUTO_V2_INVALID_MAJOR, false), AUTO_USE_V1,
		   "INVALID_MAJOR_VERSION: fall back");
	tap_eq_int(version_auto_record(va, modern, AUTO_V2_ESTABLISHED, false), AUTO_USE_V2,
		   "IKEv2 completed: IKEv2");
	tap_eq_int(version_auto_first(va, modern, false), AUTO_USE_V2,
		   "completing IKEv2 forgets an earlier fallback");
	tap_eq_int(version_auto_record(va, modern, AUTO_V2_NO_ANSWER, true), AUTO_REFUSE_DOWNGRADE,
		   "a peer pinned to IKEv2 that stops answering is not let down to IKEv1");
	tap_eq_int(version_auto_record(va, modern, AUTO_V2_INVALID_MAJOR, true), AUTO_REFUSE_DOWNGRADE,
		   "... nor when something answers INVALID_MAJOR_VERSION in its name");
	tap_eq_int(version_auto_first(va, legacy, true), AUTO_USE_V2,
		   "a pin overrides a remembered fallback");
	tap_eq_int(version_auto_record(va, "203.0.113.1", AUTO_V2_FAILED, false), AUTO_GIVE_UP,
		   "IKEv2 refused (proposal/auth): no fallback to a weaker version");
	version_auto_forget(va, legacy);
	tap_eq_int(version_auto_first(va, legacy, false), AUTO_USE_V2, "forget: IKEv2 is tried again");
	tap_ok(version_auto_decision_str(AUTO_REFUSE_DOWNGRADE)[0] != '?', "decisions have names");
	version_auto_free(va);
	return tap_done();
}
