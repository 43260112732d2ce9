/* devices.c: issuing, checking, listing and revoking trusted devices (see devices.h). */
#include <stdio.h>
#include <string.h>

#include "crypto/crypto.h"
#include "sca/devices.h"
#include "service/revocations.h"

enum tf_err sca_device_issue(const struct sca_ctx *ctx, const char *user_id, const char *challenge_id, bool persistent,
			     enum device_domain domain, struct device_row *out, char cookie[DEVICE_COOKIE_MAX])
{
	struct device_row d = {.kind = persistent ? DEVICE_PERSISTENT : DEVICE_SESSION, .domain = domain,
			       .created_at = ctx->now,
			       .expires_at = ctx->now + (persistent ? DEVICE_PERSISTENT_MS : DEVICE_SESSION_MS)};
	crypto_random_id("dev", d.device_id);
	snprintf(d.app_id, sizeof d.app_id, "%s", ctx->app->app_id);
	snprintf(d.user_id, sizeof d.user_id, "%s", user_id);
	snprintf(d.challenge_id, sizeof d.challenge_id, "%s", challenge_id);
	struct device_claims cl = {.kind = d.kind, .domain = d.domain, .expires_at = d.expires_at};
	snprintf(cl.app_id, sizeof cl.app_id, "%s", d.app_id);
	snprintf(cl.user_id, sizeof cl.user_id, "%s", d.user_id);
	snprintf(cl.device_id, sizeof cl.device_id, "%s", d.device_id);
	if (!device_cookie_encode(ctx->svc->keys->cookie_hmac, &cl, cookie))
		return TF_ERR_INTERNAL;
	enum tf_err e = STORE(ctx->db)->device_insert(ctx->db, &d);
	if (e == TF_OK) {
		struct sca_ctx by_user = sca_ctx_acting(ctx, "user", user_id);
		char details[96];
		snprintf(details, sizeof details, "{\"kind\":\"%s\",\"domain\":\"%s\"}", device_kind_name(d.kind),
			 device_domain_name(domain));
		e = sca_audit(&by_user, "device.trusted", d.device_id, details);
	}
	if (e == TF_OK)
		*out = d;
	return e;
}

const char *sca_device_check(const struct sca_ctx *ctx, const char *user_id, const char *cookie,
			     enum device_domain domain, struct device_claims *claims)
{
	switch (device_cookie_check(ctx->svc->keys->cookie_hmac, cookie, ctx->now, claims)) {
	case COOKIE_VALID:
		break;
	case COOKIE_EXPIRED:
		return "expired";
	case COOKIE_MALFORMED:
	case COOKIE_BAD_MAC:
		return "invalid";
	}
	/* plain comparisons: these ids are not secrets and the MAC already matched */
	if (strcmp(claims->app_id, ctx->app->app_id) != 0 || claims->domain != domain)
		return "invalid";
	if (strcmp(claims->user_id, user_id) != 0)
		return "other_user";
	if (ctx->svc->revocations && revocations_contains(ctx->svc->revocations, claims->device_id))
		return "revoked";
	return NULL;
}

enum tf_err sca_device_list(const struct sca_ctx *ctx, const char *user_id, struct device_row list[DEVICES_LIST_MAX],
			    size_t *n)
{
	return STORE(ctx->db)->device_list(ctx->db, ctx->app->app_id, user_id, ctx->now, list, DEVICES_LIST_MAX, n);
}

enum tf_err sca_device_revoke(const struct sca_ctx *ctx, const char *user_id, const char *device_id)
{
	enum tf_err e = sca_tx_begin(ctx);
	if (e != TF_OK)
		return e;
	e = STORE(ctx->db)->device_revoke(ctx->db, ctx->app->app_id, user_id, device_id, ctx->now);
	if (e == TF_OK) {
		struct sca_ctx by_user = sca_ctx_acting(ctx, "user", user_id);
		e = sca_audit(&by_user, "device.revoked", device_id, "{\"all\":false}");
	}
	if ((e = sca_tx_end(ctx, e)) != TF_OK)
		return e;
	/* no cookie of this device outlives the longest device lifetime from now */
	if (ctx->svc->revocations)
		revocations_add(ctx->svc->revocations, device_id, ctx->now + DEVICE_PERSISTENT_MS);
	return TF_OK;
}

enum tf_err sca_device_revoke_all_in_tx(const struct sca_ctx *ctx, const char *user_id, const char *why)
{
	struct device_row list[DEVICES_LIST_MAX];
	size_t n = 0;
	int revoked = 0;
	/* read the ids first, to add them to the cache */
	enum tf_err e = sca_device_list(ctx, user_id, list, &n);
	if (e == TF_OK)
		e = STORE(ctx->db)->device_revoke_all(ctx->db, ctx->app->app_id, user_id, ctx->now, &revoked);
	if (e == TF_OK && revoked) {
		struct sca_ctx by_user = sca_ctx_acting(ctx, "user", user_id);
		char details[96];
		snprintf(details, sizeof details, "{\"all\":true,\"count\":%d,\"reason\":\"%s\"}", revoked, why);
		e = sca_audit(&by_user, "device.revoked", user_id, details);
	}
	for (size_t i = 0; e == TF_OK && i < n && ctx->svc->revocations; i++)
		revocations_add(ctx->svc->revocations, list[i].device_id, list[i].expires_at);
	return e;
}

enum tf_err sca_device_revoke_all(const struct sca_ctx *ctx, const char *user_id, const char *why)
{
	enum tf_err e = sca_tx_begin(ctx);
	if (e != TF_OK)
		return e;
	return sca_tx_end(ctx, sca_device_revoke_all_in_tx(ctx, user_id, why));
}
