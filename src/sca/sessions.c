/* sessions.c: minting API sessions (see sessions.h). */
#include <stdio.h>

#include "crypto/crypto.h"
#include "sca/sessions.h"

enum tf_err sca_session_mint(const struct sca_ctx *ctx, const struct user_row *u, int64_t idle_ms, int64_t lifetime_ms,
			     const char *event, const char *face, char token[TF_TOKEN_MAX], struct session_row *out)
{
	struct session_row s = {.kind = SESSION_API, .created_at = ctx->now, .last_seen_at = ctx->now,
				.idle_timeout_ms = idle_ms, .absolute_expires_at = ctx->now + lifetime_ms};
	crypto_random_token("tfs_", token);
	crypto_random_id("ses", s.session_id);
	crypto_secret_mac(ctx->svc->keys, "session", token, s.token_mac);
	snprintf(s.app_id, sizeof s.app_id, "%s", u->app_id);
	snprintf(s.user_id, sizeof s.user_id, "%s", u->user_id);
	enum tf_err e = STORE(ctx->db)->session_insert(ctx->db, &s);
	if (e == TF_OK) {
		char details[128];
		if (face)
			snprintf(details, sizeof details, "{\"session_id\":\"%s\",\"face\":\"%s\"}", s.session_id, face);
		else
			snprintf(details, sizeof details, "{\"session_id\":\"%s\"}", s.session_id);
		e = sca_audit(ctx, event, u->user_id, details);
	}
	if (e == TF_OK && out)
		*out = s;
	return e;
}
