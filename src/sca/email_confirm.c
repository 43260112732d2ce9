/* email_confirm.c: confirming an email address through its link (see email_confirm.h). */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "sca/devices.h"
#include "sca/email_confirm.h"
#include "sca/users.h"

enum tf_err sca_email_confirm_find(const struct sca_ctx *ctx, const char *token, struct user_row *out)
{
	uint8_t mac[TF_MAC_BYTES];
	crypto_secret_mac(ctx->svc->keys, "email_token", token, mac);
	struct email_token_row t;
	enum tf_err e = STORE(ctx->db)->email_token_get(ctx->db, ctx->app->app_id, mac, ctx->now, &t);
	sodium_memzero(mac, sizeof mac);
	if (e == TF_OK && strcmp(t.purpose, "confirm_email") != 0)
		e = TF_ERR_NOT_FOUND;
	if (e == TF_OK)
		e = sca_user_load(ctx, t.user_id, out);
	return e;
}

bool sca_email_confirm_needs_password(const struct user_row *u)
{
	return u->type == USER_STANDARD && !u->password_hash[0];
}

enum tf_err sca_email_confirm(const struct sca_ctx *ctx, const char *token, const struct user_row *u,
			      const char *password_hash)
{
	struct sca_ctx by_user = *ctx;
	snprintf(by_user.actor, sizeof by_user.actor, "user:%s", u->user_id);
	uint8_t mac[TF_MAC_BYTES];
	crypto_secret_mac(ctx->svc->keys, "email_token", token, mac);
	enum tf_err e = STORE(ctx->db)->email_token_use(ctx->db, ctx->app->app_id, mac, ctx->now);
	sodium_memzero(mac, sizeof mac);
	if (e == TF_ERR_NOT_FOUND)
		e = TF_ERR_EMAIL_LINK_INVALID; /* used by a concurrent press of the button */
	if (e == TF_OK) {
		e = STORE(ctx->db)->user_mark_verified(ctx->db, ctx->app->app_id, u->user_id, ctx->now);
		if (e == TF_ERR_EMAIL_ALREADY_VERIFIED)
			e = TF_OK;
	}
	if (e == TF_OK)
		e = sca_audit(&by_user, "user.email_confirmed", u->user_id, NULL);
	if (e == TF_OK && password_hash) {
		e = STORE(ctx->db)->user_set_password(ctx->db, ctx->app->app_id, u->user_id, password_hash);
		if (e == TF_OK)
			e = sca_device_revoke_all_in_tx(&by_user, u->user_id, "password_set");
		if (e == TF_OK)
			e = sca_audit(&by_user, "user.password_set", u->user_id, NULL);
	}
	return e;
}
