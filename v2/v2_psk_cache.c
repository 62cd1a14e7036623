/* v2_psk_cache.c - the PSK AUTH key keyed once per PSK (see v2_psk_cache.h). */
#include <string.h>

#include "common/err.h"
#include "v2/v2_psk_cache.h"

/* RFC 7296 2.15: the 17 ASCII characters, no terminating NUL. */
#define KEY_PAD "Key Pad for IKEv2"

/* keyed = prf keyed with prf(psk, KEY_PAD): the work the cache saves. */
static int psk_keypad(enum prf_alg alg, const struct secret *psk, struct prf_ctx *keyed)
{
	uint8_t key[PRF_MAX_OUT];
	int rc;

	rc = prf_once(alg, psk->bytes, psk->len, KEY_PAD, strlen(KEY_PAD), key);
	if (rc == 0)
		rc = prf_init(keyed, alg, key, prf_out_len(alg));
	secret_wipe(key, sizeof(key));
	return rc;
}

static void slot_wipe(struct v2_psk_cache_slot *s)
{
	secret_free(s->psk); /* wipes the bytes */
	secret_wipe(s, sizeof(*s));
}

int v2_psk_cache_get(struct v2_psk_cache *c, enum prf_alg alg, const struct secret *psk,
		     struct prf_ctx *keyed)
{
	struct v2_psk_cache_slot *s;
	int rc;

	if (!psk || !keyed || !prf_out_len(alg)) {
		if (keyed)
			secret_wipe(keyed, sizeof(*keyed));
		return ERR_INVAL;
	}
	for (unsigned i = 0; c && i < V2_PSK_CACHE_SLOTS; i++) {
		s = &c->slot[i];
		if (s->psk && s->alg == alg && s->psk->len == psk->len &&
		    secret_equal(s->psk->bytes, psk->bytes, psk->len)) {
			*keyed = s->keyed;
			c->hits++;
			return 0;
		}
	}
	rc = psk_keypad(alg, psk, keyed);
	if (rc) {
		secret_wipe(keyed, sizeof(*keyed));
		return rc;
	}
	if (!c)
		return 0;
	c->misses++;
	s = &c->slot[c->next];
	slot_wipe(s);
	s->psk = secret_dup(psk->bytes, psk->len);
	if (!s->psk)
		return 0; /* not remembered; the answer is right all the same */
	s->alg = alg;
	s->keyed = *keyed;
	c->next = (c->next + 1) % V2_PSK_CACHE_SLOTS;
	return 0;
}

void v2_psk_cache_flush(struct v2_psk_cache *c)
{
	for (unsigned i = 0; i < V2_PSK_CACHE_SLOTS; i++)
		slot_wipe(&c->slot[i]);
	c->next = 0;
}
