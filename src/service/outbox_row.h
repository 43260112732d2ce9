/*
 * outbox_row.h: writing one message into the outbox table, its body sealed: what the delivery
 * layer's outbox_enqueue (delivery/outbox.h) and the security event tokens that the audit log
 * enqueues (service/security_events.h) share. The body is JSON text the worker reads back
 * (delivery/outbox.c): {"message_id", "app_id", "channel", "to", ..., "created_at_ms"}.
 */
#ifndef TF_SERVICE_OUTBOX_ROW_H
#define TF_SERVICE_OUTBOX_ROW_H
#include "service/service.h"

/* Inserts row (its message id, application, channel, recipient, times, order key; status
 * pending) with text sealed as its body, inside the caller's transaction. row->sealed_body is
 * set and freed here; the caller wipes text. */
enum tf_err outbox_row_put(struct tf_service *svc, struct store_conn *c, struct outbox_row *row, const char *text);

#endif
