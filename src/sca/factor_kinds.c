/*
 * factor_kinds.c: the table of factor kinds, one row per enum factor_type (factor_kind.h), and
 * what is the same for every kind: finding a kind by type or wire name, the order in which
 * enrolment input is refused, the sandbox code, describing a factor (the kind's words filled in)
 * and clearing an enrolment.
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "l10n/l10n.h"
#include "sca/kinds.h"

/* each defined in its kind_<name>.c */
extern const struct factor_kind factor_kind_sms, factor_kind_voice, factor_kind_totp, factor_kind_backup_codes,
	factor_kind_push, factor_kind_passkey, factor_kind_email;

static const struct factor_kind *const kinds[FACTOR_TYPE__MAX] = {
	[FACTOR_SMS] = &factor_kind_sms,
	[FACTOR_VOICE] = &factor_kind_voice,
	[FACTOR_TOTP] = &factor_kind_totp,
	[FACTOR_BACKUP_CODES] = &factor_kind_backup_codes,
	[FACTOR_PUSH] = &factor_kind_push,
	[FACTOR_PASSKEY] = &factor_kind_passkey,
	[FACTOR_EMAIL] = &factor_kind_email,
};

const struct factor_kind *factor_kind_of(enum factor_type type)
{
	return kinds[type];
}

const struct factor_kind *factor_kind_named(const char *name)
{
	for (int i = 0; i < FACTOR_TYPE__MAX; i++)
		if (strcmp(name, kinds[i]->name) == 0)
			return kinds[i];
	return NULL;
}

bool factor_kind_answered_on_page(const struct factor_kind *k, bool passkeys)
{
	return k && (k->answer == FACTOR_ANSWER_CODE || (passkeys && k->answer == FACTOR_ANSWER_CREDENTIAL));
}

/* A field the kind takes must be there (adapters refuse its absence first), unless it is one of
 * its optional fields; a field it does not take is invalid. Which field an error names is part
 * of the native API's answer: a device's fields and an email first, then the kind's own invalid
 * field, then a phone. */
enum factor_field factor_input_check(const struct factor_kind *k, const struct factor_input *in)
{
	const struct {
		enum factor_field field;
		const char *value;
	} given[] = {
		{FACTOR_FIELD_CHANNEL, in->channel},
		{FACTOR_FIELD_PUBLIC_KEY, in->public_key},
		{FACTOR_FIELD_PUSH_ADDRESS, in->push_address},
		{FACTOR_FIELD_EMAIL, in->email},
		{FACTOR_FIELD_PHONE, in->phone}, /* last: see above */
	};
	const size_t n = sizeof given / sizeof given[0];
	const unsigned takes = k->fields | k->optional_fields;
	for (size_t i = 0; i < n; i++)
		if ((k->fields & given[i].field) && !given[i].value)
			return given[i].field;
	for (size_t i = 0; i + 1 < n; i++)
		if (given[i].value && !(takes & given[i].field))
			return given[i].field;
	enum factor_field bad = k->check_input ? k->check_input(in) : FACTOR_FIELD_NONE;
	if (bad == FACTOR_FIELD_NONE && given[n - 1].value && !(takes & given[n - 1].field))
		bad = given[n - 1].field;
	return bad;
}

enum answer_verdict factor_check(const struct sca_ctx *ctx, const struct factor_row *f, const struct challenge_row *ch,
				 const struct factor_attempt *a, int64_t *replay_step)
{
	const struct factor_kind *k = factor_kind_of(f->type);
	if (k->answer == FACTOR_ANSWER_CODE && ctx->app->sandbox && strcmp(a->code, SANDBOX_CODE) == 0)
		return ANSWER_RIGHT;
	return k->check(ctx, f, ch, a, replay_step);
}

void factor_fill_words(char *out, size_t size, const char *words, const struct word_value *values, size_t n_values)
{
	size_t len = 0;
	for (const char *p = words; *p;) {
		const char *piece = p;
		size_t piece_len = 1, skip = 1;
		for (size_t i = 0; *p == '{' && i < n_values; i++) {
			size_t name_len = strlen(values[i].name);
			if (strncmp(p + 1, values[i].name, name_len) == 0 && p[1 + name_len] == '}') {
				piece = values[i].value;
				piece_len = strlen(piece);
				skip = name_len + 2;
				break;
			}
		}
		for (size_t j = 0; j < piece_len && len + 1 < size; j++)
			out[len++] = piece[j];
		p += skip;
	}
	out[len] = '\0';
}

void factor_describe(const struct l10n *l, const struct factor_row *f, const char *app_name,
		     struct factor_description *out)
{
	const struct factor_kind *k = factor_kind_of(f->type);
	memset(out, 0, sizeof *out);
	out->codes_remaining = -1;
	out->inputmode = "numeric";
	k->describe(f, out);
	char left[16];
	snprintf(left, sizeof left, "%d", out->codes_remaining);
	const struct word_value values[] = {
		{"phone", out->phone_last4}, {"email", out->email_masked}, {"app", app_name}, {"left", left}};
	const size_t n = sizeof values / sizeof values[0];
	factor_fill_words(out->label, sizeof out->label, l10n_text(l, k->words.label), values, n);
	factor_fill_words(out->offer, sizeof out->offer, l10n_text(l, k->words.offer), values, n);
	factor_fill_words(out->prompt, sizeof out->prompt, l10n_text(l, k->words.prompt), values, n);
	factor_fill_words(out->enrol_prompt, sizeof out->enrol_prompt, l10n_text(l, k->words.enrol_prompt), values, n);
	/* TRANSLATORS: the label of the field a one-time code is typed in */
	out->code_label = l10n_text(l, k->words.code_label ? k->words.code_label : N_("Code"));
}

void factor_enrolment_wipe(struct factor_enrolment *en)
{
	sodium_memzero(en, sizeof *en);
}
