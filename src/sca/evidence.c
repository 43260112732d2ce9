/* evidence.c: see evidence.h. */
#include "sca/evidence.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

static void b64url(char *out, size_t size, const uint8_t *p, size_t n)
{
	sodium_bin2base64(out, size, p, n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

enum tf_err sca_evidence_record(const struct sca_ctx *ctx, const struct challenge_row *ch, const struct factor_row *f,
				const struct webauthn_response *r, const struct webauthn_verified *v)
{
	/* the decoded sizes the adapters accept fit the columns (http/webauthn_json.c) */
	if (sodium_base64_ENCODED_LEN(r->authenticator_data_len, sodium_base64_VARIANT_URLSAFE_NO_PADDING) >
		    STORE_EVIDENCE_AUTH_DATA_MAX ||
	    sodium_base64_ENCODED_LEN(r->client_data_len, sodium_base64_VARIANT_URLSAFE_NO_PADDING) >
		    STORE_EVIDENCE_CLIENT_DATA_MAX ||
	    sodium_base64_ENCODED_LEN(r->signature_len, sodium_base64_VARIANT_URLSAFE_NO_PADDING) > STORE_EVIDENCE_SIGNATURE_MAX)
		return TF_ERR_INTERNAL;
	struct evidence_row *x = calloc(1, sizeof *x);
	if (!x)
		return TF_ERR_INTERNAL;
	snprintf(x->challenge_id, sizeof x->challenge_id, "%s", ch->challenge_id);
	snprintf(x->app_id, sizeof x->app_id, "%s", ctx->app->app_id);
	snprintf(x->user_id, sizeof x->user_id, "%s", f->user_id);
	snprintf(x->factor_id, sizeof x->factor_id, "%s", f->factor_id);
	x->purpose = ch->purpose;
	if (ch->has_transaction)
		snprintf(x->transaction_hash, sizeof x->transaction_hash, "%s", ch->tx_hash);
	snprintf(x->credential_id, sizeof x->credential_id, "%s", f->credential_id);
	memcpy(x->public_key, f->credential_key, f->credential_key_len);
	x->public_key_len = f->credential_key_len;
	x->alg = f->credential_alg;
	b64url(x->authenticator_data, sizeof x->authenticator_data, r->authenticator_data, r->authenticator_data_len);
	b64url(x->client_data, sizeof x->client_data, r->client_data, r->client_data_len);
	b64url(x->signature, sizeof x->signature, r->signature, r->signature_len);
	x->user_verified = v->user_verified;
	x->spc = v->spc;
	x->created_at = ctx->now;
	enum tf_err e = STORE(ctx->db)->evidence_insert(ctx->db, x);
	free(x);
	return e;
}

enum tf_err sca_evidence_get(const struct sca_ctx *ctx, const char *challenge_id, struct evidence_row *out)
{
	return STORE(ctx->db)->evidence_get(ctx->db, ctx->app->app_id, challenge_id, out);
}
