/*
 * risk.h: the real-time risk analysis of RTS art. 18(2)(c) and 18(3) (Delegated Regulation (EU)
 * 2018/389), which the transaction risk analysis exemption needs to find "low" before a remote
 * payment of up to 100, 250 or 500 EUR may go without SCA (core/tra.h chooses the band). Pure:
 * the caller loads the facts (the payer's recent payments as a summary, the device, the
 * countries, the application's high-risk countries and fraud reports) and passes the time; the
 * answer is a level and a set of named reasons (their wire names in base/names.c).
 *
 * What art. 18 asks and which rule answers it:
 *   18(2)(c)(i)   abnormal spending or behavioural pattern of the payer  amount_abnormal,
 *                                                                          new_payee_high_amount,
 *                                                                          velocity
 *   18(2)(c)(ii)  unusual information about the payer's device/software  new_device
 *   18(2)(c)(iii) signs of malware infection in any session               known_fraud_pattern
 *                 (only as the platform's own signal: twofold sees no device's software)
 *   18(2)(c)(iv)  a known fraud scenario                                  known_fraud_pattern
 *   18(2)(c)(v)   an abnormal location of the payer                       location_abnormal
 *   18(2)(c)(vi)  the payee's location is high-risk                       payee_location_high_risk
 *   18(3)(a)-(d)  at least: previous spending patterns, payment transaction history, location
 *                 of payer and payee, abnormal patterns against the history: the summary in
 *                 struct risk_facts, which every rule reads
 *
 * Every rule errs towards "elevated": a fact the caller could not establish (no device cookie,
 * no country, too little history) counts as abnormal, since art. 18(2)(c) asks that the analysis
 * find none of the risks, and a fact that is unknown has not been found normal. An elevated
 * answer only means the payment needs SCA.
 */
#ifndef TF_CORE_RISK_H
#define TF_CORE_RISK_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/names.h"

#define RISK_DAY_MS (24LL * 3600 * 1000)

/* The payer's history. The store keeps, per payer and UTC day, the count, the sum and the
 * largest of the payer's remote payments (any type, with SCA or exempted); the facts are those
 * rows over the last 90 days summed (count, sum) and maxed (largest). Count and sum are
 * additive and the largest combines by max, so the summary is kept incrementally, costs at most
 * 90 small rows per decision, and every comparison below is exact in integers (no variance,
 * whose squares of cents would overflow 64 bits and whose mean-plus-sigma suits heavy-tailed
 * amounts badly). A payer with fewer than RISK_HISTORY_MIN_PAYMENTS payments has no spending
 * pattern yet: amount_abnormal is set whatever the amount (art. 18(3)(a) cannot be met), so a
 * new payer's payments need SCA until the history exists. */
#define RISK_HISTORY_MIN_PAYMENTS 5

/* amount_abnormal: the amount is more than RISK_AMOUNT_MEAN_FACTOR times the payer's 90-day
 * mean and more than the largest payment of those 90 days. It catches a payment out of the
 * payer's spending pattern (18(2)(c)(i), 18(3)(a) and (d)): both conditions, so that a payer who
 * paid that much before, or whose payments vary widely, is not flagged for a usual amount. */
#define RISK_AMOUNT_MEAN_FACTOR 3

/* new_payee_high_amount: the payee's account was never paid by this payer, or first paid less
 * than RISK_NEW_PAYEE_AGE_MS ago (a fraudster's small test payment does not make it known), and
 * the amount is above RISK_NEW_PAYEE_HIGH_EUR_CENTS, the low-value ceiling of art. 16, which the
 * RTS itself lets pass without any analysis. It catches account takeover and authorised push
 * payment fraud, which send money to an account the payer has no history with (18(2)(c)(i),
 * 18(3)(b) and (d)). */
#define RISK_NEW_PAYEE_AGE_MS (7 * RISK_DAY_MS)
#define RISK_NEW_PAYEE_HIGH_EUR_CENTS 3000

/* new_device: no device was named (a twofold device cookie, or the platform's own device id),
 * it is not one of the payer's, or the payer was first seen with it less than
 * RISK_NEW_DEVICE_AGE_MS ago. It catches a session taken over from
 * another device (18(2)(c)(ii): unusual information about the device or software used). */
#define RISK_NEW_DEVICE_AGE_MS (7 * RISK_DAY_MS)

/* location_abnormal: the payer's country now is unknown or not among the countries the payer
 * was seen in over the last 90 days (the store keeps the RISK_COUNTRIES_SEEN_MAX most recent).
 * It catches access from where the payer never is (18(2)(c)(v), 18(3)(c)). */
#define RISK_COUNTRIES_SEEN_MAX 8

/* payee_location_high_risk: the application lists high-risk countries and the payee's country
 * is one of them, or is unknown (18(2)(c)(vi), 18(3)(c)). With an empty list nothing is
 * high-risk. */

/* velocity: counting this payment, more than RISK_VELOCITY_HOUR_MAX payments in the last hour
 * or more than RISK_VELOCITY_DAY_MAX in the last 24 hours; or, with enough history, the last 24
 * hours' value with this payment more than RISK_VELOCITY_DAY_VALUE_FACTOR times the payer's
 * largest payment of 90 days. It catches an account being emptied quickly or in small pieces,
 * each of which would pass amount_abnormal alone (18(2)(c)(i), 18(3)(d)). */
#define RISK_VELOCITY_HOUR_MAX 3
#define RISK_VELOCITY_DAY_MAX 10
#define RISK_VELOCITY_DAY_VALUE_FACTOR 2

/* known_fraud_pattern: the payee's account, or the client address the payment comes from, is
 * named in one of the application's fraud reports (a reported payment's payee and address), or
 * the platform signals malware in the payer's session. It catches money sent again to an
 * account already used in a fraud, or from where a fraud was made (18(2)(c)(iv)), and answers
 * 18(2)(c)(iii) with what the platform knows. */

/* A country: ISO 3166-1 alpha-2 in upper case ("DE") and its NUL; "" when unknown. */
#define RISK_COUNTRY_SIZE 3

struct risk_facts {
	/* the payment; the rules treat both payment types alike, a payer's behaviour being one */
	int64_t amount_eur_cents;
	enum payment_type type;
	/* the payer's remote payments of the last 90 days, this one not included */
	int64_t history_count;
	int64_t history_sum_eur_cents;
	int64_t history_largest_eur_cents;
	/* the payer's remote payments made in the last hour and the last 24 hours, this one not
	 * included, and the value of the latter */
	int64_t payments_last_hour;
	int64_t payments_last_day;
	int64_t value_last_day_eur_cents;
	/* the payee's account in the payer's history (any time) */
	bool payee_paid_before;
	int64_t payee_first_paid_at;
	/* the device cookie presented, if it is one of the payer's */
	bool device_known;
	int64_t device_first_seen_at;
	/* locations */
	char payer_country[RISK_COUNTRY_SIZE];
	char countries_seen[RISK_COUNTRIES_SEEN_MAX][RISK_COUNTRY_SIZE];
	size_t countries_seen_count;
	char payee_country[RISK_COUNTRY_SIZE];
	const char (*high_risk_countries)[RISK_COUNTRY_SIZE]; /* the application's list */
	size_t high_risk_count;
	/* fraud */
	bool payee_in_fraud_report; /* the payee's account is named in an application's fraud report */
	bool client_in_fraud_report; /* so is the client address the payment comes from */
	bool malware_signal;        /* the platform signals malware in the payer's session */
};

#define RISK_REASON_BIT(reason) (1u << (reason))

struct risk_result {
	enum risk_level level; /* low exactly when no reason is set */
	unsigned reasons;      /* RISK_REASON_BIT of each enum risk_reason found */
};

struct risk_result risk_analyse(const struct risk_facts *f, int64_t now);

/* The country of an IBAN (ISO 13616: two letters, two check digits, up to 30 letters and
 * digits, the whole valid under mod 97) into out ("DE"); "" when account is no valid IBAN. */
void risk_iban_country(const char *account, char out[RISK_COUNTRY_SIZE]);

/* The wire names of the reasons set, in the order of enum risk_reason, into names; returns how
 * many (at most RISK_REASON__MAX). */
size_t risk_reason_list(unsigned reasons, const char *names[RISK_REASON__MAX]);

#endif
