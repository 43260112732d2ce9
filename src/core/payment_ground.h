/*
 * payment_ground.h: which ground allows a payment (SPEC section 4, RTS art. 13 to 16), decided
 * from facts the caller loaded first, so that the order of the rules is one pure function:
 * an authorisation from a verified transaction challenge; else own accounts (art. 15); a
 * trusted beneficiary (art. 13); a later payment of a recurring series equal to its first
 * (art. 14); low value (art. 16); transaction risk analysis (art. 18), never for a payment
 * of a recurring series (art. 14 governs those). A trusted device or a stepped-up session is never a ground.
 */
#ifndef TF_CORE_PAYMENT_GROUND_H
#define TF_CORE_PAYMENT_GROUND_H
#include <stdbool.h>
#include <stdint.h>

/* What became of the authorisation the caller presented (after using it up, if it could). */
enum authorization_fact {
	AUTHORIZATION_NONE,    /* none was presented */
	AUTHORIZATION_VALID,   /* it was for exactly this payment, unused, in time: now used */
	AUTHORIZATION_UNKNOWN,
	AUTHORIZATION_USED,
	AUTHORIZATION_EXPIRED,
	AUTHORIZATION_CHANGED, /* it was for another transaction */
};

struct payment_facts {
	enum authorization_fact authorization;
	bool own_accounts;        /* the payer's own accounts (the caller says so) */
	bool trusted_beneficiary; /* the payee is on the payer's trusted list */
	bool in_series;           /* the payment names a recurring series */
	bool series_started;      /* that series has an authorised first payment */
	bool series_equal;        /* and this payment's hash is that first payment's */
	bool eur_known;           /* the value in euro could be computed */
	int64_t eur_cents;
	int64_t low_value_count;  /* low-value payments exempted since the payer's last SCA */
	int64_t low_value_sum_eur_cents;
	bool tra_applies;         /* the transaction risk analysis exemption (art. 18) was tried and
				   * found the payment low-risk in a band it may use (sca/tra.h) */
};

/* What the caller must record when the decision stands. */
enum payment_effect {
	PAYMENT_EFFECT_NONE,
	PAYMENT_EFFECT_SERIES_START, /* an authorised payment starts its series */
	PAYMENT_EFFECT_LOW_VALUE,    /* count the payment towards the low-value limits */
};

struct payment_ground {
	bool allow;
	const char *reason;    /* AUTHORIZED, an exemption's name, or why SCA is needed */
	const char *exemption; /* the exemption applied (ledger, RTS art. 21); "" when none */
	enum payment_effect effect;
};

struct payment_ground payment_ground_decide(const struct payment_facts *f);

#endif
