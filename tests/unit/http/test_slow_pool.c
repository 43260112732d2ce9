/* Unit tests for http/slow_pool.c: the two classes of pool run their jobs where they should,
 * and a full queue refuses work. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <pthread.h>
#include <sched.h>
#include <sys/resource.h>
#include <unistd.h>

#include "http/slow_pool.h"

struct seen {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool done;
	int policy, nice;
};

static void record(void *arg)
{
	struct seen *s = arg;
	int policy = sched_getscheduler(0);
	int nice = getpriority(PRIO_PROCESS, 0); /* Linux: the calling thread's */
	pthread_mutex_lock(&s->lock);
	s->policy = policy;
	s->nice = nice;
	s->done = true;
	pthread_cond_signal(&s->cond);
	pthread_mutex_unlock(&s->lock);
}

static struct seen run_on(enum slow_class cls)
{
	struct seen s = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, false, -1, 0};
	struct slow_pool *p = slow_pool_new(1, 4, cls);
	assert_non_null(p);
	assert_true(slow_pool_submit(p, record, &s));
	pthread_mutex_lock(&s.lock);
	while (!s.done)
		pthread_cond_wait(&s.cond, &s.lock);
	pthread_mutex_unlock(&s.lock);
	slow_pool_free(p);
	return s;
}

static void test_nice_pool_runs_below_the_http_threads_in_the_normal_class(void **state)
{
	(void)state;
	struct seen s = run_on(SLOW_NICE);
	assert_int_equal(s.policy, SCHED_OTHER);
	assert_int_equal(s.nice, SLOW_POOL_NICE);
	assert_int_equal(sched_getscheduler(0), SCHED_OTHER); /* the caller's own class is untouched */
}

static void test_idle_pool_runs_its_hashes_at_sched_idle(void **state)
{
	(void)state;
	struct seen s = run_on(SLOW_IDLE);
	assert_int_equal(s.policy, SCHED_IDLE);
	assert_int_equal(sched_getscheduler(0), SCHED_OTHER);
}

static pthread_mutex_t gate = PTHREAD_MUTEX_INITIALIZER;

static void blocked(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&gate);
	pthread_mutex_unlock(&gate);
}

static void test_a_full_queue_refuses_at_once(void **state)
{
	(void)state;
	pthread_mutex_lock(&gate);
	struct slow_pool *p = slow_pool_new(1, 2, SLOW_IDLE);
	assert_non_null(p);
	int accepted = 0;
	for (int i = 0; i < 5; i++)
		accepted += slow_pool_submit(p, blocked, NULL);
	/* one running (or about to) and two queued at most */
	assert_true(accepted >= 2 && accepted <= 3);
	pthread_mutex_unlock(&gate);
	slow_pool_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nice_pool_runs_below_the_http_threads_in_the_normal_class),
		cmocka_unit_test(test_idle_pool_runs_its_hashes_at_sched_idle),
		cmocka_unit_test(test_a_full_queue_refuses_at_once),
	};
	return cmocka_run_group_tests_name("http/slow_pool", tests, NULL, NULL);
}
