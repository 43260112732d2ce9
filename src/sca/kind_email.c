/*
 * kind_email.c: the email kind (SPEC section 3): an email address, given at enrolment
 * (validated and lower-cased as users' addresses are) or else the user's own; each challenge
 * emails a fresh 6-digit code (code.c) to it, under the email send caps (challenges.c), with
 * amount and payee for a payment; the code typed back is checked against its MAC. Enrolment
 * sends the first code; verifying it activates the factor.
 */
#include <stdio.h>
#include <string.h>

#include "core/validate.h"
#include "l10n/l10n.h"
#include "sca/kinds.h"
#include "sca/users.h"

static enum factor_field check_input(const struct factor_input *in)
{
	char normalised[TF_EMAIL_MAX + 1];
	return !in->email || validate_email(in->email, normalised, sizeof normalised) ? FACTOR_FIELD_NONE
										       : FACTOR_FIELD_EMAIL;
}

static enum tf_err enrol(const struct sca_ctx *ctx, const struct factor_input *in, struct factor_row *f,
			 struct factor_enrolment *en)
{
	(void)en;
	if (in->email)
		return validate_email(in->email, f->email, sizeof f->email) ? TF_OK : TF_ERR_INVALID_FIELD;
	struct user_row u; /* the user's own address, as registered */
	enum tf_err e = sca_user_load(ctx, f->user_id, &u);
	if (e == TF_OK)
		snprintf(f->email, sizeof f->email, "%s", u.email);
	return e;
}

void kind_email_mask(const char *email, char out[TF_EMAIL_MASKED_MAX])
{
	const char *at = strchr(email, '@');
	if (!at || at == email) {
		out[0] = '\0';
		return;
	}
	snprintf(out, TF_EMAIL_MASKED_MAX, "%c***%s", email[0], at);
}

static void describe(const struct factor_row *f, struct factor_description *d)
{
	d->email = f->email;
	kind_email_mask(f->email, d->email_masked);
}

const struct factor_kind factor_kind_email = {
	.type = FACTOR_EMAIL,
	.name = "email",
	.flags = FACTOR_KIND_SENDS_CODE | FACTOR_KIND_TO_EMAIL | FACTOR_KIND_PICKED_BY_DEFAULT |
		 FACTOR_KIND_WITHOUT_SMARTPHONE,
	.needs = "email",
	.answer = FACTOR_ANSWER_CODE,
	.optional_fields = FACTOR_FIELD_EMAIL,
	.words = {
		.label = N_("Email to {email}"),
		.offer = N_("Email a code to {email}"),
		.prompt = N_("We sent a code by email to {email}."),
		.enrol_prompt = N_("We sent a code by email to {email}."),
	},
	.check_input = check_input,
	.enrol = enrol,
	.issue = code_issue,
	.check = code_check,
	.describe = describe,
};
