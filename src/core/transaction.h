/*
 * transaction.h: payments for PSD2 dynamic linking (SPEC section 4, RTS art. 5): validation of
 * amount, currency and payee, the amount as people read it, the canonical encoding whose
 * SHA-256 binds a code and an authorisation to exactly these details, and the exemption rules
 * (RTS art. 10, 16) as pure functions. No I/O; time is passed in.
 *
 * Canonical encoding (version 1), every field on its own line, UTF-8, no trailing newline:
 *   "twofold-transaction-v1" LF amount (decimal, minor units) LF currency (ISO 4217, upper case)
 *   LF payee name LF payee account
 * Payee names and accounts never contain a line break (validation refuses them), so the
 * encoding is unambiguous. transaction_hash = lower-case hex of SHA-256 of it.
 */
#ifndef TF_CORE_TRANSACTION_H
#define TF_CORE_TRANSACTION_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TX_AMOUNT_MAX 100000000000000LL /* 10^14 minor units */
#define TX_PAYEE_NAME_MAX 140           /* SEPA's creditor name */
#define TX_PAYEE_ACCOUNT_MAX 64
#define TX_HASH_HEX 64
#define TX_AMOUNT_TEXT_MAX 48

struct transaction {
	int64_t amount;   /* minor units of currency */
	char currency[4]; /* ISO 4217 alphabetic code */
	char payee_name[TX_PAYEE_NAME_MAX * 4 + 1];
	char payee_account[TX_PAYEE_ACCOUNT_MAX + 1];
};

/* The minor-unit digits of an ISO 4217 currency (EUR 2, JPY 0, BHD 3), or -1 if unknown. */
int currency_minor_units(const char *code);

/* Whether each field is acceptable; the account is normalised in place (spaces removed, letters
 * upper-cased, as IBANs are written) and holds only A-Z, 0-9, '-', '/', '.' and ':'. A payee
 * name is display text (core/validate.h: no controls, format characters, separators, private
 * use, unassigned code points or non-characters), without '"' (messages show it between double
 * quotes, so it cannot end the quotation and imitate the text around it), without a space at
 * either end, of 1 to 140 code points. */
bool transaction_amount_ok(int64_t amount);
bool transaction_payee_name_ok(const char *name);
bool transaction_payee_account_normalise(char *account);

/* "EUR 1,234.56", "JPY 1,234", "BHD 1.234": the code, thousands separated by commas, the
 * currency's own number of decimals. */
void transaction_format_amount(int64_t amount, const char *currency, char out[TX_AMOUNT_TEXT_MAX]);

/* The canonical encoding into out (NUL-terminated); returns its length, or 0 if it did not fit. */
size_t transaction_canonical(const struct transaction *t, char *out, size_t size);

/* Exemptions. Low value (art. 16): a payment of at most 30 EUR is exempt while, since the last
 * SCA, the exempted payments including this one total at most 100 EUR and number at most 5. */
#define LOW_VALUE_MAX_EUR_CENTS 3000
#define LOW_VALUE_TOTAL_EUR_CENTS 10000
#define LOW_VALUE_COUNT_MAX 5
bool low_value_exempt(int64_t eur_cents, int64_t count_since_sca, int64_t sum_since_sca);

/* The payment's value in euro cents, at rate_micro micro-euros per major unit of currency (for
 * EUR itself pass 1000000); false when it cannot be computed without overflow. */
bool transaction_eur_cents(int64_t amount, int minor_units, int64_t rate_micro, int64_t *out);

/* A rate written as a decimal ("1.17", "0.0062", "150") in micro-units (1170000); false for
 * anything else, zero, or more than six decimals. */
bool rate_parse_micro(const char *text, int64_t *out);

/* Account information (art. 10 as amended by 2022/2360): exempt when an account SCA happened
 * and is younger than max_age_ms; never on first access (last_account_sca_at == 0). */
bool account_information_exempt(int64_t last_account_sca_at, int64_t now, int64_t max_age_ms);

/* The calendar quarter of a time, "2026Q4", and the bounds of a quarter text ([from, to)). */
void quarter_of(int64_t ms, char out[8]);
bool quarter_bounds(const char *quarter, int64_t *from_ms, int64_t *to_ms);

#endif
