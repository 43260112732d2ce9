/*
 * numeric_id.h: twofold's ids as decimal numbers and back, for faces whose clients expect
 * numbers (Weavr's ids match ^[0-9]+$; WePay's mfa_id is a long). An id is a prefix, "_" and 26
 * base32 characters holding 128 random bits (crypto_random_id); its number is those 128 bits as
 * an unsigned integer, at most 39 digits. The mapping is exact both ways, so no table is kept.
 * Pure.
 */
#ifndef TF_CORE_NUMERIC_ID_H
#define TF_CORE_NUMERIC_ID_H
#include <stdbool.h>
#include <stddef.h>

#define NUMERIC_ID_MAX 40 /* 39 digits and the NUL */

/* "chl_abc..." -> "1234..."; false when id is not a twofold id. */
bool numeric_id_from_id(const char *id, char out[NUMERIC_ID_MAX]);
/* "1234..." and "chl" -> "chl_abc..."; false when digits is not such a number. */
bool numeric_id_to_id(const char *digits, const char *prefix, char *out, size_t size);

#endif
