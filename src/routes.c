/*
 * routes.c: the route table, one row per route (SPEC section 12): method, path, handler,
 * who may call it, and flags. Only the dispatcher acts on the "who" and the flags. It sits
 * above the layers (docs/architecture.md): it binds the adapters' handlers to the paths that
 * http/ matches (http/route_match.c).
 * docs/openapi.yaml describes the same routes, and tests/api/test_openapi.py keeps them equal.
 */
#include <string.h>

#include "api/api.h"
#include "faces/faces.h"
#include "faces/weavr.h"
#include "hosted/hosted.h"
#include "http/http.h"

#define J ROUTE_JSON_BODY
#define SLOW ROUTE_SLOW
#define PAGE ROUTE_PAGE
#define NO_DB ROUTE_NO_DB
#define STEP_UP ROUTE_STEP_UP
#define LATER ROUTE_COMMIT_LATER
/* a row: method, path, handler, who may call, flags; the metric name is "METHOD path" */
#define R(method, path, handler, auth, flags) {method, path, handler, auth, flags, method " " path, NULL, NULL}
/* a row whose handler runs on the slow pool when slow_if(req) says so */
#define R_SLOW_IF(method, path, handler, auth, flags, slow_if) {method, path, handler, auth, flags, method " " path, slow_if, NULL}
/* the seed vendors' faces: their own error shapes */
#define WP(method, path, handler, auth, flags) {method, path, handler, auth, flags, method " " path, NULL, wepay_error}
#define WV(method, path, handler, auth, flags) {method, path, handler, auth, flags, method " " path, NULL, weavr_error}
#define WP_SLOW_IF(method, path, handler, auth, flags, slow_if) {method, path, handler, auth, flags, method " " path, slow_if, wepay_error}
/* a hosted page: HTML, its own cookie session, HTML errors */
#define PG(method, path, handler, flags) {method, path, handler, AUTH_NONE, PAGE | (flags), method " " path, NULL, hosted_error_page}

const struct route routes[] = {
	/* no connection taken for them: liveness and metrics answer while the database is down,
	 * and readiness says in its own body that it is */
	R("GET", "/healthz", api_healthz, AUTH_NONE, NO_DB),
	R("GET", "/readyz", api_readyz, AUTH_NONE, NO_DB),
	R("GET", "/metrics", api_metrics, AUTH_NONE, NO_DB),
	R("POST", "/v1/admin/apps", api_apps_create, AUTH_ADMIN, J),
	R("PATCH", "/v1/admin/apps/{id}", api_apps_update, AUTH_ADMIN, J),
	R_SLOW_IF("POST", "/v1/users", api_users_create, AUTH_APP, J, api_users_create_slow_if),
	R("GET", "/v1/users/{id}", api_users_get, AUTH_APP, 0),
	R("PATCH", "/v1/users/{id}", api_users_update, AUTH_APP, J),
	R("GET", "/v1/users/{id}/factor_options", api_users_factor_options, AUTH_APP, 0),
	R("POST", "/v1/users/{id}/mark_email_verified", api_users_mark_email_verified, AUTH_APP, J),
	R("POST", "/v1/users/{id}/send_confirmation", api_users_send_confirmation, AUTH_APP, J),
	R("POST", "/v1/users/{id}/sessions", api_sessions_create_for_user, AUTH_APP, J),
	R("POST", "/v1/login", api_sessions_login, AUTH_APP, J), /* Argon2id alone: slow_fn */
	R("POST", "/v1/login/passkey/options", api_login_passkey_options, AUTH_APP, J),
	R("POST", "/v1/login/passkey", api_login_passkey, AUTH_APP, J),
	R("POST", "/v1/logout", api_sessions_logout, AUTH_USER, J),
	R("GET", "/v1/factors", api_factors_list, AUTH_USER, 0),
	R_SLOW_IF("POST", "/v1/factors", api_factors_create, AUTH_USER, J | STEP_UP, api_factors_create_slow_if),
	R_SLOW_IF("POST", "/v1/factors/{id}/verify", api_factors_verify, AUTH_USER, J, api_factors_verify_slow_if),
	R("POST", "/v1/factors/{id}/preferred", api_factors_prefer, AUTH_USER, J),
	R("DELETE", "/v1/factors/{id}", api_factors_delete, AUTH_USER, STEP_UP),
	R("POST", "/v1/challenges", api_challenges_create, AUTH_USER, J | LATER),
	R("POST", "/v1/challenges/{id}/resend", api_challenges_resend, AUTH_USER, J | LATER),
	R("GET", "/v1/challenges/{id}/evidence", api_challenges_evidence, AUTH_APP, 0),
	R("POST", "/v1/devices/validate", api_devices_validate, AUTH_APP, J),
	R("GET", "/v1/devices", api_devices_list, AUTH_USER, 0),
	R("DELETE", "/v1/devices/{id}", api_devices_revoke, AUTH_USER, 0),
	R("DELETE", "/v1/devices", api_devices_revoke_all, AUTH_USER, 0),
	R("POST", "/v1/authorize", api_authorize, AUTH_APP_USER_OPTIONAL, J),
	R("POST", "/v1/challenges/{id}/verify", api_challenges_verify, AUTH_USER, J | LATER), /* backup codes: rerun_slow */
	R("POST", "/v1/sso/tokens", api_sso_tokens_create, AUTH_APP, J),
	R("GET", "/v1/beneficiaries", api_beneficiaries_list, AUTH_USER, 0),
	R("POST", "/v1/beneficiaries", api_beneficiaries_add, AUTH_USER, J | STEP_UP),
	R("DELETE", "/v1/beneficiaries/{id}", api_beneficiaries_delete, AUTH_USER, STEP_UP),
	R("GET", "/v1/admin/exemptions", api_exemptions_report, AUTH_ADMIN, 0),
	R("GET", "/v1/admin/tra", api_tra_report, AUTH_ADMIN, 0),
	R("POST", "/v1/admin/tra/evaluate", api_tra_evaluate, AUTH_ADMIN, J),
	R("POST", "/v1/payments/import", api_payments_import, AUTH_APP, J),
	R("GET", "/v1/payments/{id}", api_payments_get, AUTH_APP, 0),
	R("POST", "/v1/payments/{id}/cancel", api_payments_cancel, AUTH_APP, J),
	R("POST", "/v1/fraud_reports", api_fraud_reports_create, AUTH_APP, J),
	R("GET", "/v1/fraud_reports", api_fraud_reports_list, AUTH_APP, 0),
	R("GET", "/v1/audit/events", api_audit_events, AUTH_APP, 0),
	R("GET", "/v1/audit/heads", api_audit_heads_list, AUTH_APP, 0),
	R("POST", "/v1/audit/heads", api_audit_heads_sign, AUTH_APP, J),
	R("POST", "/v1/transactions", api_transactions_create, AUTH_USER, J),
	R("GET", "/v1/transactions/{id}", api_transactions_get, AUTH_USER, 0),
	/* the Weavr Multi face (faces/weavr_*.c): api-key and Bearer, Weavr's error shapes */
	WV("POST", "/multi/login_with_password", weavr_login_with_password, AUTH_APP, J), /* slow_fn */
	WV("POST", "/multi/logout", weavr_logout, AUTH_USER, J),
	WV("GET", "/multi/authentication_factors", weavr_factors_list, AUTH_USER, 0),
	WV("POST", "/multi/authentication_factors/otp/{channel}", weavr_factors_otp_enrol, AUTH_USER, J | STEP_UP),
	WV("POST", "/multi/authentication_factors/otp/{channel}/verify", weavr_factors_otp_verify, AUTH_USER, J),
	WV("POST", "/multi/authentication_factors/push/{channel}", weavr_factors_push_enrol, AUTH_USER, J | STEP_UP),
	WV("DELETE", "/multi/authentication_factors/push/{channel}", weavr_factors_push_delete, AUTH_USER, STEP_UP),
	WV("POST", "/multi/stepup/challenges/otp/{channel}", weavr_stepup_otp, AUTH_USER, J),
	WV("POST", "/multi/stepup/challenges/otp/{channel}/verify", weavr_stepup_otp_verify, AUTH_USER, J),
	WV("POST", "/multi/stepup/challenges/push/{channel}", weavr_stepup_push, AUTH_USER, J),
	WV("POST", "/multi/challenges/otp/{channel}", weavr_challenges_otp, AUTH_USER, J),
	WV("POST", "/multi/challenges/push/{channel}", weavr_challenges_push, AUTH_USER, J),
	WV("POST", "/multi/challenges/{id}/otp/{channel}/verify", weavr_challenges_otp_verify, AUTH_USER, J),
	/* hosted pages (hosted/): HTML, form bodies, their own cookie session. The POSTs that may
	 * check a backup code or make a sheet (Argon2id) run on the slow pool; people, not
	 * programs, send them, so their rate is low */
	PG("GET", "/sso", page_sso, 0),
	PG("GET", "/challenge", page_challenge, 0),
	PG("POST", "/challenge", page_challenge_verify, SLOW),
	PG("POST", "/challenge/send", page_challenge_send, 0),
	PG("GET", "/account", page_account, 0),
	PG("GET", "/account/factors", page_factors, 0),
	PG("POST", "/account/factors", page_factors_add, SLOW | STEP_UP),
	PG("GET", "/account/factors/{id}", page_factor, 0),
	PG("POST", "/account/factors/{id}/verify", page_factor_verify, SLOW),
	PG("GET", "/account/devices", page_devices, 0),
	PG("POST", "/account/devices/{id}/revoke", page_device_revoke, 0),
	PG("GET", "/logout", page_logout, 0),
	PG("POST", "/logout", page_logout_post, 0),
	PG("GET", "/session-expired", page_session_expired, 0),
	PG("GET", "/link", page_link, 0),
	PG("GET", "/login", page_login, 0),
	PG("POST", "/login", page_login_post, 0), /* Argon2id alone: slow_fn */
	PG("POST", "/login/passkey/options", page_login_passkey_options, 0),
	PG("POST", "/login/passkey", page_login_passkey, 0),
	PG("GET", "/confirm", page_confirm, 0),
	PG("POST", "/confirm", page_confirm_post, SLOW),
	PG("GET", "/assets/{name}", page_asset, 0),
	PG("GET", "/assets/brand/{app_id}/{name}", page_brand_asset, 0),
	/* the WePay v2 face (faces/wepay_*.c): POST and JSON; the bearer access token names its
	 * application (register authenticates with client_id and client_secret instead) */
	WP("POST", "/v2/user/register", wepay_user_register, AUTH_NONE, J),
	WP("POST", "/v2/user", wepay_user, AUTH_BEARER_APP_TOKEN, J),
	WP("POST", "/v2/user/modify", wepay_user_modify, AUTH_BEARER_APP_TOKEN, J),
	WP("POST", "/v2/user/mark_email_verified", wepay_user_mark_email_verified, AUTH_BEARER_APP_TOKEN, J),
	WP("POST", "/v2/user/send_confirmation", wepay_user_send_confirmation, AUTH_BEARER_APP_TOKEN, J),
	WP("POST", "/v2/user/resend_confirmation", wepay_user_send_confirmation, AUTH_BEARER_APP_TOKEN, J), /* its older name */
	WP("POST", "/v2/user/change_email", wepay_user_change_email, AUTH_BEARER_APP_TOKEN, J),
	WP("POST", "/v2/user/request_sso_token", wepay_user_request_sso_token, AUTH_BEARER_APP_TOKEN, J),
	WP("POST", "/v2/user/logout", wepay_user_logout, AUTH_BEARER_APP_TOKEN, J),
	WP_SLOW_IF("POST", "/v2/user/mfa/create", wepay_mfa_create, AUTH_BEARER_APP_TOKEN, J | STEP_UP, wepay_mfa_create_slow_if),
	WP("POST", "/v2/user/mfa/validate_cookie", wepay_mfa_validate_cookie, AUTH_BEARER_APP_TOKEN, J),
	WP("POST", "/v2/user/mfa/send_challenge", wepay_mfa_send_challenge, AUTH_BEARER_APP_TOKEN, J),
	WP("POST", "/v2/user/mfa/send_default_challenge", wepay_mfa_send_default_challenge, AUTH_BEARER_APP_TOKEN, J),
	WP_SLOW_IF("POST", "/v2/user/mfa/confirm", wepay_mfa_confirm, AUTH_BEARER_APP_TOKEN, J, wepay_mfa_confirm_slow_if),
	WP("POST", "/v2/user/mfa/find", wepay_mfa_find, AUTH_BEARER_APP_TOKEN, J),
	WP("POST", "/v2/user/mfa/modify", wepay_mfa_modify, AUTH_BEARER_APP_TOKEN, J),
	WP("POST", "/v2/user/mfa/reset", wepay_mfa_reset, AUTH_BEARER_APP_TOKEN, J),
};
const size_t routes_count = sizeof routes / sizeof routes[0];

error_renderer routes_error_renderer(const char *path)
{
	if (strncmp(path, "/v2/", 4) == 0)
		return wepay_error;
	if (strncmp(path, "/multi/", 7) == 0)
		return weavr_error;
	return NULL;
}
