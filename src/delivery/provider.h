/* provider.h: a delivery provider sends one message. Providers: log (development: the
 * message is appended to DATA/messages.jsonl and, if delivery_echo is on, printed to the log),
 * webhook (a signed JSON POST), twilio (SMS through the Messages API, voice through the Calls
 * API reading TwiML <Say>), smtp (email through libcurl). Which one sends a message is decided
 * per application and channel (outbox.c): the application's own twilio or smtp settings, else
 * the server's, else the server's default provider. */
#ifndef TF_DELIVERY_PROVIDER_H
#define TF_DELIVERY_PROVIDER_H
#include <curl/curl.h>
#include <jansson.h>

#include "service/service.h"

struct provider {
	const char *name;
	/* message: {"message_id","app_id","channel","to","subject"?,"text","data"?}; settings: the
	 * provider's settings (twilio, smtp), else NULL. Returns TF_OK when delivered; any error is
	 * retried later. err never holds a secret. */
	enum tf_err (*send)(struct tf_service *svc, const json_t *settings, const json_t *message, char *err,
			    size_t err_size);
};

extern const struct provider provider_log;
extern const struct provider provider_webhook;
extern const struct provider provider_twilio;
extern const struct provider provider_smtp;

/* TwiML that reads text aloud: <Response><Say>text</Say></Response>, XML-escaped (exposed for
 * tests). Returns a malloc'd string. */
char *twilio_say_twiml(const char *text);

/* Process-wide set-up of the providers' libraries; call once before any thread starts. */
void providers_global_init(void);
void providers_global_cleanup(void);

/* POSTs body to url on curl (the caller's other options: headers, authentication) with the
 * providers' limits (10 s, http and https only), the answer discarded. TF_OK on a 2xx; else
 * err says what happened, starting with who. */
enum tf_err provider_http_post(CURL *curl, const char *url, const char *body, const char *who, char *err,
			       size_t err_size);

/* "v1=" + hex HMAC-SHA-256 under secret of "TIMESTAMP.BODY" (provider_webhook.c) */
void webhook_signature(const char *secret, const char *timestamp, const char *body, char out[80]);

#endif
