/*
 * sso.h: single sign-on tokens (SPEC section 7): the application asks for a one-time token for
 * one of its users, valid for sso_token_lifetime; the user's browser redeems it once, for this
 * application only, at the SSO entry, which starts a hosted session. The token is 256 random
 * bits in lower-case hex (the vendor's signers lower-case every value before signing, so a
 * token must survive that unchanged); only its MAC is stored. Refusals are audited.
 */
#ifndef TF_SCA_SSO_H
#define TF_SCA_SSO_H
#include "sca/context.h"

#define SCA_SSO_TOKEN_MAX (4 + 64 + 1) /* "tfo_" and 64 hex digits */

/* A new token for user_id of the context's application (NOT_FOUND: no such user), in a
 * transaction of its own, audited as sso.token_issued by the application: the token's only
 * copy goes to token, its row (user, expiry) to *out. */
enum tf_err sca_sso_token_issue(const struct sca_ctx *ctx, const char *user_id, char token[SCA_SSO_TOKEN_MAX],
				struct sso_token_row *out);

/* Redeems token in the caller's write transaction, which goes on to start the hosted session:
 * *u gets its user. SSO_TOKEN_INVALID (unknown, another application's, its user gone),
 * SSO_TOKEN_USED, SSO_TOKEN_EXPIRED, or a store error: then call sca_sso_refused. */
enum tf_err sca_sso_token_redeem(const struct sca_ctx *ctx, const char *token, struct user_row *u);
/* Ends the caller's transaction of a refused redemption (rolled back) and audits the refusal
 * of a token (sso.refused by the application) in one of its own; returns e. */
enum tf_err sca_sso_refused(const struct sca_ctx *ctx, enum tf_err e);
/* The user signed in through SSO into the hosted session session_id, in the caller's write
 * transaction: audited as sso.signed_in by the application. */
enum tf_err sca_sso_signed_in(const struct sca_ctx *ctx, const char *user_id, const char *session_id);

#endif
