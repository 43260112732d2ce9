/* Unit tests for webauthn/ceremony.c: registration and assertion ceremonies as an authenticator and a
 * browser would produce them, built here with libcrypto and libcbor (keys, signatures, CBOR,
 * certificates), and each check the relying party must make, failed one at a time. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <cbor.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sodium.h>

#include "webauthn/ceremony.h"

#define RP_ID "bank.example"
#define ORIGIN "https://bank.example"
#define NOW_S 1796000000 /* 2026-11-30 */

static const char *const origins[] = {ORIGIN, "https://pay.bank.example"};
static const uint8_t challenge[32] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
				      17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};
static const uint8_t aaguid[16] = {0xad, 0xce, 0x00, 0x02, 0x35, 0xbc, 0xc6, 0x0a,
				   0x64, 0x8b, 0x0b, 0x25, 0xf1, 0xf0, 0x55, 0x03};

static struct webauthn_policy policy(void)
{
	return (struct webauthn_policy){.rp_id = RP_ID, .origins = origins, .n_origins = 2, .uv_required = true,
					.allow_synced = true};
}

/* ---- what an authenticator makes ---- */

struct buf {
	uint8_t b[8192];
	size_t n;
};

static void put(struct buf *o, const void *p, size_t n)
{
	assert_true(o->n + n <= sizeof o->b);
	memcpy(o->b + o->n, p, n);
	o->n += n;
}

static EVP_PKEY *new_key(int alg)
{
	switch (alg) {
	case COSE_ALG_ES256:
		return EVP_EC_gen("P-256");
	case COSE_ALG_EDDSA:
		return EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	default:
		return EVP_RSA_gen(2048);
	}
}

static cbor_item_t *cbor_int(int64_t v)
{
	return v >= 0 ? cbor_build_uint64((uint64_t)v) : cbor_build_negint64((uint64_t)(-1 - v));
}

static void map_put(cbor_item_t *map, cbor_item_t *k, cbor_item_t *v)
{
	assert_true(cbor_map_add(map, (struct cbor_pair){.key = cbor_move(k), .value = cbor_move(v)}));
}

static cbor_item_t *bn_bytes(EVP_PKEY *key, const char *name)
{
	BIGNUM *bn = NULL;
	assert_int_equal(EVP_PKEY_get_bn_param(key, name, &bn), 1);
	uint8_t b[1024];
	int n = BN_bn2bin(bn, b);
	BN_free(bn);
	return cbor_build_bytestring(b, (size_t)n);
}

/* The COSE_Key of key, labelled alg (which may lie, to test that it is noticed). */
static void cose_of(EVP_PKEY *key, int alg, struct buf *out)
{
	cbor_item_t *m = cbor_new_definite_map(5);
	if (EVP_PKEY_is_a(key, "EC")) {
		uint8_t pt[65];
		size_t n;
		assert_int_equal(EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_PUB_KEY, pt, sizeof pt, &n), 1);
		map_put(m, cbor_int(1), cbor_int(2));
		map_put(m, cbor_int(3), cbor_int(alg));
		map_put(m, cbor_int(-1), cbor_int(1));
		map_put(m, cbor_int(-2), cbor_build_bytestring(pt + 1, 32));
		map_put(m, cbor_int(-3), cbor_build_bytestring(pt + 33, 32));
	} else if (EVP_PKEY_is_a(key, "ED25519")) {
		uint8_t x[32];
		size_t n = sizeof x;
		assert_int_equal(EVP_PKEY_get_raw_public_key(key, x, &n), 1);
		map_put(m, cbor_int(1), cbor_int(1));
		map_put(m, cbor_int(3), cbor_int(alg));
		map_put(m, cbor_int(-1), cbor_int(6));
		map_put(m, cbor_int(-2), cbor_build_bytestring(x, 32));
	} else {
		map_put(m, cbor_int(1), cbor_int(3));
		map_put(m, cbor_int(3), cbor_int(alg));
		map_put(m, cbor_int(-1), bn_bytes(key, "n"));
		map_put(m, cbor_int(-2), bn_bytes(key, "e"));
	}
	unsigned char *b = NULL;
	size_t size = 0;
	out->n = cbor_serialize_alloc(m, &b, &size);
	assert_true(out->n > 0 && out->n <= sizeof out->b);
	memcpy(out->b, b, out->n);
	free(b);
	cbor_decref(&m);
}

static void sign(EVP_PKEY *key, const uint8_t *msg, size_t n, struct buf *sig)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	const EVP_MD *md = EVP_PKEY_is_a(key, "ED25519") ? NULL : EVP_sha256();
	sig->n = sizeof sig->b;
	assert_int_equal(EVP_DigestSignInit(ctx, NULL, md, NULL, key), 1);
	assert_int_equal(EVP_DigestSign(ctx, sig->b, &sig->n, msg, n), 1);
	EVP_MD_CTX_free(ctx);
}

/* authenticator data || SHA-256(client data), signed */
static void sign_ceremony(EVP_PKEY *key, const struct buf *auth, const struct buf *cd, struct buf *sig)
{
	struct buf msg = {0};
	put(&msg, auth->b, auth->n);
	uint8_t h[32];
	crypto_hash_sha256(h, cd->b, cd->n);
	put(&msg, h, 32);
	sign(key, msg.b, msg.n, sig);
}

static void auth_data(const char *rp_id, uint8_t flags, uint32_t count, const uint8_t *cred_id, size_t id_len,
		      const struct buf *cose, struct buf *out)
{
	memset(out, 0, sizeof *out);
	uint8_t h[32];
	crypto_hash_sha256(h, (const uint8_t *)rp_id, strlen(rp_id));
	put(out, h, 32);
	put(out, &flags, 1);
	uint8_t c[4] = {(uint8_t)(count >> 24), (uint8_t)(count >> 16), (uint8_t)(count >> 8), (uint8_t)count};
	put(out, c, 4);
	if (cose) {
		put(out, aaguid, 16);
		uint8_t l[2] = {(uint8_t)(id_len >> 8), (uint8_t)id_len};
		put(out, l, 2);
		put(out, cred_id, id_len);
		put(out, cose->b, cose->n);
	}
}

/* client data as a browser writes it; extra: more members, "" for none */
static void client_data(const char *type, const uint8_t *ch, size_t ch_len, const char *origin, const char *extra,
			struct buf *out)
{
	char b64[128];
	sodium_bin2base64(b64, sizeof b64, ch, ch_len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	int n = snprintf((char *)out->b, sizeof out->b, "{\"type\":\"%s\",\"challenge\":\"%s\",\"origin\":\"%s\"%s}", type,
			 b64, origin, extra);
	out->n = (size_t)n;
}

static void attestation_object(const char *fmt, cbor_item_t *stmt, const struct buf *auth, struct buf *out)
{
	cbor_item_t *m = cbor_new_definite_map(3);
	map_put(m, cbor_build_string("fmt"), cbor_build_string(fmt));
	map_put(m, cbor_build_string("attStmt"), stmt);
	map_put(m, cbor_build_string("authData"), cbor_build_bytestring(auth->b, auth->n));
	unsigned char *b = NULL;
	size_t size = 0;
	out->n = cbor_serialize_alloc(m, &b, &size);
	memcpy(out->b, b, out->n);
	free(b);
	cbor_decref(&m);
}

/* ---- a ceremony, with what each test changes ---- */

struct ceremony {
	EVP_PKEY *key;
	int alg;
	uint8_t id[32];
	struct buf cose, auth, cd, att, sig;
	uint8_t flags;
};

static void ceremony_free(struct ceremony *c)
{
	EVP_PKEY_free(c->key);
}

/* A registration by a new key of alg, with attestation "none". */
static void registration(struct ceremony *c, int alg, uint8_t flags)
{
	memset(c, 0, sizeof *c);
	c->alg = alg;
	c->key = new_key(alg);
	assert_non_null(c->key);
	randombytes_buf(c->id, sizeof c->id);
	cose_of(c->key, alg, &c->cose);
	c->flags = flags;
	auth_data(RP_ID, flags | WEBAUTHN_FLAG_AT, 0, c->id, sizeof c->id, &c->cose, &c->auth);
	client_data("webauthn.create", challenge, sizeof challenge, ORIGIN, "", &c->cd);
	attestation_object("none", cbor_new_definite_map(0), &c->auth, &c->att);
}

static enum webauthn_reason do_register(const struct webauthn_policy *p, const struct ceremony *c,
					struct webauthn_credential *out)
{
	struct webauthn_registration in = {c->cd.b, c->cd.n, c->att.b, c->att.n, c->id, sizeof c->id};
	return webauthn_register(p, challenge, sizeof challenge, &in, NOW_S, out);
}

static const uint8_t UPUV = WEBAUTHN_FLAG_UP | WEBAUTHN_FLAG_UV;

static void test_a_registration_with_each_algorithm_gives_the_credential(void **state)
{
	(void)state;
	const int algs[] = {COSE_ALG_ES256, COSE_ALG_EDDSA, COSE_ALG_RS256};
	for (size_t i = 0; i < 3; i++) {
		struct ceremony c;
		registration(&c, algs[i], UPUV | WEBAUTHN_FLAG_BE | WEBAUTHN_FLAG_BS);
		struct webauthn_policy p = policy();
		struct webauthn_credential cred;
		assert_int_equal(do_register(&p, &c, &cred), WEBAUTHN_OK);
		assert_int_equal(cred.alg, algs[i]);
		assert_memory_equal(cred.id, c.id, sizeof c.id);
		assert_int_equal(cred.id_len, sizeof c.id);
		assert_int_equal(cred.public_key_len, c.cose.n);
		assert_memory_equal(cred.public_key, c.cose.b, c.cose.n);
		assert_memory_equal(cred.aaguid, aaguid, 16);
		assert_true(cred.user_verified && cred.backup_eligible && cred.backed_up);
		assert_string_equal(cred.fmt, "none");
		assert_false(cred.attestation_trusted);
		ceremony_free(&c);
	}
}

static void test_a_registration_fails_at_the_first_check_that_does_not_hold(void **state)
{
	(void)state;
	struct webauthn_policy p = policy();
	struct webauthn_credential cred;
	struct ceremony c;

	registration(&c, COSE_ALG_ES256, UPUV);
	client_data("webauthn.get", challenge, sizeof challenge, ORIGIN, "", &c.cd);
	assert_int_equal(do_register(&p, &c, &cred), WEBAUTHN_TYPE);
	client_data("webauthn.create", challenge, 16, ORIGIN, "", &c.cd);
	assert_int_equal(do_register(&p, &c, &cred), WEBAUTHN_CHALLENGE);
	client_data("webauthn.create", challenge, sizeof challenge, "https://bank.example.evil", "", &c.cd);
	assert_int_equal(do_register(&p, &c, &cred), WEBAUTHN_ORIGIN);
	client_data("webauthn.create", challenge, sizeof challenge, "https://bank.example:443", "", &c.cd);
	assert_int_equal(do_register(&p, &c, &cred), WEBAUTHN_ORIGIN); /* origins compare exactly */
	/* a frame inside another site */
	client_data("webauthn.create", challenge, sizeof challenge, ORIGIN,
		    ",\"crossOrigin\":true,\"topOrigin\":\"https://shop.example\"", &c.cd);
	assert_int_equal(do_register(&p, &c, &cred), WEBAUTHN_ORIGIN);
	client_data("webauthn.create", challenge, sizeof challenge, ORIGIN,
		    ",\"crossOrigin\":true,\"topOrigin\":\"https://pay.bank.example\"", &c.cd);
	assert_int_equal(do_register(&p, &c, &cred), WEBAUTHN_OK);
	client_data("webauthn.create", challenge, sizeof challenge, ORIGIN, "", &c.cd);

	/* the credential id the client reports is the one the authenticator made */
	struct webauthn_registration in = {c.cd.b, c.cd.n, c.att.b, c.att.n, c.id, sizeof c.id - 1};
	assert_int_equal(webauthn_register(&p, challenge, sizeof challenge, &in, NOW_S, &cred), WEBAUTHN_CREDENTIAL);

	auth_data("other.example", UPUV | WEBAUTHN_FLAG_AT, 0, c.id, sizeof c.id, &c.cose, &c.auth);
	attestation_object("none", cbor_new_definite_map(0), &c.auth, &c.att);
	assert_int_equal(do_register(&p, &c, &cred), WEBAUTHN_RP_ID);

	const struct {
		uint8_t flags;
		enum webauthn_reason want;
	} flags[] = {
		{WEBAUTHN_FLAG_UV, WEBAUTHN_USER_PRESENCE},
		{WEBAUTHN_FLAG_UP, WEBAUTHN_USER_VERIFICATION},
		{UPUV | WEBAUTHN_FLAG_BS, WEBAUTHN_MALFORMED}, /* backed up, not eligible */
	};
	for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++) {
		auth_data(RP_ID, flags[i].flags | WEBAUTHN_FLAG_AT, 0, c.id, sizeof c.id, &c.cose, &c.auth);
		attestation_object("none", cbor_new_definite_map(0), &c.auth, &c.att);
		assert_int_equal(do_register(&p, &c, &cred), flags[i].want);
	}
	/* UV preferred: a registration without it is taken, and says so */
	p.uv_required = false;
	auth_data(RP_ID, WEBAUTHN_FLAG_UP | WEBAUTHN_FLAG_AT, 0, c.id, sizeof c.id, &c.cose, &c.auth);
	attestation_object("none", cbor_new_definite_map(0), &c.auth, &c.att);
	assert_int_equal(do_register(&p, &c, &cred), WEBAUTHN_OK);
	assert_false(cred.user_verified);
	ceremony_free(&c);
}

static void test_synced_credentials_and_unlisted_models_are_refused_when_the_policy_says(void **state)
{
	(void)state;
	struct webauthn_policy p = policy();
	struct webauthn_credential cred;
	struct ceremony c;
	registration(&c, COSE_ALG_ES256, UPUV | WEBAUTHN_FLAG_BE);
	p.allow_synced = false;
	assert_int_equal(do_register(&p, &c, &cred), WEBAUTHN_SYNCED_NOT_ALLOWED);
	ceremony_free(&c);

	registration(&c, COSE_ALG_ES256, UPUV);
	assert_int_equal(do_register(&p, &c, &cred), WEBAUTHN_OK); /* device-bound */
	const uint8_t other[1][16] = {{1}};
	p.aaguids = other;
	p.n_aaguids = 1;
	assert_int_equal(do_register(&p, &c, &cred), WEBAUTHN_AAGUID_NOT_ALLOWED);
	const uint8_t listed[2][16] = {{1}, {0xad, 0xce, 0x00, 0x02, 0x35, 0xbc, 0xc6, 0x0a, 0x64, 0x8b, 0x0b, 0x25, 0xf1,
					    0xf0, 0x55, 0x03}};
	p.aaguids = listed;
	p.n_aaguids = 2;
	assert_int_equal(do_register(&p, &c, &cred), WEBAUTHN_OK);
	ceremony_free(&c);
}

static void test_keys_of_other_algorithms_and_broken_bytes_are_refused(void **state)
{
	(void)state;
	struct webauthn_policy p = policy();
	struct webauthn_credential cred;
	struct ceremony c;
	registration(&c, COSE_ALG_ES256, UPUV);
	/* a P-256 key labelled ES384 (-35): an algorithm twofold does not offer */
	cose_of(c.key, -35, &c.cose);
	auth_data(RP_ID, UPUV | WEBAUTHN_FLAG_AT, 0, c.id, sizeof c.id, &c.cose, &c.auth);
	attestation_object("none", cbor_new_definite_map(0), &c.auth, &c.att);
	assert_int_equal(do_register(&p, &c, &cred), WEBAUTHN_ALGORITHM);
	/* an EC point off the curve */
	cose_of(c.key, COSE_ALG_ES256, &c.cose);
	c.cose.b[c.cose.n - 1] ^= 1;
	auth_data(RP_ID, UPUV | WEBAUTHN_FLAG_AT, 0, c.id, sizeof c.id, &c.cose, &c.auth);
	attestation_object("none", cbor_new_definite_map(0), &c.auth, &c.att);
	assert_int_equal(do_register(&p, &c, &cred), WEBAUTHN_MALFORMED);
	/* a byte after the authenticator data, a statement for "none", client data that is not JSON */
	cose_of(c.key, COSE_ALG_ES256, &c.cose);
	auth_data(RP_ID, UPUV | WEBAUTHN_FLAG_AT, 0, c.id, sizeof c.id, &c.cose, &c.auth);
	put(&c.auth, "x", 1);
	attestation_object("none", cbor_new_definite_map(0), &c.auth, &c.att);
	assert_int_equal(do_register(&p, &c, &cred), WEBAUTHN_MALFORMED);
	c.auth.n--;
	cbor_item_t *stmt = cbor_new_definite_map(1);
	map_put(stmt, cbor_build_string("sig"), cbor_build_bytestring((const uint8_t *)"x", 1));
	attestation_object("none", stmt, &c.auth, &c.att);
	assert_int_equal(do_register(&p, &c, &cred), WEBAUTHN_MALFORMED);
	attestation_object("none", cbor_new_definite_map(0), &c.auth, &c.att);
	assert_int_equal(do_register(&p, &c, &cred), WEBAUTHN_OK);
	memcpy(c.cd.b, "[1]", 4);
	c.cd.n = 3;
	assert_int_equal(do_register(&p, &c, &cred), WEBAUTHN_MALFORMED);
	client_data("webauthn.create", challenge, sizeof challenge, ORIGIN, ",\"origin\":\"" ORIGIN "\"", &c.cd);
	assert_int_equal(do_register(&p, &c, &cred), WEBAUTHN_MALFORMED); /* a member twice */
	ceremony_free(&c);
}

/* ---- attestation statements ---- */

static X509 *make_cert(EVP_PKEY *subject_key, const char *ou, EVP_PKEY *issuer_key, X509 *issuer, bool ca,
		       const uint8_t *ext_aaguid, long days)
{
	X509 *x = X509_new();
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), (long)randombytes_uniform(1000000) + 1);
	X509_time_adj_ex(X509_getm_notBefore(x), -1, 0, &(time_t){NOW_S});
	X509_time_adj_ex(X509_getm_notAfter(x), (int)days, 0, &(time_t){NOW_S});
	X509_set_pubkey(x, subject_key);
	X509_NAME *name = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(name, "C", MBSTRING_ASC, (const unsigned char *)"DE", -1, -1, 0);
	X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, (const unsigned char *)"Authenticator Maker", -1, -1, 0);
	if (ou)
		X509_NAME_add_entry_by_txt(name, "OU", MBSTRING_ASC, (const unsigned char *)ou, -1, -1, 0);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)(ca ? "Maker Root" : "Maker Key"), -1,
				   -1, 0);
	X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name);
	X509V3_CTX v3;
	X509V3_set_ctx(&v3, issuer ? issuer : x, x, NULL, NULL, 0);
	X509_EXTENSION *bc = X509V3_EXT_conf_nid(NULL, &v3, NID_basic_constraints, ca ? "critical,CA:TRUE" : "CA:FALSE");
	X509_add_ext(x, bc, -1);
	X509_EXTENSION_free(bc);
	if (ext_aaguid) {
		uint8_t der[18] = {0x04, 16};
		memcpy(der + 2, ext_aaguid, 16);
		ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
		ASN1_OCTET_STRING_set(os, der, sizeof der);
		ASN1_OBJECT *oid = OBJ_txt2obj("1.3.6.1.4.1.45724.1.1.4", 1);
		X509_EXTENSION *e = X509_EXTENSION_create_by_OBJ(NULL, oid, 0, os);
		X509_add_ext(x, e, -1);
		X509_EXTENSION_free(e);
		ASN1_OBJECT_free(oid);
		ASN1_OCTET_STRING_free(os);
	}
	assert_true(X509_sign(x, issuer_key, EVP_sha256()) > 0);
	return x;
}

static cbor_item_t *der_of(X509 *x)
{
	unsigned char *der = NULL;
	int n = i2d_X509(x, &der);
	cbor_item_t *b = cbor_build_bytestring(der, (size_t)n);
	OPENSSL_free(der);
	return b;
}

static char *pem_of(X509 *x)
{
	BIO *bio = BIO_new(BIO_s_mem());
	PEM_write_bio_X509(bio, x);
	char *p;
	long n = BIO_get_mem_data(bio, &p);
	char *out = strndup(p, (size_t)n);
	BIO_free(bio);
	return out;
}

struct maker {
	EVP_PKEY *root_key, *att_key;
	X509 *root;
	char *root_pem;
};

static void maker_new(struct maker *m)
{
	m->root_key = EVP_EC_gen("P-256");
	m->att_key = EVP_EC_gen("P-256");
	m->root = make_cert(m->root_key, NULL, m->root_key, NULL, true, NULL, 3650);
	m->root_pem = pem_of(m->root);
}

static void maker_free(struct maker *m)
{
	EVP_PKEY_free(m->root_key);
	EVP_PKEY_free(m->att_key);
	X509_free(m->root);
	free(m->root_pem);
}

/* A packed statement signed by the maker's attestation key, its certificate made with ou and
 * ext_aaguid, valid for days. */
static void packed_x5c(struct ceremony *c, const struct maker *m, const char *ou, const uint8_t *ext_aaguid, long days)
{
	X509 *leaf = make_cert(m->att_key, ou, m->root_key, m->root, false, ext_aaguid, days);
	struct buf sig;
	sign_ceremony(m->att_key, &c->auth, &c->cd, &sig);
	cbor_item_t *stmt = cbor_new_definite_map(3), *x5c = cbor_new_definite_array(1);
	map_put(stmt, cbor_build_string("alg"), cbor_int(COSE_ALG_ES256));
	map_put(stmt, cbor_build_string("sig"), cbor_build_bytestring(sig.b, sig.n));
	assert_true(cbor_array_push(x5c, cbor_move(der_of(leaf))));
	map_put(stmt, cbor_build_string("x5c"), x5c);
	attestation_object("packed", stmt, &c->auth, &c->att);
	X509_free(leaf);
}

static void test_packed_attestation_is_verified_and_chained_to_the_applications_roots(void **state)
{
	(void)state;
	struct maker m, other;
	maker_new(&m);
	maker_new(&other);
	struct ceremony c;
	registration(&c, COSE_ALG_ES256, UPUV);
	struct webauthn_policy p = policy();
	p.attestation_direct = true;
	p.roots_pem = m.root_pem;
	struct webauthn_credential cred;

	packed_x5c(&c, &m, "Authenticator Attestation", aaguid, 365);
	assert_int_equal(do_register(&p, &c, &cred), WEBAUTHN_OK);
	assert_string_equal(cred.fmt, "packed");
	assert_true(cred.attestation_trusted);

	p.roots_pem = other.root_pem; /* another maker's root */
	assert_int_equal(do_register(&p, &c, &cred), WEBAUTHN_ATTESTATION);
	p.roots_pem = m.root_pem;
	packed_x5c(&c, &m, "Authenticator Attestation", aaguid, -1); /* expired before now */
	assert_int_equal(do_register(&p, &c, &cred), WEBAUTHN_ATTESTATION);
	packed_x5c(&c, &m, "Engineering", aaguid, 365); /* not an attestation certificate */
	assert_int_equal(do_register(&p, &c, &cred), WEBAUTHN_ATTESTATION);
	const uint8_t wrong[16] = {9};
	packed_x5c(&c, &m, "Authenticator Attestation", wrong, 365); /* names another model */
	assert_int_equal(do_register(&p, &c, &cred), WEBAUTHN_ATTESTATION);
	packed_x5c(&c, &m, "Authenticator Attestation", NULL, 365); /* the extension is optional */
	assert_int_equal(do_register(&p, &c, &cred), WEBAUTHN_OK);
	/* a statement over other client data */
	struct buf cd = c.cd;
	client_data("webauthn.create", challenge, sizeof challenge, "https://pay.bank.example", "", &c.cd);
	packed_x5c(&c, &m, "Authenticator Attestation", aaguid, 365);
	c.cd = cd;
	assert_int_equal(do_register(&p, &c, &cred), WEBAUTHN_ATTESTATION);

	/* "none" satisfies only a policy of none */
	attestation_object("none", cbor_new_definite_map(0), &c.auth, &c.att);
	assert_int_equal(do_register(&p, &c, &cred), WEBAUTHN_ATTESTATION);
	p.attestation_direct = false;
	p.roots_pem = NULL;
	assert_int_equal(do_register(&p, &c, &cred), WEBAUTHN_OK);

	/* self attestation: signed by the credential's own key */
	struct buf sig;
	sign_ceremony(c.key, &c.auth, &c.cd, &sig);
	cbor_item_t *stmt = cbor_new_definite_map(2);
	map_put(stmt, cbor_build_string("alg"), cbor_int(COSE_ALG_ES256));
	map_put(stmt, cbor_build_string("sig"), cbor_build_bytestring(sig.b, sig.n));
	attestation_object("packed", stmt, &c.auth, &c.att);
	assert_int_equal(do_register(&p, &c, &cred), WEBAUTHN_OK);
	assert_false(cred.attestation_trusted);
	p.attestation_direct = true; /* proves nothing about the model */
	assert_int_equal(do_register(&p, &c, &cred), WEBAUTHN_ATTESTATION);
	ceremony_free(&c);
	maker_free(&m);
	maker_free(&other);
}

static void test_a_fido_u2f_statement_is_verified(void **state)
{
	(void)state;
	struct maker m;
	maker_new(&m);
	struct ceremony c;
	registration(&c, COSE_ALG_ES256, WEBAUTHN_FLAG_UP);
	memset(c.auth.b + 37, 0, 16); /* U2F keys have no AAGUID */
	struct webauthn_policy p = policy();
	p.uv_required = false;
	p.attestation_direct = true;
	p.roots_pem = m.root_pem;
	/* 0x00 || rpIdHash || SHA-256(client data) || credential id || point */
	struct buf msg = {0};
	uint8_t zero = 0, h[32], pt[65];
	size_t n;
	put(&msg, &zero, 1);
	put(&msg, c.auth.b, 32);
	crypto_hash_sha256(h, c.cd.b, c.cd.n);
	put(&msg, h, 32);
	put(&msg, c.id, sizeof c.id);
	EVP_PKEY_get_octet_string_param(c.key, OSSL_PKEY_PARAM_PUB_KEY, pt, sizeof pt, &n);
	put(&msg, pt, 65);
	X509 *leaf = make_cert(m.att_key, "Authenticator Attestation", m.root_key, m.root, false, NULL, 365);
	for (int broken = 0; broken < 2; broken++) {
		struct buf sig;
		sign(m.att_key, msg.b, msg.n, &sig);
		sig.b[sig.n - 1] ^= (uint8_t)broken;
		cbor_item_t *stmt = cbor_new_definite_map(2), *x5c = cbor_new_definite_array(1);
		map_put(stmt, cbor_build_string("sig"), cbor_build_bytestring(sig.b, sig.n));
		assert_true(cbor_array_push(x5c, cbor_move(der_of(leaf))));
		map_put(stmt, cbor_build_string("x5c"), x5c);
		attestation_object("fido-u2f", stmt, &c.auth, &c.att);
		struct webauthn_credential cred;
		assert_int_equal(do_register(&p, &c, &cred), broken ? WEBAUTHN_ATTESTATION : WEBAUTHN_OK);
		if (!broken)
			assert_true(cred.attestation_trusted);
	}
	X509_free(leaf);
	ceremony_free(&c);
	maker_free(&m);
}

/* ---- assertions ---- */

struct signer {
	struct ceremony c;
	struct webauthn_stored stored;
};

static void signer_new(struct signer *s, int alg)
{
	registration(&s->c, alg, UPUV);
	s->stored = (struct webauthn_stored){s->c.id, sizeof s->c.id, s->c.cose.b, s->c.cose.n, 7};
}

/* An assertion of type at count with flags, over the challenge ch; extra: more client data. */
static enum webauthn_reason assert_as(struct signer *s, const struct webauthn_policy *p, const char *type,
				      const uint8_t *ch, uint8_t flags, uint32_t count, const char *extra,
				      const struct spc_expected *spc, struct webauthn_verified *out)
{
	struct ceremony *c = &s->c;
	auth_data(RP_ID, flags, count, NULL, 0, NULL, &c->auth);
	client_data(type, ch, sizeof challenge, ORIGIN, extra, &c->cd);
	sign_ceremony(c->key, &c->auth, &c->cd, &c->sig);
	struct webauthn_assertion in = {c->cd.b, c->cd.n, c->auth.b, c->auth.n, c->sig.b, c->sig.n, c->id, sizeof c->id};
	return webauthn_assert(p, challenge, sizeof challenge, spc, &s->stored, &in, out);
}

static void test_an_assertion_by_each_algorithm_verifies_and_moves_the_counter(void **state)
{
	(void)state;
	const int algs[] = {COSE_ALG_ES256, COSE_ALG_EDDSA, COSE_ALG_RS256};
	struct webauthn_policy p = policy();
	for (size_t i = 0; i < 3; i++) {
		struct signer s;
		signer_new(&s, algs[i]);
		struct webauthn_verified v;
		assert_int_equal(assert_as(&s, &p, "webauthn.get", challenge, UPUV, 8, "", NULL, &v), WEBAUTHN_OK);
		assert_int_equal(v.sign_count, 8);
		assert_true(v.user_verified);
		assert_false(v.spc);
		/* the same signature over other bytes */
		s.c.auth.b[36] ^= 1;
		struct webauthn_assertion in = {s.c.cd.b, s.c.cd.n, s.c.auth.b, s.c.auth.n, s.c.sig.b, s.c.sig.n, s.c.id, 32};
		assert_int_equal(webauthn_assert(&p, challenge, sizeof challenge, NULL, &s.stored, &in, &v), WEBAUTHN_SIGNATURE);
		ceremony_free(&s.c);
	}
}

static void test_an_assertion_fails_at_the_first_check_that_does_not_hold(void **state)
{
	(void)state;
	struct webauthn_policy p = policy();
	struct signer s;
	struct webauthn_verified v;
	signer_new(&s, COSE_ALG_ES256);
	const uint8_t other[32] = {0};
	assert_int_equal(assert_as(&s, &p, "webauthn.create", challenge, UPUV, 8, "", NULL, &v), WEBAUTHN_TYPE);
	assert_int_equal(assert_as(&s, &p, "payment.get", challenge, UPUV, 8, "", NULL, &v), WEBAUTHN_TYPE);
	assert_int_equal(assert_as(&s, &p, "webauthn.get", other, UPUV, 8, "", NULL, &v), WEBAUTHN_CHALLENGE);
	assert_int_equal(assert_as(&s, &p, "webauthn.get", challenge, WEBAUTHN_FLAG_UV, 8, "", NULL, &v),
			 WEBAUTHN_USER_PRESENCE);
	assert_int_equal(assert_as(&s, &p, "webauthn.get", challenge, WEBAUTHN_FLAG_UP, 8, "", NULL, &v),
			 WEBAUTHN_USER_VERIFICATION);
	p.allow_synced = false;
	assert_int_equal(assert_as(&s, &p, "webauthn.get", challenge, UPUV | WEBAUTHN_FLAG_BE, 8, "", NULL, &v),
			 WEBAUTHN_SYNCED_NOT_ALLOWED);
	p.allow_synced = true;
	/* a counter that does not grow: a clone; two authenticators without counters are fine */
	assert_int_equal(assert_as(&s, &p, "webauthn.get", challenge, UPUV, 7, "", NULL, &v), WEBAUTHN_COUNTER);
	assert_int_equal(assert_as(&s, &p, "webauthn.get", challenge, UPUV, 0, "", NULL, &v), WEBAUTHN_COUNTER);
	s.stored.sign_count = 0;
	assert_int_equal(assert_as(&s, &p, "webauthn.get", challenge, UPUV, 0, "", NULL, &v), WEBAUTHN_OK);
	/* another credential's answer */
	struct webauthn_assertion in = {s.c.cd.b, s.c.cd.n, s.c.auth.b, s.c.auth.n, s.c.sig.b, s.c.sig.n, other, 32};
	assert_int_equal(webauthn_assert(&p, challenge, sizeof challenge, NULL, &s.stored, &in, &v), WEBAUTHN_CREDENTIAL);
	/* an RP id from another site */
	p.rp_id = "bank.example.evil";
	assert_int_equal(assert_as(&s, &p, "webauthn.get", challenge, UPUV, 9, "", NULL, &v), WEBAUTHN_RP_ID);
	ceremony_free(&s.c);
}

#define ICON "data:image/png;base64,iVBORw0KGgo="
#define PAYMENT(rp, top, payee, value)                                                                    \
	",\"payment\":{\"rpId\":\"" rp "\",\"topOrigin\":\"" top "\",\"payeeName\":\"" payee "\","         \
	"\"total\":{\"currency\":\"EUR\",\"value\":\"" value "\"},\"instrument\":{\"displayName\":\"Bank " \
	"account\",\"icon\":\"" ICON "\"}}"

static void test_an_spc_assertion_holds_only_for_the_payment_shown(void **state)
{
	(void)state;
	struct webauthn_policy p = policy();
	struct signer s;
	struct webauthn_verified v;
	signer_new(&s, COSE_ALG_ES256);
	const struct spc_expected spc = {.payee_name = "Acme Ltd", .currency = "EUR", .value = "49.99",
					 .instrument_name = "Bank account", .instrument_icon = ICON};
	assert_int_equal(assert_as(&s, &p, "payment.get", challenge, UPUV, 8, PAYMENT(RP_ID, ORIGIN, "Acme Ltd", "49.99"),
				   &spc, &v),
			 WEBAUTHN_OK);
	assert_true(v.spc);
	/* a plain assertion of the same challenge is good too */
	assert_int_equal(assert_as(&s, &p, "webauthn.get", challenge, UPUV, 9, "", &spc, &v), WEBAUTHN_OK);
	assert_false(v.spc);
	assert_int_equal(assert_as(&s, &p, "payment.get", challenge, UPUV, 10, PAYMENT(RP_ID, ORIGIN, "Acme Ltd", "4999"),
				   &spc, &v),
			 WEBAUTHN_PAYMENT);
	assert_int_equal(assert_as(&s, &p, "payment.get", challenge, UPUV, 10,
				   PAYMENT(RP_ID, ORIGIN, "Acme Ltd\\u200b", "49.99"), &spc, &v),
			 WEBAUTHN_PAYMENT);
	assert_int_equal(assert_as(&s, &p, "payment.get", challenge, UPUV, 10,
				   PAYMENT("other.example", ORIGIN, "Acme Ltd", "49.99"), &spc, &v),
			 WEBAUTHN_PAYMENT);
	assert_int_equal(assert_as(&s, &p, "payment.get", challenge, UPUV, 10,
				   PAYMENT(RP_ID, "https://shop.example", "Acme Ltd", "49.99"), &spc, &v),
			 WEBAUTHN_PAYMENT);
	assert_int_equal(assert_as(&s, &p, "payment.get", challenge, UPUV, 10, "", &spc, &v), WEBAUTHN_PAYMENT);
	ceremony_free(&s.c);
}

static void test_authenticator_data_is_read_to_its_last_byte(void **state)
{
	(void)state;
	struct webauthn_auth_data ad;
	uint8_t b[64] = {0};
	assert_false(webauthn_auth_data_parse(b, 36, &ad));
	assert_true(webauthn_auth_data_parse(b, 37, &ad));
	webauthn_auth_data_clear(&ad);
	assert_false(webauthn_auth_data_parse(b, 38, &ad));
	b[32] = WEBAUTHN_FLAG_ED; /* extensions: one empty map */
	b[37] = 0xa0;
	assert_true(webauthn_auth_data_parse(b, 38, &ad));
	webauthn_auth_data_clear(&ad);
	b[32] = WEBAUTHN_FLAG_AT; /* attested data cut short */
	assert_false(webauthn_auth_data_parse(b, 60, &ad));
	for (size_t n = 0; n <= sizeof b; n++) /* never past the end */
		if (webauthn_auth_data_parse(b, n, &ad))
			webauthn_auth_data_clear(&ad);
}

static void test_rp_ids_and_origins_are_names_a_browser_would_use(void **state)
{
	(void)state;
	const char *good_ids[] = {"bank.example", "localhost", "a-b.c0.example", "xn--bcher-kva.example"};
	const char *bad_ids[] = {"", "Bank.example", "bank..example", ".bank.example", "bank.example.", "-a.example",
				 "a-.example", "192.168.0.1", "bank_example.com", "bank.example:443"};
	for (size_t i = 0; i < sizeof good_ids / sizeof *good_ids; i++)
		assert_true(webauthn_rp_id_valid(good_ids[i]));
	for (size_t i = 0; i < sizeof bad_ids / sizeof *bad_ids; i++)
		assert_false(webauthn_rp_id_valid(bad_ids[i]));
	const char *good[] = {"https://bank.example", "https://pay.bank.example:8443", "http://localhost",
			      "http://localhost:8420"};
	const char *bad[] = {"http://bank.example", "https://bank.example/", "https://bank.example:443",
			     "https://bank.example:0", "https://bank.example:70000", "https://bank.example/path",
			     "http://localhost.evil.example", "https://", "ftp://bank.example", "https://BANK.example"};
	for (size_t i = 0; i < sizeof good / sizeof *good; i++)
		assert_true(webauthn_origin_valid(good[i]));
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		assert_false(webauthn_origin_valid(bad[i]));
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_registration_with_each_algorithm_gives_the_credential),
		cmocka_unit_test(test_a_registration_fails_at_the_first_check_that_does_not_hold),
		cmocka_unit_test(test_synced_credentials_and_unlisted_models_are_refused_when_the_policy_says),
		cmocka_unit_test(test_keys_of_other_algorithms_and_broken_bytes_are_refused),
		cmocka_unit_test(test_packed_attestation_is_verified_and_chained_to_the_applications_roots),
		cmocka_unit_test(test_a_fido_u2f_statement_is_verified),
		cmocka_unit_test(test_an_assertion_by_each_algorithm_verifies_and_moves_the_counter),
		cmocka_unit_test(test_an_assertion_fails_at_the_first_check_that_does_not_hold),
		cmocka_unit_test(test_an_spc_assertion_holds_only_for_the_payment_shown),
		cmocka_unit_test(test_authenticator_data_is_read_to_its_last_byte),
		cmocka_unit_test(test_rp_ids_and_origins_are_names_a_browser_would_use),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
