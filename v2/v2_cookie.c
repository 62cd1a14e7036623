/*
 * v2_cookie.c - the responder's COOKIE (RFC 7296 2.6): under load, an
 * IKE_SA_INIT request without a valid cookie is answered statelessly
 *
 *   Initiator                         Responder
 *   HDR(A,0), SAi1, KEi, Ni  -->
 *                            <--  HDR(A,0), N(COOKIE)
 *   HDR(A,0), N(COOKIE), SAi1, KEi, Ni  -->
 *                            <--  HDR(A,B), SAr1, KEr, Nr
 *
 * and nothing is kept: no SAD entry, no KE job. The cookie is
 * <version> | HMAC-SHA256(secret, Ni | IPi | SPIi) (2.6's suggestion,
 * with the PRF from common/), the version byte naming which secret made
 * it. The secret is 32 random octets from libsodium, replaced every
 * V2_COOKIE_ROTATE_MS; the previous one is still accepted for one more
 * period so cookies handed out just before a rotation stay good.
 *
 * Load is the number of half-open responder SAs (IKE_SA_INIT answered,
 * or its KE job started, and no IKE_AUTH yet): cookies are asked once it
 * reaches cookie_threshold;
 * a threshold of 0 asks always, V2_COOKIE_NEVER never.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "common/err.h"
#include "common/log.h"
#include "common/prf.h"
#include "v2/v2_ike_sa.h"
#include "v2/v2_names.h"

#define V2_COOKIE_LEN (1 + 32)

static void rotate(struct v2_cookie_state *cs, uint64_t now)
{
	memcpy(cs->prev, cs->cur, sizeof(cs->prev));
	cs->prev_version = cs->version;
	cs->have_prev = cs->have_cur;
	randombytes_buf(cs->cur, sizeof(cs->cur));
	cs->version++;
	cs->have_cur = true;
	cs->rotated_ms = now;
}

/* Rotate lazily, on use; after two idle periods the old secret is too old as well. */
static void refresh(struct v2_cookie_state *cs, uint64_t now)
{
	if (!cs->have_cur) {
		rotate(cs, now);
		return;
	}
	if (now - cs->rotated_ms < V2_COOKIE_ROTATE_MS)
		return;
	if (now - cs->rotated_ms >= 2 * (uint64_t)V2_COOKIE_ROTATE_MS)
		cs->have_cur = false; /* so prev does not outlive its period either */
	rotate(cs, now);
}

void v2_cookie_rotate(struct v2_engine *e)
{
	rotate(&e->cookie, v2_now_ms());
}

void v2_cookie_wipe(struct v2_engine *e)
{
	sodium_memzero(&e->cookie, sizeof(e->cookie));
}

static int compute(const uint8_t secret[32], uint8_t version, const struct v2_bytes *ni,
		   const struct sockaddr_storage *peer, const uint8_t spi_i[8],
		   uint8_t out[V2_COOKIE_LEN])
{
	struct prf_ctx c;
	int rc = prf_init(&c, PRF_HMAC_SHA2_256, secret, 32);

	if (rc)
		return rc;
	prf_update(&c, ni->p, ni->len);
	prf_update(&c, kernel_addr_bytes(peer), kernel_addr_len(peer));
	prf_update(&c, spi_i, 8);
	out[0] = version;
	prf_final(&c, out + 1);
	return 0;
}

bool v2_cookie_needed(const struct v2_engine *e)
{
	return e->p.cookie_threshold != V2_COOKIE_NEVER &&
	       e->n_half_open >= e->p.cookie_threshold;
}

/* The request's Ni (the rules made sure there is one). */
static bool request_nonce(const struct v2_msg *m, struct v2_bytes *ni)
{
	const struct v2_payload *p = v2_msg_find(m, V2_PT_NONCE);

	return p && v2_parse_nonce(p->body, ni) == 0;
}

/* 2.6: the COOKIE must be the first payload; true with *got set when it is. */
static bool first_cookie(const struct v2_msg *m, struct v2_bytes *got)
{
	struct v2_notify n;

	if (m->n == 0 || m->pl[0].type != V2_PT_N || v2_parse_notify(m->pl[0].body, &n) ||
	    n.type != V2_N_COOKIE)
		return false;
	*got = n.data;
	return true;
}

static bool cookie_valid(struct v2_engine *e, const struct v2_bytes *got,
			 const struct v2_bytes *ni, const struct sockaddr_storage *peer,
			 const uint8_t spi_i[8])
{
	struct v2_cookie_state *cs = &e->cookie;
	uint8_t want[V2_COOKIE_LEN];
	const uint8_t *secret = NULL;
	bool ok;

	if (got->len != V2_COOKIE_LEN)
		return false;
	if (cs->have_cur && got->p[0] == cs->version)
		secret = cs->cur;
	else if (cs->have_prev && got->p[0] == cs->prev_version)
		secret = cs->prev;
	if (!secret || compute(secret, got->p[0], ni, peer, spi_i, want))
		return false;
	ok = sodium_memcmp(want, got->p, V2_COOKIE_LEN) == 0;
	sodium_memzero(want, sizeof(want));
	return ok;
}

/* HDR(SPIi, 0), N(COOKIE): the stateless answer. */
static int send_cookie(struct v2_engine *e, const struct v2_msg *m, const struct v2_datagram *dg,
		       const struct v2_bytes *ni)
{
	uint8_t cookie[V2_COOKIE_LEN], buf[128];
	struct v2_header h;
	struct v2_msg_out out;
	struct v2_datagram reply = *dg;
	size_t len;
	int rc;

	rc = compute(e->cookie.cur, e->cookie.version, ni, &dg->peer, m->hdr.spi_i, cookie);
	memset(&h, 0, sizeof(h));
	memcpy(h.spi_i, m->hdr.spi_i, 8);
	h.version = V2_VERSION;
	h.exchange = V2_EXCH_IKE_SA_INIT;
	h.flags = V2_FLAG_RESPONSE;
	h.message_id = m->hdr.message_id;
	if (rc == 0)
		rc = v2_msg_out_init(&out, buf, sizeof(buf), &h);
	if (rc == 0)
		rc = v2_put_notify(&out.chain, V2_PROTO_NONE, NULL, 0, V2_N_COOKIE, cookie,
				   sizeof(cookie));
	if (rc == 0)
		rc = v2_msg_out_finish(&out, &len);
	if (rc)
		return rc;
	reply.data = buf;
	reply.len = len;
	e->stats.cookies_sent++;
	return e->p.hooks.send ? e->p.hooks.send(e->p.hooks.arg, &reply) : 0;
}

bool v2_cookie_gate(struct v2_engine *e, const struct v2_msg *m, const struct v2_datagram *dg)
{
	struct v2_bytes ni, got;
	char buf[64];

	if (!v2_cookie_needed(e))
		return false;
	refresh(&e->cookie, v2_now_ms());
	if (!request_nonce(m, &ni))
		return true; /* the rules demand Ni: dropped, no state */
	if (first_cookie(m, &got)) {
		if (cookie_valid(e, &got, &ni, &dg->peer, m->hdr.spi_i))
			return false;
		e->stats.cookies_bad++;
		log_unauth(&log_global, LOG_LEVEL_INFO,
			   "IKEv2 IKE_SA_INIT from %s: wrong or stale COOKIE; asking again",
			   kernel_addr_str(&dg->peer, buf, sizeof(buf)));
	} else {
		log_unauth(&log_global, LOG_LEVEL_DEBUG,
			   "IKEv2 IKE_SA_INIT from %s: %zu half-open SAs, asking for a COOKIE",
			   kernel_addr_str(&dg->peer, buf, sizeof(buf)), e->n_half_open);
	}
	send_cookie(e, m, dg, &ni);
	return true;
}

/*
 * 2.15: "If the first message of the exchange is sent multiple times
 * (such as with a responder cookie ...), it is the latest version of the
 * message that is signed." Under load a retransmitted request without a
 * cookie can find the load just below the threshold and make this
 * half-open SA while the initiator, having taken our COOKIE for the first
 * copy, sends the request again with it and then takes our answer: it
 * signs the request with the cookie. So a request of the same SA that
 * carries a valid COOKIE first and the same Ni replaces the bytes AUTH is
 * checked against (the answer stays the cached one, 2.1). The valid cookie
 * (over Ni, IPi, SPIi) keeps an off-path sender from doing it.
 */
void v2_cookie_note_retry(struct v2_ike_sa *sa, const struct v2_msg *m,
			  const struct v2_datagram *dg)
{
	struct v2_bytes ni, got;
	uint8_t *copy;

	if (sa->initiator || !sa->half_open || !sa->init_i || m->hdr.message_id != 0)
		return;
	if (m->raw.len == sa->init_i_len && memcmp(m->raw.p, sa->init_i, m->raw.len) == 0)
		return; /* a plain retransmission */
	if (!first_cookie(m, &got) || !request_nonce(m, &ni) || ni.len != sa->ni_len ||
	    memcmp(ni.p, sa->ni, ni.len) != 0 ||
	    !cookie_valid(sa->eng, &got, &ni, &dg->peer, m->hdr.spi_i))
		return;
	copy = malloc(m->raw.len ? m->raw.len : 1);
	if (!copy)
		return;
	memcpy(copy, m->raw.p, m->raw.len);
	free(sa->init_i);
	sa->init_i = copy;
	sa->init_i_len = m->raw.len;
	log_debug(&sa->sad.logger, "IKE_SA_INIT again with our COOKIE: AUTH is checked against it (2.15)");
}
