/* rate.c: rate-limit counters over the store (see rate.h). */
#include "sca/rate.h"

enum tf_err sca_rate_hit(const struct sca_ctx *ctx, const char *key, int64_t window_ms, int64_t limit,
			 struct rate_count *out)
{
	enum tf_err e = STORE(ctx->db)->counter_hit(ctx->db, key, ctx->now, window_ms, out);
	if (e != TF_OK)
		return e;
	return out->count > limit ? TF_ERR_RATE_LIMITED : TF_OK;
}

enum tf_err sca_rate_get(const struct sca_ctx *ctx, const char *key, int64_t window_ms, struct rate_count *out)
{
	return STORE(ctx->db)->counter_get(ctx->db, key, ctx->now, window_ms, out);
}

enum tf_err sca_rate_give_back(const struct sca_ctx *ctx, const char *key, int64_t window_start)
{
	return STORE(ctx->db)->counter_give_back(ctx->db, key, window_start);
}

enum tf_err sca_wrong_answers_check(const struct sca_ctx *ctx, const char *key, struct rate_count *out,
				    int64_t *retry_after)
{
	int64_t window_ms = ctx->svc->cfg.rate_window * 1000;
	enum tf_err e = sca_rate_get(ctx, key, window_ms, out);
	if (e == TF_OK && out->count >= ctx->svc->cfg.verify_failures_per_address) {
		*retry_after = out->window_start + window_ms;
		return TF_ERR_RATE_LIMITED;
	}
	return e;
}
