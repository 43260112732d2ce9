/* Unit tests for service/codes.c and the webhook signature: message texts name the
 * application, voice reads the digits one by one twice, backup codes are normalised, and the
 * webhook signature matches an independent HMAC-SHA-256. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "delivery/provider.h"
#include "service/codes.h"

static void test_sms_text_names_the_application_and_expiry(void **state)
{
	(void)state;
	char text[256];
	code_message_text("Acme Pay", FACTOR_SMS, "123456", NULL, text, sizeof text);
	assert_string_equal(text, "Acme Pay: your code is 123456. It expires in 5 minutes.");
}

static void test_voice_reads_each_digit_twice(void **state)
{
	(void)state;
	char text[256];
	code_message_text("Acme Pay", FACTOR_VOICE, "902114", NULL, text, sizeof text);
	assert_string_equal(text, "Acme Pay: your code is 9, 0, 2, 1, 1, 4. Again: 9, 0, 2, 1, 1, 4. It expires in 5 minutes.");
}

static void test_transaction_texts_show_amount_and_payee_before_the_code(void **state)
{
	(void)state;
	char text[512];
	struct transaction tx = {.amount = 123456, .currency = "EUR", .payee_name = "Jane's Shop", .payee_account = "DE89370400440532013000"};
	code_message_text("Acme Pay", FACTOR_SMS, "123456", &tx, text, sizeof text);
	assert_string_equal(text, "Acme Pay: to pay EUR 1,234.56 to Jane's Shop, your code is 123456. It expires in 5 minutes.");
	struct transaction yen = {.amount = 5000, .currency = "JPY", .payee_name = "Kyoto Tea", .payee_account = "X1"};
	code_message_text("Acme Pay", FACTOR_VOICE, "902114", &yen, text, sizeof text);
	assert_string_equal(text, "Acme Pay: to pay JPY 5,000 to Kyoto Tea, your code is 9, 0, 2, 1, 1, 4. Again: 9, 0, 2, 1, 1, 4. "
				  "It expires in 5 minutes.");
	struct transaction dinar = {.amount = 1500, .currency = "BHD", .payee_name = "Manama Souq", .payee_account = "X2"};
	code_message_text("Acme Pay", FACTOR_SMS, "111111", &dinar, text, sizeof text);
	assert_string_equal(text, "Acme Pay: to pay BHD 1.500 to Manama Souq, your code is 111111. It expires in 5 minutes.");
}

static void test_backup_codes_are_normalised_and_checked_against_the_alphabet(void **state)
{
	(void)state;
	char out[BACKUP_CODE_LEN + 1];
	assert_true(code_normalise_backup("ABCD-EFGH 23", out));
	assert_string_equal(out, "abcdefgh23");
	assert_false(code_normalise_backup("abcdefgh2", out));    /* too short */
	assert_false(code_normalise_backup("abcdefgh234", out));  /* too long */
	assert_false(code_normalise_backup("abcdefgh2l", out));   /* l is a look-alike, not in the alphabet */
	assert_false(code_normalise_backup("abcdefgh20", out));
	assert_int_equal(strlen(BACKUP_CODE_ALPHABET), 31);      /* 10 characters: about 50 bits */
	for (const char *p = BACKUP_CODE_ALPHABET; *p; p++)
		assert_null(strchr("01ilo", *p));
}

static void test_webhook_signature_is_hmac_sha256_of_timestamp_dot_body(void **state)
{
	(void)state;
	char sig[80];
	/* python3 -c 'import hmac,hashlib;print(hmac.new(b"whsec",b"1700000000.{\"a\":1}",hashlib.sha256).hexdigest())' */
	webhook_signature("whsec", "1700000000", "{\"a\":1}", sig);
	assert_string_equal(sig, "v1=8ad37ba156048ae0e0a5533c75cdf26fee88b07f93cb57ee4c80adb053012032");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sms_text_names_the_application_and_expiry),
		cmocka_unit_test(test_voice_reads_each_digit_twice),
		cmocka_unit_test(test_transaction_texts_show_amount_and_payee_before_the_code),
		cmocka_unit_test(test_backup_codes_are_normalised_and_checked_against_the_alphabet),
		cmocka_unit_test(test_webhook_signature_is_hmac_sha256_of_timestamp_dot_body),
	};
	return cmocka_run_group_tests_name("service/codes", tests, NULL, NULL);
}
