/*
 * v1_pair.c - see v1_pair.h.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/job.h"
#include "common/kernel.h"
#include "common/sad.h"
#include "common/ts.h"
#include "common/xform.h"
#include "testsuite/regress/v1_pair.h"

static struct v1_pair *current; /* the send hook's pair (one at a time) */
static uint64_t cookie_counter;

static void fixed_random(void *buf, size_t len)
{
	uint8_t *b = buf;

	cookie_counter++;
	for (size_t i = 0; i < len; i++)
		b[i] = (uint8_t)(cookie_counter >> (8 * (i % 8))) ^ (uint8_t)(0xa5 + i);
}

static int pair_send(void *arg, const struct v1_datagram *dg)
{
	struct v1_pair *p = current;
	int from = (int)(intptr_t)arg;
	struct v1p_pkt *k;

	p->sent[from]++;
	if (dg->len > V1P_PKT_MAX)
		return 0;
	memcpy(p->last[from].data, dg->data, dg->len);
	p->last[from].len = dg->len;
	p->last[from].from = from;
	p->last[from].src = dg->local;
	p->last[from].dst = dg->peer;
	if (p->q_len == V1P_QMAX)
		return 0;
	k = &p->q[p->q_len++];
	*k = p->last[from];
	return 0;
}

static void pair_installed(void *arg, const struct kernel_sa *in, const struct kernel_sa *out)
{
	struct v1p_installed *x = &current->installed[(int)(intptr_t)arg];

	x->n++;
	x->mode = in->mode;
	x->encap = in->encap;
	x->oa_in = in->encap_oa;
	x->oa_out = out->encap_oa;
}

static const struct secret *pair_psk(void *arg, const struct v1_conn *c,
				     const struct sockaddr_storage *l,
				     const struct sockaddr_storage *r, const struct id *id)
{
	(void)arg, (void)c, (void)l, (void)r, (void)id;
	return current->psk;
}

void v1p_conn_proposals(struct v1_conn *c, const char *encr)
{
	c->p1[0].encr.x[c->p1[0].encr.n++] = xform_by_name(encr);
	c->p1[0].hash.x[c->p1[0].hash.n++] = xform_by_name("prfsha256");
	c->p1[0].group.x[c->p1[0].group.n++] = xform_by_name("modp2048");
	c->n_p1 = 1;
	c->esp[0].encr.x[c->esp[0].encr.n++] = xform_by_name("aes128");
	c->esp[0].integ.x[c->esp[0].integ.n++] = xform_by_name("sha256");
	c->n_esp = 1;
}

struct v1_conn *v1p_conn(const struct v1_pair *p, int who, const struct v1p_opts *o)
{
	struct v1_conn *c = v1_conn_new("lab");

	if (!c)
		return NULL;
	v1p_conn_proposals(c, "aes128");
	c->aggressive = o->aggressive;
	c->aggressive_ok = true;
	c->transport = o->transport;
	c->natt_offer = o->natt_offer[who];
	c->dpd_delay_s = o->dpd_delay[who];
	c->dpd_timeout_s = 90;
	c->local = p->addr[who];
	c->remote = p->addr[!who];
	if (o->nat && who == 1)
		c->remote.ss_family = AF_UNSPEC; /* the peer comes through the NAT */
	c->local_ts = calloc(1, sizeof(struct ts));
	c->remote_ts = calloc(1, sizeof(struct ts));
	if (c->local_ts && c->remote_ts && o->transport) {
		/* transport mode: the hosts themselves; behind the NAT side 0 is 10.0.0.1 */
		ts_parse(who ? "192.0.2.2/32" : o->nat ? "10.0.0.1/32" : "192.0.2.1/32", &c->local_ts[0]);
		ts_parse(who ? (o->nat ? "10.0.0.0/8" : "192.0.2.1/32") : "192.0.2.2/32", &c->remote_ts[0]);
		c->n_local_ts = c->n_remote_ts = 1;
	} else if (c->local_ts && c->remote_ts) {
		ts_parse(who ? "10.2.0.0/24" : "10.1.0.0/24", &c->local_ts[0]);
		ts_parse(who ? "10.1.0.0/24" : "10.2.0.0/24", &c->remote_ts[0]);
		c->n_local_ts = c->n_remote_ts = 1;
	}
	return c;
}

static struct v1_conn *make_conn(struct v1_pair *p, int who, const struct v1p_opts *o)
{
	struct v1_conn *c = v1p_conn(p, who, o);

	if (!c)
		return NULL;
	id_parse(who ? "b.example.org" : "a.example.org", &c->local_id);
	id_parse(who ? "a.example.org" : "b.example.org", &c->remote_id);
	return c;
}

static void addr4(struct sockaddr_storage *ss, uint32_t a)
{
	struct sockaddr_in *in = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	in->sin_family = AF_INET;
	in->sin_port = htons(500);
	in->sin_addr.s_addr = htonl(a);
}

int v1p_open(struct v1_pair *p, struct job_pool *pool, bool aggressive)
{
	struct v1p_opts o = { .aggressive = aggressive };

	return v1p_open_opts(p, pool, &o);
}

int v1p_open_opts(struct v1_pair *p, struct job_pool *pool, const struct v1p_opts *o)
{
	memset(p, 0, sizeof(*p));
	current = p;
	p->pool = pool;
	p->psk = secret_dup("a shared secret", 15);
	p->nat = o->nat;
	addr4(&p->addr[0], o->nat ? 0x0a000001 : 0xc0000201);
	addr4(&p->addr[1], 0xc0000202);
	addr4(&p->nat_pub, 0xc0000264);
	for (int i = 0; i < 2; i++) {
		struct v1_env env = { .retransmit_tries = 2, .retransmit_timeout_ms = 500,
				      .ike_port = 500, .natt_port = 4500, .send = pair_send,
				      .psk = pair_psk, .ipsec_installed = pair_installed,
				      .arg = (void *)(intptr_t)i,
				      .sas_made = &p->made[i], .sas_failed = &p->failed[i] };
		struct v1_conn *c;
		int err;

		if (sad_new(&p->sad[i]) < 0 || kernel_open("none", &p->kernel[i]) < 0)
			return ERR_NOMEM;
		sad_set_random(p->sad[i], fixed_random);
		env.sad = p->sad[i];
		env.kernel = p->kernel[i];
		env.jobs = pool;
		if (v1_engine_new(&env, &p->eng[i]) < 0)
			return ERR_NOMEM;
		c = make_conn(p, i, o);
		if (!c)
			return ERR_NOMEM;
		err = v1_engine_set_conns(p->eng[i], &c, 1);
		v1_conn_unref(c);
		if (err < 0)
			return err;
	}
	return p->psk ? 0 : ERR_NOMEM;
}

void v1p_close(struct v1_pair *p)
{
	current = p;
	job_pool_drain(p->pool);
	for (int i = 0; i < 2; i++) {
		v1_engine_free(p->eng[i]);
		if (p->kernel[i])
			kernel_close(p->kernel[i]);
		if (p->sad[i])
			sad_free(p->sad[i]);
		p->eng[i] = NULL;
		p->kernel[i] = NULL;
		p->sad[i] = NULL;
	}
	job_pool_drain(p->pool);
	secret_free(p->psk);
	p->psk = NULL;
	p->q_len = 0;
}

static int input(struct v1_pair *p, int to, struct v1_datagram *dg)
{
	int err;

	current = p;
	if (kernel_addr_port(&dg->local) == 4500 && dg->len >= 4) {
		/* the dispatcher strips the non-ESP marker (RFC 3948 2.2) */
		dg->data += 4;
		dg->len -= 4;
	}
	err = v1_engine_input(p->eng[to], dg);
	job_pool_drain(p->pool);
	return err;
}

int v1p_inject(struct v1_pair *p, int to, const uint8_t *data, size_t len)
{
	struct v1_datagram dg = { .data = data, .len = len };

	dg.local = p->addr[to];
	dg.peer = p->nat && to == 1 ? p->nat_pub : p->addr[!to];
	if (p->nat && to == 1)
		kernel_addr_set_port(&dg.peer, 1500);
	return input(p, to, &dg);
}

/* A queued datagram as its receiver sees it: through the NAT when side 0 is behind one. */
static int deliver_pkt(struct v1_pair *p, const struct v1p_pkt *k)
{
	struct v1_datagram dg = { .data = k->data, .len = k->len };
	int to = !k->from;

	dg.local = k->dst;
	dg.peer = k->src;
	if (p->nat && k->from == 0) {
		dg.peer = p->nat_pub;
		kernel_addr_set_port(&dg.peer, (uint16_t)(kernel_addr_port(&k->src) + 1000));
	} else if (p->nat) {
		dg.local = p->addr[0];
		kernel_addr_set_port(&dg.local, (uint16_t)(kernel_addr_port(&k->dst) - 1000));
	}
	return input(p, to, &dg);
}

bool v1p_deliver(struct v1_pair *p)
{
	static struct v1p_pkt k;

	current = p;
	job_pool_drain(p->pool);
	if (!p->q_len)
		return false;
	k = p->q[0];
	memmove(p->q, p->q + 1, (p->q_len - 1) * sizeof(p->q[0]));
	p->q_len--;
	deliver_pkt(p, &k);
	return true;
}

void v1p_run(struct v1_pair *p)
{
	for (int i = 0; i < 64 && (p->q_len || job_pool_pending(p->pool)); i++)
		v1p_deliver(p);
}

int v1p_up(struct v1_pair *p, struct job_pool *pool, const struct v1p_opts *o)
{
	static const struct v1p_opts main_mode = { .aggressive = false };
	int err = v1p_open_opts(p, pool, o ? o : &main_mode);

	if (!err)
		err = v1p_establish(p);
	if (err)
		v1p_close(p);
	return err;
}

int v1p_establish(struct v1_pair *p)
{
	char why[128];
	unsigned est[2];

	current = p;
	if (v1_engine_initiate(p->eng[0], "lab", why, sizeof(why)) < 0)
		return ERR_STATE;
	v1p_run(p);
	v1p_count(p, 0, &est[0]);
	v1p_count(p, 1, &est[1]);
	return est[0] == 1 && est[1] == 1 && v1p_ipsec(p, 0) == 1 && v1p_ipsec(p, 1) == 1
		       ? 0 : ERR_STATE;
}

struct counting {
	unsigned n, est;
};

static void count_sa(const struct v1_sa_info *in, void *arg)
{
	struct counting *c = arg;

	c->n++;
	c->est += in->established;
}

static void count_ipsec(const struct v1_ipsec_info *in, void *arg)
{
	(void)in;
	(*(unsigned *)arg)++;
}

unsigned v1p_count(struct v1_pair *p, int i, unsigned *established)
{
	struct counting c = { 0, 0 };

	v1_engine_foreach_sa(p->eng[i], count_sa, &c);
	if (established)
		*established = c.est;
	return c.n;
}

unsigned v1p_ipsec(struct v1_pair *p, int i)
{
	unsigned n = 0;

	v1_engine_foreach_ipsec(p->eng[i], count_ipsec, &n);
	return n;
}
