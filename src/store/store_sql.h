/*
 * store_sql.h: what the store's SQL code shares: the statement ids (their text, for both
 * dialects, is in store_sql.c), a statement's arguments and rows, and the driver interface
 * that the SQLite (store_sqlite.c) and PostgreSQL (store_pg.c) drivers fill. The operations
 * of store.h are written once on top of it, by area: store_accounts.c, store_factors.c,
 * store_records.c, store_payments.c, store_hosted.c, store_wepay.c, store_keyring.c,
 * store_tra.c and store_events.c.
 * Nothing outside src/store includes this.
 */
#ifndef TF_STORE_SQL_H
#define TF_STORE_SQL_H
#include "store/store.h"

enum stmt_id {
	S_PING,
	S_APP_INSERT,
	S_APP_GET,
	S_APP_GET_BY_KEY,
	S_APP_GET_BY_CLIENT_ID,
	S_APP_DELIVERY_SET,
	S_APP_DELIVERY_GET,
	S_USER_INSERT,
	S_USER_GET,
	S_USER_GET_BY_EMAIL,
	S_USER_MARK_VERIFIED,
	S_USER_SET_PASSWORD,
	S_USER_DROP_EMAIL_TOKENS,
	S_USER_CHANGE_EMAIL,
	S_USER_PURGE_SESSIONS, /* the purge of an expired unverified user, in this order */
	S_USER_PURGE_TOKENS,
	S_USER_PURGE_FACTORS,
	S_USER_PURGE_DEVICES,
	S_USER_PURGE_SSO,
	S_USER_PURGE_BENEFICIARIES,
	S_USER_PURGE_TXNS,
	S_USER_PURGE,
	S_USER_LOCK,
	S_SESSION_INSERT,
	S_SESSION_GET,
	S_SESSION_TOUCH,
	S_SESSION_REVOKE,
	S_SESSION_STEPUP,
	S_SESSION_SEND_SWAP,
	S_SESSION_SEND_STATE,
	S_HOSTED_SESSION_INSERT,
	S_HOSTED_SESSION_INFO,
	S_HOSTED_SESSION_MFA_PASSED,
	S_HOSTED_SESSIONS_REVOKE,
	S_EMAIL_TOKEN_INSERT,
	S_EMAIL_TOKEN_GET,
	S_EMAIL_TOKEN_USE,
	S_SSO_TOKEN_INSERT,
	S_SSO_TOKEN_REDEEM,
	S_SSO_TOKEN_GET,
	S_FACTOR_SEND_SWAP,
	S_FACTOR_SEND_STATE,
	S_FACTOR_INSERT,
	S_FACTOR_GET,
	S_FACTOR_LIST,
	S_FACTOR_UPDATE,
	S_FACTOR_CLEAR_PREFERRED,
	S_FACTOR_SET_PREFERRED,
	S_FACTOR_DELETE,
	S_BACKUP_DELETE,
	S_BACKUP_INSERT,
	S_BACKUP_LIST,
	S_BACKUP_USE,
	S_CHALLENGE_INSERT,
	S_CHALLENGE_GET,
	S_CHALLENGE_LATEST,
	S_CHALLENGE_UPDATE,
	S_CHALLENGE_SUPERSEDE,
	S_DEVICE_INSERT,
	S_DEVICE_LIST,
	S_DEVICE_REVOKE,
	S_DEVICE_REVOKE_ALL,
	S_DEVICE_REVOKED_SINCE,
	S_DEVICES_REVOKE_EVERY,
	S_OUTBOX_INSERT,
	S_OUTBOX_DUE,
	S_OUTBOX_SENT,
	S_OUTBOX_RETRY,
	S_OUTBOX_FAILED,
	S_AUDIT_LAST,
	S_AUDIT_CHAIN_ADD,
	S_AUDIT_INSERT,
	S_AUDIT_INSERT_TWO,
	S_AUDIT_APPEND,
	S_AUDIT_EVENTS,
	S_AUDIT_NEWEST,
	S_AUDIT_CHAINS,
	S_AUDIT_SIGNED_PUT,
	S_AUDIT_SIGNED_LIST,
	S_AUDIT_KEY_GET,
	S_AUDIT_KEY_PUT,
	S_AUDIT_V1_SCAN,
	S_AUDIT_V1_CLEAR,
	S_IDEM_INSERT,
	S_IDEM_GET,
	S_IDEM_REPLACE,
	S_IDEM_COMPLETE,
	S_IDEM_DELETE,
	S_COUNTER_HIT,
	S_COUNTER_GET,
	S_COUNTER_GIVE_BACK,
	S_AUTH_INSERT,
	S_AUTH_USE,
	S_AUTH_GET,
	S_BEN_INSERT,
	S_BEN_LIST,
	S_BEN_DELETE,
	S_BEN_FIND,
	S_SERIES_GET,
	S_SERIES_PUT,
	S_SCA_GET,
	S_SCA_RECORD,
	S_SCA_RECORD_ACCOUNT,
	S_SCA_LOW_VALUE,
	S_LEDGER_INSERT,
	S_LEDGER_REPORT,
	S_TXN_INSERT,
	S_TXN_GET,
	S_TXN_UPDATE,
	S_TXN_BY_CHALLENGE,
	S_WEPAY_USER_GET,
	S_WEPAY_USER_PUT,
	S_WEPAY_MFA_LIST,
	S_WEPAY_MFA_PUT,
	S_SWEEP_SESSIONS, /* the sweeper's deletes, in the order it runs them */
	S_SWEEP_CHALLENGES,
	S_SWEEP_SSO,
	S_SWEEP_EMAIL_TOKENS,
	S_SWEEP_OUTBOX,
	S_SWEEP_IDEMPOTENCY,
	S_SWEEP_COUNTERS,
	S_SWEEP_LOGIN_CHALLENGES,
	S_SWEEP_DEVICES,
	S_KEYRING_GET,
	S_KEYRING_INSERT,
	S_KEYRING_REPLACE,
	S_SEALED_PAGE, /* S_SEALED_PAGE + col and S_SEALED_PUT + col: in enum sealed_column's order */
	S_SEALED_PUT = S_SEALED_PAGE + SEALED__MAX,
	S_OTHER_CLIENTS = S_SEALED_PUT + SEALED__MAX,
	S_APP_SET_WEBAUTHN,
	S_USER_SET_WEBAUTHN_HANDLE,
	S_USER_WEBAUTHN_HANDLE,
	S_USER_GET_BY_WEBAUTHN_HANDLE,
	S_FACTOR_GET_BY_CREDENTIAL,
	S_LOGIN_CHALLENGE_INSERT,
	S_LOGIN_CHALLENGE_TAKE,
	S_EVIDENCE_INSERT,
	S_EVIDENCE_GET,
	S_APP_SET_FACTOR_TYPES,
	S_APP_SET_DEFAULT_LOCALE,
	S_USER_SET_LOCALE,
	S_APP_SET_BRANDING,
	S_APP_BRAND_LOGO_GET,
	S_APP_SET_TRA,
	S_PAYMENT_INSERT,
	S_PAYMENT_GET,
	S_PAYMENT_CANCEL,
	S_PAYMENT_FRAUD,
	S_FRAUD_LIST,
	S_TRA_DAY_ADD,
	S_PAYER_DAY_ADD,
	S_PAYER_HISTORY_DAYS,
	S_PAYER_HISTORY_RECENT,
	S_PAYEE_FIRST,
	S_SEEN_PUT,
	S_SEEN_GET,
	S_SEEN_COUNTRIES,
	S_MARKER_PUT,
	S_MARKER_FIND,
	S_TRA_WINDOW,
	S_TRA_SUMS_ALL,
	S_TRA_TYPE_SEEN,
	S_TRA_TYPE_SEEN_BEFORE,
	S_TRA_FIRST_DAYS,
	S_TRA_BANDS_TYPE,
	S_TRA_BANDS_ALL,
	S_TRA_BAND_INSERT,
	S_TRA_BAND_UPDATE,
	S_TRA_EVAL_INSERT,
	S_TRA_EVAL_GET,
	S_APP_EVENTS_SET,
	S_APP_EVENTS_GET,
	S__MAX
};

enum sql_dialect { SQL_SQLITE, SQL_POSTGRES };

/* A statement: its name (for the log), and its text for both dialects, or each dialect's own
 * where they differ (NULL there: the dialect has no such statement). locks_user: $1 and $2 are
 * an application and one of its users, whose lock (sql_driver.lock_user) the statement takes
 * first inside a write transaction. pipelined: inside a transaction, when its caller reads
 * neither rows nor a count of changes, a driver may send it later, with the next statement
 * whose answer is read or with the COMMIT (PostgreSQL: one pipeline, one round trip); only
 * for statements that fail only when the database does (an update by key, an upsert, an
 * insert of a new random id), as its failure is then the later statement's. batch_read: a
 * lookup whose caller reads its row and ends it before any other statement; outside a
 * transaction, on a connection whose request answers after its COMMIT (commit_later), SQLite
 * runs it on the writer, in the open batch (store_sqlite.c). */
struct stmt_sql {
	const char *name;
	const char *both;
	const char *sqlite;
	const char *postgres;
	bool locks_user;
	bool pipelined;
	bool batch_read;
};

extern const struct stmt_sql stmt_table[S__MAX];

/* The statement's text in dialect d (NULL when it has none). Placeholders are $1, $2...: the
 * SQLite driver turns them into ?1, ?2... (sqlite_sql_text). */
const char *stmt_text(enum stmt_id id, enum sql_dialect d);

/* A statement's arguments, $1 first, as an array ended by {SQL_END}: ARGS(TEXT(a), INT(b)).
 * Values are referenced, not copied; text NULL is ''. */
enum sql_type { SQL_END, SQL_TEXT, SQL_INT, SQL_BLOB, SQL_NULL };
struct sql_arg {
	enum sql_type type;
	const void *p;
	size_t len;
	int64_t i;
};
#define ARGS(...) ((const struct sql_arg[]){__VA_ARGS__, {SQL_END, NULL, 0, 0}})
#define TEXT(v) {SQL_TEXT, (v), 0, 0}
#define INT(v) {SQL_INT, NULL, 0, (int64_t)(v)}
#define BLOB(b, n) {SQL_BLOB, (b), (n), 0}
#define BLOB_OR_NULL(b, n) {(n) != 0 ? SQL_BLOB : SQL_NULL, (b), (n), 0}
#define TEXT_OR_NULL(v) {(v) ? SQL_TEXT : SQL_NULL, (v), 0, 0}

struct sql_driver;

/* A query being read: db_query() runs it, db_next() steps to each row, db_end() ends it. */
struct rows {
	struct store_conn *c;
	const struct sql_driver *drv;
	enum stmt_id id;
	void *h;       /* the driver's: the statement (SQLite) or the result (PostgreSQL) */
	int row, n;    /* the current row and how many there are, or (SQLite) n = 1 once stepped past the last */
	enum tf_err e; /* the first error */
};

/*
 * What a database driver does. Reads, writes and transactions keep store.h's rules: a lost
 * or busy database is TF_ERR_STORE_UNAVAILABLE, a unique violation TF_ERR_STATE_CONFLICT (the
 * operations map it to their own error: EMAIL_TAKEN ...), any other failure TF_ERR_INTERNAL.
 */
struct sql_driver {
	enum sql_dialect dialect;
	/* Runs statement id, prepared once per connection. With r, its rows are then read with
	 * next and the column readers until end; else *changes (if given) gets the rows changed. */
	enum tf_err (*run)(struct store_conn *c, enum stmt_id id, const struct sql_arg *args, struct rows *r,
			   int *changes);
	bool (*next)(struct rows *r);
	enum tf_err (*end)(struct rows *r);
	/* column i of the current row: text ("" for NULL, valid until next or end), integer (0 for
	 * NULL), and bytes: blob copies at most size of them and returns how many there are */
	const char *(*text)(struct rows *r, int i, size_t *len);
	int64_t (*integer)(struct rows *r, int i);
	bool (*is_null)(struct rows *r, int i);
	size_t (*blob)(struct rows *r, int i, uint8_t *out, size_t size);
	/* Inside a write transaction, serialises the read-check-write sequences of one user's
	 * requests (every node's): PostgreSQL takes an advisory lock until the transaction ends;
	 * SQLite's single writer does it already (NULL). Taken by the statements that say
	 * locks_user, never after chain_locked. */
	enum tf_err (*lock_user)(struct store_conn *c, const char *app_id, const char *user_id);
	/* the transaction now holds the head of audit chain `chain` (AUDIT_LAST, AUDIT_APPEND): locks are taken
	 * user first, chains second; a transaction holds at most one application's chain, and the
	 * deployment's after it, never before it (so that two transactions never wait for each
	 * other's chains): INTERNAL for another order */
	enum tf_err (*chain_locked)(struct store_conn *c, const char *chain);
};

/* Both drivers' stores begin with this. */
struct sql_store {
	struct store base;
	const struct sql_driver *drv;
};

/* ---- running statements (store_db.c) ---- */

/* Runs a statement that returns no rows; *changes (if given) gets the rows it changed. */
enum tf_err db_exec(struct store_conn *c, enum stmt_id id, const struct sql_arg *args, int *changes);
/* The same for a write that must change a row: TF_OK, else none (or the error). */
enum tf_err db_change(struct store_conn *c, enum stmt_id id, const struct sql_arg *args, enum tf_err none);
/* Runs a query; on failure r reads as no rows and db_end returns the error. */
enum tf_err db_query(struct store_conn *c, enum stmt_id id, const struct sql_arg *args, struct rows *r);
bool db_next(struct rows *r);
/* Ends the query (always call it); returns the first error. */
enum tf_err db_end(struct rows *r);
/* A query of at most one row: TF_OK with the row current (db_end after reading it), or
 * NOT_FOUND or the error, ended. */
enum tf_err db_row(struct store_conn *c, enum stmt_id id, const struct sql_arg *args, struct rows *r);
/* A query of one row and one integer column: TF_OK with it in *out, or NOT_FOUND. */
/* Reads the current row into out (a row struct of the caller's choosing). */
typedef void (*row_reader)(struct rows *r, void *out);
/* The one row of statement id read into out; NOT_FOUND when there is none. */
enum tf_err db_get(struct store_conn *c, enum stmt_id id, const struct sql_arg *args, row_reader read, void *out);
/* Up to max rows of statement id read into out[0..] (each size bytes); *n_out gets how many. */
enum tf_err db_list(struct store_conn *c, enum stmt_id id, const struct sql_arg *args, row_reader read, void *out,
		    size_t size, size_t max, size_t *n_out);
enum tf_err db_int(struct store_conn *c, enum stmt_id id, const struct sql_arg *args, int64_t *out);
enum tf_err db_chain_locked(struct store_conn *c, const char *chain);
/* the connection's SQL dialect */
enum sql_dialect db_dialect(struct store_conn *c);

void col_text(struct rows *r, int i, char *out, size_t size);
const char *col_str(struct rows *r, int i);
int64_t col_int(struct rows *r, int i);
bool col_null(struct rows *r, int i);
/* bytes into out (at most size); *len (if given) gets how many were copied; returns how many
 * there are */
size_t col_blob(struct rows *r, int i, uint8_t *out, size_t size, size_t *len);
/* bytes into a malloc'd buffer (at least 1 byte); NULL when out of memory */
uint8_t *col_blob_dup(struct rows *r, int i, size_t *len);

/* ---- the operations written once ---- */

enum tf_err sql_ping(struct store_conn *c);
/* store_accounts.c */
enum tf_err sql_app_insert(struct store_conn *c, const struct app_row *a);
enum tf_err sql_app_get(struct store_conn *c, const char *app_id, struct app_row *out);
enum tf_err sql_app_get_by_api_key(struct store_conn *c, const uint8_t mac[TF_MAC_BYTES], struct app_row *out);
enum tf_err sql_app_get_by_client_id(struct store_conn *c, const char *client_id, struct app_row *out);
enum tf_err sql_app_delivery_set(struct store_conn *c, const char *app_id, const uint8_t *sealed, size_t len);
enum tf_err sql_app_delivery_get(struct store_conn *c, const char *app_id, uint8_t **sealed, size_t *len);
enum tf_err sql_user_insert(struct store_conn *c, const struct user_row *u);
enum tf_err sql_user_get(struct store_conn *c, const char *app_id, const char *user_id, struct user_row *out);
enum tf_err sql_user_get_by_email(struct store_conn *c, const char *app_id, const char *email, struct user_row *out);
enum tf_err sql_user_mark_verified(struct store_conn *c, const char *app_id, const char *user_id, int64_t now);
enum tf_err sql_user_change_email(struct store_conn *c, const char *app_id, const char *user_id, const char *email);
enum tf_err sql_user_purge_unverified(struct store_conn *c, const char *app_id, const char *email, int64_t before);
enum tf_err sql_user_set_password(struct store_conn *c, const char *app_id, const char *user_id, const char *hash);
enum tf_err sql_session_insert(struct store_conn *c, const struct session_row *s);
enum tf_err sql_session_get(struct store_conn *c, const char *app_id, const uint8_t mac[TF_MAC_BYTES],
			    struct session_row *out);
enum tf_err sql_session_touch(struct store_conn *c, const char *session_id, int64_t now);
enum tf_err sql_session_revoke(struct store_conn *c, const char *app_id, const char *session_id, int64_t now);
enum tf_err sql_session_set_stepped_up(struct store_conn *c, const char *session_id, int64_t stepped_up_at);
enum tf_err sql_session_send_swap(struct store_conn *c, const char *session_id, struct send_state *state,
				  const struct send_state *next, bool *swapped);
enum tf_err sql_email_token_insert(struct store_conn *c, const struct email_token_row *t);
/* store_factors.c */
enum tf_err sql_factor_send_swap(struct store_conn *c, const char *app_id, const char *factor_id,
				 int64_t *last_send_at, int64_t next, bool *swapped);
enum tf_err sql_factor_insert(struct store_conn *c, const struct factor_row *f);
enum tf_err sql_factor_get(struct store_conn *c, const char *app_id, const char *user_id, const char *factor_id,
			   struct factor_row *out);
enum tf_err sql_factor_list(struct store_conn *c, const char *app_id, const char *user_id, struct factor_row *out,
			    size_t max, size_t *n_out);
enum tf_err sql_factor_update(struct store_conn *c, const struct factor_row *f);
enum tf_err sql_factor_set_preferred(struct store_conn *c, const char *app_id, const char *user_id,
				     const char *factor_id);
enum tf_err sql_factor_clear_preferred(struct store_conn *c, const char *app_id, const char *user_id);
enum tf_err sql_factor_delete(struct store_conn *c, const char *app_id, const char *user_id, const char *factor_id);
enum tf_err sql_backup_codes_replace(struct store_conn *c, const char *factor_id, const struct backup_code_row *codes,
				     size_t n);
enum tf_err sql_backup_codes_list(struct store_conn *c, const char *factor_id, struct backup_code_row *out,
				  size_t max, size_t *n_out);
enum tf_err sql_backup_code_use(struct store_conn *c, const char *factor_id, int idx, const char *code_hash,
				int64_t now);
enum tf_err sql_challenge_insert(struct store_conn *c, const struct challenge_row *ch);
enum tf_err sql_challenge_get(struct store_conn *c, const char *app_id, const char *user_id,
			      const char *challenge_id, struct challenge_row *out);
enum tf_err sql_challenge_latest(struct store_conn *c, const char *app_id, const char *user_id,
				 const char *session_id, const char *factor_id, enum challenge_purpose purpose,
				 struct challenge_row *out);
enum tf_err sql_challenge_update(struct store_conn *c, const struct challenge_row *ch);
enum tf_err sql_challenge_supersede(struct store_conn *c, const char *session_id, const char *factor_id,
				    const char *except_id);
enum tf_err sql_device_insert(struct store_conn *c, const struct device_row *d);
enum tf_err sql_device_list(struct store_conn *c, const char *app_id, const char *user_id, int64_t now,
			    struct device_row *out, size_t max, size_t *n_out);
enum tf_err sql_device_revoke(struct store_conn *c, const char *app_id, const char *user_id, const char *device_id,
			      int64_t now);
enum tf_err sql_device_revoke_all(struct store_conn *c, const char *app_id, const char *user_id, int64_t now,
				  int *n_out);
enum tf_err sql_device_revoked_since(struct store_conn *c, int64_t since, int64_t now,
				     void (*visit)(void *ctx, const char *device_id, int64_t revoked_at,
						   int64_t expires_at),
				     void *ctx);
/* store_records.c */
enum tf_err sql_outbox_insert(struct store_conn *c, const struct outbox_row *m);
enum tf_err sql_outbox_due(struct store_conn *c, int64_t now, struct outbox_row *out, size_t max, size_t *n_out);
enum tf_err sql_outbox_mark_sent(struct store_conn *c, const char *id, int64_t now);
enum tf_err sql_outbox_mark_retry(struct store_conn *c, const char *id, int attempts, int64_t next,
				  const char *error);
enum tf_err sql_outbox_mark_failed(struct store_conn *c, const char *id, const char *error);
enum tf_err sql_audit_insert(struct store_conn *c, const struct audit_event_row *rows, size_t n);
enum tf_err sql_audit_append(struct store_conn *c, struct audit_event_row *rows, size_t n);
enum tf_err sql_audit_v1_scan(struct store_conn *c, audit_visit_fn fn, void *ctx);
enum tf_err sql_audit_events(struct store_conn *c, const char *chain, int64_t after, int64_t limit,
			     audit_event_visit_fn fn, void *ctx);
enum tf_err sql_audit_newest(struct store_conn *c, const char *chain, struct audit_head_row *out);
enum tf_err sql_audit_chain_list(struct store_conn *c, const char *after, bool unsigned_only,
				 struct audit_head_row *out, size_t max, size_t *n_out);
enum tf_err sql_audit_signed_put(struct store_conn *c, const struct audit_head_row *h);
enum tf_err sql_audit_signed_list(struct store_conn *c, const char *chain, int64_t after,
				  struct audit_head_row *out, size_t max, size_t *n_out);
enum tf_err sql_audit_key_get(struct store_conn *c, uint8_t public_key[32]);
enum tf_err sql_audit_key_put(struct store_conn *c, const uint8_t public_key[32], int64_t now);
enum tf_err sql_audit_v1_clear(struct store_conn *c);
enum tf_err sql_idem_reserve(struct store_conn *c, const char *scope, const char *ref,
			     const uint8_t fp[TF_MAC_BYTES], int64_t now, int64_t stale_before,
			     int64_t expired_before, enum idem_state *state, struct idem_answer *answer);
enum tf_err sql_idem_complete(struct store_conn *c, const char *scope, const char *ref, int status,
			      const uint8_t *sealed_body, size_t sealed_len, const char *headers);
enum tf_err sql_idem_release(struct store_conn *c, const char *scope, const char *ref);
enum tf_err sql_counter_hit(struct store_conn *c, const char *key, int64_t now, int64_t window_ms,
			    struct rate_count *out);
enum tf_err sql_counter_get(struct store_conn *c, const char *key, int64_t now, int64_t window_ms,
			    struct rate_count *out);
enum tf_err sql_counter_give_back(struct store_conn *c, const char *key, int64_t window_start);
/* store_payments.c */
enum tf_err sql_authorization_insert(struct store_conn *c, const struct authorization_row *a);
enum tf_err sql_authorization_use(struct store_conn *c, const char *app_id, const char *user_id,
				  const char *authorization_id, const char *transaction_hash, int64_t now,
				  struct authorization_row *out);
enum tf_err sql_beneficiary_insert(struct store_conn *c, const struct beneficiary_row *b);
enum tf_err sql_beneficiary_list(struct store_conn *c, const char *app_id, const char *user_id,
				 struct beneficiary_row *out, size_t max, size_t *n_out);
enum tf_err sql_beneficiary_delete(struct store_conn *c, const char *app_id, const char *user_id,
				   const char *beneficiary_id);
enum tf_err sql_beneficiary_find(struct store_conn *c, const char *app_id, const char *user_id, const char *account,
				 struct beneficiary_row *out);
enum tf_err sql_series_get(struct store_conn *c, const char *app_id, const char *user_id, const char *series_id,
			   char hash_out[TX_HASH_HEX + 1]);
enum tf_err sql_series_put(struct store_conn *c, const char *app_id, const char *user_id, const char *series_id,
			   const char *transaction_hash, int64_t now);
enum tf_err sql_sca_state_get(struct store_conn *c, const char *app_id, const char *user_id,
			      struct sca_state_row *out);
enum tf_err sql_sca_state_record(struct store_conn *c, const char *app_id, const char *user_id, int64_t now,
				 bool account);
enum tf_err sql_sca_state_add_low_value(struct store_conn *c, const char *app_id, const char *user_id,
					int64_t eur_cents);
enum tf_err sql_ledger_insert(struct store_conn *c, const struct ledger_row *l);
enum tf_err sql_ledger_report(struct store_conn *c, int64_t from, int64_t to,
			      void (*visit)(void *ctx, const char *app_id, const char *exemption,
					    const char *currency, int64_t count, int64_t amount, int64_t eur_cents),
			      void *ctx);
enum tf_err sql_txn_insert(struct store_conn *c, const struct txn_row *t);
enum tf_err sql_txn_get(struct store_conn *c, const char *app_id, const char *user_id, const char *transaction_id,
			struct txn_row *out);
enum tf_err sql_txn_update(struct store_conn *c, const struct txn_row *t);
enum tf_err sql_txn_list_by_challenge(struct store_conn *c, const char *app_id, const char *challenge_id,
				      struct txn_row *out, size_t max, size_t *n_out);
/* store_hosted.c */
enum tf_err sql_sso_token_insert(struct store_conn *c, const struct sso_token_row *t);
enum tf_err sql_sso_token_redeem(struct store_conn *c, const char *app_id, const uint8_t mac[TF_MAC_BYTES],
				 int64_t now, struct sso_token_row *out);
enum tf_err sql_hosted_session_insert(struct store_conn *c, const struct session_row *s,
				      const struct hosted_session_info *info);
enum tf_err sql_hosted_session_info(struct store_conn *c, const char *session_id, struct hosted_session_info *out);
enum tf_err sql_hosted_session_mfa_passed(struct store_conn *c, const char *session_id);
enum tf_err sql_hosted_sessions_revoke(struct store_conn *c, const char *app_id, const char *user_id, int64_t now,
				       int *n_out);
enum tf_err sql_email_token_get(struct store_conn *c, const char *app_id, const uint8_t mac[TF_MAC_BYTES],
				int64_t now, struct email_token_row *out);
enum tf_err sql_email_token_use(struct store_conn *c, const char *app_id, const uint8_t mac[TF_MAC_BYTES],
				int64_t now);
/* store_wepay.c */
enum tf_err sql_wepay_user_get(struct store_conn *c, const char *app_id, const char *user_id,
			       struct wepay_user_row *out);
enum tf_err sql_wepay_user_put(struct store_conn *c, const struct wepay_user_row *w);
enum tf_err sql_wepay_mfa_list(struct store_conn *c, const char *app_id, const char *user_id,
			       struct wepay_mfa_row *out, size_t max, size_t *n_out);
enum tf_err sql_wepay_mfa_put(struct store_conn *c, const struct wepay_mfa_row *m);
/* store_keyring.c */
enum tf_err sql_sweep(struct store_conn *c, const struct retention_cutoffs *cut, int batch, int *deleted);
enum tf_err sql_keyring_get(struct store_conn *c, struct keyring_row *out);
enum tf_err sql_keyring_insert(struct store_conn *c, const struct keyring_row *k);
enum tf_err sql_keyring_replace(struct store_conn *c, const struct keyring_row *k);
enum tf_err sql_sealed_page(struct store_conn *c, enum sealed_column col, const struct sealed_value *after,
			    struct sealed_value *out, size_t max, size_t *n_out);
enum tf_err sql_sealed_put(struct store_conn *c, enum sealed_column col, const struct sealed_value *v);
enum tf_err sql_devices_revoke_every(struct store_conn *c, int64_t now, int *n_out);
enum tf_err sql_other_clients(struct store_conn *c, int *n_out);
enum tf_err sql_app_set_webauthn(struct store_conn *c, const char *app_id, const char *settings);
enum tf_err sql_app_set_factor_types(struct store_conn *c, const char *app_id, const char *types);
enum tf_err sql_app_set_default_locale(struct store_conn *c, const char *app_id, const char *locale);
enum tf_err sql_user_set_locale(struct store_conn *c, const char *app_id, const char *user_id, const char *locale);
enum tf_err sql_app_set_branding(struct store_conn *c, const char *app_id, const char *color, const char *logo_type,
				 const uint8_t *logo, size_t len);
enum tf_err sql_app_brand_logo_get(struct store_conn *c, const char *app_id, char type[4], uint8_t **logo, size_t *len);
/* store_tra.c */
enum tf_err sql_app_set_tra(struct store_conn *c, const char *app_id, const char *settings);
enum tf_err sql_payment_record(struct store_conn *c, const struct payment_row *p);
enum tf_err sql_tra_type_seen(struct store_conn *c, const char *app_id, enum payment_type type, int64_t day);
enum tf_err sql_payment_get(struct store_conn *c, const char *app_id, const char *payment_id, struct payment_row *out);
enum tf_err sql_payment_cancel(struct store_conn *c, const char *app_id, const char *payment_id, int64_t now,
			       struct payment_row *out);
enum tf_err sql_payment_report_fraud(struct store_conn *c, const char *app_id, const char *payment_id, const char *kind,
				     int64_t reported_at, int64_t now, struct payment_row *out, bool *created);
enum tf_err sql_fraud_report_list(struct store_conn *c, const char *app_id, const char *user_id, int64_t from, int64_t to,
				  struct payment_row *out, size_t max, size_t *n_out);
enum tf_err sql_payer_history(struct store_conn *c, const char *app_id, const char *user_id, int64_t first_day,
			      int64_t now, struct payer_history *out);
enum tf_err sql_payee_first_paid(struct store_conn *c, const char *app_id, const char *user_id,
				 const char *payee_account, int64_t *first_at);
enum tf_err sql_payer_seen_put(struct store_conn *c, const char *app_id, const char *user_id, const char *kind,
			       const char *value, int64_t at);
enum tf_err sql_payer_seen_get(struct store_conn *c, const char *app_id, const char *user_id, const char *kind,
			       const char *value, int64_t *first_seen_at);
enum tf_err sql_payer_countries(struct store_conn *c, const char *app_id, const char *user_id, int64_t since,
				char (*out)[3], size_t max, size_t *n_out);
enum tf_err sql_fraud_marker_find(struct store_conn *c, const char *app_id, const char *kind, const char *value);
enum tf_err sql_tra_window(struct store_conn *c, const char *app_id, enum payment_type type, int64_t first_day,
			   int64_t last_day, int64_t *fraud_eur_cents, int64_t *total_eur_cents);
enum tf_err sql_tra_sums(struct store_conn *c, int64_t first_day, int64_t last_day,
			 void (*visit)(void *arg, const struct tra_sums *s), void *arg);
enum tf_err sql_tra_first_days(struct store_conn *c,
			       void (*visit)(void *arg, const char *app_id, enum payment_type type, int64_t first_day),
			       void *arg);
enum tf_err sql_tra_bands_get(struct store_conn *c, const char *app_id, enum payment_type type,
			      struct tra_band_row *out, size_t max, size_t *n_out);
enum tf_err sql_tra_band_put(struct store_conn *c, const struct tra_band_row *b, int64_t expected_last_quarter);
enum tf_err sql_tra_evaluation_insert(struct store_conn *c, const struct tra_evaluation_row *e);
enum tf_err sql_tra_evaluations_get(struct store_conn *c, int64_t quarter, struct tra_evaluation_row *out, size_t max,
				    size_t *n_out);
enum tf_err sql_user_set_webauthn_handle(struct store_conn *c, const char *app_id, const char *user_id,
					 const char *handle, char out[48]);
enum tf_err sql_user_get_by_webauthn_handle(struct store_conn *c, const char *app_id, const char *handle,
					    struct user_row *out);
enum tf_err sql_login_challenge_insert(struct store_conn *c, const char *app_id, const char *challenge_id,
				       const char *challenge, int64_t now, int64_t expires_at);
enum tf_err sql_login_challenge_take(struct store_conn *c, const char *app_id, const char *challenge_id, int64_t now,
				     char challenge[72]);
enum tf_err sql_evidence_insert(struct store_conn *c, const struct evidence_row *r);
enum tf_err sql_evidence_get(struct store_conn *c, const char *app_id, const char *challenge_id, struct evidence_row *out);
enum tf_err sql_factor_get_by_credential(struct store_conn *c, const char *app_id, const char *credential_id,
					 struct factor_row *out);
/* store_events.c */
enum tf_err sql_app_events_set(struct store_conn *c, const char *app_id, const char *url, const uint8_t *sealed,
			       size_t len);
enum tf_err sql_app_events_get(struct store_conn *c, const char *app_id, char url[STORE_URL_MAX], uint8_t **sealed,
			       size_t *len);

/* A driver's struct store_ops: its own drv_open, drv_close, drv_acquire, drv_release,
 * drv_migrate, drv_tx_*, drv_when_durable and drv_flush, and the operations written once. */
#define SQL_STORE_OPS(drv)                                                                                             \
	.ops_version = 22, .open = drv##_open, .close = drv##_close, .acquire = drv##_acquire,                         \
	.release = drv##_release, .migrate = drv##_migrate, .tx_begin = drv##_tx_begin,                                \
	.tx_commit = drv##_tx_commit, .tx_rollback = drv##_tx_rollback, .ping = sql_ping,                              \
	.app_insert = sql_app_insert, .app_get = sql_app_get, .app_get_by_api_key = sql_app_get_by_api_key,            \
	.user_insert = sql_user_insert, .user_get = sql_user_get, .user_get_by_email = sql_user_get_by_email,          \
	.user_mark_verified = sql_user_mark_verified, .user_purge_unverified = sql_user_purge_unverified,              \
	.session_insert = sql_session_insert, .session_get = sql_session_get,                                          \
	.session_touch = sql_session_touch, .session_revoke = sql_session_revoke,                                      \
	.session_set_stepped_up = sql_session_set_stepped_up, .session_send_swap = sql_session_send_swap,              \
	.factor_send_swap = sql_factor_send_swap, .factor_insert = sql_factor_insert,                                  \
	.factor_get = sql_factor_get, .factor_list = sql_factor_list, .factor_update = sql_factor_update,              \
	.factor_set_preferred = sql_factor_set_preferred, .factor_delete = sql_factor_delete,                          \
	.backup_codes_replace = sql_backup_codes_replace, .backup_codes_list = sql_backup_codes_list,                  \
	.backup_code_use = sql_backup_code_use, .challenge_insert = sql_challenge_insert,                              \
	.challenge_get = sql_challenge_get, .challenge_update = sql_challenge_update,                                  \
	.challenge_supersede = sql_challenge_supersede, .device_insert = sql_device_insert,                            \
	.device_list = sql_device_list, .device_revoke = sql_device_revoke,                                            \
	.device_revoke_all = sql_device_revoke_all, .device_revoked_since = sql_device_revoked_since,                  \
	.email_token_insert = sql_email_token_insert, .outbox_insert = sql_outbox_insert,                              \
	.outbox_due = sql_outbox_due, .outbox_mark_sent = sql_outbox_mark_sent,                                        \
	.outbox_mark_retry = sql_outbox_mark_retry, .outbox_mark_failed = sql_outbox_mark_failed,                      \
	.audit_insert = sql_audit_insert, .audit_v1_scan = sql_audit_v1_scan,            \
	.idem_reserve = sql_idem_reserve, .idem_complete = sql_idem_complete,                                          \
	.idem_release = sql_idem_release, .counter_hit = sql_counter_hit, .counter_get = sql_counter_get,              \
	.app_get_by_client_id = sql_app_get_by_client_id, .sso_token_insert = sql_sso_token_insert,                    \
	.sso_token_redeem = sql_sso_token_redeem, .hosted_session_insert = sql_hosted_session_insert,                  \
	.hosted_session_info = sql_hosted_session_info,                                                                \
	.hosted_session_mfa_passed = sql_hosted_session_mfa_passed,                                                    \
	.hosted_sessions_revoke = sql_hosted_sessions_revoke, .email_token_get = sql_email_token_get,                  \
	.email_token_use = sql_email_token_use, .user_set_password = sql_user_set_password,                            \
	.authorization_insert = sql_authorization_insert, .authorization_use = sql_authorization_use,                  \
	.beneficiary_insert = sql_beneficiary_insert, .beneficiary_list = sql_beneficiary_list,                        \
	.beneficiary_delete = sql_beneficiary_delete, .beneficiary_find = sql_beneficiary_find,                        \
	.series_get = sql_series_get, .series_put = sql_series_put, .sca_state_get = sql_sca_state_get,                \
	.sca_state_record = sql_sca_state_record, .sca_state_add_low_value = sql_sca_state_add_low_value,              \
	.ledger_insert = sql_ledger_insert, .ledger_report = sql_ledger_report,                                        \
	.wepay_user_get = sql_wepay_user_get, .wepay_user_put = sql_wepay_user_put,                                    \
	.wepay_mfa_list = sql_wepay_mfa_list, .wepay_mfa_put = sql_wepay_mfa_put,                                      \
	.factor_clear_preferred = sql_factor_clear_preferred, .challenge_latest = sql_challenge_latest,                \
	.txn_insert = sql_txn_insert, .txn_get = sql_txn_get, .txn_update = sql_txn_update,                            \
	.txn_list_by_challenge = sql_txn_list_by_challenge, .app_delivery_set = sql_app_delivery_set,                  \
	.app_delivery_get = sql_app_delivery_get, .sweep = sql_sweep,                                                  \
	.counter_give_back = sql_counter_give_back, .keyring_get = sql_keyring_get,                                    \
	.keyring_insert = sql_keyring_insert, .keyring_replace = sql_keyring_replace,                                  \
	.sealed_page = sql_sealed_page, .sealed_put = sql_sealed_put,                                                  \
	.devices_revoke_every = sql_devices_revoke_every, .other_clients = sql_other_clients,                          \
	.user_change_email = sql_user_change_email, .app_set_webauthn = sql_app_set_webauthn,                        \
	.user_set_webauthn_handle = sql_user_set_webauthn_handle,                                                      \
	.user_get_by_webauthn_handle = sql_user_get_by_webauthn_handle,                                                \
	.factor_get_by_credential = sql_factor_get_by_credential,                                                      \
	.login_challenge_insert = sql_login_challenge_insert, .login_challenge_take = sql_login_challenge_take,         \
	.evidence_insert = sql_evidence_insert, .evidence_get = sql_evidence_get,                                      \
	.app_set_factor_types = sql_app_set_factor_types, .app_set_default_locale = sql_app_set_default_locale,         \
	.user_set_locale = sql_user_set_locale, \
	.app_set_branding = sql_app_set_branding,                    \
	.app_brand_logo_get = sql_app_brand_logo_get, .app_set_tra = sql_app_set_tra,                                 \
	.payment_record = sql_payment_record, .payment_get = sql_payment_get, .payment_cancel = sql_payment_cancel,     \
	.payment_report_fraud = sql_payment_report_fraud, .fraud_report_list = sql_fraud_report_list,                  \
	.payer_history = sql_payer_history, .payee_first_paid = sql_payee_first_paid,                                  \
	.payer_seen_put = sql_payer_seen_put, .payer_seen_get = sql_payer_seen_get,                                    \
	.payer_countries = sql_payer_countries, .fraud_marker_find = sql_fraud_marker_find,                            \
	.tra_window = sql_tra_window, .tra_sums = sql_tra_sums, .tra_first_days = sql_tra_first_days,                  \
	.tra_bands_get = sql_tra_bands_get, .tra_band_put = sql_tra_band_put,                                          \
	.tra_evaluation_insert = sql_tra_evaluation_insert, .tra_evaluations_get = sql_tra_evaluations_get,          \
	.tra_type_seen = sql_tra_type_seen, .audit_events = sql_audit_events, .audit_newest = sql_audit_newest,         \
	.audit_chain_list = sql_audit_chain_list, .audit_signed_put = sql_audit_signed_put,                            \
	.audit_signed_list = sql_audit_signed_list, .audit_key_get = sql_audit_key_get,                                \
	.audit_key_put = sql_audit_key_put, .audit_v1_clear = sql_audit_v1_clear, \
	.app_events_set = sql_app_events_set, .app_events_get = sql_app_events_get, .audit_append = sql_audit_append, .when_durable = drv##_when_durable, .flush = drv##_flush

#endif
