/*
 * job.h - the crypto job pool: costly work on worker threads, completions
 * back on the protocol loop (DESIGN.md "The path of a packet" step 4).
 *
 * The engines are single-threaded on one libevent loop. A handler that needs
 * a DH/KE computation submits a job and returns SUSPEND; a worker thread runs
 * the job's work function; the pool hands the finished job back to the loop
 * through an eventfd watched by a libevent event, and the loop thread runs
 * the job's done function, which re-enters the engine. At most
 * JOB_COMPLETION_BATCH completions run per wake-up, so a burst of finished
 * jobs never starves packet input.
 *
 * Ownership and cancellation. A job belongs to an owner (an SA) that may go
 * away while the job is queued or running. The owner keeps a handle slot
 * (struct job *) and passes its address at submit:
 *   - the pool stores the job in *slot, and sets *slot = NULL on the loop
 *     thread just before done runs, so a slot is never stale;
 *   - job_cancel(&slot) (loop thread) marks the job cancelled and clears the
 *     slot; from then on the pool never touches the owner again: the work is
 *     skipped if it has not started, and instead of done the pool calls the
 *     job's discard function, which frees the argument (wiping secrets).
 * Both the decision (done or discard) and the cancel happen on the loop
 * thread, so there is no race between an owner's free and its callback.
 * job_pool_free() discards every job not yet completed (owners alive at that
 * moment get their slot cleared).
 *
 * Threads: job_submit, job_cancel, job_pool_drain and job_pool_free are
 * called on the loop thread only. This is the only module with locks.
 */
#ifndef DUALIKE_COMMON_JOB_H
#define DUALIKE_COMMON_JOB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/ke.h"
#include "common/secret.h"

struct event_base;
struct job;
struct job_pool;

/* Completions run per loop wake-up before the loop looks at other events. */
#define JOB_COMPLETION_BATCH 64
/* Upper bound on configured workers. */
#define JOB_MAX_WORKERS 256

struct job_ops {
	/* On a worker thread: compute into arg. Must not touch engine state. */
	void (*work)(void *arg);
	/* On the loop thread, when not cancelled: consume the result; owns arg. */
	void (*done)(void *arg);
	/* On the loop thread, when cancelled (or at pool shutdown): free arg,
	 * wiping any key material. May be NULL when arg needs no freeing. */
	void (*discard)(void *arg);
};

/* CPUs this process may run on (its affinity mask), at least 1. */
unsigned job_usable_cpus(void);

/*
 * A pool of `workers` threads (0 = job_usable_cpus()) whose
 * completions run on `base`'s loop. With base NULL nothing watches the
 * eventfd and completions run only in job_pool_drain() (tests, exchange
 * tests, benchmarks). ERR_NOMEM, ERR_IO (eventfd), ERR_INVAL (more than
 * JOB_MAX_WORKERS), ERR_STATE (a thread could not start).
 */
int job_pool_new(struct event_base *base, unsigned workers, struct job_pool **out);
/* Stop the workers (the job each is running finishes first), discard every
 * job not yet completed, free the pool. NULL is allowed. Loop thread, not
 * from inside a done or discard function; before event_base_free(base). */
void job_pool_free(struct job_pool *pool);
unsigned job_pool_workers(const struct job_pool *pool);
/* Jobs submitted whose done/discard has not run yet. */
size_t job_pool_pending(const struct job_pool *pool);

/*
 * Where a job's work runs. A hand-off costs two thread wake-ups (the
 * worker's, then the loop's eventfd), which is a large share of a cheap job
 * such as an X25519 KE (~60 us), and buys nothing when the loop's core is
 * the only one free. Inline work runs in job_submit() on the loop thread;
 * its done function still runs later, from the loop, exactly as a worker's
 * would (never inside the submitter).
 */
enum job_inline {
	JOB_INLINE_NEVER,  /* every job to a worker (the default) */
	JOB_INLINE_IDLE,   /* inline when no other job is pending, else a worker */
	JOB_INLINE_ALWAYS, /* every job on the loop thread */
};
void job_pool_set_inline(struct job_pool *pool, enum job_inline mode);
/* "never", "idle", "always" (config and stats); false when unknown. */
bool job_inline_parse(const char *s, enum job_inline *out);
const char *job_inline_name(enum job_inline mode);

/*
 * Where a job's time goes, summed over the jobs delivered (done or
 * discard) since the pool was made, in nanoseconds: queued (submit to a
 * worker taking it), working, and waiting for the loop (work finished to
 * done called). Inline jobs count in `inline_run` and add no queue time.
 */
struct job_pool_stats {
	uint64_t run;
	uint64_t inline_run;
	uint64_t queue_ns, work_ns, return_ns;
	uint64_t queue_max_ns, return_max_ns;
};
void job_pool_stats(const struct job_pool *pool, struct job_pool_stats *out);

/*
 * Queue a job. ops must outlive the job (use a static const table). slot may
 * be NULL for a job nobody will cancel. ERR_NOMEM leaves nothing queued and
 * arg untouched (still the caller's).
 */
int job_submit(struct job_pool *pool, const struct job_ops *ops, void *arg,
	       struct job **slot);
/* Cancel the job in *slot, if any, and clear the slot. Loop thread only. */
void job_cancel(struct job **slot);

/*
 * Block until every submitted job has finished and run their done/discard
 * functions here; returns how many ran. For tests and for stepping two
 * in-process engines message by message; the daemon never calls it.
 */
size_t job_pool_drain(struct job_pool *pool);

/* ---- key exchange jobs (common/ke.h) ---- */

enum job_ke_op {
	JOB_KE_KEYPAIR, /* ke_keypair_new(group) */
	JOB_KE_DERIVE,  /* ke_derive(keypair, peer) */
	JOB_KE_RESPOND, /* ke_respond(group, peer) */
};

/*
 * The result a KE job hands to its done callback. The callback OWNS
 * `keypair` and `shared`: it must keep them (moving them into its SA and
 * setting the fields to NULL) or free them; whatever it leaves in the struct
 * is freed (wiped) by the pool after the callback returns, and everything is
 * when the job is cancelled. `err` is 0 or the ke.h error of the operation.
 */
struct job_ke_result {
	enum job_ke_op op;
	uint16_t group;
	int err;
	struct ke_keypair *keypair; /* KEYPAIR: the new one; DERIVE: the one given, back */
	struct secret *shared;      /* DERIVE, RESPOND: the shared secret */
	size_t response_len;        /* RESPOND: KEr (response_len octets) */
	uint8_t response[KE_MAX_PUBLIC];
};

typedef void (*job_ke_done_fn)(void *owner, struct job_ke_result *result);

/*
 * Initiator: a fresh keypair for group (KEi); with job_pool_set_ke_reuse a
 * copy of the pool's current one while it has uses left.
 */
int job_ke_keypair(struct job_pool *pool, uint16_t group, job_ke_done_fn done,
		   void *owner, struct job **slot);

/*
 * For load generators only (dualike-load --ke-reuse; the daemon never
 * calls it): each keypair job_ke_keypair() makes is handed out `uses`
 * times in all, as copies, before a fresh one is drawn. RFC 7296 2.12
 * allows an initiator to reuse a DH value for several SAs; a generator
 * that does so spends its CPU on the exchanges, not on keypairs, while
 * the responder's work stays the same. The pool's copy is wiped when it
 * is replaced or the pool is freed. 0 or 1: every keypair fresh (the
 * default). Loop thread only.
 */
void job_pool_set_ke_reuse(struct job_pool *pool, unsigned uses);

/* Between job.c and job_ke.c, not for callers: the pool's reuse state. */
struct job_ke_cache;
struct job_ke_cache **job_pool_ke_cache(struct job_pool *pool);
void job_ke_cache_free(struct job_ke_cache *cache);
/*
 * Initiator, after KEr: derive the shared secret. The job takes `keypair`
 * (it must not be used or freed while the job runs) and hands it back in the
 * result; on ERR_NOMEM from this call the keypair stays the caller's. The
 * peer's value is copied. ERR_INVAL when peer_len > KE_MAX_PUBLIC.
 */
int job_ke_derive(struct job_pool *pool, struct ke_keypair *keypair,
		  const uint8_t *peer, size_t peer_len, job_ke_done_fn done,
		  void *owner, struct job **slot);
/* Responder: KEr and the shared secret from KEi (copied). */
int job_ke_respond(struct job_pool *pool, uint16_t group, const uint8_t *peer,
		   size_t peer_len, job_ke_done_fn done, void *owner,
		   struct job **slot);

#endif
