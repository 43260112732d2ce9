/* users.c: the users of an application, their registration and their email address (see users.h). */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "crypto/crypto.h"
#include "delivery/outbox.h"
#include "sca/kinds.h"
#include "sca/users.h"

#define CONFIRMATION_TTL_MS (72LL * 3600 * 1000)

int64_t sca_user_unverified_expiry(const struct sca_ctx *ctx, const struct user_row *u)
{
	if (u->email_verified_at || u->first_verified_at)
		return 0;
	return u->created_at + ctx->svc->cfg.unverified_user_ttl * 1000;
}

bool sca_user_expired(const struct sca_ctx *ctx, const struct user_row *u)
{
	int64_t expiry = sca_user_unverified_expiry(ctx, u);
	return expiry && ctx->now >= expiry;
}

enum tf_err sca_user_load(const struct sca_ctx *ctx, const char *user_id, struct user_row *out)
{
	enum tf_err e = STORE(ctx->db)->user_get(ctx->db, ctx->app->app_id, user_id, out);
	if (e != TF_OK)
		return e;
	return sca_user_expired(ctx, out) ? TF_ERR_NOT_FOUND : TF_OK; /* past its limit: gone */
}

enum tf_err sca_user_registration_allowed(const struct sca_ctx *ctx, enum user_type type)
{
	return type == USER_SSO && !ctx->app->can_register_sso ? TF_ERR_PERMISSION_DENIED : TF_OK;
}

/* Registrations left unconfirmed past their limit that hold email: gone, so it is free. */
static enum tf_err purge_unverified(const struct sca_ctx *ctx, const char *app_id, const char *email)
{
	return STORE(ctx->db)->user_purge_unverified(ctx->db, app_id, email,
						     ctx->now - ctx->svc->cfg.unverified_user_ttl * 1000);
}

enum tf_err sca_user_insert(const struct sca_ctx *ctx, const struct user_row *u)
{
	enum tf_err e = purge_unverified(ctx, u->app_id, u->email);
	if (e == TF_OK)
		e = STORE(ctx->db)->user_insert(ctx->db, u);
	if (e == TF_OK) {
		struct sca_ctx by_app = sca_ctx_acting(ctx, "app", u->app_id);
		char details[64];
		snprintf(details, sizeof details, "{\"type\":\"%s\"}", u->type == USER_SSO ? "sso" : "standard");
		e = sca_audit(&by_app, "user.registered", u->user_id, details);
	}
	return e;
}

enum tf_err sca_user_create(const struct sca_ctx *ctx, const struct user_row *u)
{
	enum tf_err e = sca_tx_begin(ctx);
	if (e != TF_OK)
		return e;
	return sca_tx_end(ctx, sca_user_insert(ctx, u));
}

enum tf_err sca_user_mark_email_verified(const struct sca_ctx *ctx, const char *user_id, struct user_row *out)
{
	enum tf_err e = sca_user_load(ctx, user_id, out);
	if (e != TF_OK)
		return e;
	if (!ctx->app->can_mark_email_verified)
		return TF_ERR_PERMISSION_DENIED;
	if ((e = sca_tx_begin(ctx)) != TF_OK)
		return e;
	e = STORE(ctx->db)->user_mark_verified(ctx->db, ctx->app->app_id, out->user_id, ctx->now);
	if (e == TF_OK) {
		struct sca_ctx by_app = sca_ctx_acting(ctx, "app", ctx->app->app_id);
		e = sca_audit(&by_app, "user.email_verified", out->user_id, "{\"by\":\"application\"}");
	}
	if ((e = sca_tx_end(ctx, e)) != TF_OK)
		return e;
	out->email_verified_at = ctx->now;
	return TF_OK;
}

struct l10n sca_user_l10n(const struct sca_ctx *ctx, const char *user_id)
{
	struct user_row u;
	bool known = STORE(ctx->db)->user_get(ctx->db, ctx->app->app_id, user_id, &u) == TF_OK;
	struct l10n l = l10n_choose(known ? u.locale : NULL, ctx->app->default_locale, NULL);
	if (known)
		sodium_memzero(u.password_hash, sizeof u.password_hash);
	return l;
}

enum tf_err sca_user_set_locale(const struct sca_ctx *ctx, const char *user_id, const char *locale,
				struct user_row *out)
{
	enum tf_err e = sca_tx_begin(ctx);
	if (e != TF_OK)
		return e;
	e = STORE(ctx->db)->user_get(ctx->db, ctx->app->app_id, user_id, out);
	if (e == TF_OK && sca_user_expired(ctx, out))
		e = TF_ERR_NOT_FOUND;
	if (e == TF_OK)
		e = STORE(ctx->db)->user_set_locale(ctx->db, ctx->app->app_id, user_id, locale);
	if (e == TF_OK) {
		struct sca_ctx by_app = sca_ctx_acting(ctx, "app", ctx->app->app_id);
		e = sca_audit(&by_app, "user.updated", user_id, "{\"fields\":[\"locale\"]}");
	}
	if ((e = sca_tx_end(ctx, e)) != TF_OK)
		return e;
	snprintf(out->locale, sizeof out->locale, "%s", locale);
	return TF_OK;
}

/* Queues the confirmation email of u's address, in the caller's write transaction: a one-time
 * link to the hosted confirmation page (only its MAC is stored), 72 hours. changed: the
 * address replaced a confirmed one (change_email), so the text says so. */
static enum tf_err confirmation_enqueue(const struct sca_ctx *ctx, const struct user_row *u, const char *email_message,
					bool changed, char message_id[TF_ID_MAX])
{
	const struct app_row *app = ctx->app;
	const char *public_url = ctx->svc->public_url;
	char token[TF_TOKEN_MAX];
	crypto_random_token("tfe_", token);
	struct email_token_row t = {.created_at = ctx->now, .expires_at = ctx->now + CONFIRMATION_TTL_MS};
	crypto_secret_mac(ctx->svc->keys, "email_token", token, t.token_mac);
	snprintf(t.app_id, sizeof t.app_id, "%s", u->app_id);
	snprintf(t.user_id, sizeof t.user_id, "%s", u->user_id);
	snprintf(t.purpose, sizeof t.purpose, "confirm_email");

	const struct l10n l = l10n_choose(u->locale, app->default_locale, NULL);
	char link[STORE_URL_MAX + 2 * TF_ID_MAX + TF_TOKEN_MAX + 32];
	snprintf(link, sizeof link, "%s/confirm?app=%s&token=%s", public_url, u->app_id, token);
	const char *opening, *action, *expiry = l10n_text(&l, "The link expires in 72 hours.");
	if (changed) {
		opening = l10n_text(&l, "Your email address for {app} is now this one.");
		action = l10n_text(&l, "Confirm it: {link}");
	} else if (u->type == USER_SSO) {
		opening = l10n_text(&l, "Thank you for signing up with {app}.");
		action = l10n_text(&l, "Confirm your email address (no password is needed): {link}");
		expiry = NULL;
	} else {
		opening = l10n_text(&l, "Welcome to {app}.");
		action = u->password_hash[0] ? l10n_text(&l, "Confirm your email address: {link}")
					     : l10n_text(&l, "Confirm your email address and choose your password: {link}");
	}
	const struct word_value values[] = {{"app", app->name}, {"link", link}};
	char subject[512], text[4096], first[1024], second[2048];
	factor_fill_words(subject, sizeof subject, l10n_text(&l, "{app}: confirm your email address"), values, 2);
	factor_fill_words(first, sizeof first, opening, values, 2);
	factor_fill_words(second, sizeof second, action, values, 2);
	snprintf(text, sizeof text, "%s%s%s\n\n%s\n%s%s", first, email_message ? "\n\n" : "",
		 email_message ? email_message : "", second, expiry ? expiry : "", expiry ? "\n" : "");
	sodium_memzero(link, sizeof link);
	sodium_memzero(second, sizeof second);
	sodium_memzero(token, sizeof token);
	struct message m = {.app_id = u->app_id, .channel = "email", .to = u->email, .subject = subject, .text = text,
			    .language = l.tag};
	enum tf_err e = STORE(ctx->db)->email_token_insert(ctx->db, &t);
	if (e == TF_OK)
		e = outbox_enqueue(ctx->svc, ctx->db, &m, ctx->now, message_id);
	if (e == TF_OK) {
		struct sca_ctx by_app = sca_ctx_acting(ctx, "app", app->app_id);
		char details[128];
		snprintf(details, sizeof details, "{\"message_id\":\"%s\"}", message_id);
		e = sca_audit(&by_app, "user.confirmation_sent", u->user_id, details);
	}
	sodium_memzero(text, sizeof text);
	return e;
}

enum tf_err sca_user_send_confirmation(const struct sca_ctx *ctx, const char *user_id, const char *email_message,
				       struct user_row *out, char message_id[TF_ID_MAX])
{
	enum tf_err e = sca_user_load(ctx, user_id, out);
	if (e != TF_OK)
		return e;
	if (out->email_verified_at)
		return TF_ERR_EMAIL_ALREADY_VERIFIED;
	if ((e = sca_tx_begin(ctx)) != TF_OK)
		return e;
	return sca_tx_end(ctx, confirmation_enqueue(ctx, out, email_message, false, message_id));
}

/* "ann.smith@example.com" -> "a***@example.com": enough for the owner to recognise. */
static void mask_email(const char *email, char *out, size_t size)
{
	const char *at = strchr(email, '@');
	snprintf(out, size, "%.1s***%s", email, at ? at : "");
}

/* Tells the confirmed address old that it was replaced by email, in the caller's transaction:
 * the owner can act on a change they did not make. */
static enum tf_err change_notice_enqueue(const struct sca_ctx *ctx, const struct user_row *u, const char *old,
					 const char *email)
{
	const struct app_row *app = ctx->app;
	char masked[300], subject[512], text[1100], first[512], second[512], notice_id[TF_ID_MAX];
	mask_email(email, masked, sizeof masked);
	const struct l10n l = l10n_choose(u->locale, app->default_locale, NULL);
	const struct word_value values[] = {{"app", app->name}, {"email", masked}};
	factor_fill_words(subject, sizeof subject, l10n_text(&l, "{app}: your email address was changed"), values, 2);
	factor_fill_words(first, sizeof first, l10n_text(&l, "The email address of your {app} account was changed to {email}."),
			  values, 2);
	factor_fill_words(second, sizeof second, l10n_text(&l, "If you did not ask for this, contact {app} at once."), values, 2);
	snprintf(text, sizeof text, "%s\n\n%s\n", first, second);
	struct message m = {.app_id = u->app_id, .channel = "email", .to = old, .subject = subject, .text = text,
			    .language = l.tag};
	return outbox_enqueue(ctx->svc, ctx->db, &m, ctx->now, notice_id);
}

enum tf_err sca_user_change_email(const struct sca_ctx *ctx, const char *user_id, const char *email,
				  const char *email_message, struct user_row *out, bool *queued)
{
	*queued = false;
	struct user_row u;
	enum tf_err e = sca_user_load(ctx, user_id, &u);
	if (e != TF_OK)
		return e;
	if (strcmp(u.email, email) == 0) { /* already the user's address: nothing changes, nothing is sent */
		*out = u;
		return TF_OK;
	}
	char old[256];
	snprintf(old, sizeof old, "%s", u.email);
	bool old_confirmed = u.email_verified_at != 0;
	snprintf(u.email, sizeof u.email, "%s", email);
	u.email_verified_at = 0;
	char message_id[TF_ID_MAX];
	if ((e = sca_tx_begin(ctx)) != TF_OK)
		return e;
	e = purge_unverified(ctx, u.app_id, email);
	if (e == TF_OK)
		e = STORE(ctx->db)->user_change_email(ctx->db, u.app_id, u.user_id, email);
	if (e == TF_OK) {
		struct sca_ctx by_app = sca_ctx_acting(ctx, "app", ctx->app->app_id);
		char details[64];
		snprintf(details, sizeof details, "{\"was_confirmed\":%s}", old_confirmed ? "true" : "false");
		e = sca_audit(&by_app, "user.email_changed", u.user_id, details);
	}
	if (e == TF_OK)
		e = confirmation_enqueue(ctx, &u, email_message, true, message_id);
	/* an address never confirmed (a typo being corrected) may be a stranger's: it is not told */
	if (e == TF_OK && old_confirmed)
		e = change_notice_enqueue(ctx, &u, old, email);
	if ((e = sca_tx_end(ctx, e)) != TF_OK)
		return e;
	*queued = true;
	*out = u;
	return TF_OK;
}
