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

/* A new sign-in challenge of the application (WEBAUTHN_NOT_CONFIGURED without settings).
 * per_address: the asker is a browser on twofold's own sign-in page, not the application's
 * server, so its address is counted as a password sign-in's is (login_attempts_per_address;
 * RATE_LIMITED, *retry_after when the window ends). */
enum tf_err sca_passkey_login_options(const struct sca_ctx *ctx, bool per_address, struct sca_passkey_options *out,
				      int64_t *retry_after);

/* What an assertion answering sign-in challenge challenge_id proves, checked in the caller's
 * write transaction: TF_OK with out->reason NULL when it is right (out->user; the factor's counter
 * and flags updated, the evidence kept, SCA recorded when user_verified); TF_OK with out->reason
 * set when it is wrong (counted against the address, audited: commit, then refuse);
 * RATE_LIMITED (out->retry_after) before anything is checked. */
struct sca_passkey_sign_in {
	struct user_row user;
	bool user_verified;
	const char *reason;
	int64_t retry_after;
};
enum tf_err sca_passkey_sign_in(const struct sca_ctx *ctx, const char *challenge_id,
				const struct webauthn_response *credential, struct sca_passkey_sign_in *out);

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
