/* weavr.h: what the Weavr face's files share (weavr_common.c) and its handlers, one file per
 * resource: weavr_login.c, weavr_factors.c, weavr_stepup.c, weavr_challenges.c. */
#ifndef TF_FACES_WEAVR_H
#define TF_FACES_WEAVR_H
#include "core/numeric_id.h"
#include "faces/faces.h"

/* TF_OK when channel (a path parameter) is one or other (NULL: only one); 400 "channel"
 * NOT_IN otherwise. */
enum tf_err weavr_check_channel(struct tf_req *req, const char *channel, const char *one, const char *other);
/* Answers 409 {errorCode}. */
enum tf_err weavr_code_error(struct tf_req *req, const char *error_code);
/* The body's verificationCode, checked as Weavr checks it (^[0-9]{6}$, 400 otherwise). */
enum tf_err weavr_read_code(struct tf_req *req, const char **code);
/* Verifies a code sent to the user's SMS factor (the path's channel, params[0], must be SMS):
 * its enrolment (enrolment true: the factor is pending and was enrolled on this token) or the
 * token's newest step-up challenge (the factor is active). 204, or 409 with Weavr's errorCode. */
enum tf_err weavr_verify_sms(struct tf_req *req, bool enrolment);
/* Issues a challenge of the user's active factor of channel: a step-up, or (transaction_id not
 * NULL) the approval of that payment; challenge_id (when not NULL) gets its id. 409
 * CHANNEL_NOT_REGISTERED, RETRY_IN_15SEC, STATE_INVALID (the payment is not pending) and
 * CHALLENGE_LIMIT_EXCEEDED (the factor is blocked); a third issue on one token stays 400. */
enum tf_err weavr_issue(struct tf_req *req, const char *channel, const char *transaction_id,
			char challenge_id[TF_ID_MAX]);
/* Answers 200 {key: the numeric id of challenge_id}. */
enum tf_err weavr_answer_challenge_id(struct tf_req *req, const char *challenge_id, const char *key);
/* One attempt at ch, answered the Weavr way: 204, or 409 with its errorCode. */
enum tf_err weavr_attempt(struct tf_req *req, const struct challenge_row *ch, const char *code, bool enrolment);
/* Weavr's name of a factor, {type, channel} ({OTP, SMS}, {PUSH, AUTHY}, {BIOMETRIC, BIOMETRIC}),
 * or false for a factor Weavr has no form of (voice, authenticator app, backup codes). */
bool weavr_factor_names(const struct factor_row *f, const char **type, const char **channel);
/* The token's user's factors (at most FACTORS_PER_USER_MAX), oldest first. */
enum tf_err weavr_user_factors(struct tf_req *req, struct factor_row *list, size_t *n);
/* The user's factor of a Weavr channel (SMS, AUTHY, BIOMETRIC); an active one before a pending
 * one. */
enum tf_err weavr_find_factor(struct tf_req *req, const char *channel, struct factor_row *out);

/* Weavr's ids are decimal numbers (^[0-9]+$): twofold's ids are shown as their numbers
 * (core/numeric_id.h) and read back from them; a native id is accepted too. */
void weavr_id_out(const char *id, char out[NUMERIC_ID_MAX]);
bool weavr_id_in(const char *text, const char *prefix, char out[TF_ID_MAX]);

enum tf_err weavr_login_with_password(struct tf_req *req);
enum tf_err weavr_logout(struct tf_req *req);
enum tf_err weavr_factors_list(struct tf_req *req);
enum tf_err weavr_factors_otp_enrol(struct tf_req *req);
enum tf_err weavr_factors_otp_verify(struct tf_req *req);
enum tf_err weavr_factors_push_enrol(struct tf_req *req);
enum tf_err weavr_factors_push_delete(struct tf_req *req);
enum tf_err weavr_stepup_otp(struct tf_req *req);
enum tf_err weavr_stepup_otp_verify(struct tf_req *req);
enum tf_err weavr_stepup_push(struct tf_req *req);
enum tf_err weavr_challenges_otp(struct tf_req *req);
enum tf_err weavr_challenges_push(struct tf_req *req);
enum tf_err weavr_challenges_otp_verify(struct tf_req *req);

#endif
