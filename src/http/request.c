/* request.c: reading JSON input with its limits, and writing JSON answers (see http.h). */
#include <malloc.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/timefmt.h"
#include "core/validate.h"
#include "http/http.h"
#include "http/json_fast.h"
#include "http/slow_pool.h"
#include "platform/metrics.h"
#include "sca/apps.h"
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

bool json_body_strings_ok(const json_t *body, size_t max_len, const char *const *self_bounded)
{
	if (!json_is_object(body))
		return json_strings_ok(body, max_len);
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)body, k, v) {
		bool bounded_by_reader = false;
		for (const char *const *p = self_bounded; *p && !bounded_by_reader; p++)
			bounded_by_reader = !strcmp(*p, k);
		if (strlen(k) > max_len || (!bounded_by_reader && !json_strings_ok(v, max_len)))
			return false;
	}
	return true;
}

const char *json_unknown_key(const json_t *o, const char *const *known)
{
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)o, k, v) {
		bool listed = false;
		for (const char *const *p = known; *p && !listed; p++)
			listed = strcmp(*p, k) == 0;
		if (!listed)
			return k;
	}
	return NULL;
}

char *json_answer_text(const json_t *v)
{
	char *text = json_fast_dump(v);
	return text ? text : json_dumps(v, JSON_COMPACT);
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
	const char *k = json_unknown_key(req->json, known);
	if (!k)
		return TF_OK;
	/* the field name is user input: only echo it when it is short, plain text */
	if (strlen(k) < 64 && validate_utf8_text(k, strlen(k)))
		return req_field_error(req, TF_ERR_INVALID_FIELD, k);
	return TF_ERR_INVALID_FIELD;
}

enum tf_err req_no_fields(struct tf_req *req)
{
	static const char *const none[] = {NULL};
	return req_reject_unknown(req, none);
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
	char *v = strdup(value);
	if (!v)
		return;
	struct tf_header *h = &req->headers[req->n_headers++];
	snprintf(h->name, sizeof h->name, "%s", name);
	h->value = v;
}

void resp_headers_clear(struct tf_req *req)
{
	for (int i = 0; i < req->n_headers; i++) {
		sodium_memzero(req->headers[i].value, strlen(req->headers[i].value));
		free(req->headers[i].value);
	}
	req->n_headers = 0;
}

void req_retry_after(struct tf_req *req, int64_t until)
{
	char seconds[32];
	int64_t ms = until - req->now;
	snprintf(seconds, sizeof seconds, "%lld", (long long)(ms > 0 ? (ms + 999) / 1000 : 1));
	resp_header(req, "Retry-After", seconds);
}

const char *form_get(const struct tf_form *f, const char *name)
{
	for (int i = 0; i < f->n; i++)
		if (strcmp(f->names[i], name) == 0)
			return f->values[i];
	return NULL;
}

void form_add(struct tf_form *f, const char *name, const char *data, size_t off, size_t size)
{
	if (!name || f->overflow)
		return;
	if (off > 0 && f->n > 0 && strcmp(f->names[f->n - 1], name) == 0) {
		/* the next piece of the last value */
		size_t len = f->lens[f->n - 1];
		if (len + size > TF_BODY_MAX) {
			f->overflow = true;
			return;
		}
		char *v = malloc(len + size + 1);
		if (!v) {
			f->overflow = true;
			return;
		}
		memcpy(v, f->values[f->n - 1], len);
		memcpy(v + len, data, size);
		v[len + size] = '\0';
		sodium_memzero(f->values[f->n - 1], len);
		free(f->values[f->n - 1]);
		f->values[f->n - 1] = v;
		f->lens[f->n - 1] = len + size;
		return;
	}
	if (form_get(f, name))
		f->duplicate = true;
	if (f->n >= TF_FORM_FIELDS_MAX) {
		f->overflow = true;
		return;
	}
	char *k = strdup(name), *v = malloc(size + 1);
	if (!k || !v) {
		free(k);
		free(v);
		f->overflow = true;
		return;
	}
	if (size)
		memcpy(v, data, size);
	v[size] = '\0';
	f->names[f->n] = k;
	f->values[f->n] = v;
	f->lens[f->n] = size;
	f->n++;
}

void form_free(struct tf_form *f)
{
	for (int i = 0; i < f->n; i++) {
		free(f->names[i]);
		sodium_memzero(f->values[i], f->lens[i]);
		free(f->values[i]);
	}
	f->n = 0;
}

void resp_set_time(json_t *obj, const char *key, int64_t ms)
{
	char t[TF_TIME_TEXT_SIZE];
	timefmt_rfc3339(ms, t);
	json_object_set_new(obj, key, json_string(t));
}

void req_sca_ctx(const struct tf_req *req, struct sca_ctx *out)
{
	out->svc = req->svc;
	out->db = req->db;
	out->app = req->app ? req->app : &http_no_app;
	out->now = req->now;
	if (req->have_session)
		snprintf(out->actor, sizeof out->actor, "user:%s", req->session.user_id);
	else if (req->have_app)
		snprintf(out->actor, sizeof out->actor, "app:%s", req->app->app_id);
	else
		snprintf(out->actor, sizeof out->actor, "admin");
	out->client_ip = req->client_ip;
	out->request_id = req->request_id;
	out->stepped_up = req->stepped_up;
	out->needs_step_up = req->route && (req->route->flags & ROUTE_STEP_UP);
}

struct sca_ctx req_sca(const struct tf_req *req)
{
	struct sca_ctx ctx;
	req_sca_ctx(req, &ctx);
	return ctx;
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
		.events_url = req->have_app ? req->app->events_url : "",
	};
	return audit_append(req->svc, req->db, &ev, req->now);
}

struct detached_audit {
	struct tf_service *svc;
	char app_id[TF_ID_MAX], event[64], actor[64], subject[TF_ID_MAX], ip[64], request_id[40], details[256];
	char events_url[STORE_URL_MAX];
	int64_t now;
};

static void write_detached_audit(void *arg)
{
	struct detached_audit *a = arg;
	struct store_conn *c;
	if (store_acquire(a->svc->store, &c) == TF_OK) {
		struct app_row app; /* what the audit row needs of the application: its id, its events endpoint */
		memset(&app, 0, sizeof app);
		snprintf(app.app_id, sizeof app.app_id, "%s", a->app_id);
		snprintf(app.events_url, sizeof app.events_url, "%s", a->events_url);
		struct sca_ctx ctx = {.svc = a->svc, .db = c, .app = &app, .now = a->now, .client_ip = a->ip,
				      .request_id = a->request_id};
		snprintf(ctx.actor, sizeof ctx.actor, "%s", a->actor);
		if (sca_tx_begin(&ctx) == TF_OK)
			(void)sca_tx_end(&ctx, sca_audit(&ctx, a->event, a->subject, a->details));
		store_release(c);
	}
	free(a);
}

void req_audit_detached(struct tf_req *req, const char *event, const char *actor, const char *subject, const char *details)
{
	struct detached_audit *a = calloc(1, sizeof *a);
	if (!a)
		return;
	a->svc = req->svc;
	a->now = req->now;
	snprintf(a->app_id, sizeof a->app_id, "%s", req->have_app ? req->app->app_id : "");
	snprintf(a->events_url, sizeof a->events_url, "%s", req->have_app ? req->app->events_url : "");
	snprintf(a->event, sizeof a->event, "%s", event);
	snprintf(a->actor, sizeof a->actor, "%s", actor);
	snprintf(a->subject, sizeof a->subject, "%s", subject);
	snprintf(a->ip, sizeof a->ip, "%s", req->client_ip);
	snprintf(a->request_id, sizeof a->request_id, "%s", req->request_id);
	snprintf(a->details, sizeof a->details, "%s", details ? details : "");
	if (!req->svc->slow_pool || !slow_pool_submit(req->svc->slow_pool, write_detached_audit, a)) {
		metrics_count(req->svc->metrics, M_AUDIT_DROPPED);
		free(a);
	}
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
		store_release(req->db);
	if (req->have_app)
		app_cache_put(req->app);
	free_secret(req->api_key);
	free_secret(req->authorization);
	free(req->idempotency_ref);
	free_secret(req->cookie);
	free(req->accept_language);
	free(req->if_none_match);
	form_free(&req->query);
	form_free(&req->form);
	for (int i = 0; i < req->n_headers; i++)
		free_secret(req->headers[i].value);
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
		sodium_memzero(req->resp_text, req->resp_len ? req->resp_len : strlen(req->resp_text));
		free(req->resp_text);
	}
	free(req);
}

/* Gives the request the application found by find(key). */
static enum tf_err load_app(struct tf_req *req, enum tf_err (*find)(const struct sca_ctx *ctx, const char *key, struct app_row *out),
			    const char *key)
{
	struct app_row *a = app_ref_new();
	if (!a)
		return TF_ERR_INTERNAL;
	struct sca_ctx ctx = req_sca(req);
	enum tf_err e = find(&ctx, key, a);
	if (e != TF_OK) {
		app_cache_put(a);
		return e;
	}
	if (req->have_app)
		app_cache_put(req->app);
	req->app = a;
	req->have_app = true;
	return TF_OK;
}

enum tf_err req_load_app_by_id(struct tf_req *req, const char *app_id)
{
	return load_app(req, sca_app_get, app_id);
}

enum tf_err req_load_app_by_client_id(struct tf_req *req, const char *client_id)
{
	return load_app(req, sca_app_get_by_client_id, client_id);
}

bool req_waiting(const struct tf_req *req)
{
	return req->slow_fn || req->rerun_slow;
}

void req_drop_app(struct tf_req *req)
{
	if (req->have_app)
		app_cache_put(req->app);
	req->app = &http_no_app;
	req->have_app = false;
}

bool req_etag_matches(const struct tf_req *req, const char *etag)
{
	const char *p = req->if_none_match;
	size_t want = strlen(etag);
	while (p && *p) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (*p == '*')
			return true;
		if (p[0] == 'W' && p[1] == '/')
			p += 2;
		size_t len = strcspn(p, ",");
		while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		if (len == want && memcmp(p, etag, want) == 0)
			return true;
		p += strcspn(p, ",");
	}
	return false;
}
