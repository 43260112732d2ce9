/*
 * factor_kind.h: factor kinds as modules (SPEC section 3). Each kind of second factor is one
 * file, kind_<name>.c, filling one struct factor_kind: what its enrolment takes and makes, what
 * issuing a challenge sends, how an answer is checked, how it describes itself (its words for
 * people are data on its row), and flags for the rules that differ between kinds.
 * factor_kinds.c holds the table, one row per enum factor_type (store/store.h keeps the enum and
 * its wire names). Code outside the kind files asks the kind instead of switching on the type.
 *
 * Adding a kind: its value and wire name in store/store.h, its file, its row in factor_kinds.c,
 * and a row in a vendor face's table if that face has the kind.
 *
 * The kinds never build JSON and never see a request: adapters read the input into struct
 * factor_input, and render struct factor_enrolment and struct factor_description in their own
 * shapes (the native API, the WePay and Weavr faces, the hosted pages).
 */
#ifndef TF_SCA_FACTOR_KIND_H
#define TF_SCA_FACTOR_KIND_H
#include <stdbool.h>
#include <stdint.h>

#include "core/base32.h"
#include "l10n/l10n.h"
#include "sca/context.h"
#include "store/store.h"
#include "webauthn/ceremony.h"

#define SANDBOX_CODE "123456" /* what a sandbox application accepts from any kind that takes a code */
#define TOTP_SECRET_BYTES 20  /* 160 bits */
#define OTPAUTH_URI_MAX 4096
#define BACKUP_CODE_LEN 10
#define TF_EMAIL_MASKED_MAX 260 /* an address of 254 bytes, its local part cut to one character and "***" */

/* How an answer to a challenge comes: a code the user types, a device's signed answer, or a
 * WebAuthn credential's (a passkey's registration or assertion, as a browser gives it). */
enum factor_answer_form { FACTOR_ANSWER_CODE, FACTOR_ANSWER_DEVICE, FACTOR_ANSWER_CREDENTIAL };

enum factor_kind_flag {
	/* issuing a challenge sends a code for the user to type (a resend replaces it) */
	FACTOR_KIND_SENDS_CODE = 1 << 0,
	/* ... read aloud, digit by digit, twice (a call) */
	FACTOR_KIND_SPOKEN = 1 << 1,
	/* its challenges go to the factor's phone number: the send caps and allowed countries apply */
	FACTOR_KIND_TO_PHONE = 1 << 2,
	/* picked when a challenge names no factor, and listed by authorize for every operation; a
	 * kind without it is used only when named, and listed only for payments */
	FACTOR_KIND_PICKED_BY_DEFAULT = 1 << 3,
	/* a last resort (a sheet of codes): never made a vendor face's default factor */
	FACTOR_KIND_FALLBACK = 1 << 4,
	/* a user has at most one: enrolling again replaces its secrets, keeping the factor */
	FACTOR_KIND_ONE_PER_USER = 1 << 5,
	/* enrolment (prepare) hashes with Argon2id: the request runs on the slow pool */
	FACTOR_KIND_SLOW_ENROL = 1 << 6,
	/* checking an answer needs Argon2id (find): on the slow pool, outside the write lock */
	FACTOR_KIND_SLOW_CHECK = 1 << 7,
	/* its challenges go to the factor's email address: the email send caps apply */
	FACTOR_KIND_TO_EMAIL = 1 << 8,
	/* using it needs a smartphone (or an app on one): not for a user who has none */
	FACTOR_KIND_NEEDS_SMARTPHONE = 1 << 9,
	/* a means of SCA that does not depend on a smartphone and suits people with disabilities,
	 * older people and people with low digital skills (docs/accessibility.md): an application
	 * that enables one always offers it (sca/factor_options.h) */
	FACTOR_KIND_WITHOUT_SMARTPHONE = 1 << 10,
};

/* The enrolment input fields; a kind takes some of them, each required. */
enum factor_field {
	FACTOR_FIELD_NONE = 0,
	FACTOR_FIELD_PHONE = 1 << 0,        /* E.164 number */
	FACTOR_FIELD_CHANNEL = 1 << 1,      /* a push device's channel: AUTHY or BIOMETRIC */
	FACTOR_FIELD_PUBLIC_KEY = 1 << 2,   /* base64 of a device's 32-byte Ed25519 public key */
	FACTOR_FIELD_PUSH_ADDRESS = 1 << 3, /* where the delivery provider reaches the device */
	FACTOR_FIELD_EMAIL = 1 << 4,        /* an email address */
};

/* Enrolment input as the adapter read it: NULL when absent. */
struct factor_input {
	const char *name;         /* the user's name for the factor (display text), any kind */
	const char *phone;
	const char *channel;
	const char *public_key;
	const char *push_address;
	const char *email;
};

/* What an enrolment shows once, and the kind's work carried from before its transaction to
 * after the row is stored. Holds secrets: factor_enrolment_wipe() when done. */
struct factor_enrolment {
	char totp_secret[BASE32_LEN(TOTP_SECRET_BYTES) + 1]; /* base32; "" when the kind has none */
	char otpauth_uri[OTPAUTH_URI_MAX];
	int n_backup_codes;                                  /* 0 when the kind makes no sheet */
	char backup_codes[BACKUP_CODES_PER_SHEET][BACKUP_CODE_LEN + 1];
	struct backup_code_row sheet[BACKUP_CODES_PER_SHEET]; /* their hashes, as stored */
	char webauthn_user_handle[48];                       /* a passkey's: the user's handle (base64url) */
};

/* A device's answer to a challenge (core/push.h): approve or deny, and its signature. */
struct push_answer {
	bool approve;
	uint8_t signature[64];
};

/* What the slow part of a check (FACTOR_KIND_SLOW_CHECK) found: the stored secret that matched
 * (idx -1: none) and its hash, for spending exactly that one. */
struct factor_found {
	int idx;
	char hash[TF_PWHASH_MAX];
};

/* One answer to a challenge. */
struct factor_attempt {
	const char *code;                 /* the typed code, or NULL */
	const struct push_answer *push;   /* a device's answer, or NULL */
	const struct factor_found *found; /* the slow search's finding (idx -1 when none ran) */
	const struct webauthn_response *credential; /* a passkey's answer, or NULL */
	struct credential_outcome *outcome;         /* what a credential's check found (NULL: none) */
};

/* A WebAuthn response as a browser's toJSON() gives it, decoded from base64url: the
 * registration's attestation object, or the assertion's authenticator data, signature and user
 * handle; transports as the client reported them (a JSON array, "" when none). */
struct webauthn_response {
	uint8_t raw_id[WEBAUTHN_CREDENTIAL_ID_MAX];
	size_t raw_id_len;
	const uint8_t *client_data;
	size_t client_data_len;
	const uint8_t *attestation_object; /* NULL in an assertion */
	size_t attestation_object_len;
	const uint8_t *authenticator_data; /* NULL in a registration */
	size_t authenticator_data_len;
	const uint8_t *signature;
	size_t signature_len;
	const uint8_t *user_handle;        /* NULL when absent */
	size_t user_handle_len;
	char transports[128];
};

/* What the check of a credential found: the reason of a wrong answer, and of a right one what
 * it proved (a registration's credential, an assertion's counter and flags). */
struct credential_outcome {
	enum webauthn_reason reason;
	struct webauthn_credential registered;
	struct webauthn_verified asserted;
};

enum answer_verdict { ANSWER_RIGHT, ANSWER_WRONG, ANSWER_REPLAYED };

/* What adapters show of a factor, beside the columns every factor has (id, status, preferred,
 * times). Pointers point into the row described. */
struct factor_description {
	const char *phone;          /* the number its codes go to, or NULL */
	char phone_last4[5];        /* its last four digits ("" when no phone) */
	char phone_masked[20];      /* "+*******0100" */
	const char *email;          /* the address its codes go to, or NULL */
	char email_masked[TF_EMAIL_MASKED_MAX]; /* "a***@example.com" ("" when no email) */
	const char *totp_algorithm; /* an authenticator app's algorithm, or NULL */
	int totp_digits;
	int codes_remaining;        /* unused codes of a sheet, or -1 */
	const char *push_channel;   /* a push device's channel, or NULL */
	const char *credential_id;  /* a passkey's credential id (base64url), or NULL; then: */
	const char *aaguid;         /* its authenticator model ("" unknown) */
	const char *transports;     /* JSON array text as the client reported ("" none) */
	bool backup_eligible, backed_up, user_verified;
	/* twofold's own words for people, as its hosted pages show them: the kind's words filled in */
	char label[320];        /* the factor in a list: "Text message to your phone ending in 0100" */
	char offer[320];        /* a button that starts a challenge: "Text a code to my phone ending in 0100" */
	char prompt[400];       /* beside a challenge's answer field (names the application for an app) */
	char enrol_prompt[400]; /* beside a new factor's first answer */
	const char *code_label; /* the answer field's label */
	const char *inputmode;  /* the answer field's keyboard: "numeric" or "text" */
};

/* The words a kind shows people, as templates that factor_describe fills into struct
 * factor_description: {phone} stands for the last four digits of the factor's phone, {email}
 * for its masked email address, {app} for the application's name, {left} for the backup codes
 * left. */
struct factor_words {
	const char *label;        /* the factor in a list */
	const char *offer;        /* a button that starts a challenge */
	const char *prompt;       /* beside a challenge's answer field */
	const char *enrol_prompt; /* beside a new factor's first answer */
	const char *code_label;   /* the answer field's label; NULL: "Code" */
};

struct factor_kind {
	enum factor_type type;
	const char *name;               /* the wire name: factor_type_names[type] */
	unsigned flags;                 /* enum factor_kind_flag */
	enum factor_answer_form answer;
	unsigned fields;                /* enum factor_field: the input its enrolment takes */
	unsigned optional_fields;       /* enum factor_field: input it takes when given */
	/* what the user needs to use it, as GET /v1/users/{id}/factor_options names it: "smartphone",
	 * "mobile_phone" (any, a smartphone or not), "phone" (a landline too), "email" (a mailbox),
	 * "security_key" (or a device with passkeys), "paper" (codes kept printed) */
	const char *needs;
	struct factor_words words;

	/* Enrolment. check_input: the first of its fields that is invalid (FACTOR_FIELD_NONE: all
	 * valid; presence is checked before). prepare (optional): slow work before the transaction.
	 * enrol (optional): fills the kind's columns of the new row f and what to show once, inside
	 * the transaction. store (optional): after the row and its enrolment challenge are stored
	 * (also when a FACTOR_KIND_ONE_PER_USER factor is enrolled again). */
	enum factor_field (*check_input)(const struct factor_input *in);
	enum tf_err (*prepare)(const struct sca_ctx *ctx, struct factor_enrolment *en);
	enum tf_err (*enrol)(const struct sca_ctx *ctx, const struct factor_input *in, struct factor_row *f,
			     struct factor_enrolment *en);
	enum tf_err (*store)(const struct sca_ctx *ctx, struct factor_row *f, const struct factor_enrolment *en);

	/* Challenges. issue (NULL: nothing to send, nothing to resend): sends what a challenge
	 * needs (a fresh code, a call, a push) and records it in ch (its code's MAC, sends,
	 * last_sent_at), replacing an earlier code; message_id gets the outbox message's id ("" when
	 * nothing went out, as for a sandbox application). Inside the caller's write transaction. */
	enum tf_err (*issue)(const struct sca_ctx *ctx, const struct factor_row *f, struct challenge_row *ch,
			     char message_id[TF_ID_MAX]);
	/* challenge (optional): what the user's key must sign, made when the challenge is (a
	 * passkey's WebAuthn challenge, bound to a payment's hash), in ch. Sends nothing. */
	void (*challenge)(const struct sca_ctx *ctx, const struct factor_row *f, struct challenge_row *ch);
	/* find (FACTOR_KIND_SLOW_CHECK): the Argon2id part of a check, on the slow pool and outside
	 * any transaction; takes the same time whichever secret matches. */
	enum tf_err (*find)(const struct sca_ctx *ctx, const struct factor_row *f, const char *code,
			    struct factor_found *out);
	/* check: the verdict on an answer of the kind's form (factor_check adds the sandbox code).
	 * No store access. On ANSWER_RIGHT *replay_step may change: the step to remember on success
	 * (an authenticator's replay protection). */
	enum answer_verdict (*check)(const struct sca_ctx *ctx, const struct factor_row *f, const struct challenge_row *ch,
				     const struct factor_attempt *a, int64_t *replay_step);
	/* denied (optional): whether the answer is a valid refusal (the device said no): the
	 * challenge is then over. */
	bool (*denied)(const struct factor_row *f, const struct challenge_row *ch, const struct factor_attempt *a);
	/* spend (optional): after a right answer, inside the transaction: uses up what answered (a
	 * backup code is good once); *v becomes ANSWER_WRONG when it was used meanwhile. */
	enum tf_err (*spend)(const struct sca_ctx *ctx, const struct factor_row *f, const struct challenge_row *ch,
			     const struct factor_attempt *a, enum answer_verdict *v);
	/* accept (optional): after a right answer, what it proved goes into the factor's row before
	 * it is stored (a passkey's credential at enrolment, its signature counter after). */
	void (*accept)(const struct factor_attempt *a, struct factor_row *f);

	/* Fills the kind's own fields of out beside its words (the phone, an authenticator's
	 * parameters, the codes left...); factor_describe clears the rest first and fills the words
	 * after. */
	void (*describe)(const struct factor_row *f, struct factor_description *out);
};

/* The kind of a type (a valid enum factor_type, as every row's is). */
const struct factor_kind *factor_kind_of(enum factor_type type);
/* The kind of a wire name ("sms", "backup_codes"), or NULL. */
const struct factor_kind *factor_kind_named(const char *name);
/* Whether a page answers k's challenges itself: a typed code, or a passkey's ceremony where
 * passkeys work on that page (the hosted pages and their gate). */
bool factor_kind_answered_on_page(const struct factor_kind *k, bool passkeys);

/* The first enrolment field that is invalid for kind k: a field it does not take (channel,
 * public key and push address before its own checks, a phone after them), or one of its own
 * that is malformed. FACTOR_FIELD_NONE when the input is valid. */
enum factor_field factor_input_check(const struct factor_kind *k, const struct factor_input *in);

/* The verdict on an answer to challenge ch of factor f: a sandbox application's code is right
 * for any kind that takes a code; otherwise the kind's check. */
enum answer_verdict factor_check(const struct sca_ctx *ctx, const struct factor_row *f, const struct challenge_row *ch,
				 const struct factor_attempt *a, int64_t *replay_step);

/* What adapters show of f (see struct factor_description) in language l; app_name fills {app}
 * in its words. */
void factor_describe(const struct l10n *l, const struct factor_row *f, const char *app_name,
		     struct factor_description *out);

/* Clears what an enrolment made (secrets included). */
void factor_enrolment_wipe(struct factor_enrolment *en);

#endif
