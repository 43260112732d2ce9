/* Unit tests for core/risk.c: each rule of the real-time risk analysis (RTS art. 18(2)(c) and
 * 18(3)) on both sides of each of its thresholds, on the fake clock, from one payer whose
 * payment is low-risk and who is changed one fact at a time. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "core/risk.h"
#include "support/fake_clock.h"

static const char high_risk[][RISK_COUNTRY_SIZE] = {"KP", "IR", "MM"};

/* Ten payments in 90 days, 500 EUR in all (a mean of 50 EUR), the largest 120 EUR; a payee paid
 * for a month; a device known for a month; in Germany, where the payer was seen before. */
static struct risk_facts usual_payment(int64_t now)
{
	struct risk_facts f = {
		.amount_eur_cents = 4000,
		.type = PAYMENT_CREDIT_TRANSFER,
		.history_count = 10,
		.history_sum_eur_cents = 50000,
		.history_largest_eur_cents = 12000,
		.payments_last_hour = 0,
		.payments_last_day = 1,
		.value_last_day_eur_cents = 3000,
		.payee_paid_before = true,
		.payee_first_paid_at = now - 30 * RISK_DAY_MS,
		.device_known = true,
		.device_first_seen_at = now - 30 * RISK_DAY_MS,
		.payer_country = "DE",
		.countries_seen = {"AT", "DE"},
		.countries_seen_count = 2,
		.payee_country = "DE",
		.high_risk_countries = high_risk,
		.high_risk_count = 3,
	};
	return f;
}

static void assert_reasons(const struct risk_facts *f, int64_t now, unsigned reasons)
{
	struct risk_result r = risk_analyse(f, now);
	assert_int_equal(r.reasons, reasons);
	assert_int_equal(r.level, reasons ? RISK_ELEVATED : RISK_LOW);
}

#define ONLY(reason) RISK_REASON_BIT(reason)

static void test_a_usual_payment_is_low_risk(void **state)
{
	(void)state;
	struct fake_clock clock = fake_clock_new();
	struct risk_facts f = usual_payment(clock.now_ms);
	assert_reasons(&f, clock.now_ms, 0);
	f.type = PAYMENT_CARD; /* the rules treat both types alike */
	assert_reasons(&f, clock.now_ms, 0);
}

static void test_an_amount_over_three_times_the_mean_and_the_largest_is_abnormal(void **state)
{
	(void)state;
	struct fake_clock clock = fake_clock_new();
	struct risk_facts f = usual_payment(clock.now_ms);
	f.value_last_day_eur_cents = 0; /* keep velocity's day value out of the way */
	f.amount_eur_cents = 15000;     /* exactly 3 x the mean of 50 EUR, over the largest */
	assert_reasons(&f, clock.now_ms, 0);
	f.amount_eur_cents = 15001;
	assert_reasons(&f, clock.now_ms, ONLY(RISK_AMOUNT_ABNORMAL));

	f.history_largest_eur_cents = 20000; /* the payer paid 200 EUR once: up to that is usual */
	f.amount_eur_cents = 20000;
	assert_reasons(&f, clock.now_ms, 0);
	f.amount_eur_cents = 20001;
	assert_reasons(&f, clock.now_ms, ONLY(RISK_AMOUNT_ABNORMAL));
}

static void test_a_payer_with_too_little_history_has_an_abnormal_amount_whatever_it_is(void **state)
{
	(void)state;
	struct fake_clock clock = fake_clock_new();
	struct risk_facts f = usual_payment(clock.now_ms);
	f.history_count = RISK_HISTORY_MIN_PAYMENTS;
	f.history_sum_eur_cents = 5 * 4000;
	f.amount_eur_cents = 1; /* the smallest payment */
	assert_reasons(&f, clock.now_ms, 0);
	f.history_count = RISK_HISTORY_MIN_PAYMENTS - 1;
	assert_reasons(&f, clock.now_ms, ONLY(RISK_AMOUNT_ABNORMAL));
	f.history_count = f.history_sum_eur_cents = f.history_largest_eur_cents = 0; /* a new payer */
	f.value_last_day_eur_cents = 1000000; /* the day's value means nothing without a largest */
	assert_reasons(&f, clock.now_ms, ONLY(RISK_AMOUNT_ABNORMAL));
}

static void test_a_new_payee_above_30_eur_is_a_risk(void **state)
{
	(void)state;
	struct fake_clock clock = fake_clock_new();
	struct risk_facts f = usual_payment(clock.now_ms);
	f.payee_paid_before = false;
	f.amount_eur_cents = RISK_NEW_PAYEE_HIGH_EUR_CENTS;
	assert_reasons(&f, clock.now_ms, 0);
	f.amount_eur_cents = RISK_NEW_PAYEE_HIGH_EUR_CENTS + 1;
	assert_reasons(&f, clock.now_ms, ONLY(RISK_NEW_PAYEE_HIGH_AMOUNT));

	/* a payee first paid (a test payment) less than 7 days ago is still new */
	f.payee_paid_before = true;
	f.payee_first_paid_at = clock.now_ms;
	fake_clock_advance(&clock, RISK_NEW_PAYEE_AGE_MS - 1);
	f.device_first_seen_at = clock.now_ms - 30 * RISK_DAY_MS;
	assert_reasons(&f, clock.now_ms, ONLY(RISK_NEW_PAYEE_HIGH_AMOUNT));
	fake_clock_advance(&clock, 1);
	f.device_first_seen_at = clock.now_ms - 30 * RISK_DAY_MS;
	assert_reasons(&f, clock.now_ms, 0);
}

static void test_a_device_unknown_or_first_seen_less_than_7_days_ago_is_new(void **state)
{
	(void)state;
	struct fake_clock clock = fake_clock_new();
	struct risk_facts f = usual_payment(clock.now_ms);
	f.device_known = false; /* no cookie, or another payer's */
	assert_reasons(&f, clock.now_ms, ONLY(RISK_NEW_DEVICE));
	f.device_known = true;
	f.device_first_seen_at = clock.now_ms;
	fake_clock_advance(&clock, RISK_NEW_DEVICE_AGE_MS - 1);
	assert_reasons(&f, clock.now_ms, ONLY(RISK_NEW_DEVICE));
	fake_clock_advance(&clock, 1);
	assert_reasons(&f, clock.now_ms, 0);
}

static void test_the_payer_in_a_country_not_seen_or_unknown_is_an_abnormal_location(void **state)
{
	(void)state;
	struct fake_clock clock = fake_clock_new();
	struct risk_facts f = usual_payment(clock.now_ms);
	memcpy(f.payer_country, "AT", 3); /* seen before */
	assert_reasons(&f, clock.now_ms, 0);
	memcpy(f.payer_country, "FR", 3);
	assert_reasons(&f, clock.now_ms, ONLY(RISK_LOCATION_ABNORMAL));
	f.payer_country[0] = '\0';
	assert_reasons(&f, clock.now_ms, ONLY(RISK_LOCATION_ABNORMAL));
	/* the list is read up to its count, and never past its size */
	memcpy(f.payer_country, "DE", 3);
	f.countries_seen_count = 1; /* only "AT" */
	assert_reasons(&f, clock.now_ms, ONLY(RISK_LOCATION_ABNORMAL));
	memcpy(f.countries_seen[RISK_COUNTRIES_SEEN_MAX - 1], "DE", 3);
	f.countries_seen_count = RISK_COUNTRIES_SEEN_MAX + 5;
	assert_reasons(&f, clock.now_ms, 0);
}

static void test_a_payee_in_a_listed_or_unknown_country_is_high_risk(void **state)
{
	(void)state;
	struct fake_clock clock = fake_clock_new();
	struct risk_facts f = usual_payment(clock.now_ms);
	memcpy(f.payee_country, "IR", 3);
	assert_reasons(&f, clock.now_ms, ONLY(RISK_PAYEE_LOCATION_HIGH_RISK));
	memcpy(f.payee_country, "MM", 3); /* the list's last */
	assert_reasons(&f, clock.now_ms, ONLY(RISK_PAYEE_LOCATION_HIGH_RISK));
	f.payee_country[0] = '\0';
	assert_reasons(&f, clock.now_ms, ONLY(RISK_PAYEE_LOCATION_HIGH_RISK));
	f.high_risk_count = 0; /* an application without a list: nothing is high-risk */
	assert_reasons(&f, clock.now_ms, 0);
	memcpy(f.payee_country, "IR", 3);
	assert_reasons(&f, clock.now_ms, 0);
}

static void test_more_than_3_payments_an_hour_or_10_a_day_is_velocity(void **state)
{
	(void)state;
	struct fake_clock clock = fake_clock_new();
	struct risk_facts f = usual_payment(clock.now_ms);
	f.payments_last_hour = RISK_VELOCITY_HOUR_MAX - 1; /* this one is the third in the hour */
	f.payments_last_day = RISK_VELOCITY_HOUR_MAX - 1;
	assert_reasons(&f, clock.now_ms, 0);
	f.payments_last_hour = f.payments_last_day = RISK_VELOCITY_HOUR_MAX;
	assert_reasons(&f, clock.now_ms, ONLY(RISK_VELOCITY));
	f.payments_last_hour = 0;
	f.payments_last_day = RISK_VELOCITY_DAY_MAX - 1; /* the tenth in 24 hours */
	assert_reasons(&f, clock.now_ms, 0);
	f.payments_last_day = RISK_VELOCITY_DAY_MAX;
	assert_reasons(&f, clock.now_ms, ONLY(RISK_VELOCITY));
}

static void test_spending_more_in_a_day_than_twice_the_largest_payment_is_velocity(void **state)
{
	(void)state;
	struct fake_clock clock = fake_clock_new();
	struct risk_facts f = usual_payment(clock.now_ms);
	/* 4000 now and 20000 earlier today: 2 x the largest of 120 EUR exactly */
	f.value_last_day_eur_cents = 2 * 12000 - 4000;
	assert_reasons(&f, clock.now_ms, 0);
	f.value_last_day_eur_cents++;
	assert_reasons(&f, clock.now_ms, ONLY(RISK_VELOCITY));
}

static void test_a_payee_named_in_a_fraud_report_or_malware_is_a_known_fraud_pattern(void **state)
{
	(void)state;
	struct fake_clock clock = fake_clock_new();
	struct risk_facts f = usual_payment(clock.now_ms);
	f.payee_in_fraud_report = true;
	assert_reasons(&f, clock.now_ms, ONLY(RISK_KNOWN_FRAUD_PATTERN));
	f.payee_in_fraud_report = false;
	f.malware_signal = true;
	assert_reasons(&f, clock.now_ms, ONLY(RISK_KNOWN_FRAUD_PATTERN));
}

static void test_every_reason_found_is_named_in_order(void **state)
{
	(void)state;
	struct fake_clock clock = fake_clock_new();
	struct risk_facts f = {.amount_eur_cents = 50000, .payments_last_hour = 5, .payments_last_day = 50,
			       .payee_in_fraud_report = true, .high_risk_countries = high_risk, .high_risk_count = 3};
	struct risk_result r = risk_analyse(&f, clock.now_ms);
	assert_int_equal(r.level, RISK_ELEVATED);
	assert_int_equal(r.reasons, (1u << RISK_REASON__MAX) - 1);
	const char *names[RISK_REASON__MAX];
	assert_int_equal(risk_reason_list(r.reasons, names), RISK_REASON__MAX);
	const char *expected[] = {"amount_abnormal",   "new_payee_high_amount",    "new_device",
				  "location_abnormal", "payee_location_high_risk", "velocity",
				  "known_fraud_pattern"};
	for (int i = 0; i < RISK_REASON__MAX; i++)
		assert_string_equal(names[i], expected[i]);
	assert_int_equal(risk_reason_list(ONLY(RISK_NEW_DEVICE) | ONLY(RISK_VELOCITY), names), 2);
	assert_string_equal(names[0], "new_device");
	assert_string_equal(names[1], "velocity");
	assert_int_equal(risk_reason_list(0, names), 0);
	assert_string_equal(risk_level_names[RISK_LOW], "low");
	assert_string_equal(risk_level_names[RISK_ELEVATED], "elevated");
}

static void test_huge_amounts_and_counts_do_not_overflow(void **state)
{
	(void)state;
	struct fake_clock clock = fake_clock_new();
	struct risk_facts f = usual_payment(clock.now_ms);
	f.history_count = INT64_MAX / 2;
	f.history_sum_eur_cents = INT64_MAX;
	f.history_largest_eur_cents = INT64_MAX / 3;
	f.amount_eur_cents = INT64_MAX / 2; /* amount x count is far past 64 bits */
	f.value_last_day_eur_cents = 0;
	assert_reasons(&f, clock.now_ms, ONLY(RISK_AMOUNT_ABNORMAL));
	f.value_last_day_eur_cents = INT64_MAX; /* plus the amount is past 64 bits too */
	assert_reasons(&f, clock.now_ms, ONLY(RISK_AMOUNT_ABNORMAL) | ONLY(RISK_VELOCITY));
}

static void test_a_client_address_named_in_a_fraud_report_is_a_known_fraud_pattern(void **state)
{
	(void)state;
	struct fake_clock clock = fake_clock_new();
	struct risk_facts f = usual_payment(clock.now_ms);
	f.client_in_fraud_report = true;
	assert_reasons(&f, clock.now_ms, ONLY(RISK_KNOWN_FRAUD_PATTERN));
}

static void test_the_country_of_an_iban_is_read_only_from_a_valid_one(void **state)
{
	(void)state;
	static const struct {
		const char *account, *want;
	} cases[] = {
		{"DE89370400440532013000", "DE"},  /* the standard's examples */
		{"GB29NWBK60161331926819", "GB"},
		{"FR1420041010050500013M02606", "FR"}, /* letters inside the account */
		{"NO9386011117947", "NO"},          /* the shortest, 15 */
		{"DE89370400440532013001", ""},     /* one digit changed: the check fails */
		{"DE00370400440532013000", ""},
		{"12345678901234567", ""},          /* no country */
		{"DE8937040044", ""},               /* too short */
		{"DE89-370400440532013000", ""},    /* not letters and digits only */
		{"", ""},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char out[RISK_COUNTRY_SIZE];
		risk_iban_country(cases[i].account, out);
		assert_string_equal(out, cases[i].want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_usual_payment_is_low_risk),
		cmocka_unit_test(test_an_amount_over_three_times_the_mean_and_the_largest_is_abnormal),
		cmocka_unit_test(test_a_payer_with_too_little_history_has_an_abnormal_amount_whatever_it_is),
		cmocka_unit_test(test_a_new_payee_above_30_eur_is_a_risk),
		cmocka_unit_test(test_a_device_unknown_or_first_seen_less_than_7_days_ago_is_new),
		cmocka_unit_test(test_the_payer_in_a_country_not_seen_or_unknown_is_an_abnormal_location),
		cmocka_unit_test(test_a_payee_in_a_listed_or_unknown_country_is_high_risk),
		cmocka_unit_test(test_more_than_3_payments_an_hour_or_10_a_day_is_velocity),
		cmocka_unit_test(test_spending_more_in_a_day_than_twice_the_largest_payment_is_velocity),
		cmocka_unit_test(test_a_payee_named_in_a_fraud_report_or_malware_is_a_known_fraud_pattern),
		cmocka_unit_test(test_every_reason_found_is_named_in_order),
		cmocka_unit_test(test_huge_amounts_and_counts_do_not_overflow),
		cmocka_unit_test(test_a_client_address_named_in_a_fraud_report_is_a_known_fraud_pattern),
		cmocka_unit_test(test_the_country_of_an_iban_is_read_only_from_a_valid_one),
	};
	return cmocka_run_group_tests_name("core/risk", tests, NULL, NULL);
}
