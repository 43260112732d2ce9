/*
 * payment_ground.c: the order in which a payment's grounds are tried (payment_ground.h). Pure:
 * the facts come in, the decision and what to record go out.
 */
#include "core/payment_ground.h"
#include "core/transaction.h"

static struct payment_ground exempt(const char *name, enum payment_effect effect)
{
	return (struct payment_ground){.allow = true, .reason = name, .exemption = name, .effect = effect};
}

static struct payment_ground challenge(const char *reason)
{
	return (struct payment_ground){.allow = false, .reason = reason, .exemption = "", .effect = PAYMENT_EFFECT_NONE};
}

struct payment_ground payment_ground_decide(const struct payment_facts *f)
{
	switch (f->authorization) {
	case AUTHORIZATION_VALID:
		/* the first payment of a series is authorised with SCA; later equal ones are exempt */
		return (struct payment_ground){.allow = true, .reason = "AUTHORIZED", .exemption = "",
					       .effect = f->in_series ? PAYMENT_EFFECT_SERIES_START : PAYMENT_EFFECT_NONE};
	case AUTHORIZATION_UNKNOWN: return challenge("AUTHORIZATION_UNKNOWN");
	case AUTHORIZATION_USED: return challenge("AUTHORIZATION_USED");
	case AUTHORIZATION_EXPIRED: return challenge("AUTHORIZATION_EXPIRED");
	case AUTHORIZATION_CHANGED: return challenge("TRANSACTION_CHANGED");
	case AUTHORIZATION_NONE: break;
	}
	if (f->own_accounts) /* art. 15 */
		return exempt("own_accounts", PAYMENT_EFFECT_NONE);
	if (f->trusted_beneficiary) /* art. 13 */
		return exempt("trusted_beneficiary", PAYMENT_EFFECT_NONE);
	const char *reason = "SCA_REQUIRED";
	if (f->in_series) { /* art. 14 */
		if (f->series_started && f->series_equal)
			return exempt("recurring_series", PAYMENT_EFFECT_NONE);
		reason = f->series_started ? "SERIES_CHANGED" : "SERIES_FIRST_PAYMENT";
	}
	if (f->eur_known) { /* art. 16 */
		if (low_value_exempt(f->eur_cents, f->low_value_count, f->low_value_sum_eur_cents))
			return exempt("low_value", PAYMENT_EFFECT_LOW_VALUE);
		if (f->eur_cents <= LOW_VALUE_MAX_EUR_CENTS && !f->in_series)
			reason = "LOW_VALUE_LIMIT_REACHED";
	}
	if (f->tra_applies && !f->in_series) /* art. 18 */
		return exempt("transaction_risk_analysis", PAYMENT_EFFECT_NONE);
	return challenge(reason);
}
