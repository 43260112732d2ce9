/*
 * payments.c: payments and their exemptions (see payments.h): the facts each decision needs are
 * loaded first, core/exemptions.h decides, and what the decision needs is recorded here.
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "core/device_cookie.h"
#include "core/session.h"
#include "platform/metrics.h"
#include "sca/devices.h"
#include "sca/factor_kind.h"
#include "sca/factors.h"
#include "sca/payments.h"
#include "sca/users.h"

/* The factors that can answer a challenge now (payments.h) and whether any factor is active. */
static enum tf_err answering_factors_load(const struct sca_ctx *ctx, const char *user_id, bool payment,
					  struct sca_authorize_result *out, bool *has_active)
{
	struct factor_row list[FACTORS_PER_USER_MAX];
	size_t n;
	enum tf_err e = sca_factor_list(ctx, user_id, list, FACTORS_PER_USER_MAX, &n);
	if (e != TF_OK)
		return e;
	*has_active = false;
	out->n_factors = 0;
	for (size_t i = 0; i < n; i++) {
		*has_active |= list[i].status == FACTOR_ACTIVE;
		if (list[i].status == FACTOR_ACTIVE && (payment || (factor_kind_of(list[i].type)->flags & FACTOR_KIND_PICKED_BY_DEFAULT)) &&
		    !(list[i].blocked_until && ctx->now < list[i].blocked_until))
			out->factors[out->n_factors++] = list[i];
	}
	return TF_OK;
}

bool sca_payment_eur_cents(const struct app_row *app, const struct transaction *t, int64_t *out)
{
	json_t *rates = strcmp(t->currency, "EUR") ? json_loads(app->low_value_rates[0] ? app->low_value_rates : "{}", 0, NULL)
						   : NULL;
	bool ok = payment_eur_cents(json_string_value(json_object_get(rates, t->currency)), t, out);
	json_decref(rates);
	return ok;
}

/* The ledger row of an exemption applied to user_id (t NULL for account information) and its
 * audit, by the application, inside the caller's write transaction (RTS art. 21). */
static enum tf_err exemption_record(const struct sca_ctx *ctx, const char *user_id, const char *exemption,
				    const struct transaction *t)
{
	struct ledger_row r = {.amount = t ? t->amount : 0, .at_ms = ctx->now};
	snprintf(r.app_id, sizeof r.app_id, "%s", ctx->app->app_id);
	snprintf(r.user_id, sizeof r.user_id, "%s", user_id);
	snprintf(r.exemption, sizeof r.exemption, "%s", exemption);
	snprintf(r.currency, sizeof r.currency, "%s", t ? t->currency : "");
	if (!t || !sca_payment_eur_cents(ctx->app, t, &r.eur_cents))
		r.eur_cents = 0;
	struct sca_ctx by_app = *ctx;
	snprintf(by_app.actor, sizeof by_app.actor, "app:%s", ctx->app->app_id);
	char details[160];
	snprintf(details, sizeof details, "{\"exemption\":\"%s\",\"amount\":%lld,\"currency\":\"%s\"}", exemption,
		 (long long)r.amount, r.currency);
	enum tf_err e = STORE(ctx->db)->ledger_insert(ctx->db, &r);
	return e != TF_OK ? e : sca_audit(&by_app, "exemption.applied", user_id, details);
}

/* The facts payment_ground_decide needs, read inside the caller's write transaction: the
 * presented authorisation (used up when it is valid), else everything an exemption looks at;
 * with tra, the transaction risk analysis too when the application enables it for the type and
 * no earlier ground allows the payment (*tried says whether it ran). */
static enum tf_err payment_facts_load(const struct sca_ctx *ctx, const char *user_id, const struct sca_payment *p,
				      const char *authorization_id, struct payment_facts *f,
				      struct sca_tra_assessment *tra, bool *tried)
{
	if (tried)
		*tried = false;
	memset(f, 0, sizeof *f);
	f->in_series = p->recurring_series_id[0] != '\0';
	f->eur_known = sca_payment_eur_cents(ctx->app, p->tx, &f->eur_cents); /* also the value an authorised payment records */
	enum tf_err e;
	if (authorization_id) {
		struct authorization_row a;
		e = STORE(ctx->db)->authorization_use(ctx->db, ctx->app->app_id, user_id, authorization_id, p->hash, ctx->now, &a);
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
	e = STORE(ctx->db)->beneficiary_find(ctx->db, ctx->app->app_id, user_id, p->tx->payee_account, &b);
	if (e != TF_OK && e != TF_ERR_NOT_FOUND)
		return e;
	f->trusted_beneficiary = e == TF_OK;
	if (f->in_series) {
		char first[TX_HASH_HEX + 1];
		e = STORE(ctx->db)->series_get(ctx->db, ctx->app->app_id, user_id, p->recurring_series_id, first);
		if (e != TF_OK && e != TF_ERR_NOT_FOUND)
			return e;
		f->series_started = e == TF_OK;
		f->series_equal = e == TF_OK && crypto_equal(first, p->hash, TX_HASH_HEX);
	}
	if (f->eur_known) {
		struct sca_state_row st;
		if ((e = STORE(ctx->db)->sca_state_get(ctx->db, ctx->app->app_id, user_id, &st)) != TF_OK)
			return e;
		f->low_value_count = st.low_value_count;
		f->low_value_sum_eur_cents = st.low_value_sum_eur_cents;
	}
	if (tra && !f->in_series && sca_tra_enabled(ctx->app, p->type) && !payment_ground_decide(f).allow) {
		static const struct sca_risk_signals none;
		if ((e = sca_tra_assess(ctx, user_id, p->tx, p->type, f->eur_known, f->eur_cents, p->risk ? p->risk : &none,
					tra)) != TF_OK)
			return e;
		*tried = true;
		f->tra_applies = tra->refusal == SCA_TRA_APPLIED;
	}
	return TF_OK;
}

/* What a payment's decision needs recorded, inside the caller's write transaction: a series
 * started, a low-value payment counted, the exemption in the ledger. */
static enum tf_err payment_decision_record(const struct sca_ctx *ctx, const char *user_id, const struct sca_payment *p,
					   const struct payment_facts *f, enum payment_effect effect, const char *exemption)
{
	enum tf_err e = TF_OK;
	switch (effect) {
	case PAYMENT_EFFECT_SERIES_START:
		e = STORE(ctx->db)->series_put(ctx->db, ctx->app->app_id, user_id, p->recurring_series_id, p->hash, ctx->now);
		break;
	case PAYMENT_EFFECT_LOW_VALUE:
		e = STORE(ctx->db)->sca_state_add_low_value(ctx->db, ctx->app->app_id, user_id, f->eur_cents);
		break;
	case PAYMENT_EFFECT_NONE:
		break;
	}
	if (e == TF_OK && exemption[0])
		e = exemption_record(ctx, user_id, exemption, p->tx);
	return e;
}

static enum metric_counter decision_metric(enum authorize_operation op, enum authorize_ground g)
{
	switch (g) {
	case AUTHORIZE_BY_TRUSTED_DEVICE: return M_AUTHORIZE_ALLOW_TRUSTED_DEVICE;
	case AUTHORIZE_BY_STEP_UP: return M_AUTHORIZE_ALLOW_STEPPED_UP;
	case AUTHORIZE_BY_AUTHORISATION: return M_PAYMENT_ALLOW_AUTHORIZED;
	case AUTHORIZE_BY_EXEMPTION: return M_PAYMENT_ALLOW_EXEMPT;
	case AUTHORIZE_CHALLENGE_NO_FACTOR: return M_AUTHORIZE_CHALLENGE_NO_FACTOR;
	case AUTHORIZE_CHALLENGE: break;
	}
	return op == AUTHORIZE_ACCOUNT_OPERATION ? M_AUTHORIZE_CHALLENGE_STEP_UP_REQUIRED : M_PAYMENT_CHALLENGE;
}

enum tf_err sca_authorize(const struct sca_ctx *ctx, const struct sca_authorize_request *in,
			  struct sca_authorize_result *out)
{
	memset(out, 0, sizeof *out);
	struct user_row u;
	enum tf_err e = sca_user_load(ctx, in->user_id, &u);
	if (e != TF_OK)
		return e;
	if (in->session_user_id && strcmp(in->session_user_id, u.user_id) != 0)
		return TF_ERR_PERMISSION_DENIED; /* a session of another user */
	struct authorize_facts f = {
		.operation = in->operation,
		.stepped_up = in->session_user_id && ctx->stepped_up,
		.account_information_max_age_ms = ctx->svc->cfg.account_information_max_age * 1000,
	};
	if ((e = answering_factors_load(ctx, u.user_id, in->operation == AUTHORIZE_PAYMENT, out, &f.has_active_factor)) != TF_OK)
		return e;
	struct device_claims cl;
	switch (in->operation) {
	case AUTHORIZE_ACCOUNT_OPERATION:
		f.trusted_device = in->device_cookie && sca_device_check(ctx, u.user_id, in->device_cookie, DOMAIN_API, &cl) == NULL;
		out->decision = authorize_decide(&f, ctx->now);
		if (out->decision.ground == AUTHORIZE_BY_TRUSTED_DEVICE)
			snprintf(out->device_id, sizeof out->device_id, "%s", cl.device_id);
		if (out->decision.ground == AUTHORIZE_BY_STEP_UP)
			out->stepped_up_until = stepup_until(ctx->now);
		break;
	case AUTHORIZE_PAYMENT:
		if ((e = sca_tx_begin(ctx)) != TF_OK)
			return e;
		e = payment_facts_load(ctx, u.user_id, in->payment, in->authorization_id, &f.payment, &out->tra, &out->tra_tried);
		if (e == TF_OK) {
			out->decision = authorize_decide(&f, ctx->now);
			e = payment_decision_record(ctx, u.user_id, in->payment, &f.payment, out->decision.effect,
						    out->decision.exemption);
		}
		if (e == TF_OK && out->decision.allow) {
			bool tra = !strcmp(out->decision.exemption, "transaction_risk_analysis");
			e = sca_payment_record(ctx, u.user_id, in->payment->tx, in->payment->type,
					       f.payment.eur_known ? f.payment.eur_cents : 0, out->decision.exemption,
					       tra ? (int)(out->tra.choice.etv_eur_cents / 100) : 0, in->payment->risk,
					       out->payment_id);
		}
		if ((e = sca_tx_end(ctx, e)) != TF_OK)
			return e;
		break;
	case AUTHORIZE_ACCOUNT_INFORMATION: {
		struct sca_state_row st;
		if ((e = STORE(ctx->db)->sca_state_get(ctx->db, ctx->app->app_id, u.user_id, &st)) != TF_OK)
			return e;
		f.last_account_sca_at = out->last_account_sca_at = st.last_account_sca_at;
		out->decision = authorize_decide(&f, ctx->now);
		if (out->decision.allow) {
			if ((e = sca_tx_begin(ctx)) == TF_OK)
				e = sca_tx_end(ctx, exemption_record(ctx, u.user_id, out->decision.exemption, NULL));
			if (e != TF_OK)
				return e;
		}
		break;
	}
	}
	metrics_count(ctx->svc->metrics, decision_metric(in->operation, out->decision.ground));
	return TF_OK;
}

enum tf_err sca_transaction_create(const struct sca_ctx *ctx, const char *user_id, const struct sca_payment *p,
				   const char *external_reference, struct txn_row *out)
{
	struct txn_row *t = out;
	memset(t, 0, sizeof *t);
	t->tx = *p->tx;
	t->created_at = ctx->now;
	crypto_random_id("txn", t->transaction_id);
	snprintf(t->app_id, sizeof t->app_id, "%s", ctx->app->app_id);
	snprintf(t->user_id, sizeof t->user_id, "%s", user_id);
	snprintf(t->transaction_hash, sizeof t->transaction_hash, "%s", p->hash);
	snprintf(t->external_reference, sizeof t->external_reference, "%s", external_reference ? external_reference : "");
	enum tf_err e = sca_tx_begin(ctx);
	if (e != TF_OK)
		return e;
	struct payment_facts f;
	e = payment_facts_load(ctx, user_id, p, NULL, &f, NULL, NULL);
	if (e == TF_OK) {
		struct payment_ground g = payment_ground_decide(&f);
		t->state = g.exemption[0] ? TXN_INITIALISED : TXN_PENDING_CHALLENGE; /* exempt: no SCA needed */
		snprintf(t->exemption, sizeof t->exemption, "%s", g.exemption);
		e = payment_decision_record(ctx, user_id, p, &f, g.effect, g.exemption);
	}
	if (e == TF_OK)
		e = STORE(ctx->db)->txn_insert(ctx->db, t);
	if (e == TF_OK) {
		struct sca_ctx by_user = *ctx;
		snprintf(by_user.actor, sizeof by_user.actor, "user:%s", user_id);
		char details[96];
		snprintf(details, sizeof details, "{\"state\":\"%s\"}", txn_state_names[t->state]);
		e = sca_audit(&by_user, "transaction.created", t->transaction_id, details);
	}
	return sca_tx_end(ctx, e);
}

enum tf_err sca_transaction_get(const struct sca_ctx *ctx, const char *user_id, const char *transaction_id,
				struct txn_row *out)
{
	return STORE(ctx->db)->txn_get(ctx->db, ctx->app->app_id, user_id, transaction_id, out);
}

enum tf_err sca_exemption_report(const struct sca_ctx *ctx, int64_t from, int64_t to, sca_ledger_visit_fn visit,
				 void *arg)
{
	return STORE(ctx->db)->ledger_report(ctx->db, from, to, visit, arg);
}
