/*
 * dispatch.c: what happens to every request between the HTTP adapter and a handler, in
 * this order: open a database connection (not for ROUTE_NO_DB routes); authenticate (admin token, api-key, session
 * token); parse the JSON body within its limits; idempotency-ref; the handler; the error
 * body; hand back the connection. Only this file does these things, so no handler can
 * forget one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "delivery/outbox.h"
#include "service/app_cache.h"
#include "http/http.h"
#include "http/http_headers.h"
#include "http/json_fast.h"
#include "platform/clock.h"
#include "platform/log.h"
#include "sca/idempotency.h"
#include "sca/rate.h"
#include "sca/sessions.h"

static const char *bearer(const char *authorization)
{
	return header_bearer_token(authorization);
}

static enum tf_err auth_admin(struct tf_req *req)
{
	const char *token = bearer(req->authorization);
	if (!token || !req->svc->admin_token_set)
		return TF_ERR_INVALID_ADMIN_TOKEN;
	uint8_t mac[TF_MAC_BYTES];
	crypto_secret_mac(req->svc->keys, "admin", token, mac);
	return crypto_equal(mac, req->svc->admin_token_mac, TF_MAC_BYTES) ? TF_OK : TF_ERR_INVALID_ADMIN_TOKEN;
}

static enum tf_err auth_app(struct tf_req *req)
{
	if (!req->api_key || !req->api_key[0] || strlen(req->api_key) > 128)
		return TF_ERR_INVALID_API_KEY;
	uint8_t mac[TF_MAC_BYTES];
	crypto_secret_mac(req->svc->keys, "api_key", req->api_key, mac);
	/* the lookup is by MAC, so timing reveals nothing about the key itself */
	const struct app_row *app;
	enum tf_err e = app_cache_get(req->svc->apps, req->db, mac, req->now, &app);
	if (e == TF_ERR_NOT_FOUND)
		return TF_ERR_INVALID_API_KEY;
	if (e == TF_OK) {
		req->app = app;
		req->have_app = true;
	}
	return e;
}

/* Checks that req->session is alive, judges its step-up, and records this activity. */
enum tf_err req_session_use(struct tf_req *req)
{
	struct sca_ctx ctx = req_sca(req);
	return sca_session_use(&ctx, &req->session, &req->stepped_up);
}

/* The session of the request's application whose token is token (api_only as
 * sca_session_find), alive, with this activity recorded. */
static enum tf_err auth_session(struct tf_req *req, const char *token, bool api_only)
{
	struct sca_ctx ctx = req_sca(req);
	enum tf_err e = sca_session_find(&ctx, token, api_only, &req->session);
	if (e != TF_OK)
		return e;
	if ((e = sca_session_use(&ctx, &req->session, &req->stepped_up)) != TF_OK)
		return e;
	req->have_session = true;
	return TF_OK;
}

static enum tf_err auth_user(struct tf_req *req)
{
	const char *token = bearer(req->authorization);
	if (!token || strlen(token) > 128)
		return TF_ERR_INVALID_TOKEN;
	return auth_session(req, token, false);
}

/* The WePay face's access token carries its application: "<app_id>.<session token>". */
static enum tf_err auth_bearer_app_token(struct tf_req *req)
{
	const char *bearer_token = bearer(req->authorization);
	const char *dot = bearer_token ? strchr(bearer_token, '.') : NULL;
	if (!dot || (size_t)(dot - bearer_token) >= sizeof req->app->app_id || strlen(dot + 1) > 128)
		return TF_ERR_INVALID_TOKEN;
	char app_id[TF_ID_MAX];
	memcpy(app_id, bearer_token, (size_t)(dot - bearer_token));
	app_id[dot - bearer_token] = '\0';
	enum tf_err e = req_load_app_by_id(req, app_id);
	if (e == TF_ERR_NOT_FOUND)
		return TF_ERR_INVALID_TOKEN;
	if (e != TF_OK)
		return e;
	req->have_app = true;
	return auth_session(req, dot + 1, true);
}

/* Top-level members whose readers bound their strings themselves, beyond TF_JSON_STRING_MAX: a
 * WebAuthn credential (base64url of an attestation object with its certificates, a client data
 * JSON with SPC's icon; each member capped by http/webauthn_json.c), an application's passkey
 * settings (attestation roots in PEM, 8 KiB in all, checked by api/api_app_webauthn.c) and its
 * branding (a logo of at most 32 KiB, api/api_app_branding.c). */
static const char *const self_bounded_members[] = {"credential", "webauthn", "branding", NULL};

static enum tf_err parse_body(struct tf_req *req)
{
	if (req->body_len == 0) {
		req->json = json_object();
		return TF_OK;
	}
	/* the usual body, one flat object, without jansson's lexer; anything else through it */
	if ((req->json = json_fast_parse_flat(req->body, req->body_len)) != NULL) {
		bool short_strings = json_body_strings_ok(req->json, TF_JSON_STRING_MAX, self_bounded_members);
		return short_strings ? TF_OK : TF_ERR_INVALID_FIELD;
	}
	if (!json_text_depth_ok(req->body, req->body_len, TF_JSON_DEPTH_MAX))
		return req_field_error(req, TF_ERR_INVALID_JSON, "");
	json_error_t jerr;
	req->json = json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES, &jerr);
	if (!req->json)
		return TF_ERR_INVALID_JSON;
	if (!json_is_object(req->json))
		return TF_ERR_INVALID_JSON;
	if (!json_body_strings_ok(req->json, TF_JSON_STRING_MAX, self_bounded_members))
		return TF_ERR_INVALID_FIELD;
	return TF_OK;
}

static json_t *error_body(struct tf_req *req, enum tf_err e)
{
	json_t *err = json_pack("{s:s, s:s, s:s}", "code", tf_err_code(e), "message", tf_err_message(e),
				"request_id", req->request_id);
	if (req->err_field[0]) {
		json_object_set_new(err, "field", json_string(req->err_field));
		char msg[512];
		if (e == TF_ERR_MISSING_FIELD)
			snprintf(msg, sizeof msg, "The field '%s' is required.", req->err_field);
		else
			snprintf(msg, sizeof msg, "The field '%s' has the wrong type or an invalid value.", req->err_field);
		if (e == TF_ERR_MISSING_FIELD || e == TF_ERR_INVALID_FIELD)
			json_object_set_new(err, "message", json_string(msg));
	}
	if (req->err_extra)
		json_object_update(err, req->err_extra);
	return json_pack("{s:o}", "error", err);
}

void dispatch_error(struct tf_req *req, enum tf_err e)
{
	req->err = e;
	resp_json(req, tf_err_status(e), error_body(req, e));
}

/* The idempotency step (sca/idempotency.h). Returns true when the request was answered from
 * the record. The record is bound to the request and to the credential that sent it: the
 * session when the route authenticated one, else the application (or the admin token). */
static bool idempotency_begin(struct tf_req *req, bool *reserved, enum tf_err *e)
{
	*reserved = false;
	*e = TF_OK;
	if (!req->idempotency_ref || strcmp(req->method, "POST") != 0 || (req->route->flags & ROUTE_PAGE))
		return false;
	size_t len = strlen(req->idempotency_ref);
	if (len == 0 || len > 255) {
		*e = req_field_error(req, TF_ERR_INVALID_FIELD, "idempotency-ref");
		return false;
	}
	struct sca_ctx ctx = req_sca(req);
	struct sca_idem_request r = {req->method, req->path, req->body, req->body_len,
				     req->have_session ? req->session.session_id : ""};
	struct sca_idem_replay rep;
	bool replayed;
	if ((*e = sca_idem_reserve(&ctx, req->idempotency_ref, &r, &replayed, &rep)) != TF_OK)
		return false;
	if (!replayed) {
		*reserved = true;
		return false;
	}
	req->status = rep.status;
	req->resp_text = rep.body;
	rep.body = NULL;
	if (rep.headers) {
		/* "Name: value\n" lines */
		char *save = NULL;
		for (char *line = strtok_r(rep.headers, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			char *colon = strchr(line, ':');
			if (!colon)
				continue;
			*colon = '\0';
			resp_header(req, line, colon + 2);
		}
	}
	resp_header(req, "Idempotent-Replayed", "true");
	sca_idem_replay_free(&rep);
	return true;
}

/* The request was not carried out: its idempotency-ref is free for a retry. */
static void idempotency_release(struct tf_req *req)
{
	struct sca_ctx ctx = req_sca(req);
	(void)sca_idem_release(&ctx, req->idempotency_ref);
}

static void idempotency_end(struct tf_req *req)
{
	if (req->status >= 500) {
		idempotency_release(req);
		return;
	}
	char headers[1024] = "";
	size_t n = 0;
	for (int i = 0; i < req->n_headers && n < sizeof headers; i++)
		n += (size_t)snprintf(headers + n, sizeof headers - n, "%s: %s\n", req->headers[i].name, req->headers[i].value);
	struct sca_ctx ctx = req_sca(req);
	if (sca_idem_complete(&ctx, req->idempotency_ref, req->status, req->resp_text, n ? headers : NULL) != TF_OK)
		log_error("could not record an idempotent answer", "request_id", req->request_id, NULL);
}

static void serialise(struct tf_req *req)
{
	if (req->resp_text)
		return;
	if (!req->resp)
		req->resp = json_object();
	req->resp_text = json_answer_text(req->resp);
}

/* A 503 says when to come back (RFC 9110 section 10.2.3): a busy node (OVERLOADED) in a second,
 * a database that went away (STORE_UNAVAILABLE) in a few. */
static void retry_after(struct tf_req *req, enum tf_err e)
{
	if (e != TF_ERR_OVERLOADED && e != TF_ERR_STORE_UNAVAILABLE)
		return;
	for (int i = 0; i < req->n_headers; i++)
		if (strcasecmp(req->headers[i].name, "Retry-After") == 0)
			return;
	resp_header(req, "Retry-After", e == TF_ERR_OVERLOADED ? "1" : "5");
}

static void answer_error(struct tf_req *req, enum tf_err e)
{
	retry_after(req, e);
	if (e == TF_ERR_INTERNAL)
		log_error("request failed", "request_id", req->request_id, "route", req->route->metric_name, NULL);
	if (req->route->render_error) {
		req->err = e;
		req->route->render_error(req, e);
		serialise(req); /* the idempotency record (idempotency_end) keeps the text */
		return;
	}
	dispatch_error(req, e);
	serialise(req);
}

/* Hands the connection back and wakes the outbox if the request queued a message. */
static void finish(struct tf_req *req)
{
	if (req->db) {
		store_release(req->db);
		req->db = NULL;
	}
	if (req->wake_outbox && req->svc->outbox)
		outbox_wake(req->svc->outbox);
}

void dispatch_park(struct tf_req *req)
{
	if (req->db) {
		store_release(req->db);
		req->db = NULL;
	}
}

bool dispatch_unpark(struct tf_req *req)
{
	if (req->db || (req->route->flags & ROUTE_NO_DB))
		return true;
	enum tf_err e = store_acquire(req->svc->store, &req->db);
	if (e == TF_OK)
		return true;
	req->db = NULL;
	answer_error(req, e);
	finish(req);
	return false;
}

/* Phase 1, on the HTTP thread: connection, authentication, body, idempotency. Returns true
 * when the request is already answered (an error or a replayed answer). */
bool dispatch_prepare(struct tf_req *req)
{
	enum tf_err e;
	req->now = clock_now_ms();
	if (req->route->flags & ROUTE_NO_DB)
		return false; /* nothing below applies: AUTH_NONE, GETs without a body (test_routes.c) */
	if ((e = store_acquire(req->svc->store, &req->db)) != TF_OK) {
		req->db = NULL;
		goto error;
	}
	req->db->commit_later = req->commit_wait && (req->route->flags & ROUTE_COMMIT_LATER);
	switch (req->route->auth) {
	case AUTH_NONE:
		e = TF_OK;
		break;
	case AUTH_ADMIN:
		e = auth_admin(req);
		break;
	case AUTH_APP:
		e = auth_app(req);
		break;
	case AUTH_USER:
		e = auth_app(req);
		if (e == TF_OK)
			e = auth_user(req);
		break;
	case AUTH_APP_USER_OPTIONAL:
		e = auth_app(req);
		if (e == TF_OK && req->authorization)
			e = auth_user(req);
		break;
	case AUTH_BEARER_APP_TOKEN:
		e = auth_bearer_app_token(req);
		break;
	}
	if (e != TF_OK)
		goto error;
	if ((req->route->flags & ROUTE_JSON_BODY) && (e = parse_body(req)) != TF_OK)
		goto error;
	if (idempotency_begin(req, &req->idem_reserved, &e)) {
		finish(req);
		return true;
	}
	if (e != TF_OK)
		goto error;
	return false;
error:
	answer_error(req, e);
	finish(req);
	return true;
}

/* Whether the prepared request must run on the slow pool. */
bool dispatch_needs_slow_pool(struct tf_req *req)
{
	if (req->route->flags & ROUTE_SLOW)
		return true;
	return req->route->slow_if && req->route->slow_if(req);
}

/* Whether the handler left slow work to do instead of an answer. */
static bool wants_slow(struct tf_req *req, enum tf_err e)
{
	return e == TF_OK && !req->resp && !req->resp_text && (req->slow_fn || req->rerun_slow);
}

/* Phase 2, on the HTTP thread or the slow pool: the handler and the answer. */
bool dispatch_run(struct tf_req *req)
{
	enum tf_err e = req->route->handler(req);
	while (wants_slow(req, e)) {
		if (req->svc->slow_pool && !req->slow_ok)
			return false; /* the caller runs dispatch_slow() on the slow pool */
		if (!dispatch_slow(req))
			e = req->route->handler(req);
		else
			return true;
	}
	if (e != TF_OK)
		answer_error(req, e);
	else
		serialise(req);
	if (req->idem_reserved && req->db)
		idempotency_end(req);
	if (!req->commit_wait)
		dispatch_finish(req);
	return true;
}

bool dispatch_commit_wait(struct tf_req *req, void (*done)(void *req, enum tf_err e))
{
	enum tf_err now;
	return req->db && store_when_durable(req->db, done, req, &now) == STORE_DURABLE_LATER;
}

/* The answer made for writes whose COMMIT failed gives way to the error: what it said (a
 * device cookie, an authorisation) was never stored. */
static void answer_lost(struct tf_req *req, enum tf_err e)
{
	free(req->resp_text);
	req->resp_text = NULL;
	req->resp_len = 0;
	if (req->resp)
		json_decref(req->resp);
	req->resp = NULL;
	if (req->err_extra)
		json_decref(req->err_extra);
	req->err_extra = NULL;
	req->err_field[0] = '\0';
	resp_headers_clear(req);
	req->content_type = NULL;
	req->cache_control = NULL;
	log_error("a request's writes were not committed", "request_id", req->request_id, NULL);
	answer_error(req, e);
	if (req->idem_reserved && req->db) {
		req->db->commit_later = false;
		idempotency_release(req); /* its record went with the batch: the ref may be used again */
	}
}

void dispatch_finish(struct tf_req *req)
{
	enum tf_err e = TF_OK;
	if (req->db && req->db->commit_later)
		(void)store_when_durable(req->db, NULL, NULL, &e); /* done by now, or waited for here */
	if (e != TF_OK)
		answer_lost(req, e);
	finish(req);
}

bool dispatch_slow(struct tf_req *req)
{
	if (req->slow_fn) {
		void (*fn)(struct tf_req *) = req->slow_fn;
		req->slow_fn = NULL;
		fn(req);
		req->phase++;
		return false;
	}
	req->rerun_slow = false;
	req->slow_ok = true;
	return dispatch_run(req);
}


void req_attempt_counted(struct tf_req *req, const char *key, int64_t window_start)
{
	const int max = (int)(sizeof req->counted / sizeof req->counted[0]);
	if (req->n_counted >= max)
		return;
	snprintf(req->counted[req->n_counted].key, sizeof req->counted[0].key, "%s", key);
	req->counted[req->n_counted++].window_start = window_start;
}

void dispatch_abandon(struct tf_req *req, enum tf_err e)
{
	answer_error(req, e);
	bool undo = req->idem_reserved || req->n_counted > 0;
	if (undo && !req->db && store_acquire(req->svc->store, &req->db) != TF_OK)
		req->db = NULL; /* parked for the hash pool, which refused it: take one to undo */
	if (req->idem_reserved && req->db)
		idempotency_release(req); /* the handler never ran, whatever the answer's status */
	struct sca_ctx ctx = req_sca(req);
	for (int i = 0; i < req->n_counted && req->db; i++)
		(void)sca_rate_give_back(&ctx, req->counted[i].key, req->counted[i].window_start);
	finish(req);
}
