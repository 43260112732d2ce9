/*
 * api_app_webauthn.c: an application's passkey settings on the admin API (SPEC section 3,
 * passkeys): the "webauthn" object POST /v1/admin/apps takes and PATCH /v1/admin/apps/{id}
 * replaces, checked field by field and stored in one canonical form with its defaults written
 * out, and its view in an application's answer.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "core/validate.h"
#include "sca/apps.h"
#include "sca/relying_party.h"
#include "webauthn/x509_chain.h"

#define ROOTS_MAX 8

static const char *const settings_keys[] = {"rp_id", "rp_name", "origins", "user_verification", "allow_synced",
					    "attestation", "allowed_aaguids", "spc", "attestation_roots", NULL};

/* "ADCE0002-35bc-..." as the canonical lower-case UUID, or false */
static bool uuid_canonical(const char *in, char out[37])
{
	if (strlen(in) != 36)
		return false;
	for (int i = 0; i < 36; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;
		if (dash ? in[i] != '-' : !isxdigit((unsigned char)in[i]))
			return false;
		out[i] = (char)tolower((unsigned char)in[i]);
	}
	out[36] = '\0';
	return true;
}

static bool one_of(json_t *v, const char *a, const char *b)
{
	return json_is_string(v) && (!strcmp(json_string_value(v), a) || !strcmp(json_string_value(v), b));
}

/* The settings object w checked into canonical JSON text *out (malloc'd); INVALID_FIELD naming
 * "webauthn.<field>" otherwise. */
static enum tf_err settings_read(struct tf_req *req, json_t *w, char **out)
{
	*out = NULL;
	if (!json_is_object(w) || json_unknown_key(w, settings_keys))
		return req_field_error(req, TF_ERR_INVALID_FIELD, "webauthn");
	json_t *rp_id = json_object_get(w, "rp_id"), *rp_name = json_object_get(w, "rp_name");
	json_t *origins = json_object_get(w, "origins"), *uv = json_object_get(w, "user_verification");
	json_t *synced = json_object_get(w, "allow_synced"), *att = json_object_get(w, "attestation");
	json_t *aaguids = json_object_get(w, "allowed_aaguids"), *spc = json_object_get(w, "spc");
	json_t *roots = json_object_get(w, "attestation_roots");
	if (!rp_id)
		return req_field_error(req, TF_ERR_MISSING_FIELD, "webauthn.rp_id");
	if (!json_is_string(rp_id) || !webauthn_rp_id_valid(json_string_value(rp_id)))
		return req_field_error(req, TF_ERR_INVALID_FIELD, "webauthn.rp_id");
	if (rp_name && (!json_is_string(rp_name) || !validate_display_text(json_string_value(rp_name), 64)))
		return req_field_error(req, TF_ERR_INVALID_FIELD, "webauthn.rp_name");
	if (!origins)
		return req_field_error(req, TF_ERR_MISSING_FIELD, "webauthn.origins");
	if (!json_is_array(origins) || json_array_size(origins) == 0 || json_array_size(origins) > RP_ORIGINS_MAX)
		return req_field_error(req, TF_ERR_INVALID_FIELD, "webauthn.origins");
	size_t i;
	json_t *v;
	json_array_foreach(origins, i, v) {
		if (!json_is_string(v) || json_string_length(v) >= WEBAUTHN_TEXT_MAX || !webauthn_origin_valid(json_string_value(v)))
			return req_field_error(req, TF_ERR_INVALID_FIELD, "webauthn.origins");
	}
	if (uv && !one_of(uv, "required", "preferred"))
		return req_field_error(req, TF_ERR_INVALID_FIELD, "webauthn.user_verification");
	if (synced && !json_is_boolean(synced))
		return req_field_error(req, TF_ERR_INVALID_FIELD, "webauthn.allow_synced");
	if (att && !one_of(att, "none", "direct"))
		return req_field_error(req, TF_ERR_INVALID_FIELD, "webauthn.attestation");
	if (spc && !json_is_boolean(spc))
		return req_field_error(req, TF_ERR_INVALID_FIELD, "webauthn.spc");
	json_t *canonical_aaguids = json_array();
	if (aaguids && (!json_is_array(aaguids) || json_array_size(aaguids) > RP_AAGUIDS_MAX)) {
		json_decref(canonical_aaguids);
		return req_field_error(req, TF_ERR_INVALID_FIELD, "webauthn.allowed_aaguids");
	}
	json_array_foreach(aaguids, i, v) {
		char uuid[37];
		if (!json_is_string(v) || !uuid_canonical(json_string_value(v), uuid)) {
			json_decref(canonical_aaguids);
			return req_field_error(req, TF_ERR_INVALID_FIELD, "webauthn.allowed_aaguids");
		}
		json_array_append_new(canonical_aaguids, json_string(uuid));
	}
	bool roots_ok = !roots || (json_is_array(roots) && json_array_size(roots) <= ROOTS_MAX);
	json_array_foreach(roots, i, v) {
		size_t count;
		roots_ok = roots_ok && json_is_string(v) && x509_pem_roots_valid(json_string_value(v), &count) && count == 1;
	}
	if (!roots_ok) {
		json_decref(canonical_aaguids);
		return req_field_error(req, TF_ERR_INVALID_FIELD, "webauthn.attestation_roots");
	}
	json_t *o = json_pack("{s:O, s:O, s:s, s:b, s:s, s:o, s:b, s:o}", "rp_id", rp_id, "origins", origins,
			      "user_verification", uv ? json_string_value(uv) : "required", "allow_synced",
			      synced ? json_is_true(synced) : 1, "attestation", att ? json_string_value(att) : "none",
			      "allowed_aaguids", canonical_aaguids, "spc", spc ? json_is_true(spc) : 0,
			      "attestation_roots", roots ? json_incref(roots) : json_array());
	if (o && rp_name)
		json_object_set(o, "rp_name", rp_name);
	*out = o ? json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(o);
	if (!*out)
		return TF_ERR_INTERNAL;
	if (strlen(*out) >= STORE_WEBAUTHN_SETTINGS_MAX) { /* mostly roots: fewer or smaller certificates */
		free(*out);
		*out = NULL;
		return req_field_error(req, TF_ERR_INVALID_FIELD, "webauthn.attestation_roots");
	}
	return TF_OK;
}

enum tf_err api_webauthn_settings_read(struct tf_req *req, char **out)
{
	json_t *w = json_object_get(req->json, "webauthn");
	*out = NULL;
	if (!w || json_is_null(w))
		return TF_OK;
	return settings_read(req, w, out);
}

json_t *api_webauthn_settings_json(const struct app_row *a)
{
	json_t *o = a->webauthn[0] ? json_loads(a->webauthn, 0, NULL) : NULL;
	return o ? o : json_null();
}

/* PATCH /v1/admin/apps/{id}: replaces the settings given (webauthn, enabled_factor_types,
 * default_locale, branding, tra, events; at least one), leaving the others; the answer carries the settings' warnings. */
enum tf_err api_apps_update(struct tf_req *req)
{
	static const char *const known[] = {"webauthn", "enabled_factor_types", "default_locale", "branding", "tra", "events",
					    NULL};
	enum tf_err e;
	if ((e = req_reject_unknown(req, known)) != TF_OK)
		return e;
	bool webauthn_given = json_object_get(req->json, "webauthn") != NULL;
	if (!webauthn_given && !json_object_get(req->json, "enabled_factor_types") &&
	    !json_object_get(req->json, "default_locale") && !json_object_get(req->json, "branding") &&
	    !json_object_get(req->json, "tra") && !json_object_get(req->json, "events"))
		return req_field_error(req, TF_ERR_MISSING_FIELD, "webauthn");
	char tra[STORE_TRA_SETTINGS_MAX];
	bool tra_given, events_given;
	struct app_events events;
	if ((e = api_tra_settings_read(req, tra, &tra_given)) != TF_OK ||
	    (e = api_events_settings_read(req, &events, &events_given)) != TF_OK)
		return e;
	const char *locale = NULL;
	if ((e = api_default_locale_read(req, &locale)) != TF_OK)
		return e;
	char *settings = NULL, *types = NULL;
	struct app_branding branding;
	uint8_t *png = NULL;
	bool branding_given;
	if ((e = api_webauthn_settings_read(req, &settings)) != TF_OK)
		return e;
	if ((e = api_factor_types_read(req, &types)) != TF_OK ||
	    (e = api_branding_read(req, &branding, &png, &branding_given)) != TF_OK) {
		free(settings);
		free(types);
		return e;
	}
	struct sca_ctx ctx;
	req_sca_ctx(req, &ctx);
	struct app_settings_change ch = {.webauthn = webauthn_given ? (settings ? settings : "") : NULL,
					 .enabled_factor_types = types, .default_locale = locale,
					 .branding = branding_given ? &branding : NULL, .tra = tra_given ? tra : NULL,
					 .events = events_given ? &events : NULL};
	struct app_row *app = malloc(sizeof *app);
	e = app ? sca_app_update(&ctx, req->params[0], &ch, app) : TF_ERR_INTERNAL;
	free(settings);
	free(types);
	free(png);
	if (e == TF_OK) {
		json_t *o = api_app_json(app, req->svc->public_url);
		json_object_set_new(o, "warnings", api_app_warnings(app));
		resp_json(req, 200, o);
	}
	free(app);
	return e;
}
