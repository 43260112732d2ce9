/*
 * provider_set.c: security event tokens to an application's events endpoint (RFC 8935 push
 * delivery; what they say: service/security_events.h, docs/events.md). The outbox gives the SET's
 * claims, exactly as they were made, and the application's endpoint as it is now: {"url",
 * "secret"}. The claims are signed here, a JWS with the protected header
 * {"alg":"HS256","typ":"secevent+jwt"} under the secret's bytes, so the bytes sent are the same on
 * every retry while the secret stays; after the application changes its endpoint, what is still
 * waiting goes to the new url under the new secret. One POST, Content-Type
 * application/secevent+jwt:
 *   - 202 (RFC 8935 section 2.2), or any 2xx: delivered;
 *   - 400 with an RFC 8935 error body ({"err": "invalid_key", ...}): the receiver refused this
 *     SET, for good (it would refuse it again): not retried (TF_ERR_PERMISSION_DENIED);
 *   - anything else, no answer within 10 s included: retried by the outbox with its backoff.
 * Where it connects: straight to the endpoint (no proxy from the environment), no redirect
 * followed; unless events_allow_private_urls is on, only https, and every address the name
 * resolves to is checked as the socket is opened (core/net_address.h): a loopback, private or link-local one is refused
 * there, so DNS cannot send a SET into the network twofold runs in. Such a refusal is counted
 * (twofold_security_events_total{result="refused_address"}) and logged with the address.
 */
#include <arpa/inet.h>
#include <jansson.h>
#include <netinet/in.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "core/net_address.h"
#include "crypto/jwt.h"
#include "delivery/provider.h"
#include "platform/log.h"
#include "platform/metrics.h"

#define SET_HEADER "{\"alg\":\"HS256\",\"typ\":\"secevent+jwt\"}"

/* what the socket callback allows, and the address it refused */
struct guard {
	bool allow_private;
	char refused[INET6_ADDRSTRLEN];
};

static curl_socket_t open_checked(void *clientp, curlsocktype purpose, struct curl_sockaddr *sa)
{
	struct guard *g = clientp;
	(void)purpose;
	const void *bytes = NULL;
	if (sa->family == AF_INET)
		bytes = &((const struct sockaddr_in *)(const void *)&sa->addr)->sin_addr;
	else if (sa->family == AF_INET6)
		bytes = &((const struct sockaddr_in6 *)(const void *)&sa->addr)->sin6_addr;
	if (!g->allow_private && !(bytes && net_address_public(sa->family, bytes))) {
		if (!bytes || !inet_ntop(sa->family, bytes, g->refused, sizeof g->refused))
			snprintf(g->refused, sizeof g->refused, "family %d", sa->family);
		return CURL_SOCKET_BAD;
	}
	return socket(sa->family, sa->socktype | SOCK_CLOEXEC, sa->protocol);
}

/* the RFC 8935 error code of a 400's body ({"err": "...", "description": ...}), letters and
 * '_' only, into out; false when the body is not one */
static bool rfc8935_error(const char *body, char *out, size_t size)
{
	json_t *j = json_loads(body, 0, NULL);
	const char *code = json_string_value(json_object_get(j, "err"));
	bool ok = code && *code && strlen(code) < size && strspn(code, "abcdefghijklmnopqrstuvwxyz_") == strlen(code);
	if (ok)
		snprintf(out, size, "%s", code);
	json_decref(j);
	return ok;
}

static enum tf_err post(struct tf_service *svc, const char *app_id, const char *url, const char *jwt, char *err,
			size_t err_size)
{
	struct guard g = {.allow_private = svc->cfg.events_allow_private_urls};
	struct curl_slist *headers = curl_slist_append(NULL, "Content-Type: application/secevent+jwt");
	headers = headers ? curl_slist_append(headers, "Accept: application/json") : NULL;
	CURL *curl = curl_easy_init();
	enum tf_err e = TF_ERR_INTERNAL;
	long status = 0;
	char answer[512];
	if (curl && headers) {
		curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
		curl_easy_setopt(curl, CURLOPT_OPENSOCKETFUNCTION, open_checked);
		curl_easy_setopt(curl, CURLOPT_OPENSOCKETDATA, &g);
		curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
		curl_easy_setopt(curl, CURLOPT_PROXY, ""); /* none from the environment: the address checked is the endpoint's */
		e = provider_http_exchange(curl, url, jwt, g.allow_private ? "http,https" : "https", &status, answer,
					   sizeof answer, "events endpoint", err, err_size);
	} else {
		snprintf(err, err_size, "events endpoint: out of memory");
	}
	curl_easy_cleanup(curl);
	curl_slist_free_all(headers);
	char code[41];
	if (e != TF_OK && g.refused[0]) { /* (a refused address beside one that answered is no failure) */
		snprintf(err, err_size, "events endpoint: address %s refused (not public; events_allow_private_urls is off)",
			 g.refused);
		metrics_count(svc->metrics, M_SET_REFUSED_ADDRESS);
		log_warn("events endpoint address refused", "app_id", app_id, "address", g.refused, NULL);
		return TF_ERR_INTERNAL;
	}
	if (e != TF_OK)
		return e;
	if (status >= 200 && status <= 299)
		return TF_OK;
	if (status == 400 && rfc8935_error(answer, code, sizeof code)) {
		snprintf(err, err_size, "events endpoint refused the SET: %s", code);
		return TF_ERR_PERMISSION_DENIED;
	}
	snprintf(err, err_size, "events endpoint answered HTTP %ld", status);
	return TF_ERR_INTERNAL;
}

static enum tf_err set_send(struct tf_service *svc, const json_t *settings, const json_t *message, char *err,
			    size_t err_size)
{
	const char *url = json_string_value(json_object_get(settings, "url"));
	const char *secret = json_string_value(json_object_get(settings, "secret"));
	const char *claims = json_string_value(json_object_get(message, "text"));
	if (!url) {
		snprintf(err, err_size, "the application has no events endpoint any more");
		return TF_ERR_PERMISSION_DENIED;
	}
	if (!secret) {
		snprintf(err, err_size, "the application's events secret cannot be read now");
		return TF_ERR_INTERNAL;
	}
	if (!claims) {
		snprintf(err, err_size, "the message holds no SET");
		return TF_ERR_PERMISSION_DENIED;
	}
	char *jwt = jwt_hs256(SET_HEADER, strlen(SET_HEADER), claims, strlen(claims), (const uint8_t *)secret,
			      strlen(secret));
	if (!jwt) {
		snprintf(err, err_size, "events endpoint: out of memory");
		return TF_ERR_INTERNAL;
	}
	enum tf_err e = post(svc, json_string_value(json_object_get(message, "app_id")), url, jwt, err, err_size);
	free(jwt);
	return e;
}

const struct provider provider_set = {"set", set_send};
