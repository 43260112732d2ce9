/* context.c: the audit call, the actor, the step-up check and the transactions of the
 * domain's context (see context.h). */
#include <stdio.h>

#include "sca/context.h"

enum tf_err sca_audit(const struct sca_ctx *ctx, const char *event, const char *subject, const char *details)
{
	struct audit_event ev = {
		.app_id = ctx->app->app_id,
		.event = event,
		.actor = ctx->actor,
		.subject = subject,
		.ip = ctx->client_ip,
		.request_id = ctx->request_id,
		.details = details,
		.events_url = ctx->app->events_url,
	};
	return audit_append(ctx->svc, ctx->db, &ev, ctx->now);
}

enum tf_err sca_tx_begin(const struct sca_ctx *ctx)
{
	return store_tx_begin(ctx->db);
}

enum tf_err sca_tx_end(const struct sca_ctx *ctx, enum tf_err e)
{
	return store_tx_end(ctx->db, e);
}

enum tf_err sca_step_up_check(const struct sca_ctx *ctx)
{
	return ctx->needs_step_up && !ctx->stepped_up ? TF_ERR_STEP_UP_REQUIRED : TF_OK;
}

struct sca_ctx sca_ctx_acting(const struct sca_ctx *ctx, const char *kind, const char *id)
{
	struct sca_ctx c = *ctx;
	snprintf(c.actor, sizeof c.actor, "%s:%s", kind, id);
	return c;
}
