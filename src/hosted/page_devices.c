/*
 * page_devices.c: the trusted-devices page (SPEC sections 5 and 8): GET /account/devices
 * lists the devices the user trusts, for the application and for these pages, and
 * POST /account/devices/{id}/revoke removes one (the domain's revocation, as the API's).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/timefmt.h"
#include "hosted/hosted.h"
#include "sca/devices.h"

static void day_of(int64_t ms, char out[TF_TIME_TEXT_SIZE])
{
	timefmt_rfc3339(ms, out);
	out[10] = '\0'; /* YYYY-MM-DD */
}

enum tf_err page_devices(struct tf_req *req)
{
	struct hosted_ctx hc;
	if (hosted_begin(req, &hc, HOSTED_GATE_MFA))
		return TF_OK;
	struct sca_ctx ctx = req_sca(req);
	struct device_row list[DEVICES_LIST_MAX];
	size_t n;
	enum tf_err e = sca_device_list(&ctx, req->session.user_id, list, &n);
	if (e != TF_OK)
		return e;
	char *rows = NULL;
	for (size_t i = 0; i < n; i++) {
		char created[TF_TIME_TEXT_SIZE], expires[TF_TIME_TEXT_SIZE], where[300];
		day_of(list[i].created_at, created);
		day_of(list[i].expires_at, expires);
		if (list[i].domain == DOMAIN_HOSTED)
			snprintf(where, sizeof where, "These security pages");
		else
			snprintf(where, sizeof where, "%s", req->app->name);
		struct tpl_var v[] = {{"label", list[i].kind == DEVICE_PERSISTENT ? "Trusted browser" : "Browser session"},
				      {"where", where}, {"created", created}, {"expires", expires},
				      {"device_id", list[i].device_id}, {"csrf", hc.csrf}, {NULL, NULL}};
		tpl_append(hosted_l10n(req), &rows, "device_row.html", v);
	}
	if (!rows) {
		struct tpl_var v[] = {{"cols", "5"}, {"text", "No trusted device."}, {NULL, NULL}};
		tpl_append(hosted_l10n(req), &rows, "empty_row.html", v);
	}
	const char *removed = form_get(&req->query, "removed");
	struct tpl_var v[] = {{"app_name", req->app->name}, {"rows", rows}, {NULL, NULL}};
	e = hosted_page(req, &hc, 200, "Trusted devices", "devices.html", v, "info",
			removed ? "The device was removed. It will be asked for a code next time." : NULL);
	free(rows);
	return e;
}

enum tf_err page_device_revoke(struct tf_req *req)
{
	struct hosted_ctx hc;
	if (hosted_begin_form(req, &hc, HOSTED_GATE_MFA))
		return TF_OK;
	struct sca_ctx ctx = req_sca(req);
	enum tf_err e = sca_device_revoke(&ctx, req->session.user_id, req->params[0]);
	if (e != TF_OK)
		return e;
	return hosted_redirect(req, "/account/devices?removed=1");
}
