/*
 * codes.h: the codes of challenges. Issuing one (a fresh uniformly random 6-digit code,
 * stored only as a MAC bound to its challenge, sent through the outbox as SMS or voice
 * text; sandbox applications send nothing and accept 123456) and checking one against the
 * challenge's factor (SMS/voice MAC, TOTP with replay protection, backup codes).
 */
#ifndef TF_SERVICE_CODES_H
#define TF_SERVICE_CODES_H
#include "core/message_text.h"
#include "core/otp.h"
#include "service/service.h"

#define SANDBOX_CODE "123456"

/* Sends a new code for ch (sms or voice factor f), replacing any earlier one: sets
 * ch->code_mac, sends and last_sent_at and enqueues the message. Call inside a write
 * transaction; message_id may be NULL. Sandbox applications send nothing. */
enum tf_err code_send(struct tf_service *svc, struct store_conn *c, const struct app_row *app,
		      const struct factor_row *f, struct challenge_row *ch, int64_t now,
		      char message_id[TF_ID_MAX]);

/* Sends a push for ch (push factor f): the device shows the application, the purpose and, for
 * a transaction, amount and payee, and answers with a signed approve or deny (core/push.h).
 * Sets sends and last_sent_at; no code. Sandbox applications send nothing. */
enum tf_err push_send(struct tf_service *svc, struct store_conn *c, const struct app_row *app,
		      const struct factor_row *f, struct challenge_row *ch, int64_t now,
		      char message_id[TF_ID_MAX]);

/* A push device's answer: whether its signature is the factor's key's over this challenge's
 * signing string for this decision. */
bool push_answer_valid(const struct factor_row *f, const struct challenge_row *ch, bool approve,
		       const uint8_t signature[64]);

/* The message texts (SPEC section 9), exposed for tests. The application and payee names are
 * fitted by core/message_text.h, the payee between double quotes; the amount, currency and code
 * are always whole. An SMS: "{app}: to pay EUR 49.99 to \"{payee}\", your code is 123456. It
 * expires in 5 minutes." (without the payment part for other purposes); a call reads the code
 * digit by digit, twice; a push asks "{app}: approve paying EUR 49.99 to \"{payee}\"?". Each
 * fits in CODE_TEXT_MAX bytes (the fitted names, the longest amount, a spoken 8-digit code
 * twice, the fixed words); false only for a smaller out. */
#define CODE_TEXT_MAX 1024
_Static_assert(CODE_TEXT_MAX >= MESSAGE_NAMES_BYTES + TX_AMOUNT_TEXT_MAX + 2 * 64 + 100, "CODE_TEXT_MAX is too small");
bool code_message_text(const char *app_name, enum factor_type type, const char *code, const struct transaction *tx,
		       char *out, size_t size);
bool code_push_text(const char *app_name, enum challenge_purpose purpose, const struct transaction *tx, char *out,
		    size_t size);

/* Finds which unused backup code of factor f matches code (Argon2id: slow; call outside a
 * transaction, on the slow pool). idx is -1 when none. Every unused code is checked, so the
 * time does not tell which matched. */
struct backup_match {
	int idx;
	char code_hash[TF_PWHASH_MAX]; /* the stored hash that matched */
};
enum tf_err code_find_backup(struct store_conn *c, const struct factor_row *f, const char *code, struct backup_match *out);

enum code_verdict { CODE_RIGHT, CODE_WRONG, CODE_REPLAYED };

/* Checks code for challenge ch of factor f (fast: no Argon2id; backup codes use the index
 * found by code_find_backup). On CODE_RIGHT for TOTP, *totp_step is the step to store. */
enum code_verdict code_check(struct tf_service *svc, const struct app_row *app, const struct factor_row *f,
			     const struct challenge_row *ch, const char *code, int backup_idx, int64_t now,
			     int64_t *totp_step);

/* TOTP parameters of an application, and the secret of a TOTP factor. */
void code_totp_params(const char *algorithm, int digits, struct totp_params *p);

/* Backup-code sheets: 10 codes of 10 characters from an alphabet without look-alikes. */
#define BACKUP_CODE_LEN 10
#define BACKUP_CODE_ALPHABET "23456789abcdefghjkmnpqrstuvwxyz"
/* Normalises a typed backup code (lower case, spaces and dashes dropped) into out. */
bool code_normalise_backup(const char *in, char out[BACKUP_CODE_LEN + 1]);

#endif
