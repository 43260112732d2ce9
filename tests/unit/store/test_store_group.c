/* Unit tests for store/store_sqlite_group.c: group commit on a real SQLite file. Two threads
 * are made to share a batch on purpose: the second blocks in tx_begin while the first holds the
 * writer, so with durability full the first leaves the COMMIT to it (invariant 4 of the file's
 * head comment); with durability normal it commits its own. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <pthread.h>
#include <semaphore.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "platform/log.h"
#include "store/store_sqlite_int.h"
#include "support/temp_store.h"

/* long enough that no counter here outlives its window */
#define COUNTER_WINDOW_MS (3600 * 1000LL)

struct fixture {
	char dir[TEMP_STORE_DIR_MAX];
	struct store *st;
};

static int setup_with(void **state, const char *durability)
{
	struct fixture *f = calloc(1, sizeof *f);
	temp_store_open(f->dir, durability, &f->st);
	*state = f;
	return 0;
}

/* durability normal: every holder commits its own work */
static int setup(void **state)
{
	return setup_with(state, "normal");
}

/* durability full (an fsync per COMMIT): a holder leaves its COMMIT to a waiting thread */
static int setup_full(void **state)
{
	return setup_with(state, "full");
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	temp_store_remove(f->dir, f->st);
	free(f);
	return 0;
}

static struct group *group_of(struct store *st)
{
	return &((struct sqlite_store *)st)->group;
}

/* The committed count of a counter, read on a pooled (reader) connection. */
static int64_t committed(struct store *st, const char *key)
{
	struct store_conn *c;
	struct rate_count n = {0};
	assert_int_equal(st->ops->acquire(st, &c), TF_OK);
	assert_int_equal(STORE(c)->counter_get(c, key, 1, COUNTER_WINDOW_MS, &n), TF_OK);
	STORE(c)->release(c);
	return n.count;
}

/* Waits until n threads wait for the writer. */
static void wait_for_waiters(struct store *st, int n)
{
	for (int i = 0; i < 5000 && atomic_load(&group_of(st)->waiting) < n; i++)
		usleep(1000);
	assert_int_equal(atomic_load(&group_of(st)->waiting), n);
}

enum second_kind { SECOND_COMMITS, SECOND_FAILS, SECOND_LONE, SECOND_BREAKS_FK };

struct second {
	struct store *st;
	enum second_kind kind;
	enum tf_err result;
	sem_t *gate; /* when set: inside its transaction, it waits for this before it ends it */
};

/* The second writer: a transaction that commits, fails, or breaks a (deferred) foreign key, or a
 * lone write. */
static void *second_writer(void *arg)
{
	struct second *s = arg;
	struct store_conn *c;
	struct rate_count n = {0};
	if (s->st->ops->acquire(s->st, &c) != TF_OK) {
		s->result = TF_ERR_INTERNAL;
		return NULL;
	}
	if (s->kind == SECOND_LONE) {
		s->result = STORE(c)->counter_hit(c, "second", 1, COUNTER_WINDOW_MS, &n);
		STORE(c)->release(c);
		return NULL;
	}
	enum tf_err e = STORE(c)->tx_begin(c);
	if (e == TF_OK)
		e = STORE(c)->counter_hit(c, "second", 1, COUNTER_WINDOW_MS, &n);
	if (s->gate)
		sem_wait(s->gate);
	if (e == TF_OK && s->kind == SECOND_FAILS)
		e = TF_ERR_NOT_FOUND; /* the request fails after writing */
	if (e == TF_OK && s->kind == SECOND_BREAKS_FK) {
		/* checked at COMMIT only: the batch's COMMIT fails */
		sqlite3_exec(db_of(c), "PRAGMA defer_foreign_keys=ON", NULL, NULL, NULL);
		struct factor_row fr = {.factor_id = "fac_orphan", .app_id = "app_x", .user_id = "usr_nobody",
					.type = FACTOR_TOTP, .status = FACTOR_ACTIVE, .last_totp_step = -1};
		e = STORE(c)->factor_insert(c, &fr);
	}
	s->result = store_tx_end(c, e);
	STORE(c)->release(c);
	return NULL;
}

/* The first writer holds a transaction with one counter hit while the second starts, then
 * commits; returns tx_commit's result. */
static enum tf_err first_with_second(struct store *st, struct second *s, pthread_t *t)
{
	struct store_conn *c;
	struct rate_count n = {0};
	assert_int_equal(st->ops->acquire(st, &c), TF_OK);
	assert_int_equal(STORE(c)->tx_begin(c), TF_OK);
	assert_int_equal(STORE(c)->counter_hit(c, "first", 1, COUNTER_WINDOW_MS, &n), TF_OK);
	assert_int_equal(pthread_create(t, NULL, second_writer, s), 0);
	wait_for_waiters(st, 1);
	enum tf_err e = STORE(c)->tx_commit(c); /* leaves the COMMIT to the second, and waits for it */
	STORE(c)->release(c);
	return e;
}

/* After a failed COMMIT, the writer goes on with the next batch: a lone write commits. */
static void assert_writer_goes_on(struct store *st)
{
	struct store_conn *c;
	struct rate_count n = {0};
	assert_int_equal(st->ops->acquire(st, &c), TF_OK);
	assert_int_equal(STORE(c)->counter_hit(c, "after", 1, COUNTER_WINDOW_MS, &n), TF_OK);
	STORE(c)->release(c);
	assert_int_equal(committed(st, "after"), 1);
}

static void test_two_transactions_share_one_commit(void **state)
{
	struct fixture *f = *state;
	struct second s = {.st = f->st, .kind = SECOND_COMMITS};
	pthread_t t;
	assert_int_equal(first_with_second(f->st, &s, &t), TF_OK);
	pthread_join(t, NULL);
	assert_int_equal(s.result, TF_OK);
	assert_int_equal(committed(f->st, "first"), 1);
	assert_int_equal(committed(f->st, "second"), 1);
	assert_int_equal(group_of(f->st)->transactions, 2);
	assert_int_equal(group_of(f->st)->batches, 1);
}

static void test_failing_request_leaves_others_in_its_batch(void **state)
{
	struct fixture *f = *state;
	struct second s = {.st = f->st, .kind = SECOND_FAILS};
	pthread_t t;
	assert_int_equal(first_with_second(f->st, &s, &t), TF_OK);
	pthread_join(t, NULL);
	assert_int_equal(s.result, TF_ERR_NOT_FOUND);
	assert_int_equal(committed(f->st, "first"), 1);  /* committed by the failing one's settle */
	assert_int_equal(committed(f->st, "second"), 0); /* its savepoint was undone */
	assert_int_equal(group_of(f->st)->batches, 1);
}

static void test_lone_write_joins_the_batch(void **state)
{
	struct fixture *f = *state;
	struct second s = {.st = f->st, .kind = SECOND_LONE};
	pthread_t t;
	assert_int_equal(first_with_second(f->st, &s, &t), TF_OK);
	pthread_join(t, NULL);
	assert_int_equal(s.result, TF_OK);
	assert_int_equal(committed(f->st, "first"), 1);
	assert_int_equal(committed(f->st, "second"), 1);
	assert_int_equal(group_of(f->st)->transactions, 2);
	assert_int_equal(group_of(f->st)->batches, 1);
}

/* With durability normal a COMMIT is only a write into the WAL: the first commits its own
 * transaction rather than wait for the second's, and each is answered on its own commit. */
static void test_without_fsync_each_holder_commits_its_own(void **state)
{
	struct fixture *f = *state;
	struct second s = {.st = f->st, .kind = SECOND_BREAKS_FK};
	pthread_t t;
	assert_int_equal(first_with_second(f->st, &s, &t), TF_OK); /* not the second's failure */
	pthread_join(t, NULL);
	assert_int_not_equal(s.result, TF_OK);
	assert_int_equal(committed(f->st, "first"), 1);
	assert_int_equal(committed(f->st, "second"), 0);
	assert_int_equal(group_of(f->st)->transactions, 2);
	assert_int_equal(group_of(f->st)->batches, 2);
}

static void test_failed_commit_fails_every_member(void **state)
{
	struct fixture *f = *state;
	struct second s = {.st = f->st, .kind = SECOND_BREAKS_FK};
	pthread_t t;
	assert_int_not_equal(first_with_second(f->st, &s, &t), TF_OK); /* answered with the batch's error */
	pthread_join(t, NULL);
	assert_int_not_equal(s.result, TF_OK);
	assert_int_equal(committed(f->st, "first"), 0);
	assert_int_equal(committed(f->st, "second"), 0);
	assert_writer_goes_on(f->st);
}

static void test_reads_in_a_transaction_see_its_writes_others_do_not(void **state)
{
	struct fixture *f = *state;
	struct store_conn *c;
	struct rate_count n = {0};
	assert_int_equal(f->st->ops->acquire(f->st, &c), TF_OK);
	assert_int_equal(STORE(c)->tx_begin(c), TF_OK);
	assert_int_equal(STORE(c)->counter_hit(c, "k", 1, COUNTER_WINDOW_MS, &n), TF_OK);
	assert_int_equal(STORE(c)->counter_get(c, "k", 1, COUNTER_WINDOW_MS, &n), TF_OK);
	assert_int_equal(n.count, 1);               /* its own write */
	assert_int_equal(committed(f->st, "k"), 0); /* not committed yet */
	assert_int_equal(STORE(c)->tx_commit(c), TF_OK);
	assert_int_equal(committed(f->st, "k"), 1);
	STORE(c)->release(c);
}

static void test_rolled_back_transaction_leaves_nothing(void **state)
{
	struct fixture *f = *state;
	struct store_conn *c;
	struct rate_count n = {0};
	assert_int_equal(f->st->ops->acquire(f->st, &c), TF_OK);
	assert_int_equal(STORE(c)->tx_begin(c), TF_OK);
	assert_int_equal(STORE(c)->counter_hit(c, "r", 1, COUNTER_WINDOW_MS, &n), TF_OK);
	STORE(c)->tx_rollback(c);
	assert_int_equal(STORE(c)->counter_hit(c, "lone", 1, COUNTER_WINDOW_MS, &n), TF_OK);
	STORE(c)->release(c);
	assert_int_equal(committed(f->st, "r"), 0);
	assert_int_equal(committed(f->st, "lone"), 1);
}

/* A caller that asked for its commit later (store_conn.commit_later, as an HTTP thread does):
 * what the call made to it after the COMMIT saw. */
struct durable_call {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int calls;
	enum tf_err result;
	int64_t committed_then; /* the key's committed count, read inside the call */
	struct store *st;
	const char *key;
};

static void durable_called(void *arg, enum tf_err e)
{
	struct durable_call *d = arg;
	int64_t seen = committed(d->st, d->key);
	pthread_mutex_lock(&d->lock);
	d->calls++;
	d->result = e;
	d->committed_then = seen;
	pthread_cond_signal(&d->cond);
	pthread_mutex_unlock(&d->lock);
}

/* Waits for the call; its result. */
static enum tf_err wait_called(struct durable_call *d)
{
	pthread_mutex_lock(&d->lock);
	while (d->calls == 0)
		pthread_cond_wait(&d->cond, &d->lock);
	pthread_mutex_unlock(&d->lock);
	assert_int_equal(d->calls, 1);
	return d->result;
}

/* The result of c's deferred writes as the caller learns it: at once, or from the call, once
 * the caller's thread has flushed before waiting (as an HTTP thread does between its turns). */
static enum tf_err when_durable(struct store_conn *c, struct durable_call *d)
{
	enum tf_err now;
	if (store_when_durable(c, durable_called, d, &now) == STORE_DURABLE_NOW) {
		d->committed_then = committed(d->st, d->key);
		return now;
	}
	store_flush(d->st);
	return wait_called(d);
}

/* A transaction whose caller does not wait for its COMMIT: the caller is told only once it
 * is committed, and what it wrote is then in the database for every reader. */
static void test_deferred_commit_is_reported_after_it_is_made(void **state)
{
	struct fixture *f = *state;
	struct durable_call d = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, .st = f->st, .key = "late"};
	struct store_conn *c;
	struct rate_count n = {0};
	for (int round = 0; round < 50; round++) {
		d.calls = 0;
		assert_int_equal(f->st->ops->acquire(f->st, &c), TF_OK);
		c->commit_later = true;
		assert_int_equal(STORE(c)->tx_begin(c), TF_OK);
		assert_int_equal(STORE(c)->counter_hit(c, "late", 1, COUNTER_WINDOW_MS, &n), TF_OK);
		assert_int_equal(STORE(c)->tx_commit(c), TF_OK);
		assert_int_equal(when_durable(c, &d), TF_OK);
		assert_int_equal(d.committed_then, round + 1);
		c->commit_later = false;
		STORE(c)->release(c);
	}
	assert_true(group_of(f->st)->deferred >= 50);
}

/* A deferred transaction that ends while another writer waits for the lock is left to that
 * writer's COMMIT: it ends at once, uncommitted, and its caller is told after that COMMIT, with
 * its result, whether that writer's own transaction commits or breaks the COMMIT. */
static void test_deferred_commit_is_left_to_the_writer_waiting(void **state)
{
	struct fixture *f = *state;
	for (int breaks = 0; breaks < 2; breaks++) {
		const char *key = breaks ? "left-broken" : "left";
		struct durable_call d = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, .st = f->st, .key = key};
		sem_t gate;
		sem_init(&gate, 0, 0);
		struct second s = {.st = f->st, .kind = breaks ? SECOND_BREAKS_FK : SECOND_COMMITS, .gate = &gate};
		struct store_conn *c;
		struct rate_count n = {0};
		pthread_t t;
		enum tf_err e;
		assert_int_equal(f->st->ops->acquire(f->st, &c), TF_OK);
		c->commit_later = true;
		assert_int_equal(STORE(c)->tx_begin(c), TF_OK);
		assert_int_equal(STORE(c)->counter_hit(c, key, 1, COUNTER_WINDOW_MS, &n), TF_OK);
		assert_int_equal(pthread_create(&t, NULL, second_writer, &s), 0);
		wait_for_waiters(f->st, 1);
		assert_int_equal(STORE(c)->tx_commit(c), TF_OK); /* ended; the second now holds the writer */
		assert_int_equal(committed(f->st, key), 0);
		assert_int_equal(store_when_durable(c, durable_called, &d, &e), STORE_DURABLE_LATER);
		sem_post(&gate); /* the second ends its transaction and, nobody waiting, commits both */
		e = wait_called(&d);
		pthread_join(t, NULL);
		sem_destroy(&gate);
		if (breaks) {
			assert_int_not_equal(e, TF_OK);
			assert_int_not_equal(s.result, TF_OK);
			assert_int_equal(d.committed_then, 0);
		} else {
			assert_int_equal(e, TF_OK);
			assert_int_equal(s.result, TF_OK);
			assert_int_equal(d.committed_then, 1);
		}
		c->commit_later = false;
		STORE(c)->release(c);
	}
}

/* A deferred transaction whose COMMIT fails: the caller, told it ended, learns the failure
 * before it answers, and the connection's next statement reports it too. */
static void test_deferred_commit_that_fails_is_reported(void **state)
{
	struct fixture *f = *state;
	struct durable_call d = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, .st = f->st, .key = "doomed"};
	struct store_conn *c;
	struct rate_count n = {0};
	struct factor_row orphan = {.factor_id = "fac_orphan", .app_id = "app_x", .user_id = "usr_nobody",
				    .type = FACTOR_TOTP, .status = FACTOR_ACTIVE, .last_totp_step = -1};
	for (int how = 0; how < 2; how++) {
		d.calls = 0;
		assert_int_equal(f->st->ops->acquire(f->st, &c), TF_OK);
		c->commit_later = true;
		assert_int_equal(STORE(c)->tx_begin(c), TF_OK);
		assert_int_equal(STORE(c)->counter_hit(c, "doomed", 1, COUNTER_WINDOW_MS, &n), TF_OK);
		sqlite3_exec(db_of(c), "PRAGMA defer_foreign_keys=ON", NULL, NULL, NULL); /* checked at COMMIT */
		assert_int_equal(STORE(c)->factor_insert(c, &orphan), TF_OK);
		assert_int_equal(STORE(c)->tx_commit(c), TF_OK); /* ended; its COMMIT is still to come */
		if (how == 0) {
			assert_int_not_equal(when_durable(c, &d), TF_OK);
			/* and again to the final call, made as the answer is (dispatch_finish) */
			enum tf_err final;
			assert_int_equal(store_when_durable(c, NULL, NULL, &final), STORE_DURABLE_NOW);
			assert_int_not_equal(final, TF_OK);
		} else { /* the connection used again before asking: the failure is still the answer's */
			assert_int_not_equal(STORE(c)->counter_get(c, "doomed", 1, COUNTER_WINDOW_MS, &n), TF_OK);
			enum tf_err final;
			assert_int_equal(store_when_durable(c, NULL, NULL, &final), STORE_DURABLE_NOW);
			assert_int_not_equal(final, TF_OK);
		}
		c->commit_later = false;
		STORE(c)->release(c);
		assert_int_equal(committed(f->st, "doomed"), 0);
	}
	assert_writer_goes_on(f->st);
}

/* The connection's next statement after a deferred transaction, even a read on its pooled
 * connection, comes after that transaction's COMMIT and sees it. */
static void test_next_statement_sees_the_deferred_transaction(void **state)
{
	struct fixture *f = *state;
	struct store_conn *c;
	struct rate_count n = {0};
	assert_int_equal(f->st->ops->acquire(f->st, &c), TF_OK);
	c->commit_later = true;
	for (int i = 1; i <= 50; i++) {
		assert_int_equal(STORE(c)->tx_begin(c), TF_OK);
		assert_int_equal(STORE(c)->counter_hit(c, "mine", 1, COUNTER_WINDOW_MS, &n), TF_OK);
		assert_int_equal(STORE(c)->tx_commit(c), TF_OK);
		assert_int_equal(STORE(c)->counter_get(c, "mine", 1, COUNTER_WINDOW_MS, &n), TF_OK);
		assert_int_equal(n.count, i);
	}
	c->commit_later = false;
	STORE(c)->release(c);
}

/* Deferred transactions of several connections, and a connection's second one, wait in one
 * open batch, uncommitted, until the flush that a caller setting commit_later makes before it
 * waits for anything else; one COMMIT then makes all of them durable, and each caller is told. */
static void test_deferred_transactions_share_the_flush(void **state)
{
	struct fixture *f = *state;
	struct durable_call d[2] = {{PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, .st = f->st, .key = "flushed"},
				    {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, .st = f->st, .key = "flushed"}};
	struct store_conn *c[2];
	struct rate_count n = {0};
	enum tf_err e;
	uint64_t batches = group_of(f->st)->batches;
	for (int i = 0; i < 2; i++) {
		assert_int_equal(f->st->ops->acquire(f->st, &c[i]), TF_OK);
		c[i]->commit_later = true;
		for (int tx = 0; tx < 1 + i; tx++) { /* the second connection: two transactions */
			assert_int_equal(STORE(c[i])->tx_begin(c[i]), TF_OK);
			assert_int_equal(STORE(c[i])->counter_hit(c[i], "flushed", 1, COUNTER_WINDOW_MS, &n), TF_OK);
			assert_int_equal(STORE(c[i])->tx_commit(c[i]), TF_OK);
		}
	}
	assert_int_equal(n.count, 3); /* the last transaction saw the two before it */
	assert_int_equal(committed(f->st, "flushed"), 0);
	assert_int_equal(group_of(f->st)->batches, batches);
	for (int i = 0; i < 2; i++)
		assert_int_equal(store_when_durable(c[i], durable_called, &d[i], &e), STORE_DURABLE_LATER);
	store_flush(f->st);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(wait_called(&d[i]), TF_OK);
		assert_int_equal(d[i].committed_then, 3);
		assert_int_equal(store_when_durable(c[i], NULL, NULL, &e), STORE_DURABLE_NOW);
		assert_int_equal(e, TF_OK);
		c[i]->commit_later = false;
		STORE(c[i])->release(c[i]);
	}
	assert_int_equal(group_of(f->st)->batches, batches + 1);
}

/* A session of one application and user, committed. */
static void insert_session(struct store *st, struct session_row *s)
{
	struct store_conn *c;
	struct app_row app = {.app_id = "app_batchread", .name = "Batch read", .client_id = "cli_batchread", .created_at = 1,
			      .totp_algorithm = "SHA1", .totp_digits = 6, .low_value_rates = "{}", .send_policy = "{}"};
	struct user_row u = {.app_id = "app_batchread", .user_id = "usr_batchread", .email = "batch@example.com",
			     .type = USER_SSO, .created_at = 1};
	*s = (struct session_row){.session_id = "ses_batchread", .app_id = "app_batchread", .user_id = "usr_batchread",
				  .kind = SESSION_API, .created_at = 1, .last_seen_at = 1, .idle_timeout_ms = COUNTER_WINDOW_MS,
				  .absolute_expires_at = COUNTER_WINDOW_MS};
	memset(s->token_mac, 7, sizeof s->token_mac);
	assert_int_equal(st->ops->acquire(st, &c), TF_OK);
	assert_int_equal(STORE(c)->app_insert(c, &app), TF_OK);
	assert_int_equal(STORE(c)->user_insert(c, &u), TF_OK);
	assert_int_equal(STORE(c)->session_insert(c, s), TF_OK);
	STORE(c)->release(c);
}

/* A session lookup by a commit_later connection reads on the writer, in the open batch: it sees
 * a deferred transaction's uncommitted write, so its own request is answered only after that
 * batch's COMMIT; a pooled read meanwhile sees only what is committed. */
static void test_a_batch_read_sees_the_open_batch_and_waits_for_its_commit(void **state)
{
	struct fixture *f = *state;
	struct session_row s, seen;
	insert_session(f->st, &s);
	struct durable_call d[2] = {{PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, .st = f->st, .key = "none"},
				    {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, .st = f->st, .key = "none"}};
	struct store_conn *writes, *reads, *plain;
	enum tf_err e;
	assert_int_equal(f->st->ops->acquire(f->st, &writes), TF_OK);
	assert_int_equal(f->st->ops->acquire(f->st, &reads), TF_OK);
	assert_int_equal(f->st->ops->acquire(f->st, &plain), TF_OK);
	writes->commit_later = reads->commit_later = true;
	assert_int_equal(STORE(writes)->tx_begin(writes), TF_OK);
	assert_int_equal(STORE(writes)->session_set_stepped_up(writes, s.session_id, 42), TF_OK);
	assert_int_equal(STORE(writes)->tx_commit(writes), TF_OK);

	assert_int_equal(STORE(reads)->session_get(reads, s.app_id, s.token_mac, &seen), TF_OK);
	assert_int_equal(seen.stepped_up_at, 42);
	assert_int_equal(STORE(plain)->session_get(plain, s.app_id, s.token_mac, &seen), TF_OK);
	assert_int_equal(seen.stepped_up_at, 0);
	assert_int_equal(store_when_durable(writes, durable_called, &d[0], &e), STORE_DURABLE_LATER);
	assert_int_equal(store_when_durable(reads, durable_called, &d[1], &e), STORE_DURABLE_LATER);

	store_flush(f->st);
	assert_int_equal(wait_called(&d[0]), TF_OK);
	assert_int_equal(wait_called(&d[1]), TF_OK);
	assert_int_equal(STORE(plain)->session_get(plain, s.app_id, s.token_mac, &seen), TF_OK);
	assert_int_equal(seen.stepped_up_at, 42);
	/* not found is an answer like any other: it, too, waits for the batch it read */
	uint8_t other[TF_MAC_BYTES] = {0};
	assert_int_equal(STORE(reads)->session_get(reads, s.app_id, other, &seen), TF_ERR_NOT_FOUND);
	assert_int_equal(store_when_durable(reads, NULL, NULL, &e), STORE_DURABLE_NOW);
	assert_int_equal(e, TF_OK);
	writes->commit_later = reads->commit_later = false;
	STORE(writes)->release(writes);
	STORE(reads)->release(reads);
	STORE(plain)->release(plain);
}

#define MANY_THREADS 8
#define MANY_HITS 200

static void *hit_many(void *arg)
{
	struct store *st = arg;
	for (int i = 0; i < MANY_HITS; i++) {
		struct store_conn *c;
		struct rate_count n = {0};
		if (st->ops->acquire(st, &c) != TF_OK)
			return (void *)1;
		enum tf_err e = STORE(c)->tx_begin(c);
		if (e == TF_OK)
			e = STORE(c)->counter_hit(c, "many", 1, COUNTER_WINDOW_MS, &n);
		if (e == TF_OK && i % 5 == 4)
			e = TF_ERR_INVALID_REQUEST; /* every fifth request fails and is undone */
		e = store_tx_end(c, e);
		STORE(c)->release(c);
		if (e != TF_OK && !(i % 5 == 4 && e == TF_ERR_INVALID_REQUEST))
			return (void *)1;
	}
	return NULL;
}

static void test_concurrent_writers_keep_every_committed_change(void **state)
{
	struct fixture *f = *state;
	pthread_t t[MANY_THREADS];
	for (int i = 0; i < MANY_THREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, hit_many, f->st), 0);
	for (int i = 0; i < MANY_THREADS; i++) {
		void *r;
		pthread_join(t[i], &r);
		assert_null(r);
	}
	assert_int_equal(committed(f->st, "many"), MANY_THREADS * MANY_HITS * 4 / 5);
	struct group *g = group_of(f->st);
	assert_true(g->batches <= g->transactions);
	assert_int_equal(g->transactions, MANY_THREADS * MANY_HITS * 4 / 5);
}

/* Writers that never pause, and a reader, for the WAL's restart. */
struct churn {
	struct store *st;
	atomic_bool *stop;
	bool reader;
	int64_t hits; /* committed by this writer */
	bool failed;
};

static void *churn(void *arg)
{
	struct churn *ch = arg;
	char key[32];
	snprintf(key, sizeof key, "churn-%p", (void *)ch);
	while (!atomic_load(ch->stop)) {
		struct store_conn *c;
		struct rate_count n = {0};
		if (ch->st->ops->acquire(ch->st, &c) != TF_OK) {
			ch->failed = true;
			break;
		}
		enum tf_err e = ch->reader ? STORE(c)->counter_get(c, "churn-none", 1, COUNTER_WINDOW_MS, &n) : STORE(c)->counter_hit(c, key, 1, COUNTER_WINDOW_MS, &n);
		STORE(c)->release(c);
		if (e != TF_OK) {
			ch->failed = true;
			break;
		}
		if (!ch->reader)
			ch->hits = n.count;
	}
	return NULL;
}

static uint64_t restarts_of(struct store *st)
{
	pthread_mutex_lock(&group_of(st)->lock);
	uint64_t n = group_of(st)->restarts;
	pthread_mutex_unlock(&group_of(st)->lock);
	return n;
}

/* Frames the WAL file has room for (it is overwritten from its start, not cut, once started over). */
static long wal_frames(const char *dir)
{
	char wal[128];
	snprintf(wal, sizeof wal, "%s/t.db-wal", dir);
	FILE *w = fopen(wal, "rb");
	if (!w)
		return 0;
	fseek(w, 0, SEEK_END);
	long frames = (ftell(w) - 32) / (4096 + 24); /* the WAL header, then a header and a page each */
	fclose(w);
	return frames;
}

/* SQLite starts a WAL over only when a write begins with all of it copied, which never happens
 * by itself while writes keep coming: the checkpointer must make it happen, or the WAL file
 * grows without end. Three writers and a reader never stop until the WAL has been started over
 * twice; the file then holds a bounded number of frames, and every counted write is there. */
#define CHURN_THREADS 4

static void test_wal_starts_over_while_writes_never_stop(void **state)
{
	struct fixture *f = *state;
	atomic_bool stop = false;
	struct churn ch[CHURN_THREADS];
	pthread_t t[CHURN_THREADS];
	for (int i = 0; i < CHURN_THREADS; i++) {
		ch[i] = (struct churn){.st = f->st, .stop = &stop, .reader = i == 0};
		assert_int_equal(pthread_create(&t[i], NULL, churn, &ch[i]), 0);
	}
	/* until two restarts, or a WAL that has clearly not been started over, or 3 minutes */
	for (int i = 0; i < 1800 && restarts_of(f->st) < 2 && wal_frames(f->dir) < 3 * WAL_RESTART_PAGES; i++)
		usleep(100 * 1000);
	atomic_store(&stop, true);
	for (int i = 0; i < CHURN_THREADS; i++)
		pthread_join(t[i], NULL);
	assert_in_range(restarts_of(f->st), 2, UINT64_MAX);
	/* what was written while a restart was being prepared comes on top: a few thousand frames
	 * with writers as fast as these, many more when another process starves the checkpointer
	 * (a busy machine), but never the unbounded growth the loop above stops at */
	assert_in_range(wal_frames(f->dir), WAL_CHECKPOINT_PAGES, 3 * WAL_RESTART_PAGES);
	for (int i = 1; i < CHURN_THREADS; i++) {
		assert_false(ch[i].failed);
		char key[32];
		snprintf(key, sizeof key, "churn-%p", (void *)&ch[i]);
		assert_true(ch[i].hits > 0);
		assert_int_equal(committed(f->st, key), ch[i].hits);
	}
	assert_false(ch[0].failed);
}

int main(void)
{
	log_set_level(LOG_WARN); /* quiet migrations; the failed COMMIT is logged on purpose */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_two_transactions_share_one_commit, setup_full, teardown),
		cmocka_unit_test_setup_teardown(test_failing_request_leaves_others_in_its_batch, setup_full, teardown),
		cmocka_unit_test_setup_teardown(test_lone_write_joins_the_batch, setup_full, teardown),
		cmocka_unit_test_setup_teardown(test_failed_commit_fails_every_member, setup_full, teardown),
		cmocka_unit_test_setup_teardown(test_without_fsync_each_holder_commits_its_own, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reads_in_a_transaction_see_its_writes_others_do_not, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rolled_back_transaction_leaves_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_concurrent_writers_keep_every_committed_change, setup, teardown),
		cmocka_unit_test_setup_teardown(test_concurrent_writers_keep_every_committed_change, setup_full, teardown),
		cmocka_unit_test_setup_teardown(test_wal_starts_over_while_writes_never_stop, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deferred_commit_is_reported_after_it_is_made, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deferred_commit_is_reported_after_it_is_made, setup_full, teardown),
		cmocka_unit_test_setup_teardown(test_deferred_commit_is_left_to_the_writer_waiting, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deferred_commit_that_fails_is_reported, setup, teardown),
		cmocka_unit_test_setup_teardown(test_next_statement_sees_the_deferred_transaction, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deferred_transactions_share_the_flush, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_batch_read_sees_the_open_batch_and_waits_for_its_commit, setup, teardown),
	};
	return cmocka_run_group_tests_name("store/group_commit", tests, NULL, NULL);
}
