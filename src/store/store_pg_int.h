/*
 * store_pg_int.h: what the files of the PostgreSQL backend share: the connection and pool
 * structs, the prepared-statement ids (their SQL is in store_pg_sql.c), parameter building,
 * running a statement (with the error mapping and the retry of a lost connection) and reading
 * result columns. Nothing outside src/store/store_pg*.c includes this.
 */
#ifndef TF_STORE_PG_INT_H
#define TF_STORE_PG_INT_H
#include <libpq-fe.h>
#include <pthread.h>

#include "store/store.h"

enum pg_stmt {
	PS_APP_INSERT,
	PS_APP_GET,
	PS_APP_GET_BY_KEY,
	PS_APP_GET_BY_CLIENT_ID,
	PS_USER_INSERT,
	PS_USER_GET,
	PS_USER_GET_BY_EMAIL,
	PS_USER_MARK_VERIFIED,
	PS_USER_PURGE_SESSIONS,
	PS_USER_PURGE_TOKENS,
	PS_USER_PURGE,
	PS_USER_SET_PASSWORD,
	PS_USER_LOCK,
	PS_SESSION_INSERT,
	PS_SESSION_GET,
	PS_SESSION_TOUCH,
	PS_SESSION_REVOKE,
	PS_SESSION_STEPUP,
	PS_SESSION_SEND_SWAP,
	PS_SESSION_SEND_STATE,
	PS_FACTOR_SEND_SWAP,
	PS_FACTOR_SEND_STATE,
	PS_EMAIL_TOKEN_INSERT,
	PS_EMAIL_TOKEN_GET,
	PS_EMAIL_TOKEN_USE,
	PS_OUTBOX_INSERT,
	PS_OUTBOX_DUE,
	PS_OUTBOX_SENT,
	PS_OUTBOX_RETRY,
	PS_OUTBOX_FAILED,
	PS_AUDIT_LAST,
	PS_AUDIT_INSERT,
	PS_AUDIT_SCAN,
	PS_IDEM_GET,
	PS_IDEM_INSERT,
	PS_IDEM_REPLACE,
	PS_IDEM_COMPLETE,
	PS_IDEM_DELETE,
	PS_COUNTER_HIT,
	PS_COUNTER_GET,
	PS_COUNTER_GIVE_BACK,
	PS_PING,
	PS_FACTOR_INSERT,
	PS_FACTOR_GET,
	PS_FACTOR_LIST,
	PS_FACTOR_UPDATE,
	PS_FACTOR_CLEAR_PREFERRED,
	PS_FACTOR_SET_PREFERRED,
	PS_FACTOR_DELETE,
	PS_BACKUP_DELETE,
	PS_BACKUP_INSERT,
	PS_BACKUP_LIST,
	PS_BACKUP_USE,
	PS_CHALLENGE_INSERT,
	PS_CHALLENGE_GET,
	PS_CHALLENGE_UPDATE,
	PS_CHALLENGE_SUPERSEDE,
	PS_CHALLENGE_LATEST,
	PS_DEVICE_INSERT,
	PS_DEVICE_LIST,
	PS_DEVICE_REVOKE,
	PS_DEVICE_REVOKE_ALL,
	PS_DEVICE_REVOKED_SINCE,
	PS_SSO_TOKEN_INSERT,
	PS_SSO_TOKEN_REDEEM,
	PS_SSO_TOKEN_GET,
	PS_HOSTED_SESSION_INSERT,
	PS_HOSTED_SESSION_INFO,
	PS_HOSTED_SESSION_MFA_PASSED,
	PS_HOSTED_SESSIONS_REVOKE,
	PS_AUTH_INSERT,
	PS_AUTH_GET,
	PS_AUTH_USE,
	PS_BEN_INSERT,
	PS_BEN_LIST,
	PS_BEN_DELETE,
	PS_BEN_FIND,
	PS_SERIES_GET,
	PS_SERIES_PUT,
	PS_SCA_GET,
	PS_SCA_RECORD,
	PS_SCA_RECORD_ACCOUNT,
	PS_SCA_LOW_VALUE,
	PS_LEDGER_INSERT,
	PS_LEDGER_REPORT,
	PS_TXN_INSERT,
	PS_TXN_GET,
	PS_TXN_UPDATE,
	PS_TXN_BY_CHALLENGE,
	PS_APP_DELIVERY_SET,
	PS_APP_DELIVERY_GET,
	PS_USER_PURGE_FACTORS,
	PS_USER_PURGE_DEVICES,
	PS_USER_PURGE_SSO,
	PS_USER_PURGE_BENEFICIARIES,
	PS_USER_PURGE_TXNS,
	PS_WEPAY_USER_GET,
	PS_WEPAY_USER_PUT,
	PS_WEPAY_MFA_LIST,
	PS_WEPAY_MFA_PUT,
	PS_SWEEP_SESSIONS,
	PS_SWEEP_CHALLENGES,
	PS_SWEEP_SSO,
	PS_SWEEP_EMAIL_TOKENS,
	PS_SWEEP_IDEMPOTENCY,
	PS_SWEEP_COUNTERS,
	PS_SWEEP_OUTBOX,
	PS_SWEEP_DEVICES,
	PS_KEYRING_GET,
	PS_KEYRING_INSERT,
	PS_KEYRING_REPLACE,
	PS_USER_CHANGE_EMAIL,
	PS_USER_DROP_EMAIL_TOKENS,
	PS_SEALED_PAGE_CLIENT_SECRETS,
	PS_SEALED_PAGE_DELIVERY,
	PS_SEALED_PAGE_FACTORS,
	PS_SEALED_PAGE_OUTBOX,
	PS_SEALED_PAGE_IDEMPOTENCY,
	PS_SEALED_PUT_CLIENT_SECRET,
	PS_SEALED_PUT_DELIVERY,
	PS_SEALED_PUT_FACTOR,
	PS_SEALED_PUT_OUTBOX,
	PS_SEALED_PUT_IDEMPOTENCY,
	PS_OTHER_CLIENTS,
	PS_DEVICES_REVOKE_EVERY,
	PS__MAX
};

extern const char *const pg_stmt_sql[PS__MAX];

#define PG_PARAMS_MAX 24

/* The parameters of one statement: text, integers (sent as text) and byte strings (sent in
 * binary format, so they need no escaping). Values are referenced, not copied. */
struct pg_params {
	int n;
	const char *v[PG_PARAMS_MAX];
	int len[PG_PARAMS_MAX];
	int fmt[PG_PARAMS_MAX];
	char num[PG_PARAMS_MAX][24];
};

struct pg_conn {
	struct store_conn base;
	PGconn *pg;
	bool prepared[PS__MAX];
	bool in_tx;
	bool broken;       /* the connection was lost: reconnect before its next use */
	bool holds_audit;  /* this transaction holds the audit chain's head row */
	char locked_user[2 * TF_ID_MAX + 2]; /* app/user whose advisory lock this transaction holds */
	struct pg_conn *next_free;
};

struct pg_store {
	struct store base;
	char url[4096];
	int pool_size;
	pthread_mutex_t lock;
	pthread_cond_t freed;
	struct pg_conn *free_list;
	struct pg_conn **all; /* pool_size places; NULL where none is open */
	size_t n_all;         /* connections open or being opened */
};

void p_text(struct pg_params *p, const char *v); /* NULL sends '' */
void p_int(struct pg_params *p, int64_t v);
void p_blob(struct pg_params *p, const void *b, size_t n);
void p_null(struct pg_params *p);

/* Runs a prepared statement. With res, a query's rows are returned there (PQclear them);
 * with changes, the number of rows a write changed. A lost connection is TF_ERR_STORE_UNAVAILABLE
 * (a read outside a transaction is tried once more on a new connection first). */
enum tf_err pg_run(struct store_conn *c, enum pg_stmt id, const struct pg_params *p, const char *what,
		   PGresult **res, int *changes);
/* A query of at most one row: TF_OK with *res holding it, or NOT_FOUND (nothing to clear). */
enum tf_err pg_row(struct store_conn *c, enum pg_stmt id, const struct pg_params *p, const char *what,
		   PGresult **res);
/* Inside a write transaction, takes the advisory lock of one user (released at its end): the
 * read-check-write sequences of one user's requests run one at a time on every node, as
 * SQLite's write lock makes them. Outside a transaction, or after the audit chain's head, it
 * does nothing. */
enum tf_err pg_lock_user(struct store_conn *c, const char *app_id, const char *user_id);

void col_text(const PGresult *r, int row, int col, char *out, size_t size);
int64_t col_int(const PGresult *r, int row, int col);
bool col_null(const PGresult *r, int row, int col);
/* bytea in text form (\x hex) into out; *len (if given) gets the bytes copied */
void col_blob(const PGresult *r, int row, int col, uint8_t *out, size_t size, size_t *len);
/* bytea into a malloc'd buffer (at least 1 byte); NULL when out of memory */
uint8_t *col_blob_dup(const PGresult *r, int row, int col, size_t *len);

/* the operations, by area (store_pg_<area>.c) */
enum tf_err pg_app_insert(struct store_conn *c, const struct app_row *a);
enum tf_err pg_app_get(struct store_conn *c, const char *app_id, struct app_row *out);
enum tf_err pg_app_get_by_api_key(struct store_conn *c, const uint8_t mac[TF_MAC_BYTES], struct app_row *out);
enum tf_err pg_app_get_by_client_id(struct store_conn *c, const char *client_id, struct app_row *out);
enum tf_err pg_app_delivery_set(struct store_conn *c, const char *app_id, const uint8_t *sealed, size_t len);
enum tf_err pg_app_delivery_get(struct store_conn *c, const char *app_id, uint8_t **sealed, size_t *len);
/* ops_version 7: the sweeper (store_pg_sweep.c) */
enum tf_err pg_sweep(struct store_conn *c, const struct retention_cutoffs *cut, int batch, int *deleted);
/* ops_version 9: the key ring (store_pg_keyring.c) */
enum tf_err pg_keyring_get(struct store_conn *c, struct keyring_row *out);
enum tf_err pg_keyring_insert(struct store_conn *c, const struct keyring_row *k);
enum tf_err pg_keyring_replace(struct store_conn *c, const struct keyring_row *k);
enum tf_err pg_sealed_page(struct store_conn *c, enum sealed_column col, const struct sealed_value *after,
			   struct sealed_value *out, size_t max, size_t *n_out);
enum tf_err pg_sealed_put(struct store_conn *c, enum sealed_column col, const struct sealed_value *v);
enum tf_err pg_other_clients(struct store_conn *c, int *n_out);
enum tf_err pg_devices_revoke_every(struct store_conn *c, int64_t now, int *n_out);
enum tf_err pg_user_insert(struct store_conn *c, const struct user_row *u);
enum tf_err pg_user_get(struct store_conn *c, const char *app_id, const char *user_id, struct user_row *out);
enum tf_err pg_user_get_by_email(struct store_conn *c, const char *app_id, const char *email, struct user_row *out);
enum tf_err pg_user_mark_verified(struct store_conn *c, const char *app_id, const char *user_id, int64_t now);
enum tf_err pg_user_change_email(struct store_conn *c, const char *app_id, const char *user_id, const char *email);
enum tf_err pg_user_purge_unverified(struct store_conn *c, const char *app_id, const char *email, int64_t before);
enum tf_err pg_user_set_password(struct store_conn *c, const char *app_id, const char *user_id, const char *hash);
enum tf_err pg_session_insert(struct store_conn *c, const struct session_row *r);
enum tf_err pg_session_get(struct store_conn *c, const char *app_id, const uint8_t mac[TF_MAC_BYTES], struct session_row *r);
enum tf_err pg_session_touch(struct store_conn *c, const char *session_id, int64_t now);
enum tf_err pg_session_revoke(struct store_conn *c, const char *app_id, const char *session_id, int64_t now);
enum tf_err pg_session_set_stepped_up(struct store_conn *c, const char *session_id, int64_t stepped_up_at);
enum tf_err pg_session_send_swap(struct store_conn *c, const char *session_id, struct send_state *state,
				 const struct send_state *next, bool *swapped);
enum tf_err pg_factor_send_swap(struct store_conn *c, const char *app_id, const char *factor_id, int64_t *last_send_at,
				int64_t next, bool *swapped);
enum tf_err pg_email_token_insert(struct store_conn *c, const struct email_token_row *t);
enum tf_err pg_email_token_get(struct store_conn *c, const char *app_id, const uint8_t mac[TF_MAC_BYTES], int64_t now,
			       struct email_token_row *out);
enum tf_err pg_email_token_use(struct store_conn *c, const char *app_id, const uint8_t mac[TF_MAC_BYTES], int64_t now);

enum tf_err pg_factor_insert(struct store_conn *c, const struct factor_row *f);
enum tf_err pg_factor_get(struct store_conn *c, const char *app_id, const char *user_id, const char *factor_id,
			  struct factor_row *out);
enum tf_err pg_factor_list(struct store_conn *c, const char *app_id, const char *user_id, struct factor_row *out,
			   size_t max, size_t *n_out);
enum tf_err pg_factor_update(struct store_conn *c, const struct factor_row *f);
enum tf_err pg_factor_set_preferred(struct store_conn *c, const char *app_id, const char *user_id, const char *factor_id);
enum tf_err pg_factor_delete(struct store_conn *c, const char *app_id, const char *user_id, const char *factor_id);
enum tf_err pg_backup_codes_replace(struct store_conn *c, const char *factor_id, const struct backup_code_row *codes,
				    size_t n);
enum tf_err pg_backup_codes_list(struct store_conn *c, const char *factor_id, struct backup_code_row *out, size_t max,
				 size_t *n_out);
enum tf_err pg_backup_code_use(struct store_conn *c, const char *factor_id, int idx, const char *code_hash, int64_t now);
enum tf_err pg_challenge_insert(struct store_conn *c, const struct challenge_row *ch);
enum tf_err pg_challenge_get(struct store_conn *c, const char *app_id, const char *user_id, const char *challenge_id,
			     struct challenge_row *out);
enum tf_err pg_challenge_update(struct store_conn *c, const struct challenge_row *ch);
enum tf_err pg_challenge_supersede(struct store_conn *c, const char *session_id, const char *factor_id,
				   const char *except_id);
enum tf_err pg_challenge_latest(struct store_conn *c, const char *app_id, const char *user_id, const char *session_id,
				const char *factor_id, enum challenge_purpose purpose, struct challenge_row *out);
enum tf_err pg_device_insert(struct store_conn *c, const struct device_row *d);
enum tf_err pg_device_list(struct store_conn *c, const char *app_id, const char *user_id, int64_t now,
			   struct device_row *out, size_t max, size_t *n_out);
enum tf_err pg_device_revoke(struct store_conn *c, const char *app_id, const char *user_id, const char *device_id,
			     int64_t now);
enum tf_err pg_device_revoke_all(struct store_conn *c, const char *app_id, const char *user_id, int64_t now, int *n_out);
enum tf_err pg_device_revoked_since(struct store_conn *c, int64_t since, int64_t now,
				    void (*visit)(void *ctx, const char *device_id, int64_t revoked_at, int64_t expires_at),
				    void *ctx);

enum tf_err pg_outbox_insert(struct store_conn *c, const struct outbox_row *m);
enum tf_err pg_outbox_due(struct store_conn *c, int64_t now, struct outbox_row *out, size_t max, size_t *n_out);
enum tf_err pg_outbox_mark_sent(struct store_conn *c, const char *id, int64_t now);
enum tf_err pg_outbox_mark_retry(struct store_conn *c, const char *id, int attempts, int64_t next, const char *error);
enum tf_err pg_outbox_mark_failed(struct store_conn *c, const char *id, const char *error);
enum tf_err pg_audit_last(struct store_conn *c, int64_t *seq, uint8_t hash[AUDIT_HASH_BYTES]);
enum tf_err pg_audit_insert(struct store_conn *c, const struct audit_row *r);
enum tf_err pg_audit_scan(struct store_conn *c, audit_visit_fn fn, void *ctx);
enum tf_err pg_idem_reserve(struct store_conn *c, const char *scope, const char *ref, const uint8_t fp[TF_MAC_BYTES],
			    int64_t now, int64_t stale_before, int64_t expired_before, enum idem_state *state,
			    struct idem_answer *answer);
enum tf_err pg_idem_complete(struct store_conn *c, const char *scope, const char *ref, int status,
			     const uint8_t *sealed_body, size_t sealed_len, const char *headers);
enum tf_err pg_idem_release(struct store_conn *c, const char *scope, const char *ref);
enum tf_err pg_counter_hit(struct store_conn *c, const char *key, int64_t window_start, int64_t *count);
enum tf_err pg_counter_get(struct store_conn *c, const char *key, int64_t window_start, int64_t *count);
enum tf_err pg_counter_give_back(struct store_conn *c, const char *key, int64_t window_start);

enum tf_err pg_sso_token_insert(struct store_conn *c, const struct sso_token_row *t);
enum tf_err pg_sso_token_redeem(struct store_conn *c, const char *app_id, const uint8_t mac[TF_MAC_BYTES], int64_t now,
				struct sso_token_row *out);
enum tf_err pg_hosted_session_insert(struct store_conn *c, const struct session_row *r,
				     const struct hosted_session_info *info);
enum tf_err pg_hosted_session_info(struct store_conn *c, const char *session_id, struct hosted_session_info *out);
enum tf_err pg_hosted_session_mfa_passed(struct store_conn *c, const char *session_id);
enum tf_err pg_hosted_sessions_revoke(struct store_conn *c, const char *app_id, const char *user_id, int64_t now,
				      int *n_out);

enum tf_err pg_authorization_insert(struct store_conn *c, const struct authorization_row *a);
enum tf_err pg_authorization_use(struct store_conn *c, const char *app_id, const char *user_id,
				 const char *authorization_id, const char *transaction_hash, int64_t now,
				 struct authorization_row *out);
enum tf_err pg_beneficiary_insert(struct store_conn *c, const struct beneficiary_row *b);
enum tf_err pg_beneficiary_list(struct store_conn *c, const char *app_id, const char *user_id,
				struct beneficiary_row *out, size_t max, size_t *n_out);
enum tf_err pg_beneficiary_delete(struct store_conn *c, const char *app_id, const char *user_id,
				  const char *beneficiary_id);
enum tf_err pg_beneficiary_find(struct store_conn *c, const char *app_id, const char *user_id, const char *account,
				struct beneficiary_row *out);
enum tf_err pg_series_get(struct store_conn *c, const char *app_id, const char *user_id, const char *series_id,
			  char hash_out[TX_HASH_HEX + 1]);
enum tf_err pg_series_put(struct store_conn *c, const char *app_id, const char *user_id, const char *series_id,
			  const char *transaction_hash, int64_t now);
enum tf_err pg_sca_state_get(struct store_conn *c, const char *app_id, const char *user_id, struct sca_state_row *out);
enum tf_err pg_sca_state_record(struct store_conn *c, const char *app_id, const char *user_id, int64_t now,
				bool account);
enum tf_err pg_sca_state_add_low_value(struct store_conn *c, const char *app_id, const char *user_id,
				       int64_t eur_cents);
enum tf_err pg_ledger_insert(struct store_conn *c, const struct ledger_row *r);
enum tf_err pg_ledger_report(struct store_conn *c, int64_t from, int64_t to,
			     void (*visit)(void *ctx, const char *app_id, const char *exemption, const char *currency,
					   int64_t count, int64_t amount, int64_t eur_cents),
			     void *ctx);
enum tf_err pg_txn_insert(struct store_conn *c, const struct txn_row *t);
enum tf_err pg_txn_get(struct store_conn *c, const char *app_id, const char *user_id, const char *transaction_id,
		       struct txn_row *out);
enum tf_err pg_txn_update(struct store_conn *c, const struct txn_row *t);
enum tf_err pg_txn_list_by_challenge(struct store_conn *c, const char *app_id, const char *challenge_id,
				     struct txn_row *out, size_t max, size_t *n_out);

/* ops_version 4: the WePay face (store_pg_wepay.c) */
enum tf_err pg_wepay_user_get(struct store_conn *c, const char *app_id, const char *user_id, struct wepay_user_row *out);
enum tf_err pg_wepay_user_put(struct store_conn *c, const struct wepay_user_row *w);
enum tf_err pg_wepay_mfa_list(struct store_conn *c, const char *app_id, const char *user_id, struct wepay_mfa_row *out,
			      size_t max, size_t *n_out);
enum tf_err pg_wepay_mfa_put(struct store_conn *c, const struct wepay_mfa_row *m);
enum tf_err pg_factor_clear_preferred(struct store_conn *c, const char *app_id, const char *user_id);

#endif
