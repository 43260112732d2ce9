/* challenge.c: see challenge.h for the states and invariants. */
#include "core/challenge.h"

enum tf_err challenge_check_open(const struct challenge_state *c, int64_t now)
{
	switch (c->status) {
	case CH_VERIFIED:
		return TF_ERR_ALREADY_VERIFIED; /* (1) */
	case CH_LOCKED:
		return TF_ERR_CHALLENGE_LIMIT_EXCEEDED; /* (3) */
	case CH_SUPERSEDED:
		return TF_ERR_CHALLENGE_SUPERSEDED; /* (5) */
	case CH_EXPIRED:
		return TF_ERR_CHALLENGE_EXPIRED;
	case CH_DENIED:
		return TF_ERR_CHALLENGE_DENIED; /* (6) */
	case CH_PENDING:
		break;
	}
	if (now >= c->expires_at)
		return TF_ERR_CHALLENGE_EXPIRED;
	if (c->attempts >= c->max_attempts)
		return TF_ERR_CHALLENGE_LIMIT_EXCEEDED;
	return TF_OK;
}

enum tf_err factor_check_open(const struct factor_state *f, int64_t now)
{
	return f->blocked_until && now < f->blocked_until ? TF_ERR_FACTOR_BLOCKED : TF_OK;
}

enum tf_err challenge_attempt(struct challenge_state *c, struct factor_state *f, enum attempt_code code,
			      int64_t now, int *remaining)
{
	if (code == ATTEMPT_RIGHT) {
		c->status = CH_VERIFIED;
		f->consecutive_failures = 0; /* (4) */
		f->blocked_until = 0;
		*remaining = c->max_attempts - c->attempts;
		return TF_OK;
	}
	c->attempts++;
	if (code == ATTEMPT_WRONG)
		f->consecutive_failures++; /* (7): not for a replay */
	if (f->consecutive_failures >= FACTOR_MAX_FAILURES) {
		f->blocked_until = now + FACTOR_BLOCK_MS; /* (4) */
		f->consecutive_failures = 0;
	}
	*remaining = c->max_attempts - c->attempts;
	if (*remaining <= 0) {
		*remaining = 0;
		c->status = CH_LOCKED; /* (2), (3) */
		return TF_ERR_CHALLENGE_LIMIT_EXCEEDED;
	}
	return TF_ERR_VERIFICATION_CODE_INVALID;
}

enum tf_err send_policy_check(int64_t last_send_at, int counted_sends, bool counts, int64_t now)
{
	/* the cap first: waiting cannot help a third send, so say so at once */
	if (counts && counted_sends >= STEPUP_SENDS_PER_SESSION)
		return TF_ERR_INVALID_REQUEST;
	if (last_send_at && now - last_send_at < RESEND_SPACING_MS)
		return TF_ERR_RETRY_IN_15SEC;
	return TF_OK;
}
