/*
 * job.c - worker threads, a job queue and an eventfd back to the loop.
 *
 * Two queues under one mutex: `todo` (submitted, not started) and `done`
 * (finished, not yet delivered). Workers sleep on a condition variable for
 * todo; a worker that moves a job onto an empty done queue writes the
 * eventfd once, so a burst of completions costs one wake-up. The loop side
 * reads the eventfd before taking jobs, so a completion that arrives while
 * it delivers either is in the batch or writes the eventfd again.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "common/err.h"
#include "common/job.h"
#include "common/log.h"

struct job {
	const struct job_ops *ops;
	void *arg;
	struct job **slot;      /* loop thread only; NULL once cancelled */
	atomic_bool cancelled;  /* set by the loop; workers read it as a hint */
	bool ran_inline;
	/* monotonic ns: submitted, taken by a worker, work finished (job_pool_stats) */
	uint64_t t_submit, t_start, t_finish;
	struct job *next;
};

struct job_queue {
	struct job *head;
	struct job *tail;
};

struct job_pool {
	struct event_base *base;
	struct event *ev;       /* the eventfd's read event (NULL without a base) */
	int efd;
	pthread_mutex_t lock;
	pthread_cond_t work_cv; /* todo became non-empty, or stopping */
	pthread_cond_t done_cv; /* done became non-empty (job_pool_drain) */
	struct job_queue todo;
	struct job_queue done;
	bool stopping;
	size_t pending;         /* loop thread only: submitted, not delivered */
	enum job_inline inline_mode;
	struct job_pool_stats stats; /* loop thread only */
	unsigned n_workers;
	unsigned n_started;
	pthread_t *threads;
	struct job_ke_cache *ke_cache; /* job_ke.c: keypairs reused (load generators) */
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void queue_push(struct job_queue *q, struct job *j)
{
	j->next = NULL;
	if (q->tail)
		q->tail->next = j;
	else
		q->head = j;
	q->tail = j;
}

static struct job *queue_pop(struct job_queue *q)
{
	struct job *j = q->head;

	if (j) {
		q->head = j->next;
		if (!q->head)
			q->tail = NULL;
		j->next = NULL;
	}
	return j;
}

/* Take up to max jobs (0 = all) off the done queue. */
static struct job *queue_take(struct job_queue *q, size_t max)
{
	struct job *first = q->head, *last = first;
	size_t n = 1;

	if (!first)
		return NULL;
	if (max == 0) {
		q->head = q->tail = NULL;
		return first;
	}
	while (n < max && last->next) {
		last = last->next;
		n++;
	}
	q->head = last->next;
	if (!q->head)
		q->tail = NULL;
	last->next = NULL;
	return first;
}

static void *worker_main(void *arg)
{
	struct job_pool *pool = arg;
	uint64_t one = 1;

	pthread_mutex_lock(&pool->lock);
	for (;;) {
		struct job *j;
		bool was_empty;

		while (!pool->todo.head && !pool->stopping)
			pthread_cond_wait(&pool->work_cv, &pool->lock);
		if (pool->stopping)
			break;
		j = queue_pop(&pool->todo);
		pthread_mutex_unlock(&pool->lock);

		j->t_start = now_ns();
		if (!atomic_load_explicit(&j->cancelled, memory_order_relaxed))
			j->ops->work(j->arg);
		j->t_finish = now_ns();

		pthread_mutex_lock(&pool->lock);
		was_empty = pool->done.head == NULL;
		queue_push(&pool->done, j);
		pthread_cond_signal(&pool->done_cv);
		if (was_empty && pool->efd >= 0) {
			ssize_t n;

			pthread_mutex_unlock(&pool->lock);
			/* EAGAIN only when the counter is saturated: a wake-up is pending anyway. */
			n = write(pool->efd, &one, sizeof(one));
			(void)n;
			pthread_mutex_lock(&pool->lock);
		}
	}
	pthread_mutex_unlock(&pool->lock);
	return NULL;
}

/* Loop thread: add a delivered job's times to the pool's sums. */
static void count_times(struct job_pool *pool, const struct job *j)
{
	struct job_pool_stats *s = &pool->stats;
	uint64_t now = now_ns(), queued, returned;

	if (!j->t_finish)
		return; /* never ran (shutdown) */
	queued = j->t_start - j->t_submit;
	returned = now - j->t_finish;
	s->run++;
	s->inline_run += j->ran_inline;
	s->queue_ns += queued;
	s->work_ns += j->t_finish - j->t_start;
	s->return_ns += returned;
	if (queued > s->queue_max_ns)
		s->queue_max_ns = queued;
	if (returned > s->return_max_ns)
		s->return_max_ns = returned;
}

/* Loop thread: run done (or discard) for one job and free it. */
static void job_finish(struct job_pool *pool, struct job *j, bool shutting_down)
{
	bool cancelled = atomic_load(&j->cancelled);

	count_times(pool, j);
	if (j->slot) {
		*j->slot = NULL;
		j->slot = NULL;
	}
	if (cancelled || shutting_down) {
		if (j->ops->discard)
			j->ops->discard(j->arg);
	} else {
		j->ops->done(j->arg);
	}
	pool->pending--;
	free(j);
}

static size_t deliver_list(struct job_pool *pool, struct job *list)
{
	size_t n = 0;

	while (list) {
		struct job *next = list->next;

		job_finish(pool, list, false);
		list = next;
		n++;
	}
	return n;
}

static void on_completions(evutil_socket_t fd, short what, void *arg)
{
	struct job_pool *pool = arg;
	uint64_t count;
	struct job *list;
	bool more;
	ssize_t n;

	(void)what;
	n = read(fd, &count, sizeof(count)); /* EAGAIN: woken by event_active */
	(void)n;
	pthread_mutex_lock(&pool->lock);
	list = queue_take(&pool->done, JOB_COMPLETION_BATCH);
	more = pool->done.head != NULL;
	pthread_mutex_unlock(&pool->lock);
	deliver_list(pool, list);
	/* Let other events run first; come back for the rest. */
	if (more && pool->ev)
		event_active(pool->ev, EV_READ, 0);
}

unsigned job_usable_cpus(void)
{
	cpu_set_t set;
	long n;

	/* taskset/cgroup cpusets: the CPUs we may run on, not all that exist */
	if (sched_getaffinity(0, sizeof(set), &set) == 0)
		n = CPU_COUNT(&set);
	else
		n = sysconf(_SC_NPROCESSORS_ONLN);
	if (n < 1)
		return 1;
	return n > JOB_MAX_WORKERS ? JOB_MAX_WORKERS : (unsigned)n;
}

static void stop_workers(struct job_pool *pool)
{
	pthread_mutex_lock(&pool->lock);
	pool->stopping = true;
	pthread_cond_broadcast(&pool->work_cv);
	pthread_mutex_unlock(&pool->lock);
	for (unsigned i = 0; i < pool->n_started; i++)
		pthread_join(pool->threads[i], NULL);
	pool->n_started = 0;
}

static int start_workers(struct job_pool *pool)
{
	sigset_t all, old;
	int rc = 0;

	/* Workers inherit a full signal mask: signals belong to the loop thread. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	for (unsigned i = 0; i < pool->n_workers; i++) {
		if (pthread_create(&pool->threads[i], NULL, worker_main, pool) != 0) {
			rc = ERR_STATE;
			break;
		}
		pool->n_started++;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc;
}

void job_pool_free(struct job_pool *pool)
{
	struct job *j;

	if (!pool)
		return;
	stop_workers(pool);
	while ((j = queue_pop(&pool->todo)))
		job_finish(pool, j, true);
	while ((j = queue_pop(&pool->done)))
		job_finish(pool, j, true);
	if (pool->ev)
		event_free(pool->ev);
	if (pool->efd >= 0)
		close(pool->efd);
	pthread_cond_destroy(&pool->done_cv);
	pthread_cond_destroy(&pool->work_cv);
	pthread_mutex_destroy(&pool->lock);
	job_ke_cache_free(pool->ke_cache);
	free(pool->threads);
	free(pool);
}

struct job_ke_cache **job_pool_ke_cache(struct job_pool *pool)
{
	return &pool->ke_cache;
}

int job_pool_new(struct event_base *base, unsigned workers, struct job_pool **out)
{
	struct job_pool *pool;
	int rc;

	*out = NULL;
	if (workers > JOB_MAX_WORKERS)
		return ERR_INVAL;
	pool = calloc(1, sizeof(*pool));
	if (!pool)
		return ERR_NOMEM;
	pool->base = base;
	pool->efd = -1;
	pool->n_workers = workers ? workers : job_usable_cpus();
	pthread_mutex_init(&pool->lock, NULL);
	pthread_cond_init(&pool->work_cv, NULL);
	pthread_cond_init(&pool->done_cv, NULL);
	pool->threads = calloc(pool->n_workers, sizeof(*pool->threads));
	if (!pool->threads) {
		job_pool_free(pool);
		return ERR_NOMEM;
	}
	if (base) {
		pool->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (pool->efd < 0) {
			log_error(&log_global, "job pool: eventfd: %s", strerror(errno));
			job_pool_free(pool);
			return ERR_IO;
		}
		pool->ev = event_new(base, pool->efd, EV_READ | EV_PERSIST,
				     on_completions, pool);
		if (!pool->ev || event_add(pool->ev, NULL) != 0) {
			job_pool_free(pool);
			return ERR_NOMEM;
		}
	}
	rc = start_workers(pool);
	if (rc < 0) {
		log_error(&log_global, "job pool: could not start %u worker threads",
			  pool->n_workers);
		job_pool_free(pool);
		return rc;
	}
	*out = pool;
	return 0;
}

unsigned job_pool_workers(const struct job_pool *pool)
{
	return pool->n_workers;
}

size_t job_pool_pending(const struct job_pool *pool)
{
	return pool->pending;
}

void job_pool_set_inline(struct job_pool *pool, enum job_inline mode)
{
	pool->inline_mode = mode;
}

static const char *const inline_names[] = { "never", "idle", "always" };

bool job_inline_parse(const char *s, enum job_inline *out)
{
	for (unsigned i = 0; i < sizeof(inline_names) / sizeof(inline_names[0]); i++)
		if (strcmp(s, inline_names[i]) == 0) {
			*out = (enum job_inline)i;
			return true;
		}
	return false;
}

const char *job_inline_name(enum job_inline mode)
{
	return (unsigned)mode < sizeof(inline_names) / sizeof(inline_names[0]) ?
		inline_names[mode] : "unknown";
}

void job_pool_stats(const struct job_pool *pool, struct job_pool_stats *out)
{
	*out = pool->stats;
}

/*
 * Run the work here, on the loop thread, and queue the job as finished; the
 * loop delivers it after the current callback returns (event_active: no
 * syscall, no other thread), or job_pool_drain() does without a base.
 */
static void run_inline(struct job_pool *pool, struct job *j)
{
	j->ran_inline = true;
	j->t_start = j->t_submit;
	j->ops->work(j->arg);
	j->t_finish = now_ns();
	pthread_mutex_lock(&pool->lock);
	queue_push(&pool->done, j);
	pthread_cond_signal(&pool->done_cv);
	pthread_mutex_unlock(&pool->lock);
	if (pool->ev)
		event_active(pool->ev, EV_READ, 0);
}

int job_submit(struct job_pool *pool, const struct job_ops *ops, void *arg,
	       struct job **slot)
{
	struct job *j = calloc(1, sizeof(*j));

	if (!j)
		return ERR_NOMEM;
	j->ops = ops;
	j->arg = arg;
	j->slot = slot;
	atomic_init(&j->cancelled, false);
	j->t_submit = now_ns();
	if (slot)
		*slot = j;
	if (pool->inline_mode == JOB_INLINE_ALWAYS ||
	    (pool->inline_mode == JOB_INLINE_IDLE && pool->pending == 0)) {
		pool->pending++;
		run_inline(pool, j);
		return 0;
	}
	pool->pending++;
	pthread_mutex_lock(&pool->lock);
	queue_push(&pool->todo, j);
	pthread_cond_signal(&pool->work_cv);
	pthread_mutex_unlock(&pool->lock);
	return 0;
}

void job_cancel(struct job **slot)
{
	struct job *j = slot ? *slot : NULL;

	if (!j)
		return;
	atomic_store(&j->cancelled, true);
	j->slot = NULL;
	*slot = NULL;
}

size_t job_pool_drain(struct job_pool *pool)
{
	size_t n = 0;

	while (pool->pending > 0) {
		struct job *list;

		pthread_mutex_lock(&pool->lock);
		while (!pool->done.head)
			pthread_cond_wait(&pool->done_cv, &pool->lock);
		list = queue_take(&pool->done, 0);
		pthread_mutex_unlock(&pool->lock);
		/* done functions may submit more: the loop waits for those too. */
		n += deliver_list(pool, list);
	}
	return n;
}
