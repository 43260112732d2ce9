/* format.c: amounts and dates as each language writes them (see l10n.h), through ICU's number
 * and date formats, in UTF-8. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unicode/udat.h>
#include <unicode/udatpg.h>
#include <unicode/unum.h>
#include <unicode/ustring.h>

#include "core/transaction.h"
#include "l10n/l10n.h"

/* The ICU text u (n units) as UTF-8 into out; U+00A0 and U+202F as ' ' when plain_spaces. */
static bool to_utf8(UChar *u, int32_t n, bool plain_spaces, char *out, size_t size)
{
	if (plain_spaces)
		for (int32_t i = 0; i < n; i++)
			if (u[i] == 0x00A0 || u[i] == 0x202F)
				u[i] = ' ';
	UErrorCode st = U_ZERO_ERROR;
	int32_t len = 0;
	u_strToUTF8(out, (int32_t)size, &len, u, n, &st);
	return U_SUCCESS(st) && st != U_STRING_NOT_TERMINATED_WARNING && (size_t)len < size;
}

bool l10n_amount(const struct l10n *l, int64_t amount, const char *currency, bool plain_spaces, char *out,
		 size_t size)
{
	int digits = currency_minor_units(currency);
	if (digits < 0 || digits > 4 || strlen(currency) != 3 || amount < 0)
		return false;
	/* the decimal in major units, exactly ("49.99", "1235", "1.234"): no binary floating point */
	char decimal[48];
	int64_t scale = 1;
	for (int i = 0; i < digits; i++)
		scale *= 10;
	if (digits)
		snprintf(decimal, sizeof decimal, "%" PRId64 ".%0*" PRId64, amount / scale, digits, amount % scale);
	else
		snprintf(decimal, sizeof decimal, "%" PRId64, amount);
	UErrorCode st = U_ZERO_ERROR;
	UNumberFormat *f = unum_open(UNUM_CURRENCY, NULL, 0, l->tag, NULL, &st);
	UChar code[4], text[64];
	u_charsToUChars(currency, code, 4);
	unum_setTextAttribute(f, UNUM_CURRENCY_CODE, code, 3, &st);
	/* the currency's own minor units, whatever the locale's habit */
	unum_setAttribute(f, UNUM_MIN_FRACTION_DIGITS, digits);
	unum_setAttribute(f, UNUM_MAX_FRACTION_DIGITS, digits);
	int32_t n = U_SUCCESS(st) ? unum_formatDecimal(f, decimal, -1, text, 64, NULL, &st) : 0;
	unum_close(f);
	return U_SUCCESS(st) && st != U_STRING_NOT_TERMINATED_WARNING && n < 64 && to_utf8(text, n, plain_spaces, out, size);
}

bool l10n_datetime(const struct l10n *l, int64_t unix_s, char *out, size_t size)
{
	UErrorCode st = U_ZERO_ERROR;
	UChar skeleton[16], pattern[64], zone[4], text[96];
	u_charsToUChars("yMMMdjmz", skeleton, 9);
	u_charsToUChars("UTC", zone, 4);
	UDateTimePatternGenerator *g = udatpg_open(l->tag, &st);
	int32_t pn = U_SUCCESS(st) ? udatpg_getBestPattern(g, skeleton, -1, pattern, 64, &st) : 0;
	udatpg_close(g);
	if (U_FAILURE(st) || pn >= 64)
		return false;
	UDateFormat *f = udat_open(UDAT_PATTERN, UDAT_PATTERN, l->tag, zone, -1, pattern, pn, &st);
	int32_t n = U_SUCCESS(st) ? udat_format(f, (UDate)unix_s * 1000.0, text, 96, NULL, &st) : 0;
	udat_close(f);
	return U_SUCCESS(st) && st != U_STRING_NOT_TERMINATED_WARNING && n < 96 && to_utf8(text, n, false, out, size);
}
