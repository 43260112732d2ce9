/* locale.c: which language a person reads (see l10n.h): BCP 47 tags through ICU's parser, the
 * Accept-Language header, and the order user, application, browser, English. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unicode/uloc.h>

#include "l10n/l10n.h"

static const struct {
	const char *code;
	const char *voice; /* the region a call is read in when the tag names none */
	const char *format; /* the ICU locale of a tag without a region */
} languages[LANG_COUNT] = {
	[LANG_EN] = {"en", "en-GB", "en"},    [LANG_DE] = {"de", "de-DE", "de"}, [LANG_FR] = {"fr", "fr-FR", "fr"},
	[LANG_ES] = {"es", "es-ES", "es"},    [LANG_IT] = {"it", "it-IT", "it"}, [LANG_NL] = {"nl", "nl-NL", "nl"},
	[LANG_PL] = {"pl", "pl-PL", "pl"},    [LANG_PT] = {"pt", "pt-PT", "pt-PT"},
};

const struct l10n l10n_english = {.lang = LANG_EN, .tag = "en"};

const char *l10n_code(enum l10n_language lang)
{
	return (unsigned)lang < LANG_COUNT ? languages[lang].code : "en";
}

void l10n_voice_tag(const struct l10n *l, char out[L10N_FORMAT_TAG_MAX])
{
	const char *dash = strchr(l->tag, '-');
	if (dash && strlen(dash + 1) == 2) /* a country: the call in that country's accent */
		memcpy(out, l->tag, strlen(l->tag) + 1);
	else
		snprintf(out, L10N_FORMAT_TAG_MAX, "%s", languages[l->lang].voice);
}

/* tag parsed by ICU into its locale id; false when ICU does not take all of it */
static bool parse_tag(const char *tag, char *id, int32_t size)
{
	if (!tag || !*tag || strlen(tag) >= L10N_TAG_MAX)
		return false;
	for (const char *p = tag; *p; p++) /* BCP 47 is letters, digits and '-' only */
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '-'))
			return false;
	UErrorCode st = U_ZERO_ERROR;
	int32_t parsed = 0;
	int32_t n = uloc_forLanguageTag(tag, id, size, &parsed, &st);
	return U_SUCCESS(st) && st != U_STRING_NOT_TERMINATED_WARNING && n > 0 && parsed == (int32_t)strlen(tag);
}

bool l10n_tag_valid(const char *tag)
{
	char id[ULOC_FULLNAME_CAPACITY];
	return parse_tag(tag, id, sizeof id);
}

bool l10n_from_tag(const char *tag, struct l10n *out)
{
	char id[ULOC_FULLNAME_CAPACITY], language[ULOC_LANG_CAPACITY], country[ULOC_COUNTRY_CAPACITY];
	if (!parse_tag(tag, id, sizeof id))
		return false;
	UErrorCode st = U_ZERO_ERROR;
	uloc_getLanguage(id, language, sizeof language, &st);
	int32_t cn = uloc_getCountry(id, country, sizeof country, &st);
	if (U_FAILURE(st))
		return false;
	for (int i = 0; i < LANG_COUNT; i++) {
		if (strcmp(language, languages[i].code) != 0)
			continue;
		out->lang = (enum l10n_language)i;
		if (cn > 0 && cn <= 3)
			snprintf(out->tag, sizeof out->tag, "%s-%s", language, country);
		else
			snprintf(out->tag, sizeof out->tag, "%s", languages[i].format);
		return true;
	}
	return false;
}

/* The q of one Accept-Language element's parameters (";q=0.8"), 1000 for none, -1 when bad. */
static int accept_q(const char *params, size_t len)
{
	const char *p = params, *end = params + len;
	while (p < end && (*p == ' ' || *p == ';'))
		p++;
	if (p == end)
		return 1000;
	if (end - p < 3 || (p[0] != 'q' && p[0] != 'Q') || p[1] != '=')
		return -1;
	p += 2;
	int q = 0, digits = 0;
	if (*p == '0' || *p == '1') {
		q = (*p - '0') * 1000;
		p++;
		if (p < end && *p == '.') {
			p++;
			for (int scale = 100; p < end && *p >= '0' && *p <= '9' && digits < 3; p++, digits++, scale /= 10)
				q += (*p - '0') * scale;
		}
	} else {
		return -1;
	}
	while (p < end && *p == ' ')
		p++;
	return p == end && q <= 1000 ? q : -1;
}

/* Browsers send a handful of languages; a header of thousands would cost a tag parse each. */
#define ACCEPT_LANGUAGE_ELEMENTS_MAX 32

/* The supported language of the Accept-Language header value with the highest q (the first of
 * equals) among its first ACCEPT_LANGUAGE_ELEMENTS_MAX elements, into out; false when they name
 * none. */
static bool from_accept_language(const char *header, struct l10n *out)
{
	int best_q = 0, elements = 0;
	bool found = false;
	const char *p = header;
	while (p && *p && elements++ < ACCEPT_LANGUAGE_ELEMENTS_MAX) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		while (len && *p == ' ')
			p++, len--;
		const char *semi = memchr(p, ';', len);
		size_t tag_len = semi ? (size_t)(semi - p) : len;
		while (tag_len && p[tag_len - 1] == ' ')
			tag_len--;
		int q = semi ? accept_q(semi, len - (size_t)(semi - p)) : 1000;
		char tag[L10N_TAG_MAX];
		struct l10n l;
		if (q > best_q && tag_len > 0 && tag_len < sizeof tag) {
			memcpy(tag, p, tag_len);
			tag[tag_len] = '\0';
			if (l10n_from_tag(tag, &l)) {
				*out = l;
				best_q = q;
				found = true;
			}
		}
		p = comma ? comma + 1 : NULL;
	}
	return found;
}

struct l10n l10n_choose(const char *user_locale, const char *app_locale, const char *accept_language)
{
	struct l10n l;
	if (l10n_from_tag(user_locale, &l) || l10n_from_tag(app_locale, &l) ||
	    (accept_language && from_accept_language(accept_language, &l)))
		return l;
	return l10n_english;
}
