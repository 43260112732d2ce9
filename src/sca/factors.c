/* factors.c: reading and changing a user's factors (see factors.h). */
#include "sca/factors.h"

enum tf_err sca_factor_get(const struct sca_ctx *ctx, const char *user_id, const char *factor_id,
			   struct factor_row *out)
{
	return STORE(ctx->db)->factor_get(ctx->db, ctx->app->app_id, user_id, factor_id, out);
}

enum tf_err sca_factor_list(const struct sca_ctx *ctx, const char *user_id, struct factor_row *out, size_t max,
			    size_t *n_out)
{
	return STORE(ctx->db)->factor_list(ctx->db, ctx->app->app_id, user_id, out, max, n_out);
}
