/*
 * v1_states.c - the engine's transition machinery: finding the row for a
 * message, running its handler, and the one completion (STYLE.md "handler
 * verdict"): send or cache the reply, commit the IV chain, switch the
 * state, arm or stop the retransmission timer, or tear down a half-made SA.
 * The rows themselves sit at the bottom of v1_main.c, v1_aggr.c and
 * v1_quick.c.
 */
#include <string.h>

#include "common/err.h"
#include "common/log.h"
#include "v1/v1_names.h"
#include "v1/v1_sa.h"

const char *v1_state_name(enum v1_state s)
{
	switch (s) {
	case V1S_NONE: return "NONE";
	case V1S_MM_I1: return "MM_I1";
	case V1S_MM_I2: return "MM_I2";
	case V1S_MM_I3: return "MM_I3";
	case V1S_MM_R1: return "MM_R1";
	case V1S_MM_R2: return "MM_R2";
	case V1S_AM_I1: return "AM_I1";
	case V1S_AM_R1: return "AM_R1";
	case V1S_ESTABLISHED: return "ESTABLISHED";
	case V1S_QM_I1: return "QM_I1";
	case V1S_QM_R1: return "QM_R1";
	case V1S_QM_DONE: return "INSTALLED";
	case V1S_DEAD: return "DEAD";
	}
	return "?";
}

static const struct v1_row *const tables[] = { v1_main_rows, v1_aggr_rows, v1_quick_rows };

const struct v1_row *v1_row_find(enum v1_state from, bool initiator, uint8_t exch, int kind)
{
	for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]); t++)
		for (const struct v1_row *r = tables[t]; r->what; r++)
			if (r->from == from && r->initiator == initiator && r->exch == exch &&
			    (kind == -2 ? r->kind >= 0 : r->kind == kind))
				return r;
	return NULL;
}

void v1_reply_start(struct v1_step *st, struct v1_builder *b, struct wr *w, uint8_t exch,
		    uint32_t msg_id)
{
	struct v1_hdr h;

	v1_sa_hdr(st->sa, &h, exch, msg_id);
	wr_init(w, st->eng->scratch, sizeof(st->eng->scratch));
	v1_build_start(b, w, &h);
}

int v1_reply_finish(struct v1_step *st, struct v1_builder *b, bool encrypt)
{
	size_t len;
	int rc = v1_build_finish(b, &len);

	if (rc < 0)
		return rc;
	st->reply = st->eng->scratch;
	st->reply_len = len;
	st->reply_encrypt = encrypt;
	return 0;
}

void v1_run(struct v1_step *st, const struct v1_row *row, bool resume)
{
	enum v1_verdict v = resume ? row->resume(st) : row->fn(st);

	v1_complete(st, row, v);
}

static void commit_in(struct v1_step *st)
{
	struct v1_xmit *x = st->qm ? &st->qm->x : &st->sa->x;

	if (st->has_iv_next) {
		if (st->qm)
			st->qm->iv = st->iv_next;
		else
			st->sa->iv = st->iv_next;
		st->has_iv_next = false;
	}
	if (st->dg)
		v1_xmit_note_in(x, st->dg->data, st->dg->len);
}

static void send_reply(struct v1_step *st, const struct v1_row *row)
{
	struct v1_isakmp_sa *sa = st->sa;
	struct v1_xmit *x = st->qm ? &st->qm->x : &sa->x;
	size_t len = st->reply_len;

	if (st->reply_encrypt) {
		struct v1_iv *iv = st->qm ? &st->qm->iv : &sa->iv, next;

		if (v1_crypt_seal(&sa->crypt, iv, st->reply, len, V1_MSG_CAP, &len, &next) < 0) {
			log_error(&sa->sad.logger, "%s: encryption failed", row->what);
			return;
		}
		*iv = next;
	}
	v1_sa_send(sa, st->reply, len);
	v1_xmit_sent(st->eng, x, st->reply, len, sa->floated, row->expect_reply,
		     st->qm ? v1_xmit_fire_ipsec : v1_xmit_fire_isakmp,
		     st->qm ? (void *)st->qm : (void *)sa);
}

static void fail(struct v1_step *st, const struct v1_row *row, enum v1_verdict v)
{
	struct v1_engine *e = st->eng;

	if (st->qm && !st->qm->initiator)
		; /* the peer's Quick Mode: not what we initiated */
	else if (v == V1V_REPLY_NOTIFY)
		v1_outcome_failed(st->sa, "%s refused, answered with %s", row->what,
				  v1_notify_name(st->notify));
	else
		v1_outcome_failed(st->sa, "%s refused", row->what);
	if (st->qm) {
		e->counters.qm_failed++;
		v1_ipsec_sa_free(st->qm);
		return;
	}
	e->counters.p1_failed++;
	if (e->env.sas_failed)
		(*e->env.sas_failed)++;
	v1_isakmp_sa_free(st->sa);
}

void v1_complete(struct v1_step *st, const struct v1_row *row, enum v1_verdict v)
{
	struct v1_isakmp_sa *sa = st->sa;
	struct v1_ipsec_sa *qm = st->qm;

	switch (v) {
	case V1V_SUSPEND:
		commit_in(st);
		if (qm)
			qm->pending = row;
		else
			sa->pending = row;
		return;
	case V1V_OK:
		commit_in(st);
		if (qm)
			qm->pending = NULL;
		else
			sa->pending = NULL;
		if (st->reply_len)
			send_reply(st, row);
		else
			v1_xmit_stop(qm ? &qm->x : &sa->x);
		log_debug(&sa->sad.logger, "%s: %s -> %s", row->what,
			  v1_state_name(qm ? qm->state : sa->state), v1_state_name(row->to));
		if (st->dg && sa->state != V1S_NONE)
			sa->heard = true; /* RFC 3706 5.1: a peer that just spoke is alive */
		if (qm) {
			qm->state = row->to;
			if (row->to == V1S_QM_DONE) {
				st->eng->counters.qm_done++;
				v1_outcome_qm_done(qm);
				v1_life_ipsec_done(qm);
			}
		} else {
			sa->state = row->to;
			if (row->to == V1S_ESTABLISHED)
				v1_p1_established(sa);
		}
		return;
	case V1V_IGNORE:
		st->eng->counters.dropped++;
		if (qm && qm->state == V1S_NONE && !qm->pending)
			v1_ipsec_sa_free(qm);
		return;
	case V1V_REPLY_NOTIFY:
		if (sa->state == V1S_ESTABLISHED)
			v1_info_send_notify(sa, st->notify, qm ? V1_PROTO_IPSEC_ESP : V1_PROTO_ISAKMP,
					    NULL, 0);
		else if (st->dg) {
			struct v1_hdr h;

			v1_sa_hdr(sa, &h, V1_EXCH_INFORMATIONAL, 0);
			v1_info_notify_clear(st->eng, st->dg, &h, st->notify);
		}
		fail(st, row, v);
		return;
	case V1V_FAIL_DELETE:
		fail(st, row, v);
		return;
	}
}

void v1_resume_ke(struct v1_isakmp_sa *sa, struct v1_ipsec_sa *qm, struct job_ke_result *r)
{
	const struct v1_row *row = qm ? qm->pending : sa->pending;
	struct v1_step st = { .eng = sa->eng, .sa = sa, .qm = qm, .ke = r };

	if (!row || !row->resume) {
		log_error(&sa->sad.logger, "a KE job finished with no step waiting");
		return;
	}
	v1_run(&st, row, true);
}
