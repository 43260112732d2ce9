/* codes.c: see codes.h. Message texts fit their names with core/message_text.h. */
#include "service/codes.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/message_text.h"
#include "core/otp.h"
#include "core/push.h"
#include "delivery/outbox.h"

/* A code's MAC binds it to its challenge and, for a transaction, to the transaction's hash
 * (dynamic linking, RTS art. 5): the same code presented for other details does not match. */
static void code_mac(struct tf_service *svc, const struct challenge_row *ch, const char *code, uint8_t out[TF_MAC_BYTES])
{
	const char *bound = ch->has_transaction ? ch->tx_hash : "";
	struct mac_part parts[] = {{ch->challenge_id, strlen(ch->challenge_id)}, {code, strlen(code)}, {bound, strlen(bound)}};
	crypto_mac_parts(svc->keys, "challenge_code", parts, 3, out);
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
	if (type != FACTOR_VOICE) {
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

bool code_push_text(const char *app_name, enum challenge_purpose purpose, const struct transaction *tx, char *out,
		    size_t size)
{
	char app[MESSAGE_NAMES_BYTES + 1], payee[MESSAGE_NAMES_BYTES + 1], amount[TX_AMOUNT_TEXT_MAX];
	message_fit_names(app_name, tx ? tx->payee_name : NULL, app, payee);
	int n;
	if (tx) {
		transaction_format_amount(tx->amount, tx->currency, amount);
		n = snprintf(out, size, "%s: approve paying %s to \"%s\"?", app, amount, payee);
	} else if (purpose == PURPOSE_ENROLMENT) {
		n = snprintf(out, size, "%s: approve to use this device to confirm it is you.", app);
	} else {
		n = snprintf(out, size, "%s: is it you signing in? Approve or deny.", app);
	}
	return n > 0 && (size_t)n < size;
}

enum tf_err code_send(struct tf_service *svc, struct store_conn *c, const struct app_row *app,
		      const struct factor_row *f, struct challenge_row *ch, int64_t now, char message_id[TF_ID_MAX])
{
	char code[16];
	if (app->sandbox)
		snprintf(code, sizeof code, "%s", SANDBOX_CODE);
	else
		crypto_random_digits(6, code);
	code_mac(svc, ch, code, ch->code_mac);
	ch->has_code = true;
	ch->sends++;
	ch->last_sent_at = now;
	enum tf_err e = TF_OK;
	if (message_id)
		message_id[0] = '\0';
	if (!app->sandbox) {
		char text[CODE_TEXT_MAX], id[TF_ID_MAX];
		if (code_message_text(app->name, f->type, code, ch->has_transaction ? &ch->tx : NULL, text, sizeof text)) {
			struct message m = {.app_id = app->app_id, .channel = factor_type_names[f->type], .to = f->phone, .text = text};
			e = outbox_enqueue(svc, c, &m, now, message_id ? message_id : id);
		} else {
			e = TF_ERR_INTERNAL; /* CODE_TEXT_MAX holds the longest text: never a message without its code */
		}
		sodium_memzero(text, sizeof text);
	}
	sodium_memzero(code, sizeof code);
	return e;
}

bool code_normalise_backup(const char *in, char out[BACKUP_CODE_LEN + 1])
{
	size_t n = 0;
	for (const char *p = in; *p; p++) {
		char ch = *p;
		if (ch == ' ' || ch == '-')
			continue;
		if (ch >= 'A' && ch <= 'Z')
			ch = (char)(ch - 'A' + 'a');
		if (n >= BACKUP_CODE_LEN || !strchr(BACKUP_CODE_ALPHABET, ch))
			return false;
		out[n++] = ch;
	}
	out[n] = '\0';
	return n == BACKUP_CODE_LEN;
}

enum tf_err code_find_backup(struct store_conn *c, const struct factor_row *f, const char *code, struct backup_match *out)
{
	struct backup_code_row rows[BACKUP_CODES_PER_SHEET];
	size_t n;
	char norm[BACKUP_CODE_LEN + 1];
	out->idx = -1;
	enum tf_err e = STORE(c)->backup_codes_list(c, f->factor_id, rows, BACKUP_CODES_PER_SHEET, &n);
	if (e != TF_OK)
		return e;
	bool valid = code_normalise_backup(code, norm);
	for (size_t i = 0; i < n; i++) {
		if (rows[i].used_at)
			continue;
		/* checked even when the input cannot be a code, to keep the time the same */
		if (crypto_lookup_secret_verify(rows[i].code_hash, valid ? norm : "----------") && valid && out->idx < 0) {
			out->idx = rows[i].idx;
			snprintf(out->code_hash, sizeof out->code_hash, "%s", rows[i].code_hash);
		}
	}
	sodium_memzero(norm, sizeof norm);
	return TF_OK;
}

void code_totp_params(const char *algorithm, int digits, struct totp_params *p)
{
	p->alg = !strcmp(algorithm, "SHA256") ? OTP_SHA256 : !strcmp(algorithm, "SHA512") ? OTP_SHA512 : OTP_SHA1;
	p->digits = digits == 8 ? 8 : 6;
	p->step_s = 30;
	p->window = 1;
}

enum code_verdict code_check(struct tf_service *svc, const struct app_row *app, const struct factor_row *f,
			     const struct challenge_row *ch, const char *code, int backup_idx, int64_t now,
			     int64_t *totp_step)
{
	if (app->sandbox && strcmp(code, SANDBOX_CODE) == 0)
		return CODE_RIGHT;
	switch (f->type) {
	case FACTOR_SMS:
	case FACTOR_VOICE: {
		if (!ch->has_code || strlen(code) > 15)
			return CODE_WRONG;
		uint8_t mac[TF_MAC_BYTES];
		code_mac(svc, ch, code, mac);
		return crypto_equal(mac, ch->code_mac, TF_MAC_BYTES) ? CODE_RIGHT : CODE_WRONG;
	}
	case FACTOR_TOTP: {
		uint8_t *secret;
		size_t len;
		if (crypto_open(svc->keys, f->secret_sealed, f->secret_sealed_len, &secret, &len) != TF_OK)
			return CODE_WRONG;
		struct totp_params p;
		code_totp_params(f->totp_algorithm, f->totp_digits, &p);
		enum otp_result r = totp_verify(secret, len, &p, code, now, f->last_totp_step, totp_step);
		sodium_memzero(secret, len);
		free(secret);
		return r == OTP_OK ? CODE_RIGHT : r == OTP_REPLAYED ? CODE_REPLAYED : CODE_WRONG;
	}
	case FACTOR_BACKUP_CODES:
		return backup_idx >= 0 ? CODE_RIGHT : CODE_WRONG;
	case FACTOR_PUSH:
	case FACTOR_TYPE__MAX:
		break;
	}
	return CODE_WRONG;
}

enum tf_err push_send(struct tf_service *svc, struct store_conn *c, const struct app_row *app,
		      const struct factor_row *f, struct challenge_row *ch, int64_t now, char message_id[TF_ID_MAX])
{
	ch->has_code = false;
	ch->sends++;
	ch->last_sent_at = now;
	if (message_id)
		message_id[0] = '\0';
	if (app->sandbox)
		return TF_OK;
	char text[CODE_TEXT_MAX], amount[TX_AMOUNT_TEXT_MAX];
	if (!code_push_text(app->name, ch->purpose, ch->has_transaction ? &ch->tx : NULL, text, sizeof text))
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
	char id[TF_ID_MAX];
	struct message m = {.app_id = app->app_id, .channel = "push", .to = f->push_address, .text = text, .data = data};
	enum tf_err e = outbox_enqueue(svc, c, &m, now, message_id ? message_id : id);
	json_decref(data);
	return e;
}

bool push_answer_valid(const struct factor_row *f, const struct challenge_row *ch, bool approve, const uint8_t signature[64])
{
	char msg[PUSH_SIGNING_STRING_MAX];
	size_t n = push_signing_string(ch->challenge_id, approve, ch->has_transaction ? ch->tx_hash : "", msg, sizeof msg);
	return n > 0 && f->type == FACTOR_PUSH && crypto_ed25519_verify(signature, msg, n, f->push_public_key);
}
