/*
 * users.h: the users of an application as the domain reads them (SPEC section 2). A
 * registration left unconfirmed past unverified_user_ttl is gone for every purpose; a user who
 * has confirmed an address once stays, even while a changed address waits for confirmation.
 */
#ifndef TF_SCA_USERS_H
#define TF_SCA_USERS_H
#include "sca/context.h"

/* When u's unconfirmed registration is gone (0: never). */
int64_t sca_user_unverified_expiry(const struct sca_ctx *ctx, const struct user_row *u);
/* Whether u is past that limit now. */
bool sca_user_expired(const struct sca_ctx *ctx, const struct user_row *u);
/* The user user_id of the context's application; NOT_FOUND for one past that limit. */
enum tf_err sca_user_load(const struct sca_ctx *ctx, const char *user_id, struct user_row *out);

#endif
