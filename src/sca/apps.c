/* apps.c: finding applications by id and by client id (see apps.h). */
#include "sca/apps.h"

enum tf_err sca_app_get(const struct sca_ctx *ctx, const char *app_id, struct app_row *out)
{
	return STORE(ctx->db)->app_get(ctx->db, app_id, out);
}

enum tf_err sca_app_get_by_client_id(const struct sca_ctx *ctx, const char *client_id, struct app_row *out)
{
	return STORE(ctx->db)->app_get_by_client_id(ctx->db, client_id, out);
}
