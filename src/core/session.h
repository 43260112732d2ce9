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

#endif
