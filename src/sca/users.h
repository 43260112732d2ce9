/*
 * users.h: the users of an application as the domain reads and changes them (SPEC section 2).
 * A registration left unconfirmed past unverified_user_ttl is gone for every purpose (its
 * address is free again); a user who has confirmed an address once stays, even while a
 * changed address waits for confirmation. Confirmation emails carry a one-time link to the
 * hosted confirmation page (only its MAC is stored), valid for 72 hours.
 */
#ifndef TF_SCA_USERS_H
#define TF_SCA_USERS_H
#include "l10n/l10n.h"
#include "sca/context.h"

#define SCA_EMAIL_MESSAGE_MAX 1000 /* bytes of the partner's own words in a confirmation email */

/* When u's unconfirmed registration is gone (0: never). */
int64_t sca_user_unverified_expiry(const struct sca_ctx *ctx, const struct user_row *u);
/* Whether u is past that limit now. */
bool sca_user_expired(const struct sca_ctx *ctx, const struct user_row *u);
/* The user user_id of the context's application; NOT_FOUND for one past that limit. */
enum tf_err sca_user_load(const struct sca_ctx *ctx, const char *user_id, struct user_row *out);

/* PERMISSION_DENIED when the context's application may not register users of type. */
enum tf_err sca_user_registration_allowed(const struct sca_ctx *ctx, enum user_type type);
/* Inserts u, a validated new user of the context's application, in the caller's write
 * transaction: frees the address of a registration past its limit first, audits
 * user.registered by the application. EMAIL_TAKEN when the address is in use. */
enum tf_err sca_user_insert(const struct sca_ctx *ctx, const struct user_row *u);
/* The same in a transaction of its own. */
enum tf_err sca_user_create(const struct sca_ctx *ctx, const struct user_row *u);

/* Marks user_id's address confirmed by the application (PERMISSION_DENIED unless it may; the
 * user is looked up first, so an unknown one stays NOT_FOUND). *out: the user afterwards. */
enum tf_err sca_user_mark_email_verified(const struct sca_ctx *ctx, const char *user_id, struct user_row *out);

/* The language user_id reads messages in: its locale, else the application's default_locale,
 * else English (l10n.h). In the caller's transaction. */
struct l10n sca_user_l10n(const struct sca_ctx *ctx, const char *user_id);

/* Sets user_id's locale (a BCP 47 tag the caller checked with l10n_tag_valid, "" for none: the
 * application's default_locale applies), audited as user.updated. *out: the user afterwards. */
enum tf_err sca_user_set_locale(const struct sca_ctx *ctx, const char *user_id, const char *locale,
				struct user_row *out);

/* Queues the confirmation email of user_id's address (email_message, optional, is the
 * application's own words in it; validated by the caller): EMAIL_ALREADY_VERIFIED when it is
 * confirmed. *out gets the user, message_id the queued message. */
enum tf_err sca_user_send_confirmation(const struct sca_ctx *ctx, const char *user_id, const char *email_message,
				       struct user_row *out, char message_id[TF_ID_MAX]);

/* Gives user_id the address email (validated and normalised by the caller): unconfirmed, with
 * a confirmation email (email_message, optional, in it) and the old address, when it was
 * confirmed, told of the change; links sent to the old address stop working. EMAIL_TAKEN when
 * another user of the application has it; the same address changes nothing and sends nothing
 * (*queued false). *out gets the user as it is afterwards. */
enum tf_err sca_user_change_email(const struct sca_ctx *ctx, const char *user_id, const char *email,
				  const char *email_message, struct user_row *out, bool *queued);

#endif
