/* store_pg_sca.c: PSD2 transaction state in PostgreSQL (SPEC section 4): single-use payment
 * authorisations, trusted beneficiaries, recurring series, each user's SCA state for the
 * exemptions, the exemption ledger and payments as resources (the counterpart of
 * store_sqlite_sca.c, with the same results and errors). */
#include <stdio.h>
#include <string.h>

#include "store/store_pg_int.h"

enum tf_err pg_authorization_insert(struct store_conn *c, const struct authorization_row *a)
{
	struct pg_params p = {0};
	p_text(&p, a->authorization_id);
	p_text(&p, a->app_id);
	p_text(&p, a->user_id);
	p_text(&p, a->challenge_id);
	p_text(&p, a->transaction_hash);
	p_int(&p, a->created_at);
	p_int(&p, a->expires_at);
	return pg_run(c, PS_AUTH_INSERT, &p, "authorization_insert", NULL, NULL);
}

enum tf_err pg_authorization_use(struct store_conn *c, const char *app_id, const char *user_id,
				 const char *authorization_id, const char *transaction_hash, int64_t now,
				 struct authorization_row *out)
{
	/* the conditional update decides: of two concurrent uses, on any nodes, one changes the row */
	struct pg_params p = {0};
	p_int(&p, now);
	p_text(&p, authorization_id);
	p_text(&p, app_id);
	p_text(&p, user_id);
	p_text(&p, transaction_hash);
	int changes = 0;
	enum tf_err e = pg_run(c, PS_AUTH_USE, &p, "authorization_use", NULL, &changes);
	if (e != TF_OK)
		return e;
	struct pg_params g = {0};
	p_text(&g, authorization_id);
	p_text(&g, app_id);
	p_text(&g, user_id);
	PGresult *r;
	if ((e = pg_row(c, PS_AUTH_GET, &g, "authorization_get", &r)) != TF_OK)
		return e;
	memset(out, 0, sizeof *out);
	snprintf(out->authorization_id, sizeof out->authorization_id, "%s", authorization_id);
	snprintf(out->app_id, sizeof out->app_id, "%s", app_id);
	snprintf(out->user_id, sizeof out->user_id, "%s", user_id);
	col_text(r, 0, 0, out->challenge_id, sizeof out->challenge_id);
	col_text(r, 0, 1, out->transaction_hash, sizeof out->transaction_hash);
	out->created_at = col_int(r, 0, 2);
	out->expires_at = col_int(r, 0, 3);
	int64_t used_at = col_int(r, 0, 4);
	PQclear(r);
	if (changes)
		return TF_OK;
	if (strlen(out->transaction_hash) != TX_HASH_HEX || !crypto_equal(out->transaction_hash, transaction_hash, TX_HASH_HEX))
		return TF_ERR_TRANSACTION_MISMATCH;
	if (used_at)
		return TF_ERR_ALREADY_VERIFIED;
	return TF_ERR_CHALLENGE_EXPIRED;
}

static void read_beneficiary(const PGresult *r, int row, const char *app_id, const char *user_id,
			     struct beneficiary_row *b)
{
	memset(b, 0, sizeof *b);
	col_text(r, row, 0, b->beneficiary_id, sizeof b->beneficiary_id);
	col_text(r, row, 1, b->name, sizeof b->name);
	col_text(r, row, 2, b->account, sizeof b->account);
	b->created_at = col_int(r, row, 3);
	snprintf(b->app_id, sizeof b->app_id, "%s", app_id);
	snprintf(b->user_id, sizeof b->user_id, "%s", user_id);
}

enum tf_err pg_beneficiary_insert(struct store_conn *c, const struct beneficiary_row *b)
{
	struct pg_params p = {0};
	p_text(&p, b->beneficiary_id);
	p_text(&p, b->app_id);
	p_text(&p, b->user_id);
	p_text(&p, b->name);
	p_text(&p, b->account);
	p_int(&p, b->created_at);
	int changes = 0;
	enum tf_err e = pg_run(c, PS_BEN_INSERT, &p, "beneficiary_insert", NULL, &changes);
	return e != TF_OK ? e : changes ? TF_OK : TF_ERR_BENEFICIARY_EXISTS;
}

enum tf_err pg_beneficiary_list(struct store_conn *c, const char *app_id, const char *user_id,
				struct beneficiary_row *out, size_t max, size_t *n_out)
{
	*n_out = 0;
	enum tf_err e = pg_lock_user(c, app_id, user_id);
	if (e != TF_OK)
		return e;
	struct pg_params p = {0};
	p_text(&p, app_id);
	p_text(&p, user_id);
	PGresult *r;
	if ((e = pg_run(c, PS_BEN_LIST, &p, "beneficiary_list", &r, NULL)) != TF_OK)
		return e;
	size_t n = 0;
	for (int i = 0; i < PQntuples(r) && n < max; i++)
		read_beneficiary(r, i, app_id, user_id, &out[n++]);
	PQclear(r);
	*n_out = n;
	return TF_OK;
}

enum tf_err pg_beneficiary_delete(struct store_conn *c, const char *app_id, const char *user_id,
				  const char *beneficiary_id)
{
	struct pg_params p = {0};
	p_text(&p, app_id);
	p_text(&p, user_id);
	p_text(&p, beneficiary_id);
	int changes = 0;
	enum tf_err e = pg_run(c, PS_BEN_DELETE, &p, "beneficiary_delete", NULL, &changes);
	return e != TF_OK ? e : changes ? TF_OK : TF_ERR_NOT_FOUND;
}

enum tf_err pg_beneficiary_find(struct store_conn *c, const char *app_id, const char *user_id, const char *account,
				struct beneficiary_row *out)
{
	enum tf_err e = pg_lock_user(c, app_id, user_id);
	if (e != TF_OK)
		return e;
	struct pg_params p = {0};
	p_text(&p, app_id);
	p_text(&p, user_id);
	p_text(&p, account);
	PGresult *r;
	if ((e = pg_row(c, PS_BEN_FIND, &p, "beneficiary_find", &r)) != TF_OK)
		return e;
	read_beneficiary(r, 0, app_id, user_id, out);
	PQclear(r);
	return TF_OK;
}

enum tf_err pg_series_get(struct store_conn *c, const char *app_id, const char *user_id, const char *series_id,
			  char hash_out[TX_HASH_HEX + 1])
{
	enum tf_err e = pg_lock_user(c, app_id, user_id);
	if (e != TF_OK)
		return e;
	struct pg_params p = {0};
	p_text(&p, app_id);
	p_text(&p, user_id);
	p_text(&p, series_id);
	PGresult *r;
	if ((e = pg_row(c, PS_SERIES_GET, &p, "series_get", &r)) != TF_OK)
		return e;
	col_text(r, 0, 0, hash_out, TX_HASH_HEX + 1);
	PQclear(r);
	return TF_OK;
}

enum tf_err pg_series_put(struct store_conn *c, const char *app_id, const char *user_id, const char *series_id,
			  const char *transaction_hash, int64_t now)
{
	struct pg_params p = {0};
	p_text(&p, app_id);
	p_text(&p, user_id);
	p_text(&p, series_id);
	p_text(&p, transaction_hash);
	p_int(&p, now);
	return pg_run(c, PS_SERIES_PUT, &p, "series_put", NULL, NULL);
}

enum tf_err pg_sca_state_get(struct store_conn *c, const char *app_id, const char *user_id, struct sca_state_row *out)
{
	memset(out, 0, sizeof *out);
	enum tf_err e = pg_lock_user(c, app_id, user_id);
	if (e != TF_OK)
		return e;
	struct pg_params p = {0};
	p_text(&p, app_id);
	p_text(&p, user_id);
	PGresult *r;
	e = pg_row(c, PS_SCA_GET, &p, "sca_state_get", &r);
	if (e == TF_ERR_NOT_FOUND)
		return TF_OK;
	if (e != TF_OK)
		return e;
	out->last_sca_at = col_int(r, 0, 0);
	out->last_account_sca_at = col_int(r, 0, 1);
	out->low_value_count = col_int(r, 0, 2);
	out->low_value_sum_eur_cents = col_int(r, 0, 3);
	PQclear(r);
	return TF_OK;
}

enum tf_err pg_sca_state_record(struct store_conn *c, const char *app_id, const char *user_id, int64_t now, bool account)
{
	struct pg_params p = {0};
	p_text(&p, app_id);
	p_text(&p, user_id);
	p_int(&p, now);
	return pg_run(c, account ? PS_SCA_RECORD_ACCOUNT : PS_SCA_RECORD, &p, "sca_state_record", NULL, NULL);
}

enum tf_err pg_sca_state_add_low_value(struct store_conn *c, const char *app_id, const char *user_id, int64_t eur_cents)
{
	struct pg_params p = {0};
	p_text(&p, app_id);
	p_text(&p, user_id);
	p_int(&p, eur_cents);
	return pg_run(c, PS_SCA_LOW_VALUE, &p, "sca_state_add_low_value", NULL, NULL);
}

enum tf_err pg_ledger_insert(struct store_conn *c, const struct ledger_row *l)
{
	struct pg_params p = {0};
	p_text(&p, l->app_id);
	p_text(&p, l->user_id);
	p_text(&p, l->exemption);
	p_int(&p, l->amount);
	p_text(&p, l->currency);
	p_int(&p, l->eur_cents);
	p_int(&p, l->at_ms);
	return pg_run(c, PS_LEDGER_INSERT, &p, "ledger_insert", NULL, NULL);
}

enum tf_err pg_ledger_report(struct store_conn *c, int64_t from, int64_t to,
			     void (*visit)(void *ctx, const char *app_id, const char *exemption, const char *currency,
					   int64_t count, int64_t amount, int64_t eur_cents),
			     void *ctx)
{
	struct pg_params p = {0};
	p_int(&p, from);
	p_int(&p, to);
	PGresult *r;
	enum tf_err e = pg_run(c, PS_LEDGER_REPORT, &p, "ledger_report", &r, NULL);
	if (e != TF_OK)
		return e;
	for (int i = 0; i < PQntuples(r); i++) {
		char app_id[TF_ID_MAX], exemption[32], currency[4];
		col_text(r, i, 0, app_id, sizeof app_id);
		col_text(r, i, 1, exemption, sizeof exemption);
		col_text(r, i, 2, currency, sizeof currency);
		visit(ctx, app_id, exemption, currency, col_int(r, i, 3), col_int(r, i, 4), col_int(r, i, 5));
	}
	PQclear(r);
	return TF_OK;
}

/* ---- payments as resources ---- */

static void read_txn(const PGresult *r, int row, struct txn_row *t)
{
	char state[32];
	memset(t, 0, sizeof *t);
	col_text(r, row, 0, t->transaction_id, sizeof t->transaction_id);
	col_text(r, row, 1, t->app_id, sizeof t->app_id);
	col_text(r, row, 2, t->user_id, sizeof t->user_id);
	t->tx.amount = col_int(r, row, 3);
	col_text(r, row, 4, t->tx.currency, sizeof t->tx.currency);
	col_text(r, row, 5, t->tx.payee_name, sizeof t->tx.payee_name);
	col_text(r, row, 6, t->tx.payee_account, sizeof t->tx.payee_account);
	col_text(r, row, 7, t->transaction_hash, sizeof t->transaction_hash);
	col_text(r, row, 8, t->external_reference, sizeof t->external_reference);
	col_text(r, row, 9, state, sizeof state);
	t->state = !strcmp(state, "APPROVED") ? TXN_APPROVED : !strcmp(state, "INITIALISED") ? TXN_INITIALISED : TXN_PENDING_CHALLENGE;
	col_text(r, row, 10, t->exemption, sizeof t->exemption);
	col_text(r, row, 11, t->challenge_id, sizeof t->challenge_id);
	t->created_at = col_int(r, row, 12);
	t->approved_at = col_int(r, row, 13);
}

enum tf_err pg_txn_insert(struct store_conn *c, const struct txn_row *t)
{
	struct pg_params p = {0};
	p_text(&p, t->transaction_id);
	p_text(&p, t->app_id);
	p_text(&p, t->user_id);
	p_int(&p, t->tx.amount);
	p_text(&p, t->tx.currency);
	p_text(&p, t->tx.payee_name);
	p_text(&p, t->tx.payee_account);
	p_text(&p, t->transaction_hash);
	p_text(&p, t->external_reference);
	p_text(&p, txn_state_names[t->state]);
	p_text(&p, t->exemption);
	p_text(&p, t->challenge_id);
	p_int(&p, t->created_at);
	p_int(&p, t->approved_at);
	return pg_run(c, PS_TXN_INSERT, &p, "txn_insert", NULL, NULL);
}

enum tf_err pg_txn_get(struct store_conn *c, const char *app_id, const char *user_id, const char *transaction_id,
		       struct txn_row *out)
{
	enum tf_err e = pg_lock_user(c, app_id, user_id);
	if (e != TF_OK)
		return e;
	struct pg_params p = {0};
	p_text(&p, app_id);
	p_text(&p, user_id);
	p_text(&p, transaction_id);
	PGresult *r;
	if ((e = pg_row(c, PS_TXN_GET, &p, "txn_get", &r)) != TF_OK)
		return e;
	read_txn(r, 0, out);
	PQclear(r);
	return TF_OK;
}

enum tf_err pg_txn_update(struct store_conn *c, const struct txn_row *t)
{
	struct pg_params p = {0};
	p_text(&p, txn_state_names[t->state]);
	p_text(&p, t->challenge_id);
	p_int(&p, t->approved_at);
	p_text(&p, t->app_id);
	p_text(&p, t->transaction_id);
	int changes = 0;
	enum tf_err e = pg_run(c, PS_TXN_UPDATE, &p, "txn_update", NULL, &changes);
	return e != TF_OK ? e : changes ? TF_OK : TF_ERR_NOT_FOUND;
}

enum tf_err pg_txn_list_by_challenge(struct store_conn *c, const char *app_id, const char *challenge_id,
				     struct txn_row *out, size_t max, size_t *n_out)
{
	*n_out = 0;
	struct pg_params p = {0};
	p_text(&p, app_id);
	p_text(&p, challenge_id);
	PGresult *r;
	enum tf_err e = pg_run(c, PS_TXN_BY_CHALLENGE, &p, "txn_list_by_challenge", &r, NULL);
	if (e != TF_OK)
		return e;
	size_t n = 0;
	for (int i = 0; i < PQntuples(r) && n < max; i++)
		read_txn(r, i, &out[n++]);
	PQclear(r);
	*n_out = n;
	return TF_OK;
}
