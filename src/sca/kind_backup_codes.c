/*
 * kind_backup_codes.c: the backup-codes kind (SPEC section 3): a sheet of 10 codes of 10
 * characters from an alphabet without look-alikes (about 50 bits each), shown once and stored
 * salted and slow-hashed (Argon2id), as NIST SP 800-63B asks for look-up secrets under 112
 * bits. A user has one sheet: enrolling again replaces it. Nothing is sent. Checking a code is
 * two steps: finding which unused code matches (Argon2id, on the slow pool, outside the write
 * lock), then, inside the attempt's transaction, using exactly that code up: each code works
 * once. A last resort, never a vendor face's default factor.
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "l10n/l10n.h"
#include "sca/kinds.h"

bool code_normalise_backup(const char *in, char out[BACKUP_CODE_LEN + 1])
{
	size_t n = 0;
	for (const char *p = in; *p; p++) {
		char ch = *p;
		if (ch == ' ' || ch == '-')
			continue;
		if (ch >= 'A' && ch <= 'Z')
			ch = (char)(ch - 'A' + 'a');
		if (n >= BACKUP_CODE_LEN || !strchr(BACKUP_CODE_ALPHABET, ch))
			return false;
		out[n++] = ch;
	}
	out[n] = '\0';
	return n == BACKUP_CODE_LEN;
}

/* A new sheet, before the transaction (Argon2id is slow): the codes to show and their hashes. */
static enum tf_err prepare(const struct sca_ctx *ctx, struct factor_enrolment *en)
{
	(void)ctx;
	for (int i = 0; i < BACKUP_CODES_PER_SHEET; i++) {
		crypto_random_string(BACKUP_CODE_ALPHABET, BACKUP_CODE_LEN, en->backup_codes[i]);
		en->sheet[i].idx = i;
		en->sheet[i].used_at = 0;
		enum tf_err e = crypto_lookup_secret_hash(en->backup_codes[i], en->sheet[i].code_hash);
		en->n_backup_codes = i + 1;
		if (e != TF_OK)
			return e;
	}
	return TF_OK;
}

/* After the factor's row: the sheet replaces any earlier one. */
static enum tf_err store(const struct sca_ctx *ctx, struct factor_row *f, const struct factor_enrolment *en)
{
	enum tf_err e = STORE(ctx->db)->backup_codes_replace(ctx->db, f->factor_id, en->sheet, BACKUP_CODES_PER_SHEET);
	f->backup_remaining = BACKUP_CODES_PER_SHEET;
	return e;
}

/* Which unused code matches: every unused code is checked, so the time does not tell which. */
static enum tf_err find(const struct sca_ctx *ctx, const struct factor_row *f, const char *code, struct factor_found *out)
{
	struct backup_code_row rows[BACKUP_CODES_PER_SHEET];
	size_t n;
	char norm[BACKUP_CODE_LEN + 1];
	out->idx = -1;
	enum tf_err e = STORE(ctx->db)->backup_codes_list(ctx->db, f->factor_id, rows, BACKUP_CODES_PER_SHEET, &n);
	if (e != TF_OK)
		return e;
	bool valid = code_normalise_backup(code, norm);
	for (size_t i = 0; i < n; i++) {
		if (rows[i].used_at)
			continue;
		/* checked even when the input cannot be a code, to keep the time the same */
		if (crypto_lookup_secret_verify(rows[i].code_hash, valid ? norm : "----------") && valid && out->idx < 0) {
			out->idx = rows[i].idx;
			snprintf(out->hash, sizeof out->hash, "%s", rows[i].code_hash);
		}
	}
	sodium_memzero(norm, sizeof norm);
	return TF_OK;
}

static enum answer_verdict check(const struct sca_ctx *ctx, const struct factor_row *f, const struct challenge_row *ch,
				 const struct factor_attempt *a, int64_t *replay_step)
{
	(void)ctx;
	(void)f;
	(void)ch;
	(void)replay_step;
	return a->found && a->found->idx >= 0 ? ANSWER_RIGHT : ANSWER_WRONG;
}

/* Each code once, and only the code that matched; a sandbox application's code uses none, and
 * confirming a new sheet uses none of it. */
static enum tf_err spend(const struct sca_ctx *ctx, const struct factor_row *f, const struct challenge_row *ch,
			 const struct factor_attempt *a, enum answer_verdict *v)
{
	if ((ctx->app->sandbox && !strcmp(a->code, SANDBOX_CODE)) || ch->purpose == PURPOSE_ENROLMENT)
		return TF_OK;
	enum tf_err e = STORE(ctx->db)->backup_code_use(ctx->db, f->factor_id, a->found->idx, a->found->hash, ctx->now);
	if (e == TF_ERR_VERIFICATION_CODE_INVALID) { /* used meanwhile */
		*v = ANSWER_WRONG;
		e = TF_OK;
	}
	return e;
}

static void describe(const struct factor_row *f, struct factor_description *d)
{
	d->codes_remaining = f->backup_remaining;
	d->inputmode = "text";
}

const struct factor_kind factor_kind_backup_codes = {
	.type = FACTOR_BACKUP_CODES,
	.name = "backup_codes",
	.flags = FACTOR_KIND_PICKED_BY_DEFAULT | FACTOR_KIND_FALLBACK | FACTOR_KIND_ONE_PER_USER | FACTOR_KIND_SLOW_ENROL |
		 FACTOR_KIND_SLOW_CHECK,
	.needs = "paper",
	.answer = FACTOR_ANSWER_CODE,
	.fields = 0,
	.words = {
		.label = N_("Backup codes ({left} left)"),
		.offer = N_("Use a backup code"),
		.prompt = N_("Enter one of your backup codes. Each code works once."),
		.enrol_prompt = N_("Enter one of your backup codes."),
		.code_label = N_("Backup code"),
	},
	.prepare = prepare,
	.store = store,
	.find = find,
	.check = check,
	.spend = spend,
	.describe = describe,
};
