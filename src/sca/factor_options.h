/*
 * factor_options.h: which factor types an application enables (its enabled_factor_types, every
 * type by default) and which of them a user may enrol now, each with what it needs (SPEC
 * section 3; docs/accessibility.md). Enrolling a type the application does not enable is
 * refused (FACTOR_TYPE_DISABLED); factors of a type disabled later keep working. The
 * guarantee the options give: when the application enables a kind that needs no smartphone
 * (FACTOR_KIND_WITHOUT_SMARTPHONE: voice, email, a passkey on a security key), a user can
 * always enrol one; when it enables none, the admin API and factor_options say so.
 */
#ifndef TF_SCA_FACTOR_OPTIONS_H
#define TF_SCA_FACTOR_OPTIONS_H
#include "sca/factor_kind.h"

/* A set of factor types: bit (1u << type) for each. */
#define FACTOR_TYPES_ALL ((1u << FACTOR_TYPE__MAX) - 1)
#define FACTOR_TYPE_BIT(type) (1u << (type))

/* The types the application enables, from its row ("" or unreadable text: every type). */
unsigned factor_types_enabled(const struct app_row *app);
/* Whether the application lets its users enrol kind k. */
bool factor_type_enabled(const struct app_row *app, const struct factor_kind *k);
/* The set as stored: a JSON array of type names in the kinds' order, into out. */
void factor_types_text(unsigned types, char out[STORE_FACTOR_TYPES_MAX]);
/* A list of type names separated by commas ("sms,voice,email") as that text; false when it
 * names no type or one twofold does not have. */
bool factor_types_parse_list(const char *list, char out[STORE_FACTOR_TYPES_MAX]);
/* Whether the set, on an application that is a configured relying party or not, holds a kind
 * that needs no smartphone that can be enrolled (a passkey only with the settings it needs). */
bool factor_types_without_smartphone(unsigned types, bool rp_configured);

/* Why a type cannot be enrolled now. */
enum factor_option_state {
	FACTOR_OPTION_AVAILABLE,
	FACTOR_OPTION_DISABLED,                /* the application does not enable it */
	FACTOR_OPTION_WEBAUTHN_NOT_CONFIGURED, /* a passkey, on an application without passkey settings */
	FACTOR_OPTION_ALREADY_ENROLLED,        /* a kind a user has one of (a backup-code sheet) */
	FACTOR_OPTION_FACTOR_LIMIT_REACHED,    /* the user has FACTORS_PER_USER_MAX factors */
};
extern const char *const factor_option_state_names[]; /* "available", "disabled", ... */

struct factor_options {
	enum factor_option_state state[FACTOR_TYPE__MAX];
	bool without_smartphone; /* an available type is FACTOR_KIND_WITHOUT_SMARTPHONE */
};

/* The options of a user who has the n factors of list, on an application enabling types,
 * a configured relying party or not. Pure. */
void factor_options_of(unsigned types, bool rp_configured, const struct factor_row *list, size_t n,
		       struct factor_options *out);

/* The options of user user_id of the context's application (NOT_FOUND for another
 * application's user, or none). */
enum tf_err sca_factor_options(const struct sca_ctx *ctx, const char *user_id, struct factor_options *out);

#endif
