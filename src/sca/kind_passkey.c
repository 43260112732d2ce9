/*
 * kind_passkey.c: the passkey kind (SPEC section 3): a WebAuthn credential registered for the
 * application's relying party (sca/relying_party.h). Enrolment needs the application's
 * settings (WEBAUTHN_NOT_CONFIGURED without them) and gives the user a user handle; nothing is
 * sent: each challenge holds a WebAuthn challenge (a payment's carries the transaction hash).
 * The answer to the enrolment challenge is a registration, to any other an assertion (or, for
 * a payment on an application with SPC, a "payment.get" assertion of the same payment), checked
 * by webauthn/ceremony.h under the application's policy; a wrong answer's reason is kept in the
 * attempt's outcome. A registration of a credential that a factor of the application holds already
 * (whoever's) is a wrong answer too. A right answer stores the credential, or its new signature
 * counter. Used only when named, like push.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "l10n/l10n.h"
#include "sca/kinds.h"
#include "sca/relying_party.h"

_Static_assert(STORE_CREDENTIAL_KEY_MAX >= COSE_KEY_MAX, "a COSE key must fit in the factor row");
_Static_assert(STORE_CREDENTIAL_ID_MAX >= sodium_base64_ENCODED_LEN(WEBAUTHN_CREDENTIAL_ID_MAX,
								   sodium_base64_VARIANT_URLSAFE_NO_PADDING),
	       "a credential id must fit in the factor row");

static enum tf_err enrol(const struct sca_ctx *ctx, const struct factor_input *in, struct factor_row *f,
			 struct factor_enrolment *en)
{
	if (!rp_configured(ctx->app))
		return TF_ERR_WEBAUTHN_NOT_CONFIGURED;
	if (in->name)
		snprintf(f->name, sizeof f->name, "%s", in->name);
	return rp_user_handle(ctx, f->user_id, en->webauthn_user_handle);
}

static void challenge(const struct sca_ctx *ctx, const struct factor_row *f, struct challenge_row *ch)
{
	(void)ctx;
	(void)f;
	uint8_t raw[WEBAUTHN_CHALLENGE_MAX];
	rp_challenge_new(ch->has_transaction ? ch->tx_hash : NULL, raw, ch->webauthn_challenge);
}

/* Whether a factor of the application holds the credential already: any user's, this one's too,
 * so that the refusal says nothing of whose it is. A lookup that fails counts as held. */
static bool registered_already(const struct sca_ctx *ctx, const struct webauthn_credential *c)
{
	char id[STORE_CREDENTIAL_ID_MAX];
	sodium_bin2base64(id, sizeof id, c->id, c->id_len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	struct factor_row *holder = malloc(sizeof *holder);
	enum tf_err e = holder ? STORE(ctx->db)->factor_get_by_credential(ctx->db, ctx->app->app_id, id, holder)
			       : TF_ERR_INTERNAL;
	free(holder);
	return e != TF_ERR_NOT_FOUND;
}

/* An assertion by the factor's stored credential. */
static enum webauthn_reason assertion(const struct rp_settings *s, const struct factor_row *f,
				      const struct challenge_row *ch, const uint8_t *want, size_t want_len,
				      const struct webauthn_response *r, struct webauthn_verified *out)
{
	uint8_t id[WEBAUTHN_CREDENTIAL_ID_MAX];
	size_t id_len = 0;
	if (!r->authenticator_data || !r->signature)
		return WEBAUTHN_MALFORMED;
	if (sodium_base642bin(id, sizeof id, f->credential_id, strlen(f->credential_id), NULL, &id_len, NULL,
			      sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
		return WEBAUTHN_CREDENTIAL;
	struct webauthn_stored stored = {id, id_len, f->credential_key, f->credential_key_len,
					 (uint32_t)f->credential_sign_count};
	struct webauthn_assertion in = {r->client_data, r->client_data_len, r->authenticator_data,
					r->authenticator_data_len, r->signature, r->signature_len,
					r->raw_id, r->raw_id_len};
	struct webauthn_policy p = rp_policy(s);
	char value[32];
	struct spc_expected spc;
	bool offers_spc = ch->has_transaction && s->spc;
	if (offers_spc)
		spc = rp_spc_expected(s, ch, value);
	return webauthn_assert(&p, want, want_len, offers_spc ? &spc : NULL, &stored, &in, out);
}

static enum answer_verdict check(const struct sca_ctx *ctx, const struct factor_row *f, const struct challenge_row *ch,
				 const struct factor_attempt *a, int64_t *replay_step)
{
	(void)replay_step;
	if (!a->credential || !a->outcome)
		return ANSWER_WRONG;
	struct credential_outcome *o = a->outcome;
	const struct webauthn_response *r = a->credential;
	struct rp_settings s;
	rp_settings_read(ctx->app, &s);
	uint8_t want[WEBAUTHN_CHALLENGE_MAX];
	size_t want_len = rp_challenge_bytes(ch->webauthn_challenge, want);
	if (!s.configured || want_len == 0) {
		o->reason = WEBAUTHN_RP_ID; /* the settings were removed since */
	} else if (ch->purpose == PURPOSE_ENROLMENT && f->status != FACTOR_ACTIVE) {
		struct webauthn_policy p = rp_policy(&s);
		struct webauthn_registration in = {r->client_data, r->client_data_len, r->attestation_object,
						   r->attestation_object_len, r->raw_id, r->raw_id_len};
		o->reason = r->attestation_object
				    ? webauthn_register(&p, want, want_len, &in, ctx->now / 1000, &o->registered)
				    : WEBAUTHN_MALFORMED;
		if (o->reason == WEBAUTHN_OK && registered_already(ctx, &o->registered)) {
			o->reason = WEBAUTHN_CREDENTIAL;
			memset(&o->registered, 0, sizeof o->registered);
		}
	} else {
		o->reason = assertion(&s, f, ch, want, want_len, r, &o->asserted);
	}
	rp_settings_clear(&s);
	return o->reason == WEBAUTHN_OK ? ANSWER_RIGHT : ANSWER_WRONG;
}

static int flags_of(bool uv, bool be, bool bs)
{
	return (uv ? STORE_CREDENTIAL_UV : 0) | (be ? STORE_CREDENTIAL_BE : 0) | (bs ? STORE_CREDENTIAL_BS : 0);
}

static void accept(const struct factor_attempt *a, struct factor_row *f)
{
	const struct credential_outcome *o = a->outcome;
	if (o->registered.id_len) {
		const struct webauthn_credential *c = &o->registered;
		sodium_bin2base64(f->credential_id, sizeof f->credential_id, c->id, c->id_len,
				  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
		memcpy(f->credential_key, c->public_key, c->public_key_len);
		f->credential_key_len = c->public_key_len;
		f->credential_alg = c->alg;
		f->credential_sign_count = c->sign_count;
		const uint8_t *g = c->aaguid;
		snprintf(f->credential_aaguid, sizeof f->credential_aaguid,
			 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", g[0], g[1], g[2], g[3], g[4],
			 g[5], g[6], g[7], g[8], g[9], g[10], g[11], g[12], g[13], g[14], g[15]);
		f->credential_flags = flags_of(c->user_verified, c->backup_eligible, c->backed_up);
		snprintf(f->credential_transports, sizeof f->credential_transports, "%s", a->credential->transports);
	} else {
		f->credential_sign_count = o->asserted.sign_count;
		f->credential_flags = flags_of(f->credential_flags & STORE_CREDENTIAL_UV, o->asserted.backup_eligible,
					       o->asserted.backed_up);
	}
}

static void describe(const struct factor_row *f, struct factor_description *d)
{
	d->inputmode = "text";
	if (!f->credential_id[0])
		return; /* not registered yet */
	d->credential_id = f->credential_id;
	d->aaguid = f->credential_aaguid;
	d->transports = f->credential_transports;
	d->user_verified = f->credential_flags & STORE_CREDENTIAL_UV;
	d->backup_eligible = f->credential_flags & STORE_CREDENTIAL_BE;
	d->backed_up = f->credential_flags & STORE_CREDENTIAL_BS;
}

const struct factor_kind factor_kind_passkey = {
	.type = FACTOR_PASSKEY,
	.name = "passkey",
	.flags = FACTOR_KIND_WITHOUT_SMARTPHONE,
	.needs = "security_key",
	.answer = FACTOR_ANSWER_CREDENTIAL,
	.fields = 0,
	.words = {
		.label = N_("Passkey"),
		.offer = N_("Use my passkey"),
		.prompt = N_("Use your passkey for {app}."),
		.enrol_prompt = N_("Create a passkey on this device."),
	},
	.enrol = enrol,
	.challenge = challenge,
	.check = check,
	.accept = accept,
	.describe = describe,
};
