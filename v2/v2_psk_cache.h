/*
 * v2_psk_cache.h - the PSK AUTH key, keyed once per PSK instead of once per
 * IKE SA.
 *
 * RFC 7296 2.15: AUTH = prf( prf(Shared Secret, "Key Pad for IKEv2"),
 * <SignedOctets>). The inner prf depends only on the PSK and the prf, so
 * every IKE SA with the same PSK and prf keys the same outer prf. With
 * HMAC that is prf(PSK, pad) (four compression-function calls for
 * SHA-256) and the key set-up of the result (two more, RFC 2104 2: the
 * ipad and opad blocks) on each handshake. The cache keeps the keyed state
 * (a struct prf_ctx after prf_init(), Nettle's inner and outer states) and
 * hands out copies.
 *
 * A slot is found by the PSK's own bytes (a private copy, compared in
 * constant time) and the prf, never by a pointer: a reloaded secrets file
 * can free and reuse the memory of the PSK it replaced. Slots are few and
 * overwritten round robin; v2_engine_set_conns() (each reload) empties the
 * cache so a PSK taken out of the secrets file does not stay in memory.
 * The engine's protocol thread is the only user: no lock.
 */
#ifndef DUALIKE_V2_PSK_CACHE_H
#define DUALIKE_V2_PSK_CACHE_H

#include <stdint.h>

#include "common/prf.h"
#include "common/secret.h"

#define V2_PSK_CACHE_SLOTS 4

struct v2_psk_cache_slot {
	struct secret *psk;   /* copy of the PSK; NULL: the slot is empty */
	enum prf_alg alg;
	struct prf_ctx keyed; /* prf keyed with prf(PSK, "Key Pad for IKEv2") */
};

struct v2_psk_cache {
	struct v2_psk_cache_slot slot[V2_PSK_CACHE_SLOTS];
	unsigned next;        /* the slot the next miss overwrites */
	uint64_t hits, misses;
};

/*
 * *keyed = prf keyed with prf(psk, "Key Pad for IKEv2") (a copy of the
 * cached state, or computed and remembered). c may be NULL: computed, not
 * remembered. 0, ERR_INVAL, ERR_UNSUPPORTED; *keyed is wiped on failure.
 * A cache that cannot copy the PSK (no memory) still answers.
 */
int v2_psk_cache_get(struct v2_psk_cache *c, enum prf_alg alg, const struct secret *psk,
		     struct prf_ctx *keyed);
/* Wipe every slot and free its PSK copy (counters stay). */
void v2_psk_cache_flush(struct v2_psk_cache *c);

#endif
