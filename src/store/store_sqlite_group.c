/*
 * store_sqlite_group.c: group commit. Every write of the process runs on one writer connection,
 * inside one open batch transaction shared by the requests that write at the same time; one
 * COMMIT makes all of them durable. The pooled connections of store_sqlite.c only read.
 *
 * A request's transaction (tx_begin .. tx_commit) is a SAVEPOINT in the batch; a write
 * statement outside a transaction (a lone write: an audit append, a counter, a session touch)
 * is a transaction of one statement, so it joins the batch the same way. So does a batch read
 * (a session lookup by a request that answers after its COMMIT): it reads the writer's cached
 * pages and the batch's uncommitted writes, and as a member its request is answered only once
 * those are committed.
 *
 *   idle --(group_begin: BEGIN IMMEDIATE)--> open
 *   open --(group_begin: SAVEPOINT tf)--> running (one thread holds g->lock)
 *   running --(group_rollback: ROLLBACK TO tf, RELEASE tf)--> open, this request not a member
 *   running --(group_commit: RELEASE tf)--> open, this request a member waiting for COMMIT
 *   running --(group_commit, deferred: RELEASE tf)--> open, a member nobody blocks for
 *   open --(settle: a member blocks for it, or BATCH_MAX members)--> COMMIT --> idle
 *   open, members all deferred --(group_flush, or a connection waits for its member)--> COMMIT --> idle
 *
 * Invariants:
 *   1. Only the thread holding g->lock uses the writer connection.
 *   2. A member is answered (group_commit returns, or a deferred one's cb is called) only
 *      after the COMMIT of its batch returned; if that COMMIT fails, or the batch is lost
 *      (SQLite rolled the whole transaction back after an I/O error), every member gets the
 *      error.
 *   3. A request that fails undoes only its own savepoint; members before it keep theirs.
 *   4. Whoever gives up the lock settles the batch: it commits unless either every member is
 *      deferred (each deferred member's thread calls group_flush before it waits for
 *      anything else, and a connection that waits for its member commits the batch), or
 *      commits are shared and another thread is already waiting for the lock (g->waiting
 *      counts them before they block), which then settles in its turn. So a batch is never
 *      left open with nobody to commit it.
 *
 * Deferred members (store_conn.commit_later): an HTTP thread that ends a transaction does not
 * wait for its COMMIT. Its request's connection is suspended until the member's cb says the
 * batch was committed, and the thread serves its other ready connections meanwhile; the batch
 * stays open for their transactions (and the other threads') until the thread has served
 * them all and, before it waits for network events again, calls group_flush. So under load a
 * batch holds the transactions of every request that arrived together: a page that several of
 * them change is written into the WAL once, and the write lock and the WAL index are taken
 * once per batch. Without load, a batch holds one request's transaction and is committed as
 * soon as its thread has answered nothing else. No thread of its own commits the batches: its
 * wake-ups, on cores shared with the HTTP threads, would cost more than the commits they share
 * and delay the answers. A connection's next transaction joins its deferred member's batch if
 * still open (it sees those writes, and shares that COMMIT); its next read on a pooled
 * connection, and its release, wait for the member, committing the batch if need be
 * (store_sqlite.c), so a request reads its own writes and learns a failed COMMIT before it
 * answers.
 *
 * Blocked members share commits only with durability full, where each COMMIT is an fsync: a
 * batch of n members costs one. With durability normal a COMMIT only writes the batch's pages
 * into the WAL (no fsync; kill -9 loses nothing); there, a thread that waited for the next
 * holder's whole transaction before answering costs more than the COMMIT it saves (every
 * holder committing its own work gives higher throughput and a lower p99), and an HTTP thread
 * that waits serves none of its other connections meanwhile. Deferred members share commits
 * with either durability: nobody waits for them.
 *
 * Checkpoints (copying the WAL back into the database file, with its two fsyncs) do not run
 * in a COMMIT, where every writer would wait for them: the writer's automatic checkpoint is off,
 * and a thread of this file runs a passive checkpoint on its own connection whenever the WAL
 * has grown by WAL_CHECKPOINT_PAGES since the last one. SQLite starts the WAL file over only
 * when a write transaction begins with the whole WAL copied, which never happens while writes
 * keep coming; so once the WAL holds WAL_RESTART_PAGES, the checkpointer takes the group's lock,
 * commits the open batch, copies the last pages while no write can begin, and starts the WAL
 * over (a restart checkpoint, which also waits for readers still on the old WAL). Every write
 * waits through that pause, and what it costs is the pages it has left to copy, write and sync;
 * so before it, without the lock, the checkpointer copies and flushes in rounds that each take
 * what came during the one before, until a few pages are left, and the pause has only the
 * last moments' pages to flush.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "platform/log.h"
#include "store/store_sqlite_int.h"

#define BATCH_MAX 64 /* members per COMMIT: bounds the wait of the first one */
#define RESTART_LEFT 32 /* pages the pause to start the WAL over may have to copy and flush */
#define ROUNDS_MAX 8    /* passive checkpoints in a row, each copying what came during the last */
#define FLUSHES_MAX 6   /* syncs of the database file before that pause, each shorter than the last */
#define READER_WAITS 40 /* steps (a 50-microsecond sleep each) the pause waits for readers on the old WAL, at most */

enum group_stmt { G_BEGIN, G_SAVEPOINT, G_RELEASE, G_ROLLBACK_TO, G_COMMIT, G_ROLLBACK, G__MAX };

static const char *const group_sql[G__MAX] = {
	[G_BEGIN] = "BEGIN IMMEDIATE",
	[G_SAVEPOINT] = "SAVEPOINT tf",
	[G_RELEASE] = "RELEASE tf",
	[G_ROLLBACK_TO] = "ROLLBACK TO tf",
	[G_COMMIT] = "COMMIT",
	[G_ROLLBACK] = "ROLLBACK",
};

void group_init(struct group *g, bool shares_commits)
{
	memset(g, 0, sizeof *g);
	g->shares_commits = shares_commits;
	pthread_mutex_init(&g->lock, NULL);
	pthread_mutex_init(&g->done_lock, NULL);
	pthread_cond_init(&g->done, NULL);
	pthread_mutex_init(&g->ckpt_lock, NULL);
	pthread_cond_init(&g->ckpt_cond, NULL);
}

static void checkpointer_stop(struct group *g)
{
	if (!g->ckpt_running)
		return;
	pthread_mutex_lock(&g->ckpt_lock);
	g->ckpt_stop = true;
	pthread_cond_signal(&g->ckpt_cond);
	pthread_mutex_unlock(&g->ckpt_lock);
	pthread_join(g->ckpt_thread, NULL);
	g->ckpt_running = false;
}

void group_destroy(struct group *g)
{
	checkpointer_stop(g);
	if (g->transactions) {
		char tx[24], commits[24], deferred[24], waited[24];
		snprintf(tx, sizeof tx, "%llu", (unsigned long long)g->transactions);
		snprintf(commits, sizeof commits, "%llu", (unsigned long long)g->batches);
		snprintf(deferred, sizeof deferred, "%llu", (unsigned long long)g->deferred);
		snprintf(waited, sizeof waited, "%llu", (unsigned long long)atomic_load(&g->waited));
		log_info("write batches", "transactions", tx, "commits", commits, "deferred", deferred,
			 "deferred_then_waited_for", waited, NULL);
	}
	if (g->ckpt_conn)
		sqlite_close_conn(g->ckpt_conn);
	if (g->writer) {
		for (int i = 0; i < G__MAX; i++)
			sqlite3_finalize(g->control[i]);
		sqlite_close_conn(g->writer); /* the last connection to close checkpoints what is left */
	}
	pthread_mutex_destroy(&g->lock);
	pthread_mutex_destroy(&g->done_lock);
	pthread_cond_destroy(&g->done);
	pthread_mutex_destroy(&g->ckpt_lock);
	pthread_cond_destroy(&g->ckpt_cond);
}

static void settle_batch(struct group *g, bool force);

/* Copies the WAL's last pages with no write able to begin, and starts the WAL over (see the
 * head comment). */
static void checkpoint_to_restart(struct group *g)
{
	atomic_fetch_add_explicit(&g->waiting, 1, memory_order_acq_rel);
	pthread_mutex_lock(&g->lock);
	atomic_fetch_sub_explicit(&g->waiting, 1, memory_order_acq_rel);
	settle_batch(g, true); /* the open batch first: deferred members, or one left to this thread */
	int rc = sqlite3_wal_checkpoint_v2(g->ckpt_conn->db, NULL, SQLITE_CHECKPOINT_RESTART, NULL, NULL);
	if (rc == SQLITE_OK)
		g->restarts++;
	else if (rc != SQLITE_BUSY) /* busy: a reader stayed on the old WAL; tried again WAL_CHECKPOINT_PAGES on */
		log_warn("checkpoint failed", "error", sqlite3_errmsg(g->ckpt_conn->db), NULL);
	pthread_mutex_unlock(&g->lock);
}

/* The checkpointer's busy handler, called only by that restart: it waits for readers that began
 * on the old WAL, which read for microseconds, in short steps (SQLite's own would sleep 1 ms at
 * first, every write waiting meanwhile), and gives up after READER_WAITS of them. */
static int wait_for_readers(void *arg, int count)
{
	(void)arg;
	if (count >= READER_WAITS)
		return 0;
	struct timespec step = {.tv_nsec = 50 * 1000};
	nanosleep(&step, NULL);
	return 1;
}

/* Flushes what the checkpoints copied into the database file so far (SQLite syncs it only in a
 * checkpoint that reaches the WAL's end). */
static void sync_database_file(struct group *g)
{
	sqlite3_file *f = NULL;
	if (sqlite3_file_control(g->ckpt_conn->db, "main", SQLITE_FCNTL_FILE_POINTER, &f) == SQLITE_OK && f && f->pMethods)
		(void)f->pMethods->xSync(f, SQLITE_SYNC_NORMAL);
}

static bool checkpoint_ran(int rc)
{
	return rc == SQLITE_OK || rc == SQLITE_BUSY; /* busy: another checkpoint ran, or a reader held pages back */
}

/* Passive checkpoints, without the lock, until fewer than RESTART_LEFT pages are left to copy
 * (each round copies what came during the one before, so they shrink fast) or ROUNDS_MAX rounds.
 * *log_pages is then the WAL's length, *done_pages how much of it is in the database file. */
static int copy_until_little_left(struct group *g, int *log_pages, int *done_pages)
{
	int rc = SQLITE_OK;
	for (int round = 0; round < ROUNDS_MAX; round++) {
		rc = sqlite3_wal_checkpoint_v2(g->ckpt_conn->db, NULL, SQLITE_CHECKPOINT_PASSIVE, log_pages, done_pages);
		if (!checkpoint_ran(rc) || *log_pages < WAL_RESTART_PAGES || *log_pages - *done_pages < RESTART_LEFT)
			break;
	}
	return rc;
}

/* Starts a long WAL over (see the head comment). The pause under the lock costs what is left
 * to write and sync then, an fsync's cost for every dirty page: so first, without the lock,
 * flush the pages copied so far, copy what came meanwhile, and again, until what the pause
 * has left to flush is a few pages. */
static int restart_wal(struct group *g, int *log_pages, int *done_pages)
{
	int rc = SQLITE_OK;
	for (int flush = 0; flush < FLUSHES_MAX; flush++) {
		sync_database_file(g);
		int flushed = *done_pages;
		rc = copy_until_little_left(g, log_pages, done_pages);
		if (!checkpoint_ran(rc) || *log_pages < WAL_RESTART_PAGES || *done_pages - flushed < RESTART_LEFT)
			break;
	}
	if (!checkpoint_ran(rc) || *log_pages < WAL_RESTART_PAGES)
		return rc;
	checkpoint_to_restart(g);
	pthread_mutex_lock(&g->ckpt_lock);
	g->ckpt_due = false; /* what woke the thread meanwhile was the WAL just started over */
	pthread_mutex_unlock(&g->ckpt_lock);
	return SQLITE_OK;
}

static void *checkpointer(void *arg)
{
	struct group *g = arg;
	pthread_mutex_lock(&g->ckpt_lock);
	for (;;) {
		while (!g->ckpt_due && !g->ckpt_stop)
			pthread_cond_wait(&g->ckpt_cond, &g->ckpt_lock);
		if (g->ckpt_stop)
			break;
		g->ckpt_due = false;
		pthread_mutex_unlock(&g->ckpt_lock);
		int log_pages = 0, done_pages = 0;
		int rc = copy_until_little_left(g, &log_pages, &done_pages);
		if (checkpoint_ran(rc) && log_pages >= WAL_RESTART_PAGES)
			rc = restart_wal(g, &log_pages, &done_pages);
		if (!checkpoint_ran(rc))
			log_warn("checkpoint failed", "error", sqlite3_errmsg(g->ckpt_conn->db), NULL);
		pthread_mutex_lock(&g->ckpt_lock);
	}
	pthread_mutex_unlock(&g->ckpt_lock);
	return NULL;
}

/* After each COMMIT of the writer, with the pages now in the WAL: wakes the checkpointer every
 * WAL_CHECKPOINT_PAGES (the WAL starts again from its beginning once a checkpoint has copied it all). */
static int wal_grew(void *arg, sqlite3 *db, const char *name, int pages)
{
	struct group *g = arg;
	(void)db;
	(void)name;
	if (pages < g->ckpt_next)
		g->ckpt_next = 0; /* the WAL was restarted */
	if (pages >= g->ckpt_next + WAL_CHECKPOINT_PAGES) {
		g->ckpt_next = pages;
		pthread_mutex_lock(&g->ckpt_lock);
		g->ckpt_due = true;
		pthread_cond_signal(&g->ckpt_cond);
		pthread_mutex_unlock(&g->ckpt_lock);
	}
	return SQLITE_OK;
}

/* Opens the writer and the checkpointer's connection, and starts the checkpointer. Without the
 * thread the writer keeps SQLite's automatic checkpoint. */
static enum tf_err writer_open(struct sqlite_store *st, struct group *g)
{
	enum tf_err e = sqlite_open_conn(st, &g->writer);
	if (e != TF_OK)
		return e;
	/* statement and savepoint journals in memory: a savepoint inside the batch otherwise spills
	 * to a temporary file. A page cache of 16 MiB (SQLite's default is 2): every write and
	 * batch read goes through this one connection, whose cache survives its COMMITs, so the
	 * hot tables' and indexes' pages stay in it instead of being read from the files again. */
	if ((e = exec_sql(g->writer->db, "PRAGMA temp_store=MEMORY; PRAGMA cache_size=-16384", "pragmas")) != TF_OK)
		return e;
	if (sqlite_open_conn(st, &g->ckpt_conn) != TF_OK)
		return TF_OK;
	sqlite3_busy_handler(g->ckpt_conn->db, wait_for_readers, NULL);
	if (pthread_create(&g->ckpt_thread, NULL, checkpointer, g) != 0) {
		sqlite_close_conn(g->ckpt_conn);
		g->ckpt_conn = NULL;
		return TF_OK;
	}
	g->ckpt_running = true;
	sqlite3_wal_hook(g->writer->db, wal_grew, g); /* replaces the automatic checkpoint */
	return TF_OK;
}

/* Runs one of the control statements on the writer (prepared once). */
static enum tf_err control(struct group *g, enum group_stmt id)
{
	sqlite3 *db = g->writer->db;
	if (!g->control[id] && sqlite3_prepare_v3(db, group_sql[id], -1, SQLITE_PREPARE_PERSISTENT, &g->control[id], NULL) != SQLITE_OK)
		return sqlite_map_rc(db, sqlite3_errcode(db), group_sql[id]);
	int rc = sqlite3_step(g->control[id]);
	sqlite3_reset(g->control[id]);
	return sqlite_map_rc(db, rc, group_sql[id]);
}

/* Answers every member of the batch with e: a blocked thread wakes, a deferred member's cb is
 * called (after done_lock is given up: it may resume an HTTP connection). Called with g->lock
 * held. A member is not touched once done is set, but one with a cb, whose owner waits for
 * that call. */
static void answer_members(struct group *g, enum tf_err e)
{
	struct member *calls = NULL;
	pthread_mutex_lock(&g->done_lock);
	for (struct member *m = g->members, *next; m; m = next) {
		next = m->next;
		m->result = e;
		if (m->cb) {
			m->next = calls;
			calls = m;
		}
		m->done = true;
	}
	g->members = NULL;
	g->n_members = 0;
	g->n_blocked = 0;
	pthread_cond_broadcast(&g->done);
	pthread_mutex_unlock(&g->done_lock);
	for (struct member *m = calls, *next; m; m = next) {
		next = m->next;
		void (*cb)(void *, enum tf_err) = m->cb;
		m->cb = NULL;
		cb(m->arg, e); /* m may be reused from here on */
	}
}

enum tf_err group_wait(struct group *g, struct member *m)
{
	pthread_mutex_lock(&g->lock);
	if (!m->done) /* answered only with g->lock held: m is in the open batch */
		settle_batch(g, true);
	pthread_mutex_unlock(&g->lock);
	pthread_mutex_lock(&g->done_lock);
	while (!m->done)
		pthread_cond_wait(&g->done, &g->done_lock);
	pthread_mutex_unlock(&g->done_lock);
	return m->result;
}

/* Ends the batch when nobody else will (see invariant 4), or at once when force. Called with
 * g->lock held. */
static void settle_batch(struct group *g, bool force)
{
	if (!g->open)
		return;
	if (sqlite3_get_autocommit(g->writer->db)) {
		/* SQLite rolled the whole transaction back (an I/O error, a full disk) */
		log_error("a write batch was rolled back by the database", NULL);
		g->open = false;
		atomic_store_explicit(&g->held_open, false, memory_order_release);
		answer_members(g, TF_ERR_STORE_UNAVAILABLE);
		return;
	}
	/* members all deferred: their threads flush; commits shared: the thread waiting for the
	 * lock adds its transaction and settles in its turn */
	if (!force && g->n_members && g->n_members < BATCH_MAX &&
	    (!g->n_blocked || (g->shares_commits && atomic_load_explicit(&g->waiting, memory_order_acquire) > 0))) {
		atomic_store_explicit(&g->held_open, !g->n_blocked, memory_order_release);
		return;
	}
	atomic_store_explicit(&g->held_open, false, memory_order_release);
	enum tf_err e = TF_OK;
	if (g->n_members) {
		e = control(g, G_COMMIT);
		g->batches++;
	}
	if (!g->n_members || e != TF_OK) {
		if (!sqlite3_get_autocommit(g->writer->db))
			(void)control(g, G_ROLLBACK);
	}
	g->open = false;
	if (g->n_members)
		answer_members(g, e);
}

static void settle(struct group *g)
{
	settle_batch(g, false);
}

enum tf_err group_begin(struct sqlite_store *st)
{
	struct group *g = &st->group;
	atomic_fetch_add_explicit(&g->waiting, 1, memory_order_acq_rel);
	pthread_mutex_lock(&g->lock);
	atomic_fetch_sub_explicit(&g->waiting, 1, memory_order_acq_rel);
	enum tf_err e = TF_OK;
	if (!g->writer && (e = writer_open(st, g)) != TF_OK) {
		if (g->writer)
			sqlite_close_conn(g->writer);
		g->writer = NULL;
		pthread_mutex_unlock(&g->lock);
		return e;
	}
	if (!g->open) {
		if ((e = control(g, G_BEGIN)) != TF_OK)
			goto fail;
		g->open = true;
	}
	if ((e = control(g, G_SAVEPOINT)) != TF_OK)
		goto fail;
	return TF_OK;
fail:
	settle(g);
	pthread_mutex_unlock(&g->lock);
	return e;
}

void group_rollback(struct sqlite_store *st)
{
	struct group *g = &st->group;
	if (!sqlite3_get_autocommit(g->writer->db)) {
		(void)control(g, G_ROLLBACK_TO);
		(void)control(g, G_RELEASE);
	}
	settle(g);
	pthread_mutex_unlock(&g->lock);
}

enum tf_err group_commit(struct sqlite_store *st, struct member *later)
{
	struct group *g = &st->group;
	enum tf_err e = sqlite3_get_autocommit(g->writer->db) ? TF_ERR_STORE_UNAVAILABLE : control(g, G_RELEASE);
	if (e != TF_OK) {
		group_rollback(st);
		return e;
	}
	if (later && later->joined && !later->done) {
		/* the caller's earlier deferred transaction is in this batch: this one shares its COMMIT */
		g->transactions++;
		settle(g);
		pthread_mutex_unlock(&g->lock);
		return TF_OK;
	}
	if (later) {
		*later = (struct member){.result = TF_OK, .joined = true, .next = g->members};
		g->members = later;
		g->n_members++;
		g->transactions++;
		g->deferred++;
		settle(g);
		pthread_mutex_unlock(&g->lock);
		return TF_OK;
	}
	struct member me = {.next = g->members};
	g->members = &me;
	g->n_members++;
	g->n_blocked++;
	g->transactions++;
	settle(g);
	pthread_mutex_unlock(&g->lock);
	/* answered by whoever commits this batch; me.done is only written under done_lock */
	pthread_mutex_lock(&g->done_lock);
	while (!me.done)
		pthread_cond_wait(&g->done, &g->done_lock);
	pthread_mutex_unlock(&g->done_lock);
	return me.result;
}

void group_flush(struct sqlite_store *st)
{
	struct group *g = &st->group;
	if (!atomic_load_explicit(&g->held_open, memory_order_acquire))
		return;
	pthread_mutex_lock(&g->lock);
	settle_batch(g, true);
	pthread_mutex_unlock(&g->lock);
}

struct sqlite_conn *group_writer(struct sqlite_store *st)
{
	return st->group.writer;
}
