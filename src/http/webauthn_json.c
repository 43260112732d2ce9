/* webauthn_json.c: see webauthn_json.h. */
#include "http/webauthn_json.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "sca/factors.h"
#include "sca/users.h"

#define CHALLENGE_TIMEOUT_MS 300000 /* a challenge's life (SPEC section 4) */
#define CLIENT_DATA_MAX 16384        /* an SPC assertion's carries the instrument's icon */
#define ATTESTATION_MAX 32768
#define AUTH_DATA_MAX 4096
#define SIGNATURE_MAX 1024
#define USER_HANDLE_MAX 64

static const char *const transport_names[] = {"usb", "nfc", "ble", "smart-card", "hybrid", "internal", NULL};

/* Decodes the base64url string member name of o into a new buffer of at most max bytes. */
static bool b64url_member(json_t *o, const char *name, size_t max, uint8_t **out, size_t *len)
{
	json_t *v = json_object_get(o, name);
	*out = NULL;
	*len = 0;
	if (!json_is_string(v) || json_string_length(v) == 0 || json_string_length(v) > max * 4 / 3 + 4)
		return false;
	uint8_t *b = malloc(max);
	if (!b || sodium_base642bin(b, max, json_string_value(v), json_string_length(v), NULL, len, NULL,
				    sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0) {
		free(b);
		return false;
	}
	*out = b;
	return true;
}

void credential_json_free(struct credential_json *c)
{
	for (size_t i = 0; i < sizeof c->buffers / sizeof c->buffers[0]; i++)
		free(c->buffers[i]);
	memset(c, 0, sizeof *c);
}

/* transports: an array of the names WebAuthn defines, kept as compact JSON */
static bool transports_read(json_t *t, char *out, size_t size)
{
	out[0] = '\0';
	if (!t)
		return true;
	if (!json_is_array(t) || json_array_size(t) > 6)
		return false;
	size_t i;
	json_t *v;
	json_array_foreach(t, i, v) {
		bool known = false;
		for (const char *const *n = transport_names; *n && !known; n++)
			known = json_is_string(v) && !strcmp(json_string_value(v), *n);
		if (!known)
			return false;
	}
	char *text = json_dumps(t, JSON_COMPACT);
	bool ok = text && strlen(text) < size;
	if (ok)
		memcpy(out, text, strlen(text) + 1);
	free(text);
	return ok;
}

static bool refuse(const char **bad, const char *field)
{
	*bad = field;
	return false;
}

bool credential_json_read(json_t *c, bool registration, struct credential_json *out, const char **bad)
{
	memset(out, 0, sizeof *out);
	json_t *resp = json_object_get(c, "response"), *type = json_object_get(c, "type");
	json_t *id = json_object_get(c, "id"), *raw_id = json_object_get(c, "rawId");
	if (!json_is_object(c) || !json_is_string(type) || strcmp(json_string_value(type), "public-key") ||
	    !json_is_string(id) || !json_is_string(raw_id) || !json_equal(id, raw_id))
		return refuse(bad, "credential");
	uint8_t *raw;
	size_t raw_len;
	if (!b64url_member(c, "rawId", WEBAUTHN_CREDENTIAL_ID_MAX, &raw, &raw_len))
		return refuse(bad, "credential.rawId");
	memcpy(out->r.raw_id, raw, raw_len);
	out->r.raw_id_len = raw_len;
	free(raw);
	if (!json_is_object(resp))
		return refuse(bad, "credential.response");
	struct webauthn_response *r = &out->r;
	if (!b64url_member(resp, "clientDataJSON", CLIENT_DATA_MAX, &out->buffers[0], &r->client_data_len))
		return refuse(bad, "credential.response.clientDataJSON");
	r->client_data = out->buffers[0];
	if (registration) {
		if (!b64url_member(resp, "attestationObject", ATTESTATION_MAX, &out->buffers[1], &r->attestation_object_len))
			return refuse(bad, "credential.response.attestationObject");
		r->attestation_object = out->buffers[1];
		if (!transports_read(json_object_get(resp, "transports"), r->transports, sizeof r->transports))
			return refuse(bad, "credential.response.transports");
		return true;
	}
	if (!b64url_member(resp, "authenticatorData", AUTH_DATA_MAX, &out->buffers[1], &r->authenticator_data_len))
		return refuse(bad, "credential.response.authenticatorData");
	r->authenticator_data = out->buffers[1];
	if (!b64url_member(resp, "signature", SIGNATURE_MAX, &out->buffers[2], &r->signature_len))
		return refuse(bad, "credential.response.signature");
	r->signature = out->buffers[2];
	json_t *handle = json_object_get(resp, "userHandle");
	if (handle && !json_is_null(handle)) {
		if (!b64url_member(resp, "userHandle", USER_HANDLE_MAX, &out->buffers[3], &r->user_handle_len))
			return refuse(bad, "credential.response.userHandle");
		r->user_handle = out->buffers[3];
	}
	return true;
}

enum tf_err req_credential_read(struct tf_req *req, bool registration, struct credential_json *out, bool *present)
{
	memset(out, 0, sizeof *out);
	json_t *c = json_object_get(req->json, "credential");
	*present = c && !json_is_null(c);
	const char *field = NULL;
	if (*present && !credential_json_read(c, registration, out, &field))
		return req_field_error(req, TF_ERR_INVALID_FIELD, field);
	return TF_OK;
}

bool credential_json_parse(const char *text, bool registration, struct credential_json *out)
{
	memset(out, 0, sizeof *out);
	json_t *c = text ? json_loads(text, JSON_REJECT_DUPLICATES, NULL) : NULL;
	const char *field = NULL;
	bool ok = c && credential_json_read(c, registration, out, &field);
	json_decref(c);
	return ok;
}

static json_t *descriptor(const struct factor_row *f)
{
	json_t *d = json_pack("{s:s, s:s}", "type", "public-key", "id", f->credential_id);
	json_t *t = f->credential_transports[0] ? json_loads(f->credential_transports, 0, NULL) : NULL;
	if (t)
		json_object_set_new(d, "transports", t);
	return d;
}

json_t *webauthn_creation_options_json(const struct rp_settings *s, const struct user_row *u, const char *user_handle,
				       const char *challenge, const struct factor_row *others, size_t n_others)
{
	json_t *exclude = json_array();
	for (size_t i = 0; i < n_others; i++)
		if (others[i].type == FACTOR_PASSKEY && others[i].credential_id[0])
			json_array_append_new(exclude, descriptor(&others[i]));
	json_t *params = json_array();
	const int algs[] = {COSE_ALG_ES256, COSE_ALG_EDDSA, COSE_ALG_RS256};
	for (size_t i = 0; i < sizeof algs / sizeof algs[0]; i++)
		json_array_append_new(params, json_pack("{s:s, s:i}", "type", "public-key", "alg", algs[i]));
	const char *uv = s->uv_required ? "required" : "preferred";
	/* an SPC-capable credential is asked for with the payment extension, which browsers take
	 * only beside required user verification and a discoverable credential */
	json_t *extensions = json_pack("{s:b}", "credProps", 1);
	if (s->spc && s->uv_required)
		json_object_set_new(extensions, "payment", json_pack("{s:b}", "isPayment", 1));
	return json_pack("{s:{s:s, s:s}, s:{s:s, s:s, s:s}, s:s, s:o, s:i, s:o, s:{s:s, s:b, s:s}, s:s, s:o}",
			 "rp", "id", s->rp_id, "name", s->rp_name,
			 "user", "id", user_handle, "name", u->email, "displayName", u->name[0] ? u->name : u->email,
			 "challenge", challenge, "pubKeyCredParams", params, "timeout", CHALLENGE_TIMEOUT_MS,
			 "excludeCredentials", exclude,
			 "authenticatorSelection", "residentKey", "required", "requireResidentKey", 1, "userVerification", uv,
			 "attestation", s->attestation_direct ? "direct" : "none",
			 "extensions", extensions);
}

json_t *webauthn_request_options_json(const struct rp_settings *s, const char *challenge, const struct factor_row *f)
{
	json_t *allow = json_array();
	if (f)
		json_array_append_new(allow, descriptor(f));
	return json_pack("{s:s, s:i, s:s, s:o, s:s}", "challenge", challenge, "timeout", CHALLENGE_TIMEOUT_MS, "rpId",
			 s->rp_id, "allowCredentials", allow, "userVerification",
			 s->uv_required ? "required" : "preferred");
}

json_t *spc_request_json(const struct rp_settings *s, const struct challenge_row *ch, const struct factor_row *f)
{
	char value[32];
	struct spc_expected e = rp_spc_expected(s, ch, value);
	return json_pack("{s:s, s:[s], s:s, s:s, s:{s:s, s:s}, s:{s:s, s:s}, s:i}", "challenge", ch->webauthn_challenge,
			 "credentialIds", f->credential_id, "rpId", s->rp_id, "payeeName", e.payee_name, "instrument",
			 "displayName", e.instrument_name, "icon", e.instrument_icon, "total", "currency", e.currency,
			 "value", e.value, "timeout", CHALLENGE_TIMEOUT_MS);
}

enum tf_err req_creation_options(struct tf_req *req, const char *challenge, const char *handle, json_t **out)
{
	struct sca_ctx ctx = req_sca(req);
	struct user_row u;
	struct factor_row *others = malloc(FACTORS_PER_USER_MAX * sizeof *others);
	size_t n = 0;
	*out = NULL;
	enum tf_err e = others ? sca_user_load(&ctx, req->session.user_id, &u) : TF_ERR_INTERNAL;
	if (e == TF_OK)
		e = sca_factor_list(&ctx, req->session.user_id, others, FACTORS_PER_USER_MAX, &n);
	if (e == TF_OK) {
		struct rp_settings s;
		rp_settings_read(req->app, &s);
		*out = webauthn_creation_options_json(&s, &u, handle ? handle : u.webauthn_user_handle, challenge, others, n);
		rp_settings_clear(&s);
	}
	free(others);
	return e;
}

json_t *login_options_json(const struct app_row *app, const char *challenge_id, const char *challenge)
{
	struct rp_settings s;
	rp_settings_read(app, &s);
	json_t *o = json_pack("{s:s, s:{s:o}}", "challenge_id", challenge_id, "webauthn", "publicKey",
			      webauthn_request_options_json(&s, challenge, NULL));
	rp_settings_clear(&s);
	return o;
}
