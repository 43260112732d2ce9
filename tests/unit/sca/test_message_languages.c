/* Unit tests for the messages in every language (sca/code.c, sca/kind_push.c through the
 * catalogs): each language's longest code SMS (the longest names in ASCII, 3-byte and 4-byte
 * characters, the largest amount in EUR, JPY and BHD) stays within SMS_SEGMENTS_MAX segments
 * with the whole code and amount; a voice call reads the whole code twice; an email's subject
 * and bodies show the amount; an ordinary payment SMS's size is printed per language. Also
 * core/sms_size.c's counting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "core/sms_size.h"
#include "l10n/l10n.h"
#include "sca/kinds.h"

static void test_sms_segments_count_septets_or_utf16_units(void **state)
{
	(void)state;
	char text[400];
	memset(text, 'a', 160);
	text[160] = '\0';
	assert_int_equal(sms_measure(text).segments, 1);
	text[160] = 'a';
	text[161] = '\0';
	assert_int_equal(sms_measure(text).segments, 2); /* 153 per part */
	struct sms_size euro = sms_measure("49,99 \xe2\x82\xac");
	assert_true(euro.gsm7);
	assert_int_equal(euro.units, 8); /* the euro sign is an escape and a septet */
	struct sms_size polish = sms_measure("Tw\xc3\xb3j kod");
	assert_false(polish.gsm7);
	assert_int_equal(polish.units, 8);
	memset(text, 'a', 70);
	memcpy(text, "\xc5\x82", 2); /* ł: UCS-2, 69 more units */
	text[70] = '\0';
	assert_int_equal(sms_measure(text).units, 69);
	assert_int_equal(sms_measure(text).segments, 1);
	assert_int_equal(sms_measure("\xf0\x9f\x98\x80").units, 2); /* outside the BMP: two units */
}

static void repeat(char *out, size_t size, const char *piece, size_t times)
{
	size_t n = 0, len = strlen(piece);
	for (size_t i = 0; i < times && n + len < size; i++, n += len)
		memcpy(out + n, piece, len);
	out[n] = '\0';
}

static void test_every_languages_longest_sms_keeps_code_and_amount_within_the_budget(void **state)
{
	(void)state;
	const char *bad = NULL;
	assert_true(l10n_catalogs_ok(&bad));
	static char apps[3][300], payees[3][TX_PAYEE_NAME_MAX * 4 + 1];
	memset(apps[0], 'A', 255);
	apps[0][255] = '\0';
	repeat(apps[1], sizeof apps[1], "\xe4\xb8\xad", 85);
	repeat(apps[2], sizeof apps[2], "\xf0\x9f\x98\x80", 63);
	memset(payees[0], 'P', 140);
	payees[0][140] = '\0';
	repeat(payees[1], sizeof payees[1], "\xe4\xb8\xad", 140);
	repeat(payees[2], sizeof payees[2], "\xf0\x9f\x98\x80", 140);
	static const char *const currencies[] = {"EUR", "JPY", "BHD"};
	char *text = malloc(CODE_TEXT_MAX);
	struct code_email *mail = malloc(sizeof *mail);
	for (int lang = 0; lang < LANG_COUNT; lang++) {
		struct l10n l;
		assert_true(l10n_from_tag(l10n_code((enum l10n_language)lang), &l));
		size_t longest = 0;
		for (int c = 0; c < 3; c++)
			for (int a = 0; a < 3; a++)
				for (int p = 0; p < 3; p++) {
					struct transaction tx = {.amount = TX_AMOUNT_MAX, .payee_account = "X1"};
					memcpy(tx.currency, currencies[c], 4);
					memcpy(tx.payee_name, payees[p], strlen(payees[p]) + 1);
					char plain[L10N_AMOUNT_MAX], amount[L10N_AMOUNT_MAX];
					assert_true(l10n_amount(&l, tx.amount, tx.currency, true, plain, sizeof plain));
					assert_true(l10n_amount(&l, tx.amount, tx.currency, false, amount, sizeof amount));
					assert_true(code_message_text(&l, apps[a], FACTOR_SMS, "987654", &tx, text, CODE_TEXT_MAX));
					struct sms_size z = sms_measure(text);
					assert_true(z.segments <= SMS_SEGMENTS_MAX);
					assert_non_null(strstr(text, "987654"));
					assert_non_null(strstr(text, plain));
					if (z.units > longest)
						longest = z.units;
					assert_true(code_message_text(&l, apps[a], FACTOR_VOICE, "987654", &tx, text, CODE_TEXT_MAX));
					char *first = strstr(text, "9, 8, 7, 6, 5, 4");
					assert_non_null(first);
					assert_non_null(strstr(first + 1, "9, 8, 7, 6, 5, 4"));
					assert_non_null(strstr(text, amount));
					assert_true(code_push_text(&l, apps[a], PURPOSE_TRANSACTION, &tx, text, CODE_TEXT_MAX));
					assert_non_null(strstr(text, amount));
					assert_true(code_email_compose(&l, apps[a], NULL, "987654", &tx, mail));
					assert_non_null(strstr(mail->subject, amount));
					assert_non_null(strstr(mail->text, amount));
					assert_non_null(strstr(mail->text, "987654"));
					assert_non_null(strstr(mail->html, "987654"));
				}
		/* an ordinary payment */
		struct transaction tx = {.amount = 4999, .currency = "EUR", .payee_name = "Jane's Shop", .payee_account = "X1"};
		assert_true(code_message_text(&l, "Acme Pay", FACTOR_SMS, "123456", &tx, text, CODE_TEXT_MAX));
		struct sms_size z = sms_measure(text);
		print_message("%s: longest code SMS %zu units; an ordinary payment SMS %zu %s (%d segment%s): %s\n",
			      l10n_code(l.lang), longest, z.units, z.gsm7 ? "GSM-7 septets" : "UCS-2 units", z.segments,
			      z.segments == 1 ? "" : "s", text);
		assert_true(z.segments <= 2);
	}
	free(text);
	free(mail);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sms_segments_count_septets_or_utf16_units),
		cmocka_unit_test(test_every_languages_longest_sms_keeps_code_and_amount_within_the_budget),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
