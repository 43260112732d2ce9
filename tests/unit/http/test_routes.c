/* Unit tests for the route table (routes.c, http/route_match.c) and the JSON limits in http/request.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "http/http.h"

static void test_literal_and_parameter_routes_match(void **state)
{
	(void)state;
	char params[TF_PATH_PARAMS_MAX][128];
	bool mismatch;
	int i = routes_match("POST", "/v1/users", params, &mismatch);
	assert_true(i >= 0);
	assert_string_equal(routes[i].pattern, "/v1/users");
	i = routes_match("POST", "/v1/users/usr_abc/sessions", params, &mismatch);
	assert_true(i >= 0);
	assert_string_equal(routes[i].pattern, "/v1/users/{id}/sessions");
	assert_string_equal(params[0], "usr_abc");
}

static void test_unknown_paths_and_methods(void **state)
{
	(void)state;
	char params[TF_PATH_PARAMS_MAX][128];
	bool mismatch;
	assert_int_equal(routes_match("GET", "/v1/nothing", params, &mismatch), -1);
	assert_false(mismatch);
	assert_int_equal(routes_match("DELETE", "/v1/users", params, &mismatch), -1);
	assert_true(mismatch);
	assert_int_equal(routes_match("GET", "/v1/users//", params, &mismatch), -1);
	assert_int_equal(routes_match("GET", "/v1/users/", params, &mismatch), -1);
	assert_int_equal(routes_match("GET", "/v1/users/a/b", params, &mismatch), -1);
	assert_int_equal(routes_match("POST", "/v1/users/", params, &mismatch), -1);
}

static void test_every_route_is_unique_and_named(void **state)
{
	(void)state;
	for (size_t i = 0; i < routes_count; i++) {
		char want[256];
		snprintf(want, sizeof want, "%s %s", routes[i].method, routes[i].pattern);
		assert_string_equal(routes[i].metric_name, want);
		for (size_t j = i + 1; j < routes_count; j++)
			assert_false(!strcmp(routes[i].method, routes[j].method) && !strcmp(routes[i].pattern, routes[j].pattern));
	}
}

static void test_password_routes_run_off_the_http_threads(void **state)
{
	(void)state;
	char params[TF_PATH_PARAMS_MAX][128];
	bool mismatch;
	/* a password sign-in asks for the slow pool for Argon2id alone (api_password_check's slow_fn):
	 * the route itself, with its database work, stays on the HTTP threads */
	assert_false(routes[routes_match("POST", "/v1/login", params, &mismatch)].flags & ROUTE_SLOW);
	assert_false(routes[routes_match("POST", "/multi/login_with_password", params, &mismatch)].flags & ROUTE_SLOW);
	assert_false(routes[routes_match("POST", "/login", params, &mismatch)].flags & ROUTE_SLOW);
	assert_non_null(routes[routes_match("POST", "/v1/users", params, &mismatch)].slow_if); /* with a password */
	assert_false(routes[routes_match("GET", "/healthz", params, &mismatch)].flags & ROUTE_SLOW);
}

/* The dispatcher skips everything for a route without a database connection (dispatch_prepare):
 * such a route must need nothing it skips. */
static void test_routes_without_a_connection_need_no_credentials_or_body(void **state)
{
	(void)state;
	int n = 0;
	for (size_t i = 0; i < routes_count; i++) {
		if (!(routes[i].flags & ROUTE_NO_DB))
			continue;
		n++;
		assert_int_equal(routes[i].auth, AUTH_NONE);
		assert_string_equal(routes[i].method, "GET");
		assert_false(routes[i].flags & (ROUTE_JSON_BODY | ROUTE_SLOW | ROUTE_PAGE));
		assert_null(routes[i].slow_if);
	}
	char params[TF_PATH_PARAMS_MAX][128];
	bool mismatch;
	/* readiness answers in its own body when the database is down, liveness answers anyway */
	assert_true(routes[routes_match("GET", "/readyz", params, &mismatch)].flags & ROUTE_NO_DB);
	assert_true(routes[routes_match("GET", "/healthz", params, &mismatch)].flags & ROUTE_NO_DB);
	assert_int_equal(n, 3);
}

/* WePay's clients: GET for a call without values, "/v2//user" from a base URL ending in a
 * slash. Only /v2 is rewritten: the native API and the other faces keep their methods. */
static void test_wepay_requests_become_the_call_they_mean(void **state)
{
	(void)state;
	char method[16] = "GET", path[64] = "/v2//user///mfa/find";
	routes_wepay_request(method, path);
	assert_string_equal(method, "POST");
	assert_string_equal(path, "/v2/user/mfa/find");
	snprintf(method, sizeof method, "DELETE");
	snprintf(path, sizeof path, "/v2/user");
	routes_wepay_request(method, path);
	assert_string_equal(method, "DELETE"); /* still refused: 1001 */
	snprintf(method, sizeof method, "GET");
	snprintf(path, sizeof path, "/v1//factors");
	routes_wepay_request(method, path);
	assert_string_equal(method, "GET");
	assert_string_equal(path, "/v1//factors");
	snprintf(path, sizeof path, "/v2");
	routes_wepay_request(method, path);
	assert_string_equal(path, "/v2");
	assert_string_equal(method, "GET");
}

static void test_json_depth_limit_ignores_brackets_in_strings(void **state)
{
	(void)state;
	char deep[200];
	memset(deep, '[', 33);
	memset(deep + 33, ']', 33);
	deep[66] = '\0';
	assert_false(json_text_depth_ok(deep, strlen(deep), 32));
	assert_true(json_text_depth_ok(deep + 1, strlen(deep + 1) - 1, 32));
	const char *s = "{\"a\":\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\\\"[[[[\"}";
	assert_true(json_text_depth_ok(s, strlen(s), 2));
}

static void test_json_string_limit_covers_keys_and_nested_values(void **state)
{
	(void)state;
	char big[1100];
	memset(big, 'x', 1025);
	big[1025] = '\0';
	json_t *ok = json_pack("{s:s, s:[s]}", "a", "short", "b", "also short");
	assert_true(json_strings_ok(ok, 1024));
	json_t *nested = json_pack("{s:{s:[s]}}", "a", "b", big);
	assert_false(json_strings_ok(nested, 1024));
	json_t *key = json_object();
	json_object_set_new(key, big, json_true());
	assert_false(json_strings_ok(key, 1024));
	json_decref(ok);
	json_decref(nested);
	json_decref(key);
}

/* A WebAuthn credential's attestation object (with its certificates) and an application's
 * attestation roots (PEM) run past 1 KiB; their readers bound them, so the body's limit spares
 * those members, at the top level only, and never their keys. */
static void test_json_string_limit_spares_the_members_their_readers_bound(void **state)
{
	(void)state;
	static const char *const bounded[] = {"credential", "webauthn", NULL};
	char big[1100];
	memset(big, 'x', 1025);
	big[1025] = '\0';
	json_t *cred = json_pack("{s:{s:{s:s}}, s:s}", "credential", "response", "attestationObject", big, "code", "1");
	assert_true(json_body_strings_ok(cred, 1024, bounded));
	assert_false(json_strings_ok(cred, 1024));
	json_t *roots = json_pack("{s:{s:[s]}}", "webauthn", "attestation_roots", big);
	assert_true(json_body_strings_ok(roots, 1024, bounded));
	json_t *other = json_pack("{s:{s:s}, s:s}", "credential", "id", "x", "name", big);
	assert_false(json_body_strings_ok(other, 1024, bounded));
	json_t *deeper = json_pack("{s:{s:s}}", "transaction", "credential", big); /* not at the top */
	assert_false(json_body_strings_ok(deeper, 1024, bounded));
	json_t *key = json_pack("{s:{}}", "credential");
	json_object_set_new(json_object_get(key, "credential"), big, json_true());
	assert_true(json_body_strings_ok(key, 1024, bounded)); /* inside: the reader's to refuse */
	json_object_set_new(key, big, json_true());
	assert_false(json_body_strings_ok(key, 1024, bounded));
	json_decref(cred);
	json_decref(roots);
	json_decref(other);
	json_decref(deeper);
	json_decref(key);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_literal_and_parameter_routes_match),
		cmocka_unit_test(test_unknown_paths_and_methods),
		cmocka_unit_test(test_every_route_is_unique_and_named),
		cmocka_unit_test(test_password_routes_run_off_the_http_threads),
		cmocka_unit_test(test_routes_without_a_connection_need_no_credentials_or_body),
		cmocka_unit_test(test_wepay_requests_become_the_call_they_mean),
		cmocka_unit_test(test_json_depth_limit_ignores_brackets_in_strings),
		cmocka_unit_test(test_json_string_limit_covers_keys_and_nested_values),
		cmocka_unit_test(test_json_string_limit_spares_the_members_their_readers_bound),
	};
	return cmocka_run_group_tests_name("http/routes", tests, NULL, NULL);
}
