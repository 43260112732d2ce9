/* names.c: the name tables of the domain's enumerations (see names.h). */
#include <string.h>

#include "base/names.h"

const char *const user_type_names[USER_TYPE_COUNT] = {[USER_STANDARD] = "standard", [USER_SSO] = "sso"};

const char *const factor_type_names[FACTOR_TYPE__MAX] = {
	[FACTOR_SMS] = "sms", [FACTOR_VOICE] = "voice", [FACTOR_TOTP] = "totp",
	[FACTOR_BACKUP_CODES] = "backup_codes", [FACTOR_PUSH] = "push", [FACTOR_PASSKEY] = "passkey",
	[FACTOR_EMAIL] = "email",
};

const char *const factor_type_caep_names[FACTOR_TYPE__MAX] = {
	[FACTOR_SMS] = "phone-sms", [FACTOR_VOICE] = "phone-voice", [FACTOR_TOTP] = "app",
	[FACTOR_BACKUP_CODES] = "backup-codes", [FACTOR_PUSH] = "app", [FACTOR_PASSKEY] = "fido2-platform",
	[FACTOR_EMAIL] = "email",
};

const char *const factor_status_names[FACTOR_STATUS_COUNT] = {
	[FACTOR_PENDING] = "pending_verification", [FACTOR_ACTIVE] = "active",
};

const char *const purpose_names[PURPOSE__MAX] = {
	[PURPOSE_ENROLMENT] = "enrolment", [PURPOSE_LOGIN] = "login", [PURPOSE_STEPUP] = "stepup",
	[PURPOSE_TRANSACTION] = "transaction",
};

const char *const challenge_status_names[CH_STATUS_COUNT] = {
	[CH_PENDING] = "pending", [CH_VERIFIED] = "verified", [CH_LOCKED] = "locked",
	[CH_EXPIRED] = "expired", [CH_SUPERSEDED] = "superseded", [CH_DENIED] = "denied",
};

const char *const txn_state_names[TXN_STATE_COUNT] = {
	[TXN_PENDING_CHALLENGE] = "PENDING_CHALLENGE", [TXN_INITIALISED] = "INITIALISED", [TXN_APPROVED] = "APPROVED",
};

const char *const outbox_status_names[OUTBOX_STATUS_COUNT] = {
	[OUTBOX_PENDING] = "pending", [OUTBOX_SENT] = "sent", [OUTBOX_FAILED] = "failed",
};

const char *const payment_type_names[PAYMENT_TYPE__MAX] = {
	[PAYMENT_CREDIT_TRANSFER] = "credit_transfer", [PAYMENT_CARD] = "card",
};

const char *const risk_level_names[RISK_LEVEL__MAX] = {[RISK_LOW] = "low", [RISK_ELEVATED] = "elevated"};

const char *const risk_reason_names[RISK_REASON__MAX] = {
	[RISK_AMOUNT_ABNORMAL] = "amount_abnormal", [RISK_NEW_PAYEE_HIGH_AMOUNT] = "new_payee_high_amount",
	[RISK_NEW_DEVICE] = "new_device", [RISK_LOCATION_ABNORMAL] = "location_abnormal",
	[RISK_PAYEE_LOCATION_HIGH_RISK] = "payee_location_high_risk", [RISK_VELOCITY] = "velocity",
	[RISK_KNOWN_FRAUD_PATTERN] = "known_fraud_pattern",
};

int name_index(const char *const *names, int n, const char *text)
{
	int i = name_find(names, n, text);
	return i < 0 ? 0 : i;
}

int name_find(const char *const *names, int n, const char *text)
{
	for (int i = 0; i < n; i++)
		if (strcmp(names[i], text) == 0)
			return i;
	return -1;
}
