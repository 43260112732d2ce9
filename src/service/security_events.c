/* security_events.c: an audited event as a security event token in the outbox (see
 * security_events.h; every event's type and payload: docs/events.md). */
#include "service/security_events.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


/* The CAEP 1.0 event types twofold sends; CAEP_NONE: a twofold type */
enum caep { CAEP_NONE, CAEP_SESSION_ESTABLISHED, CAEP_SESSION_REVOKED, CAEP_CREDENTIAL_CHANGE, CAEP_ASSURANCE_LEVEL_CHANGE,
	    CAEP_DEVICE_COMPLIANCE_CHANGE };
static const char *const caep_names[] = {NULL, "session-established", "session-revoked", "credential-change",
					 "assurance-level-change", "device-compliance-change"};

/* An audit event whose SET is a CAEP event, or whose initiating entity is not its actor's */
struct rule {
	const char *event;
	enum caep type;
	const char *value;      /* credential-change: change_type; device-compliance-change: current_status */
	const char *initiating; /* NULL: the actor's (initiating_of) */
	const char *credential; /* credential-change: its credential_type, NULL: the factor's */
};

static const struct rule rules[] = {
	{"login.succeeded", CAEP_SESSION_ESTABLISHED, NULL, NULL, NULL},
	{"session.issued", CAEP_SESSION_ESTABLISHED, NULL, NULL, NULL},
	{"hosted.signed_in", CAEP_SESSION_ESTABLISHED, NULL, NULL, NULL},
	{"sso.signed_in", CAEP_SESSION_ESTABLISHED, NULL, NULL, NULL},
	{"session.revoked", CAEP_SESSION_REVOKED, NULL, NULL, NULL},
	/* a factor is a credential once its first answer activated it */
	{"factor.activated", CAEP_CREDENTIAL_CHANGE, "create", NULL, NULL},
	{"factor.backup_codes_replaced", CAEP_CREDENTIAL_CHANGE, "update", NULL, NULL},
	{"factor.removed", CAEP_CREDENTIAL_CHANGE, "delete", NULL, NULL},
	{"user.password_set", CAEP_CREDENTIAL_CHANGE, "update", NULL, "password"},
	/* of a login or step-up challenge: a second factor on top of what the session had */
	{"challenge.verified", CAEP_ASSURANCE_LEVEL_CHANGE, NULL, NULL, NULL},
	{"device.trusted", CAEP_DEVICE_COMPLIANCE_CHANGE, "compliant", NULL, NULL},
	{"device.revoked", CAEP_DEVICE_COMPLIANCE_CHANGE, "not-compliant", NULL, NULL},
	/* twofold's rules acted, whoever's request it was */
	{"factor.blocked", CAEP_NONE, NULL, "policy", NULL},
	{"challenge.locked", CAEP_NONE, NULL, "policy", NULL},
	{"tra.band_suspended", CAEP_NONE, NULL, "policy", NULL},
	{"tra.band_resumed", CAEP_NONE, NULL, "policy", NULL},
};

static const struct rule *rule_of(const char *event)
{
	for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++)
		if (!strcmp(rules[i].event, event))
			return &rules[i];
	return NULL;
}

static const char *after(const char *s, const char *prefix)
{
	size_t n = strlen(prefix);
	return s && !strncmp(s, prefix, n) ? s + n : NULL;
}

static enum caep caep_of(const char *event, const char *purpose)
{
	const struct rule *r = rule_of(event);
	if (!r)
		return CAEP_NONE;
	if (r->type == CAEP_ASSURANCE_LEVEL_CHANGE && !(purpose && (!strcmp(purpose, "login") || !strcmp(purpose, "stepup"))))
		return CAEP_NONE;
	return r->type;
}

const char *security_event_type(const char *event, const char *purpose, char *out, size_t size)
{
	enum caep t = caep_of(event, purpose);
	if (t == CAEP_NONE)
		snprintf(out, size, SET_TWOFOLD_PREFIX "%s", event);
	else
		snprintf(out, size, SET_CAEP_PREFIX "%s", caep_names[t]);
	return out;
}

/* CAEP's initiating_entity: an end user's action, an application's or the operator's
 * (administrative), or twofold's own */
static const char *initiating_of(const char *event, const char *actor)
{
	const struct rule *r = rule_of(event);
	if (r && r->initiating)
		return r->initiating;
	if (after(actor, "user:"))
		return "user";
	if (after(actor, "app:") || after(actor, "operator") || (actor && !strcmp(actor, "admin")))
		return "admin";
	return "system";
}

static json_t *opaque(const char *id)
{
	return json_pack("{s:s, s:s}", "format", "opaque", "id", id);
}

/* A complex subject (SSF 1.0): the user, with the session and device the event names; the
 * application for an event of no user. */
static json_t *subject_of(const struct security_event *se, const char *session_id)
{
	const struct audit_event *ev = se->ev;
	json_t *s = json_pack("{s:s}", "format", "complex");
	if (!se->user_id[0]) {
		json_object_set_new(s, "application", opaque(ev->app_id));
		return s;
	}
	json_object_set_new(s, "user", opaque(se->user_id));
	if (session_id && *session_id)
		json_object_set_new(s, "session", opaque(session_id));
	if (after(ev->subject, "dev_"))
		json_object_set_new(s, "device", opaque(ev->subject));
	return s;
}

/* the CAEP claims of the event's type */
static void caep_claims(json_t *p, enum caep t, const struct rule *r, const struct security_event *se, json_t *details)
{
	const char *reason = json_string_value(json_object_get(details, "reason"));
	switch (t) {
	case CAEP_SESSION_REVOKED:
		break;
	case CAEP_CREDENTIAL_CHANGE:
		json_object_set_new(p, "credential_type", json_string(se->credential_type ? se->credential_type : "unknown"));
		json_object_set_new(p, "change_type", json_string(r->value));
		reason = NULL;
		break;
	case CAEP_ASSURANCE_LEVEL_CHANGE:
		json_object_set_new(p, "namespace", json_string("NIST-AAL"));
		json_object_set_new(p, "current_level", json_string("nist-aal2"));
		json_object_set_new(p, "previous_level", json_string("nist-aal1"));
		json_object_set_new(p, "change_direction", json_string("increase"));
		reason = NULL;
		break;
	case CAEP_DEVICE_COMPLIANCE_CHANGE: {
		bool now_compliant = !strcmp(r->value, "compliant");
		json_object_set_new(p, "current_status", json_string(r->value));
		json_object_set_new(p, "previous_status", json_string(now_compliant ? "not-compliant" : "compliant"));
		break;
	}
	case CAEP_SESSION_ESTABLISHED:
	case CAEP_NONE:
		reason = NULL;
		break;
	}
	if (reason)
		json_object_set_new(p, "reason_admin", json_pack("{s:s}", "en", reason));
}

char *security_event_claims(const struct security_event *se)
{
	const struct audit_event *ev = se->ev;
	json_t *details = json_loads(ev->details ? ev->details : "{}", 0, NULL);
	if (!json_is_object(details)) {
		json_decref(details);
		details = json_object();
	}
	const char *session_id = json_string_value(json_object_get(details, "session_id"));
	enum caep t = caep_of(ev->event, json_string_value(json_object_get(details, "purpose")));
	char type[160];
	security_event_type(ev->event, json_string_value(json_object_get(details, "purpose")), type, sizeof type);
	json_int_t at = (json_int_t)(se->at_ms / 1000);
	json_t *payload = json_pack("{s:I, s:s}", "event_timestamp", at, "initiating_entity",
				    initiating_of(ev->event, ev->actor));
	caep_claims(payload, t, rule_of(ev->event), se, details);
	json_t *claims = json_pack("{s:s, s:s, s:I, s:s}", "iss", se->issuer, "aud", ev->app_id, "iat", at, "jti", se->jti);
	if (ev->request_id && *ev->request_id)
		json_object_set_new(claims, "txn", json_string(ev->request_id));
	json_object_set_new(claims, "sub_id", subject_of(se, session_id && *session_id ? session_id : se->session_id));
	json_object_set_new(payload, SET_AUDIT_MEMBER,
			    json_pack("{s:s, s:s, s:o}", "event", ev->event, "subject", ev->subject ? ev->subject : "",
				      "details", details));
	json_object_set_new(claims, "events", json_pack("{s:o}", type, payload));
	char *text = json_dumps(claims, JSON_COMPACT);
	json_decref(claims);
	return text;
}

/* CAEP's credential_type of a factor type named on the wire ("totp"), or NULL */
static const char *credential_type_of(const char *factor_type)
{
	int t = factor_type ? name_find(factor_type_names, FACTOR_TYPE__MAX, factor_type) : -1;
	return t < 0 ? NULL : factor_type_caep_names[t];
}

/* The facts the audit row leaves out: the user (from the subject, the actor, or the payment the
 * event names), a factor's type, a step-up's session. */
struct facts {
	char user_id[TF_ID_MAX];
	char session_id[TF_ID_MAX];
	char factor_type[32];
};

static enum tf_err find_facts(struct store_conn *c, const struct audit_event *ev, enum caep t, json_t *details,
			      struct facts *f)
{
	memset(f, 0, sizeof *f);
	const char *user = after(ev->subject, "usr_") ? ev->subject : after(ev->actor, "user:");
	enum tf_err e = TF_OK;
	if (user) {
		snprintf(f->user_id, sizeof f->user_id, "%s", user);
	} else if (after(ev->subject, "pay_")) {
		struct payment_row p;
		if ((e = STORE(c)->payment_get(c, ev->app_id, ev->subject, &p)) == TF_OK)
			snprintf(f->user_id, sizeof f->user_id, "%s", p.user_id);
	}
	if (e == TF_ERR_NOT_FOUND)
		e = TF_OK;
	const char *type = json_string_value(json_object_get(details, "type"));
	if (e == TF_OK && t == CAEP_CREDENTIAL_CHANGE && !type && f->user_id[0] && after(ev->subject, "fac_")) {
		struct factor_row fr;
		if ((e = STORE(c)->factor_get(c, ev->app_id, f->user_id, ev->subject, &fr)) == TF_OK)
			snprintf(f->factor_type, sizeof f->factor_type, "%s", factor_type_names[fr.type]);
	} else if (type) {
		snprintf(f->factor_type, sizeof f->factor_type, "%s", type);
	}
	if (e == TF_OK && t == CAEP_ASSURANCE_LEVEL_CHANGE && f->user_id[0]) {
		struct challenge_row ch;
		if ((e = STORE(c)->challenge_get(c, ev->app_id, f->user_id, ev->subject, &ch)) == TF_OK)
			snprintf(f->session_id, sizeof f->session_id, "%s", ch.session_id);
	}
	return e == TF_ERR_NOT_FOUND ? TF_OK : e;
}

enum tf_err security_event_prepare(struct tf_service *svc, struct store_conn *c, const struct audit_event *ev,
				   int64_t now, struct outbox_row *row_out, char **text_out)
{
	*text_out = NULL;
	if (!ev->app_id || !*ev->app_id)
		return TF_OK; /* the deployment's own events (master_key.rotated): no application to tell */
	enum tf_err e = TF_OK;
	if (ev->events_url && !ev->events_url[0])
		return TF_OK; /* the caller's row of the application says it has no endpoint */
	if (!ev->events_url) {
		char url[STORE_URL_MAX];
		e = STORE(c)->app_events_get(c, ev->app_id, url, NULL, NULL);
		if (e == TF_ERR_NOT_FOUND || (e == TF_OK && !url[0]))
			return TF_OK;
		if (e != TF_OK)
			return e;
	}
	json_t *details = json_loads(ev->details ? ev->details : "{}", 0, NULL);
	struct facts f;
	e = find_facts(c, ev, caep_of(ev->event, json_string_value(json_object_get(details, "purpose"))), details, &f);
	json_decref(details);
	if (e != TF_OK)
		return e;
	struct outbox_row row = {.created_at = now, .next_attempt_at = now};
	crypto_random_id("set", row.message_id);
	const struct rule *r = rule_of(ev->event);
	struct security_event se = {.ev = ev, .issuer = svc->public_url, .jti = row.message_id, .at_ms = now,
				    .user_id = f.user_id, .session_id = f.session_id,
				    .credential_type = r && r->credential ? r->credential : credential_type_of(f.factor_type)};
	char *claims = security_event_claims(&se);
	json_t *msg = claims ? json_pack("{s:s, s:s, s:s, s:s, s:s, s:I}", "message_id", row.message_id, "app_id", ev->app_id,
					 "channel", SET_CHANNEL, "to", ev->app_id, "text", claims, "created_at_ms",
					 (json_int_t)now)
			     : NULL;
	char *text = msg ? json_dumps(msg, JSON_COMPACT) : NULL;
	json_decref(msg);
	free(claims);
	if (!text)
		return TF_ERR_INTERNAL;
	snprintf(row.app_id, sizeof row.app_id, "%s", ev->app_id);
	snprintf(row.channel, sizeof row.channel, "%s", SET_CHANNEL);
	snprintf(row.recipient, sizeof row.recipient, "%s", ev->app_id);
	/* in order per user, or per application for events of no user; an event of the deployment's
	 * chain (the operator's, about the application) in an order of its own, as that chain's head
	 * (not the application's) serialises those inserts */
	if (strcmp(audit_chain_of(ev->app_id, ev->event), AUDIT_DEPLOYMENT_CHAIN) == 0)
		snprintf(row.order_key, sizeof row.order_key, "%s/%s", ev->app_id, AUDIT_DEPLOYMENT_CHAIN);
	else
		snprintf(row.order_key, sizeof row.order_key, "%s%s%s", ev->app_id, f.user_id[0] ? "/" : "", f.user_id);
	*row_out = row;
	*text_out = text;
	return TF_OK;
}
