/* x509_chain.c: see x509_chain.h. */
#include "webauthn/x509_chain.h"

#include <string.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "webauthn/cose_key_pkey.h"

#define FIDO_AAGUID_OID "1.3.6.1.4.1.45724.1.1.4"

static X509 *cert_at(const struct x5c *chain, size_t i)
{
	if (i >= chain->n || chain->len[i] == 0 || chain->len[i] > 16384)
		return NULL;
	const unsigned char *p = chain->der[i];
	X509 *x = d2i_X509(NULL, &p, (long)chain->len[i]);
	if (x && p != chain->der[i] + chain->len[i]) { /* trailing bytes */
		X509_free(x);
		return NULL;
	}
	return x;
}

/* Whether pkey is of the kind alg signs with. */
static bool key_fits(EVP_PKEY *pkey, int alg)
{
	switch (alg) {
	case COSE_ALG_ES256: {
		char group[32];
		size_t n;
		return EVP_PKEY_is_a(pkey, "EC") &&
		       EVP_PKEY_get_utf8_string_param(pkey, "group", group, sizeof group, &n) == 1 &&
		       (!strcmp(group, "prime256v1") || !strcmp(group, "P-256"));
	}
	case COSE_ALG_EDDSA:
		return EVP_PKEY_is_a(pkey, "ED25519");
	case COSE_ALG_RS256:
		return EVP_PKEY_is_a(pkey, "RSA") && EVP_PKEY_get_bits(pkey) >= 2048;
	default:
		return false;
	}
}

bool x5c_leaf_key(const struct x5c *chain, int alg, struct cose_key **out)
{
	*out = NULL;
	X509 *leaf = cert_at(chain, 0);
	if (!leaf)
		return false;
	EVP_PKEY *pkey = X509_get_pubkey(leaf);
	X509_free(leaf);
	if (!pkey || !key_fits(pkey, alg) || !(*out = cose_key_wrap(pkey, alg))) {
		EVP_PKEY_free(pkey);
		return false;
	}
	return true;
}

bool x5c_u2f_key(const struct x5c *chain, struct cose_key **out)
{
	return chain->n == 1 && x5c_leaf_key(chain, COSE_ALG_ES256, out);
}

static bool has_subject_entry(X509_NAME *name, int nid, const char *want)
{
	int i = X509_NAME_get_index_by_NID(name, nid, -1);
	if (i < 0)
		return false;
	if (!want)
		return true;
	ASN1_STRING *v = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i));
	return v && (size_t)ASN1_STRING_length(v) == strlen(want) && !memcmp(ASN1_STRING_get0_data(v), want, strlen(want));
}

/* The id-fido-gen-ce-aaguid extension's check: absent, or not critical and an OCTET STRING
 * holding aaguid. */
static bool aaguid_extension_ok(X509 *x, const uint8_t aaguid[16])
{
	ASN1_OBJECT *oid = OBJ_txt2obj(FIDO_AAGUID_OID, 1);
	if (!oid)
		return false;
	int i = X509_get_ext_by_OBJ(x, oid, -1);
	ASN1_OBJECT_free(oid);
	if (i < 0)
		return true;
	X509_EXTENSION *ext = X509_get_ext(x, i);
	if (X509_EXTENSION_get_critical(ext))
		return false;
	ASN1_OCTET_STRING *outer = X509_EXTENSION_get_data(ext);
	const unsigned char *p = ASN1_STRING_get0_data(outer);
	ASN1_OCTET_STRING *inner = d2i_ASN1_OCTET_STRING(NULL, &p, ASN1_STRING_length(outer));
	bool ok = inner && ASN1_STRING_length(inner) == 16 && !memcmp(ASN1_STRING_get0_data(inner), aaguid, 16);
	ASN1_OCTET_STRING_free(inner);
	return ok;
}

bool x5c_packed_requirements(const struct x5c *chain, const uint8_t aaguid[16])
{
	X509 *x = cert_at(chain, 0);
	if (!x)
		return false;
	X509_NAME *subject = X509_get_subject_name(x);
	/* X509_get_extension_flags computes EXFLAG_CA from basicConstraints */
	bool ok = X509_get_version(x) == 2 && has_subject_entry(subject, NID_countryName, NULL) &&
		  has_subject_entry(subject, NID_organizationName, NULL) &&
		  has_subject_entry(subject, NID_organizationalUnitName, "Authenticator Attestation") &&
		  has_subject_entry(subject, NID_commonName, NULL) && !(X509_get_extension_flags(x) & EXFLAG_CA) &&
		  aaguid_extension_ok(x, aaguid);
	X509_free(x);
	return ok;
}

static STACK_OF(X509) *roots_of(const char *pem)
{
	STACK_OF(X509) *roots = sk_X509_new_null();
	BIO *bio = pem ? BIO_new_mem_buf(pem, -1) : NULL;
	if (!roots || !bio) {
		BIO_free(bio);
		sk_X509_free(roots);
		return NULL;
	}
	X509 *x;
	while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)))
		if (!sk_X509_push(roots, x))
			X509_free(x);
	BIO_free(bio);
	return roots;
}

bool x509_pem_roots_valid(const char *pem, size_t *count)
{
	*count = 0;
	STACK_OF(X509) *roots = roots_of(pem);
	if (!roots)
		return false;
	*count = (size_t)sk_X509_num(roots);
	sk_X509_pop_free(roots, X509_free);
	/* every "-----BEGIN" must have been a certificate that parsed */
	size_t begins = 0;
	for (const char *p = pem; (p = strstr(p, "-----BEGIN ")); p++)
		begins++;
	return *count > 0 && begins == *count;
}

bool x5c_chain_trusted(const struct x5c *chain, const char *roots_pem, int64_t now_s)
{
	bool ok = false;
	X509 *leaf = cert_at(chain, 0);
	STACK_OF(X509) *roots = roots_of(roots_pem), *untrusted = sk_X509_new_null();
	X509_STORE *store = X509_STORE_new();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	if (!leaf || !roots || sk_X509_num(roots) == 0 || !untrusted || !store || !ctx)
		goto done;
	for (int i = 0; i < sk_X509_num(roots); i++)
		if (X509_STORE_add_cert(store, sk_X509_value(roots, i)) != 1)
			goto done;
	for (size_t i = 1; i < chain->n; i++) {
		X509 *x = cert_at(chain, i);
		if (!x || !sk_X509_push(untrusted, x)) {
			X509_free(x);
			goto done;
		}
	}
	if (X509_STORE_CTX_init(ctx, store, leaf, untrusted) != 1)
		goto done;
	X509_VERIFY_PARAM *param = X509_STORE_CTX_get0_param(ctx);
	X509_VERIFY_PARAM_set_time(param, (time_t)now_s);
	/* attestation roots are often intermediates a vendor publishes: trust what the application uploaded */
	X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_PARTIAL_CHAIN);
	ok = X509_verify_cert(ctx) == 1;
done:
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
	sk_X509_pop_free(untrusted, X509_free);
	sk_X509_pop_free(roots, X509_free);
	X509_free(leaf);
	return ok;
}
