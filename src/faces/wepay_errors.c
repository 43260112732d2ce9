/*
 * wepay_errors.c: WePay v2's error body, {"error": category, "error_description": text,
 * "error_code": number} (seed-apis.md section 1): 1001 unknown call, 1002 missing header, 1003
 * invalid value, 1004 missing parameter, 1005 unparseable, 1006 cannot authenticate, 1007
 * throttled, 1008 unexpected. The native error's code is never shown.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faces/faces.h"

void wepay_error(struct tf_req *req, enum tf_err e)
{
	int status = 400, code = 1003;
	const char *category = "invalid_request";
	char text[640];
	snprintf(text, sizeof text, "%s", tf_err_message(e));
	switch (e) {
	case TF_ERR_ROUTE_NOT_FOUND:
	case TF_ERR_METHOD_NOT_ALLOWED:
		code = 1001;
		snprintf(text, sizeof text, "the API call %s does not exist", req->path);
		break;
	case TF_ERR_INVALID_JSON:
		code = 1005;
		snprintf(text, sizeof text, "the request body could not be parsed as JSON");
		break;
	case TF_ERR_MISSING_FIELD:
		code = 1004;
		snprintf(text, sizeof text, "%s parameter is missing", req->err_field[0] ? req->err_field : "a required");
		break;
	case TF_ERR_INVALID_FIELD:
		snprintf(text, sizeof text, "%s parameter is not valid", req->err_field[0] ? req->err_field : "a");
		break;
	case TF_ERR_INVALID_TOKEN:
	case TF_ERR_UNAUTHORIZED:
	case TF_ERR_INVALID_API_KEY:
		status = 401;
		if (!req->authorization && e == TF_ERR_INVALID_TOKEN) {
			category = "invalid_request";
			code = 1002;
			snprintf(text, sizeof text, "the Authorization header is missing");
		} else {
			category = "access_denied";
			code = 1006;
			snprintf(text, sizeof text, "the access token is not valid or has expired");
		}
		break;
	case TF_ERR_INVALID_CREDENTIALS:
		status = 401;
		category = "invalid_client";
		code = 1006;
		break;
	case TF_ERR_PERMISSION_DENIED:
	case TF_ERR_STEP_UP_REQUIRED:
	case TF_ERR_SSO_LOGIN_REQUIRED:
		status = 403;
		category = "access_denied";
		break;
	case TF_ERR_RATE_LIMITED:
	case TF_ERR_SEND_LIMIT_REACHED:
		status = 429;
		category = "throttle_exceeded";
		code = 1007;
		break;
	case TF_ERR_BODY_TOO_LARGE:
		code = 1005;
		break;
	default:
		if (tf_err_status(e) >= 500) {
			status = 500;
			category = "processing_error";
			code = 1008;
			snprintf(text, sizeof text, "an unexpected error occurred; request %s", req->request_id);
		}
	}
	json_t *extra = req->err_extra;
	if (extra && json_is_integer(json_object_get(extra, "error_code")))
		code = (int)json_integer_value(json_object_get(extra, "error_code"));
	if (extra && json_is_string(json_object_get(extra, "error")))
		category = json_string_value(json_object_get(extra, "error"));
	if (extra && json_is_string(json_object_get(extra, "error_description")))
		snprintf(text, sizeof text, "%s", json_string_value(json_object_get(extra, "error_description")));
	resp_json(req, status, json_pack("{s:s, s:s, s:i}", "error", category, "error_description", text, "error_code", code));
	if (req->resp_text) { /* an answer already made (it should not be) yields to the error */
		free(req->resp_text);
		req->resp_text = NULL;
	}
}
