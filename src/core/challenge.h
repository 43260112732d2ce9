/*
 * challenge.h: the rules of a challenge and of the factor it tests (SPEC section 4,
 * seeds 002 and 003), as pure functions over a state struct; time is passed in.
 *
 * A challenge's states and the function behind each transition:
 *
 *   PENDING --right code, before expiry, attempts left--> VERIFIED    [challenge_attempt]
 *   PENDING --wrong code, attempts left after it-------> PENDING      [challenge_attempt]
 *   PENDING --wrong code that uses the last attempt----> LOCKED       [challenge_attempt]
 *   PENDING --now >= expires_at------------------------> EXPIRED      [challenge_check_open]
 *   PENDING --a newer challenge on the same session----> SUPERSEDED   (the store marks it)
 *   PENDING --the push device answers "deny"------------> DENIED       (sca/attempt.c)
 *
 * Invariants:
 *   (1) a VERIFIED challenge never verifies again (ALREADY_VERIFIED): a code works once;
 *   (2) at most max_attempts wrong codes per challenge; the right code on the last allowed
 *       attempt still succeeds;
 *   (3) the attempt that reaches max_attempts wrong codes answers CHALLENGE_LIMIT_EXCEEDED,
 *       and so does every later attempt, right code or not;
 *   (4) max_factor_failures consecutive wrong codes on one factor, across challenges, block
 *       the factor for factor_block_ms; a success resets the count (PSD2 RTS art. 4);
 *   (5) only the newest code of a challenge verifies (a resend replaces the code's MAC);
 *   (6) a denied challenge is over: it never verifies (CHALLENGE_DENIED);
 *   (7) a replayed code (an authenticator code already used on the factor) uses one of the
 *       challenge's attempts but does not count towards the factor's consecutive failures:
 *       whoever saw one used code cannot block the factor by replaying it.
 */
#ifndef TF_CORE_CHALLENGE_H
#define TF_CORE_CHALLENGE_H
#include <stdbool.h>
#include <stdint.h>

#include "base/errors.h"
#include "base/names.h"

#define CHALLENGE_TTL_MS (5 * 60 * 1000LL)
#define CHALLENGE_MAX_ATTEMPTS 5
#define FACTOR_MAX_FAILURES 5
#define FACTOR_BLOCK_MS (15 * 60 * 1000LL)
#define RESEND_SPACING_MS (15 * 1000LL)
#define STEPUP_SENDS_PER_SESSION 2

struct challenge_state {
	enum challenge_status status;
	int64_t expires_at;
	int attempts;     /* wrong codes so far */
	int max_attempts;
};

struct factor_state {
	int consecutive_failures;
	int64_t blocked_until; /* 0 when not blocked */
};

/* Before looking at a code: TF_OK, or the error the attempt answers (ALREADY_VERIFIED,
 * CHALLENGE_EXPIRED, CHALLENGE_LIMIT_EXCEEDED, CHALLENGE_SUPERSEDED, CHALLENGE_DENIED). */
enum tf_err challenge_check_open(const struct challenge_state *c, int64_t now);

/* Whether the factor is blocked now (FACTOR_BLOCKED). */
enum tf_err factor_check_open(const struct factor_state *f, int64_t now);

/* What an attempt's code turned out to be. */
enum attempt_code { ATTEMPT_WRONG, ATTEMPT_RIGHT, ATTEMPT_REPLAYED };

/* Applies one attempt to both states. Returns TF_OK for a right code, VERIFICATION_CODE_INVALID
 * with *remaining (a replayed code too, invariant 7), or CHALLENGE_LIMIT_EXCEEDED. */
enum tf_err challenge_attempt(struct challenge_state *c, struct factor_state *f, enum attempt_code code,
			      int64_t now, int *remaining);

/* Sending a code (a new sms/voice/push challenge or a resend) on one session token:
 * last_send_at is that token's last successful send (0 if none) and counted_sends how many
 * codes it has had for challenges whose success elevates it (login, stepup, transaction).
 * counts says whether this send is one of those; an enrolment's sends are not, and are
 * spaced by their factor's last enrolment send instead (counts false).
 * Returns TF_OK, INVALID_REQUEST (a third counted send, whenever it comes) or RETRY_IN_15SEC. */
enum tf_err send_policy_check(int64_t last_send_at, int counted_sends, bool counts, int64_t now);

#endif
