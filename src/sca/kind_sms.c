/*
 * kind_sms.c: the sms kind (SPEC section 3): a phone number; each challenge texts a fresh
 * 6-digit code (code.c) to it, under the send caps; the code typed back is checked against
 * its MAC. Enrolment sends the first code; verifying it activates the factor.
 */
#include "l10n/l10n.h"
#include "sca/kinds.h"

const struct factor_kind factor_kind_sms = {
	.type = FACTOR_SMS,
	.name = "sms",
	.flags = FACTOR_KIND_SENDS_CODE | FACTOR_KIND_TO_PHONE | FACTOR_KIND_PICKED_BY_DEFAULT,
	.needs = "mobile_phone",
	.answer = FACTOR_ANSWER_CODE,
	.fields = FACTOR_FIELD_PHONE,
	.words = {
		.label = N_("Text message to your phone ending in {phone}"),
		.offer = N_("Text a code to my phone ending in {phone}"),
		.prompt = N_("We sent a code by text message to your phone ending in {phone}."),
		.enrol_prompt = N_("We sent a code by text message to your phone ending in {phone}."),
	},
	.check_input = kind_phone_check_input,
	.enrol = kind_phone_enrol,
	.issue = code_issue,
	.check = code_check,
	.describe = kind_describe_phone,
};
