/* provider_http.c: what the HTTP providers (webhook, twilio) share: libcurl's process-wide
 * set-up and one POST with the same limits for every provider (see provider.h). */
#include <stdio.h>

#include "delivery/provider.h"

void providers_global_init(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

void providers_global_cleanup(void)
{
	curl_global_cleanup();
}

static size_t discard(char *ptr, size_t size, size_t n, void *ctx)
{
	(void)ptr;
	(void)ctx;
	return size * n;
}

enum tf_err provider_http_post(CURL *curl, const char *url, const char *body, const char *who, char *err,
			       size_t err_size)
{
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, 10L);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard);
	CURLcode rc = curl_easy_perform(curl);
	long status = 0;
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
	if (rc != CURLE_OK)
		snprintf(err, err_size, "%s: %s", who, curl_easy_strerror(rc));
	else if (status < 200 || status > 299)
		snprintf(err, err_size, "%s answered HTTP %ld", who, status);
	else
		return TF_OK;
	return TF_ERR_INTERNAL;
}
