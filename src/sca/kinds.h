/*
 * kinds.h: what the factor-kind files share and expose beyond the table (factor_kind.h):
 * one-time codes sent in a message (code.c, the sms, voice and email kinds' issue and check), and the
 * pure parts the unit tests and fuzzers call: the message texts and the backup-code alphabet.
 */
#ifndef TF_SCA_KINDS_H
#define TF_SCA_KINDS_H
#include "core/message_text.h"
#include "sca/factor_kind.h"

/* code.c: a fresh uniformly random 6-digit code (SANDBOX_CODE for a sandbox application, which
 * is sent nothing), stored only as a MAC bound to its challenge and, for a payment, to the
 * transaction's hash (dynamic linking, RTS art. 5); sent through the outbox on the kind's
 * channel to the factor's phone, as text or read aloud (FACTOR_KIND_SPOKEN). */
enum tf_err code_issue(const struct sca_ctx *ctx, const struct factor_row *f, struct challenge_row *ch,
		       char message_id[TF_ID_MAX]);
/* Whether a.code is the challenge's newest code (its MAC, compared in constant time). */
enum answer_verdict code_check(const struct sca_ctx *ctx, const struct factor_row *f, const struct challenge_row *ch,
			       const struct factor_attempt *a, int64_t *replay_step);

/* The message texts (SPEC section 9) in language l (the catalogs, docs/languages.md). The
 * application and payee names are fitted by core/message_text.h, the payee between double
 * quotes; the amount (as l writes it, l10n_amount), currency and code are always whole. In
 * English, a code of a kind of type: "{app}: to pay €49.99 to \"{payee}\", your code is 123456.
 * It expires in 5 minutes." (without the payment part for other purposes), the digits read one
 * by one, twice, for a FACTOR_KIND_SPOKEN kind; an SMS at most SMS_SEGMENTS_MAX segments, its
 * names fitted into what the rest leaves; a push (kind_push.c) asks "{app}: approve paying
 * €49.99 to \"{payee}\"?". Each fits in CODE_TEXT_MAX bytes (the fitted names, the longest
 * amount, a spoken 8-digit code twice, the words of any language); false only for a smaller out. */
#define CODE_TEXT_MAX 1024
_Static_assert(CODE_TEXT_MAX >= MESSAGE_NAMES_BYTES + L10N_AMOUNT_MAX + 2 * 64 + 200, "CODE_TEXT_MAX is too small");
bool code_message_text(const struct l10n *l, const char *app_name, enum factor_type type, const char *code,
		       const struct transaction *tx, char *out, size_t size);
bool code_push_text(const struct l10n *l, const char *app_name, enum challenge_purpose purpose,
		    const struct transaction *tx, char *out, size_t size);

/* A code by email (a FACTOR_KIND_TO_EMAIL kind): a subject, a plain text and an HTML body, from
 * the templates in code.c (data, like a kind's words: {app}, {amount}, {payee}, {code}). For a
 * payment the subject and both bodies show amount and payee (RTS art. 5(1)(a)); the names are
 * fitted as in the other messages and every value is HTML-escaped in the HTML body, which loads
 * nothing from elsewhere (no remote image, stylesheet or link). Each part fits its
 * CODE_EMAIL_*_MAX; false only when one does not (never for the fitted names).
 * brand (NULL for none) is the application's branding: its color colours the code in the HTML,
 * and logo puts the logo at the top of it as cid:MESSAGE_LOGO_CID (the email's image part,
 * delivery/outbox.h), its alt text the application's name. */
#define CODE_EMAIL_SUBJECT_MAX 1024
#define CODE_EMAIL_TEXT_MAX 4096
#define CODE_EMAIL_HTML_MAX 16384
struct code_email_brand {
	char color[8]; /* "#rrggbb", "" for none */
	bool logo;     /* the email carries the application's logo */
};
struct code_email {
	char subject[CODE_EMAIL_SUBJECT_MAX];
	char text[CODE_EMAIL_TEXT_MAX];
	char html[CODE_EMAIL_HTML_MAX];
};
bool code_email_compose(const struct l10n *l, const char *app_name, const struct code_email_brand *brand,
			const char *code, const struct transaction *tx, struct code_email *out);

/* Writes words into out with each {name} of values replaced by its value (factor_kinds.c), cut
 * to size bytes with its NUL as snprintf cuts; a brace that names no value stays as it is. */
struct word_value {
	const char *name;
	const char *value;
};
void factor_fill_words(char *out, size_t size, const char *words, const struct word_value *values, size_t n_values);

/* kind_backup_codes.c: sheets of BACKUP_CODES_PER_SHEET codes of BACKUP_CODE_LEN characters from
 * an alphabet without look-alikes; a typed code is normalised (lower case, spaces and dashes
 * dropped) into out, false when it cannot be a code. */
#define BACKUP_CODE_ALPHABET "23456789abcdefghjkmnpqrstuvwxyz"
bool code_normalise_backup(const char *in, char out[BACKUP_CODE_LEN + 1]);

/* What the phone kinds (sms, voice) share: the number their enrolment takes (E.164), kept in the
 * new factor, and their describe: d->phone, its last four digits ({phone} in their words), its
 * masked form. */
enum factor_field kind_phone_check_input(const struct factor_input *in);
enum tf_err kind_phone_enrol(const struct sca_ctx *ctx, const struct factor_input *in, struct factor_row *f,
			     struct factor_enrolment *en);
void kind_describe_phone(const struct factor_row *f, struct factor_description *d);

/* "ann@example.com" -> "a***@example.com": the first character of the local part, the domain
 * whole (enough for the user to recognise the address; kind_email.c). */
void kind_email_mask(const char *email, char out[TF_EMAIL_MASKED_MAX]);

#endif
