/*
 * api_authorize.c: POST /v1/authorize, the sensitive-operation gate (SPEC section 6, seed
 * 000) and the PSD2 payment decision (SPEC section 4).
 *
 * Account operations (the built-in change_financial_owner, add_factor, change_bank_account,
 * delete_factor, change_trusted_beneficiaries, and any other name) are allowed when the device
 * cookie is valid, trusted and not revoked, or when the given session is stepped up; otherwise
 * a challenge is required, with the factors that can answer it (NO_FACTOR when none).
 *
 * operation "payment" carries the transaction. It is allowed by an authorisation from a
 * verified transaction challenge for exactly this transaction (once, within 5 minutes), or by
 * an exemption (RTS art. 13-16): own_accounts, trusted_beneficiary, recurring_series (a later
 * payment of a series whose first payment was authorised, same amount and payee), low_value.
 * A trusted device or a stepped-up session never allows a payment (seed 002).
 * operation "account_information" is exempt within 180 days of the user's last account SCA,
 * never on first access (RTS art. 10 as amended). Every exemption applied goes to the ledger
 * (art. 21; GET /v1/admin/exemptions).
 *
 * The rules are sca/payments.h's and core/exemptions.h's: this file reads the request and
 * writes the answer.
 */
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "sca/payments.h"

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

/* The factors that can answer a challenge, as the answer lists them. */
static json_t *factors_json(const struct sca_authorize_result *r)
{
	json_t *a = json_array();
	for (size_t i = 0; i < r->n_factors; i++)
		json_array_append_new(a, json_pack("{s:s, s:s, s:b}", "factor_id", r->factors[i].factor_id, "type",
						   factor_type_names[r->factors[i].type], "preferred", r->factors[i].preferred));
	return a;
}

enum tf_err api_authorize(struct tf_req *req)
{
	static const char *const known[] = {"user_id", "operation", "device_cookie", "transaction", "authorization_id", NULL};
	const char *user_id, *operation, *cookie = NULL, *authorization_id = NULL;
	enum tf_err e;
	if ((e = req_reject_unknown(req, known)) != TF_OK || (e = req_string(req, "user_id", true, &user_id)) != TF_OK ||
	    (e = req_string(req, "operation", true, &operation)) != TF_OK ||
	    (e = req_string(req, "device_cookie", false, &cookie)) != TF_OK ||
	    (e = req_string(req, "authorization_id", false, &authorization_id)) != TF_OK)
		return e;
	if (!operation_name_ok(operation))
		return req_field_error(req, TF_ERR_INVALID_FIELD, "operation");
	bool payment = !strcmp(operation, "payment");
	json_t *txj = json_object_get(req->json, "transaction");
	bool has_tx = txj && !json_is_null(txj);
	struct api_transaction p;
	if (payment && !has_tx)
		return req_field_error(req, TF_ERR_MISSING_FIELD, "transaction");
	if (!payment && has_tx)
		return req_field_error(req, TF_ERR_INVALID_FIELD, "transaction");
	if (!payment && authorization_id)
		return req_field_error(req, TF_ERR_INVALID_FIELD, "authorization_id");
	if (authorization_id && (strlen(authorization_id) >= TF_ID_MAX || !authorization_id[0]))
		return req_field_error(req, TF_ERR_INVALID_FIELD, "authorization_id");
	if (payment && (e = api_transaction_read(req, txj, "transaction", &p)) != TF_OK)
		return e;
	if (payment && !p.device_cookie[0] && cookie && strlen(cookie) < sizeof p.device_cookie)
		memcpy(p.device_cookie, cookie, strlen(cookie) + 1); /* the risk analysis's device by default */
	struct sca_ctx ctx = req_sca(req);
	struct sca_payment pay = {0};
	if (payment)
		pay = (struct sca_payment){&p.tx, p.hash, p.recurring_series_id, p.own_accounts, p.type, &p.risk};
	struct sca_authorize_request in = {
		.user_id = user_id,
		.operation = payment ? AUTHORIZE_PAYMENT
			     : !strcmp(operation, "account_information") ? AUTHORIZE_ACCOUNT_INFORMATION
									   : AUTHORIZE_ACCOUNT_OPERATION,
		.session_user_id = req->have_session ? req->session.user_id : NULL,
		.device_cookie = cookie,
		.payment = payment ? &pay : NULL,
		.authorization_id = authorization_id,
	};
	struct sca_authorize_result *r = malloc(sizeof *r);
	if (!r)
		return TF_ERR_INTERNAL;
	if ((e = sca_authorize(&ctx, &in, r)) != TF_OK) {
		free(r);
		return e;
	}
	const struct authorize_decision *d = &r->decision;
	json_t *answer = json_pack("{s:s, s:s}", "decision", d->allow ? "allow" : "challenge_required", "reason", d->reason);
	switch (in.operation) {
	case AUTHORIZE_ACCOUNT_OPERATION:
		json_object_set_new(answer, "factors", factors_json(r));
		if (d->ground == AUTHORIZE_BY_TRUSTED_DEVICE)
			json_object_set_new(answer, "device_id", json_string(r->device_id));
		if (d->ground == AUTHORIZE_BY_STEP_UP)
			resp_set_time(answer, "stepped_up_until", r->stepped_up_until);
		json_object_set_new(answer, "operation", json_string(operation));
		break;
	case AUTHORIZE_PAYMENT:
		json_object_set_new(answer, "operation", json_string("payment"));
		json_object_set_new(answer, "factors", factors_json(r));
		json_object_set_new(answer, "transaction_hash", json_string(p.hash));
		json_object_set_new(answer, "exemption", d->exemption[0] ? json_string(d->exemption) : json_null());
		if (d->allow && authorization_id)
			json_object_set_new(answer, "authorization_id", json_string(authorization_id));
		json_object_set_new(answer, "payment_id", r->payment_id[0] ? json_string(r->payment_id) : json_null());
		json_object_set_new(answer, "risk", r->tra_tried ? api_risk_json(&r->tra.risk) : json_null());
		json_object_set_new(answer, "tra", r->tra_tried ? api_tra_json(&r->tra) : json_null());
		break;
	case AUTHORIZE_ACCOUNT_INFORMATION:
		json_object_set_new(answer, "operation", json_string("account_information"));
		json_object_set_new(answer, "factors", factors_json(r));
		json_object_set_new(answer, "exemption", d->allow ? json_string(d->exemption) : json_null());
		if (r->last_account_sca_at)
			resp_set_time(answer, "last_account_sca_at", r->last_account_sca_at);
		break;
	}
	free(r);
	resp_json(req, 200, answer);
	return TF_OK;
}
