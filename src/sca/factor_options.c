/* factor_options.c: see factor_options.h. */
#include "sca/factor_options.h"

#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "sca/factors.h"
#include "sca/relying_party.h"
#include "sca/users.h"

const char *const factor_option_state_names[] = {
	[FACTOR_OPTION_AVAILABLE] = "available",
	[FACTOR_OPTION_DISABLED] = "disabled",
	[FACTOR_OPTION_WEBAUTHN_NOT_CONFIGURED] = "webauthn_not_configured",
	[FACTOR_OPTION_ALREADY_ENROLLED] = "already_enrolled",
	[FACTOR_OPTION_FACTOR_LIMIT_REACHED] = "factor_limit_reached",
};

unsigned factor_types_enabled(const struct app_row *app)
{
	if (!app->enabled_factor_types[0])
		return FACTOR_TYPES_ALL;
	json_t *a = json_loads(app->enabled_factor_types, 0, NULL);
	unsigned types = 0;
	size_t i;
	json_t *v;
	json_array_foreach(a, i, v) {
		const struct factor_kind *k = json_is_string(v) ? factor_kind_named(json_string_value(v)) : NULL;
		if (k)
			types |= FACTOR_TYPE_BIT(k->type);
	}
	if (!json_is_array(a)) /* the admin API writes an array: anything else is read as the default */
		types = FACTOR_TYPES_ALL;
	json_decref(a);
	return types;
}

bool factor_type_enabled(const struct app_row *app, const struct factor_kind *k)
{
	return (factor_types_enabled(app) & FACTOR_TYPE_BIT(k->type)) != 0;
}

void factor_types_text(unsigned types, char out[STORE_FACTOR_TYPES_MAX])
{
	size_t at = (size_t)snprintf(out, STORE_FACTOR_TYPES_MAX, "[");
	for (int t = 0; t < FACTOR_TYPE__MAX; t++)
		if (types & FACTOR_TYPE_BIT(t))
			at += (size_t)snprintf(out + at, STORE_FACTOR_TYPES_MAX - at, "%s\"%s\"", at > 1 ? "," : "",
					       factor_kind_of((enum factor_type)t)->name);
	snprintf(out + at, STORE_FACTOR_TYPES_MAX - at, "]");
}

/* why kind k cannot be enrolled on an application enabling types, before the user's factors */
static enum factor_option_state app_state(unsigned types, bool rp_configured, const struct factor_kind *k)
{
	if (!(types & FACTOR_TYPE_BIT(k->type)))
		return FACTOR_OPTION_DISABLED;
	if (k->answer == FACTOR_ANSWER_CREDENTIAL && !rp_configured)
		return FACTOR_OPTION_WEBAUTHN_NOT_CONFIGURED;
	return FACTOR_OPTION_AVAILABLE;
}

bool factor_types_without_smartphone(unsigned types, bool rp_configured)
{
	for (int t = 0; t < FACTOR_TYPE__MAX; t++) {
		const struct factor_kind *k = factor_kind_of((enum factor_type)t);
		if ((k->flags & FACTOR_KIND_WITHOUT_SMARTPHONE) && app_state(types, rp_configured, k) == FACTOR_OPTION_AVAILABLE)
			return true;
	}
	return false;
}

void factor_options_of(unsigned types, bool rp_configured, const struct factor_row *list, size_t n,
		       struct factor_options *out)
{
	memset(out, 0, sizeof *out);
	for (int t = 0; t < FACTOR_TYPE__MAX; t++) {
		const struct factor_kind *k = factor_kind_of((enum factor_type)t);
		enum factor_option_state s = app_state(types, rp_configured, k);
		bool has = false;
		for (size_t i = 0; i < n; i++)
			has |= list[i].type == k->type;
		if (s == FACTOR_OPTION_AVAILABLE && (k->flags & FACTOR_KIND_ONE_PER_USER) && has)
			s = FACTOR_OPTION_ALREADY_ENROLLED; /* enrolling again replaces it: not a new method */
		else if (s == FACTOR_OPTION_AVAILABLE && n >= FACTORS_PER_USER_MAX)
			s = FACTOR_OPTION_FACTOR_LIMIT_REACHED;
		out->state[t] = s;
		out->without_smartphone |= s == FACTOR_OPTION_AVAILABLE && (k->flags & FACTOR_KIND_WITHOUT_SMARTPHONE);
	}
}

enum tf_err sca_factor_options(const struct sca_ctx *ctx, const char *user_id, struct factor_options *out)
{
	struct user_row u;
	struct factor_row list[FACTORS_PER_USER_MAX];
	size_t n = 0;
	enum tf_err e = sca_user_load(ctx, user_id, &u);
	if (e == TF_OK)
		e = sca_factor_list(ctx, user_id, list, FACTORS_PER_USER_MAX, &n);
	if (e == TF_OK)
		factor_options_of(factor_types_enabled(ctx->app), rp_configured(ctx->app), list, n, out);
	return e;
}

bool factor_types_parse_list(const char *list, char out[STORE_FACTOR_TYPES_MAX])
{
	unsigned types = 0;
	for (const char *p = list; *p;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		char name[32];
		if (len == 0 || len >= sizeof name)
			return false;
		memcpy(name, p, len);
		name[len] = '\0';
		const struct factor_kind *k = factor_kind_named(name);
		if (!k)
			return false;
		types |= FACTOR_TYPE_BIT(k->type);
		p = comma ? comma + 1 : p + len;
		if (comma && !*p)
			return false;
	}
	if (!types)
		return false;
	factor_types_text(types, out);
	return true;
}
