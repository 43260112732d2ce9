/* challenges.c: issuing, reading and answering challenges (see challenges.h). */
#include "sca/challenges.h"

enum tf_err sca_challenge_get(const struct sca_ctx *ctx, const char *user_id, const char *challenge_id,
			      struct challenge_row *out)
{
	return STORE(ctx->db)->challenge_get(ctx->db, ctx->app->app_id, user_id, challenge_id, out);
}

enum tf_err sca_challenge_latest(const struct sca_ctx *ctx, const char *user_id, const char *session_id,
				 const char *factor_id, enum challenge_purpose purpose, struct challenge_row *out)
{
	return STORE(ctx->db)->challenge_latest(ctx->db, ctx->app->app_id, user_id, session_id, factor_id, purpose,
						out);
}
