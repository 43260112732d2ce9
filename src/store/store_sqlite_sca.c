/* store_sqlite_sca.c: PSD2 transaction state in SQLite (SPEC section 4): single-use payment
 * authorisations, trusted beneficiaries, recurring series, each user's SCA state for the
 * exemptions, and the exemption ledger. */
#include <stdio.h>
#include <string.h>

#include "store/store_sqlite_int.h"

enum tf_err sq_authorization_insert(struct store_conn *c, const struct authorization_row *a)
{
	sqlite3_stmt *s = stmt(c, Q_AUTH_INSERT);
	if (!s)
		return TF_ERR_INTERNAL;
	bind_text(s, 1, a->authorization_id);
	bind_text(s, 2, a->app_id);
	bind_text(s, 3, a->user_id);
	bind_text(s, 4, a->challenge_id);
	bind_text(s, 5, a->transaction_hash);
	sqlite3_bind_int64(s, 6, a->created_at);
	sqlite3_bind_int64(s, 7, a->expires_at);
	return exec_stmt(c, s, "authorization_insert", NULL);
}

enum tf_err sq_authorization_use(struct store_conn *c, const char *app_id, const char *user_id, const char *authorization_id,
				 const char *transaction_hash, int64_t now, struct authorization_row *out)
{
	/* the conditional update decides: of two concurrent uses, one changes the row */
	sqlite3_stmt *s = stmt(c, Q_AUTH_USE);
	if (!s)
		return TF_ERR_INTERNAL;
	sqlite3_bind_int64(s, 1, now);
	bind_text(s, 2, authorization_id);
	bind_text(s, 3, app_id);
	bind_text(s, 4, user_id);
	bind_text(s, 5, transaction_hash);
	int changes = 0;
	enum tf_err e = exec_stmt(c, s, "authorization_use", &changes);
	if (e != TF_OK)
		return e;
	if (!(s = stmt(c, Q_AUTH_GET)))
		return TF_ERR_INTERNAL;
	bind_text(s, 1, authorization_id);
	bind_text(s, 2, app_id);
	bind_text(s, 3, user_id);
	if ((e = step_row(c, s, "authorization_get")) != TF_OK)
		return e;
	memset(out, 0, sizeof *out);
	snprintf(out->authorization_id, sizeof out->authorization_id, "%s", authorization_id);
	snprintf(out->app_id, sizeof out->app_id, "%s", app_id);
	snprintf(out->user_id, sizeof out->user_id, "%s", user_id);
	copy_text(s, 0, out->challenge_id, sizeof out->challenge_id);
	copy_text(s, 1, out->transaction_hash, sizeof out->transaction_hash);
	out->created_at = sqlite3_column_int64(s, 2);
	out->expires_at = sqlite3_column_int64(s, 3);
	int64_t used_at = sqlite3_column_int64(s, 4);
	finish(s);
	if (changes)
		return TF_OK;
	if (strlen(out->transaction_hash) != TX_HASH_HEX || !crypto_equal(out->transaction_hash, transaction_hash, TX_HASH_HEX))
		return TF_ERR_TRANSACTION_MISMATCH;
	if (used_at)
		return TF_ERR_ALREADY_VERIFIED;
	return TF_ERR_CHALLENGE_EXPIRED;
}

static void read_beneficiary(sqlite3_stmt *s, const char *app_id, const char *user_id, struct beneficiary_row *b)
{
	memset(b, 0, sizeof *b);
	copy_text(s, 0, b->beneficiary_id, sizeof b->beneficiary_id);
	copy_text(s, 1, b->name, sizeof b->name);
	copy_text(s, 2, b->account, sizeof b->account);
	b->created_at = sqlite3_column_int64(s, 3);
	snprintf(b->app_id, sizeof b->app_id, "%s", app_id);
	snprintf(b->user_id, sizeof b->user_id, "%s", user_id);
}

enum tf_err sq_beneficiary_insert(struct store_conn *c, const struct beneficiary_row *b)
{
	sqlite3_stmt *s = stmt(c, Q_BEN_INSERT);
	if (!s)
		return TF_ERR_INTERNAL;
	bind_text(s, 1, b->beneficiary_id);
	bind_text(s, 2, b->app_id);
	bind_text(s, 3, b->user_id);
	bind_text(s, 4, b->name);
	bind_text(s, 5, b->account);
	sqlite3_bind_int64(s, 6, b->created_at);
	int rc = sqlite3_step(s);
	finish(s);
	if (rc == SQLITE_CONSTRAINT_UNIQUE)
		return lone_end(c, TF_ERR_BENEFICIARY_EXISTS);
	return lone_end(c, sqlite_map_rc(db_of(c), rc, "beneficiary_insert"));
}

enum tf_err sq_beneficiary_list(struct store_conn *c, const char *app_id, const char *user_id, struct beneficiary_row *out,
				size_t max, size_t *n_out)
{
	sqlite3_stmt *s = stmt(c, Q_BEN_LIST);
	if (!s)
		return TF_ERR_INTERNAL;
	bind_text(s, 1, app_id);
	bind_text(s, 2, user_id);
	size_t n = 0;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW && n < max)
		read_beneficiary(s, app_id, user_id, &out[n++]);
	finish(s);
	*n_out = n;
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? TF_OK : sqlite_map_rc(db_of(c), rc, "beneficiary_list");
}

enum tf_err sq_beneficiary_delete(struct store_conn *c, const char *app_id, const char *user_id, const char *beneficiary_id)
{
	sqlite3_stmt *s = stmt(c, Q_BEN_DELETE);
	if (!s)
		return TF_ERR_INTERNAL;
	bind_text(s, 1, app_id);
	bind_text(s, 2, user_id);
	bind_text(s, 3, beneficiary_id);
	int changes = 0;
	enum tf_err e = exec_stmt(c, s, "beneficiary_delete", &changes);
	return e != TF_OK ? e : changes ? TF_OK : TF_ERR_NOT_FOUND;
}

enum tf_err sq_beneficiary_find(struct store_conn *c, const char *app_id, const char *user_id, const char *account,
				struct beneficiary_row *out)
{
	sqlite3_stmt *s = stmt(c, Q_BEN_FIND);
	if (!s)
		return TF_ERR_INTERNAL;
	bind_text(s, 1, app_id);
	bind_text(s, 2, user_id);
	bind_text(s, 3, account);
	enum tf_err e = step_row(c, s, "beneficiary_find");
	if (e != TF_OK)
		return e;
	read_beneficiary(s, app_id, user_id, out);
	finish(s);
	return TF_OK;
}

enum tf_err sq_series_get(struct store_conn *c, const char *app_id, const char *user_id, const char *series_id,
			  char hash_out[TX_HASH_HEX + 1])
{
	sqlite3_stmt *s = stmt(c, Q_SERIES_GET);
	if (!s)
		return TF_ERR_INTERNAL;
	bind_text(s, 1, app_id);
	bind_text(s, 2, user_id);
	bind_text(s, 3, series_id);
	enum tf_err e = step_row(c, s, "series_get");
	if (e != TF_OK)
		return e;
	copy_text(s, 0, hash_out, TX_HASH_HEX + 1);
	finish(s);
	return TF_OK;
}

enum tf_err sq_series_put(struct store_conn *c, const char *app_id, const char *user_id, const char *series_id,
			  const char *transaction_hash, int64_t now)
{
	sqlite3_stmt *s = stmt(c, Q_SERIES_PUT);
	if (!s)
		return TF_ERR_INTERNAL;
	bind_text(s, 1, app_id);
	bind_text(s, 2, user_id);
	bind_text(s, 3, series_id);
	bind_text(s, 4, transaction_hash);
	sqlite3_bind_int64(s, 5, now);
	return exec_stmt(c, s, "series_put", NULL);
}

enum tf_err sq_sca_state_get(struct store_conn *c, const char *app_id, const char *user_id, struct sca_state_row *out)
{
	memset(out, 0, sizeof *out);
	sqlite3_stmt *s = stmt(c, Q_SCA_GET);
	if (!s)
		return TF_ERR_INTERNAL;
	bind_text(s, 1, app_id);
	bind_text(s, 2, user_id);
	enum tf_err e = step_row(c, s, "sca_state_get");
	if (e == TF_ERR_NOT_FOUND)
		return TF_OK;
	if (e != TF_OK)
		return e;
	out->last_sca_at = sqlite3_column_int64(s, 0);
	out->last_account_sca_at = sqlite3_column_int64(s, 1);
	out->low_value_count = sqlite3_column_int64(s, 2);
	out->low_value_sum_eur_cents = sqlite3_column_int64(s, 3);
	finish(s);
	return TF_OK;
}

enum tf_err sq_sca_state_record(struct store_conn *c, const char *app_id, const char *user_id, int64_t now, bool account)
{
	sqlite3_stmt *s = stmt(c, account ? Q_SCA_RECORD_ACCOUNT : Q_SCA_RECORD);
	if (!s)
		return TF_ERR_INTERNAL;
	bind_text(s, 1, app_id);
	bind_text(s, 2, user_id);
	sqlite3_bind_int64(s, 3, now);
	return exec_stmt(c, s, "sca_state_record", NULL);
}

enum tf_err sq_sca_state_add_low_value(struct store_conn *c, const char *app_id, const char *user_id, int64_t eur_cents)
{
	sqlite3_stmt *s = stmt(c, Q_SCA_LOW_VALUE);
	if (!s)
		return TF_ERR_INTERNAL;
	bind_text(s, 1, app_id);
	bind_text(s, 2, user_id);
	sqlite3_bind_int64(s, 3, eur_cents);
	return exec_stmt(c, s, "sca_state_add_low_value", NULL);
}

enum tf_err sq_ledger_insert(struct store_conn *c, const struct ledger_row *r)
{
	sqlite3_stmt *s = stmt(c, Q_LEDGER_INSERT);
	if (!s)
		return TF_ERR_INTERNAL;
	bind_text(s, 1, r->app_id);
	bind_text(s, 2, r->user_id);
	bind_text(s, 3, r->exemption);
	sqlite3_bind_int64(s, 4, r->amount);
	bind_text(s, 5, r->currency);
	sqlite3_bind_int64(s, 6, r->eur_cents);
	sqlite3_bind_int64(s, 7, r->at_ms);
	return exec_stmt(c, s, "ledger_insert", NULL);
}

enum tf_err sq_ledger_report(struct store_conn *c, int64_t from, int64_t to,
			     void (*visit)(void *ctx, const char *app_id, const char *exemption, const char *currency,
					   int64_t count, int64_t amount, int64_t eur_cents),
			     void *ctx)
{
	sqlite3_stmt *s = stmt(c, Q_LEDGER_REPORT);
	if (!s)
		return TF_ERR_INTERNAL;
	sqlite3_bind_int64(s, 1, from);
	sqlite3_bind_int64(s, 2, to);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		char app_id[TF_ID_MAX], exemption[32], currency[4];
		copy_text(s, 0, app_id, sizeof app_id);
		copy_text(s, 1, exemption, sizeof exemption);
		copy_text(s, 2, currency, sizeof currency);
		visit(ctx, app_id, exemption, currency, sqlite3_column_int64(s, 3), sqlite3_column_int64(s, 4),
		      sqlite3_column_int64(s, 5));
	}
	finish(s);
	return rc == SQLITE_DONE ? TF_OK : sqlite_map_rc(db_of(c), rc, "ledger_report");
}

/* ---- payments as resources ---- */

static void read_txn(sqlite3_stmt *s, struct txn_row *t)
{
	char state[32];
	memset(t, 0, sizeof *t);
	copy_text(s, 0, t->transaction_id, sizeof t->transaction_id);
	copy_text(s, 1, t->app_id, sizeof t->app_id);
	copy_text(s, 2, t->user_id, sizeof t->user_id);
	t->tx.amount = sqlite3_column_int64(s, 3);
	copy_text(s, 4, t->tx.currency, sizeof t->tx.currency);
	copy_text(s, 5, t->tx.payee_name, sizeof t->tx.payee_name);
	copy_text(s, 6, t->tx.payee_account, sizeof t->tx.payee_account);
	copy_text(s, 7, t->transaction_hash, sizeof t->transaction_hash);
	copy_text(s, 8, t->external_reference, sizeof t->external_reference);
	copy_text(s, 9, state, sizeof state);
	t->state = !strcmp(state, "APPROVED") ? TXN_APPROVED : !strcmp(state, "INITIALISED") ? TXN_INITIALISED : TXN_PENDING_CHALLENGE;
	copy_text(s, 10, t->exemption, sizeof t->exemption);
	copy_text(s, 11, t->challenge_id, sizeof t->challenge_id);
	t->created_at = sqlite3_column_int64(s, 12);
	t->approved_at = sqlite3_column_int64(s, 13);
}

enum tf_err sq_txn_insert(struct store_conn *c, const struct txn_row *t)
{
	sqlite3_stmt *s = stmt(c, Q_TXN_INSERT);
	if (!s)
		return TF_ERR_INTERNAL;
	bind_text(s, 1, t->transaction_id);
	bind_text(s, 2, t->app_id);
	bind_text(s, 3, t->user_id);
	sqlite3_bind_int64(s, 4, t->tx.amount);
	bind_text(s, 5, t->tx.currency);
	bind_text(s, 6, t->tx.payee_name);
	bind_text(s, 7, t->tx.payee_account);
	bind_text(s, 8, t->transaction_hash);
	bind_text(s, 9, t->external_reference);
	bind_text(s, 10, txn_state_names[t->state]);
	bind_text(s, 11, t->exemption);
	bind_text(s, 12, t->challenge_id);
	sqlite3_bind_int64(s, 13, t->created_at);
	sqlite3_bind_int64(s, 14, t->approved_at);
	return exec_stmt(c, s, "txn_insert", NULL);
}

enum tf_err sq_txn_get(struct store_conn *c, const char *app_id, const char *user_id, const char *transaction_id,
		       struct txn_row *out)
{
	sqlite3_stmt *s = stmt(c, Q_TXN_GET);
	if (!s)
		return TF_ERR_INTERNAL;
	bind_text(s, 1, app_id);
	bind_text(s, 2, user_id);
	bind_text(s, 3, transaction_id);
	enum tf_err e = step_row(c, s, "txn_get");
	if (e != TF_OK)
		return e;
	read_txn(s, out);
	finish(s);
	return TF_OK;
}

enum tf_err sq_txn_update(struct store_conn *c, const struct txn_row *t)
{
	sqlite3_stmt *s = stmt(c, Q_TXN_UPDATE);
	if (!s)
		return TF_ERR_INTERNAL;
	bind_text(s, 1, txn_state_names[t->state]);
	bind_text(s, 2, t->challenge_id);
	sqlite3_bind_int64(s, 3, t->approved_at);
	bind_text(s, 4, t->app_id);
	bind_text(s, 5, t->transaction_id);
	int changes = 0;
	enum tf_err e = exec_stmt(c, s, "txn_update", &changes);
	return e != TF_OK ? e : changes ? TF_OK : TF_ERR_NOT_FOUND;
}

enum tf_err sq_txn_list_by_challenge(struct store_conn *c, const char *app_id, const char *challenge_id, struct txn_row *out,
				     size_t max, size_t *n_out)
{
	sqlite3_stmt *s = stmt(c, Q_TXN_BY_CHALLENGE);
	if (!s)
		return TF_ERR_INTERNAL;
	bind_text(s, 1, app_id);
	bind_text(s, 2, challenge_id);
	size_t n = 0;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW && n < max)
		read_txn(s, &out[n++]);
	finish(s);
	*n_out = n;
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? TF_OK : sqlite_map_rc(db_of(c), rc, "txn_list_by_challenge");
}
