/*
 * api_factors.c: a user's second factors (SPEC section 3). Enrolment answers what the type
 * needs (a challenge sent by SMS or voice; a TOTP secret with its otpauth URI and QR code;
 * a backup-code sheet shown once) and leaves the factor pending until a right code arrives
 * through POST /v1/factors/{id}/verify. Adding a factor while the user has an active one,
 * and deleting one, need a stepped-up session (SPEC section 6).
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "core/base32.h"
#include "core/challenge.h"
#include "core/push.h"
#include "core/validate.h"
#include "qr/qr.h"
#include "service/codes.h"

#define TOTP_SECRET_BYTES 20 /* 160 bits */

json_t *api_factor_json(const struct factor_row *f)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:b}", "factor_id", f->factor_id, "type", factor_type_names[f->type],
			      "status", f->status == FACTOR_ACTIVE ? "active" : "pending_verification", "preferred",
			      f->preferred);
	if (f->type == FACTOR_SMS || f->type == FACTOR_VOICE)
		json_object_set_new(o, "phone", json_string(f->phone));
	if (f->type == FACTOR_TOTP) {
		json_object_set_new(o, "algorithm", json_string(f->totp_algorithm));
		json_object_set_new(o, "digits", json_integer(f->totp_digits));
	}
	if (f->type == FACTOR_BACKUP_CODES)
		json_object_set_new(o, "backup_codes_remaining", json_integer(f->backup_remaining));
	if (f->type == FACTOR_PUSH)
		json_object_set_new(o, "channel", json_string(f->push_channel));
	resp_set_time(o, "created_at", f->created_at);
	if (f->activated_at)
		resp_set_time(o, "activated_at", f->activated_at);
	if (f->blocked_until)
		resp_set_time(o, "blocked_until", f->blocked_until);
	return o;
}

static enum tf_err list_factors(struct tf_req *req, struct factor_row *list, size_t *n)
{
	return STORE(req->db)->factor_list(req->db, req->app->app_id, req->session.user_id, list, FACTORS_PER_USER_MAX, n);
}

enum tf_err api_factors_list(struct tf_req *req)
{
	struct factor_row list[FACTORS_PER_USER_MAX];
	size_t n;
	enum tf_err e = list_factors(req, list, &n);
	if (e != TF_OK)
		return e;
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, api_factor_json(&list[i]));
	resp_json(req, 200, json_pack("{s:o}", "factors", arr));
	return TF_OK;
}

static bool has_active_factor(const struct factor_row *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (list[i].status == FACTOR_ACTIVE)
			return true;
	return false;
}

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

static enum tf_err enrol_totp(struct tf_req *req, struct factor_row *f, json_t *answer)
{
	uint8_t secret[TOTP_SECRET_BYTES];
	char b32[BASE32_LEN(TOTP_SECRET_BYTES) + 1], issuer[3 * STORE_NAME_MAX], email[3 * 256], uri[4096];
	struct user_row u;
	enum tf_err e = api_load_user(req, req->session.user_id, &u);
	if (e != TF_OK)
		return e;
	crypto_random_bytes(secret, sizeof secret);
	base32_encode(secret, sizeof secret, b32);
	uint8_t *sealed;
	size_t sealed_len;
	if ((e = crypto_seal(req->svc->keys, secret, sizeof secret, &sealed, &sealed_len)) != TF_OK)
		goto out;
	memcpy(f->secret_sealed, sealed, sealed_len);
	f->secret_sealed_len = sealed_len;
	free(sealed);
	snprintf(f->totp_algorithm, sizeof f->totp_algorithm, "%s", req->app->totp_algorithm[0] ? req->app->totp_algorithm : "SHA1");
	f->totp_digits = req->app->totp_digits == 8 ? 8 : 6;
	uri_encode(req->app->name, issuer, sizeof issuer);
	uri_encode(u.email, email, sizeof email);
	snprintf(uri, sizeof uri, "otpauth://totp/%s:%s?secret=%s&issuer=%s&algorithm=%s&digits=%d&period=30", issuer, email,
		 b32, issuer, f->totp_algorithm, f->totp_digits);
	uint8_t *png;
	size_t png_len;
	char *svg;
	if ((e = qr_png(uri, 6, &png, &png_len)) != TF_OK)
		goto out;
	if ((e = qr_svg(uri, &svg)) != TF_OK) {
		free(png);
		goto out;
	}
	size_t b64_len = sodium_base64_encoded_len(png_len, sodium_base64_VARIANT_ORIGINAL);
	char *b64 = malloc(b64_len);
	if (b64) {
		sodium_bin2base64(b64, b64_len, png, png_len, sodium_base64_VARIANT_ORIGINAL);
		json_object_set_new(answer, "totp", json_pack("{s:s, s:s, s:s, s:s}", "secret", b32, "otpauth_uri", uri,
							      "qr_png_base64", b64, "qr_svg", svg));
	} else {
		e = TF_ERR_INTERNAL;
	}
	free(b64);
	free(png);
	free(svg);
out:
	sodium_memzero(secret, sizeof secret);
	sodium_memzero(b32, sizeof b32);
	sodium_memzero(uri, sizeof uri);
	return e;
}

static enum tf_err make_backup_sheet(json_t *answer, struct backup_code_row *rows)
{
	json_t *codes = json_array();
	for (int i = 0; i < BACKUP_CODES_PER_SHEET; i++) {
		char code[BACKUP_CODE_LEN + 1];
		crypto_random_string(BACKUP_CODE_ALPHABET, BACKUP_CODE_LEN, code);
		rows[i].idx = i;
		rows[i].used_at = 0;
		enum tf_err e = crypto_lookup_secret_hash(code, rows[i].code_hash);
		json_array_append_new(codes, json_string(code));
		sodium_memzero(code, sizeof code);
		if (e != TF_OK) {
			json_decref(codes);
			return e;
		}
	}
	json_object_set_new(answer, "backup_codes", codes);
	return TF_OK;
}

static enum tf_err parse_type(struct tf_req *req, enum factor_type *type)
{
	const char *t;
	enum tf_err e = req_string(req, "type", true, &t);
	if (e != TF_OK)
		return e;
	for (int i = 0; i < FACTOR_TYPE__MAX; i++)
		if (strcmp(t, factor_type_names[i]) == 0) {
			*type = (enum factor_type)i;
			return TF_OK;
		}
	return req_field_error(req, TF_ERR_INVALID_FIELD, "type");
}

bool api_factors_create_slow_if(struct tf_req *req)
{
	json_t *t = req->json ? json_object_get(req->json, "type") : NULL;
	return t && json_is_string(t) && strcmp(json_string_value(t), "backup_codes") == 0;
}

enum tf_err api_factors_create(struct tf_req *req)
{
	static const char *const known[] = {"type", "phone", "channel", "public_key", "push_address", NULL};
	enum factor_type type = FACTOR_SMS;
	const char *phone = NULL, *channel = NULL, *public_key = NULL, *push_address = NULL;
	enum tf_err e;
	bool is_push;
	if ((e = req_reject_unknown(req, known)) != TF_OK || (e = parse_type(req, &type)) != TF_OK ||
	    (e = req_string(req, "phone", type == FACTOR_SMS || type == FACTOR_VOICE, &phone)) != TF_OK ||
	    (e = req_string(req, "channel", (is_push = type == FACTOR_PUSH), &channel)) != TF_OK ||
	    (e = req_string(req, "public_key", is_push, &public_key)) != TF_OK ||
	    (e = req_string(req, "push_address", is_push, &push_address)) != TF_OK)
		return e;
	/* a push device: its channel (seed 003), its Ed25519 public key (base64 of 32 bytes) and
	 * where the provider reaches it */
	uint8_t key[32];
	if (!is_push && (channel || public_key || push_address))
		return req_field_error(req, TF_ERR_INVALID_FIELD, channel ? "channel" : public_key ? "public_key" : "push_address");
	if (is_push && !push_channel_ok(channel))
		return req_field_error(req, TF_ERR_INVALID_FIELD, "channel");
	if (is_push && !crypto_base64_decode_exact(public_key, key, sizeof key))
		return req_field_error(req, TF_ERR_INVALID_FIELD, "public_key");
	if (is_push && !push_address_ok(push_address))
		return req_field_error(req, TF_ERR_INVALID_FIELD, "push_address");
	if (phone && (type == FACTOR_SMS || type == FACTOR_VOICE) && !validate_phone_e164(phone))
		return req_field_error(req, TF_ERR_INVALID_FIELD, "phone");
	if (phone && type != FACTOR_SMS && type != FACTOR_VOICE)
		return req_field_error(req, TF_ERR_INVALID_FIELD, "phone");

	json_t *answer = json_object();
	struct backup_code_row sheet[BACKUP_CODES_PER_SHEET];
	if (type == FACTOR_BACKUP_CODES && (e = make_backup_sheet(answer, sheet)) != TF_OK)
		goto fail; /* Argon2id before the transaction */

	struct factor_row list[FACTORS_PER_USER_MAX], f;
	size_t n;
	struct challenge_row ch;
	memset(&f, 0, sizeof f);
	if ((e = STORE(req->db)->tx_begin(req->db)) != TF_OK)
		goto fail;
	e = list_factors(req, list, &n);
	if (e == TF_OK && has_active_factor(list, n) && !req->stepped_up)
		e = TF_ERR_STEP_UP_REQUIRED;
	int existing = -1; /* creating backup codes again replaces the sheet */
	for (size_t i = 0; e == TF_OK && i < n; i++)
		if (type == FACTOR_BACKUP_CODES && list[i].type == FACTOR_BACKUP_CODES)
			existing = (int)i;
	if (e == TF_OK && existing < 0 && n >= FACTORS_PER_USER_MAX)
		e = TF_ERR_FACTOR_LIMIT_REACHED;
	if (e != TF_OK) {
		STORE(req->db)->tx_rollback(req->db);
		goto fail;
	}
	if (existing >= 0) {
		f = list[existing];
	} else {
		crypto_random_id("fac", f.factor_id);
		snprintf(f.app_id, sizeof f.app_id, "%s", req->app->app_id);
		snprintf(f.user_id, sizeof f.user_id, "%s", req->session.user_id);
		f.type = type;
		f.status = FACTOR_PENDING;
		f.last_totp_step = -1;
		f.created_at = req->now;
		f.preferred = n == 0;
		if (phone)
			snprintf(f.phone, sizeof f.phone, "%s", phone);
		if (is_push) {
			snprintf(f.push_channel, sizeof f.push_channel, "%s", channel);
			memcpy(f.push_public_key, key, sizeof key);
			snprintf(f.push_address, sizeof f.push_address, "%s", push_address);
		}
		if (type == FACTOR_TOTP)
			e = enrol_totp(req, &f, answer);
	}
	if (e == TF_OK && existing < 0) {
		/* the factor first: its enrolment challenge references it */
		e = STORE(req->db)->factor_insert(req->db, &f);
		if (e == TF_OK)
			e = api_challenge_new(req, &f, PURPOSE_ENROLMENT, NULL, &ch);
		if (e == TF_OK) {
			snprintf(f.enrolment_challenge_id, sizeof f.enrolment_challenge_id, "%s", ch.challenge_id);
			e = STORE(req->db)->factor_update(req->db, &f);
		}
	}
	if (e == TF_OK && type == FACTOR_BACKUP_CODES) {
		e = STORE(req->db)->backup_codes_replace(req->db, f.factor_id, sheet, BACKUP_CODES_PER_SHEET);
		f.backup_remaining = BACKUP_CODES_PER_SHEET;
	}
	if (e == TF_OK) {
		char actor[64], details[96];
		snprintf(actor, sizeof actor, "user:%s", f.user_id);
		snprintf(details, sizeof details, "{\"type\":\"%s\"%s}", factor_type_names[type], existing >= 0 ? ",\"replaced_sheet\":true" : "");
		e = req_audit(req, existing >= 0 ? "factor.backup_codes_replaced" : "factor.added", actor, f.factor_id, details);
	}
	if ((e = store_tx_end(req->db, e)) != TF_OK)
		goto fail;
	json_t *fj = api_factor_json(&f);
	json_object_update(answer, fj);
	json_decref(fj);
	if (existing < 0)
		json_object_set_new(answer, "challenge_id", json_string(f.enrolment_challenge_id));
	resp_json(req, 201, answer);
	return TF_OK;
fail:
	json_decref(answer);
	return e;
}

enum tf_err api_factors_verify(struct tf_req *req)
{
	static const char *const known[] = {"code", "approve", "signature", NULL};
	const char *code = NULL;
	struct push_answer push;
	bool is_push = false;
	enum tf_err e;
	if ((e = req_reject_unknown(req, known)) != TF_OK || (e = api_push_answer_read(req, &push, &is_push)) != TF_OK ||
	    (e = req_string(req, "code", !is_push, &code)) != TF_OK)
		return e;
	struct factor_row f;
	if ((e = STORE(req->db)->factor_get(req->db, req->app->app_id, req->session.user_id, req->params[0], &f)) != TF_OK)
		return e;
	if (f.status == FACTOR_ACTIVE)
		return TF_ERR_ALREADY_VERIFIED;
	return api_challenge_attempt(req, f.enrolment_challenge_id, code, true, false, DOMAIN_API, NULL, is_push ? &push : NULL);
}

bool api_factors_verify_slow_if(struct tf_req *req)
{
	struct factor_row f;
	return req->have_session &&
	       STORE(req->db)->factor_get(req->db, req->app->app_id, req->session.user_id, req->params[0], &f) == TF_OK &&
	       f.type == FACTOR_BACKUP_CODES;
}

enum tf_err api_factors_prefer(struct tf_req *req)
{
	static const char *const known[] = {NULL};
	enum tf_err e;
	struct factor_row f;
	if ((e = req_reject_unknown(req, known)) != TF_OK ||
	    (e = STORE(req->db)->factor_get(req->db, req->app->app_id, req->session.user_id, req->params[0], &f)) != TF_OK)
		return e;
	if (f.status != FACTOR_ACTIVE)
		return TF_ERR_FACTOR_NOT_ACTIVE;
	if ((e = STORE(req->db)->tx_begin(req->db)) != TF_OK)
		return e;
	e = STORE(req->db)->factor_set_preferred(req->db, req->app->app_id, req->session.user_id, f.factor_id);
	if ((e = store_tx_end(req->db, e)) != TF_OK)
		return e;
	f.preferred = true;
	resp_json(req, 200, api_factor_json(&f));
	return TF_OK;
}

enum tf_err api_factors_delete(struct tf_req *req)
{
	enum tf_err e;
	struct factor_row f;
	if ((e = STORE(req->db)->factor_get(req->db, req->app->app_id, req->session.user_id, req->params[0], &f)) != TF_OK)
		return e;
	if (!req->stepped_up)
		return TF_ERR_STEP_UP_REQUIRED;
	if ((e = STORE(req->db)->tx_begin(req->db)) != TF_OK)
		return e;
	e = STORE(req->db)->factor_delete(req->db, req->app->app_id, req->session.user_id, f.factor_id);
	if (e == TF_OK) {
		char actor[64], details[64];
		snprintf(actor, sizeof actor, "user:%s", f.user_id);
		snprintf(details, sizeof details, "{\"type\":\"%s\"}", factor_type_names[f.type]);
		e = req_audit(req, "factor.removed", actor, f.factor_id, details);
	}
	if (e == TF_OK) /* removing a factor revokes every trusted device (SPEC section 5) */
		e = api_devices_revoke_all_of(req, f.user_id, "factor_removed");
	if ((e = store_tx_end(req->db, e)) != TF_OK)
		return e;
	resp_json(req, 200, json_pack("{s:s, s:s}", "factor_id", f.factor_id, "status", "deleted"));
	return TF_OK;
}
