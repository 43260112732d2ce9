/*
 * hosted_sessions.h: sessions of twofold's own pages (SPEC sections 7 and 8): a 256-bit token
 * in a cookie, stored only as its MAC, with the hosted idle timeout and lifetime, the address
 * of the application the user returns to, and whether a second factor is still owed (an
 * active factor and no trusted device of the hosted pages in this browser).
 */
#ifndef TF_SCA_HOSTED_SESSIONS_H
#define TF_SCA_HOSTED_SESSIONS_H
#include "sca/context.h"

/* The hosted session of the context's application whose token is token, and what it keeps
 * beside it: NOT_FOUND when there is none, HOSTED_SESSION_EXPIRED when the token is an API
 * session's. Not yet checked alive: sca_session_use (sessions.h). */
enum tf_err sca_hosted_session_find(const struct sca_ctx *ctx, const char *token, struct session_row *out,
				    struct hosted_session_info *info);

/* Whether user_id owes a second factor before the pages: an active factor and no trusted
 * device of the hosted pages (device_cookie: the browser's, NULL when it sent none). *pick
 * gets the factor to challenge first: the preferred of those the pages can take (code
 * factors, and passkeys when passkeys work there); factor_id "" when there is none (only a
 * push factor, which these pages cannot send). */
enum tf_err sca_hosted_gate(const struct sca_ctx *ctx, const char *user_id, const char *device_cookie, bool passkeys,
			    struct factor_row *pick, bool *owes);

/* Mints a hosted session of user_id in the caller's write transaction: the token's only copy
 * goes to token, the row to *out. redirect_uri: where the user returns; mfa_pending: a second
 * factor is owed. */
enum tf_err sca_hosted_session_mint(const struct sca_ctx *ctx, const char *user_id, const char *redirect_uri,
				    bool mfa_pending, char token[TF_TOKEN_MAX], struct session_row *out);

/* The user signed in to the pages, in the caller's write transaction: audited as
 * hosted.signed_in by the user; method NULL for a password, else {"method": method}. */
enum tf_err sca_hosted_signed_in(const struct sca_ctx *ctx, const char *user_id, const char *method);

/* Ends the hosted session s (the user signed out) in a transaction of its own, audited as
 * session.revoked by the user. */
enum tf_err sca_hosted_session_end(const struct sca_ctx *ctx, const struct session_row *s);

#endif
