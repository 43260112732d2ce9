/* store_tra.c: the transaction risk analysis exemption's storage (RTS art. 18 to 21; sca/tra.h),
 * written once for both drivers (store_sql.h): the application's remote payments, their daily
 * buckets per type, authentication and band (the fraud rate is a sum of these), each payer's
 * days and the countries and devices it was seen with (the risk analysis's facts), the fraud
 * reports and the markers they leave, and the bands' quarterly states. */
#include <stdio.h>
#include <string.h>

#include "store/store_sql.h"

enum tf_err sql_app_set_tra(struct store_conn *c, const char *app_id, const char *settings)
{
	return db_change(c, S_APP_SET_TRA, ARGS(TEXT(settings), TEXT(app_id)), TF_ERR_NOT_FOUND);
}

static void read_payment(struct rows *r, void *row)
{
	struct payment_row *p = row;
	char type[24];
	memset(p, 0, sizeof *p);
	col_text(r, 0, p->app_id, sizeof p->app_id);
	col_text(r, 1, p->payment_id, sizeof p->payment_id);
	col_text(r, 2, p->user_id, sizeof p->user_id);
	col_text(r, 3, type, sizeof type);
	p->type = (enum payment_type)name_index(payment_type_names, PAYMENT_TYPE__MAX, type);
	col_text(r, 4, p->exemption, sizeof p->exemption);
	p->band = (int)col_int(r, 5);
	p->amount = col_int(r, 6);
	col_text(r, 7, p->currency, sizeof p->currency);
	p->eur_cents = col_int(r, 8);
	col_text(r, 9, p->payee_account, sizeof p->payee_account);
	col_text(r, 10, p->client_ip, sizeof p->client_ip);
	p->day = col_int(r, 11);
	p->executed_at = col_int(r, 12);
	p->imported = col_int(r, 13) != 0;
	p->cancelled_at = col_int(r, 14);
	col_text(r, 15, p->fraud_kind, sizeof p->fraud_kind);
	p->fraud_reported_at = col_int(r, 16);
	p->fraud_recorded_at = col_int(r, 17);
}

/* The payment's bucket gains (sign 1) or loses (-1) it, and its fraud when fraud is set. */
static enum tf_err bucket_add(struct store_conn *c, const struct payment_row *p, int sign, bool fraud)
{
	int64_t n = fraud ? 0 : sign, value = fraud ? 0 : sign * p->eur_cents;
	int64_t fn = fraud ? sign : 0, fvalue = fraud ? sign * p->eur_cents : 0;
	return db_exec(c, S_TRA_DAY_ADD,
		       ARGS(TEXT(p->app_id), TEXT(payment_type_names[p->type]), INT(p->day), TEXT(p->exemption), INT(p->band),
			    INT(n), INT(value), INT(fn), INT(fvalue)),
		       NULL);
}

/* The payer's day gains (sign 1) or loses (-1) the payment; its largest only grows. */
static enum tf_err payer_day_add(struct store_conn *c, const struct payment_row *p, int sign)
{
	if (!p->user_id[0])
		return TF_OK;
	return db_exec(c, S_PAYER_DAY_ADD,
		       ARGS(TEXT(p->app_id), TEXT(p->user_id), INT(p->day), INT(sign), INT(sign * p->eur_cents),
			    INT(sign > 0 ? p->eur_cents : 0)),
		       NULL);
}

enum tf_err sql_payment_record(struct store_conn *c, const struct payment_row *p)
{
	enum tf_err e = db_exec(c, S_PAYMENT_INSERT,
				ARGS(TEXT(p->app_id), TEXT(p->payment_id), TEXT(p->user_id), TEXT(payment_type_names[p->type]),
				     TEXT(p->exemption), INT(p->band), INT(p->amount), TEXT(p->currency), INT(p->eur_cents),
				     TEXT(p->payee_account), TEXT(p->client_ip), INT(p->day), INT(p->executed_at),
				     INT(p->imported), INT(p->cancelled_at), TEXT(p->fraud_kind), INT(p->fraud_reported_at),
				     INT(p->fraud_recorded_at)),
				NULL);
	if (e == TF_OK)
		e = bucket_add(c, p, 1, false);
	if (e == TF_OK)
		e = payer_day_add(c, p, 1);
	if (e == TF_OK && !p->imported) /* an import says its types' first days once (tra_type_seen) */
		e = db_exec(c, S_TRA_TYPE_SEEN, ARGS(TEXT(p->app_id), TEXT(payment_type_names[p->type]), INT(p->day)), NULL);
	return e;
}

enum tf_err sql_tra_type_seen(struct store_conn *c, const char *app_id, enum payment_type type, int64_t day)
{
	return db_exec(c, S_TRA_TYPE_SEEN_BEFORE, ARGS(TEXT(app_id), TEXT(payment_type_names[type]), INT(day)), NULL);
}

enum tf_err sql_payment_get(struct store_conn *c, const char *app_id, const char *payment_id, struct payment_row *out)
{
	return db_get(c, S_PAYMENT_GET, ARGS(TEXT(app_id), TEXT(payment_id)), read_payment, out);
}

enum tf_err sql_payment_cancel(struct store_conn *c, const char *app_id, const char *payment_id, int64_t now,
			       struct payment_row *out)
{
	/* the conditional update decides between a cancellation and a fraud report, on any node */
	int changes = 0;
	enum tf_err e = db_exec(c, S_PAYMENT_CANCEL, ARGS(TEXT(app_id), TEXT(payment_id), INT(now)), &changes);
	if (e != TF_OK || (e = sql_payment_get(c, app_id, payment_id, out)) != TF_OK)
		return e;
	if (!changes)
		return out->cancelled_at ? TF_OK : TF_ERR_STATE_CONFLICT;
	if ((e = bucket_add(c, out, -1, false)) == TF_OK)
		e = payer_day_add(c, out, -1);
	return e;
}

enum tf_err sql_payment_report_fraud(struct store_conn *c, const char *app_id, const char *payment_id, const char *kind,
				     int64_t reported_at, int64_t now, struct payment_row *out, bool *created)
{
	int changes = 0;
	enum tf_err e = db_exec(c, S_PAYMENT_FRAUD, ARGS(TEXT(app_id), TEXT(payment_id), TEXT(kind), INT(reported_at), INT(now)),
				&changes);
	*created = changes > 0;
	if (e != TF_OK || (e = sql_payment_get(c, app_id, payment_id, out)) != TF_OK)
		return e;
	if (!changes)
		return out->cancelled_at ? TF_ERR_STATE_CONFLICT : TF_OK;
	if ((e = bucket_add(c, out, 1, true)) != TF_OK)
		return e;
	if (out->payee_account[0] &&
	    (e = db_exec(c, S_MARKER_PUT, ARGS(TEXT(app_id), TEXT("payee"), TEXT(out->payee_account), INT(reported_at)), NULL)) !=
		    TF_OK)
		return e;
	if (out->client_ip[0])
		e = db_exec(c, S_MARKER_PUT, ARGS(TEXT(app_id), TEXT("ip"), TEXT(out->client_ip), INT(reported_at)), NULL);
	return e;
}

enum tf_err sql_fraud_report_list(struct store_conn *c, const char *app_id, const char *user_id, int64_t from, int64_t to,
				  struct payment_row *out, size_t max, size_t *n_out)
{
	return db_list(c, S_FRAUD_LIST, ARGS(TEXT(app_id), INT(from), INT(to), TEXT(user_id ? user_id : ""), INT(max)),
		       read_payment, out, sizeof *out, max, n_out);
}

enum tf_err sql_payer_history(struct store_conn *c, const char *app_id, const char *user_id, int64_t first_day,
			      int64_t now, struct payer_history *out)
{
	memset(out, 0, sizeof *out);
	struct rows r;
	enum tf_err e = db_row(c, S_PAYER_HISTORY_DAYS, ARGS(TEXT(app_id), TEXT(user_id), INT(first_day)), &r);
	if (e != TF_OK)
		return e;
	out->count = col_int(&r, 0);
	out->sum_eur_cents = col_int(&r, 1);
	out->largest_eur_cents = col_int(&r, 2);
	if ((e = db_end(&r)) != TF_OK)
		return e;
	const int64_t hour = 3600 * 1000;
	if ((e = db_row(c, S_PAYER_HISTORY_RECENT, ARGS(TEXT(app_id), TEXT(user_id), INT(now - hour), INT(now - 24 * hour)),
			&r)) != TF_OK)
		return e;
	out->last_hour = col_int(&r, 0);
	out->last_day = col_int(&r, 1);
	out->last_day_eur_cents = col_int(&r, 2);
	return db_end(&r);
}

enum tf_err sql_payee_first_paid(struct store_conn *c, const char *app_id, const char *user_id,
				 const char *payee_account, int64_t *first_at)
{
	struct rows r;
	enum tf_err e = db_row(c, S_PAYEE_FIRST, ARGS(TEXT(app_id), TEXT(user_id), TEXT(payee_account)), &r);
	if (e != TF_OK)
		return e;
	*first_at = col_int(&r, 0);
	return db_end(&r);
}

enum tf_err sql_payer_seen_put(struct store_conn *c, const char *app_id, const char *user_id, const char *kind,
			       const char *value, int64_t at)
{
	return db_exec(c, S_SEEN_PUT, ARGS(TEXT(app_id), TEXT(user_id), TEXT(kind), TEXT(value), INT(at)), NULL);
}

enum tf_err sql_payer_seen_get(struct store_conn *c, const char *app_id, const char *user_id, const char *kind,
			       const char *value, int64_t *first_seen_at)
{
	struct rows r;
	enum tf_err e = db_row(c, S_SEEN_GET, ARGS(TEXT(app_id), TEXT(user_id), TEXT(kind), TEXT(value)), &r);
	if (e != TF_OK)
		return e;
	*first_seen_at = col_int(&r, 0);
	return db_end(&r);
}

enum tf_err sql_payer_countries(struct store_conn *c, const char *app_id, const char *user_id, int64_t since,
				char (*out)[3], size_t max, size_t *n_out)
{
	struct rows r;
	size_t n = 0;
	db_query(c, S_SEEN_COUNTRIES, ARGS(TEXT(app_id), TEXT(user_id), INT(since), INT(max)), &r);
	while (n < max && db_next(&r))
		col_text(&r, 0, out[n++], 3);
	*n_out = n;
	return db_end(&r);
}

enum tf_err sql_fraud_marker_find(struct store_conn *c, const char *app_id, const char *kind, const char *value)
{
	struct rows r;
	enum tf_err e = db_row(c, S_MARKER_FIND, ARGS(TEXT(app_id), TEXT(kind), TEXT(value)), &r);
	return e != TF_OK ? e : db_end(&r);
}

enum tf_err sql_tra_window(struct store_conn *c, const char *app_id, enum payment_type type, int64_t first_day,
			   int64_t last_day, int64_t *fraud_eur_cents, int64_t *total_eur_cents)
{
	struct rows r;
	enum tf_err e = db_row(c, S_TRA_WINDOW, ARGS(TEXT(app_id), TEXT(payment_type_names[type]), INT(first_day), INT(last_day)),
			       &r);
	if (e != TF_OK)
		return e;
	*fraud_eur_cents = col_int(&r, 0);
	*total_eur_cents = col_int(&r, 1);
	return db_end(&r);
}

enum tf_err sql_tra_sums(struct store_conn *c, int64_t first_day, int64_t last_day,
			 void (*visit)(void *arg, const struct tra_sums *s), void *arg)
{
	struct rows r;
	db_query(c, S_TRA_SUMS_ALL, ARGS(INT(first_day), INT(last_day)), &r);
	while (db_next(&r)) {
		struct tra_sums s;
		char type[24];
		memset(&s, 0, sizeof s);
		col_text(&r, 0, s.app_id, sizeof s.app_id);
		col_text(&r, 1, type, sizeof type);
		s.type = (enum payment_type)name_find(payment_type_names, PAYMENT_TYPE__MAX, type);
		col_text(&r, 2, s.exemption, sizeof s.exemption);
		s.band = (int)col_int(&r, 3);
		s.count = col_int(&r, 4);
		s.value_eur_cents = col_int(&r, 5);
		s.fraud_count = col_int(&r, 6);
		s.fraud_eur_cents = col_int(&r, 7);
		if ((int)s.type >= 0)
			visit(arg, &s);
	}
	return db_end(&r);
}

enum tf_err sql_tra_first_days(struct store_conn *c,
			       void (*visit)(void *arg, const char *app_id, enum payment_type type, int64_t first_day),
			       void *arg)
{
	struct rows r;
	db_query(c, S_TRA_FIRST_DAYS, NULL, &r);
	while (db_next(&r)) {
		char app_id[TF_ID_MAX], type[24];
		col_text(&r, 0, app_id, sizeof app_id);
		col_text(&r, 1, type, sizeof type);
		int t = name_find(payment_type_names, PAYMENT_TYPE__MAX, type);
		if (t >= 0)
			visit(arg, app_id, (enum payment_type)t, col_int(&r, 2));
	}
	return db_end(&r);
}

static void read_band(struct rows *r, void *row)
{
	struct tra_band_row *b = row;
	char type[24];
	memset(b, 0, sizeof *b);
	col_text(r, 0, b->app_id, sizeof b->app_id);
	col_text(r, 1, type, sizeof type);
	b->type = (enum payment_type)name_index(payment_type_names, PAYMENT_TYPE__MAX, type);
	b->band = (int)col_int(r, 2);
	b->last_quarter = col_int(r, 3);
	b->quarters_over = (int)col_int(r, 4);
	b->suspended = col_int(r, 5) != 0;
	b->changed_at = col_int(r, 6);
}

enum tf_err sql_tra_bands_get(struct store_conn *c, const char *app_id, enum payment_type type,
			      struct tra_band_row *out, size_t max, size_t *n_out)
{
	if (app_id)
		return db_list(c, S_TRA_BANDS_TYPE, ARGS(TEXT(app_id), TEXT(payment_type_names[type])), read_band, out,
			       sizeof *out, max, n_out);
	return db_list(c, S_TRA_BANDS_ALL, NULL, read_band, out, sizeof *out, max, n_out);
}

enum tf_err sql_tra_band_put(struct store_conn *c, const struct tra_band_row *b, int64_t expected_last_quarter)
{
	const char *type = payment_type_names[b->type];
	if (expected_last_quarter == 0)
		return db_change(c, S_TRA_BAND_INSERT,
				 ARGS(TEXT(b->app_id), TEXT(type), INT(b->band), INT(b->last_quarter), INT(b->quarters_over),
				      INT(b->suspended), INT(b->changed_at)),
				 TF_ERR_STATE_CONFLICT);
	return db_change(c, S_TRA_BAND_UPDATE,
			 ARGS(TEXT(b->app_id), TEXT(type), INT(b->band), INT(b->last_quarter), INT(b->quarters_over),
			      INT(b->suspended), INT(b->changed_at), INT(expected_last_quarter)),
			 TF_ERR_STATE_CONFLICT);
}

enum tf_err sql_tra_evaluation_insert(struct store_conn *c, const struct tra_evaluation_row *e)
{
	return db_exec(c, S_TRA_EVAL_INSERT,
		       ARGS(TEXT(e->app_id), TEXT(payment_type_names[e->type]), INT(e->band), INT(e->quarter),
			    INT(e->fraud_eur_cents), INT(e->total_eur_cents), INT(e->over), INT(e->suspended), TEXT(e->change),
			    INT(e->evaluated_at)),
		       NULL);
}

static void read_evaluation(struct rows *r, void *row)
{
	struct tra_evaluation_row *e = row;
	char type[24];
	memset(e, 0, sizeof *e);
	col_text(r, 0, e->app_id, sizeof e->app_id);
	col_text(r, 1, type, sizeof type);
	e->type = (enum payment_type)name_index(payment_type_names, PAYMENT_TYPE__MAX, type);
	e->band = (int)col_int(r, 2);
	e->quarter = col_int(r, 3);
	e->fraud_eur_cents = col_int(r, 4);
	e->total_eur_cents = col_int(r, 5);
	e->over = col_int(r, 6) != 0;
	e->suspended = col_int(r, 7) != 0;
	col_text(r, 8, e->change, sizeof e->change);
	e->evaluated_at = col_int(r, 9);
}

enum tf_err sql_tra_evaluations_get(struct store_conn *c, int64_t quarter, struct tra_evaluation_row *out, size_t max,
				    size_t *n_out)
{
	return db_list(c, S_TRA_EVAL_GET, ARGS(INT(quarter)), read_evaluation, out, sizeof *out, max, n_out);
}
