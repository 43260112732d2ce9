/*
 * cose_key_pkey.h: for webauthn/ only: a struct cose_key around a libcrypto key that came from
 * elsewhere than COSE (an attestation certificate), so that one function checks every signature.
 */
#ifndef TF_WEBAUTHN_COSE_KEY_PKEY_H
#define TF_WEBAUTHN_COSE_KEY_PKEY_H
#include <openssl/evp.h>

#include "webauthn/cose_key.h"

/* Takes pkey over (freed with the result); NULL when memory fails (pkey is then not freed). */
struct cose_key *cose_key_wrap(EVP_PKEY *pkey, int alg);

#endif
