/* cose_key.c: see cose_key.h. */
#include "webauthn/cose_key.h"

#include <stdlib.h>
#include <string.h>

#include <cbor.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "webauthn/cbor_bounded.h"
#include "webauthn/cose_key_pkey.h"

/* COSE labels (RFC 9052 section 7.1, RFC 9053 sections 7.1 and 7.2, RFC 8230 section 4) */
#define COSE_KTY 1
#define COSE_ALG 3
#define COSE_CRV (-1)   /* EC2 and OKP */
#define COSE_X (-2)     /* EC2 and OKP */
#define COSE_Y (-3)     /* EC2 */
#define COSE_RSA_N (-1) /* RSA reuses the numbers */
#define COSE_RSA_E (-2)
#define KTY_OKP 1
#define KTY_EC2 2
#define KTY_RSA 3
#define CRV_P256 1
#define CRV_ED25519 6
#define RSA_BITS_MIN 2048
#define RSA_BITS_MAX 8192

struct cose_key {
	int alg;
	EVP_PKEY *pkey;
	bool has_point;
	uint8_t point[65];
};

const char *cose_alg_name(int alg)
{
	switch (alg) {
	case COSE_ALG_ES256:
		return "ES256";
	case COSE_ALG_EDDSA:
		return "EdDSA";
	case COSE_ALG_RS256:
		return "RS256";
	default:
		return NULL;
	}
}

/* A CBOR integer's value in *out; false when item is not an integer in int64 range. */
static bool cbor_int_value(const cbor_item_t *item, int64_t *out)
{
	if (cbor_isa_uint(item) || cbor_isa_negint(item)) {
		uint64_t v = cbor_get_int(item);
		if (v > INT64_MAX)
			return false;
		*out = cbor_isa_uint(item) ? (int64_t)v : -1 - (int64_t)v;
		return true;
	}
	return false;
}

/* The map's members the key types use, each found at most once. */
struct cose_fields {
	int64_t kty, alg, crv;
	const uint8_t *x, *y; /* EC2/OKP coordinates, or RSA's n (x) and e (y) */
	size_t x_len, y_len;
	bool has_kty, has_alg, has_crv;
};

static bool bytes_of(const cbor_item_t *v, const uint8_t **p, size_t *n)
{
	if (!cbor_isa_bytestring(v) || !cbor_bytestring_is_definite(v) || *p)
		return false;
	*p = cbor_bytestring_handle(v);
	*n = cbor_bytestring_length(v);
	return *p != NULL || *n == 0;
}

/* Reads the labels twofold needs from map; other labels (key id, key operations) are allowed
 * and ignored, as RFC 9052 lets a key carry them. Duplicate labels are malformed. */
static bool read_fields(const cbor_item_t *map, struct cose_fields *f)
{
	memset(f, 0, sizeof *f);
	if (!cbor_isa_map(map) || !cbor_map_is_definite(map))
		return false;
	struct cbor_pair *pairs = cbor_map_handle(map);
	size_t n = cbor_map_size(map);
	/* the RSA labels share numbers with EC2's crv and x: the key type decides, so read it first */
	for (size_t i = 0; i < n; i++) {
		int64_t label;
		if (!cbor_int_value(pairs[i].key, &label))
			continue; /* a text label: none twofold needs */
		if (label == COSE_KTY) {
			if (f->has_kty || !cbor_int_value(pairs[i].value, &f->kty))
				return false;
			f->has_kty = true;
		}
	}
	if (!f->has_kty)
		return false;
	for (size_t i = 0; i < n; i++) {
		int64_t label;
		const cbor_item_t *v = pairs[i].value;
		if (!cbor_int_value(pairs[i].key, &label) || label == COSE_KTY)
			continue;
		if (label == COSE_ALG) {
			if (f->has_alg || !cbor_int_value(v, &f->alg))
				return false;
			f->has_alg = true;
		} else if (f->kty == KTY_RSA && label == COSE_RSA_N) {
			if (!bytes_of(v, &f->x, &f->x_len))
				return false;
		} else if (f->kty == KTY_RSA && label == COSE_RSA_E) {
			if (!bytes_of(v, &f->y, &f->y_len))
				return false;
		} else if (f->kty != KTY_RSA && label == COSE_CRV) {
			if (f->has_crv || !cbor_int_value(v, &f->crv))
				return false;
			f->has_crv = true;
		} else if (f->kty != KTY_RSA && label == COSE_X) {
			if (!bytes_of(v, &f->x, &f->x_len))
				return false;
		} else if (f->kty != KTY_RSA && label == COSE_Y) {
			if (!bytes_of(v, &f->y, &f->y_len))
				return false;
		}
	}
	return f->has_alg;
}

static EVP_PKEY *pkey_from_params(const char *type, OSSL_PARAM *params)
{
	EVP_PKEY *pkey = NULL;
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
	if (!ctx || EVP_PKEY_fromdata_init(ctx) <= 0 || EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) <= 0)
		pkey = NULL;
	EVP_PKEY_CTX_free(ctx);
	return pkey;
}

/* An EC2 P-256 key whose point is on the curve, or NULL. */
static EVP_PKEY *ec_p256(const uint8_t point[65])
{
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, (char *)"prime256v1", 0),
		OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, (void *)point, 65),
		OSSL_PARAM_construct_end(),
	};
	EVP_PKEY *pkey = pkey_from_params("EC", params);
	if (!pkey)
		return NULL;
	/* the point on the curve and not at infinity: P-256's cofactor is 1, so that is the whole
	 * check (the full one adds a scalar multiplication by the order, on every assertion) */
	EVP_PKEY_CTX *check = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
	bool on_curve = check && EVP_PKEY_public_check_quick(check) == 1;
	EVP_PKEY_CTX_free(check);
	if (!on_curve) {
		EVP_PKEY_free(pkey);
		return NULL;
	}
	return pkey;
}

static EVP_PKEY *rsa_key(const uint8_t *n, size_t n_len, const uint8_t *e, size_t e_len)
{
	EVP_PKEY *pkey = NULL;
	BIGNUM *bn = BN_bin2bn(n, (int)n_len, NULL), *be = BN_bin2bn(e, (int)e_len, NULL);
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params = NULL;
	if (bn && be && bld && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn) &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, be) && (params = OSSL_PARAM_BLD_to_param(bld)))
		pkey = pkey_from_params("RSA", params);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(bn);
	BN_free(be);
	return pkey;
}

/* The key the fields describe, as *out; COSE_KEY_MALFORMED or COSE_KEY_UNSUPPORTED otherwise. */
static enum cose_parse_result key_of(const struct cose_fields *f, struct cose_key *out)
{
	switch (f->alg) {
	case COSE_ALG_ES256:
		if (f->kty != KTY_EC2 || !f->has_crv || !f->x || !f->y)
			return COSE_KEY_MALFORMED;
		if (f->crv != CRV_P256)
			return COSE_KEY_UNSUPPORTED;
		if (f->x_len != 32 || f->y_len != 32)
			return COSE_KEY_MALFORMED;
		out->point[0] = 0x04;
		memcpy(out->point + 1, f->x, 32);
		memcpy(out->point + 33, f->y, 32);
		out->has_point = true;
		out->pkey = ec_p256(out->point);
		break;
	case COSE_ALG_EDDSA:
		if (f->kty != KTY_OKP || !f->has_crv || !f->x)
			return COSE_KEY_MALFORMED;
		if (f->crv != CRV_ED25519)
			return COSE_KEY_UNSUPPORTED;
		if (f->x_len != 32)
			return COSE_KEY_MALFORMED;
		out->pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, f->x, 32);
		break;
	case COSE_ALG_RS256:
		if (f->kty != KTY_RSA || !f->x || !f->y || f->x_len == 0 || f->y_len == 0 || f->y_len > 8)
			return COSE_KEY_MALFORMED;
		if (f->x[0] == 0 || f->x_len * 8 < RSA_BITS_MIN || f->x_len * 8 > RSA_BITS_MAX)
			return COSE_KEY_UNSUPPORTED;
		out->pkey = rsa_key(f->x, f->x_len, f->y, f->y_len);
		break;
	default:
		return COSE_KEY_UNSUPPORTED;
	}
	out->alg = (int)f->alg;
	return out->pkey ? COSE_KEY_OK : COSE_KEY_MALFORMED;
}

enum cose_parse_result cose_key_parse(const uint8_t *cbor, size_t len, struct cose_key **out, size_t *used)
{
	*out = NULL;
	*used = 0;
	if (len == 0)
		return COSE_KEY_MALFORMED;
	size_t loaded;
	cbor_item_t *item = cbor_bounded_load(cbor, len, &loaded);
	if (!item)
		return COSE_KEY_MALFORMED;
	struct cose_fields f;
	enum cose_parse_result r = COSE_KEY_MALFORMED;
	struct cose_key *k = calloc(1, sizeof *k);
	if (k && read_fields(item, &f))
		r = key_of(&f, k);
	cbor_decref(&item);
	if (r != COSE_KEY_OK) {
		cose_key_free(k);
		return r;
	}
	*out = k;
	*used = loaded;
	return COSE_KEY_OK;
}

struct cose_key *cose_key_wrap(EVP_PKEY *pkey, int alg)
{
	struct cose_key *k = calloc(1, sizeof *k);
	if (!k)
		return NULL;
	k->pkey = pkey;
	k->alg = alg;
	return k;
}

void cose_key_free(struct cose_key *k)
{
	if (!k)
		return;
	EVP_PKEY_free(k->pkey);
	free(k);
}

int cose_key_alg(const struct cose_key *k)
{
	return k->alg;
}

bool cose_key_p256_point(const struct cose_key *k, uint8_t out[65])
{
	if (!k->has_point)
		return false;
	memcpy(out, k->point, 65);
	return true;
}

bool cose_key_verify(const struct cose_key *k, const uint8_t *msg, size_t msg_len, const uint8_t *sig, size_t sig_len)
{
	const EVP_MD *md;
	switch (k->alg) {
	case COSE_ALG_ES256:
	case COSE_ALG_RS256:
		md = EVP_sha256();
		break;
	case COSE_ALG_EDDSA:
		md = NULL; /* Ed25519 signs the message itself */
		if (sig_len != 64)
			return false;
		break;
	default:
		return false;
	}
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	bool ok = ctx && EVP_DigestVerifyInit(ctx, NULL, md, NULL, k->pkey) == 1 &&
		  EVP_DigestVerify(ctx, sig, sig_len, msg, msg_len) == 1;
	EVP_MD_CTX_free(ctx);
	return ok;
}
