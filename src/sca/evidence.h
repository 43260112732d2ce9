/*
 * evidence.h: what a passkey's verified answer proved, kept beside the SCA it counts as (SPEC
 * section 3, passkeys; the "evidence"): the assertion exactly as signed, the credential
 * and its public key, whether it proved user verification and came through SPC, and for a
 * payment the transaction hash the challenge carries. With the public key anyone can check it
 * afterwards: the signature over authenticator data and the client data's hash, and the
 * challenge's last 32 bytes against the payment (docs/passkeys.md).
 */
#ifndef TF_SCA_EVIDENCE_H
#define TF_SCA_EVIDENCE_H
#include "sca/factor_kind.h"

/* Records the verified answer r by factor f to challenge ch (in the caller's transaction). */
enum tf_err sca_evidence_record(const struct sca_ctx *ctx, const struct challenge_row *ch, const struct factor_row *f,
				const struct webauthn_response *r, const struct webauthn_verified *v);
/* The application's evidence of challenge_id (NOT_FOUND: none, or another application's). */
enum tf_err sca_evidence_get(const struct sca_ctx *ctx, const char *challenge_id, struct evidence_row *out);

#endif
