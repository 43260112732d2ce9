/*
 * weavr_errors.c: Weavr Multi's error shapes (seed-apis.md section 3, and Weavr's OpenAPI
 * document for each status): 400 {message, syntaxErrors: {invalidFields: [{fieldName, error,
 * params}]}}; 401, 423, 429, 500 and 503 with no body (and so no Content-Type: server.c); 403
 * {errorCode}, but without a body for a failed sign-in; 409 {errorCode}; 404 and 405 {code,
 * message}. Every answer carries request-ref (server.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faces/faces.h"

static void no_body(struct tf_req *req, int status)
{
	if (req->resp) {
		json_decref(req->resp);
		req->resp = NULL;
	}
	free(req->resp_text);
	req->resp_text = strdup("");
	req->status = status;
}

enum tf_err weavr_no_content(struct tf_req *req)
{
	no_body(req, 204);
	return req->resp_text ? TF_OK : TF_ERR_INTERNAL;
}

void weavr_error(struct tf_req *req, enum tf_err e)
{
	json_t *extra = req->err_extra;
	const char *error_code = extra ? json_string_value(json_object_get(extra, "errorCode")) : NULL;
	int status = tf_err_status(e);
	switch (e) {
	case TF_ERR_INVALID_JSON:
	case TF_ERR_MISSING_FIELD:
	case TF_ERR_INVALID_FIELD:
	case TF_ERR_INVALID_REQUEST:
	case TF_ERR_BODY_TOO_LARGE: {
		const char *message = extra ? json_string_value(json_object_get(extra, "message")) : NULL;
		const char *field_error = extra ? json_string_value(json_object_get(extra, "fieldError")) : NULL;
		json_t *body = json_pack("{s:s}", "message", message ? message : "Invalid request");
		if (req->err_field[0]) {
			json_t *f = json_pack("{s:s, s:s, s:[]}", "fieldName", req->err_field, "error",
					      field_error ? field_error : e == TF_ERR_MISSING_FIELD ? "REQUIRED" : "REGEX", "params");
			json_object_set_new(body, "syntaxErrors", json_pack("{s:[o]}", "invalidFields", f));
		}
		resp_json(req, 400, body);
		break;
	}
	case TF_ERR_IDEMPOTENCY_REF_REUSED: /* Weavr's document lists no 409 code for it: a bad request */
		resp_json(req, 400, json_pack("{s:s}", "message", tf_err_message(e)));
		break;
	case TF_ERR_INVALID_API_KEY:
		if (!req->api_key || !req->api_key[0]) { /* an empty api-key is a bad request (regr) */
			resp_json(req, 400, json_pack("{s:s}", "message", "api-key header is required"));
			break;
		}
		no_body(req, 401);
		break;
	case TF_ERR_INVALID_TOKEN:
	case TF_ERR_UNAUTHORIZED:
		no_body(req, 401);
		break;
	case TF_ERR_INVALID_CREDENTIALS: /* wrong email or password: 403 without a body */
		no_body(req, 403);
		break;
	case TF_ERR_LOGIN_LOCKED:
		no_body(req, 423);
		break;
	case TF_ERR_RATE_LIMITED:
		no_body(req, 429);
		break;
	case TF_ERR_NOT_FOUND:
	case TF_ERR_ROUTE_NOT_FOUND:
		resp_json(req, 404, json_pack("{s:s, s:s}", "code", "NOT_FOUND", "message", "The requested resource couldn't be found."));
		break;
	case TF_ERR_METHOD_NOT_ALLOWED:
		resp_json(req, 405, json_pack("{s:s, s:s}", "code", "METHOD_NOT_ALLOWED", "message",
					      "The method is not allowed for the requested resource."));
		break;
	default:
		if (status >= 500) { /* Weavr declares 500 and 503 without a body */
			no_body(req, status);
		} else {
			/* 403 and 409 (and anything else in between) carry one errorCode */
			if (status != 403)
				status = 409;
			if (e == TF_ERR_STEP_UP_REQUIRED)
				error_code = "STEP_UP_REQUIRED";
			else if (e == TF_ERR_FACTOR_TYPE_DISABLED) { /* Weavr's code for a channel it does not offer */
				status = 409;
				error_code = "CHANNEL_NOT_SUPPORTED";
			}
			else if (e == TF_ERR_IDEMPOTENCY_IN_PROGRESS) /* Weavr's own name (its Payment Run API) */
				error_code = "IDEMPOTENT_REQUEST_IN_PROGRESS";
			resp_json(req, status, json_pack("{s:s}", "errorCode", error_code ? error_code : tf_err_code(e)));
		}
	}
	if (req->resp && req->resp_text) {
		free(req->resp_text);
		req->resp_text = NULL;
	}
}
