/*
 * beneficiaries.h: a user's trusted beneficiaries as the domain keeps them (SPEC section 4,
 * RTS art. 13): payees whose payments are exempt from SCA. Changing the list changes what
 * needs SCA, so adding or removing one needs a stepped-up session (sca_step_up_check). Every
 * read and change is scoped by the context's application and the user.
 */
#ifndef TF_SCA_BENEFICIARIES_H
#define TF_SCA_BENEFICIARIES_H
#include "sca/context.h"

/* The user's beneficiaries, at most max. */
enum tf_err sca_beneficiary_list(const struct sca_ctx *ctx, const char *user_id, struct beneficiary_row *out,
				 size_t max, size_t *n_out);
/* Adds the payee name with account (already normalised, as transactions' are) to the user's
 * list: STEP_UP_REQUIRED without step-up, INVALID_REQUEST when the list is full,
 * BENEFICIARY_EXISTS when the account is listed; audited as beneficiary.added. *out gets the row. */
enum tf_err sca_beneficiary_add(const struct sca_ctx *ctx, const char *user_id, const char *name, const char *account,
				struct beneficiary_row *out);
/* Removes the user's beneficiary beneficiary_id: STEP_UP_REQUIRED without step-up (checked
 * first), NOT_FOUND for an unknown one or another user's; audited as beneficiary.removed. */
enum tf_err sca_beneficiary_remove(const struct sca_ctx *ctx, const char *user_id, const char *beneficiary_id);

#endif
