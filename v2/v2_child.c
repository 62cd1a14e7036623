/*
 * v2_child.c - the child SA made in IKE_AUTH (RFC 7296 1.2, 2.9, 2.17):
 * ESP proposal, traffic selectors (the responder narrows, 2.9), KEYMAT
 * (2.17: every key for initiator-to-responder traffic first, and per
 * direction the encryption key before the integrity key), and the
 * kernel: inbound and outbound SA, policies out, in and fwd.
 */
#include <stdlib.h>
#include <string.h>

#include <netinet/in.h>

#include "common/err.h"
#include "common/integ.h"
#include "common/keylog.h"
#include "common/log.h"
#include "v2/v2_ike_sa.h"
#include "v2/v2_names.h"

static void ts_from_v2(const struct v2_ts *in, struct ts *out)
{
	memset(out, 0, sizeof(*out));
	out->type = in->type;
	out->proto = in->ip_proto;
	out->port_lo = in->start_port;
	out->port_hi = in->end_port;
	memcpy(out->start, in->start, in->addr_len);
	memcpy(out->end, in->end, in->addr_len);
}

static void ts_to_v2(const struct ts *in, struct v2_ts *out)
{
	memset(out, 0, sizeof(*out));
	out->type = in->type;
	out->ip_proto = in->proto;
	out->start_port = in->port_lo;
	out->end_port = in->port_hi;
	out->addr_len = (uint8_t)ts_addr_len(in);
	memcpy(out->start, in->start, out->addr_len);
	memcpy(out->end, in->end, out->addr_len);
}

static size_t list_from_v2(const struct v2_ts_list *l, struct ts *out, size_t cap)
{
	size_t n = 0;

	for (size_t i = 0; i < l->n && n < cap; i++)
		if (l->ts[i].type == V2_TS_IPV4_ADDR_RANGE || l->ts[i].type == V2_TS_IPV6_ADDR_RANGE)
			ts_from_v2(&l->ts[i], &out[n++]);
	return n;
}

static void list_to_v2(const struct ts *in, size_t n, struct v2_ts_list *l)
{
	l->n = 0;
	for (size_t i = 0; i < n && l->n < V2_TS_MAX; i++)
		ts_to_v2(&in[i], &l->ts[l->n++]);
}

/* The configured selectors of one side; none: that side's IKE address alone. */
static size_t conn_ts(const struct v2_ike_sa *sa, bool local, struct ts *out)
{
	const struct v2_conn *c = sa->conn;
	const struct ts *cfg = local ? c->local_ts : c->remote_ts;
	size_t n = local ? c->n_local_ts : c->n_remote_ts;
	const struct sockaddr_storage *a = local ? &sa->local : &sa->peer;

	if (n) {
		memcpy(out, cfg, n * sizeof(*cfg));
		return n;
	}
	if (a->ss_family == AF_INET)
		ts_from_prefix(out, TS_IPV4_ADDR_RANGE, kernel_addr_bytes(a), 32);
	else
		ts_from_prefix(out, TS_IPV6_ADDR_RANGE, kernel_addr_bytes(a), 128);
	return 1;
}

int v2_child_offer_make(struct v2_ike_sa *sa, struct v2_child_offer *o)
{
	struct ts ts[V2_CONN_MAX_TS];
	uint32_t spi;
	uint8_t spi_be[4];
	int rc;

	rc = kernel_alloc_spi(sa->eng->p.kernel, &sa->peer, &sa->local, KERNEL_PROTO_ESP, &spi);
	if (rc)
		return rc;
	spi_be[0] = (uint8_t)(spi >> 24);
	spi_be[1] = (uint8_t)(spi >> 16);
	spi_be[2] = (uint8_t)(spi >> 8);
	spi_be[3] = (uint8_t)spi;
	rc = v2_proposal_offer(sa->conn->esp, sa->conn->n_esp, spi_be, 4, &o->sa);
	if (rc)
		return rc;
	list_to_v2(ts, conn_ts(sa, true, ts), &o->tsi);
	list_to_v2(ts, conn_ts(sa, false, ts), &o->tsr);
	o->transport = sa->conn->transport;
	sa->child_spi_offered = spi;
	return 0;
}

struct child_keys {
	const uint8_t *e_ir, *a_ir, *e_ri, *a_ri;
	size_t e_len, a_len;
};

static void fill_sa(struct kernel_sa *k, const struct v2_ike_sa *sa, const struct v2_child_sa *c,
		    bool inbound, const uint8_t *ek, const uint8_t *ak, size_t e_len, size_t a_len)
{
	memset(k, 0, sizeof(*k));
	k->proto = KERNEL_PROTO_ESP;
	k->spi = inbound ? c->sad.spi_in : c->sad.spi_out;
	k->src = inbound ? sa->peer : sa->local;
	k->dst = inbound ? sa->local : sa->peer;
	k->mode = c->mode;
	k->reqid = c->reqid;
	k->encr_id = c->encr->v2_id;
	k->encr_key = ek;
	k->encr_key_len = e_len;
	k->integ_id = c->integ ? c->integ->v2_id : KERNEL_INTEG_NONE;
	k->integ_key = c->integ ? ak : NULL;
	k->integ_key_len = c->integ ? a_len : 0;
	k->encap = c->encap;
	if (c->encap) {
		k->encap_sport = kernel_addr_port(inbound ? &sa->peer : &sa->local);
		k->encap_dport = kernel_addr_port(inbound ? &sa->local : &sa->peer);
	}
	k->replay_window = 32;
	k->esn = c->esn && c->esn->v2_id == 1;
	k->lifetime.hard_seconds = sa->conn->child_lifetime_s;
}

void v2_child_addrs(const struct v2_child_sa *c, struct sockaddr_storage *local,
		    struct sockaddr_storage *peer)
{
	memset(local, 0, sizeof(*local));
	if (c->local.sa.sa_family == AF_INET)
		memcpy(local, &c->local.v4, sizeof(c->local.v4));
	else if (c->local.sa.sa_family == AF_INET6)
		memcpy(local, &c->local.v6, sizeof(c->local.v6));
	sad_entry_peer(&c->sad, peer);
}

int v2_child_selectors(const struct v2_child_sa *c, struct kernel_selector *out,
		       struct kernel_selector *in)
{
	int rc = ts_to_kernel_selector(&c->ts_local, &c->ts_remote, out);

	return rc ? rc : ts_to_kernel_selector(&c->ts_remote, &c->ts_local, in);
}

static int install_policies(struct v2_ike_sa *sa, struct v2_child_sa *c)
{
	struct kernel_policy pol;
	struct kernel_selector sel_in;
	int rc;

	memset(&pol, 0, sizeof(pol));
	pol.proto = KERNEL_PROTO_ESP;
	pol.mode = c->mode;
	pol.reqid = c->reqid;
	rc = v2_child_selectors(c, &pol.sel, &sel_in);
	if (rc)
		return rc;
	pol.dir = KERNEL_DIR_OUT;
	pol.tmpl_src = sa->local;
	pol.tmpl_dst = sa->peer;
	rc = kernel_add_policy(sa->eng->p.kernel, &pol);
	pol.sel = sel_in;
	pol.tmpl_src = sa->peer;
	pol.tmpl_dst = sa->local;
	pol.dir = KERNEL_DIR_IN;
	if (rc == 0)
		rc = kernel_add_policy(sa->eng->p.kernel, &pol);
	pol.dir = KERNEL_DIR_FWD;
	if (rc == 0 && c->mode == KERNEL_MODE_TUNNEL)
		rc = kernel_add_policy(sa->eng->p.kernel, &pol);
	return rc;
}

static struct v2_child_sa *twin_of(struct v2_ike_sa *sa, const struct v2_child_sa *c)
{
	struct kernel_selector c_out, c_in, o_out, o_in;

	if (v2_child_selectors(c, &c_out, &c_in))
		return NULL;
	for (struct v2_child_sa *o = sa->children; o; o = o->next)
		if (o != c && o->installed && v2_child_selectors(o, &o_out, &o_in) == 0 &&
		    kernel_selector_equal(&o_out, &c_out) && kernel_selector_equal(&o_in, &c_in))
			return o;
	return NULL;
}

/* KEYMAT, kernel SAs and policies; on success the child is in sa->children. */
int v2_child_install(struct v2_ike_sa *sa, const struct v2_child_args *a,
		     struct v2_child_sa **made)
{
	struct v2_engine *e = sa->eng;
	const struct v2_chosen *ch = a->ch;
	struct v2_child_sa *c = calloc(1, sizeof(*c));
	size_t e_len = ch->encr->key_bits / 8u + ch->encr->salt_size;
	size_t a_len = ch->integ ? integ_key_len((enum integ_alg)ch->integ->v2_id) : 0;
	struct secret *km = NULL;
	struct kernel_sa in, out;
	const uint8_t *ir, *ri;
	uint32_t spi_in = a->spi_in, spi_out = a->spi_out;
	struct v2_child_sa *twin;
	int rc;

	if (!c)
		return ERR_NOMEM;
	c->encr = ch->encr;
	c->integ = ch->integ;
	c->esn = ch->esn;
	c->mode = a->transport ? KERNEL_MODE_TRANSPORT : KERNEL_MODE_TUNNEL;
	c->encap = sa->nat_local || sa->nat_peer;
	if (sa->local.ss_family == AF_INET)
		memcpy(&c->local.v4, &sa->local, sizeof(c->local.v4));
	else if (sa->local.ss_family == AF_INET6)
		memcpy(&c->local.v6, &sa->local, sizeof(c->local.v6));
	c->ts_local = *a->ts_local;
	c->ts_remote = *a->ts_remote;
	sad_entry_init(e->p.sad, &c->sad, 2, SAD_KIND_CHILD, sa->conn->name, &sa->peer);
	/* a rekeyed child keeps its reqid, so the policies stay as they are (2.8) */
	c->reqid = a->replaces ? a->replaces->reqid : (uint32_t)c->sad.serial;
	{
		struct kernel_selector sel_out, sel_in;

		rc = v2_child_selectors(c, &sel_out, &sel_in); /* can the kernel take them? */
	}
	if (rc) {
		log_warn(&sa->sad.logger, "child SA selectors cannot be given to the kernel: %s",
			 err_str(rc));
		goto out;
	}
	rc = v2_child_keymat((enum prf_alg)sa->ike.prf->v2_id, sa->keys.sk_d, a->gir, a->gir_len,
			     a->ni, a->ni_len, a->nr, a->nr_len, 2 * (e_len + a_len), &km);
	if (rc)
		goto out;
	ir = km->bytes;              /* initiator to responder: encr | integ */
	ri = km->bytes + e_len + a_len;
	c->sad.spi_in = spi_in;
	c->sad.spi_out = spi_out;
	/* our inbound traffic is the peer's outbound; "initiator" is this exchange's (2.17) */
	fill_sa(&in, sa, c, true, a->we_initiated ? ri : ir, (a->we_initiated ? ri : ir) + e_len,
		e_len, a_len);
	fill_sa(&out, sa, c, false, a->we_initiated ? ir : ri, (a->we_initiated ? ir : ri) + e_len,
		e_len, a_len);
	rc = kernel_update_sa(e->p.kernel, &in);
	if (rc == 0)
		rc = kernel_add_sa(e->p.kernel, &out);
	/* a child with the selectors of one we hold shares its policies (the kernel keeps one) */
	twin = a->replaces ? a->replaces : twin_of(sa, c);
	if (rc == 0 && !twin)
		rc = install_policies(sa, c);
	if (rc == 0) {
		keylog_esp(e->p.keylog, &in);
		keylog_esp(e->p.keylog, &out);
		if (e->p.hooks.child_installed)
			e->p.hooks.child_installed(e->p.hooks.arg, &in, &out);
	}
	secret_wipe(&in, sizeof(in));
	secret_wipe(&out, sizeof(out));
	if (rc) {
		log_warn(&sa->sad.logger, "kernel refused the child SA: %s", err_str(rc));
		goto out;
	}
	rc = sad_add_child(e->p.sad, &c->sad, KERNEL_PROTO_ESP, spi_in, spi_out, sa->sad.serial);
	if (rc)
		goto out;
	c->installed = true;
	if (a->replaces) {
		/* the policies now belong to the new child */
		c->owns_policies = a->replaces->owns_policies;
		a->replaces->owns_policies = false;
	} else {
		c->owns_policies = !twin;
	}
	c->next = sa->children;
	sa->children = c;
	v2_child_schedule_rekey(sa, c);
	e->stats.children_installed++;
	log_info(&sa->sad.logger, "child SA installed: ESP %08x in, %08x out, %s%s%s, %s%s%s",
		 spi_in, spi_out, c->encr->iana_v2, c->integ ? "/" : "",
		 c->integ ? c->integ->iana_v2 : "", kernel_mode_str(c->mode),
		 c->encap ? ", UDP-encapsulated" : "", a->gir ? ", PFS" : "");
	if (made)
		*made = c;
	c = NULL;
out:
	secret_free(km);
	if (c) {
		kernel_del_sa(e->p.kernel, &sa->local, spi_in, KERNEL_PROTO_ESP);
		kernel_del_sa(e->p.kernel, &sa->peer, spi_out, KERNEL_PROTO_ESP);
		free(c);
	}
	return rc;
}

static int install(struct v2_ike_sa *sa, const struct v2_chosen *ch, uint32_t spi_in,
		   uint32_t spi_out, const struct ts *ts_local, const struct ts *ts_remote,
		   bool transport)
{
	struct v2_child_args a = {
		.ch = ch, .spi_in = spi_in, .spi_out = spi_out, .ts_local = ts_local,
		.ts_remote = ts_remote, .transport = transport, .ni = sa->ni, .ni_len = sa->ni_len,
		.nr = sa->nr, .nr_len = sa->nr_len, .we_initiated = sa->initiator,
	};

	return v2_child_install(sa, &a, NULL);
}

uint32_t v2_child_spi_of(const struct v2_chosen *ch)
{
	return (uint32_t)ch->spi[0] << 24 | (uint32_t)ch->spi[1] << 16 | (uint32_t)ch->spi[2] << 8 |
	       ch->spi[3];
}

void v2_child_spi_be(uint32_t spi, uint8_t be[4])
{
	be[0] = (uint8_t)(spi >> 24);
	be[1] = (uint8_t)(spi >> 16);
	be[2] = (uint8_t)(spi >> 8);
	be[3] = (uint8_t)spi;
}

int v2_child_select(struct v2_ike_sa *sa, const struct v2_msg *m,
		    const struct v2_local_prop *props, size_t n_props, uint16_t ke_group,
		    struct v2_child_sel *sel, uint16_t *notify)
{
	struct v2_sa *peer = malloc(sizeof(*peer));
	struct v2_ts_list *tsi = malloc(sizeof(*tsi)), *tsr = malloc(sizeof(*tsr));
	struct ts pi[V2_TS_MAX], pr[V2_TS_MAX], cfg[V2_CONN_MAX_TS], ni[V2_TS_MAX], nr[V2_TS_MAX];
	size_t n_pi, n_pr, n_ni = 0, n_nr = 0;
	int rc = ERR_NOMEM;

	*notify = 0;
	memset(sel, 0, sizeof(*sel));
	if (!peer || !tsi || !tsr)
		goto out;
	rc = 0;
	if (v2_parse_sa(v2_msg_find(m, V2_PT_SA)->body, peer) ||
	    v2_parse_ts(v2_msg_find(m, V2_PT_TSI)->body, tsi) ||
	    v2_parse_ts(v2_msg_find(m, V2_PT_TSR)->body, tsr)) {
		*notify = V2_N_INVALID_SYNTAX;
		goto out;
	}
	sel->transport = v2_has_notify(m, V2_N_USE_TRANSPORT_MODE);
	if (v2_proposal_select(peer, V2_PROTO_ESP, props, n_props, ke_group, &sel->ch) ||
	    sel->ch.spi_size != 4) {
		char *text = malloc(4096);

		if (text) {
			v2_proposal_mismatch_text(peer, props, n_props, text, 4096);
			log_warn(&sa->sad.logger, "no ESP proposal of the peer is acceptable:\n%s", text);
			free(text);
		}
		*notify = V2_N_NO_PROPOSAL_CHOSEN;
		goto out;
	}
	/* 2.9: TSi is the initiator's (the remote) side, TSr ours */
	n_pi = list_from_v2(tsi, pi, V2_TS_MAX);
	n_pr = list_from_v2(tsr, pr, V2_TS_MAX);
	if (ts_narrow(pi, n_pi, cfg, conn_ts(sa, false, cfg), ni, V2_TS_MAX, &n_ni) ||
	    ts_narrow(pr, n_pr, cfg, conn_ts(sa, true, cfg), nr, V2_TS_MAX, &n_nr) || !n_ni ||
	    !n_nr) {
		log_warn(&sa->sad.logger, "traffic selectors of the peer are outside the connection's");
		*notify = V2_N_TS_UNACCEPTABLE;
		goto out;
	}
	list_to_v2(ni, n_ni, &sel->tsi);
	list_to_v2(nr, n_nr, &sel->tsr);
	sel->ts_local = nr[0];
	sel->ts_remote = ni[0];
out:
	free(peer);
	free(tsi);
	free(tsr);
	return rc;
}

int v2_child_answer_sa(const struct v2_child_sel *sel, uint32_t spi_in, struct v2_chain *chain)
{
	uint8_t spi_be[4];
	struct v2_sa ans;
	int rc;

	v2_child_spi_be(spi_in, spi_be);
	rc = v2_proposal_answer(&sel->ch, spi_be, 4, &ans);
	if (rc == 0 && sel->transport)
		rc = v2_put_notify(chain, V2_PROTO_NONE, NULL, 0, V2_N_USE_TRANSPORT_MODE, NULL, 0);
	if (rc == 0)
		rc = v2_put_sa(chain, &ans);
	return rc;
}

int v2_child_answer_ts(const struct v2_child_sel *sel, struct v2_chain *chain)
{
	int rc = v2_put_ts(chain, V2_PT_TSI, &sel->tsi);

	return rc ? rc : v2_put_ts(chain, V2_PT_TSR, &sel->tsr);
}

int v2_child_answer(const struct v2_child_sel *sel, uint32_t spi_in, struct v2_chain *chain)
{
	int rc = v2_child_answer_sa(sel, spi_in, chain);

	return rc ? rc : v2_child_answer_ts(sel, chain);
}

int v2_child_respond(struct v2_ike_sa *sa, const struct v2_msg *m, struct v2_chain *chain,
		     uint16_t *notify)
{
	const struct v2_conn *c = sa->conn;
	struct v2_child_sel *sel = malloc(sizeof(*sel));
	uint32_t spi_in;
	int rc;

	if (!sel)
		return ERR_NOMEM;
	rc = v2_child_select(sa, m, c->esp, c->n_esp, 0, sel, notify);
	if (rc || *notify)
		goto out;
	if (kernel_alloc_spi(sa->eng->p.kernel, &sa->peer, &sa->local, KERNEL_PROTO_ESP, &spi_in) ||
	    install(sa, &sel->ch, spi_in, v2_child_spi_of(&sel->ch), &sel->ts_local,
		    &sel->ts_remote, sel->transport)) {
		*notify = V2_N_NO_PROPOSAL_CHOSEN;
		goto out;
	}
	rc = v2_child_answer(sel, spi_in, chain);
out:
	free(sel);
	return rc;
}

int v2_child_check_answer(struct v2_ike_sa *sa, const struct v2_msg *m,
			  const struct v2_local_prop *props, size_t n_props, bool want_transport,
			  struct v2_child_sel *sel)
{
	struct v2_sa *ans = malloc(sizeof(*ans));
	struct v2_ts_list *tsi = malloc(sizeof(*tsi)), *tsr = malloc(sizeof(*tsr));
	struct ts gi[V2_TS_MAX], gr[V2_TS_MAX], cfg[V2_CONN_MAX_TS];
	size_t n_gi, n_gr;
	int rc = ERR_NOMEM;

	memset(sel, 0, sizeof(*sel));
	if (!ans || !tsi || !tsr)
		goto out;
	rc = ERR_PARSE;
	if (!v2_msg_find(m, V2_PT_SA) || !v2_msg_find(m, V2_PT_TSI) || !v2_msg_find(m, V2_PT_TSR) ||
	    v2_parse_sa(v2_msg_find(m, V2_PT_SA)->body, ans) ||
	    v2_parse_ts(v2_msg_find(m, V2_PT_TSI)->body, tsi) ||
	    v2_parse_ts(v2_msg_find(m, V2_PT_TSR)->body, tsr))
		goto out;
	rc = v2_proposal_accept_answer(ans, V2_PROTO_ESP, props, n_props, &sel->ch);
	if (rc || sel->ch.spi_size != 4) {
		log_warn(&sa->sad.logger, "the peer chose an ESP proposal we did not offer");
		rc = rc ? rc : ERR_PARSE;
		goto out;
	}
	n_gi = list_from_v2(tsi, gi, V2_TS_MAX);
	n_gr = list_from_v2(tsr, gr, V2_TS_MAX);
	if (!n_gi || !n_gr || !ts_list_within(gi, n_gi, cfg, conn_ts(sa, true, cfg)) ||
	    !ts_list_within(gr, n_gr, cfg, conn_ts(sa, false, cfg))) {
		log_warn(&sa->sad.logger, "the peer's traffic selectors are wider than ours");
		rc = ERR_PARSE;
		goto out;
	}
	sel->ts_local = gi[0];
	sel->ts_remote = gr[0];
	sel->transport = want_transport && v2_has_notify(m, V2_N_USE_TRANSPORT_MODE);
	rc = 0;
out:
	free(ans);
	free(tsi);
	free(tsr);
	return rc;
}

int v2_child_accept(struct v2_ike_sa *sa, const struct v2_msg *m)
{
	const struct v2_conn *c = sa->conn;
	struct v2_child_sel *sel = malloc(sizeof(*sel));
	int rc = ERR_NOMEM;

	if (sel)
		rc = v2_child_check_answer(sa, m, c->esp, c->n_esp, c->transport, sel);
	if (rc == 0)
		rc = install(sa, &sel->ch, sa->child_spi_offered, v2_child_spi_of(&sel->ch),
			     &sel->ts_local, &sel->ts_remote, sel->transport);
	if (rc)
		kernel_del_sa(sa->eng->p.kernel, &sa->local, sa->child_spi_offered, KERNEL_PROTO_ESP);
	free(sel);
	return rc;
}

void v2_child_free(struct v2_ike_sa *sa, struct v2_child_sa *c)
{
	struct kernel *k = sa->eng->p.kernel;
	struct v2_child_sa **pp;

	for (pp = &sa->children; *pp; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	if (sa->child_pending == c)
		sa->child_pending = NULL;
	if (c->installed && c->owns_policies) {
		struct v2_child_sa *twin = twin_of(sa, c);

		if (twin) {
			/* another child still uses the same policies: it owns them now */
			twin->owns_policies = true;
			c->owns_policies = false;
		}
	}
	if (c->installed) {
		struct kernel_selector sel_out, sel_in;
		struct sockaddr_storage local, peer;

		if (c->owns_policies && v2_child_selectors(c, &sel_out, &sel_in) == 0) {
			kernel_del_policy(k, &sel_out, KERNEL_DIR_OUT);
			kernel_del_policy(k, &sel_in, KERNEL_DIR_IN);
			if (c->mode == KERNEL_MODE_TUNNEL)
				kernel_del_policy(k, &sel_in, KERNEL_DIR_FWD);
		}
		v2_child_addrs(c, &local, &peer);
		kernel_del_sa(k, &local, c->sad.spi_in, KERNEL_PROTO_ESP);
		kernel_del_sa(k, &peer, c->sad.spi_out, KERNEL_PROTO_ESP);
		log_info(&sa->sad.logger, "child SA %08x/%08x removed", c->sad.spi_in, c->sad.spi_out);
	}
	sad_remove(sa->eng->p.sad, &c->sad);
	v2_nonce_drop(&c->peer_low_nonce, &c->peer_low_nonce_len);
	free(c);
}

struct v2_child_sa *v2_child_by_spi_out(struct v2_ike_sa *sa, uint32_t spi_out)
{
	for (struct v2_child_sa *c = sa->children; c; c = c->next)
		if (c->sad.spi_out == spi_out)
			return c;
	return NULL;
}

void v2_child_offer_ts(const struct v2_ike_sa *sa, const struct v2_child_sa *like,
		       struct v2_ts_list *tsi, struct v2_ts_list *tsr)
{
	struct ts ts[V2_CONN_MAX_TS];

	if (like) {
		/* a rekey keeps the selectors the child was agreed with (2.8) */
		list_to_v2(&like->ts_local, 1, tsi);
		list_to_v2(&like->ts_remote, 1, tsr);
		return;
	}
	list_to_v2(ts, conn_ts(sa, true, ts), tsi);
	list_to_v2(ts, conn_ts(sa, false, ts), tsr);
}

struct v2_child_sa *v2_child_by_spi_in(struct v2_ike_sa *sa, uint32_t spi_in)
{
	for (struct v2_child_sa *c = sa->children; c; c = c->next)
		if (c->sad.spi_in == spi_in)
			return c;
	return NULL;
}
