/*
 * risk.c: the rules of the real-time risk analysis (risk.h says what each catches, its
 * thresholds and the words of RTS art. 18 it answers). Pure: facts and time in, level and
 * reasons out. Products of amounts and counts are taken in 128 bits, so no comparison can
 * overflow whatever the facts.
 */
#include <string.h>

#include "core/risk.h"

typedef __int128 wide;

static bool country_known(const char *c)
{
	return c[0] != '\0';
}

static bool country_in(const char *c, const char (*list)[RISK_COUNTRY_SIZE], size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strncmp(c, list[i], RISK_COUNTRY_SIZE) == 0)
			return true;
	return false;
}

static bool enough_history(const struct risk_facts *f)
{
	return f->history_count >= RISK_HISTORY_MIN_PAYMENTS;
}

static bool amount_abnormal(const struct risk_facts *f)
{
	if (!enough_history(f))
		return true;
	/* amount > factor * sum / count, without dividing */
	return f->amount_eur_cents > f->history_largest_eur_cents &&
	       (wide)f->amount_eur_cents * f->history_count > (wide)RISK_AMOUNT_MEAN_FACTOR * f->history_sum_eur_cents;
}

static bool new_payee_high_amount(const struct risk_facts *f, int64_t now)
{
	bool new_payee = !f->payee_paid_before || now - f->payee_first_paid_at < RISK_NEW_PAYEE_AGE_MS;
	return new_payee && f->amount_eur_cents > RISK_NEW_PAYEE_HIGH_EUR_CENTS;
}

static bool new_device(const struct risk_facts *f, int64_t now)
{
	return !f->device_known || now - f->device_first_seen_at < RISK_NEW_DEVICE_AGE_MS;
}

static bool location_abnormal(const struct risk_facts *f)
{
	size_t seen = f->countries_seen_count < RISK_COUNTRIES_SEEN_MAX ? f->countries_seen_count : RISK_COUNTRIES_SEEN_MAX;
	return !country_known(f->payer_country) || !country_in(f->payer_country, f->countries_seen, seen);
}

static bool payee_location_high_risk(const struct risk_facts *f)
{
	if (f->high_risk_count == 0 || !f->high_risk_countries)
		return false;
	return !country_known(f->payee_country) ||
	       country_in(f->payee_country, f->high_risk_countries, f->high_risk_count);
}

static bool velocity(const struct risk_facts *f)
{
	if (f->payments_last_hour + 1 > RISK_VELOCITY_HOUR_MAX || f->payments_last_day + 1 > RISK_VELOCITY_DAY_MAX)
		return true;
	/* without a history amount_abnormal has already spoken; the largest means nothing yet */
	return enough_history(f) && (wide)f->value_last_day_eur_cents + f->amount_eur_cents >
					    (wide)RISK_VELOCITY_DAY_VALUE_FACTOR * f->history_largest_eur_cents;
}

static bool known_fraud_pattern(const struct risk_facts *f)
{
	return f->payee_in_fraud_report || f->client_in_fraud_report || f->malware_signal;
}

struct risk_result risk_analyse(const struct risk_facts *f, int64_t now)
{
	const bool found[RISK_REASON__MAX] = {
		[RISK_AMOUNT_ABNORMAL] = amount_abnormal(f),
		[RISK_NEW_PAYEE_HIGH_AMOUNT] = new_payee_high_amount(f, now),
		[RISK_NEW_DEVICE] = new_device(f, now),
		[RISK_LOCATION_ABNORMAL] = location_abnormal(f),
		[RISK_PAYEE_LOCATION_HIGH_RISK] = payee_location_high_risk(f),
		[RISK_VELOCITY] = velocity(f),
		[RISK_KNOWN_FRAUD_PATTERN] = known_fraud_pattern(f),
	};
	struct risk_result r = {RISK_LOW, 0};
	for (int i = 0; i < RISK_REASON__MAX; i++)
		if (found[i])
			r.reasons |= RISK_REASON_BIT(i);
	if (r.reasons)
		r.level = RISK_ELEVATED;
	return r;
}

size_t risk_reason_list(unsigned reasons, const char *names[RISK_REASON__MAX])
{
	size_t n = 0;
	for (int i = 0; i < RISK_REASON__MAX; i++)
		if (reasons & RISK_REASON_BIT(i))
			names[n++] = risk_reason_names[i];
	return n;
}

void risk_iban_country(const char *account, char out[RISK_COUNTRY_SIZE])
{
	out[0] = '\0';
	size_t n = strlen(account);
	if (n < 15 || n > 34 || !(account[0] >= 'A' && account[0] <= 'Z') || !(account[1] >= 'A' && account[1] <= 'Z') ||
	    !(account[2] >= '0' && account[2] <= '9') || !(account[3] >= '0' && account[3] <= '9'))
		return;
	/* the check: the account moved 4 characters left, letters as 10 to 35, is 1 mod 97 */
	unsigned rem = 0;
	for (size_t k = 0; k < n; k++) {
		char c = account[(k + 4) % n];
		if (c >= '0' && c <= '9')
			rem = (rem * 10 + (unsigned)(c - '0')) % 97;
		else if (c >= 'A' && c <= 'Z')
			rem = (rem * 100 + (unsigned)(c - 'A' + 10)) % 97;
		else
			return;
	}
	if (rem == 1) {
		out[0] = account[0];
		out[1] = account[1];
		out[2] = '\0';
	}
}
