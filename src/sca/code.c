/*
 * code.c: one-time codes sent in a message, shared by the kinds that send one (sms, voice,
 * email): making the code, its MAC bound to the challenge, the message (a text, read aloud for
 * a FACTOR_KIND_SPOKEN kind, or an email with a subject, a plain text and an HTML body for a
 * FACTOR_KIND_TO_EMAIL kind) through the outbox, checking a typed code, and the phone's part of
 * a description. See kinds.h. Messages fit their names with core/message_text.h.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/sms_size.h"
#include "core/validate.h"
#include "l10n/l10n.h"
#include "delivery/outbox.h"
#include "sca/apps.h"
#include "sca/kinds.h"
#include "sca/users.h"

/* A code's MAC binds it to its challenge and, for a transaction, to the transaction's hash
 * (dynamic linking, RTS art. 5): the same code presented for other details does not match. */
static void code_mac(const struct sca_ctx *ctx, const struct challenge_row *ch, const char *code,
		     uint8_t out[TF_MAC_BYTES])
{
	const char *bound = ch->has_transaction ? ch->tx_hash : "";
	struct mac_part parts[] = {{ch->challenge_id, strlen(ch->challenge_id)}, {code, strlen(code)}, {bound, strlen(bound)}};
	crypto_mac_parts(ctx->svc->keys, "challenge_code", parts, 3, out);
}

/* The words of a code message, in English; the catalogs hold the other languages. Each
 * keeps "{payee}" between ASCII double quotes (tools/po-check), which a payee name cannot
 * contain, so a name can never end the quotation and imitate the words around it. */
static const char *code_words(const struct l10n *l, bool spoken, bool payment)
{
	if (payment)
		return spoken ? l10n_text(l, "{app}: to pay {amount} to \"{payee}\", your code is {code}. Again: {code}. "
					     "It expires in 5 minutes.")
			      : l10n_text(l, "{app}: to pay {amount} to \"{payee}\", your code is {code}. It expires in 5 minutes.");
	return spoken ? l10n_text(l, "{app}: your code is {code}. Again: {code}. It expires in 5 minutes.")
		      : l10n_text(l, "{app}: your code is {code}. It expires in 5 minutes.");
}

/* A name shortened for an SMS ends in "..." rather than U+2026, which GSM-7 lacks: one
 * ellipsis would make the whole message UCS-2 and cut its budget by more than half. */
static void sms_plain_ellipsis(char *fitted, const char *original)
{
	size_t n = strlen(fitted), e = strlen(MESSAGE_ELLIPSIS);
	if (original && strcmp(fitted, original) != 0 && n >= e && !strcmp(fitted + n - e, MESSAGE_ELLIPSIS))
		memcpy(fitted + n - e, "...", 4);
}

bool code_message_text(const struct l10n *l, const char *app_name, enum factor_type type, const char *code,
		       const struct transaction *tx, char *out, size_t size)
{
	const bool spoken = factor_kind_of(type)->flags & FACTOR_KIND_SPOKEN;
	char app[MESSAGE_NAMES_BYTES + 1], payee[MESSAGE_NAMES_BYTES + 1], amount[L10N_AMOUNT_MAX] = "";
	/* an SMS keeps GSM-7 where the words allow: ICU's no-break spaces become spaces */
	if (tx && !l10n_amount(l, tx->amount, tx->currency, !spoken, amount, sizeof amount))
		return false;
	char said[64] = ""; /* read aloud digit by digit */
	size_t k = 0;
	for (const char *p = code; spoken && *p && k < sizeof said - 4; p++)
		k += (size_t)snprintf(said + k, sizeof said - k, "%s%c", p == code ? "" : ", ", *p);
	const char *words = code_words(l, spoken, tx != NULL);
	bool ok = false;
	/* the names take what the words, the amount and the code leave of the message's budget: an
	 * SMS at most SMS_SEGMENTS_MAX segments, in GSM-7 when every character allows it */
	for (size_t units = MESSAGE_NAMES_UNITS; units >= 2;) {
		message_fit_names_within(app_name, tx ? tx->payee_name : NULL, units, app, payee);
		if (!spoken) {
			sms_plain_ellipsis(app, app_name);
			sms_plain_ellipsis(payee, tx ? tx->payee_name : NULL);
		}
		const struct word_value values[] = {{"app", app}, {"payee", payee}, {"amount", amount}, {"code", spoken ? said : code}};
		factor_fill_words(out, size, words, values, 4);
		ok = strlen(out) + 1 < size;
		if (!ok || spoken)
			break;
		struct sms_size z = sms_measure(out);
		if (z.segments <= SMS_SEGMENTS_MAX)
			break;
		ok = false;
		size_t over = z.units - (z.gsm7 ? 153u : 67u) * SMS_SEGMENTS_MAX;
		size_t names = text_utf16_units(app) + text_utf16_units(payee);
		size_t next = names > over + 2 ? names - over : 2;
		units = next < units ? next : units - 1;
	}
	sodium_memzero(said, sizeof said);
	return ok;
}

/* The email's words in English (kinds.h, code_email_compose); the first paragraph is the code
 * message's. */
static void email_words(const struct l10n *l, bool payment, const char **subject, const char **after)
{
	if (payment) {
		*subject = l10n_text(l, "{app}: confirm paying {amount} to \"{payee}\"");
		*after = l10n_text(l, "Enter it only to pay {amount} to \"{payee}\". If you did not ask for this payment, do not "
				      "share the code with anyone and ignore this email.");
	} else {
		*subject = l10n_text(l, "{app}: your verification code");
		*after = l10n_text(l, "If you did not ask for this code, do not share it with anyone and ignore this email.");
	}
}

/* The page around an email's HTML body: UTF-8, its language, its subject as title, inline
 * style only; the application's logo ({logo}: EMAIL_HTML_LOGO or nothing) first. */
#define EMAIL_HTML_HEAD                                                                                         \
	"<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n<title>{subject}</title>\n</head>\n" \
	"<body style=\"font-family:sans-serif;line-height:1.5\">\n{logo}"
/* the logo, from the email's own image part: 40 px high, as on the hosted pages */
#define EMAIL_HTML_LOGO                                                                                         \
	"<p><img src=\"cid:" MESSAGE_LOGO_CID "\" alt=\"{app}\" height=\"40\" "                                   \
	"style=\"display:block;height:40px;width:auto;max-width:100%;border:0\"></p>\n"
#define EMAIL_HTML_TAIL "</body>\n</html>\n"
#define EMAIL_CODE_STYLE "font-size:1.6em;font-weight:bold;letter-spacing:0.2em"

/* in escaped for HTML text and attribute values into out; false when it does not fit */
static bool html_escape(const char *in, char *out, size_t size)
{
	size_t n = 0;
	for (const char *p = in; *p; p++) {
		const char *rep = *p == '&' ? "&amp;" : *p == '<' ? "&lt;" : *p == '>' ? "&gt;" : *p == '"' ? "&quot;"
				  : *p == '\'' ? "&#39;" : NULL;
		size_t k = rep ? strlen(rep) : 1;
		if (n + k >= size)
			return false;
		memcpy(out + n, rep ? rep : p, k);
		n += k;
	}
	out[n] = '\0';
	return true;
}

/* factor_fill_words, false when the result was cut */
static bool fill_whole(char *out, size_t size, const char *words, const struct word_value *values, size_t n)
{
	factor_fill_words(out, size, words, values, n);
	return strlen(out) + 1 < size;
}

/* words as an HTML paragraph's text: escaped first, then each {name} replaced by its escaped
 * value (amount and payee in <strong>, the code large on a line of its own) */
static bool html_paragraph(const char *words, const struct word_value *escaped, size_t n, char *out, size_t size)
{
	char *w = malloc(6 * strlen(words) + 1);
	bool ok = w && html_escape(words, w, 6 * strlen(words) + 1);
	/* escaping turned the quotes around {payee} into &quot;, which the words keep */
	ok = ok && fill_whole(out, size, w, escaped, n);
	free(w);
	return ok;
}

bool code_email_compose(const struct l10n *l, const char *app_name, const struct code_email_brand *brand,
			const char *code, const struct transaction *tx,
			struct code_email *out)
{
	char app[MESSAGE_NAMES_BYTES + 1], payee[MESSAGE_NAMES_BYTES + 1], amount[L10N_AMOUNT_MAX] = "";
	message_fit_names(app_name, tx ? tx->payee_name : NULL, app, payee);
	if (tx && !l10n_amount(l, tx->amount, tx->currency, false, amount, sizeof amount))
		return false;
	const struct word_value plain[] = {{"app", app}, {"payee", payee}, {"amount", amount}, {"code", code}};
	const size_t n = sizeof plain / sizeof plain[0];
	const char *subject, *after, *first = code_words(l, false, tx != NULL);
	email_words(l, tx != NULL, &subject, &after);
	char e_app[6 * sizeof app], e_payee[6 * sizeof payee + 32], e_amount[6 * sizeof amount + 32], e_code[160],
		e_subject[6 * CODE_EMAIL_SUBJECT_MAX], para1[CODE_EMAIL_TEXT_MAX], para2[CODE_EMAIL_TEXT_MAX];
	char line1[CODE_EMAIL_TEXT_MAX], line2[CODE_EMAIL_TEXT_MAX];
	bool ok = fill_whole(out->subject, sizeof out->subject, subject, plain, n) &&
		  fill_whole(line1, sizeof line1, first, plain, n) && fill_whole(line2, sizeof line2, after, plain, n) &&
		  snprintf(out->text, sizeof out->text, "%s\n\n%s\n", line1, line2) < (int)sizeof out->text;
	char tmp[6 * MESSAGE_NAMES_BYTES + 1], color[16] = "";
	/* the code in the application's primary colour (its contrast with white is checked at save) */
	if (brand && brand->color[0] == '#' && strspn(brand->color + 1, "0123456789abcdef") == 6 && strlen(brand->color) == 7)
		snprintf(color, sizeof color, ";color:%s", brand->color);
	ok = ok && html_escape(app, e_app, sizeof e_app) && html_escape(out->subject, e_subject, sizeof e_subject) &&
	     html_escape(payee, tmp, sizeof tmp) &&
	     snprintf(e_payee, sizeof e_payee, "<strong>%s</strong>", tmp) < (int)sizeof e_payee &&
	     html_escape(amount, tmp, sizeof tmp) &&
	     snprintf(e_amount, sizeof e_amount, "<strong>%s</strong>", tmp) < (int)sizeof e_amount &&
	     snprintf(e_code, sizeof e_code, "<span style=\"" EMAIL_CODE_STYLE "%s\">%s</span>", color, code) <
		     (int)sizeof e_code;
	if (ok) {
		const struct word_value escaped[] = {{"app", e_app}, {"payee", e_payee}, {"amount", e_amount}, {"code", e_code}};
		ok = html_paragraph(first, escaped, n, para1, sizeof para1) && html_paragraph(after, escaped, n, para2, sizeof para2);
		char body[CODE_EMAIL_HTML_MAX], logo[sizeof EMAIL_HTML_LOGO + sizeof e_app] = "";
		ok = ok && snprintf(body, sizeof body, "<p>%s</p>\n<p>%s</p>\n", para1, para2) < (int)sizeof body;
		if (brand && brand->logo)
			ok = ok && fill_whole(logo, sizeof logo, EMAIL_HTML_LOGO, escaped, 1);
		const struct word_value page[] = {{"lang", l10n_code(l->lang)}, {"subject", e_subject}, {"logo", logo},
						  {"body", body}};
		ok = ok && fill_whole(out->html, sizeof out->html, EMAIL_HTML_HEAD "{body}" EMAIL_HTML_TAIL, page, 4);
		sodium_memzero(body, sizeof body);
	}
	sodium_memzero(e_code, sizeof e_code);
	sodium_memzero(line1, sizeof line1);
	sodium_memzero(para1, sizeof para1);
	return ok;
}

/* Queues the message that carries code for challenge ch of factor f. */
static enum tf_err code_send(const struct sca_ctx *ctx, const struct factor_row *f, const struct challenge_row *ch,
			     const char *code, char message_id[TF_ID_MAX])
{
	const struct app_row *app = ctx->app;
	const struct factor_kind *kind = factor_kind_of(f->type);
	const struct transaction *tx = ch->has_transaction ? &ch->tx : NULL;
	enum tf_err e = TF_ERR_INTERNAL; /* the buffers hold the longest message: never one without its code */
	const struct l10n l = sca_user_l10n(ctx, f->user_id);
	char language[L10N_FORMAT_TAG_MAX];
	l10n_voice_tag(&l, language);
	if (kind->flags & FACTOR_KIND_TO_EMAIL) {
		/* the application's branding: its colour, and its logo when a PNG (mail clients do not show SVG) */
		uint8_t *logo = NULL;
		size_t logo_len = 0;
		char logo_type[4] = "";
		if (!strcmp(app->brand_logo_type, "png") &&
		    (e = sca_app_brand_logo(ctx, app->app_id, logo_type, &logo, &logo_len)) != TF_OK)
			return e;
		bool png = logo && !strcmp(logo_type, "png");
		e = TF_ERR_INTERNAL;
		struct code_email_brand brand = {.logo = png};
		snprintf(brand.color, sizeof brand.color, "%s", app->brand_color);
		struct code_email *mail = malloc(sizeof *mail);
		if (mail && code_email_compose(&l, app->name, &brand, code, tx, mail)) {
			struct message m = {.app_id = app->app_id, .channel = "email", .to = f->email,
					    .subject = mail->subject, .text = mail->text, .html = mail->html,
					    .language = language, .logo_png = png ? logo : NULL, .logo_png_len = png ? logo_len : 0};
			e = outbox_enqueue(ctx->svc, ctx->db, &m, ctx->now, message_id);
		}
		if (mail)
			sodium_memzero(mail, sizeof *mail);
		free(mail);
		free(logo);
		return e;
	}
	char text[CODE_TEXT_MAX];
	if (code_message_text(&l, app->name, f->type, code, tx, text, sizeof text)) {
		struct message m = {.app_id = app->app_id, .channel = kind->name, .to = f->phone, .text = text,
				    .language = language};
		e = outbox_enqueue(ctx->svc, ctx->db, &m, ctx->now, message_id);
	}
	sodium_memzero(text, sizeof text);
	return e;
}

enum tf_err code_issue(const struct sca_ctx *ctx, const struct factor_row *f, struct challenge_row *ch,
		       char message_id[TF_ID_MAX])
{
	const struct app_row *app = ctx->app;
	char code[16];
	if (app->sandbox)
		snprintf(code, sizeof code, "%s", SANDBOX_CODE);
	else
		crypto_random_digits(6, code);
	code_mac(ctx, ch, code, ch->code_mac);
	ch->has_code = true;
	ch->sends++;
	ch->last_sent_at = ctx->now;
	enum tf_err e = TF_OK;
	message_id[0] = '\0';
	if (!app->sandbox)
		e = code_send(ctx, f, ch, code, message_id);
	sodium_memzero(code, sizeof code);
	return e;
}

enum answer_verdict code_check(const struct sca_ctx *ctx, const struct factor_row *f, const struct challenge_row *ch,
			       const struct factor_attempt *a, int64_t *replay_step)
{
	(void)f;
	(void)replay_step;
	if (!ch->has_code || strlen(a->code) > 15)
		return ANSWER_WRONG;
	uint8_t mac[TF_MAC_BYTES];
	code_mac(ctx, ch, a->code, mac);
	return crypto_equal(mac, ch->code_mac, TF_MAC_BYTES) ? ANSWER_RIGHT : ANSWER_WRONG;
}

void kind_describe_phone(const struct factor_row *f, struct factor_description *d)
{
	size_t len = strlen(f->phone), n = 0;
	d->phone = f->phone;
	snprintf(d->phone_last4, sizeof d->phone_last4, "%s", len > 4 ? f->phone + len - 4 : f->phone);
	/* "+14155550100" -> "+*******0100": enough for the user to recognise the number */
	for (size_t i = 0; i < len && n + 1 < sizeof d->phone_masked; i++)
		d->phone_masked[n++] = (i == 0 && f->phone[i] == '+') || i + 4 >= len ? f->phone[i] : '*';
	d->phone_masked[n] = '\0';
}

enum factor_field kind_phone_check_input(const struct factor_input *in)
{
	return validate_phone_e164(in->phone) ? FACTOR_FIELD_NONE : FACTOR_FIELD_PHONE;
}

enum tf_err kind_phone_enrol(const struct sca_ctx *ctx, const struct factor_input *in, struct factor_row *f,
			     struct factor_enrolment *en)
{
	(void)ctx;
	(void)en;
	snprintf(f->phone, sizeof f->phone, "%s", in->phone);
	return TF_OK;
}
