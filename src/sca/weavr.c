/* weavr.c: the Weavr face's sign-in lock over the rate counters (see weavr.h). */
#include <stdio.h>

#include "core/validate.h"
#include "sca/rate.h"
#include "sca/weavr.h"

void sca_weavr_lock_of(const struct sca_ctx *ctx, const char *email, struct sca_weavr_lock *out)
{
	char normalised[256];
	snprintf(out->key, sizeof out->key, "weavr_lock:%s:%s", ctx->app->app_id,
		 validate_email(email, normalised, sizeof normalised) ? normalised : email);
	out->window_start = 0;
}

enum tf_err sca_weavr_lock_count(const struct sca_ctx *ctx, struct sca_weavr_lock *lock)
{
	struct rate_count attempts = {0};
	enum tf_err e = sca_rate_hit(ctx, lock->key, SCA_WEAVR_LOCK_WINDOW_MS, SCA_WEAVR_LOCK_FAILURES, &attempts);
	lock->window_start = attempts.window_start;
	return e == TF_ERR_RATE_LIMITED ? TF_ERR_LOGIN_LOCKED : e;
}

enum tf_err sca_weavr_lock_failed(const struct sca_ctx *ctx, const struct sca_weavr_lock *lock)
{
	struct rate_count attempts = {0};
	enum tf_err e = sca_rate_get(ctx, lock->key, SCA_WEAVR_LOCK_WINDOW_MS, &attempts);
	if (e != TF_OK)
		return e;
	return attempts.count >= SCA_WEAVR_LOCK_FAILURES ? TF_ERR_LOGIN_LOCKED : TF_OK;
}

enum tf_err sca_weavr_lock_release(const struct sca_ctx *ctx, const struct sca_weavr_lock *lock)
{
	struct rate_count attempts = {0};
	enum tf_err e = sca_rate_get(ctx, lock->key, SCA_WEAVR_LOCK_WINDOW_MS, &attempts);
	return e != TF_OK ? e : sca_rate_give_back(ctx, lock->key, attempts.window_start);
}
