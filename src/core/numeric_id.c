/* numeric_id.c: see numeric_id.h. Pure. */
#include "core/numeric_id.h"

#include <stdio.h>
#include <string.h>

static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz234567";

typedef unsigned __int128 u128;

bool numeric_id_from_id(const char *id, char out[NUMERIC_ID_MAX])
{
	const char *us = strchr(id, '_');
	if (!us || strlen(us + 1) != 26)
		return false;
	u128 v = 0;
	for (int i = 0; i < 26; i++) {
		const char *p = strchr(alphabet, us[1 + i]);
		if (!p || !us[1 + i])
			return false;
		unsigned c = (unsigned)(p - alphabet);
		if (i < 25) {
			v = (v << 5) | c;
		} else {
			if (c & 3) /* the last character's two padding bits are zero */
				return false;
			v = (v << 3) | (c >> 2);
		}
	}
	char rev[NUMERIC_ID_MAX];
	int n = 0;
	do {
		rev[n++] = (char)('0' + (int)(v % 10));
		v /= 10;
	} while (v);
	for (int i = 0; i < n; i++)
		out[i] = rev[n - 1 - i];
	out[n] = '\0';
	return true;
}

bool numeric_id_to_id(const char *digits, const char *prefix, char *out, size_t size)
{
	size_t len = strlen(digits);
	if (len == 0 || len > 39 || (len > 1 && digits[0] == '0'))
		return false;
	u128 v = 0, max = ~(u128)0;
	for (const char *p = digits; *p; p++) {
		if (*p < '0' || *p > '9')
			return false;
		unsigned d = (unsigned)(*p - '0');
		if (v > (max - d) / 10)
			return false;
		v = v * 10 + d;
	}
	char chars[27];
	/* 128 bits then two zero bits: 26 characters of 5 bits */
	for (int i = 25; i >= 0; i--) {
		unsigned c;
		if (i == 25) {
			c = (unsigned)(v & 7) << 2;
			v >>= 3;
		} else {
			c = (unsigned)(v & 31);
			v >>= 5;
		}
		chars[i] = alphabet[c];
	}
	chars[26] = '\0';
	int n = snprintf(out, size, "%s_%s", prefix, chars);
	return n > 0 && (size_t)n < size;
}
