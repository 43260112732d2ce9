/*
 * device_cookie.h: the trusted-device cookie (SPEC section 5, seed 000). Its value is a
 * versioned token signed with HMAC-SHA-256 under the cookie key derived from the master key:
 *
 *   tfd1.<base64url(payload)>.<base64url(mac)>
 *   payload = app_id "|" user_id "|" device_id "|" kind "|" domain "|" expires_at_ms
 *   mac     = HMAC-SHA-256(cookie key, "tfd1." base64url(payload))
 *
 * kind is "persistent" (30 days) or "session" (10 minutes, stored by the browser without an
 * expiry); domain is "api" (cookies answered to applications) or "hosted" (twofold's own
 * pages): trust is per domain and neither validates as the other. Pure: parsing and checking
 * take the key and the time; the MAC is compared in constant time. The key comes prepared for
 * HMAC (crypto/hmac.h, keys->cookie_hmac), which computes it with libcrypto's SHA-256.
 */
#ifndef TF_CORE_DEVICE_COOKIE_H
#define TF_CORE_DEVICE_COOKIE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tf_hmac_key; /* crypto/hmac.h: the caller prepares the cookie key */

#define DEVICE_COOKIE_MAX 512
#define DEVICE_PERSISTENT_MS (30LL * 24 * 3600 * 1000)
#define DEVICE_SESSION_MS (10LL * 60 * 1000)

enum device_kind { DEVICE_PERSISTENT, DEVICE_SESSION };
enum device_domain { DOMAIN_API, DOMAIN_HOSTED };

struct device_claims {
	char app_id[40];
	char user_id[40];
	char device_id[40];
	enum device_kind kind;
	enum device_domain domain;
	int64_t expires_at;
};

/* Writes the signed cookie value for claims; returns false if it does not fit. */
bool device_cookie_encode(const struct tf_hmac_key *key, const struct device_claims *c,
			  char out[DEVICE_COOKIE_MAX]);

enum cookie_verdict {
	COOKIE_VALID,
	COOKIE_MALFORMED,  /* not a twofold device cookie, or an unknown version */
	COOKIE_BAD_MAC,    /* altered, or signed under another key */
	COOKIE_EXPIRED,
};

/* Parses and checks value: format, version, MAC, expiry at now. Claims are filled for
 * COOKIE_VALID and COOKIE_EXPIRED. The caller then checks app, user, domain, revocation. */
enum cookie_verdict device_cookie_check(const struct tf_hmac_key *key, const char *value, int64_t now,
					struct device_claims *out);

const char *device_kind_name(enum device_kind k);
const char *device_domain_name(enum device_domain d);

#endif
