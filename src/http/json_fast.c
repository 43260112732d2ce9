/* json_fast.c: see json_fast.h. Every path that meets something outside the subset gives up
 * (returns NULL) rather than deciding anything: errors and the rest of JSON are jansson's. */
#include "http/json_fast.h"

#include <sodium.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define DUMP_DEPTH_MAX 32
#define INT_DIGITS_MAX 18 /* 10^18 - 1 fits a json_int_t with room: no overflow to detect */

static bool is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* printable ASCII that needs no escape in JSON */
static bool is_plain(unsigned char c)
{
	return c >= 0x20 && c <= 0x7e && c != '"' && c != '\\';
}

static const char *skip_ws(const char *p, const char *end)
{
	while (p < end && is_ws(*p))
		p++;
	return p;
}

/* At p: '"' plain* '"'. Sets the contents and returns the position after the closing quote;
 * NULL when the string has an escape, a byte outside printable ASCII, or no end. */
static const char *plain_string(const char *p, const char *end, const char **s, size_t *n)
{
	if (p >= end || *p != '"')
		return NULL;
	const char *start = ++p;
	while (p < end && is_plain((unsigned char)*p))
		p++;
	if (p >= end || *p != '"')
		return NULL;
	*s = start;
	*n = (size_t)(p - start);
	return p + 1;
}

/* true when p is at the end of a value: whitespace, ',' or '}' (or the end of the text,
 * which the caller then refuses) */
static bool value_ends(const char *p, const char *end)
{
	return p >= end || is_ws(*p) || *p == ',' || *p == '}';
}

static const char *literal(const char *p, const char *end, const char *word, size_t n)
{
	if ((size_t)(end - p) < n || memcmp(p, word, n) != 0 || !value_ends(p + n, end))
		return NULL;
	return p + n;
}

/* -?(0|[1-9][0-9]*), at most INT_DIGITS_MAX digits, not followed by a fraction or exponent */
static const char *integer(const char *p, const char *end, json_int_t *out)
{
	bool negative = false;
	if (p < end && *p == '-') {
		negative = true;
		p++;
	}
	const char *digits = p;
	int64_t v = 0;
	while (p < end && *p >= '0' && *p <= '9' && p - digits < INT_DIGITS_MAX)
		v = v * 10 + (*p++ - '0');
	size_t n = (size_t)(p - digits);
	if (n == 0 || (n > 1 && digits[0] == '0') || !value_ends(p, end))
		return NULL;
	*out = negative ? -v : v;
	return p;
}

/* One value of the subset at p; NULL when p holds anything else. */
static const char *flat_value(const char *p, const char *end, json_t **out)
{
	const char *s;
	size_t n;
	json_int_t i;
	const char *next;
	switch (p < end ? *p : '\0') {
	case '"':
		if (!(next = plain_string(p, end, &s, &n)))
			return NULL;
		*out = json_stringn_nocheck(s, n);
		break;
	case 't':
		if (!(next = literal(p, end, "true", 4)))
			return NULL;
		*out = json_true();
		break;
	case 'f':
		if (!(next = literal(p, end, "false", 5)))
			return NULL;
		*out = json_false();
		break;
	case 'n':
		if (!(next = literal(p, end, "null", 4)))
			return NULL;
		*out = json_null();
		break;
	default:
		if (!(next = integer(p, end, &i)))
			return NULL;
		*out = json_integer(i);
		break;
	}
	return *out ? next : NULL;
}

json_t *json_fast_parse_flat(const char *text, size_t len)
{
	const char *p = text, *end = text + len;
	p = skip_ws(p, end);
	if (p >= end || *p != '{')
		return NULL;
	json_t *obj = json_object();
	if (!obj)
		return NULL;
	p = skip_ws(p + 1, end);
	if (p < end && *p == '}') {
		p++;
	} else {
		for (;;) {
			const char *key;
			size_t key_len;
			json_t *v = NULL;
			if (!(p = plain_string(p, end, &key, &key_len)))
				goto other;
			p = skip_ws(p, end);
			if (p >= end || *p != ':')
				goto other;
			p = skip_ws(p + 1, end);
			if (!(p = flat_value(p, end, &v)))
				goto other;
			if (json_object_getn(obj, key, key_len) || json_object_setn_new_nocheck(obj, key, key_len, v) != 0) {
				json_decref(v); /* a repeated key: jansson's error to give */
				goto other;
			}
			p = skip_ws(p, end);
			if (p < end && *p == ',') {
				p = skip_ws(p + 1, end);
				continue;
			}
			if (p < end && *p == '}') {
				p++;
				break;
			}
			goto other;
		}
	}
	if (skip_ws(p, end) == end)
		return obj;
other:
	json_decref(obj);
	return NULL;
}

/* ---- writing ---- */

struct out {
	char *buf;
	size_t len, cap;
};

static bool put(struct out *o, const char *s, size_t n)
{
	if (o->len + n + 1 > o->cap) {
		size_t cap = o->cap * 2;
		while (cap < o->len + n + 1)
			cap *= 2;
		char *b = malloc(cap); /* not realloc: the old block is wiped before it is freed */
		if (!b)
			return false;
		memcpy(b, o->buf, o->len);
		sodium_memzero(o->buf, o->cap);
		free(o->buf);
		o->buf = b;
		o->cap = cap;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	return true;
}

static bool put_plain_string(struct out *o, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!is_plain((unsigned char)s[i]))
			return false;
	return put(o, "\"", 1) && put(o, s, n) && put(o, "\"", 1);
}

static bool put_integer(struct out *o, json_int_t v)
{
	char digits[24];
	size_t i = sizeof digits;
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	do {
		digits[--i] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		digits[--i] = '-';
	return put(o, digits + i, sizeof digits - i);
}

static bool put_value(struct out *o, const json_t *v, int depth)
{
	if (depth > DUMP_DEPTH_MAX)
		return false;
	switch (json_typeof(v)) {
	case JSON_OBJECT: {
		bool first = true;
		if (!put(o, "{", 1))
			return false;
		/* jansson keeps and writes members in the order they were set */
		for (void *it = json_object_iter((json_t *)v); it; it = json_object_iter_next((json_t *)v, it)) {
			if ((!first && !put(o, ",", 1)) ||
			    !put_plain_string(o, json_object_iter_key(it), json_object_iter_key_len(it)) ||
			    !put(o, ":", 1) || !put_value(o, json_object_iter_value(it), depth + 1))
				return false;
			first = false;
		}
		return put(o, "}", 1);
	}
	case JSON_ARRAY: {
		size_t i;
		json_t *x;
		if (!put(o, "[", 1))
			return false;
		json_array_foreach(v, i, x) {
			if ((i > 0 && !put(o, ",", 1)) || !put_value(o, x, depth + 1))
				return false;
		}
		return put(o, "]", 1);
	}
	case JSON_STRING:
		return put_plain_string(o, json_string_value(v), json_string_length(v));
	case JSON_INTEGER:
		return put_integer(o, json_integer_value(v));
	case JSON_TRUE:
		return put(o, "true", 4);
	case JSON_FALSE:
		return put(o, "false", 5);
	case JSON_NULL:
		return put(o, "null", 4);
	default: /* reals: jansson's own formatting */
		return false;
	}
}

char *json_fast_dump(const json_t *v)
{
	if (!json_is_object(v) && !json_is_array(v)) /* jansson writes no bare value without JSON_ENCODE_ANY */
		return NULL;
	struct out o = {.buf = malloc(512), .cap = 512};
	if (!o.buf)
		return NULL;
	if (!put_value(&o, v, 1)) {
		sodium_memzero(o.buf, o.cap); /* answers carry tokens and codes */
		free(o.buf);
		return NULL;
	}
	o.buf[o.len] = '\0';
	return o.buf;
}
