/*
 * v1_rekey.c - lifetimes of ISAKMP and IPsec SAs and what happens when
 * they run out (RFC 2407 4.5, 4.6.3.1; RFC 2409 5.5, 4).
 *
 * The lifetime is the negotiated one (the peer's offer lowered to ours,
 * lowered again by a RESPONDER-LIFETIME notify when we initiated the
 * Quick Mode). The side that started an exchange renews what it made,
 * rekey_margin (minus up to a quarter of it at random, so two SAs made
 * together do not renew together) before the end:
 *   - an IPsec SA pair: a new Quick Mode for the same selectors, with a
 *     fresh KE when the connection has PFS; once it is installed the old
 *     pair is deleted with a Delete payload (v1_life_ipsec_done);
 *   - an ISAKMP SA: a new Main (or Aggressive) Mode without Quick Mode
 *     (re-authentication); once it is up it takes over the IPsec SAs of
 *     the old one, which is then deleted: IPsec SAs do not depend on the
 *     ISAKMP SA that made them (RFC 2409 4), so none is torn down.
 * The responder only expires. At the end of its life an SA that was not
 * renewed is deleted (with a Delete payload when the ISAKMP SA can carry
 * one).
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "common/err.h"
#include "common/log.h"
#include "v1/v1_sa.h"

/* When to renew: life - margin - jitter; 0 when the life is too short to renew. */
static uint32_t renew_after(uint64_t life, uint32_t margin)
{
	uint32_t jitter;

	if (!margin || life <= margin)
		return 0;
	jitter = randombytes_uniform(margin / 4 + 1);
	if (life - margin <= jitter)
		return (uint32_t)(life - margin);
	return (uint32_t)(life - margin - jitter);
}

static uint32_t clamp(uint64_t v)
{
	return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

/* ---- IPsec SA pairs ---- */

static void ipsec_expire(struct v1_ipsec_sa *qm)
{
	struct v1_isakmp_sa *sa = qm->isakmp;

	sa->eng->counters.expired++;
	log_info(&sa->sad.logger, "IPsec SA pair %08x/%08x expired%s", qm->spi_in, qm->spi_out,
		 qm->rekeying ? " (its replacement did not finish)" : "");
	if (sa->state == V1S_ESTABLISHED)
		v1_info_send_delete_ipsec(qm);
	v1_ipsec_sa_free(qm);
}

void v1_life_ipsec_start(struct v1_ipsec_sa *qm)
{
	uint64_t life = qm->choice.life_seconds ? qm->choice.life_seconds : V1_IPSEC_DEFAULT_LIFE;
	uint32_t at = qm->initiator ? renew_after(life, qm->isakmp->conn->rekey_margin_s) : 0;

	qm->life_next = at ? V1_LIFE_REKEY : V1_LIFE_EXPIRE;
	v1_timer_arm(qm->isakmp->eng, &qm->life, at ? at : clamp(life), v1_life_ipsec_fire, qm);
}

/* A Quick Mode finished: arm its lifetime, and retire the pair it replaces. */
void v1_life_ipsec_done(struct v1_ipsec_sa *qm)
{
	struct v1_isakmp_sa *sa = qm->isakmp;
	struct v1_ipsec_sa *old;

	v1_life_ipsec_start(qm);
	if (!qm->rekey_of)
		return;
	for (old = sa->qms; old; old = old->next)
		if (old != qm && old->installed && old->spi_in == qm->rekey_of)
			break;
	qm->rekey_of = 0;
	if (!old)
		return;
	sa->eng->counters.rekeys++;
	log_info(&sa->sad.logger, "IPsec SA pair %08x/%08x rekeyed as %08x/%08x%s; deleting the old pair",
		 old->spi_in, old->spi_out, qm->spi_in, qm->spi_out, qm->pfs ? " (PFS)" : "");
	v1_info_send_delete_ipsec(old);
	v1_ipsec_sa_free(old);
}

void v1_life_ipsec_fire(int fd, short what, void *arg)
{
	struct v1_ipsec_sa *qm = arg;
	struct v1_isakmp_sa *sa = qm->isakmp;
	uint64_t life = qm->choice.life_seconds ? qm->choice.life_seconds : V1_IPSEC_DEFAULT_LIFE;

	(void)fd;
	(void)what;
	qm->life.armed = false;
	if (qm->life_next != V1_LIFE_REKEY) {
		ipsec_expire(qm);
		return;
	}
	/* the rest of the life: the expiry if the replacement does not come */
	qm->life_next = V1_LIFE_EXPIRE;
	v1_timer_arm(sa->eng, &qm->life, clamp(life > qm->life.secs ? life - qm->life.secs : 1),
		     v1_life_ipsec_fire, qm);
	if (sa->state != V1S_ESTABLISHED) {
		log_info(&sa->sad.logger, "IPsec SA pair %08x/%08x due for rekey, but the ISAKMP SA is "
			 "not established; it will expire", qm->spi_in, qm->spi_out);
		return;
	}
	log_info(&sa->sad.logger, "IPsec SA pair %08x/%08x: rekeying (%s)", qm->spi_in, qm->spi_out,
		 sa->conn->pfs ? "new Quick Mode with PFS" : "new Quick Mode");
	qm->rekeying = true;
	v1_quick_rekey(qm);
}

/* ---- ISAKMP SAs ---- */

void v1_life_isakmp_start(struct v1_isakmp_sa *sa)
{
	uint64_t life = sa->choice.life_seconds ? sa->choice.life_seconds : sa->conn->ike_life_s;
	uint32_t at = sa->initiator ? renew_after(life, sa->conn->rekey_margin_s) : 0;

	if (!life)
		return;
	sa->life_next = at ? V1_LIFE_REKEY : V1_LIFE_EXPIRE;
	v1_timer_arm(sa->eng, &sa->life, at ? at : clamp(life), v1_life_isakmp_fire, sa);
}

static void isakmp_expire(struct v1_isakmp_sa *sa)
{
	unsigned kept;

	sa->eng->counters.expired++;
	log_info(&sa->sad.logger, "ISAKMP SA expired; deleting it");
	if (sa->state == V1S_ESTABLISHED)
		v1_info_send_delete_isakmp(sa);
	kept = v1_isakmp_sa_adopt(sa);
	if (!kept && sa->state == V1S_ESTABLISHED)
		for (struct v1_ipsec_sa *qm = sa->qms; qm; qm = qm->next)
			if (qm->installed)
				v1_info_send_delete_ipsec(qm);
	v1_isakmp_sa_free(sa);
}

void v1_life_isakmp_fire(int fd, short what, void *arg)
{
	struct v1_isakmp_sa *sa = arg;
	uint64_t life = sa->choice.life_seconds ? sa->choice.life_seconds : sa->conn->ike_life_s;
	struct v1_isakmp_sa *fresh = NULL;
	int rc;

	(void)fd;
	(void)what;
	sa->life.armed = false;
	if (sa->life_next != V1_LIFE_REKEY) {
		isakmp_expire(sa);
		return;
	}
	sa->life_next = V1_LIFE_EXPIRE;
	v1_timer_arm(sa->eng, &sa->life, clamp(life > sa->life.secs ? life - sa->life.secs : 1),
		     v1_life_isakmp_fire, sa);
	log_info(&sa->sad.logger, "ISAKMP SA due for re-authentication: a new %s",
		 sa->aggressive ? "Aggressive Mode" : "Main Mode");
	rc = v1_initiate_conn(sa->eng, sa->conn, false, sa->sad.serial, &fresh);
	if (rc < 0)
		log_warn(&sa->sad.logger, "re-authentication could not start: %s", err_str(rc));
}

static struct v1_isakmp_sa *ike_by_serial(struct v1_engine *e, uint64_t serial)
{
	struct sad_entry *s = sad_find_serial(e->env.sad, serial);

	if (!s || s->version != 1 || s->kind != SAD_KIND_IKE)
		return NULL;
	return SAD_CONTAINER(s, struct v1_isakmp_sa, sad);
}

static void move_children(struct v1_isakmp_sa *from, struct v1_isakmp_sa *to)
{
	struct v1_ipsec_sa **p = &from->qms;

	while (*p) {
		struct v1_ipsec_sa *qm = *p;

		if (!qm->installed) {
			p = &qm->next;
			continue;
		}
		*p = qm->next;
		qm->next = to->qms;
		to->qms = qm;
		qm->isakmp = to;
		qm->sad.ike_serial = to->sad.serial;
		/* the timer's argument is the qm itself: it stays valid */
	}
}

unsigned v1_isakmp_sa_adopt(struct v1_isakmp_sa *old)
{
	struct v1_isakmp_sa *heir = NULL;
	unsigned n = 0;

	for (struct sad_entry *s = sad_first(old->eng->env.sad); s; s = sad_next(s)) {
		if (s->version != 1 || s->kind != SAD_KIND_IKE)
			continue;
		struct v1_isakmp_sa *o = SAD_CONTAINER(s, struct v1_isakmp_sa, sad);

		if (o != old && o->state == V1S_ESTABLISHED && o->conn == old->conn &&
		    kernel_addr_equal(&o->peer, &old->peer) &&
		    (!heir || o->sad.serial > heir->sad.serial))
			heir = o;
	}
	if (!heir)
		return 0;
	for (struct v1_ipsec_sa *qm = old->qms; qm; qm = qm->next)
		n += qm->installed;
	if (n)
		log_info(&old->sad.logger, "%u IPsec SA pair(s) move to ISAKMP SA #%llu", n,
			 (unsigned long long)heir->sad.serial);
	move_children(old, heir);
	return n;
}

void v1_reauth_done(struct v1_isakmp_sa *sa)
{
	struct v1_isakmp_sa *old = sa->replaces ? ike_by_serial(sa->eng, sa->replaces) : NULL;

	sa->replaces = 0;
	if (!old)
		return;
	sa->eng->counters.reauths++;
	log_info(&sa->sad.logger, "re-authenticated ISAKMP SA #%llu; deleting the old one",
		 (unsigned long long)old->sad.serial);
	move_children(old, sa);
	v1_info_send_delete_isakmp(old);
	v1_isakmp_sa_free(old);
}

struct rekey_pick {
	struct v1_ipsec_sa *qm;
};

static bool pick_pair(struct sad_entry *s, void *arg)
{
	struct rekey_pick *p = arg;
	struct v1_isakmp_sa *sa;

	if (s->version != 1 || s->kind != SAD_KIND_IKE)
		return true;
	sa = SAD_CONTAINER(s, struct v1_isakmp_sa, sad);
	if (sa->state != V1S_ESTABLISHED)
		return true;
	for (struct v1_ipsec_sa *qm = sa->qms; qm; qm = qm->next)
		if (qm->installed && !qm->rekeying) {
			p->qm = qm;
			return false;
		}
	return true;
}

/* On demand (the load generator's rekey phase): as the lifetime timer would. */
int v1_engine_rekey_ipsec(struct v1_engine *e, const char *conn)
{
	struct rekey_pick p = { NULL };
	int rc;

	sad_foreach_conn(e->env.sad, conn, pick_pair, &p);
	if (!p.qm)
		return ERR_NOTFOUND;
	p.qm->rekeying = true;
	rc = v1_quick_rekey(p.qm);
	if (rc < 0)
		p.qm->rekeying = false;
	return rc;
}
