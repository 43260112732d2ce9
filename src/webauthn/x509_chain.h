/*
 * x509_chain.h: the certificates of a WebAuthn attestation statement (x5c: DER certificates,
 * the attestation certificate first). The attestation certificate's key checks the statement's
 * signature (webauthn/cose_key.h); its fields must meet WebAuthn Level 3 section 8.2.1 for the
 * packed format; the chain is checked against the roots an application trusts (PEM), at a
 * time given by the caller.
 */
#ifndef TF_WEBAUTHN_X509_CHAIN_H
#define TF_WEBAUTHN_X509_CHAIN_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "webauthn/cose_key.h"

#define X5C_MAX 8 /* certificates in one statement */

struct x5c {
	const uint8_t *der[X5C_MAX];
	size_t len[X5C_MAX];
	size_t n;
};

/* The attestation certificate's (x5c's first) public key for checking signatures of alg, as *out.
 * False when the certificate does not parse or its key is not of alg's kind (a P-256 key for
 * ES256, Ed25519 for EdDSA, RSA of 2048 bits or more for RS256). */
bool x5c_leaf_key(const struct x5c *chain, int alg, struct cose_key **out);

/* Whether the attestation certificate meets the packed format's requirements (WebAuthn section
 * 8.2.1): version 3; a subject with C, O, CN and OU "Authenticator Attestation"; not a CA; and,
 * when it has the id-fido-gen-ce-aaguid extension (1.3.6.1.4.1.45724.1.1.4), not critical and
 * equal to aaguid. */
bool x5c_packed_requirements(const struct x5c *chain, const uint8_t aaguid[16]);

/* Whether the attestation certificate is a single P-256 certificate's (FIDO U2F). */
bool x5c_u2f_key(const struct x5c *chain, struct cose_key **out);

/* Whether the chain leads from the attestation certificate, through x5c's other certificates,
 * to one of the roots (PEM text, one or more certificates), valid at now_s (seconds since the
 * epoch). False when roots holds no certificate. */
bool x5c_chain_trusted(const struct x5c *chain, const char *roots_pem, int64_t now_s);

/* Whether pem holds one or more PEM certificates and nothing else that fails to parse; *count
 * gets their number. For checking what an application uploads. */
bool x509_pem_roots_valid(const char *pem, size_t *count);

#endif
