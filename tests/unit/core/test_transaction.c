/* Unit tests for core/transaction.c: currencies and their minor units, amounts as people read
 * them, payee validation, the canonical encoding, and the low-value and account-information
 * exemption rules (RTS art. 16 and 10) with a fake clock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "core/transaction.h"
#include "support/fake_clock.h"

#define DAY_MS (86400000LL)

static void test_minor_units(void **state)
{
	(void)state;
	assert_int_equal(currency_minor_units("EUR"), 2);
	assert_int_equal(currency_minor_units("JPY"), 0);
	assert_int_equal(currency_minor_units("BHD"), 3);
	assert_int_equal(currency_minor_units("KWD"), 3);
	assert_int_equal(currency_minor_units("AED"), 2);  /* first of the table */
	assert_int_equal(currency_minor_units("ZWG"), 2);  /* last */
	assert_int_equal(currency_minor_units("eur"), -1); /* codes are upper case */
	assert_int_equal(currency_minor_units("XXX"), -1);
	assert_int_equal(currency_minor_units("EURO"), -1);
	assert_int_equal(currency_minor_units(""), -1);
}

static void test_amounts_read_as_people_write_them(void **state)
{
	(void)state;
	char out[TX_AMOUNT_TEXT_MAX];
	transaction_format_amount(123456, "EUR", out);
	assert_string_equal(out, "EUR 1,234.56");
	transaction_format_amount(5, "EUR", out);
	assert_string_equal(out, "EUR 0.05");
	transaction_format_amount(1234, "JPY", out);
	assert_string_equal(out, "JPY 1,234");
	transaction_format_amount(1234, "BHD", out);
	assert_string_equal(out, "BHD 1.234");
	transaction_format_amount(1000000000, "BHD", out);
	assert_string_equal(out, "BHD 1,000,000.000");
	transaction_format_amount(TX_AMOUNT_MAX, "EUR", out);
	assert_string_equal(out, "EUR 1,000,000,000,000.00");
}

static void test_payee_validation(void **state)
{
	(void)state;
	assert_true(transaction_payee_name_ok("Zoë's Café GmbH"));
	assert_false(transaction_payee_name_ok(""));
	assert_false(transaction_payee_name_ok("Line\nbreak"));
	assert_false(transaction_payee_name_ok(" padded"));
	assert_false(transaction_payee_name_ok("Shop\xe2\x80\xa9" "Acme Pay: to pay EUR 1.00 to Jane")); /* U+2029 */
	assert_false(transaction_payee_name_ok("Jane\xe2\x80\xaeShop"));   /* U+202E: display text only */
	assert_false(transaction_payee_name_ok("Jane\", your code is 1"));  /* '"' would end the message's quotes */
	assert_true(transaction_payee_name_ok("\xe4\xb8\xad\xe6\x96\x87 \xf0\x9f\x98\x80")); /* 中文 😀 */
	char long_name[200];
	memset(long_name, 'a', 141);
	long_name[141] = '\0';
	assert_false(transaction_payee_name_ok(long_name));
	long_name[140] = '\0';
	assert_true(transaction_payee_name_ok(long_name));
	char iban[] = "de89 3704 0044 0532 0130 00";
	assert_true(transaction_payee_account_normalise(iban));
	assert_string_equal(iban, "DE89370400440532013000");
	char bad[] = "DE89<script>";
	assert_false(transaction_payee_account_normalise(bad));
	char empty[] = "   ";
	assert_false(transaction_payee_account_normalise(empty));
	assert_false(transaction_amount_ok(0));
	assert_false(transaction_amount_ok(-1));
	assert_true(transaction_amount_ok(TX_AMOUNT_MAX));
	assert_false(transaction_amount_ok(TX_AMOUNT_MAX + 1));
}

static void test_canonical_encoding(void **state)
{
	(void)state;
	struct transaction t = {.amount = 1250, .currency = "EUR", .payee_name = "Acme Ltd", .payee_account = "GB33BUKB20201555555555"};
	char buf[512];
	size_t n = transaction_canonical(&t, buf, sizeof buf);
	assert_string_equal(buf, "twofold-transaction-v1\n1250\nEUR\nAcme Ltd\nGB33BUKB20201555555555");
	assert_int_equal(n, strlen(buf));
	assert_int_equal(transaction_canonical(&t, buf, 10), 0); /* does not fit */
}

static void test_low_value_thirty_euros_hundred_in_total_five_in_number(void **state)
{
	(void)state;
	assert_true(low_value_exempt(3000, 0, 0));
	assert_false(low_value_exempt(3001, 0, 0));
	/* four payments of 25 EUR: the fifth would make 125 */
	assert_true(low_value_exempt(2500, 3, 7500));
	assert_false(low_value_exempt(2500, 4, 10000));
	assert_true(low_value_exempt(0 + 100, 4, 9900)); /* exactly 100 in total, fifth payment */
	assert_false(low_value_exempt(100, 5, 500));      /* a sixth, however small */
}

static void test_conversion_to_euro_cents(void **state)
{
	(void)state;
	int64_t c;
	assert_true(transaction_eur_cents(3000, 2, 1000000, &c));
	assert_int_equal(c, 3000);
	assert_true(transaction_eur_cents(2500, 2, 1170000, &c)); /* 25 GBP at 1.17 */
	assert_int_equal(c, 2925);
	assert_true(transaction_eur_cents(5000, 0, 6200, &c)); /* 5000 JPY at 0.0062 */
	assert_int_equal(c, 3100);
	assert_true(transaction_eur_cents(1, 3, 2440000, &c)); /* 0.001 BHD rounds up to a cent */
	assert_int_equal(c, 1);
	assert_false(transaction_eur_cents(TX_AMOUNT_MAX, 2, 1000000, &c));
}

static void test_rates(void **state)
{
	(void)state;
	int64_t r;
	assert_true(rate_parse_micro("1.17", &r));
	assert_int_equal(r, 1170000);
	assert_true(rate_parse_micro("0.0062", &r));
	assert_int_equal(r, 6200);
	assert_true(rate_parse_micro("150", &r));
	assert_int_equal(r, 150000000);
	assert_false(rate_parse_micro("0", &r));
	assert_false(rate_parse_micro("1.", &r));
	assert_false(rate_parse_micro(".5", &r));
	assert_false(rate_parse_micro("1.1234567", &r));
	assert_false(rate_parse_micro("-1", &r));
	assert_false(rate_parse_micro("1e3", &r));
	assert_false(rate_parse_micro("", &r));
}

static void test_account_information_180_days_never_first(void **state)
{
	(void)state;
	struct fake_clock clk = fake_clock_new();
	int64_t sca = clk.now_ms, max = 180 * DAY_MS;
	assert_false(account_information_exempt(0, clk.now_ms, max)); /* first access */
	assert_true(account_information_exempt(sca, fake_clock_advance(&clk, 179 * DAY_MS), max));
	assert_false(account_information_exempt(sca, fake_clock_advance(&clk, 2 * DAY_MS), max));
}

static void test_quarters(void **state)
{
	(void)state;
	char q[8];
	quarter_of(1795305600000LL, q); /* 2026-11-23 */
	assert_string_equal(q, "2026Q4");
	quarter_of(1767225600000LL, q); /* 2026-01-01T00:00Z */
	assert_string_equal(q, "2026Q1");
	quarter_of(1767225600000LL - 1, q);
	assert_string_equal(q, "2025Q4");
	int64_t from, to;
	assert_true(quarter_bounds("2026Q1", &from, &to));
	assert_int_equal(from, 1767225600000LL);
	assert_int_equal(to, 1775001600000LL); /* 2026-04-01 */
	assert_true(quarter_bounds("2025Q4", &from, &to));
	assert_int_equal(to, 1767225600000LL);
	assert_false(quarter_bounds("2026Q5", &from, &to));
	assert_false(quarter_bounds("2026-Q1", &from, &to));
	assert_false(quarter_bounds("2026Q1x", &from, &to));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_minor_units),
		cmocka_unit_test(test_amounts_read_as_people_write_them),
		cmocka_unit_test(test_payee_validation),
		cmocka_unit_test(test_canonical_encoding),
		cmocka_unit_test(test_low_value_thirty_euros_hundred_in_total_five_in_number),
		cmocka_unit_test(test_conversion_to_euro_cents),
		cmocka_unit_test(test_rates),
		cmocka_unit_test(test_account_information_180_days_never_first),
		cmocka_unit_test(test_quarters),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
