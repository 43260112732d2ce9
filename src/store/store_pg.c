/*
 * store_pg.c: the PostgreSQL driver of the store (store_sql.h), for several twofold nodes on
 * one database: the connection pool, running the statements of store_sql.c, the error
 * mapping, the locks, transactions and migrations.
 *
 * Design notes:
 *  (1) A pool of at most db_pool_size connections per node. A thread takes one for a request
 *      and gives it back; when all are taken it waits up to POOL_WAIT_MS, then the request is
 *      answered 503 OVERLOADED.
 *  (2) Every statement is prepared once per connection and run with its parameters
 *      (PQexecPrepared): no value is ever part of SQL text.
 *  (3) Write transactions run at READ COMMITTED. What SQLite serialises with its single
 *      writer is serialised here by locks held to the end of the transaction: the advisory
 *      lock of the user a transaction reads first (pg_lock_user, before the statements marked
 *      locks_user in store_sql.c), so that two nodes checking and updating one user's
 *      challenge, factor, transaction or exemption counts take turns;
 *      and the head row of the audit chain it appends to, so that each chain stays one line;
 *      writers of different applications' chains never wait for each other. Locks are taken
 *      user first, chain second; no user lock is taken after a chain's. The row is held to the
 *      end of the commit, so it is taken last and inside the server only: a transaction's
 *      audit events are written at its end (service/audit.c, through store_tx_end's
 *      before_commit hook) by statements that lock, number, hash and move the head row
 *      themselves (AUDIT_APPEND), and those statements, whose answers twofold does not read,
 *      are sent with the COMMIT in one pipeline (queue_send). No round trip to this process,
 *      which a busy or throttled node could stretch, falls between the row's lock and its
 *      release.
 *      Single-use redemptions (SSO and email tokens, authorisations, backup codes) are
 *      conditional updates, exactly one of which changes the row.
 *  (3b) Round trips: a transaction's BEGIN, its user's lock and the statements marked pipelined
 *      in store_sql.c whose answers are not read are kept, and sent in one pipeline with the
 *      transaction's next statement whose answer is read, or with its COMMIT (queue_send). A
 *      failure among them is the outcome of that statement (the rest of the pipeline is not
 *      run, and the transaction is rolled back), so only statements that fail only when the
 *      database does are marked. A verify request's transaction is then a handful of round
 *      trips instead of one per statement.
 *  (4) A lost connection: a pooled connection is checked when taken (a closed socket is seen
 *      without a round trip) and reconnected; a statement that loses it answers
 *      STORE_UNAVAILABLE (503); a read outside a transaction is tried once more on a new
 *      connection. connect_timeout, statement_timeout, lock_timeout and tcp_user_timeout bound every
 *      wait, and a statement's answer is awaited at most ANSWER_WAIT_MS by this process's own
 *      clock (a stopped server enforces nothing), so no request hangs on a database that went
 *      away or stopped answering.
 *  (5) synchronous_commit is on: a request is answered after its change is durable.
 */
#include <errno.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/grow.h"
#include "platform/clock.h"
#include "platform/log.h"
#include "store/migrations.h"
#include "store/store_sql.h"

#define POOL_WAIT_MS 5000
/* a statement's answer: the server's statement_timeout (15 s) and lock_timeout are shorter */
#define ANSWER_WAIT_MS 20000
#define MIGRATE_LOCK_KEY "7466320001" /* pg_advisory_lock key of `twofold migrate` ("tf" 2 0001) */

struct pg_conn {
	struct store_conn base;
	PGconn *pg;
	bool prepared[S__MAX];
	bool in_tx;
	bool broken;       /* the connection was lost: reconnect before its next use */
	/* the audit chain whose head row this transaction holds last ("": none) */
	char held_chain[AUDIT_CHAIN_MAX];
	char locked_user[2 * TF_ID_MAX + 2]; /* app/user whose advisory lock this transaction holds */
	/* statements of a transaction whose answers are not read (its BEGIN, pipelined ones, and
	 * all of its end's: store_conn.tx_ending), kept to be sent in one pipeline with its next
	 * statement whose answer is read, or with its COMMIT */
	struct queued_stmt *queue;
	size_t n_queue, cap_queue;
	struct pg_conn *next_free;
};

struct pg_store {
	struct sql_store sql;
	char url[4096];
	int pool_size;
	pthread_mutex_t lock;
	pthread_cond_t freed;
	struct pg_conn *free_list;
	struct pg_conn **all; /* pool_size places; NULL where none is open */
	size_t n_all;         /* connections open or being opened */
};

#define PARAMS_MAX 32

/* A statement's arguments as libpq takes them: text, integers (as text) and byte strings (in
 * binary format, so they need no escaping). */
struct pg_params {
	int n;
	const char *v[PARAMS_MAX];
	int len[PARAMS_MAX];
	int fmt[PARAMS_MAX];
	char num[PARAMS_MAX][24];
};

static void to_params(const struct sql_arg *a, struct pg_params *p)
{
	for (p->n = 0; a && a->type != SQL_END && p->n < PARAMS_MAX; a++, p->n++) {
		int i = p->n;
		p->len[i] = a->type == SQL_BLOB ? (int)a->len : 0;
		p->fmt[i] = a->type == SQL_BLOB;
		if (a->type == SQL_INT)
			snprintf(p->num[i], sizeof p->num[i], "%lld", (long long)a->i);
		p->v[i] = a->type == SQL_INT ? p->num[i] : a->type == SQL_NULL ? NULL : a->p ? a->p : "";
	}
	if (a && a->type != SQL_END)
		log_error("too many statement parameters", NULL);
}

/* A statement kept for the pipeline, its arguments copied. */
struct queued_stmt {
	enum stmt_id id;
	const char *text; /* SQL text without parameters (BEGIN) in place of statement id */
	int n;
	char *v[PARAMS_MAX];
	int len[PARAMS_MAX];
	int fmt[PARAMS_MAX];
};

/* ---- running statements ---- */

static struct pg_conn *pc_of(struct store_conn *c)
{
	return (struct pg_conn *)c;
}

/* Whether a failed result means the database is (for now) unavailable rather than a bug:
 * a lost connection, a server shutting down or out of resources, a wait that timed out. */
static bool unavailable_state(const char *state)
{
	if (!state)
		return true;
	return strncmp(state, "08", 2) == 0 || strncmp(state, "53", 2) == 0 || strncmp(state, "57P", 3) == 0 ||
	       strcmp(state, "57014") == 0 || strcmp(state, "55P03") == 0 || strcmp(state, "40001") == 0 ||
	       strcmp(state, "40P01") == 0;
}

/* Maps a failed result (or none) to an error and logs it once. Only the primary message is
 * logged: PostgreSQL's detail line may quote values. */
static enum tf_err map_failure(struct pg_conn *pc, PGresult *res, const char *what)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *msg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	if (!msg)
		msg = PQerrorMessage(pc->pg);
	if (pc->broken || PQstatus(pc->pg) != CONNECTION_OK) {
		pc->broken = true;
		log_error("database connection lost", "op", what, "error", msg, NULL);
		return TF_ERR_STORE_UNAVAILABLE;
	}
	if (state && strcmp(state, "23505") == 0) { /* a unique violation: the caller's row lost a race */
		log_info("database unique violation", "op", what, NULL);
		return TF_ERR_STATE_CONFLICT;
	}
	if (unavailable_state(state)) {
		log_error("database unavailable", "op", what, "sqlstate", state ? state : "", "error", msg, NULL);
		return TF_ERR_STORE_UNAVAILABLE;
	}
	log_error("database error", "op", what, "sqlstate", state ? state : "", "error", msg, NULL);
	return TF_ERR_INTERNAL;
}

/* The result of the command just sent, waiting at most ANSWER_WAIT_MS of this process's own
 * clock: a server that keeps the connection open but answers nothing (stopped, or stuck on its
 * disk) cannot enforce its statement_timeout, and TCP sees nothing wrong; without this the
 * request would wait for ever. NULL when it did not answer in time: the connection is then
 * broken (reconnected before its next use). Of several results, the last. */
static PGresult *await_result(struct pg_conn *pc, const char *what)
{
	/* the connection is in blocking mode: PQsend* returned with the command sent */
	int64_t deadline_ns = clock_monotonic_ns() + ANSWER_WAIT_MS * 1000000LL;
	PGresult *last = NULL;
	for (;;) {
		while (PQisBusy(pc->pg) && PQstatus(pc->pg) != CONNECTION_BAD) {
			int64_t left_ms = (deadline_ns - clock_monotonic_ns()) / 1000000;
			struct pollfd pfd = {.fd = PQsocket(pc->pg), .events = POLLIN};
			int n = left_ms > 0 ? poll(&pfd, 1, (int)left_ms) : 0;
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				log_error("the database did not answer in time", "op", what, NULL);
				pc->broken = true;
				PQclear(last);
				return NULL;
			}
			if (!PQconsumeInput(pc->pg))
				break; /* the connection failed: PQgetResult reports it */
		}
		PGresult *r = PQgetResult(pc->pg);
		if (!r)
			return last;
		PQclear(last);
		last = r;
	}
}

/* PQexec with the wait bounded (await_result). */
static PGresult *exec_bounded(struct pg_conn *pc, const char *sql, const char *what)
{
	return PQsendQuery(pc->pg, sql) ? await_result(pc, what) : NULL;
}

/* A transaction's end: it holds no lock any more. */
static void tx_locks_clear(struct pg_conn *pc)
{
	pc->held_chain[0] = '\0';
	pc->locked_user[0] = '\0';
}

/* Reconnects a connection that was lost; its prepared statements went with it. */
static enum tf_err reconnect(struct pg_conn *pc)
{
	memset(pc->prepared, 0, sizeof pc->prepared);
	pc->in_tx = false;
	tx_locks_clear(pc);
	PQreset(pc->pg);
	if (PQstatus(pc->pg) != CONNECTION_OK) {
		log_error("cannot reconnect to the database", "error", PQerrorMessage(pc->pg), NULL);
		pc->broken = true;
		return TF_ERR_STORE_UNAVAILABLE;
	}
	log_info("reconnected to the database", NULL);
	pc->broken = false;
	return TF_OK;
}

static enum tf_err exec_sql(struct pg_conn *pc, const char *sql, const char *what);

static void queue_clear(struct pg_conn *pc)
{
	for (size_t i = 0; i < pc->n_queue; i++)
		for (int k = 0; k < pc->queue[i].n; k++)
			free(pc->queue[i].v[k]);
	pc->n_queue = 0;
}

/* Prepares statement id on the connection unless it is already. */
static enum tf_err prepare(struct pg_conn *pc, enum stmt_id id, const char *name)
{
	if (pc->prepared[id])
		return TF_OK;
	const char *what = stmt_table[id].name;
	const char *sql = stmt_text(id, SQL_POSTGRES);
	PGresult *r = sql && PQsendPrepare(pc->pg, name, sql, 0, NULL) ? await_result(pc, what) : NULL;
	enum tf_err e = PQresultStatus(r) == PGRES_COMMAND_OK ? TF_OK : map_failure(pc, r, what);
	PQclear(r);
	pc->prepared[id] = e == TF_OK;
	return e;
}

static void stmt_name(enum stmt_id id, char name[16])
{
	snprintf(name, 16, "tf%d", (int)id);
}

/* Keeps statement id with a copy of its arguments for the pipeline (prepared now, outside it). */
static enum tf_err queue_add(struct pg_conn *pc, enum stmt_id id, const struct pg_params *p)
{
	char name[16];
	stmt_name(id, name);
	enum tf_err e = prepare(pc, id, name);
	if (e != TF_OK)
		return e;
	struct queued_stmt *grown = grow_for_one(pc->queue, pc->n_queue, &pc->cap_queue, sizeof *grown);
	if (!grown)
		return TF_ERR_INTERNAL;
	pc->queue = grown;
	struct queued_stmt *q = &pc->queue[pc->n_queue];
	memset(q, 0, sizeof *q);
	q->id = id;
	for (int i = 0; i < p->n; i++, q->n++) {
		q->len[i] = p->len[i];
		q->fmt[i] = p->fmt[i];
		size_t size = p->fmt[i] ? (size_t)p->len[i] : p->v[i] ? strlen(p->v[i]) + 1 : 0;
		if (p->v[i] && !(q->v[i] = malloc(size ? size : 1))) {
			pc->n_queue++; /* freed with the rest */
			return TF_ERR_INTERNAL;
		}
		if (p->v[i])
			memcpy(q->v[i], p->v[i], size);
	}
	pc->n_queue++;
	return TF_OK;
}

/* Keeps SQL text without parameters (a transaction's BEGIN) for the pipeline. */
static enum tf_err queue_add_text(struct pg_conn *pc, const char *sql)
{
	struct queued_stmt *grown = grow_for_one(pc->queue, pc->n_queue, &pc->cap_queue, sizeof *grown);
	if (!grown)
		return TF_ERR_INTERNAL;
	pc->queue = grown;
	pc->queue[pc->n_queue++] = (struct queued_stmt){.text = sql};
	return TF_OK;
}

/* Whether the transaction's BEGIN has not been sent yet (it is the first statement kept). */
static bool begin_kept(const struct pg_conn *pc)
{
	return pc->n_queue > 0 && pc->queue[0].text != NULL;
}

/* The statement whose answer is read, sent last in a pipeline (queue_send). */
struct last_stmt {
	enum stmt_id id;
	const struct pg_params *p;
	PGresult **res_out; /* its rows, or NULL */
	int *changes;       /* its count of changed rows, or NULL */
};

/* Sends the kept statements, then last (may be NULL) and a COMMIT when commit, in one
 * pipeline, and reads their answers: the first failure is the outcome (the statements after
 * it are not run, and the COMMIT then rolls back). A COMMIT that rolled back is INTERNAL, as
 * pg_tx_commit says. */
static enum tf_err queue_send(struct pg_conn *pc, const struct last_stmt *last, bool commit)
{
	size_t n = pc->n_queue;
	if (n == 0 && !commit && !last)
		return TF_OK;
	enum tf_err e = TF_OK;
	char last_name[16];
	if (last) {
		stmt_name(last->id, last_name);
		if ((e = prepare(pc, last->id, last_name)) != TF_OK) {
			queue_clear(pc);
			return e;
		}
	}
	if (!PQenterPipelineMode(pc->pg)) {
		queue_clear(pc);
		return map_failure(pc, NULL, "pipeline");
	}
	size_t sent = 0;
	for (; sent < n; sent++) {
		char name[16];
		const struct queued_stmt *q = &pc->queue[sent];
		stmt_name(q->id, name);
		if (q->text ? !PQsendQueryParams(pc->pg, q->text, 0, NULL, NULL, NULL, NULL, 0)
			    : !PQsendQueryPrepared(pc->pg, name, q->n, (const char *const *)q->v, q->len, q->fmt, 0))
			break;
	}
	bool last_sent = sent == n && last &&
			 PQsendQueryPrepared(pc->pg, last_name, last->p->n, last->p->v, last->p->len, last->p->fmt, 0);
	bool commit_sent = sent == n && commit && PQsendQueryParams(pc->pg, "COMMIT", 0, NULL, NULL, NULL, NULL, 0);
	if (sent < n || (last && !last_sent) || (commit && !commit_sent) || !PQpipelineSync(pc->pg)) {
		e = map_failure(pc, NULL, "pipeline");
		pc->broken = true; /* the pipeline's state is unknown: a new connection */
		queue_clear(pc);
		return e;
	}
	size_t n_last = last ? n + 1 : n, total = n_last + (commit ? 1 : 0);
	for (size_t i = 0; i < total && !pc->broken; i++) {
		const char *what = i < n ? (pc->queue[i].text ? pc->queue[i].text : stmt_table[pc->queue[i].id].name)
			 : i < n_last ? stmt_table[last->id].name : "commit";
		PGresult *r = await_result(pc, what);
		ExecStatusType st = PQresultStatus(r);
		if (e == TF_OK && st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
			e = r && st == PGRES_PIPELINE_ABORTED ? TF_ERR_INTERNAL : map_failure(pc, r, what);
		else if (e == TF_OK && i == n_last && strcmp(PQcmdStatus(r), "COMMIT") != 0)
			e = TF_ERR_INTERNAL; /* a failed transaction "commits" as ROLLBACK */
		if (e == TF_OK && i == n && last) {
			if (last->changes) {
				const char *c = PQcmdTuples(r);
				*last->changes = c && *c ? (int)strtol(c, NULL, 10) : 0;
			}
			if (last->res_out) {
				*last->res_out = r;
				continue;
			}
		}
		PQclear(r);
	}
	if (e != TF_OK && last && last->res_out && *last->res_out) {
		PQclear(*last->res_out);
		*last->res_out = NULL;
	}
	if (!pc->broken) {
		PGresult *r = await_result(pc, "pipeline"); /* the sync */
		if (PQresultStatus(r) != PGRES_PIPELINE_SYNC)
			pc->broken = true;
		PQclear(r);
	}
	if (!pc->broken && !PQexitPipelineMode(pc->pg))
		pc->broken = true;
	/* a failure inside the transaction block left it open and failed (the server skipped the
	 * COMMIT): end it here, or the connection would go back to the pool inside it */
	if (commit && !pc->broken && PQtransactionStatus(pc->pg) != PQTRANS_IDLE)
		(void)exec_sql(pc, "ROLLBACK", "rollback");
	if (pc->broken && e == TF_OK)
		e = TF_ERR_STORE_UNAVAILABLE;
	queue_clear(pc);
	return e;
}

static enum tf_err run_once(struct pg_conn *pc, enum stmt_id id, const struct pg_params *p, PGresult **res_out,
			    int *changes)
{
	const char *what = stmt_table[id].name;
	char name[16];
	stmt_name(id, name);
	enum tf_err pe = prepare(pc, id, name);
	if (pe != TF_OK)
		return pe;
	PGresult *r = PQsendQueryPrepared(pc->pg, name, p->n, p->v, p->len, p->fmt, 0) ? await_result(pc, what) : NULL;
	ExecStatusType st = PQresultStatus(r);
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		enum tf_err e = map_failure(pc, r, what);
		PQclear(r);
		return e;
	}
	if (changes) {
		const char *n = PQcmdTuples(r);
		*changes = n && *n ? (int)strtol(n, NULL, 10) : 0;
	}
	if (res_out)
		*res_out = r;
	else
		PQclear(r);
	return TF_OK;
}

/* A lost connection is TF_ERR_STORE_UNAVAILABLE; a read outside a transaction is tried once
 * more on a new connection first. */
static enum tf_err pg_run(struct store_conn *c, enum stmt_id id, const struct sql_arg *args, struct rows *r,
			  int *changes)
{
	struct pg_conn *pc = pc_of(c);
	PGresult *res = NULL;
	struct pg_params p;
	to_params(args, &p);
	if (pc->broken) {
		if (pc->in_tx)
			return TF_ERR_STORE_UNAVAILABLE; /* the transaction is gone with the connection */
		enum tf_err e = reconnect(pc);
		if (e != TF_OK)
			return e;
	}
	/* inside a transaction, what is not read waits for the next statement that is read, or for
	 * the COMMIT (at the transaction's end, all of it; before, the statements marked
	 * pipelined), and goes with it in one pipeline */
	if (pc->in_tx && !r && !changes && (c->tx_ending || stmt_table[id].pipelined))
		return queue_add(pc, id, &p);
	enum tf_err e;
	if (pc->n_queue)
		e = queue_send(pc, &(struct last_stmt){id, &p, r ? &res : NULL, changes}, false);
	else
		e = run_once(pc, id, &p, r ? &res : NULL, changes);
	/* a read outside a transaction changes nothing: safe to try once more */
	const char *sql = stmt_text(id, SQL_POSTGRES);
	if (e == TF_ERR_STORE_UNAVAILABLE && pc->broken && !pc->in_tx && sql && strncmp(sql, "SELECT", 6) == 0 &&
	    reconnect(pc) == TF_OK)
		e = run_once(pc, id, &p, r ? &res : NULL, changes);
	if (e == TF_OK && r) {
		r->h = res;
		r->n = PQntuples(res);
	}
	return e;
}

static bool pg_next(struct rows *r)
{
	return ++r->row < r->n;
}

static enum tf_err pg_end(struct rows *r)
{
	PQclear(r->h);
	return r->e;
}

static const char *pg_text(struct rows *r, int i, size_t *len)
{
	*len = (size_t)PQgetlength(r->h, r->row, i);
	return PQgetvalue(r->h, r->row, i);
}

static int64_t pg_integer(struct rows *r, int i)
{
	return PQgetisnull(r->h, r->row, i) ? 0 : strtoll(PQgetvalue(r->h, r->row, i), NULL, 10);
}

static bool pg_is_null(struct rows *r, int i)
{
	return PQgetisnull(r->h, r->row, i) != 0;
}

/* bytea comes in text form (\x and hex digits) */
static size_t pg_blob(struct rows *r, int i, uint8_t *out, size_t size)
{
	if (PQgetisnull(r->h, r->row, i))
		return 0;
	size_t n = 0;
	unsigned char *b = PQunescapeBytea((const unsigned char *)PQgetvalue(r->h, r->row, i), &n);
	if (b && size)
		memcpy(out, b, n < size ? n : size);
	PQfreemem(b);
	return b ? n : 0;
}

/* Inside a write transaction, takes the advisory lock of one user (released at its end): the
 * read-check-write sequences of one user's requests run one at a time on every node, as
 * SQLite's write lock makes them. Outside a transaction, or after the audit chain's head, it
 * does nothing. */
static enum tf_err pg_lock_user(struct store_conn *c, const char *app_id, const char *user_id)
{
	struct pg_conn *pc = pc_of(c);
	if (!pc->in_tx || pc->held_chain[0])
		return TF_OK;
	char key[sizeof pc->locked_user];
	snprintf(key, sizeof key, "%s/%s", app_id, user_id);
	if (strcmp(key, pc->locked_user) == 0)
		return TF_OK;
	enum tf_err e = pg_run(c, S_USER_LOCK, ARGS(TEXT(app_id), TEXT(user_id)), NULL, NULL);
	if (e == TF_OK)
		snprintf(pc->locked_user, sizeof pc->locked_user, "%s", key);
	return e;
}

static enum tf_err pg_chain_locked(struct store_conn *c, const char *chain)
{
	struct pg_conn *pc = pc_of(c);
	if (!pc->in_tx)
		return TF_OK;
	const char *held = pc->held_chain;
	if (held[0] && strcmp(held, chain) != 0 &&
	    (!strcmp(held, AUDIT_DEPLOYMENT_CHAIN) || strcmp(chain, AUDIT_DEPLOYMENT_CHAIN) != 0)) {
		log_error("a transaction took audit chains out of order", "held", held, "chain", chain, NULL);
		return TF_ERR_INTERNAL;
	}
	snprintf(pc->held_chain, sizeof pc->held_chain, "%s", chain);
	return TF_OK;
}

/* Runs SQL text without parameters (transaction control, migrations). */
static enum tf_err exec_sql(struct pg_conn *pc, const char *sql, const char *what)
{
	PGresult *r = exec_bounded(pc, sql, what);
	ExecStatusType st = PQresultStatus(r);
	enum tf_err e = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK ? TF_OK : map_failure(pc, r, what);
	PQclear(r);
	return e;
}

/* ---- connections and the pool ---- */

/* What the server sends besides results (NOTICE, WARNING): libpq's default prints it on
 * standard error as plain text, where every line must be a JSON log line. A migration's
 * `CREATE ... IF NOT EXISTS` on an already migrated database (any restart) sends a NOTICE. */
static void on_notice(void *arg, const PGresult *r)
{
	(void)arg;
	const char *severity = PQresultErrorField(r, PG_DIAG_SEVERITY_NONLOCALIZED);
	const char *message = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
	bool warning = severity && strcmp(severity, "WARNING") == 0;
	log_line(warning ? LOG_WARN : LOG_DEBUG, "database notice", "severity", severity ? severity : "NOTICE", "message",
		 message ? message : "", NULL);
}

static PGconn *connect_db(const char *url)
{
	/* defaults first: what the URL says wins (expand_dbname) */
	/* tcp_user_timeout: a database that vanished without closing the connection (a network
	 * partition) fails a statement already sent after 15 s, as statement_timeout would, instead
	 * of when TCP gives up retransmitting (about 15 minutes); keepalives find it on idle ones */
	const char *keys[] = {"connect_timeout", "application_name", "keepalives_idle", "keepalives_interval",
			      "keepalives_count", "tcp_user_timeout", "options", "dbname", NULL};
	const char *vals[] = {"5", "twofold", "30", "10", "3", "15000",
			      "-c synchronous_commit=on -c statement_timeout=15000 -c lock_timeout=10000 "
			      "-c idle_in_transaction_session_timeout=60000",
			      url, NULL};
	PGconn *pg = PQconnectdbParams(keys, vals, 1);
	if (pg)
		PQsetNoticeReceiver(pg, on_notice, NULL);
	return pg;
}

static enum tf_err open_conn(struct pg_store *st, struct pg_conn **out)
{
	struct pg_conn *pc = calloc(1, sizeof *pc);
	if (!pc)
		return TF_ERR_INTERNAL;
	pc->base.st = &st->sql.base;
	pc->pg = connect_db(st->url);
	if (!pc->pg || PQstatus(pc->pg) != CONNECTION_OK) {
		log_error("cannot connect to the database", "error", pc->pg ? PQerrorMessage(pc->pg) : "out of memory", NULL);
		PQfinish(pc->pg);
		free(pc);
		return TF_ERR_STORE_UNAVAILABLE;
	}
	*out = pc;
	return TF_OK;
}

static const struct sql_driver pg_driver = {SQL_POSTGRES, pg_run, pg_next, pg_end, pg_text, pg_integer, pg_is_null,
					    pg_blob, pg_lock_user, pg_chain_locked};

static enum tf_err pg_open_pool(const char *url, int pool_size, struct store **out)
{
	struct pg_store *st = calloc(1, sizeof *st);
	if (!st)
		return TF_ERR_INTERNAL;
	st->sql.base.ops = &store_pg_ops;
	st->sql.drv = &pg_driver;
	snprintf(st->url, sizeof st->url, "%s", url);
	st->pool_size = pool_size > 0 ? pool_size : 1;
	st->all = calloc((size_t)st->pool_size, sizeof *st->all);
	if (!st->all) {
		free(st);
		return TF_ERR_INTERNAL;
	}
	pthread_mutex_init(&st->lock, NULL);
	pthread_cond_init(&st->freed, NULL);
	*out = &st->sql.base;
	return TF_OK;
}

enum tf_err store_pg_open(const char *url, int pool_size, struct store **out)
{
	return pg_open_pool(url, pool_size, out);
}

static enum tf_err pg_open(const char *url, const char *durability, struct store **out)
{
	(void)durability; /* PostgreSQL runs with synchronous_commit = on */
	return pg_open_pool(url, STORE_PG_POOL_DEFAULT, out);
}

static void pg_close(struct store *s)
{
	struct pg_store *st = (struct pg_store *)s;
	if (!st)
		return;
	for (int i = 0; i < st->pool_size; i++) {
		if (!st->all[i])
			continue;
		PQfinish(st->all[i]->pg);
		queue_clear(st->all[i]);
		free(st->all[i]->queue);
		free(st->all[i]);
	}
	free(st->all);
	pthread_mutex_destroy(&st->lock);
	pthread_cond_destroy(&st->freed);
	free(st);
}

static enum tf_err pg_acquire(struct store *s, struct store_conn **out)
{
	struct pg_store *st = (struct pg_store *)s;
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += POOL_WAIT_MS / 1000;
	pthread_mutex_lock(&st->lock);
	struct pg_conn *pc = NULL;
	bool open_new = false;
	for (;;) {
		if (st->free_list) {
			pc = st->free_list;
			st->free_list = pc->next_free;
			break;
		}
		if (st->n_all < (size_t)st->pool_size) {
			st->n_all++; /* reserve the place while connecting */
			open_new = true;
			break;
		}
		if (pthread_cond_timedwait(&st->freed, &st->lock, &until) != 0 && !st->free_list) {
			pthread_mutex_unlock(&st->lock);
			log_warn("every database connection of the pool is taken", NULL);
			return TF_ERR_OVERLOADED;
		}
	}
	pthread_mutex_unlock(&st->lock);
	if (open_new) {
		enum tf_err e = open_conn(st, &pc);
		pthread_mutex_lock(&st->lock);
		if (e != TF_OK) {
			st->n_all--;
			pthread_cond_signal(&st->freed);
		} else {
			for (int i = 0; i < st->pool_size; i++)
				if (!st->all[i]) {
					st->all[i] = pc;
					break;
				}
		}
		pthread_mutex_unlock(&st->lock);
		if (e != TF_OK)
			return e;
	} else if (!pc->broken && (PQconsumeInput(pc->pg) == 0 || PQstatus(pc->pg) != CONNECTION_OK)) {
		pc->broken = true; /* the server closed it while it waited in the pool */
	}
	if (pc->broken && reconnect(pc) != TF_OK) {
		pthread_mutex_lock(&st->lock);
		pc->next_free = st->free_list;
		st->free_list = pc;
		pthread_cond_signal(&st->freed);
		pthread_mutex_unlock(&st->lock);
		return TF_ERR_STORE_UNAVAILABLE;
	}
	*out = &pc->base;
	return TF_OK;
}

static void pg_release(struct store_conn *c)
{
	struct pg_conn *pc = pc_of(c);
	struct pg_store *st = (struct pg_store *)c->st;
	if (pc->in_tx) {
		log_error("connection released inside a transaction; rolling back", NULL);
		bool begun = !begin_kept(pc);
		queue_clear(pc);
		if (begun && !pc->broken)
			(void)exec_sql(pc, "ROLLBACK", "release");
		pc->in_tx = false;
	}
	pthread_mutex_lock(&st->lock);
	pc->next_free = st->free_list;
	st->free_list = pc;
	pthread_cond_signal(&st->freed);
	pthread_mutex_unlock(&st->lock);
}

/* ---- migrations ---- */

static enum tf_err pg_migrate(struct store_conn *c, int *version_out)
{
	struct pg_conn *pc = pc_of(c);
	/* nodes starting together take turns: the first applies, the others find it done */
	enum tf_err e = exec_sql(pc, "SELECT pg_advisory_lock(" MIGRATE_LOCK_KEY ")", "migrate");
	if (e != TF_OK)
		return e;
	e = exec_sql(pc, "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, "
			 "applied_at BIGINT NOT NULL)", "migrate");
	int current = 0;
	if (e == TF_OK) {
		PGresult *r = PQexec(pc->pg, "SELECT coalesce(max(version), 0) FROM schema_migrations");
		if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
			current = (int)strtol(PQgetvalue(r, 0, 0), NULL, 10);
		else
			e = map_failure(pc, r, "migrate");
		PQclear(r);
	}
	for (const struct migration *m = migrations_postgres; e == TF_OK && m->version; m++) {
		if (m->version <= current)
			continue;
		if ((e = exec_sql(pc, "BEGIN", "migrate")) != TF_OK)
			break;
		if ((e = exec_sql(pc, m->sql, m->name)) == TF_OK) {
			char version[16];
			snprintf(version, sizeof version, "%d", m->version);
			const char *vals[] = {version, m->name};
			PGresult *r = PQexecParams(pc->pg, "INSERT INTO schema_migrations (version, name, applied_at) VALUES "
							   "($1, $2, (extract(epoch FROM now()) * 1000)::bigint)",
						   2, NULL, vals, NULL, NULL, 0);
			if (PQresultStatus(r) != PGRES_COMMAND_OK)
				e = map_failure(pc, r, "migrate");
			PQclear(r);
		}
		if (e == TF_OK)
			e = exec_sql(pc, "COMMIT", "migrate");
		if (e != TF_OK) {
			(void)exec_sql(pc, "ROLLBACK", "migrate");
			break;
		}
		log_info("schema migrated", "version", m->name, NULL);
		current = m->version;
	}
	(void)exec_sql(pc, "SELECT pg_advisory_unlock(" MIGRATE_LOCK_KEY ")", "migrate");
	if (e == TF_OK)
		*version_out = current;
	return e;
}

/* ---- transactions ---- */

static enum tf_err pg_tx_begin(struct store_conn *c)
{
	struct pg_conn *pc = pc_of(c);
	if (pc->broken && reconnect(pc) != TF_OK)
		return TF_ERR_STORE_UNAVAILABLE;
	queue_clear(pc);
	enum tf_err e = queue_add_text(pc, "BEGIN"); /* sent with the transaction's first statement */
	pc->in_tx = e == TF_OK;
	tx_locks_clear(pc);
	return e;
}

static enum tf_err pg_tx_commit(struct store_conn *c)
{
	struct pg_conn *pc = pc_of(c);
	if (!pc->in_tx)
		return TF_ERR_INTERNAL;
	pc->in_tx = false;
	tx_locks_clear(pc);
	if (pc->broken) {
		queue_clear(pc);
		return TF_ERR_STORE_UNAVAILABLE;
	}
	if (pc->n_queue)
		return queue_send(pc, NULL, true);
	PGresult *r = exec_bounded(pc, "COMMIT", "commit");
	enum tf_err e = TF_OK;
	if (PQresultStatus(r) != PGRES_COMMAND_OK)
		e = map_failure(pc, r, "commit");
	else if (strcmp(PQcmdStatus(r), "COMMIT") != 0) /* a failed transaction "commits" as ROLLBACK */
		e = TF_ERR_INTERNAL;
	PQclear(r);
	return e;
}

static void pg_tx_rollback(struct store_conn *c)
{
	struct pg_conn *pc = pc_of(c);
	bool begun = !begin_kept(pc); /* else nothing of it reached the server */
	queue_clear(pc);
	if (pc->in_tx && begun && !pc->broken)
		(void)exec_sql(pc, "ROLLBACK", "rollback");
	pc->in_tx = false;
	tx_locks_clear(pc);
}

/* A transaction's end returns after its COMMIT: what it wrote is durable by then. */
static enum store_durable pg_when_durable(struct store_conn *c, void (*done)(void *arg, enum tf_err e), void *arg,
					  enum tf_err *now)
{
	(void)c;
	(void)done;
	(void)arg;
	*now = TF_OK;
	return STORE_DURABLE_NOW;
}

/* Nothing waits for a COMMIT: every transaction's end commits it. */
static void pg_flush(struct store *st)
{
	(void)st;
}

const struct store_ops store_pg_ops = {.name = "postgres", SQL_STORE_OPS(pg)};
