/*
 * validate.h: pure checks and normalisation of user-supplied values (emails, phone numbers,
 * names, passwords, URLs). No I/O; the HTTP layer maps a failure to INVALID_FIELD. Unicode
 * general categories come from libunistring (unictype.h), not from a table of our own.
 */
#ifndef TF_CORE_VALIDATE_H
#define TF_CORE_VALIDATE_H
#include <stdbool.h>
#include <stddef.h>

#define TF_EMAIL_MAX 254
#define TF_PASSWORD_MIN 8
#define TF_PASSWORD_MAX 256

/* Lower-cases and checks an email address (one '@', a dotted domain of letters, digits and
 * hyphens, printable ASCII local part). Writes the normalised form to out (size >= 255).
 * Returns true when valid. */
bool validate_email(const char *in, char *out, size_t out_size);

/* E.164: '+', a non-zero digit, 7 to 15 digits in all. */
bool validate_phone_e164(const char *in);

/* Passwords: 8 to 256 bytes of valid UTF-8 without control characters (NIST SP 800-63B 5.1.1.2). */
bool validate_password(const char *in);

/* Display text: any text that reaches a message or a page (payee names, application names,
 * user names, nicknames). len bytes of strict UTF-8 (no overlong forms, no surrogates, nothing
 * past U+10FFFF) in which no code point is:
 *   Cc  a control (C0, DEL, C1: line breaks, tabs, escape sequences),
 *   Cf  a format character: bidi controls (U+202A..U+202E, U+2066..U+2069, U+200E/U+200F),
 *       zero-width characters (U+200B..U+200D, U+2060, U+FEFF), soft hyphen, tag characters.
 *       U+200D ZERO WIDTH JOINER is Cf, so emoji ZWJ sequences are refused (their parts alone,
 *       skin tones, variation selectors, combining marks and flags are accepted),
 *   Zl, Zp  U+2028 LINE SEPARATOR, U+2029 PARAGRAPH SEPARATOR,
 *   Co  private use, Cs  a surrogate, Cn  unassigned in the Unicode version libunistring knows,
 *   or a non-character (U+FDD0..U+FDEF, and U+xxFFFE and U+xxFFFF in every plane).
 * Such code points can make a message or a page show something other than the text's plain
 * reading (a second line, reordered words, invisible differences; RTS art. 5(1)(a)). */
bool validate_display_chars(const char *s, size_t len);

/* Display text of 1 to max_len bytes (validate_display_chars). */
bool validate_display_text(const char *in, size_t max_len);

/* Absolute http(s) URL without whitespace or control characters, at most 1024 bytes. */
bool validate_url(const char *in);

/* Valid UTF-8 with no C0 or C1 control characters and no DEL (passwords, header values: text
 * that is never shown, so other categories are allowed). */
bool validate_utf8_text(const char *s, size_t len);

#endif
