/*
 * ceremony.h: the relying party's checks of WebAuthn Level 3 ceremonies (section 7) and of
 * Secure Payment Confirmation assertions (W3C SPC, type "payment.get"), over bytes already
 * decoded from base64url: client data (JSON, jansson), authenticator data, attestation objects
 * (CBOR, libcbor) and signatures (webauthn/cose_key.h). Pure: the policy, the expected challenge and
 * the stored credential come in, a verdict and what was proved go out; time is passed in.
 *
 * A verdict is WEBAUTHN_OK or the first check that failed, in the order of WebAuthn sections
 * 7.1 and 7.2: the client data's type, challenge and origin, the RP id hash, user presence and
 * verification, the backup flags, the attestation or signature, the signature counter.
 */
#ifndef TF_WEBAUTHN_CEREMONY_H
#define TF_WEBAUTHN_CEREMONY_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "webauthn/cose_key.h"

#define WEBAUTHN_CREDENTIAL_ID_MAX 1023 /* WebAuthn section 5.8.3 */
#define WEBAUTHN_AAGUID_BYTES 16
#define WEBAUTHN_RP_ID_HASH_BYTES 32
#define WEBAUTHN_CHALLENGE_MAX 64
#define WEBAUTHN_TEXT_MAX 512            /* an origin, an RP id, a payee's name, a decimal amount */
#define WEBAUTHN_ICON_MAX 8192           /* an SPC instrument's icon URL (often a data: URL) */

/* authenticator data flags (section 6.1) */
#define WEBAUTHN_FLAG_UP 0x01
#define WEBAUTHN_FLAG_UV 0x04
#define WEBAUTHN_FLAG_BE 0x08
#define WEBAUTHN_FLAG_BS 0x10
#define WEBAUTHN_FLAG_AT 0x40
#define WEBAUTHN_FLAG_ED 0x80

enum webauthn_reason {
	WEBAUTHN_OK,
	WEBAUTHN_MALFORMED,          /* "malformed": bytes that are not the structure they must be */
	WEBAUTHN_TYPE,               /* "type": not webauthn.create / webauthn.get / payment.get as due */
	WEBAUTHN_CHALLENGE,          /* "challenge": not the challenge twofold issued */
	WEBAUTHN_ORIGIN,             /* "origin": not exactly one of the application's origins */
	WEBAUTHN_RP_ID,              /* "rp_id": the RP id hash is not SHA-256 of the application's RP id */
	WEBAUTHN_USER_PRESENCE,      /* "user_presence": UP not set */
	WEBAUTHN_USER_VERIFICATION,  /* "user_verification": UV not set while the policy requires it */
	WEBAUTHN_SYNCED_NOT_ALLOWED, /* "synced_not_allowed": backup eligible where the policy refuses it */
	WEBAUTHN_AAGUID_NOT_ALLOWED, /* "aaguid_not_allowed": an authenticator model not on the list */
	WEBAUTHN_ALGORITHM,          /* "algorithm": a key of an algorithm twofold does not accept */
	WEBAUTHN_ATTESTATION,        /* "attestation": a statement that does not verify or is not trusted */
	WEBAUTHN_CREDENTIAL,         /* "credential": not the credential of the factor or user */
	WEBAUTHN_SIGNATURE,          /* "signature": the signature does not verify */
	WEBAUTHN_COUNTER,            /* "counter": the signature counter did not grow (a cloned key) */
	WEBAUTHN_PAYMENT,            /* "payment": SPC payment data that differ from the transaction */
	WEBAUTHN_REASON_COUNT
};

/* The wire name of a reason ("signature"), as the error object's "reason" gives it. */
const char *webauthn_reason_name(enum webauthn_reason r);

/* An application's relying-party settings. */
struct webauthn_policy {
	const char *rp_id;
	const char *const *origins; /* each exactly as a browser writes an origin */
	size_t n_origins;
	bool uv_required;           /* "required"; false: "preferred" */
	bool allow_synced;          /* backup-eligible (synced) credentials accepted */
	bool attestation_direct;    /* "direct": a verified statement required; false: "none" */
	const char *roots_pem;      /* attestation roots the application trusts (PEM), or NULL */
	const uint8_t (*aaguids)[WEBAUTHN_AAGUID_BYTES]; /* allowed authenticator models; n 0: any */
	size_t n_aaguids;
};

/* A credential as registration proves it and the store keeps it. */
struct webauthn_credential {
	uint8_t id[WEBAUTHN_CREDENTIAL_ID_MAX];
	size_t id_len;
	uint8_t public_key[COSE_KEY_MAX]; /* the COSE_Key as the authenticator gave it */
	size_t public_key_len;
	int alg;                          /* enum cose_alg */
	uint8_t aaguid[WEBAUTHN_AAGUID_BYTES];
	uint32_t sign_count;
	bool user_verified, backup_eligible, backed_up;
	char fmt[32];                     /* the attestation statement's format */
	bool attestation_trusted;         /* its chain led to one of the application's roots */
};

/* A registration response, decoded. raw_id: the credential id the client reports. */
struct webauthn_registration {
	const uint8_t *client_data;
	size_t client_data_len;
	const uint8_t *attestation_object;
	size_t attestation_object_len;
	const uint8_t *raw_id;
	size_t raw_id_len;
};

/* Checks a registration (section 7.1) against the challenge issued; on WEBAUTHN_OK, *out is the
 * new credential. now_s: for the attestation certificates' validity. */
enum webauthn_reason webauthn_register(const struct webauthn_policy *p, const uint8_t *challenge, size_t challenge_len,
				       const struct webauthn_registration *in, int64_t now_s,
				       struct webauthn_credential *out);

/* What a payment's SPC request showed the payer; the assertion's "payment" member must repeat
 * it exactly (rpId is the policy's, topOrigin one of its origins). */
struct spc_expected {
	const char *payee_name;
	const char *payee_origin; /* NULL when none was given */
	const char *currency;
	const char *value;        /* the total in major units, "49.99" */
	const char *instrument_name;
	const char *instrument_icon;
};

/* An assertion response, decoded. user_handle: NULL when absent. */
struct webauthn_assertion {
	const uint8_t *client_data;
	size_t client_data_len;
	const uint8_t *auth_data;
	size_t auth_data_len;
	const uint8_t *signature;
	size_t signature_len;
	const uint8_t *raw_id;
	size_t raw_id_len;
};

/* The stored credential an assertion answers for. */
struct webauthn_stored {
	const uint8_t *id;
	size_t id_len;
	const uint8_t *public_key;
	size_t public_key_len;
	uint32_t sign_count;
};

/* What an assertion proved. */
struct webauthn_verified {
	uint32_t sign_count;
	bool user_verified;
	bool backup_eligible, backed_up;
	bool spc; /* a "payment.get" assertion */
};

/* Checks an assertion (section 7.2) by the stored credential against the challenge issued.
 * spc: non-NULL for a payment offered through SPC: a "payment.get" assertion is then accepted
 * when its payment data match; "webauthn.get" is accepted either way. */
enum webauthn_reason webauthn_assert(const struct webauthn_policy *p, const uint8_t *challenge, size_t challenge_len,
				     const struct spc_expected *spc, const struct webauthn_stored *cred,
				     const struct webauthn_assertion *in, struct webauthn_verified *out);

/* An RP id twofold accepts: a lower-case domain name (letters, digits and hyphens in labels of
 * 1 to 63 characters, at most 253 in all), "localhost" included; never an IP address. */
bool webauthn_rp_id_valid(const char *rp_id);
/* An origin as a browser writes it for a secure context: "https://" and a domain name valid as
 * an RP id, or "http://localhost"; a port when not the scheme's default; nothing after. */
bool webauthn_origin_valid(const char *origin);

/* Parsed authenticator data (section 6.1); pointers point into the bytes parsed. */
struct webauthn_auth_data {
	uint8_t rp_id_hash[WEBAUTHN_RP_ID_HASH_BYTES];
	uint8_t flags;
	uint32_t sign_count;
	uint8_t aaguid[WEBAUTHN_AAGUID_BYTES]; /* with WEBAUTHN_FLAG_AT */
	const uint8_t *credential_id;
	size_t credential_id_len;
	const uint8_t *public_key;
	size_t public_key_len;
	struct cose_key *key; /* the parsed public key: webauthn_auth_data_clear frees it */
	enum cose_parse_result key_result;
};

/* Reads authenticator data: every byte must belong to it (extensions only with ED). */
bool webauthn_auth_data_parse(const uint8_t *p, size_t n, struct webauthn_auth_data *out);
void webauthn_auth_data_clear(struct webauthn_auth_data *a);

/* Parsed client data (section 5.8.1 and SPC's CollectedClientPaymentData). */
struct webauthn_client_data {
	char type[32];
	uint8_t challenge[WEBAUTHN_CHALLENGE_MAX];
	size_t challenge_len;
	char origin[WEBAUTHN_TEXT_MAX];
	bool cross_origin;
	char top_origin[WEBAUTHN_TEXT_MAX]; /* "" when absent */
	bool has_payment;
	struct {
		char rp_id[WEBAUTHN_TEXT_MAX];
		char top_origin[WEBAUTHN_TEXT_MAX];
		char payee_name[WEBAUTHN_TEXT_MAX];
		char payee_origin[WEBAUTHN_TEXT_MAX];
		bool has_payee_name, has_payee_origin;
		char currency[16];
		char value[64];
		char instrument_name[WEBAUTHN_TEXT_MAX];
		char instrument_icon[WEBAUTHN_ICON_MAX];
	} payment;
};

/* Reads client data JSON; false when it is not a JSON object with string type, challenge (base64url)
 * and origin, or a member is too long. */
bool webauthn_client_data_parse(const uint8_t *json, size_t n, struct webauthn_client_data *out);

#endif
