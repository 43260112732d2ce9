/*
 * apps.h: applications as the domain creates them (SPEC section 1) and finds them by what a
 * request names: the id (an application's own session token, the hosted-session cookie, the
 * confirmation link) or the client id (SSO entry, the hosted sign-in, links in emails). An application found by its api
 * key comes from the cache (service/app_cache.h).
 */
#ifndef TF_SCA_APPS_H
#define TF_SCA_APPS_H
#include "sca/context.h"

/* The application app_id into *out (NOT_FOUND: none). */
enum tf_err sca_app_get(const struct sca_ctx *ctx, const char *app_id, struct app_row *out);
/* The application whose client id is client_id into *out (NOT_FOUND: none). */
enum tf_err sca_app_get_by_client_id(const struct sca_ctx *ctx, const char *client_id, struct app_row *out);

/* An application's branding as it is saved (api/api_app_branding.c checks it first: the
 * colour's contrast with core/contrast.h, the logo with core/logo_check.h). */
struct app_branding {
	char color[8];       /* "#rrggbb", "" for the pages' own */
	char logo_type[4];   /* "png", "svg", "" for none */
	const uint8_t *logo; /* the logo's bytes, NULL for none */
	size_t logo_len;
};

/* An application's events endpoint (service/security_events.h): where its security event
 * tokens go, and the key they are signed with (HS256). url "" (and secret NULL): none. */
struct app_events {
	const char *url;
	const char *secret;
};
#define APP_EVENTS_SECRET_MAX 512
/* INVALID_FIELD, *field naming "events.url" or "events.secret", unless: the url is one
 * core/net_address.h's outbound_url_valid allows (events_allow_private_urls lets it be http:// and
 * name a loopback, private or link-local host), and the secret is JWT_HS256_KEY_MIN (32) to
 * APP_EVENTS_SECRET_MAX bytes of printable ASCII without spaces; or the url is "" (none). */
enum tf_err sca_app_events_check(const struct sca_ctx *ctx, const struct app_events *ev, const char **field);

/* Application creation, shared by POST /v1/admin/apps and `twofold app create`. The name is
 * display text (core/validate.h) of 1 to APP_NAME_MAX bytes: TF_ERR_INVALID_FIELD otherwise. */
#define APP_NAME_MAX (STORE_NAME_MAX - 1)
struct app_create_params {
	const char *name;
	bool sandbox;
	bool can_mark_email_verified;
	bool can_register_sso;
	const char *redirect_uri_prefixes; /* JSON array text */
	const char *sso_login_url;
	const char *totp_algorithm; /* SHA1 (default), SHA256, SHA512 */
	int totp_digits;            /* 6 (default) or 8 */
	const char *low_value_rates; /* JSON object text, or NULL for {} */
	const char *send_policy;     /* JSON object text, or NULL for {} */
	const char *delivery;        /* JSON object text of the application's twilio/smtp settings, or NULL */
	const char *webauthn;        /* JSON object text of its relying-party settings, or NULL for none */
	const char *enabled_factor_types; /* JSON array text (sca/factor_options.h), or NULL for every type */
	const char *default_locale;       /* BCP 47 tag (l10n_tag_valid) of its users' language, or NULL */
	const struct app_branding *branding; /* or NULL for none */
	const char *tra;                     /* the transaction risk analysis settings (sca/tra.h), NULL or "" for off */
	const struct app_events *events;     /* checked (sca_app_events_check), or NULL for none */
};
struct app_credentials {
	char app_id[TF_ID_MAX];
	char client_id[TF_ID_MAX];
	char client_secret[TF_TOKEN_MAX];
	char api_key[TF_TOKEN_MAX];
};
/* Creates the application p describes with new credentials (*creds, their only copy) in a
 * transaction of its own, audited as app.created by the context's actor. */
enum tf_err sca_app_create(const struct sca_ctx *ctx, const struct app_create_params *p, struct app_row *app_out,
			   struct app_credentials *creds);

/* Replaces the relying-party settings of application app_id (JSON object text, "" for none),
 * audited as app.settings_changed; *out gets the changed row. NOT_FOUND when there is no such
 * application. This node's cache of applications forgets it at once, other nodes within
 * APP_CACHE_TTL_MS. Runs its own transaction. */
enum tf_err sca_app_set_webauthn(const struct sca_ctx *ctx, const char *app_id, const char *settings,
				 struct app_row *out);

/* The settings PATCH /v1/admin/apps/{id} replaces: NULL leaves one as it is. */
struct app_settings_change {
	const char *webauthn;             /* relying-party settings, "" for none */
	const char *enabled_factor_types; /* JSON array text, "" for every type */
	const char *default_locale;       /* BCP 47 tag, "" for none (English unless a user has one) */
	const struct app_branding *branding; /* all of it, replaced (an empty one clears it) */
	const char *tra;                     /* the transaction risk analysis settings, "" for off */
	const struct app_events *events;     /* checked (sca_app_events_check); a url "" for none */
};
/* Replaces the settings ch gives of application app_id in one transaction, audited as one
 * app.settings_changed naming them; otherwise as sca_app_set_webauthn. */
enum tf_err sca_app_update(const struct sca_ctx *ctx, const char *app_id, const struct app_settings_change *ch,
			   struct app_row *out);

/* The logo of application app_id: its type into type ("png", "svg"; "" when it has none) and
 * its bytes into *logo (malloc'd; NULL and 0 when none). NOT_FOUND when there is no such
 * application. */
enum tf_err sca_app_brand_logo(const struct sca_ctx *ctx, const char *app_id, char type[4], uint8_t **logo,
			       size_t *len);

#endif
