/* provider_http.c: what the HTTP providers (webhook, twilio, set) share: libcurl's process-wide
 * set-up and one POST with the same limits for every provider (see provider.h). */
#include <stdio.h>
#include <string.h>

#include "delivery/provider.h"

void providers_global_init(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

void providers_global_cleanup(void)
{
	curl_global_cleanup();
}

/* keeps the first bytes of the answer (NUL-terminated), discards the rest */
struct answer {
	char *buf;
	size_t size, len;
};

static size_t keep(char *ptr, size_t size, size_t n, void *ctx)
{
	struct answer *a = ctx;
	size_t got = size * n;
	if (a->buf && a->len + 1 < a->size) {
		size_t take = got < a->size - 1 - a->len ? got : a->size - 1 - a->len;
		memcpy(a->buf + a->len, ptr, take);
		a->len += take;
		a->buf[a->len] = '\0';
	}
	return got;
}

enum tf_err provider_http_exchange(CURL *curl, const char *url, const char *body, const char *protocols, long *status,
				   char *answer, size_t answer_size, const char *who, char *err, size_t err_size)
{
	struct answer a = {answer, answer_size, 0};
	if (answer && answer_size)
		answer[0] = '\0';
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, 10L);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, protocols);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, keep);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, &a);
	CURLcode rc = curl_easy_perform(curl);
	*status = 0;
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, status);
	if (rc == CURLE_OK)
		return TF_OK;
	snprintf(err, err_size, "%s: %s", who, curl_easy_strerror(rc));
	return TF_ERR_INTERNAL;
}

enum tf_err provider_http_post(CURL *curl, const char *url, const char *body, const char *who, char *err,
			       size_t err_size)
{
	long status;
	enum tf_err e = provider_http_exchange(curl, url, body, "http,https", &status, NULL, 0, who, err, err_size);
	if (e == TF_OK && (status < 200 || status > 299)) {
		snprintf(err, err_size, "%s answered HTTP %ld", who, status);
		e = TF_ERR_INTERNAL;
	}
	return e;
}
