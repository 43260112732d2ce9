/* Unit tests for core/exemptions.c: the order of POST /v1/authorize's rules for account
 * operations, payments and account information (SPEC sections 4 and 6), on the fake clock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "core/exemptions.h"
#include "core/transaction.h"
#include "support/fake_clock.h"

#define DAY_MS (24LL * 3600 * 1000)
#define MAX_AGE_MS (180 * DAY_MS)

static void assert_decision(const struct authorize_facts *f, int64_t now, bool allow, const char *reason,
			    const char *exemption, enum authorize_ground ground)
{
	struct authorize_decision d = authorize_decide(f, now);
	assert_int_equal(d.allow, allow);
	assert_string_equal(d.reason, reason);
	assert_string_equal(d.exemption, exemption);
	assert_int_equal(d.ground, ground);
}

static struct authorize_facts operation(enum authorize_operation op)
{
	return (struct authorize_facts){.operation = op, .has_active_factor = true,
					.account_information_max_age_ms = MAX_AGE_MS};
}

static void test_an_account_operation_without_a_factor_needs_one_first(void **state)
{
	(void)state;
	struct fake_clock clock = fake_clock_new();
	struct authorize_facts f = operation(AUTHORIZE_ACCOUNT_OPERATION);
	f.has_active_factor = false;
	f.trusted_device = f.stepped_up = true; /* neither helps: nothing could have been verified */
	assert_decision(&f, clock.now_ms, false, "NO_FACTOR", "", AUTHORIZE_CHALLENGE_NO_FACTOR);
}

static void test_a_trusted_device_then_a_stepped_up_session_allow_an_account_operation(void **state)
{
	(void)state;
	struct fake_clock clock = fake_clock_new();
	struct authorize_facts f = operation(AUTHORIZE_ACCOUNT_OPERATION);
	f.trusted_device = f.stepped_up = true;
	assert_decision(&f, clock.now_ms, true, "TRUSTED_DEVICE", "", AUTHORIZE_BY_TRUSTED_DEVICE);
	f.trusted_device = false;
	assert_decision(&f, clock.now_ms, true, "STEPPED_UP", "", AUTHORIZE_BY_STEP_UP);
	f.stepped_up = false;
	assert_decision(&f, clock.now_ms, false, "STEP_UP_REQUIRED", "", AUTHORIZE_CHALLENGE);
}

static void test_a_device_or_a_session_never_allows_a_payment(void **state)
{
	(void)state;
	struct fake_clock clock = fake_clock_new();
	struct authorize_facts f = operation(AUTHORIZE_PAYMENT);
	f.trusted_device = f.stepped_up = true;
	f.payment.eur_known = true;
	f.payment.eur_cents = LOW_VALUE_MAX_EUR_CENTS + 1;
	assert_decision(&f, clock.now_ms, false, "SCA_REQUIRED", "", AUTHORIZE_CHALLENGE);
}

static void test_a_payment_is_allowed_by_its_authorisation_or_an_exemption(void **state)
{
	(void)state;
	struct fake_clock clock = fake_clock_new();
	struct authorize_facts f = operation(AUTHORIZE_PAYMENT);
	f.payment.authorization = AUTHORIZATION_VALID;
	f.payment.in_series = true;
	struct authorize_decision d = authorize_decide(&f, clock.now_ms);
	assert_true(d.allow);
	assert_string_equal(d.reason, "AUTHORIZED");
	assert_string_equal(d.exemption, "");
	assert_int_equal(d.ground, AUTHORIZE_BY_AUTHORISATION);
	assert_int_equal(d.effect, PAYMENT_EFFECT_SERIES_START);

	f.payment = (struct payment_facts){.eur_known = true, .eur_cents = 2000};
	d = authorize_decide(&f, clock.now_ms);
	assert_true(d.allow);
	assert_string_equal(d.exemption, "low_value");
	assert_int_equal(d.ground, AUTHORIZE_BY_EXEMPTION);
	assert_int_equal(d.effect, PAYMENT_EFFECT_LOW_VALUE);

	f.payment.trusted_beneficiary = true; /* art. 13 before art. 16: nothing to count */
	d = authorize_decide(&f, clock.now_ms);
	assert_string_equal(d.exemption, "trusted_beneficiary");
	assert_int_equal(d.effect, PAYMENT_EFFECT_NONE);
}

static void test_a_payment_challenge_without_a_factor_says_so(void **state)
{
	(void)state;
	struct fake_clock clock = fake_clock_new();
	struct authorize_facts f = operation(AUTHORIZE_PAYMENT);
	f.has_active_factor = false;
	f.payment.authorization = AUTHORIZATION_EXPIRED;
	assert_decision(&f, clock.now_ms, false, "NO_FACTOR", "", AUTHORIZE_CHALLENGE);
	/* an exemption needs no factor */
	f.payment = (struct payment_facts){.own_accounts = true};
	assert_decision(&f, clock.now_ms, true, "own_accounts", "own_accounts", AUTHORIZE_BY_EXEMPTION);
}

static void test_account_information_within_its_age_of_the_last_sca(void **state)
{
	(void)state;
	struct fake_clock clock = fake_clock_new();
	struct authorize_facts f = operation(AUTHORIZE_ACCOUNT_INFORMATION);
	f.trusted_device = f.stepped_up = true; /* never a ground here either */
	assert_decision(&f, clock.now_ms, false, "FIRST_ACCESS", "", AUTHORIZE_CHALLENGE);
	f.last_account_sca_at = clock.now_ms;
	fake_clock_advance(&clock, MAX_AGE_MS - 1);
	assert_decision(&f, clock.now_ms, true, "account_information", "account_information", AUTHORIZE_BY_EXEMPTION);
	f.has_active_factor = false; /* an exemption needs no factor */
	assert_decision(&f, clock.now_ms, true, "account_information", "account_information", AUTHORIZE_BY_EXEMPTION);
	fake_clock_advance(&clock, 1);
	assert_decision(&f, clock.now_ms, false, "NO_FACTOR", "", AUTHORIZE_CHALLENGE);
	f.has_active_factor = true;
	assert_decision(&f, clock.now_ms, false, "SCA_EXPIRED", "", AUTHORIZE_CHALLENGE);
	f.last_account_sca_at = 0;
	f.has_active_factor = false; /* NO_FACTOR comes before FIRST_ACCESS */
	assert_decision(&f, clock.now_ms, false, "NO_FACTOR", "", AUTHORIZE_CHALLENGE);
}

static struct transaction payment_of(int64_t amount, const char *currency)
{
	struct transaction t = {.amount = amount};
	memcpy(t.currency, currency, 4);
	return t;
}

static void test_the_value_in_euros_of_a_payment(void **state)
{
	(void)state;
	int64_t cents = -1;
	struct transaction t = payment_of(2000, "EUR");
	assert_true(payment_eur_cents(NULL, &t, &cents));
	assert_int_equal(cents, 2000);
	t = payment_of(1000, "GBP");
	assert_true(payment_eur_cents("1.17", &t, &cents));
	assert_int_equal(cents, 1170);
	t = payment_of(1000, "JPY"); /* no minor units */
	assert_true(payment_eur_cents("0.0062", &t, &cents));
	assert_int_equal(cents, 620); /* 6.20 EUR */
	t = payment_of(1000, "USD"); /* no rate: no value in euros */
	assert_false(payment_eur_cents(NULL, &t, &cents));
	t = payment_of(1000, "GBP");
	assert_false(payment_eur_cents("x", &t, &cents));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_an_account_operation_without_a_factor_needs_one_first),
		cmocka_unit_test(test_a_trusted_device_then_a_stepped_up_session_allow_an_account_operation),
		cmocka_unit_test(test_a_device_or_a_session_never_allows_a_payment),
		cmocka_unit_test(test_a_payment_is_allowed_by_its_authorisation_or_an_exemption),
		cmocka_unit_test(test_a_payment_challenge_without_a_factor_says_so),
		cmocka_unit_test(test_account_information_within_its_age_of_the_last_sca),
		cmocka_unit_test(test_the_value_in_euros_of_a_payment),
	};
	return cmocka_run_group_tests_name("core/exemptions", tests, NULL, NULL);
}
