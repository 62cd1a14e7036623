/*
 * policy.h - peers.policy: which IKE version each peer may speak
 * (DESIGN.md "Versions per peer", man/dualike-peers.policy.5).
 *
 *   # MATCH                 VERSION
 *   198.51.100.7            ikev1
 *   198.51.100.0/24         any
 *   fd00::/8                ikev2
 *   id:*.branch.example.com ikev1
 *   id:alice@example.com    ikev2
 *   default                 ikev2
 *
 * First match wins; the default line (anywhere in the file, at most one)
 * applies when no rule matches; without one the default is `any`.
 * The dispatcher asks before any state exists, when only the address is
 * known: id: rules are then skipped. The engines ask again with the
 * identity once it is known (IKE_AUTH, Main Mode message 5/6).
 */
#ifndef DUALIKE_SRC_POLICY_H
#define DUALIKE_SRC_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "src/conf_addr.h"
#include "src/conf_errors.h"

enum policy_version {
	POLICY_ANY = 0,
	POLICY_IKEV1 = 1,
	POLICY_IKEV2 = 2,
};

enum policy_match_kind {
	POLICY_MATCH_PREFIX,  /* an address is a full-length prefix */
	POLICY_MATCH_ID,      /* exact identity, without case */
	POLICY_MATCH_ID_GLOB, /* "*" then a suffix: *.example.com, *@example.com */
	POLICY_MATCH_DEFAULT,
};

struct policy_rule {
	enum policy_match_kind kind;
	struct conf_addr net;
	unsigned char prefix;
	char *id;             /* ID and ID_GLOB: the text after id: (glob without '*') */
	enum policy_version version;
	int line;             /* 0 for the implied default */
};

struct policy;

/* Read path; every bad line is reported in errs (ERR_PARSE). */
int policy_load(const char *path, struct policy **out, struct config_errors *errs);
/* A policy with no rule and `default any` (for a missing file, tests). */
struct policy *policy_new_any(void);
void policy_free(struct policy *p);
const char *policy_path(const struct policy *p);

/*
 * The rule deciding for this peer: the first rule that matches the
 * address (or, when id_or_null is given, the identity's text form), else
 * the default rule. Never NULL for a loaded policy.
 */
const struct policy_rule *policy_match(const struct policy *p, const struct sockaddr *peer,
				       const char *id_or_null);
/* May this peer use IKE major version 1 or 2? Any other version: false. */
bool policy_allows(const struct policy *p, const struct sockaddr *peer,
		   const char *id_or_null, int ike_major_version);
/* "peers.policy:3: 198.51.100.0/24 ikev1" (or "default any (implied)"), for logs. */
const char *policy_rule_str(const struct policy *p, const struct policy_rule *r,
			    char *buf, size_t len);
const char *policy_version_name(enum policy_version v);

#endif
