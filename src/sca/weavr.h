/*
 * weavr.h: the Weavr face's sign-in lock (seed-apis.md 3.1, SPEC section 11): five failed
 * sign-ins of one application and email (normalised: the letter case of an address does not
 * make another account) within 30 minutes of the first lock the account (LOGIN_LOCKED) until
 * that window ends. Each sign-in is counted before its password is hashed, so that however
 * many are sent at once at most five are hashed, and given back when it succeeds.
 */
#ifndef TF_SCA_WEAVR_H
#define TF_SCA_WEAVR_H
#include "sca/context.h"

#define SCA_WEAVR_LOCK_WINDOW_MS (30 * 60 * 1000LL)
#define SCA_WEAVR_LOCK_FAILURES 5

/* The lock of one email: its counter's key, and the window the attempt was counted in. */
struct sca_weavr_lock {
	char key[400];
	int64_t window_start;
};

/* The lock of email (as given; normalised here) in the context's application, not counted. */
void sca_weavr_lock_of(const struct sca_ctx *ctx, const char *email, struct sca_weavr_lock *out);
/* Counts a sign-in before its password is checked: LOGIN_LOCKED when it is over the limit. */
enum tf_err sca_weavr_lock_count(const struct sca_ctx *ctx, struct sca_weavr_lock *lock);
/* After a failed sign-in: LOGIN_LOCKED when the failures now reach the limit, TF_OK otherwise. */
enum tf_err sca_weavr_lock_failed(const struct sca_ctx *ctx, const struct sca_weavr_lock *lock);
/* After a successful sign-in: its attempt is given back. */
enum tf_err sca_weavr_lock_release(const struct sca_ctx *ctx, const struct sca_weavr_lock *lock);

#endif
