/* provider.h: a delivery provider sends one message. Providers: log (development: the
 * message is appended to DATA/messages.jsonl and, if delivery_echo is on, printed to the log),
 * webhook (a signed JSON POST), twilio (SMS through the Messages API, voice through the Calls
 * API reading TwiML <Say>), smtp (email through libcurl, email_mime.c's text), set (security
 * event tokens to the application's events endpoint). Which one sends a message is decided
 * per application and channel (outbox.c): a SET by set, with the application's events
 * endpoint; otherwise the application's own twilio or smtp settings, else the server's, else
 * the server's default provider. */
#ifndef TF_DELIVERY_PROVIDER_H
#define TF_DELIVERY_PROVIDER_H
#include <curl/curl.h>
#include <jansson.h>
#include <stdbool.h>
#include <time.h>

#include "service/service.h"

struct provider {
	const char *name;
	/* message: {"message_id","app_id","channel","to","subject"?,"text","data"?}; settings: the
	 * provider's settings (twilio, smtp; set: the events endpoint {url, secret}), else NULL.
	 * Returns TF_OK when delivered; TF_ERR_PERMISSION_DENIED when it can never be (the
	 * receiver refused it): failed at once; any other error is retried later. err never holds
	 * a secret. */
	enum tf_err (*send)(struct tf_service *svc, const json_t *settings, const json_t *message, char *err,
			    size_t err_size);
};

extern const struct provider provider_log;
extern const struct provider provider_webhook;
extern const struct provider provider_twilio;
extern const struct provider provider_smtp;
extern const struct provider provider_set;

/* TwiML that reads text aloud: <Response><Say language="...">text</Say></Response>, XML-escaped,
 * without the attribute when language is NULL or not a plain tag (exposed for tests). Returns a
 * malloc'd string. */
char *twilio_say_twiml(const char *text, const char *language);

/* An image the HTML of an email shows by its Content-ID (src="cid:..."): the application's logo. */
struct email_image {
	const char *content_id;   /* "logo@twofold" */
	const char *content_type; /* "image/png" */
	const char *filename;     /* "logo.png" */
	const char *base64;       /* its bytes in standard base64, on one line */
};
/* An email as its RFC 5322 text (email_mime.c): Date (date), From <from>, To <to>, Subject,
 * Message-ID <message_id@twofold>, and text as text/plain or, with html (else NULL), a
 * multipart/alternative of both; with image (else NULL) too, the HTML alternative is a
 * multipart/related of the HTML and the image (RFC 2387), so that a client showing the text
 * shows no attachment. All UTF-8. NULL when a header value holds CR or LF (it would add
 * headers), the image is not base64, or memory runs out; else malloc'd (it holds a code or a
 * link: wipe it). */
char *email_mime(const char *from, const char *to, const char *subject, const char *text, const char *html,
		 const struct email_image *image, const char *message_id, time_t date);
/* The image a message carries ("inline_image": {content_id, content_type, filename,
 * data_base64}, outbox.h) into *out, pointing into message: out, or NULL when it has none. */
const struct email_image *email_image_of(const json_t *message, struct email_image *out);
/* whether s can be one header line's value: not NULL, no CR or LF */
bool email_header_safe(const char *s);

/* Process-wide set-up of the providers' libraries; call once before any thread starts. */
void providers_global_init(void);
void providers_global_cleanup(void);

/* POSTs body to url on curl (the caller's other options: headers, authentication) with the
 * providers' limits (10 s, http and https only), the answer discarded. TF_OK on a 2xx; else
 * err says what happened, starting with who. */
enum tf_err provider_http_post(CURL *curl, const char *url, const char *body, const char *who, char *err,
			       size_t err_size);
/* The same exchange with the schemes protocols allows ("https", "http,https"): TF_OK when an
 * answer came, whatever its status (into *status), with its first answer_size - 1 bytes in
 * answer (NUL-terminated; answer may be NULL); else err says why, starting with who. */
enum tf_err provider_http_exchange(CURL *curl, const char *url, const char *body, const char *protocols, long *status,
				   char *answer, size_t answer_size, const char *who, char *err, size_t err_size);

/* "v1=" + hex HMAC-SHA-256 under secret of "TIMESTAMP.BODY" (provider_webhook.c) */
void webhook_signature(const char *secret, const char *timestamp, const char *body, char out[80]);

#endif
