/*
 * session.h: the life of a session token, as pure rules over times (SPEC section 2).
 *
 *   issued --(request within idle timeout)--> alive, last_seen moves   [session_touch_due]
 *   alive  --(idle timeout passes)----------> dead (401)               [session_check]
 *   alive  --(absolute lifetime passes)-----> dead (401)
 *   alive  --(logout / revocation)----------> dead (401)
 * A dead token never comes back. Times are milliseconds since the epoch, passed in.
 */
#ifndef TF_CORE_SESSION_H
#define TF_CORE_SESSION_H
#include <stdbool.h>
#include <stdint.h>

struct session_times {
	int64_t created_at;
	int64_t last_seen_at;
	int64_t idle_timeout_ms;
	int64_t absolute_expires_at;
	int64_t revoked_at; /* 0 when not revoked */
};

enum session_state { SESSION_ALIVE, SESSION_IDLE_EXPIRED, SESSION_EXPIRED, SESSION_REVOKED };

enum session_state session_check(const struct session_times *t, int64_t now);

/* When the token dies if no further request comes: min(last_seen + idle, absolute). */
int64_t session_expires_at(const struct session_times *t);

/* Whether last_seen_at should be written now. Activity is recorded with one-second
 * granularity so that a burst of requests on one token costs one write. */
bool session_touch_due(const struct session_times *t, int64_t now);

#define SESSION_TOUCH_GRANULARITY_MS 1000

/*
 * Step-up (seed 002): a token stepped up by a second factor stays stepped up until
 * STEPUP_IDLE_MS pass without activity on that token; every authenticated request on it is
 * activity. Once lapsed it stays lapsed until the next successful challenge.
 *   stepped up --(request within 5 min of the previous one)--> stepped up  [stepup_active]
 *   stepped up --(5 min without a request)--------------------> not stepped up
 */
#define STEPUP_IDLE_MS (5 * 60 * 1000LL)

/* Whether a token stepped up at stepped_up_at (0: never) and last active at last_seen_at is
 * still stepped up at now, judged before now's request counts as activity. */
bool stepup_active(int64_t stepped_up_at, int64_t last_seen_at, int64_t now);
/* When the step-up lapses if no request comes after one at last_activity. */
int64_t stepup_until(int64_t last_activity);

#endif
