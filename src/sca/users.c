/* users.c: the users of an application as the domain reads them (see users.h). */
#include "sca/users.h"

int64_t sca_user_unverified_expiry(const struct sca_ctx *ctx, const struct user_row *u)
{
	if (u->email_verified_at || u->first_verified_at)
		return 0;
	return u->created_at + ctx->svc->cfg.unverified_user_ttl * 1000;
}

bool sca_user_expired(const struct sca_ctx *ctx, const struct user_row *u)
{
	int64_t expiry = sca_user_unverified_expiry(ctx, u);
	return expiry && ctx->now >= expiry;
}

enum tf_err sca_user_load(const struct sca_ctx *ctx, const char *user_id, struct user_row *out)
{
	enum tf_err e = STORE(ctx->db)->user_get(ctx->db, ctx->app->app_id, user_id, out);
	if (e != TF_OK)
		return e;
	return sca_user_expired(ctx, out) ? TF_ERR_NOT_FOUND : TF_OK; /* past its limit: gone */
}
