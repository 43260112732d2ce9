/* Unit tests for service/security_events.c: the SET an audited event becomes (its type, subject,
 * payload and claims), without a database. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "service/security_events.h"

/* the SET of ev (with the facts given) as JSON, and its one event's payload */
static json_t *set_of(const struct audit_event *ev, const char *user_id, const char *session_id,
		      const char *credential_type, json_t **payload, const char **type)
{
	struct security_event se = {.ev = ev, .issuer = "https://twofold.example", .jti = "set_x", .at_ms = 1765000000123,
				    .user_id = user_id, .session_id = session_id, .credential_type = credential_type};
	char *text = security_event_claims(&se);
	assert_non_null(text);
	json_t *set = json_loads(text, 0, NULL);
	free(text);
	assert_non_null(set);
	json_t *events = json_object_get(set, "events");
	assert_int_equal(json_object_size(events), 1);
	void *it = json_object_iter(events);
	*type = json_object_iter_key(it);
	*payload = json_object_iter_value(it);
	return set;
}

static const char *str(json_t *o, const char *path)
{
	char copy[128];
	strncpy(copy, path, sizeof copy - 1);
	copy[sizeof copy - 1] = '\0';
	char *save = NULL;
	for (char *k = strtok_r(copy, ".", &save); k && o; k = strtok_r(NULL, ".", &save))
		o = json_object_get(o, k);
	return json_string_value(o);
}

static void test_the_claims_name_issuer_audience_time_and_request(void **state)
{
	(void)state;
	struct audit_event ev = {.app_id = "app_a", .event = "login.succeeded", .actor = "user:usr_u", .subject = "usr_u",
				 .request_id = "req_1", .details = "{\"session_id\":\"ses_s\"}"};
	json_t *p;
	const char *type;
	json_t *set = set_of(&ev, "usr_u", "", NULL, &p, &type);
	assert_string_equal(type, SET_CAEP_PREFIX "session-established");
	assert_string_equal(str(set, "iss"), "https://twofold.example");
	assert_string_equal(str(set, "aud"), "app_a");
	assert_string_equal(str(set, "jti"), "set_x");
	assert_string_equal(str(set, "txn"), "req_1");
	assert_int_equal(json_integer_value(json_object_get(set, "iat")), 1765000000);
	assert_int_equal(json_integer_value(json_object_get(p, "event_timestamp")), 1765000000);
	assert_string_equal(str(set, "sub_id.format"), "complex");
	assert_string_equal(str(set, "sub_id.user.id"), "usr_u");
	assert_string_equal(str(set, "sub_id.session.id"), "ses_s");
	assert_string_equal(str(p, "initiating_entity"), "user");
	json_t *audit = json_object_get(p, SET_AUDIT_MEMBER);
	assert_string_equal(str(audit, "event"), "login.succeeded");
	assert_string_equal(str(audit, "details.session_id"), "ses_s");
	assert_null(json_object_get(set, "exp"));
	json_decref(set);
}

static void test_a_step_up_raises_the_assurance_level_and_an_enrolment_does_not(void **state)
{
	(void)state;
	struct audit_event ev = {.app_id = "app_a", .event = "challenge.verified", .actor = "user:usr_u", .subject = "chl_c",
				 .details = "{\"factor_id\":\"fac_f\",\"purpose\":\"stepup\",\"attempts_remaining\":5}"};
	json_t *p;
	const char *type;
	json_t *set = set_of(&ev, "usr_u", "ses_s", NULL, &p, &type);
	assert_string_equal(type, SET_CAEP_PREFIX "assurance-level-change");
	assert_string_equal(str(p, "namespace"), "NIST-AAL");
	assert_string_equal(str(p, "previous_level"), "nist-aal1");
	assert_string_equal(str(p, "current_level"), "nist-aal2");
	assert_string_equal(str(p, "change_direction"), "increase");
	assert_string_equal(str(set, "sub_id.session.id"), "ses_s");
	assert_null(json_object_get(set, "txn")); /* no request id */
	json_decref(set);
	ev.details = "{\"factor_id\":\"fac_f\",\"purpose\":\"enrolment\",\"attempts_remaining\":5}";
	set = set_of(&ev, "usr_u", "", NULL, &p, &type);
	assert_string_equal(type, SET_TWOFOLD_PREFIX "challenge.verified");
	assert_null(json_object_get(p, "namespace"));
	json_decref(set);
	char out[160];
	assert_string_equal(security_event_type("challenge.verified", "login", out, sizeof out),
			    SET_CAEP_PREFIX "assurance-level-change");
	assert_string_equal(security_event_type("challenge.verified", NULL, out, sizeof out),
			    SET_TWOFOLD_PREFIX "challenge.verified");
}

static void test_devices_credentials_and_sessions_carry_their_caep_claims(void **state)
{
	(void)state;
	json_t *p;
	const char *type;
	struct audit_event revoke_all = {.app_id = "app_a", .event = "device.revoked", .actor = "user:usr_u",
					 .subject = "usr_u", .details = "{\"all\":true,\"count\":2,\"reason\":\"factor_removed\"}"};
	json_t *set = set_of(&revoke_all, "usr_u", "", NULL, &p, &type);
	assert_string_equal(type, SET_CAEP_PREFIX "device-compliance-change");
	assert_string_equal(str(p, "previous_status"), "compliant");
	assert_string_equal(str(p, "current_status"), "not-compliant");
	assert_string_equal(str(p, "reason_admin.en"), "factor_removed");
	assert_null(json_object_get(json_object_get(set, "sub_id"), "device"));
	json_decref(set);
	struct audit_event trust = {.app_id = "app_a", .event = "device.trusted", .actor = "user:usr_u", .subject = "dev_d",
				    .details = "{\"kind\":\"persistent\",\"domain\":\"api\"}"};
	set = set_of(&trust, "usr_u", "", NULL, &p, &type);
	assert_string_equal(str(p, "current_status"), "compliant");
	assert_string_equal(str(set, "sub_id.device.id"), "dev_d");
	assert_null(json_object_get(p, "reason_admin"));
	json_decref(set);
	struct audit_event password = {.app_id = "app_a", .event = "user.password_set", .actor = "user:usr_u",
				       .subject = "usr_u"};
	set = set_of(&password, "usr_u", "", "password", &p, &type);
	assert_string_equal(type, SET_CAEP_PREFIX "credential-change");
	assert_string_equal(str(p, "credential_type"), "password");
	assert_string_equal(str(p, "change_type"), "update");
	json_decref(set);
	struct audit_event logout = {.app_id = "app_a", .event = "session.revoked", .actor = "user:usr_u", .subject = "usr_u",
				     .details = "{\"session_id\":\"ses_s\",\"reason\":\"logout\",\"hosted_sessions\":0}"};
	set = set_of(&logout, "usr_u", "", NULL, &p, &type);
	assert_string_equal(type, SET_CAEP_PREFIX "session-revoked");
	assert_string_equal(str(p, "reason_admin.en"), "logout");
	assert_string_equal(str(set, "sub_id.session.id"), "ses_s");
	json_decref(set);
}

static void test_an_event_of_no_user_names_the_application_and_who_acted(void **state)
{
	(void)state;
	json_t *p;
	const char *type;
	struct audit_event ev = {.app_id = "app_a", .event = "sso.refused", .actor = "app:app_a", .subject = "",
				 .details = "{\"reason\":\"SSO_TOKEN_USED\"}"};
	json_t *set = set_of(&ev, "", "", NULL, &p, &type);
	assert_string_equal(type, SET_TWOFOLD_PREFIX "sso.refused");
	assert_string_equal(str(set, "sub_id.application.id"), "app_a");
	assert_null(json_object_get(json_object_get(set, "sub_id"), "user"));
	assert_string_equal(str(p, "initiating_entity"), "admin");
	assert_null(json_object_get(p, "reason_admin")); /* CAEP's claims only on CAEP's types */
	json_decref(set);
	struct audit_event blocked = {.app_id = "app_a", .event = "factor.blocked", .actor = "user:usr_u", .subject = "fac_f",
				      .details = "{\"minutes\":15}"};
	set = set_of(&blocked, "usr_u", "", NULL, &p, &type);
	assert_string_equal(str(p, "initiating_entity"), "policy");
	json_decref(set);
	struct audit_event settings = {.app_id = "app_a", .event = "app.settings_changed", .actor = "admin",
				       .subject = "app_a", .details = "not json"};
	set = set_of(&settings, "", "", NULL, &p, &type);
	assert_string_equal(str(p, "initiating_entity"), "admin");
	assert_int_equal(json_object_size(json_object_get(json_object_get(p, SET_AUDIT_MEMBER), "details")), 0);
	json_decref(set);
	struct audit_event band = {.app_id = "app_a", .event = "payments.imported", .actor = "", .subject = "app_a"};
	set = set_of(&band, "", "", NULL, &p, &type);
	assert_string_equal(str(p, "initiating_entity"), "system");
	json_decref(set);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_the_claims_name_issuer_audience_time_and_request),
		cmocka_unit_test(test_a_step_up_raises_the_assurance_level_and_an_enrolment_does_not),
		cmocka_unit_test(test_devices_credentials_and_sessions_carry_their_caep_claims),
		cmocka_unit_test(test_an_event_of_no_user_names_the_application_and_who_acted),
	};
	return cmocka_run_group_tests_name("service/security_events", tests, NULL, NULL);
}
