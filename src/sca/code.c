/*
 * code.c: one-time codes sent in a message to a phone, shared by the kinds that send one (sms,
 * voice): making the code, its MAC bound to the challenge, the message text (written, or read
 * aloud for a FACTOR_KIND_SPOKEN kind) through the outbox, checking a typed code, and the
 * phone's part of a description. See kinds.h. Message texts fit their names with
 * core/message_text.h.
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "core/validate.h"
#include "delivery/outbox.h"
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
	if (!app->sandbox) {
		char text[CODE_TEXT_MAX];
		if (code_message_text(app->name, f->type, code, ch->has_transaction ? &ch->tx : NULL, text, sizeof text)) {
			struct message m = {.app_id = app->app_id, .channel = factor_kind_of(f->type)->name, .to = f->phone, .text = text};
			e = outbox_enqueue(ctx->svc, ctx->db, &m, ctx->now, message_id);
		} else {
			e = TF_ERR_INTERNAL; /* CODE_TEXT_MAX holds the longest text: never a message without its code */
		}
		sodium_memzero(text, sizeof text);
	}
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
