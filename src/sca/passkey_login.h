/*
 * passkey_login.h: sign-in without a username (SPEC sections 2 and 3, passkeys). The
 * application asks for request options for any discoverable credential of its relying party,
 * with a challenge that names no user yet (used once, right or wrong; it expires as a
 * challenge does). The assertion that answers it names its credential: the credential finds the
 * factor and the user, the user handle must be that user's, and the signature, counter and
 * flags are checked as for any passkey answer. A right one mints a session as POST /v1/login
 * does, stepped up when the assertion proved user verification (two elements of SCA); a wrong
 * one is counted against the client address like a wrong code.
 */
#ifndef TF_SCA_PASSKEY_LOGIN_H
#define TF_SCA_PASSKEY_LOGIN_H
#include "sca/factor_kind.h"

struct sca_passkey_options {
	char challenge_id[TF_ID_MAX];
	char challenge[72]; /* base64url */
};

/* A new sign-in challenge of the application (WEBAUTHN_NOT_CONFIGURED without settings). */
enum tf_err sca_passkey_login_options(const struct sca_ctx *ctx, struct sca_passkey_options *out);

struct sca_passkey_login_result {
	struct user_row user;
	struct session_row session;
	char token[TF_TOKEN_MAX]; /* the session token's only copy (wipe it) */
	bool stepped_up;
	int64_t stepped_up_until;
	const char *reason;       /* CREDENTIAL_INVALID: the check that failed */
	int64_t retry_after;      /* RATE_LIMITED: when the address may try again */
};

/* Answers sign-in challenge challenge_id with credential: TF_OK with the session in *out,
 * CREDENTIAL_INVALID (out->reason), or RATE_LIMITED. Runs its own transaction. */
enum tf_err sca_passkey_login(const struct sca_ctx *ctx, const char *challenge_id,
			      const struct webauthn_response *credential, int64_t idle_ms,
			      struct sca_passkey_login_result *out);

#endif
