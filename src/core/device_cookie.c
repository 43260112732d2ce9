/* device_cookie.c: see device_cookie.h. */
#include "core/device_cookie.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/hmac.h"

#define PREFIX "tfd1."
#define B64 sodium_base64_VARIANT_URLSAFE_NO_PADDING

/* the names in the cookie and on the wire, indexed by the enumerations */
static const char *const kind_names[] = {[DEVICE_PERSISTENT] = "persistent", [DEVICE_SESSION] = "session"};
static const char *const domain_names[] = {[DOMAIN_API] = "api", [DOMAIN_HOSTED] = "hosted"};

const char *device_kind_name(enum device_kind k)
{
	return kind_names[k == DEVICE_SESSION ? DEVICE_SESSION : DEVICE_PERSISTENT];
}

const char *device_domain_name(enum device_domain d)
{
	return domain_names[d == DOMAIN_HOSTED ? DOMAIN_HOSTED : DOMAIN_API];
}

static void mac_of(const struct tf_hmac_key *key, const char *signed_part, size_t len, uint8_t mac[32])
{
	const struct mac_part part = {signed_part, len};
	hmac_sha256(key, &part, 1, mac);
}

bool device_cookie_encode(const struct tf_hmac_key *key, const struct device_claims *c, char out[DEVICE_COOKIE_MAX])
{
	char payload[256];
	int n = snprintf(payload, sizeof payload, "%s|%s|%s|%s|%s|%lld", c->app_id, c->user_id, c->device_id,
			 device_kind_name(c->kind), device_domain_name(c->domain), (long long)c->expires_at);
	if (n < 0 || (size_t)n >= sizeof payload)
		return false;
	size_t p = strlen(PREFIX);
	memcpy(out, PREFIX, p);
	size_t b64_len = sodium_base64_encoded_len((size_t)n, B64);
	if (p + b64_len + 1 + sodium_base64_encoded_len(32, B64) > DEVICE_COOKIE_MAX)
		return false;
	sodium_bin2base64(out + p, DEVICE_COOKIE_MAX - p, (const uint8_t *)payload, (size_t)n, B64);
	p += strlen(out + p);
	uint8_t mac[32];
	mac_of(key, out, p, mac);
	out[p++] = '.';
	sodium_bin2base64(out + p, DEVICE_COOKIE_MAX - p, mac, sizeof mac, B64);
	return true;
}

/* Copies the next '|' field of *s into out; false when missing or too long. */
static bool next_field(char **s, char *out, size_t size)
{
	char *bar = strchr(*s, '|');
	size_t len = bar ? (size_t)(bar - *s) : strlen(*s);
	if (len == 0 || len >= size)
		return false;
	memcpy(out, *s, len);
	out[len] = '\0';
	*s += len + (bar ? 1 : 0);
	return true;
}

/* The index in names[0..n) of the next '|' field of *s; -1 when it is missing or none of them. */
static int next_name(char **s, const char *const *names, int n)
{
	char field[40];
	if (!next_field(s, field, sizeof field))
		return -1;
	for (int i = 0; i < n; i++)
		if (!strcmp(field, names[i]))
			return i;
	return -1;
}

enum cookie_verdict device_cookie_check(const struct tf_hmac_key *key, const char *value, int64_t now,
					struct device_claims *out)
{
	size_t len = strnlen(value, DEVICE_COOKIE_MAX);
	if (len >= DEVICE_COOKIE_MAX || strncmp(value, PREFIX, strlen(PREFIX)) != 0)
		return COOKIE_MALFORMED;
	const char *dot = strrchr(value, '.');
	if (!dot || dot < value + strlen(PREFIX))
		return COOKIE_MALFORMED;
	size_t signed_len = (size_t)(dot - value);
	/* compared in its base64 form (43 characters, canonical: no padding, zero spare bits),
	 * which spares decoding it */
	uint8_t want[32];
	char want_b64[48];
	if (strlen(dot + 1) != 43)
		return COOKIE_MALFORMED;
	mac_of(key, value, signed_len, want);
	sodium_bin2base64(want_b64, sizeof want_b64, want, sizeof want, B64);
	if (sodium_memcmp(want_b64, dot + 1, 43) != 0)
		return COOKIE_BAD_MAC;
	/* signed by us: the payload is trusted to be well formed, but check it all the same */
	char payload[256];
	size_t plen = 0;
	const char *b64 = value + strlen(PREFIX);
	if (sodium_base642bin((uint8_t *)payload, sizeof payload - 1, b64, signed_len - strlen(PREFIX), NULL, &plen, NULL, B64) != 0)
		return COOKIE_MALFORMED;
	payload[plen] = '\0';
	char *s = payload;
	memset(out, 0, sizeof *out);
	if (!next_field(&s, out->app_id, sizeof out->app_id) || !next_field(&s, out->user_id, sizeof out->user_id) ||
	    !next_field(&s, out->device_id, sizeof out->device_id))
		return COOKIE_MALFORMED;
	int kind = next_name(&s, kind_names, sizeof kind_names / sizeof kind_names[0]);
	int domain = kind < 0 ? -1 : next_name(&s, domain_names, sizeof domain_names / sizeof domain_names[0]);
	if (domain < 0)
		return COOKIE_MALFORMED;
	out->kind = (enum device_kind)kind;
	out->domain = (enum device_domain)domain;
	char *end;
	long long exp = strtoll(s, &end, 10);
	if (end == s || *end)
		return COOKIE_MALFORMED;
	out->expires_at = exp;
	return now < exp ? COOKIE_VALID : COOKIE_EXPIRED;
}
