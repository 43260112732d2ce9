/*
 * security_events.h: every audited event of an application that has an events endpoint is also
 * a security event token (RFC 8417 SET, OpenID Shared Signals 1.0, CAEP 1.0 event types where one
 * fits, twofold's own under SET_TWOFOLD_PREFIX otherwise), enqueued in the outbox in the write
 * transaction of its audit row (audit_append writes both), so that a SET
 * exists exactly when its audit row does. docs/events.md lists every event, its type and payload.
 *
 * What a SET carries: iss (the server's public URL), aud (the application id), iat, jti (unique,
 * the outbox message's id, so the same on every retry), txn (the request id, when there is one),
 * sub_id (a complex subject: the user, with the session or device the event names; the
 * application for an event of no user) and events, one event type mapped to its payload:
 * event_timestamp, initiating_entity, the CAEP claims of its type, and the audit row's event,
 * subject and details under the member SET_AUDIT_MEMBER. Never a secret, a code or a token: the
 * audit row holds none.
 *
 * Order: the outbox sends a user's SETs (an application's, for events of no user) one after the
 * other in the order they were made (outbox.order_key); the sender (delivery/provider_set.c)
 * signs them when it sends them, HS256 under the application's events secret.
 */
#ifndef TF_SERVICE_SECURITY_EVENTS_H
#define TF_SERVICE_SECURITY_EVENTS_H
#include "service/service.h"

#define SET_CAEP_PREFIX "https://schemas.openid.net/secevent/caep/event-type/"
/* twofold's own event types: this prefix and the audit event's name ("factor.blocked") */
#define SET_TWOFOLD_PREFIX "urn:twofold:secevent:event-type:"
/* the payload member with the audit row's event, subject and details */
#define SET_AUDIT_MEMBER "urn:twofold:secevent:audit"
/* the outbox channel of security event tokens */
#define SET_CHANNEL "set"

/* Inside the write transaction of ev's audit row: when ev has an application and it has an
 * events endpoint, the event's SET as an outbox row and its text (malloc'd) for outbox_row_put,
 * which audit_append calls just after the audit row's insert (a failure fails the transaction);
 * else *text_out is NULL. The facts are read here, where the event happened in the transaction,
 * not at its end (a removed factor's type). */
enum tf_err security_event_prepare(struct tf_service *svc, struct store_conn *c, const struct audit_event *ev,
				   int64_t now, struct outbox_row *row_out, char **text_out);

/* What one SET says, the facts security_event_prepare found (exposed for tests). */
struct security_event {
	const struct audit_event *ev;
	const char *issuer;          /* iss */
	const char *jti;
	int64_t at_ms;               /* iat and event_timestamp, in seconds */
	const char *user_id;         /* "" for an event of no user */
	const char *session_id;      /* "" when the event names none */
	const char *credential_type; /* of a credential-change event (CAEP's names), else NULL */
};
/* The SET's claims as compact JSON text (malloc'd), or NULL when memory runs out. */
char *security_event_claims(const struct security_event *se);
/* The event type URI of audit event name, and of a challenge.verified of purpose (NULL for
 * other events): CAEP's where one fits, else SET_TWOFOLD_PREFIX and the name, into out. */
const char *security_event_type(const char *event, const char *purpose, char *out, size_t size);

#endif
