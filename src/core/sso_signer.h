/*
 * sso_signer.h: the seed vendor's SSO signer (WePay's signer libraries, "a stripped-down AWS
 * Signature v4"), exactly, so partners can keep those libraries (docs/sso-signer.md):
 *
 *   payload = the fields + client_id + client_secret
 *   scope   = self_key "/" client_id "/signer"                  (self_key "WePay")
 *   context = sorted lines lower(k) "=" lower(v) "\n", then "\n", then the keys sorted, ";"-joined
 *   s2s     = "SIGNER-HMAC-SHA512\n" self_key "\n" client_id "\n" hex(SHA512(scope)) "\n"
 *             hex(SHA512(context))
 *   key     = HMAC-SHA512(HMAC-SHA512(HMAC-SHA512(client_secret, self_key), client_id), "signer")
 *   stoken  = hex(HMAC-SHA512(key, s2s))                          (128 lower-case hex characters)
 *
 * Lower-casing is ASCII (the vendor's libraries lower-case Unicode; every field twofold signs is
 * ASCII: ids, URLs). Pure.
 */
#ifndef TF_CORE_SSO_SIGNER_H
#define TF_CORE_SSO_SIGNER_H
#include <stdbool.h>
#include <stddef.h>

#define SSO_STOKEN_LEN 128
#define SSO_FIELDS_MAX 8

struct sso_field {
	const char *key;
	const char *value;
};

/* Computes the stoken of fields (without client_id and client_secret, which it adds).
 * Returns false when there are too many fields or they do not fit. */
bool sso_sign(const char *client_id, const char *client_secret, const struct sso_field *fields, size_t n,
	      char out[SSO_STOKEN_LEN + 1]);

#endif
