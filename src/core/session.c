/* session.c: see session.h. */
#include "core/session.h"

enum session_state session_check(const struct session_times *t, int64_t now)
{
	if (t->revoked_at)
		return SESSION_REVOKED;
	if (now >= t->absolute_expires_at)
		return SESSION_EXPIRED;
	if (now >= t->last_seen_at + t->idle_timeout_ms)
		return SESSION_IDLE_EXPIRED;
	return SESSION_ALIVE;
}

int64_t session_expires_at(const struct session_times *t)
{
	int64_t idle = t->last_seen_at + t->idle_timeout_ms;
	return idle < t->absolute_expires_at ? idle : t->absolute_expires_at;
}

bool session_touch_due(const struct session_times *t, int64_t now)
{
	return now - t->last_seen_at >= SESSION_TOUCH_GRANULARITY_MS;
}

bool stepup_active(int64_t stepped_up_at, int64_t last_seen_at, int64_t now)
{
	if (!stepped_up_at)
		return false;
	int64_t last = last_seen_at > stepped_up_at ? last_seen_at : stepped_up_at;
	return now - last < STEPUP_IDLE_MS;
}

int64_t stepup_until(int64_t last_activity)
{
	return last_activity + STEPUP_IDLE_MS;
}
