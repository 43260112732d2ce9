/*
 * kind_totp.c: the authenticator-app kind (SPEC section 3, RFC 6238): enrolment makes a
 * 160-bit secret, sealed at rest, and shows it once in base32 and as an otpauth URI (adapters
 * draw its QR code); the algorithm and digits are the application's (SHA1 and 6 by default).
 * Nothing is sent: the app makes the codes. A code is right for the current 30-second step or
 * one either side, never for a step at or before the last one accepted on the factor (replay).
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/otp.h"
#include "l10n/l10n.h"
#include "sca/kinds.h"
#include "sca/users.h"

/* percent-encodes text for an otpauth URI */
static void uri_encode(const char *in, char *out, size_t size)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = 0;
	for (const unsigned char *p = (const unsigned char *)in; *p && n + 4 < size; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || strchr("-._~@", *p)) {
			out[n++] = (char)*p;
		} else {
			out[n++] = '%';
			out[n++] = hex[*p >> 4];
			out[n++] = hex[*p & 15];
		}
	}
	out[n] = '\0';
}

static enum tf_err enrol(const struct sca_ctx *ctx, const struct factor_input *in, struct factor_row *f,
			 struct factor_enrolment *en)
{
	(void)in;
	uint8_t secret[TOTP_SECRET_BYTES];
	char issuer[3 * STORE_NAME_MAX], email[3 * 256];
	struct user_row u;
	enum tf_err e = sca_user_load(ctx, f->user_id, &u);
	if (e != TF_OK)
		return e;
	crypto_random_bytes(secret, sizeof secret);
	base32_encode(secret, sizeof secret, en->totp_secret);
	uint8_t *sealed;
	size_t sealed_len;
	e = crypto_seal(ctx->svc->keys, secret, sizeof secret, &sealed, &sealed_len);
	sodium_memzero(secret, sizeof secret);
	if (e != TF_OK)
		return e;
	memcpy(f->secret_sealed, sealed, sealed_len);
	f->secret_sealed_len = sealed_len;
	free(sealed);
	snprintf(f->totp_algorithm, sizeof f->totp_algorithm, "%s", ctx->app->totp_algorithm[0] ? ctx->app->totp_algorithm : "SHA1");
	f->totp_digits = ctx->app->totp_digits == 8 ? 8 : 6;
	uri_encode(ctx->app->name, issuer, sizeof issuer);
	uri_encode(u.email, email, sizeof email);
	snprintf(en->otpauth_uri, sizeof en->otpauth_uri,
		 "otpauth://totp/%s:%s?secret=%s&issuer=%s&algorithm=%s&digits=%d&period=30", issuer, email,
		 en->totp_secret, issuer, f->totp_algorithm, f->totp_digits);
	return TF_OK;
}

/* The factor's TOTP parameters: its algorithm and digits, 30-second steps, one step either side. */
static void totp_params_of(const struct factor_row *f, struct totp_params *p)
{
	const char *alg = f->totp_algorithm;
	p->alg = !strcmp(alg, "SHA256") ? OTP_SHA256 : !strcmp(alg, "SHA512") ? OTP_SHA512 : OTP_SHA1;
	p->digits = f->totp_digits == 8 ? 8 : 6;
	p->step_s = 30;
	p->window = 1;
}

static enum answer_verdict check(const struct sca_ctx *ctx, const struct factor_row *f, const struct challenge_row *ch,
				 const struct factor_attempt *a, int64_t *replay_step)
{
	(void)ch;
	uint8_t *secret;
	size_t len;
	if (crypto_open(ctx->svc->keys, f->secret_sealed, f->secret_sealed_len, &secret, &len) != TF_OK)
		return ANSWER_WRONG;
	struct totp_params p;
	totp_params_of(f, &p);
	enum otp_result r = totp_verify(secret, len, &p, a->code, ctx->now, f->last_totp_step, replay_step);
	sodium_memzero(secret, len);
	free(secret);
	return r == OTP_OK ? ANSWER_RIGHT : r == OTP_REPLAYED ? ANSWER_REPLAYED : ANSWER_WRONG;
}

static void describe(const struct factor_row *f, struct factor_description *d)
{
	d->totp_algorithm = f->totp_algorithm;
	d->totp_digits = f->totp_digits;
}

const struct factor_kind factor_kind_totp = {
	.type = FACTOR_TOTP,
	.name = "totp",
	.flags = FACTOR_KIND_PICKED_BY_DEFAULT | FACTOR_KIND_NEEDS_SMARTPHONE,
	.needs = "smartphone",
	.answer = FACTOR_ANSWER_CODE,
	.fields = 0,
	.words = {
		.label = N_("Authenticator app"),
		.offer = N_("Use my authenticator app"),
		.prompt = N_("Open your authenticator app and enter the code it shows for {app}."),
		.enrol_prompt = N_("Enter the code your authenticator app shows."),
	},
	.enrol = enrol,
	.check = check,
	.describe = describe,
};
