/*
 * job_sig.c - signing and verifying as crypto jobs (DESIGN.md step 4): an
 * RSA-2048 signature costs about as much as a DH computation, so the engines
 * never run one on the protocol loop.
 *
 * The job holds its own reference to the key, taken at submit and dropped
 * at done/discard, both on the loop thread (reference counts are not
 * atomic). The data and signature are copied; the owner may free its
 * buffers as soon as the submit returns.
 */
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/job.h"
#include "common/sig.h"

struct sig_job {
	struct job_sig_result result;
	job_sig_done_fn done;
	void *owner;
	struct sig_privkey *privkey; /* sign */
	struct sig_pubkey *pubkey;   /* verify */
	enum sig_form form;
	size_t in_sig_len;
	uint8_t in_sig[SIG_MAX_LEN]; /* verify: the signature to check */
	size_t len;
	uint8_t data[];
};

static void sig_job_work(void *arg)
{
	struct sig_job *sj = arg;
	struct job_sig_result *r = &sj->result;

	if (sj->privkey)
		r->err = sig_sign(sj->privkey, r->scheme, sj->form, sj->data,
				  sj->len, r->sig, sizeof(r->sig), &r->sig_len);
	else
		r->err = sig_verify(sj->pubkey, r->scheme, sj->form, sj->data,
				    sj->len, sj->in_sig, sj->in_sig_len);
}

static void sig_job_free(struct sig_job *sj)
{
	sig_privkey_free(sj->privkey);
	sig_pubkey_free(sj->pubkey);
	free(sj);
}

static void sig_job_done(void *arg)
{
	struct sig_job *sj = arg;

	sj->done(sj->owner, &sj->result);
	sig_job_free(sj);
}

static void sig_job_discard(void *arg)
{
	sig_job_free(arg);
}

static const struct job_ops sig_job_ops = {
	.work = sig_job_work,
	.done = sig_job_done,
	.discard = sig_job_discard,
};

static struct sig_job *sig_job_new(enum sig_scheme scheme, enum sig_form form,
				   const uint8_t *data, size_t len,
				   job_sig_done_fn done, void *owner)
{
	struct sig_job *sj = calloc(1, sizeof(*sj) + len);

	if (!sj)
		return NULL;
	sj->result.scheme = scheme;
	sj->result.err = ERR_STATE; /* replaced by the work function */
	sj->form = form;
	sj->done = done;
	sj->owner = owner;
	sj->len = len;
	if (len > 0)
		memcpy(sj->data, data, len);
	return sj;
}

static int sig_job_submit(struct job_pool *pool, struct sig_job *sj,
			  struct job **slot)
{
	int rc = job_submit(pool, &sig_job_ops, sj, slot);

	if (rc < 0)
		sig_job_free(sj);
	return rc;
}

int job_sig_sign(struct job_pool *pool, struct sig_privkey *key,
		 enum sig_scheme scheme, enum sig_form form,
		 const uint8_t *data, size_t len, job_sig_done_fn done,
		 void *owner, struct job **slot)
{
	struct sig_job *sj;

	if (!key || !done || len > SIG_DATA_MAX || (len > 0 && !data))
		return ERR_INVAL;
	sj = sig_job_new(scheme, form, data, len, done, owner);
	if (!sj)
		return ERR_NOMEM;
	sj->privkey = sig_privkey_ref(key);
	return sig_job_submit(pool, sj, slot);
}

int job_sig_verify(struct job_pool *pool, struct sig_pubkey *key,
		   enum sig_scheme scheme, enum sig_form form,
		   const uint8_t *data, size_t len, const uint8_t *sig,
		   size_t sig_len, job_sig_done_fn done, void *owner,
		   struct job **slot)
{
	struct sig_job *sj;

	if (!key || !done || len > SIG_DATA_MAX || (len > 0 && !data) ||
	    sig_len > SIG_MAX_LEN || (sig_len > 0 && !sig))
		return ERR_INVAL;
	sj = sig_job_new(scheme, form, data, len, done, owner);
	if (!sj)
		return ERR_NOMEM;
	sj->pubkey = sig_pubkey_ref(key);
	if (sig_len > 0)
		memcpy(sj->in_sig, sig, sig_len);
	sj->in_sig_len = sig_len;
	return sig_job_submit(pool, sj, slot);
}
