/* sessions.c: minting, checking and ending API sessions, and password sign-in (see sessions.h). */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "core/session.h"
#include "crypto/crypto.h"
#include "sca/rate.h"
#include "sca/sessions.h"
#include "sca/users.h"

enum tf_err sca_session_mint(const struct sca_ctx *ctx, const struct user_row *u, int64_t idle_ms, int64_t lifetime_ms,
			     const char *event, const char *face, char token[TF_TOKEN_MAX], struct session_row *out)
{
	struct session_row s = {.kind = SESSION_API, .created_at = ctx->now, .last_seen_at = ctx->now,
				.idle_timeout_ms = idle_ms, .absolute_expires_at = ctx->now + lifetime_ms};
	crypto_random_token("tfs_", token);
	crypto_random_id("ses", s.session_id);
	crypto_secret_mac(ctx->svc->keys, "session", token, s.token_mac);
	snprintf(s.app_id, sizeof s.app_id, "%s", u->app_id);
	snprintf(s.user_id, sizeof s.user_id, "%s", u->user_id);
	enum tf_err e = STORE(ctx->db)->session_insert(ctx->db, &s);
	if (e == TF_OK) {
		char details[128];
		if (face)
			snprintf(details, sizeof details, "{\"session_id\":\"%s\",\"face\":\"%s\"}", s.session_id, face);
		else
			snprintf(details, sizeof details, "{\"session_id\":\"%s\"}", s.session_id);
		e = sca_audit(ctx, event, u->user_id, details);
	}
	if (e == TF_OK && out)
		*out = s;
	return e;
}

enum tf_err sca_session_issue(const struct sca_ctx *ctx, const struct user_row *u, int64_t idle_ms, const char *event,
			      char token[TF_TOKEN_MAX], struct session_row *out)
{
	struct sca_ctx by_user = sca_ctx_acting(ctx, "user", u->user_id); /* the user signs in */
	enum tf_err e = sca_tx_begin(&by_user);
	if (e != TF_OK)
		return e;
	e = sca_session_mint(&by_user, u, idle_ms, ctx->svc->cfg.session_max_lifetime * 1000, event, NULL, token, out);
	if ((e = sca_tx_end(&by_user, e)) != TF_OK)
		sodium_memzero(token, TF_TOKEN_MAX);
	return e;
}

enum tf_err sca_session_find(const struct sca_ctx *ctx, const char *token, bool api_only, struct session_row *out)
{
	uint8_t mac[TF_MAC_BYTES];
	crypto_secret_mac(ctx->svc->keys, "session", token, mac);
	enum tf_err e = STORE(ctx->db)->session_get(ctx->db, ctx->app->app_id, mac, out);
	if (e == TF_ERR_NOT_FOUND || (e == TF_OK && api_only && out->kind != SESSION_API))
		return TF_ERR_INVALID_TOKEN;
	return e;
}

enum tf_err sca_session_use(const struct sca_ctx *ctx, struct session_row *s, bool *stepped_up)
{
	enum tf_err e;
	struct session_times t = {
		.created_at = s->created_at,
		.last_seen_at = s->last_seen_at,
		.idle_timeout_ms = s->idle_timeout_ms,
		.absolute_expires_at = s->absolute_expires_at,
		.revoked_at = s->revoked_at,
	};
	*stepped_up = false;
	if (session_check(&t, ctx->now) != SESSION_ALIVE)
		return TF_ERR_INVALID_TOKEN;
	*stepped_up = stepup_active(s->stepped_up_at, s->last_seen_at, ctx->now);
	if (s->stepped_up_at && !*stepped_up) {
		/* lapsed: it stays lapsed, whatever activity follows */
		if ((e = STORE(ctx->db)->session_set_stepped_up(ctx->db, s->session_id, 0)) != TF_OK)
			return e;
		s->stepped_up_at = 0;
	}
	if (session_touch_due(&t, ctx->now)) {
		if ((e = STORE(ctx->db)->session_touch(ctx->db, s->session_id, ctx->now)) != TF_OK)
			return e;
		s->last_seen_at = ctx->now;
	}
	return TF_OK;
}

enum tf_err sca_session_logout(const struct sca_ctx *ctx, const struct session_row *s, int *hosted)
{
	struct sca_ctx by_user = sca_ctx_acting(ctx, "user", s->user_id);
	*hosted = 0;
	enum tf_err e = sca_tx_begin(ctx);
	if (e != TF_OK)
		return e;
	e = STORE(ctx->db)->session_revoke(ctx->db, ctx->app->app_id, s->session_id, ctx->now);
	if (e == TF_OK) /* the application's session ended: so do the user's hosted-page sessions (seed 001) */
		e = STORE(ctx->db)->hosted_sessions_revoke(ctx->db, ctx->app->app_id, s->user_id, ctx->now, hosted);
	if (e == TF_OK) {
		char details[128];
		snprintf(details, sizeof details, "{\"session_id\":\"%s\",\"reason\":\"logout\",\"hosted_sessions\":%d}",
			 s->session_id, *hosted);
		e = sca_audit(&by_user, "session.revoked", s->user_id, details);
	}
	return sca_tx_end(ctx, e);
}

/* ---- password sign-in ---- */

enum tf_err sca_login_begin(const struct sca_ctx *ctx, const char *email, const char *password, struct sca_login *st,
			    struct sca_login_refusal *refusal)
{
	const struct tf_config *cfg = &ctx->svc->cfg;
	int64_t window_ms = cfg->rate_window * 1000;
	struct rate_count n;
	char ip_key[160];
	snprintf(ip_key, sizeof ip_key, "login_ip:%s:%s", ctx->app->app_id, ctx->client_ip);
	snprintf(st->fail_key, sizeof st->fail_key, "login_fail:%s:%s", ctx->app->app_id, email);
	enum tf_err e = sca_rate_hit(ctx, ip_key, window_ms, cfg->login_attempts_per_address, &n);
	if (e == TF_OK) {
		e = sca_rate_hit(ctx, st->fail_key, window_ms, cfg->login_failures_per_user, &n);
		st->fail_window = n.window_start;
	}
	if (e == TF_ERR_RATE_LIMITED)
		refusal->retry_at = n.window_start + window_ms;
	if (e != TF_OK)
		return e;

	e = STORE(ctx->db)->user_get_by_email(ctx->db, ctx->app->app_id, email, &st->u);
	if (e == TF_OK && sca_user_expired(ctx, &st->u))
		e = TF_ERR_NOT_FOUND;
	if (e != TF_OK && e != TF_ERR_NOT_FOUND)
		return e;
	st->found = e == TF_OK;
	st->has_password = st->found && st->u.password_hash[0];
	if (st->found && st->u.type == USER_SSO) { /* refused without a guess: the attempt is given back */
		sodium_memzero(st->u.password_hash, sizeof st->u.password_hash);
		if ((e = sca_rate_give_back(ctx, st->fail_key, st->fail_window)) != TF_OK)
			return e;
		return TF_ERR_SSO_LOGIN_REQUIRED;
	}
	snprintf(st->password, sizeof st->password, "%s", password);
	return TF_OK;
}

void sca_login_hash(struct sca_login *st)
{
	if (st->found && st->u.password_hash[0]) {
		st->ok = crypto_password_verify(st->u.password_hash, st->password);
	} else {
		crypto_password_dummy_verify(st->password);
		st->ok = false;
	}
	sodium_memzero(st->password, sizeof st->password);
	sodium_memzero(st->u.password_hash, sizeof st->u.password_hash);
}

/* A failed check, already counted against the user's limit before its hash: audited. */
static enum tf_err login_failed(const struct sca_ctx *ctx, const char *user_id, const char *reason)
{
	struct sca_ctx by_app = sca_ctx_acting(ctx, "app", ctx->app->app_id);
	char details[128];
	snprintf(details, sizeof details, "{\"reason\":\"%s\"}", reason);
	enum tf_err e = sca_tx_begin(ctx);
	if (e != TF_OK)
		return e;
	e = sca_tx_end(ctx, sca_audit(&by_app, "login.failed", user_id, details));
	return e != TF_OK ? e : TF_ERR_INVALID_CREDENTIALS;
}

enum tf_err sca_login_finish(const struct sca_ctx *ctx, const struct sca_login *st, struct user_row *out)
{
	if (!st->found)
		return login_failed(ctx, "", "unknown_email");
	if (!st->ok)
		return login_failed(ctx, st->u.user_id, st->has_password ? "wrong_password" : "no_password");
	enum tf_err e = sca_rate_give_back(ctx, st->fail_key, st->fail_window);
	if (e != TF_OK)
		return e;
	*out = st->u;
	return TF_OK;
}
