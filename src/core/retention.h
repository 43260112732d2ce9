/*
 * retention.h: which ended rows the sweeper deletes, as cut-off times. Pure: the time is
 * passed in. Rows that ended are only read again to tell a late caller how they ended
 * (CHALLENGE_EXPIRED rather than NOT_FOUND, SSO_TOKEN_USED rather than SSO_TOKEN_INVALID), so
 * they are kept expired_rows_kept after they end, then deleted; the rate counters and the
 * idempotency records are deleted once no request can read them any more.
 */
#ifndef TF_CORE_RETENTION_H
#define TF_CORE_RETENTION_H
#include <stdbool.h>
#include <stdint.h>

/* An idempotency-ref's answer is replayed for 24 hours (README: idempotency). */
#define IDEMPOTENCY_TTL_MS (24LL * 3600 * 1000)
/* The longest window of a rate counter: rate_window is at most a day, the send caps an hour. */
#define RATE_WINDOW_MAX_MS (24LL * 3600 * 1000)

struct retention_cutoffs {
	/* sessions past their absolute expiry, challenges, SSO and email tokens and trusted devices
	 * past their expiry, and messages sent or given up, before this */
	int64_t ended_before;
	/* idempotency records made before this (never inside their 24 hours) */
	int64_t idempotency_before;
	/* rate counters whose window started before this (never the current window) */
	int64_t counters_before;
};

/* The cut-offs at now for rows kept kept_ms after they end; false when kept_ms is 0 (keep
 * everything: nothing is to be deleted). */
bool retention_cutoffs(int64_t now, int64_t kept_ms, struct retention_cutoffs *out);

#endif
