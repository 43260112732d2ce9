/*
 * api_authorize.c: POST /v1/authorize, the sensitive-operation gate (SPEC section 6,
 * seed 000). Every operation is sensitive (the built-in ones: change_financial_owner,
 * add_factor, change_bank_account, delete_factor, change_trusted_beneficiaries; any other
 * name too). It is allowed when the device cookie is valid, trusted and not revoked, or
 * when the given session is stepped up; otherwise a challenge is required, with the factors
 * that can answer it. A user without an active factor gets reason NO_FACTOR, so the
 * platform can send them to enrolment.
 */
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "core/session.h"
#include "http/metrics.h"

static bool operation_name_ok(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 64)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_' || *s == '.' || *s == '-'))
			return false;
	return true;
}

static json_t *decision(struct tf_req *req, bool allow, const char *reason, enum metric_counter m, json_t *factors)
{
	metrics_count(req->svc->metrics, m);
	return json_pack("{s:s, s:s, s:o}", "decision", allow ? "allow" : "challenge_required", "reason", reason,
			 "factors", factors);
}

enum tf_err api_authorize(struct tf_req *req)
{
	static const char *const known[] = {"user_id", "operation", "device_cookie", NULL};
	const char *user_id, *operation, *cookie = NULL;
	enum tf_err e;
	if ((e = req_reject_unknown(req, known)) != TF_OK || (e = req_string(req, "user_id", true, &user_id)) != TF_OK ||
	    (e = req_string(req, "operation", true, &operation)) != TF_OK ||
	    (e = req_string(req, "device_cookie", false, &cookie)) != TF_OK)
		return e;
	if (!operation_name_ok(operation))
		return req_field_error(req, TF_ERR_INVALID_FIELD, "operation");
	struct user_row u;
	if ((e = api_load_user(req, user_id, &u)) != TF_OK)
		return e;
	if (req->have_session && strcmp(req->session.user_id, u.user_id) != 0)
		return TF_ERR_PERMISSION_DENIED; /* a session of another user */

	struct factor_row list[FACTORS_PER_USER_MAX];
	size_t n;
	if ((e = STORE(req->db)->factor_list(req->db, req->app->app_id, u.user_id, list, FACTORS_PER_USER_MAX, &n)) != TF_OK)
		return e;
	json_t *factors = json_array(); /* those that can answer a challenge now */
	bool has_active = false;
	for (size_t i = 0; i < n; i++)
		has_active |= list[i].status == FACTOR_ACTIVE;
	for (size_t i = 0; i < n; i++)
		if (list[i].status == FACTOR_ACTIVE && list[i].type != FACTOR_PUSH &&
		    !(list[i].blocked_until && req->now < list[i].blocked_until))
			json_array_append_new(factors, json_pack("{s:s, s:s, s:b}", "factor_id", list[i].factor_id, "type",
								 factor_type_names[list[i].type], "preferred", list[i].preferred));
	json_t *answer;
	struct device_claims cl;
	if (!has_active) {
		answer = decision(req, false, "NO_FACTOR", M_AUTHORIZE_CHALLENGE_NO_FACTOR, factors);
	} else if (cookie && !api_device_check(req, u.user_id, cookie, DOMAIN_API, &cl)) {
		answer = decision(req, true, "TRUSTED_DEVICE", M_AUTHORIZE_ALLOW_TRUSTED_DEVICE, factors);
		json_object_set_new(answer, "device_id", json_string(cl.device_id));
	} else if (req->have_session && req->stepped_up) {
		answer = decision(req, true, "STEPPED_UP", M_AUTHORIZE_ALLOW_STEPPED_UP, factors);
		resp_set_time(answer, "stepped_up_until", stepup_until(req->now));
	} else {
		answer = decision(req, false, "STEP_UP_REQUIRED", M_AUTHORIZE_CHALLENGE_STEP_UP_REQUIRED, factors);
	}
	json_object_set_new(answer, "operation", json_string(operation));
	resp_json(req, 200, answer);
	return TF_OK;
}
