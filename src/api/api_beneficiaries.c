/*
 * api_beneficiaries.c: a user's trusted beneficiaries (SPEC section 4, RTS art. 13): payees
 * whose payments are exempt from SCA. Listing needs the user's session; adding or removing one
 * changes what needs SCA, so it needs a stepped-up session (STEP_UP_REQUIRED otherwise).
 * Accounts are normalised as transactions' are, so a payment matches its beneficiary however
 * the account was spaced or cased.
 */
#include <stdio.h>
#include <string.h>

#include "api/api.h"

static json_t *beneficiary_json(const struct beneficiary_row *b)
{
	json_t *o = json_pack("{s:s, s:s, s:s}", "beneficiary_id", b->beneficiary_id, "name", b->name, "account", b->account);
	resp_set_time(o, "created_at", b->created_at);
	return o;
}

enum tf_err api_beneficiaries_list(struct tf_req *req)
{
	struct beneficiary_row list[BENEFICIARIES_MAX];
	size_t n;
	enum tf_err e = STORE(req->db)->beneficiary_list(req->db, req->app->app_id, req->session.user_id, list, BENEFICIARIES_MAX, &n);
	if (e != TF_OK)
		return e;
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, beneficiary_json(&list[i]));
	resp_json(req, 200, json_pack("{s:o}", "beneficiaries", arr));
	return TF_OK;
}

static enum tf_err audit(struct tf_req *req, const char *event, const struct beneficiary_row *b)
{
	char actor[64], details[160];
	snprintf(actor, sizeof actor, "user:%s", req->session.user_id);
	snprintf(details, sizeof details, "{\"beneficiary_id\":\"%s\"}", b->beneficiary_id);
	return req_audit(req, event, actor, req->session.user_id, details);
}

enum tf_err api_beneficiaries_add(struct tf_req *req)
{
	static const char *const known[] = {"name", "account", NULL};
	const char *name, *account;
	enum tf_err e;
	if ((e = req_reject_unknown(req, known)) != TF_OK || (e = req_string(req, "name", true, &name)) != TF_OK ||
	    (e = req_string(req, "account", true, &account)) != TF_OK)
		return e;
	struct beneficiary_row b = {.created_at = req->now};
	if (!transaction_payee_name_ok(name))
		return req_field_error(req, TF_ERR_INVALID_FIELD, "name");
	char acct[2 * TX_PAYEE_ACCOUNT_MAX + 1];
	if (strlen(account) >= sizeof acct)
		return req_field_error(req, TF_ERR_INVALID_FIELD, "account");
	snprintf(acct, sizeof acct, "%s", account);
	if (!transaction_payee_account_normalise(acct))
		return req_field_error(req, TF_ERR_INVALID_FIELD, "account");
	if (!req->stepped_up) /* changing the list needs SCA (art. 13) */
		return TF_ERR_STEP_UP_REQUIRED;
	memcpy(b.account, acct, strlen(acct) + 1);
	snprintf(b.name, sizeof b.name, "%s", name);
	crypto_random_id("ben", b.beneficiary_id);
	snprintf(b.app_id, sizeof b.app_id, "%s", req->app->app_id);
	snprintf(b.user_id, sizeof b.user_id, "%s", req->session.user_id);
	struct beneficiary_row list[BENEFICIARIES_MAX];
	size_t n;
	if ((e = STORE(req->db)->tx_begin(req->db)) != TF_OK)
		return e;
	e = STORE(req->db)->beneficiary_list(req->db, req->app->app_id, req->session.user_id, list, BENEFICIARIES_MAX, &n);
	if (e == TF_OK && n >= BENEFICIARIES_MAX)
		e = TF_ERR_INVALID_REQUEST;
	if (e == TF_OK)
		e = STORE(req->db)->beneficiary_insert(req->db, &b);
	if (e == TF_OK)
		e = audit(req, "beneficiary.added", &b);
	if ((e = store_tx_end(req->db, e)) != TF_OK)
		return e;
	resp_json(req, 201, beneficiary_json(&b));
	return TF_OK;
}

enum tf_err api_beneficiaries_delete(struct tf_req *req)
{
	if (!req->stepped_up)
		return TF_ERR_STEP_UP_REQUIRED;
	struct beneficiary_row b = {0};
	if (strlen(req->params[0]) >= sizeof b.beneficiary_id)
		return TF_ERR_NOT_FOUND;
	snprintf(b.beneficiary_id, sizeof b.beneficiary_id, "%s", req->params[0]);
	enum tf_err e = STORE(req->db)->tx_begin(req->db);
	if (e != TF_OK)
		return e;
	e = STORE(req->db)->beneficiary_delete(req->db, req->app->app_id, req->session.user_id, req->params[0]);
	if (e == TF_OK)
		e = audit(req, "beneficiary.removed", &b);
	if ((e = store_tx_end(req->db, e)) != TF_OK)
		return e;
	resp_json(req, 200, json_pack("{s:s, s:s}", "beneficiary_id", req->params[0], "status", "deleted"));
	return TF_OK;
}
