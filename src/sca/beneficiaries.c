/* beneficiaries.c: a user's trusted beneficiaries (see beneficiaries.h). */
#include <stdio.h>
#include <string.h>

#include "sca/beneficiaries.h"

enum tf_err sca_beneficiary_list(const struct sca_ctx *ctx, const char *user_id, struct beneficiary_row *out,
				 size_t max, size_t *n_out)
{
	return STORE(ctx->db)->beneficiary_list(ctx->db, ctx->app->app_id, user_id, out, max, n_out);
}

static enum tf_err audit(const struct sca_ctx *ctx, const char *event, const char *user_id, const char *beneficiary_id)
{
	char details[160];
	snprintf(details, sizeof details, "{\"beneficiary_id\":\"%s\"}", beneficiary_id);
	return sca_audit(ctx, event, user_id, details);
}

enum tf_err sca_beneficiary_add(const struct sca_ctx *ctx, const char *user_id, const char *name, const char *account,
				struct beneficiary_row *out)
{
	enum tf_err e = sca_step_up_check(ctx); /* changing the list needs SCA (art. 13) */
	if (e != TF_OK)
		return e;
	struct beneficiary_row *b = out;
	memset(b, 0, sizeof *b);
	b->created_at = ctx->now;
	snprintf(b->account, sizeof b->account, "%s", account);
	snprintf(b->name, sizeof b->name, "%s", name);
	crypto_random_id("ben", b->beneficiary_id);
	snprintf(b->app_id, sizeof b->app_id, "%s", ctx->app->app_id);
	snprintf(b->user_id, sizeof b->user_id, "%s", user_id);
	struct beneficiary_row list[BENEFICIARIES_MAX];
	size_t n;
	if ((e = sca_tx_begin(ctx)) != TF_OK)
		return e;
	e = sca_beneficiary_list(ctx, user_id, list, BENEFICIARIES_MAX, &n);
	if (e == TF_OK && n >= BENEFICIARIES_MAX)
		e = TF_ERR_INVALID_REQUEST;
	if (e == TF_OK)
		e = STORE(ctx->db)->beneficiary_insert(ctx->db, b);
	if (e == TF_OK)
		e = audit(ctx, "beneficiary.added", user_id, b->beneficiary_id);
	return sca_tx_end(ctx, e);
}

enum tf_err sca_beneficiary_remove(const struct sca_ctx *ctx, const char *user_id, const char *beneficiary_id)
{
	enum tf_err e = sca_step_up_check(ctx);
	if (e != TF_OK)
		return e;
	if (strlen(beneficiary_id) >= TF_ID_MAX)
		return TF_ERR_NOT_FOUND;
	if ((e = sca_tx_begin(ctx)) != TF_OK)
		return e;
	e = STORE(ctx->db)->beneficiary_delete(ctx->db, ctx->app->app_id, user_id, beneficiary_id);
	if (e == TF_OK)
		e = audit(ctx, "beneficiary.removed", user_id, beneficiary_id);
	return sca_tx_end(ctx, e);
}
