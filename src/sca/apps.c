/* apps.c: creating applications and finding them by id and by client id (see apps.h). The
 * api key is stored only as a MAC; the client secret is sealed (it must stay usable to check
 * SSO signatures). Both are returned to the caller once. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/net_address.h"
#include "core/validate.h"
#include "crypto/crypto.h"
#include "crypto/jwt.h"
#include "sca/apps.h"
#include "service/app_cache.h"

enum tf_err sca_app_get(const struct sca_ctx *ctx, const char *app_id, struct app_row *out)
{
	return STORE(ctx->db)->app_get(ctx->db, app_id, out);
}

enum tf_err sca_app_get_by_client_id(const struct sca_ctx *ctx, const char *client_id, struct app_row *out)
{
	return STORE(ctx->db)->app_get_by_client_id(ctx->db, client_id, out);
}

enum tf_err sca_app_events_check(const struct sca_ctx *ctx, const struct app_events *ev, const char **field)
{
	*field = NULL;
	if (!ev->url[0])
		return TF_OK;
	if (!outbound_url_valid(ev->url, ctx->svc->cfg.events_allow_private_urls))
		*field = "events.url";
	else if (!ev->secret || strlen(ev->secret) < JWT_HS256_KEY_MIN || strlen(ev->secret) > APP_EVENTS_SECRET_MAX)
		*field = "events.secret";
	for (const char *s = ev->secret; !*field && s && *s; s++)
		if (*s <= ' ' || *s > '~')
			*field = "events.secret";
	return *field ? TF_ERR_INVALID_FIELD : TF_OK;
}

/* Writes the application's events endpoint, its secret sealed (inside the caller's transaction). */
static enum tf_err events_set(const struct sca_ctx *ctx, const char *app_id, const struct app_events *ev)
{
	uint8_t *sealed = NULL;
	size_t len = 0;
	enum tf_err e = TF_OK;
	if (ev->url[0] && (e = crypto_seal(ctx->svc->keys, ev->secret, strlen(ev->secret), &sealed, &len)) != TF_OK)
		return e;
	e = STORE(ctx->db)->app_events_set(ctx->db, app_id, ev->url, sealed, len);
	free(sealed);
	return e;
}

enum tf_err sca_app_create(const struct sca_ctx *ctx, const struct app_create_params *p, struct app_row *app,
			   struct app_credentials *creds)
{
	struct tf_service *svc = ctx->svc;
	struct store_conn *c = ctx->db;
	memset(app, 0, sizeof *app);
	if (!validate_display_text(p->name, APP_NAME_MAX)) /* shown in every message and page */
		return TF_ERR_INVALID_FIELD;
	crypto_random_id("app", creds->app_id);
	crypto_random_id("cli", creds->client_id);
	crypto_random_token("tfcs_", creds->client_secret);
	crypto_random_token("tfk_", creds->api_key);
	snprintf(app->app_id, sizeof app->app_id, "%s", creds->app_id);
	snprintf(app->client_id, sizeof app->client_id, "%s", creds->client_id);
	snprintf(app->name, sizeof app->name, "%s", p->name);
	app->sandbox = p->sandbox;
	app->can_mark_email_verified = p->can_mark_email_verified;
	app->can_register_sso = p->can_register_sso;
	snprintf(app->redirect_uri_prefixes, sizeof app->redirect_uri_prefixes, "%s",
		 p->redirect_uri_prefixes ? p->redirect_uri_prefixes : "[]");
	snprintf(app->sso_login_url, sizeof app->sso_login_url, "%s", p->sso_login_url ? p->sso_login_url : "");
	app->created_at = ctx->now;
	snprintf(app->totp_algorithm, sizeof app->totp_algorithm, "%s", p->totp_algorithm ? p->totp_algorithm : "SHA1");
	app->totp_digits = p->totp_digits ? p->totp_digits : 6;
	snprintf(app->low_value_rates, sizeof app->low_value_rates, "%s", p->low_value_rates ? p->low_value_rates : "{}");
	snprintf(app->send_policy, sizeof app->send_policy, "%s", p->send_policy ? p->send_policy : "{}");
	snprintf(app->webauthn, sizeof app->webauthn, "%s", p->webauthn ? p->webauthn : "");
	snprintf(app->enabled_factor_types, sizeof app->enabled_factor_types, "%s",
		 p->enabled_factor_types ? p->enabled_factor_types : "");
	snprintf(app->default_locale, sizeof app->default_locale, "%s", p->default_locale ? p->default_locale : "");
	snprintf(app->tra, sizeof app->tra, "%s", p->tra ? p->tra : "");
	snprintf(app->events_url, sizeof app->events_url, "%s", p->events ? p->events->url : "");
	if (p->branding) { /* the logo's bytes follow the row, in the same transaction */
		snprintf(app->brand_color, sizeof app->brand_color, "%s", p->branding->color);
		snprintf(app->brand_logo_type, sizeof app->brand_logo_type, "%s", p->branding->logo ? p->branding->logo_type : "");
		app->brand_logo_bytes = p->branding->logo ? (int64_t)p->branding->logo_len : 0;
	}
	crypto_secret_mac(svc->keys, "api_key", creds->api_key, app->api_key_mac);
	uint8_t *sealed;
	size_t sealed_len;
	enum tf_err e = crypto_seal(svc->keys, creds->client_secret, strlen(creds->client_secret), &sealed, &sealed_len);
	if (e != TF_OK)
		return e;
	if (sealed_len > sizeof app->client_secret_sealed) {
		free(sealed);
		return TF_ERR_INTERNAL;
	}
	memcpy(app->client_secret_sealed, sealed, sealed_len);
	app->client_secret_sealed_len = sealed_len;
	free(sealed);
	if ((e = store_tx_begin(c)) != TF_OK)
		return e;
	e = STORE(c)->app_insert(c, app);
	if (e == TF_OK && app->brand_logo_bytes)
		e = STORE(c)->app_set_branding(c, app->app_id, app->brand_color, app->brand_logo_type, p->branding->logo,
					       p->branding->logo_len);
	if (e == TF_OK && p->events && p->events->url[0]) /* before app.created: its SET goes there too */
		e = events_set(ctx, app->app_id, p->events);
	if (e == TF_OK && p->delivery) { /* credentials: sealed at rest */
		uint8_t *dsealed;
		size_t dlen;
		if ((e = crypto_seal(svc->keys, p->delivery, strlen(p->delivery), &dsealed, &dlen)) == TF_OK) {
			e = STORE(c)->app_delivery_set(c, app->app_id, dsealed, dlen);
			free(dsealed);
		}
	}
	if (e == TF_OK) {
		char details[512];
		snprintf(details, sizeof details, "{\"sandbox\":%s}", p->sandbox ? "true" : "false");
		struct audit_event ev = {.app_id = app->app_id, .event = "app.created", .actor = ctx->actor,
					 .subject = app->app_id, .ip = ctx->client_ip, .request_id = ctx->request_id,
					 .details = details};
		e = audit_append(svc, c, &ev, ctx->now);
	}
	return store_tx_end(c, e);
}

enum tf_err sca_app_set_webauthn(const struct sca_ctx *ctx, const char *app_id, const char *settings,
				 struct app_row *out)
{
	return sca_app_update(ctx, app_id, &(struct app_settings_change){.webauthn = settings}, out);
}

enum tf_err sca_app_update(const struct sca_ctx *ctx, const char *app_id, const struct app_settings_change *ch,
			   struct app_row *out)
{
	const char *changed[] = {ch->webauthn ? "webauthn" : NULL, ch->enabled_factor_types ? "enabled_factor_types" : NULL,
				 ch->default_locale ? "default_locale" : NULL, ch->branding ? "branding" : NULL,
				 ch->tra ? "tra" : NULL, ch->events ? "events" : NULL};
	char details[128] = "{\"settings\":[";
	size_t n = strlen(details);
	for (size_t i = 0; i < sizeof changed / sizeof changed[0]; i++)
		if (changed[i])
			n += (size_t)snprintf(details + n, sizeof details - n, "%s\"%s\"", n > 13 ? "," : "", changed[i]);
	snprintf(details + n, sizeof details - n, "]}");
	enum tf_err e = sca_tx_begin(ctx);
	if (e != TF_OK)
		return e;
	if (ch->webauthn)
		e = STORE(ctx->db)->app_set_webauthn(ctx->db, app_id, ch->webauthn);
	if (e == TF_OK && ch->enabled_factor_types)
		e = STORE(ctx->db)->app_set_factor_types(ctx->db, app_id, ch->enabled_factor_types);
	if (e == TF_OK && ch->tra)
		e = STORE(ctx->db)->app_set_tra(ctx->db, app_id, ch->tra);
	if (e == TF_OK && ch->default_locale)
		e = STORE(ctx->db)->app_set_default_locale(ctx->db, app_id, ch->default_locale);
	if (e == TF_OK && ch->events)
		e = events_set(ctx, app_id, ch->events);
	if (e == TF_OK && ch->branding) {
		const struct app_branding *b = ch->branding;
		e = STORE(ctx->db)->app_set_branding(ctx->db, app_id, b->color, b->logo ? b->logo_type : "", b->logo,
						     b->logo ? b->logo_len : 0);
	}
	if (e == TF_OK)
		e = STORE(ctx->db)->app_get(ctx->db, app_id, out);
	if (e == TF_OK) {
		struct audit_event ev = {.app_id = app_id, .event = "app.settings_changed", .actor = ctx->actor,
					 .subject = app_id, .ip = ctx->client_ip, .request_id = ctx->request_id,
					 .details = details};
		e = audit_append(ctx->svc, ctx->db, &ev, ctx->now);
	}
	if ((e = sca_tx_end(ctx, e)) == TF_OK)
		app_cache_forget(ctx->svc->apps, app_id);
	return e;
}

enum tf_err sca_app_brand_logo(const struct sca_ctx *ctx, const char *app_id, char type[4], uint8_t **logo,
			       size_t *len)
{
	return STORE(ctx->db)->app_brand_logo_get(ctx->db, app_id, type, logo, len);
}
