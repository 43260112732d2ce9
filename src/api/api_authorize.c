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
 */
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "core/payment_ground.h"
#include "core/session.h"
#include "platform/metrics.h"

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

/* The factors that can answer a challenge now: for a payment of every kind, for other
 * operations of the kinds a challenge picks by default (sca/factor_kind.h); *has_active whether
 * any factor is active. */
static enum tf_err answering_factors(struct tf_req *req, const char *user_id, bool payment, json_t **out, bool *has_active)
{
	struct factor_row list[FACTORS_PER_USER_MAX];
	size_t n;
	enum tf_err e = STORE(req->db)->factor_list(req->db, req->app->app_id, user_id, list, FACTORS_PER_USER_MAX, &n);
	if (e != TF_OK)
		return e;
	*out = json_array();
	*has_active = false;
	for (size_t i = 0; i < n; i++) {
		*has_active |= list[i].status == FACTOR_ACTIVE;
		if (list[i].status == FACTOR_ACTIVE && (payment || (factor_kind_of(list[i].type)->flags & FACTOR_KIND_PICKED_BY_DEFAULT)) &&
		    !(list[i].blocked_until && req->now < list[i].blocked_until))
			json_array_append_new(*out, json_pack("{s:s, s:s, s:b}", "factor_id", list[i].factor_id, "type",
							      factor_type_names[list[i].type], "preferred", list[i].preferred));
	}
	return TF_OK;
}

/* The payment's value in euro cents for the low-value exemption: EUR itself, or a currency the
 * application gave a rate for; false when neither. */
static bool eur_cents_of(const struct app_row *app, const struct transaction *t, int64_t *out)
{
	int minor = currency_minor_units(t->currency);
	if (!strcmp(t->currency, "EUR"))
		return transaction_eur_cents(t->amount, minor, 1000000, out);
	json_t *rates = json_loads(app->low_value_rates[0] ? app->low_value_rates : "{}", 0, NULL);
	const char *rate = json_string_value(json_object_get(rates, t->currency));
	int64_t micro;
	bool ok = rate && rate_parse_micro(rate, &micro) && transaction_eur_cents(t->amount, minor, micro, out);
	json_decref(rates);
	return ok;
}

enum tf_err api_exemption_ledger(struct tf_req *req, const char *user_id, const char *exemption, const struct transaction *t)
{
	struct ledger_row r = {.amount = t ? t->amount : 0, .at_ms = req->now};
	snprintf(r.app_id, sizeof r.app_id, "%s", req->app->app_id);
	snprintf(r.user_id, sizeof r.user_id, "%s", user_id);
	snprintf(r.exemption, sizeof r.exemption, "%s", exemption);
	snprintf(r.currency, sizeof r.currency, "%s", t ? t->currency : "");
	if (!t || !eur_cents_of(req->app, t, &r.eur_cents))
		r.eur_cents = 0;
	char actor[64], details[160];
	snprintf(actor, sizeof actor, "app:%s", req->app->app_id);
	snprintf(details, sizeof details, "{\"exemption\":\"%s\",\"amount\":%lld,\"currency\":\"%s\"}", exemption,
		 (long long)r.amount, r.currency);
	enum tf_err e = STORE(req->db)->ledger_insert(req->db, &r);
	return e != TF_OK ? e : req_audit(req, "exemption.applied", actor, user_id, details);
}

/* The facts payment_ground_decide needs, read inside the caller's write transaction: the
 * presented authorisation (used up when it is valid), else everything an exemption looks at. */
static enum tf_err payment_facts_load(struct tf_req *req, const char *user_id, const struct api_transaction *p,
				      const char *authorization_id, struct payment_facts *f)
{
	memset(f, 0, sizeof *f);
	f->in_series = p->recurring_series_id[0] != '\0';
	enum tf_err e;
	if (authorization_id) {
		struct authorization_row a;
		e = STORE(req->db)->authorization_use(req->db, req->app->app_id, user_id, authorization_id, p->hash, req->now, &a);
		switch (e) {
		case TF_OK: f->authorization = AUTHORIZATION_VALID; return TF_OK;
		case TF_ERR_NOT_FOUND: f->authorization = AUTHORIZATION_UNKNOWN; return TF_OK;
		case TF_ERR_ALREADY_VERIFIED: f->authorization = AUTHORIZATION_USED; return TF_OK;
		case TF_ERR_CHALLENGE_EXPIRED: f->authorization = AUTHORIZATION_EXPIRED; return TF_OK;
		case TF_ERR_TRANSACTION_MISMATCH: f->authorization = AUTHORIZATION_CHANGED; return TF_OK;
		default: return e;
		}
	}
	f->own_accounts = p->own_accounts;
	struct beneficiary_row b;
	e = STORE(req->db)->beneficiary_find(req->db, req->app->app_id, user_id, p->tx.payee_account, &b);
	if (e != TF_OK && e != TF_ERR_NOT_FOUND)
		return e;
	f->trusted_beneficiary = e == TF_OK;
	if (f->in_series) {
		char hash[TX_HASH_HEX + 1];
		e = STORE(req->db)->series_get(req->db, req->app->app_id, user_id, p->recurring_series_id, hash);
		if (e != TF_OK && e != TF_ERR_NOT_FOUND)
			return e;
		f->series_started = e == TF_OK;
		f->series_equal = e == TF_OK && crypto_equal(hash, p->hash, TX_HASH_HEX);
	}
	f->eur_known = eur_cents_of(req->app, &p->tx, &f->eur_cents);
	if (f->eur_known) {
		struct sca_state_row st;
		if ((e = STORE(req->db)->sca_state_get(req->db, req->app->app_id, user_id, &st)) != TF_OK)
			return e;
		f->low_value_count = st.low_value_count;
		f->low_value_sum_eur_cents = st.low_value_sum_eur_cents;
	}
	return TF_OK;
}

/* Which ground allows the payment, inside the caller's write transaction: *reason and, for an
 * exemption, *exemption ("" when a challenge is required); what the decision needs recorded is
 * recorded here (a series started, a low-value payment counted). */
enum tf_err api_payment_ground(struct tf_req *req, const char *user_id, const struct api_transaction *p,
			       const char *authorization_id, const char **reason, const char **exemption)
{
	struct payment_facts facts;
	enum tf_err e = payment_facts_load(req, user_id, p, authorization_id, &facts);
	if (e != TF_OK)
		return e;
	struct payment_ground g = payment_ground_decide(&facts);
	*reason = g.reason;
	*exemption = g.exemption;
	switch (g.effect) {
	case PAYMENT_EFFECT_SERIES_START:
		return STORE(req->db)->series_put(req->db, req->app->app_id, user_id, p->recurring_series_id, p->hash, req->now);
	case PAYMENT_EFFECT_LOW_VALUE:
		return STORE(req->db)->sca_state_add_low_value(req->db, req->app->app_id, user_id, facts.eur_cents);
	case PAYMENT_EFFECT_NONE:
		break;
	}
	return TF_OK;
}

static enum tf_err authorize_payment(struct tf_req *req, const struct user_row *u, const struct api_transaction *p,
				     const char *authorization_id)
{
	json_t *factors;
	bool has_active;
	enum tf_err e = answering_factors(req, u->user_id, true, &factors, &has_active);
	if (e != TF_OK)
		return e;
	const char *reason = "SCA_REQUIRED", *exemption = "";
	if ((e = STORE(req->db)->tx_begin(req->db)) != TF_OK) {
		json_decref(factors);
		return e;
	}
	e = api_payment_ground(req, u->user_id, p, authorization_id, &reason, &exemption);
	if (e == TF_OK && exemption[0])
		e = api_exemption_ledger(req, u->user_id, exemption, &p->tx);
	if ((e = store_tx_end(req->db, e)) != TF_OK) {
		json_decref(factors);
		return e;
	}
	bool allow = exemption[0] || !strcmp(reason, "AUTHORIZED");
	if (!allow && !has_active)
		reason = "NO_FACTOR";
	metrics_count(req->svc->metrics, !allow ? M_PAYMENT_CHALLENGE : exemption[0] ? M_PAYMENT_ALLOW_EXEMPT : M_PAYMENT_ALLOW_AUTHORIZED);
	json_t *answer = json_pack("{s:s, s:s, s:s, s:o, s:s}", "decision", allow ? "allow" : "challenge_required", "reason",
				   reason, "operation", "payment", "factors", factors, "transaction_hash", p->hash);
	json_object_set_new(answer, "exemption", exemption[0] ? json_string(exemption) : json_null());
	if (allow && authorization_id)
		json_object_set_new(answer, "authorization_id", json_string(authorization_id));
	resp_json(req, 200, answer);
	return TF_OK;
}

static enum tf_err authorize_account_information(struct tf_req *req, const struct user_row *u)
{
	json_t *factors;
	bool has_active;
	enum tf_err e = answering_factors(req, u->user_id, false, &factors, &has_active);
	if (e != TF_OK)
		return e;
	struct sca_state_row st;
	if ((e = STORE(req->db)->sca_state_get(req->db, req->app->app_id, u->user_id, &st)) != TF_OK) {
		json_decref(factors);
		return e;
	}
	bool allow = account_information_exempt(st.last_account_sca_at, req->now,
						req->svc->cfg.account_information_max_age * 1000);
	if (allow) {
		if ((e = STORE(req->db)->tx_begin(req->db)) == TF_OK)
			e = store_tx_end(req->db, api_exemption_ledger(req, u->user_id, "account_information", NULL));
		if (e != TF_OK) {
			json_decref(factors);
			return e;
		}
	}
	const char *reason = allow ? "account_information" : !has_active ? "NO_FACTOR" : st.last_account_sca_at ? "SCA_EXPIRED" : "FIRST_ACCESS";
	metrics_count(req->svc->metrics, allow ? M_PAYMENT_ALLOW_EXEMPT : M_PAYMENT_CHALLENGE);
	json_t *answer = json_pack("{s:s, s:s, s:s, s:o}", "decision", allow ? "allow" : "challenge_required", "reason", reason,
				   "operation", "account_information", "factors", factors);
	json_object_set_new(answer, "exemption", allow ? json_string("account_information") : json_null());
	if (st.last_account_sca_at)
		resp_set_time(answer, "last_account_sca_at", st.last_account_sca_at);
	resp_json(req, 200, answer);
	return TF_OK;
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
	struct user_row u;
	if ((e = api_load_user(req, user_id, &u)) != TF_OK)
		return e;
	if (req->have_session && strcmp(req->session.user_id, u.user_id) != 0)
		return TF_ERR_PERMISSION_DENIED; /* a session of another user */
	if (payment)
		return authorize_payment(req, &u, &p, authorization_id);
	if (!strcmp(operation, "account_information"))
		return authorize_account_information(req, &u);

	json_t *factors;
	bool has_active;
	if ((e = answering_factors(req, u.user_id, false, &factors, &has_active)) != TF_OK)
		return e;
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
