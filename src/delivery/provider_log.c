/*
 * provider_log.c: development delivery. Each message is appended as one JSON line to
 * DATA/messages.jsonl (one write(2) with O_APPEND, then fsync), an email with "mime": the whole
 * email as the SMTP provider would send it (email_mime, From smtp_from or twofold@localhost),
 * and, when delivery_echo is on,
 * printed to the log as a line of kind "dev_delivery". That echo carries the code on
 * purpose (a developer reads codes there); it is the one log line allowed to hold a secret,
 * and production providers have no such echo.
 */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "delivery/provider.h"
#include "platform/log.h"

static enum tf_err log_send(struct tf_service *svc, const json_t *settings, const json_t *message, char *err,
			     size_t err_size)
{
	(void)settings;
	char path[CONFIG_STR_MAX + 32];
	snprintf(path, sizeof path, "%s/messages.jsonl", svc->cfg.data);
	json_t *shown = json_copy((json_t *)message);
	const char *channel = json_string_value(json_object_get(message, "channel"));
	if (shown && channel && !strcmp(channel, "email")) {
		struct email_image image;
		char *mime = email_mime(svc->cfg.smtp_from[0] ? svc->cfg.smtp_from : "twofold@localhost",
					json_string_value(json_object_get(message, "to")),
					json_string_value(json_object_get(message, "subject")),
					json_string_value(json_object_get(message, "text")),
					json_string_value(json_object_get(message, "html")), email_image_of(message, &image),
					json_string_value(json_object_get(message, "message_id")), time(NULL));
		if (!mime) {
			json_decref(shown);
			snprintf(err, err_size, "email incomplete or unsafe");
			return TF_ERR_INTERNAL;
		}
		json_object_set_new(shown, "mime", json_string(mime));
		sodium_memzero(mime, strlen(mime));
		free(mime);
	}
	char *line = shown ? json_dumps(shown, JSON_COMPACT) : NULL;
	json_decref(shown); /* wiped on free: the allocator clears every block */
	if (!line) {
		snprintf(err, err_size, "cannot encode message");
		return TF_ERR_INTERNAL;
	}
	size_t len = strlen(line);
	char *buf = realloc(line, len + 2);
	if (!buf) {
		free(line);
		return TF_ERR_INTERNAL;
	}
	buf[len] = '\n';
	buf[len + 1] = '\0';
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0600);
	if (fd < 0) {
		snprintf(err, err_size, "cannot open %s: %s", path, strerror(errno));
		free(buf);
		return TF_ERR_INTERNAL;
	}
	bool ok = write(fd, buf, len + 1) == (ssize_t)(len + 1) && fsync(fd) == 0;
	if (!ok)
		snprintf(err, err_size, "cannot write %s: %s", path, strerror(errno));
	close(fd);
	if (ok && svc->cfg.delivery_echo) {
		log_info("development delivery", "kind", "dev_delivery",
			 "message_id", json_string_value(json_object_get(message, "message_id")),
			 "channel", json_string_value(json_object_get(message, "channel")),
			 "to", json_string_value(json_object_get(message, "to")),
			 "text", json_string_value(json_object_get(message, "text")), NULL);
	}
	sodium_memzero(buf, len + 1);
	free(buf);
	return ok ? TF_OK : TF_ERR_INTERNAL;
}

const struct provider provider_log = {"log", log_send};
