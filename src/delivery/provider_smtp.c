/*
 * provider_smtp.c: email (confirmation links, codes) through SMTP with libcurl. Settings:
 * url (smtp://host:port, or smtps:// for implicit TLS; smtp:// upgrades with STARTTLS when the
 * server offers it), optional username and password, and the From address. The message is
 * email_mime()'s: a UTF-8 email with Date, From, To, Subject and Message-ID headers, plain text
 * or, when the message has an HTML body, multipart/alternative (its HTML a multipart/related
 * with the application's logo when the message carries one); header values never carry a
 * line break (that would inject headers).
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "delivery/provider.h"

struct upload {
	const char *data;
	size_t len, off;
};

static size_t read_payload(char *buf, size_t size, size_t n, void *ctx)
{
	struct upload *u = ctx;
	size_t room = size * n, left = u->len - u->off;
	size_t k = left < room ? left : room;
	memcpy(buf, u->data + u->off, k);
	u->off += k;
	return k;
}

static enum tf_err smtp_send(struct tf_service *svc, const json_t *settings, const json_t *message, char *err,
			     size_t err_size)
{
	(void)svc;
	const char *url = json_string_value(json_object_get(settings, "url"));
	const char *from = json_string_value(json_object_get(settings, "from"));
	const char *user = json_string_value(json_object_get(settings, "username"));
	const char *pass = json_string_value(json_object_get(settings, "password"));
	const char *to = json_string_value(json_object_get(message, "to"));
	const char *subject = json_string_value(json_object_get(message, "subject"));
	const char *text = json_string_value(json_object_get(message, "text"));
	const char *html = json_string_value(json_object_get(message, "html"));
	const char *id = json_string_value(json_object_get(message, "message_id"));
	struct email_image image;
	char *payload = url && id ? email_mime(from, to, subject, text, html, email_image_of(message, &image), id, time(NULL))
				  : NULL;
	if (!payload) {
		snprintf(err, err_size, "smtp: settings or message incomplete or unsafe");
		return TF_ERR_INTERNAL;
	}
	size_t n = strlen(payload), cap = n;
	struct upload up = {payload, n, 0};
	CURL *curl = curl_easy_init();
	struct curl_slist *rcpt = curl_slist_append(NULL, to);
	char mail_from[400];
	snprintf(mail_from, sizeof mail_from, "<%s>", from);
	enum tf_err e = TF_ERR_INTERNAL;
	if (curl && rcpt) {
		curl_easy_setopt(curl, CURLOPT_URL, url);
		curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
		curl_easy_setopt(curl, CURLOPT_USE_SSL, (long)CURLUSESSL_TRY);
		if (user)
			curl_easy_setopt(curl, CURLOPT_USERNAME, user);
		if (pass)
			curl_easy_setopt(curl, CURLOPT_PASSWORD, pass);
		curl_easy_setopt(curl, CURLOPT_MAIL_FROM, mail_from);
		curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpt);
		curl_easy_setopt(curl, CURLOPT_READFUNCTION, read_payload);
		curl_easy_setopt(curl, CURLOPT_READDATA, &up);
		curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
		curl_easy_setopt(curl, CURLOPT_TIMEOUT, 20L);
		curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
		CURLcode rc = curl_easy_perform(curl);
		if (rc != CURLE_OK)
			snprintf(err, err_size, "smtp: %s", curl_easy_strerror(rc));
		else
			e = TF_OK;
	}
	curl_slist_free_all(rcpt);
	curl_easy_cleanup(curl);
	memset(payload, 0, cap); /* it holds a one-time link or code */
	free(payload);
	return e;
}

const struct provider provider_smtp = {"smtp", smtp_send};
