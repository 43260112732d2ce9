/*
 * catalog.c: the words of each language from the GNU gettext catalogs compiled into the
 * binary (po/<lang>.po → msgfmt → <lang>.mo → tools/embed-files → l10n_catalogs).
 *
 * A .mo file (GNU gettext manual, "The Format of GNU MO Files") is a header of 32-bit words
 * (magic 0x950412de in the file's byte order, revision, N, the offsets of the table of
 * original strings and of translations), then N (length, offset) pairs per table; msgfmt
 * sorts the originals, so a lookup is a binary search. gettext's own lookup (dcgettext) picks
 * the language from the process's or the thread's locale, which must be installed on the
 * machine; a server that answers each request in its person's language reads the catalogs
 * itself. Only the embedded files are read, and each is checked once at start
 * (l10n_catalogs_ok): every string inside the file and NUL-terminated.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "base/embedded.h"
#include "l10n/l10n.h"


struct mo {
	const unsigned char *data;
	size_t len;
	bool swapped;
	uint32_t n, originals, translations;
};

static uint32_t word(const struct mo *m, size_t off)
{
	uint32_t w;
	memcpy(&w, m->data + off, 4);
	return m->swapped ? __builtin_bswap32(w) : w;
}

/* The catalog file of lang ("de.mo") read into m; false when it is missing or malformed. */
static bool mo_open(enum l10n_language lang, struct mo *m)
{
	char name[16];
	snprintf(name, sizeof name, "%s.mo", l10n_code(lang));
	const struct embedded_file *f = embedded_find(l10n_catalogs, name);
	if (!f || f->len < 28)
		return false;
	*m = (struct mo){.data = (const unsigned char *)f->data, .len = f->len};
	uint32_t magic;
	memcpy(&magic, m->data, 4);
	if (magic == 0xde120495u)
		m->swapped = true;
	else if (magic != 0x950412deu)
		return false;
	m->n = word(m, 8);
	m->originals = word(m, 12);
	m->translations = word(m, 16);
	return m->n < (1u << 20) && m->originals <= m->len && m->translations <= m->len &&
	       (size_t)m->n * 8 <= m->len - m->originals && (size_t)m->n * 8 <= m->len - m->translations;
}

/* String i of the table at table_off, or NULL when it does not lie inside the file */
static const char *mo_string(const struct mo *m, uint32_t table_off, uint32_t i)
{
	uint32_t len = word(m, table_off + (size_t)i * 8), off = word(m, table_off + (size_t)i * 8 + 4);
	if (off >= m->len || len >= m->len - off || m->data[off + len] != '\0')
		return NULL;
	return (const char *)m->data + off;
}

static struct mo catalogs[LANG_COUNT];
static bool catalog_ready[LANG_COUNT];

bool l10n_catalogs_ok(const char **bad)
{
	for (int i = 0; i < LANG_COUNT; i++) {
		if (i == LANG_EN)
			continue;
		struct mo m;
		bool ok = mo_open((enum l10n_language)i, &m);
		for (uint32_t k = 0; ok && k < m.n; k++)
			ok = mo_string(&m, m.originals, k) && mo_string(&m, m.translations, k) &&
			     (k == 0 || strcmp(mo_string(&m, m.originals, k - 1), mo_string(&m, m.originals, k)) < 0);
		if (!ok) {
			*bad = l10n_code((enum l10n_language)i);
			return false;
		}
		catalogs[i] = m;
		catalog_ready[i] = true;
	}
	return true;
}

const char *l10n_text(const struct l10n *l, const char *msgid)
{
	if (!l || (unsigned)l->lang >= LANG_COUNT || !catalog_ready[l->lang] || !*msgid)
		return msgid;
	const struct mo *m = &catalogs[l->lang];
	uint32_t lo = 0, hi = m->n;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		int c = strcmp(msgid, mo_string(m, m->originals, mid));
		if (c == 0) {
			const char *t = mo_string(m, m->translations, mid);
			return *t ? t : msgid;
		}
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return msgid;
}
