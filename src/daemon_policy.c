/*
 * daemon_policy.c - the files beside dualike.conf that decide who may talk:
 * peers.policy (which IKE version each peer may use), the secrets, and the
 * downgrade-protection pins in the state directory. Loaded at start and on
 * reload; a reload replaces them only when all of them loaded.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/event.h>

#include "common/err.h"
#include "common/log.h"
#include "src/config.h"
#include "src/daemon.h"
#include "src/engines.h"
#include "src/pins.h"
#include "src/policy.h"
#include "src/secrets.h"

struct policy_set {
	struct policy *policy;
	struct secrets *secrets;
};

static int policy_set_load(const struct config *cfg, struct policy_set *set, struct evbuffer *out)
{
	struct config_errors errs;
	int rc;

	memset(set, 0, sizeof(*set));
	config_errors_init(&errs);
	rc = policy_load(cfg->daemon.policy, &set->policy, &errs);
	if (rc == 0)
		rc = secrets_load(cfg->daemon.secrets, &set->secrets, &errs);
	if (rc) {
		daemon_report_errors(&errs, out);
		policy_free(set->policy);
		set->policy = NULL;
	}
	config_errors_free(&errs);
	return rc;
}

/* The state directory holds the pins; make it (0700) on first start. */
static int state_dir_ready(const char *dir)
{
	struct stat st;

	if (stat(dir, &st) == 0)
		return S_ISDIR(st.st_mode) ? 0 : ERR_IO;
	if (mkdir(dir, 0700) == 0)
		return 0;
	log_error(&log_global, "state directory %s: %s (set state_dir in [daemon])",
		  dir, strerror(errno));
	return ERR_IO;
}

int engines_load_policy(struct daemon *d)
{
	struct policy_set set;
	struct config_errors errs;
	int rc = policy_set_load(d->cfg, &set, NULL);

	if (rc)
		return rc;
	d->policy = set.policy;
	d->secrets = set.secrets;
	rc = state_dir_ready(d->cfg->daemon.state_dir);
	if (rc)
		return rc;
	config_errors_init(&errs);
	rc = pins_load(d->cfg->daemon.state_dir, &d->pins, &errs);
	daemon_report_errors(&errs, NULL);
	config_errors_free(&errs);
	if (rc == 0 && pins_recovered(d->pins))
		log_warn(&log_global, "pins in %s were damaged; the previous good copy was used",
			 d->cfg->daemon.state_dir);
	return rc;
}

int engines_reload_policy(struct daemon *d, const struct config *fresh, struct evbuffer *err_out)
{
	struct policy_set set;
	int rc = policy_set_load(fresh, &set, err_out);

	if (rc) {
		log_error(&log_global, "reload refused: peers.policy or secrets have problems");
		return rc;
	}
	policy_free(d->policy);
	secrets_free(d->secrets);
	d->policy = set.policy;
	d->secrets = set.secrets;
	return 0;
}

/*
 * Write the pins now (full: with every refreshed time; otherwise the new
 * pins at least, pins.h); false (logged) when the file could not be saved.
 */
static bool pins_save_logged(struct daemon *d, const char *what, bool full)
{
	struct config_errors errs;
	bool ok;

	config_errors_init(&errs);
	ok = (full ? pins_save(d->pins, &errs) : pins_save_members(d->pins, &errs)) == 0;
	if (!ok) {
		log_warn(&log_global, "%s, but the pins file could not be saved", what);
		daemon_report_errors(&errs, NULL);
	}
	config_errors_free(&errs);
	return ok;
}

static void on_pins_timer(evutil_socket_t fd, short what, void *arg)
{
	struct daemon *d = arg;

	(void)fd;
	(void)what;
	if (d->pins && pins_unsaved(d->pins))
		pins_save_logged(d, "IKEv2 completion times refreshed", true);
}

void engines_pin_peer(struct daemon *d, const char *key)
{
	static const struct timeval later = { ENGINES_PIN_TIMES_SAVE_S, 0 };
	char what[PINS_PEER_MAX + 32];

	if (!d->pins || pins_pin(d->pins, key, (int64_t)time(NULL)) != 0)
		return;
	if (pins_unsaved_members(d->pins)) {
		/* a new pin: on disk before anything else happens (DESIGN.md) */
		snprintf(what, sizeof(what), "IKEv2 peer %s pinned", key);
		pins_save_logged(d, what, false);
	}
	if (!pins_unsaved(d->pins) || !d->base)
		return;
	/* refreshed times (or a save that failed): one later save for many SAs */
	if (!d->pins_ev && !(d->pins_ev = evtimer_new(d->base, on_pins_timer, d)))
		return;
	if (!evtimer_pending(d->pins_ev, NULL))
		evtimer_add(d->pins_ev, &later);
}

void engines_free_policy(struct daemon *d)
{
	if (d->pins_ev)
		event_free(d->pins_ev);
	d->pins_ev = NULL;
	if (d->pins && pins_unsaved(d->pins))
		pins_save_logged(d, "stopping with refreshed pin times", true);
	policy_free(d->policy);
	secrets_free(d->secrets);
	pins_free(d->pins);
	d->policy = NULL;
	d->secrets = NULL;
	d->pins = NULL;
}

bool engines_policy_hook(void *arg, const struct sockaddr *peer, int major, const char **rule)
{
	struct daemon *d = arg;
	const struct policy_rule *r;
	static char rule_text[2 * PINS_PEER_MAX + 80];

	/*
	 * Downgrade protection (DESIGN.md "Versions per peer"): a peer that has
	 * completed IKEv2 may not come back with IKEv1 until an operator unpins it.
	 */
	if (major == 1 && d->pins) {
		char key[PINS_PEER_MAX];

		if (pins_is_pinned(d->pins, pins_peer_from_sockaddr(peer, key, sizeof(key)))) {
			snprintf(rule_text, sizeof(rule_text),
				 "the IKEv2 pin of %s (`dualikectl unpin %s` allows IKEv1 again)", key, key);
			*rule = rule_text;
			return false;
		}
	}
	if (!d->policy || policy_allows(d->policy, peer, NULL, major))
		return true;
	/* refused: name the rule (only then: this runs for every message) */
	r = policy_match(d->policy, peer, NULL);
	*rule = r ? policy_rule_str(d->policy, r, rule_text, sizeof(rule_text)) : "default";
	return false;
}
