/*
 * factors.h: a user's factors as the domain reads and changes them (SPEC section 3). Every
 * read is scoped by the context's application and the user. What a factor kind does on
 * enrolment, challenge and answer is its module's (factor_kind.h); this file owns the rest.
 */
#ifndef TF_SCA_FACTORS_H
#define TF_SCA_FACTORS_H
#include "sca/context.h"

/* The factor factor_id of user_id; NOT_FOUND for another user's or application's. */
enum tf_err sca_factor_get(const struct sca_ctx *ctx, const char *user_id, const char *factor_id,
			   struct factor_row *out);
/* The user's factors, at most max, oldest first. */
enum tf_err sca_factor_list(const struct sca_ctx *ctx, const char *user_id, struct factor_row *out, size_t max,
			    size_t *n_out);

#endif
