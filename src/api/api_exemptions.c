/*
 * api_exemptions.c: GET /v1/admin/exemptions?quarter=2026Q4, the exemption ledger report
 * (RTS art. 21): for each application and exemption type, how many payments were exempted in
 * the quarter and their value, per currency and in euros where a value in euros is known.
 * Without quarter, the current one.
 */
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "sca/payments.h"

struct report {
	json_t *rows; /* array of {app_id, exemption, count, value_eur_cents, by_currency: [...]} */
};

static void visit(void *ctx, const char *app_id, const char *exemption, const char *currency, int64_t count,
		  int64_t amount, int64_t eur_cents)
{
	struct report *r = ctx;
	json_t *last = json_array_get(r->rows, json_array_size(r->rows) - 1);
	if (!last || strcmp(json_string_value(json_object_get(last, "app_id")), app_id) != 0 ||
	    strcmp(json_string_value(json_object_get(last, "exemption")), exemption) != 0) {
		last = json_pack("{s:s, s:s, s:I, s:I, s:[]}", "app_id", app_id, "exemption", exemption, "count", (json_int_t)0,
				 "value_eur_cents", (json_int_t)0, "by_currency");
		json_array_append_new(r->rows, last);
	}
	json_object_set_new(last, "count", json_integer(json_integer_value(json_object_get(last, "count")) + count));
	json_object_set_new(last, "value_eur_cents",
			    json_integer(json_integer_value(json_object_get(last, "value_eur_cents")) + eur_cents));
	if (currency[0]) /* account information has no amount */
		json_array_append_new(json_object_get(last, "by_currency"),
				      json_pack("{s:s, s:I, s:I, s:I}", "currency", currency, "count", (json_int_t)count, "total",
						(json_int_t)amount, "average", (json_int_t)(count ? amount / count : 0)));
}

enum tf_err api_exemptions_report(struct tf_req *req)
{
	char quarter[8];
	const char *q = form_get(&req->query, "quarter");
	if (req->query.duplicate || (q && strlen(q) >= sizeof quarter))
		return req_field_error(req, TF_ERR_INVALID_FIELD, "quarter");
	if (q)
		snprintf(quarter, sizeof quarter, "%s", q);
	else
		quarter_of(req->now, quarter);
	int64_t from, to;
	if (!quarter_bounds(quarter, &from, &to))
		return req_field_error(req, TF_ERR_INVALID_FIELD, "quarter");
	struct report r = {json_array()};
	struct sca_ctx ctx = req_sca(req);
	enum tf_err e = sca_exemption_report(&ctx, from, to, visit, &r);
	if (e != TF_OK) {
		json_decref(r.rows);
		return e;
	}
	json_t *o = json_pack("{s:s, s:o}", "quarter", quarter, "exemptions", r.rows);
	resp_set_time(o, "from", from);
	resp_set_time(o, "to", to);
	resp_json(req, 200, o);
	return TF_OK;
}
