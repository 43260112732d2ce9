/*
 * sessions.h: API sessions as the domain makes them (SPEC section 2): a 256-bit bearer token,
 * stored only as its MAC, with an idle timeout and an absolute lifetime, audited when issued.
 * The native login, the WePay face's register and the Weavr face's sign-in all mint them here.
 */
#ifndef TF_SCA_SESSIONS_H
#define TF_SCA_SESSIONS_H
#include "sca/context.h"

/* Mints an API session of u inside the caller's write transaction: the token's only copy goes
 * to token, the row to *out (may be NULL). idle_ms of idle timeout, lifetime_ms of absolute
 * lifetime. Audited as event, by the context's actor, with details {"session_id"} and, when
 * face is not NULL, {"face"}. */
enum tf_err sca_session_mint(const struct sca_ctx *ctx, const struct user_row *u, int64_t idle_ms, int64_t lifetime_ms,
			     const char *event, const char *face, char token[TF_TOKEN_MAX], struct session_row *out);

#endif
