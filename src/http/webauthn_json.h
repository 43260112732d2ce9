/*
 * webauthn_json.h: WebAuthn's JSON forms for every adapter (the native API, the hosted pages):
 * reading a browser's RegistrationResponseJSON or AuthenticationResponseJSON (base64url without
 * padding, as toJSON() writes it) into the domain's struct webauthn_response, and writing
 * PublicKeyCredentialCreationOptionsJSON, PublicKeyCredentialRequestOptionsJSON and an SPC
 * request's fields, as parseCreationOptionsFromJSON() and every WebAuthn library read them.
 */
#ifndef TF_HTTP_WEBAUTHN_JSON_H
#define TF_HTTP_WEBAUTHN_JSON_H
#include <jansson.h>

#include "http/http.h"
#include "sca/factor_kind.h"
#include "sca/relying_party.h"

/* A response read from JSON: r points into the decoded buffers it owns. */
struct credential_json {
	struct webauthn_response r;
	uint8_t *buffers[4];
};

/* Reads member "credential" of the request body (registration: a RegistrationResponseJSON,
 * else an AuthenticationResponseJSON) into *out; *present false when it is absent. Field errors
 * name "credential" or "credential.response.<member>". credential_json_free always. */
enum tf_err req_credential_read(struct tf_req *req, bool registration, struct credential_json *out, bool *present);
/* The same from the JSON value c: false (and *bad names the field) when it is not one. */
bool credential_json_read(json_t *c, bool registration, struct credential_json *out, const char **bad);
/* The same from JSON text (a hosted page's form field): false when it is not one. */
bool credential_json_parse(const char *text, bool registration, struct credential_json *out);
void credential_json_free(struct credential_json *c);

/* The creation options of a passkey's enrolment: the relying party, the user (its handle; its
 * email as name and display name), the challenge, the algorithms twofold accepts, the user's
 * other passkeys to exclude, a discoverable credential, the policy's user verification and
 * attestation. */
json_t *webauthn_creation_options_json(const struct rp_settings *s, const struct user_row *u, const char *user_handle,
				       const char *challenge, const struct factor_row *others, size_t n_others);
/* The same for the request's user and application: its settings, the user (handle NULL: the
 * user's stored one), the user's passkeys to exclude (*out NULL when e is not TF_OK). */
enum tf_err req_creation_options(struct tf_req *req, const char *challenge, const char *handle, json_t **out);
/* The request options of a challenge: for the factor's credential, or (f NULL) for any
 * discoverable credential of the relying party. */
json_t *webauthn_request_options_json(const struct rp_settings *s, const char *challenge, const struct factor_row *f);
/* A sign-in challenge's answer, {challenge_id, webauthn: {publicKey}}, for the request's application. */
json_t *login_options_json(const struct app_row *app, const char *challenge_id, const char *challenge);
/* The SecurePaymentConfirmationRequest fields of a payment challenge ch by passkey f. */
json_t *spc_request_json(const struct rp_settings *s, const struct challenge_row *ch, const struct factor_row *f);

#endif
