/* store_payments.c: PSD2 transaction state (SPEC section 4), written once for both drivers
 * (store_sql.h): single-use payment authorisations, trusted beneficiaries, recurring series,
 * each user's SCA state for the exemptions, the exemption ledger and payments as resources. */
#include <stdio.h>
#include <string.h>

#include "store/store_sql.h"

enum tf_err sql_authorization_insert(struct store_conn *c, const struct authorization_row *a)
{
	return db_exec(c, S_AUTH_INSERT,
		       ARGS(TEXT(a->authorization_id), TEXT(a->app_id), TEXT(a->user_id), TEXT(a->challenge_id),
			    TEXT(a->transaction_hash), INT(a->created_at), INT(a->expires_at)),
		       NULL);
}

enum tf_err sql_authorization_use(struct store_conn *c, const char *app_id, const char *user_id,
				  const char *authorization_id, const char *transaction_hash, int64_t now,
				  struct authorization_row *out)
{
	/* the conditional update decides: of two concurrent uses, on any nodes, one changes the row */
	int changes = 0;
	struct rows r;
	enum tf_err e = db_exec(c, S_AUTH_USE,
				ARGS(INT(now), TEXT(authorization_id), TEXT(app_id), TEXT(user_id), TEXT(transaction_hash)),
				&changes);
	if (e != TF_OK || (e = db_row(c, S_AUTH_GET, ARGS(TEXT(authorization_id), TEXT(app_id), TEXT(user_id)), &r)) != TF_OK)
		return e;
	memset(out, 0, sizeof *out);
	snprintf(out->authorization_id, sizeof out->authorization_id, "%s", authorization_id);
	snprintf(out->app_id, sizeof out->app_id, "%s", app_id);
	snprintf(out->user_id, sizeof out->user_id, "%s", user_id);
	col_text(&r, 0, out->challenge_id, sizeof out->challenge_id);
	col_text(&r, 1, out->transaction_hash, sizeof out->transaction_hash);
	out->created_at = col_int(&r, 2);
	out->expires_at = col_int(&r, 3);
	int64_t used_at = col_int(&r, 4);
	if ((e = db_end(&r)) != TF_OK || changes)
		return e;
	if (strlen(out->transaction_hash) != TX_HASH_HEX || !crypto_equal(out->transaction_hash, transaction_hash, TX_HASH_HEX))
		return TF_ERR_TRANSACTION_MISMATCH;
	return used_at ? TF_ERR_ALREADY_VERIFIED : TF_ERR_CHALLENGE_EXPIRED;
}

static void read_beneficiary(struct rows *r, const char *app_id, const char *user_id, struct beneficiary_row *b)
{
	memset(b, 0, sizeof *b);
	col_text(r, 0, b->beneficiary_id, sizeof b->beneficiary_id);
	col_text(r, 1, b->name, sizeof b->name);
	col_text(r, 2, b->account, sizeof b->account);
	b->created_at = col_int(r, 3);
	snprintf(b->app_id, sizeof b->app_id, "%s", app_id);
	snprintf(b->user_id, sizeof b->user_id, "%s", user_id);
}

enum tf_err sql_beneficiary_insert(struct store_conn *c, const struct beneficiary_row *b)
{
	return db_change(c, S_BEN_INSERT,
			 ARGS(TEXT(b->beneficiary_id), TEXT(b->app_id), TEXT(b->user_id), TEXT(b->name), TEXT(b->account),
			      INT(b->created_at)),
			 TF_ERR_BENEFICIARY_EXISTS);
}

enum tf_err sql_beneficiary_list(struct store_conn *c, const char *app_id, const char *user_id,
				 struct beneficiary_row *out,
				 size_t max, size_t *n_out)
{
	struct rows r;
	size_t n = 0;
	db_query(c, S_BEN_LIST, ARGS(TEXT(app_id), TEXT(user_id)), &r);
	while (n < max && db_next(&r))
		read_beneficiary(&r, app_id, user_id, &out[n++]);
	*n_out = n;
	return db_end(&r);
}

enum tf_err sql_beneficiary_delete(struct store_conn *c, const char *app_id, const char *user_id,
				   const char *beneficiary_id)
{
	return db_change(c, S_BEN_DELETE, ARGS(TEXT(app_id), TEXT(user_id), TEXT(beneficiary_id)), TF_ERR_NOT_FOUND);
}

enum tf_err sql_beneficiary_find(struct store_conn *c, const char *app_id, const char *user_id, const char *account,
				 struct beneficiary_row *out)
{
	struct rows r;
	enum tf_err e = db_row(c, S_BEN_FIND, ARGS(TEXT(app_id), TEXT(user_id), TEXT(account)), &r);
	if (e != TF_OK)
		return e;
	read_beneficiary(&r, app_id, user_id, out);
	return db_end(&r);
}

enum tf_err sql_series_get(struct store_conn *c, const char *app_id, const char *user_id, const char *series_id,
			   char hash_out[TX_HASH_HEX + 1])
{
	struct rows r;
	enum tf_err e = db_row(c, S_SERIES_GET, ARGS(TEXT(app_id), TEXT(user_id), TEXT(series_id)), &r);
	if (e != TF_OK)
		return e;
	col_text(&r, 0, hash_out, TX_HASH_HEX + 1);
	return db_end(&r);
}

enum tf_err sql_series_put(struct store_conn *c, const char *app_id, const char *user_id, const char *series_id,
			   const char *transaction_hash, int64_t now)
{
	return db_exec(c, S_SERIES_PUT, ARGS(TEXT(app_id), TEXT(user_id), TEXT(series_id), TEXT(transaction_hash), INT(now)),
		       NULL);
}

enum tf_err sql_sca_state_get(struct store_conn *c, const char *app_id, const char *user_id, struct sca_state_row *out)
{
	memset(out, 0, sizeof *out);
	struct rows r;
	enum tf_err e = db_row(c, S_SCA_GET, ARGS(TEXT(app_id), TEXT(user_id)), &r);
	if (e != TF_OK)
		return e == TF_ERR_NOT_FOUND ? TF_OK : e;
	out->last_sca_at = col_int(&r, 0);
	out->last_account_sca_at = col_int(&r, 1);
	out->low_value_count = col_int(&r, 2);
	out->low_value_sum_eur_cents = col_int(&r, 3);
	return db_end(&r);
}

enum tf_err sql_sca_state_record(struct store_conn *c, const char *app_id, const char *user_id, int64_t now,
				 bool account)
{
	return db_exec(c, account ? S_SCA_RECORD_ACCOUNT : S_SCA_RECORD, ARGS(TEXT(app_id), TEXT(user_id), INT(now)), NULL);
}

enum tf_err sql_sca_state_add_low_value(struct store_conn *c, const char *app_id, const char *user_id,
					int64_t eur_cents)
{
	return db_exec(c, S_SCA_LOW_VALUE, ARGS(TEXT(app_id), TEXT(user_id), INT(eur_cents)), NULL);
}

enum tf_err sql_ledger_insert(struct store_conn *c, const struct ledger_row *l)
{
	return db_exec(c, S_LEDGER_INSERT,
		       ARGS(TEXT(l->app_id), TEXT(l->user_id), TEXT(l->exemption), INT(l->amount), TEXT(l->currency),
			    INT(l->eur_cents), INT(l->at_ms)),
		       NULL);
}

enum tf_err sql_ledger_report(struct store_conn *c, int64_t from, int64_t to,
			      void (*visit)(void *ctx, const char *app_id, const char *exemption, const char *currency,
					    int64_t count, int64_t amount, int64_t eur_cents),
			      void *ctx)
{
	struct rows r;
	db_query(c, S_LEDGER_REPORT, ARGS(INT(from), INT(to)), &r);
	while (db_next(&r)) {
		char app_id[TF_ID_MAX], exemption[32], currency[4];
		col_text(&r, 0, app_id, sizeof app_id);
		col_text(&r, 1, exemption, sizeof exemption);
		col_text(&r, 2, currency, sizeof currency);
		visit(ctx, app_id, exemption, currency, col_int(&r, 3), col_int(&r, 4), col_int(&r, 5));
	}
	return db_end(&r);
}

/* ---- payments as resources ---- */

static void read_txn(struct rows *r, void *row)
{
	struct txn_row *t = row;
	char state[32];
	memset(t, 0, sizeof *t);
	col_text(r, 0, t->transaction_id, sizeof t->transaction_id);
	col_text(r, 1, t->app_id, sizeof t->app_id);
	col_text(r, 2, t->user_id, sizeof t->user_id);
	t->tx.amount = col_int(r, 3);
	col_text(r, 4, t->tx.currency, sizeof t->tx.currency);
	col_text(r, 5, t->tx.payee_name, sizeof t->tx.payee_name);
	col_text(r, 6, t->tx.payee_account, sizeof t->tx.payee_account);
	col_text(r, 7, t->transaction_hash, sizeof t->transaction_hash);
	col_text(r, 8, t->external_reference, sizeof t->external_reference);
	col_text(r, 9, state, sizeof state);
	t->state = (enum txn_state)name_index(txn_state_names, TXN_STATE_COUNT, state);
	col_text(r, 10, t->exemption, sizeof t->exemption);
	col_text(r, 11, t->challenge_id, sizeof t->challenge_id);
	t->created_at = col_int(r, 12);
	t->approved_at = col_int(r, 13);
}

enum tf_err sql_txn_insert(struct store_conn *c, const struct txn_row *t)
{
	return db_exec(c, S_TXN_INSERT,
		       ARGS(TEXT(t->transaction_id), TEXT(t->app_id), TEXT(t->user_id), INT(t->tx.amount), TEXT(t->tx.currency),
			    TEXT(t->tx.payee_name), TEXT(t->tx.payee_account), TEXT(t->transaction_hash),
			    TEXT(t->external_reference), TEXT(txn_state_names[t->state]), TEXT(t->exemption),
			    TEXT(t->challenge_id), INT(t->created_at), INT(t->approved_at)),
		       NULL);
}

enum tf_err sql_txn_get(struct store_conn *c, const char *app_id, const char *user_id, const char *transaction_id,
			struct txn_row *out)
{
	return db_get(c, S_TXN_GET, ARGS(TEXT(app_id), TEXT(user_id), TEXT(transaction_id)), read_txn, out);
}

enum tf_err sql_txn_update(struct store_conn *c, const struct txn_row *t)
{
	return db_change(c, S_TXN_UPDATE,
			 ARGS(TEXT(txn_state_names[t->state]), TEXT(t->challenge_id), INT(t->approved_at), TEXT(t->app_id),
			      TEXT(t->transaction_id)),
			 TF_ERR_NOT_FOUND);
}

enum tf_err sql_txn_list_by_challenge(struct store_conn *c, const char *app_id, const char *challenge_id,
				      struct txn_row *out,
				      size_t max, size_t *n_out)
{
	return db_list(c, S_TXN_BY_CHALLENGE, ARGS(TEXT(app_id), TEXT(challenge_id)), read_txn, out, sizeof *out, max,
		       n_out);
}
