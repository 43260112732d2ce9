/* relying_party.c: see relying_party.h. */
#include "sca/relying_party.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "core/transaction.h"
#include "crypto/crypto.h"

static void copy_text(json_t *o, const char *key, char *out, size_t size)
{
	json_t *v = json_object_get(o, key);
	if (json_is_string(v))
		snprintf(out, size, "%s", json_string_value(v));
}

/* "adce0002-35bc-c60a-648b-0b25f1f05503" into 16 bytes */
static bool aaguid_parse(const char *text, uint8_t out[WEBAUTHN_AAGUID_BYTES])
{
	char hex[33];
	size_t n = 0;
	for (const char *p = text; *p; p++)
		if (*p != '-') {
			if (n == 32)
				return false;
			hex[n++] = *p;
		}
	hex[n] = '\0';
	size_t len;
	return n == 32 && sodium_hex2bin(out, WEBAUTHN_AAGUID_BYTES, hex, n, NULL, &len, NULL) == 0 &&
	       len == WEBAUTHN_AAGUID_BYTES;
}

void rp_settings_read(const struct app_row *app, struct rp_settings *out)
{
	memset(out, 0, sizeof *out);
	out->uv_required = out->allow_synced = true;
	json_t *o = app->webauthn[0] ? json_loads(app->webauthn, 0, NULL) : NULL;
	if (!json_is_object(o)) {
		json_decref(o);
		return;
	}
	copy_text(o, "rp_id", out->rp_id, sizeof out->rp_id);
	copy_text(o, "rp_name", out->rp_name, sizeof out->rp_name);
	if (!out->rp_name[0])
		snprintf(out->rp_name, sizeof out->rp_name, "%s", app->name);
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(o, "origins"), i, v) {
		if (out->n_origins < RP_ORIGINS_MAX && json_is_string(v)) {
			snprintf(out->origins[out->n_origins], sizeof out->origins[0], "%s", json_string_value(v));
			out->origin_list[out->n_origins] = out->origins[out->n_origins];
			out->n_origins++;
		}
	}
	json_t *uv = json_object_get(o, "user_verification"), *synced = json_object_get(o, "allow_synced");
	out->uv_required = !json_is_string(uv) || strcmp(json_string_value(uv), "preferred") != 0;
	out->allow_synced = !json_is_false(synced);
	json_t *att = json_object_get(o, "attestation");
	out->attestation_direct = json_is_string(att) && !strcmp(json_string_value(att), "direct");
	out->spc = json_is_true(json_object_get(o, "spc"));
	json_array_foreach(json_object_get(o, "allowed_aaguids"), i, v) {
		if (out->n_aaguids < RP_AAGUIDS_MAX && json_is_string(v) &&
		    aaguid_parse(json_string_value(v), out->aaguids[out->n_aaguids]))
			out->n_aaguids++;
	}
	size_t total = 0;
	json_array_foreach(json_object_get(o, "attestation_roots"), i, v)
		total += json_is_string(v) ? json_string_length(v) + 1 : 0;
	if (total && (out->roots_pem = calloc(1, total + 1))) {
		size_t at = 0;
		json_array_foreach(json_object_get(o, "attestation_roots"), i, v) {
			if (json_is_string(v))
				at += (size_t)snprintf(out->roots_pem + at, total + 1 - at, "%s\n", json_string_value(v));
		}
	}
	out->configured = out->rp_id[0] && out->n_origins > 0;
	json_decref(o);
}

void rp_settings_clear(struct rp_settings *s)
{
	free(s->roots_pem);
	s->roots_pem = NULL;
}

bool rp_configured(const struct app_row *app)
{
	struct rp_settings s;
	rp_settings_read(app, &s);
	rp_settings_clear(&s);
	return s.configured;
}

bool rp_origin_allowed(const struct app_row *app, const char *url)
{
	const char *host = strstr(url, "://");
	size_t len = host ? (size_t)(host + 3 - url) + strcspn(host + 3, "/?#") : 0;
	struct rp_settings s;
	rp_settings_read(app, &s);
	bool allowed = false;
	for (size_t i = 0; s.configured && len && i < s.n_origins; i++)
		allowed |= strlen(s.origins[i]) == len && !strncmp(s.origins[i], url, len);
	rp_settings_clear(&s);
	return allowed;
}

struct webauthn_policy rp_policy(const struct rp_settings *s)
{
	return (struct webauthn_policy){
		.rp_id = s->rp_id,
		.origins = s->origin_list,
		.n_origins = s->n_origins,
		.uv_required = s->uv_required,
		.allow_synced = s->allow_synced,
		.attestation_direct = s->attestation_direct,
		.roots_pem = s->roots_pem,
		.aaguids = (const uint8_t(*)[WEBAUTHN_AAGUID_BYTES])s->aaguids,
		.n_aaguids = s->n_aaguids,
	};
}

size_t rp_challenge_new(const char *tx_hash_hex, uint8_t out[WEBAUTHN_CHALLENGE_MAX], char b64[72])
{
	size_t n = RP_CHALLENGE_BYTES, hash_len = 0;
	if (tx_hash_hex && tx_hash_hex[0]) {
		crypto_random_bytes(out, RP_PAYMENT_NONCE_BYTES);
		if (sodium_hex2bin(out + RP_PAYMENT_NONCE_BYTES, 32, tx_hash_hex, strlen(tx_hash_hex), NULL, &hash_len,
				   NULL) == 0 && hash_len == 32)
			n = RP_PAYMENT_NONCE_BYTES + 32;
		else
			crypto_random_bytes(out, n); /* no hash to bind: a plain challenge */
	} else {
		crypto_random_bytes(out, n);
	}
	sodium_bin2base64(b64, 72, out, n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return n;
}

size_t rp_challenge_bytes(const char *b64, uint8_t out[WEBAUTHN_CHALLENGE_MAX])
{
	size_t n = 0;
	if (sodium_base642bin(out, WEBAUTHN_CHALLENGE_MAX, b64, strlen(b64), NULL, &n, NULL,
			      sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
		return 0;
	return n;
}

enum tf_err rp_user_handle(const struct sca_ctx *ctx, const char *user_id, char out[48])
{
	uint8_t raw[RP_USER_HANDLE_BYTES];
	char fresh[48];
	crypto_random_bytes(raw, sizeof raw);
	sodium_bin2base64(fresh, sizeof fresh, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	/* the first handle stored wins: a concurrent enrolment reads the same one back */
	return STORE(ctx->db)->user_set_webauthn_handle(ctx->db, ctx->app->app_id, user_id, fresh, out);
}

struct spc_expected rp_spc_expected(const struct rp_settings *s, const struct challenge_row *ch, char value[32])
{
	/* the amount as messages write it ("EUR 1,234.56"), without the code and the separators */
	char text[TX_AMOUNT_TEXT_MAX];
	transaction_format_amount(ch->tx.amount, ch->tx.currency, text);
	size_t n = 0;
	for (const char *p = strchr(text, ' '); p && *++p && n < 31;)
		if (*p != ',')
			value[n++] = *p;
	value[n] = '\0';
	return (struct spc_expected){.payee_name = ch->tx.payee_name, .currency = ch->tx.currency, .value = value,
				     .instrument_name = s->rp_name, .instrument_icon = RP_SPC_ICON};
}
