/* Unit tests for the message texts of the factor kinds (sca/code.c, sca/kind_push.c), backup-code
 * normalising (sca/kind_backup_codes.c) and the webhook signature: message texts name the
 * application, quote the payee, keep code and amount whole with the longest names, voice reads
 * the digits one by one twice, backup codes are normalised, and the webhook signature matches
 * an independent HMAC-SHA-256. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "core/sms_size.h"
#include "core/validate.h"
#include "delivery/provider.h"
#include "sca/kinds.h"

static void test_sms_text_names_the_application_and_expiry(void **state)
{
	(void)state;
	char text[256];
	code_message_text(&l10n_english, "Acme Pay", FACTOR_SMS, "123456", NULL, text, sizeof text);
	assert_string_equal(text, "Acme Pay: your code is 123456. It expires in 5 minutes.");
}

static void test_voice_reads_each_digit_twice(void **state)
{
	(void)state;
	char text[256];
	code_message_text(&l10n_english, "Acme Pay", FACTOR_VOICE, "902114", NULL, text, sizeof text);
	assert_string_equal(text, "Acme Pay: your code is 9, 0, 2, 1, 1, 4. Again: 9, 0, 2, 1, 1, 4. It expires in 5 minutes.");
}

static void test_transaction_texts_show_amount_and_payee_before_the_code(void **state)
{
	(void)state;
	char text[CODE_TEXT_MAX];
	struct transaction tx = {.amount = 123456, .currency = "EUR", .payee_name = "Jane's Shop", .payee_account = "DE89370400440532013000"};
	code_message_text(&l10n_english, "Acme Pay", FACTOR_SMS, "123456", &tx, text, sizeof text);
	assert_string_equal(text, "Acme Pay: to pay €1,234.56 to \"Jane's Shop\", your code is 123456. It expires in 5 minutes.");
	struct transaction yen = {.amount = 5000, .currency = "JPY", .payee_name = "Kyoto Tea", .payee_account = "X1"};
	code_message_text(&l10n_english, "Acme Pay", FACTOR_VOICE, "902114", &yen, text, sizeof text);
	assert_string_equal(text, "Acme Pay: to pay ¥5,000 to \"Kyoto Tea\", your code is 9, 0, 2, 1, 1, 4. Again: 9, 0, 2, 1, 1, 4. "
				  "It expires in 5 minutes.");
	struct transaction dinar = {.amount = 1500, .currency = "BHD", .payee_name = "Manama Souq", .payee_account = "X2"};
	code_message_text(&l10n_english, "Acme Pay", FACTOR_SMS, "111111", &dinar, text, sizeof text);
	assert_string_equal(text, "Acme Pay: to pay BHD 1.500 to \"Manama Souq\", your code is 111111. It expires in 5 minutes.");
	assert_true(code_push_text(&l10n_english, "Acme Pay", PURPOSE_TRANSACTION, &tx, text, sizeof text));
	assert_string_equal(text, "Acme Pay: approve paying €1,234.56 to \"Jane's Shop\"?");
}

static void repeat(char *out, size_t size, const char *piece, size_t times)
{
	size_t n = 0, len = strlen(piece);
	for (size_t i = 0; i < times && n + len < size; i++, n += len)
		memcpy(out + n, piece, len);
	out[n] = '\0';
}

/* The longest inputs: a 255-byte application name (ASCII, and 3-byte characters), a payee of
 * 140 emoji (560 bytes) or 140 CJK characters, the largest amount. Every text holds the whole
 * code and amount, is valid UTF-8, fits CODE_TEXT_MAX, and an SMS stays within SMS_SEGMENTS_MAX
 * segments (tests/unit/sca/test_message_languages.c measures every language). */
static void test_the_longest_names_never_push_out_the_code_or_the_amount(void **state)
{
	(void)state;
	char apps[3][300], payees[2][TX_PAYEE_NAME_MAX * 4 + 1], text[CODE_TEXT_MAX], amount[L10N_AMOUNT_MAX],
		plain[L10N_AMOUNT_MAX];
	memset(apps[0], 'A', 255);
	apps[0][255] = '\0';
	repeat(apps[1], sizeof apps[1], "\xe4\xb8\xad", 85);     /* 255 bytes */
	repeat(apps[2], sizeof apps[2], "\xf0\x9f\x98\x80", 63); /* 252 bytes */
	repeat(payees[0], sizeof payees[0], "\xf0\x9f\x98\x80", 140);
	repeat(payees[1], sizeof payees[1], "\xe4\xb8\xad", 140);
	for (int a = 0; a < 3; a++) {
		for (int p = 0; p < 2; p++) {
			struct transaction tx = {.amount = TX_AMOUNT_MAX, .currency = "EUR", .payee_account = "X1"};
			memcpy(tx.payee_name, payees[p], strlen(payees[p]) + 1);
			assert_true(l10n_amount(&l10n_english, tx.amount, tx.currency, false, amount, sizeof amount));
			assert_true(l10n_amount(&l10n_english, tx.amount, tx.currency, true, plain, sizeof plain));
			assert_string_equal(amount, "\u20ac1,000,000,000,000.00");
			enum factor_type types[] = {FACTOR_SMS, FACTOR_VOICE};
			for (int t = 0; t < 2; t++) {
				assert_true(code_message_text(&l10n_english, apps[a], types[t], "987654", &tx, text, sizeof text));
				assert_non_null(strstr(text, types[t] == FACTOR_SMS ? plain : amount));
				assert_non_null(strstr(text, types[t] == FACTOR_SMS ? "your code is 987654. It expires in 5 minutes."
											: "your code is 9, 8, 7, 6, 5, 4. Again: 9, 8, 7, 6, 5, 4. "
											  "It expires in 5 minutes."));
				/* the payee shortened, an SMS's with "..." (GSM-7 has no U+2026) */
				assert_non_null(strstr(text, types[t] == FACTOR_SMS ? "...\", your code is" : "\xe2\x80\xa6\", your code is"));
				assert_true(validate_display_chars(text, strlen(text)));
				if (types[t] == FACTOR_SMS)
					assert_true(sms_measure(text).segments <= SMS_SEGMENTS_MAX);
			}
			assert_true(code_push_text(&l10n_english, apps[a], PURPOSE_TRANSACTION, &tx, text, sizeof text));
			assert_non_null(strstr(text, amount));
			assert_true(validate_display_chars(text, strlen(text)));
			assert_int_equal(strcmp(text + strlen(text) - 5, "\xe2\x80\xa6\"?"), 0);
		}
		assert_true(code_message_text(&l10n_english, apps[a], FACTOR_SMS, "987654", NULL, text, sizeof text));
		assert_non_null(strstr(text, ": your code is 987654. It expires in 5 minutes."));
		assert_true(code_push_text(&l10n_english, apps[a], PURPOSE_LOGIN, NULL, text, sizeof text));
		assert_true(validate_display_chars(text, strlen(text)));
	}
	/* a smaller buffer is refused, never filled with a text cut before the code */
	struct transaction tx = {.amount = 100, .currency = "EUR", .payee_account = "X1"};
	memcpy(tx.payee_name, payees[1], strlen(payees[1]) + 1);
	assert_false(code_message_text(&l10n_english, apps[0], FACTOR_SMS, "987654", &tx, text, 200));
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
		cmocka_unit_test(test_the_longest_names_never_push_out_the_code_or_the_amount),
		cmocka_unit_test(test_backup_codes_are_normalised_and_checked_against_the_alphabet),
		cmocka_unit_test(test_webhook_signature_is_hmac_sha256_of_timestamp_dot_body),
	};
	return cmocka_run_group_tests_name("sca/codes", tests, NULL, NULL);
}
