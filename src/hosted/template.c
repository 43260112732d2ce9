/* template.c: renders the compiled-in templates of the hosted pages (see template.h). */
#include "hosted/template.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/embedded.h"


struct buf {
	char *p;
	size_t len, cap;
	int failed;
};

static void put(struct buf *b, const char *s, size_t n)
{
	if (b->failed)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 1024;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *p = realloc(b->p, cap);
		if (!p) {
			b->failed = 1;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

/* The text b holds ("" when nothing was put), or NULL when memory ran out */
static char *buf_take(struct buf *b)
{
	if (!b->p)
		put(b, "", 0);
	if (b->failed) {
		free(b->p);
		return NULL;
	}
	return b->p;
}

static void put_escaped(struct buf *b, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': put(b, "&amp;", 5); break;
		case '<': put(b, "&lt;", 4); break;
		case '>': put(b, "&gt;", 4); break;
		case '"': put(b, "&quot;", 6); break;
		case '\'': put(b, "&#39;", 5); break;
		default: put(b, s, 1);
		}
	}
}

static const char *lookup(const struct tpl_var *vars, const char *name, size_t len)
{
	for (const struct tpl_var *v = vars; v && v->name; v++)
		if (strlen(v->name) == len && memcmp(v->name, name, len) == 0)
			return v->value;
	return NULL;
}

/* text (len bytes) with each {name} replaced by its variable; escape: both HTML-escaped */
static void put_words(struct buf *b, const char *text, size_t len, const struct tpl_var *vars, bool escape)
{
	const char *p = text, *end = text + len;
	while (p < end) {
		const char *open = memchr(p, '{', (size_t)(end - p));
		const char *close = open ? memchr(open, '}', (size_t)(end - open)) : NULL;
		const char *value = close ? lookup(vars, open + 1, (size_t)(close - open - 1)) : NULL;
		const char *stop = close ? open : end;
		for (const char *q = p; q < stop; q++) {
			char one[2] = {*q, '\0'};
			if (escape)
				put_escaped(b, one);
			else
				put(b, one, 1);
		}
		if (!close)
			break;
		if (value) {
			if (escape)
				put_escaped(b, value);
			else
				put(b, value, strlen(value));
		} else { /* not a variable: the braces are text */
			put(b, open, (size_t)(close + 1 - open));
		}
		p = close + 1;
	}
}

char *tpl_words(const struct l10n *l, const char *words, const struct tpl_var *vars)
{
	struct buf b = {0};
	const char *text = l10n_text(l, words);
	put_words(&b, text, strlen(text), vars, false);
	return buf_take(&b);
}

char *tpl_render(const struct l10n *l, const char *name, const struct tpl_var *vars)
{
	const struct embedded_file *f = embedded_find(hosted_templates, name);
	if (!f)
		return NULL;
	struct buf b = {0};
	const char *p = f->data, *end = f->data + f->len;
	while (p < end) {
		const char *open = strstr(p, "{{");
		if (!open) {
			put(&b, p, (size_t)(end - p));
			break;
		}
		put(&b, p, (size_t)(open - p));
		int raw = open[2] == '{';
		const char *name_start = open + (raw ? 3 : 2);
		const char *close = strstr(name_start, raw ? "}}}" : "}}");
		if (!close) { /* not a placeholder: keep the text */
			put(&b, open, (size_t)(end - open));
			break;
		}
		if (!raw && name_start[0] == '#') { /* a comment: for translators, never shown */
			p = close + 2;
			continue;
		}
		if (!raw && name_start[0] == '_' && name_start[1] == ' ') { /* words in the page's language */
			char msgid[512];
			size_t n = (size_t)(close - name_start - 2);
			if (n < sizeof msgid) {
				memcpy(msgid, name_start + 2, n);
				msgid[n] = '\0';
				const char *text = l10n_text(l, msgid);
				put_words(&b, text, strlen(text), vars, true);
			} else {
				b.failed = 1;
			}
			p = close + 2;
			continue;
		}
		const char *value = lookup(vars, name_start, (size_t)(close - name_start));
		if (value) {
			if (raw)
				put(&b, value, strlen(value));
			else
				put_escaped(&b, value);
		}
		p = close + (raw ? 3 : 2);
	}
	return buf_take(&b);
}

int tpl_append(const struct l10n *l, char **acc, const char *name, const struct tpl_var *vars)
{
	char *part = tpl_render(l, name, vars);
	if (!part)
		return 0;
	size_t have = *acc ? strlen(*acc) : 0, n = strlen(part);
	char *p = realloc(*acc, have + n + 1);
	if (!p) {
		free(part);
		return 0;
	}
	memcpy(p + have, part, n + 1);
	*acc = p;
	free(part);
	return 1;
}
