/*
 * apps.h: applications as the domain finds them by what a request names: the id (an
 * application's own session token, the hosted-session cookie, the confirmation link) or the
 * client id (SSO entry, the hosted sign-in, links in emails). An application found by its api
 * key comes from the cache (service/app_cache.h).
 */
#ifndef TF_SCA_APPS_H
#define TF_SCA_APPS_H
#include "sca/context.h"

/* The application app_id into *out (NOT_FOUND: none). */
enum tf_err sca_app_get(const struct sca_ctx *ctx, const char *app_id, struct app_row *out);
/* The application whose client id is client_id into *out (NOT_FOUND: none). */
enum tf_err sca_app_get_by_client_id(const struct sca_ctx *ctx, const char *client_id, struct app_row *out);

#endif
