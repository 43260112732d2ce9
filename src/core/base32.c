/* base32.c: see base32.h. */
#include "core/base32.h"

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

void base32_encode(const uint8_t *in, size_t len, char *out)
{
	uint32_t acc = 0;
	int bits = 0;
	size_t o = 0;
	for (size_t i = 0; i < len; i++) {
		acc = (acc << 8) | in[i];
		bits += 8;
		while (bits >= 5) {
			out[o++] = alphabet[(acc >> (bits - 5)) & 31];
			bits -= 5;
		}
	}
	if (bits > 0)
		out[o++] = alphabet[(acc << (5 - bits)) & 31];
	out[o] = '\0';
}

static int value_of(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a';
	if (c >= '2' && c <= '7')
		return c - '2' + 26;
	return -1;
}

bool base32_decode(const char *text, uint8_t *out, size_t out_size, size_t *out_len)
{
	uint32_t acc = 0;
	int bits = 0;
	size_t o = 0;
	bool padding = false;
	for (const char *p = text; *p; p++) {
		if (*p == ' ')
			continue;
		if (*p == '=') {
			padding = true;
			continue;
		}
		int v = value_of(*p);
		if (v < 0 || padding)
			return false;
		acc = (acc << 5) | (uint32_t)v;
		bits += 5;
		if (bits >= 8) {
			if (o >= out_size)
				return false;
			out[o++] = (uint8_t)(acc >> (bits - 8));
			bits -= 8;
		}
	}
	*out_len = o;
	return true;
}
