/*
 * api_app_events.c: an application's events endpoint on the admin API (docs/events.md): the
 * "events" object POST /v1/admin/apps takes and PATCH /v1/admin/apps/{id} replaces,
 * {"url": "https://...", "secret": "..."} or null for none, and its view in an application's
 * answer: the url and that a secret is set, never the secret (it is write-only, sealed at rest).
 */
#include <string.h>

#include "api/api.h"
#include "sca/apps.h"

enum tf_err api_events_settings_read(struct tf_req *req, struct app_events *out, bool *given)
{
	static const char *const keys[] = {"url", "secret", NULL};
	json_t *v = req->json ? json_object_get(req->json, "events") : NULL;
	*given = v != NULL;
	out->url = "";
	out->secret = NULL;
	if (!v || json_is_null(v))
		return TF_OK;
	if (!json_is_object(v) || json_unknown_key(v, keys))
		return req_field_error(req, TF_ERR_INVALID_FIELD, "events");
	json_t *url = json_object_get(v, "url"), *secret = json_object_get(v, "secret");
	if (!url)
		return req_field_error(req, TF_ERR_MISSING_FIELD, "events.url");
	if (!json_is_string(url) || !json_string_length(url))
		return req_field_error(req, TF_ERR_INVALID_FIELD, "events.url");
	if (!secret)
		return req_field_error(req, TF_ERR_MISSING_FIELD, "events.secret");
	if (!json_is_string(secret) || strlen(json_string_value(secret)) != json_string_length(secret))
		return req_field_error(req, TF_ERR_INVALID_FIELD, "events.secret");
	out->url = json_string_value(url);
	out->secret = json_string_value(secret);
	struct sca_ctx ctx = req_sca(req);
	const char *field;
	enum tf_err e = sca_app_events_check(&ctx, out, &field);
	return e == TF_OK ? TF_OK : req_field_error(req, e, field);
}

json_t *api_events_json(const struct app_row *a)
{
	return a->events_url[0] ? json_pack("{s:s, s:b}", "url", a->events_url, "secret_set", 1) : json_null();
}
