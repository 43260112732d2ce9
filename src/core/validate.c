/* validate.c: see validate.h. Pure functions over strings. */
#include "core/validate.h"

#include <string.h>
#include <unictype.h>
#include <unistr.h>

bool validate_utf8_text(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;
	while (p < end) {
		unsigned c = *p;
		if (c < 0x20 || c == 0x7f)
			return false;
		if (c < 0x80) {
			p++;
			continue;
		}
		int n;
		unsigned cp;
		if ((c & 0xe0) == 0xc0) {
			n = 1;
			cp = c & 0x1f;
		} else if ((c & 0xf0) == 0xe0) {
			n = 2;
			cp = c & 0x0f;
		} else if ((c & 0xf8) == 0xf0) {
			n = 3;
			cp = c & 0x07;
		} else {
			return false;
		}
		if (end - p <= n)
			return false;
		for (int i = 1; i <= n; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (p[i] & 0x3f);
		}
		/* overlong forms, surrogates, beyond Unicode, C1 controls */
		if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
		    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff || (cp >= 0x80 && cp < 0xa0))
			return false;
		p += n + 1;
	}
	return true;
}

static bool is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

bool validate_email(const char *in, char *out, size_t out_size)
{
	size_t len = strlen(in);
	if (len < 3 || len > TF_EMAIL_MAX || out_size <= len)
		return false;
	const char *at = strchr(in, '@');
	if (!at || strchr(at + 1, '@') || at == in)
		return false;
	size_t local_len = (size_t)(at - in);
	if (local_len > 64)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = in[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		out[i] = c;
	}
	out[len] = '\0';
	/* local part: printable ASCII without specials that need quoting */
	for (size_t i = 0; i < local_len; i++) {
		char c = out[i];
		if (!(is_alnum(c) || strchr("!#$%&'*+/=?^_`{|}~.-", c)))
			return false;
	}
	if (out[0] == '.' || out[local_len - 1] == '.' || strstr(out, ".."))
		return false;
	/* domain: labels of letters, digits and hyphens, at least one dot, no empty label */
	const char *d = out + local_len + 1;
	size_t dlen = strlen(d);
	if (dlen < 3 || !strchr(d, '.'))
		return false;
	size_t label = 0;
	for (size_t i = 0; i <= dlen; i++) {
		char c = d[i];
		if (c == '.' || c == '\0') {
			if (label == 0 || label > 63 || d[i - 1] == '-')
				return false;
			label = 0;
			continue;
		}
		if (!(is_alnum(c) || c == '-') || (label == 0 && c == '-'))
			return false;
		label++;
	}
	return true;
}

bool validate_phone_e164(const char *in)
{
	if (in[0] != '+' || in[1] < '1' || in[1] > '9')
		return false;
	size_t digits = 0;
	for (const char *p = in + 1; *p; p++) {
		if (*p < '0' || *p > '9')
			return false;
		digits++;
	}
	return digits >= 7 && digits <= 15;
}

bool validate_password(const char *in)
{
	size_t len = strlen(in);
	return len >= TF_PASSWORD_MIN && len <= TF_PASSWORD_MAX && validate_utf8_text(in, len);
}

static bool is_noncharacter(ucs4_t cp)
{
	return (cp >= 0xfdd0 && cp <= 0xfdef) || (cp & 0xfffe) == 0xfffe;
}

bool validate_display_chars(const char *s, size_t len)
{
	const uint8_t *p = (const uint8_t *)s, *end = p + len;
	if (u8_check(p, len) != NULL) /* overlong forms, surrogates, past U+10FFFF, truncated */
		return false;
	const uint32_t refused = UC_CATEGORY_MASK_Cc | UC_CATEGORY_MASK_Cf | UC_CATEGORY_MASK_Zl | UC_CATEGORY_MASK_Zp |
				 UC_CATEGORY_MASK_Co | UC_CATEGORY_MASK_Cs | UC_CATEGORY_MASK_Cn;
	while (p < end) {
		ucs4_t cp;
		int n = u8_mbtouc(&cp, p, (size_t)(end - p));
		if (n <= 0 || is_noncharacter(cp) || uc_is_general_category_withtable(cp, refused))
			return false;
		p += n;
	}
	return true;
}

bool validate_display_text(const char *in, size_t max_len)
{
	size_t len = strlen(in);
	return len >= 1 && len <= max_len && validate_display_chars(in, len);
}

bool validate_url(const char *in)
{
	size_t len = strlen(in);
	if (len > 1024)
		return false;
	if (strncmp(in, "https://", 8) != 0 && strncmp(in, "http://", 7) != 0)
		return false;
	const char *host = in + (in[4] == 's' ? 8 : 7);
	if (*host == '\0' || *host == '/')
		return false;
	for (const char *p = in; *p; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f)
			return false;
	return true;
}
