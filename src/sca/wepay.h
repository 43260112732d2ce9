/*
 * wepay.h: the WePay v2 face's records and rules as domain operations (seed-apis.md sections 1
 * and 2). A WePay user is a native user with a row beside it (its long user_id, names, scope,
 * callback); a WePay factor ("MFA") is a native factor of a kind WePay has (sms, voice, totp as
 * "authenticator", backup_codes as "backup") with a row beside it (its long mfa_id, nickname and
 * the last login challenge the face sent). WePay's rules above the native ones:
 *   - the first factor that is not backup becomes the default; later ones never do by
 *     themselves; when reset discards the default, the oldest registered factor that is not
 *     backup takes it over;
 *   - reset discards only pending (unconfirmed) factors;
 *   - a pending factor's code is not sent again while its open challenge's code went out less
 *     than 15 seconds ago (the native spacing answers RETRY_IN_15SEC for a forced resend);
 *   - logout ends the user's sessions on the hosted pages and the token's step-up.
 * Every read is scoped by the context's application and the user.
 */
#ifndef TF_SCA_WEPAY_H
#define TF_SCA_WEPAY_H
#include "sca/context.h"

struct factor_kind;

/* WePay's ids are longs; twofold gives random ones below 2^53, so that JavaScript clients,
 * which hold numbers as doubles, keep them exact. */
#define WEPAY_ID_MAX ((1LL << 53) - 1)

/* A new random id in 1..WEPAY_ID_MAX. */
int64_t sca_wepay_new_id(void);

/* ---- users ---- */

/* The WePay row of user_id (NOT_FOUND: none yet). */
enum tf_err sca_wepay_user_get(const struct sca_ctx *ctx, const char *user_id, struct wepay_user_row *out);
/* Inserts w, or rewrites its fields but wepay_user_id, in the caller's write transaction. */
enum tf_err sca_wepay_user_put(const struct sca_ctx *ctx, const struct wepay_user_row *w);
/* Rewrites w in its own transaction. */
enum tf_err sca_wepay_user_update(const struct sca_ctx *ctx, const struct wepay_user_row *w);
/* The WePay row of u, made once on first sight for a user the native API registered: a fresh id,
 * and first and last name from the native name (the last word is the last name). */
enum tf_err sca_wepay_user_adopt(const struct sca_ctx *ctx, const struct user_row *u, struct wepay_user_row *out);
/* The partner's session of the user ended: the user's sessions on the hosted pages end
 * (*hosted_ended: how many), and so does the step-up of session_id; audited. Own transaction. */
enum tf_err sca_wepay_session_end(const struct sca_ctx *ctx, const char *user_id, const char *session_id,
				  int *hosted_ended);

/* ---- factors ---- */

/* A factor as the face sees it: the native row and the WePay row beside it. */
struct wepay_mfa {
	struct factor_row f;
	struct wepay_mfa_row m;
};

/* WePay's name of a factor type, or NULL for a type WePay does not have (push); the kind of a
 * WePay type name ("authenticator"), or NULL. */
const char *sca_wepay_type_name(enum factor_type t);
const struct factor_kind *sca_wepay_kind_named(const char *name);
/* What the user sees of a factor: the masked phone number, "Authenticator app", "Backup codes". */
void sca_wepay_factor_label(const struct factor_row *f, char *out, size_t size);
/* Whether f is the user's default: preferred, and not backup (which never is). */
bool sca_wepay_is_default(const struct factor_row *f);

/* The user's WePay rows, as stored (a factor may have none yet). */
enum tf_err sca_wepay_mfa_list(const struct sca_ctx *ctx, const char *user_id, struct wepay_mfa_row *out, size_t max,
			       size_t *n_out);
/* Inserts m, or rewrites its nickname and last_challenge_id, in the caller's write transaction. */
enum tf_err sca_wepay_mfa_put(const struct sca_ctx *ctx, const struct wepay_mfa_row *m);
/* The user's factors of WePay's types, oldest first, each with its WePay row (rows are made
 * for factors that have none yet, such as those added through the native API). */
enum tf_err sca_wepay_mfa_all(const struct sca_ctx *ctx, const char *user_id, struct wepay_mfa *out, size_t max,
			      size_t *n_out);
/* One of them: the factor of mfa_id, or (factor_id not NULL) the factor factor_id; NOT_FOUND. */
enum tf_err sca_wepay_mfa_get(const struct sca_ctx *ctx, const char *user_id, int64_t mfa_id, const char *factor_id,
			      struct wepay_mfa *out);
/* The native row of the factor of mfa_id, read only (no WePay row is made); NOT_FOUND. */
enum tf_err sca_wepay_mfa_factor(const struct sca_ctx *ctx, const char *user_id, int64_t mfa_id,
				 struct factor_row *out);
/* The user's default factor (NO_FACTOR: none). */
enum tf_err sca_wepay_mfa_default(const struct sca_ctx *ctx, const char *user_id, struct wepay_mfa *out);
/* After the native enrolment of factor_id: WePay's default rule, and the factor's WePay row (a
 * fresh mfa_id and nickname, or a default name from its type when nickname is NULL; a new
 * backup sheet keeps the row of the sheet it replaced). *out gets the factor as it is now.
 * NOT_FOUND when the factor was removed meanwhile. Own transaction. */
enum tf_err sca_wepay_mfa_adopt(const struct sca_ctx *ctx, const char *user_id, const char *factor_id,
				const char *nickname, struct wepay_mfa *out);
/* Discards the user's pending factors (named: only the one of mfa_id), audited, and keeps a
 * default. NOT_FOUND when mfa_id names no factor; INVALID_FIELD when it names a registered one.
 * Own transaction. */
enum tf_err sca_wepay_mfa_reset(const struct sca_ctx *ctx, const char *user_id, bool named, int64_t mfa_id);

/* ---- challenges ---- */

/* What issues a challenge of factor f on the caller's session, inside the caller's write
 * transaction (the native API's, handed in by the adapter). */
struct sca_wepay_issuer {
	enum tf_err (*issue)(void *arg, const struct factor_row *f, enum challenge_purpose purpose,
			     struct challenge_row *out);
	void *arg;
};

/* Sends a challenge of x on session_id: a pending factor's enrolment challenge (none is sent
 * while the open one stands: a kind that sends nothing, or a code sent less than 15 seconds
 * ago unless force_voice), a registered factor's login challenge (remembered in its WePay row).
 * force_voice reads an sms factor's code in a voice call. The factor's block and the native
 * spacing apply (FACTOR_BLOCKED, RETRY_IN_15SEC, INVALID_REQUEST: too many sends on the
 * session). x->f and x->m become the rows as they are now. Own transaction. */
enum tf_err sca_wepay_mfa_send(const struct sca_ctx *ctx, const char *session_id, struct wepay_mfa *x,
			       bool force_voice, const struct sca_wepay_issuer *issuer);
/* The challenge confirm checks for x on session_id (its id to id): a pending factor's
 * enrolment challenge, a registered one's last login challenge. Authenticator and backup
 * factors need nothing sent first: when that challenge is not open on this session (none yet,
 * another session's, expired, used) one is started here; one locked by wrong codes stays
 * locked. For a kind that sends codes, *never_sent (NOT_FOUND) when none was sent. */
enum tf_err sca_wepay_mfa_confirm_challenge(const struct sca_ctx *ctx, const char *session_id, struct wepay_mfa *x,
					    const struct sca_wepay_issuer *issuer, char id[TF_ID_MAX],
					    bool *never_sent);

#endif
