/* Unit tests for core/payment_ground.c: the order of a payment's grounds (RTS art. 13 to 16). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "core/payment_ground.h"
#include "core/transaction.h"

/* A payment of 20 EUR to an unknown payee, no series, nothing exempted since the last SCA. */
static struct payment_facts plain(void)
{
	return (struct payment_facts){.eur_known = true, .eur_cents = 2000};
}

static void assert_ground(struct payment_facts f, bool allow, const char *reason, const char *exemption,
			  enum payment_effect effect)
{
	struct payment_ground g = payment_ground_decide(&f);
	assert_int_equal(g.allow, allow);
	assert_string_equal(g.reason, reason);
	assert_string_equal(g.exemption, exemption);
	assert_int_equal(g.effect, effect);
}

static void test_an_authorisation_decides_before_any_exemption(void **state)
{
	(void)state;
	struct payment_facts f = plain();
	f.own_accounts = f.trusted_beneficiary = true;
	f.authorization = AUTHORIZATION_VALID;
	assert_ground(f, true, "AUTHORIZED", "", PAYMENT_EFFECT_NONE);
	/* a presented authorisation that does not hold is never saved by an exemption */
	const struct {
		enum authorization_fact fact;
		const char *reason;
	} refused[] = {{AUTHORIZATION_UNKNOWN, "AUTHORIZATION_UNKNOWN"},
		       {AUTHORIZATION_USED, "AUTHORIZATION_USED"},
		       {AUTHORIZATION_EXPIRED, "AUTHORIZATION_EXPIRED"},
		       {AUTHORIZATION_CHANGED, "TRANSACTION_CHANGED"}};
	for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
		f.authorization = refused[i].fact;
		assert_ground(f, false, refused[i].reason, "", PAYMENT_EFFECT_NONE);
	}
}

static void test_an_authorised_first_payment_starts_its_series(void **state)
{
	(void)state;
	struct payment_facts f = plain();
	f.authorization = AUTHORIZATION_VALID;
	f.in_series = true;
	assert_ground(f, true, "AUTHORIZED", "", PAYMENT_EFFECT_SERIES_START);
}

static void test_exemptions_in_the_order_of_the_rts(void **state)
{
	(void)state;
	struct payment_facts f = plain();
	f.own_accounts = f.trusted_beneficiary = f.in_series = f.series_started = f.series_equal = true;
	assert_ground(f, true, "own_accounts", "own_accounts", PAYMENT_EFFECT_NONE);
	f.own_accounts = false;
	assert_ground(f, true, "trusted_beneficiary", "trusted_beneficiary", PAYMENT_EFFECT_NONE);
	f.trusted_beneficiary = false;
	assert_ground(f, true, "recurring_series", "recurring_series", PAYMENT_EFFECT_NONE);
}

static void test_a_series_payment_that_differs_or_comes_first_needs_sca(void **state)
{
	(void)state;
	struct payment_facts f = plain();
	f.eur_cents = 5000; /* above the low-value limit */
	f.in_series = f.series_started = true;
	assert_ground(f, false, "SERIES_CHANGED", "", PAYMENT_EFFECT_NONE);
	f.series_started = false;
	assert_ground(f, false, "SERIES_FIRST_PAYMENT", "", PAYMENT_EFFECT_NONE);
	/* a small one is still low value: the series rule does not take that away */
	f.eur_cents = 1000;
	assert_ground(f, true, "low_value", "low_value", PAYMENT_EFFECT_LOW_VALUE);
}

static void test_low_value_counts_and_its_limits(void **state)
{
	(void)state;
	struct payment_facts f = plain();
	assert_ground(f, true, "low_value", "low_value", PAYMENT_EFFECT_LOW_VALUE);
	f.low_value_count = LOW_VALUE_COUNT_MAX; /* a sixth since the last SCA */
	assert_ground(f, false, "LOW_VALUE_LIMIT_REACHED", "", PAYMENT_EFFECT_NONE);
	f.low_value_count = 1;
	f.low_value_sum_eur_cents = LOW_VALUE_TOTAL_EUR_CENTS - 1999; /* the total would pass 100 EUR */
	assert_ground(f, false, "LOW_VALUE_LIMIT_REACHED", "", PAYMENT_EFFECT_NONE);
	f.low_value_sum_eur_cents = LOW_VALUE_TOTAL_EUR_CENTS - 2000; /* exactly 100 EUR: still exempt */
	assert_ground(f, true, "low_value", "low_value", PAYMENT_EFFECT_LOW_VALUE);
	f.eur_cents = LOW_VALUE_MAX_EUR_CENTS + 1;
	assert_ground(f, false, "SCA_REQUIRED", "", PAYMENT_EFFECT_NONE);
	f.eur_known = false; /* a currency without a rate: no low-value exemption */
	f.eur_cents = 100;
	assert_ground(f, false, "SCA_REQUIRED", "", PAYMENT_EFFECT_NONE);
}

static void test_transaction_risk_analysis_comes_after_every_other_exemption(void **state)
{
	(void)state;
	struct payment_facts f = plain();
	f.eur_cents = 20000; /* 200 EUR: over the low-value ceiling */
	assert_ground(f, false, "SCA_REQUIRED", "", PAYMENT_EFFECT_NONE);
	f.tra_applies = true;
	assert_ground(f, true, "transaction_risk_analysis", "transaction_risk_analysis", PAYMENT_EFFECT_NONE);
	f.trusted_beneficiary = true; /* an earlier exemption wins */
	assert_ground(f, true, "trusted_beneficiary", "trusted_beneficiary", PAYMENT_EFFECT_NONE);
	f.trusted_beneficiary = false;
	f.eur_cents = 2000; /* low value first, and its count */
	assert_ground(f, true, "low_value", "low_value", PAYMENT_EFFECT_LOW_VALUE);
	f.low_value_count = LOW_VALUE_COUNT_MAX; /* its limits reached: transaction risk analysis */
	assert_ground(f, true, "transaction_risk_analysis", "transaction_risk_analysis", PAYMENT_EFFECT_NONE);
	f.authorization = AUTHORIZATION_USED; /* never saves a presented authorisation that does not hold */
	assert_ground(f, false, "AUTHORIZATION_USED", "", PAYMENT_EFFECT_NONE);
	f.authorization = AUTHORIZATION_NONE;
	f.in_series = true; /* a series' payments are art. 14's */
	assert_ground(f, false, "SERIES_FIRST_PAYMENT", "", PAYMENT_EFFECT_NONE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_an_authorisation_decides_before_any_exemption),
		cmocka_unit_test(test_an_authorised_first_payment_starts_its_series),
		cmocka_unit_test(test_exemptions_in_the_order_of_the_rts),
		cmocka_unit_test(test_a_series_payment_that_differs_or_comes_first_needs_sca),
		cmocka_unit_test(test_low_value_counts_and_its_limits),
		cmocka_unit_test(test_transaction_risk_analysis_comes_after_every_other_exemption),
	};
	return cmocka_run_group_tests_name("core/payment_ground", tests, NULL, NULL);
}
