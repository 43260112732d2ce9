/* Unit tests for http/slow_pool.c: the two classes of pool run their jobs where they should,
 * a full queue refuses work, and a thread that goes idle after work runs the idle hook once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <pthread.h>
#include <sched.h>
#include <sys/resource.h>
#include <time.h>
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

/* the idle hook's calls, and on which threads */
static pthread_mutex_t idle_lock = PTHREAD_MUTEX_INITIALIZER;
static int idle_calls;
static pthread_t idle_thread, job_thread;

static void on_idle(void *arg)
{
	assert_null(arg);
	pthread_mutex_lock(&idle_lock);
	idle_calls++;
	idle_thread = pthread_self();
	pthread_mutex_unlock(&idle_lock);
}

static void note_thread(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&idle_lock);
	job_thread = pthread_self();
	pthread_mutex_unlock(&idle_lock);
}

static int idle_calls_now(void)
{
	pthread_mutex_lock(&idle_lock);
	int n = idle_calls;
	pthread_mutex_unlock(&idle_lock);
	return n;
}

static void sleep_ms(long ms)
{
	struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
	while (nanosleep(&t, &t) != 0)
		;
}

/* waits up to 10 s (slow sanitizer builds) for the hook to have run `n` times */
static bool idle_calls_reach(int n)
{
	for (int i = 0; i < 1000 && idle_calls_now() < n; i++)
		sleep_ms(10);
	return idle_calls_now() >= n;
}

static void test_idle_hook_runs_once_on_a_thread_that_worked_then_idled(void **state)
{
	(void)state;
	struct slow_pool *p = slow_pool_new(1, 4, SLOW_IDLE);
	assert_non_null(p);
	slow_pool_on_idle(p, on_idle, 50);
	sleep_ms(300);
	assert_int_equal(idle_calls_now(), 0); /* nothing was done: nothing to give back */

	assert_true(slow_pool_submit(p, note_thread, NULL));
	assert_true(idle_calls_reach(1));
	pthread_mutex_lock(&idle_lock);
	assert_true(pthread_equal(idle_thread, job_thread)); /* on the thread that did the work */
	pthread_mutex_unlock(&idle_lock);
	sleep_ms(300);
	assert_int_equal(idle_calls_now(), 1); /* once per idle spell, not every 50 ms */

	assert_true(slow_pool_submit(p, note_thread, NULL)); /* a new burst, a new spell */
	assert_true(idle_calls_reach(2));
	slow_pool_free(p);
	assert_int_equal(idle_calls_now(), 2);
}

static void test_idle_hook_waits_out_a_busy_spell(void **state)
{
	(void)state;
	idle_calls = 0;
	struct slow_pool *p = slow_pool_new(1, 4, SLOW_NICE);
	assert_non_null(p);
	slow_pool_on_idle(p, on_idle, 1000);
	/* jobs every 50 ms for 1.5 s: the thread is never idle for a second */
	for (int i = 0; i < 30; i++) {
		assert_true(slow_pool_submit(p, note_thread, NULL));
		sleep_ms(50);
	}
	assert_int_equal(idle_calls_now(), 0);
	assert_true(idle_calls_reach(1));
	slow_pool_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nice_pool_runs_below_the_http_threads_in_the_normal_class),
		cmocka_unit_test(test_idle_pool_runs_its_hashes_at_sched_idle),
		cmocka_unit_test(test_a_full_queue_refuses_at_once),
		cmocka_unit_test(test_idle_hook_runs_once_on_a_thread_that_worked_then_idled),
		cmocka_unit_test(test_idle_hook_waits_out_a_busy_spell),
	};
	return cmocka_run_group_tests_name("http/slow_pool", tests, NULL, NULL);
}
