/* passkey_login.c: see passkey_login.h. */
#include "sca/passkey_login.h"

#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "core/challenge.h"
#include "core/session.h"
#include "crypto/crypto.h"
#include "sca/evidence.h"
#include "sca/rate.h"
#include "sca/relying_party.h"
#include "sca/sessions.h"

enum tf_err sca_passkey_login_options(const struct sca_ctx *ctx, bool per_address, struct sca_passkey_options *out,
				      int64_t *retry_after)
{
	if (!rp_configured(ctx->app))
		return TF_ERR_WEBAUTHN_NOT_CONFIGURED;
	uint8_t raw[WEBAUTHN_CHALLENGE_MAX];
	rp_challenge_new(NULL, raw, out->challenge);
	crypto_random_id("chl", out->challenge_id);
	enum tf_err e = sca_tx_begin(ctx);
	if (e != TF_OK)
		return e;
	if (per_address) {
		char key[160];
		struct rate_count n;
		int64_t window_ms = ctx->svc->cfg.rate_window * 1000;
		snprintf(key, sizeof key, "passkey_options_ip:%s:%s", ctx->app->app_id, ctx->client_ip);
		e = sca_rate_hit(ctx, key, window_ms, ctx->svc->cfg.login_attempts_per_address, &n);
		if (e == TF_ERR_RATE_LIMITED) {
			*retry_after = n.window_start + window_ms;
			return sca_tx_end(ctx, e);
		}
	}
	if (e == TF_OK)
		e = STORE(ctx->db)->login_challenge_insert(ctx->db, ctx->app->app_id, out->challenge_id, out->challenge, ctx->now,
						   ctx->now + CHALLENGE_TTL_MS);
	return sca_tx_end(ctx, e);
}

/* The user and passkey factor whose credential answered, the handle checked: else reason. */
static enum webauthn_reason find_credential(const struct sca_ctx *ctx, const struct webauthn_response *r,
					    struct factor_row *f, struct user_row *u, enum tf_err *e)
{
	char id[STORE_CREDENTIAL_ID_MAX];
	sodium_bin2base64(id, sizeof id, r->raw_id, r->raw_id_len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	*e = STORE(ctx->db)->factor_get_by_credential(ctx->db, ctx->app->app_id, id, f);
	if (*e == TF_ERR_NOT_FOUND || (*e == TF_OK && (f->type != FACTOR_PASSKEY || f->status != FACTOR_ACTIVE))) {
		*e = TF_OK;
		return WEBAUTHN_CREDENTIAL;
	}
	if (*e == TF_OK)
		*e = STORE(ctx->db)->user_get(ctx->db, ctx->app->app_id, f->user_id, u);
	if (*e != TF_OK)
		return WEBAUTHN_MALFORMED;
	uint8_t handle[64];
	size_t n = 0;
	bool same = r->user_handle &&
		    sodium_base642bin(handle, sizeof handle, u->webauthn_user_handle, strlen(u->webauthn_user_handle), NULL,
				      &n, NULL, sodium_base64_VARIANT_URLSAFE_NO_PADDING) == 0 &&
		    n == r->user_handle_len && n > 0 && sodium_memcmp(handle, r->user_handle, n) == 0;
	return same ? WEBAUTHN_OK : WEBAUTHN_CREDENTIAL;
}

enum tf_err sca_passkey_sign_in(const struct sca_ctx *ctx, const char *challenge_id,
				const struct webauthn_response *credential, struct sca_passkey_sign_in *out)
{
	memset(out, 0, sizeof *out);
	char ip_key[160];
	int64_t window_ms = ctx->svc->cfg.rate_window * 1000;
	struct rate_count wrong_here = {0};
	snprintf(ip_key, sizeof ip_key, "passkey_login_fail_ip:%s:%s", ctx->app->app_id, ctx->client_ip);
	/* wrong answers per client address, as for codes: checked before, counted after */
	enum tf_err e = sca_wrong_answers_check(ctx, ip_key, &wrong_here, &out->retry_after);
	if (e != TF_OK)
		return e;
	char challenge[72];
	enum webauthn_reason reason = WEBAUTHN_OK;
	struct factor_row f;
	memset(&f, 0, sizeof f);
	e = STORE(ctx->db)->login_challenge_take(ctx->db, ctx->app->app_id, challenge_id, ctx->now, challenge);
	if (e == TF_ERR_NOT_FOUND) { /* unknown, used or expired: nothing it answers */
		e = TF_OK;
		reason = WEBAUTHN_CHALLENGE;
	}
	if (e == TF_OK && reason == WEBAUTHN_OK)
		reason = find_credential(ctx, credential, &f, &out->user, &e);
	struct webauthn_verified v = {0};
	if (e == TF_OK && reason == WEBAUTHN_OK) {
		uint8_t want[WEBAUTHN_CHALLENGE_MAX];
		size_t want_len = rp_challenge_bytes(challenge, want);
		struct rp_settings s;
		rp_settings_read(ctx->app, &s);
		struct webauthn_policy p = rp_policy(&s);
		struct webauthn_stored stored = {credential->raw_id, credential->raw_id_len, f.credential_key,
						 f.credential_key_len, (uint32_t)f.credential_sign_count};
		struct webauthn_assertion in = {credential->client_data, credential->client_data_len,
						credential->authenticator_data, credential->authenticator_data_len,
						credential->signature, credential->signature_len,
						credential->raw_id, credential->raw_id_len};
		reason = !s.configured ? WEBAUTHN_RP_ID
		       : !credential->authenticator_data || !credential->signature
			       ? WEBAUTHN_MALFORMED
			       : webauthn_assert(&p, want, want_len, NULL, &stored, &in, &v);
		rp_settings_clear(&s);
	}
	if (e != TF_OK)
		return e;
	if (reason != WEBAUTHN_OK) {
		char details[96];
		snprintf(details, sizeof details, "{\"method\":\"passkey\",\"reason\":\"%s\"}", webauthn_reason_name(reason));
		out->reason = webauthn_reason_name(reason);
		e = STORE(ctx->db)->counter_hit(ctx->db, ip_key, ctx->now, window_ms, &wrong_here);
		if (e == TF_OK)
			e = sca_audit(ctx, "login.failed", f.user_id[0] ? f.user_id : "", details);
		if (e == TF_OK && reason == WEBAUTHN_COUNTER)
			e = sca_audit(ctx, "factor.counter_regressed", f.factor_id, NULL);
		return e;
	}
	f.credential_sign_count = v.sign_count;
	f.credential_flags = (f.credential_flags & STORE_CREDENTIAL_UV) | (v.backup_eligible ? STORE_CREDENTIAL_BE : 0) |
			     (v.backed_up ? STORE_CREDENTIAL_BS : 0);
	out->user_verified = v.user_verified; /* two elements: the key, and the biometric or PIN */
	e = STORE(ctx->db)->factor_update(ctx->db, &f);
	if (e == TF_OK && out->user_verified)
		e = STORE(ctx->db)->sca_state_record(ctx->db, ctx->app->app_id, out->user.user_id, ctx->now, true);
	struct challenge_row ch = {.purpose = PURPOSE_LOGIN};
	snprintf(ch.challenge_id, sizeof ch.challenge_id, "%s", challenge_id);
	if (e == TF_OK)
		e = sca_evidence_record(ctx, &ch, &f, credential, &v);
	return e;
}

enum tf_err sca_passkey_login(const struct sca_ctx *ctx, const char *challenge_id,
			      const struct webauthn_response *credential, int64_t idle_ms,
			      struct sca_passkey_login_result *out)
{
	memset(out, 0, sizeof *out);
	struct sca_passkey_sign_in in;
	enum tf_err e = sca_tx_begin(ctx);
	if (e != TF_OK)
		return e;
	e = sca_passkey_sign_in(ctx, challenge_id, credential, &in);
	out->retry_after = in.retry_after;
	out->reason = in.reason;
	if (e == TF_OK && !in.reason) {
		out->user = in.user;
		struct sca_ctx by_user = sca_ctx_acting(ctx, "user", in.user.user_id);
		e = sca_session_mint(&by_user, &in.user, idle_ms, ctx->svc->cfg.session_max_lifetime * 1000,
				     "login.succeeded", NULL, out->token, &out->session);
		out->stepped_up = in.user_verified;
		if (e == TF_OK && out->stepped_up)
			e = STORE(ctx->db)->session_set_stepped_up(ctx->db, out->session.session_id, ctx->now);
		if (out->stepped_up)
			out->stepped_up_until = stepup_until(ctx->now);
	}
	if ((e = sca_tx_end(ctx, e)) != TF_OK) {
		sodium_memzero(out->token, sizeof out->token);
		return e;
	}
	return in.reason ? TF_ERR_CREDENTIAL_INVALID : TF_OK;
}
