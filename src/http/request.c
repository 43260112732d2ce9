/* request.c: reading JSON input with its limits, and writing JSON answers (see http.h). */
#include <malloc.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/timefmt.h"
#include "core/validate.h"
#include "http/http.h"
#include "service/app_cache.h"

const struct app_row http_no_app;

/* jansson allocates every parsed string (passwords and codes among them) and frees it without
 * clearing it; this free wipes each block first, so secrets do not linger in freed memory. */
static void wiping_free(void *p)
{
	if (p) {
		sodium_memzero(p, malloc_usable_size(p));
		free(p);
	}
}

void json_use_wiping_allocator(void)
{
	json_set_alloc_funcs(malloc, wiping_free);
}

bool json_text_depth_ok(const char *text, size_t len, int max_depth)
{
	int depth = 0;
	bool in_string = false;
	for (size_t i = 0; i < len; i++) {
		char c = text[i];
		if (in_string) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_string = false;
			continue;
		}
		if (c == '"')
			in_string = true;
		else if (c == '{' || c == '[') {
			if (++depth > max_depth)
				return false;
		} else if (c == '}' || c == ']')
			depth--;
	}
	return true;
}

bool json_strings_ok(const json_t *v, size_t max_len)
{
	if (json_is_string(v))
		return json_string_length(v) <= max_len;
	if (json_is_object(v)) {
		const char *k;
		json_t *x;
		json_object_foreach((json_t *)v, k, x) {
			if (strlen(k) > max_len || !json_strings_ok(x, max_len))
				return false;
		}
	} else if (json_is_array(v)) {
		size_t i;
		json_t *x;
		json_array_foreach(v, i, x) {
			if (!json_strings_ok(x, max_len))
				return false;
		}
	}
	return true;
}

enum tf_err req_field_error(struct tf_req *req, enum tf_err e, const char *field)
{
	snprintf(req->err_field, sizeof req->err_field, "%s", field);
	return e;
}

enum tf_err req_string(struct tf_req *req, const char *field, bool required, const char **out)
{
	json_t *v = req->json ? json_object_get(req->json, field) : NULL;
	if (!v || json_is_null(v))
		return required ? req_field_error(req, TF_ERR_MISSING_FIELD, field) : TF_OK;
	if (!json_is_string(v))
		return req_field_error(req, TF_ERR_INVALID_FIELD, field);
	const char *s = json_string_value(v);
	if (strlen(s) != json_string_length(v)) /* an embedded NUL */
		return req_field_error(req, TF_ERR_INVALID_FIELD, field);
	*out = s;
	return TF_OK;
}

enum tf_err req_bool(struct tf_req *req, const char *field, bool *out)
{
	json_t *v = req->json ? json_object_get(req->json, field) : NULL;
	if (!v || json_is_null(v))
		return TF_OK;
	if (!json_is_boolean(v))
		return req_field_error(req, TF_ERR_INVALID_FIELD, field);
	*out = json_is_true(v);
	return TF_OK;
}

enum tf_err req_reject_unknown(struct tf_req *req, const char *const *known)
{
	const char *k;
	json_t *v;
	if (!req->json)
		return TF_OK;
	json_object_foreach(req->json, k, v) {
		bool ok = false;
		for (const char *const *p = known; *p && !ok; p++)
			ok = strcmp(*p, k) == 0;
		if (!ok) {
			/* the field name is user input: only echo it when it is short, plain text */
			if (strlen(k) < 64 && validate_utf8_text(k, strlen(k)))
				return req_field_error(req, TF_ERR_INVALID_FIELD, k);
			return TF_ERR_INVALID_FIELD;
		}
		(void)v;
	}
	return TF_OK;
}

void resp_json(struct tf_req *req, int status, json_t *body)
{
	if (req->resp)
		json_decref(req->resp);
	req->status = status;
	req->resp = body;
}

void resp_header(struct tf_req *req, const char *name, const char *value)
{
	if (req->n_headers >= TF_EXTRA_HEADERS_MAX)
		return;
	struct tf_header *h = &req->headers[req->n_headers++];
	snprintf(h->name, sizeof h->name, "%s", name);
	snprintf(h->value, sizeof h->value, "%s", value);
}

void resp_set_time(json_t *obj, const char *key, int64_t ms)
{
	char t[TF_TIME_TEXT_SIZE];
	timefmt_rfc3339(ms, t);
	json_object_set_new(obj, key, json_string(t));
}

enum tf_err req_audit(struct tf_req *req, const char *event, const char *actor, const char *subject,
		      const char *details)
{
	struct audit_event ev = {
		.app_id = req->have_app ? req->app->app_id : "",
		.event = event,
		.actor = actor,
		.subject = subject,
		.ip = req->client_ip,
		.request_id = req->request_id,
		.details = details,
	};
	return audit_append(req->svc, req->db, &ev, req->now);
}

static void free_secret(char *s)
{
	if (s) {
		sodium_memzero(s, strlen(s));
		free(s);
	}
}

void req_free(struct tf_req *req)
{
	if (!req)
		return;
	if (req->db) /* a request that ends between its phases (its client went away) */
		STORE(req->db)->release(req->db);
	if (req->have_app)
		app_cache_put(req->app);
	free_secret(req->api_key);
	free_secret(req->authorization);
	free(req->idempotency_ref);
	if (req->body) {
		sodium_memzero(req->body, req->body_len);
		free(req->body);
	}
	if (req->json)
		json_decref(req->json);
	if (req->resp)
		json_decref(req->resp);
	if (req->err_extra)
		json_decref(req->err_extra);
	if (req->slow_state) {
		sodium_memzero(req->slow_state, req->slow_state_len);
		free(req->slow_state);
	}
	if (req->resp_text) {
		sodium_memzero(req->resp_text, strlen(req->resp_text));
		free(req->resp_text);
	}
	free(req);
}
