/*
 * exemptions.c: the order of POST /v1/authorize's rules (exemptions.h). Pure: the facts and the
 * time come in, the decision and what to record go out.
 */
#include <string.h>

#include "core/exemptions.h"

static struct authorize_decision account_operation(const struct authorize_facts *f)
{
	if (!f->has_active_factor)
		return (struct authorize_decision){false, "NO_FACTOR", "", AUTHORIZE_CHALLENGE_NO_FACTOR, PAYMENT_EFFECT_NONE};
	if (f->trusted_device)
		return (struct authorize_decision){true, "TRUSTED_DEVICE", "", AUTHORIZE_BY_TRUSTED_DEVICE, PAYMENT_EFFECT_NONE};
	if (f->stepped_up)
		return (struct authorize_decision){true, "STEPPED_UP", "", AUTHORIZE_BY_STEP_UP, PAYMENT_EFFECT_NONE};
	return (struct authorize_decision){false, "STEP_UP_REQUIRED", "", AUTHORIZE_CHALLENGE, PAYMENT_EFFECT_NONE};
}

static struct authorize_decision payment(const struct authorize_facts *f)
{
	struct payment_ground g = payment_ground_decide(&f->payment);
	struct authorize_decision d = {g.allow, g.reason, g.exemption, AUTHORIZE_CHALLENGE, g.effect};
	if (g.allow)
		d.ground = g.exemption[0] ? AUTHORIZE_BY_EXEMPTION : AUTHORIZE_BY_AUTHORISATION;
	else if (!f->has_active_factor)
		d.reason = "NO_FACTOR"; /* counted as any payment challenge */
	return d;
}

static struct authorize_decision account_information(const struct authorize_facts *f, int64_t now)
{
	if (account_information_exempt(f->last_account_sca_at, now, f->account_information_max_age_ms))
		return (struct authorize_decision){true, "account_information", "account_information", AUTHORIZE_BY_EXEMPTION,
						   PAYMENT_EFFECT_NONE};
	const char *reason = !f->has_active_factor ? "NO_FACTOR" : f->last_account_sca_at ? "SCA_EXPIRED" : "FIRST_ACCESS";
	return (struct authorize_decision){false, reason, "", AUTHORIZE_CHALLENGE, PAYMENT_EFFECT_NONE};
}

struct authorize_decision authorize_decide(const struct authorize_facts *f, int64_t now)
{
	switch (f->operation) {
	case AUTHORIZE_PAYMENT: return payment(f);
	case AUTHORIZE_ACCOUNT_INFORMATION: return account_information(f, now);
	case AUTHORIZE_ACCOUNT_OPERATION: break;
	}
	return account_operation(f);
}

bool payment_eur_cents(const char *rate, const struct transaction *t, int64_t *out)
{
	int minor = currency_minor_units(t->currency);
	if (!strcmp(t->currency, "EUR"))
		return transaction_eur_cents(t->amount, minor, 1000000, out);
	int64_t micro;
	return rate && rate_parse_micro(rate, &micro) && transaction_eur_cents(t->amount, minor, micro, out);
}
