/*
 * provider_twilio.c: SMS and voice through Twilio's REST API. An SMS is
 * POST {base_url}/2010-04-01/Accounts/{account_sid}/Messages.json with the form fields To, From
 * and Body; a voice call is .../Calls.json with To, From and Twiml, a <Response><Say> that
 * reads the text (the code digit by digit, twice: sca/code.c writes it so for the voice kind)
 * in the message's language (<Say language="de-DE">, one of the tags Twilio's voices take). HTTP basic auth with
 * the account SID and auth token; form bodies are url-encoded by libcurl. A 2xx answer is
 * delivered; anything else is retried by the outbox. base_url is configurable so tests (and
 * Twilio-compatible gateways) can receive the calls.
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "delivery/provider.h"

#define TWILIO_DEFAULT_BASE "https://api.twilio.com"

/* Whether tag is safe inside an XML attribute as it is: letters, digits and '-' */
static bool plain_tag(const char *tag)
{
	if (!tag || !*tag || strlen(tag) > 35)
		return false;
	for (const char *p = tag; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '-'))
			return false;
	return true;
}

char *twilio_say_twiml(const char *text, const char *language)
{
	static const char tail[] = "</Say></Response>";
	size_t cap = 64 + sizeof tail + 6 * strlen(text) + 1, n = 0;
	char *out = malloc(cap);
	if (!out)
		return NULL;
	if (plain_tag(language))
		n += (size_t)snprintf(out + n, cap - n, "<Response><Say language=\"%s\">", language);
	else
		n += (size_t)snprintf(out + n, cap - n, "<Response><Say>");
	for (const char *p = text; *p; p++) {
		const char *ent = *p == '<' ? "&lt;" : *p == '>' ? "&gt;" : *p == '&' ? "&amp;" : *p == '"' ? "&quot;"
				: *p == '\'' ? "&apos;" : NULL;
		if (ent)
			n += (size_t)snprintf(out + n, cap - n, "%s", ent);
		else
			out[n++] = *p;
	}
	snprintf(out + n, cap - n, "%s", tail);
	return out;
}

/* appends name=escaped(value) to a form body */
static bool form_add_field(CURL *curl, char **body, const char *name, const char *value)
{
	char *enc = curl_easy_escape(curl, value, 0);
	if (!enc)
		return false;
	size_t have = *body ? strlen(*body) : 0, n = have + strlen(name) + strlen(enc) + 3;
	char *b = realloc(*body, n);
	if (!b) {
		curl_free(enc);
		return false;
	}
	snprintf(b + have, n - have, "%s%s=%s", have ? "&" : "", name, enc);
	curl_free(enc);
	*body = b;
	return true;
}

static enum tf_err twilio_send(struct tf_service *svc, const json_t *settings, const json_t *message, char *err,
			       size_t err_size)
{
	(void)svc;
	const char *sid = json_string_value(json_object_get(settings, "account_sid"));
	const char *token = json_string_value(json_object_get(settings, "auth_token"));
	const char *from = json_string_value(json_object_get(settings, "from"));
	const char *base = json_string_value(json_object_get(settings, "base_url"));
	const char *channel = json_string_value(json_object_get(message, "channel"));
	const char *to = json_string_value(json_object_get(message, "to"));
	const char *text = json_string_value(json_object_get(message, "text"));
	if (!sid || !token || !from || !channel || !to || !text) {
		snprintf(err, err_size, "twilio: settings or message incomplete");
		return TF_ERR_INTERNAL;
	}
	bool voice = !strcmp(channel, "voice");
	char url[1200];
	snprintf(url, sizeof url, "%s/2010-04-01/Accounts/%s/%s.json", base && *base ? base : TWILIO_DEFAULT_BASE, sid,
		 voice ? "Calls" : "Messages");
	CURL *curl = curl_easy_init();
	const char *language = json_string_value(json_object_get(message, "language"));
	char *body = NULL, *twiml = voice ? twilio_say_twiml(text, language) : NULL;
	enum tf_err e = TF_ERR_INTERNAL;
	if (curl && (!voice || twiml) && form_add_field(curl, &body, "To", to) && form_add_field(curl, &body, "From", from) &&
	    form_add_field(curl, &body, voice ? "Twiml" : "Body", voice ? twiml : text)) {
		curl_easy_setopt(curl, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(curl, CURLOPT_USERNAME, sid);
		curl_easy_setopt(curl, CURLOPT_PASSWORD, token);
		e = provider_http_post(curl, url, body, "twilio", err, err_size);
	}
	if (body) {
		memset(body, 0, strlen(body)); /* it holds the code */
		free(body);
	}
	if (twiml) {
		memset(twiml, 0, strlen(twiml));
		free(twiml);
	}
	curl_easy_cleanup(curl);
	return e;
}

const struct provider provider_twilio = {"twilio", twilio_send};
