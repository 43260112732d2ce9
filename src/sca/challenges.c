/* challenges.c: issuing, reading and resending challenges (see challenges.h; attempts: attempt.c). */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "core/phone_policy.h"
#include "crypto/crypto.h"
#include "sca/challenges.h"
#include "sca/rate.h"

enum tf_err sca_challenge_get(const struct sca_ctx *ctx, const char *user_id, const char *challenge_id,
			      struct challenge_row *out)
{
	return STORE(ctx->db)->challenge_get(ctx->db, ctx->app->app_id, user_id, challenge_id, out);
}

enum tf_err sca_challenge_latest(const struct sca_ctx *ctx, const char *user_id, const char *session_id,
				 const char *factor_id, enum challenge_purpose purpose, struct challenge_row *out)
{
	return STORE(ctx->db)->challenge_latest(ctx->db, ctx->app->app_id, user_id, session_id, factor_id, purpose,
						out);
}

enum tf_err sca_challenge_of_session(const struct sca_ctx *ctx, const struct session_row *session,
				     const char *challenge_id, bool enrolment_only, struct challenge_row *ch,
				     struct factor_row *f)
{
	enum tf_err e = sca_challenge_get(ctx, session->user_id, challenge_id, ch);
	if (e == TF_OK && (strcmp(ch->session_id, session->session_id) != 0 ||
			   (enrolment_only && ch->purpose != PURPOSE_ENROLMENT)))
		e = TF_ERR_NOT_FOUND;
	if (e == TF_OK)
		e = STORE(ctx->db)->factor_get(ctx->db, ctx->app->app_id, ch->user_id, ch->factor_id, f);
	return e;
}

bool sca_challenge_open(const struct sca_ctx *ctx, const struct challenge_row *ch)
{
	return ch->status == CH_PENDING && ch->expires_at > ctx->now;
}

/* A send claim that loses this many compare-and-sets in a row (each a concurrent send of the
 * same token or factor) is answered as too soon. */
#define SEND_CLAIM_TRIES 4

/* The resend rules (SPEC section 4), claimed atomically in the caller's transaction, so that
 * concurrent requests cannot all pass a check made on what each read before the others wrote:
 *   - an enrolment send: 15 seconds after the factor's previous enrolment send, whichever
 *     challenge, token or request made it (factors.last_send_at);
 *   - any other send (login, stepup, transaction: each verifies into a stepped-up token or a
 *     payment authorisation): 15 seconds after the token's previous one, and at most
 *     STEPUP_SENDS_PER_SESSION per token.
 * Each is a compare-and-set from the state last seen (the session's as loaded with the request,
 * the factor's guessed as never sent): a lost race re-reads the state and checks again. A
 * refusal later in the transaction rolls the claim back with everything else. */
static enum tf_err send_claim(const struct sca_ctx *ctx, struct session_row *session, const struct challenge_row *ch)
{
	enum tf_err e = TF_OK;
	bool swapped = false;
	if (ch->purpose == PURPOSE_ENROLMENT) {
		int64_t last = 0;
		for (int i = 0; i < SEND_CLAIM_TRIES && !swapped && e == TF_OK; i++)
			if ((e = send_policy_check(last, 0, false, ctx->now)) == TF_OK)
				e = STORE(ctx->db)->factor_send_swap(ctx->db, ctx->app->app_id, ch->factor_id, &last, ctx->now,
								     &swapped);
		return e != TF_OK || swapped ? e : TF_ERR_RETRY_IN_15SEC;
	}
	struct send_state seen = {session->last_send_at, session->stepup_sends}, next;
	for (int i = 0; i < SEND_CLAIM_TRIES && !swapped && e == TF_OK; i++) {
		if ((e = send_policy_check(seen.last_send_at, seen.counted_sends, true, ctx->now)) != TF_OK)
			break;
		next = (struct send_state){ctx->now, seen.counted_sends + 1};
		e = STORE(ctx->db)->session_send_swap(ctx->db, session->session_id, &seen, &next, &swapped);
	}
	if (e == TF_OK && !swapped)
		e = TF_ERR_RETRY_IN_15SEC;
	if (e == TF_OK) {
		session->last_send_at = next.last_send_at;
		session->stepup_sends = next.counted_sends;
	}
	return e;
}

#define SEND_CAP_WINDOW_MS (3600 * 1000LL)

/* Send abuse (SPEC section 4, SMS pumping): per hour at most so many codes to one user's
 * factors, asked for from one client address, to one destination, and in all, in that order:
 * whoever abuses the sends meets their own cap (user, address) before the ones everybody
 * shares. A phone kind's destination is its number and its number range, after the
 * application's allowed countries; an email kind's is its email address (no range, no
 * countries: a domain is shared by strangers and says nothing of cost). The user, address and
 * application caps count every code sent, whatever its channel. Each cap counts the codes
 * sent: the counters are hit in the caller's transaction, and a refusal, by any cap or any
 * rule after it, rolls them all back, so that an attempt that sends nothing uses no one's
 * budget. A refusal is reported for an audit of its own and says when the hour ends. Sandbox
 * applications send nothing. */
static enum tf_err send_caps(const struct sca_ctx *ctx, const struct sca_send_policy *policy,
			     const struct factor_row *f, struct sca_send_outcome *out)
{
	const unsigned flags = factor_kind_of(f->type)->flags;
	const bool to_phone = flags & FACTOR_KIND_TO_PHONE, to_email = flags & FACTOR_KIND_TO_EMAIL;
	if (ctx->app->sandbox || (!to_phone && !to_email))
		return TF_OK;
	const char *country = to_phone ? phone_country(f->phone) : NULL, *reason = NULL;
	char range[16] = "", key[400];
	if (to_phone)
		phone_range(f->phone, range, sizeof range);
	if (to_phone && policy->has_countries) {
		const char *list[SCA_SEND_COUNTRIES_MAX];
		for (size_t i = 0; i < policy->n_countries; i++)
			list[i] = policy->countries[i];
		if (!phone_country_allowed(country, list, policy->n_countries))
			reason = "country";
	}
	const struct tf_config *cfg = &ctx->svc->cfg;
	const struct {
		const char *what, *arg;
		int64_t def;
		bool applies;
	} caps[SEND_CAP__MAX] = {
		[SEND_CAP_USER] = {"user", f->user_id, cfg->sends_per_user_per_hour, true},
		[SEND_CAP_ADDRESS] = {"address", ctx->client_ip, cfg->sends_per_address_per_hour, true},
		[SEND_CAP_NUMBER] = {"number", f->phone, cfg->sends_per_number_per_hour, to_phone},
		[SEND_CAP_RANGE] = {"range", range, cfg->sends_per_range_per_hour, to_phone},
		[SEND_CAP_EMAIL] = {"email", f->email, cfg->sends_per_email_per_hour, to_email},
		[SEND_CAP_APPLICATION] = {"application", "", cfg->sends_per_app_per_hour, true},
	};
	struct rate_count count = {0};
	enum tf_err e = TF_OK;
	for (size_t i = 0; !reason && e == TF_OK && i < SEND_CAP__MAX; i++) {
		if (!caps[i].applies)
			continue;
		snprintf(key, sizeof key, "send_%s:%s:%s", caps[i].what, ctx->app->app_id, caps[i].arg);
		int64_t limit = policy->per_hour[i] >= 0 ? policy->per_hour[i] : caps[i].def;
		if ((e = sca_rate_hit(ctx, key, SEND_CAP_WINDOW_MS, limit, &count)) == TF_ERR_RATE_LIMITED) {
			e = TF_OK;
			reason = caps[i].what;
		}
	}
	if (e != TF_OK || !reason)
		return e;
	snprintf(out->refused_factor_id, sizeof out->refused_factor_id, "%s", f->factor_id);
	snprintf(out->refused_details, sizeof out->refused_details,
		 "{\"reason\":\"%s\",\"range\":\"%s\",\"country\":\"%s\"}", reason, range, country ? country : "");
	if (!strcmp(reason, "country"))
		return TF_ERR_PHONE_COUNTRY_NOT_ALLOWED;
	out->retry_after = count.window_start + SEND_CAP_WINDOW_MS;
	return TF_ERR_SEND_LIMIT_REACHED;
}

/* Sends what ch needs through its factor's kind, under the resend rules and the send caps. */
static enum tf_err challenge_send(const struct sca_ctx *ctx, struct session_row *session,
				  const struct sca_send_policy *policy, const struct factor_row *f,
				  struct challenge_row *ch, struct sca_send_outcome *out)
{
	enum tf_err e = send_claim(ctx, session, ch);
	if (e == TF_OK)
		e = send_caps(ctx, policy, f, out);
	if (e != TF_OK)
		return e;
	const struct factor_kind *kind = factor_kind_of(f->type);
	char message_id[TF_ID_MAX], details[160];
	if ((e = kind->issue(ctx, f, ch, message_id)) != TF_OK)
		return e;
	out->queued = true;
	snprintf(details, sizeof details, "{\"channel\":\"%s\",\"message_id\":\"%s\",\"send\":%d}", kind->name,
		 message_id, ch->sends);
	return sca_audit(ctx, "challenge.sent", ch->challenge_id, details);
}

enum tf_err sca_challenge_issue(const struct sca_ctx *ctx, struct session_row *session,
				const struct sca_send_policy *policy, const struct factor_row *f,
				enum challenge_purpose purpose, const struct transaction *tx, const char *tx_hash,
				struct challenge_row *ch, struct sca_send_outcome *out)
{
	memset(ch, 0, sizeof *ch);
	if (tx) { /* before the code is made: its MAC and message carry the transaction */
		ch->has_transaction = true;
		ch->tx = *tx;
		snprintf(ch->tx_hash, sizeof ch->tx_hash, "%s", tx_hash);
	}
	crypto_random_id("chl", ch->challenge_id);
	snprintf(ch->app_id, sizeof ch->app_id, "%s", ctx->app->app_id);
	snprintf(ch->user_id, sizeof ch->user_id, "%s", f->user_id);
	snprintf(ch->factor_id, sizeof ch->factor_id, "%s", f->factor_id);
	snprintf(ch->session_id, sizeof ch->session_id, "%s", session->session_id);
	ch->purpose = purpose;
	ch->status = CH_PENDING;
	ch->max_attempts = CHALLENGE_MAX_ATTEMPTS;
	ch->created_at = ctx->now;
	ch->expires_at = ctx->now + CHALLENGE_TTL_MS;
	enum tf_err e;
	const struct factor_kind *kind = factor_kind_of(f->type);
	if (kind->challenge)
		kind->challenge(ctx, f, ch);
	if (kind->issue && (e = challenge_send(ctx, session, policy, f, ch, out)) != TF_OK)
		return e;
	if ((e = STORE(ctx->db)->challenge_supersede(ctx->db, ch->session_id, f->factor_id, ch->challenge_id)) != TF_OK)
		return e;
	return STORE(ctx->db)->challenge_insert(ctx->db, ch);
}

/* The factor a challenge names, or the user's preferred (else only, else first) active one of
 * the kinds picked by default. */
static enum tf_err pick_factor(const struct sca_ctx *ctx, const char *user_id, const char *factor_id,
			       struct factor_row *out)
{
	if (factor_id)
		return STORE(ctx->db)->factor_get(ctx->db, ctx->app->app_id, user_id, factor_id, out);
	struct factor_row list[FACTORS_PER_USER_MAX];
	size_t n;
	enum tf_err e = STORE(ctx->db)->factor_list(ctx->db, ctx->app->app_id, user_id, list, FACTORS_PER_USER_MAX, &n);
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

enum tf_err sca_challenge_create(const struct sca_ctx *ctx, struct session_row *session,
				 const struct sca_send_policy *policy, const struct sca_challenge_request *rq,
				 struct challenge_row *ch, struct factor_row *f, struct sca_send_outcome *out)
{
	const struct transaction *tx = rq->tx;
	const char *tx_hash = rq->tx_hash;
	struct txn_row resource;
	enum tf_err e;
	if (rq->transaction_id) { /* a payment resource (POST /v1/transactions) awaiting its SCA */
		if (strlen(rq->transaction_id) >= TF_ID_MAX)
			return TF_ERR_NOT_FOUND;
		e = STORE(ctx->db)->txn_get(ctx->db, ctx->app->app_id, session->user_id, rq->transaction_id, &resource);
		if (e != TF_OK)
			return e;
		if (resource.state != TXN_PENDING_CHALLENGE)
			return TF_ERR_TRANSACTION_NOT_PENDING;
		tx = &resource.tx;
		tx_hash = resource.transaction_hash;
	}
	if ((e = sca_tx_begin(ctx)) != TF_OK)
		return e;
	e = pick_factor(ctx, session->user_id, rq->factor_id, f);
	if (e == TF_OK && rq->purpose == PURPOSE_ENROLMENT && f->status == FACTOR_ACTIVE)
		e = TF_ERR_INVALID_REQUEST;
	if (e == TF_OK && rq->purpose != PURPOSE_ENROLMENT && f->status != FACTOR_ACTIVE)
		e = TF_ERR_FACTOR_NOT_ACTIVE;
	if (e == TF_OK)
		e = factor_check_open(&(struct factor_state){f->consecutive_failures, f->blocked_until}, ctx->now);
	if (e == TF_OK)
		e = sca_challenge_issue(ctx, session, policy, f, rq->purpose, rq->purpose == PURPOSE_TRANSACTION ? tx : NULL,
					tx_hash, ch, out);
	if (e == TF_OK && rq->purpose == PURPOSE_ENROLMENT) {
		snprintf(f->enrolment_challenge_id, sizeof f->enrolment_challenge_id, "%s", ch->challenge_id);
		e = STORE(ctx->db)->factor_update(ctx->db, f);
	}
	if (e == TF_OK && rq->transaction_id) { /* the newest challenge is the one that approves it */
		snprintf(resource.challenge_id, sizeof resource.challenge_id, "%s", ch->challenge_id);
		e = STORE(ctx->db)->txn_update(ctx->db, &resource);
	}
	return sca_tx_end(ctx, e);
}

enum tf_err sca_challenge_resend(const struct sca_ctx *ctx, struct session_row *session,
				 const struct sca_send_policy *policy, const char *challenge_id,
				 struct challenge_row *ch, struct factor_row *f, struct sca_send_outcome *out)
{
	enum tf_err e;
	if ((e = sca_tx_begin(ctx)) != TF_OK)
		return e;
	/* a challenge belongs to the session that started it */
	e = sca_challenge_of_session(ctx, session, challenge_id, false, ch, f);
	if (e == TF_OK && !factor_kind_of(f->type)->issue)
		e = TF_ERR_INVALID_REQUEST; /* nothing to resend for TOTP or backup codes */
	if (e == TF_OK) {
		struct challenge_state st = {(enum challenge_status)ch->status, ch->expires_at, ch->attempts, ch->max_attempts};
		e = challenge_check_open(&st, ctx->now);
	}
	if (e == TF_OK)
		e = challenge_send(ctx, session, policy, f, ch, out); /* replaces the code: only the newest verifies */
	if (e == TF_OK) {
		ch->expires_at = ctx->now + CHALLENGE_TTL_MS;
		e = STORE(ctx->db)->challenge_update(ctx->db, ch);
	}
	return sca_tx_end(ctx, e);
}

void sca_send_policy_read(const struct app_row *app, struct sca_send_policy *out)
{
	static const char *const keys[SEND_CAP__MAX] = {
		[SEND_CAP_USER] = "per_user_per_hour",
		[SEND_CAP_ADDRESS] = "per_address_per_hour",
		[SEND_CAP_NUMBER] = "per_number_per_hour",
		[SEND_CAP_RANGE] = "per_range_per_hour",
		[SEND_CAP_EMAIL] = "per_email_per_hour",
		[SEND_CAP_APPLICATION] = "per_app_per_hour",
	};
	memset(out, 0, sizeof *out);
	json_t *policy = json_loads(app->send_policy[0] ? app->send_policy : "{}", 0, NULL);
	for (int i = 0; i < SEND_CAP__MAX; i++) {
		json_t *v = json_object_get(policy, keys[i]);
		out->per_hour[i] = json_is_integer(v) ? json_integer_value(v) : -1;
	}
	json_t *allowed = json_object_get(policy, "allowed_countries");
	if (json_is_array(allowed)) {
		out->has_countries = true;
		size_t i;
		json_t *c;
		json_array_foreach(allowed, i, c) {
			if (out->n_countries < SCA_SEND_COUNTRIES_MAX && json_is_string(c))
				snprintf(out->countries[out->n_countries++], sizeof out->countries[0], "%s", json_string_value(c));
		}
	}
	json_decref(policy);
}
