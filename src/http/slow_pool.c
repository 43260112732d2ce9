/* slow_pool.c: see slow_pool.h. A ring buffer under one mutex; jobs are few and long. */
#include "http/slow_pool.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

struct job {
	slow_job_fn fn;
	void *arg;
};

struct slow_pool {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct job *ring;
	size_t cap, head, len;
	bool stopping;
	enum slow_class cls;
	slow_job_fn idle_fn; /* slow_pool_on_idle() */
	unsigned idle_ms;
	size_t n_threads;
	pthread_t threads[];
};

static void *worker(void *arg)
{
	struct slow_pool *p = arg;
	/* below the HTTP threads: a flood of logins must not starve verifications (Linux applies
	 * a nice value or a class to the calling thread alone) */
	if (setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), SLOW_POOL_NICE) != 0)
		(void)0; /* not permitted: run at normal priority */
	if (p->cls == SLOW_IDLE) {
		struct sched_param sp = {.sched_priority = 0};
		(void)pthread_setschedparam(pthread_self(), SCHED_IDLE, &sp); /* always permitted */
	}
	bool worked = false; /* since this thread last ran the idle hook */
	for (;;) {
		pthread_mutex_lock(&p->lock);
		while (p->len == 0 && !p->stopping) {
			if (!worked || !p->idle_fn) {
				pthread_cond_wait(&p->cond, &p->lock);
				continue;
			}
			struct timespec until;
			clock_gettime(CLOCK_MONOTONIC, &until);
			until.tv_sec += (time_t)(p->idle_ms / 1000);
			until.tv_nsec += (long)(p->idle_ms % 1000) * 1000000L;
			if (until.tv_nsec >= 1000000000L) {
				until.tv_sec++;
				until.tv_nsec -= 1000000000L;
			}
			if (pthread_cond_timedwait(&p->cond, &p->lock, &until) == ETIMEDOUT && p->len == 0 &&
			    !p->stopping) {
				slow_job_fn idle = p->idle_fn;
				worked = false;
				pthread_mutex_unlock(&p->lock);
				idle(NULL);
				pthread_mutex_lock(&p->lock);
			}
		}
		if (p->len == 0 && p->stopping) {
			pthread_mutex_unlock(&p->lock);
			return NULL;
		}
		struct job j = p->ring[p->head];
		p->head = (p->head + 1) % p->cap;
		p->len--;
		pthread_mutex_unlock(&p->lock);
		j.fn(j.arg);
		worked = true;
	}
}

struct slow_pool *slow_pool_new(size_t threads, size_t queue_max, enum slow_class cls)
{
	struct slow_pool *p = calloc(1, sizeof *p + threads * sizeof(pthread_t));
	if (!p)
		return NULL;
	p->ring = calloc(queue_max, sizeof *p->ring);
	if (!p->ring) {
		free(p);
		return NULL;
	}
	p->cap = queue_max;
	p->cls = cls;
	pthread_mutex_init(&p->lock, NULL);
	pthread_condattr_t attr; /* idle waits are timed on the monotonic clock */
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&p->cond, &attr);
	pthread_condattr_destroy(&attr);
	for (size_t i = 0; i < threads; i++) {
		if (pthread_create(&p->threads[i], NULL, worker, p) != 0)
			break;
		p->n_threads++;
	}
	if (p->n_threads == 0) {
		slow_pool_free(p);
		return NULL;
	}
	return p;
}

void slow_pool_on_idle(struct slow_pool *p, slow_job_fn fn, unsigned after_ms)
{
	pthread_mutex_lock(&p->lock);
	p->idle_fn = fn;
	p->idle_ms = after_ms;
	pthread_cond_broadcast(&p->cond); /* threads already waiting start timing */
	pthread_mutex_unlock(&p->lock);
}

bool slow_pool_submit(struct slow_pool *p, slow_job_fn fn, void *arg)
{
	pthread_mutex_lock(&p->lock);
	if (p->len == p->cap || p->stopping) {
		pthread_mutex_unlock(&p->lock);
		return false;
	}
	p->ring[(p->head + p->len) % p->cap] = (struct job){fn, arg};
	p->len++;
	pthread_cond_signal(&p->cond);
	pthread_mutex_unlock(&p->lock);
	return true;
}

void slow_pool_shutdown(struct slow_pool *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	bool already = p->stopping;
	p->stopping = true;
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->lock);
	if (already)
		return;
	for (size_t i = 0; i < p->n_threads; i++)
		pthread_join(p->threads[i], NULL);
}

void slow_pool_free(struct slow_pool *p)
{
	if (!p)
		return;
	slow_pool_shutdown(p);
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->cond);
	free(p->ring);
	free(p);
}
