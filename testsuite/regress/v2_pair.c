/*
 * v2_pair.c - see v2_pair.h.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "common/err.h"
#include "common/job.h"
#include "common/kernel.h"
#include "common/sad.h"
#include "common/ts.h"
#include "common/xform.h"
#include "testsuite/regress/v2_pair.h"
#include "v2/v2_ike_sa.h"
#include "v2/v2_names.h"

static uint64_t spi_counter;

/* Deterministic, non-zero SPIs: the fuzzer's inputs replay exactly. */
static void fixed_random(void *buf, size_t len)
{
	uint8_t *b = buf;

	spi_counter++;
	for (size_t i = 0; i < len; i++)
		b[i] = (uint8_t)(spi_counter >> (8 * (i % 8))) ^ (uint8_t)(0x5a + i);
}

static int pair_send(void *arg, const struct v2_datagram *dg)
{
	struct v2p_side *s = arg;
	struct v2_pair *p = s->pair;
	struct v2p_pkt *k;

	p->sent[s->index]++;
	if (p->drop_next[s->index]) {
		p->drop_next[s->index] = false;
		return 0; /* lost on the wire, as the test asked */
	}
	if (p->q_len == V2P_QMAX || dg->len > V2P_PKT_MAX)
		return 0; /* lost on the wire */
	k = &p->q[p->q_len++];
	memcpy(k->data, dg->data, dg->len);
	k->len = dg->len;
	k->from = s->index;
	k->dg = *dg;
	return 0;
}

static const struct secret *pair_psk(void *arg, const struct v2_conn *c,
				     const struct v2_conn_id *l, const struct v2_conn_id *r,
				     const struct sockaddr_storage *la,
				     const struct sockaddr_storage *ra)
{
	(void)c, (void)l, (void)r, (void)la, (void)ra;
	return ((struct v2p_side *)arg)->psk;
}

static void pair_established(void *arg, const struct v2_sa_info *info)
{
	(void)info;
	((struct v2p_side *)arg)->established++;
}

static void pair_failed(void *arg, const char *conn, const char *why, bool never_answered)
{
	(void)conn, (void)why;
	((struct v2p_side *)arg)->never_answered += never_answered;
	((struct v2p_side *)arg)->failed++;
}

/* An unknown token is an error: a test must not run a proposal it did not mean. */
static int prop(struct v2_local_prop *lp, uint8_t protocol, const char *tokens)
{
	char buf[256], *save = NULL;

	memset(lp, 0, sizeof(*lp));
	lp->protocol = protocol;
	lp->ke_none = protocol != V2_PROTO_IKE;
	snprintf(buf, sizeof(buf), "%s", tokens);
	for (char *t = strtok_r(buf, "-", &save); t; t = strtok_r(NULL, "-", &save)) {
		const struct xform *x = xform_by_name(t);

		if (!x || lp->n_xforms == V2_PROP_MAX_XFORMS)
			return ERR_INVAL;
		lp->xforms[lp->n_xforms++] = x;
	}
	return 0;
}

void v2p_cfg_init(struct v2p_cfg *c, int i, const char *ike, const char *esp)
{
	static const char *const lts[2] = { "10.1.0.0/16", "10.2.0.0/16" };

	memset(c, 0, sizeof(*c));
	c->ike = ike;
	c->esp = esp;
	c->local_ts = lts[i];
	c->remote_ts = lts[!i];
	c->psk = "regress-psk";
	c->retransmit_tries = 2;
	c->cookie_threshold = V2_COOKIE_NEVER; /* these tests craft IKE_SA_INITs without cookies */
}

int v2p_conn(const struct v2_pair *p, int i, const struct v2p_cfg *cfg, struct v2_conn *c)
{
	static const char *const ids[2] = { "peer.example.org", "gw.example.org" };
	int err;

	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "lab");
	c->local = p->addr[i];
	c->remote = i ? (struct sockaddr_storage){ .ss_family = AF_UNSPEC } : p->addr[1];
	c->local_id.type = V2_ID_FQDN;
	c->local_id.len = strlen(ids[i]);
	memcpy(c->local_id.data, ids[i], c->local_id.len);
	err = prop(&c->ike[0], V2_PROTO_IKE, cfg->ike);
	c->n_ike = 1;
	if (!err)
		err = prop(&c->esp[0], V2_PROTO_ESP, cfg->esp);
	c->n_esp = 1;
	if (!err && cfg->local_ts) {
		err = ts_parse(cfg->local_ts, &c->local_ts[0]);
		c->n_local_ts = 1;
	}
	if (!err && cfg->remote_ts) {
		err = ts_parse(cfg->remote_ts, &c->remote_ts[0]);
		c->n_remote_ts = 1;
	}
	c->child_lifetime_s = 3600;
	c->fragmentation = cfg->fragmentation;
	c->fragment_size = cfg->fragment_size;
	if (!err && cfg->pfs && !(c->pfs = xform_by_name(cfg->pfs)))
		err = ERR_INVAL;
	return err;
}

static int side_open(struct v2_pair *p, int i, const struct v2p_cfg *cfg)
{
	struct v2p_side *s = &p->s[i];
	struct v2_engine_params ep;
	struct v2_conn c;
	int err;

	s->pair = p;
	s->index = i;
	if (sad_new(&s->sad) < 0 || kernel_open("none", &s->kernel) < 0)
		return ERR_NOMEM;
	sad_set_random(s->sad, fixed_random);
	s->psk = secret_dup(cfg->psk, strlen(cfg->psk));
	memset(&ep, 0, sizeof(ep));
	ep.jobs = p->pool;
	ep.sad = s->sad;
	ep.kernel = s->kernel;
	ep.retransmit_tries = cfg->retransmit_tries;
	ep.cookie_threshold = cfg->cookie_threshold;
	ep.retransmit_timeout_ms = 100;
	ep.hooks = (struct v2_hooks){ .arg = s, .send = pair_send, .psk = pair_psk,
				      .established = pair_established, .failed = pair_failed,
				      .child_installed = cfg->child_installed };
	if (!s->psk || v2_engine_new(&ep, &s->eng) < 0)
		return ERR_NOMEM;
	err = v2p_conn(p, i, cfg, &c);
	return err ? err : v2_engine_set_conns(s->eng, &c, 1);
}

int v2p_open_cfg(struct v2_pair *p, struct job_pool *pool, const struct v2p_cfg cfg[2])
{
	struct sockaddr_in *a = (struct sockaddr_in *)&p->addr[0];
	struct sockaddr_in *b = (struct sockaddr_in *)&p->addr[1];
	int err;

	memset(p, 0, sizeof(*p));
	p->pool = pool;
	a->sin_family = b->sin_family = AF_INET;
	a->sin_port = b->sin_port = htons(500);
	a->sin_addr.s_addr = htonl(0xc0000201);
	b->sin_addr.s_addr = htonl(0xc0000202);
	err = side_open(p, 0, &cfg[0]);
	if (!err)
		err = side_open(p, 1, &cfg[1]);
	return err;
}

int v2p_open(struct v2_pair *p, struct job_pool *pool, const char *ike, const char *esp)
{
	struct v2p_cfg cfg[2];

	v2p_cfg_init(&cfg[0], 0, ike, esp);
	v2p_cfg_init(&cfg[1], 1, ike, esp);
	return v2p_open_cfg(p, pool, cfg);
}

void v2p_close(struct v2_pair *p)
{
	job_pool_drain(p->pool);
	for (int i = 0; i < 2; i++) {
		struct v2p_side *s = &p->s[i];

		v2_engine_free(s->eng);
		if (s->sad)
			sad_free(s->sad);
		if (s->kernel)
			kernel_close(s->kernel);
		secret_free(s->psk);
		s->eng = NULL;
		s->sad = NULL;
		s->kernel = NULL;
		s->psk = NULL;
	}
	job_pool_drain(p->pool);
	p->q_len = 0;
}

bool v2p_take(struct v2_pair *p, struct v2p_pkt *k)
{
	job_pool_drain(p->pool);
	if (!p->q_len)
		return false;
	*k = p->q[0];
	memmove(p->q, p->q + 1, (p->q_len - 1) * sizeof(p->q[0]));
	p->q_len--;
	return true;
}

int v2p_put_busy(struct v2_pair *p, int to, const struct v2p_pkt *k)
{
	struct v2_datagram dg = k->dg;

	dg.data = k->data;
	dg.len = k->len;
	dg.local = k->dg.peer;
	dg.peer = k->dg.local;
	return v2_engine_input(p->s[to].eng, &dg);
}

int v2p_put(struct v2_pair *p, int to, const struct v2p_pkt *k)
{
	int err = v2p_put_busy(p, to, k);

	job_pool_drain(p->pool);
	return err;
}

bool v2p_step(struct v2_pair *p, struct v2p_pkt *keep)
{
	static struct v2p_pkt k;

	if (!v2p_take(p, &k))
		return false;
	v2p_put(p, !k.from, &k);
	if (keep)
		*keep = k;
	return true;
}

bool v2p_deliver(struct v2_pair *p)
{
	return v2p_step(p, NULL);
}

void v2p_run(struct v2_pair *p)
{
	for (int i = 0; i < 32 && (p->q_len || job_pool_pending(p->pool)); i++)
		v2p_deliver(p);
}

int v2p_establish(struct v2_pair *p)
{
	if (v2_engine_up(p->s[0].eng, "lab") < 0)
		return ERR_STATE;
	v2p_run(p);
	return p->s[0].established == 1 && p->s[1].established == 1 ? 0 : ERR_STATE;
}

int v2p_up(struct v2_pair *p, struct job_pool *pool, const char *ike, const char *esp)
{
	int err = v2p_open(p, pool, ike, esp);

	if (!err)
		err = v2p_establish(p);
	if (err)
		v2p_close(p);
	return err;
}

int v2p_inject(struct v2_pair *p, int to, const uint8_t *data, size_t len)
{
	struct v2_datagram dg;
	int err;

	memset(&dg, 0, sizeof(dg));
	dg.data = data;
	dg.len = len;
	dg.local = p->addr[to];
	dg.peer = p->addr[!to];
	err = v2_engine_input(p->s[to].eng, &dg);
	job_pool_drain(p->pool);
	return err;
}

static struct v2_ike_sa *first_sa(struct v2_pair *p, int i)
{
	return p->s[i].eng ? p->s[i].eng->first : NULL;
}

bool v2p_spis(struct v2_pair *p, int i, uint8_t spi_i[8], uint8_t spi_r[8])
{
	struct v2_ike_sa *sa = first_sa(p, i);
	static const uint8_t zero[8];

	if (!sa)
		return false;
	memcpy(spi_i, sa->sad.spi_i, 8);
	memcpy(spi_r, sa->sad.spi_r, 8);
	if (!memcmp(spi_r, zero, 8))
		memcpy(spi_r, sa->spi_r_pending, 8);
	return true;
}

const char *v2p_state(struct v2_pair *p, int i)
{
	struct v2_ike_sa *sa = first_sa(p, i);

	return sa ? v2_state_name(sa->state) : "NONE";
}

uint32_t v2p_msgid(struct v2_pair *p, int to, bool response)
{
	struct v2_ike_sa *sa = first_sa(p, to);

	if (!sa)
		return 0;
	return response ? sa->send_msgid : sa->recv_msgid;
}

/*
 * A message header and the keys side `to`'s peer seals with, for the
 * crafted messages below: *mo is ready for the SK or SKF payload.
 */
static int peer_sealing(struct v2_pair *p, int to, uint8_t exchange, bool response, uint32_t msgid,
			struct v2_sk_keys *k, struct v2_msg_out *mo, uint8_t *out, size_t cap)
{
	struct v2_ike_sa *sa = first_sa(p, to);
	struct v2_header h;

	if (!sa || !sa->have_keys)
		return ERR_STATE;
	v2_ike_sa_sk_keys(sa, false, k); /* what the peer seals with */
	memset(&h, 0, sizeof(h));
	v2p_spis(p, to, h.spi_i, h.spi_r);
	h.version = 0x20;
	h.exchange = exchange;
	h.flags = (sa->initiator ? 0 : V2_FLAG_INITIATOR) | (response ? V2_FLAG_RESPONSE : 0);
	h.message_id = msgid;
	return v2_msg_out_init(mo, out, cap, &h);
}

int v2p_seal(struct v2_pair *p, int to, uint8_t exchange, bool response, uint32_t msgid,
	     uint8_t first_inner, const uint8_t *inner, size_t inner_len, uint8_t *out,
	     size_t cap, size_t *out_len)
{
	struct v2_sk_keys k;
	struct v2_msg_out mo;
	int err = peer_sealing(p, to, exchange, response, msgid, &k, &mo, out, cap);

	return err ? err : v2_sk_seal(&mo, &k, NULL, first_inner, inner, inner_len, out_len);
}

int v2p_seal_fragment(struct v2_pair *p, int to, uint8_t exchange, bool response, uint32_t msgid,
		      uint8_t first_inner, uint16_t number, uint16_t total, const uint8_t *chunk,
		      size_t chunk_len, uint8_t *out, size_t cap, size_t *out_len)
{
	struct v2_sk_keys k;
	struct v2_msg_out mo;
	int err = peer_sealing(p, to, exchange, response, msgid, &k, &mo, out, cap);

	return err ? err : v2_sk_seal_fragment(&mo, &k, NULL, first_inner, number, total, chunk,
					       chunk_len, out_len);
}
