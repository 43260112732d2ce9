/*
 * email_confirm.h: confirming a user's email address through the link the confirmation email
 * carries (SPEC sections 2 and 8): the link names the application and a token stored only as
 * its MAC, of purpose confirm_email, used once. A standard user without a password chooses one
 * when confirming; setting a password revokes every trusted device of the user (section 5).
 */
#ifndef TF_SCA_EMAIL_CONFIRM_H
#define TF_SCA_EMAIL_CONFIRM_H
#include "sca/context.h"

/* The user the link's token confirms, for the context's application; NOT_FOUND when the token
 * is unknown, used, expired or of another purpose, or its user is gone. */
enum tf_err sca_email_confirm_find(const struct sca_ctx *ctx, const char *token, struct user_row *out);

/* Whether confirming u's address also sets a password (a standard user without one). */
bool sca_email_confirm_needs_password(const struct user_row *u);

/* Confirms u's address with the link's token, inside the caller's write transaction: uses the
 * token up (EMAIL_LINK_INVALID when it no longer can be: a concurrent use), marks the address
 * verified, and, when password_hash is not NULL, sets it as u's password and revokes u's
 * trusted devices; audited by the user. */
enum tf_err sca_email_confirm(const struct sca_ctx *ctx, const char *token, const struct user_row *u,
			      const char *password_hash);

#endif
