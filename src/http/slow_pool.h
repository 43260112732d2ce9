/* slow_pool.h: a fixed set of threads with a bounded queue for slow work (Argon2id), so
 * that it never runs on, or starves, the HTTP threads. A full queue refuses new work at
 * once (the caller answers 503 OVERLOADED) instead of queueing without bound.
 *
 * Two classes of pool. SLOW_NICE threads run at nice SLOW_POOL_NICE and take whole handlers
 * (which hold database connections and the writer) as well as hashes. SLOW_IDLE threads run at
 * SCHED_IDLE and take only hashes that hold nothing (a request's slow_fn): any runnable thread
 * of normal class takes the core from them at once, so a login flood's Argon2id gets only what
 * the rest leaves. Nothing that holds a lock runs at SCHED_IDLE, where it could wait for a core
 * while every HTTP thread waits for it. */
#ifndef TF_HTTP_SLOW_POOL_H
#define TF_HTTP_SLOW_POOL_H
#include <stdbool.h>
#include <stddef.h>

struct slow_pool;

/* the nice value of the pool's threads: below the HTTP threads */
#define SLOW_POOL_NICE 10
typedef void (*slow_job_fn)(void *arg);

enum slow_class { SLOW_NICE, SLOW_IDLE };

struct slow_pool *slow_pool_new(size_t threads, size_t queue_max, enum slow_class cls);
/* Has each thread that has run a job and then found none for after_ms call fn(NULL), once, before
 * it waits untimed: what a job left cached for the next (password.c's work area) goes back to
 * the system between bursts of work. */
void slow_pool_on_idle(struct slow_pool *p, slow_job_fn fn, unsigned after_ms);
/* Returns false when the queue is full. */
bool slow_pool_submit(struct slow_pool *p, slow_job_fn fn, void *arg);
/* Refuses new work, finishes the queued jobs and stops the threads; the pool stays valid, so a
 * late slow_pool_submit() returns false instead of touching freed memory. */
void slow_pool_shutdown(struct slow_pool *p);
/* Shuts the pool down if needed and frees it. */
void slow_pool_free(struct slow_pool *p);

#endif
