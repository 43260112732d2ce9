/* retention.c: see retention.h. */
#include "core/retention.h"

static int64_t earlier(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

bool retention_cutoffs(int64_t now, int64_t kept_ms, struct retention_cutoffs *out)
{
	if (kept_ms <= 0)
		return false;
	out->ended_before = now - kept_ms;
	out->idempotency_before = earlier(out->ended_before, now - IDEMPOTENCY_TTL_MS);
	out->counters_before = earlier(out->ended_before, now - RATE_WINDOW_MAX_MS);
	return true;
}
