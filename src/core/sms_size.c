/* sms_size.c: the segments an SMS takes (see sms_size.h). */
#include "core/sms_size.h"

#include <stdint.h>
#include <string.h>
#include <unistr.h>

/* GSM 03.38's basic table (each one septet) beyond the ASCII letters and digits */
static const uint32_t gsm_basic[] = {
	'@', 0xA3, '$', 0xA5, 0xE8, 0xE9, 0xF9, 0xEC, 0xF2, 0xC7, '\n', 0xD8, 0xF8, '\r', 0xC5, 0xE5,
	0x394, '_', 0x3A6, 0x393, 0x39B, 0x3A9, 0x3A0, 0x3A8, 0x3A3, 0x398, 0x39E, 0xC6, 0xE6, 0xDF, 0xC9,
	' ', '!', '"', '#', 0xA4, '%', '&', '\'', '(', ')', '*', '+', ',', '-', '.', '/', ':', ';', '<', '=',
	'>', '?', 0xA1, 0xC4, 0xD6, 0xD1, 0xDC, 0xA7, 0xBF, 0xE4, 0xF6, 0xF1, 0xFC, 0xE0,
};
/* its extension table (each two septets: the escape and the character) */
static const uint32_t gsm_extension[] = {0x0C, '^', '{', '}', '\\', '[', '~', ']', '|', 0x20AC};

static bool in(const uint32_t *table, size_t n, uint32_t c)
{
	for (size_t i = 0; i < n; i++)
		if (table[i] == c)
			return true;
	return false;
}

/* septets of c in GSM-7, 0 when GSM-7 has no c */
static size_t gsm_septets(uint32_t c)
{
	if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	    in(gsm_basic, sizeof gsm_basic / sizeof gsm_basic[0], c))
		return 1;
	return in(gsm_extension, sizeof gsm_extension / sizeof gsm_extension[0], c) ? 2 : 0;
}

struct sms_size sms_measure(const char *text)
{
	const uint8_t *s = (const uint8_t *)text, *end = s + strlen(text);
	const uint8_t *bad = u8_check(s, (size_t)(end - s));
	if (bad)
		end = bad;
	size_t septets = 0, units = 0;
	bool gsm7 = true;
	for (const uint8_t *p = s; p < end;) {
		ucs4_t c;
		int n = u8_mbtouc(&c, p, (size_t)(end - p));
		size_t k = gsm_septets(c);
		if (!k)
			gsm7 = false;
		septets += k;
		units += c > 0xFFFF ? 2 : 1;
		p += n;
	}
	struct sms_size z = {.gsm7 = gsm7, .units = gsm7 ? septets : units};
	size_t single = gsm7 ? 160 : 70, part = gsm7 ? 153 : 67;
	z.segments = z.units <= single ? 1 : (int)((z.units + part - 1) / part);
	return z;
}
