/*
 * store_sqlite_int.h: what the files of the SQLite backend share: the connection struct, the
 * prepared-statement ids (their SQL is in store_sqlite_sql.c) and small helpers that bind,
 * step and copy. Nothing outside src/store/store_sqlite*.c includes this.
 */
#ifndef TF_STORE_SQLITE_INT_H
#define TF_STORE_SQLITE_INT_H
#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>

#include "store/store.h"

enum stmt_id {
	Q_APP_INSERT,
	Q_APP_GET,
	Q_APP_GET_BY_KEY,
	Q_USER_INSERT,
	Q_USER_GET,
	Q_USER_GET_BY_EMAIL,
	Q_USER_MARK_VERIFIED,
	Q_USER_PURGE_SESSIONS,
	Q_USER_PURGE_TOKENS,
	Q_USER_PURGE,
	Q_SESSION_INSERT,
	Q_SESSION_GET,
	Q_SESSION_TOUCH,
	Q_SESSION_REVOKE,
	Q_EMAIL_TOKEN_INSERT,
	Q_OUTBOX_INSERT,
	Q_OUTBOX_DUE,
	Q_OUTBOX_SENT,
	Q_OUTBOX_RETRY,
	Q_OUTBOX_FAILED,
	Q_AUDIT_LAST,
	Q_AUDIT_INSERT,
	Q_AUDIT_SCAN,
	Q_IDEM_GET,
	Q_IDEM_INSERT,
	Q_IDEM_REPLACE,
	Q_IDEM_COMPLETE,
	Q_IDEM_DELETE,
	Q_COUNTER_HIT,
	Q_COUNTER_GET,
	Q_COUNTER_GIVE_BACK,
	Q_PING,
	Q_SESSION_STEPUP,
	Q_SESSION_SEND_SWAP,
	Q_SESSION_SEND_STATE,
	Q_FACTOR_SEND_SWAP,
	Q_FACTOR_SEND_STATE,
	Q_FACTOR_INSERT,
	Q_FACTOR_GET,
	Q_FACTOR_LIST,
	Q_FACTOR_UPDATE,
	Q_FACTOR_CLEAR_PREFERRED,
	Q_FACTOR_SET_PREFERRED,
	Q_FACTOR_DELETE,
	Q_BACKUP_DELETE,
	Q_BACKUP_INSERT,
	Q_BACKUP_LIST,
	Q_BACKUP_USE,
	Q_CHALLENGE_INSERT,
	Q_CHALLENGE_GET,
	Q_CHALLENGE_UPDATE,
	Q_CHALLENGE_SUPERSEDE,
	Q_DEVICE_INSERT,
	Q_DEVICE_LIST,
	Q_DEVICE_REVOKE,
	Q_DEVICE_REVOKE_ALL,
	Q_DEVICE_REVOKED_SINCE,
	Q_APP_GET_BY_CLIENT_ID,
	Q_SSO_TOKEN_INSERT,
	Q_SSO_TOKEN_REDEEM,
	Q_SSO_TOKEN_GET,
	Q_HOSTED_SESSION_INSERT,
	Q_HOSTED_SESSION_INFO,
	Q_HOSTED_SESSION_MFA_PASSED,
	Q_HOSTED_SESSIONS_REVOKE,
	Q_EMAIL_TOKEN_GET,
	Q_EMAIL_TOKEN_USE,
	Q_USER_SET_PASSWORD,
	Q_AUTH_INSERT,
	Q_AUTH_GET,
	Q_AUTH_USE,
	Q_BEN_INSERT,
	Q_BEN_LIST,
	Q_BEN_DELETE,
	Q_BEN_FIND,
	Q_SERIES_GET,
	Q_SERIES_PUT,
	Q_SCA_GET,
	Q_SCA_RECORD,
	Q_SCA_RECORD_ACCOUNT,
	Q_SCA_LOW_VALUE,
	Q_LEDGER_INSERT,
	Q_LEDGER_REPORT,
	Q_CHALLENGE_LATEST,
	Q_TXN_INSERT,
	Q_TXN_GET,
	Q_TXN_UPDATE,
	Q_TXN_BY_CHALLENGE,
	Q_APP_DELIVERY_SET,
	Q_APP_DELIVERY_GET,
	Q_USER_PURGE_FACTORS,
	Q_USER_PURGE_DEVICES,
	Q_USER_PURGE_SSO,
	Q_USER_PURGE_BENEFICIARIES,
	Q_USER_PURGE_TXNS,
	Q_SWEEP_SESSIONS,
	Q_SWEEP_CHALLENGES,
	Q_SWEEP_SSO,
	Q_SWEEP_EMAIL_TOKENS,
	Q_SWEEP_IDEMPOTENCY,
	Q_SWEEP_COUNTERS,
	Q_SWEEP_OUTBOX,
	Q_SWEEP_DEVICES,
	Q_KEYRING_GET,
	Q_KEYRING_INSERT,
	Q_KEYRING_REPLACE,
	Q_USER_CHANGE_EMAIL,
	Q_USER_DROP_EMAIL_TOKENS,
	Q_SEALED_PAGE_CLIENT_SECRETS,
	Q_SEALED_PAGE_DELIVERY,
	Q_SEALED_PAGE_FACTORS,
	Q_SEALED_PAGE_OUTBOX,
	Q_SEALED_PAGE_IDEMPOTENCY,
	Q_SEALED_PUT_CLIENT_SECRET,
	Q_SEALED_PUT_DELIVERY,
	Q_SEALED_PUT_FACTOR,
	Q_SEALED_PUT_OUTBOX,
	Q_SEALED_PUT_IDEMPOTENCY,
	Q_DEVICES_REVOKE_EVERY,
	Q__MAX
};

extern const char *const stmt_sql[Q__MAX];

struct sqlite_conn {
	struct store_conn base;
	/* While in_tx (tx_begin .. tx_commit/tx_rollback) or lone (one write statement outside a
	 * transaction), this connection's statements run on the group's writer connection. */
	bool in_tx;
	bool lone;
	sqlite3 *db;
	sqlite3_stmt *stmts[Q__MAX];
	struct sqlite_conn *next_free;
};

struct member;

/* WAL pages at which the checkpointer runs a passive checkpoint (SQLite's own default for its
 * automatic one), and at which it starts the WAL over: a WAL of about 64 MB at most, with 4 KB
 * pages (store_sqlite_group.c). */
#define WAL_CHECKPOINT_PAGES 1000
#define WAL_RESTART_PAGES (16 * WAL_CHECKPOINT_PAGES)

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
	uint64_t batches, transactions; /* COMMITs and member transactions, for tests */
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
	struct store base;
	char path[4096];
	bool full_sync;
	pthread_mutex_t lock;
	struct group group;
	struct sqlite_conn *free_list;
	struct sqlite_conn *all[256];
	size_t n_all;
};

enum tf_err sqlite_map_rc(sqlite3 *db, int rc, const char *what);
/* The statement id, prepared once per connection. Inside a transaction it is the writer's, so
 * reads see the transaction's own writes. Outside one, a statement that writes starts a lone
 * write (the group's lock is taken) that exec_stmt() or lone_end() ends: take it just before
 * running it. NULL when it cannot be prepared or the writer cannot be had. */
sqlite3_stmt *stmt(struct store_conn *c, enum stmt_id id);
/* The database handle behind c's statements right now (the writer's inside a transaction). */
sqlite3 *db_of(struct store_conn *c);
/* Ends a lone write begun by stmt(): commits it with its batch when e is TF_OK (and returns
 * the commit's result), else undoes it and returns e. Does nothing outside a lone write. */
enum tf_err lone_end(struct store_conn *c, enum tf_err e);
void bind_text(sqlite3_stmt *s, int i, const char *v);   /* NULL binds as '' */
void copy_text(sqlite3_stmt *s, int col, char *out, size_t size);
void copy_blob(sqlite3_stmt *s, int col, uint8_t *out, size_t size, size_t *len);
/* Runs a statement that returns no row; *changes (if given) gets the rows changed. */
enum tf_err exec_stmt(struct store_conn *c, sqlite3_stmt *s, const char *what, int *changes);
/* Steps a query of at most one row: TF_OK with the row current, or NOT_FOUND. */
enum tf_err step_row(struct store_conn *c, sqlite3_stmt *s, const char *what);
void finish(sqlite3_stmt *s); /* reset and clear bindings */
enum tf_err exec_sql(sqlite3 *db, const char *sql, const char *what);
enum tf_err sqlite_open_conn(struct sqlite_store *st, struct sqlite_conn **out);
void sqlite_close_conn(struct sqlite_conn *sc);

/* group commit (store_sqlite_group.c). group_begin() takes the group's lock and opens a
 * savepoint in the batch; group_commit() releases it, gives the lock up and returns once the
 * batch's COMMIT did (with its result); group_rollback() undoes the savepoint and gives the
 * lock up. */
/* shares_commits: a COMMIT costs an fsync (durability full), so a holder that sees another thread
 * waiting leaves the COMMIT to it; otherwise (normal: a COMMIT is a write into the WAL) every
 * holder commits what it has before giving up the lock. */
void group_init(struct group *g, bool shares_commits);
void group_destroy(struct group *g);
enum tf_err group_begin(struct sqlite_store *st);
enum tf_err group_commit(struct sqlite_store *st);
void group_rollback(struct sqlite_store *st);
struct sqlite_conn *group_writer(struct sqlite_store *st);
void group_stats(struct sqlite_store *st, uint64_t *batches, uint64_t *transactions);

/* the operations, by area (store_sqlite_<area>.c) */
enum tf_err sq_app_insert(struct store_conn *c, const struct app_row *a);
enum tf_err sq_app_get(struct store_conn *c, const char *app_id, struct app_row *out);
enum tf_err sq_app_get_by_client_id(struct store_conn *c, const char *client_id, struct app_row *out);
enum tf_err sq_sso_token_insert(struct store_conn *c, const struct sso_token_row *t);
enum tf_err sq_sso_token_redeem(struct store_conn *c, const char *app_id, const uint8_t mac[TF_MAC_BYTES], int64_t now,
				struct sso_token_row *out);
enum tf_err sq_hosted_session_insert(struct store_conn *c, const struct session_row *r, const struct hosted_session_info *info);
enum tf_err sq_hosted_session_info(struct store_conn *c, const char *session_id, struct hosted_session_info *out);
enum tf_err sq_hosted_session_mfa_passed(struct store_conn *c, const char *session_id);
enum tf_err sq_email_token_get(struct store_conn *c, const char *app_id, const uint8_t mac[TF_MAC_BYTES], int64_t now,
			       struct email_token_row *out);
enum tf_err sq_email_token_use(struct store_conn *c, const char *app_id, const uint8_t mac[TF_MAC_BYTES], int64_t now);
enum tf_err sq_user_set_password(struct store_conn *c, const char *app_id, const char *user_id, const char *hash);
enum tf_err sq_authorization_insert(struct store_conn *c, const struct authorization_row *a);
enum tf_err sq_authorization_use(struct store_conn *c, const char *app_id, const char *user_id, const char *authorization_id,
				 const char *transaction_hash, int64_t now, struct authorization_row *out);
enum tf_err sq_beneficiary_insert(struct store_conn *c, const struct beneficiary_row *b);
enum tf_err sq_beneficiary_list(struct store_conn *c, const char *app_id, const char *user_id, struct beneficiary_row *out,
				size_t max, size_t *n_out);
enum tf_err sq_beneficiary_delete(struct store_conn *c, const char *app_id, const char *user_id, const char *beneficiary_id);
enum tf_err sq_beneficiary_find(struct store_conn *c, const char *app_id, const char *user_id, const char *account,
				struct beneficiary_row *out);
enum tf_err sq_series_get(struct store_conn *c, const char *app_id, const char *user_id, const char *series_id,
			  char hash_out[TX_HASH_HEX + 1]);
enum tf_err sq_series_put(struct store_conn *c, const char *app_id, const char *user_id, const char *series_id,
			  const char *transaction_hash, int64_t now);
enum tf_err sq_sca_state_get(struct store_conn *c, const char *app_id, const char *user_id, struct sca_state_row *out);
enum tf_err sq_sca_state_record(struct store_conn *c, const char *app_id, const char *user_id, int64_t now, bool account);
enum tf_err sq_sca_state_add_low_value(struct store_conn *c, const char *app_id, const char *user_id, int64_t eur_cents);
enum tf_err sq_ledger_insert(struct store_conn *c, const struct ledger_row *r);
enum tf_err sq_ledger_report(struct store_conn *c, int64_t from, int64_t to,
			     void (*visit)(void *ctx, const char *app_id, const char *exemption, const char *currency,
					   int64_t count, int64_t amount, int64_t eur_cents),
			     void *ctx);
enum tf_err sq_challenge_latest(struct store_conn *c, const char *app_id, const char *user_id, const char *session_id,
				const char *factor_id, enum challenge_purpose purpose, struct challenge_row *out);
enum tf_err sq_txn_insert(struct store_conn *c, const struct txn_row *t);
enum tf_err sq_txn_get(struct store_conn *c, const char *app_id, const char *user_id, const char *transaction_id,
		       struct txn_row *out);
enum tf_err sq_txn_update(struct store_conn *c, const struct txn_row *t);
enum tf_err sq_txn_list_by_challenge(struct store_conn *c, const char *app_id, const char *challenge_id, struct txn_row *out,
				     size_t max, size_t *n_out);
enum tf_err sq_app_delivery_set(struct store_conn *c, const char *app_id, const uint8_t *sealed, size_t len);
enum tf_err sq_app_delivery_get(struct store_conn *c, const char *app_id, uint8_t **sealed, size_t *len);
/* ops_version 7: the sweeper (store_sqlite_sweep.c) */
enum tf_err sq_sweep(struct store_conn *c, const struct retention_cutoffs *cut, int batch, int *deleted);
/* ops_version 9: the key ring (store_sqlite_keyring.c) */
enum tf_err sq_keyring_get(struct store_conn *c, struct keyring_row *out);
enum tf_err sq_keyring_insert(struct store_conn *c, const struct keyring_row *k);
enum tf_err sq_keyring_replace(struct store_conn *c, const struct keyring_row *k);
enum tf_err sq_sealed_page(struct store_conn *c, enum sealed_column col, const struct sealed_value *after,
			   struct sealed_value *out, size_t max, size_t *n_out);
enum tf_err sq_sealed_put(struct store_conn *c, enum sealed_column col, const struct sealed_value *v);
enum tf_err sq_other_clients(struct store_conn *c, int *n_out);
enum tf_err sq_devices_revoke_every(struct store_conn *c, int64_t now, int *n_out);
enum tf_err sq_hosted_sessions_revoke(struct store_conn *c, const char *app_id, const char *user_id, int64_t now, int *n_out);
enum tf_err sq_app_get_by_api_key(struct store_conn *c, const uint8_t mac[TF_MAC_BYTES], struct app_row *out);
enum tf_err sq_user_insert(struct store_conn *c, const struct user_row *u);
enum tf_err sq_user_get(struct store_conn *c, const char *app_id, const char *user_id, struct user_row *out);
enum tf_err sq_user_get_by_email(struct store_conn *c, const char *app_id, const char *email, struct user_row *out);
enum tf_err sq_user_mark_verified(struct store_conn *c, const char *app_id, const char *user_id, int64_t now);
enum tf_err sq_user_change_email(struct store_conn *c, const char *app_id, const char *user_id, const char *email);
enum tf_err sq_user_purge_unverified(struct store_conn *c, const char *app_id, const char *email, int64_t before);
enum tf_err sq_session_insert(struct store_conn *c, const struct session_row *r);
enum tf_err sq_session_get(struct store_conn *c, const char *app_id, const uint8_t mac[TF_MAC_BYTES], struct session_row *r);
enum tf_err sq_session_touch(struct store_conn *c, const char *session_id, int64_t now);
enum tf_err sq_session_revoke(struct store_conn *c, const char *app_id, const char *session_id, int64_t now);
enum tf_err sq_email_token_insert(struct store_conn *c, const struct email_token_row *t);
enum tf_err sq_outbox_insert(struct store_conn *c, const struct outbox_row *m);
enum tf_err sq_outbox_due(struct store_conn *c, int64_t now, struct outbox_row *out, size_t max, size_t *n_out);
enum tf_err sq_outbox_mark_sent(struct store_conn *c, const char *id, int64_t now);
enum tf_err sq_outbox_mark_retry(struct store_conn *c, const char *id, int attempts, int64_t next, const char *error);
enum tf_err sq_outbox_mark_failed(struct store_conn *c, const char *id, const char *error);
enum tf_err sq_audit_last(struct store_conn *c, int64_t *seq, uint8_t hash[AUDIT_HASH_BYTES]);
enum tf_err sq_audit_insert(struct store_conn *c, const struct audit_row *r);
enum tf_err sq_audit_scan(struct store_conn *c, audit_visit_fn fn, void *ctx);
enum tf_err sq_idem_reserve(struct store_conn *c, const char *scope, const char *ref, const uint8_t fp[TF_MAC_BYTES], int64_t now, int64_t stale_before, int64_t expired_before, enum idem_state *state, struct idem_answer *answer);
enum tf_err sq_idem_complete(struct store_conn *c, const char *scope, const char *ref, int status, const uint8_t *sealed_body, size_t sealed_len, const char *headers);
enum tf_err sq_idem_release(struct store_conn *c, const char *scope, const char *ref);
enum tf_err sq_counter_hit(struct store_conn *c, const char *key, int64_t window_start, int64_t *count);
enum tf_err sq_counter_get(struct store_conn *c, const char *key, int64_t window_start, int64_t *count);
enum tf_err sq_counter_give_back(struct store_conn *c, const char *key, int64_t window_start);

enum tf_err sq_session_set_stepped_up(struct store_conn *c, const char *session_id, int64_t stepped_up_at);
enum tf_err sq_session_send_swap(struct store_conn *c, const char *session_id, struct send_state *state,
				 const struct send_state *next, bool *swapped);
enum tf_err sq_factor_send_swap(struct store_conn *c, const char *app_id, const char *factor_id, int64_t *last_send_at,
				int64_t next, bool *swapped);
enum tf_err sq_factor_insert(struct store_conn *c, const struct factor_row *f);
enum tf_err sq_factor_get(struct store_conn *c, const char *app_id, const char *user_id, const char *factor_id, struct factor_row *out);
enum tf_err sq_factor_list(struct store_conn *c, const char *app_id, const char *user_id, struct factor_row *out, size_t max, size_t *n_out);
enum tf_err sq_factor_update(struct store_conn *c, const struct factor_row *f);
enum tf_err sq_factor_set_preferred(struct store_conn *c, const char *app_id, const char *user_id, const char *factor_id);
enum tf_err sq_factor_delete(struct store_conn *c, const char *app_id, const char *user_id, const char *factor_id);
enum tf_err sq_backup_codes_replace(struct store_conn *c, const char *factor_id, const struct backup_code_row *codes, size_t n);
enum tf_err sq_backup_codes_list(struct store_conn *c, const char *factor_id, struct backup_code_row *out, size_t max, size_t *n_out);
enum tf_err sq_backup_code_use(struct store_conn *c, const char *factor_id, int idx, const char *code_hash, int64_t now);
enum tf_err sq_challenge_insert(struct store_conn *c, const struct challenge_row *ch);
enum tf_err sq_challenge_get(struct store_conn *c, const char *app_id, const char *user_id, const char *challenge_id, struct challenge_row *out);
enum tf_err sq_challenge_update(struct store_conn *c, const struct challenge_row *ch);
enum tf_err sq_challenge_supersede(struct store_conn *c, const char *session_id, const char *factor_id, const char *except_id);
enum tf_err sq_device_insert(struct store_conn *c, const struct device_row *d);
enum tf_err sq_device_list(struct store_conn *c, const char *app_id, const char *user_id, int64_t now, struct device_row *out, size_t max, size_t *n_out);
enum tf_err sq_device_revoke(struct store_conn *c, const char *app_id, const char *user_id, const char *device_id, int64_t now);
enum tf_err sq_device_revoke_all(struct store_conn *c, const char *app_id, const char *user_id, int64_t now, int *n_out);
enum tf_err sq_device_revoked_since(struct store_conn *c, int64_t since, int64_t now, void (*visit)(void *ctx, const char *device_id, int64_t revoked_at, int64_t expires_at), void *ctx);

/* ops_version 4: the WePay face (store_sqlite_wepay.c) */
enum tf_err sq_wepay_user_get(struct store_conn *c, const char *app_id, const char *user_id, struct wepay_user_row *out);
enum tf_err sq_wepay_user_put(struct store_conn *c, const struct wepay_user_row *w);
enum tf_err sq_wepay_mfa_list(struct store_conn *c, const char *app_id, const char *user_id, struct wepay_mfa_row *out,
			      size_t max, size_t *n_out);
enum tf_err sq_wepay_mfa_put(struct store_conn *c, const struct wepay_mfa_row *m);
enum tf_err sq_factor_clear_preferred(struct store_conn *c, const char *app_id, const char *user_id);

#endif
