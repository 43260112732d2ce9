/* message_text.c: see message_text.h. Pure; grapheme clusters from libunistring. */
#include "core/message_text.h"

#include <stdint.h>
#include <string.h>
#include <unigbrk.h>
#include <unistr.h>

/* UTF-16 code units of n bytes of valid UTF-8 */
static size_t units_of(const uint8_t *s, size_t n)
{
	size_t units = 0;
	for (size_t i = 0; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			units++; /* each code point */
		if ((s[i] & 0xf8) == 0xf0)
			units++; /* a 4-byte sequence is a surrogate pair */
	}
	return units;
}

/* the length of the valid UTF-8 prefix of s */
static size_t valid_prefix(const char *s)
{
	size_t len = strlen(s);
	const uint8_t *bad = u8_check((const uint8_t *)s, len);
	return bad ? (size_t)(bad - (const uint8_t *)s) : len;
}

size_t text_utf16_units(const char *s)
{
	return units_of((const uint8_t *)s, valid_prefix(s));
}

/* the end of the longest prefix of [s, end) of at most budget units: whole grapheme clusters,
 * or whole code points when the first cluster alone is longer than budget */
static const uint8_t *cut_point(const uint8_t *s, const uint8_t *end, size_t budget)
{
	const uint8_t *p = s;
	size_t used = 0;
	while (p < end) {
		const uint8_t *next = u8_grapheme_next(p, end);
		size_t u = units_of(p, (size_t)(next - p));
		if (used + u > budget)
			break;
		used += u;
		p = next;
	}
	if (p > s || s == end)
		return p;
	for (used = 0; p < end;) {
		ucs4_t cp;
		int n = u8_mbtouc(&cp, p, (size_t)(end - p));
		size_t u = cp >= 0x10000 ? 2 : 1;
		if (n <= 0 || used + u > budget)
			break;
		used += u;
		p += n;
	}
	return p;
}

size_t text_copy_prefix(char *out, size_t size, const char *in, size_t len)
{
	const uint8_t *bad = u8_check((const uint8_t *)in, len);
	if (bad)
		len = (size_t)(bad - (const uint8_t *)in);
	if (len > size - 1) {
		len = size - 1;
		while (len > 0 && ((unsigned char)in[len] & 0xc0) == 0x80)
			len--; /* not inside a sequence */
	}
	memcpy(out, in, len);
	out[len] = '\0';
	return len;
}

bool text_shorten(const char *in, size_t max_units, char *out, size_t out_size)
{
	const uint8_t *s = (const uint8_t *)in;
	size_t len = valid_prefix(in);
	if (units_of(s, len) <= max_units) {
		text_copy_prefix(out, out_size, in, len); /* whole: at most 3 bytes a unit */
		return false;
	}
	const uint8_t *cut = cut_point(s, s + len, max_units - 1); /* room for the ellipsis */
	while (cut > s && cut[-1] == ' ')
		cut--;
	size_t n = text_copy_prefix(out, out_size - strlen(MESSAGE_ELLIPSIS), in, (size_t)(cut - s));
	memcpy(out + n, MESSAGE_ELLIPSIS, sizeof MESSAGE_ELLIPSIS);
	return true;
}

void message_fit_names_within(const char *app_name, const char *payee_name, size_t units,
			      char app_out[MESSAGE_NAMES_BYTES + 1], char payee_out[MESSAGE_NAMES_BYTES + 1])
{
	if (units < 2)
		units = 2;
	if (units > MESSAGE_NAMES_UNITS)
		units = MESSAGE_NAMES_UNITS;
	payee_out[0] = '\0';
	size_t app_units = text_utf16_units(app_name);
	if (payee_name) {
		/* the payee gives way first, down to its minimum; the application then takes the rest */
		size_t payee_min = units / 2 < MESSAGE_PAYEE_MIN_UNITS ? units / 2 : MESSAGE_PAYEE_MIN_UNITS;
		size_t payee_budget = units - payee_min;
		payee_budget = app_units <= payee_budget ? units - app_units : payee_min;
		text_shorten(payee_name, payee_budget, payee_out, MESSAGE_NAMES_BYTES + 1);
	}
	text_shorten(app_name, units - text_utf16_units(payee_out), app_out, MESSAGE_NAMES_BYTES + 1);
}

void message_fit_names(const char *app_name, const char *payee_name, char app_out[MESSAGE_NAMES_BYTES + 1],
		       char payee_out[MESSAGE_NAMES_BYTES + 1])
{
	message_fit_names_within(app_name, payee_name, MESSAGE_NAMES_UNITS, app_out, payee_out);
}
