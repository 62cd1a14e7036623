/*
 * v1_engine_fuzz.c - libFuzzer target for v1_engine_input(): the IKEv1
 * engine as a responder (one connection, PSK, `none` kernel, KE jobs
 * drained by hand). The input is a sequence of datagrams, each prefixed
 * by a 2-byte length, all from one peer; so a corpus can walk Main or
 * Aggressive Mode as far as unauthenticated bytes can go, in IKE fragments
 * (payload 132) too. Whatever comes
 * in: no crash, no leak, no SA left half-made after the engine is freed.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/job.h"
#include "common/kernel.h"
#include "common/log.h"
#include "common/sad.h"
#include "v1/v1_engine.h"
#include "testsuite/fuzz/fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct secret *psk;

static int no_send(void *arg, const struct v1_datagram *dg)
{
	(void)arg;
	(void)dg;
	return 0;
}

static const struct secret *fixed_psk(void *arg, const struct v1_conn *c,
				      const struct sockaddr_storage *l,
				      const struct sockaddr_storage *p, const struct id *id)
{
	(void)arg, (void)c, (void)l, (void)p, (void)id;
	return psk;
}

static void addr(struct sockaddr_storage *ss, uint32_t a, uint16_t port)
{
	struct sockaddr_in *in = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	in->sin_family = AF_INET;
	in->sin_addr.s_addr = htonl(a);
	in->sin_port = htons(port);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sad *sad = NULL;
	struct kernel *k = NULL;
	struct job_pool *jobs = NULL;
	struct v1_engine *e = NULL;
	struct v1_conn *c = v1_conn_new("fuzz");
	struct v1_env env = { .retransmit_tries = 1, .ike_port = 500, .natt_port = 4500,
			      .send = no_send, .psk = fixed_psk };
	struct v1_datagram dg;

	log_setup(LOG_TO_STDERR, LOG_LEVEL_ERROR, "fuzz");
	if (!psk)
		psk = secret_dup("fuzz", 4);
	if (!c || sad_new(&sad) < 0 || kernel_open("none", &k) < 0 || job_pool_new(NULL, 1, &jobs) < 0)
		goto out;
	env.sad = sad;
	env.kernel = k;
	env.jobs = jobs;
	c->p1[0].encr.x[c->p1[0].encr.n++] = xform_by_name("aes128");
	c->p1[0].encr.x[c->p1[0].encr.n++] = xform_by_name("3des");
	c->p1[0].hash.x[c->p1[0].hash.n++] = xform_by_name("prfsha1");
	c->p1[0].group.x[c->p1[0].group.n++] = xform_by_name("modp1024");
	c->n_p1 = 1;
	c->esp[0].encr.x[c->esp[0].encr.n++] = xform_by_name("aes128");
	c->esp[0].integ.x[c->esp[0].integ.n++] = xform_by_name("sha1");
	c->n_esp = 1;
	c->aggressive_ok = true;
	/* IKE fragments (v1_frag.c) reach the half-open SA by CKY-I with a zero CKY-R */
	c->fragmentation = true;
	if (v1_engine_new(&env, &e) < 0 || v1_engine_set_conns(e, &c, 1) < 0)
		goto out;
	addr(&dg.local, 0xc0000202, 500);
	addr(&dg.peer, 0xc0000201, 500);
	while (fuzz_next_chunk(&data, &size, SIZE_MAX, &dg.data, &dg.len)) {
		v1_engine_input(e, &dg);
		job_pool_drain(jobs);
	}
	v1_engine_timeout_all(e);
out:
	v1_engine_free(e);
	v1_conn_unref(c);
	job_pool_free(jobs);
	if (k)
		kernel_close(k);
	if (sad)
		sad_free(sad);
	return 0;
}
