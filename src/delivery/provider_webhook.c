/*
 * provider_webhook.c: delivery by webhook. Each message is POSTed as JSON to the configured
 * URL with two headers: Twofold-Timestamp (Unix seconds) and Twofold-Signature
 * ("v1=" + hex HMAC-SHA-256 under webhook_secret of "TIMESTAMP.BODY"), so the receiver can
 * check who sent it and refuse replays of old deliveries. An email's JSON has its subject, text
 * and html, and, when the HTML shows the application's logo (cid:...), "inline_image" with the
 * image's content_id, content_type, filename and data_base64. A 2xx answer is delivered; anything
 * else (or no answer within 10 s) is retried by the outbox with exponential backoff.
 */
#include <curl/curl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "delivery/provider.h"

void webhook_signature(const char *secret, const char *timestamp, const char *body, char out[80])
{
	uint8_t mac[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256_state st;
	crypto_auth_hmacsha256_init(&st, (const uint8_t *)secret, strlen(secret));
	crypto_auth_hmacsha256_update(&st, (const uint8_t *)timestamp, strlen(timestamp));
	crypto_auth_hmacsha256_update(&st, (const uint8_t *)".", 1);
	crypto_auth_hmacsha256_update(&st, (const uint8_t *)body, strlen(body));
	crypto_auth_hmacsha256_final(&st, mac);
	memcpy(out, "v1=", 3);
	sodium_bin2hex(out + 3, 80 - 3, mac, sizeof mac);
}

static enum tf_err webhook_send(struct tf_service *svc, const json_t *settings, const json_t *message, char *err,
			     size_t err_size)
{
	(void)settings;
	if (!svc->cfg.webhook_url[0]) {
		snprintf(err, err_size, "webhook_url is not set");
		return TF_ERR_INTERNAL;
	}
	char *body = json_dumps(message, JSON_COMPACT);
	if (!body)
		return TF_ERR_INTERNAL;
	char ts[32], sig[80], h_ts[64], h_sig[128], h_id[128];
	snprintf(ts, sizeof ts, "%lld", (long long)time(NULL));
	webhook_signature(svc->cfg.webhook_secret, ts, body, sig);
	snprintf(h_ts, sizeof h_ts, "Twofold-Timestamp: %s", ts);
	snprintf(h_sig, sizeof h_sig, "Twofold-Signature: %s", sig);
	snprintf(h_id, sizeof h_id, "Twofold-Message-Id: %s", json_string_value(json_object_get(message, "message_id")));
	struct curl_slist *headers = curl_slist_append(NULL, "Content-Type: application/json");
	headers = curl_slist_append(headers, h_ts);
	headers = curl_slist_append(headers, h_sig);
	headers = curl_slist_append(headers, h_id);
	CURL *curl = curl_easy_init();
	enum tf_err e = TF_ERR_INTERNAL;
	if (curl && headers) {
		curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
		e = provider_http_post(curl, svc->cfg.webhook_url, body, "webhook", err, err_size);
	}
	curl_easy_cleanup(curl);
	curl_slist_free_all(headers);
	sodium_memzero(body, strlen(body));
	free(body);
	return e;
}

const struct provider provider_webhook = {"webhook", webhook_send};
