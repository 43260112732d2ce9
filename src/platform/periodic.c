/* periodic.c: see periodic.h. */
#include "platform/periodic.h"

#include <pthread.h>
#include <stdlib.h>
#include <time.h>

struct periodic {
	periodic_fn fn;
	void *arg;
	int64_t interval_ms;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	atomic_int stopping;
};

static void *periodic_main(void *arg)
{
	struct periodic *p = arg;
	pthread_mutex_lock(&p->lock);
	while (!atomic_load(&p->stopping)) {
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += p->interval_ms / 1000;
		until.tv_nsec += (p->interval_ms % 1000) * 1000000L;
		until.tv_sec += until.tv_nsec / 1000000000L;
		until.tv_nsec %= 1000000000L;
		pthread_cond_timedwait(&p->wake, &p->lock, &until);
		if (atomic_load(&p->stopping))
			break;
		pthread_mutex_unlock(&p->lock);
		p->fn(p->arg, &p->stopping);
		pthread_mutex_lock(&p->lock);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

struct periodic *periodic_start(periodic_fn fn, void *arg, int64_t interval_ms)
{
	struct periodic *p = calloc(1, sizeof *p);
	if (!p)
		return NULL;
	p->fn = fn;
	p->arg = arg;
	p->interval_ms = interval_ms > 0 ? interval_ms : 1;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->wake, NULL);
	if (pthread_create(&p->thread, NULL, periodic_main, p) != 0) {
		pthread_mutex_destroy(&p->lock);
		pthread_cond_destroy(&p->wake);
		free(p);
		return NULL;
	}
	return p;
}

void periodic_stop(struct periodic *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	atomic_store(&p->stopping, 1);
	pthread_cond_signal(&p->wake);
	pthread_mutex_unlock(&p->lock);
	pthread_join(p->thread, NULL);
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->wake);
	free(p);
}
