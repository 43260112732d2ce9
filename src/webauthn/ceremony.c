/* ceremony.c: see ceremony.h. */
#include "webauthn/ceremony.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cbor.h>
#include <jansson.h>
#include <sodium.h>

#include "webauthn/cbor_bounded.h"
#include "webauthn/x509_chain.h"

static const char *const reason_names[WEBAUTHN_REASON_COUNT] = {
	[WEBAUTHN_OK] = "ok",
	[WEBAUTHN_MALFORMED] = "malformed",
	[WEBAUTHN_TYPE] = "type",
	[WEBAUTHN_CHALLENGE] = "challenge",
	[WEBAUTHN_ORIGIN] = "origin",
	[WEBAUTHN_RP_ID] = "rp_id",
	[WEBAUTHN_USER_PRESENCE] = "user_presence",
	[WEBAUTHN_USER_VERIFICATION] = "user_verification",
	[WEBAUTHN_SYNCED_NOT_ALLOWED] = "synced_not_allowed",
	[WEBAUTHN_AAGUID_NOT_ALLOWED] = "aaguid_not_allowed",
	[WEBAUTHN_ALGORITHM] = "algorithm",
	[WEBAUTHN_ATTESTATION] = "attestation",
	[WEBAUTHN_CREDENTIAL] = "credential",
	[WEBAUTHN_SIGNATURE] = "signature",
	[WEBAUTHN_COUNTER] = "counter",
	[WEBAUTHN_PAYMENT] = "payment",
};

const char *webauthn_reason_name(enum webauthn_reason r)
{
	return (unsigned)r < WEBAUTHN_REASON_COUNT ? reason_names[r] : "malformed";
}

/* ---- names ---- */

bool webauthn_rp_id_valid(const char *rp_id)
{
	size_t n = strlen(rp_id), label = 0;
	bool all_digits_and_dots = true;
	if (n == 0 || n > 253 || rp_id[0] == '.' || rp_id[n - 1] == '.')
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = rp_id[i];
		if (c == '.') {
			if (label == 0 || rp_id[i - 1] == '-')
				return false;
			label = 0;
			continue;
		}
		bool letter = c >= 'a' && c <= 'z', digit = c >= '0' && c <= '9';
		if (!letter && !digit && c != '-')
			return false;
		if (c == '-' && label == 0)
			return false;
		all_digits_and_dots &= digit;
		if (++label > 63)
			return false;
	}
	return rp_id[n - 1] != '-' && !all_digits_and_dots; /* not an IPv4 address */
}

bool webauthn_origin_valid(const char *origin)
{
	const char *host;
	bool https = !strncmp(origin, "https://", 8);
	if (https)
		host = origin + 8;
	else if (!strncmp(origin, "http://localhost", 16) && (origin[16] == '\0' || origin[16] == ':'))
		host = origin + 7;
	else
		return false;
	char name[254];
	size_t n = strcspn(host, ":");
	if (n == 0 || n >= sizeof name)
		return false;
	memcpy(name, host, n);
	name[n] = '\0';
	if (!webauthn_rp_id_valid(name))
		return false;
	const char *port = host + n;
	if (*port == '\0')
		return true;
	port++;
	size_t digits = strspn(port, "0123456789");
	if (digits == 0 || digits > 5 || port[digits] != '\0' || port[0] == '0')
		return false;
	long v = strtol(port, NULL, 10);
	return v <= 65535 && !(https && v == 443);
}

/* ---- authenticator data ---- */

#define AUTH_DATA_MIN 37 /* rpIdHash (32), flags (1), signCount (4) */

void webauthn_auth_data_clear(struct webauthn_auth_data *a)
{
	cose_key_free(a->key);
	memset(a, 0, sizeof *a);
}

/* The length of the one CBOR map at p (n bytes), or 0 when p does not start with a definite map. */
static size_t cbor_map_length(const uint8_t *p, size_t n)
{
	size_t used;
	cbor_item_t *item = cbor_bounded_load(p, n, &used);
	if (!item)
		return 0;
	bool map = cbor_isa_map(item) && cbor_map_is_definite(item);
	cbor_decref(&item);
	return map ? used : 0;
}

bool webauthn_auth_data_parse(const uint8_t *p, size_t n, struct webauthn_auth_data *out)
{
	memset(out, 0, sizeof *out);
	if (n < AUTH_DATA_MIN)
		return false;
	memcpy(out->rp_id_hash, p, WEBAUTHN_RP_ID_HASH_BYTES);
	out->flags = p[32];
	out->sign_count = (uint32_t)p[33] << 24 | (uint32_t)p[34] << 16 | (uint32_t)p[35] << 8 | p[36];
	size_t at = AUTH_DATA_MIN;
	if (out->flags & WEBAUTHN_FLAG_AT) {
		if (n - at < WEBAUTHN_AAGUID_BYTES + 2)
			return false;
		memcpy(out->aaguid, p + at, WEBAUTHN_AAGUID_BYTES);
		at += WEBAUTHN_AAGUID_BYTES;
		size_t id_len = (size_t)p[at] << 8 | p[at + 1];
		at += 2;
		if (id_len == 0 || id_len > WEBAUTHN_CREDENTIAL_ID_MAX || n - at < id_len)
			return false;
		out->credential_id = p + at;
		out->credential_id_len = id_len;
		at += id_len;
		size_t used;
		out->key_result = cose_key_parse(p + at, n - at, &out->key, &used);
		if (out->key_result == COSE_KEY_MALFORMED)
			return false;
		if (out->key_result == COSE_KEY_UNSUPPORTED) /* still a map: measure it to go on */
			used = cbor_map_length(p + at, n - at);
		if (used == 0 || used > COSE_KEY_MAX) {
			webauthn_auth_data_clear(out);
			return false;
		}
		out->public_key = p + at;
		out->public_key_len = used;
		at += used;
	}
	if (out->flags & WEBAUTHN_FLAG_ED) {
		size_t used = at < n ? cbor_map_length(p + at, n - at) : 0;
		if (used == 0) {
			webauthn_auth_data_clear(out);
			return false;
		}
		at += used;
	}
	if (at != n) {
		webauthn_auth_data_clear(out);
		return false;
	}
	return true;
}

/* ---- client data ---- */

/* Copies the string member name of o into out (size bytes with its NUL); absent is false, as is
 * a non-string, a string with a NUL, or one that does not fit. */
static bool member_text(json_t *o, const char *name, char *out, size_t size)
{
	json_t *v = json_object_get(o, name);
	if (!json_is_string(v))
		return false;
	size_t len = json_string_length(v);
	if (len >= size || memchr(json_string_value(v), '\0', len))
		return false;
	memcpy(out, json_string_value(v), len + 1);
	return true;
}

static bool payment_parse(json_t *pay, struct webauthn_client_data *out)
{
	if (!json_is_object(pay))
		return false;
	json_t *total = json_object_get(pay, "total"), *instrument = json_object_get(pay, "instrument");
	if (!member_text(pay, "rpId", out->payment.rp_id, sizeof out->payment.rp_id) ||
	    !member_text(pay, "topOrigin", out->payment.top_origin, sizeof out->payment.top_origin) ||
	    !json_is_object(total) || !json_is_object(instrument) ||
	    !member_text(total, "currency", out->payment.currency, sizeof out->payment.currency) ||
	    !member_text(total, "value", out->payment.value, sizeof out->payment.value) ||
	    !member_text(instrument, "displayName", out->payment.instrument_name, sizeof out->payment.instrument_name) ||
	    !member_text(instrument, "icon", out->payment.instrument_icon, sizeof out->payment.instrument_icon))
		return false;
	if (json_object_get(pay, "payeeName")) {
		if (!member_text(pay, "payeeName", out->payment.payee_name, sizeof out->payment.payee_name))
			return false;
		out->payment.has_payee_name = true;
	}
	if (json_object_get(pay, "payeeOrigin")) {
		if (!member_text(pay, "payeeOrigin", out->payment.payee_origin, sizeof out->payment.payee_origin))
			return false;
		out->payment.has_payee_origin = true;
	}
	out->has_payment = true;
	return true;
}

bool webauthn_client_data_parse(const uint8_t *json, size_t n, struct webauthn_client_data *out)
{
	memset(out, 0, sizeof *out);
	json_error_t err;
	json_t *o = json_loadb((const char *)json, n, JSON_REJECT_DUPLICATES, &err);
	char challenge[2 * WEBAUTHN_CHALLENGE_MAX];
	bool ok = json_is_object(o) && member_text(o, "type", out->type, sizeof out->type) &&
		  member_text(o, "challenge", challenge, sizeof challenge) &&
		  member_text(o, "origin", out->origin, sizeof out->origin) &&
		  sodium_base642bin(out->challenge, sizeof out->challenge, challenge, strlen(challenge), NULL,
				    &out->challenge_len, NULL, sodium_base64_VARIANT_URLSAFE_NO_PADDING) == 0;
	if (ok) {
		json_t *cross = json_object_get(o, "crossOrigin"), *top = json_object_get(o, "topOrigin");
		if (cross && !json_is_boolean(cross))
			ok = false;
		out->cross_origin = json_is_true(cross);
		if (top && !member_text(o, "topOrigin", out->top_origin, sizeof out->top_origin))
			ok = false;
		json_t *pay = json_object_get(o, "payment");
		if (pay && !payment_parse(pay, out))
			ok = false;
	}
	json_decref(o);
	return ok;
}

/* ---- shared checks ---- */

static bool origin_allowed(const struct webauthn_policy *p, const char *origin)
{
	for (size_t i = 0; i < p->n_origins; i++)
		if (!strcmp(p->origins[i], origin))
			return true;
	return false;
}

/* The client data checks both ceremonies make (sections 7.1 steps 7-10, 7.2 steps 11-14). */
static enum webauthn_reason client_data_check(const struct webauthn_policy *p, const struct webauthn_client_data *cd,
					      const uint8_t *challenge, size_t challenge_len)
{
	if (cd->challenge_len != challenge_len || sodium_memcmp(cd->challenge, challenge, challenge_len) != 0)
		return WEBAUTHN_CHALLENGE;
	if (!origin_allowed(p, cd->origin))
		return WEBAUTHN_ORIGIN;
	/* an iframe on another site: only where that top-level site is one of ours too */
	if (cd->cross_origin && !origin_allowed(p, cd->top_origin))
		return WEBAUTHN_ORIGIN;
	return WEBAUTHN_OK;
}

/* The authenticator data checks both ceremonies make: RP id hash, UP, UV, the backup flags. */
static enum webauthn_reason auth_data_check(const struct webauthn_policy *p, const struct webauthn_auth_data *ad)
{
	uint8_t want[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(want, (const unsigned char *)p->rp_id, strlen(p->rp_id));
	if (sodium_memcmp(want, ad->rp_id_hash, sizeof want) != 0)
		return WEBAUTHN_RP_ID;
	if (!(ad->flags & WEBAUTHN_FLAG_UP))
		return WEBAUTHN_USER_PRESENCE;
	if (p->uv_required && !(ad->flags & WEBAUTHN_FLAG_UV))
		return WEBAUTHN_USER_VERIFICATION;
	if ((ad->flags & WEBAUTHN_FLAG_BS) && !(ad->flags & WEBAUTHN_FLAG_BE))
		return WEBAUTHN_MALFORMED; /* backed up but not eligible to be (section 6.1.3) */
	if (!p->allow_synced && (ad->flags & WEBAUTHN_FLAG_BE))
		return WEBAUTHN_SYNCED_NOT_ALLOWED;
	return WEBAUTHN_OK;
}

/* authenticator data || SHA-256(client data): what a statement or an assertion signs */
static uint8_t *signed_bytes(const uint8_t *auth_data, size_t auth_len, const uint8_t *client_data, size_t client_len,
			     size_t *len)
{
	uint8_t *b = malloc(auth_len + crypto_hash_sha256_BYTES);
	if (!b)
		return NULL;
	memcpy(b, auth_data, auth_len);
	crypto_hash_sha256(b + auth_len, client_data, client_len);
	*len = auth_len + crypto_hash_sha256_BYTES;
	return b;
}

/* ---- registration ---- */

/* The attestation object's members (section 6.5.4): fmt, attStmt, authData. */
struct attestation {
	cbor_item_t *root;
	char fmt[32];
	const cbor_item_t *stmt;
	const uint8_t *auth_data;
	size_t auth_data_len;
};

static bool text_is(const cbor_item_t *item, const char *want)
{
	size_t n = strlen(want);
	return cbor_isa_string(item) && cbor_string_is_definite(item) && cbor_string_length(item) == n &&
	       !memcmp(cbor_string_handle(item), want, n);
}

static const cbor_item_t *map_get(const cbor_item_t *map, const char *key)
{
	struct cbor_pair *pairs = cbor_map_handle(map);
	const cbor_item_t *found = NULL;
	for (size_t i = 0; i < cbor_map_size(map); i++)
		if (text_is(pairs[i].key, key)) {
			if (found)
				return NULL; /* a duplicate key */
			found = pairs[i].value;
		}
	return found;
}

static bool attestation_parse(const uint8_t *p, size_t n, struct attestation *a)
{
	memset(a, 0, sizeof *a);
	size_t used;
	a->root = cbor_bounded_load(p, n, &used);
	if (!a->root || used != n || !cbor_isa_map(a->root) || !cbor_map_is_definite(a->root))
		return false;
	const cbor_item_t *fmt = map_get(a->root, "fmt"), *auth = map_get(a->root, "authData");
	a->stmt = map_get(a->root, "attStmt");
	if (!fmt || !cbor_isa_string(fmt) || !cbor_string_is_definite(fmt) || cbor_string_length(fmt) >= sizeof a->fmt ||
	    !a->stmt || !cbor_isa_map(a->stmt) || !cbor_map_is_definite(a->stmt) || !auth || !cbor_isa_bytestring(auth) ||
	    !cbor_bytestring_is_definite(auth))
		return false;
	memcpy(a->fmt, cbor_string_handle(fmt), cbor_string_length(fmt));
	a->auth_data = cbor_bytestring_handle(auth);
	a->auth_data_len = cbor_bytestring_length(auth);
	return true;
}

/* x5c's certificates, each a definite byte string; false when absent or malformed. */
static bool x5c_read(const cbor_item_t *stmt, struct x5c *out)
{
	memset(out, 0, sizeof *out);
	const cbor_item_t *arr = map_get(stmt, "x5c");
	if (!arr || !cbor_isa_array(arr) || !cbor_array_is_definite(arr) || cbor_array_size(arr) == 0 ||
	    cbor_array_size(arr) > X5C_MAX)
		return false;
	cbor_item_t **items = cbor_array_handle(arr);
	for (size_t i = 0; i < cbor_array_size(arr); i++) {
		if (!cbor_isa_bytestring(items[i]) || !cbor_bytestring_is_definite(items[i]))
			return false;
		out->der[i] = cbor_bytestring_handle(items[i]);
		out->len[i] = cbor_bytestring_length(items[i]);
	}
	out->n = cbor_array_size(arr);
	return true;
}

static bool stmt_bytes(const cbor_item_t *stmt, const char *key, const uint8_t **p, size_t *n)
{
	const cbor_item_t *v = map_get(stmt, key);
	if (!v || !cbor_isa_bytestring(v) || !cbor_bytestring_is_definite(v))
		return false;
	*p = cbor_bytestring_handle(v);
	*n = cbor_bytestring_length(v);
	return true;
}

static bool stmt_int(const cbor_item_t *stmt, const char *key, int64_t *out)
{
	const cbor_item_t *v = map_get(stmt, key);
	if (!v || !(cbor_isa_uint(v) || cbor_isa_negint(v)) || cbor_get_int(v) > INT32_MAX)
		return false;
	*out = cbor_isa_uint(v) ? (int64_t)cbor_get_int(v) : -1 - (int64_t)cbor_get_int(v);
	return true;
}

/* The statement's verdict: *trusted when its chain led to one of the policy's roots. */
static enum webauthn_reason statement_check(const struct webauthn_policy *p, const struct attestation *a,
					    const struct webauthn_auth_data *ad, const uint8_t *client_data,
					    size_t client_len, int64_t now_s, bool *trusted)
{
	*trusted = false;
	bool roots = p->roots_pem && p->roots_pem[0];
	if (!strcmp(a->fmt, "none")) {
		if (cbor_map_size(a->stmt) != 0)
			return WEBAUTHN_MALFORMED;
		return p->attestation_direct ? WEBAUTHN_ATTESTATION : WEBAUTHN_OK;
	}
	bool packed = !strcmp(a->fmt, "packed"), u2f = !strcmp(a->fmt, "fido-u2f");
	if (!packed && !u2f) /* a format twofold does not verify: as good as none, where none will do */
		return p->attestation_direct ? WEBAUTHN_ATTESTATION : WEBAUTHN_OK;
	const uint8_t *sig;
	size_t sig_len, msg_len;
	struct x5c chain;
	bool has_x5c = x5c_read(a->stmt, &chain);
	if (!stmt_bytes(a->stmt, "sig", &sig, &sig_len) || (map_get(a->stmt, "x5c") && !has_x5c))
		return WEBAUTHN_MALFORMED;
	struct cose_key *signer = NULL;
	uint8_t *msg = NULL;
	enum webauthn_reason r = WEBAUTHN_ATTESTATION;
	if (packed) {
		int64_t alg;
		if (!stmt_int(a->stmt, "alg", &alg))
			return WEBAUTHN_MALFORMED;
		msg = signed_bytes(a->auth_data, a->auth_data_len, client_data, client_len, &msg_len);
		if (has_x5c) {
			if (x5c_leaf_key(&chain, (int)alg, &signer) && x5c_packed_requirements(&chain, ad->aaguid) && msg &&
			    cose_key_verify(signer, msg, msg_len, sig, sig_len))
				r = WEBAUTHN_OK;
		} else if (alg == cose_key_alg(ad->key) && msg && cose_key_verify(ad->key, msg, msg_len, sig, sig_len)) {
			r = roots || p->attestation_direct ? WEBAUTHN_ATTESTATION : WEBAUTHN_OK; /* self attestation */
		}
	} else {
		/* FIDO U2F (section 8.6): 0x00 || rpIdHash || SHA-256(client data) || credential id || point */
		uint8_t point[65];
		if (!has_x5c || !cose_key_p256_point(ad->key, point))
			return has_x5c ? WEBAUTHN_ATTESTATION : WEBAUTHN_MALFORMED;
		msg_len = 1 + 32 + 32 + ad->credential_id_len + 65;
		msg = malloc(msg_len);
		if (msg) {
			msg[0] = 0;
			memcpy(msg + 1, ad->rp_id_hash, 32);
			crypto_hash_sha256(msg + 33, client_data, client_len);
			memcpy(msg + 65, ad->credential_id, ad->credential_id_len);
			memcpy(msg + 65 + ad->credential_id_len, point, 65);
		}
		if (msg && x5c_u2f_key(&chain, &signer) && cose_key_verify(signer, msg, msg_len, sig, sig_len))
			r = WEBAUTHN_OK;
	}
	free(msg);
	cose_key_free(signer);
	if (r == WEBAUTHN_OK && has_x5c && roots) {
		*trusted = x5c_chain_trusted(&chain, p->roots_pem, now_s);
		if (!*trusted)
			r = WEBAUTHN_ATTESTATION;
	}
	return r;
}

static bool aaguid_allowed(const struct webauthn_policy *p, const uint8_t aaguid[WEBAUTHN_AAGUID_BYTES])
{
	if (p->n_aaguids == 0)
		return true;
	for (size_t i = 0; i < p->n_aaguids; i++)
		if (!memcmp(p->aaguids[i], aaguid, WEBAUTHN_AAGUID_BYTES))
			return true;
	return false;
}

enum webauthn_reason webauthn_register(const struct webauthn_policy *p, const uint8_t *challenge, size_t challenge_len,
				       const struct webauthn_registration *in, int64_t now_s,
				       struct webauthn_credential *out)
{
	memset(out, 0, sizeof *out);
	struct webauthn_client_data *cd = malloc(sizeof *cd);
	struct attestation a = {0};
	struct webauthn_auth_data ad = {0};
	enum webauthn_reason r = WEBAUTHN_MALFORMED;
	if (!cd || !webauthn_client_data_parse(in->client_data, in->client_data_len, cd))
		goto done;
	if (strcmp(cd->type, "webauthn.create")) {
		r = WEBAUTHN_TYPE;
		goto done;
	}
	if ((r = client_data_check(p, cd, challenge, challenge_len)) != WEBAUTHN_OK)
		goto done;
	r = WEBAUTHN_MALFORMED;
	if (!attestation_parse(in->attestation_object, in->attestation_object_len, &a) ||
	    !webauthn_auth_data_parse(a.auth_data, a.auth_data_len, &ad) || !(ad.flags & WEBAUTHN_FLAG_AT))
		goto done;
	if (in->raw_id_len != ad.credential_id_len || memcmp(in->raw_id, ad.credential_id, ad.credential_id_len)) {
		r = WEBAUTHN_CREDENTIAL;
		goto done;
	}
	if ((r = auth_data_check(p, &ad)) != WEBAUTHN_OK)
		goto done;
	if (ad.key_result != COSE_KEY_OK) {
		r = WEBAUTHN_ALGORITHM;
		goto done;
	}
	if (!aaguid_allowed(p, ad.aaguid)) {
		r = WEBAUTHN_AAGUID_NOT_ALLOWED;
		goto done;
	}
	bool trusted;
	if ((r = statement_check(p, &a, &ad, in->client_data, in->client_data_len, now_s, &trusted)) != WEBAUTHN_OK)
		goto done;
	memcpy(out->id, ad.credential_id, ad.credential_id_len);
	out->id_len = ad.credential_id_len;
	memcpy(out->public_key, ad.public_key, ad.public_key_len);
	out->public_key_len = ad.public_key_len;
	out->alg = cose_key_alg(ad.key);
	memcpy(out->aaguid, ad.aaguid, WEBAUTHN_AAGUID_BYTES);
	out->sign_count = ad.sign_count;
	out->user_verified = ad.flags & WEBAUTHN_FLAG_UV;
	out->backup_eligible = ad.flags & WEBAUTHN_FLAG_BE;
	out->backed_up = ad.flags & WEBAUTHN_FLAG_BS;
	snprintf(out->fmt, sizeof out->fmt, "%s", a.fmt);
	out->attestation_trusted = trusted;
done:
	webauthn_auth_data_clear(&ad);
	if (a.root)
		cbor_decref(&a.root);
	free(cd);
	return r;
}

/* ---- assertion ---- */

static bool same(const char *got, const char *want)
{
	return want && !strcmp(got, want);
}

/* SPC: the payment data the browser showed are the transaction's (SPC section 4.3.1 step 3 and
 * the relying party's checks in its section 7). */
static bool payment_matches(const struct webauthn_policy *p, const struct webauthn_client_data *cd,
			    const struct spc_expected *spc)
{
	return cd->has_payment && same(cd->payment.rp_id, p->rp_id) && origin_allowed(p, cd->payment.top_origin) &&
	       cd->payment.has_payee_name == (spc->payee_name != NULL) &&
	       (!spc->payee_name || same(cd->payment.payee_name, spc->payee_name)) &&
	       cd->payment.has_payee_origin == (spc->payee_origin != NULL) &&
	       (!spc->payee_origin || same(cd->payment.payee_origin, spc->payee_origin)) &&
	       same(cd->payment.currency, spc->currency) && same(cd->payment.value, spc->value) &&
	       same(cd->payment.instrument_name, spc->instrument_name) &&
	       same(cd->payment.instrument_icon, spc->instrument_icon);
}

enum webauthn_reason webauthn_assert(const struct webauthn_policy *p, const uint8_t *challenge, size_t challenge_len,
				     const struct spc_expected *spc, const struct webauthn_stored *cred,
				     const struct webauthn_assertion *in, struct webauthn_verified *out)
{
	memset(out, 0, sizeof *out);
	struct webauthn_client_data *cd = malloc(sizeof *cd);
	struct webauthn_auth_data ad = {0};
	struct cose_key *key = NULL;
	uint8_t *msg = NULL;
	size_t msg_len, used;
	enum webauthn_reason r = WEBAUTHN_MALFORMED;
	if (!cd || !webauthn_client_data_parse(in->client_data, in->client_data_len, cd))
		goto done;
	if (in->raw_id_len != cred->id_len || memcmp(in->raw_id, cred->id, cred->id_len)) {
		r = WEBAUTHN_CREDENTIAL;
		goto done;
	}
	bool spc_type = !strcmp(cd->type, "payment.get");
	if (strcmp(cd->type, "webauthn.get") && !(spc_type && spc)) {
		r = WEBAUTHN_TYPE;
		goto done;
	}
	if ((r = client_data_check(p, cd, challenge, challenge_len)) != WEBAUTHN_OK)
		goto done;
	if (spc_type && !payment_matches(p, cd, spc)) {
		r = WEBAUTHN_PAYMENT;
		goto done;
	}
	r = WEBAUTHN_MALFORMED;
	if (!webauthn_auth_data_parse(in->auth_data, in->auth_data_len, &ad) || (ad.flags & WEBAUTHN_FLAG_AT))
		goto done;
	if ((r = auth_data_check(p, &ad)) != WEBAUTHN_OK)
		goto done;
	if (cose_key_parse(cred->public_key, cred->public_key_len, &key, &used) != COSE_KEY_OK) {
		r = WEBAUTHN_ALGORITHM;
		goto done;
	}
	r = WEBAUTHN_SIGNATURE;
	msg = signed_bytes(in->auth_data, in->auth_data_len, in->client_data, in->client_data_len, &msg_len);
	if (!msg || !cose_key_verify(key, msg, msg_len, in->signature, in->signature_len))
		goto done;
	/* a counter that does not grow: two authenticators hold the key (section 7.2 step 22) */
	if ((ad.sign_count || cred->sign_count) && ad.sign_count <= cred->sign_count) {
		r = WEBAUTHN_COUNTER;
		goto done;
	}
	out->sign_count = ad.sign_count;
	out->user_verified = ad.flags & WEBAUTHN_FLAG_UV;
	out->backup_eligible = ad.flags & WEBAUTHN_FLAG_BE;
	out->backed_up = ad.flags & WEBAUTHN_FLAG_BS;
	out->spc = spc_type;
	r = WEBAUTHN_OK;
done:
	free(msg);
	cose_key_free(key);
	webauthn_auth_data_clear(&ad);
	free(cd);
	return r;
}
