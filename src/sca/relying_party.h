/*
 * relying_party.h: an application as a WebAuthn relying party (SPEC section 3, passkeys): its
 * settings as stored on its row (JSON written by the admin API), the policy they give the
 * ceremony checks (webauthn/ceremony.h), the challenges it issues, and each user's opaque user
 * handle (32 random bytes, never the email or user id, made with the user's first passkey).
 */
#ifndef TF_SCA_RELYING_PARTY_H
#define TF_SCA_RELYING_PARTY_H
#include "sca/context.h"
#include "webauthn/ceremony.h"

#define RP_ORIGINS_MAX 8
#define RP_AAGUIDS_MAX 32
#define RP_NAME_MAX STORE_NAME_MAX
#define RP_CHALLENGE_BYTES 32 /* a login's, a step-up's or an enrolment's */
#define RP_PAYMENT_NONCE_BYTES 16 /* a payment's challenge: this nonce, then the transaction hash */
#define RP_USER_HANDLE_BYTES 32

struct rp_settings {
	bool configured; /* rp_id and origins are set */
	char rp_id[254];
	char rp_name[RP_NAME_MAX];
	char origins[RP_ORIGINS_MAX][WEBAUTHN_TEXT_MAX];
	const char *origin_list[RP_ORIGINS_MAX];
	size_t n_origins;
	bool uv_required, allow_synced, attestation_direct, spc;
	uint8_t aaguids[RP_AAGUIDS_MAX][WEBAUTHN_AAGUID_BYTES];
	size_t n_aaguids;
	char *roots_pem; /* the attestation roots, joined; NULL when none (rp_settings_clear frees) */
};

/* The application's settings from its row; out->configured false when it has none. */
void rp_settings_read(const struct app_row *app, struct rp_settings *out);
void rp_settings_clear(struct rp_settings *s);
/* Whether the application has the settings a passkey needs (rp_id and origins). */
bool rp_configured(const struct app_row *app);
/* Whether the origin of url (scheme, host and port: twofold's own public URL for its hosted
 * pages) is one of the application's origins, so that a ceremony on a page there can pass. */
bool rp_origin_allowed(const struct app_row *app, const char *url);
/* The policy the settings give the ceremony checks (pointing into s). */
struct webauthn_policy rp_policy(const struct rp_settings *s);

/* A challenge's WebAuthn challenge bytes into out (RP_CHALLENGE_BYTES, or for a payment the
 * nonce and the 32 bytes of tx_hash_hex), and their base64url into b64 (ch->webauthn_challenge). */
size_t rp_challenge_new(const char *tx_hash_hex, uint8_t out[WEBAUTHN_CHALLENGE_MAX], char b64[72]);
/* The bytes of a stored base64url challenge; 0 when it does not decode. */
size_t rp_challenge_bytes(const char *b64, uint8_t out[WEBAUTHN_CHALLENGE_MAX]);

/* What a payment's SPC request shows the payer and its assertion must repeat (webauthn/
 * ceremony.h): the payee, the total in major units ("49.99", the currency's own minor units),
 * and the instrument: the relying party's name and RP_SPC_ICON. Points into s, ch and value. */
#define RP_SPC_ICON "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
struct spc_expected rp_spc_expected(const struct rp_settings *s, const struct challenge_row *ch, char value[32]);

/* The user's user handle (base64url), made and stored the first time (in the caller's
 * transaction). */
enum tf_err rp_user_handle(const struct sca_ctx *ctx, const char *user_id, char out[48]);

#endif
