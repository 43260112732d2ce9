/*
 * exemptions.h: what POST /v1/authorize decides (SPEC sections 4 and 6), from facts the caller
 * loaded first, so that the order of the rules is one pure function of the facts and the time.
 * An account operation is allowed by a trusted device, else by a stepped-up session (section
 * 6), and needs a factor to challenge with otherwise. A payment is allowed by an authorisation
 * or an exemption (payment_ground.h), never by a device or a session (seed 002). Account
 * information is exempt within the application's maximum age of the user's last account SCA,
 * never on first access (RTS art. 10 as amended). A challenge without an active factor to
 * answer it says NO_FACTOR.
 */
#ifndef TF_CORE_EXEMPTIONS_H
#define TF_CORE_EXEMPTIONS_H
#include <stdbool.h>
#include <stdint.h>

#include "core/payment_ground.h"
#include "core/transaction.h"

enum authorize_operation {
	AUTHORIZE_ACCOUNT_OPERATION, /* the built-in sensitive operations and any other name */
	AUTHORIZE_PAYMENT,
	AUTHORIZE_ACCOUNT_INFORMATION,
};

struct authorize_facts {
	enum authorize_operation operation;
	bool has_active_factor;    /* the user has an active factor */
	/* account operations */
	bool trusted_device;       /* the presented device cookie is valid, trusted and not revoked */
	bool stepped_up;           /* the caller's session is the user's and stepped up */
	/* payments: the grounds, with the authorisation already used up when it was valid */
	struct payment_facts payment;
	/* account information */
	int64_t last_account_sca_at;              /* 0: never */
	int64_t account_information_max_age_ms;
};

/* Which rule decided, one per outcome the service counts. */
enum authorize_ground {
	AUTHORIZE_BY_TRUSTED_DEVICE,
	AUTHORIZE_BY_STEP_UP,
	AUTHORIZE_BY_AUTHORISATION,
	AUTHORIZE_BY_EXEMPTION,
	AUTHORIZE_CHALLENGE_NO_FACTOR,
	AUTHORIZE_CHALLENGE,
};

struct authorize_decision {
	bool allow;
	const char *reason;          /* what the answer says */
	const char *exemption;       /* the exemption applied (ledger, RTS art. 21); "" when none */
	enum authorize_ground ground;
	enum payment_effect effect;  /* what a payment's decision needs recorded */
};

struct authorize_decision authorize_decide(const struct authorize_facts *f, int64_t now);

/* A payment's value in euro cents for the low-value exemption (art. 16): EUR itself, or another
 * currency at rate (euros per unit as a decimal, "1.17"; NULL when the application gave none);
 * false when neither, or when the value cannot be computed. */
bool payment_eur_cents(const char *rate, const struct transaction *t, int64_t *out);

#endif
