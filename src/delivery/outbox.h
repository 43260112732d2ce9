/*
 * outbox.h: outgoing messages (SPEC section 9). A handler enqueues a message in the same
 * transaction as the change that causes it, so a message exists exactly when its change
 * does; a worker thread drains the outbox through the configured provider with
 * at-least-once delivery, unique message ids and exponential backoff, giving up after 24
 * hours (status failed). Message bodies are sealed at rest and wiped once sent.
 */
#ifndef TF_DELIVERY_OUTBOX_H
#define TF_DELIVERY_OUTBOX_H
#include <jansson.h>
#include "service/service.h"

struct outbox;

struct message {
	const char *app_id;
	const char *channel;   /* "email", "sms", "voice", "push" */
	const char *to;
	const char *subject;   /* email only, else NULL */
	const char *text;
	const char *html;      /* email only: the HTML alternative of text, or NULL */
	const json_t *data;    /* push only: the structured payload the device shows, else NULL */
	const char *language;  /* BCP 47 tag of the words ("de-DE"), which a voice call is read in; or NULL */
	/* email only: the application's logo (its branding), a PNG the HTML shows as
	 * cid:MESSAGE_LOGO_CID, or NULL; the message carries it as "inline_image" */
	const uint8_t *logo_png;
	size_t logo_png_len;
};
#define MESSAGE_LOGO_CID "logo@twofold"

/* Inserts the message (inside the caller's transaction). Writes its id to message_id. */
enum tf_err outbox_enqueue(struct tf_service *svc, struct store_conn *c, const struct message *m,
			   int64_t now, char message_id[TF_ID_MAX]);

enum tf_err outbox_start(struct tf_service *svc, struct outbox **out);
/* Tells the worker that messages are waiting (after the enqueuing transaction commits). */
void outbox_wake(struct outbox *ob);
/* Delivers what is due, then stops the worker. */
void outbox_stop(struct outbox *ob);

/* Backoff before attempt n+1 after n failed attempts: 1 s doubling to at most 1 hour. */
int64_t outbox_backoff_ms(int attempts);
#define OUTBOX_GIVE_UP_MS (24LL * 3600 * 1000)

#endif
