/*
 * payments.h: payments and their exemptions as the domain decides and records them (SPEC
 * sections 4 and 6, RTS art. 10 and 13 to 16, 21): the decision of POST /v1/authorize for
 * account operations, payments and account information (every allowed payment is recorded as
 * a remote payment, sca/tra.h); payments as resources (created
 * PENDING_CHALLENGE, or INITIALISED when an exemption applies); the exemption ledger and its
 * quarterly report. Every decision loads its facts first and is decided by core/exemptions.h;
 * what it needs recorded (an authorisation used up, a series started, a low-value payment
 * counted, the ledger row and its audit) is recorded in one transaction.
 */
#ifndef TF_SCA_PAYMENTS_H
#define TF_SCA_PAYMENTS_H
#include "core/exemptions.h"
#include "sca/context.h"
#include "sca/tra.h"

/* A validated payment: the transaction, its hash, and the application's flags. */
struct sca_payment {
	const struct transaction *tx;
	const char *hash;                /* TX_HASH_HEX hex digits */
	const char *recurring_series_id; /* "" when none */
	bool own_accounts;
	enum payment_type type;
	const struct sca_risk_signals *risk; /* NULL: no signals */
};

struct sca_authorize_request {
	const char *user_id;
	enum authorize_operation operation;
	const char *session_user_id;  /* the caller's session's user; NULL without a session */
	const char *device_cookie;    /* NULL when none was presented */
	const struct sca_payment *payment;  /* AUTHORIZE_PAYMENT only */
	const char *authorization_id; /* AUTHORIZE_PAYMENT only; NULL when none */
};

struct sca_authorize_result {
	struct authorize_decision decision;
	/* the factors that can answer a challenge now: any active one for a payment, for other
	 * operations those of kinds a challenge picks by default; none that is blocked */
	struct factor_row factors[FACTORS_PER_USER_MAX];
	size_t n_factors;
	char device_id[TF_ID_MAX];       /* the trusted device (TRUSTED_DEVICE) */
	int64_t stepped_up_until;        /* STEPPED_UP: until when */
	int64_t last_account_sca_at;     /* account information: 0 when never */
	/* payments: the remote payment an allowed one became ("" when not allowed), and the
	 * transaction risk analysis when it was tried (the application enables it for the
	 * payment's type and no earlier ground allowed the payment) */
	char payment_id[TF_ID_MAX];
	bool tra_tried;
	struct sca_tra_assessment tra;
};

/* A payment's value in euro cents at the application's rate for its currency (core/exemptions.h). */
bool sca_payment_eur_cents(const struct app_row *app, const struct transaction *t, int64_t *out);

/* Decides an authorisation request for the context's application and records what it needs.
 * NOT_FOUND for an unknown user, PERMISSION_DENIED for a session of another user; the metrics
 * of the decision are counted. */
enum tf_err sca_authorize(const struct sca_ctx *ctx, const struct sca_authorize_request *in,
			  struct sca_authorize_result *out);

/* Creates the payment p of user_id (external_reference: NULL for none) as a resource,
 * INITIALISED with its exemption when one applies (recorded in the ledger), otherwise
 * PENDING_CHALLENGE; audited as transaction.created. *out gets the row. */
enum tf_err sca_transaction_create(const struct sca_ctx *ctx, const char *user_id, const struct sca_payment *p,
				   const char *external_reference, struct txn_row *out);
/* The payment transaction_id of user_id; NOT_FOUND for another user's or application's. */
enum tf_err sca_transaction_get(const struct sca_ctx *ctx, const char *user_id, const char *transaction_id,
				struct txn_row *out);

/* The exemption ledger within [from, to), per application, exemption and currency. */
typedef void (*sca_ledger_visit_fn)(void *arg, const char *app_id, const char *exemption, const char *currency,
				    int64_t count, int64_t amount, int64_t eur_cents);
enum tf_err sca_exemption_report(const struct sca_ctx *ctx, int64_t from, int64_t to, sca_ledger_visit_fn visit,
				 void *arg);

#endif
