/*
 * api_payments.c: the application's remote payments and fraud reports (RTS art. 18 to 21;
 * docs/transactions.md), with application credentials: GET /v1/payments/{id}, POST
 * /v1/payments/{id}/cancel, POST /v1/payments/import, POST and GET /v1/fraud_reports; and the
 * "risk" and "tra" parts of a payment's POST /v1/authorize answer. The rules are sca/tra.h's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "core/timefmt.h"
#include "sca/payments.h"

json_t *api_risk_json(const struct risk_result *r)
{
	const char *names[RISK_REASON__MAX];
	size_t n = risk_reason_list(r->reasons, names);
	json_t *reasons = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(reasons, json_string(names[i]));
	return json_pack("{s:s, s:o}", "level", risk_level_names[r->level], "reasons", reasons);
}

json_t *api_tra_json(const struct sca_tra_assessment *a)
{
	bool applied = a->refusal == SCA_TRA_APPLIED;
	json_t *o = json_pack("{s:b}", "applied", applied);
	json_object_set_new(o, "band", applied ? json_integer(a->choice.etv_eur_cents / 100) : json_null());
	json_object_set_new(o, "reference_rate_ppm", applied ? json_integer(a->choice.reference_ppm) : json_null());
	json_object_set_new(o, "rate_ppm", a->choice.rate_ppm >= 0 ? json_integer(a->choice.rate_ppm) : json_null());
	json_object_set_new(o, "refusal", applied ? json_null() : json_string(sca_tra_refusal_names[a->refusal]));
	return o;
}

static json_t *payment_json(const struct payment_row *p)
{
	json_t *o = json_pack("{s:s, s:s, s:I, s:s, s:I, s:s, s:s, s:b}", "payment_id", p->payment_id, "type",
			      payment_type_names[p->type], "amount", (json_int_t)p->amount, "currency", p->currency,
			      "eur_cents", (json_int_t)p->eur_cents, "authentication", p->exemption[0] ? "exemption" : "sca",
			      "status", p->cancelled_at ? "cancelled" : "executed", "imported", p->imported);
	json_object_set_new(o, "user_id", p->user_id[0] ? json_string(p->user_id) : json_null());
	json_object_set_new(o, "payee_account", p->payee_account[0] ? json_string(p->payee_account) : json_null());
	json_object_set_new(o, "exemption", p->exemption[0] ? json_string(p->exemption) : json_null());
	json_object_set_new(o, "band", p->band ? json_integer(p->band) : json_null());
	resp_set_time(o, "executed_at", p->executed_at);
	if (p->cancelled_at)
		resp_set_time(o, "cancelled_at", p->cancelled_at);
	else
		json_object_set_new(o, "cancelled_at", json_null());
	if (p->fraud_kind[0]) {
		json_t *f = json_pack("{s:s}", "kind", p->fraud_kind);
		resp_set_time(f, "reported_at", p->fraud_reported_at);
		resp_set_time(f, "recorded_at", p->fraud_recorded_at);
		json_object_set_new(o, "fraud_report", f);
	} else {
		json_object_set_new(o, "fraud_report", json_null());
	}
	return o;
}

static json_t *fraud_report_json(const struct payment_row *p)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:I, s:s, s:I}", "payment_id", p->payment_id, "type",
			      payment_type_names[p->type], "kind", p->fraud_kind, "amount", (json_int_t)p->amount, "currency",
			      p->currency, "eur_cents", (json_int_t)p->eur_cents);
	json_object_set_new(o, "user_id", p->user_id[0] ? json_string(p->user_id) : json_null());
	resp_set_time(o, "executed_at", p->executed_at);
	resp_set_time(o, "reported_at", p->fraud_reported_at);
	resp_set_time(o, "recorded_at", p->fraud_recorded_at);
	return o;
}

static bool id_ok(const char *id)
{
	return id[0] && strlen(id) < TF_ID_MAX;
}

enum tf_err api_payments_get(struct tf_req *req)
{
	if (!id_ok(req->params[0]))
		return TF_ERR_NOT_FOUND;
	struct sca_ctx ctx = req_sca(req);
	struct payment_row p;
	enum tf_err e = sca_payment_get(&ctx, req->params[0], &p);
	if (e != TF_OK)
		return e;
	resp_json(req, 200, payment_json(&p));
	return TF_OK;
}

enum tf_err api_payments_cancel(struct tf_req *req)
{
	static const char *const known[] = {NULL};
	enum tf_err e = req_reject_unknown(req, known);
	if (e != TF_OK)
		return e;
	if (!id_ok(req->params[0]))
		return TF_ERR_NOT_FOUND;
	struct sca_ctx ctx = req_sca(req);
	struct payment_row p;
	if ((e = sca_payment_cancel(&ctx, req->params[0], &p)) != TF_OK)
		return e;
	resp_json(req, 200, payment_json(&p));
	return TF_OK;
}

/* An RFC 3339 time field of o (absent: *out untouched); false when it is not one. */
static bool time_field(const json_t *o, const char *name, int64_t *out)
{
	json_t *v = json_object_get(o, name);
	if (!v || json_is_null(v))
		return true;
	return json_is_string(v) && timefmt_parse_rfc3339(json_string_value(v), out);
}

static const char *string_field(const json_t *o, const char *name, size_t max, bool *ok)
{
	json_t *v = json_object_get(o, name);
	if (!v || json_is_null(v))
		return "";
	const char *s = json_string_value(v);
	if (!s || strlen(s) != json_string_length(v) || strlen(s) > max)
		*ok = false;
	for (const char *p = s ? s : ""; *ok && *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*ok = false;
	return *ok ? s : "";
}

/* One import item into *it (strings point into item); the bad field's name, or NULL. */
static const char *import_item_read(const json_t *item, struct sca_payment_import *it)
{
	static const char *const known[] = {"user_id",    "type",      "amount", "currency", "payee_account",
					    "executed_at", "exemption", "band",   "risk",     NULL};
	static const char *const risk_known[] = {"payer_country", "device_id", "client_ip", NULL};
	memset(it, 0, sizeof *it);
	if (!json_is_object(item) || json_unknown_key(item, known))
		return "";
	bool ok = true;
	const char *user = string_field(item, "user_id", TF_ID_MAX - 1, &ok);
	if (!ok)
		return "user_id";
	it->user_id = user[0] ? user : NULL;
	json_t *type = json_object_get(item, "type");
	if (type && !json_is_null(type)) {
		int t = json_is_string(type) ? name_find(payment_type_names, PAYMENT_TYPE__MAX, json_string_value(type)) : -1;
		if (t < 0)
			return "type";
		it->type = (enum payment_type)t;
	}
	json_t *amount = json_object_get(item, "amount");
	if (!json_is_integer(amount) || !transaction_amount_ok(json_integer_value(amount)))
		return "amount";
	it->tx.amount = json_integer_value(amount);
	json_t *currency = json_object_get(item, "currency");
	if (!json_is_string(currency) || currency_minor_units(json_string_value(currency)) < 0)
		return "currency";
	snprintf(it->tx.currency, sizeof it->tx.currency, "%s", json_string_value(currency));
	char acct[2 * TX_PAYEE_ACCOUNT_MAX + 1];
	const char *account = string_field(item, "payee_account", sizeof acct - 1, &ok);
	snprintf(acct, sizeof acct, "%s", account);
	if (!ok || (acct[0] && !transaction_payee_account_normalise(acct)))
		return "payee_account";
	memcpy(it->tx.payee_account, acct, strlen(acct) + 1); /* fits: normalising checked the length */
	if (!json_object_get(item, "executed_at") || !time_field(item, "executed_at", &it->executed_at))
		return "executed_at";
	it->exemption = string_field(item, "exemption", 31, &ok);
	if (!ok)
		return "exemption";
	json_t *band = json_object_get(item, "band");
	if (band && !json_is_null(band)) {
		if (!json_is_integer(band) || json_integer_value(band) < 0 || json_integer_value(band) > 1000)
			return "band";
		it->band = (int)json_integer_value(band);
	}
	json_t *risk = json_object_get(item, "risk");
	if (risk && !json_is_null(risk) && (!json_is_object(risk) || json_unknown_key(risk, risk_known)))
		return "risk";
	it->payer_country = string_field(risk, "payer_country", 2, &ok);
	if (!ok || (it->payer_country[0] && strlen(it->payer_country) != 2))
		return "risk.payer_country";
	it->device_id = string_field(risk, "device_id", 128, &ok);
	if (!ok)
		return "risk.device_id";
	it->client_ip = string_field(risk, "client_ip", 63, &ok);
	if (!ok)
		return "risk.client_ip";
	return NULL;
}

enum tf_err api_payments_import(struct tf_req *req)
{
	static const char *const known[] = {"payments", NULL};
	enum tf_err e = req_reject_unknown(req, known);
	if (e != TF_OK)
		return e;
	json_t *list = json_object_get(req->json, "payments");
	if (!list)
		return req_field_error(req, TF_ERR_MISSING_FIELD, "payments");
	size_t n = json_array_size(list);
	if (!json_is_array(list) || n == 0 || n > SCA_IMPORT_MAX)
		return req_field_error(req, TF_ERR_INVALID_FIELD, "payments");
	struct sca_payment_import *items = calloc(n, sizeof *items);
	char(*ids)[TF_ID_MAX] = calloc(n, sizeof *ids);
	if (!items || !ids) {
		free(items);
		free(ids);
		return TF_ERR_INTERNAL;
	}
	char field[96];
	size_t bad = 0;
	const char *bad_field = NULL;
	for (size_t i = 0; i < n && !bad_field; i++)
		if ((bad_field = import_item_read(json_array_get(list, i), &items[i])) != NULL)
			bad = i;
	if (!bad_field) {
		struct sca_ctx ctx = req_sca(req);
		e = sca_payments_import(&ctx, items, n, ids, &bad, &bad_field);
	} else {
		e = TF_ERR_INVALID_FIELD;
	}
	if (e == TF_OK) {
		json_t *out = json_array();
		for (size_t i = 0; i < n; i++)
			json_array_append_new(out, json_string(ids[i]));
		resp_json(req, 201, json_pack("{s:o}", "payment_ids", out));
	} else if (e == TF_ERR_INVALID_FIELD) {
		snprintf(field, sizeof field, "payments[%zu]%s%s", bad, bad_field && bad_field[0] ? "." : "",
			 bad_field ? bad_field : "");
		e = req_field_error(req, e, field);
	}
	free(items);
	free(ids);
	return e;
}

enum tf_err api_fraud_reports_create(struct tf_req *req)
{
	static const char *const known[] = {"payment_id", "kind", "reported_at", NULL};
	const char *payment_id, *kind;
	enum tf_err e;
	if ((e = req_reject_unknown(req, known)) != TF_OK || (e = req_string(req, "payment_id", true, &payment_id)) != TF_OK ||
	    (e = req_string(req, "kind", true, &kind)) != TF_OK)
		return e;
	if (strcmp(kind, "unauthorised") && strcmp(kind, "manipulated_payer"))
		return req_field_error(req, TF_ERR_INVALID_FIELD, "kind");
	int64_t reported_at = req->now;
	if (!time_field(req->json, "reported_at", &reported_at))
		return req_field_error(req, TF_ERR_INVALID_FIELD, "reported_at");
	if (!id_ok(payment_id))
		return TF_ERR_NOT_FOUND;
	struct sca_ctx ctx = req_sca(req);
	struct payment_row p;
	bool created;
	e = sca_fraud_report(&ctx, payment_id, kind, reported_at, &p, &created);
	if (e == TF_ERR_INVALID_FIELD)
		return req_field_error(req, e, "reported_at");
	if (e != TF_OK)
		return e;
	resp_json(req, created ? 201 : 200, fraud_report_json(&p));
	return TF_OK;
}

enum tf_err api_fraud_reports_list(struct tf_req *req)
{
	const char *from_s = form_get(&req->query, "from"), *to_s = form_get(&req->query, "to");
	const char *limit_s = form_get(&req->query, "limit"), *user_id = form_get(&req->query, "user_id");
	int64_t to = req->now + 1, from = req->now - TRA_WINDOW_DAYS * TRA_DAY_MS;
	if (req->query.duplicate)
		return req_field_error(req, TF_ERR_INVALID_FIELD, "query");
	if (from_s && !timefmt_parse_rfc3339(from_s, &from))
		return req_field_error(req, TF_ERR_INVALID_FIELD, "from");
	if (to_s && !timefmt_parse_rfc3339(to_s, &to))
		return req_field_error(req, TF_ERR_INVALID_FIELD, "to");
	long limit = 100;
	if (limit_s) {
		char *end;
		limit = strtol(limit_s, &end, 10);
		if (*end || end == limit_s || limit < 1 || limit > SCA_FRAUD_LIST_MAX)
			return req_field_error(req, TF_ERR_INVALID_FIELD, "limit");
	}
	if (user_id && !id_ok(user_id))
		return req_field_error(req, TF_ERR_INVALID_FIELD, "user_id");
	struct payment_row *rows = calloc((size_t)limit + 1, sizeof *rows);
	if (!rows)
		return TF_ERR_INTERNAL;
	struct sca_ctx ctx = req_sca(req);
	size_t n;
	enum tf_err e = sca_fraud_reports(&ctx, user_id, from, to, rows, (size_t)limit + 1, &n);
	if (e == TF_OK) {
		json_t *list = json_array();
		for (size_t i = 0; i < n && i < (size_t)limit; i++)
			json_array_append_new(list, fraud_report_json(&rows[i]));
		resp_json(req, 200, json_pack("{s:o, s:b}", "fraud_reports", list, "truncated", n > (size_t)limit));
	}
	free(rows);
	return e;
}
