/*
 * api_devices.c: trusted devices (SPEC section 5, seed 000). Issuing a device and its cookie
 * after a verified challenge, validating a cookie (POST /v1/devices/validate, the hottest
 * path: no database read or write, only the revocation cache), listing and revoking.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "core/device_cookie.h"
#include "http/slow_pool.h"
#include "platform/metrics.h"
#include "service/revocations.h"

json_t *api_device_json(const struct device_row *d)
{
	json_t *o = json_pack("{s:s, s:s, s:s}", "device_id", d->device_id, "kind", device_kind_name(d->kind), "domain",
			      device_domain_name(d->domain));
	resp_set_time(o, "created_at", d->created_at);
	resp_set_time(o, "expires_at", d->expires_at);
	return o;
}

enum tf_err api_device_issue(struct tf_req *req, const char *user_id, const char *challenge_id, bool persistent,
			     enum device_domain domain, json_t **out)
{
	struct device_row d = {.kind = persistent ? DEVICE_PERSISTENT : DEVICE_SESSION, .domain = domain,
			       .created_at = req->now,
			       .expires_at = req->now + (persistent ? DEVICE_PERSISTENT_MS : DEVICE_SESSION_MS)};
	crypto_random_id("dev", d.device_id);
	snprintf(d.app_id, sizeof d.app_id, "%s", req->app->app_id);
	snprintf(d.user_id, sizeof d.user_id, "%s", user_id);
	snprintf(d.challenge_id, sizeof d.challenge_id, "%s", challenge_id);
	struct device_claims cl = {.kind = d.kind, .domain = d.domain, .expires_at = d.expires_at};
	snprintf(cl.app_id, sizeof cl.app_id, "%s", d.app_id);
	snprintf(cl.user_id, sizeof cl.user_id, "%s", d.user_id);
	snprintf(cl.device_id, sizeof cl.device_id, "%s", d.device_id);
	char cookie[DEVICE_COOKIE_MAX];
	if (!device_cookie_encode(req->svc->keys->cookie_hmac, &cl, cookie))
		return TF_ERR_INTERNAL;
	enum tf_err e = STORE(req->db)->device_insert(req->db, &d);
	if (e == TF_OK) {
		char actor[64], details[96];
		snprintf(actor, sizeof actor, "user:%s", user_id);
		snprintf(details, sizeof details, "{\"kind\":\"%s\",\"domain\":\"%s\"}", device_kind_name(d.kind), device_domain_name(domain));
		e = req_audit(req, "device.trusted", actor, d.device_id, details);
	}
	if (e != TF_OK)
		return e;
	*out = api_device_json(&d);
	json_object_set_new(*out, "cookie", json_string(cookie));
	return TF_OK;
}

/* ---- validation ---- */

/* A refused cookie is audited off the request path: validation never writes. */
static void audit_refusal(struct tf_req *req, const char *user_id, const char *reason)
{
	char actor[64], details[128];
	snprintf(actor, sizeof actor, "app:%s", req->app->app_id);
	snprintf(details, sizeof details, "{\"reason\":\"%s\"}", reason);
	req_audit_detached(req, "device.validated_false", actor, user_id, details);
}

const char *api_device_check(struct tf_req *req, const char *user_id, const char *cookie, enum device_domain domain,
			     struct device_claims *claims)
{
	switch (device_cookie_check(req->svc->keys->cookie_hmac, cookie, req->now, claims)) {
	case COOKIE_VALID:
		break;
	case COOKIE_EXPIRED:
		return "expired";
	case COOKIE_MALFORMED:
	case COOKIE_BAD_MAC:
		return "invalid";
	}
	/* plain comparisons: these ids are not secrets and the MAC already matched */
	if (strcmp(claims->app_id, req->app->app_id) != 0 || claims->domain != domain)
		return "invalid";
	if (strcmp(claims->user_id, user_id) != 0)
		return "other_user";
	if (req->svc->revocations && revocations_contains(req->svc->revocations, claims->device_id))
		return "revoked";
	return NULL;
}

enum tf_err api_devices_validate(struct tf_req *req)
{
	static const char *const known[] = {"user_id", "cookie", NULL};
	const char *user_id, *cookie;
	enum tf_err e;
	if ((e = req_reject_unknown(req, known)) != TF_OK || (e = req_string(req, "user_id", true, &user_id)) != TF_OK ||
	    (e = req_string(req, "cookie", true, &cookie)) != TF_OK)
		return e;
	struct device_claims cl;
	const char *refused = api_device_check(req, user_id, cookie, DOMAIN_API, &cl);
	if (refused) {
		metrics_count(req->svc->metrics, M_VALIDATE_UNTRUSTED);
		audit_refusal(req, user_id, refused);
		resp_json(req, 200, json_pack("{s:b, s:s}", "trusted", 0, "reason", refused));
		return TF_OK;
	}
	metrics_count(req->svc->metrics, M_VALIDATE_TRUSTED);
	json_t *o = json_pack("{s:b, s:s, s:s}", "trusted", 1, "device_id", cl.device_id, "kind", device_kind_name(cl.kind));
	resp_set_time(o, "expires_at", cl.expires_at);
	resp_json(req, 200, o);
	return TF_OK;
}

/* ---- listing and revoking ---- */

/* The user's unexpired, unrevoked devices of this application. */
static enum tf_err list_devices(struct tf_req *req, const char *user_id, struct device_row list[DEVICES_LIST_MAX], size_t *n)
{
	return STORE(req->db)->device_list(req->db, req->app->app_id, user_id, req->now, list, DEVICES_LIST_MAX, n);
}

enum tf_err api_devices_list(struct tf_req *req)
{
	struct device_row list[DEVICES_LIST_MAX];
	size_t n;
	enum tf_err e = list_devices(req, req->session.user_id, list, &n);
	if (e != TF_OK)
		return e;
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, api_device_json(&list[i]));
	resp_json(req, 200, json_pack("{s:o}", "devices", arr));
	return TF_OK;
}

enum tf_err api_devices_revoke_all_of(struct tf_req *req, const char *user_id, const char *why)
{
	struct device_row list[DEVICES_LIST_MAX];
	size_t n = 0;
	int revoked = 0;
	/* read the ids first, to add them to the cache once the change commits */
	enum tf_err e = list_devices(req, user_id, list, &n);
	if (e == TF_OK)
		e = STORE(req->db)->device_revoke_all(req->db, req->app->app_id, user_id, req->now, &revoked);
	if (e == TF_OK && revoked) {
		char actor[64], details[96];
		snprintf(actor, sizeof actor, "user:%s", user_id);
		snprintf(details, sizeof details, "{\"all\":true,\"count\":%d,\"reason\":\"%s\"}", revoked, why);
		e = req_audit(req, "device.revoked", actor, user_id, details);
	}
	for (size_t i = 0; e == TF_OK && i < n && req->svc->revocations; i++)
		revocations_add(req->svc->revocations, list[i].device_id, list[i].expires_at);
	return e;
}

enum tf_err api_devices_revoke(struct tf_req *req)
{
	enum tf_err e = STORE(req->db)->tx_begin(req->db);
	if (e != TF_OK)
		return e;
	e = STORE(req->db)->device_revoke(req->db, req->app->app_id, req->session.user_id, req->params[0], req->now);
	if (e == TF_OK) {
		char actor[64];
		snprintf(actor, sizeof actor, "user:%s", req->session.user_id);
		e = req_audit(req, "device.revoked", actor, req->params[0], "{\"all\":false}");
	}
	if ((e = store_tx_end(req->db, e)) != TF_OK)
		return e;
	/* no cookie of this device outlives the longest device lifetime from now */
	if (req->svc->revocations)
		revocations_add(req->svc->revocations, req->params[0], req->now + DEVICE_PERSISTENT_MS);
	resp_json(req, 200, json_pack("{s:s, s:s}", "device_id", req->params[0], "status", "revoked"));
	return TF_OK;
}

enum tf_err api_devices_revoke_all(struct tf_req *req)
{
	enum tf_err e = STORE(req->db)->tx_begin(req->db);
	if (e != TF_OK)
		return e;
	/* the ids enter the cache before the commit: at worst a cookie is refused a moment early */
	e = api_devices_revoke_all_of(req, req->session.user_id, "user");
	if ((e = store_tx_end(req->db, e)) != TF_OK)
		return e;
	resp_json(req, 200, json_pack("{s:s}", "status", "revoked"));
	return TF_OK;
}
