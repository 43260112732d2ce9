/*
 * api_tra.c: the transaction risk analysis's monitoring for the operator (admin token; RTS
 * art. 20 and 21, docs/transactions.md): GET /v1/admin/tra?quarter=2026Q3[&format=csv], the
 * figures art. 21 asks to be recorded per application and payment type, and POST
 * /v1/admin/tra/evaluate, the quarterly evaluation of the bands on demand (the sweeper runs it
 * at each quarter's end). The rules are sca/tra.h's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "sca/tra.h"

enum tf_err api_tra_settings_read(struct tf_req *req, char out[STORE_TRA_SETTINGS_MAX], bool *given)
{
	json_t *v = req->json ? json_object_get(req->json, "tra") : NULL;
	*given = v != NULL;
	out[0] = '\0';
	if (!v)
		return TF_OK;
	char *text = sca_tra_settings_text(v);
	if (!text)
		return req_field_error(req, TF_ERR_INVALID_FIELD, "tra");
	snprintf(out, STORE_TRA_SETTINGS_MAX, "%s", text); /* fits: sca_tra_settings_text checked */
	free(text);
	return TF_OK;
}

static json_t *ppm_or_null(int64_t v)
{
	return v >= 0 ? json_integer(v) : json_null();
}

static json_t *ratio_or_null(int64_t num, int64_t den, int64_t scale)
{
	return den > 0 ? json_integer((json_int_t)((__int128)num * scale / den)) : json_null();
}

/* One application and payment type of the report. */
struct type_key {
	char app_id[TF_ID_MAX];
	enum payment_type type;
};

static int key_cmp(const void *a, const void *b)
{
	const struct type_key *x = a, *y = b;
	int c = strcmp(x->app_id, y->app_id);
	return c ? c : (int)x->type - (int)y->type;
}

static void key_add(struct type_key *keys, size_t *n, const char *app_id, enum payment_type type)
{
	for (size_t i = 0; i < *n; i++)
		if (keys[i].type == type && !strcmp(keys[i].app_id, app_id))
			return;
	snprintf(keys[*n].app_id, sizeof keys[*n].app_id, "%s", app_id);
	keys[(*n)++].type = type;
}

static bool same(const char *app_id, enum payment_type type, const char *app_id2, enum payment_type type2)
{
	return type == type2 && !strcmp(app_id, app_id2);
}

/* The figures of one application and type: totals, per authentication, per band. */
static json_t *type_json(const struct sca_tra_report *r, const struct type_key *k)
{
	int64_t count = 0, value = 0, fraud_count = 0, fraud = 0;
	for (size_t i = 0; i < r->n_sums; i++)
		if (same(r->sums[i].app_id, r->sums[i].type, k->app_id, k->type)) {
			count += r->sums[i].count;
			value += r->sums[i].value_eur_cents;
			fraud_count += r->sums[i].fraud_count;
			fraud += r->sums[i].fraud_eur_cents;
		}
	json_t *by = json_array();
	for (size_t i = 0; i < r->n_sums; i++) {
		const struct tra_sums *s = &r->sums[i];
		if (!same(s->app_id, s->type, k->app_id, k->type))
			continue;
		json_t *o = json_pack("{s:s, s:I, s:I, s:I, s:I}", "authentication", s->exemption[0] ? "exemption" : "sca",
				      "count", (json_int_t)s->count, "value_eur_cents", (json_int_t)s->value_eur_cents,
				      "fraud_count", (json_int_t)s->fraud_count, "fraud_eur_cents", (json_int_t)s->fraud_eur_cents);
		json_object_set_new(o, "exemption", s->exemption[0] ? json_string(s->exemption) : json_null());
		json_object_set_new(o, "band", s->band ? json_integer(s->band) : json_null());
		json_object_set_new(o, "average_eur_cents", ratio_or_null(s->value_eur_cents, s->count, 1));
		json_object_set_new(o, "share_ppm", ratio_or_null(s->count, count, TRA_PPM));
		json_object_set_new(o, "fraud_rate_ppm",
				    ppm_or_null(tra_rate_ppm((struct tra_rate){s->fraud_eur_cents, s->value_eur_cents})));
		json_array_append_new(by, o);
	}
	json_t *bands = json_array();
	for (int b = 0; b < TRA_BAND__MAX; b++) {
		int etv = (int)(tra_etv_eur_cents[b] / 100);
		json_t *o = json_pack("{s:i, s:I, s:b, s:n, s:n, s:b}", "band", etv, "reference_rate_ppm",
				      (json_int_t)tra_reference_ppm(k->type, (enum tra_band)b), "evaluated", false, "over",
				      "suspended", "suspended_now", false);
		for (size_t i = 0; i < r->n_evaluations; i++) {
			const struct tra_evaluation_row *ev = &r->evaluations[i];
			if (same(ev->app_id, ev->type, k->app_id, k->type) && ev->band == etv) {
				json_object_set_new(o, "evaluated", json_true());
				json_object_set_new(o, "over", json_boolean(ev->over));
				json_object_set_new(o, "suspended", json_boolean(ev->suspended));
			}
		}
		for (size_t i = 0; i < r->n_bands; i++)
			if (same(r->bands[i].app_id, r->bands[i].type, k->app_id, k->type) && r->bands[i].band == etv)
				json_object_set_new(o, "suspended_now", json_boolean(r->bands[i].suspended));
		json_array_append_new(bands, o);
	}
	json_t *o = json_pack("{s:s, s:I, s:I, s:I, s:I, s:o, s:o}", "type", payment_type_names[k->type], "count",
			      (json_int_t)count, "value_eur_cents", (json_int_t)value, "fraud_count", (json_int_t)fraud_count,
			      "fraud_eur_cents", (json_int_t)fraud, "by_authentication", by, "bands", bands);
	json_object_set_new(o, "average_eur_cents", ratio_or_null(value, count, 1));
	json_object_set_new(o, "fraud_rate_ppm", ppm_or_null(tra_rate_ppm((struct tra_rate){fraud, value})));
	return o;
}

static void csv_num(char *line, size_t size, size_t *n, const json_t *v)
{
	if (json_is_integer(v))
		*n += (size_t)snprintf(line + *n, size - *n, ",%lld", (long long)json_integer_value(v));
	else
		*n += (size_t)snprintf(line + *n, size - *n, ",");
}

/* One CSV line of a type's total ("all") or of one authentication. */
static void csv_line(FILE *f, const char *quarter, const char *app_id, const char *type, const json_t *o, bool total)
{
	char line[512];
	const json_t *band = json_object_get(o, "band");
	size_t n = (size_t)snprintf(line, sizeof line, "%s,%s,%s,%s,%s", quarter, app_id, type,
				    total ? "all" : json_string_value(json_object_get(o, "authentication")),
				    total || !json_is_string(json_object_get(o, "exemption"))
					    ? ""
					    : json_string_value(json_object_get(o, "exemption")));
	csv_num(line, sizeof line, &n, total ? NULL : band);
	static const char *const cols[] = {"count", "value_eur_cents", "average_eur_cents", "share_ppm", "fraud_count",
					   "fraud_eur_cents", "fraud_rate_ppm"};
	for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++)
		csv_num(line, sizeof line, &n, total && i == 3 ? NULL : json_object_get(o, cols[i]));
	fprintf(f, "%s\r\n", line);
}

static char *csv_render(const char *quarter, const json_t *apps)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	if (!f)
		return NULL;
	fprintf(f, "quarter,app_id,type,authentication,exemption,band,count,value_eur_cents,average_eur_cents,share_ppm,"
		   "fraud_count,fraud_eur_cents,fraud_rate_ppm\r\n");
	size_t i, j, k;
	json_t *app, *type, *by;
	json_array_foreach(apps, i, app) {
		const char *app_id = json_string_value(json_object_get(app, "app_id"));
		json_array_foreach(json_object_get(app, "types"), j, type) {
			const char *name = json_string_value(json_object_get(type, "type"));
			csv_line(f, quarter, app_id, name, type, true);
			json_array_foreach(json_object_get(type, "by_authentication"), k, by)
				csv_line(f, quarter, app_id, name, by, false);
		}
	}
	fclose(f);
	return text;
}

enum tf_err api_tra_report(struct tf_req *req)
{
	const char *q = form_get(&req->query, "quarter"), *format = form_get(&req->query, "format");
	int64_t quarter = tra_quarter(req->now);
	if (req->query.duplicate || (q && !tra_quarter_parse(q, &quarter)))
		return req_field_error(req, TF_ERR_INVALID_FIELD, "quarter");
	if (format && strcmp(format, "json") && strcmp(format, "csv"))
		return req_field_error(req, TF_ERR_INVALID_FIELD, "format");
	struct sca_ctx ctx = req_sca(req);
	struct sca_tra_report r;
	enum tf_err e = sca_tra_report(&ctx, quarter, &r);
	if (e != TF_OK)
		return e;
	struct type_key *keys = calloc(r.n_sums + r.n_evaluations + 1, sizeof *keys);
	if (!keys) {
		sca_tra_report_free(&r);
		return TF_ERR_INTERNAL;
	}
	size_t n = 0;
	for (size_t i = 0; i < r.n_sums; i++)
		key_add(keys, &n, r.sums[i].app_id, r.sums[i].type);
	for (size_t i = 0; i < r.n_evaluations; i++)
		key_add(keys, &n, r.evaluations[i].app_id, r.evaluations[i].type);
	qsort(keys, n, sizeof *keys, key_cmp);
	json_t *apps = json_array(), *app = NULL;
	for (size_t i = 0; i < n; i++) {
		if (!app || strcmp(json_string_value(json_object_get(app, "app_id")), keys[i].app_id)) {
			app = json_pack("{s:s, s:[]}", "app_id", keys[i].app_id, "types");
			json_array_append_new(apps, app);
		}
		json_array_append_new(json_object_get(app, "types"), type_json(&r, &keys[i]));
	}
	free(keys);
	sca_tra_report_free(&r);
	char name[8];
	tra_quarter_name(quarter, name);
	struct tra_days days = tra_quarter_days(quarter);
	if (format && !strcmp(format, "csv")) {
		char *text = csv_render(name, apps);
		json_decref(apps);
		if (!text)
			return TF_ERR_INTERNAL;
		req->status = 200;
		req->resp_text = text;
		req->content_type = "text/csv; charset=utf-8";
		return TF_OK;
	}
	json_t *o = json_pack("{s:s, s:o}", "quarter", name, "applications", apps);
	resp_set_time(o, "from", days.first * TRA_DAY_MS);
	resp_set_time(o, "to", (days.last + 1) * TRA_DAY_MS);
	resp_json(req, 200, o);
	return TF_OK;
}

static void evaluated_add(void *arg, const struct sca_tra_evaluated *ev)
{
	char quarter[8];
	tra_quarter_name(ev->row.quarter, quarter);
	json_t *o = json_pack("{s:s, s:s, s:i, s:s, s:I, s:b, s:s, s:b}", "app_id", ev->row.app_id, "type",
			      payment_type_names[ev->row.type], "band", ev->row.band, "quarter", quarter, "reference_rate_ppm",
			      (json_int_t)ev->reference_ppm, "over", ev->row.over, "change", ev->row.change, "suspended",
			      ev->row.suspended);
	json_object_set_new(o, "rate_ppm", ppm_or_null(ev->rate_ppm));
	json_array_append_new(arg, o);
}

enum tf_err api_tra_evaluate(struct tf_req *req)
{
	static const char *const known[] = {"through", NULL};
	const char *through = NULL;
	enum tf_err e;
	if ((e = req_reject_unknown(req, known)) != TF_OK || (e = req_string(req, "through", false, &through)) != TF_OK)
		return e;
	int64_t quarter = tra_quarter(req->now) - 1; /* the last quarter that has ended */
	if (through && (!tra_quarter_parse(through, &quarter) || quarter >= tra_quarter(req->now)))
		return req_field_error(req, TF_ERR_INVALID_FIELD, "through");
	struct sca_ctx ctx = req_sca(req);
	json_t *list = json_array();
	if ((e = sca_tra_evaluate(&ctx, quarter, evaluated_add, list)) != TF_OK) {
		json_decref(list);
		return e;
	}
	resp_json(req, 200, json_pack("{s:o}", "evaluations", list));
	return TF_OK;
}
