/* api_apps.c: POST /v1/admin/apps (admin token): creates an application and answers its
 * credentials, once (SPEC sections 1 and 12). */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "l10n/l10n.h"
#include "core/validate.h"
#include "sca/apps.h"

static enum tf_err read_prefixes(struct tf_req *req, char **out)
{
	json_t *v = json_object_get(req->json, "redirect_uri_prefixes");
	if (!v || json_is_null(v)) {
		*out = strdup("[]");
		return *out ? TF_OK : TF_ERR_INTERNAL;
	}
	if (!json_is_array(v) || json_array_size(v) > 32)
		return req_field_error(req, TF_ERR_INVALID_FIELD, "redirect_uri_prefixes");
	size_t i;
	json_t *x;
	json_array_foreach(v, i, x) {
		if (!json_is_string(x) || !validate_url(json_string_value(x)))
			return req_field_error(req, TF_ERR_INVALID_FIELD, "redirect_uri_prefixes");
	}
	*out = json_dumps(v, JSON_COMPACT);
	if (!*out || strlen(*out) >= sizeof(((struct app_row *)0)->redirect_uri_prefixes)) {
		free(*out);
		return req_field_error(req, TF_ERR_INVALID_FIELD, "redirect_uri_prefixes");
	}
	return TF_OK;
}

json_t *api_app_json(const struct app_row *a, const char *public_url)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:b, s:b, s:b, s:s}", "app_id", a->app_id, "name", a->name,
			      "client_id", a->client_id, "sandbox", a->sandbox, "can_mark_email_verified",
			      a->can_mark_email_verified, "can_register_sso", a->can_register_sso,
			      "sso_login_url", a->sso_login_url);
	json_t *prefixes = json_loads(a->redirect_uri_prefixes, 0, NULL);
	json_object_set_new(o, "redirect_uri_prefixes", prefixes ? prefixes : json_array());
	json_object_set_new(o, "totp", json_pack("{s:s, s:i, s:i}", "algorithm", a->totp_algorithm, "digits", a->totp_digits, "period", 30));
	json_t *rates = json_loads(a->low_value_rates[0] ? a->low_value_rates : "{}", 0, NULL);
	json_object_set_new(o, "low_value_rates", rates ? rates : json_object());
	json_t *policy = json_loads(a->send_policy[0] ? a->send_policy : "{}", 0, NULL);
	json_object_set_new(o, "send_policy", policy ? policy : json_object());
	json_object_set_new(o, "webauthn", api_webauthn_settings_json(a));
	json_object_set_new(o, "enabled_factor_types", api_factor_types_json(a));
	json_object_set_new(o, "default_locale", a->default_locale[0] ? json_string(a->default_locale) : json_null());
	json_object_set_new(o, "branding", api_branding_json(a, public_url));
	json_object_set_new(o, "tra", sca_tra_settings_json(a->tra));
	json_object_set_new(o, "events", api_events_json(a));
	resp_set_time(o, "created_at", a->created_at);
	return o;
}

enum tf_err api_default_locale_read(struct tf_req *req, const char **out)
{
	json_t *v = req->json ? json_object_get(req->json, "default_locale") : NULL;
	*out = NULL;
	if (!v)
		return TF_OK;
	if (json_is_null(v) || (json_is_string(v) && !*json_string_value(v))) {
		*out = "";
		return TF_OK;
	}
	if (!json_is_string(v) || !l10n_tag_valid(json_string_value(v)))
		return req_field_error(req, TF_ERR_INVALID_FIELD, "default_locale");
	*out = json_string_value(v);
	return TF_OK;
}

static bool string_ok(json_t *o, const char *key, bool required, size_t max)
{
	json_t *v = json_object_get(o, key);
	if (!v)
		return !required;
	return json_is_string(v) && json_string_length(v) >= 1 && json_string_length(v) <= max &&
	       validate_utf8_text(json_string_value(v), json_string_length(v)) && !strpbrk(json_string_value(v), "\r\n");
}

/* The application's own delivery settings: {"twilio": {account_sid, auth_token,
 * from, base_url?}, "smtp": {url, from, username?, password?}}; sealed at rest. */
static enum tf_err read_delivery(struct tf_req *req, char **out)
{
	static const char *const top[] = {"twilio", "smtp", NULL};
	static const char *const twilio[] = {"account_sid", "auth_token", "from", "base_url", NULL};
	static const char *const smtp[] = {"url", "from", "username", "password", NULL};
	json_t *d = json_object_get(req->json, "delivery");
	*out = NULL;
	if (!d || json_is_null(d))
		return TF_OK;
	json_t *t = json_object_get(d, "twilio"), *m = json_object_get(d, "smtp");
	bool ok = json_is_object(d) && !json_unknown_key(d, top);
	if (ok && t)
		ok = json_is_object(t) && !json_unknown_key(t, twilio) && string_ok(t, "account_sid", true, 64) &&
		     string_ok(t, "auth_token", true, 128) && string_ok(t, "from", true, 32) &&
		     validate_phone_e164(json_string_value(json_object_get(t, "from"))) && string_ok(t, "base_url", false, 512) &&
		     (!json_object_get(t, "base_url") || validate_url(json_string_value(json_object_get(t, "base_url"))));
	if (ok && m) {
		const char *url = json_string_value(json_object_get(m, "url"));
		char email[256];
		ok = json_is_object(m) && !json_unknown_key(m, smtp) && string_ok(m, "url", true, 512) && url &&
		     (!strncmp(url, "smtp://", 7) || !strncmp(url, "smtps://", 8)) && string_ok(m, "from", true, 254) &&
		     validate_email(json_string_value(json_object_get(m, "from")), email, sizeof email) &&
		     string_ok(m, "username", false, 255) && string_ok(m, "password", false, 255);
	}
	if (ok)
		*out = json_dumps(d, JSON_COMPACT);
	if (!ok || !*out)
		return req_field_error(req, TF_ERR_INVALID_FIELD, "delivery");
	return TF_OK;
}

enum tf_err api_apps_create(struct tf_req *req)
{
	static const char *const known[] = {"name", "sandbox", "redirect_uri_prefixes", "sso_login_url",
					    "can_mark_email_verified", "can_register_sso", "totp_algorithm", "totp_digits",
					    "low_value_rates", "send_policy", "delivery", "webauthn",
					    "enabled_factor_types", "default_locale", "branding", "tra", "events", NULL};
	struct app_create_params p = {.can_register_sso = true};
	const char *sso_login_url = NULL;
	char tra[STORE_TRA_SETTINGS_MAX];
	bool tra_given, events_given;
	struct app_events events;
	enum tf_err e;
	if ((e = req_reject_unknown(req, known)) != TF_OK || (e = api_tra_settings_read(req, tra, &tra_given)) != TF_OK ||
	    (e = api_events_settings_read(req, &events, &events_given)) != TF_OK ||
	    (e = req_string(req, "name", true, &p.name)) != TF_OK ||
	    (e = req_bool(req, "sandbox", &p.sandbox)) != TF_OK ||
	    (e = req_bool(req, "can_mark_email_verified", &p.can_mark_email_verified)) != TF_OK ||
	    (e = req_bool(req, "can_register_sso", &p.can_register_sso)) != TF_OK ||
	    (e = req_string(req, "sso_login_url", false, &sso_login_url)) != TF_OK ||
	    (e = api_default_locale_read(req, &p.default_locale)) != TF_OK)
		return e;
	if ((e = req_string(req, "totp_algorithm", false, &p.totp_algorithm)) != TF_OK)
		return e;
	if (p.totp_algorithm && strcmp(p.totp_algorithm, "SHA1") && strcmp(p.totp_algorithm, "SHA256") &&
	    strcmp(p.totp_algorithm, "SHA512"))
		return req_field_error(req, TF_ERR_INVALID_FIELD, "totp_algorithm");
	json_t *digits = json_object_get(req->json, "totp_digits");
	if (digits && !json_is_null(digits)) {
		if (!json_is_integer(digits) || (json_integer_value(digits) != 6 && json_integer_value(digits) != 8))
			return req_field_error(req, TF_ERR_INVALID_FIELD, "totp_digits");
		p.totp_digits = (int)json_integer_value(digits);
	}
	if (!validate_display_text(p.name, APP_NAME_MAX))
		return req_field_error(req, TF_ERR_INVALID_FIELD, "name");
	if (sso_login_url && *sso_login_url && !validate_url(sso_login_url))
		return req_field_error(req, TF_ERR_INVALID_FIELD, "sso_login_url");
	p.sso_login_url = sso_login_url;
	char *prefixes = NULL;
	if ((e = read_prefixes(req, &prefixes)) != TF_OK)
		return e;
	p.redirect_uri_prefixes = prefixes;
	/* low-value exemption for currencies other than EUR (RTS art. 16): euros per unit, as
	 * decimal strings, {"GBP": "1.17"} */
	json_t *rates = json_object_get(req->json, "low_value_rates");
	char *rates_text = NULL;
	if (rates && !json_is_null(rates)) {
		const char *cur;
		json_t *r;
		int64_t micro;
		bool ok = json_is_object(rates) && json_object_size(rates) <= 32;
		json_object_foreach(rates, cur, r) {
			ok = ok && currency_minor_units(cur) >= 0 && strcmp(cur, "EUR") != 0 && json_is_string(r) &&
			     rate_parse_micro(json_string_value(r), &micro);
		}
		if (ok)
			rates_text = json_dumps(rates, JSON_COMPACT | JSON_SORT_KEYS);
		if (!ok || !rates_text || strlen(rates_text) >= sizeof ((struct app_row *)0)->low_value_rates) {
			free(prefixes);
			free(rates_text);
			return req_field_error(req, TF_ERR_INVALID_FIELD, "low_value_rates");
		}
	}
	p.low_value_rates = rates_text;
	/* send abuse (SPEC section 4): {"per_user_per_hour", "per_address_per_hour",
	 * "per_number_per_hour", "per_range_per_hour", "per_email_per_hour", "per_app_per_hour", "allowed_countries":
	 * ["GB", ...]}; what is left out takes the server's default */
	static const char *const caps[] = {"per_user_per_hour", "per_address_per_hour", "per_number_per_hour",
					   "per_range_per_hour", "per_email_per_hour", "per_app_per_hour", NULL};
	json_t *policy = json_object_get(req->json, "send_policy");
	char *policy_text = NULL;
	if (policy && !json_is_null(policy)) {
		const char *k;
		json_t *v;
		bool ok = json_is_object(policy);
		json_object_foreach(policy, k, v) {
			size_t cap = 0;
			while (caps[cap] && strcmp(k, caps[cap]))
				cap++;
			if (caps[cap]) {
				ok = ok && json_is_integer(v) && json_integer_value(v) >= 0 && json_integer_value(v) <= 100000000;
			} else if (!strcmp(k, "allowed_countries")) {
				size_t i;
				json_t *c;
				ok = ok && json_is_array(v) && json_array_size(v) <= 64;
				json_array_foreach(v, i, c) {
					const char *cc = json_string_value(c);
					ok = ok && cc && strlen(cc) == 2 && cc[0] >= 'A' && cc[0] <= 'Z' && cc[1] >= 'A' && cc[1] <= 'Z';
				}
			} else {
				ok = false;
			}
		}
		if (ok)
			policy_text = json_dumps(policy, JSON_COMPACT | JSON_SORT_KEYS);
		if (!ok || !policy_text || strlen(policy_text) >= sizeof ((struct app_row *)0)->send_policy) {
			free(prefixes);
			free(rates_text);
			free(policy_text);
			return req_field_error(req, TF_ERR_INVALID_FIELD, "send_policy");
		}
	}
	p.send_policy = policy_text;
	char *delivery_text = NULL;
	if ((e = read_delivery(req, &delivery_text)) != TF_OK) {
		free(prefixes);
		free(rates_text);
		free(policy_text);
		return e;
	}
	p.delivery = delivery_text;
	char *webauthn_text = NULL;
	if ((e = api_webauthn_settings_read(req, &webauthn_text)) != TF_OK) {
		free(prefixes);
		free(rates_text);
		free(policy_text);
		if (delivery_text) {
			sodium_memzero(delivery_text, strlen(delivery_text));
			free(delivery_text);
		}
		return e;
	}
	p.webauthn = webauthn_text;
	char *types_text = NULL;
	if ((e = api_factor_types_read(req, &types_text)) != TF_OK) {
		free(prefixes);
		free(rates_text);
		free(policy_text);
		free(webauthn_text);
		if (delivery_text) {
			sodium_memzero(delivery_text, strlen(delivery_text));
			free(delivery_text);
		}
		return e;
	}
	p.enabled_factor_types = types_text;
	struct app_branding branding;
	uint8_t *png = NULL;
	bool branding_given;
	if ((e = api_branding_read(req, &branding, &png, &branding_given)) != TF_OK) {
		free(prefixes);
		free(rates_text);
		free(policy_text);
		free(webauthn_text);
		free(types_text);
		if (delivery_text) {
			sodium_memzero(delivery_text, strlen(delivery_text));
			free(delivery_text);
		}
		return e;
	}
	p.branding = branding_given ? &branding : NULL;
	p.tra = tra;
	p.events = events.url[0] ? &events : NULL;
	struct app_row app;
	struct app_credentials creds;
	struct sca_ctx ctx = req_sca(req);
	e = sca_app_create(&ctx, &p, &app, &creds);
	free(prefixes);
	free(rates_text);
	free(policy_text);
	free(webauthn_text);
	free(types_text);
	free(png);
	if (delivery_text) {
		sodium_memzero(delivery_text, strlen(delivery_text));
		free(delivery_text);
	}
	if (e != TF_OK)
		return e;
	json_t *o = api_app_json(&app, req->svc->public_url);
	json_t *dj = json_object_get(req->json, "delivery");
	json_t *providers = json_array();
	if (json_object_get(dj, "twilio"))
		json_array_append_new(providers, json_string("twilio"));
	if (json_object_get(dj, "smtp"))
		json_array_append_new(providers, json_string("smtp"));
	json_object_set_new(o, "delivery_providers", providers);
	json_object_set_new(o, "client_secret", json_string(creds.client_secret));
	json_object_set_new(o, "api_key", json_string(creds.api_key));
	json_object_set_new(o, "warnings", api_app_warnings(&app));
	sodium_memzero(&creds, sizeof creds);
	resp_json(req, 201, o);
	return TF_OK;
}
