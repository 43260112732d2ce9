/*
 * api_transactions.c: the transaction object of the native API (SPEC section 4):
 * {amount, currency, payee: {name, account}} with the application's optional flags
 * recurring_series_id and own_accounts, read and validated into core/transaction.h's struct,
 * its hash (SHA-256 of the canonical encoding) and its JSON form; and payments as resources
 * POST /v1/transactions creates one in PENDING_CHALLENGE, or INITIALISED when an
 * exemption applies; a verified transaction challenge naming it (transaction_id) approves it.
 * What a payment becomes is sca/payments.h's: this file reads and writes the JSON.
 */
#include <stdio.h>
#include <arpa/inet.h>
#include <string.h>

#include "api/api.h"
#include "core/validate.h"
#include "sca/payments.h"

static enum tf_err bad(struct tf_req *req, enum tf_err e, const char *prefix, const char *field)
{
	char name[128];
	snprintf(name, sizeof name, "%s.%s", prefix, field);
	return req_field_error(req, e, name);
}

/* Copies the string field name of risk into out (of size bytes): absent or null leaves "";
 * false when it is not a string of 1 to size - 1 bytes without controls. */
static bool signal_string(const json_t *risk, const char *name, char *out, size_t size)
{
	json_t *v = json_object_get(risk, name);
	if (!v || json_is_null(v))
		return true;
	const char *s = json_string_value(v);
	if (!s || !s[0] || json_string_length(v) >= size || strlen(s) != json_string_length(v))
		return false;
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return false;
	memcpy(out, s, strlen(s) + 1);
	return true;
}

static bool ip_text_ok(const char *s)
{
	unsigned char buf[sizeof(struct in6_addr)];
	return inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1;
}

static bool country_code(const char *c)
{
	return !c[0] || (c[0] >= 'A' && c[0] <= 'Z' && c[1] >= 'A' && c[1] <= 'Z' && !c[2]);
}

/* The transaction's "risk" object: what the platform knows of the payment's circumstances
 * (docs/transactions.md), for the transaction risk analysis. */
static enum tf_err risk_signals_read(struct tf_req *req, const json_t *risk, const char *prefix, struct api_transaction *out)
{
	static const char *const known[] = {"payer_country", "payee_country", "device_id", "device_cookie", "client_ip",
					    "malware", NULL};
	out->risk = (struct sca_risk_signals){out->payer_country, out->payee_country, out->device_id, out->device_cookie,
					      out->client_ip, false};
	if (!risk || json_is_null(risk))
		return TF_OK;
	const char *unknown = json_is_object(risk) ? json_unknown_key(risk, known) : "risk";
	if (unknown)
		return bad(req, TF_ERR_INVALID_FIELD, prefix, "risk");
	if (!signal_string(risk, "payer_country", out->payer_country, sizeof out->payer_country) ||
	    !country_code(out->payer_country))
		return bad(req, TF_ERR_INVALID_FIELD, prefix, "risk.payer_country");
	if (!signal_string(risk, "payee_country", out->payee_country, sizeof out->payee_country) ||
	    !country_code(out->payee_country))
		return bad(req, TF_ERR_INVALID_FIELD, prefix, "risk.payee_country");
	if (!signal_string(risk, "device_id", out->device_id, sizeof out->device_id))
		return bad(req, TF_ERR_INVALID_FIELD, prefix, "risk.device_id");
	if (!signal_string(risk, "device_cookie", out->device_cookie, sizeof out->device_cookie))
		return bad(req, TF_ERR_INVALID_FIELD, prefix, "risk.device_cookie");
	if (!signal_string(risk, "client_ip", out->client_ip, sizeof out->client_ip) ||
	    (out->client_ip[0] && !ip_text_ok(out->client_ip)))
		return bad(req, TF_ERR_INVALID_FIELD, prefix, "risk.client_ip");
	json_t *malware = json_object_get(risk, "malware");
	if (malware && !json_is_null(malware) && !json_is_boolean(malware))
		return bad(req, TF_ERR_INVALID_FIELD, prefix, "risk.malware");
	out->risk.malware = json_is_true(malware);
	return TF_OK;
}

enum tf_err api_transaction_read(struct tf_req *req, json_t *v, const char *prefix, struct api_transaction *out)
{
	static const char *const known[] = {"amount", "currency", "payee", "recurring_series_id", "own_accounts", "type",
					    "risk", NULL};
	memset(out, 0, sizeof *out);
	if (!json_is_object(v))
		return req_field_error(req, TF_ERR_INVALID_FIELD, prefix);
	const char *unknown = json_unknown_key(v, known);
	if (unknown)
		return strlen(unknown) < 64 ? bad(req, TF_ERR_INVALID_FIELD, prefix, unknown)
					    : req_field_error(req, TF_ERR_INVALID_FIELD, prefix);
	json_t *amount = json_object_get(v, "amount"), *currency = json_object_get(v, "currency");
	json_t *payee = json_object_get(v, "payee");
	if (!amount)
		return bad(req, TF_ERR_MISSING_FIELD, prefix, "amount");
	if (!json_is_integer(amount) || !transaction_amount_ok(json_integer_value(amount)))
		return bad(req, TF_ERR_INVALID_FIELD, prefix, "amount"); /* minor units: an integer, never a float */
	if (!currency)
		return bad(req, TF_ERR_MISSING_FIELD, prefix, "currency");
	if (!json_is_string(currency) || currency_minor_units(json_string_value(currency)) < 0)
		return bad(req, TF_ERR_INVALID_FIELD, prefix, "currency");
	if (!payee)
		return bad(req, TF_ERR_MISSING_FIELD, prefix, "payee");
	json_t *name = json_object_get(payee, "name"), *account = json_object_get(payee, "account");
	if (!json_is_object(payee) || json_object_size(payee) != (size_t)(!!name + !!account))
		return bad(req, TF_ERR_INVALID_FIELD, prefix, "payee");
	if (!name)
		return bad(req, TF_ERR_MISSING_FIELD, prefix, "payee.name");
	if (!account)
		return bad(req, TF_ERR_MISSING_FIELD, prefix, "payee.account");
	struct transaction *t = &out->tx;
	if (!json_is_string(name) || strlen(json_string_value(name)) != json_string_length(name) ||
	    !transaction_payee_name_ok(json_string_value(name)))
		return bad(req, TF_ERR_INVALID_FIELD, prefix, "payee.name");
	char acct[2 * TX_PAYEE_ACCOUNT_MAX + 1]; /* room for the spaces people write in IBANs */
	if (!json_is_string(account) || json_string_length(account) >= sizeof acct ||
	    strlen(json_string_value(account)) != json_string_length(account))
		return bad(req, TF_ERR_INVALID_FIELD, prefix, "payee.account");
	snprintf(acct, sizeof acct, "%s", json_string_value(account));
	if (!transaction_payee_account_normalise(acct)) /* at most 64 characters once spaces are gone */
		return bad(req, TF_ERR_INVALID_FIELD, prefix, "payee.account");
	memcpy(t->payee_account, acct, strlen(acct) + 1); /* fits: normalising checked the length */
	t->amount = json_integer_value(amount);
	snprintf(t->currency, sizeof t->currency, "%s", json_string_value(currency));
	snprintf(t->payee_name, sizeof t->payee_name, "%s", json_string_value(name));

	json_t *series = json_object_get(v, "recurring_series_id"), *own = json_object_get(v, "own_accounts");
	if (series && !json_is_null(series)) {
		const char *sid = json_string_value(series);
		if (!sid || !sid[0] || strlen(sid) > 64 || strlen(sid) != json_string_length(series))
			return bad(req, TF_ERR_INVALID_FIELD, prefix, "recurring_series_id");
		for (const char *p = sid; *p; p++)
			if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == '-' || *p == '.'))
				return bad(req, TF_ERR_INVALID_FIELD, prefix, "recurring_series_id");
		snprintf(out->recurring_series_id, sizeof out->recurring_series_id, "%s", sid);
	}
	if (own && !json_is_null(own)) {
		if (!json_is_boolean(own))
			return bad(req, TF_ERR_INVALID_FIELD, prefix, "own_accounts");
		out->own_accounts = json_is_true(own);
	}
	json_t *type = json_object_get(v, "type");
	if (type && !json_is_null(type)) {
		int ti = json_is_string(type) ? name_find(payment_type_names, PAYMENT_TYPE__MAX, json_string_value(type)) : -1;
		if (ti < 0)
			return bad(req, TF_ERR_INVALID_FIELD, prefix, "type");
		out->type = (enum payment_type)ti;
	}
	enum tf_err e = risk_signals_read(req, json_object_get(v, "risk"), prefix, out);
	if (e != TF_OK)
		return e;
	api_transaction_hash(t, out->hash);
	return TF_OK;
}

void api_transaction_hash(const struct transaction *t, char hash[TX_HASH_HEX + 1])
{
	char canonical[1024];
	size_t n = transaction_canonical(t, canonical, sizeof canonical);
	crypto_sha256_hex(canonical, n, hash);
}

json_t *api_transaction_json(const struct transaction *t, const char *hash)
{
	char text[TX_AMOUNT_TEXT_MAX];
	transaction_format_amount(t->amount, t->currency, text);
	return json_pack("{s:I, s:s, s:{s:s, s:s}, s:s, s:s}", "amount", (json_int_t)t->amount, "currency", t->currency,
			 "payee", "name", t->payee_name, "account", t->payee_account, "amount_text", text,
			 "transaction_hash", hash);
}

json_t *api_txn_json(const struct txn_row *t)
{
	json_t *o = json_pack("{s:s, s:s, s:o, s:s}", "transaction_id", t->transaction_id, "state", txn_state_names[t->state],
			      "transaction", api_transaction_json(&t->tx, t->transaction_hash), "external_reference",
			      t->external_reference);
	json_object_set_new(o, "exemption", t->exemption[0] ? json_string(t->exemption) : json_null());
	json_object_set_new(o, "challenge_id", t->challenge_id[0] ? json_string(t->challenge_id) : json_null());
	resp_set_time(o, "created_at", t->created_at);
	if (t->approved_at)
		resp_set_time(o, "approved_at", t->approved_at);
	return o;
}

enum tf_err api_transactions_create(struct tf_req *req)
{
	static const char *const known[] = {"amount", "currency", "payee", "recurring_series_id", "own_accounts",
					    "external_reference", NULL};
	enum tf_err e;
	const char *reference = NULL;
	if ((e = req_reject_unknown(req, known)) != TF_OK || (e = req_string(req, "external_reference", false, &reference)) != TF_OK)
		return e;
	if (reference && (strlen(reference) > 128 || !validate_display_text(reference, 128)))
		return req_field_error(req, TF_ERR_INVALID_FIELD, "external_reference");
	/* the body is the transaction object itself, plus external_reference */
	json_t *txj = json_deep_copy(req->json);
	json_object_del(txj, "external_reference");
	struct api_transaction p;
	e = api_transaction_read(req, txj, "transaction", &p);
	json_decref(txj);
	if (e != TF_OK) {
		if (!strncmp(req->err_field, "transaction.", 12)) /* the fields are at the top level here */
			memmove(req->err_field, req->err_field + 12, strlen(req->err_field + 12) + 1);
		return e;
	}
	struct sca_ctx ctx = req_sca(req);
	struct sca_payment pay = {&p.tx, p.hash, p.recurring_series_id, p.own_accounts, p.type, NULL};
	struct txn_row t;
	if ((e = sca_transaction_create(&ctx, req->session.user_id, &pay, reference, &t)) != TF_OK)
		return e;
	resp_json(req, 201, api_txn_json(&t));
	return TF_OK;
}

enum tf_err api_transactions_get(struct tf_req *req)
{
	struct sca_ctx ctx = req_sca(req);
	struct txn_row t;
	enum tf_err e = sca_transaction_get(&ctx, req->session.user_id, req->params[0], &t);
	if (e != TF_OK)
		return e;
	resp_json(req, 200, api_txn_json(&t));
	return TF_OK;
}
