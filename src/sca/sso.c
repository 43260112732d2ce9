/* sso.c: issuing and redeeming single sign-on tokens (see sso.h). */
#include <sodium.h>
#include <stdio.h>

#include "crypto/crypto.h"
#include "sca/sso.h"
#include "sca/users.h"

enum tf_err sca_sso_token_issue(const struct sca_ctx *ctx, const char *user_id, char token[SCA_SSO_TOKEN_MAX],
				struct sso_token_row *out)
{
	struct user_row u;
	enum tf_err e = sca_user_load(ctx, user_id, &u);
	if (e != TF_OK)
		return e;
	uint8_t raw[32];
	snprintf(token, SCA_SSO_TOKEN_MAX, "tfo_");
	crypto_random_bytes(raw, sizeof raw);
	sodium_bin2hex(token + 4, SCA_SSO_TOKEN_MAX - 4, raw, sizeof raw);
	sodium_memzero(raw, sizeof raw);
	struct sso_token_row t = {.created_at = ctx->now, .expires_at = ctx->now + ctx->svc->cfg.sso_token_lifetime * 1000};
	crypto_secret_mac(ctx->svc->keys, "sso_token", token, t.token_mac);
	snprintf(t.app_id, sizeof t.app_id, "%s", ctx->app->app_id);
	snprintf(t.user_id, sizeof t.user_id, "%s", u.user_id);
	if ((e = sca_tx_begin(ctx)) != TF_OK)
		goto out;
	e = STORE(ctx->db)->sso_token_insert(ctx->db, &t);
	if (e == TF_OK) {
		struct sca_ctx by_app = sca_ctx_acting(ctx, "app", ctx->app->app_id);
		e = sca_audit(&by_app, "sso.token_issued", u.user_id, NULL);
	}
	e = sca_tx_end(ctx, e);
out:
	if (e != TF_OK)
		sodium_memzero(token, SCA_SSO_TOKEN_MAX);
	else
		*out = t;
	return e;
}

enum tf_err sca_sso_token_redeem(const struct sca_ctx *ctx, const char *token, struct user_row *u)
{
	uint8_t mac[TF_MAC_BYTES];
	crypto_secret_mac(ctx->svc->keys, "sso_token", token, mac);
	struct sso_token_row t;
	enum tf_err e = STORE(ctx->db)->sso_token_redeem(ctx->db, ctx->app->app_id, mac, ctx->now, &t);
	if (e == TF_OK)
		e = sca_user_load(ctx, t.user_id, u);
	return e == TF_ERR_NOT_FOUND ? TF_ERR_SSO_TOKEN_INVALID : e; /* unknown, or another application's */
}

enum tf_err sca_sso_refused(const struct sca_ctx *ctx, enum tf_err e)
{
	e = sca_tx_end(ctx, e);
	if (e == TF_ERR_SSO_TOKEN_INVALID || e == TF_ERR_SSO_TOKEN_USED || e == TF_ERR_SSO_TOKEN_EXPIRED) {
		struct sca_ctx by_app = sca_ctx_acting(ctx, "app", ctx->app->app_id);
		char details[96];
		snprintf(details, sizeof details, "{\"reason\":\"%s\"}", tf_err_code(e));
		if (sca_tx_begin(ctx) == TF_OK)
			(void)sca_tx_end(ctx, sca_audit(&by_app, "sso.refused", "", details));
	}
	return e;
}

enum tf_err sca_sso_signed_in(const struct sca_ctx *ctx, const char *user_id, const char *session_id)
{
	struct sca_ctx by_app = sca_ctx_acting(ctx, "app", ctx->app->app_id);
	char details[96];
	snprintf(details, sizeof details, "{\"session_id\":\"%s\"}", session_id);
	return sca_audit(&by_app, "sso.signed_in", user_id, details);
}
