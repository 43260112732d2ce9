/* Unit tests for the factor kinds (sca/factor_kinds.c and sca/kind_*.c), on a fake clock and
 * keys made here, without a store: the table has one kind per type and names round-trip; the
 * flags agree with the operations; enrolment input is refused in the native API's order; each
 * kind describes itself; an sms code issued to a challenge checks against it and not against
 * another transaction; an authenticator code is right once per step; a push device's approval
 * and denial are told apart by their signatures; a backup code is right when the slow search
 * found it; a sandbox application's code is right for code kinds only. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/otp.h"
#include "core/push.h"
#include "delivery/outbox.h"
#include "sca/kinds.h"
#include "support/fake_clock.h"

static struct tf_keys *keys;
static struct tf_service svc;

static int setup(void **state)
{
	(void)state;
	uint8_t data_keys[TF_DATA_KEYS_BYTES];
	if (crypto_init() != TF_OK)
		return -1;
	memset(data_keys, 7, sizeof data_keys);
	if (keys_new(data_keys, &keys) != TF_OK)
		return -1;
	svc.keys = keys;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	keys_free(keys);
	return 0;
}

static struct sca_ctx ctx_of(const struct app_row *app, int64_t now)
{
	struct sca_ctx ctx = {.svc = &svc, .app = app, .now = now, .client_ip = "", .request_id = ""};
	return ctx;
}

static struct factor_row row_of(enum factor_type type)
{
	struct factor_row f;
	memset(&f, 0, sizeof f);
	snprintf(f.factor_id, sizeof f.factor_id, "fac_test");
	f.type = type;
	f.last_totp_step = -1;
	return f;
}

static struct challenge_row challenge_of(const char *id)
{
	struct challenge_row ch;
	memset(&ch, 0, sizeof ch);
	snprintf(ch.challenge_id, sizeof ch.challenge_id, "%s", id);
	ch.purpose = PURPOSE_STEPUP;
	return ch;
}

static void test_every_type_has_one_kind_and_names_round_trip(void **state)
{
	(void)state;
	for (int t = 0; t < FACTOR_TYPE__MAX; t++) {
		const struct factor_kind *k = factor_kind_of((enum factor_type)t);
		assert_non_null(k);
		assert_int_equal(k->type, t);
		assert_string_equal(k->name, factor_type_names[t]);
		assert_ptr_equal(factor_kind_named(factor_type_names[t]), k);
		for (int u = 0; u < t; u++)
			assert_ptr_not_equal(factor_kind_of((enum factor_type)u), k);
	}
	assert_non_null(factor_kind_named("email"));
	assert_null(factor_kind_named(""));
	assert_null(factor_kind_named("SMS"));
}

static void test_flags_agree_with_the_operations(void **state)
{
	(void)state;
	for (int t = 0; t < FACTOR_TYPE__MAX; t++) {
		const struct factor_kind *k = factor_kind_of((enum factor_type)t);
		assert_non_null(k->check);
		assert_non_null(k->describe);
		assert_int_equal(!!(k->flags & FACTOR_KIND_SLOW_CHECK), k->find != NULL);
		assert_int_equal(!!(k->flags & FACTOR_KIND_SLOW_ENROL), k->prepare != NULL);
		if (k->flags & (FACTOR_KIND_SENDS_CODE | FACTOR_KIND_TO_PHONE))
			assert_non_null(k->issue);
		if (k->flags & (FACTOR_KIND_SPOKEN | FACTOR_KIND_TO_PHONE))
			assert_true(k->flags & FACTOR_KIND_SENDS_CODE);
		if (k->flags & FACTOR_KIND_SENDS_CODE)
			assert_int_equal(k->answer, FACTOR_ANSWER_CODE);
		if (k->denied)
			assert_int_equal(k->answer, FACTOR_ANSWER_DEVICE);
		/* a credential's kind makes what it signs when the challenge is made, and keeps what it proved */
		assert_int_equal(k->answer == FACTOR_ANSWER_CREDENTIAL, k->challenge != NULL);
		if (k->answer == FACTOR_ANSWER_CREDENTIAL)
			assert_non_null(k->accept);
		if (k->fields)
			assert_non_null(k->check_input);
	}
	/* as SPEC section 3 and the API have them */
	assert_true(factor_kind_of(FACTOR_SMS)->flags & FACTOR_KIND_TO_PHONE);
	assert_true(factor_kind_of(FACTOR_VOICE)->flags & FACTOR_KIND_SPOKEN);
	assert_false(factor_kind_of(FACTOR_SMS)->flags & FACTOR_KIND_SPOKEN);
	assert_null(factor_kind_of(FACTOR_TOTP)->issue);
	assert_null(factor_kind_of(FACTOR_BACKUP_CODES)->issue);
	assert_true(factor_kind_of(FACTOR_BACKUP_CODES)->flags & FACTOR_KIND_ONE_PER_USER);
	assert_true(factor_kind_of(FACTOR_BACKUP_CODES)->flags & FACTOR_KIND_FALLBACK);
	assert_false(factor_kind_of(FACTOR_PUSH)->flags & FACTOR_KIND_PICKED_BY_DEFAULT);
	assert_int_equal(factor_kind_of(FACTOR_PUSH)->answer, FACTOR_ANSWER_DEVICE);
	const struct factor_kind *mail = factor_kind_of(FACTOR_EMAIL);
	assert_true(mail->flags & FACTOR_KIND_SENDS_CODE);
	assert_true(mail->flags & FACTOR_KIND_TO_EMAIL);
	assert_false(mail->flags & FACTOR_KIND_TO_PHONE);
	assert_int_equal(mail->fields, FACTOR_FIELD_NONE); /* the address is optional: the user's own */
	assert_int_equal(mail->optional_fields, FACTOR_FIELD_EMAIL);
}

static void test_email_input_and_description(void **state)
{
	(void)state;
	const struct factor_kind *mail = factor_kind_of(FACTOR_EMAIL), *sms = factor_kind_of(FACTOR_SMS);
	assert_int_equal(factor_input_check(mail, &(struct factor_input){0}), FACTOR_FIELD_NONE);
	assert_int_equal(factor_input_check(mail, &(struct factor_input){.email = "Ann@Example.com"}), FACTOR_FIELD_NONE);
	assert_int_equal(factor_input_check(mail, &(struct factor_input){.email = "ann@example.com\r\nBcc: e@x.io"}),
			 FACTOR_FIELD_EMAIL);
	assert_int_equal(factor_input_check(mail, &(struct factor_input){.phone = "+14155550100"}), FACTOR_FIELD_PHONE);
	assert_int_equal(factor_input_check(sms, &(struct factor_input){.phone = "+14155550100", .email = "a@b.io"}),
			 FACTOR_FIELD_EMAIL);
	struct factor_row f;
	memset(&f, 0, sizeof f);
	f.type = FACTOR_EMAIL;
	snprintf(f.email, sizeof f.email, "%s", "ann@example.com");
	struct factor_description d;
	factor_describe(&l10n_english, &f, "Acme", &d);
	assert_string_equal(d.email, "ann@example.com");
	assert_string_equal(d.email_masked, "a***@example.com");
	assert_null(d.phone);
	assert_string_equal(d.label, "Email to a***@example.com");
	assert_string_equal(d.prompt, "We sent a code by email to a***@example.com.");
}

static void test_email_texts_show_amount_and_payee_and_escape_the_html(void **state)
{
	(void)state;
	struct code_email *m = malloc(sizeof *m);
	assert_non_null(m);
	assert_true(code_email_compose(&l10n_english, "Acme <Pay>", NULL, "123456", NULL, m));
	assert_string_equal(m->subject, "Acme <Pay>: your verification code");
	assert_non_null(strstr(m->text, "Acme <Pay>: your code is 123456. It expires in 5 minutes."));
	assert_non_null(strstr(m->html, "Acme &lt;Pay&gt;: your code is"));
	assert_null(strstr(m->html, "<Pay>"));
	assert_non_null(strstr(m->html, "123456"));
	struct transaction tx = {.amount = 123456};
	snprintf(tx.currency, sizeof tx.currency, "EUR");
	snprintf(tx.payee_name, sizeof tx.payee_name, "%s", "Tom & Jerry's");
	assert_true(code_email_compose(&l10n_english, "Acme", NULL, "654321", &tx, m));
	assert_string_equal(m->subject, "Acme: confirm paying €1,234.56 to \"Tom & Jerry's\"");
	assert_non_null(strstr(m->text, "Acme: to pay €1,234.56 to \"Tom & Jerry's\", your code is 654321."));
	assert_non_null(strstr(m->html, "€1,234.56"));
	assert_non_null(strstr(m->html, "Tom &amp; Jerry&#39;s"));
	assert_null(strstr(m->html, "http"));
	/* the longest names still leave the code whole */
	char app[400], payee[sizeof tx.payee_name];
	memset(app, 'A', sizeof app - 1);
	app[sizeof app - 1] = '\0';
	memset(payee, '&', sizeof payee - 1);
	payee[sizeof payee - 1] = '\0';
	snprintf(tx.payee_name, sizeof tx.payee_name, "%s", payee);
	assert_true(code_email_compose(&l10n_english, app, NULL, "999999", &tx, m));
	assert_non_null(strstr(m->text, "your code is 999999."));
	assert_non_null(strstr(m->html, "999999"));
	free(m);
}

/* an application's branding: the code in its colour, its logo (the email's own image part) first
 * with its name as alt text; without one, neither */
static void test_email_html_shows_the_brand_colour_and_logo(void **state)
{
	(void)state;
	struct code_email *m = calloc(1, sizeof *m);
	assert_non_null(m);
	struct code_email_brand brand = {.color = "#1a5fb4", .logo = true};
	assert_true(code_email_compose(&l10n_english, "Acme <Pay>", &brand, "123456", NULL, m));
	assert_non_null(strstr(m->html, "color:#1a5fb4\">123456</span>"));
	const char *img = strstr(m->html, "<img src=\"cid:" MESSAGE_LOGO_CID "\" alt=\"Acme &lt;Pay&gt;\"");
	assert_non_null(img);
	assert_true(img < strstr(m->html, "123456"));
	assert_null(strstr(m->html, "http"));
	assert_non_null(strstr(m->text, "Acme <Pay>: your code is 123456.")); /* the text is unchanged */
	assert_null(strstr(m->text, "cid:"));
	assert_true(code_email_compose(&l10n_english, "Acme", NULL, "123456", NULL, m));
	assert_null(strstr(m->html, "<img"));
	assert_null(strstr(m->html, "color:"));
	free(m);
}

static void test_enrolment_input_is_refused_in_the_api_order(void **state)
{
	(void)state;
	const struct factor_kind *sms = factor_kind_of(FACTOR_SMS), *totp = factor_kind_of(FACTOR_TOTP),
				 *push = factor_kind_of(FACTOR_PUSH), *backup = factor_kind_of(FACTOR_BACKUP_CODES);
	char key[64];
	uint8_t raw[32] = {1};
	sodium_bin2base64(key, sizeof key, raw, sizeof raw, sodium_base64_VARIANT_ORIGINAL);
	struct factor_input in = {.phone = "+14155550100"};
	assert_int_equal(factor_input_check(sms, &in), FACTOR_FIELD_NONE);
	in.phone = "0100";
	assert_int_equal(factor_input_check(sms, &in), FACTOR_FIELD_PHONE);
	in.channel = "AUTHY"; /* a device's field before the kind's own check */
	assert_int_equal(factor_input_check(sms, &in), FACTOR_FIELD_CHANNEL);
	assert_int_equal(factor_input_check(sms, &(struct factor_input){0}), FACTOR_FIELD_PHONE); /* missing */
	assert_int_equal(factor_input_check(totp, &(struct factor_input){0}), FACTOR_FIELD_NONE);
	assert_int_equal(factor_input_check(totp, &(struct factor_input){.phone = "+14155550100"}), FACTOR_FIELD_PHONE);
	assert_int_equal(factor_input_check(backup, &(struct factor_input){.public_key = key, .phone = "+1"}),
			 FACTOR_FIELD_PUBLIC_KEY);
	struct factor_input dev = {.channel = "BIOMETRIC", .public_key = key, .push_address = "token-1"};
	assert_int_equal(factor_input_check(push, &dev), FACTOR_FIELD_NONE);
	dev.phone = "+14155550100"; /* a phone after the kind's own checks */
	assert_int_equal(factor_input_check(push, &dev), FACTOR_FIELD_PHONE);
	dev.channel = "SMS";
	assert_int_equal(factor_input_check(push, &dev), FACTOR_FIELD_CHANNEL);
	dev.channel = "AUTHY";
	dev.public_key = "short";
	assert_int_equal(factor_input_check(push, &dev), FACTOR_FIELD_PUBLIC_KEY);
	dev.public_key = key;
	dev.push_address = "has space";
	assert_int_equal(factor_input_check(push, &dev), FACTOR_FIELD_PUSH_ADDRESS);
	dev.push_address = NULL;
	assert_int_equal(factor_input_check(push, &dev), FACTOR_FIELD_PUSH_ADDRESS);
}

static void test_each_kind_describes_itself(void **state)
{
	(void)state;
	struct factor_description d;
	struct factor_row f = row_of(FACTOR_SMS);
	snprintf(f.phone, sizeof f.phone, "+14155550100");
	factor_describe(&l10n_english, &f, "Acme Pay", &d);
	assert_string_equal(d.phone, "+14155550100");
	assert_string_equal(d.phone_last4, "0100");
	assert_string_equal(d.phone_masked, "+*******0100");
	assert_string_equal(d.label, "Text message to your phone ending in 0100");
	assert_string_equal(d.offer, "Text a code to my phone ending in 0100");
	assert_string_equal(d.prompt, "We sent a code by text message to your phone ending in 0100.");
	assert_string_equal(d.code_label, "Code");
	assert_string_equal(d.inputmode, "numeric");
	assert_null(d.totp_algorithm);
	assert_null(d.push_channel);
	assert_int_equal(d.codes_remaining, -1);

	f.type = FACTOR_VOICE;
	factor_describe(&l10n_english, &f, "Acme Pay", &d);
	assert_string_equal(d.label, "Voice call to your phone ending in 0100");
	assert_string_equal(d.enrol_prompt, "We are calling your phone ending in 0100 to read you a code.");

	f = row_of(FACTOR_TOTP);
	snprintf(f.totp_algorithm, sizeof f.totp_algorithm, "SHA256");
	f.totp_digits = 8;
	factor_describe(&l10n_english, &f, "Acme Pay", &d);
	assert_null(d.phone);
	assert_string_equal(d.totp_algorithm, "SHA256");
	assert_int_equal(d.totp_digits, 8);
	assert_string_equal(d.label, "Authenticator app");
	assert_string_equal(d.prompt, "Open your authenticator app and enter the code it shows for Acme Pay.");
	assert_string_equal(d.enrol_prompt, "Enter the code your authenticator app shows.");

	f = row_of(FACTOR_BACKUP_CODES);
	f.backup_remaining = 3;
	factor_describe(&l10n_english, &f, "Acme Pay", &d);
	assert_int_equal(d.codes_remaining, 3);
	assert_string_equal(d.label, "Backup codes (3 left)");
	assert_string_equal(d.code_label, "Backup code");
	assert_string_equal(d.inputmode, "text");

	f = row_of(FACTOR_PUSH);
	snprintf(f.push_channel, sizeof f.push_channel, "AUTHY");
	factor_describe(&l10n_english, &f, "Acme Pay", &d);
	assert_string_equal(d.push_channel, "AUTHY");
	assert_string_equal(d.label, "Approval on your phone");
	assert_int_equal(d.codes_remaining, -1);
}

/* Every word each kind shows people, as the hosted pages show them. */
static void test_each_kind_words_every_field(void **state)
{
	(void)state;
	const struct {
		enum factor_type type;
		const char *label, *offer, *prompt, *enrol_prompt, *code_label;
	} want[] = {
		{FACTOR_SMS, "Text message to your phone ending in 0100", "Text a code to my phone ending in 0100",
		 "We sent a code by text message to your phone ending in 0100.",
		 "We sent a code by text message to your phone ending in 0100.", "Code"},
		{FACTOR_VOICE, "Voice call to your phone ending in 0100", "Call my phone ending in 0100",
		 "We are calling your phone ending in 0100 to read you a code.",
		 "We are calling your phone ending in 0100 to read you a code.", "Code"},
		{FACTOR_TOTP, "Authenticator app", "Use my authenticator app",
		 "Open your authenticator app and enter the code it shows for Acme {phone} Pay.",
		 "Enter the code your authenticator app shows.", "Code"},
		{FACTOR_BACKUP_CODES, "Backup codes (10 left)", "Use a backup code",
		 "Enter one of your backup codes. Each code works once.", "Enter one of your backup codes.", "Backup code"},
		{FACTOR_PUSH, "Approval on your phone", "Approve on my phone", "Approve the request on your phone.",
		 "Approve the request on your phone.", "Code"},
	};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		struct factor_row f = row_of(want[i].type);
		snprintf(f.phone, sizeof f.phone, "+14155550100");
		f.backup_remaining = 10;
		struct factor_description d;
		/* an application's name is put in as it is, braces included */
		factor_describe(&l10n_english, &f, "Acme {phone} Pay", &d);
		assert_string_equal(d.label, want[i].label);
		assert_string_equal(d.offer, want[i].offer);
		assert_string_equal(d.prompt, want[i].prompt);
		assert_string_equal(d.enrol_prompt, want[i].enrol_prompt);
		assert_string_equal(d.code_label, want[i].code_label);
	}
	/* a long name is cut to the field's size, as snprintf cuts */
	char name[600];
	memset(name, 'n', sizeof name - 1);
	name[sizeof name - 1] = '\0';
	struct factor_row f = row_of(FACTOR_TOTP);
	struct factor_description d;
	factor_describe(&l10n_english, &f, name, &d);
	const char *before = "Open your authenticator app and enter the code it shows for ";
	size_t kept = sizeof d.prompt - 1;
	assert_int_equal(strlen(d.prompt), kept);
	assert_memory_equal(d.prompt, before, strlen(before));
	assert_memory_equal(d.prompt + strlen(before), name, kept - strlen(before));
}

static void test_an_sms_code_checks_against_its_challenge_and_transaction_only(void **state)
{
	(void)state;
	struct fake_clock clk = fake_clock_new();
	struct app_row sandbox = {.sandbox = true}, live = {.sandbox = false};
	struct sca_ctx issuing = ctx_of(&sandbox, clk.now_ms), checking = ctx_of(&live, clk.now_ms);
	struct factor_row f = row_of(FACTOR_SMS);
	struct challenge_row ch = challenge_of("chl_one");
	ch.has_transaction = true;
	snprintf(ch.tx_hash, sizeof ch.tx_hash, "%064d", 1);
	char message_id[TF_ID_MAX] = "x";
	/* a sandbox application's code is 123456 and nothing is sent */
	assert_int_equal(factor_kind_of(FACTOR_SMS)->issue(&issuing, &f, &ch, message_id), TF_OK);
	assert_string_equal(message_id, "");
	assert_true(ch.has_code);
	assert_int_equal(ch.sends, 1);
	assert_int_equal(ch.last_sent_at, clk.now_ms);
	int64_t step = -1;
	assert_int_equal(factor_check(&checking, &f, &ch, &(struct factor_attempt){.code = "123456"}, &step), ANSWER_RIGHT);
	assert_int_equal(factor_check(&checking, &f, &ch, &(struct factor_attempt){.code = "123457"}, &step), ANSWER_WRONG);
	assert_int_equal(step, -1);
	struct challenge_row other = ch;
	snprintf(other.tx_hash, sizeof other.tx_hash, "%064d", 2); /* another payment's details */
	assert_int_equal(factor_check(&checking, &f, &other, &(struct factor_attempt){.code = "123456"}, &step), ANSWER_WRONG);
	other = ch;
	snprintf(other.challenge_id, sizeof other.challenge_id, "chl_two"); /* another challenge */
	assert_int_equal(factor_check(&checking, &f, &other, &(struct factor_attempt){.code = "123456"}, &step), ANSWER_WRONG);
	struct challenge_row none = challenge_of("chl_three"); /* no code issued */
	assert_int_equal(factor_check(&checking, &f, &none, &(struct factor_attempt){.code = "123456"}, &step), ANSWER_WRONG);
}

static void test_an_authenticator_code_is_right_once_per_step(void **state)
{
	(void)state;
	struct fake_clock clk = fake_clock_new();
	struct app_row live = {0};
	struct sca_ctx ctx = ctx_of(&live, clk.now_ms);
	struct factor_row f = row_of(FACTOR_TOTP);
	uint8_t secret[TOTP_SECRET_BYTES], *sealed;
	size_t sealed_len;
	memset(secret, 3, sizeof secret);
	assert_int_equal(crypto_seal(keys, secret, sizeof secret, &sealed, &sealed_len), TF_OK);
	memcpy(f.secret_sealed, sealed, sealed_len);
	f.secret_sealed_len = sealed_len;
	free(sealed);
	snprintf(f.totp_algorithm, sizeof f.totp_algorithm, "SHA1");
	f.totp_digits = 6;
	char code[16];
	int64_t now_step = totp_step(clk.now_ms, 30);
	hotp_code(secret, sizeof secret, OTP_SHA1, 6, (uint64_t)now_step, code);
	struct challenge_row ch = challenge_of("chl_totp");
	int64_t step = f.last_totp_step;
	assert_int_equal(factor_check(&ctx, &f, &ch, &(struct factor_attempt){.code = code}, &step), ANSWER_RIGHT);
	assert_int_equal(step, now_step);
	f.last_totp_step = step;
	assert_int_equal(factor_check(&ctx, &f, &ch, &(struct factor_attempt){.code = code}, &step), ANSWER_REPLAYED);
	hotp_code(secret, sizeof secret, OTP_SHA1, 6, (uint64_t)(now_step + 2), code);
	assert_int_equal(factor_check(&ctx, &f, &ch, &(struct factor_attempt){.code = code}, &step), ANSWER_WRONG);
}

static void test_a_push_approval_and_denial_are_told_apart_by_their_signatures(void **state)
{
	(void)state;
	struct fake_clock clk = fake_clock_new();
	struct app_row sandbox = {.sandbox = true};
	struct sca_ctx ctx = ctx_of(&sandbox, clk.now_ms);
	const struct factor_kind *push = factor_kind_of(FACTOR_PUSH);
	uint8_t pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
	crypto_sign_keypair(pk, sk);
	struct factor_row f = row_of(FACTOR_PUSH);
	memcpy(f.push_public_key, pk, sizeof pk);
	struct challenge_row ch = challenge_of("chl_push");
	char message_id[TF_ID_MAX];
	assert_int_equal(push->issue(&ctx, &f, &ch, message_id), TF_OK); /* sandbox: nothing sent */
	assert_false(ch.has_code);
	assert_int_equal(ch.sends, 1);
	char msg[PUSH_SIGNING_STRING_MAX];
	struct push_answer approve = {.approve = true}, deny = {.approve = false}, forged = {.approve = true};
	size_t n = push_signing_string(ch.challenge_id, true, "", msg, sizeof msg);
	crypto_sign_detached(approve.signature, NULL, (const uint8_t *)msg, n, sk);
	n = push_signing_string(ch.challenge_id, false, "", msg, sizeof msg);
	crypto_sign_detached(deny.signature, NULL, (const uint8_t *)msg, n, sk);
	memcpy(forged.signature, deny.signature, sizeof forged.signature); /* a denial's signature on an approval */
	int64_t step = -1;
	struct factor_attempt a = {.push = &approve}, d = {.push = &deny}, x = {.push = &forged};
	assert_int_equal(factor_check(&ctx, &f, &ch, &a, &step), ANSWER_RIGHT);
	assert_false(push->denied(&f, &ch, &a));
	assert_true(push->denied(&f, &ch, &d));
	assert_int_equal(factor_check(&ctx, &f, &ch, &d, &step), ANSWER_WRONG);
	assert_int_equal(factor_check(&ctx, &f, &ch, &x, &step), ANSWER_WRONG);
	assert_false(push->denied(&f, &ch, &x));
	struct challenge_row other = challenge_of("chl_other");
	assert_int_equal(factor_check(&ctx, &f, &other, &a, &step), ANSWER_WRONG);
	/* the sandbox code is no answer for a device */
	assert_int_equal(factor_check(&ctx, &f, &ch, &(struct factor_attempt){.code = SANDBOX_CODE}, &step), ANSWER_WRONG);
}

static void test_a_backup_code_is_right_when_the_search_found_it(void **state)
{
	(void)state;
	struct app_row live = {0}, sandbox = {.sandbox = true};
	struct sca_ctx ctx = ctx_of(&live, FAKE_CLOCK_START), sandbox_ctx = ctx_of(&sandbox, FAKE_CLOCK_START);
	struct factor_row f = row_of(FACTOR_BACKUP_CODES);
	struct challenge_row ch = challenge_of("chl_backup");
	struct factor_found none = {.idx = -1}, third = {.idx = 2};
	int64_t step = -1;
	assert_int_equal(factor_check(&ctx, &f, &ch, &(struct factor_attempt){.code = "abcd-efgh-23", .found = &none}, &step),
			 ANSWER_WRONG);
	assert_int_equal(factor_check(&ctx, &f, &ch, &(struct factor_attempt){.code = "abcd-efgh-23", .found = &third}, &step),
			 ANSWER_RIGHT);
	assert_int_equal(factor_check(&sandbox_ctx, &f, &ch, &(struct factor_attempt){.code = SANDBOX_CODE, .found = &none}, &step),
			 ANSWER_RIGHT);
	assert_int_equal(factor_check(&ctx, &f, &ch, &(struct factor_attempt){.code = SANDBOX_CODE, .found = &none}, &step),
			 ANSWER_WRONG);
}

static void test_an_enrolment_is_wiped(void **state)
{
	(void)state;
	struct factor_enrolment en;
	memset(&en, 0x5a, sizeof en);
	factor_enrolment_wipe(&en);
	struct factor_enrolment zero;
	memset(&zero, 0, sizeof zero);
	assert_memory_equal(&en, &zero, sizeof en);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_type_has_one_kind_and_names_round_trip),
		cmocka_unit_test(test_flags_agree_with_the_operations),
		cmocka_unit_test(test_email_input_and_description),
		cmocka_unit_test(test_email_texts_show_amount_and_payee_and_escape_the_html),
		cmocka_unit_test(test_email_html_shows_the_brand_colour_and_logo),
		cmocka_unit_test(test_enrolment_input_is_refused_in_the_api_order),
		cmocka_unit_test(test_each_kind_describes_itself),
		cmocka_unit_test(test_each_kind_words_every_field),
		cmocka_unit_test(test_an_sms_code_checks_against_its_challenge_and_transaction_only),
		cmocka_unit_test(test_an_authenticator_code_is_right_once_per_step),
		cmocka_unit_test(test_a_push_approval_and_denial_are_told_apart_by_their_signatures),
		cmocka_unit_test(test_a_backup_code_is_right_when_the_search_found_it),
		cmocka_unit_test(test_an_enrolment_is_wiped),
	};
	return cmocka_run_group_tests_name("sca/factor_kinds", tests, setup, teardown);
}
