/*
 * store_sqlite.c: the SQLite driver of the store (store_sql.h), the embedded default: running
 * the statements of store_sql.c, connections, transactions and migrations.
 *
 * One database file in WAL mode, synchronous=NORMAL (a crash of the process loses nothing
 * that was answered; a power loss may lose the last commits but never corrupts) or FULL.
 * Connections are pooled: a thread takes one for the length of a request and gives it back;
 * each keeps its prepared statements. Pooled connections only read: every write, in a
 * transaction or alone, runs on the one writer connection of store_sqlite_group.c, which
 * serialises the audit chain and other read-then-write sequences and commits concurrent
 * writers together.
 */
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "platform/log.h"
#include "store/migrations.h"
#include "store/store_sqlite_int.h"

enum tf_err sqlite_map_rc(sqlite3 *db, int rc, const char *what)
{
	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_DONE:
	case SQLITE_ROW:
		return TF_OK;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
	case SQLITE_FULL:
	case SQLITE_READONLY:
	case SQLITE_IOERR:
	case SQLITE_CANTOPEN:
	case SQLITE_NOMEM:
		log_error("database unavailable", "op", what, "error", db ? sqlite3_errmsg(db) : sqlite3_errstr(rc), NULL);
		return TF_ERR_STORE_UNAVAILABLE;
	case SQLITE_CONSTRAINT:
		if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
			log_info("database unique violation", "op", what, NULL); /* the caller's row lost a race */
			return TF_ERR_STATE_CONFLICT;
		}
		/* fall through */
	default:
		log_error("database error", "op", what, "error", db ? sqlite3_errmsg(db) : sqlite3_errstr(rc), NULL);
		return TF_ERR_INTERNAL;
	}
}

/* A statement's text for SQLite: $N placeholders become ?N, and COLLATE "C" goes (bytewise
 * order is SQLite's default). False when it does not fit. */
static bool sqlite_sql_text(const char *in, char *out, size_t size)
{
	static const char collate[] = " COLLATE \"C\"";
	bool quoted = false;
	size_t n = 0;
	while (*in) {
		if (*in == '\'')
			quoted = !quoted;
		if (!quoted && strncmp(in, collate, sizeof collate - 1) == 0) {
			in += sizeof collate - 1;
			continue;
		}
		if (n + 1 >= size)
			return false;
		out[n++] = !quoted && in[0] == '$' && isdigit((unsigned char)in[1]) ? '?' : in[0];
		in++;
	}
	out[n] = '\0';
	return true;
}

static enum tf_err prepared(struct sqlite_conn *sc, enum stmt_id id, sqlite3_stmt **out)
{
	if (!sc->stmts[id]) {
		const char *text = stmt_text(id, SQL_SQLITE);
		char sql[4096];
		if (!text || !sqlite_sql_text(text, sql, sizeof sql)) {
			log_error("no SQLite text for the statement", "op", stmt_table[id].name, NULL);
			return TF_ERR_INTERNAL;
		}
		int rc = sqlite3_prepare_v3(sc->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &sc->stmts[id], NULL);
		if (rc != SQLITE_OK) {
			enum tf_err e = sqlite_map_rc(sc->db, rc, stmt_table[id].name);
			return e == TF_OK ? TF_ERR_INTERNAL : e;
		}
	}
	*out = sc->stmts[id];
	return TF_OK;
}

static struct sqlite_store *store_of(struct store_conn *c)
{
	return (struct sqlite_store *)c->st;
}

/* Commits the transaction c holds on the writer with its batch: before returning, or, when
 * the caller asked for it (commit_later), maybe after (c is then pending; a transaction that
 * joined the batch of c's pending one shares its COMMIT). */
static enum tf_err commit(struct store_conn *c)
{
	struct sqlite_conn *sc = (struct sqlite_conn *)c;
	if (!c->commit_later)
		return group_commit(store_of(c), NULL);
	if (!sc->pending)
		sc->pend.joined = false;
	enum tf_err e = group_commit(store_of(c), &sc->pend);
	sc->pending = sc->pend.joined;
	return e;
}

/* Takes the writer for c's transaction or lone write. c's deferred transaction still in the
 * open batch is not waited for: the new one joins that batch, sees its writes and shares its
 * COMMIT. One settled meanwhile that failed fails this one. */
static enum tf_err writer_take(struct sqlite_conn *sc)
{
	struct sqlite_store *st = store_of(&sc->base);
	enum tf_err e = group_begin(st);
	if (e != TF_OK || !sc->pending || !sc->pend.done)
		return e; /* done is only set with the group's lock held, which this thread now has */
	sc->pending = false;
	if (sc->pend.result == TF_OK)
		return TF_OK;
	sc->lost = sc->pend.result;
	group_rollback(st);
	return sc->lost;
}

/* Waits for c's deferred transaction, if any, to be committed (committing its batch if still
 * open): a read on the pooled connection, and its release, come after it and see it. Its
 * result (an error: the request fails). */
static enum tf_err settle_pending(struct sqlite_conn *sc)
{
	if (!sc->pending)
		return TF_OK;
	struct group *g = &store_of(&sc->base)->group;
	sc->pending = false;
	if (!sc->pend.done)
		atomic_fetch_add_explicit(&g->waited, 1, memory_order_relaxed);
	enum tf_err e = group_wait(g, &sc->pend);
	if (e != TF_OK)
		sc->lost = e;
	return e;
}

/* Ends a lone write begun by stmt(): commits it with its batch when e is TF_OK (and returns the
 * commit's result), else undoes it and returns e. Does nothing outside a lone write. */
static enum tf_err lone_end(struct store_conn *c, enum tf_err e)
{
	struct sqlite_conn *sc = (struct sqlite_conn *)c;
	if (!sc->lone)
		return e;
	sc->lone = false;
	if (e != TF_OK) {
		group_rollback(store_of(c));
		return e;
	}
	return commit(c);
}

/* Statement id, prepared once per connection. Inside a transaction it is the writer's, so
 * reads see the transaction's own writes. Outside one, a statement that writes, or a batch read
 * (stmt_sql.batch_read) of a commit_later connection, starts a lone write (the group's lock is
 * taken) that lone_end() ends. */
static enum tf_err stmt(struct store_conn *c, enum stmt_id id, sqlite3_stmt **out)
{
	struct sqlite_conn *sc = (struct sqlite_conn *)c;
	if (sc->in_tx || sc->lone)
		return prepared(group_writer(store_of(c)), id, out);
	enum tf_err e = prepared(sc, id, out);
	if (e != TF_OK)
		return e;
	if (sqlite3_stmt_readonly(*out) && !(c->commit_later && stmt_table[id].batch_read))
		return settle_pending(sc); /* a pooled connection sees only what is committed */
	/* A write, or a batch read: the writer's pages stay in its cache from one COMMIT to the
	 * next, where a pooled connection reads them again after every COMMIT. A batch read sees
	 * the open batch's writes, so it joins the batch like a write: its request is answered
	 * after that COMMIT, and fails with it. */
	if ((e = writer_take(sc)) != TF_OK)
		return e;
	sc->lone = true;
	if ((e = prepared(group_writer(store_of(c)), id, out)) != TF_OK)
		(void)lone_end(c, e);
	return e;
}

sqlite3 *db_of(struct store_conn *c)
{
	struct sqlite_conn *sc = (struct sqlite_conn *)c;
	return sc->in_tx || sc->lone ? group_writer(store_of(c))->db : sc->db;
}

static void finish(sqlite3_stmt *s)
{
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
}

static enum tf_err sq_run(struct store_conn *c, enum stmt_id id, const struct sql_arg *args, struct rows *r,
			  int *changes)
{
	sqlite3_stmt *s;
	enum tf_err e = stmt(c, id, &s);
	if (e != TF_OK)
		return e;
	for (int i = 1; args && args->type != SQL_END; args++, i++) {
		if (args->type == SQL_TEXT)
			sqlite3_bind_text(s, i, args->p ? args->p : "", -1, SQLITE_STATIC);
		else if (args->type == SQL_INT)
			sqlite3_bind_int64(s, i, args->i);
		else if (args->type == SQL_BLOB)
			sqlite3_bind_blob(s, i, args->p, (int)args->len, SQLITE_STATIC);
		else
			sqlite3_bind_null(s, i);
	}
	if (r) {
		r->h = s;
		return TF_OK;
	}
	e = sqlite_map_rc(db_of(c), sqlite3_step(s), stmt_table[id].name);
	if (e == TF_OK && changes)
		*changes = sqlite3_changes(db_of(c));
	finish(s);
	return lone_end(c, e);
}

static bool sq_next(struct rows *r)
{
	if (r->n)
		return false; /* stepping again would run the statement anew */
	int rc = sqlite3_step(r->h);
	if (rc == SQLITE_ROW)
		return true;
	r->n = 1;
	r->e = sqlite_map_rc(db_of(r->c), rc, stmt_table[r->id].name);
	return false;
}

static enum tf_err sq_end(struct rows *r)
{
	/* a write that returns rows (an upsert's RETURNING) is done once stepped to its end */
	while (r->e == TF_OK && !r->n && !sqlite3_stmt_readonly(r->h))
		(void)sq_next(r);
	finish(r->h);
	return lone_end(r->c, r->e);
}

static const char *sq_text(struct rows *r, int i, size_t *len)
{
	const unsigned char *t = sqlite3_column_text(r->h, i);
	*len = t ? (size_t)sqlite3_column_bytes(r->h, i) : 0;
	return t ? (const char *)t : "";
}

static int64_t sq_integer(struct rows *r, int i)
{
	return sqlite3_column_int64(r->h, i);
}

static bool sq_is_null(struct rows *r, int i)
{
	return sqlite3_column_type(r->h, i) == SQLITE_NULL;
}

static size_t sq_blob(struct rows *r, int i, uint8_t *out, size_t size)
{
	const void *b = sqlite3_column_blob(r->h, i);
	size_t n = (size_t)sqlite3_column_bytes(r->h, i);
	if (b && size)
		memcpy(out, b, n < size ? n : size);
	return n;
}

enum tf_err exec_sql(sqlite3 *db, const char *sql, const char *what)
{
	char *msg = NULL;
	int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
	if (rc != SQLITE_OK) {
		log_error("database error", "op", what, "error", msg ? msg : sqlite3_errstr(rc), NULL);
		sqlite3_free(msg);
		return sqlite_map_rc(NULL, rc, what) == TF_OK ? TF_ERR_INTERNAL : sqlite_map_rc(NULL, rc, what);
	}
	return TF_OK;
}

/* ---- connections ---- */

/* the VFS connections open with (store_sqlite_wal.c), set once by sqlite_configure */
static const char *file_layer;

enum tf_err sqlite_open_conn(struct sqlite_store *st, struct sqlite_conn **out)
{
	struct sqlite_conn *sc = calloc(1, sizeof *sc);
	if (!sc)
		return TF_ERR_INTERNAL;
	sc->base.st = &st->sql.base;
	int rc = sqlite3_open_v2(st->path, &sc->db,
				 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, file_layer);
	if (rc != SQLITE_OK) {
		log_error("cannot open database", "path", st->path, "error", sqlite3_errstr(rc), NULL);
		sqlite3_close(sc->db);
		free(sc);
		return TF_ERR_STORE_UNAVAILABLE;
	}
	sqlite3_busy_timeout(sc->db, 5000);
	sqlite3_extended_result_codes(sc->db, 1);
	enum tf_err e = exec_sql(sc->db, st->full_sync ? "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
						       : "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
				 "pragmas");
	if (e != TF_OK) {
		sqlite3_close(sc->db);
		free(sc);
		return e;
	}
	*out = sc;
	return TF_OK;
}

void sqlite_close_conn(struct sqlite_conn *sc)
{
	for (int i = 0; i < S__MAX; i++)
		sqlite3_finalize(sc->stmts[i]);
	sqlite3_close(sc->db);
	free(sc);
}

/* no per-user lock: the single writer serialises every write transaction */
static const struct sql_driver sqlite_driver = {SQL_SQLITE, sq_run, sq_next, sq_end, sq_text, sq_integer, sq_is_null,
						sq_blob, NULL, NULL};

/* SQLite's process-wide settings, before its first use: no count of its allocations (nothing
 * reads it, and every allocation would take one global mutex to keep it). */
static void sqlite_configure(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	file_layer = sqlite_wal_vfs_register();
}

static enum tf_err sq_open(const char *url, const char *durability, struct store **out)
{
	static pthread_once_t configured = PTHREAD_ONCE_INIT;
	pthread_once(&configured, sqlite_configure);
	struct sqlite_store *st = calloc(1, sizeof *st);
	if (!st)
		return TF_ERR_INTERNAL;
	st->sql.base.ops = &store_sqlite_ops;
	st->sql.drv = &sqlite_driver;
	const char *path = strncmp(url, "sqlite:", 7) == 0 ? url + 7 : url;
	snprintf(st->path, sizeof st->path, "%s", path);
	st->full_sync = durability && strcmp(durability, "full") == 0;
	pthread_mutex_init(&st->lock, NULL);
	group_init(&st->group, st->full_sync);
	*out = &st->sql.base;
	return TF_OK;
}

static void sq_close(struct store *s)
{
	struct sqlite_store *st = (struct sqlite_store *)s;
	if (!st)
		return;
	for (size_t i = 0; i < st->n_all; i++)
		sqlite_close_conn(st->all[i]);
	group_destroy(&st->group);
	pthread_mutex_destroy(&st->lock);
	free(st);
}

static enum tf_err sq_acquire(struct store *s, struct store_conn **out)
{
	struct sqlite_store *st = (struct sqlite_store *)s;
	pthread_mutex_lock(&st->lock);
	struct sqlite_conn *sc = st->free_list;
	if (sc)
		st->free_list = sc->next_free;
	pthread_mutex_unlock(&st->lock);
	if (!sc) {
		enum tf_err e = sqlite_open_conn(st, &sc);
		if (e != TF_OK)
			return e;
		pthread_mutex_lock(&st->lock);
		if (st->n_all == sizeof st->all / sizeof st->all[0]) {
			pthread_mutex_unlock(&st->lock);
			sqlite_close_conn(sc);
			return TF_ERR_OVERLOADED;
		}
		st->all[st->n_all++] = sc;
		pthread_mutex_unlock(&st->lock);
	}
	*out = &sc->base;
	return TF_OK;
}

static void sq_release(struct store_conn *c)
{
	struct sqlite_conn *sc = (struct sqlite_conn *)c;
	struct sqlite_store *st = (struct sqlite_store *)c->st;
	if (sc->lone) {
		log_error("connection released inside a lone write; committing it", NULL);
		(void)lone_end(c, TF_OK);
	}
	if (sc->in_tx) {
		log_error("connection released inside a transaction; rolling back", NULL);
		sc->in_tx = false;
		group_rollback(st);
	}
	(void)settle_pending(sc); /* the caller did not ask when_durable: it did not answer yet */
	sc->lost = TF_OK;
	if (!sqlite3_get_autocommit(sc->db)) {
		log_error("pooled connection released inside a transaction; rolling back", NULL);
		exec_sql(sc->db, "ROLLBACK", "release");
	}
	pthread_mutex_lock(&st->lock);
	sc->next_free = st->free_list;
	st->free_list = sc;
	pthread_mutex_unlock(&st->lock);
}

/* No row violates a foreign key (PRAGMA foreign_key_check answers none). */
static bool foreign_keys_hold(sqlite3 *db)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(db, "PRAGMA foreign_key_check", -1, &s, NULL) != SQLITE_OK)
		return false;
	bool none = sqlite3_step(s) == SQLITE_DONE;
	sqlite3_finalize(s);
	return none;
}

static enum tf_err migrate_one(sqlite3 *db, const struct migration *m)
{
	enum tf_err e;
	sqlite3_stmt *s;
	if ((e = exec_sql(db, "BEGIN IMMEDIATE", "migrate")) != TF_OK)
		return e;
	if ((e = exec_sql(db, m->sql, m->name)) != TF_OK) {
		exec_sql(db, "ROLLBACK", "migrate");
		return e;
	}
	if (!foreign_keys_hold(db)) {
		log_error("a migration leaves rows that break a foreign key", "version", m->name, NULL);
		exec_sql(db, "ROLLBACK", "migrate");
		return TF_ERR_INTERNAL;
	}
	if (sqlite3_prepare_v2(db, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, strftime('%s','now') * 1000)", -1, &s, NULL) != SQLITE_OK) {
		exec_sql(db, "ROLLBACK", "migrate");
		return TF_ERR_INTERNAL;
	}
	sqlite3_bind_int(s, 1, m->version);
	sqlite3_bind_text(s, 2, m->name, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE || (e = exec_sql(db, "COMMIT", "migrate")) != TF_OK) {
		exec_sql(db, "ROLLBACK", "migrate");
		return TF_ERR_INTERNAL;
	}
	log_info("schema migrated", "version", m->name, NULL);
	return TF_OK;
}

static enum tf_err sq_migrate(struct store_conn *c, int *version_out)
{
	sqlite3 *db = db_of(c);
	enum tf_err e = exec_sql(db, "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)", "migrate");
	if (e != TF_OK)
		return e;
	int current = 0;
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(db, "SELECT coalesce(max(version), 0) FROM schema_migrations", -1, &s, NULL) != SQLITE_OK)
		return TF_ERR_INTERNAL;
	if (sqlite3_step(s) == SQLITE_ROW)
		current = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	/* Each migration runs with foreign keys off and checks them before it commits, as SQLite
	 * asks of a migration that rebuilds a table (ALTER TABLE, "other kinds of table schema
	 * changes"): dropping a table that others reference must not cascade to their rows. The
	 * pragma has no effect inside a transaction, hence around it. */
	e = TF_OK;
	for (const struct migration *m = migrations_sqlite; e == TF_OK && m->version; m++) {
		if (m->version <= current)
			continue;
		if ((e = exec_sql(db, "PRAGMA foreign_keys=OFF", "migrate")) != TF_OK)
			break;
		e = migrate_one(db, m);
		enum tf_err on = exec_sql(db, "PRAGMA foreign_keys=ON", "migrate");
		if (e == TF_OK)
			e = on;
		if (e == TF_OK)
			current = m->version;
	}
	*version_out = current;
	return e;
}

static enum tf_err sq_tx_begin(struct store_conn *c)
{
	struct sqlite_conn *sc = (struct sqlite_conn *)c;
	if (sc->in_tx || sc->lone) {
		log_error("transaction begun inside another", NULL);
		return TF_ERR_INTERNAL;
	}
	enum tf_err e = writer_take(sc);
	if (e == TF_OK)
		sc->in_tx = true;
	return e;
}

static enum tf_err sq_tx_commit(struct store_conn *c)
{
	struct sqlite_conn *sc = (struct sqlite_conn *)c;
	if (!sc->in_tx)
		return TF_ERR_INTERNAL;
	sc->in_tx = false;
	return commit(c);
}

static void sq_tx_rollback(struct store_conn *c)
{
	struct sqlite_conn *sc = (struct sqlite_conn *)c;
	if (!sc->in_tx)
		return;
	sc->in_tx = false;
	group_rollback((struct sqlite_store *)c->st);
}

static enum store_durable sq_when_durable(struct store_conn *c, void (*done)(void *arg, enum tf_err e), void *arg,
					  enum tf_err *now)
{
	struct sqlite_conn *sc = (struct sqlite_conn *)c;
	if (sc->pending && done) {
		struct group *g = &store_of(c)->group;
		pthread_mutex_lock(&g->done_lock);
		bool later = !sc->pend.done;
		if (later) {
			sc->pend.cb = done;
			sc->pend.arg = arg;
		}
		pthread_mutex_unlock(&g->done_lock);
		if (later)
			return STORE_DURABLE_LATER;
	}
	(void)settle_pending(sc);
	*now = sc->lost; /* whichever deferred COMMIT failed, even one a statement waited for */
	if (!done)
		sc->lost = TF_OK; /* told, as the answer is made */
	return STORE_DURABLE_NOW;
}

static void sq_flush(struct store *s)
{
	group_flush((struct sqlite_store *)s);
}

const struct store_ops store_sqlite_ops = {.name = "sqlite", SQL_STORE_OPS(sq)};
