/*
 * validate.h: pure checks and normalisation of user-supplied values (emails, phone numbers,
 * names, passwords, URLs). No I/O; the HTTP layer maps a failure to INVALID_FIELD.
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

/* Display names: 1 to 200 bytes of valid UTF-8 without control characters. */
bool validate_display_text(const char *in, size_t max_len);

/* Absolute http(s) URL without whitespace or control characters, at most 1024 bytes. */
bool validate_url(const char *in);

/* Valid UTF-8 with no C0 control characters and no DEL. */
bool validate_utf8_text(const char *s, size_t len);

#endif
