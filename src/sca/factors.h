/*
 * factors.h: a user's factors as the domain reads and changes them (SPEC sections 3 and 6):
 * enrolment (with its enrolment challenge), the preferred factor and removal. Every read is
 * scoped by the context's application and the user. What a factor kind does on enrolment,
 * challenge and answer is its module's (factor_kind.h); answering an enrolment challenge is
 * challenges.h's; this file owns the rest.
 */
#ifndef TF_SCA_FACTORS_H
#define TF_SCA_FACTORS_H
#include "sca/challenges.h"

/* A factor's name, given at enrolment: display text (core/validate.h) of at most this many bytes. */
#define FACTOR_NAME_MAX 64

/* The factor factor_id of user_id; NOT_FOUND for another user's or application's. */
enum tf_err sca_factor_get(const struct sca_ctx *ctx, const char *user_id, const char *factor_id,
			   struct factor_row *out);
/* The user's factors, at most max, oldest first. */
enum tf_err sca_factor_list(const struct sca_ctx *ctx, const char *user_id, struct factor_row *out, size_t max,
			    size_t *n_out);
/* The factor factor_id of user_id awaiting its first right answer: ALREADY_VERIFIED once active. */
enum tf_err sca_factor_pending(const struct sca_ctx *ctx, const char *user_id, const char *factor_id,
			       struct factor_row *out);

struct sca_enrolment_result {
	struct factor_row f;          /* the new factor (pending), or the one whose secrets were replaced */
	bool replaced;                /* a kind a user has one of, enrolled again: no new challenge */
	struct sca_send_outcome send; /* the enrolment challenge's send (its id: f.enrolment_challenge_id) */
	char webauthn_challenge[72];  /* a passkey's: what its registration must sign (base64url) */
};

/* Enrols a factor of kind with the (checked) input in for the session's user: the kind's slow
 * work first, then in one transaction the factor, its enrolment challenge (the kind sends its
 * code), the kind's secrets and the audit event. Needs a stepped-up session once the user has
 * an active factor (STEP_UP_REQUIRED); FACTOR_LIMIT_REACHED at FACTORS_PER_USER_MAX;
 * FACTOR_TYPE_DISABLED for a kind the application does not enable (sca/factor_options.h). *en gets
 * what the kind shows once (the caller wipes it). Runs its own transaction. */
enum tf_err sca_factor_enrol(const struct sca_ctx *ctx, struct session_row *session,
			     const struct sca_send_policy *policy, const struct factor_kind *kind,
			     const struct factor_input *in, struct factor_enrolment *en, struct sca_enrolment_result *out);

/* Makes the active factor factor_id of user_id the one used first (FACTOR_NOT_ACTIVE when pending). */
enum tf_err sca_factor_prefer(const struct sca_ctx *ctx, const char *user_id, const char *factor_id,
			      struct factor_row *out);

/* Removes the factor factor_id of user_id (found first, so another user's stays NOT_FOUND; then
 * a stepped-up session is needed) and revokes every trusted device of the user (SPEC section
 * 5). *out gets the removed row. Runs its own transaction. */
enum tf_err sca_factor_remove(const struct sca_ctx *ctx, const char *user_id, const char *factor_id,
			      struct factor_row *out);

#endif
