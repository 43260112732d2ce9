/*
 * otp.h: one-time passwords. HOTP (RFC 4226) and TOTP (RFC 6238) with SHA-1, SHA-256 or
 * SHA-512 and 6 to 8 digits, and the verification rule twofold applies to authenticator
 * apps (SPEC section 3): a code is accepted for the current time step or one step either
 * side, and never for a step at or before the last step accepted for that factor (replay).
 * Pure: time is passed in; codes are compared in constant time.
 */
#ifndef TF_CORE_OTP_H
#define TF_CORE_OTP_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum otp_alg { OTP_SHA1, OTP_SHA256, OTP_SHA512 };

struct totp_params {
	enum otp_alg alg;
	int digits;     /* 6 to 8 */
	int step_s;     /* 30 */
	int window;     /* steps accepted either side: 1 */
};

/* The HOTP value of counter, as a zero-padded decimal string of params digits. */
void hotp_code(const uint8_t *key, size_t key_len, enum otp_alg alg, int digits, uint64_t counter,
	       char out[16]);

/* The TOTP time step for a Unix time in milliseconds. */
int64_t totp_step(int64_t now_ms, int step_s);

enum otp_result { OTP_OK, OTP_WRONG, OTP_REPLAYED };

/* Checks code against the steps around now. last_step is the last step accepted for the
 * factor (-1 if none); on OTP_OK *matched_step is the step that matched, to be stored. */
enum otp_result totp_verify(const uint8_t *key, size_t key_len, const struct totp_params *p,
			    const char *code, int64_t now_ms, int64_t last_step, int64_t *matched_step);

const char *otp_alg_name(enum otp_alg alg); /* "SHA1", "SHA256", "SHA512" as in otpauth URIs */

#endif
