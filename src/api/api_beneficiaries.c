/*
 * api_beneficiaries.c: a user's trusted beneficiaries (SPEC section 4, RTS art. 13): payees
 * whose payments are exempt from SCA. Listing needs the user's session; adding or removing one
 * changes what needs SCA, so it needs a stepped-up session (STEP_UP_REQUIRED otherwise).
 * Accounts are normalised as transactions' are, so a payment matches its beneficiary however
 * the account was spaced or cased. The list's rules are sca/beneficiaries.h's: this file
 * reads the request and writes the answer.
 */
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "sca/beneficiaries.h"

static json_t *beneficiary_json(const struct beneficiary_row *b)
{
	json_t *o = json_pack("{s:s, s:s, s:s}", "beneficiary_id", b->beneficiary_id, "name", b->name, "account", b->account);
	resp_set_time(o, "created_at", b->created_at);
	return o;
}

enum tf_err api_beneficiaries_list(struct tf_req *req)
{
	struct sca_ctx ctx = req_sca(req);
	struct beneficiary_row list[BENEFICIARIES_MAX];
	size_t n;
	enum tf_err e = sca_beneficiary_list(&ctx, req->session.user_id, list, BENEFICIARIES_MAX, &n);
	if (e != TF_OK)
		return e;
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, beneficiary_json(&list[i]));
	resp_json(req, 200, json_pack("{s:o}", "beneficiaries", arr));
	return TF_OK;
}

enum tf_err api_beneficiaries_add(struct tf_req *req)
{
	static const char *const known[] = {"name", "account", NULL};
	const char *name, *account;
	enum tf_err e;
	if ((e = req_reject_unknown(req, known)) != TF_OK || (e = req_string(req, "name", true, &name)) != TF_OK ||
	    (e = req_string(req, "account", true, &account)) != TF_OK)
		return e;
	if (!transaction_payee_name_ok(name))
		return req_field_error(req, TF_ERR_INVALID_FIELD, "name");
	char acct[2 * TX_PAYEE_ACCOUNT_MAX + 1];
	if (strlen(account) >= sizeof acct)
		return req_field_error(req, TF_ERR_INVALID_FIELD, "account");
	snprintf(acct, sizeof acct, "%s", account);
	if (!transaction_payee_account_normalise(acct))
		return req_field_error(req, TF_ERR_INVALID_FIELD, "account");
	struct sca_ctx ctx = req_sca(req);
	struct beneficiary_row b;
	if ((e = sca_beneficiary_add(&ctx, req->session.user_id, name, acct, &b)) != TF_OK)
		return e;
	resp_json(req, 201, beneficiary_json(&b));
	return TF_OK;
}

enum tf_err api_beneficiaries_delete(struct tf_req *req)
{
	struct sca_ctx ctx = req_sca(req);
	enum tf_err e = sca_beneficiary_remove(&ctx, req->session.user_id, req->params[0]);
	if (e != TF_OK)
		return e;
	resp_json(req, 200, json_pack("{s:s, s:s}", "beneficiary_id", req->params[0], "status", "deleted"));
	return TF_OK;
}
