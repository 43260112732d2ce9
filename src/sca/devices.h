/*
 * devices.h: trusted devices (SPEC section 5): a device is trusted after a verified challenge,
 * for the application's own pages (DOMAIN_API) or for the hosted pages (DOMAIN_HOSTED), and
 * its cookie carries signed claims (core/device_cookie.h). Checking a cookie is the hottest
 * path: it reads no database, only the revocation cache; revoking adds the device there.
 */
#ifndef TF_SCA_DEVICES_H
#define TF_SCA_DEVICES_H
#include "core/device_cookie.h"
#include "sca/context.h"

/* A new trusted device of user_id after challenge_id, in the caller's write transaction,
 * audited as device.trusted by the user: *out gets the row, cookie its only cookie. */
enum tf_err sca_device_issue(const struct sca_ctx *ctx, const char *user_id, const char *challenge_id, bool persistent,
			     enum device_domain domain, struct device_row *out, char cookie[DEVICE_COOKIE_MAX]);
/* Checks a device cookie for user_id of the context's application in domain: NULL when the
 * device is trusted (*claims filled), else why not ("invalid", "expired", "other_user",
 * "revoked"). Reads no database and writes nothing. */
const char *sca_device_check(const struct sca_ctx *ctx, const char *user_id, const char *cookie,
			     enum device_domain domain, struct device_claims *claims);
/* The user's unexpired, unrevoked devices of the context's application (at most
 * DEVICES_LIST_MAX). */
enum tf_err sca_device_list(const struct sca_ctx *ctx, const char *user_id, struct device_row list[DEVICES_LIST_MAX],
			    size_t *n);
/* Revokes the user's device device_id (NOT_FOUND: not the user's) in a transaction of its own,
 * audited by the user; its cookies are refused from the commit on. */
enum tf_err sca_device_revoke(const struct sca_ctx *ctx, const char *user_id, const char *device_id);
/* Revokes every device of user_id, in the caller's write transaction, audited (when there was
 * one) by the user with the reason why; the ids enter the revocation cache before the
 * commit: at worst a cookie is refused a moment early. */
enum tf_err sca_device_revoke_all_in_tx(const struct sca_ctx *ctx, const char *user_id, const char *why);
/* The same in a transaction of its own. */
enum tf_err sca_device_revoke_all(const struct sca_ctx *ctx, const char *user_id, const char *why);

#endif
