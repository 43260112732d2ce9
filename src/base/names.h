/*
 * names.h: the domain's enumerations and the names they have on the wire and in the database
 * (SPEC sections 2 to 4). The bottom of the tree: it includes nothing of twofold's, and every
 * layer may include it. A name table is indexed by its enumeration; name_index reads a name back.
 */
#ifndef TF_BASE_NAMES_H
#define TF_BASE_NAMES_H

enum user_type { USER_STANDARD, USER_SSO };
#define USER_TYPE_COUNT (USER_SSO + 1)
extern const char *const user_type_names[USER_TYPE_COUNT];
enum session_kind { SESSION_API, SESSION_HOSTED };

enum factor_type { FACTOR_SMS, FACTOR_VOICE, FACTOR_TOTP, FACTOR_BACKUP_CODES, FACTOR_PUSH, FACTOR_PASSKEY, FACTOR_EMAIL,
		   FACTOR_TYPE__MAX };
enum factor_status { FACTOR_PENDING, FACTOR_ACTIVE };
#define FACTOR_STATUS_COUNT (FACTOR_ACTIVE + 1)
extern const char *const factor_status_names[FACTOR_STATUS_COUNT];
extern const char *const factor_type_names[FACTOR_TYPE__MAX];
/* each type's credential_type in a CAEP credential-change event (docs/events.md; twofold's own
 * words where CAEP has none) */
extern const char *const factor_type_caep_names[FACTOR_TYPE__MAX];

enum challenge_purpose { PURPOSE_ENROLMENT, PURPOSE_LOGIN, PURPOSE_STEPUP, PURPOSE_TRANSACTION, PURPOSE__MAX };
extern const char *const purpose_names[PURPOSE__MAX];

enum challenge_status { CH_PENDING, CH_VERIFIED, CH_LOCKED, CH_EXPIRED, CH_SUPERSEDED, CH_DENIED };
#define CH_STATUS_COUNT (CH_DENIED + 1)
extern const char *const challenge_status_names[CH_STATUS_COUNT];

/* a payment as a resource (POST /v1/transactions), as the Weavr face names its states */
enum txn_state { TXN_PENDING_CHALLENGE, TXN_INITIALISED, TXN_APPROVED };
#define TXN_STATE_COUNT (TXN_APPROVED + 1)
extern const char *const txn_state_names[TXN_STATE_COUNT];

/* a message waiting for its provider (delivery/outbox.c) */
enum outbox_status { OUTBOX_PENDING, OUTBOX_SENT, OUTBOX_FAILED };
#define OUTBOX_STATUS_COUNT (OUTBOX_FAILED + 1)
extern const char *const outbox_status_names[OUTBOX_STATUS_COUNT];

/* the payment types of RTS art. 18's annex (core/tra.h): a transaction's `type` */
enum payment_type { PAYMENT_CREDIT_TRANSFER, PAYMENT_CARD, PAYMENT_TYPE__MAX };
extern const char *const payment_type_names[PAYMENT_TYPE__MAX];

/* the real-time risk analysis of RTS art. 18(2)(c) (core/risk.h): its level, and the reasons it
 * names, each a bit (1u << reason) of struct risk_result's reasons */
enum risk_level { RISK_LOW, RISK_ELEVATED, RISK_LEVEL__MAX };
extern const char *const risk_level_names[RISK_LEVEL__MAX];
enum risk_reason {
	RISK_AMOUNT_ABNORMAL,
	RISK_NEW_PAYEE_HIGH_AMOUNT,
	RISK_NEW_DEVICE,
	RISK_LOCATION_ABNORMAL,
	RISK_PAYEE_LOCATION_HIGH_RISK,
	RISK_VELOCITY,
	RISK_KNOWN_FRAUD_PATTERN,
	RISK_REASON__MAX
};
extern const char *const risk_reason_names[RISK_REASON__MAX];

/* The index of text in names[0..n) (0, the first value, when none matches). */
int name_index(const char *const *names, int n, const char *text);
/* The same for a name that may be none of them (outside input): -1 then. */
int name_find(const char *const *names, int n, const char *text);

#endif
