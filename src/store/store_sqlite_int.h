/*
 * store_sqlite_int.h: what the files of the SQLite driver share (store_sqlite.c, which runs
 * statements, and store_sqlite_group.c, its group commit): the connection and store structs.
 * Nothing outside src/store/store_sqlite*.c includes this (but the group commit's unit test).
 */
#ifndef TF_STORE_SQLITE_INT_H
#define TF_STORE_SQLITE_INT_H
#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>

#include "store/store_sql.h"

/* A finished transaction waiting for its batch's COMMIT: a thread blocked in group_commit (done
 * is then its wake-up), or a connection's deferred one (store_conn.commit_later), answered
 * through cb by whoever commits the batch. */
struct member {
	enum tf_err result;
	bool done;
	bool joined; /* group_commit took it as deferred (else the caller waited) */
	void (*cb)(void *arg, enum tf_err e); /* set by when_durable while done is false */
	void *arg;
	struct member *next;
};

struct sqlite_conn {
	struct store_conn base;
	/* its last transaction ended before its batch's COMMIT (commit_later), which pend awaits */
	bool pending;
	struct member pend;
	/* such a COMMIT failed: kept for when_durable, whatever statement learnt it first */
	enum tf_err lost;
	/* While in_tx (tx_begin .. tx_commit/tx_rollback) or lone (one write statement outside a
	 * transaction), this connection's statements run on the group's writer connection. */
	bool in_tx;
	bool lone;
	sqlite3 *db;
	sqlite3_stmt *stmts[S__MAX];
	struct sqlite_conn *next_free;
};

/* WAL pages at which the checkpointer runs a passive checkpoint, and at which it starts the WAL
 * over: a WAL of about 64 MB at most, with 4 KB pages (store_sqlite_group.c). A checkpoint
 * copies each page once, however many frames it has: four times SQLite's default interval
 * (1000) copies the pages that every batch changes (sessions, counters, index pages) a quarter
 * as often. */
#define WAL_CHECKPOINT_PAGES 4000
#define WAL_RESTART_PAGES (4 * WAL_CHECKPOINT_PAGES)

/* Group commit (store_sqlite_group.c): the writer connection and its open batch. */
struct group {
	/* One writer at a time within this process: a thread waits here instead of in SQLite's
	 * busy handler, which sleeps with back-off (up to 100 ms) when the write lock is taken. */
	pthread_mutex_t lock;
	atomic_int waiting;          /* threads about to wait for lock */
	struct sqlite_conn *writer;  /* opened at the first write */
	sqlite3_stmt *control[6];    /* BEGIN, SAVEPOINT, RELEASE, ROLLBACK TO, COMMIT, ROLLBACK */
	bool open;                   /* a batch transaction is open */
	bool shares_commits;         /* a holder leaves its COMMIT to a waiting thread (invariant 4) */
	struct member *members;      /* finished transactions waiting for the batch's COMMIT */
	int n_members;
	int n_blocked;               /* of them, threads blocked in group_commit */
	atomic_bool held_open;       /* open with deferred members only, for group_flush */
	uint64_t batches, transactions; /* COMMITs and member transactions, for tests */
	uint64_t deferred;           /* deferred members */
	atomic_uint_fast64_t waited; /* of them, awaited by their own connection's next statement */
	uint64_t restarts;           /* times the checkpointer started the WAL over */
	pthread_mutex_t done_lock;   /* guards the members' done flags */
	pthread_cond_t done;
	/* the checkpointer thread and its connection */
	struct sqlite_conn *ckpt_conn;
	pthread_t ckpt_thread;
	bool ckpt_running;
	int ckpt_next;               /* WAL pages at which the next checkpoint is due (writer's) */
	pthread_mutex_t ckpt_lock;
	pthread_cond_t ckpt_cond;
	bool ckpt_due, ckpt_stop;
};

struct sqlite_store {
	struct sql_store sql;
	char path[4096];
	bool full_sync;
	pthread_mutex_t lock;
	struct group group;
	struct sqlite_conn *free_list;
	struct sqlite_conn *all[256];
	size_t n_all;
};

enum tf_err sqlite_map_rc(sqlite3 *db, int rc, const char *what);
/* The database handle behind c's statements right now (the writer's inside a transaction). */
sqlite3 *db_of(struct store_conn *c);
enum tf_err exec_sql(sqlite3 *db, const char *sql, const char *what);
enum tf_err sqlite_open_conn(struct sqlite_store *st, struct sqlite_conn **out);
void sqlite_close_conn(struct sqlite_conn *sc);
/* Registers store_sqlite_wal.c's file layer once; its name for sqlite3_open_v2, or NULL (SQLite's
 * own then serves). */
const char *sqlite_wal_vfs_register(void);

/* group commit (store_sqlite_group.c). group_begin() takes the group's lock and opens a
 * savepoint in the batch; group_commit() releases it, gives the lock up and returns once the
 * batch's COMMIT did (with its result); group_rollback() undoes the savepoint and gives the
 * lock up. */
/* shares_commits: a COMMIT costs an fsync (durability full), so a holder that blocks for its
 * COMMIT and sees another thread waiting leaves the COMMIT to it; otherwise (normal: a COMMIT is
 * a write into the WAL) such a holder commits what it has before giving up the lock. */
void group_init(struct group *g, bool shares_commits);
void group_destroy(struct group *g);
enum tf_err group_begin(struct sqlite_store *st);
/* later: a member that the caller does not wait for (NULL: wait). It joins the batch and
 * group_commit returns TF_OK at once; whoever commits the batch (group_flush, a thread that
 * blocks for its own member, or group_wait) answers it, and group_wait() or m->cb learns the
 * COMMIT's result. A later still in the open batch (joined, not done) is not added again: the
 * transaction shares its COMMIT. */
enum tf_err group_commit(struct sqlite_store *st, struct member *later);
/* Blocks until m's batch is settled (committing it if it is still open); its result. */
enum tf_err group_wait(struct group *g, struct member *m);
/* Commits the open batch if its members are all deferred (nobody else would). */
void group_flush(struct sqlite_store *st);
void group_rollback(struct sqlite_store *st);
struct sqlite_conn *group_writer(struct sqlite_store *st);

#endif
