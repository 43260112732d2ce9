/* hosted_sessions.c: finding, gating, minting and ending hosted-page sessions (see hosted_sessions.h). */
#include <stdio.h>
#include <string.h>

#include "crypto/crypto.h"
#include "sca/devices.h"
#include "sca/factor_kind.h"
#include "sca/factors.h"
#include "sca/hosted_sessions.h"

enum tf_err sca_hosted_session_find(const struct sca_ctx *ctx, const char *token, struct session_row *out,
				    struct hosted_session_info *info)
{
	uint8_t mac[TF_MAC_BYTES];
	crypto_secret_mac(ctx->svc->keys, "hosted_session", token, mac);
	enum tf_err e = STORE(ctx->db)->session_get(ctx->db, ctx->app->app_id, mac, out);
	if (e != TF_OK)
		return e;
	if (out->kind != SESSION_HOSTED)
		return TF_ERR_HOSTED_SESSION_EXPIRED;
	return STORE(ctx->db)->hosted_session_info(ctx->db, out->session_id, info);
}

enum tf_err sca_hosted_gate(const struct sca_ctx *ctx, const char *user_id, const char *device_cookie, bool passkeys,
			    struct factor_row *pick, bool *owes)
{
	struct factor_row list[FACTORS_PER_USER_MAX];
	size_t n;
	*owes = false;
	enum tf_err e = sca_factor_list(ctx, user_id, list, FACTORS_PER_USER_MAX, &n);
	if (e != TF_OK)
		return e;
	int best = -1;
	bool any_active = false;
	for (size_t i = 0; i < n; i++) {
		any_active |= list[i].status == FACTOR_ACTIVE;
		bool takes = factor_kind_answered_on_page(factor_kind_of(list[i].type), passkeys);
		if (list[i].status == FACTOR_ACTIVE && takes && (best < 0 || (list[i].preferred && !list[best].preferred)))
			best = (int)i;
	}
	if (!any_active)
		return TF_OK;
	/* a push factor owes the gate too, though these pages cannot send it (pick->factor_id
	 * stays empty then, and the challenge page offers what it can) */
	memset(pick, 0, sizeof *pick);
	if (best >= 0)
		*pick = list[best];
	struct device_claims claims;
	*owes = !device_cookie || sca_device_check(ctx, user_id, device_cookie, DOMAIN_HOSTED, &claims) != NULL;
	return TF_OK;
}

enum tf_err sca_hosted_session_mint(const struct sca_ctx *ctx, const char *user_id, const char *redirect_uri,
				    bool mfa_pending, char token[TF_TOKEN_MAX], struct session_row *out)
{
	crypto_random_token("tfh_", token);
	memset(out, 0, sizeof *out);
	out->kind = SESSION_HOSTED;
	out->created_at = out->last_seen_at = ctx->now;
	out->idle_timeout_ms = ctx->svc->cfg.hosted_session_idle_timeout * 1000;
	out->absolute_expires_at = ctx->now + ctx->svc->cfg.hosted_session_max_lifetime * 1000;
	crypto_random_id("ses", out->session_id);
	crypto_secret_mac(ctx->svc->keys, "hosted_session", token, out->token_mac);
	snprintf(out->app_id, sizeof out->app_id, "%s", ctx->app->app_id);
	snprintf(out->user_id, sizeof out->user_id, "%s", user_id);
	struct hosted_session_info info = {.mfa_pending = mfa_pending};
	snprintf(info.redirect_uri, sizeof info.redirect_uri, "%s", redirect_uri);
	return STORE(ctx->db)->hosted_session_insert(ctx->db, out, &info);
}

enum tf_err sca_hosted_signed_in(const struct sca_ctx *ctx, const char *user_id, const char *method)
{
	struct sca_ctx by_user = sca_ctx_acting(ctx, "user", user_id);
	char details[64];
	if (method)
		snprintf(details, sizeof details, "{\"method\":\"%s\"}", method);
	return sca_audit(&by_user, "hosted.signed_in", user_id, method ? details : NULL);
}

enum tf_err sca_hosted_session_end(const struct sca_ctx *ctx, const struct session_row *s)
{
	enum tf_err e = sca_tx_begin(ctx);
	if (e != TF_OK)
		return e;
	e = STORE(ctx->db)->session_revoke(ctx->db, ctx->app->app_id, s->session_id, ctx->now);
	if (e == TF_OK) {
		struct sca_ctx by_user = sca_ctx_acting(ctx, "user", s->user_id);
		char details[128];
		snprintf(details, sizeof details, "{\"session_id\":\"%s\",\"reason\":\"logout\"}", s->session_id);
		e = sca_audit(&by_user, "session.revoked", s->user_id, details);
	}
	return sca_tx_end(ctx, e);
}
