/*
 * weavr_common.c: what the Weavr face's handlers share: reading a verificationCode as Weavr
 * validates it (six digits, 400 with syntaxErrors otherwise), translating a challenge attempt's
 * outcome into Weavr's errorCodes (seed-apis.md 3.3: VERIFICATION_CODE_INVALID, then
 * ONE_CHALLENGE_LIMIT_REMAINING on the last but one, CHALLENGE_LIMIT_EXCEEDED on the attempt
 * that uses the last, STATE_INVALID after; VERIFICATION_CODE_EXPIRED; ALREADY_VERIFIED),
 * verifying an SMS code and issuing a challenge (step-up or payment), and finding the user's
 * factor for a Weavr channel.
 */
#include <stdio.h>
#include <string.h>

#include "core/challenge.h"
#include "core/numeric_id.h"
#include "faces/weavr.h"
#include "sca/challenges.h"
#include "sca/factors.h"

enum tf_err weavr_check_channel(struct tf_req *req, const char *channel, const char *one, const char *other)
{
	if (strcmp(channel, one) == 0 || (other && strcmp(channel, other) == 0))
		return TF_OK;
	req->err_extra = json_pack("{s:s}", "fieldError", "NOT_IN");
	return req_field_error(req, TF_ERR_INVALID_FIELD, "channel");
}

enum tf_err weavr_code_error(struct tf_req *req, const char *error_code)
{
	if (req->err_extra)
		json_decref(req->err_extra);
	req->err_extra = json_pack("{s:s}", "errorCode", error_code);
	return TF_ERR_STATE_CONFLICT;
}

enum tf_err weavr_read_code(struct tf_req *req, const char **code)
{
	static const char *const known[] = {"verificationCode", "resourceType", NULL};
	enum tf_err e;
	if ((e = req_reject_unknown(req, known)) != TF_OK || (e = req_string(req, "verificationCode", true, code)) != TF_OK)
		return e;
	size_t n = strlen(*code);
	if (n != 6) {
		req->err_extra = json_pack("{s:s, s:s}", "message", "request.verificationCode: size must be between 6 and 6",
					   "fieldError", "SIZE");
		return req_field_error(req, TF_ERR_INVALID_FIELD, "verificationCode");
	}
	for (const char *p = *code; *p; p++)
		if (*p < '0' || *p > '9') {
			req->err_extra = json_pack("{s:s, s:s}", "message", "request.verificationCode: must match \"^[0-9]*$\"",
						   "fieldError", "REGEX");
			return req_field_error(req, TF_ERR_INVALID_FIELD, "verificationCode");
		}
	return TF_OK;
}

enum tf_err weavr_attempt(struct tf_req *req, const struct challenge_row *ch, const char *code, bool enrolment)
{
	/* after the attempt that used the last try, Weavr answers STATE_INVALID, right code or not */
	if (ch->status == CH_LOCKED || (ch->status == CH_PENDING && ch->attempts >= ch->max_attempts) ||
	    ch->status == CH_SUPERSEDED || ch->status == CH_DENIED)
		return weavr_code_error(req, "STATE_INVALID");
	struct sca_attempt_request rq = {.challenge_id = ch->challenge_id, .code = code, .enrolment_only = enrolment,
					 .domain = DOMAIN_API};
	struct sca_attempt_result res;
	enum tf_err e = req_challenge_attempt(req, &rq, &res);
	if (e == TF_OK && req_waiting(req)) /* a backup code's check: again on the slow pool */
		return TF_OK;
	switch (e) {
	case TF_OK:
		return weavr_no_content(req);
	case TF_ERR_VERIFICATION_CODE_INVALID:
	case TF_ERR_TOTP_REPLAYED:
		return weavr_code_error(req, res.attempts_remaining == 1 ? "ONE_CHALLENGE_LIMIT_REMAINING"
									 : "VERIFICATION_CODE_INVALID");
	case TF_ERR_CHALLENGE_LIMIT_EXCEEDED:
		return weavr_code_error(req, "CHALLENGE_LIMIT_EXCEEDED");
	case TF_ERR_CHALLENGE_EXPIRED:
		return weavr_code_error(req, "VERIFICATION_CODE_EXPIRED");
	case TF_ERR_ALREADY_VERIFIED:
		return weavr_code_error(req, "ALREADY_VERIFIED");
	case TF_ERR_FACTOR_BLOCKED:
	case TF_ERR_CHALLENGE_SUPERSEDED:
	case TF_ERR_CHALLENGE_DENIED:
		return weavr_code_error(req, "STATE_INVALID");
	default:
		return e;
	}
}

enum tf_err weavr_verify_sms(struct tf_req *req, bool enrolment)
{
	const char *code;
	struct factor_row f;
	enum tf_err e;
	if ((e = weavr_check_channel(req, req->params[0], "SMS", NULL)) != TF_OK || (e = weavr_read_code(req, &code)) != TF_OK)
		return e;
	e = weavr_find_factor(req, "SMS", &f);
	if (enrolment && e == TF_ERR_NOT_FOUND)
		return weavr_code_error(req, "STATE_INVALID"); /* nothing to verify */
	if (enrolment && e == TF_OK && f.status == FACTOR_ACTIVE)
		return weavr_code_error(req, "CHANNEL_ALREADY_REGISTERED");
	if (!enrolment && (e == TF_ERR_NOT_FOUND || (e == TF_OK && f.status != FACTOR_ACTIVE)))
		return weavr_code_error(req, "CHANNEL_NOT_REGISTERED");
	if (e != TF_OK)
		return e;
	struct sca_ctx ctx = req_sca(req);
	struct challenge_row ch;
	if (enrolment) {
		e = sca_challenge_get(&ctx, req->session.user_id, f.enrolment_challenge_id, &ch);
		if (e == TF_OK && strcmp(ch.session_id, req->session.session_id) != 0)
			e = TF_ERR_NOT_FOUND; /* enrolled on another token */
	} else { /* Weavr's verify names no challenge: the token's newest step-up one */
		e = sca_challenge_latest(&ctx, req->session.user_id, req->session.session_id, f.factor_id, PURPOSE_STEPUP, &ch);
	}
	if (e == TF_ERR_NOT_FOUND)
		return weavr_code_error(req, "STATE_INVALID");
	return e != TF_OK ? e : weavr_attempt(req, &ch, code, enrolment);
}

enum tf_err weavr_issue(struct tf_req *req, const char *channel, const char *transaction_id,
			char challenge_id[TF_ID_MAX])
{
	struct factor_row f;
	enum tf_err e = weavr_find_factor(req, channel, &f);
	if (e == TF_ERR_NOT_FOUND || (e == TF_OK && f.status != FACTOR_ACTIVE))
		return weavr_code_error(req, "CHANNEL_NOT_REGISTERED");
	if (e != TF_OK)
		return e;
	struct sca_challenge_request rq = {.purpose = transaction_id ? PURPOSE_TRANSACTION : PURPOSE_STEPUP,
					   .factor_id = f.factor_id, .transaction_id = transaction_id};
	struct challenge_row ch;
	struct factor_row chf;
	e = req_challenge_create(req, &rq, &ch, &chf);
	if (e == TF_ERR_RETRY_IN_15SEC)
		return weavr_code_error(req, "RETRY_IN_15SEC");
	if (e == TF_ERR_TRANSACTION_NOT_PENDING)
		return weavr_code_error(req, "STATE_INVALID");
	if (e == TF_ERR_FACTOR_BLOCKED)
		return weavr_code_error(req, "CHALLENGE_LIMIT_EXCEEDED");
	if (e == TF_OK && challenge_id)
		snprintf(challenge_id, TF_ID_MAX, "%s", ch.challenge_id);
	return e;
}

enum tf_err weavr_answer_challenge_id(struct tf_req *req, const char *challenge_id, const char *key)
{
	char id[NUMERIC_ID_MAX];
	weavr_id_out(challenge_id, id);
	resp_json(req, 200, json_pack("{s:s}", key, id));
	return TF_OK;
}

/* Weavr's channels and the native kinds behind them: a kind with a channel of its own (push)
 * matches the channel of that name. */
static const struct weavr_channel {
	const char *channel;
	enum factor_type type;
	const char *weavr_type;
} weavr_channels[] = {
	{"SMS", FACTOR_SMS, "OTP"},
	{"AUTHY", FACTOR_PUSH, "PUSH"},
	{"BIOMETRIC", FACTOR_PUSH, "BIOMETRIC"},
};

static bool channel_has(const struct weavr_channel *c, const struct factor_row *f)
{
	if (f->type != c->type)
		return false;
	struct factor_description d;
	factor_describe(&l10n_english, f, "", &d);
	return !d.push_channel || strcmp(d.push_channel, c->channel) == 0;
}

bool weavr_factor_names(const struct factor_row *f, const char **type, const char **channel)
{
	for (size_t i = 0; i < sizeof weavr_channels / sizeof weavr_channels[0]; i++)
		if (channel_has(&weavr_channels[i], f)) {
			*type = weavr_channels[i].weavr_type;
			*channel = weavr_channels[i].channel;
			return true;
		}
	return false;
}

enum tf_err weavr_user_factors(struct tf_req *req, struct factor_row *list, size_t *n)
{
	struct sca_ctx ctx = req_sca(req);
	return sca_factor_list(&ctx, req->session.user_id, list, FACTORS_PER_USER_MAX, n);
}

enum tf_err weavr_find_factor(struct tf_req *req, const char *channel, struct factor_row *out)
{
	const struct weavr_channel *c = NULL;
	for (size_t i = 0; i < sizeof weavr_channels / sizeof weavr_channels[0]; i++)
		if (strcmp(weavr_channels[i].channel, channel) == 0)
			c = &weavr_channels[i];
	if (!c)
		return TF_ERR_NOT_FOUND;
	struct factor_row list[FACTORS_PER_USER_MAX];
	size_t n;
	enum tf_err e = weavr_user_factors(req, list, &n);
	if (e != TF_OK)
		return e;
	int pick = -1;
	for (size_t i = 0; i < n; i++) {
		if (!channel_has(c, &list[i]))
			continue;
		if (pick < 0 || (list[i].status == FACTOR_ACTIVE && list[pick].status != FACTOR_ACTIVE))
			pick = (int)i; /* an active one first */
	}
	if (pick < 0)
		return TF_ERR_NOT_FOUND;
	*out = list[pick];
	return TF_OK;
}

void weavr_id_out(const char *id, char out[NUMERIC_ID_MAX])
{
	if (!numeric_id_from_id(id, out))
		snprintf(out, NUMERIC_ID_MAX, "0");
}

bool weavr_id_in(const char *text, const char *prefix, char out[TF_ID_MAX])
{
	if (strlen(text) >= TF_ID_MAX)
		return false;
	if (text[0] >= '0' && text[0] <= '9')
		return numeric_id_to_id(text, prefix, out, TF_ID_MAX);
	snprintf(out, TF_ID_MAX, "%s", text); /* a native id is accepted as it is */
	return true;
}
