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

#include "core/validate.h"
#include "delivery/outbox.h"
#include "sca/apps.h"
#include "sca/kinds.h"

/* A code's MAC binds it to its challenge and, for a transaction, to the transaction's hash
 * (dynamic linking, RTS art. 5): the same code presented for other details does not match. */
static void code_mac(const struct sca_ctx *ctx, const struct challenge_row *ch, const char *code,
		     uint8_t out[TF_MAC_BYTES])
{
	const char *bound = ch->has_transaction ? ch->tx_hash : "";
	struct mac_part parts[] = {{ch->challenge_id, strlen(ch->challenge_id)}, {code, strlen(code)}, {bound, strlen(bound)}};
	crypto_mac_parts(ctx->svc->keys, "challenge_code", parts, 3, out);
}

bool code_message_text(const char *app_name, enum factor_type type, const char *code, const struct transaction *tx,
		       char *out, size_t size)
{
	char app[MESSAGE_NAMES_BYTES + 1], payee[MESSAGE_NAMES_BYTES + 1];
	char what[TX_AMOUNT_TEXT_MAX + MESSAGE_NAMES_BYTES + 32] = "";
	message_fit_names(app_name, tx ? tx->payee_name : NULL, app, payee);
	if (tx) { /* the payer sees amount and payee before the code (RTS art. 5(1)(a)); the payee
		   * between quotes, which its name cannot contain */
		char amount[TX_AMOUNT_TEXT_MAX];
		transaction_format_amount(tx->amount, tx->currency, amount);
		snprintf(what, sizeof what, " to pay %s to \"%s\",", amount, payee);
	}
	int n;
	if (!(factor_kind_of(type)->flags & FACTOR_KIND_SPOKEN)) {
		n = snprintf(out, size, "%s:%s your code is %s. It expires in 5 minutes.", app, what, code);
		return n > 0 && (size_t)n < size;
	}
	/* read aloud digit by digit, twice */
	char spoken[64] = "";
	size_t k = 0;
	for (const char *p = code; *p && k < sizeof spoken - 4; p++)
		k += (size_t)snprintf(spoken + k, sizeof spoken - k, "%s%c", p == code ? "" : ", ", *p);
	n = snprintf(out, size, "%s:%s your code is %s. Again: %s. It expires in 5 minutes.", app, what, spoken, spoken);
	sodium_memzero(spoken, sizeof spoken);
	return n > 0 && (size_t)n < size;
}

/* The email's words (kinds.h, code_email_compose): {app} and {payee} fitted, {amount} as
 * "EUR 49.99", {code} the digits; in the HTML each value is escaped first. */
static const struct {
	const char *subject, *text, *html;
} email_words[2] = {
	[0] = {
		.subject = "{app}: your verification code",
		.text = "{app}: your code is {code}. It expires in 5 minutes.\n\n"
			"If you did not ask for this code, do not share it with anyone and ignore this email.\n",
		.html = "<p>{app}: your code is</p>\n<p style=\"font-size:1.6em;font-weight:bold;letter-spacing:0.2em\">{code}</p>\n"
			"<p>It expires in 5 minutes.</p>\n"
			"<p>If you did not ask for this code, do not share it with anyone and ignore this email.</p>\n",
	},
	[1] = { /* a payment: amount and payee before the code (RTS art. 5(1)(a)) */
		.subject = "{app}: confirm paying {amount} to \"{payee}\"",
		.text = "{app}: to pay {amount} to \"{payee}\", your code is {code}. It expires in 5 minutes.\n\n"
			"Enter it only to pay {amount} to \"{payee}\". If you did not ask for this payment, do not share "
			"the code with anyone and ignore this email.\n",
		.html = "<p>{app}: to pay <strong>{amount}</strong> to <strong>&quot;{payee}&quot;</strong>, your code is</p>\n"
			"<p style=\"font-size:1.6em;font-weight:bold;letter-spacing:0.2em\">{code}</p>\n"
			"<p>It expires in 5 minutes.</p>\n"
			"<p>Enter it only to pay {amount} to &quot;{payee}&quot;. If you did not ask for this payment, do not "
			"share the code with anyone and ignore this email.</p>\n",
	},
};

/* The page around an email's HTML body: UTF-8, its subject as title, inline style only; the
 * application's logo ({logo}: EMAIL_HTML_LOGO or nothing) first. */
#define EMAIL_HTML_HEAD                                                                                         \
	"<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n<title>{subject}</title>\n</head>\n"           \
	"<body style=\"font-family:sans-serif;line-height:1.5\">\n{logo}"
/* the logo, from the email's own image part: 40 px high, as on the hosted pages */
#define EMAIL_HTML_LOGO                                                                                         \
	"<p><img src=\"cid:" MESSAGE_LOGO_CID "\" alt=\"{app}\" height=\"40\" "                                   \
	"style=\"display:block;height:40px;width:auto;max-width:100%;border:0\"></p>\n"
/* the code in the application's primary colour (its contrast with white is checked at save) */
#define EMAIL_HTML_CODE "<span style=\"color:{color}\">{code}</span>"
#define EMAIL_HTML_TAIL "</body>\n</html>\n"

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

bool code_email_compose(const char *app_name, const char *code, const struct transaction *tx, struct code_email *out)
{
	char app[MESSAGE_NAMES_BYTES + 1], payee[MESSAGE_NAMES_BYTES + 1], amount[TX_AMOUNT_TEXT_MAX] = "";
	message_fit_names(app_name, tx ? tx->payee_name : NULL, app, payee);
	if (tx)
		transaction_format_amount(tx->amount, tx->currency, amount);
	const struct word_value plain[] = {{"app", app}, {"payee", payee}, {"amount", amount}, {"code", code}};
	const size_t n = sizeof plain / sizeof plain[0];
	const int w = tx ? 1 : 0;
	char e_app[6 * sizeof app], e_payee[6 * sizeof payee], e_amount[6 * sizeof amount], e_code[160], e_subject[6 * CODE_EMAIL_SUBJECT_MAX];
	bool ok = fill_whole(out->subject, sizeof out->subject, email_words[w].subject, plain, n) &&
		  fill_whole(out->text, sizeof out->text, email_words[w].text, plain, n) &&
		  html_escape(app, e_app, sizeof e_app) && html_escape(payee, e_payee, sizeof e_payee) &&
		  html_escape(amount, e_amount, sizeof e_amount) && html_escape(code, e_code, sizeof e_code) &&
		  html_escape(out->subject, e_subject, sizeof e_subject);
	char color[8];
	if (ok && out->brand_color[0] && html_escape(out->brand_color, color, sizeof color)) {
		char plain_code[sizeof e_code];
		snprintf(plain_code, sizeof plain_code, "%s", e_code);
		const struct word_value coloured[] = {{"color", color}, {"code", plain_code}};
		ok = fill_whole(e_code, sizeof e_code, EMAIL_HTML_CODE, coloured, 2);
		sodium_memzero(plain_code, sizeof plain_code);
	}
	if (ok) {
		const struct word_value escaped[] = {{"app", e_app}, {"payee", e_payee}, {"amount", e_amount}, {"code", e_code}};
		char body[CODE_EMAIL_HTML_MAX], logo[sizeof EMAIL_HTML_LOGO + sizeof e_app] = "";
		ok = fill_whole(body, sizeof body, email_words[w].html, escaped, n);
		if (out->brand_logo)
			ok = ok && fill_whole(logo, sizeof logo, EMAIL_HTML_LOGO, escaped, 1);
		const struct word_value page[] = {{"subject", e_subject}, {"logo", logo}, {"body", body}};
		ok = ok && fill_whole(out->html, sizeof out->html, EMAIL_HTML_HEAD "{body}" EMAIL_HTML_TAIL, page, 3);
		sodium_memzero(body, sizeof body);
	}
	sodium_memzero(e_code, sizeof e_code);
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
		struct code_email *mail = calloc(1, sizeof *mail);
		if (mail) {
			snprintf(mail->brand_color, sizeof mail->brand_color, "%s", app->brand_color);
			mail->brand_logo = png;
		}
		if (mail && code_email_compose(app->name, code, tx, mail)) {
			struct message m = {.app_id = app->app_id, .channel = "email", .to = f->email,
					    .subject = mail->subject, .text = mail->text, .html = mail->html,
					    .logo_png = png ? logo : NULL, .logo_png_len = png ? logo_len : 0};
			e = outbox_enqueue(ctx->svc, ctx->db, &m, ctx->now, message_id);
		}
		if (mail)
			sodium_memzero(mail, sizeof *mail);
		free(mail);
		free(logo);
		return e;
	}
	char text[CODE_TEXT_MAX];
	if (code_message_text(app->name, f->type, code, tx, text, sizeof text)) {
		struct message m = {.app_id = app->app_id, .channel = kind->name, .to = f->phone, .text = text};
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
