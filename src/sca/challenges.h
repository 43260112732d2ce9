/*
 * challenges.h: challenges as the domain issues, reads and answers them (SPEC sections 4 and
 * 5): issuing one (the kind sends what it needs) under the resend rules and the send caps,
 * resending, and the attempt at an answer (attempt.c) with everything a verdict changes: the
 * challenge and factor states, the wrong codes per client address, the session's step-up, the
 * SCA ledger, a payment's authorisation, the audit log and the trusted device. Every read is
 * scoped by the context's application and the user.
 */
#ifndef TF_SCA_CHALLENGES_H
#define TF_SCA_CHALLENGES_H
#include "core/challenge.h"
#include "core/device_cookie.h"
#include "sca/factor_kind.h"

/* The challenge challenge_id of user_id; NOT_FOUND for another user's or application's. */
enum tf_err sca_challenge_get(const struct sca_ctx *ctx, const char *user_id, const char *challenge_id,
			      struct challenge_row *out);
/* The newest challenge of the user's session for factor_id and purpose (NOT_FOUND: none). */
enum tf_err sca_challenge_latest(const struct sca_ctx *ctx, const char *user_id, const char *session_id,
				 const char *factor_id, enum challenge_purpose purpose, struct challenge_row *out);

/* The challenge challenge_id of the session and its factor: NOT_FOUND for another session's
 * challenge, or for a non-enrolment one when enrolment_only. */
enum tf_err sca_challenge_of_session(const struct sca_ctx *ctx, const struct session_row *session,
				     const char *challenge_id, bool enrolment_only, struct challenge_row *ch,
				     struct factor_row *f);
/* Whether ch still takes an answer now (pending and not expired). */
bool sca_challenge_open(const struct sca_ctx *ctx, const struct challenge_row *ch);

/* The caps of the application's send policy (SPEC section 4, SMS pumping): per hour, codes to one user's factors, from one client address, to one number, to one
 * number range, and in all (each -1: the setting's default), and the countries a code may go
 * to (has_countries false: any). */
enum sca_send_cap {
	SEND_CAP_USER,
	SEND_CAP_ADDRESS,
	SEND_CAP_NUMBER,
	SEND_CAP_RANGE,
	SEND_CAP_EMAIL,
	SEND_CAP_APPLICATION,
	SEND_CAP__MAX
};
#define SCA_SEND_COUNTRIES_MAX 64
struct sca_send_policy {
	int64_t per_hour[SEND_CAP__MAX];
	bool has_countries;
	size_t n_countries;
	char countries[SCA_SEND_COUNTRIES_MAX][16];
};

/* The application's send policy, read from its stored JSON. */
void sca_send_policy_read(const struct app_row *app, struct sca_send_policy *out);

/* What a send tells its adapter beyond the error. */
struct sca_send_outcome {
	bool queued;         /* a message went to the outbox: wake its worker */
	int64_t retry_after; /* SEND_LIMIT_REACHED: when the cap's hour ends (ms since the epoch) */
	/* a refused send (a cap, or a country not allowed): audited as send.refused, about the
	 * factor refused_factor_id with refused_details, outside the rolled-back transaction (""
	 * when none was refused) */
	char refused_factor_id[TF_ID_MAX];
	char refused_details[160];
};

/* A new challenge of factor f for purpose on the session (the kind sends what it needs, under
 * the resend rules and the send caps), bound to the transaction tx with hash tx_hash when tx
 * is not NULL; supersedes the session's earlier challenge of f. session's send spacing and
 * counts are updated on a send. In the caller's transaction. */
enum tf_err sca_challenge_issue(const struct sca_ctx *ctx, struct session_row *session,
				const struct sca_send_policy *policy, const struct factor_row *f,
				enum challenge_purpose purpose, const struct transaction *tx, const char *tx_hash,
				struct challenge_row *ch, struct sca_send_outcome *out);

/* POST /v1/challenges: what the caller asks for. */
struct sca_challenge_request {
	enum challenge_purpose purpose;
	const char *factor_id;          /* NULL: the user's preferred (else only, else first) default factor */
	const struct transaction *tx;   /* a transaction challenge's details (with tx_hash), or NULL */
	const char *tx_hash;
	const char *transaction_id;     /* a payment resource awaiting its SCA, or NULL */
};

/* Starts a challenge of the session's user as rq asks; *ch and *f get the challenge and its
 * factor. A payment resource named by rq->transaction_id must await its challenge; the new
 * challenge becomes the one that approves it. Runs its own transaction. */
enum tf_err sca_challenge_create(const struct sca_ctx *ctx, struct session_row *session,
				 const struct sca_send_policy *policy, const struct sca_challenge_request *rq,
				 struct challenge_row *ch, struct factor_row *f, struct sca_send_outcome *out);

/* Sends challenge_id of the session anew (a new code replaces the previous one and the expiry
 * starts again). Runs its own transaction. */
enum tf_err sca_challenge_resend(const struct sca_ctx *ctx, struct session_row *session,
				 const struct sca_send_policy *policy, const char *challenge_id,
				 struct challenge_row *ch, struct factor_row *f, struct sca_send_outcome *out);

/* attempt.c: one answer to a challenge of the session. */
struct sca_attempt_request {
	const char *challenge_id;
	const char *code;                /* a typed code, or NULL for a device's answer */
	const struct push_answer *push;  /* a device's answer, or NULL */
	bool enrolment_only;             /* only an enrolment challenge is found */
	bool trust_device;               /* a verified login or step-up trusts the device for 30 days */
	enum device_domain domain;       /* whose device a verified login or step-up answers */
	const char *presented_tx_hash;   /* the transaction the caller shows the payer, or NULL */
	const struct webauthn_response *credential; /* a passkey's answer, or NULL */
};

struct sca_attempt_result {
	/* the kind checks with Argon2id: run sca_challenge_search (on the slow pool), then the
	 * attempt again with what it found; nothing else below is set */
	bool needs_search;
	int64_t retry_after;    /* RATE_LIMITED: when the wrong codes of the address lift */
	const char *bad_field;  /* INVALID_FIELD: the request field at fault */
	struct challenge_row ch;
	struct factor_row f;
	int attempts_remaining; /* VERIFICATION_CODE_INVALID, TOTP_REPLAYED, CREDENTIAL_INVALID */
	const char *reason;     /* CREDENTIAL_INVALID: the check that failed ("signature", ...) */
	bool steps_up;          /* the session is stepped up until stepped_up_until */
	int64_t stepped_up_until;
	bool has_authorization; /* a payment's authorisation */
	struct authorization_row authorization;
	bool has_device;        /* the device the verified login or step-up trusts, and its cookie */
	struct device_row device;
	char device_cookie[DEVICE_COOKIE_MAX];
};

/* One attempt at rq->challenge_id: TF_OK with the verified challenge in *res, or the verdict's
 * error (res->attempts_remaining for a wrong code). found: what sca_challenge_search found,
 * NULL before any search ran. Runs its own transaction. */
enum tf_err sca_challenge_attempt(const struct sca_ctx *ctx, struct session_row *session,
				  const struct sca_attempt_request *rq, const struct factor_found *found,
				  struct sca_attempt_result *res);
/* The slow part of an answer's check (Argon2id), outside any transaction. */
enum tf_err sca_challenge_search(const struct sca_ctx *ctx, const struct factor_row *f, const char *code,
				 struct factor_found *found);

#endif
