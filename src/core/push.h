/*
 * push.h: what a push device signs (SPEC section 3, seed 003). The device holds an
 * Ed25519 key pair; twofold keeps the public key. To answer a push challenge the device signs,
 * with Ed25519, this string (UTF-8, lines joined by LF, no trailing LF):
 *
 *   "twofold-push-v1" LF challenge_id LF ("approve" | "deny") LF transaction_hash
 *
 * where transaction_hash is the challenge's (64 hex characters) or empty when the challenge
 * has no transaction. A signature therefore answers one challenge, one decision and, for a
 * payment, one transaction. Pure.
 */
#ifndef TF_CORE_PUSH_H
#define TF_CORE_PUSH_H
#include <stdbool.h>
#include <stddef.h>

#define PUSH_SIGNING_STRING_MAX 256
#define PUSH_CHANNELS "AUTHY|BIOMETRIC"

/* Writes the string into out; returns its length, or 0 when it does not fit. */
size_t push_signing_string(const char *challenge_id, bool approve, const char *transaction_hash, char *out, size_t size);

/* Whether channel is AUTHY or BIOMETRIC (seed 003's push channels). */
bool push_channel_ok(const char *channel);

/* Whether a push address is acceptable: 1 to 255 printable ASCII characters. */
bool push_address_ok(const char *address);

#endif
