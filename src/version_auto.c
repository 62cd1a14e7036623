/* version_auto.c - version = auto: IKEv2 first, guarded fallback (see version_auto.h). */
#include <stdlib.h>
#include <string.h>

#include "src/version_auto.h"

#define VERSION_AUTO_PEER_MAX 256

/* Peers remembered as IKEv1-only after a fallback (few: legacy peers). */
struct version_auto_peer {
	char peer[VERSION_AUTO_PEER_MAX];
	struct version_auto_peer *next;
};

struct version_auto {
	struct version_auto_peer *v1_peers;
};

struct version_auto *version_auto_new(void)
{
	return calloc(1, sizeof(struct version_auto));
}

void version_auto_free(struct version_auto *va)
{
	if (!va)
		return;
	while (va->v1_peers) {
		struct version_auto_peer *p = va->v1_peers;

		va->v1_peers = p->next;
		free(p);
	}
	free(va);
}

static struct version_auto_peer **version_auto_find(struct version_auto *va, const char *peer)
{
	struct version_auto_peer **pp;

	for (pp = &va->v1_peers; *pp; pp = &(*pp)->next)
		if (strcmp((*pp)->peer, peer) == 0)
			return pp;
	return NULL;
}

enum auto_decision version_auto_first(const struct version_auto *va, const char *peer,
				      bool pinned_v2)
{
	if (pinned_v2)
		return AUTO_USE_V2;
	return version_auto_find((struct version_auto *)va, peer) ? AUTO_USE_V1 : AUTO_USE_V2;
}

static void version_auto_remember_v1(struct version_auto *va, const char *peer)
{
	struct version_auto_peer *p;

	if (version_auto_find(va, peer) || strlen(peer) >= VERSION_AUTO_PEER_MAX)
		return;
	p = calloc(1, sizeof(*p));
	if (!p)
		return; /* forgetting only costs one more IKEv2 try next time */
	memcpy(p->peer, peer, strlen(peer) + 1);
	p->next = va->v1_peers;
	va->v1_peers = p;
}

enum auto_decision version_auto_record(struct version_auto *va, const char *peer,
				       enum auto_outcome outcome, bool pinned_v2)
{
	switch (outcome) {
	case AUTO_V2_ESTABLISHED:
		version_auto_forget(va, peer);
		return AUTO_USE_V2;
	case AUTO_V2_FAILED:
		/* the peer speaks IKEv2 and said no: IKEv1 would not be better, only weaker */
		return AUTO_GIVE_UP;
	case AUTO_V2_NO_ANSWER:
	case AUTO_V2_ANSWERED_V1:
	case AUTO_V2_INVALID_MAJOR:
		if (pinned_v2)
			return AUTO_REFUSE_DOWNGRADE;
		version_auto_remember_v1(va, peer);
		return AUTO_USE_V1;
	case AUTO_V1_ESTABLISHED:
		version_auto_remember_v1(va, peer);
		return AUTO_USE_V1;
	}
	return AUTO_GIVE_UP;
}

void version_auto_forget(struct version_auto *va, const char *peer)
{
	struct version_auto_peer **pp = version_auto_find(va, peer);

	if (pp) {
		struct version_auto_peer *p = *pp;

		*pp = p->next;
		free(p);
	}
}

const char *version_auto_decision_str(enum auto_decision d)
{
	switch (d) {
	case AUTO_USE_V2: return "initiate IKEv2";
	case AUTO_USE_V1: return "fall back to IKEv1";
	case AUTO_REFUSE_DOWNGRADE: return "refuse: the peer is pinned to IKEv2 (downgrade protection)";
	case AUTO_GIVE_UP: return "give up: the peer speaks IKEv2 and refused";
	}
	return "?";
}
