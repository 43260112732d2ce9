/*
 * sessions.h: API sessions as the domain makes, checks and ends them (SPEC section 2): a
 * 256-bit bearer token, stored only as its MAC, with an idle timeout and an absolute lifetime
 * (core/session.h), audited when issued; a step-up that lapses stays lapsed. The native
 * login, the WePay face's register and the Weavr face's sign-in all mint them here.
 *
 * A password sign-in (SPEC section 11) runs in three steps around its slow Argon2id hash,
 * which the adapter runs on the slow pool: sca_login_begin counts the attempt against the
 * address's and the user's limits before the hash (so attempts sent at once cannot all be
 * hashed), sca_login_hash checks the password, sca_login_finish records the outcome (a
 * failure audited, a success given back to the user's limit).
 */
#ifndef TF_SCA_SESSIONS_H
#define TF_SCA_SESSIONS_H
#include "core/validate.h"
#include "sca/context.h"

/* Mints an API session of u inside the caller's write transaction: the token's only copy goes
 * to token, the row to *out (may be NULL). idle_ms of idle timeout, lifetime_ms of absolute
 * lifetime. Audited as event, by the context's actor, with details {"session_id"} and, when
 * face is not NULL, {"face"}. */
enum tf_err sca_session_mint(const struct sca_ctx *ctx, const struct user_row *u, int64_t idle_ms, int64_t lifetime_ms,
			     const char *event, const char *face, char token[TF_TOKEN_MAX], struct session_row *out);
/* The same in a transaction of its own, by the user, with session_max_lifetime; token is wiped
 * when it fails. */
enum tf_err sca_session_issue(const struct sca_ctx *ctx, const struct user_row *u, int64_t idle_ms, const char *event,
			      char token[TF_TOKEN_MAX], struct session_row *out);

/* The API session of the context's application whose bearer token is token: INVALID_TOKEN
 * when there is none (api_only: nor when it is a hosted-page session). Not yet checked alive:
 * sca_session_use. */
enum tf_err sca_session_find(const struct sca_ctx *ctx, const char *token, bool api_only, struct session_row *out);
/* Uses the session s now: INVALID_TOKEN unless it is alive; *stepped_up says whether its
 * step-up holds (a lapsed one is cleared for good) and the activity is recorded (idle timeout,
 * at most one write a second). s is updated to match. */
enum tf_err sca_session_use(const struct sca_ctx *ctx, struct session_row *s, bool *stepped_up);
/* Ends the API session s and every hosted-page session of its user (the application's session
 * ended: so do its pages), audited as session.revoked by the user; *hosted: how many. */
enum tf_err sca_session_logout(const struct sca_ctx *ctx, const struct session_row *s, int *hosted);

/* A password sign-in between its steps. */
struct sca_login {
	struct user_row u;
	bool found;
	bool has_password;
	bool ok;
	char fail_key[400];  /* the user's failure-limit key */
	int64_t fail_window; /* the window the attempt was counted in there */
	char password[TF_PASSWORD_MAX + 1];
};
/* Why sca_login_begin refused. */
struct sca_login_refusal {
	int64_t retry_at; /* RATE_LIMITED: when the limit lifts (epoch ms) */
};
/* The first step, for email (validated and normalised) and password (at most TF_PASSWORD_MAX):
 * counts the attempt on the address's and the user's limits (RATE_LIMITED, *refusal says
 * until when) and finds the user. SSO_LOGIN_REQUIRED for an sso user (the attempt given back:
 * no guess was made). TF_OK: st is ready for sca_login_hash, and the attempt counted on
 * st->fail_key in st->fail_window is to be given back if the sign-in is abandoned. */
enum tf_err sca_login_begin(const struct sca_ctx *ctx, const char *email, const char *password, struct sca_login *st,
			    struct sca_login_refusal *refusal);
/* The slow step (no database, no context): the hash, as long for an unknown email or a user
 * without a password as for a real check. Wipes the password and the user's hash. */
void sca_login_hash(struct sca_login *st);
/* The last step: INVALID_CREDENTIALS for a failure (audited as login.failed by the
 * application); otherwise the attempt is given back and *out gets the user. */
enum tf_err sca_login_finish(const struct sca_ctx *ctx, const struct sca_login *st, struct user_row *out);

#endif
