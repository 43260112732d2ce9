/* store_factors.c: factors, backup-code sheets, challenges and trusted devices, written once
 * for both drivers (store_sql.h). Reads of a user's factors and challenges inside a write
 * transaction first take that user's lock (locks_user, store_sql.c): the attempt that checks a
 * code and the one that counts a failure or replays a TOTP step run one after the other,
 * whichever PostgreSQL node serves them. */
#include <string.h>

#include "core/challenge.h"
#include "store/store_sql.h"

enum tf_err sql_factor_send_swap(struct store_conn *c, const char *app_id, const char *factor_id, int64_t *last_send_at,
				 int64_t next, bool *swapped)
{
	int changes = 0;
	enum tf_err e = db_exec(c, S_FACTOR_SEND_SWAP, ARGS(INT(next), TEXT(app_id), TEXT(factor_id), INT(*last_send_at)),
				&changes);
	*swapped = e == TF_OK && changes == 1;
	if (e != TF_OK || *swapped)
		return e;
	return db_int(c, S_FACTOR_SEND_STATE, ARGS(TEXT(app_id), TEXT(factor_id)), last_send_at);
}

/* ---- factors ---- */

static void read_factor(struct rows *r, void *row)
{
	struct factor_row *f = row;
	char text[32];
	memset(f, 0, sizeof *f);
	col_text(r, 0, f->factor_id, sizeof f->factor_id);
	col_text(r, 1, f->app_id, sizeof f->app_id);
	col_text(r, 2, f->user_id, sizeof f->user_id);
	col_text(r, 3, text, sizeof text);
	f->type = (enum factor_type)name_index(factor_type_names, FACTOR_TYPE__MAX, text);
	col_text(r, 4, text, sizeof text);
	f->status = (enum factor_status)name_index(factor_status_names, FACTOR_STATUS_COUNT, text);
	col_text(r, 5, f->phone, sizeof f->phone);
	col_blob(r, 6, f->secret_sealed, sizeof f->secret_sealed, &f->secret_sealed_len);
	col_text(r, 7, f->totp_algorithm, sizeof f->totp_algorithm);
	f->totp_digits = (int)col_int(r, 8);
	f->last_totp_step = col_int(r, 9);
	f->preferred = col_int(r, 10) != 0;
	f->consecutive_failures = (int)col_int(r, 11);
	f->blocked_until = col_int(r, 12);
	f->created_at = col_int(r, 13);
	f->activated_at = col_int(r, 14);
	col_text(r, 15, f->enrolment_challenge_id, sizeof f->enrolment_challenge_id);
	col_text(r, 16, f->push_channel, sizeof f->push_channel);
	col_blob(r, 17, f->push_public_key, sizeof f->push_public_key, NULL);
	col_text(r, 18, f->push_address, sizeof f->push_address);
	col_text(r, 19, f->name, sizeof f->name);
	col_text(r, 20, f->credential_id, sizeof f->credential_id);
	col_blob(r, 21, f->credential_key, sizeof f->credential_key, &f->credential_key_len);
	f->credential_alg = (int)col_int(r, 22);
	f->credential_sign_count = col_int(r, 23);
	col_text(r, 24, f->credential_aaguid, sizeof f->credential_aaguid);
	f->credential_flags = (int)col_int(r, 25);
	col_text(r, 26, f->credential_transports, sizeof f->credential_transports);
	col_text(r, 27, f->email, sizeof f->email);
	f->backup_remaining = (int)col_int(r, 28);
}

enum tf_err sql_factor_insert(struct store_conn *c, const struct factor_row *f)
{
	return db_exec(c, S_FACTOR_INSERT,
		       ARGS(TEXT(f->factor_id), TEXT(f->app_id), TEXT(f->user_id), TEXT(factor_type_names[f->type]),
			    TEXT(factor_status_names[f->status]), TEXT(f->phone),
			    BLOB_OR_NULL(f->secret_sealed, f->secret_sealed_len),
			    TEXT(f->totp_algorithm[0] ? f->totp_algorithm : "SHA1"), INT(f->totp_digits ? f->totp_digits : 6),
			    INT(f->last_totp_step), INT(f->preferred), INT(f->consecutive_failures), INT(f->blocked_until),
			    INT(f->created_at), INT(f->activated_at), TEXT(f->enrolment_challenge_id), TEXT(f->push_channel),
			    BLOB_OR_NULL(f->push_public_key, f->type == FACTOR_PUSH ? sizeof f->push_public_key : 0),
			    TEXT(f->push_address), TEXT(f->name), TEXT(f->credential_id),
			    BLOB_OR_NULL(f->credential_key, f->credential_key_len), INT(f->credential_alg),
			    INT(f->credential_sign_count), TEXT(f->credential_aaguid), INT(f->credential_flags),
			    TEXT(f->credential_transports), TEXT(f->email)),
		       NULL);
}

enum tf_err sql_factor_get(struct store_conn *c, const char *app_id, const char *user_id, const char *factor_id,
			   struct factor_row *out)
{
	return db_get(c, S_FACTOR_GET, ARGS(TEXT(app_id), TEXT(user_id), TEXT(factor_id)), read_factor, out);
}

enum tf_err sql_factor_get_by_credential(struct store_conn *c, const char *app_id, const char *credential_id,
					 struct factor_row *out)
{
	return db_get(c, S_FACTOR_GET_BY_CREDENTIAL, ARGS(TEXT(app_id), TEXT(credential_id)), read_factor, out);
}

enum tf_err sql_login_challenge_insert(struct store_conn *c, const char *app_id, const char *challenge_id,
				       const char *challenge, int64_t now, int64_t expires_at)
{
	return db_exec(c, S_LOGIN_CHALLENGE_INSERT,
		       ARGS(TEXT(challenge_id), TEXT(app_id), TEXT(challenge), INT(now), INT(expires_at)), NULL);
}

enum tf_err sql_login_challenge_take(struct store_conn *c, const char *app_id, const char *challenge_id, int64_t now,
				     char challenge[72])
{
	struct rows r;
	enum tf_err e = db_row(c, S_LOGIN_CHALLENGE_TAKE, ARGS(TEXT(app_id), TEXT(challenge_id), INT(now)), &r);
	if (e != TF_OK)
		return e;
	col_text(&r, 0, challenge, 72);
	return db_end(&r);
}

static void read_evidence(struct rows *r, void *row)
{
	struct evidence_row *x = row;
	char purpose[32];
	memset(x, 0, sizeof *x);
	col_text(r, 0, x->challenge_id, sizeof x->challenge_id);
	col_text(r, 1, x->app_id, sizeof x->app_id);
	col_text(r, 2, x->user_id, sizeof x->user_id);
	col_text(r, 3, x->factor_id, sizeof x->factor_id);
	col_text(r, 4, purpose, sizeof purpose);
	x->purpose = (enum challenge_purpose)name_index(purpose_names, PURPOSE__MAX, purpose);
	col_text(r, 5, x->transaction_hash, sizeof x->transaction_hash);
	col_text(r, 6, x->credential_id, sizeof x->credential_id);
	col_blob(r, 7, x->public_key, sizeof x->public_key, &x->public_key_len);
	x->alg = (int)col_int(r, 8);
	col_text(r, 9, x->authenticator_data, sizeof x->authenticator_data);
	col_text(r, 10, x->client_data, sizeof x->client_data);
	col_text(r, 11, x->signature, sizeof x->signature);
	x->user_verified = col_int(r, 12) != 0;
	x->spc = col_int(r, 13) != 0;
	x->created_at = col_int(r, 14);
}

enum tf_err sql_evidence_insert(struct store_conn *c, const struct evidence_row *x)
{
	return db_exec(c, S_EVIDENCE_INSERT,
		       ARGS(TEXT(x->challenge_id), TEXT(x->app_id), TEXT(x->user_id), TEXT(x->factor_id),
			    TEXT(purpose_names[x->purpose]), TEXT(x->transaction_hash), TEXT(x->credential_id),
			    BLOB(x->public_key, x->public_key_len), INT(x->alg), TEXT(x->authenticator_data),
			    TEXT(x->client_data), TEXT(x->signature), INT(x->user_verified), INT(x->spc), INT(x->created_at)),
		       NULL);
}

enum tf_err sql_evidence_get(struct store_conn *c, const char *app_id, const char *challenge_id, struct evidence_row *out)
{
	return db_get(c, S_EVIDENCE_GET, ARGS(TEXT(app_id), TEXT(challenge_id)), read_evidence, out);
}

enum tf_err sql_factor_list(struct store_conn *c, const char *app_id, const char *user_id, struct factor_row *out,
			    size_t max, size_t *n_out)
{
	return db_list(c, S_FACTOR_LIST, ARGS(TEXT(app_id), TEXT(user_id), INT(max)), read_factor, out, sizeof *out, max,
		       n_out);
}

enum tf_err sql_factor_update(struct store_conn *c, const struct factor_row *f)
{
	return db_exec(c, S_FACTOR_UPDATE,
		       ARGS(TEXT(factor_status_names[f->status]), INT(f->activated_at), INT(f->last_totp_step),
			    INT(f->consecutive_failures), INT(f->blocked_until), TEXT(f->enrolment_challenge_id),
			    TEXT(f->factor_id), TEXT(f->app_id), TEXT(f->credential_id),
			    BLOB_OR_NULL(f->credential_key, f->credential_key_len), INT(f->credential_alg),
			    INT(f->credential_sign_count), TEXT(f->credential_aaguid), INT(f->credential_flags),
			    TEXT(f->credential_transports)),
		       NULL);
}

enum tf_err sql_factor_clear_preferred(struct store_conn *c, const char *app_id, const char *user_id)
{
	return db_exec(c, S_FACTOR_CLEAR_PREFERRED, ARGS(TEXT(app_id), TEXT(user_id)), NULL);
}

enum tf_err sql_factor_set_preferred(struct store_conn *c, const char *app_id, const char *user_id,
				     const char *factor_id)
{
	enum tf_err e = db_exec(c, S_FACTOR_CLEAR_PREFERRED, ARGS(TEXT(app_id), TEXT(user_id)), NULL);
	if (e != TF_OK)
		return e;
	return db_change(c, S_FACTOR_SET_PREFERRED, ARGS(TEXT(app_id), TEXT(user_id), TEXT(factor_id)), TF_ERR_NOT_FOUND);
}

enum tf_err sql_factor_delete(struct store_conn *c, const char *app_id, const char *user_id, const char *factor_id)
{
	return db_change(c, S_FACTOR_DELETE, ARGS(TEXT(app_id), TEXT(user_id), TEXT(factor_id)), TF_ERR_NOT_FOUND);
}

/* ---- backup codes ---- */

enum tf_err sql_backup_codes_replace(struct store_conn *c, const char *factor_id, const struct backup_code_row *codes,
				     size_t n)
{
	enum tf_err e = db_exec(c, S_BACKUP_DELETE, ARGS(TEXT(factor_id)), NULL);
	for (size_t i = 0; e == TF_OK && i < n; i++)
		e = db_exec(c, S_BACKUP_INSERT, ARGS(TEXT(factor_id), INT(codes[i].idx), TEXT(codes[i].code_hash)), NULL);
	return e;
}

enum tf_err sql_backup_codes_list(struct store_conn *c, const char *factor_id, struct backup_code_row *out, size_t max,
				  size_t *n_out)
{
	struct rows r;
	size_t n = 0;
	db_query(c, S_BACKUP_LIST, ARGS(TEXT(factor_id), INT(max)), &r);
	for (; n < max && db_next(&r); n++) {
		out[n].idx = (int)col_int(&r, 0);
		col_text(&r, 1, out[n].code_hash, sizeof out[n].code_hash);
		out[n].used_at = col_int(&r, 2);
	}
	*n_out = n;
	return db_end(&r);
}

enum tf_err sql_backup_code_use(struct store_conn *c, const char *factor_id, int idx, const char *code_hash,
				int64_t now)
{
	/* VERIFICATION_CODE_INVALID: used meanwhile, or the sheet was replaced */
	return db_change(c, S_BACKUP_USE, ARGS(INT(now), TEXT(factor_id), INT(idx), TEXT(code_hash)),
			 TF_ERR_VERIFICATION_CODE_INVALID);
}

/* ---- challenges ---- */

enum tf_err sql_challenge_insert(struct store_conn *c, const struct challenge_row *ch)
{
	bool tx = ch->has_transaction;
	return db_exec(c, S_CHALLENGE_INSERT,
		       ARGS(TEXT(ch->challenge_id), TEXT(ch->app_id), TEXT(ch->user_id), TEXT(ch->factor_id),
			    TEXT(ch->session_id), TEXT(purpose_names[ch->purpose]), TEXT(challenge_status_names[ch->status]),
			    BLOB_OR_NULL(ch->code_mac, ch->has_code ? TF_MAC_BYTES : 0), INT(ch->attempts),
			    INT(ch->max_attempts), INT(ch->sends), INT(ch->last_sent_at), INT(ch->created_at),
			    INT(ch->expires_at), INT(ch->verified_at), INT(tx ? ch->tx.amount : 0),
			    TEXT(tx ? ch->tx.currency : ""), TEXT(tx ? ch->tx.payee_name : ""),
			    TEXT(tx ? ch->tx.payee_account : ""), TEXT(tx ? ch->tx_hash : ""), TEXT(ch->webauthn_challenge)),
		       NULL);
}

static void read_challenge(struct rows *r, void *row)
{
	struct challenge_row *ch = row;
	char text[32];
	memset(ch, 0, sizeof *ch);
	col_text(r, 0, ch->challenge_id, sizeof ch->challenge_id);
	col_text(r, 1, ch->app_id, sizeof ch->app_id);
	col_text(r, 2, ch->user_id, sizeof ch->user_id);
	col_text(r, 3, ch->factor_id, sizeof ch->factor_id);
	col_text(r, 4, ch->session_id, sizeof ch->session_id);
	col_text(r, 5, text, sizeof text);
	ch->purpose = (enum challenge_purpose)name_index(purpose_names, PURPOSE__MAX, text);
	col_text(r, 6, text, sizeof text);
	ch->status = name_index(challenge_status_names, CH_STATUS_COUNT, text);
	ch->has_code = !col_null(r, 7);
	if (ch->has_code)
		col_blob(r, 7, ch->code_mac, TF_MAC_BYTES, NULL);
	ch->attempts = (int)col_int(r, 8);
	ch->max_attempts = (int)col_int(r, 9);
	ch->sends = (int)col_int(r, 10);
	ch->last_sent_at = col_int(r, 11);
	ch->created_at = col_int(r, 12);
	ch->expires_at = col_int(r, 13);
	ch->verified_at = col_int(r, 14);
	col_text(r, 19, ch->tx_hash, sizeof ch->tx_hash);
	col_text(r, 20, ch->webauthn_challenge, sizeof ch->webauthn_challenge);
	ch->has_transaction = ch->tx_hash[0] != '\0';
	if (ch->has_transaction) {
		ch->tx.amount = col_int(r, 15);
		col_text(r, 16, ch->tx.currency, sizeof ch->tx.currency);
		col_text(r, 17, ch->tx.payee_name, sizeof ch->tx.payee_name);
		col_text(r, 18, ch->tx.payee_account, sizeof ch->tx.payee_account);
	}
}

enum tf_err sql_challenge_get(struct store_conn *c, const char *app_id, const char *user_id, const char *challenge_id,
			      struct challenge_row *out)
{
	return db_get(c, S_CHALLENGE_GET, ARGS(TEXT(app_id), TEXT(user_id), TEXT(challenge_id)), read_challenge, out);
}

enum tf_err sql_challenge_latest(struct store_conn *c, const char *app_id, const char *user_id, const char *session_id,
				 const char *factor_id, enum challenge_purpose purpose, struct challenge_row *out)
{
	return db_get(c, S_CHALLENGE_LATEST,
		      ARGS(TEXT(app_id), TEXT(user_id), TEXT(session_id), TEXT(factor_id), TEXT(purpose_names[purpose])),
		      read_challenge, out);
}

enum tf_err sql_challenge_update(struct store_conn *c, const struct challenge_row *ch)
{
	return db_exec(c, S_CHALLENGE_UPDATE,
		       ARGS(TEXT(challenge_status_names[ch->status]), BLOB_OR_NULL(ch->code_mac, ch->has_code ? TF_MAC_BYTES : 0),
			    INT(ch->attempts), INT(ch->sends), INT(ch->last_sent_at), INT(ch->expires_at),
			    INT(ch->verified_at), TEXT(ch->challenge_id), TEXT(ch->app_id), TEXT(ch->webauthn_challenge)),
		       NULL);
}

enum tf_err sql_challenge_supersede(struct store_conn *c, const char *session_id, const char *factor_id,
				    const char *except_id)
{
	return db_exec(c, S_CHALLENGE_SUPERSEDE, ARGS(TEXT(session_id), TEXT(factor_id), TEXT(except_id)), NULL);
}

/* ---- trusted devices ---- */

enum tf_err sql_device_insert(struct store_conn *c, const struct device_row *d)
{
	return db_exec(c, S_DEVICE_INSERT,
		       ARGS(TEXT(d->device_id), TEXT(d->app_id), TEXT(d->user_id), TEXT(device_kind_name(d->kind)),
			    TEXT(device_domain_name(d->domain)), INT(d->created_at), INT(d->expires_at), TEXT(d->challenge_id)),
		       NULL);
}

enum tf_err sql_device_list(struct store_conn *c, const char *app_id, const char *user_id, int64_t now,
			    struct device_row *out, size_t max, size_t *n_out)
{
	struct rows r;
	size_t n = 0;
	char text[16];
	db_query(c, S_DEVICE_LIST, ARGS(TEXT(app_id), TEXT(user_id), INT(now), INT(max)), &r);
	while (n < max && db_next(&r)) {
		struct device_row *d = &out[n++];
		memset(d, 0, sizeof *d);
		col_text(&r, 0, d->device_id, sizeof d->device_id);
		col_text(&r, 1, d->app_id, sizeof d->app_id);
		col_text(&r, 2, d->user_id, sizeof d->user_id);
		col_text(&r, 3, text, sizeof text);
		d->kind = strcmp(text, "session") == 0 ? DEVICE_SESSION : DEVICE_PERSISTENT;
		col_text(&r, 4, text, sizeof text);
		d->domain = strcmp(text, "hosted") == 0 ? DOMAIN_HOSTED : DOMAIN_API;
		d->created_at = col_int(&r, 5);
		d->expires_at = col_int(&r, 6);
		d->revoked_at = col_int(&r, 7);
		col_text(&r, 8, d->challenge_id, sizeof d->challenge_id);
	}
	*n_out = n;
	return db_end(&r);
}

enum tf_err sql_device_revoke(struct store_conn *c, const char *app_id, const char *user_id, const char *device_id,
			      int64_t now)
{
	return db_change(c, S_DEVICE_REVOKE, ARGS(INT(now), TEXT(app_id), TEXT(user_id), TEXT(device_id)), TF_ERR_NOT_FOUND);
}

enum tf_err sql_device_revoke_all(struct store_conn *c, const char *app_id, const char *user_id, int64_t now,
				  int *n_out)
{
	return db_exec(c, S_DEVICE_REVOKE_ALL, ARGS(INT(now), TEXT(app_id), TEXT(user_id), INT(now)), n_out);
}

enum tf_err sql_device_revoked_since(struct store_conn *c, int64_t since, int64_t now,
				     void (*visit)(void *ctx, const char *device_id, int64_t revoked_at, int64_t expires_at),
				     void *ctx)
{
	struct rows r;
	db_query(c, S_DEVICE_REVOKED_SINCE, ARGS(INT(since), INT(now)), &r);
	while (db_next(&r))
		visit(ctx, col_str(&r, 0), col_int(&r, 1), col_int(&r, 2));
	return db_end(&r);
}
