/*
 * job_test.c - the crypto job pool: every job completes exactly once, on the
 * loop thread; cancelled jobs never call back into their (freed) owner;
 * shutdown with jobs in flight leaks nothing; KE jobs agree on a secret.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "common/err.h"
#include "common/job.h"
#include "testsuite/lib/tap.h"

static pthread_t loop_thread;

/* ---- many jobs through a real event loop ---- */

#define MANY 2000

struct counted {
	struct event_base *base;
	atomic_int work_runs[MANY];
	int done_runs[MANY];
	atomic_int work_on_loop;  /* work functions that ran on the loop thread */
	int done_off_loop;        /* done functions that ran elsewhere */
	int done_total;
	int order_changes;        /* completions not in submission order */
	int last_done;
};

struct counted_arg {
	struct counted *c;
	int index;
};

static void counted_work(void *arg)
{
	struct counted_arg *a = arg;

	atomic_fetch_add(&a->c->work_runs[a->index], 1);
	if (pthread_equal(pthread_self(), loop_thread))
		atomic_fetch_add(&a->c->work_on_loop, 1);
	if (a->index % 7 == 0)
		usleep(50); /* uneven work so completions can reorder */
}

static void counted_done(void *arg)
{
	struct counted_arg *a = arg;
	struct counted *c = a->c;

	c->done_runs[a->index]++;
	if (!pthread_equal(pthread_self(), loop_thread))
		c->done_off_loop++;
	if (a->index < c->last_done)
		c->order_changes++;
	c->last_done = a->index;
	if (++c->done_total == MANY)
		event_base_loopbreak(c->base);
	free(a);
}

static const struct job_ops counted_ops = { counted_work, counted_done, free };

static void test_many_jobs(unsigned workers)
{
	static struct counted c;
	struct event_base *base = event_base_new();
	struct job_pool *pool;
	int once_work = 0, once_done = 0, rc;

	memset(&c, 0, sizeof(c));
	c.base = base;
	rc = job_pool_new(base, workers, &pool);
	tap_eq_int(rc, 0, "pool with %u workers starts", workers);
	if (rc < 0)
		return;
	tap_eq_int(job_pool_workers(pool), workers ? workers : job_usable_cpus(),
		   "worker count is the configured one (0 = usable CPUs)");
	for (int i = 0; i < MANY; i++) {
		struct counted_arg *a = malloc(sizeof(*a));

		a->c = &c;
		a->index = i;
		job_submit(pool, &counted_ops, a, NULL);
	}
	tap_eq_int((long long)job_pool_pending(pool), MANY, "all jobs pending before the loop runs");
	event_base_dispatch(base);
	for (int i = 0; i < MANY; i++) {
		once_work += atomic_load(&c.work_runs[i]) == 1;
		once_done += c.done_runs[i] == 1;
	}
	tap_eq_int(once_work, MANY, "%u workers: every work function ran exactly once", workers);
	tap_eq_int(once_done, MANY, "%u workers: every completion ran exactly once", workers);
	tap_eq_int(atomic_load(&c.work_on_loop), 0, "no work ran on the loop thread");
	tap_eq_int(c.done_off_loop, 0, "every completion ran on the loop thread");
	tap_eq_int((long long)job_pool_pending(pool), 0, "nothing pending afterwards");
	tap_diag("%u workers: %d completions came out of submission order", workers,
		 c.order_changes);
	{
		struct job_pool_stats s;

		job_pool_stats(pool, &s);
		tap_ok(s.run == MANY && s.inline_run == 0 && s.work_ns > 0 && s.queue_max_ns > 0 &&
		       s.queue_ns >= s.queue_max_ns && s.return_ns >= s.return_max_ns,
		       "%u workers: the stats count every job and its waits", workers);
	}
	job_pool_free(pool);
	event_base_free(base);
}

/* ---- inline work: on the loop thread, done still from the loop ---- */

static bool in_submit;
static int done_in_submit;

static void inline_done(void *arg)
{
	done_in_submit += in_submit;
	counted_done(arg);
}

static const struct job_ops inline_ops = { counted_work, inline_done, free };

static void test_inline(enum job_inline mode)
{
	static struct counted c;
	struct event_base *base = event_base_new();
	struct job_pool *pool;
	struct job_pool_stats s;
	const char *name = job_inline_name(mode);

	memset(&c, 0, sizeof(c));
	c.base = base;
	done_in_submit = 0;
	if (job_pool_new(base, 2, &pool) < 0) {
		tap_ok(false, "pool starts");
		return;
	}
	job_pool_set_inline(pool, mode);
	for (int i = 0; i < MANY; i++) {
		struct counted_arg *a = malloc(sizeof(*a));

		a->c = &c;
		a->index = i;
		in_submit = true;
		job_submit(pool, &inline_ops, a, NULL);
		in_submit = false;
	}
	event_base_dispatch(base);
	job_pool_stats(pool, &s);
	tap_eq_int(c.done_total, MANY, "inline %s: every completion ran", name);
	tap_eq_int(done_in_submit, 0, "inline %s: never inside job_submit", name);
	tap_eq_int(c.done_off_loop, 0, "inline %s: every completion on the loop thread", name);
	if (mode == JOB_INLINE_ALWAYS) {
		tap_eq_int(atomic_load(&c.work_on_loop), MANY, "inline always: every work on the loop thread");
		tap_ok(s.run == MANY && s.inline_run == MANY && s.queue_ns == 0,
		       "inline always: counted inline, never queued");
	} else {
		/* the burst: the first job finds the pool idle, the others do not */
		tap_eq_int(atomic_load(&c.work_on_loop), 1, "inline idle: only the first work on the loop thread");
		tap_ok(s.run == MANY && s.inline_run == 1, "inline idle: one counted inline");
	}
	job_pool_free(pool);
	event_base_free(base);
}

static void parse_inline(void)
{
	enum job_inline m;

	tap_ok(job_inline_parse("idle", &m) && m == JOB_INLINE_IDLE &&
	       job_inline_parse("always", &m) && m == JOB_INLINE_ALWAYS &&
	       job_inline_parse("never", &m) && m == JOB_INLINE_NEVER, "inline mode names parse");
	tap_ok(!job_inline_parse("sometimes", &m), "an unknown inline mode is refused");
}

/* ---- cancellation: owners freed while their jobs are queued or running ---- */

struct gate {
	pthread_mutex_t lock;
	pthread_cond_t cv;
	bool open;
	atomic_int waiting;
};

static struct gate gate = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, false, 0 };

static void gate_set(bool open)
{
	pthread_mutex_lock(&gate.lock);
	gate.open = open;
	pthread_cond_broadcast(&gate.cv);
	pthread_mutex_unlock(&gate.lock);
}

struct owner {
	struct job *job;      /* the handle slot the pool clears */
	int *done_calls;      /* lives outside the owner, survives its free */
};

struct owned_arg {
	struct owner *owner;  /* dangling once the owner is freed */
	int *discards;
};

static void gated_work(void *arg)
{
	(void)arg;
	atomic_fetch_add(&gate.waiting, 1);
	pthread_mutex_lock(&gate.lock);
	while (!gate.open)
		pthread_cond_wait(&gate.cv, &gate.lock);
	pthread_mutex_unlock(&gate.lock);
	atomic_fetch_sub(&gate.waiting, 1);
}

static void owned_done(void *arg)
{
	struct owned_arg *a = arg;

	/* Touches the owner: ASan reports it if the owner was freed. */
	(*a->owner->done_calls)++;
	tap_ok(a->owner->job == NULL, "the slot is cleared before done runs");
	free(a);
}

static void owned_discard(void *arg)
{
	struct owned_arg *a = arg;

	(*a->discards)++;
	free(a);
}

static const struct job_ops owned_ops = { gated_work, owned_done, owned_discard };

static void test_cancel(void)
{
	enum { N = 16 };
	struct owner *owners[N];
	struct job_pool *pool;
	int done_calls = 0, discards = 0, slots_cleared = 0;
	size_t ran;

	gate_set(false);
	job_pool_new(NULL, 2, &pool);
	for (int i = 0; i < N; i++) {
		struct owned_arg *a = malloc(sizeof(*a));

		owners[i] = calloc(1, sizeof(**owners));
		owners[i]->done_calls = &done_calls;
		a->owner = owners[i];
		a->discards = &discards;
		job_submit(pool, &owned_ops, a, &owners[i]->job);
	}
	tap_ok(owners[0]->job != NULL && owners[N - 1]->job != NULL,
	       "submit stores the job in the owner's slot");
	/* Wait until both workers are inside a work function (running jobs). */
	while (atomic_load(&gate.waiting) < 2)
		usleep(100);
	/* Cancel and free the odd owners: two may be running, the rest queued. */
	for (int i = 1; i < N; i += 2) {
		job_cancel(&owners[i]->job);
		slots_cleared += owners[i]->job == NULL;
		free(owners[i]);
		owners[i] = NULL;
	}
	tap_eq_int(slots_cleared, N / 2, "job_cancel clears the slot");
	/* Cancel #0 too, twice: a second cancel of a cleared slot is a no-op. */
	job_cancel(&owners[0]->job);
	job_cancel(&owners[0]->job);
	gate_set(true);
	ran = job_pool_drain(pool);
	tap_eq_int((long long)ran, N, "drain ran done or discard for every job");
	tap_eq_int(done_calls, N / 2 - 1, "done ran only for jobs not cancelled");
	tap_eq_int(discards, N / 2 + 1, "discard ran once for each cancelled job");
	for (int i = 0; i < N; i += 2)
		free(owners[i]);
	job_pool_free(pool);
}

/* ---- shutdown with jobs in flight ---- */

static void test_shutdown_in_flight(void)
{
	enum { N = 64 };
	static struct owner owners[N];
	struct job_pool *pool;
	int done_calls = 0, discards = 0, cleared = 0;

	gate_set(false);
	job_pool_new(NULL, 2, &pool);
	for (int i = 0; i < N; i++) {
		struct owned_arg *a = malloc(sizeof(*a));

		owners[i].job = NULL;
		owners[i].done_calls = &done_calls;
		a->owner = &owners[i];
		a->discards = &discards;
		job_submit(pool, &owned_ops, a, &owners[i].job);
	}
	while (atomic_load(&gate.waiting) < 2)
		usleep(100);
	job_cancel(&owners[5].job);
	gate_set(true); /* the running ones finish; the rest stay queued or done-unread */
	job_pool_free(pool);
	for (int i = 0; i < N; i++)
		cleared += owners[i].job == NULL;
	tap_eq_int(done_calls, 0, "shutdown never runs done");
	tap_eq_int(discards, N, "shutdown discards every job (args freed: LSan checks)");
	tap_eq_int(cleared, N, "shutdown clears every live owner's slot");
}

/* ---- KE jobs ---- */

struct ke_party {
	struct job *job;
	struct job_ke_result got; /* scalar copy of the result */
	struct ke_keypair *keypair;
	struct secret *shared;
	int calls;
	bool on_loop;
};

static void ke_done(void *owner, struct job_ke_result *r)
{
	struct ke_party *p = owner;

	p->calls++;
	p->on_loop = pthread_equal(pthread_self(), loop_thread);
	p->got.err = r->err;
	p->got.op = r->op;
	p->got.response_len = r->response_len;
	memcpy(p->got.response, r->response, r->response_len);
	/* Take ownership of the keypair and the secret. */
	p->keypair = r->keypair;
	r->keypair = NULL;
	p->shared = r->shared;
	r->shared = NULL;
}

static void ke_done_leave(void *owner, struct job_ke_result *r)
{
	struct ke_party *p = owner;

	/* Takes nothing: the pool must free (wipe) what is left. */
	p->calls++;
	p->got.err = r->err;
}

static void test_ke_jobs(uint16_t group)
{
	struct job_pool *pool;
	struct ke_party init = { 0 }, resp = { 0 };
	const uint8_t *kei;
	size_t kei_len;
	int rc;

	job_pool_new(NULL, 2, &pool);
	rc = job_ke_keypair(pool, group, ke_done, &init, &init.job);
	job_pool_drain(pool);
	tap_ok(rc == 0 && init.calls == 1 && init.got.err == 0 && init.keypair,
	       "group %u: keypair job made a keypair", group);
	tap_ok(init.on_loop, "group %u: keypair completion on the loop thread", group);
	if (!init.keypair) {
		job_pool_free(pool);
		return;
	}
	kei = ke_public(init.keypair, &kei_len);
	job_ke_respond(pool, group, kei, kei_len, ke_done, &resp, &resp.job);
	job_pool_drain(pool);
	tap_ok(resp.calls == 1 && resp.got.err == 0 && resp.shared,
	       "group %u: respond job made KEr and a secret", group);
	tap_eq_int((long long)resp.got.response_len, (long long)ke_method_find(group)->response_len,
		   "group %u: KEr has the method's length", group);

	init.calls = 0;
	rc = job_ke_derive(pool, init.keypair, resp.got.response, resp.got.response_len,
			   ke_done, &init, &init.job);
	init.keypair = NULL; /* the job holds it now */
	job_pool_drain(pool);
	tap_ok(rc == 0 && init.calls == 1 && init.got.err == 0 && init.shared,
	       "group %u: derive job made a secret", group);
	tap_ok(init.keypair != NULL, "group %u: derive hands the keypair back", group);
	tap_ok(init.shared && resp.shared && init.shared->len == resp.shared->len &&
	       secret_equal(init.shared->bytes, resp.shared->bytes, init.shared->len),
	       "group %u: initiator and responder secrets agree", group);

	/* A bad KEr: the error comes back with the keypair. */
	init.calls = 0;
	secret_free(init.shared);
	init.shared = NULL;
	job_ke_derive(pool, init.keypair, resp.got.response, 3, ke_done, &init, &init.job);
	init.keypair = NULL;
	job_pool_drain(pool);
	tap_ok(init.calls == 1 && init.got.err == ERR_BAD_PUBLIC && !init.shared && init.keypair,
	       "group %u: a short KEr is ERR_BAD_PUBLIC, keypair returned", group);

	/* A completion that takes nothing, and a cancelled respond: no leak. */
	{
		struct ke_party lazy = { 0 }, gone = { 0 };

		job_ke_respond(pool, group, kei, kei_len, ke_done_leave, &lazy, &lazy.job);
		job_ke_respond(pool, group, kei, kei_len, ke_done, &gone, &gone.job);
		job_cancel(&gone.job);
		job_pool_drain(pool);
		tap_ok(lazy.calls == 1 && lazy.got.err == 0 && gone.calls == 0,
		       "group %u: cancelled KE job never completes; untaken results freed", group);
	}
	tap_eq_int(job_ke_respond(pool, group, kei, KE_MAX_PUBLIC + 1, ke_done, &resp, NULL),
		   ERR_INVAL, "group %u: an oversized KEi is refused at submit", group);

	ke_keypair_free(init.keypair);
	secret_free(init.shared);
	secret_free(resp.shared);
	job_pool_free(pool);
}

/* Shutdown with KE jobs queued: their secrets are freed (LSan checks). */
static void test_ke_shutdown(void)
{
	enum { N = 32 };
	static struct ke_party parties[N];
	struct job_pool *pool;
	uint8_t kei[32];
	int calls = 0;

	memset(kei, 9, sizeof(kei));
	job_pool_new(NULL, 1, &pool);
	for (int i = 0; i < N; i++)
		job_ke_respond(pool, KE_CURVE25519, kei, sizeof(kei), ke_done, &parties[i],
			       &parties[i].job);
	job_pool_free(pool);
	for (int i = 0; i < N; i++)
		calls += parties[i].calls;
	tap_eq_int(calls, 0, "pool freed with KE jobs queued: no completion ran");
}

int main(void)
{
	loop_thread = pthread_self();
	test_many_jobs(1);
	test_many_jobs(2);
	test_many_jobs(0);
	test_inline(JOB_INLINE_ALWAYS);
	test_inline(JOB_INLINE_IDLE);
	parse_inline();
	test_cancel();
	test_shutdown_in_flight();
	test_ke_jobs(KE_CURVE25519);
	test_ke_jobs(KE_ECP_256);
	test_ke_jobs(KE_MODP_2048);
	test_ke_shutdown();
	return tap_done();
}
