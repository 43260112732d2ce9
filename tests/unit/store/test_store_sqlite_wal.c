/* Unit tests for store/store_sqlite_wal.c, the file layer that writes a transaction's WAL frames
 * in one go: on real SQLite files, what a COMMIT wrote is there for a connection that does not
 * go through the layer (as another process would read it), whatever the transaction's size; a
 * COMMIT that returned survives the process being killed; and a commit of several pages costs
 * one write system call, not two per page. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "store/store_sqlite_int.h"

static const char *layer;

struct fixture {
	char dir[64];
	char path[128];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	snprintf(f->dir, sizeof f->dir, "/tmp/twofold-wal-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof f->path, "%s/t.db", f->dir);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char p[160];
	const char *suffix[] = {"", "-wal", "-shm"};
	for (int i = 0; i < 3; i++) {
		snprintf(p, sizeof p, "%s%s", f->path, suffix[i]);
		unlink(p);
	}
	rmdir(f->dir);
	free(f);
	return 0;
}

static sqlite3 *open_db(const char *path, const char *vfs)
{
	sqlite3 *db;
	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, vfs), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL", NULL, NULL, NULL), SQLITE_OK);
	return db;
}

static void exec(sqlite3 *db, const char *sql)
{
	char *err = NULL;
	int rc = sqlite3_exec(db, sql, NULL, NULL, &err);
	if (rc != SQLITE_OK)
		fail_msg("%s: %s", sql, err ? err : sqlite3_errstr(rc));
}

static int64_t scalar(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *s;
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	int64_t v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

static bool intact(sqlite3 *db)
{
	sqlite3_stmt *s;
	assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	bool ok = strcmp((const char *)sqlite3_column_text(s, 0), "ok") == 0;
	sqlite3_finalize(s);
	return ok;
}

/* Transactions of 1 row up to about 8 MB of WAL (past the layer's 128 KiB writes and its 4 MiB
 * gathering), each read back right after its COMMIT by a connection on SQLite's own files. */
static void test_every_size_of_transaction_is_read_back_without_the_layer(void **state)
{
	struct fixture *f = *state;
	sqlite3 *w = open_db(f->path, layer), *r = open_db(f->path, NULL);
	exec(w, "CREATE TABLE t (id INTEGER PRIMARY KEY, body BLOB NOT NULL)");
	int64_t rows = 0, bytes = 0;
	const int sizes[] = {1, 2, 31, 32, 33, 63, 64, 65, 500, 2000};
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		char sql[200];
		exec(w, "BEGIN");
		snprintf(sql, sizeof sql,
			 "WITH RECURSIVE n(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM n WHERE k < %d) "
			 "INSERT INTO t (body) SELECT randomblob(4000) FROM n",
			 sizes[i]);
		exec(w, sql);
		exec(w, "COMMIT");
		rows += sizes[i];
		bytes += 4000LL * sizes[i];
		assert_int_equal(scalar(r, "SELECT count(*) FROM t"), rows);
		assert_int_equal(scalar(r, "SELECT sum(length(body)) FROM t"), bytes);
	}
	assert_true(intact(r));
	sqlite3_close(r);
	sqlite3_close(w);
}

/* Small commits alternate with reads by another connection, through the layer or not. */
static void test_each_small_commit_is_seen_by_the_next_reader(void **state)
{
	struct fixture *f = *state;
	sqlite3 *w = open_db(f->path, layer), *r = open_db(f->path, NULL), *rl = open_db(f->path, layer);
	exec(w, "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)");
	exec(w, "CREATE INDEX t_v ON t (v)");
	for (int i = 1; i <= 300; i++) {
		char sql[120];
		snprintf(sql, sizeof sql, "INSERT INTO t (v) VALUES (hex(randomblob(16))); UPDATE t SET v = v || 'x' WHERE id = %d",
			 1 + i / 2);
		exec(w, sql);
		assert_int_equal(scalar(i % 2 ? r : rl, "SELECT count(*) FROM t"), i);
		if (i % 100 == 0)
			exec(w, "PRAGMA wal_checkpoint(RESTART)");
	}
	assert_true(intact(r));
	sqlite3_close(rl);
	sqlite3_close(r);
	sqlite3_close(w);
}

/* A child commits through the layer and is killed before it closes anything: every COMMIT that
 * returned is in the database afterwards. */
static void test_a_returned_commit_survives_kill_9(void **state)
{
	struct fixture *f = *state;
	sqlite3 *setup_db = open_db(f->path, layer);
	exec(setup_db, "CREATE TABLE t (id INTEGER PRIMARY KEY, body BLOB NOT NULL)");
	sqlite3_close(setup_db);
	int done[2];
	assert_int_equal(pipe(done), 0);
	pid_t child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		sqlite3 *w;
		if (sqlite3_open_v2(f->path, &w, SQLITE_OPEN_READWRITE, layer) != SQLITE_OK ||
		    sqlite3_exec(w, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL", NULL, NULL, NULL) != SQLITE_OK)
			_exit(2);
		for (int i = 0; i < 50; i++)
			if (sqlite3_exec(w, "INSERT INTO t (body) VALUES (randomblob(3000)); INSERT INTO t (body) VALUES (randomblob(10))",
					 NULL, NULL, NULL) != SQLITE_OK)
				_exit(3);
		/* an open transaction that never commits */
		if (sqlite3_exec(w, "BEGIN; INSERT INTO t (body) VALUES (randomblob(3000))", NULL, NULL, NULL) != SQLITE_OK)
			_exit(4);
		(void)!write(done[1], "k", 1);
		for (;;)
			pause();
	}
	char c;
	assert_int_equal(read(done[0], &c, 1), 1);
	kill(child, SIGKILL);
	int status;
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFSIGNALED(status));
	close(done[0]);
	close(done[1]);
	sqlite3 *r = open_db(f->path, NULL);
	assert_int_equal(scalar(r, "SELECT count(*) FROM t"), 100);
	assert_true(intact(r));
	sqlite3_close(r);
}

/* This process's write system calls so far (/proc/self/io), or -1 where the kernel keeps none. */
static long long write_calls(void)
{
	FILE *io = fopen("/proc/self/io", "r");
	if (!io)
		return -1;
	char line[128];
	long long n = -1;
	while (fgets(line, sizeof line, io))
		if (sscanf(line, "syscw: %lld", &n) == 1)
			break;
	fclose(io);
	return n;
}

/* A COMMIT of a transaction that changes about a dozen pages: one write through the layer,
 * about two a page without it. */
static void test_a_commit_of_many_pages_is_one_write(void **state)
{
	struct fixture *f = *state;
	if (write_calls() < 0)
		skip();
	long long calls[2];
	for (int with_layer = 0; with_layer < 2; with_layer++) {
		sqlite3 *w = open_db(f->path, with_layer ? layer : NULL);
		exec(w, "CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, body BLOB NOT NULL)");
		exec(w, "INSERT INTO t (body) VALUES (randomblob(1))"); /* the WAL exists */
		long long before = write_calls();
		exec(w, "INSERT INTO t (body) SELECT randomblob(3000) FROM t LIMIT 1; INSERT INTO t (body) "
			"SELECT randomblob(3000) FROM t LIMIT 1; INSERT INTO t (body) SELECT randomblob(3000) FROM t "
			"LIMIT 1; BEGIN; "
			"WITH RECURSIVE n(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM n WHERE k < 12) "
			"INSERT INTO t (body) SELECT randomblob(3500) FROM n; COMMIT");
		calls[with_layer] = write_calls() - before;
		sqlite3_close(w);
	}
	/* four commits: 3 of one page and one of about 12 */
	assert_true(calls[0] >= 2 * 15);
	assert_true(calls[1] <= 4);
}

int main(void)
{
	layer = sqlite_wal_vfs_register();
	if (!layer) {
		fprintf(stderr, "the file layer did not register\n");
		return 1;
	}
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_every_size_of_transaction_is_read_back_without_the_layer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_each_small_commit_is_seen_by_the_next_reader, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_returned_commit_survives_kill_9, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_commit_of_many_pages_is_one_write, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
