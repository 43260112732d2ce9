/*
 * weavr_common.c: what the Weavr face's handlers share: reading a verificationCode as Weavr
 * validates it (six digits, 400 with syntaxErrors otherwise), translating a challenge attempt's
 * outcome into Weavr's errorCodes (seed-apis.md 3.3: VERIFICATION_CODE_INVALID, then
 * ONE_CHALLENGE_LIMIT_REMAINING on the last but one, CHALLENGE_LIMIT_EXCEEDED on the attempt
 * that uses the last, STATE_INVALID after; VERIFICATION_CODE_EXPIRED; ALREADY_VERIFIED), and
 * finding the user's factor for a Weavr channel.
 */
#include <stdio.h>
#include <string.h>

#include "core/challenge.h"
#include "core/numeric_id.h"
#include "faces/weavr.h"
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

enum tf_err weavr_read_sms_code(struct tf_req *req, int channel_param, const char **code, struct factor_row *f,
				enum tf_err *found_e)
{
	enum tf_err e;
	if ((e = weavr_check_channel(req, req->params[channel_param], "SMS", NULL)) != TF_OK ||
	    (e = weavr_read_code(req, code)) != TF_OK)
		return e;
	*found_e = weavr_find_factor(req, "SMS", f);
	return TF_OK;
}

enum tf_err weavr_attempt(struct tf_req *req, const struct challenge_row *ch, const char *code, bool enrolment)
{
	/* after the attempt that used the last try, Weavr answers STATE_INVALID, right code or not */
	if (ch->status == CH_LOCKED || (ch->status == CH_PENDING && ch->attempts >= ch->max_attempts) ||
	    ch->status == CH_SUPERSEDED || ch->status == CH_DENIED)
		return weavr_code_error(req, "STATE_INVALID");
	enum tf_err e = api_challenge_attempt(req, ch->challenge_id, code, enrolment, false, DOMAIN_API, NULL, NULL);
	if (req->resp) { /* Weavr answers 204: the native answer is not shown */
		json_decref(req->resp);
		req->resp = NULL;
	}
	switch (e) {
	case TF_OK:
		return weavr_no_content(req);
	case TF_ERR_VERIFICATION_CODE_INVALID:
	case TF_ERR_TOTP_REPLAYED: {
		json_t *left = req->err_extra ? json_object_get(req->err_extra, "attempts_remaining") : NULL;
		return weavr_code_error(req, left && json_integer_value(left) == 1 ? "ONE_CHALLENGE_LIMIT_REMAINING"
										  : "VERIFICATION_CODE_INVALID");
	}
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
	factor_describe(f, "", &d);
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
	struct sca_ctx ctx;
	req_sca_ctx(req, &ctx);
	enum tf_err e = sca_factor_list(&ctx, req->session.user_id, list, FACTORS_PER_USER_MAX, &n);
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
