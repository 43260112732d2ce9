/*
 * kind_push.c: the push kind (SPEC section 3, seed 003): a device holding an Ed25519 key pair,
 * enrolled with its channel (AUTHY or BIOMETRIC), its public key and the address the delivery
 * provider reaches it at. Each challenge sends a push carrying the application, the purpose
 * and, for a payment, amount and payee; the device answers approve or deny, signed over
 * core/push.h's string: a valid approval is a right answer, a valid denial ends the challenge,
 * any other signature is a wrong answer. Used only when named (a challenge naming no factor
 * never picks it, and authorize lists it only for payments); the hosted pages cannot answer it.
 */
#include <stdio.h>
#include <string.h>

#include "core/push.h"
#include "delivery/outbox.h"
#include "l10n/l10n.h"
#include "sca/kinds.h"
#include "sca/users.h"

static enum factor_field check_input(const struct factor_input *in)
{
	uint8_t key[32];
	if (!push_channel_ok(in->channel))
		return FACTOR_FIELD_CHANNEL;
	if (!crypto_base64_decode_exact(in->public_key, key, sizeof key))
		return FACTOR_FIELD_PUBLIC_KEY;
	if (!push_address_ok(in->push_address))
		return FACTOR_FIELD_PUSH_ADDRESS;
	return FACTOR_FIELD_NONE;
}

static enum tf_err enrol(const struct sca_ctx *ctx, const struct factor_input *in, struct factor_row *f,
			 struct factor_enrolment *en)
{
	(void)ctx;
	(void)en;
	if (!crypto_base64_decode_exact(in->public_key, f->push_public_key, sizeof f->push_public_key))
		return TF_ERR_INVALID_FIELD; /* check_input said it decodes */
	snprintf(f->push_channel, sizeof f->push_channel, "%s", in->channel);
	snprintf(f->push_address, sizeof f->push_address, "%s", in->push_address);
	return TF_OK;
}

bool code_push_text(const struct l10n *l, const char *app_name, enum challenge_purpose purpose,
		    const struct transaction *tx, char *out, size_t size)
{
	char app[MESSAGE_NAMES_BYTES + 1], payee[MESSAGE_NAMES_BYTES + 1], amount[L10N_AMOUNT_MAX] = "";
	message_fit_names(app_name, tx ? tx->payee_name : NULL, app, payee);
	if (tx && !l10n_amount(l, tx->amount, tx->currency, false, amount, sizeof amount))
		return false;
	const char *words = tx ? l10n_text(l, "{app}: approve paying {amount} to \"{payee}\"?")
			   : purpose == PURPOSE_ENROLMENT ? l10n_text(l, "{app}: approve to use this device to confirm it is you.")
							  : l10n_text(l, "{app}: is it you signing in? Approve or deny.");
	const struct word_value values[] = {{"app", app}, {"payee", payee}, {"amount", amount}};
	factor_fill_words(out, size, words, values, 3);
	return strlen(out) + 1 < size;
}

/* The push: its text, and the data the device shows and signs against (docs/transactions.md).
 * Sets sends and last_sent_at; no code. A sandbox application sends nothing. */
static enum tf_err issue(const struct sca_ctx *ctx, const struct factor_row *f, struct challenge_row *ch,
			 char message_id[TF_ID_MAX])
{
	const struct app_row *app = ctx->app;
	ch->has_code = false;
	ch->sends++;
	ch->last_sent_at = ctx->now;
	message_id[0] = '\0';
	if (app->sandbox)
		return TF_OK;
	char text[CODE_TEXT_MAX], amount[TX_AMOUNT_TEXT_MAX];
	const struct l10n l = sca_user_l10n(ctx, f->user_id);
	if (!code_push_text(&l, app->name, ch->purpose, ch->has_transaction ? &ch->tx : NULL, text, sizeof text))
		return TF_ERR_INTERNAL; /* CODE_TEXT_MAX holds the longest text */
	json_t *data = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "type", "twofold.push_challenge", "challenge_id",
				 ch->challenge_id, "application", app->name, "purpose", purpose_names[ch->purpose], "channel",
				 f->push_channel, "signing", "twofold-push-v1");
	if (ch->has_transaction) {
		transaction_format_amount(ch->tx.amount, ch->tx.currency, amount);
		json_object_set_new(data, "transaction",
				    json_pack("{s:I, s:s, s:s, s:{s:s, s:s}, s:s}", "amount", (json_int_t)ch->tx.amount,
					      "currency", ch->tx.currency, "amount_text", amount, "payee", "name",
					      ch->tx.payee_name, "account", ch->tx.payee_account, "transaction_hash",
					      ch->tx_hash));
	}
	struct message m = {.app_id = app->app_id, .channel = factor_kind_of(f->type)->name, .to = f->push_address, .text = text, .data = data,
			    .language = l.tag};
	enum tf_err e = outbox_enqueue(ctx->svc, ctx->db, &m, ctx->now, message_id);
	json_decref(data);
	return e;
}

/* Whether signature is the factor's key's over ch's signing string for this decision. */
static bool answer_valid(const struct factor_row *f, const struct challenge_row *ch, bool approve, const uint8_t signature[64])
{
	char msg[PUSH_SIGNING_STRING_MAX];
	size_t n = push_signing_string(ch->challenge_id, approve, ch->has_transaction ? ch->tx_hash : "", msg, sizeof msg);
	return n > 0 && crypto_ed25519_verify(signature, msg, n, f->push_public_key);
}

/* A signature that is not the device's, or not for this challenge, is a wrong answer. */
static enum answer_verdict check(const struct sca_ctx *ctx, const struct factor_row *f, const struct challenge_row *ch,
				 const struct factor_attempt *a, int64_t *replay_step)
{
	(void)ctx;
	(void)replay_step;
	return a->push && a->push->approve && answer_valid(f, ch, true, a->push->signature) ? ANSWER_RIGHT : ANSWER_WRONG;
}

/* The user said no on the device: the challenge is over. */
static bool denied(const struct factor_row *f, const struct challenge_row *ch, const struct factor_attempt *a)
{
	return a->push && !a->push->approve && answer_valid(f, ch, false, a->push->signature);
}

static void describe(const struct factor_row *f, struct factor_description *d)
{
	d->push_channel = f->push_channel;
}

const struct factor_kind factor_kind_push = {
	.type = FACTOR_PUSH,
	.name = "push",
	.flags = FACTOR_KIND_NEEDS_SMARTPHONE,
	.needs = "smartphone",
	.answer = FACTOR_ANSWER_DEVICE,
	.fields = FACTOR_FIELD_CHANNEL | FACTOR_FIELD_PUBLIC_KEY | FACTOR_FIELD_PUSH_ADDRESS,
	.words = {
		.label = N_("Approval on your phone"),
		.offer = N_("Approve on my phone"),
		.prompt = N_("Approve the request on your phone."),
		.enrol_prompt = N_("Approve the request on your phone."),
	},
	.check_input = check_input,
	.enrol = enrol,
	.issue = issue,
	.check = check,
	.denied = denied,
	.describe = describe,
};
