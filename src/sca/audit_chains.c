/* audit_chains.c: see audit_chains.h. */
#include "sca/audit_chains.h"

enum tf_err sca_audit_events(const struct sca_ctx *ctx, const char *chain, int64_t after, int64_t limit,
			     audit_event_visit_fn fn, void *arg)
{
	if (limit < 1 || limit > SCA_AUDIT_LIST_MAX + 1 || after < 0)
		return TF_ERR_INVALID_FIELD;
	return STORE(ctx->db)->audit_events(ctx->db, chain, after, limit, fn, arg);
}

enum tf_err sca_audit_heads(const struct sca_ctx *ctx, const char *chain, int64_t after, struct audit_head_row *out,
			    size_t max, size_t *n_out)
{
	*n_out = 0;
	if (max < 1 || max > SCA_AUDIT_LIST_MAX + 1 || after < 0)
		return TF_ERR_INVALID_FIELD;
	return STORE(ctx->db)->audit_signed_list(ctx->db, chain, after, out, max, n_out);
}

enum tf_err sca_audit_sign(const struct sca_ctx *ctx, const char *chain, struct audit_head_row *out)
{
	enum tf_err e = audit_sign_chain(ctx->svc, ctx->db, chain, ctx->now, out);
	return e == TF_ERR_NOT_FOUND ? TF_ERR_STATE_CONFLICT : e;
}
