/*
 * cose_key.h: WebAuthn credential public keys. A credential's key arrives as a COSE_Key (RFC
 * 9052 section 7, RFC 9053), a CBOR map read here with libcbor into a libcrypto key that checks
 * signatures. The algorithms twofold accepts, as its creation options list them:
 *   ES256 (-7): EC2, curve P-256, ECDSA with SHA-256, the signature DER-encoded;
 *   EdDSA (-8): OKP, curve Ed25519, the 64-byte signature over the message itself;
 *   RS256 (-257): RSA of 2048 to 8192 bits, RSASSA-PKCS1-v1_5 with SHA-256.
 * The same check serves attestation certificates (webauthn/x509_chain.h), whose keys come from
 * X.509 instead of COSE. The key type is opaque, so callers need none of OpenSSL's headers.
 */
#ifndef TF_WEBAUTHN_COSE_KEY_H
#define TF_WEBAUTHN_COSE_KEY_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum cose_alg { COSE_ALG_ES256 = -7, COSE_ALG_EDDSA = -8, COSE_ALG_RS256 = -257 };

/* The largest COSE_Key twofold stores: an RSA-8192 key's modulus and exponent with their labels. */
#define COSE_KEY_MAX 1100

struct cose_key;

enum cose_parse_result {
	COSE_KEY_OK,
	COSE_KEY_MALFORMED,   /* not one definite CBOR map of the shape RFC 9053 gives its key type */
	COSE_KEY_UNSUPPORTED, /* a well-formed key of an algorithm or curve twofold does not accept */
};

/* Reads the COSE_Key at the start of cbor (len bytes; what follows it is not read) into *out,
 * and its length in bytes into *used. EC2 points are checked to lie on the curve. */
enum cose_parse_result cose_key_parse(const uint8_t *cbor, size_t len, struct cose_key **out, size_t *used);
/* NULL is ignored. */
void cose_key_free(struct cose_key *k);
/* The key's algorithm (enum cose_alg). */
int cose_key_alg(const struct cose_key *k);
/* An EC2 P-256 key's point, uncompressed (0x04 || x || y): what a FIDO U2F attestation signs.
 * False for other keys. */
bool cose_key_p256_point(const struct cose_key *k, uint8_t out[65]);

/* Whether sig is k's valid signature of msg under k's algorithm. */
bool cose_key_verify(const struct cose_key *k, const uint8_t *msg, size_t msg_len, const uint8_t *sig, size_t sig_len);

/* The name of an algorithm for people and records: "ES256", "EdDSA", "RS256", or NULL. */
const char *cose_alg_name(int alg);

#endif
