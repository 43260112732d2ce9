/* sso_signer.c: see sso_signer.h. */
#include "core/sso_signer.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SELF_KEY "WePay"
#define CONTEXT_MAX 8192

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void hmac512(const void *key, size_t key_len, const void *msg, size_t msg_len, uint8_t out[64])
{
	crypto_auth_hmacsha512_state st;
	crypto_auth_hmacsha512_init(&st, key, key_len);
	crypto_auth_hmacsha512_update(&st, msg, msg_len);
	crypto_auth_hmacsha512_final(&st, out);
	sodium_memzero(&st, sizeof st);
}

static void sha512_hex(const void *msg, size_t len, char out[129])
{
	uint8_t h[64];
	crypto_hash_sha512(h, msg, len);
	sodium_bin2hex(out, 129, h, sizeof h);
}

bool sso_sign(const char *client_id, const char *client_secret, const struct sso_field *fields, size_t n,
	      char out[SSO_STOKEN_LEN + 1])
{
	if (n > SSO_FIELDS_MAX)
		return false;
	struct sso_field all[SSO_FIELDS_MAX + 2];
	memcpy(all, fields, n * sizeof *fields);
	all[n++] = (struct sso_field){"client_id", client_id};
	all[n++] = (struct sso_field){"client_secret", client_secret};

	/* the lines "k=v\n", lower-cased, each in its own buffer, sorted byte-wise */
	char *lines[SSO_FIELDS_MAX + 2] = {0};
	const char *keys[SSO_FIELDS_MAX + 2];
	bool ok = true;
	for (size_t i = 0; i < n && ok; i++) {
		size_t kl = strlen(all[i].key), vl = strlen(all[i].value);
		lines[i] = malloc(kl + vl + 3);
		if (!lines[i]) {
			ok = false;
			break;
		}
		char *p = lines[i];
		for (size_t j = 0; j < kl; j++)
			*p++ = (char)((all[i].key[j] >= 'A' && all[i].key[j] <= 'Z') ? all[i].key[j] + 32 : all[i].key[j]);
		*p++ = '=';
		for (size_t j = 0; j < vl; j++)
			*p++ = (char)((all[i].value[j] >= 'A' && all[i].value[j] <= 'Z') ? all[i].value[j] + 32 : all[i].value[j]);
		*p++ = '\n';
		*p = '\0';
		keys[i] = all[i].key;
	}
	char *context = ok ? malloc(CONTEXT_MAX) : NULL;
	size_t len = 0;
	if (context) {
		qsort(lines, n, sizeof lines[0], cmp_str);
		qsort(keys, n, sizeof keys[0], cmp_str);
		for (size_t i = 0; i < n && ok; i++) {
			size_t l = strlen(lines[i]);
			ok = len + l < CONTEXT_MAX;
			if (ok) {
				memcpy(context + len, lines[i], l);
				len += l;
			}
		}
		if (ok && len + 1 < CONTEXT_MAX)
			context[len++] = '\n';
		for (size_t i = 0; i < n && ok; i++) {
			size_t l = strlen(keys[i]);
			ok = len + l + 1 < CONTEXT_MAX;
			if (ok) {
				if (i)
					context[len++] = ';';
				memcpy(context + len, keys[i], l);
				len += l;
			}
		}
	} else {
		ok = false;
	}
	if (ok) {
		char scope[512], scope_hex[129], context_hex[129], s2s[1024];
		int scope_len = snprintf(scope, sizeof scope, "%s/%s/signer", SELF_KEY, client_id);
		ok = scope_len > 0 && (size_t)scope_len < sizeof scope;
		if (ok) {
			sha512_hex(scope, strlen(scope), scope_hex);
			sha512_hex(context, len, context_hex);
			size_t s2s_len = (size_t)snprintf(s2s, sizeof s2s, "SIGNER-HMAC-SHA512\n%s\n%s\n%s\n%s", SELF_KEY, client_id,
							  scope_hex, context_hex);
			ok = s2s_len < sizeof s2s;
			if (ok) {
				uint8_t k1[64], k2[64], k3[64], sig[64];
				hmac512(client_secret, strlen(client_secret), SELF_KEY, strlen(SELF_KEY), k1);
				hmac512(k1, sizeof k1, client_id, strlen(client_id), k2);
				hmac512(k2, sizeof k2, "signer", 6, k3);
				hmac512(k3, sizeof k3, s2s, s2s_len, sig);
				sodium_bin2hex(out, SSO_STOKEN_LEN + 1, sig, sizeof sig);
				sodium_memzero(k1, sizeof k1);
				sodium_memzero(k2, sizeof k2);
				sodium_memzero(k3, sizeof k3);
			}
		}
	}
	for (size_t i = 0; i < n; i++) {
		if (lines[i]) {
			sodium_memzero(lines[i], strlen(lines[i])); /* one line holds the client secret */
			free(lines[i]);
		}
	}
	if (context) {
		sodium_memzero(context, CONTEXT_MAX);
		free(context);
	}
	return ok;
}
