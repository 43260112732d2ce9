/*
 * challenges.h: challenges as the domain issues, reads and answers them (SPEC sections 4 and
 * 5). Every read is scoped by the context's application and the user.
 */
#ifndef TF_SCA_CHALLENGES_H
#define TF_SCA_CHALLENGES_H
#include "sca/context.h"

/* The challenge challenge_id of user_id; NOT_FOUND for another user's or application's. */
enum tf_err sca_challenge_get(const struct sca_ctx *ctx, const char *user_id, const char *challenge_id,
			      struct challenge_row *out);
/* The newest challenge of the user's session for factor_id and purpose (NOT_FOUND: none). */
enum tf_err sca_challenge_latest(const struct sca_ctx *ctx, const char *user_id, const char *session_id,
				 const char *factor_id, enum challenge_purpose purpose, struct challenge_row *out);

#endif
