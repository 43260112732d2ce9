/* api.h: the native API's handlers, one file per resource (api_<resource>.c). Each is a
 * route_handler (http/http.h); the route table in routes.c says who may call it. */
#ifndef TF_API_API_H
#define TF_API_API_H
#include "core/device_cookie.h"
#include "http/http.h"
#include "sca/challenges.h"
#include "sca/factor_kind.h"
#include "sca/tra.h"

/* api_health.c */
enum tf_err api_healthz(struct tf_req *req);
enum tf_err api_readyz(struct tf_req *req);
enum tf_err api_metrics(struct tf_req *req);
/* api_apps.c */
enum tf_err api_apps_create(struct tf_req *req);
enum tf_err api_apps_update(struct tf_req *req);
enum tf_err api_login_passkey_options(struct tf_req *req);
enum tf_err api_login_passkey(struct tf_req *req);
enum tf_err api_challenges_evidence(struct tf_req *req);
/* api_users.c */
enum tf_err api_users_create(struct tf_req *req);
bool api_users_create_slow_if(struct tf_req *req); /* a password to hash */
enum tf_err api_users_get(struct tf_req *req);
enum tf_err api_users_update(struct tf_req *req);
enum tf_err api_users_factor_options(struct tf_req *req);
enum tf_err api_users_mark_email_verified(struct tf_req *req);
enum tf_err api_users_send_confirmation(struct tf_req *req);
/* api_sessions.c */
enum tf_err api_sessions_login(struct tf_req *req);
enum tf_err api_sessions_create_for_user(struct tf_req *req);
enum tf_err api_sessions_logout(struct tf_req *req);

/* api_factors.c */
enum tf_err api_factors_list(struct tf_req *req);
enum tf_err api_factors_create(struct tf_req *req);
bool api_factors_create_slow_if(struct tf_req *req);
enum tf_err api_factors_verify(struct tf_req *req);
bool api_factors_verify_slow_if(struct tf_req *req);
enum tf_err api_factors_prefer(struct tf_req *req);
enum tf_err api_factors_delete(struct tf_req *req);
json_t *api_factor_json(const struct factor_row *f);
/* api_challenges.c */
enum tf_err api_challenges_create(struct tf_req *req);
enum tf_err api_challenges_resend(struct tf_req *req);
enum tf_err api_challenges_verify(struct tf_req *req);
json_t *api_challenge_json(const struct challenge_row *ch, const struct factor_row *f);
struct api_transaction;
/* Reads {approve, signature} from the request body; *present says whether it is there. */
enum tf_err api_push_answer_read(struct tf_req *req, struct push_answer *out, bool *present);
/* one attempt at a challenge of the request's session (shared by factor verification and the
 * hosted challenge page); a verified login or step-up answers a device of domain */
enum tf_err api_challenge_attempt(struct tf_req *req, const char *challenge_id, const char *code, bool enrolment_only,
				  bool trust_device, enum device_domain domain, const char *presented_tx_hash,
				  const struct push_answer *push, const struct webauthn_response *credential);
/* The device a verified attempt trusts, as answered ({device_id, cookie, kind, ...}), or NULL. */
json_t *api_attempt_device_json(const struct sca_attempt_result *res);

/* api_devices.c */
enum tf_err api_devices_validate(struct tf_req *req);
enum tf_err api_devices_list(struct tf_req *req);
enum tf_err api_devices_revoke(struct tf_req *req);
enum tf_err api_devices_revoke_all(struct tf_req *req);
json_t *api_device_json(const struct device_row *d);
/* a new trusted device of user_id and its cookie (inside a write transaction): *out gets
 * {device_id, cookie, kind, domain, created_at, expires_at} */
enum tf_err api_device_issue(struct tf_req *req, const char *user_id, const char *challenge_id, bool persistent,
			     enum device_domain domain, json_t **out);
/* checks a device cookie for user_id in domain: NULL when trusted, else why not ("invalid",
 * "expired", "other_user", "revoked"); reads no database */
const char *api_device_check(struct tf_req *req, const char *user_id, const char *cookie, enum device_domain domain,
			     struct device_claims *claims);
/* revokes every device of user_id (inside a write transaction) */
enum tf_err api_devices_revoke_all_of(struct tf_req *req, const char *user_id, const char *why);
/* api_transactions.c: the transaction object */
struct api_transaction {
	struct transaction tx;
	char hash[TX_HASH_HEX + 1];
	char recurring_series_id[65]; /* "" when none */
	bool own_accounts;
	enum payment_type type;       /* credit_transfer unless given */
	/* the "risk" signals (sca/tra.h), pointing into the buffers below ("" when not given) */
	struct sca_risk_signals risk;
	char payer_country[3], payee_country[3], device_id[129], device_cookie[DEVICE_COOKIE_MAX], client_ip[64];
};
/* Reads and validates the transaction object v (field names in errors start with prefix). */
enum tf_err api_transaction_read(struct tf_req *req, json_t *v, const char *prefix, struct api_transaction *out);
void api_transaction_hash(const struct transaction *t, char hash[TX_HASH_HEX + 1]);
json_t *api_transaction_json(const struct transaction *t, const char *hash);

/* api_transactions.c: payments as resources */
enum tf_err api_transactions_create(struct tf_req *req);
enum tf_err api_transactions_get(struct tf_req *req);
json_t *api_txn_json(const struct txn_row *t);

/* api_beneficiaries.c */
enum tf_err api_beneficiaries_list(struct tf_req *req);
enum tf_err api_beneficiaries_add(struct tf_req *req);
enum tf_err api_beneficiaries_delete(struct tf_req *req);
/* api_payments.c: remote payments and fraud reports; a payment answer's risk and tra */
enum tf_err api_payments_get(struct tf_req *req);
enum tf_err api_payments_cancel(struct tf_req *req);
enum tf_err api_payments_import(struct tf_req *req);
enum tf_err api_fraud_reports_create(struct tf_req *req);
enum tf_err api_fraud_reports_list(struct tf_req *req);
/* api_audit.c */
enum tf_err api_audit_events(struct tf_req *req);
enum tf_err api_audit_heads_list(struct tf_req *req);
enum tf_err api_audit_heads_sign(struct tf_req *req);
/* the JSON views of an audit event and a signed head, as the routes and `twofold audit export`
 * give them */
json_t *api_audit_event_json(const struct audit_event_row *e);
json_t *api_audit_head_json(const struct audit_head_row *h);
json_t *api_risk_json(const struct risk_result *r);
json_t *api_tra_json(const struct sca_tra_assessment *a);

/* api_tra.c: the operator's monitoring */
enum tf_err api_tra_report(struct tf_req *req);
enum tf_err api_tra_evaluate(struct tf_req *req);
/* The "tra" settings of an application's POST or PATCH, as stored ("" when off): *given says
 * whether the body has them; INVALID_FIELD "tra" when they are not valid. */
enum tf_err api_tra_settings_read(struct tf_req *req, char out[STORE_TRA_SETTINGS_MAX], bool *given);

/* api_exemptions.c */
enum tf_err api_exemptions_report(struct tf_req *req);

/* api_sso.c */
enum tf_err api_sso_tokens_create(struct tf_req *req);
/* api_authorize.c */
enum tf_err api_authorize(struct tf_req *req);

/* Shared by handlers and the command line: public JSON (no secrets); public_url makes the
 * logo's address. */
json_t *api_app_json(const struct app_row *a, const char *public_url);
/* api_app_branding.c: the "branding" member of the request checked into *out (*given: it was
 * there; absent, null or {}: an empty *out); a PNG logo is decoded into *owned (malloc'd, the
 * caller frees it), an SVG one points into the request's body. The branding as answered (null:
 * none). */
struct app_branding;
enum tf_err api_branding_read(struct tf_req *req, struct app_branding *out, uint8_t **owned, bool *given);
json_t *api_branding_json(const struct app_row *a, const char *public_url);
/* The "webauthn" member of the request (absent or null: *out NULL), checked into the canonical
 * JSON text an application stores (malloc'd); and the stored settings as answered (null: none). */
enum tf_err api_webauthn_settings_read(struct tf_req *req, char **out);
json_t *api_webauthn_settings_json(const struct app_row *a);
/* api_app_events.c: the "events" member of the request (absent: *given false; null: none, url
 * ""), checked (INVALID_FIELD or MISSING_FIELD naming events.url or events.secret); its strings
 * point into the request's body. The endpoint as answered: {url, secret_set} or null. */
struct app_events;
enum tf_err api_events_settings_read(struct tf_req *req, struct app_events *out, bool *given);
json_t *api_events_json(const struct app_row *a);
/* The request's default_locale (POST and PATCH /v1/admin/apps): *out NULL when absent, "" for
 * null or "" (none), else a BCP 47 tag; INVALID_FIELD otherwise. */
enum tf_err api_default_locale_read(struct tf_req *req, const char **out);
/* api_factor_options.c: the "enabled_factor_types" member of the request (absent: *out NULL;
 * null: "", every type) checked into the text an application stores (malloc'd); the types an
 * application enables as answered; the warnings an application's settings earn (an array). */
enum tf_err api_factor_types_read(struct tf_req *req, char **out);
json_t *api_factor_types_json(const struct app_row *a);
json_t *api_app_warnings(const struct app_row *a);
json_t *api_user_json(const struct user_row *u, int64_t unverified_expires_at);
/* Whether an unverified user is past unverified_user_ttl (then it is gone for every purpose). */
bool api_user_expired(const struct tf_req *req, const struct user_row *u);
/* Loads a user of the request's application; an expired unverified user is NOT_FOUND. */
enum tf_err api_load_user(struct tf_req *req, const char *user_id, struct user_row *out);
/* Inserts u, a validated new user of the request's application (inside the caller's write
 * transaction): frees the email of an expired unverified user first, audits the registration.
 * EMAIL_TAKEN when the email is in use. */
enum tf_err api_user_insert(struct tf_req *req, const struct user_row *u);
/* Gives user_id the address email_in (validated and normalised; the 1003/INVALID_FIELD names
 * "email"): unconfirmed, with a confirmation email (email_message, optional, in it) and the
 * old confirmed address told of the change; links sent to the old address stop working.
 * EMAIL_TAKEN when another user of the application has it; the same address changes nothing.
 * *out gets the user as it is afterwards. */
enum tf_err api_user_change_email(struct tf_req *req, const char *user_id, const char *email_in,
				  const char *email_message, struct user_row *out);

#endif
