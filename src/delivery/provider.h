/* provider.h: a delivery provider sends one message. Providers: log (development: the
 * message is appended to DATA/messages.jsonl and, if delivery_echo is on, printed to the log).
 * webhook, twilio and smtp come with later issues. */
#ifndef TF_DELIVERY_PROVIDER_H
#define TF_DELIVERY_PROVIDER_H
#include <jansson.h>

#include "service/service.h"

struct provider {
	const char *name;
	/* message: {"message_id","app_id","channel","to","subject"?,"text","created_at"}.
	 * Returns TF_OK when delivered; any error is retried later. */
	enum tf_err (*send)(struct tf_service *svc, const json_t *message, char *err, size_t err_size);
};

extern const struct provider provider_log;

#endif
