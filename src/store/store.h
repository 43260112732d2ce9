/*
 * store.h: twofold's storage interface. Handlers reach the database only through this
 * method table, so a PostgreSQL backend (store_pg.c) can implement it without touching them,
 * as SQLite's VFS or curl's TLS backends do. Rules every backend keeps:
 *   - every lookup of tenant data takes the application id and matches it (siloing);
 *   - secrets arrive already MAC'd or sealed: no backend ever sees a token, key or password;
 *   - every function returns enum tf_err; a missing row is TF_ERR_NOT_FOUND; a lost
 *     database is TF_ERR_STORE_UNAVAILABLE; results go to the last (out) parameters;
 *   - a group of changes between tx_begin and tx_commit is applied whole or not at all.
 * A connection (struct store_conn) belongs to one thread at a time: store_acquire() gives the
 * calling thread its connection and store_release() hands it back.
 * The table only grows at the end; ops_version says how much of it a backend fills.
 */
#ifndef TF_STORE_STORE_H
#define TF_STORE_STORE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/names.h"
#include "core/audit_chain.h"
#include "core/device_cookie.h"
#include "base/errors.h"
#include "core/transaction.h"
#include "crypto/crypto.h"
#include "crypto/master_key.h"

#define STORE_NAME_MAX 256
#define STORE_FACTOR_NAME_MAX 128
#define STORE_WEBAUTHN_SETTINGS_MAX 8192
#define STORE_FACTOR_TYPES_MAX 256
#define STORE_LOCALE_MAX 36 /* a BCP 47 tag of at most 35 characters (l10n.h) */
#define STORE_CREDENTIAL_ID_MAX 1368 /* base64url of WebAuthn's longest id, 1023 bytes */
#define STORE_CREDENTIAL_KEY_MAX 1100
#define STORE_URL_MAX 1025
#define STORE_TRA_SETTINGS_MAX 1024

struct store;
struct store_conn;

enum store_durable { STORE_DURABLE_NOW, STORE_DURABLE_LATER };

struct app_row {
	char app_id[TF_ID_MAX];
	char name[STORE_NAME_MAX];
	char client_id[TF_ID_MAX];
	uint8_t client_secret_sealed[128]; /* crypto_seal() of the client secret */
	size_t client_secret_sealed_len;
	uint8_t api_key_mac[TF_MAC_BYTES];
	bool sandbox;
	bool can_mark_email_verified;
	bool can_register_sso;
	char redirect_uri_prefixes[4096]; /* JSON array text */
	char sso_login_url[STORE_URL_MAX];
	int64_t created_at;
	char totp_algorithm[8]; /* SHA1, SHA256, SHA512 */
	int totp_digits;        /* 6 or 8 */
	char low_value_rates[512]; /* JSON object: currency -> euros per unit, as a decimal string */
	char send_policy[512];     /* JSON object: send caps and allowed countries ({} = defaults) */
	char webauthn[STORE_WEBAUTHN_SETTINGS_MAX]; /* JSON object: relying-party settings; "" when none */
	char enabled_factor_types[STORE_FACTOR_TYPES_MAX]; /* JSON array of type names; "" for every type */
	char default_locale[STORE_LOCALE_MAX]; /* BCP 47 tag of its users' language; "" for none */
	/* its branding: the primary colour ("#rrggbb", "" for the pages' own) and the logo's type
	 * ("png", "svg", "" for none) and size; the logo's bytes come with app_brand_logo_get */
	char brand_color[8];
	char brand_logo_type[4];
	int64_t brand_logo_bytes;
	char tra[STORE_TRA_SETTINGS_MAX]; /* JSON object: the transaction risk analysis settings; "" when off */
	/* where it receives security event tokens (service/security_events.h); "" when none. Its
	 * signing key is apart, sealed (app_events_get), and set exactly when this is. */
	char events_url[STORE_URL_MAX];
};

struct user_row {
	char app_id[TF_ID_MAX];
	char user_id[TF_ID_MAX];
	char email[256];
	enum user_type type;
	char password_hash[TF_PWHASH_MAX]; /* "" when none */
	char name[STORE_NAME_MAX];
	char mobile[20];
	int64_t email_verified_at; /* 0 when the current address is not confirmed */
	int64_t first_verified_at; /* when any address was first confirmed; 0: never */
	int64_t created_at;
	char webauthn_user_handle[48]; /* base64url of 32 random bytes, made with the first passkey; "" before */
	char locale[STORE_LOCALE_MAX]; /* BCP 47 tag of the language the user reads; "" for none */
};

/* What the send rules read and claim on a session token (session_send_swap). */
struct send_state {
	int64_t last_send_at; /* the token's last code sent, 0 when none */
	int counted_sends;    /* codes sent on it that count towards its cap (core/challenge.h) */
};

struct session_row {
	char session_id[TF_ID_MAX];
	uint8_t token_mac[TF_MAC_BYTES];
	char app_id[TF_ID_MAX];
	char user_id[TF_ID_MAX];
	enum session_kind kind;
	int64_t created_at;
	int64_t last_seen_at;
	int64_t idle_timeout_ms;
	int64_t absolute_expires_at;
	int64_t revoked_at;
	int64_t stepped_up_at; /* 0 when not stepped up */
	int64_t last_send_at;  /* last code sent on this token */
	int stepup_sends;      /* login, step-up and transaction codes sent on this token */
};

struct factor_row {
	char factor_id[TF_ID_MAX];
	char app_id[TF_ID_MAX];
	char user_id[TF_ID_MAX];
	enum factor_type type;
	enum factor_status status;
	char phone[20];
	uint8_t secret_sealed[128]; /* crypto_seal() of a TOTP secret */
	size_t secret_sealed_len;
	char totp_algorithm[8];
	int totp_digits;
	int64_t last_totp_step;   /* -1 when none: replay protection */
	bool preferred;
	int consecutive_failures;
	int64_t blocked_until;
	int64_t created_at;
	int64_t activated_at;
	int backup_remaining;     /* unused backup codes (read only) */
	char enrolment_challenge_id[TF_ID_MAX]; /* the challenge that activates a pending factor */
	char push_channel[16];    /* push: AUTHY or BIOMETRIC */
	uint8_t push_public_key[32]; /* push: the device's Ed25519 public key */
	char push_address[256];   /* push: where the provider delivers the push */
	char name[STORE_FACTOR_NAME_MAX]; /* the user's name for it ("" when none given) */
	/* passkey: the WebAuthn credential (base64url id, COSE public key, algorithm, signature
	 * counter, AAGUID as a UUID, STORE_CREDENTIAL_* flags, transports as a JSON array) */
	char credential_id[STORE_CREDENTIAL_ID_MAX];
	uint8_t credential_key[STORE_CREDENTIAL_KEY_MAX];
	size_t credential_key_len;
	int credential_alg;
	int64_t credential_sign_count;
	char credential_aaguid[37];
	int credential_flags;
	char credential_transports[128];
	char email[256];          /* email: the address its codes go to (lower case) */
};

#define STORE_CREDENTIAL_UV 1 /* user verified at registration */
#define STORE_CREDENTIAL_BE 2 /* backup eligible (a synced passkey) */
#define STORE_CREDENTIAL_BS 4 /* backed up */

#define FACTORS_PER_USER_MAX 32
#define BACKUP_CODES_PER_SHEET 10

struct backup_code_row {
	int idx;
	char code_hash[TF_PWHASH_MAX];
	int64_t used_at;
};

struct challenge_row {
	char challenge_id[TF_ID_MAX];
	char app_id[TF_ID_MAX];
	char user_id[TF_ID_MAX];
	char factor_id[TF_ID_MAX];
	char session_id[TF_ID_MAX]; /* "" when none */
	enum challenge_purpose purpose;
	int status;                 /* enum challenge_status (core/challenge.h) */
	uint8_t code_mac[TF_MAC_BYTES];
	bool has_code;
	int attempts;
	int max_attempts;
	int sends;
	int64_t last_sent_at;
	int64_t created_at;
	int64_t expires_at;
	int64_t verified_at;
	bool has_transaction;       /* purpose transaction: what the code is bound to */
	struct transaction tx;
	char tx_hash[TX_HASH_HEX + 1];
	char webauthn_challenge[72]; /* a passkey's challenge, base64url; "" for other kinds */
};

/* What a passkey's verified answer proved (sca_evidence): the assertion as signed, base64url. */
#define STORE_EVIDENCE_AUTH_DATA_MAX 5600  /* 4 KiB of authenticator data */
#define STORE_EVIDENCE_CLIENT_DATA_MAX 21900 /* 16 KiB of client data (SPC's carries an icon) */
#define STORE_EVIDENCE_SIGNATURE_MAX 1400  /* 1 KiB */
struct evidence_row {
	char challenge_id[TF_ID_MAX];
	char app_id[TF_ID_MAX];
	char user_id[TF_ID_MAX];
	char factor_id[TF_ID_MAX];
	enum challenge_purpose purpose;
	char transaction_hash[TX_HASH_HEX + 1]; /* "" when not a payment */
	char credential_id[STORE_CREDENTIAL_ID_MAX];
	uint8_t public_key[STORE_CREDENTIAL_KEY_MAX];
	size_t public_key_len;
	int alg;
	char authenticator_data[STORE_EVIDENCE_AUTH_DATA_MAX];
	char client_data[STORE_EVIDENCE_CLIENT_DATA_MAX];
	char signature[STORE_EVIDENCE_SIGNATURE_MAX];
	bool user_verified;
	bool spc;
	int64_t created_at;
};

struct email_token_row {
	uint8_t token_mac[TF_MAC_BYTES];
	char app_id[TF_ID_MAX];
	char user_id[TF_ID_MAX];
	char purpose[32];
	int64_t created_at;
	int64_t expires_at;
};

struct outbox_row {
	char message_id[TF_ID_MAX];
	char app_id[TF_ID_MAX];
	char channel[16];      /* sms, voice, email, push */
	char recipient[320];
	uint8_t *sealed_body;  /* crypto_seal() of the message JSON; owned by the row */
	size_t sealed_body_len;
	enum outbox_status status;
	int attempts;
	int64_t created_at;
	int64_t next_attempt_at;
	/* inserting: "" for none, else the message waits for every earlier message (by insertion)
	 * of the same key to be sent or to fail for good (a security event token's user) */
	char order_key[2 * TF_ID_MAX];
};

enum idem_state { IDEM_RESERVED, IDEM_REPLAY, IDEM_IN_PROGRESS, IDEM_MISMATCH };

/* a rate counter's count in its running window, and when that window began (epoch ms) */
struct rate_count {
	int64_t count;
	int64_t window_start;
};

struct idem_answer {
	int status;
	uint8_t *sealed_body; /* malloc'd, for IDEM_REPLAY: crypto_seal() of the answer, which may
			       * hold secrets (credentials, tokens, backup codes) */
	size_t sealed_body_len;
	char *headers;        /* malloc'd "Name: value\n" lines, may be NULL */
};

struct device_row {
	char device_id[TF_ID_MAX];
	char app_id[TF_ID_MAX];
	char user_id[TF_ID_MAX];
	enum device_kind kind;
	enum device_domain domain;
	int64_t created_at;
	int64_t expires_at;
	int64_t revoked_at;
	char challenge_id[TF_ID_MAX];
};

#define DEVICES_LIST_MAX 100

struct sso_token_row {
	uint8_t token_mac[TF_MAC_BYTES];
	char app_id[TF_ID_MAX];
	char user_id[TF_ID_MAX];
	int64_t created_at;
	int64_t expires_at;
};

struct authorization_row {
	char authorization_id[TF_ID_MAX];
	char app_id[TF_ID_MAX];
	char user_id[TF_ID_MAX];
	char challenge_id[TF_ID_MAX];
	char transaction_hash[TX_HASH_HEX + 1];
	int64_t created_at;
	int64_t expires_at;
};

struct beneficiary_row {
	char beneficiary_id[TF_ID_MAX];
	char app_id[TF_ID_MAX];
	char user_id[TF_ID_MAX];
	char name[TX_PAYEE_NAME_MAX * 4 + 1];
	char account[TX_PAYEE_ACCOUNT_MAX + 1];
	int64_t created_at;
};
#define BENEFICIARIES_MAX 100

/* a user's strong-authentication state for the exemptions (RTS art. 10, 16) */
struct sca_state_row {
	int64_t last_sca_at;         /* any successful challenge but enrolment */
	int64_t last_account_sca_at; /* login or step-up (account purpose), not transactions */
	int64_t low_value_count;     /* low-value exemptions since last_sca_at */
	int64_t low_value_sum_eur_cents;
};

struct ledger_row {
	char app_id[TF_ID_MAX];
	char user_id[TF_ID_MAX];
	char exemption[32];
	int64_t amount;
	char currency[4];
	int64_t eur_cents;
	int64_t at_ms;
};

/* A remote payment of the application (RTS art. 18 to 21; sca/tra.h): one POST /v1/authorize
 * allowed, or one imported. */
struct payment_row {
	char app_id[TF_ID_MAX];
	char payment_id[TF_ID_MAX];
	char user_id[TF_ID_MAX];  /* "" for an imported payment of no user of twofold */
	enum payment_type type;
	char exemption[32];       /* "" when authenticated with SCA */
	int band;                 /* transaction_risk_analysis: the band's ETV in euros; else 0 */
	int64_t amount;
	char currency[4];
	int64_t eur_cents;
	char payee_account[TX_PAYEE_ACCOUNT_MAX + 1]; /* "" when unknown */
	char client_ip[64];       /* "" when unknown */
	int64_t day;              /* the UTC day of executed_at (core/tra.h) */
	int64_t executed_at;
	bool imported;
	int64_t cancelled_at;     /* 0 while it stands */
	char fraud_kind[24];      /* "" while no fraud report names it */
	int64_t fraud_reported_at, fraud_recorded_at;
};

/* A payer's recent payments as the risk analysis reads them (core/risk.h): over the days
 * [first_day, today] of payer_days, and over the last hour and 24 hours. */
struct payer_history {
	int64_t count, sum_eur_cents, largest_eur_cents;
	int64_t last_hour, last_day, last_day_eur_cents;
};

/* The sums of the buckets of one application, payment type, authentication (exemption "" for
 * SCA) and band over some days. */
struct tra_sums {
	char app_id[TF_ID_MAX];
	enum payment_type type;
	char exemption[32];
	int band;
	int64_t count, value_eur_cents, fraud_count, fraud_eur_cents;
};

/* One band's suspension state (core/tra.h's struct tra_band_state) as stored. */
struct tra_band_row {
	char app_id[TF_ID_MAX];
	enum payment_type type;
	int band; /* the ETV in euros */
	int64_t last_quarter;
	int quarters_over;
	bool suspended;
	int64_t changed_at;
};

/* What one quarter's evaluation of one band found. */
struct tra_evaluation_row {
	char app_id[TF_ID_MAX];
	enum payment_type type;
	int band;
	int64_t quarter;
	int64_t fraud_eur_cents, total_eur_cents;
	bool over, suspended;
	char change[12]; /* unchanged, suspended, resumed */
	int64_t evaluated_at;
};

/* a payment as a resource (POST /v1/transactions) */
struct txn_row {
	char transaction_id[TF_ID_MAX];
	char app_id[TF_ID_MAX];
	char user_id[TF_ID_MAX];
	struct transaction tx;
	char transaction_hash[TX_HASH_HEX + 1];
	char external_reference[129];
	enum txn_state state;
	char exemption[32];
	char challenge_id[TF_ID_MAX];
	int64_t created_at;
	int64_t approved_at;
};

/* what a hosted-pages session (kind SESSION_HOSTED) remembers beside the session row */
struct hosted_session_info {
	char redirect_uri[STORE_URL_MAX]; /* the application's address the user returns to */
	bool mfa_pending;                 /* a second factor is owed before any page but the challenge */
};

/* what the WePay face (faces/wepay_*.c) keeps beside a user: the long integer WePay clients
 * know it by, and the registration's WePay-only fields */
struct wepay_user_row {
	char app_id[TF_ID_MAX];
	char user_id[TF_ID_MAX];
	int64_t wepay_user_id;        /* random, 1 to 2^53 - 1, unique */
	char first_name[512];
	char last_name[512];
	char scope[512];              /* the comma list given at registration */
	char original_ip[64];
	char original_device[1024];
	int64_t tos_acceptance_time;  /* unix seconds; 0 when not given */
	char redirect_uri[STORE_URL_MAX];
	char callback_uri[STORE_URL_MAX];
	int64_t created_at;
};

/* ... and beside a factor: its mfa_id (a long), nickname and the last challenge the face sent */
struct wepay_mfa_row {
	char app_id[TF_ID_MAX];
	char user_id[TF_ID_MAX];
	char factor_id[TF_ID_MAX];
	int64_t mfa_id;               /* random, 1 to 2^53 - 1, unique */
	char nickname[256];
	char last_challenge_id[TF_ID_MAX]; /* "" when none */
	int64_t created_at;
};

/* The key ring (service/keyring.c): the master key's check value and the data keys wrapped
 * under the master key (crypto/master_key.h), one row. */
struct keyring_row {
	uint8_t check_value[MASTER_KEY_CHECK_BYTES];
	uint8_t wrapped_keys[MASTER_KEY_WRAPPED_BYTES];
	size_t wrapped_keys_len;
	int64_t created_at;
	int64_t rotated_at; /* 0 until the master key is first replaced */
};

/* Every column that holds values sealed with crypto_seal (rows where it is NULL or empty are
 * left out), for re-sealing them under a new key. */
enum sealed_column {
	SEALED_APP_CLIENT_SECRET, /* apps.client_secret_sealed */
	SEALED_APP_DELIVERY,      /* apps.delivery_sealed: an application's delivery credentials */
	SEALED_FACTOR_SECRET,     /* factors.secret_sealed: TOTP secrets */
	SEALED_OUTBOX_BODY,       /* outbox.sealed_body: messages not sent yet */
	SEALED_IDEMPOTENT_ANSWER, /* idempotency.body: recorded answers */
	SEALED_APP_EVENTS_SECRET, /* apps.events_secret_sealed: the key of an application's security event tokens */
	SEALED__MAX
};

#define SEALED_KEY_MAX 256 /* an idempotency-ref is 255 characters at most */

/* One sealed value and its row's primary key (key[1] is "" but for the idempotency table's
 * (scope, ref)). */
struct sealed_value {
	char key[2][SEALED_KEY_MAX];
	uint8_t *sealed; /* malloc'd */
	size_t len;
};

struct retention_cutoffs;

typedef int (*audit_visit_fn)(void *ctx, const struct audit_row *row);
typedef int (*audit_event_visit_fn)(void *ctx, const struct audit_event_row *row);

/* A chain's newest event, or a head signed under the deployment's audit key. */
struct audit_head_row {
	char chain[AUDIT_CHAIN_MAX];
	int64_t seq;
	uint8_t hash[AUDIT_HASH_BYTES];
	int64_t signed_at;                          /* signed heads only */
	uint8_t signature[AUDIT_SIGNATURE_BYTES];   /* signed heads only */
};

struct store_ops {
	int ops_version; /* 1 */
	const char *name;

	enum tf_err (*open)(const char *url, const char *durability, struct store **out);
	void (*close)(struct store *st);
	enum tf_err (*acquire)(struct store *st, struct store_conn **out);
	void (*release)(struct store_conn *c);
	enum tf_err (*migrate)(struct store_conn *c, int *version_out);
	enum tf_err (*ping)(struct store_conn *c);

	/* transactions: write transactions take the write lock at once */
	enum tf_err (*tx_begin)(struct store_conn *c);
	enum tf_err (*tx_commit)(struct store_conn *c);
	void (*tx_rollback)(struct store_conn *c);

	/* applications */
	enum tf_err (*app_insert)(struct store_conn *c, const struct app_row *app);
	enum tf_err (*app_get)(struct store_conn *c, const char *app_id, struct app_row *out);
	enum tf_err (*app_get_by_api_key)(struct store_conn *c, const uint8_t mac[TF_MAC_BYTES],
					  struct app_row *out);

	/* users */
	enum tf_err (*user_insert)(struct store_conn *c, const struct user_row *u); /* EMAIL_TAKEN */
	enum tf_err (*user_get)(struct store_conn *c, const char *app_id, const char *user_id,
				struct user_row *out);
	enum tf_err (*user_get_by_email)(struct store_conn *c, const char *app_id, const char *email,
					 struct user_row *out);
	enum tf_err (*user_mark_verified)(struct store_conn *c, const char *app_id,
					  const char *user_id, int64_t now);
	/* deletes an unverified user created before created_before, with its sessions and
	 * email tokens (the user expired); TF_OK also when there was none */
	enum tf_err (*user_purge_unverified)(struct store_conn *c, const char *app_id,
					     const char *email, int64_t created_before);

	/* sessions */
	enum tf_err (*session_insert)(struct store_conn *c, const struct session_row *s);
	enum tf_err (*session_get)(struct store_conn *c, const char *app_id,
				   const uint8_t token_mac[TF_MAC_BYTES], struct session_row *out);
	enum tf_err (*session_touch)(struct store_conn *c, const char *session_id, int64_t now);
	enum tf_err (*session_revoke)(struct store_conn *c, const char *app_id,
				      const char *session_id, int64_t now);

	/* the step-up state and send counts of a session token */
	enum tf_err (*session_set_stepped_up)(struct store_conn *c, const char *session_id,
					      int64_t stepped_up_at);
	/* Compare-and-set of a token's send state (the send rules' atomic claim): when it still is
	 * *state, sets it to *next and *swapped = true; otherwise (another request sent meanwhile)
	 * reads the current state into *state and *swapped = false. On PostgreSQL the UPDATE waits
	 * for a concurrent one on the row and compares against what that one committed. */
	enum tf_err (*session_send_swap)(struct store_conn *c, const char *session_id, struct send_state *state,
					 const struct send_state *next, bool *swapped);
	/* the same for the enrolment sends of a factor: its last_send_at */
	enum tf_err (*factor_send_swap)(struct store_conn *c, const char *app_id, const char *factor_id,
					int64_t *last_send_at, int64_t next, bool *swapped);

	/* factors: every lookup by application and user */
	enum tf_err (*factor_insert)(struct store_conn *c, const struct factor_row *f);
	enum tf_err (*factor_get)(struct store_conn *c, const char *app_id, const char *user_id,
				  const char *factor_id, struct factor_row *out);
	enum tf_err (*factor_list)(struct store_conn *c, const char *app_id, const char *user_id,
				   struct factor_row *out, size_t max, size_t *n_out);
	/* writes status, activated_at, last_totp_step, consecutive_failures, blocked_until,
	 * enrolment_challenge_id */
	enum tf_err (*factor_update)(struct store_conn *c, const struct factor_row *f);
	enum tf_err (*factor_set_preferred)(struct store_conn *c, const char *app_id,
					    const char *user_id, const char *factor_id);
	enum tf_err (*factor_delete)(struct store_conn *c, const char *app_id, const char *user_id,
				     const char *factor_id);
	enum tf_err (*backup_codes_replace)(struct store_conn *c, const char *factor_id,
					    const struct backup_code_row *codes, size_t n);
	enum tf_err (*backup_codes_list)(struct store_conn *c, const char *factor_id,
					 struct backup_code_row *out, size_t max, size_t *n_out);
	/* marks code idx used if it is unused and still has code_hash (VERIFICATION_CODE_INVALID
	 * otherwise: used meanwhile, or the sheet was replaced) */
	enum tf_err (*backup_code_use)(struct store_conn *c, const char *factor_id, int idx,
				       const char *code_hash, int64_t now);

	/* challenges */
	enum tf_err (*challenge_insert)(struct store_conn *c, const struct challenge_row *ch);
	enum tf_err (*challenge_get)(struct store_conn *c, const char *app_id, const char *user_id,
				     const char *challenge_id, struct challenge_row *out);
	/* writes status, code_mac, attempts, sends, last_sent_at, expires_at, verified_at */
	enum tf_err (*challenge_update)(struct store_conn *c, const struct challenge_row *ch);
	/* marks the session's other pending challenges of that factor superseded (only the newest
	 * code counts) */
	enum tf_err (*challenge_supersede)(struct store_conn *c, const char *session_id,
					   const char *factor_id, const char *except_id);

	/* trusted devices */
	enum tf_err (*device_insert)(struct store_conn *c, const struct device_row *d);
	enum tf_err (*device_list)(struct store_conn *c, const char *app_id, const char *user_id,
				   int64_t now, struct device_row *out, size_t max, size_t *n_out);
	/* revokes one device (NOT_FOUND if unknown or already revoked) */
	enum tf_err (*device_revoke)(struct store_conn *c, const char *app_id, const char *user_id,
				     const char *device_id, int64_t now);
	/* revokes every unexpired device of the user; *n_out how many */
	enum tf_err (*device_revoke_all)(struct store_conn *c, const char *app_id, const char *user_id,
					 int64_t now, int *n_out);
	/* device ids revoked at or after since and not yet expired at now, for the revocation
	 * cache; visits each, with its revoked_at and expires_at */
	enum tf_err (*device_revoked_since)(struct store_conn *c, int64_t since, int64_t now,
					    void (*visit)(void *ctx, const char *device_id,
							  int64_t revoked_at, int64_t expires_at),
					    void *ctx);

	/* one-time email tokens (confirmation links) */
	enum tf_err (*email_token_insert)(struct store_conn *c, const struct email_token_row *t);

	/* outbox */
	enum tf_err (*outbox_insert)(struct store_conn *c, const struct outbox_row *m);
	/* up to max due pending rows (next_attempt_at <= now), oldest first */
	enum tf_err (*outbox_due)(struct store_conn *c, int64_t now, struct outbox_row *out,
				  size_t max, size_t *n_out);
	enum tf_err (*outbox_mark_sent)(struct store_conn *c, const char *message_id, int64_t now);
	enum tf_err (*outbox_mark_retry)(struct store_conn *c, const char *message_id, int attempts,
					 int64_t next_attempt_at, const char *error);
	enum tf_err (*outbox_mark_failed)(struct store_conn *c, const char *message_id,
					  const char *error);

	/* audit chains (core/audit_chain.h), inside a write transaction (appending: audit_append,
	 * ops_version 20): n successive events of one chain, each after the one before (two per statement) */
	enum tf_err (*audit_insert)(struct store_conn *c, const struct audit_event_row *rows, size_t n);
	/* (audit_insert registers a chain at its first event by itself: moving the format 1 rows
	 * appends to every chain in one transaction, with their heads kept in memory) */
	/* the format 1 chain's rows in order (visiting stops when fn returns non-zero) */
	enum tf_err (*audit_v1_scan)(struct store_conn *c, audit_visit_fn fn, void *ctx);

	/* idempotency: scope is the application id (or "admin") */
	enum tf_err (*idem_reserve)(struct store_conn *c, const char *scope, const char *ref,
				    const uint8_t fingerprint[TF_MAC_BYTES], int64_t now,
				    int64_t stale_before, int64_t expired_before,
				    enum idem_state *state, struct idem_answer *answer);
	enum tf_err (*idem_complete)(struct store_conn *c, const char *scope, const char *ref,
				     int status, const uint8_t *sealed_body, size_t sealed_len,
				     const char *headers);
	enum tf_err (*idem_release)(struct store_conn *c, const char *scope, const char *ref);

	/* rate counters: a key's window begins at its first hit and lasts window_ms; counter_hit adds 1
	 * (starting the next window when the last one has passed) and gives the count and the window's
	 * start; counter_get reads them (a count of 0 and now when no window is running) */
	enum tf_err (*counter_hit)(struct store_conn *c, const char *key, int64_t now, int64_t window_ms,
				   struct rate_count *out);
	enum tf_err (*counter_get)(struct store_conn *c, const char *key, int64_t now, int64_t window_ms,
				   struct rate_count *out);

	/* ops_version 2: single sign-on and hosted pages */
	enum tf_err (*app_get_by_client_id)(struct store_conn *c, const char *client_id,
					    struct app_row *out);
	enum tf_err (*sso_token_insert)(struct store_conn *c, const struct sso_token_row *t);
	/* marks the application's token used if it is unused and unexpired at now, filling *out;
	 * else SSO_TOKEN_USED, SSO_TOKEN_EXPIRED, or NOT_FOUND (unknown, or another application's) */
	enum tf_err (*sso_token_redeem)(struct store_conn *c, const char *app_id,
					const uint8_t token_mac[TF_MAC_BYTES], int64_t now,
					struct sso_token_row *out);
	enum tf_err (*hosted_session_insert)(struct store_conn *c, const struct session_row *s,
					     const struct hosted_session_info *info);
	enum tf_err (*hosted_session_info)(struct store_conn *c, const char *session_id,
					   struct hosted_session_info *out);
	enum tf_err (*hosted_session_mfa_passed)(struct store_conn *c, const char *session_id);
	/* revokes every live hosted session of the user (the application's logout); *n_out how many */
	enum tf_err (*hosted_sessions_revoke)(struct store_conn *c, const char *app_id,
					      const char *user_id, int64_t now, int *n_out);
	/* an unused, unexpired email token of the application (NOT_FOUND otherwise) */
	enum tf_err (*email_token_get)(struct store_conn *c, const char *app_id,
				       const uint8_t token_mac[TF_MAC_BYTES], int64_t now,
				       struct email_token_row *out);
	/* marks it used if it still is unused and unexpired (NOT_FOUND otherwise) */
	enum tf_err (*email_token_use)(struct store_conn *c, const char *app_id,
				       const uint8_t token_mac[TF_MAC_BYTES], int64_t now);
	enum tf_err (*user_set_password)(struct store_conn *c, const char *app_id, const char *user_id,
					 const char *password_hash);

	/* ops_version 3: transactions, exemptions and their ledger */
	enum tf_err (*authorization_insert)(struct store_conn *c, const struct authorization_row *a);
	/* uses the authorisation once for exactly transaction_hash: TF_OK, or NOT_FOUND (unknown,
	 * another user's), ALREADY_VERIFIED (used), CHALLENGE_EXPIRED, TRANSACTION_MISMATCH */
	enum tf_err (*authorization_use)(struct store_conn *c, const char *app_id, const char *user_id,
					 const char *authorization_id, const char *transaction_hash, int64_t now,
					 struct authorization_row *out);
	enum tf_err (*beneficiary_insert)(struct store_conn *c, const struct beneficiary_row *b); /* BENEFICIARY_EXISTS if the account is listed */
	enum tf_err (*beneficiary_list)(struct store_conn *c, const char *app_id, const char *user_id,
					struct beneficiary_row *out, size_t max, size_t *n_out);
	enum tf_err (*beneficiary_delete)(struct store_conn *c, const char *app_id, const char *user_id,
					  const char *beneficiary_id);
	enum tf_err (*beneficiary_find)(struct store_conn *c, const char *app_id, const char *user_id,
					const char *account, struct beneficiary_row *out);
	/* the transaction hash a recurring series was authorised for (NOT_FOUND: none yet) */
	enum tf_err (*series_get)(struct store_conn *c, const char *app_id, const char *user_id,
				  const char *series_id, char hash_out[TX_HASH_HEX + 1]);
	enum tf_err (*series_put)(struct store_conn *c, const char *app_id, const char *user_id,
				  const char *series_id, const char *transaction_hash, int64_t now);
	enum tf_err (*sca_state_get)(struct store_conn *c, const char *app_id, const char *user_id,
				     struct sca_state_row *out); /* zeros when none */
	/* a successful SCA: resets the low-value counts; account says it also counts for account
	 * information */
	enum tf_err (*sca_state_record)(struct store_conn *c, const char *app_id, const char *user_id,
					int64_t now, bool account);
	enum tf_err (*sca_state_add_low_value)(struct store_conn *c, const char *app_id, const char *user_id,
					       int64_t eur_cents);
	enum tf_err (*ledger_insert)(struct store_conn *c, const struct ledger_row *r);
	/* per application, exemption and currency within [from, to): visits count and sums */
	enum tf_err (*ledger_report)(struct store_conn *c, int64_t from, int64_t to,
				     void (*visit)(void *ctx, const char *app_id, const char *exemption,
						   const char *currency, int64_t count, int64_t amount,
						   int64_t eur_cents),
				     void *ctx);

	/* ops_version 4: the WePay face */
	enum tf_err (*wepay_user_get)(struct store_conn *c, const char *app_id, const char *user_id,
				      struct wepay_user_row *out);
	/* inserts the row, or rewrites every field of the user's row but wepay_user_id */
	enum tf_err (*wepay_user_put)(struct store_conn *c, const struct wepay_user_row *w);
	enum tf_err (*wepay_mfa_list)(struct store_conn *c, const char *app_id, const char *user_id,
				      struct wepay_mfa_row *out, size_t max, size_t *n_out);
	/* inserts the row, or rewrites nickname and last_challenge_id of the factor's row */
	enum tf_err (*wepay_mfa_put)(struct store_conn *c, const struct wepay_mfa_row *m);
	/* no factor of the user is preferred any more */
	enum tf_err (*factor_clear_preferred)(struct store_conn *c, const char *app_id, const char *user_id);

	/* ops_version 5: payments as resources and the Weavr face */
	/* the newest challenge of a session for factor_id and purpose (NOT_FOUND: none) */
	enum tf_err (*challenge_latest)(struct store_conn *c, const char *app_id, const char *user_id,
					const char *session_id, const char *factor_id,
					enum challenge_purpose purpose, struct challenge_row *out);
	enum tf_err (*txn_insert)(struct store_conn *c, const struct txn_row *t);
	enum tf_err (*txn_get)(struct store_conn *c, const char *app_id, const char *user_id,
			       const char *transaction_id, struct txn_row *out);
	/* writes state, challenge_id, approved_at */
	enum tf_err (*txn_update)(struct store_conn *c, const struct txn_row *t);
	/* the transactions a challenge was issued for */
	enum tf_err (*txn_list_by_challenge)(struct store_conn *c, const char *app_id, const char *challenge_id,
					     struct txn_row *out, size_t max, size_t *n_out);

	/* ops_version 6: each application's delivery settings, sealed (crypto_seal of JSON) */
	enum tf_err (*app_delivery_set)(struct store_conn *c, const char *app_id, const uint8_t *sealed, size_t len);
	/* *sealed malloc'd (NULL and 0 when none) */
	enum tf_err (*app_delivery_get)(struct store_conn *c, const char *app_id, uint8_t **sealed, size_t *len);

	/* ops_version 7: the sweeper (service/sweeper.c). Deletes at most batch rows in all, kind
	 * by kind, that ended before their cut-off (core/retention.h), of every application: the
	 * one family of statements not scoped by app_id. *deleted gets how many. */
	enum tf_err (*sweep)(struct store_conn *c, const struct retention_cutoffs *cut, int batch, int *deleted);

	/* ops_version 8: takes back one hit counter_hit counted in that window (an attempt counted
	 * before its outcome, whose outcome turned out not to count); never below zero, nothing
	 * once the window has passed */
	enum tf_err (*counter_give_back)(struct store_conn *c, const char *key, int64_t window_start);

	/* ops_version 9: the key ring (service/keyring.c) */
	/* NOT_FOUND when the database has none yet. Inside a write transaction the row stays
	 * locked to its end (PostgreSQL: FOR UPDATE; SQLite: the write lock). */
	enum tf_err (*keyring_get)(struct store_conn *c, struct keyring_row *out);
	/* Inserts the row unless one is there already (then changes nothing): nodes that start
	 * together each insert theirs, and all use the one that is there afterwards. */
	enum tf_err (*keyring_insert)(struct store_conn *c, const struct keyring_row *k);
	enum tf_err (*keyring_replace)(struct store_conn *c, const struct keyring_row *k);
	/* Up to max values of col, in primary key order, after the row after (NULL: from the
	 * first); the caller frees each out[i].sealed. With sealed_put and devices_revoke_every, the
	 * second family of statements not scoped by app_id (every application's keys change at once). */
	enum tf_err (*sealed_page)(struct store_conn *c, enum sealed_column col, const struct sealed_value *after,
				   struct sealed_value *out, size_t max, size_t *n_out);
	/* Replaces the sealed value of v's row (NOT_FOUND if the row is gone). */
	enum tf_err (*sealed_put)(struct store_conn *c, enum sealed_column col, const struct sealed_value *v);
	/* Revokes every trusted device of every application that has not ended (a new device-cookie
	 * key makes their cookies worthless); *n_out gets how many. */
	enum tf_err (*devices_revoke_every)(struct store_conn *c, int64_t now, int *n_out);
	/* How many other connections twofold processes hold to this database (PostgreSQL: its
	 * sessions named "twofold" but this one; SQLite cannot tell: 0). */
	enum tf_err (*other_clients)(struct store_conn *c, int *n_out);

	/* ops_version 10: a new email address for the user, not confirmed; the user's email tokens
	 * (links sent to the old address) are deleted. EMAIL_TAKEN when another user of the
	 * application has it, NOT_FOUND when the user is gone. */
	enum tf_err (*user_change_email)(struct store_conn *c, const char *app_id, const char *user_id, const char *email);

	/* ops_version 11: passkeys. The application's relying-party settings (JSON text, "" for
	 * none); the user's WebAuthn user handle, set once (the one already set wins: *out gets
	 * it); a user by handle, a factor by credential id, within the application (NOT_FOUND) */
	enum tf_err (*app_set_webauthn)(struct store_conn *c, const char *app_id, const char *settings);
	enum tf_err (*user_set_webauthn_handle)(struct store_conn *c, const char *app_id, const char *user_id,
						const char *handle, char out[48]);
	enum tf_err (*user_get_by_webauthn_handle)(struct store_conn *c, const char *app_id, const char *handle,
						   struct user_row *out);
	enum tf_err (*factor_get_by_credential)(struct store_conn *c, const char *app_id, const char *credential_id,
						struct factor_row *out);

	/* ops_version 12: sign-in without a username. A challenge of the application (base64url),
	 * and taking it: marks it used and gives it, once, while unused and unexpired at now
	 * (NOT_FOUND otherwise: unknown, another application's, used or expired). */
	enum tf_err (*login_challenge_insert)(struct store_conn *c, const char *app_id, const char *challenge_id,
					      const char *challenge, int64_t now, int64_t expires_at);
	enum tf_err (*login_challenge_take)(struct store_conn *c, const char *app_id, const char *challenge_id,
					    int64_t now, char challenge[72]);

	/* ops_version 13: what a passkey's answer proved, one row per verified challenge; and the
	 * application's row of a challenge (NOT_FOUND: none, or another application's) */
	enum tf_err (*evidence_insert)(struct store_conn *c, const struct evidence_row *r);
	enum tf_err (*evidence_get)(struct store_conn *c, const char *app_id, const char *challenge_id,
				    struct evidence_row *out);

	/* ops_version 14: the factor types the application lets its users enrol (JSON array text,
	 * "" for every type); NOT_FOUND when there is no such application */
	enum tf_err (*app_set_factor_types)(struct store_conn *c, const char *app_id, const char *types);

	/* ops_version 15: languages. NOT_FOUND when there is no such application or user. */
	enum tf_err (*app_set_default_locale)(struct store_conn *c, const char *app_id, const char *locale);
	enum tf_err (*user_set_locale)(struct store_conn *c, const char *app_id, const char *user_id, const char *locale);

	/* ops_version 16: the application's branding. Setting it replaces all of it: colour
	 * ("#rrggbb" or ""), logo type ("png", "svg" or "") and the logo's len bytes (NULL, 0 for
	 * none); NOT_FOUND when there is no such application. Getting the logo gives its bytes
	 * (malloc'd into *logo, NULL and 0 when it has none) and its type into type. */
	enum tf_err (*app_set_branding)(struct store_conn *c, const char *app_id, const char *color, const char *logo_type,
					const uint8_t *logo, size_t len);
	enum tf_err (*app_brand_logo_get)(struct store_conn *c, const char *app_id, char type[4], uint8_t **logo,
					  size_t *len);

	/* ops_version 17: the transaction risk analysis (sca/tra.h). Inside a write transaction.
	 * app_set_tra: the settings (JSON text, "" for off); NOT_FOUND without the application.
	 * payment_record: the payment, its day's bucket, (with a user) the payer's day, and (live)
 * that the type has payments.
	 * payment_cancel: cancels a standing payment and takes it out of its buckets; TF_OK when
	 * cancelled now or before (*out: the row), STATE_CONFLICT when a fraud report names it,
	 * NOT_FOUND. payment_report_fraud: records the first report of a standing payment, adds it
	 * to its bucket's fraud and marks its payee account and client address; *created says
	 * whether this call did (else *out holds the earlier report); STATE_CONFLICT for a
	 * cancelled payment. payer_seen_put: that the payer was seen with a country or device
	 * (kind "country", "device") at a time. fraud_marker_find: NOT_FOUND when no report names
	 * the value. payee_first_paid: NOT_FOUND when the payer never paid the account.
	 * payer_countries: the most recent (at most max) countries seen at or after since. */
	enum tf_err (*app_set_tra)(struct store_conn *c, const char *app_id, const char *settings);
	enum tf_err (*payment_record)(struct store_conn *c, const struct payment_row *p);
	enum tf_err (*payment_get)(struct store_conn *c, const char *app_id, const char *payment_id,
				   struct payment_row *out);
	enum tf_err (*payment_cancel)(struct store_conn *c, const char *app_id, const char *payment_id, int64_t now,
				      struct payment_row *out);
	enum tf_err (*payment_report_fraud)(struct store_conn *c, const char *app_id, const char *payment_id,
					    const char *kind, int64_t reported_at, int64_t now, struct payment_row *out,
					    bool *created);
	/* reported in [from, to), of user_id (NULL: any), by reported_at then payment_id */
	enum tf_err (*fraud_report_list)(struct store_conn *c, const char *app_id, const char *user_id, int64_t from,
					 int64_t to, struct payment_row *out, size_t max, size_t *n_out);
	enum tf_err (*payer_history)(struct store_conn *c, const char *app_id, const char *user_id, int64_t first_day,
				     int64_t now, struct payer_history *out);
	enum tf_err (*payee_first_paid)(struct store_conn *c, const char *app_id, const char *user_id,
					const char *payee_account, int64_t *first_at);
	enum tf_err (*payer_seen_put)(struct store_conn *c, const char *app_id, const char *user_id, const char *kind,
				      const char *value, int64_t at);
	enum tf_err (*payer_seen_get)(struct store_conn *c, const char *app_id, const char *user_id, const char *kind,
				      const char *value, int64_t *first_seen_at);
	enum tf_err (*payer_countries)(struct store_conn *c, const char *app_id, const char *user_id, int64_t since,
				       char (*out)[3], size_t max, size_t *n_out);
	enum tf_err (*fraud_marker_find)(struct store_conn *c, const char *app_id, const char *kind, const char *value);
	/* the value and the fraud of a type's payments over days [first_day, last_day] */
	enum tf_err (*tra_window)(struct store_conn *c, const char *app_id, enum payment_type type, int64_t first_day,
				  int64_t last_day, int64_t *fraud_eur_cents, int64_t *total_eur_cents);
	/* the sums per application, type, authentication and band over days [first_day,
	 * last_day], ordered by those */
	enum tf_err (*tra_sums)(struct store_conn *c, int64_t first_day, int64_t last_day,
				void (*visit)(void *arg, const struct tra_sums *s), void *arg);
	/* each application and type with payments, and the day of its first */
	enum tf_err (*tra_first_days)(struct store_conn *c,
				      void (*visit)(void *arg, const char *app_id, enum payment_type type, int64_t first_day),
				      void *arg);
	/* the states of an application's bands of a type (none for a band never evaluated), or of
	 * every application's bands (app_id NULL) */
	enum tf_err (*tra_bands_get)(struct store_conn *c, const char *app_id, enum payment_type type,
				     struct tra_band_row *out, size_t max, size_t *n_out);
	/* replaces a band's state only if its last_quarter is still expected_last_quarter:
	 * STATE_CONFLICT otherwise (another node moved it on) */
	enum tf_err (*tra_band_put)(struct store_conn *c, const struct tra_band_row *b, int64_t expected_last_quarter);
	enum tf_err (*tra_evaluation_insert)(struct store_conn *c, const struct tra_evaluation_row *e);
	enum tf_err (*tra_evaluations_get)(struct store_conn *c, int64_t quarter, struct tra_evaluation_row *out,
					   size_t max, size_t *n_out);
	/* that the application has payments of type since day (an import's earliest; a live
	 * payment_record says it itself) */
	enum tf_err (*tra_type_seen)(struct store_conn *c, const char *app_id, enum payment_type type, int64_t day);

	/* ops_version 18: audit chains per application, their signed heads */
	/* up to limit events of chain after seq after (every one when limit is 0), in order;
	 * visiting stops when fn returns non-zero */
	enum tf_err (*audit_events)(struct store_conn *c, const char *chain, int64_t after, int64_t limit,
				    audit_event_visit_fn fn, void *ctx);
	/* the chain's newest event, unlocked (seq 0 for none) */
	enum tf_err (*audit_newest)(struct store_conn *c, const char *chain, struct audit_head_row *out);
	/* up to max chains after after (by name), with their newest events: only those whose
	 * newest event is not yet signed when unsigned_only */
	enum tf_err (*audit_chain_list)(struct store_conn *c, const char *after, bool unsigned_only,
					struct audit_head_row *out, size_t max, size_t *n_out);
	/* a signed head (none when the chain has one at that seq already) */
	enum tf_err (*audit_signed_put)(struct store_conn *c, const struct audit_head_row *h);
	/* up to max signed heads of chain after seq after, in order */
	enum tf_err (*audit_signed_list)(struct store_conn *c, const char *chain, int64_t after,
					 struct audit_head_row *out, size_t max, size_t *n_out);
	/* the public key of the deployment's audit key as first recorded; NOT_FOUND before; put
	 * records it unless one is there */
	enum tf_err (*audit_key_get)(struct store_conn *c, uint8_t public_key[32]);
	enum tf_err (*audit_key_put)(struct store_conn *c, const uint8_t public_key[32], int64_t now);
	/* empties the format 1 chain, once its rows are in the new chains */
	enum tf_err (*audit_v1_clear)(struct store_conn *c);

	/* ops_version 19: an application's events endpoint (service/security_events.h). Setting
	 * replaces the url and the sealed key together (url "" and NULL, 0 for none); NOT_FOUND
	 * without the application. Getting gives the url ("" for none) and, when sealed is not
	 * NULL, the sealed key (malloc'd; NULL and 0 when none). */
	enum tf_err (*app_events_set)(struct store_conn *c, const char *app_id, const char *url, const uint8_t *sealed,
				      size_t len);
	enum tf_err (*app_events_get)(struct store_conn *c, const char *app_id, char url[STORE_URL_MAX], uint8_t **sealed,
				      size_t *len);

	/* ops_version 20: n events of one chain (their chain, at_ms, type, actor, subject, ip,
	 * request_id and details), in order after its newest, numbered and chained. SQLite reads
	 * the newest, fills each row's seq, prev_hash and hash and inserts them; PostgreSQL numbers
	 * and chains them in the append statement itself (rows left as given), which, at a
	 * transaction's end (tx_ending), goes with the COMMIT, its failure the commit's. */
	enum tf_err (*audit_append)(struct store_conn *c, struct audit_event_row *rows, size_t n);
	/* ops_version 21: when the transactions c ended with commit_later set are durable. Answers
	 * STORE_DURABLE_NOW with their commit's result in *now, or STORE_DURABLE_LATER and then
	 * calls done(arg, result) once, on another thread, after their COMMIT (c stays the caller's
	 * until then). With done NULL it waits, and its answer is final: a failed COMMIT is
	 * reported to that call, whichever call or statement learnt it first. */
	enum store_durable (*when_durable)(struct store_conn *c, void (*done)(void *arg, enum tf_err e), void *arg,
					   enum tf_err *now);
	/* ops_version 22: commits what transactions ended with commit_later still wait for. A
	 * thread that sets commit_later calls it before it waits for anything else (an HTTP
	 * thread: before it waits for network events again), so that they wait at most for the
	 * end of that thread's turn. Cheap when there is nothing to commit. */
	void (*flush)(struct store *st);
};

struct store {
	const struct store_ops *ops;
};

/* Work a write transaction leaves for its end (the audit events, service/audit.c): run just
 * before COMMIT, so that what it locks is held only for the commit; dropped at a rollback. */
struct store_tx_hook {
	enum tf_err (*run)(struct store_conn *c, void *arg);
	void (*drop)(void *arg); /* after run, or instead of it */
	void *arg;
};

struct store_conn {
	struct store *st;
	bool in_tx;                       /* between store_tx_begin and store_tx_end */
	struct store_tx_hook before_commit; /* run (or dropped) by store_tx_end */
	/* the hook is running: a statement whose answer is not read may be kept by the driver and
	 * sent with the COMMIT (PostgreSQL: in one pipeline), its failure then the commit's */
	bool tx_ending;
	/* set by a caller that asks when_durable() before it answers and calls flush() before its
	 * thread waits for anything else: a transaction's end may then return before its COMMIT
	 * (SQLite: the batch stays open for other transactions until a flush, or until a
	 * connection's read needs it), so that the thread serves others meanwhile and one COMMIT
	 * carries many requests' writes; the connection's next read waits for it */
	bool commit_later;
};

extern const struct store_ops store_sqlite_ops;
extern const struct store_ops store_pg_ops;

#define STORE_PG_POOL_DEFAULT 32
/* The PostgreSQL backend with a pool of at most pool_size connections (store_pg.c). */
enum tf_err store_pg_open(const char *url, int pool_size, struct store **out);

/* Opens the backend named by url: "" or "sqlite:PATH" for SQLite, "postgres://..." or
 * "postgresql://..." for PostgreSQL with a pool of pool_size connections (0: the default). */
enum tf_err store_open(const char *url, const char *durability, int pool_size, struct store **out);

/* Shorthand: c->st->ops->name(c, ...) */
#define STORE(c) ((c)->st->ops)

void idem_answer_free(struct idem_answer *a);

/* Begins a write transaction. Every transaction begins here (tools/lint), so that c->in_tx
 * says whether one is open. */
enum tf_err store_tx_begin(struct store_conn *c);
/* Ends a write transaction: runs its before_commit hook and commits when e and the hook are
 * TF_OK, else rolls back and returns the error. */
enum tf_err store_tx_end(struct store_conn *c, enum tf_err e);

/* When what c's transactions wrote is durable (see when_durable in struct store_ops). */
enum store_durable store_when_durable(struct store_conn *c, void (*done)(void *arg, enum tf_err e), void *arg,
				      enum tf_err *now);

/* Commits what commit_later transactions still wait for (see flush in struct store_ops). */
void store_flush(struct store *st);

/* A connection from st's pool for the calling thread, and handing it back. */
enum tf_err store_acquire(struct store *st, struct store_conn **out);
void store_release(struct store_conn *c);

#endif
