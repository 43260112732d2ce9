/*
 * rate.h: rate limits as counters per key (SPEC section 11: logins, wrong codes, sends). A key's
 * window begins at its first counted hit and lasts window_ms; a hit after it starts the next.
 * An attempt is counted before its slow work (a hash, a send) so that attempts sent at once
 * cannot all pass; one whose outcome turns out not to count is given back.
 */
#ifndef TF_SCA_RATE_H
#define TF_SCA_RATE_H
#include "sca/context.h"

/* Counts one hit on key; TF_ERR_RATE_LIMITED when the count is now over limit. *out gets the
 * count and the window (out->window_start + window_ms is when the limit lifts). */
enum tf_err sca_rate_hit(const struct sca_ctx *ctx, const char *key, int64_t window_ms, int64_t limit,
			 struct rate_count *out);
/* Reads key's count in its running window without counting (0 when none runs). */
enum tf_err sca_rate_get(const struct sca_ctx *ctx, const char *key, int64_t window_ms, struct rate_count *out);
/* Gives back one hit counted in the window that began at window_start (nothing once it passed). */
enum tf_err sca_rate_give_back(const struct sca_ctx *ctx, const char *key, int64_t window_start);

/* Wrong answers from one client address (SPEC section 11), in the caller's transaction: the
 * count of key in its window into *out; TF_ERR_RATE_LIMITED once it reached
 * verify_failures_per_address, with *retry_after when the window ends. A wrong answer is then
 * counted with counter_hit on the same key. */
enum tf_err sca_wrong_answers_check(const struct sca_ctx *ctx, const char *key, struct rate_count *out,
				    int64_t *retry_after);

#endif
