/*
 * attempt.c: one answer to a challenge (SPEC sections 4, 5 and 11; see challenges.h). The rules
 * of attempts and blocking are core/challenge.c's; this file loads the facts under the write
 * lock, applies the rules and stores all that the verdict changes in one transaction: the
 * challenge and the factor, the wrong codes of the client address, the session's step-up and
 * the SCA ledger, a payment's authorisation and the resources it approves, the audit events,
 * and the device a verified login or step-up trusts.
 */
#include <stdio.h>
#include <string.h>

#include "core/session.h"
#include "crypto/crypto.h"
#include "sca/challenges.h"
#include "sca/devices.h"
#include "sca/evidence.h"
#include "sca/rate.h"

/* A payment's authorisation from its verified challenge, and the payment resources issued
 * for that challenge, approved (in the caller's transaction). */
static enum tf_err authorise_payment(const struct sca_ctx *ctx, const struct challenge_row *ch,
				     struct authorization_row *auth)
{
	memset(auth, 0, sizeof *auth);
	crypto_random_id("aut", auth->authorization_id);
	snprintf(auth->app_id, sizeof auth->app_id, "%s", ctx->app->app_id);
	snprintf(auth->user_id, sizeof auth->user_id, "%s", ch->user_id);
	snprintf(auth->challenge_id, sizeof auth->challenge_id, "%s", ch->challenge_id);
	memcpy(auth->transaction_hash, ch->tx_hash, sizeof auth->transaction_hash);
	auth->created_at = ctx->now;
	auth->expires_at = ctx->now + ctx->svc->cfg.payment_authorization_lifetime * 1000;
	enum tf_err e = STORE(ctx->db)->authorization_insert(ctx->db, auth);
	struct txn_row issued[4];
	size_t n_issued = 0;
	if (e == TF_OK)
		e = STORE(ctx->db)->txn_list_by_challenge(ctx->db, ctx->app->app_id, ch->challenge_id, issued, 4, &n_issued);
	for (size_t i = 0; e == TF_OK && i < n_issued; i++) {
		if (issued[i].state != TXN_PENDING_CHALLENGE)
			continue;
		issued[i].state = TXN_APPROVED;
		issued[i].approved_at = ctx->now;
		e = STORE(ctx->db)->txn_update(ctx->db, &issued[i]);
		if (e == TF_OK)
			e = sca_audit(ctx, "transaction.approved", issued[i].transaction_id, NULL);
	}
	return e;
}

enum tf_err sca_challenge_search(const struct sca_ctx *ctx, const struct factor_row *f, const char *code,
				 struct factor_found *found)
{
	return factor_kind_of(f->type)->find(ctx, f, code, found);
}

enum tf_err sca_challenge_attempt(const struct sca_ctx *ctx, struct session_row *session,
				  const struct sca_attempt_request *rq, const struct factor_found *found,
				  struct sca_attempt_result *res)
{
	memset(res, 0, sizeof *res);
	struct challenge_row *ch = &res->ch;
	struct factor_row *f = &res->f;
	/* wrong codes per client address (SPEC section 11): checked before, counted after, both in the
	 * write transaction (a read there costs less than a snapshot of its own) */
	char ip_key[160], details[160];
	int64_t window_ms = ctx->svc->cfg.rate_window * 1000;
	struct rate_count wrong_here = {0};
	snprintf(ip_key, sizeof ip_key, "verify_fail_ip:%s:%s", ctx->app->app_id, ctx->client_ip);
	struct factor_found none = {.idx = -1};
	/* Read under the write lock, so a concurrent attempt cannot slip between check and update.
	 * A kind whose check needs Argon2id (backup codes) must not run it while holding the lock,
	 * nor on an HTTP thread: the caller steps out once (to the slow pool) to find what matches,
	 * then attempts again (the sheet may have changed meanwhile; spending a code checks its hash). */
	enum tf_err e = sca_tx_begin(ctx);
	if (e != TF_OK)
		return e;
	if ((e = sca_wrong_answers_check(ctx, ip_key, &wrong_here, &res->retry_after)) == TF_ERR_RATE_LIMITED) {
		sca_tx_end(ctx, e);
		return e;
	}
	if (e == TF_OK)
		e = sca_challenge_of_session(ctx, session, rq->challenge_id, rq->enrolment_only, ch, f);
	const struct factor_kind *kind = e == TF_OK ? factor_kind_of(f->type) : NULL;
	/* a device's answer (no code) has nothing to search: it is refused below */
	if (e == TF_OK && (kind->flags & FACTOR_KIND_SLOW_CHECK) && !found && rq->code) {
		sca_tx_end(ctx, TF_ERR_INTERNAL); /* rolls back: nothing was written */
		res->needs_search = true;
		return TF_OK;
	}
	struct challenge_state st = {(enum challenge_status)ch->status, ch->expires_at, ch->attempts, ch->max_attempts};
	struct factor_state fs = {f->consecutive_failures, f->blocked_until};
	if (e == TF_OK)
		e = challenge_check_open(&st, ctx->now);
	if (e == TF_OK)
		e = factor_check_open(&fs, ctx->now);
	if (e == TF_OK && kind->answer == FACTOR_ANSWER_DEVICE && !rq->push)
		e = TF_ERR_PUSH_ANSWER_REQUIRED; /* the device answers, not a code */
	if (e == TF_OK && kind->answer != FACTOR_ANSWER_DEVICE && rq->push) {
		e = TF_ERR_INVALID_FIELD;
		res->bad_field = "approve";
	}
	/* a passkey answers with a credential, every other kind without one */
	if (e == TF_OK && (kind->answer == FACTOR_ANSWER_CREDENTIAL) != (rq->credential != NULL)) {
		e = rq->credential ? TF_ERR_INVALID_FIELD : TF_ERR_MISSING_FIELD;
		res->bad_field = "credential";
	}
	if (e != TF_OK)
		return sca_tx_end(ctx, e);
	struct credential_outcome outcome = {0};
	struct factor_attempt attempt = {.code = rq->code, .push = rq->push, .found = found ? found : &none,
					 .credential = rq->credential, .outcome = &outcome};
	if (kind->denied && kind->denied(f, ch, &attempt)) {
		/* the user said no on the device: the challenge is over */
		ch->status = CH_DENIED;
		e = STORE(ctx->db)->challenge_update(ctx->db, ch);
		snprintf(details, sizeof details, "{\"factor_id\":\"%s\",\"purpose\":\"%s\"}", f->factor_id,
			 purpose_names[ch->purpose]);
		if (e == TF_OK)
			e = sca_audit(ctx, "challenge.denied", ch->challenge_id, details);
		e = sca_tx_end(ctx, e);
		return e != TF_OK ? e : TF_ERR_CHALLENGE_DENIED;
	}
	int64_t totp_step = f->last_totp_step;
	/* dynamic linking: the code is checked for the transaction the caller presents (an SMS or
	 * voice code's MAC covers its hash), so a code given for other details never matches */
	struct challenge_row presented = *ch;
	bool tx_mismatch = ch->has_transaction && rq->presented_tx_hash &&
			   !crypto_equal(rq->presented_tx_hash, ch->tx_hash, TX_HASH_HEX);
	if (tx_mismatch)
		snprintf(presented.tx_hash, sizeof presented.tx_hash, "%s", rq->presented_tx_hash);
	enum answer_verdict v = factor_check(ctx, f, &presented, &attempt, &totp_step);
	if (tx_mismatch)
		v = ANSWER_WRONG;
	if (v == ANSWER_RIGHT && kind->spend) /* a backup code works once */
		e = kind->spend(ctx, f, ch, &attempt, &v);
	if (v == ANSWER_RIGHT && kind->accept) /* a passkey's credential, or its counter */
		kind->accept(&attempt, f);
	int remaining = 0;
	bool was_blocked = fs.blocked_until != 0;
	enum tf_err verdict = challenge_attempt(&st, &fs, v == ANSWER_RIGHT ? ATTEMPT_RIGHT : v == ANSWER_REPLAYED ? ATTEMPT_REPLAYED : ATTEMPT_WRONG,
						ctx->now, &remaining);
	ch->status = st.status;
	ch->attempts = st.attempts;
	f->consecutive_failures = fs.consecutive_failures;
	f->blocked_until = fs.blocked_until;
	if (verdict == TF_OK) {
		ch->verified_at = ctx->now;
		f->last_totp_step = totp_step; /* changed by the check only for an authenticator app */
		if (ch->purpose == PURPOSE_ENROLMENT && f->status != FACTOR_ACTIVE) {
			f->status = FACTOR_ACTIVE;
			f->activated_at = ctx->now;
		}
	}
	if (e == TF_OK)
		e = STORE(ctx->db)->challenge_update(ctx->db, ch);
	if (e == TF_OK)
		e = STORE(ctx->db)->factor_update(ctx->db, f);
	if (e == TF_OK && verdict != TF_OK)
		e = STORE(ctx->db)->counter_hit(ctx->db, ip_key, ctx->now, window_ms, &wrong_here);
	bool steps_up = verdict == TF_OK && (ch->purpose == PURPOSE_LOGIN || ch->purpose == PURPOSE_STEPUP);
	if (e == TF_OK && steps_up)
		e = STORE(ctx->db)->session_set_stepped_up(ctx->db, session->session_id, ctx->now);
	if (e == TF_OK && steps_up && session->kind == SESSION_HOSTED)
		e = STORE(ctx->db)->hosted_session_mfa_passed(ctx->db, session->session_id);
	/* a successful SCA resets the low-value counts; only login and step-up count for account
	 * information (seed 002: a transaction SCA does not) */
	if (e == TF_OK && verdict == TF_OK && ch->purpose != PURPOSE_ENROLMENT)
		e = STORE(ctx->db)->sca_state_record(ctx->db, ctx->app->app_id, ch->user_id, ctx->now, steps_up);
	if (e == TF_OK && verdict == TF_OK && ch->purpose == PURPOSE_TRANSACTION) {
		res->has_authorization = true;
		e = authorise_payment(ctx, ch, &res->authorization);
	}
	snprintf(details, sizeof details, "{\"factor_id\":\"%s\",\"purpose\":\"%s\",\"attempts_remaining\":%d}",
		 f->factor_id, purpose_names[ch->purpose], remaining);
	const char *event = verdict == TF_OK ? "challenge.verified" : verdict == TF_ERR_CHALLENGE_LIMIT_EXCEEDED ? "challenge.locked" : "challenge.failed";
	if (e == TF_OK)
		e = sca_audit(ctx, event, ch->challenge_id, details);
	if (e == TF_OK && !was_blocked && f->blocked_until)
		e = sca_audit(ctx, "factor.blocked", f->factor_id, "{\"minutes\":15}");
	if (e == TF_OK && verdict == TF_OK && ch->purpose == PURPOSE_ENROLMENT)
		e = sca_audit(ctx, "factor.activated", f->factor_id, NULL);
	/* a passkey's assertion is kept as what the SCA proved */
	if (e == TF_OK && verdict == TF_OK && ch->purpose != PURPOSE_ENROLMENT && kind->answer == FACTOR_ANSWER_CREDENTIAL)
		e = sca_evidence_record(ctx, ch, f, rq->credential, &outcome.asserted);
	/* a signature counter that did not grow: the key may have been copied to another device */
	if (e == TF_OK && outcome.reason == WEBAUTHN_COUNTER)
		e = sca_audit(ctx, "factor.counter_regressed", f->factor_id, NULL);
	/* a verified login or step-up answers a device: persistent when asked to trust it, else a
	 * session device that dies with the browser (seed 000) */
	if (e == TF_OK && steps_up) {
		res->has_device = true;
		e = sca_device_issue(ctx, ch->user_id, ch->challenge_id, rq->trust_device, rq->domain, &res->device,
				 res->device_cookie);
	}
	if ((e = sca_tx_end(ctx, e)) != TF_OK)
		return e;
	res->steps_up = steps_up;
	if (steps_up)
		res->stepped_up_until = stepup_until(ctx->now);
	if (verdict == TF_ERR_VERIFICATION_CODE_INVALID) {
		res->attempts_remaining = remaining;
		if (v == ANSWER_REPLAYED)
			verdict = TF_ERR_TOTP_REPLAYED;
		if (kind->answer == FACTOR_ANSWER_CREDENTIAL) {
			verdict = TF_ERR_CREDENTIAL_INVALID;
			/* a right credential for another transaction than the one presented */
			res->reason = webauthn_reason_name(outcome.reason == WEBAUTHN_OK ? WEBAUTHN_CHALLENGE : outcome.reason);
		}
	}
	return verdict;
}
