/*
 * kind_voice.c: the voice kind (SPEC section 3): a phone number; each challenge calls it and
 * reads a fresh 6-digit code aloud, digit by digit, twice (code.c), under the send caps; the
 * code typed back is checked against its MAC. Enrolment calls with the first code.
 */
#include "l10n/l10n.h"
#include "sca/kinds.h"

const struct factor_kind factor_kind_voice = {
	.type = FACTOR_VOICE,
	.name = "voice",
	.flags = FACTOR_KIND_SENDS_CODE | FACTOR_KIND_SPOKEN | FACTOR_KIND_TO_PHONE | FACTOR_KIND_PICKED_BY_DEFAULT |
		 FACTOR_KIND_WITHOUT_SMARTPHONE,
	.needs = "phone",
	.answer = FACTOR_ANSWER_CODE,
	.fields = FACTOR_FIELD_PHONE,
	.words = {
		.label = N_("Voice call to your phone ending in {phone}"),
		.offer = N_("Call my phone ending in {phone}"),
		.prompt = N_("We are calling your phone ending in {phone} to read you a code."),
		.enrol_prompt = N_("We are calling your phone ending in {phone} to read you a code."),
	},
	.check_input = kind_phone_check_input,
	.enrol = kind_phone_enrol,
	.issue = code_issue,
	.check = code_check,
	.describe = kind_describe_phone,
};
