/*
 * message_text.h: the names a message shows (the application's and, for a payment, the
 * payee's), fitted into one bounded length that is the same on every channel (SMS, voice,
 * push). The amount, the currency and the code are never shortened: the caller writes them in
 * full around the fitted names, so every message has a fixed maximum size.
 *
 * Lengths are counted in UTF-16 code units, as an SMS in UCS-2 counts its characters (an emoji
 * outside the Basic Multilingual Plane counts 2). The names together take at most
 * MESSAGE_NAMES_UNITS: with an ordinary application name, a payee name of SEPA's 140
 * characters is shown whole, and a code SMS stays under 300 characters. When they would take
 * more, the payee name is shortened first, to no fewer than MESSAGE_PAYEE_MIN_UNITS, then the
 * application name, each ending in U+2026 HORIZONTAL ELLIPSIS. Shortening keeps whole grapheme
 * clusters (libunistring's u8_grapheme_next: a letter and its combining marks, an emoji and
 * its modifiers stay together) unless the first cluster alone is too long, then whole code
 * points; it never cuts inside a UTF-8 sequence. Pure; no I/O.
 */
#ifndef TF_CORE_MESSAGE_TEXT_H
#define TF_CORE_MESSAGE_TEXT_H
#include <stdbool.h>
#include <stddef.h>

#define MESSAGE_NAMES_UNITS 200
#define MESSAGE_PAYEE_MIN_UNITS 40
/* A UTF-16 code unit is at most 3 bytes of UTF-8 (a 4-byte sequence is 2 units), so the fitted
 * names take at most this many bytes, together and each. */
#define MESSAGE_NAMES_BYTES (3 * MESSAGE_NAMES_UNITS)
#define MESSAGE_ELLIPSIS "\xe2\x80\xa6"

/* The UTF-16 code units of the valid UTF-8 prefix of s. */
size_t text_utf16_units(const char *s);

/* Copies to out (size >= 1 bytes) the longest prefix of whole code points of the valid UTF-8
 * prefix of in's first len bytes that fits, NUL-terminated; returns its length. Never cuts
 * inside a UTF-8 sequence. */
size_t text_copy_prefix(char *out, size_t size, const char *in, size_t len);

/* Copies the valid UTF-8 prefix of in to out, shortened to at most max_units (>= 1) when it
 * takes more: the longest prefix of whole grapheme clusters that leaves room for the ellipsis,
 * without trailing spaces, then the ellipsis. out_size must be at least 3 * max_units + 1.
 * Returns whether it shortened. */
bool text_shorten(const char *in, size_t max_units, char *out, size_t out_size);

/* The names of one message: app_name, and payee_name (NULL when the message is not about a
 * payment), fitted together into MESSAGE_NAMES_UNITS as described above. */
void message_fit_names(const char *app_name, const char *payee_name, char app_out[MESSAGE_NAMES_BYTES + 1],
		       char payee_out[MESSAGE_NAMES_BYTES + 1]);
/* The same into units (1 to MESSAGE_NAMES_UNITS) instead: the payee gives way first, to no
 * fewer than MESSAGE_PAYEE_MIN_UNITS or half of units, whichever is less. An SMS fits its
 * names into what its segment budget leaves (core/sms_size.h). */
void message_fit_names_within(const char *app_name, const char *payee_name, size_t units,
			      char app_out[MESSAGE_NAMES_BYTES + 1], char payee_out[MESSAGE_NAMES_BYTES + 1]);

#endif
