/*
 * api_devices.c: trusted devices (SPEC section 5, seed 000). Issuing a device and its cookie
 * after a verified challenge, validating a cookie (POST /v1/devices/validate, the hottest
 * path: no database read or write, only the revocation cache), listing and revoking. The
 * rules are the domain's (sca/devices.h); this file reads the request and answers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "platform/metrics.h"
#include "sca/devices.h"

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
	struct sca_ctx ctx = req_sca(req);
	struct device_row d;
	char cookie[DEVICE_COOKIE_MAX];
	enum tf_err e = sca_device_issue(&ctx, user_id, challenge_id, persistent, domain, &d, cookie);
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
	struct sca_ctx ctx = req_sca(req);
	return sca_device_check(&ctx, user_id, cookie, domain, claims);
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

enum tf_err api_devices_list(struct tf_req *req)
{
	struct sca_ctx ctx = req_sca(req);
	struct device_row list[DEVICES_LIST_MAX];
	size_t n;
	enum tf_err e = sca_device_list(&ctx, req->session.user_id, list, &n);
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
	struct sca_ctx ctx = req_sca(req);
	return sca_device_revoke_all_in_tx(&ctx, user_id, why);
}

enum tf_err api_devices_revoke(struct tf_req *req)
{
	struct sca_ctx ctx = req_sca(req);
	enum tf_err e = sca_device_revoke(&ctx, req->session.user_id, req->params[0]);
	if (e != TF_OK)
		return e;
	resp_json(req, 200, json_pack("{s:s, s:s}", "device_id", req->params[0], "status", "revoked"));
	return TF_OK;
}

enum tf_err api_devices_revoke_all(struct tf_req *req)
{
	struct sca_ctx ctx = req_sca(req);
	enum tf_err e = sca_device_revoke_all(&ctx, req->session.user_id, "user");
	if (e != TF_OK)
		return e;
	resp_json(req, 200, json_pack("{s:s}", "status", "revoked"));
	return TF_OK;
}
