/*
 * api_challenges.c: challenges of a user's factors (SPEC section 4, seeds 002 and 003).
 * POST /v1/challenges starts one (the factor's kind sends what it needs: a code by SMS or
 * voice, a push, or nothing for TOTP and backup codes), /resend sends anew and replaces the
 * previous code, /verify checks an answer with the kind (sca/factor_kind.h). The rules of
 * attempts are in core/challenge.c; this file loads, applies and stores them, one transaction
 * per attempt, and answers.
 */
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "core/challenge.h"
#include "core/session.h"
#include "core/numeric_id.h"
#include "core/phone_policy.h"

static const char *actor_of(struct tf_req *req, char buf[64])
{
	snprintf(buf, 64, "user:%s", req->session.user_id);
	return buf;
}

json_t *api_challenge_json(const struct challenge_row *ch, const struct factor_row *f)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:i}", "challenge_id", ch->challenge_id, "factor_id",
			      ch->factor_id, "factor_type", factor_type_names[f->type], "purpose",
			      purpose_names[ch->purpose], "status", challenge_status_names[ch->status],
			      "attempts_remaining", ch->max_attempts - ch->attempts);
	resp_set_time(o, "expires_at", ch->expires_at);
	if (ch->last_sent_at)
		resp_set_time(o, "resend_after", ch->last_sent_at + RESEND_SPACING_MS);
	else
		json_object_set_new(o, "resend_after", json_null());
	if (ch->has_transaction)
		json_object_set_new(o, "transaction", api_transaction_json(&ch->tx, ch->tx_hash));
	return o;
}

/* A send claim that loses this many compare-and-sets in a row (each a concurrent send of the
 * same token or factor) is answered as too soon. */
#define SEND_CLAIM_TRIES 4

/* The resend rules (SPEC section 4), claimed atomically in this request's transaction, so that
 * concurrent requests cannot all pass a check made on what each read before the others wrote:
 *   - an enrolment send: 15 seconds after the factor's previous enrolment send, whichever
 *     challenge, token or request made it (factors.last_send_at);
 *   - any other send (login, stepup, transaction: each verifies into a stepped-up token or a
 *     payment authorisation): 15 seconds after the token's previous one, and at most
 *     STEPUP_SENDS_PER_SESSION per token.
 * Each is a compare-and-set from the state last seen (the session's as loaded with the request,
 * the factor's guessed as never sent): a lost race re-reads the state and checks again. A
 * refusal later in the transaction rolls the claim back with everything else. */
static enum tf_err send_claim(struct tf_req *req, const struct challenge_row *ch)
{
	enum tf_err e = TF_OK;
	bool swapped = false;
	if (ch->purpose == PURPOSE_ENROLMENT) {
		int64_t last = 0;
		for (int i = 0; i < SEND_CLAIM_TRIES && !swapped && e == TF_OK; i++)
			if ((e = send_policy_check(last, 0, false, req->now)) == TF_OK)
				e = STORE(req->db)->factor_send_swap(req->db, req->app->app_id, ch->factor_id, &last, req->now,
								     &swapped);
		return e != TF_OK || swapped ? e : TF_ERR_RETRY_IN_15SEC;
	}
	struct send_state seen = {req->session.last_send_at, req->session.stepup_sends}, next;
	for (int i = 0; i < SEND_CLAIM_TRIES && !swapped && e == TF_OK; i++) {
		if ((e = send_policy_check(seen.last_send_at, seen.counted_sends, true, req->now)) != TF_OK)
			break;
		next = (struct send_state){req->now, seen.counted_sends + 1};
		e = STORE(req->db)->session_send_swap(req->db, req->session.session_id, &seen, &next, &swapped);
	}
	if (e == TF_OK && !swapped)
		e = TF_ERR_RETRY_IN_15SEC;
	if (e == TF_OK) {
		req->session.last_send_at = next.last_send_at;
		req->session.stepup_sends = next.counted_sends;
	}
	return e;
}

static int64_t policy_limit(json_t *policy, const char *key, int64_t def)
{
	json_t *v = json_object_get(policy, key);
	return json_is_integer(v) ? json_integer_value(v) : def;
}

/* Send abuse (SPEC section 4, SMS pumping): the application's allowed countries, and per hour
 * at most so many codes to one user's factors, asked for from one client address, to one
 * number, to one number range, and in all, in that order: whoever abuses the sends meets their
 * own cap (user, address) before the ones everybody shares. Each cap counts the codes sent:
 * the counters are hit in this request's transaction, and a refusal, by any cap or any rule
 * after it, rolls them all back, so that an attempt that sends nothing uses no one's budget.
 * A refusal is audited (in a transaction of its own) and says when the hour ends
 * (Retry-After). Sandbox applications send nothing. */
static enum tf_err send_caps(struct tf_req *req, const struct factor_row *f)
{
	if (req->app->sandbox || !(factor_kind_of(f->type)->flags & FACTOR_KIND_TO_PHONE))
		return TF_OK;
	json_t *policy = json_loads(req->app->send_policy[0] ? req->app->send_policy : "{}", 0, NULL);
	const char *country = phone_country(f->phone), *reason = NULL;
	char range[16], key[300];
	phone_range(f->phone, range, sizeof range);
	json_t *allowed = json_object_get(policy, "allowed_countries");
	if (json_is_array(allowed)) {
		const char *list[64];
		size_t n = 0, i;
		json_t *c;
		json_array_foreach(allowed, i, c) {
			if (n < 64 && json_is_string(c))
				list[n++] = json_string_value(c);
		}
		if (!phone_country_allowed(country, list, n))
			reason = "country";
	}
	struct rate_count count = {0};
	const struct {
		const char *what, *arg, *limit_key;
		int64_t def;
	} caps[] = {
		{"user", f->user_id, "per_user_per_hour", req->svc->cfg.sends_per_user_per_hour},
		{"address", req->client_ip, "per_address_per_hour", req->svc->cfg.sends_per_address_per_hour},
		{"number", f->phone, "per_number_per_hour", req->svc->cfg.sends_per_number_per_hour},
		{"range", range, "per_range_per_hour", req->svc->cfg.sends_per_range_per_hour},
		{"application", "", "per_app_per_hour", req->svc->cfg.sends_per_app_per_hour},
	};
	enum tf_err e = TF_OK;
	for (size_t i = 0; !reason && e == TF_OK && i < sizeof caps / sizeof caps[0]; i++) {
		snprintf(key, sizeof key, "send_%s:%s:%s", caps[i].what, req->app->app_id, caps[i].arg);
		if ((e = STORE(req->db)->counter_hit(req->db, key, req->now, 3600 * 1000LL, &count)) == TF_OK &&
		    count.count > policy_limit(policy, caps[i].limit_key, caps[i].def))
			reason = caps[i].what;
	}
	json_decref(policy);
	if (e != TF_OK || !reason)
		return e;
	char actor[64], details[160];
	snprintf(actor, sizeof actor, "user:%s", req->session.user_id);
	snprintf(details, sizeof details, "{\"reason\":\"%s\",\"range\":\"%s\",\"country\":\"%s\"}", reason, range,
		 country ? country : "");
	req_audit_detached(req, "send.refused", actor, f->factor_id, details);
	if (!strcmp(reason, "country"))
		return TF_ERR_PHONE_COUNTRY_NOT_ALLOWED;
	req_retry_after(req, count.window_start + 3600 * 1000LL);
	return TF_ERR_SEND_LIMIT_REACHED;
}

static enum tf_err api_challenge_send(struct tf_req *req, const struct factor_row *f, struct challenge_row *ch)
{
	enum tf_err e = send_claim(req, ch);
	if (e == TF_OK)
		e = send_caps(req, f);
	if (e != TF_OK)
		return e;
	const struct factor_kind *kind = factor_kind_of(f->type);
	struct sca_ctx ctx;
	req_sca_ctx(req, &ctx);
	char message_id[TF_ID_MAX], actor[64], details[160];
	if ((e = kind->issue(&ctx, f, ch, message_id)) != TF_OK)
		return e;
	req->wake_outbox = true;
	snprintf(details, sizeof details, "{\"channel\":\"%s\",\"message_id\":\"%s\",\"send\":%d}", kind->name,
		 message_id, ch->sends);
	return req_audit(req, "challenge.sent", actor_of(req, actor), ch->challenge_id, details);
}

enum tf_err api_challenge_new(struct tf_req *req, const struct factor_row *f, enum challenge_purpose purpose,
			      const struct api_transaction *tx, struct challenge_row *ch)
{
	memset(ch, 0, sizeof *ch);
	if (tx) { /* before the code is made: its MAC and message carry the transaction */
		ch->has_transaction = true;
		ch->tx = tx->tx;
		memcpy(ch->tx_hash, tx->hash, sizeof ch->tx_hash);
	}
	crypto_random_id("chl", ch->challenge_id);
	snprintf(ch->app_id, sizeof ch->app_id, "%s", req->app->app_id);
	snprintf(ch->user_id, sizeof ch->user_id, "%s", f->user_id);
	snprintf(ch->factor_id, sizeof ch->factor_id, "%s", f->factor_id);
	snprintf(ch->session_id, sizeof ch->session_id, "%s", req->session.session_id);
	ch->purpose = purpose;
	ch->status = CH_PENDING;
	ch->max_attempts = CHALLENGE_MAX_ATTEMPTS;
	ch->created_at = req->now;
	ch->expires_at = req->now + CHALLENGE_TTL_MS;
	enum tf_err e;
	if (factor_kind_of(f->type)->issue && (e = api_challenge_send(req, f, ch)) != TF_OK)
		return e;
	if ((e = STORE(req->db)->challenge_supersede(req->db, ch->session_id, f->factor_id, ch->challenge_id)) != TF_OK)
		return e;
	return STORE(req->db)->challenge_insert(req->db, ch);
}

static enum tf_err parse_purpose(struct tf_req *req, enum challenge_purpose *out)
{
	const char *purpose = NULL;
	enum tf_err e = req_string(req, "purpose", true, &purpose);
	if (e != TF_OK)
		return e;
	if (!strcmp(purpose, "login"))
		*out = PURPOSE_LOGIN;
	else if (!strcmp(purpose, "stepup"))
		*out = PURPOSE_STEPUP;
	else if (!strcmp(purpose, "enrolment"))
		*out = PURPOSE_ENROLMENT;
	else if (!strcmp(purpose, "transaction"))
		*out = PURPOSE_TRANSACTION;
	else
		return req_field_error(req, TF_ERR_INVALID_FIELD, "purpose");
	return TF_OK;
}

/* The factor a challenge names, or the user's preferred (else only, else first) active one of
 * the kinds picked by default. */
static enum tf_err pick_factor(struct tf_req *req, const char *factor_id, struct factor_row *out)
{
	if (factor_id)
		return STORE(req->db)->factor_get(req->db, req->app->app_id, req->session.user_id, factor_id, out);
	struct factor_row list[FACTORS_PER_USER_MAX];
	size_t n;
	enum tf_err e = STORE(req->db)->factor_list(req->db, req->app->app_id, req->session.user_id, list,
						    FACTORS_PER_USER_MAX, &n);
	if (e != TF_OK)
		return e;
	int pick = -1;
	for (size_t i = 0; i < n; i++)
		if (list[i].status == FACTOR_ACTIVE && (factor_kind_of(list[i].type)->flags & FACTOR_KIND_PICKED_BY_DEFAULT) &&
		    (pick < 0 || (list[i].preferred && !list[pick].preferred)))
			pick = (int)i;
	if (pick < 0)
		return TF_ERR_NO_FACTOR;
	*out = list[pick];
	return TF_OK;
}

enum tf_err api_challenges_create(struct tf_req *req)
{
	static const char *const known[] = {"purpose", "factor_id", "transaction", "transaction_id", NULL};
	const char *factor_id = NULL;
	enum challenge_purpose purpose = PURPOSE_LOGIN;
	enum tf_err e;
	if ((e = req_reject_unknown(req, known)) != TF_OK || (e = parse_purpose(req, &purpose)) != TF_OK ||
	    (e = req_string(req, "factor_id", purpose == PURPOSE_ENROLMENT, &factor_id)) != TF_OK)
		return e;
	/* a transaction challenge carries exactly one transaction; no other purpose carries one */
	json_t *txj = json_object_get(req->json, "transaction");
	const char *transaction_id = NULL;
	if ((e = req_string(req, "transaction_id", false, &transaction_id)) != TF_OK)
		return e;
	struct api_transaction tx;
	struct txn_row resource;
	bool has_txj = txj && !json_is_null(txj);
	if (purpose == PURPOSE_TRANSACTION && !has_txj && !transaction_id)
		return req_field_error(req, TF_ERR_MISSING_FIELD, "transaction");
	if ((purpose != PURPOSE_TRANSACTION || transaction_id) && has_txj)
		return req_field_error(req, TF_ERR_INVALID_FIELD, "transaction");
	if (purpose != PURPOSE_TRANSACTION && transaction_id)
		return req_field_error(req, TF_ERR_INVALID_FIELD, "transaction_id");
	if (purpose == PURPOSE_TRANSACTION && has_txj && (e = api_transaction_read(req, txj, "transaction", &tx)) != TF_OK)
		return e;
	if (transaction_id) { /* a payment resource (POST /v1/transactions) awaiting its SCA */
		if (strlen(transaction_id) >= TF_ID_MAX)
			return TF_ERR_NOT_FOUND;
		e = STORE(req->db)->txn_get(req->db, req->app->app_id, req->session.user_id, transaction_id, &resource);
		if (e != TF_OK)
			return e;
		if (resource.state != TXN_PENDING_CHALLENGE)
			return TF_ERR_TRANSACTION_NOT_PENDING;
		memset(&tx, 0, sizeof tx);
		tx.tx = resource.tx;
		memcpy(tx.hash, resource.transaction_hash, sizeof tx.hash);
	}
	struct factor_row f;
	struct challenge_row ch;
	if ((e = STORE(req->db)->tx_begin(req->db)) != TF_OK)
		return e;
	e = pick_factor(req, factor_id, &f);
	if (e == TF_OK && purpose == PURPOSE_ENROLMENT && f.status == FACTOR_ACTIVE)
		e = TF_ERR_INVALID_REQUEST;
	if (e == TF_OK && purpose != PURPOSE_ENROLMENT && f.status != FACTOR_ACTIVE)
		e = TF_ERR_FACTOR_NOT_ACTIVE;
	if (e == TF_OK)
		e = factor_check_open(&(struct factor_state){f.consecutive_failures, f.blocked_until}, req->now);
	if (e == TF_OK)
		e = api_challenge_new(req, &f, purpose, purpose == PURPOSE_TRANSACTION ? &tx : NULL, &ch);
	if (e == TF_OK && purpose == PURPOSE_ENROLMENT) {
		snprintf(f.enrolment_challenge_id, sizeof f.enrolment_challenge_id, "%s", ch.challenge_id);
		e = STORE(req->db)->factor_update(req->db, &f);
	}
	if (e == TF_OK && transaction_id) { /* the newest challenge is the one that approves it */
		snprintf(resource.challenge_id, sizeof resource.challenge_id, "%s", ch.challenge_id);
		e = STORE(req->db)->txn_update(req->db, &resource);
	}
	if ((e = store_tx_end(req->db, e)) != TF_OK)
		return e;
	json_t *answer = api_challenge_json(&ch, &f);
	if (transaction_id)
		json_object_set_new(answer, "transaction_id", json_string(transaction_id));
	resp_json(req, 201, answer);
	return TF_OK;
}

enum tf_err api_challenges_resend(struct tf_req *req)
{
	static const char *const known[] = {NULL};
	enum tf_err e;
	if ((e = req_reject_unknown(req, known)) != TF_OK)
		return e;
	struct challenge_row ch;
	struct factor_row f;
	if ((e = STORE(req->db)->tx_begin(req->db)) != TF_OK)
		return e;
	e = STORE(req->db)->challenge_get(req->db, req->app->app_id, req->session.user_id, req->params[0], &ch);
	if (e == TF_OK && strcmp(ch.session_id, req->session.session_id) != 0)
		e = TF_ERR_NOT_FOUND; /* a challenge belongs to the session that started it */
	if (e == TF_OK)
		e = STORE(req->db)->factor_get(req->db, req->app->app_id, ch.user_id, ch.factor_id, &f);
	if (e == TF_OK && !factor_kind_of(f.type)->issue)
		e = TF_ERR_INVALID_REQUEST; /* nothing to resend for TOTP or backup codes */
	if (e == TF_OK) {
		struct challenge_state st = {(enum challenge_status)ch.status, ch.expires_at, ch.attempts, ch.max_attempts};
		e = challenge_check_open(&st, req->now);
	}
	if (e == TF_OK)
		e = api_challenge_send(req, &f, &ch); /* replaces the code: only the newest verifies */
	if (e == TF_OK) {
		ch.expires_at = req->now + CHALLENGE_TTL_MS;
		e = STORE(req->db)->challenge_update(req->db, &ch);
	}
	if ((e = store_tx_end(req->db, e)) != TF_OK)
		return e;
	resp_json(req, 200, api_challenge_json(&ch, &f));
	return TF_OK;
}

/* The challenge of this request's session and its factor; NOT_FOUND for another session's
 * challenge, or for a non-enrolment one when enrolment_only. */
static enum tf_err load_attempt(struct tf_req *req, const char *challenge_id, bool enrolment_only,
				struct challenge_row *ch, struct factor_row *f)
{
	enum tf_err e = STORE(req->db)->challenge_get(req->db, req->app->app_id, req->session.user_id, challenge_id, ch);
	if (e == TF_OK && (strcmp(ch->session_id, req->session.session_id) != 0 ||
			   (enrolment_only && ch->purpose != PURPOSE_ENROLMENT)))
		e = TF_ERR_NOT_FOUND;
	if (e == TF_OK)
		e = STORE(req->db)->factor_get(req->db, req->app->app_id, ch->user_id, ch->factor_id, f);
	return e;
}

/* One attempt at challenge_id with code. For an enrolment challenge a right code activates
 * the factor; for login and step-up it steps the session up. */
enum tf_err api_challenge_attempt(struct tf_req *req, const char *challenge_id, const char *code, bool enrolment_only,
				  bool trust_device, enum device_domain domain, const char *presented_tx_hash,
				  const struct push_answer *push)
{
	/* wrong codes per client address (SPEC section 11): checked before, counted after, both in the
	 * write transaction (a read there costs less than a snapshot of its own) */
	char ip_key[160];
	int64_t window_ms = req->svc->cfg.rate_window * 1000;
	struct rate_count wrong_here = {0};
	snprintf(ip_key, sizeof ip_key, "verify_fail_ip:%s:%s", req->app->app_id, req->client_ip);
	struct challenge_row ch;
	struct factor_row f;
	const struct factor_kind *kind = NULL;
	struct sca_ctx ctx;
	req_sca_ctx(req, &ctx);
	char actor[64], details[160];
	struct factor_found found = {.idx = -1};
	bool searched = false;
	enum tf_err e;
	/* Read under the write lock, so a concurrent attempt cannot slip between check and update.
	 * A kind whose check needs Argon2id (backup codes) must not run it while holding the lock,
	 * nor on an HTTP thread: step out once (moving to the slow pool first) to find what matches,
	 * then read again (the sheet may have changed meanwhile; spending a code checks its hash). */
	for (;;) {
		if ((e = STORE(req->db)->tx_begin(req->db)) != TF_OK)
			return e;
		if ((e = STORE(req->db)->counter_get(req->db, ip_key, req->now, window_ms, &wrong_here)) == TF_OK &&
		    wrong_here.count >= req->svc->cfg.verify_failures_per_address) {
			STORE(req->db)->tx_rollback(req->db);
			req_retry_after(req, wrong_here.window_start + window_ms);
			return TF_ERR_RATE_LIMITED;
		}
		if (e == TF_OK && (e = load_attempt(req, challenge_id, enrolment_only, &ch, &f)) == TF_OK)
			kind = factor_kind_of(f.type);
		/* a device's answer (no code) has nothing to search: it is refused below */
		if (e != TF_OK || !(kind->flags & FACTOR_KIND_SLOW_CHECK) || searched || !code)
			break;
		STORE(req->db)->tx_rollback(req->db);
		if (!req->slow_ok) {
			req->rerun_slow = true;
			return TF_OK;
		}
		if ((e = kind->find(&ctx, &f, code, &found)) != TF_OK)
			return e;
		searched = true;
	}
	struct challenge_state st = {(enum challenge_status)ch.status, ch.expires_at, ch.attempts, ch.max_attempts};
	struct factor_state fs = {f.consecutive_failures, f.blocked_until};
	if (e == TF_OK)
		e = challenge_check_open(&st, req->now);
	if (e == TF_OK)
		e = factor_check_open(&fs, req->now);
	if (e == TF_OK && kind->answer == FACTOR_ANSWER_DEVICE && !push)
		e = TF_ERR_PUSH_ANSWER_REQUIRED; /* the device answers, not a code */
	if (e == TF_OK && kind->answer != FACTOR_ANSWER_DEVICE && push)
		e = req_field_error(req, TF_ERR_INVALID_FIELD, "approve");
	if (e != TF_OK) {
		STORE(req->db)->tx_rollback(req->db);
		return e;
	}
	struct factor_attempt attempt = {.code = code, .push = push, .found = &found};
	if (kind->denied && kind->denied(&f, &ch, &attempt)) {
		/* the user said no on the device: the challenge is over */
		ch.status = CH_DENIED;
		e = STORE(req->db)->challenge_update(req->db, &ch);
		snprintf(details, sizeof details, "{\"factor_id\":\"%s\",\"purpose\":\"%s\"}", f.factor_id,
			 purpose_names[ch.purpose]);
		if (e == TF_OK)
			e = req_audit(req, "challenge.denied", actor_of(req, actor), ch.challenge_id, details);
		e = store_tx_end(req->db, e);
		return e != TF_OK ? e : TF_ERR_CHALLENGE_DENIED;
	}
	int64_t totp_step = f.last_totp_step;
	/* dynamic linking: the code is checked for the transaction the caller presents (an SMS or
	 * voice code's MAC covers its hash), so a code given for other details never matches */
	struct challenge_row presented = ch;
	bool tx_mismatch = ch.has_transaction && presented_tx_hash && !crypto_equal(presented_tx_hash, ch.tx_hash, TX_HASH_HEX);
	if (tx_mismatch)
		snprintf(presented.tx_hash, sizeof presented.tx_hash, "%s", presented_tx_hash);
	enum answer_verdict v = factor_check(&ctx, &f, &presented, &attempt, &totp_step);
	if (tx_mismatch)
		v = ANSWER_WRONG;
	if (v == ANSWER_RIGHT && kind->spend) /* a backup code works once */
		e = kind->spend(&ctx, &f, &ch, &attempt, &v);
	int remaining = 0;
	bool was_blocked = fs.blocked_until != 0;
	enum tf_err verdict = challenge_attempt(&st, &fs, v == ANSWER_RIGHT ? ATTEMPT_RIGHT : v == ANSWER_REPLAYED ? ATTEMPT_REPLAYED : ATTEMPT_WRONG,
						req->now, &remaining);
	ch.status = st.status;
	ch.attempts = st.attempts;
	f.consecutive_failures = fs.consecutive_failures;
	f.blocked_until = fs.blocked_until;
	if (verdict == TF_OK) {
		ch.verified_at = req->now;
		f.last_totp_step = totp_step; /* changed by the check only for an authenticator app */
		if (ch.purpose == PURPOSE_ENROLMENT && f.status != FACTOR_ACTIVE) {
			f.status = FACTOR_ACTIVE;
			f.activated_at = req->now;
		}
	}
	if (e == TF_OK)
		e = STORE(req->db)->challenge_update(req->db, &ch);
	if (e == TF_OK)
		e = STORE(req->db)->factor_update(req->db, &f);
	if (e == TF_OK && verdict != TF_OK)
		e = STORE(req->db)->counter_hit(req->db, ip_key, req->now, window_ms, &wrong_here);
	bool steps_up = verdict == TF_OK && (ch.purpose == PURPOSE_LOGIN || ch.purpose == PURPOSE_STEPUP);
	if (e == TF_OK && steps_up)
		e = STORE(req->db)->session_set_stepped_up(req->db, req->session.session_id, req->now);
	if (e == TF_OK && steps_up && req->session.kind == SESSION_HOSTED)
		e = STORE(req->db)->hosted_session_mfa_passed(req->db, req->session.session_id);
	/* a successful SCA resets the low-value counts; only login and step-up count for account
	 * information (seed 002: a transaction SCA does not) */
	if (e == TF_OK && verdict == TF_OK && ch.purpose != PURPOSE_ENROLMENT)
		e = STORE(req->db)->sca_state_record(req->db, req->app->app_id, ch.user_id, req->now, steps_up);
	struct authorization_row auth = {0};
	if (e == TF_OK && verdict == TF_OK && ch.purpose == PURPOSE_TRANSACTION) {
		crypto_random_id("aut", auth.authorization_id);
		snprintf(auth.app_id, sizeof auth.app_id, "%s", req->app->app_id);
		snprintf(auth.user_id, sizeof auth.user_id, "%s", ch.user_id);
		snprintf(auth.challenge_id, sizeof auth.challenge_id, "%s", ch.challenge_id);
		memcpy(auth.transaction_hash, ch.tx_hash, sizeof auth.transaction_hash);
		auth.created_at = req->now;
		auth.expires_at = req->now + req->svc->cfg.payment_authorization_lifetime * 1000;
		e = STORE(req->db)->authorization_insert(req->db, &auth);
	}
	if (e == TF_OK && verdict == TF_OK && ch.purpose == PURPOSE_TRANSACTION) { /* payment resources it was issued for */
		struct txn_row issued[4];
		size_t n_issued = 0;
		e = STORE(req->db)->txn_list_by_challenge(req->db, req->app->app_id, ch.challenge_id, issued, 4, &n_issued);
		for (size_t i = 0; e == TF_OK && i < n_issued; i++) {
			if (issued[i].state != TXN_PENDING_CHALLENGE)
				continue;
			issued[i].state = TXN_APPROVED;
			issued[i].approved_at = req->now;
			e = STORE(req->db)->txn_update(req->db, &issued[i]);
			if (e == TF_OK)
				e = req_audit(req, "transaction.approved", actor_of(req, actor), issued[i].transaction_id, NULL);
		}
	}
	snprintf(details, sizeof details, "{\"factor_id\":\"%s\",\"purpose\":\"%s\",\"attempts_remaining\":%d}",
		 f.factor_id, purpose_names[ch.purpose], remaining);
	const char *event = verdict == TF_OK ? "challenge.verified" : verdict == TF_ERR_CHALLENGE_LIMIT_EXCEEDED ? "challenge.locked" : "challenge.failed";
	if (e == TF_OK)
		e = req_audit(req, event, actor_of(req, actor), ch.challenge_id, details);
	if (e == TF_OK && !was_blocked && f.blocked_until)
		e = req_audit(req, "factor.blocked", actor_of(req, actor), f.factor_id, "{\"minutes\":15}");
	if (e == TF_OK && verdict == TF_OK && ch.purpose == PURPOSE_ENROLMENT)
		e = req_audit(req, "factor.activated", actor_of(req, actor), f.factor_id, NULL);
	/* a verified login or step-up answers a device: persistent when asked to trust it, else a
	 * session device that dies with the browser (seed 000) */
	json_t *device = NULL;
	if (e == TF_OK && steps_up)
		e = api_device_issue(req, ch.user_id, ch.challenge_id, trust_device, domain, &device);
	if ((e = store_tx_end(req->db, e)) != TF_OK) {
		json_decref(device);
		return e;
	}
	if (verdict != TF_OK) {
		if (verdict == TF_ERR_VERIFICATION_CODE_INVALID) {
			req->err_extra = json_pack("{s:i}", "attempts_remaining", remaining);
			if (v == ANSWER_REPLAYED)
				verdict = TF_ERR_TOTP_REPLAYED;
		}
		return verdict;
	}
	json_t *o = json_pack("{s:s, s:s, s:s, s:s}", "status", "verified", "challenge_id", ch.challenge_id,
			      "factor_id", f.factor_id, "purpose", purpose_names[ch.purpose]);
	if (steps_up)
		resp_set_time(o, "stepped_up_until", stepup_until(req->now));
	else
		json_object_set_new(o, "stepped_up_until", json_null());
	if (ch.purpose == PURPOSE_ENROLMENT)
		json_object_set_new(o, "factor", api_factor_json(&f));
	if (ch.purpose == PURPOSE_TRANSACTION) {
		json_t *a = json_pack("{s:s, s:s}", "authorization_id", auth.authorization_id, "transaction_hash",
				      auth.transaction_hash);
		resp_set_time(a, "expires_at", auth.expires_at);
		json_object_set_new(o, "authorization", a);
	}
	if (device)
		json_object_set_new(o, "device", device);
	resp_json(req, 200, o);
	return TF_OK;
}

enum tf_err api_challenges_verify(struct tf_req *req)
{
	static const char *const known[] = {"code", "trust_device", "transaction", "approve", "signature", NULL};
	const char *code = NULL;
	bool trust_device = false;
	struct push_answer push;
	bool is_push = false;
	enum tf_err e;
	if ((e = req_reject_unknown(req, known)) != TF_OK || (e = api_push_answer_read(req, &push, &is_push)) != TF_OK ||
	    (e = req_string(req, "code", !is_push, &code)) != TF_OK || (e = req_bool(req, "trust_device", &trust_device)) != TF_OK)
		return e;
	if (is_push && code)
		return req_field_error(req, TF_ERR_INVALID_FIELD, "code");
	/* the platform may present the transaction it shows the payer: the code must match it */
	json_t *txj = json_object_get(req->json, "transaction");
	struct api_transaction tx;
	if (txj && !json_is_null(txj) && (e = api_transaction_read(req, txj, "transaction", &tx)) != TF_OK)
		return e;
	/* a challenge id may come as its number (the Weavr face shows ids so: core/numeric_id.h) */
	char challenge_id[TF_ID_MAX];
	if (req->params[0][0] >= '0' && req->params[0][0] <= '9') {
		if (!numeric_id_to_id(req->params[0], "chl", challenge_id, sizeof challenge_id))
			return TF_ERR_NOT_FOUND;
	} else {
		snprintf(challenge_id, sizeof challenge_id, "%.*s", (int)sizeof challenge_id - 1, req->params[0]);
	}
	return api_challenge_attempt(req, challenge_id, code, false, trust_device, DOMAIN_API,
				     txj && !json_is_null(txj) ? tx.hash : NULL, is_push ? &push : NULL);
}

enum tf_err api_push_answer_read(struct tf_req *req, struct push_answer *out, bool *present)
{
	json_t *approve = json_object_get(req->json, "approve"), *sig = json_object_get(req->json, "signature");
	*present = (approve && !json_is_null(approve)) || (sig && !json_is_null(sig));
	if (!*present)
		return TF_OK;
	if (!approve || json_is_null(approve))
		return req_field_error(req, TF_ERR_MISSING_FIELD, "approve");
	if (!json_is_boolean(approve))
		return req_field_error(req, TF_ERR_INVALID_FIELD, "approve");
	if (!sig || json_is_null(sig))
		return req_field_error(req, TF_ERR_MISSING_FIELD, "signature");
	if (!json_is_string(sig) || !crypto_base64_decode_exact(json_string_value(sig), out->signature, sizeof out->signature))
		return req_field_error(req, TF_ERR_INVALID_FIELD, "signature");
	out->approve = json_is_true(approve);
	return TF_OK;
}
