/* audit.c: appending a row to the audit hash chain (rules in core/audit_chain.h). */
#include "service/service.h"

enum tf_err audit_append(struct tf_service *svc, struct store_conn *c, const struct audit_event *ev,
			 int64_t now)
{
	struct audit_row row = {
		.at_ms = now,
		.app_id = ev->app_id ? ev->app_id : "",
		.event = ev->event,
		.actor = ev->actor ? ev->actor : "",
		.subject = ev->subject ? ev->subject : "",
		.ip = ev->ip ? ev->ip : "",
		.request_id = ev->request_id ? ev->request_id : "",
		.details = ev->details ? ev->details : "{}",
	};
	int64_t last_seq;
	enum tf_err e = STORE(c)->audit_last(c, &last_seq, row.prev_hash);
	if (e != TF_OK)
		return e;
	row.seq = last_seq + 1;
	audit_chain_hash(svc->keys->audit_hmac, &row);
	return STORE(c)->audit_insert(c, &row);
}
