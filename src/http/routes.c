/*
 * routes.c: the route table, one row per route (SPEC section 12): method, path, handler,
 * who may call it, and flags. Only the dispatcher acts on the "who" and the flags.
 * docs/openapi.yaml will describe the same routes (issue 11), and a test will keep them equal.
 */
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "http/http.h"

#define J ROUTE_JSON_BODY
#define SLOW ROUTE_SLOW
/* a row: method, path, handler, who may call, flags; the metric name is "METHOD path" */
#define R(method, path, handler, auth, flags) {method, path, handler, auth, flags, method " " path, NULL}
/* a row whose handler runs on the slow pool when slow_if(req) says so */
#define R_SLOW_IF(method, path, handler, auth, flags, slow_if) {method, path, handler, auth, flags, method " " path, slow_if}

const struct route routes[] = {
	R("GET", "/healthz", api_healthz, AUTH_NONE, 0),
	R("GET", "/readyz", api_readyz, AUTH_NONE, 0),
	R("GET", "/metrics", api_metrics, AUTH_NONE, 0),
	R("POST", "/v1/admin/apps", api_apps_create, AUTH_ADMIN, J),
	R_SLOW_IF("POST", "/v1/users", api_users_create, AUTH_APP, J, api_users_create_slow_if),
	R("GET", "/v1/users/{id}", api_users_get, AUTH_APP, 0),
	R("POST", "/v1/users/{id}/mark_email_verified", api_users_mark_email_verified, AUTH_APP, J),
	R("POST", "/v1/users/{id}/send_confirmation", api_users_send_confirmation, AUTH_APP, J),
	R("POST", "/v1/users/{id}/sessions", api_sessions_create_for_user, AUTH_APP, J),
	R("POST", "/v1/login", api_sessions_login, AUTH_APP, J), /* Argon2id alone on the slow pool: slow_fn */
	R("POST", "/v1/logout", api_sessions_logout, AUTH_USER, J),
	R("GET", "/v1/factors", api_factors_list, AUTH_USER, 0),
	R_SLOW_IF("POST", "/v1/factors", api_factors_create, AUTH_USER, J, api_factors_create_slow_if),
	R_SLOW_IF("POST", "/v1/factors/{id}/verify", api_factors_verify, AUTH_USER, J, api_factors_verify_slow_if),
	R("POST", "/v1/factors/{id}/preferred", api_factors_prefer, AUTH_USER, J),
	R("DELETE", "/v1/factors/{id}", api_factors_delete, AUTH_USER, 0),
	R("POST", "/v1/challenges", api_challenges_create, AUTH_USER, J),
	R("POST", "/v1/challenges/{id}/resend", api_challenges_resend, AUTH_USER, J),
	R("POST", "/v1/devices/validate", api_devices_validate, AUTH_APP, J),
	R("GET", "/v1/devices", api_devices_list, AUTH_USER, 0),
	R("DELETE", "/v1/devices/{id}", api_devices_revoke, AUTH_USER, 0),
	R("DELETE", "/v1/devices", api_devices_revoke_all, AUTH_USER, 0),
	R("POST", "/v1/authorize", api_authorize, AUTH_APP_USER_OPTIONAL, J),
	R("POST", "/v1/challenges/{id}/verify", api_challenges_verify, AUTH_USER, J), /* backup codes: rerun_slow */
};
const size_t routes_count = sizeof routes / sizeof routes[0];

/* Matches pattern against path segment by segment; {x} takes one non-empty segment. */
static bool match(const char *pattern, const char *path, char params[TF_PATH_PARAMS_MAX][128])
{
	int n = 0;
	const char *p = pattern, *s = path;
	while (*p && *s) {
		if (*p == '{') {
			const char *pend = strchr(p, '}');
			size_t len = strcspn(s, "/");
			if (!pend || len == 0 || len >= 128 || n >= TF_PATH_PARAMS_MAX)
				return false;
			memcpy(params[n], s, len);
			params[n][len] = '\0';
			n++;
			p = pend + 1;
			s += len;
		} else if (*p == *s) {
			p++;
			s++;
		} else {
			return false;
		}
	}
	return *p == '\0' && *s == '\0';
}

int routes_match(const char *method, const char *path, char params[TF_PATH_PARAMS_MAX][128], bool *method_mismatch)
{
	*method_mismatch = false;
	for (size_t i = 0; i < routes_count; i++) {
		if (!match(routes[i].pattern, path, params))
			continue;
		if (strcmp(routes[i].method, method) == 0)
			return (int)i;
		*method_mismatch = true;
	}
	return -1;
}

void routes_allowed_methods(const char *path, char *out, size_t size)
{
	char params[TF_PATH_PARAMS_MAX][128];
	size_t n = 0;
	out[0] = '\0';
	for (size_t i = 0; i < routes_count && n < size; i++)
		if (match(routes[i].pattern, path, params) && !strstr(out, routes[i].method))
			n += (size_t)snprintf(out + n, size - n, "%s%s", n ? ", " : "", routes[i].method);
}
