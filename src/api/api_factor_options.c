/*
 * api_factor_options.c: the factor types an application enables, on the admin API
 * ("enabled_factor_types": POST /v1/admin/apps takes it, PATCH /v1/admin/apps/{id} replaces
 * it, null for every type), with the warning its answer carries when the settings enable no
 * means of SCA that needs no smartphone; and GET /v1/users/{id}/factor_options (application
 * credentials): which types the user may enrol now and what each needs (sca/factor_options.h,
 * docs/accessibility.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "sca/factor_options.h"
#include "sca/relying_party.h"

#define NO_SMARTPHONE_WARNING "NO_METHOD_WITHOUT_SMARTPHONE"
#define NO_SMARTPHONE_SETTINGS                                                                                   \
	"The application enables no means of authentication that works without a smartphone (voice, email, or "     \
	"passkey with webauthn settings); the PSR asks for at least one."
#define NO_SMARTPHONE_USER "The user cannot enrol another factor now, so none that works without a smartphone."

enum tf_err api_factor_types_read(struct tf_req *req, char **out)
{
	json_t *a = json_object_get(req->json, "enabled_factor_types");
	*out = NULL;
	if (!a)
		return TF_OK;
	if (json_is_null(a)) { /* every type, those added later too */
		*out = strdup("");
		return *out ? TF_OK : TF_ERR_INTERNAL;
	}
	if (!json_is_array(a) || json_array_size(a) == 0 || json_array_size(a) > 2 * FACTOR_TYPE__MAX)
		return req_field_error(req, TF_ERR_INVALID_FIELD, "enabled_factor_types");
	unsigned types = 0;
	size_t i;
	json_t *v;
	json_array_foreach(a, i, v) {
		const struct factor_kind *k = json_is_string(v) ? factor_kind_named(json_string_value(v)) : NULL;
		if (!k)
			return req_field_error(req, TF_ERR_INVALID_FIELD, "enabled_factor_types");
		types |= FACTOR_TYPE_BIT(k->type);
	}
	if (!(*out = malloc(STORE_FACTOR_TYPES_MAX)))
		return TF_ERR_INTERNAL;
	factor_types_text(types, *out);
	return TF_OK;
}

json_t *api_factor_types_json(const struct app_row *a)
{
	unsigned types = factor_types_enabled(a);
	json_t *o = json_array();
	for (int t = 0; t < FACTOR_TYPE__MAX; t++)
		if (types & FACTOR_TYPE_BIT(t))
			json_array_append_new(o, json_string(factor_kind_of((enum factor_type)t)->name));
	return o;
}

static json_t *no_smartphone_warning(const char *message)
{
	return json_pack("{s:s, s:s}", "code", NO_SMARTPHONE_WARNING, "message", message);
}

json_t *api_app_warnings(const struct app_row *a)
{
	json_t *w = json_array();
	if (!factor_types_without_smartphone(factor_types_enabled(a), rp_configured(a)))
		json_array_append_new(w, no_smartphone_warning(NO_SMARTPHONE_SETTINGS));
	return w;
}

enum tf_err api_users_factor_options(struct tf_req *req)
{
	struct sca_ctx ctx = req_sca(req);
	struct factor_options fo;
	enum tf_err e = sca_factor_options(&ctx, req->params[0], &fo);
	if (e != TF_OK)
		return e;
	json_t *options = json_array(), *unavailable = json_array(), *warnings = json_array();
	for (int t = 0; t < FACTOR_TYPE__MAX; t++) {
		const struct factor_kind *k = factor_kind_of((enum factor_type)t);
		if (fo.state[t] == FACTOR_OPTION_AVAILABLE)
			json_array_append_new(options, json_pack("{s:s, s:s, s:b, s:b}", "type", k->name, "needs", k->needs,
								 "needs_smartphone", (k->flags & FACTOR_KIND_NEEDS_SMARTPHONE) != 0,
								 "without_smartphone",
								 (k->flags & FACTOR_KIND_WITHOUT_SMARTPHONE) != 0));
		else
			json_array_append_new(unavailable, json_pack("{s:s, s:s}", "type", k->name, "reason",
								     factor_option_state_names[fo.state[t]]));
	}
	if (!fo.without_smartphone)
		json_array_append_new(warnings, no_smartphone_warning(
			factor_types_without_smartphone(factor_types_enabled(req->app), rp_configured(req->app))
				? NO_SMARTPHONE_USER
				: NO_SMARTPHONE_SETTINGS));
	resp_json(req, 200, json_pack("{s:s, s:o, s:b, s:o, s:o}", "user_id", req->params[0], "options", options,
				      "without_smartphone", fo.without_smartphone, "unavailable", unavailable,
				      "warnings", warnings));
	return TF_OK;
}
