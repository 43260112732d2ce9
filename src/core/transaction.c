/* transaction.c: see transaction.h. Pure. */
#include "core/transaction.h"

#include <stdio.h>
#include <string.h>

#include "core/timefmt.h"
#include "core/validate.h"

/* ISO 4217 (list one, 2024): every active code with its minor units, in order for bsearch. */
static const struct {
	char code[4];
	signed char minor;
} currencies[] = {
	{"AED", 2}, {"AFN", 2}, {"ALL", 2}, {"AMD", 2}, {"ANG", 2}, {"AOA", 2}, {"ARS", 2}, {"AUD", 2}, {"AWG", 2},
	{"AZN", 2}, {"BAM", 2}, {"BBD", 2}, {"BDT", 2}, {"BGN", 2}, {"BHD", 3}, {"BIF", 0}, {"BMD", 2}, {"BND", 2},
	{"BOB", 2}, {"BRL", 2}, {"BSD", 2}, {"BTN", 2}, {"BWP", 2}, {"BYN", 2}, {"BZD", 2}, {"CAD", 2}, {"CDF", 2},
	{"CHF", 2}, {"CLP", 0}, {"CNY", 2}, {"COP", 2}, {"CRC", 2}, {"CUP", 2}, {"CVE", 2}, {"CZK", 2}, {"DJF", 0},
	{"DKK", 2}, {"DOP", 2}, {"DZD", 2}, {"EGP", 2}, {"ERN", 2}, {"ETB", 2}, {"EUR", 2}, {"FJD", 2}, {"FKP", 2},
	{"GBP", 2}, {"GEL", 2}, {"GHS", 2}, {"GIP", 2}, {"GMD", 2}, {"GNF", 0}, {"GTQ", 2}, {"GYD", 2}, {"HKD", 2},
	{"HNL", 2}, {"HTG", 2}, {"HUF", 2}, {"IDR", 2}, {"ILS", 2}, {"INR", 2}, {"IQD", 3}, {"IRR", 2}, {"ISK", 0},
	{"JMD", 2}, {"JOD", 3}, {"JPY", 0}, {"KES", 2}, {"KGS", 2}, {"KHR", 2}, {"KMF", 0}, {"KPW", 2}, {"KRW", 0},
	{"KWD", 3}, {"KYD", 2}, {"KZT", 2}, {"LAK", 2}, {"LBP", 2}, {"LKR", 2}, {"LRD", 2}, {"LSL", 2}, {"LYD", 3},
	{"MAD", 2}, {"MDL", 2}, {"MGA", 2}, {"MKD", 2}, {"MMK", 2}, {"MNT", 2}, {"MOP", 2}, {"MRU", 2}, {"MUR", 2},
	{"MVR", 2}, {"MWK", 2}, {"MXN", 2}, {"MYR", 2}, {"MZN", 2}, {"NAD", 2}, {"NGN", 2}, {"NIO", 2}, {"NOK", 2},
	{"NPR", 2}, {"NZD", 2}, {"OMR", 3}, {"PAB", 2}, {"PEN", 2}, {"PGK", 2}, {"PHP", 2}, {"PKR", 2}, {"PLN", 2},
	{"PYG", 0}, {"QAR", 2}, {"RON", 2}, {"RSD", 2}, {"RUB", 2}, {"RWF", 0}, {"SAR", 2}, {"SBD", 2}, {"SCR", 2},
	{"SDG", 2}, {"SEK", 2}, {"SGD", 2}, {"SHP", 2}, {"SLE", 2}, {"SOS", 2}, {"SRD", 2}, {"SSP", 2}, {"STN", 2},
	{"SVC", 2}, {"SYP", 2}, {"SZL", 2}, {"THB", 2}, {"TJS", 2}, {"TMT", 2}, {"TND", 3}, {"TOP", 2}, {"TRY", 2},
	{"TTD", 2}, {"TWD", 2}, {"TZS", 2}, {"UAH", 2}, {"UGX", 0}, {"USD", 2}, {"UYU", 2}, {"UZS", 2}, {"VES", 2},
	{"VND", 0}, {"VUV", 0}, {"WST", 2}, {"XAF", 0}, {"XCD", 2}, {"XOF", 0}, {"XPF", 0}, {"YER", 2}, {"ZAR", 2},
	{"ZMW", 2}, {"ZWG", 2},
};

int currency_minor_units(const char *code)
{
	if (!code || strlen(code) != 3)
		return -1;
	size_t lo = 0, hi = sizeof currencies / sizeof currencies[0];
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(code, currencies[mid].code);
		if (c == 0)
			return currencies[mid].minor;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return -1;
}

bool transaction_amount_ok(int64_t amount)
{
	return amount > 0 && amount <= TX_AMOUNT_MAX;
}

bool transaction_payee_name_ok(const char *name)
{
	/* display text (no controls, line or paragraph separators, bidi or zero-width characters),
	 * no '"' (messages quote the name), 1 to 140 characters */
	size_t len = strlen(name), chars = 0;
	if (len == 0 || len > TX_PAYEE_NAME_MAX * 4 || !validate_display_chars(name, len) || strchr(name, '"'))
		return false;
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		if ((*p & 0xC0) != 0x80)
			chars++;
	return chars <= TX_PAYEE_NAME_MAX && name[0] != ' ' && name[len - 1] != ' ';
}

bool transaction_payee_account_normalise(char *account)
{
	size_t n = 0;
	for (const char *p = account; *p; p++) {
		char c = *p;
		if (c == ' ')
			continue;
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '/' || c == '.' || c == ':'))
			return false;
		if (n >= TX_PAYEE_ACCOUNT_MAX)
			return false;
		account[n++] = c;
	}
	account[n] = '\0';
	return n > 0;
}

void transaction_format_amount(int64_t amount, const char *currency, char out[TX_AMOUNT_TEXT_MAX])
{
	int minor = currency_minor_units(currency);
	if (minor < 0)
		minor = 2;
	int64_t scale = 1;
	for (int i = 0; i < minor; i++)
		scale *= 10;
	int64_t major = amount / scale, frac = amount % scale;
	char digits[32], grouped[32];
	int len = snprintf(digits, sizeof digits, "%lld", (long long)major);
	size_t g = 0;
	for (int i = 0; i < len; i++) {
		if (i > 0 && (len - i) % 3 == 0)
			grouped[g++] = ',';
		grouped[g++] = digits[i];
	}
	grouped[g] = '\0';
	char cur[4], decimals[8] = "";
	snprintf(cur, sizeof cur, "%s", currency);
	if (minor > 0) { /* minor is 0 to 4 */
		decimals[0] = '.';
		for (int i = minor; i >= 1; i--, frac /= 10)
			decimals[i] = (char)('0' + frac % 10);
		decimals[minor + 1] = '\0';
	}
	snprintf(out, TX_AMOUNT_TEXT_MAX, "%s %s%s", cur, grouped, decimals);
}

size_t transaction_canonical(const struct transaction *t, char *out, size_t size)
{
	int n = snprintf(out, size, "twofold-transaction-v1\n%lld\n%s\n%s\n%s", (long long)t->amount, t->currency,
			 t->payee_name, t->payee_account);
	return n > 0 && (size_t)n < size ? (size_t)n : 0;
}

bool low_value_exempt(int64_t eur_cents, int64_t count_since_sca, int64_t sum_since_sca)
{
	return eur_cents <= LOW_VALUE_MAX_EUR_CENTS && count_since_sca + 1 <= LOW_VALUE_COUNT_MAX &&
	       sum_since_sca + eur_cents <= LOW_VALUE_TOTAL_EUR_CENTS;
}

bool transaction_eur_cents(int64_t amount, int minor_units, int64_t rate_micro, int64_t *out)
{
	/* eur_cents = amount / 10^minor * rate_micro / 10^6 * 100, rounded up (never under-count) */
	if (amount < 0 || amount > 1000000000000LL || rate_micro <= 0 || rate_micro > 1000000000000LL || minor_units < 0 ||
	    minor_units > 4)
		return false;
	__int128 num = (__int128)amount * rate_micro * 100;
	__int128 den = 1000000;
	for (int i = 0; i < minor_units; i++)
		den *= 10;
	__int128 v = (num + den - 1) / den;
	if (v > INT64_MAX)
		return false;
	*out = (int64_t)v;
	return true;
}

bool rate_parse_micro(const char *text, int64_t *out)
{
	int64_t whole = 0, frac = 0;
	int digits = 0, decimals = -1;
	for (const char *p = text; *p; p++) {
		if (*p == '.' && decimals < 0 && digits > 0) {
			decimals = 0;
			continue;
		}
		if (*p < '0' || *p > '9' || digits >= 12)
			return false;
		digits++;
		if (decimals < 0) {
			whole = whole * 10 + (*p - '0');
		} else {
			if (++decimals > 6)
				return false;
			frac = frac * 10 + (*p - '0');
		}
	}
	if (digits == 0 || decimals == 0)
		return false;
	for (int i = decimals < 0 ? 0 : decimals; i < 6; i++)
		frac *= 10;
	*out = whole * 1000000 + frac;
	return *out > 0;
}

bool account_information_exempt(int64_t last_account_sca_at, int64_t now, int64_t max_age_ms)
{
	return last_account_sca_at > 0 && now - last_account_sca_at < max_age_ms;
}

void quarter_of(int64_t ms, char out[8])
{
	int64_t y;
	int m, d;
	civil_from_days(ms / 86400000, &y, &m, &d);
	int year = (int)(y % 10000), q = (m - 1) / 3 + 1;
	out[0] = (char)('0' + year / 1000);
	out[1] = (char)('0' + year / 100 % 10);
	out[2] = (char)('0' + year / 10 % 10);
	out[3] = (char)('0' + year % 10);
	out[4] = 'Q';
	out[5] = (char)('0' + q);
	out[6] = '\0';
}

bool quarter_bounds(const char *quarter, int64_t *from_ms, int64_t *to_ms)
{
	int y, q;
	char tail;
	if (!quarter || strlen(quarter) != 6 || sscanf(quarter, "%4dQ%1d%c", &y, &q, &tail) != 2 || y < 1970 || y > 9999 ||
	    q < 1 || q > 4)
		return false;
	*from_ms = days_from_civil(y, (q - 1) * 3 + 1) * 86400000LL;
	*to_ms = (q == 4 ? days_from_civil(y + 1, 1) : days_from_civil(y, q * 3 + 1)) * 86400000LL;
	return true;
}
