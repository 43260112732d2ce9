/*
 * l10n.h: the languages people read twofold in: which one a message or page
 * uses, its words from the GNU gettext catalogs compiled into the binary (po/<lang>.po, built with
 * msgfmt into .mo files and embedded), and amounts and dates written as that language's
 * readers write them (ICU).
 *
 * The languages: English (the catalogs' source text), German, French, Spanish, Italian, Dutch,
 * Polish and Portuguese (European). A locale is a BCP 47 tag ("de", "de-AT", "pt-PT"); the
 * first of the user's locale, the application's default_locale and (on hosted pages) the
 * browser's Accept-Language whose language is one of these is used, else English. Amounts and
 * dates follow the chosen tag's language and region only: variants and extensions ("-u-nu-...")
 * never change how a number is written.
 *
 * Pure: no I/O; the catalogs are compiled in, ICU's data is its library's.
 */
#ifndef TF_L10N_L10N_H
#define TF_L10N_L10N_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum l10n_language { LANG_EN, LANG_DE, LANG_FR, LANG_ES, LANG_IT, LANG_NL, LANG_PL, LANG_PT, LANG_COUNT };

#define L10N_TAG_MAX 36 /* a stored locale: BCP 47, at most 35 characters */
#define L10N_FORMAT_TAG_MAX 16
#define L10N_AMOUNT_MAX 64 /* the longest amount (10^14 minor units) in any of the languages */

/* The language a message or page is written in. */
struct l10n {
	enum l10n_language lang;
	char tag[L10N_FORMAT_TAG_MAX]; /* language and region for ICU: "de-AT", "pt-PT", "en" */
};

/* The two-letter code of lang ("de"), as <html lang> and a voice provider take it. */
const char *l10n_code(enum l10n_language lang);
/* The tag a voice provider reads a call in: "de-DE", "en-GB"; the region of the chosen tag
 * when it has one. Writes into out (L10N_FORMAT_TAG_MAX). */
void l10n_voice_tag(const struct l10n *l, char out[L10N_FORMAT_TAG_MAX]);

/* Whether tag is a well-formed BCP 47 language tag of at most 35 characters (ICU's parser
 * takes all of it). Any language is accepted: one twofold does not speak falls back. */
bool l10n_tag_valid(const char *tag);

/* out for tag when its language is one of twofold's; false otherwise (also for NULL or ""). */
bool l10n_from_tag(const char *tag, struct l10n *out);

/* The language for a person: the first of user_locale, app_locale and accept_language (an
 * Accept-Language header value: its supported languages in order of q, a q of 0 never) that
 * twofold speaks, else English. Any may be NULL. */
struct l10n l10n_choose(const char *user_locale, const char *app_locale, const char *accept_language);

/* English. */
extern const struct l10n l10n_english;

/* msgid in l's language: the catalog's translation, or msgid itself (English, or an entry the
 * catalog lacks, which `make test` refuses). Never NULL for a non-NULL msgid. */
const char *l10n_text(const struct l10n *l, const char *msgid);
/* Marks a string for the catalogs without translating it (a table's words, translated where
 * they are used). */
#define N_(s) (s)

/* amount (minor units of currency, ISO 4217) as l's readers write it: "49,99 €" (de),
 * "€49.99" (en), "¥1,235" for JPY 1235, "BHD 1.234" for 1234 fils; the currency's own minor
 * units. Spaces ICU puts in (U+00A0, U+202F) stay as they are; plain_spaces turns them into
 * ASCII spaces (an SMS keeps GSM-7). False when it does not fit or ICU fails. */
bool l10n_amount(const struct l10n *l, int64_t amount, const char *currency, bool plain_spaces, char *out,
		 size_t size);

/* A moment (Unix seconds) as a date and time in l's language, in UTC, with the zone named:
 * "6. Dez. 2026, 23:13 UTC". False when it does not fit or ICU fails. */
bool l10n_datetime(const struct l10n *l, int64_t unix_s, char *out, size_t size);

/* Checks the compiled-in catalogs (each present, well-formed); false names the first that is
 * not in *bad. Called once at start. */
bool l10n_catalogs_ok(const char **bad);

#endif
